"""Latent factors of a cohort: fit the group factor model on its layers and store the results.

:func:`factors` writes to the documented slots (``CONTRIBUTING.md``):

- ``mdata.obsm['X_factors']``: samples x factors (NaN for samples with no data in the layers used);
- ``mdata.mod[m].varm['factors']``: loadings of each layer's features (NaN for features not used);
- ``mdata.uns['factors']``: ``params``, ``variance_explained`` (layers x factors R2),
  ``variance_explained_total``, ``likelihoods``, ``layers``, ``factor_names``, ``elbo`` ...

:func:`project_factors` puts new samples (another cohort, one new patient) onto a fitted (or
saved) model: layers or features the new samples lack are simply missing.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from ..._core._docs import DOC_MU_COPY, doc_params
from ..._core._errors import InputError
from ..._core._keys import claim_key
from ..._core._params import clean_params
from ..._core._utils import PathLike
from ._gfa import GroupFactorAnalysis, load_factor_model

__all__ = ["GroupFactorAnalysis", "factors", "get_factors", "load_factor_model", "modality_matrix", "project_factors"]

#: Layer (AnnData ``.layers`` key) used by default for a modality when it exists.
DEFAULT_LAYERS: dict[str, str] = {"meth": "mvalue"}


def _mdata_type() -> Any:
    import mudata as md

    return md.MuData


def _copy(mdata: Any) -> Any:
    """``MuData.copy()`` without its note about feature names shared by modalities (normal in cohorts)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*names are intersecting.*")
        warnings.filterwarnings("ignore", message=".*names are not unique.*")
        return mdata.copy()


def _check_mdata(mdata: Any, what: str = "mdata") -> None:
    if not isinstance(mdata, _mdata_type()):
        msg = f"{what} must be a mudata.MuData cohort (oncoresist.io.read_h5mu / read_study), got {type(mdata).__name__}."
        raise InputError(msg)


def modality_matrix(
    mdata: Any,
    mod: str,
    *,
    layer: str | None = None,
    use_selected: bool = True,
    selected_key: str = "selected",
) -> pd.DataFrame:
    """The samples x features matrix of one modality that integration uses.

    This is the one place that decides which matrix of a layer enters the factor model and
    the subtyping: ``layer`` when given, else the modality's default (``meth`` ->
    ``layers['mvalue']`` when present), else ``X``; restricted to features flagged in
    ``var[selected_key]`` (by :func:`oncoresist.pp.select_features`) when that column exists
    and ``use_selected``.

    Parameters
    ----------
    mdata
        The cohort.
    mod
        Modality name.
    layer
        AnnData layer to use instead of the default.
    use_selected
        Keep only the selected features when ``var[selected_key]`` exists.
    selected_key
        Column of ``var`` flagging selected features.

    Returns
    -------
    pandas.DataFrame
        Samples (the modality's observations) x features, float, NaN = missing.

    Examples
    --------
    >>> import anndata as ad, mudata as md, numpy as np
    >>> m = md.MuData({"rna": ad.AnnData(np.ones((3, 2)))})
    >>> modality_matrix(m, "rna").shape
    (3, 2)
    """
    _check_mdata(mdata)
    if mod not in mdata.mod:
        msg = f"modality '{mod}' is not in the cohort (modalities: {', '.join(mdata.mod)}): check the layer name."
        raise InputError(msg)
    a = mdata.mod[mod]
    if layer is None and DEFAULT_LAYERS.get(mod) in a.layers:
        layer = DEFAULT_LAYERS[mod]
    if layer is not None and layer != "X":
        if layer not in a.layers:
            msg = f"modality '{mod}' has no layer '{layer}' (layers: {', '.join(a.layers) or 'none'}): use one of them or 'X'."
            raise InputError(msg)
        X = a.layers[layer]
    else:
        X = a.X
    if X is None:
        msg = f"modality '{mod}' has no data matrix (X is empty): fill it or choose a layer."
        raise InputError(msg)
    if sparse.issparse(X):
        X = X.toarray()
    df = pd.DataFrame(np.asarray(X, dtype=float), index=a.obs_names.astype(str), columns=a.var_names.astype(str))
    if use_selected and selected_key in a.var.columns:
        keep = a.var[selected_key].fillna(False).astype(bool).to_numpy()
        if not keep.any():
            msg = f"modality '{mod}' has no feature flagged in var['{selected_key}']: re-run feature selection or pass use_selected=False."
            raise InputError(msg)
        df = df.loc[:, keep]
    return df


def _resolve_mods(mdata: Any, mods: Sequence[str] | None) -> list[str]:
    if mods is None:
        return list(mdata.mod)
    if isinstance(mods, str):
        mods = [m.strip() for m in mods.split(",") if m.strip()]
    unknown = [m for m in mods if m not in mdata.mod]
    if unknown:
        msg = f"layer(s) {', '.join(unknown)} not in the cohort (modalities: {', '.join(mdata.mod)}): check the names."
        raise InputError(msg)
    if not mods:
        msg = "no layer selected for integration: give at least one modality name."
        raise InputError(msg)
    return list(mods)


def _uns_key(key_added: str) -> str:
    return key_added[2:] if key_added.startswith("X_") else key_added


@doc_params(doc_copy=DOC_MU_COPY)
def factors(
    mdata: Any,
    *,
    mods: Sequence[str] | None = None,
    n_factors: int = 10,
    layers: Mapping[str, str] | None = None,
    likelihoods: str | Mapping[str, str] = "auto",
    method: str = "native",
    use_selected: bool = True,
    drop_factor_threshold: float = 0.005,
    max_iter: int = 1000,
    tol: float = 1e-6,
    sparsity: str = "feature",
    random_state: int | None = 0,
    key_added: str = "X_factors",
    save_model: PathLike | None = None,
    overwrite: bool = False,
    copy: bool = False,
) -> Any:
    """Fit a group factor model to the cohort's layers and store factors, loadings, R2.

    Parameters
    ----------
    mdata
        The cohort (MuData). Samples missing from a layer are normal.
    mods
        Layers to integrate (default all; a comma-separated string works too).
    n_factors
        Initial number of factors (inactive ones are pruned).
    layers
        Per modality, the AnnData layer to use (see :func:`modality_matrix` for defaults).
    likelihoods
        ``"auto"`` (binary layers -> Bernoulli), one likelihood, or ``{mod: likelihood}``.
    method
        ``"native"`` or ``"mofa"`` (mofapy2, optional dependency).
    use_selected
        Use only the features flagged by :func:`oncoresist.pp.select_features`, when present.
    drop_factor_threshold, max_iter, tol, sparsity, random_state
        Passed to :class:`GroupFactorAnalysis` (``sparsity``: ``"feature"`` loadings sparse
        within a layer, or ``"view"`` per-layer ARD only).
    key_added
        ``obsm`` key of the factors; loadings go to ``varm[key]`` and results to ``uns[key]``
        with ``key`` = ``key_added`` without its ``X_`` prefix (``"factors"``).
    save_model
        Folder to save the fitted model to (for :func:`project_factors` on new patients).
    overwrite
        Replace ``obsm[key_added]`` / ``uns[key]`` / ``varm[key]`` when another function (or
        the user) wrote them; by default that is an error (re-running ``factors`` replaces
        its own result).
    {doc_copy}

    Examples
    --------
    >>> import anndata as ad, mudata as md, numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> z = rng.normal(size=(40, 1))
    >>> ids = [f"s{i}" for i in range(40)]
    >>> rna = ad.AnnData(z @ rng.normal(size=(1, 20)) + rng.normal(size=(40, 20)), obs=pd.DataFrame(index=ids),
    ...                  var=pd.DataFrame(index=[f"g{j}" for j in range(20)]))
    >>> prot = ad.AnnData(z @ rng.normal(size=(1, 15)) + rng.normal(size=(40, 15)), obs=pd.DataFrame(index=ids),
    ...                   var=pd.DataFrame(index=[f"p{j}" for j in range(15)]))
    >>> mdata = md.MuData({"rna": rna, "prot": prot})
    >>> factors(mdata, n_factors=3)
    >>> mdata.obsm["X_factors"].shape[0]
    40
    """
    _check_mdata(mdata)
    mdata = _copy(mdata) if copy else mdata
    mods = _resolve_mods(mdata, mods)
    layers = dict(layers or {})
    unknown = set(layers) - set(mdata.mod)
    if unknown:
        msg = f"layers= names unknown modality {', '.join(sorted(unknown))} (modalities: {', '.join(mdata.mod)})."
        raise InputError(msg)
    _claim_factor_keys(mdata, mods, key_added, by="tl.factors", overwrite=overwrite)
    views = {m: modality_matrix(mdata, m, layer=layers.get(m), use_selected=use_selected) for m in mods}
    used_layers = {m: layers.get(m) or (DEFAULT_LAYERS[m] if DEFAULT_LAYERS.get(m) in mdata.mod[m].layers else "X") for m in mods}
    model = GroupFactorAnalysis(
        n_factors=n_factors,
        likelihoods=likelihoods,
        method=method,
        max_iter=max_iter,
        tol=tol,
        drop_factor_threshold=drop_factor_threshold,
        sparsity=sparsity,
        random_state=random_state,
    ).fit(views)
    model.input_layers_ = used_layers
    _store_factors(mdata, model, key_added)
    params = {"mods": list(mods), "layers": used_layers, "use_selected": bool(use_selected)}
    mdata.uns[_uns_key(key_added)] = _factor_record(model, params)
    if save_model is not None:
        model.save(save_model)
    return mdata if copy else None


def _claim_factor_keys(mdata: Any, mods: Sequence[str], key_added: str, *, by: str, overwrite: bool,
                       with_sd: bool = False) -> None:
    """Claim ``obsm[key_added]`` (and its ``_sd``), ``uns[key]`` and every layer's ``varm[key]`` for ``by``."""
    key = _uns_key(key_added)
    claim_key(mdata, "obsm", key_added, by=by, overwrite=overwrite)
    if with_sd:
        claim_key(mdata, "obsm", f"{key_added}_sd", by=by, overwrite=overwrite)
    claim_key(mdata, "uns", key, by=by, overwrite=overwrite)
    for m in mods:
        claim_key(mdata.mod[m], "varm", key, by=by, overwrite=overwrite)


def _model_params(model: GroupFactorAnalysis) -> dict[str, Any]:
    """The estimator's settings recorded in ``uns[key]['params']``."""
    lik = model.likelihoods
    return {"n_factors": int(model.n_factors), "likelihoods": lik if isinstance(lik, str) else dict(lik),
            "method": model.method, "drop_factor_threshold": float(model.drop_factor_threshold),
            "max_iter": int(model.max_iter), "tol": float(model.tol), "sparsity": model.sparsity,
            "random_state": model.random_state}


def _factor_record(model: GroupFactorAnalysis, params: Mapping[str, Any]) -> dict[str, Any]:
    """What ``uns[key]`` holds about a fitted model: params, R2, likelihoods, convergence."""
    return {
        "params": clean_params({**params, **_model_params(model)}),
        "factor_names": list(model.factor_names_),
        "likelihoods": dict(model.likelihoods_),
        "variance_explained": model.variance_explained_.copy(),
        "variance_explained_total": {m: float(v) for m, v in model.variance_explained_total_.items()},
        "ard_precision": model.ard_precision_.copy(),
        "n_features": {m: len(model.feature_names_[m]) for m in model.views_},
        "n_samples": len(model.sample_names_),
        "dropped_features": {m: {r: len(f) for r, f in d.items()} for m, d in model.dropped_features_.items()},
        "n_iter": int(model.n_iter_),
        "converged": bool(model.converged_),
        "elbo": np.asarray(model.elbo_, dtype=float),
    }


def _store_factors(mdata: Any, model: GroupFactorAnalysis, key_added: str) -> None:
    """Write factors to ``obsm`` and loadings to each modality's ``varm``."""
    key = _uns_key(key_added)
    Z = pd.DataFrame(model.factors_, index=model.sample_names_, columns=model.factor_names_)
    full = Z.reindex(mdata.obs_names.astype(str)).to_numpy(dtype=float)
    mdata.obsm[key_added] = full
    for m in model.views_:
        a = mdata.mod[m]
        L = pd.DataFrame(model.loadings_[m], index=model.feature_names_[m], columns=model.factor_names_)
        a.varm[key] = L.reindex(a.var_names.astype(str)).to_numpy(dtype=float)


def get_factors(mdata: Any, *, key: str = "X_factors", dropna: bool = True) -> pd.DataFrame:
    """The factors stored by :func:`factors` as a samples x factors DataFrame.

    Parameters
    ----------
    mdata
        The cohort.
    key
        ``obsm`` key.
    dropna
        Drop samples without factors (no data in the integrated layers).

    Returns
    -------
    pandas.DataFrame
        Index = sample IDs, columns ``Factor1`` ...

    Examples
    --------
    >>> import anndata as ad, mudata as md, numpy as np
    >>> m = md.MuData({"rna": ad.AnnData(np.ones((2, 2)))})
    >>> m.obsm["X_factors"] = np.array([[0.5], [np.nan]])
    >>> get_factors(m).shape
    (1, 1)
    """
    _check_mdata(mdata)
    if key not in mdata.obsm:
        msg = f"the cohort has no obsm['{key}']: run oncoresist.tl.factors (or 'oncoresist integrate') first."
        raise InputError(msg)
    uns = mdata.uns.get(_uns_key(key), {})
    X = np.asarray(mdata.obsm[key], dtype=float)
    names = list(uns.get("factor_names", [])) if isinstance(uns, Mapping) else []
    if len(names) != X.shape[1]:
        names = [f"Factor{i + 1}" for i in range(X.shape[1])]
    df = pd.DataFrame(X, index=mdata.obs_names.astype(str), columns=[str(n) for n in names])
    return df.dropna(how="all") if dropna else df


@doc_params(doc_copy=DOC_MU_COPY)
def project_factors(
    mdata: Any,
    model: GroupFactorAnalysis | PathLike,
    *,
    key_added: str = "X_factors",
    return_std: bool = False,
    overwrite: bool = False,
    copy: bool = False,
) -> Any:
    """Project the samples of a (new) cohort onto a fitted factor model.

    Layers are matched by name (using the matrices the model was fitted on, e.g.
    ``meth.layers['mvalue']``); a layer or feature the new samples lack counts as missing,
    so a new patient with, say, only RNA and mutations is placed with those two layers.

    Parameters
    ----------
    mdata
        Cohort holding the new samples.
    model
        A fitted :class:`GroupFactorAnalysis` or the folder it was saved to.
    key_added
        ``obsm`` key for the projected factors (``obsm[key_added + '_sd']`` holds their
        posterior standard deviations when ``return_std``).
    return_std
        Also store posterior standard deviations.
    overwrite
        Replace ``obsm[key_added]`` / ``uns[key]`` when another function (or the user) wrote
        them (e.g. :func:`factors` on the same cohort); by default that is an error.
    {doc_copy}

    Examples
    --------
    >>> import anndata as ad, mudata as md, numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> ids = [f"s{i}" for i in range(30)]
    >>> m = md.MuData({"rna": ad.AnnData(rng.normal(size=(30, 8)), obs=pd.DataFrame(index=ids))})
    >>> factors(m, n_factors=2)
    >>> model = GroupFactorAnalysis(n_factors=2, random_state=0).fit({"rna": modality_matrix(m, "rna")})
    >>> new = md.MuData({"rna": ad.AnnData(rng.normal(size=(1, 8)), obs=pd.DataFrame(index=["new"]))})
    >>> project_factors(new, model)
    >>> new.obsm["X_factors"].shape[0]
    1
    """
    _check_mdata(mdata)
    if not isinstance(model, GroupFactorAnalysis):
        model = load_factor_model(Path(model))
    mdata = _copy(mdata) if copy else mdata
    views = _projection_views(mdata, model)
    _claim_factor_keys(mdata, [], key_added, by="tl.project_factors", overwrite=overwrite, with_sd=return_std)
    mean, sd = model.transform(views, return_std=True)
    mdata.obsm[key_added] = mean.reindex(mdata.obs_names.astype(str)).to_numpy(dtype=float)
    if return_std:
        mdata.obsm[f"{key_added}_sd"] = sd.reindex(mdata.obs_names.astype(str)).to_numpy(dtype=float)
    key = _uns_key(key_added)
    mdata.uns[key] = {
        "params": clean_params({"projected": True, "model_views": list(model.views_), "layers_used": list(views)}),
        "factor_names": list(model.factor_names_),
        "variance_explained": model.variance_explained_.copy(),
        "variance_explained_total": {m: float(v) for m, v in model.variance_explained_total_.items()},
        "likelihoods": dict(model.likelihoods_),
    }
    return mdata if copy else None


def _projection_views(mdata: Any, model: GroupFactorAnalysis) -> dict[str, pd.DataFrame]:
    """The new cohort's matrices of the layers the model was fitted on (same layer as in fitting)."""
    layers = getattr(model, "input_layers_", {})
    views = {}
    for m in model.views_:
        if m not in mdata.mod:
            continue
        lay = layers.get(m)
        if lay in (None, "X"):
            lay = None
        elif lay not in mdata.mod[m].layers:
            msg = (
                f"the model was fitted on modality '{m}' layer '{lay}', which the new cohort lacks "
                f"(layers: {', '.join(mdata.mod[m].layers) or 'none'}): preprocess it the same way (e.g. oncoresist.pp)."
            )
            raise InputError(msg)
        views[m] = modality_matrix(mdata, m, layer=lay, use_selected=False)
    if not views:
        msg = (
            f"the new cohort shares no layer with the model (model layers: {', '.join(model.views_)}; "
            f"cohort: {', '.join(mdata.mod)}): check the modality names."
        )
        raise InputError(msg)
    return views

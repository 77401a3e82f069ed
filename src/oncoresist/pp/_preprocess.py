"""One call that applies the default preprocessing of every known layer of a cohort."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .._core._errors import InputError
from ._base import copy_data, dense, is_mudata
from ._batch import combat
from ._features import select_features
from ._impute import filter_missing, impute
from ._normalize import (
    binarize_mutations,
    cnv_calls,
    mvalues,
    normalize_counts,
    normalize_metabolomics,
    normalize_proteomics,
)

__all__ = ["preprocess"]

_CONTINUOUS = ("rna", "prot", "phospho", "meth", "metab", "cnv")


def _is_binary(X: np.ndarray) -> bool:
    v = X[np.isfinite(X)]
    return v.size > 0 and bool(np.isin(v, (0.0, 1.0)).all())


def preprocess(
    mdata: Any,
    *,
    mods: Sequence[str] | None = None,
    batch_key: str | None = None,
    batch_mods: Sequence[str] = ("rna", "prot", "phospho"),
    covariates: Sequence[str] | None = None,
    rna_method: str = "logcpm",
    max_missing: float = 0.5,
    impute_missing: bool = False,
    n_top: int | Mapping[str, int] | None = 2000,
    copy: bool = False,
) -> Any:
    """Default preprocessing of each layer, by modality name (see CONTRIBUTING.md slots).

    - ``rna``: counts (``layers['counts']``, or ``X`` when it holds counts) -> log2 CPM
      (``rna_method="vst"``: variance-stabilised); already-normalised ``X`` is kept.
    - ``meth``: beta -> ``layers['mvalue']``.
    - ``prot``, ``phospho``: log2 when linear, per-sample median centring, removal of
      features missing in more than ``max_missing`` of samples; optional imputation
      (``impute_missing``, missing-not-at-random aware).
    - ``metab``: log2 + Pareto scaling. ``mut``: binary gene level (when not binary yet).
      ``cnv``: gene-level calls in ``layers['calls']``. ``drug`` and other names: unchanged.
    - ``batch_key``: ComBat on the ``batch_mods`` layers, keeping ``covariates``.
    - ``n_top``: flags the most variable features of the continuous layers in
      ``var['selected']`` (a number for all, or ``{mod: number}``; ``None`` = no selection).

    Every step is recorded in the layer's ``uns['pp']``; the summary of what ran goes to
    ``mdata.uns['preprocess']``.

    Parameters
    ----------
    mdata
        The cohort.
    mods
        Modalities to process (default all).
    batch_key
        Cohort / layer ``obs`` column with the batch (e.g. TMT plex); ``None`` = no correction.
    batch_mods
        Modalities to batch-correct.
    covariates
        Biological covariates ComBat must keep.
    rna_method
        ``"logcpm"`` or ``"vst"``.
    max_missing
        Missingness filter of the proteomics layers.
    impute_missing
        Impute proteomics gaps (not needed for :func:`oncoresist.tl.factors`, which handles them).
    n_top
        Feature selection size(s).
    copy
        Return a changed copy.

    Returns
    -------
    MuData or None
        The copy when ``copy=True``.

    Examples
    --------
    >>> import anndata as ad, mudata as md, numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> rna = ad.AnnData(rng.poisson(20, size=(10, 30)).astype(float), var=pd.DataFrame(index=[f"g{j}" for j in range(30)]))
    >>> meth = ad.AnnData(rng.uniform(0.1, 0.9, size=(10, 5)), var=pd.DataFrame(index=[f"cg{j}" for j in range(5)]))
    >>> m = md.MuData({"rna": rna, "meth": meth})
    >>> preprocess(m, n_top=10)
    >>> sorted(m.uns["preprocess"]["steps"])
    ['meth', 'rna']
    """
    if not is_mudata(mdata):
        msg = f"preprocess: expected a MuData cohort, got {type(mdata).__name__}; for one layer call the pp functions directly."
        raise InputError(msg)
    m = copy_data(mdata) if copy else mdata
    names = list(m.mod) if mods is None else [str(x) for x in mods]
    unknown = [x for x in names if x not in m.mod]
    if unknown:
        msg = f"preprocess: modality(ies) {', '.join(unknown)} not in the cohort (modalities: {', '.join(m.mod)})."
        raise InputError(msg)
    steps: dict[str, list[str]] = {}
    for name in names:
        done = _modality_steps(m, name, rna_method=rna_method, max_missing=max_missing, impute_missing=impute_missing)
        if batch_key is not None and name in batch_mods:
            combat(m, mod=name, batch_key=batch_key, covariates=covariates)
            done.append(f"combat({batch_key})")
        done += _select_steps(m, name, n_top)
        steps[name] = done or ["unchanged"]
    m.uns["preprocess"] = {
        "steps": steps,
        "params": _params_record(batch_key=batch_key, batch_mods=batch_mods, covariates=covariates, rna_method=rna_method,
                                 max_missing=max_missing, impute_missing=impute_missing, n_top=n_top),
    }
    return m if copy else None


def _rna_steps(m: Any, name: str, X: np.ndarray, *, rna_method: str) -> list[str]:
    """Counts (``layers['counts']`` or count-like ``X``) -> normalised expression; normalised ``X`` is kept."""
    a = m.mod[name]
    u = a.uns.get("rna")
    x_kind = str(u.get("X", "")) if isinstance(u, Mapping) else ""
    v = X[np.isfinite(X)]
    looks_counts = v.size > 0 and v.min() >= 0 and np.allclose(v, np.round(v)) and v.max() > 50
    if "counts" in a.layers and (rna_method == "vst" or "cpm" not in x_kind.lower()):
        normalize_counts(m, mod=name, method=rna_method)
        return [f"normalize_counts({rna_method})"]
    if "counts" not in a.layers and looks_counts:
        normalize_counts(m, mod=name, method=rna_method, layer=None)
        return [f"normalize_counts({rna_method})"]
    return []


def _meth_steps(m: Any, name: str, X: np.ndarray) -> list[str]:
    """Beta values -> ``layers['mvalue']`` (unless present or ``X`` is not in [0, 1])."""
    if "mvalue" in m.mod[name].layers:
        return []
    v = X[np.isfinite(X)]
    if v.size and v.min() >= 0 and v.max() <= 1:
        mvalues(m, mod=name)
        return ["mvalues"]
    return []


def _proteomics_steps(m: Any, name: str, *, max_missing: float, impute_missing: bool) -> list[str]:
    """Log2 / median centring, missingness filter and optional imputation of a proteomics layer."""
    normalize_proteomics(m, mod=name)
    filter_missing(m, mod=name, max_missing=max_missing)
    done = ["normalize_proteomics", f"filter_missing({max_missing})"]
    if impute_missing:
        impute(m, mod=name)
        done.append("impute(mixed)")
    return done


def _cnv_steps(m: Any, name: str) -> list[str]:
    """Log2 ratios -> gene-level calls in ``layers['calls']``."""
    u = m.mod[name].uns.get("cnv")
    kind = str(u.get("values", "log2_ratio")) if isinstance(u, Mapping) else "log2_ratio"
    if kind in ("log2_ratio", "log2"):
        cnv_calls(m, mod=name)
        return ["cnv_calls"]
    return []


def _modality_steps(m: Any, name: str, *, rna_method: str, max_missing: float, impute_missing: bool) -> list[str]:
    """Run the default normalisation of one modality (by its name); return the step labels."""
    X = dense(m.mod[name].X)
    if name == "rna":
        return _rna_steps(m, name, X, rna_method=rna_method)
    if name == "meth":
        return _meth_steps(m, name, X)
    if name in ("prot", "phospho"):
        return _proteomics_steps(m, name, max_missing=max_missing, impute_missing=impute_missing)
    if name == "metab":
        normalize_metabolomics(m, mod=name)
        return ["normalize_metabolomics"]
    if name == "mut":
        if _is_binary(X):
            return []
        binarize_mutations(m, mod=name)
        return ["binarize_mutations"]
    if name == "cnv":
        return _cnv_steps(m, name)
    return []


def _select_steps(m: Any, name: str, n_top: int | Mapping[str, int] | None) -> list[str]:
    """Flag the most variable features of a continuous modality (``mvalue`` layer for methylation)."""
    if n_top is None or name not in _CONTINUOUS:
        return []
    k = n_top.get(name) if isinstance(n_top, Mapping) else n_top
    if k is None:
        return []
    lay = "mvalue" if name == "meth" and "mvalue" in m.mod[name].layers else None
    select_features(m, mod=name, n_top=int(k), layer=lay)
    return [f"select_features({int(k)})"]


def _params_record(*, batch_key: str | None, batch_mods: Sequence[str], covariates: Sequence[str] | None, rna_method: str,
                   max_missing: float, impute_missing: bool, n_top: int | Mapping[str, int] | None) -> dict[str, Any]:
    """The ``.h5mu``-writable parameter record of :func:`preprocess`."""
    return {
        "batch_key": "None" if batch_key is None else batch_key,
        "batch_mods": list(batch_mods),
        "covariates": list(covariates or []),
        "rna_method": rna_method,
        "max_missing": float(max_missing),
        "impute_missing": bool(impute_missing),
        "n_top": "None" if n_top is None else (dict(n_top) if isinstance(n_top, Mapping) else int(n_top)),
    }

"""Biomarker association tests in the style of the GDSC ANOVA (Iorio et al. 2016, Cell).

For every response (a drug's AUC / IC50, or any continuous or binary sample annotation) and
every feature of the chosen layers, a linear model ``response ~ covariates + feature`` is fitted
and the feature's coefficient is tested (t-test, equivalent to the ANOVA F-test of the feature).
Covariates (tissue, MSI status, batch, ...) are removed by projection (Frisch-Waugh-Lovell), so
thousands of features are tested with a few matrix products. Each binary feature also gets the
GDSC effect sizes: Cohen's d and the Glass deltas of both groups, with the sample counts per
group; continuous features get the partial correlation. P-values are corrected together, across
every response and feature tested (Benjamini-Hochberg FDR).

The kernel :func:`association_test` works on arrays; :func:`associate` is the cohort wrapper
that stores its table in ``mdata.uns[key_added]``.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..._core._errors import InputError
from ..._core._keys import claim_key
from ..._core._params import NONE, clean_params
from ...get import ORIENTATIONS
from ...get import higher_is as get_higher_is
from ...parallel import parallel_map
from ..models._models_data import (
    copy_cohort,
    feature_modalities,
    layer_values,
    obs_column,
    resolve_drugs,
    response_frame,
)

__all__ = ["association_test", "associate", "cross_layer_effects", "get_associations"]

_RESULT_COLUMNS = [
    "target",
    "layer",
    "feature",
    "n",
    "n_pos",
    "n_neg",
    "mean_pos",
    "mean_neg",
    "coef",
    "se",
    "t",
    "pvalue",
    "fdr",
    "effect_size",
    "effect_kind",
    "glass_delta_pos",
    "glass_delta_neg",
    "partial_r",
    "direction",
    "higher_is",
]


# --------------------------------------------------------------------------------------------
# kernel
# --------------------------------------------------------------------------------------------
def _basis(C: np.ndarray) -> np.ndarray:
    """Orthonormal basis of the column space of ``C`` (n x k, k small), dropping dependent columns.

    Uses the eigen-decomposition of the k x k Gram matrix (much cheaper than an SVD of the
    n x k matrix); columns are scaled first so that the rank threshold is scale-free.
    """
    if C.shape[1] == 0:
        return np.zeros((C.shape[0], 0))
    norms = np.sqrt(np.einsum("ij,ij->j", C, C))
    C = C[:, norms > 0] / norms[norms > 0]
    lam, V = np.linalg.eigh(C.T @ C)
    keep = lam > lam.max() * 1e-10
    return (C @ V[:, keep]) / np.sqrt(lam[keep])


def association_test(
    y: np.ndarray,
    X: np.ndarray,
    *,
    covariates: np.ndarray | None = None,
    min_group_size: int = 3,
    min_samples: int = 5,
) -> pd.DataFrame:
    """Test each column of ``X`` against ``y`` adjusting for ``covariates`` (linear model t-test).

    Fits ``y ~ 1 + covariates + x`` for every column ``x`` and tests its coefficient. Missing
    values in ``X`` are allowed (each feature uses the samples where it is observed); ``y`` and
    ``covariates`` must be complete.

    Parameters
    ----------
    y
        Response, shape ``(n,)``.
    X
        Features, shape ``(n, p)``; columns holding only 0/1 are treated as binary groups.
    covariates
        Design matrix of nuisance variables, shape ``(n, k)`` (dummy-encode factors first);
        an intercept is always added.
    min_group_size
        A binary feature is tested only with at least this many samples in each group.
    min_samples
        A continuous feature is tested only with at least this many observed samples.

    Returns
    -------
    pandas.DataFrame
        One row per column: ``n, n_pos, n_neg, mean_pos, mean_neg, coef, se, t, pvalue,
        effect_size`` (Cohen's d for binary, partial r for continuous), ``effect_kind``,
        ``glass_delta_pos, glass_delta_neg, partial_r``. Untestable features have NaN p-values.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> x = np.r_[np.ones(10), np.zeros(30)]
    >>> y = rng.normal(size=40) - 2 * x
    >>> res = association_test(y, x[:, None])
    >>> bool(res.loc[0, "pvalue"] < 1e-4), bool(res.loc[0, "effect_size"] < 0)
    (True, True)
    """
    y = np.asarray(y, dtype=float)
    X = np.asarray(X, dtype=float)
    if X.ndim == 1:
        X = X[:, None]
    n, p = X.shape
    if y.shape != (n,):
        msg = f"y has shape {y.shape} but X has {n} rows; pass one response value per sample."
        raise InputError(msg)
    if not np.all(np.isfinite(y)):
        msg = "y contains missing or infinite values; drop those samples before testing."
        raise InputError(msg)
    C = np.ones((n, 1)) if covariates is None else np.column_stack([np.ones(n), np.asarray(covariates, dtype=float)])
    if C.shape[0] != n or not np.all(np.isfinite(C)):
        msg = "covariates must have one complete row per sample; drop samples with missing covariates first."
        raise InputError(msg)

    out = {k: np.full(p, np.nan) for k in _KERNEL_COLUMNS}
    finite = np.isfinite(X)
    binary = np.all(np.isin(np.where(finite, X, 0.0), (0.0, 1.0)), axis=0)
    # group features by their pattern of observed samples: one projection per pattern
    patterns: dict[bytes, list[int]] = {}
    for j in range(p):
        patterns.setdefault(np.packbits(finite[:, j]).tobytes() + bytes([n % 8]), []).append(j)
    for cols in patterns.values():
        rows = finite[:, cols[0]]
        cols_a = np.asarray(cols)
        if rows.sum() < 3:
            out["n"][cols_a] = rows.sum()
            continue
        stats_ = _pattern_tests(y[rows], X[np.ix_(rows, cols_a)], C[rows], binary[cols_a], min_group_size, min_samples)
        for name, values in stats_.items():
            out[name][cols_a] = values
    res = pd.DataFrame(out)
    res.insert(res.columns.get_loc("effect_size") + 1, "effect_kind", np.where(binary, "cohens_d", "partial_r"))
    return res


_KERNEL_COLUMNS = ("n", "n_pos", "n_neg", "mean_pos", "mean_neg", "coef", "se", "t", "pvalue", "effect_size",
                   "glass_delta_pos", "glass_delta_neg", "partial_r")


def _group_effects(ys: np.ndarray, pos: np.ndarray) -> dict[str, np.ndarray]:
    """Per binary column: group sizes and means, Cohen's d (pooled SD) and both Glass deltas."""
    m = len(ys)
    n_pos = pos.sum(axis=0).astype(float)
    n_neg = m - n_pos
    with np.errstate(invalid="ignore", divide="ignore"):
        sum_pos = ys @ pos
        mean_pos = sum_pos / n_pos
        mean_neg = (ys.sum() - sum_pos) / n_neg
        ss_pos = (ys**2) @ pos - n_pos * mean_pos**2
        ss_neg = (ys**2).sum() - (ys**2) @ pos - n_neg * mean_neg**2
        diff = mean_pos - mean_neg
        return {"n_pos": n_pos, "n_neg": n_neg, "mean_pos": mean_pos, "mean_neg": mean_neg,
                "cohen": diff / np.sqrt(np.maximum(ss_pos + ss_neg, 0) / (m - 2)),
                "glass_pos": diff / np.sqrt(np.maximum(ss_pos, 0) / (n_pos - 1)),
                "glass_neg": diff / np.sqrt(np.maximum(ss_neg, 0) / (n_neg - 1))}


def _pattern_tests(ys: np.ndarray, Xs: np.ndarray, Cs: np.ndarray, bin_c: np.ndarray, min_group_size: int,
                   min_samples: int) -> dict[str, np.ndarray]:
    """The t-tests of features observed in the same samples: covariates projected out once (Frisch-Waugh-Lovell)."""
    m = len(ys)
    Q = _basis(Cs)
    ry = ys - Q @ (Q.T @ ys)
    RX = Xs - Q @ (Q.T @ Xs)
    ssy, ssx, sxy = float(ry @ ry), np.einsum("ij,ij->j", RX, RX), RX.T @ ry
    raw_ss = np.einsum("ij,ij->j", Xs - Xs.mean(axis=0), Xs - Xs.mean(axis=0))
    df = m - Q.shape[1] - 1
    g = _group_effects(ys, Xs == 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        beta = sxy / ssx
        se = np.sqrt(np.maximum(ssy - beta * sxy, 0.0) / max(df, 1) / ssx)
        t = beta / se
        partial_r = sxy / np.sqrt(ssy * ssx)
    ok = (ssx > 1e-10 * np.maximum(raw_ss, 1e-300)) & (raw_ss > 1e-12) & (df > 0)
    ok &= np.where(bin_c, (g["n_pos"] >= min_group_size) & (g["n_neg"] >= min_group_size), m >= min_samples)
    keep = lambda v, mask=ok: np.where(mask, v, np.nan)  # noqa: E731
    # a perfect fit (rss == 0) gives an infinite t: p = 0 is right, keep it
    return {"n": np.full(len(bin_c), float(m)), "pvalue": keep(2 * stats.t.sf(np.abs(t), max(df, 1))), "coef": keep(beta),
            "se": keep(se), "t": keep(t), "partial_r": keep(partial_r),
            **{c: np.where(bin_c, g[c], np.nan) for c in ("n_pos", "n_neg", "mean_pos", "mean_neg")},
            "glass_delta_pos": keep(g["glass_pos"], bin_c & ok), "glass_delta_neg": keep(g["glass_neg"], bin_c & ok),
            "effect_size": keep(np.where(bin_c, g["cohen"], partial_r))}


# --------------------------------------------------------------------------------------------
# cohort wrapper
# --------------------------------------------------------------------------------------------
def _covariate_matrix(mdata: Any, covariates: Sequence[str], index: pd.Index) -> pd.DataFrame:
    """Dummy-encoded covariates (first level dropped), NaN rows where a value is missing."""
    blocks = []
    for key in covariates:
        s = obs_column(mdata, key).reindex(index)
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s) and s.nunique(dropna=True) > 2:
            blocks.append(pd.DataFrame({key: s.astype(float)}, index=index))
        else:
            d = pd.get_dummies(s.astype("string"), prefix=key, drop_first=True, dtype=float)
            d[s.isna().to_numpy()] = np.nan
            blocks.append(d)
    if not blocks:
        return pd.DataFrame(index=index)
    return pd.concat(blocks, axis=1)


def _encode_target(s: pd.Series, name: str) -> tuple[pd.Series, dict[str, Any]]:
    """A numeric response, or a 0/1 encoding of a two-level annotation (levels recorded)."""
    if pd.api.types.is_bool_dtype(s):
        return s.astype(float), {"levels": ["False", "True"]}
    if pd.api.types.is_numeric_dtype(s):
        return s.astype(float), {}
    levels = sorted(s.dropna().astype(str).unique())
    if len(levels) != 2:
        msg = (
            f"target '{name}' is not numeric and has {len(levels)} levels ({', '.join(levels[:5])}); "
            "expected a continuous value or exactly two groups. Recode it first."
        )
        raise InputError(msg)
    return s.map(lambda v: np.nan if pd.isna(v) else float(str(v) == levels[1])), {"levels": levels}


def _associate_one(data: dict[str, Any], name: str) -> tuple[pd.DataFrame, str | None]:
    """All features of all layers against one target; returns the table and a skip reason."""
    y_all: pd.Series = data["targets"][name]
    cov: pd.DataFrame = data["covariates"]
    y = y_all[y_all.notna() & np.isfinite(y_all)]
    if len(cov.columns):
        y = y[cov.reindex(y.index).notna().all(axis=1).to_numpy()]
    if len(y) < data["min_samples"]:
        return pd.DataFrame(), f"{len(y)} measured samples < min_samples={data['min_samples']}"
    if float(np.nanstd(y.to_numpy())) <= 1e-12:
        return pd.DataFrame(), f"no variance (all {len(y)} values = {float(y.iloc[0]):.4g})"
    tables = []
    for layer, frame in data["layers"].items():
        common = y.index.intersection(frame.index)
        if len(common) < data["min_samples"]:
            continue
        C = cov.loc[common].to_numpy() if len(cov.columns) else None
        if C is not None:
            C = C[:, np.nanstd(C, axis=0) > 0] if C.shape[1] else C
        res = association_test(
            y.loc[common].to_numpy(),
            frame.loc[common].to_numpy(),
            covariates=C,
            min_group_size=data["min_group_size"],
            min_samples=data["min_samples"],
        )
        res.insert(0, "feature", frame.columns.to_numpy())
        res.insert(0, "layer", layer)
        tables.append(res[res["pvalue"].notna()])
    if not tables:
        return pd.DataFrame(), "no layer shares enough samples with it"
    out = pd.concat(tables, ignore_index=True)
    out.insert(0, "target", name)
    return out, None


def associate(
    mdata: Any,
    *,
    drugs: Sequence[str] | None = None,
    metric: str | None = None,
    target: str | pd.Series | None = None,
    layers: Sequence[str] | None = None,
    covariates: Sequence[str] = (),
    higher_is: str | None = None,
    min_group_size: int = 3,
    min_samples: int = 10,
    cross_layer: bool = True,
    n_jobs: int | None = 1,
    scheduler: Any = None,
    quiet: bool = True,
    key_added: str | None = None,
    overwrite: bool = False,
    copy: bool = False,
) -> Any:
    """Biomarker associations: every drug response (or a target) against every feature.

    For each response and each feature of ``layers`` fits ``response ~ covariates + feature``
    (GDSC ANOVA style) and reports the effect size, p-value, FDR across all tests and the
    sample counts per group. Samples missing the response, the layer or a covariate are left
    out of that test; responses with too few measured samples or no variance are skipped with
    a warning and listed in ``uns[key]['skipped']``. Labels follow the response's orientation:
    ``higher_is``, else the one declared for the drug layer (:func:`oncoresist.get.higher_is`),
    else a warning and "higher = more resistant".

    Parameters
    ----------
    mdata
        The cohort.
    drugs, metric
        Drug names (default: every drug of the ``drug`` layer; ignored with ``target``) and the
        drug-layer matrix (``None`` for ``.X`` or a ``.layers`` key such as ``"log10_ic50"``).
    target
        Instead of drugs, one sample annotation (name of an ``obs`` column, or a Series indexed
        by sample): continuous, or with two levels (coded 0/1, second level sorted = 1).
    layers, covariates
        Feature layers (default: every modality but ``drug``); ``obs`` columns to adjust for
        (factors are dummy-encoded), e.g. ``("tissue", "msi")``.
    higher_is
        What a higher response means, ``"resistant"`` (IC50, AUC) or ``"sensitive"`` (AAC, -log
        GI50, % inhibition); overrides the declared one (with a ``target`` too).
    min_group_size, min_samples
        Smallest carrier / non-carrier group of a binary feature; smallest number of samples
        for a response or a continuous feature.
    cross_layer
        Test the hits' mutated genes (FDR < 0.25) in ``cnv``, ``rna``, ``prot`` (:func:`cross_layer_effects`).
    n_jobs, scheduler, quiet
        Parallel execution over responses (:func:`oncoresist.parallel.parallel_map`); no progress bar.
    key_added, overwrite, copy
        Key in ``mdata.uns`` (default ``"associate"``); replace it when another function (or
        the user) wrote it; return a modified copy instead of changing ``mdata``.

    Returns
    -------
    MuData or None
        With ``copy=True`` the new cohort. ``mdata.uns[key]`` holds ``results`` (one row per
        test, sorted by p-value: ``target, layer, feature, n, n_pos, n_neg, mean_pos, mean_neg,
        coef, se, t, pvalue, fdr, effect_size, effect_kind, glass_delta_pos, glass_delta_neg,
        partial_r, direction, higher_is``), ``skipped``, ``cross_layer`` and ``params``.
        ``direction``: ``resistance`` / ``sensitivity`` by the orientation used (``higher_is``);
        ``higher`` / ``lower`` for other targets (``higher_is`` ``"None"``).

    Examples
    --------
    >>> import anndata as ad, mudata as md, numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> idx = pd.Index([f"s{i}" for i in range(40)])
    >>> mut = (rng.random((40, 3)) < 0.3).astype(float)
    >>> auc = 0.6 - 0.3 * mut[:, :1] + rng.normal(0, 0.05, (40, 1))
    >>> obs, var = pd.DataFrame(index=idx), pd.DataFrame(index=["EGFR", "KRAS", "TP53"])
    >>> m = md.MuData({"mut": ad.AnnData(mut, obs=obs, var=var),
    ...                "drug": ad.AnnData(auc, obs=obs, var=pd.DataFrame(index=["gefitinib"]),
    ...                                   uns={"higher_is": {"X": "resistant"}})})
    >>> associate(m)
    >>> get_associations(m).iloc[0][["feature", "direction", "higher_is"]].tolist()
    ['EGFR', 'sensitivity', 'resistant']
    """
    mdata = copy_cohort(mdata) if copy else mdata
    key = key_added or "associate"
    claim_key(mdata, "uns", key, by="tl.associate", overwrite=overwrite)
    layers, covariates = feature_modalities(mdata) if layers is None else _as_list(layers), _as_list(covariates)
    targets, target_info, is_drug = _response_targets(mdata, drugs, metric, target)
    orientation = _orientation(mdata, metric, higher_is, is_drug)
    cov = _covariate_matrix(mdata, covariates, pd.Index(mdata.obs_names.astype(str)))
    data = {"targets": targets, "layers": _feature_frames(mdata, layers), "covariates": cov,
            "min_group_size": int(min_group_size), "min_samples": int(min_samples)}
    res, skipped = _collect(targets, parallel_map(partial(_associate_one, data), list(targets), n_jobs=n_jobs,
                                                  scheduler=scheduler, description="association tests", quiet=quiet), key)
    res = _label_directions(res, orientation["higher_is"])
    params = _association_params(is_drug, targets, metric, layers, covariates, cov, len(res), orientation, target_info,
                                 min_group_size=min_group_size, min_samples=min_samples)
    uns = {"results": res, "skipped": pd.DataFrame(skipped, columns=["target", "reason"]), "params": clean_params(params)}
    xl = _cross_layer_of_hits(mdata, res, covariates) if cross_layer else None
    mdata.uns[key] = uns if xl is None else {**uns, "cross_layer": xl}
    return mdata if copy else None


def _association_params(is_drug: bool, targets: Mapping[str, pd.Series], metric: str | None, layers: Sequence[str],
                        covariates: Sequence[str], cov: pd.DataFrame, n_tests: int, orientation: Mapping[str, str],
                        target_info: Mapping[str, Any], *, min_group_size: int, min_samples: int) -> dict[str, Any]:
    """What ``uns[key]['params']`` records of an :func:`associate` run."""
    return {"targets": "drugs" if is_drug else str(next(iter(targets))), "metric": "X" if metric is None else metric,
            "layers": list(layers), "covariates": list(covariates), "min_group_size": int(min_group_size),
            "min_samples": int(min_samples), "n_tests": int(n_tests),
            "n_samples_missing_covariates": int(cov.isna().any(axis=1).sum()) if len(cov.columns) else 0,
            "test": "OLS t-test of the feature coefficient, response ~ covariates + feature; BH FDR over all tests",
            **orientation, **({"target_levels": list(target_info["levels"])} if "levels" in target_info else {})}


def _as_list(values: str | Sequence[str] | None) -> list[str]:
    """A list of names from one name or several."""
    if values is None:
        return []
    return [values] if isinstance(values, str) else list(values)


def _response_targets(mdata: Any, drugs: Sequence[str] | None, metric: str | None,
                      target: str | pd.Series | None) -> tuple[dict[str, pd.Series], dict[str, Any], bool]:
    """The responses to test (``{name: values}``), the target's encoding and whether they are drugs."""
    index = pd.Index(mdata.obs_names.astype(str))
    if target is None:
        resp = response_frame(mdata, metric=metric)
        return {d: resp[d] for d in resolve_drugs(mdata, drugs)}, {}, True
    if isinstance(target, str):
        s, tname = obs_column(mdata, target).reindex(index), target
    else:
        s = pd.Series(target).copy()
        s.index = s.index.astype(str)
        tname = str(s.name or "target")
        if len(s.index.difference(index)) == len(s):
            msg = f"none of the target's sample IDs (e.g. {', '.join(map(str, s.index[:3]))}) are in the cohort; index the Series by the cohort's sample IDs."
            raise InputError(msg)
        s = s.reindex(index)
    y, info = _encode_target(s, tname)
    return {tname: y}, info, False


def _orientation(mdata: Any, metric: str | None, higher_is: str | None, is_drug: bool) -> dict[str, str]:
    """What a higher response means and where that came from (option, declared or assumed, with a warning)."""
    if higher_is is not None:
        value = str(higher_is).strip().lower()
        if value not in ORIENTATIONS:
            msg = f"associate: higher_is must be one of {', '.join(ORIENTATIONS)} (or None to read the declared one), got {higher_is!r}."
            raise InputError(msg)
        return {"higher_is": value, "higher_is_source": "option"}
    if not is_drug:
        return {"higher_is": NONE, "higher_is_source": "not a response"}
    declared = get_higher_is(mdata, "drug", layer=metric) if "drug" in mdata.mod else None
    if declared is not None:
        return {"higher_is": declared, "higher_is_source": "declared"}
    where = f"drug/{'X' if metric is None else metric}"
    warnings.warn(f"orientation of {where} unknown; assuming higher = more resistant; declare higher_is "
                  f"(associate(higher_is=...), --higher-is, or uns['higher_is'] of the drug layer).", UserWarning, stacklevel=3)
    return {"higher_is": "resistant", "higher_is_source": "assumed"}


def _feature_frames(mdata: Any, layers: Sequence[str]) -> dict[str, pd.DataFrame]:
    """Samples x features of each feature layer (first row of a duplicated sample kept)."""
    frames = {}
    for layer in layers:
        if layer not in mdata.mod:
            msg = f"the cohort has no '{layer}' layer (found: {', '.join(mdata.mod)}); drop it from --layers."
            raise InputError(msg)
        f = layer_values(mdata, layer)
        frames[layer] = f.loc[~f.index.duplicated()]
    return frames


def _collect(targets: Mapping[str, pd.Series], results: Sequence[tuple[pd.DataFrame, str | None]],
             key: str) -> tuple[pd.DataFrame, list[dict[str, str]]]:
    """All tables in one with the FDR over every test, and the skipped responses (with a warning)."""
    tables, skipped = [], []
    for name, (tab, reason) in zip(targets, results):
        if reason is not None:
            skipped.append({"target": name, "reason": reason})
        elif len(tab):
            tables.append(tab)
    if not tables:
        why = "; ".join(f"{s['target']}: {s['reason']}" for s in skipped[:3])
        msg = f"no association could be tested ({len(targets)} response(s); {why}). Check the drug layer, layers and min_samples."
        raise InputError(msg)
    if skipped:
        shown = "; ".join(f"{s['target']} ({s['reason']})" for s in skipped[:5])
        more = f" and {len(skipped) - 5} more" if len(skipped) > 5 else ""
        warnings.warn(f"{len(skipped)} response(s) skipped: {shown}{more}; see uns['{key}']['skipped'].", UserWarning, stacklevel=3)
    res = pd.concat(tables, ignore_index=True)
    res["fdr"] = stats.false_discovery_control(res["pvalue"].to_numpy(), method="bh")
    return res, skipped


def _label_directions(res: pd.DataFrame, higher_is: str) -> pd.DataFrame:
    """``direction`` by the sign of the coefficient and the orientation; ``higher_is`` column; sorted.

    With ``higher_is="resistant"`` a positive coefficient (feature present / higher -> higher
    response) is ``resistance``; with ``"sensitive"`` it is ``sensitivity``; otherwise the
    labels are ``higher`` / ``lower``.
    """
    up, down = {"resistant": ("resistance", "sensitivity"), "sensitive": ("sensitivity", "resistance")}.get(
        higher_is, ("higher", "lower"))
    res = res.assign(direction=np.where(res["coef"] > 0, up, down), higher_is=higher_is)
    res = res.sort_values(["pvalue", "target", "layer", "feature"], kind="stable").reset_index(drop=True)
    return res[_RESULT_COLUMNS]


def _cross_layer_of_hits(mdata: Any, res: pd.DataFrame, covariates: Sequence[str]) -> pd.DataFrame | None:
    """:func:`cross_layer_effects` of the mutated genes among the hits (FDR < 0.25); None when nothing to test."""
    hits = res[(res["fdr"] < 0.25) & (res["effect_kind"] == "cohens_d") & (res["layer"] == "mut")]
    genes = list(dict.fromkeys(hits["feature"].head(200)))
    present = [t for t in ("cnv", "rna", "prot") if t in mdata.mod]
    if not (genes and present and "mut" in mdata.mod):
        return None
    return cross_layer_effects(mdata, genes=genes, targets=present, covariates=covariates)


def get_associations(mdata: Any, *, key: str = "associate", fdr: float | None = None) -> pd.DataFrame:
    """The association table stored by :func:`associate` (optionally only rows with FDR < ``fdr``).

    Examples
    --------
    >>> import mudata as md
    >>> get_associations(md.MuData({}))  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    oncoresist._errors.InputError: ...
    """
    if key not in mdata.uns or "results" not in mdata.uns[key]:
        msg = f"no association results under mdata.uns['{key}']; run oncoresist.tl.associate(mdata) first."
        raise InputError(msg)
    res = mdata.uns[key]["results"]
    return res if fdr is None else res[res["fdr"] < fdr].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# cross-layer links
# --------------------------------------------------------------------------------------------
_GENE_SUFFIX = re.compile(r"(_mut|_mutation|_cna|_amp|_del|_exp|_rna|_prot)$", re.IGNORECASE)


def _gene_map(ad: Any) -> pd.Series:
    """Gene symbol of every feature of a modality (var ``gene`` column, else the cleaned var name)."""
    names = pd.Index(ad.var_names.astype(str))
    if "gene" in ad.var.columns:
        genes = ad.var["gene"].astype(str).to_numpy()
    else:
        genes = [_GENE_SUFFIX.sub("", n) for n in names]
    return pd.Series(genes, index=names)


def cross_layer_effects(
    mdata: Any,
    *,
    genes: Sequence[str] | None = None,
    source: str = "mut",
    targets: Sequence[str] = ("cnv", "rna", "prot"),
    covariates: Sequence[str] = (),
    min_group_size: int = 3,
) -> pd.DataFrame:
    """Effect of each gene's alteration (``source`` layer) on the same gene in other layers.

    For instance, whether an EGFR-mutant tumour also over-expresses EGFR RNA and protein, or a
    truncating TP53 mutation lowers TP53 protein: for every gene in ``source`` and every feature
    of the same gene in each ``targets`` layer, tests ``value ~ covariates + altered``.

    Parameters
    ----------
    mdata
        The cohort.
    genes
        Genes to test (default: every gene of ``source`` also found in a target layer).
    source
        Binary layer holding the alterations.
    targets
        Layers in which to look for the same gene (those absent are skipped).
    covariates
        ``obs`` columns to adjust for.
    min_group_size
        Smallest number of altered and non-altered samples.

    Returns
    -------
    pandas.DataFrame
        ``gene, source_feature, layer, feature, n, n_pos, n_neg, mean_pos, mean_neg,
        effect_size`` (Cohen's d of the target value, altered vs not), ``coef, pvalue, fdr``.

    Examples
    --------
    >>> import anndata as ad, mudata as md, numpy as np, pandas as pd
    >>> idx = pd.Index([f"s{i}" for i in range(20)])
    >>> mut = np.r_[np.ones(8), np.zeros(12)][:, None]
    >>> rna = 2 * mut + np.random.default_rng(0).normal(0, 0.3, (20, 1))
    >>> m = md.MuData({"mut": ad.AnnData(mut, obs=pd.DataFrame(index=idx), var=pd.DataFrame(index=["EGFR_mut"])),
    ...                "rna": ad.AnnData(rna, obs=pd.DataFrame(index=idx), var=pd.DataFrame(index=["EGFR"]))})
    >>> float(cross_layer_effects(m)["effect_size"].iloc[0]) > 2
    True
    """
    cols = ["gene", "source_feature", "layer", "feature", "n", "n_pos", "n_neg", "mean_pos", "mean_neg",
            "effect_size", "coef", "pvalue", "fdr"]
    src = layer_values(mdata, source)
    src = src.loc[~src.index.duplicated()]
    src_genes = _gene_map(mdata.mod[source])
    wanted = None if genes is None else {str(g) for g in genes}
    index = pd.Index(mdata.obs_names.astype(str))
    cov = _covariate_matrix(mdata, list(covariates), index)
    rows = []
    for layer in targets:
        if layer not in mdata.mod or layer == source:
            continue
        tgt = layer_values(mdata, layer)
        tgt = tgt.loc[~tgt.index.duplicated()]
        tgt_genes = _gene_map(mdata.mod[layer])
        by_gene = tgt_genes.groupby(tgt_genes.to_numpy()).groups
        common = src.index.intersection(tgt.index)
        if len(cov.columns):
            common = common[cov.loc[common].notna().all(axis=1).to_numpy()]
        if len(common) < 2 * min_group_size:
            continue
        for sfeat, gene in src_genes.items():
            if (wanted is not None and gene not in wanted and sfeat not in wanted) or gene not in by_gene:
                continue
            x = src.loc[common, sfeat]
            for tfeat in by_gene[gene]:
                v = tgt.loc[common, tfeat]
                ok = x.notna() & v.notna()
                if ok.sum() < 2 * min_group_size:
                    continue
                C = cov.loc[common][ok.to_numpy()].to_numpy() if len(cov.columns) else None
                r = association_test(v[ok].to_numpy(), x[ok].to_numpy()[:, None], covariates=C,
                                     min_group_size=min_group_size).iloc[0]
                if not np.isfinite(r["pvalue"]):
                    continue
                rows.append({"gene": gene, "source_feature": sfeat, "layer": layer, "feature": tfeat,
                             **{k: r[k] for k in ("n", "n_pos", "n_neg", "mean_pos", "mean_neg", "effect_size", "coef", "pvalue")}})
    out = pd.DataFrame(rows, columns=[c for c in cols if c != "fdr"])
    out["fdr"] = stats.false_discovery_control(out["pvalue"].to_numpy(), method="bh") if len(out) else []
    return out.sort_values("pvalue", kind="stable").reset_index(drop=True)[cols]

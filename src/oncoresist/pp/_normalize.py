"""Per-layer normalisation: RNA counts, methylation, proteomics, metabolomics, mutations, CNV.

Each function works on a cohort (``mod=`` picks the modality) or one AnnData layer, writes the
normalised values to ``X`` (keeping the input where it is needed again, e.g. RNA
``layers['counts']``) and records its parameters in ``adata.uns['pp']``.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._core._docs import DOC_PP_COPY, DOC_PP_DATA, DOC_PP_LAYER, doc_params
from .._core._errors import InputError
from ._base import (
    claim,
    dense,
    finish,
    get_matrix,
    is_mudata,
    record,
    replace_modality,
    scale_of,
    set_scale,
    start,
)

__all__ = [
    "binarize_mutations",
    "cnv_calls",
    "mvalues",
    "normalize_counts",
    "normalize_metabolomics",
    "normalize_proteomics",
    "size_factors",
    "vst",
]


# --------------------------------------------------------------------------------------------
# RNA counts
# --------------------------------------------------------------------------------------------
def size_factors(counts: np.ndarray) -> np.ndarray:
    """DESeq2 median-of-ratios size factors of a samples x genes count matrix.

    Uses the genes with a positive count in every sample (NaN = missing is ignored); falls
    back to library size / its geometric mean when no such gene exists.

    Parameters
    ----------
    counts
        Non-negative counts, samples x genes.

    Returns
    -------
    numpy.ndarray
        One size factor per sample (geometric mean 1).

    Examples
    --------
    >>> import numpy as np
    >>> size_factors(np.array([[10, 20], [20, 40.0]])).round(3)
    array([0.707, 1.414])
    """
    C = np.asarray(counts, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        logc = np.log(C)
    ok = np.all(np.isfinite(logc), axis=0)
    if ok.sum() >= 1:
        lg = logc[:, ok]
        ratios = lg - lg.mean(axis=0)
        sf = np.exp(np.median(ratios, axis=1))
    else:
        lib = np.nansum(C, axis=1)
        sf = lib / np.exp(np.mean(np.log(lib)))
    return sf / np.exp(np.mean(np.log(sf)))


def _fit_dispersion_trend(norm: np.ndarray, sf: np.ndarray) -> tuple[float, float]:
    """Fit DESeq2's parametric trend ``alpha(mu) = a0 + a1 / mu`` to moment dispersions.

    Gamma-family GLM with identity link by iteratively reweighted least squares, dropping
    genes whose dispersion is far from the fit (DESeq2's ``parametricDispersionFit``).
    """
    mu = np.nanmean(norm, axis=0)
    var = np.nanvar(norm, axis=0, ddof=1)
    xim = float(np.mean(1.0 / sf))
    with np.errstate(divide="ignore", invalid="ignore"):
        disp = (var - xim * mu) / mu**2
    use = np.isfinite(disp) & (mu > 0.5) & (disp > 1e-8)
    if use.sum() < 10:
        msg = (
            f"vst: only {int(use.sum())} genes have a usable dispersion (mean normalised count > 0.5 and "
            "overdispersed): too few to fit the trend; use method='logcpm'."
        )
        raise InputError(msg)
    a0, a1 = 0.1, 1.0
    keep = use.copy()
    for _ in range(20):
        x = np.column_stack([np.ones(keep.sum()), 1.0 / mu[keep]])
        y = disp[keep]
        fit = np.maximum(x @ np.array([a0, a1]), 1e-8)
        w = 1.0 / fit**2
        coef = np.linalg.lstsq(x * np.sqrt(w)[:, None], y * np.sqrt(w), rcond=None)[0]
        new0, new1 = float(max(coef[0], 1e-6)), float(max(coef[1], 0.0))
        pred = new0 + new1 / mu
        keep = use & (disp / pred > 1e-4) & (disp / pred < 15)
        done = abs(np.log(new0 / a0)) < 1e-6 and abs(new1 - a1) < 1e-6 * max(1.0, a1)
        a0, a1 = new0, new1
        if done:
            break
    return a0, a1


def vst(counts: np.ndarray, *, size_factors_: np.ndarray | None = None) -> tuple[np.ndarray, dict[str, float]]:
    """Variance-stabilising transformation of counts (DESeq2's closed form for its parametric trend).

    With dispersion trend ``alpha(mu) = a0 + a1 / mu`` fitted on the normalised counts ``q``,
    ``vst(q) = log2((1 + a1 + 2 a0 q + 2 sqrt(a0 q (1 + a1 + a0 q))) / (4 a0))``: approximately
    ``log2(q)`` for large counts and variance roughly independent of the mean.

    Parameters
    ----------
    counts
        Samples x genes non-negative counts.
    size_factors_
        Size factors (default: :func:`size_factors`).

    Returns
    -------
    tuple
        The transformed matrix and ``{"a0": ..., "a1": ...}``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> mu = rng.uniform(5, 500, size=200)
    >>> C = rng.negative_binomial(5, 5 / (5 + mu), size=(20, 200))
    >>> V, fit = vst(C)
    >>> V.shape, round(fit["a0"], 1)
    ((20, 200), 0.2)
    """
    C = np.asarray(counts, dtype=float)
    sf = size_factors(C) if size_factors_ is None else np.asarray(size_factors_, dtype=float)
    q = C / sf[:, None]
    a0, a1 = _fit_dispersion_trend(q, sf)
    out = np.log2((1 + a1 + 2 * a0 * q + 2 * np.sqrt(a0 * q * (1 + a1 + a0 * q))) / (4 * a0))
    return out, {"a0": a0, "a1": a1}


@doc_params(doc_copy=DOC_PP_COPY)
def normalize_counts(
    data: Any,
    *,
    mod: str = "rna",
    method: str = "logcpm",
    layer: str | None = "counts",
    target_sum: float = 1e6,
    pseudocount: float = 1.0,
    copy: bool = False,
    overwrite: bool = False,
) -> Any:
    """Normalise RNA counts: library-size log values (``logcpm``) or a variance-stabilised ``vst``.

    Counts are read from ``layers[layer]`` (default ``'counts'``; when absent, from ``X``, which
    is then copied to ``layers['counts']``). ``X`` receives ``log2(count / library size *
    target_sum + pseudocount)`` or, with ``method="vst"``, DESeq2's variance-stabilising
    transform (median-of-ratios size factors, parametric dispersion trend). Size factors go
    to ``obs['size_factor']``.

    Parameters
    ----------
    data
        Cohort (MuData) or AnnData.
    mod
        Modality of a cohort.
    method
        ``"logcpm"`` or ``"vst"``.
    layer
        Layer holding the raw counts.
    target_sum
        Counts per sample after scaling (``logcpm``; 1e6 = counts per million).
    pseudocount
        Added before the logarithm (``logcpm``).
    {doc_copy}

    Examples
    --------
    >>> import anndata as ad, numpy as np
    >>> a = ad.AnnData(np.array([[10, 90], [5, 5]], dtype=float))
    >>> normalize_counts(a)
    >>> a.X.round(2)
    array([[16.61, 19.78],
           [18.93, 18.93]])
    """
    func = "normalize_counts"
    if method not in ("logcpm", "vst"):
        msg = f"{func}: method must be 'logcpm' or 'vst', got {method!r}."
        raise InputError(msg)
    container, a = start(data, mod, copy=copy, func=func)
    from_x = layer is None or layer not in a.layers
    C = dense(a.X) if from_x else dense(a.layers[layer])
    claim(a, func, [("obs", "size_factor")] + ([("layers", "counts")] if from_x else []), overwrite=overwrite)
    obs = np.isfinite(C)
    if (C[obs] < 0).any():
        i, j = np.argwhere(obs & (C < 0))[0]
        msg = (
            f"{func}: negative count {C[i, j]:g} in modality '{mod}', sample {a.obs_names[i]!r}, feature "
            f"{a.var_names[j]!r}: expected raw counts (>= 0); normalised data should not be normalised again."
        )
        raise InputError(msg)
    frac = np.abs(C[obs] - np.round(C[obs]))
    if frac.size and float(frac.max()) > 1e-6:
        warnings.warn(
            f"{func}: modality '{mod}' has non-integer values (e.g. {C[obs][np.argmax(frac)]:g}); treating them as "
            "(estimated) counts.",
            UserWarning,
            stacklevel=2,
        )
    lib = np.nansum(C, axis=1)
    if (lib <= 0).any():
        bad = a.obs_names[np.flatnonzero(lib <= 0)[:3]].tolist()
        msg = f"{func}: sample(s) {', '.join(map(str, bad))} of modality '{mod}' have no counts (library size 0): remove them first."
        raise InputError(msg)
    if from_x:
        a.layers["counts"] = C.copy()
    info: dict[str, Any] = {"method": method, "counts_layer": "counts" if from_x else layer}
    if method == "logcpm":
        X = np.log2(C / lib[:, None] * target_sum + pseudocount)
        sf = lib / np.exp(np.mean(np.log(lib)))
        info.update(target_sum=float(target_sum), pseudocount=float(pseudocount), log_base=2)
    else:
        sf = size_factors(np.where(obs, C, np.nan))
        X, fit = vst(np.where(obs, C, np.nan), size_factors_=sf)
        info.update(fit)
    X[~obs] = np.nan
    a.X = X
    a.obs["size_factor"] = sf
    u = dict(a.uns.get(mod, {})) if isinstance(a.uns.get(mod), dict) else {}
    u["X"] = "log2_cpm" if method == "logcpm" else "vst"
    a.uns[mod] = u
    record(a, "normalize_counts", info)
    return finish(container, copy)


# --------------------------------------------------------------------------------------------
# methylation
# --------------------------------------------------------------------------------------------
@doc_params(doc_data=DOC_PP_DATA, doc_copy=DOC_PP_COPY)
def mvalues(
    data: Any,
    *,
    mod: str = "meth",
    layer: str | None = None,
    epsilon: float = 1e-3,
    key_added: str = "mvalue",
    copy: bool = False,
    overwrite: bool = False,
) -> Any:
    """Convert methylation beta values to M-values, ``log2(beta / (1 - beta))``, in ``layers['mvalue']``.

    Betas are clipped to ``[epsilon, 1 - epsilon]`` so that fully (un)methylated sites give
    finite values; ``X`` keeps the betas.

    Parameters
    ----------
    {doc_data}
    layer
        Layer holding the betas (default ``X``).
    epsilon
        Clipping bound.
    key_added
        Layer receiving the M-values.
    {doc_copy}

    Examples
    --------
    >>> import anndata as ad, numpy as np
    >>> a = ad.AnnData(np.array([[0.5, 0.8]]))
    >>> mvalues(a)
    >>> a.layers["mvalue"].round(2)
    array([[0., 2.]])
    """
    func = "mvalues"
    if not 0 < epsilon < 0.5:
        msg = f"{func}: epsilon must be in (0, 0.5), got {epsilon!r}."
        raise InputError(msg)
    container, a = start(data, mod, copy=copy, func=func)
    claim(a, func, [("layers", key_added, "key_added")], overwrite=overwrite)
    B = get_matrix(a, layer, func=func, mod=mod)
    obs = np.isfinite(B)
    lo, hi = (float(B[obs].min()), float(B[obs].max())) if obs.any() else (0.0, 1.0)
    if lo < 0 or hi > 1:
        hint = "values look like percentages: divide by 100" if lo >= 0 and hi <= 100 else "values look like M-values already"
        i, j = np.argwhere(obs & ((B < 0) | (B > 1)))[0]
        msg = (
            f"{func}: modality '{mod}' value {B[i, j]:g} (sample {a.obs_names[i]!r}, feature {a.var_names[j]!r}) is "
            f"outside [0, 1]; expected beta values ({hint})."
        )
        raise InputError(msg)
    Bc = np.clip(B, epsilon, 1 - epsilon)
    a.layers[key_added] = np.log2(Bc / (1 - Bc))
    record(a, "mvalues", {"layer": layer, "epsilon": float(epsilon), "key_added": key_added,
                          "n_clipped": int(((B < epsilon) | (B > 1 - epsilon))[obs].sum())})
    return finish(container, copy)


# --------------------------------------------------------------------------------------------
# proteomics / phosphoproteomics
# --------------------------------------------------------------------------------------------
def _looks_linear(X: np.ndarray) -> bool:
    v = X[np.isfinite(X)]
    return v.size > 0 and float(v.min()) >= 0 and float(np.nanpercentile(v, 99)) > 100


@doc_params(doc_layer=DOC_PP_LAYER, doc_copy=DOC_PP_COPY)
def normalize_proteomics(
    data: Any,
    *,
    mod: str = "prot",
    log: str | bool = "auto",
    center: str = "median",
    layer: str | None = None,
    copy: bool = False,
    overwrite: bool = False,
) -> Any:
    """Log2-transform (when linear) and median-centre each sample of a (phospho)proteomics layer.

    Zero intensities are missing values (not detected) and become NaN. ``log="auto"`` uses
    ``uns[mod]['scale']`` when it says ``linear`` / ``log2``, else detects linear intensities
    (non-negative with a 99th percentile above 100). Median centring subtracts each sample's
    median over its observed values (equalising loading); the input is kept in
    ``layers['raw']``.

    Parameters
    ----------
    data
        Cohort or AnnData.
    mod
        Modality (``prot``, ``phospho``, ...).
    log
        ``"auto"``, ``True`` (always log2) or ``False`` (already log scale).
    center
        ``"median"``, ``"mean"`` or ``"none"``.
    {doc_layer}
    {doc_copy}

    Examples
    --------
    >>> import anndata as ad, numpy as np
    >>> a = ad.AnnData(np.array([[1000.0, 4000, 0], [2000, 8000, 500]]))
    >>> normalize_proteomics(a)
    >>> a.X
    array([[-1.,  1., nan],
           [ 0.,  2., -2.]])
    """
    func = "normalize_proteomics"
    if center not in ("median", "mean", "none"):
        msg = f"{func}: center must be 'median', 'mean' or 'none', got {center!r}."
        raise InputError(msg)
    container, a = start(data, mod, copy=copy, func=func)
    claim(a, func, [("layers", "raw"), ("obs", f"{center}_shift" if center != "none" else "shift")], overwrite=overwrite)
    X = get_matrix(a, layer, func=func, mod=mod)
    a.layers["raw"] = X.copy()
    declared = scale_of(a, mod)
    if log == "auto":
        do_log = declared == "linear" if declared in ("linear", "log2") else _looks_linear(X)
    else:
        do_log = bool(log)
    n_zero = 0
    if do_log:
        if (X[np.isfinite(X)] < 0).any():
            msg = f"{func}: modality '{mod}' has negative values, so it cannot be linear intensities; pass log=False."
            raise InputError(msg)
        n_zero = int((X == 0).sum())
        with np.errstate(divide="ignore"):
            X = np.where(X > 0, np.log2(np.where(X > 0, X, 1.0)), np.nan)
        set_scale(a, mod, "log2")
    shifts = np.zeros(a.n_obs)
    if center != "none":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            shifts = np.nanmedian(X, axis=1) if center == "median" else np.nanmean(X, axis=1)
        empty = ~np.isfinite(shifts)
        if empty.any():
            warnings.warn(
                f"{func}: {int(empty.sum())} sample(s) of modality '{mod}' have no observed value "
                f"(e.g. {a.obs_names[np.flatnonzero(empty)[0]]!r}); left as missing.",
                UserWarning,
                stacklevel=2,
            )
            shifts = np.where(empty, 0.0, shifts)
        X = X - shifts[:, None]
    a.X = X
    a.obs[f"{center}_shift" if center != "none" else "shift"] = shifts
    record(a, "normalize_proteomics", {"log2_applied": bool(do_log), "declared_scale": declared, "center": center,
                                       "zeros_to_missing": n_zero, "layer": layer})
    return finish(container, copy)


# --------------------------------------------------------------------------------------------
# metabolomics
# --------------------------------------------------------------------------------------------
@doc_params(doc_data=DOC_PP_DATA, doc_layer=DOC_PP_LAYER, doc_copy=DOC_PP_COPY)
def normalize_metabolomics(
    data: Any,
    *,
    mod: str = "metab",
    log: str | bool = "auto",
    scaling: str = "pareto",
    layer: str | None = None,
    copy: bool = False,
    overwrite: bool = False,
) -> Any:
    """Log-transform and scale a metabolomics layer (Pareto scaling by default).

    Zeros are replaced by half the feature's smallest positive value before ``log2`` (a
    common detection-limit convention; the number replaced is recorded). Scaling centres each
    feature and divides by ``sqrt(sd)`` (``"pareto"``, van den Berg et al. 2006, BMC Genomics
    7:142), by ``sd`` (``"auto"``) or only centres (``"center"``); ``"none"`` leaves values.

    Parameters
    ----------
    {doc_data}
    log
        ``"auto"`` (log when ``uns[mod]['scale']`` is linear or values look linear), True, False.
    scaling
        ``"pareto"``, ``"auto"``, ``"center"`` or ``"none"``.
    {doc_layer}
    {doc_copy}

    Examples
    --------
    >>> import anndata as ad, numpy as np
    >>> a = ad.AnnData(np.array([[100.0, 10], [400, 0], [1600, 40]]))
    >>> normalize_metabolomics(a, log=True)
    >>> np.round(a.X[:, 0], 2)
    array([-1.41,  0.  ,  1.41])
    """
    func = "normalize_metabolomics"
    if scaling not in ("pareto", "auto", "center", "none"):
        msg = f"{func}: scaling must be 'pareto', 'auto', 'center' or 'none', got {scaling!r}."
        raise InputError(msg)
    container, a = start(data, mod, copy=copy, func=func)
    claim(a, func, [("layers", "raw")], overwrite=overwrite)
    X = get_matrix(a, layer, func=func, mod=mod)
    a.layers["raw"] = X.copy()
    declared = scale_of(a, mod)
    do_log = (declared == "linear" if declared in ("linear", "log2", "log") else _looks_linear(X)) if log == "auto" else bool(log)
    n_zero = 0
    if do_log:
        if (X[np.isfinite(X)] < 0).any():
            msg = f"{func}: modality '{mod}' has negative values, so it cannot be on a linear scale; pass log=False."
            raise InputError(msg)
        pos = np.where(X > 0, X, np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            half_min = np.nanmin(pos, axis=0) / 2.0
        zero = X == 0
        n_zero = int(zero.sum())
        X = np.where(zero, half_min[None, :], X)
        X = np.log2(X)
        set_scale(a, mod, "log2")
    if scaling != "none":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(X, axis=0)
            sd = np.nanstd(X, axis=0, ddof=1)
        X = X - mean
        if scaling in ("pareto", "auto"):
            div = np.sqrt(sd) if scaling == "pareto" else sd
            div = np.where(np.isfinite(div) & (div > 0), div, 1.0)
            X = X / div
    a.X = X
    record(a, "normalize_metabolomics", {"log2_applied": bool(do_log), "scaling": scaling, "zeros_replaced": n_zero,
                                         "layer": layer})
    return finish(container, copy)


# --------------------------------------------------------------------------------------------
# mutations
# --------------------------------------------------------------------------------------------
_NON_CODING = {"Silent", "Intron", "3'UTR", "5'UTR", "3'Flank", "5'Flank", "IGR", "RNA", "lincRNA", "Splice_Region"}


@doc_params(doc_data=DOC_PP_DATA)
def binarize_mutations(
    data: Any,
    *,
    mod: str = "mut",
    gene_key: str | None = None,
    sep: str = "_",
    from_variants: bool = False,
    exclude_classes: Sequence[str] | None = None,
    min_samples: int = 1,
    copy: bool = False,
) -> Any:
    """Binary gene-level mutation matrix (1 = the gene carries a non-synonymous variant).

    Features are collapsed to genes (``var[gene_key]``, or the part of the feature name
    before ``sep``, e.g. ``TP53_p.R273H`` -> ``TP53``) with "any value > 0"; with
    ``from_variants=True`` the matrix is rebuilt from the tidy variant table in
    ``uns['variants']`` excluding non-coding / silent classes. Genes mutated in fewer than
    ``min_samples`` samples are removed (their names are recorded). NaN (not sequenced)
    stays NaN unless another feature of the gene is observed.

    Parameters
    ----------
    {doc_data}
    gene_key
        ``var`` column with the gene of each feature.
    sep
        Separator between gene and variant in feature names.
    from_variants
        Rebuild from ``uns['variants']``.
    exclude_classes
        Variant classes to ignore with ``from_variants`` (default: silent / non-coding).
    min_samples
        Minimum number of mutated samples to keep a gene.
    copy
        Return a changed copy.

    Returns
    -------
    MuData, AnnData or None
        The copy when ``copy=True``; for an AnnData input modified in place, the new AnnData
        (the gene-level matrix has different features, so it is a new object).

    Examples
    --------
    >>> import anndata as ad, numpy as np, pandas as pd
    >>> a = ad.AnnData(np.array([[1.0, 0, 0], [0, 0, 1]]), var=pd.DataFrame(index=["TP53_p.R273H", "TP53_p.R175H", "KRAS_p.G12D"]))
    >>> binarize_mutations(a, copy=True).X
    array([[1., 0.],
           [0., 1.]])
    """
    import anndata as ad

    func = "binarize_mutations"
    container, a = start(data, mod, copy=copy, func=func)
    if from_variants:
        var_tab = a.uns.get("variants")
        if not isinstance(var_tab, pd.DataFrame) or not {"sample", "gene"} <= set(var_tab.columns):
            msg = f"{func}: from_variants=True needs uns['variants'] with columns sample, gene (the tidy variant table)."
            raise InputError(msg)
        excl = set(_NON_CODING if exclude_classes is None else exclude_classes)
        vt = var_tab
        if "variant_class" in vt.columns:
            vt = vt[~vt["variant_class"].astype(str).isin(excl)]
        vt = vt[vt["sample"].astype(str).isin(set(a.obs_names))]
        genes = pd.Index(sorted(vt["gene"].astype(str).unique()))
        M = pd.DataFrame(0.0, index=a.obs_names, columns=genes)
        if len(vt):
            M.values[a.obs_names.get_indexer(vt["sample"].astype(str)), genes.get_indexer(vt["gene"].astype(str))] = 1.0
    else:
        X = dense(a.X)
        if gene_key is not None:
            if gene_key not in a.var.columns:
                msg = f"{func}: var has no column '{gene_key}' (columns: {', '.join(map(str, a.var.columns)) or 'none'})."
                raise InputError(msg)
            gene = a.var[gene_key].astype(str).to_numpy()
        else:
            gene = np.asarray([re.split(re.escape(sep), str(f), maxsplit=1)[0] if sep else str(f) for f in a.var_names])
        obs = np.isfinite(X)
        hit = (np.where(obs, X, 0.0) > 0).astype(float)
        df_hit = pd.DataFrame(hit, index=a.obs_names, columns=gene).T.groupby(level=0, sort=False).max().T
        df_obs = pd.DataFrame(obs.astype(float), index=a.obs_names, columns=gene).T.groupby(level=0, sort=False).max().T
        M = df_hit.where(df_obs > 0)
    counts = (M.fillna(0) > 0).sum(axis=0)
    low = counts < min_samples
    dropped = M.columns[low].tolist()
    M = M.loc[:, ~low]
    new = ad.AnnData(M.to_numpy(dtype=float), obs=a.obs.copy(), var=pd.DataFrame(index=M.columns.astype(str)))
    new.var["n_mutated"] = counts[~low].to_numpy()
    new.uns.update({k: v for k, v in a.uns.items()})
    record(new, "binarize_mutations", {"source": "variants" if from_variants else "matrix", "gene_key": gene_key, "sep": sep,
                                       "min_samples": int(min_samples), "n_features_in": int(a.n_vars),
                                       "n_genes": int(new.n_vars), "n_dropped_rare": len(dropped), "dropped_rare": dropped[:1000]})
    out = replace_modality(container, mod, new)
    if is_mudata(container):
        return finish(container, copy)
    return out


# --------------------------------------------------------------------------------------------
# copy number
# --------------------------------------------------------------------------------------------
@doc_params(doc_data=DOC_PP_DATA)
def cnv_calls(
    data: Any,
    *,
    mod: str = "cnv",
    gene_key: str | None = None,
    loss: float = -0.3,
    gain: float = 0.3,
    deep_loss: float = -1.0,
    amplification: float = 1.0,
    key_added: str = "calls",
    copy: bool = False,
) -> Any:
    """Gene-level copy number: average probes / segments per gene and call -2..2 from log2 ratios.

    With ``gene_key`` the features are averaged per gene first (``X`` becomes gene-level log2
    ratios). Calls go to ``layers[key_added]``: -2 deep loss (<= ``deep_loss``), -1 loss
    (<= ``loss``), 0 neutral, 1 gain (>= ``gain``), 2 amplification (>= ``amplification``).

    Parameters
    ----------
    {doc_data}
    gene_key
        ``var`` column naming the gene of each feature (average per gene).
    loss, gain, deep_loss, amplification
        Thresholds on the log2 ratio.
    key_added
        Layer receiving the calls.
    copy
        Return a changed copy.

    Returns
    -------
    MuData, AnnData or None
        The copy when ``copy=True`` (with ``gene_key`` on an AnnData modified in place: the new
        gene-level AnnData).

    Examples
    --------
    >>> import anndata as ad, numpy as np
    >>> a = ad.AnnData(np.array([[-1.5, -0.4, 0.1, 0.5, 1.2]]))
    >>> cnv_calls(a)
    >>> a.layers["calls"]
    array([[-2., -1.,  0.,  1.,  2.]])
    """
    import anndata as ad

    func = "cnv_calls"
    if not deep_loss <= loss < 0 < gain <= amplification:
        msg = f"{func}: thresholds must satisfy deep_loss <= loss < 0 < gain <= amplification; got {deep_loss}, {loss}, {gain}, {amplification}."
        raise InputError(msg)
    container, a = start(data, mod, copy=copy, func=func)
    u = a.uns.get(mod)
    if isinstance(u, dict) and str(u.get("values", "log2_ratio")) not in ("log2_ratio", "log2", "None"):
        msg = f"{func}: modality '{mod}' holds {u.get('values')!r} values (uns['{mod}']['values']); calls need log2 ratios."
        raise InputError(msg)
    new = a
    if gene_key is not None:
        if gene_key not in a.var.columns:
            msg = f"{func}: var has no column '{gene_key}' (columns: {', '.join(map(str, a.var.columns)) or 'none'})."
            raise InputError(msg)
        df = pd.DataFrame(dense(a.X), index=a.obs_names, columns=a.var[gene_key].astype(str).to_numpy())
        G = df.T.groupby(level=0, sort=False).mean().T
        new = ad.AnnData(G.to_numpy(dtype=float), obs=a.obs.copy(), var=pd.DataFrame(index=G.columns.astype(str)))
        new.uns.update(dict(a.uns))
    X = dense(new.X)
    calls = np.select([X <= deep_loss, X <= loss, X >= amplification, X >= gain], [-2.0, -1.0, 2.0, 1.0], default=0.0)
    calls[~np.isfinite(X)] = np.nan
    new.layers[key_added] = calls
    record(new, "cnv_calls", {"gene_key": gene_key, "loss": loss, "gain": gain, "deep_loss": deep_loss,
                              "amplification": amplification, "key_added": key_added})
    if new is a:
        return finish(container, copy)
    out = replace_modality(container, mod, new)
    if is_mudata(container):
        return finish(container, copy)
    return out

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
        done: list[str] = []
        a = m.mod[name]
        X = dense(a.X)
        if name == "rna":
            u = a.uns.get("rna")
            x_kind = str(u.get("X", "")) if isinstance(u, Mapping) else ""
            v = X[np.isfinite(X)]
            looks_counts = v.size > 0 and v.min() >= 0 and np.allclose(v, np.round(v)) and v.max() > 50
            if "counts" in a.layers and (rna_method == "vst" or "cpm" not in x_kind.lower()):
                normalize_counts(m, mod=name, method=rna_method)
                done.append(f"normalize_counts({rna_method})")
            elif "counts" not in a.layers and looks_counts:
                normalize_counts(m, mod=name, method=rna_method, layer=None)
                done.append(f"normalize_counts({rna_method})")
        elif name == "meth":
            if "mvalue" not in a.layers:
                v = X[np.isfinite(X)]
                if v.size and v.min() >= 0 and v.max() <= 1:
                    mvalues(m, mod=name)
                    done.append("mvalues")
        elif name in ("prot", "phospho"):
            normalize_proteomics(m, mod=name)
            done.append("normalize_proteomics")
            filter_missing(m, mod=name, max_missing=max_missing)
            done.append(f"filter_missing({max_missing})")
            if impute_missing:
                impute(m, mod=name)
                done.append("impute(mixed)")
        elif name == "metab":
            normalize_metabolomics(m, mod=name)
            done.append("normalize_metabolomics")
        elif name == "mut":
            if not _is_binary(X):
                binarize_mutations(m, mod=name)
                done.append("binarize_mutations")
        elif name == "cnv":
            u = a.uns.get("cnv")
            kind = str(u.get("values", "log2_ratio")) if isinstance(u, Mapping) else "log2_ratio"
            if kind in ("log2_ratio", "log2"):
                cnv_calls(m, mod=name)
                done.append("cnv_calls")
        if batch_key is not None and name in batch_mods:
            combat(m, mod=name, batch_key=batch_key, covariates=covariates)
            done.append(f"combat({batch_key})")
        if n_top is not None and name in _CONTINUOUS:
            k = n_top.get(name) if isinstance(n_top, Mapping) else n_top
            if k is not None:
                lay = "mvalue" if name == "meth" and "mvalue" in m.mod[name].layers else None
                select_features(m, mod=name, n_top=int(k), layer=lay)
                done.append(f"select_features({int(k)})")
        steps[name] = done or ["unchanged"]
    m.uns["preprocess"] = {
        "steps": steps,
        "params": {
            "batch_key": "None" if batch_key is None else batch_key,
            "batch_mods": list(batch_mods),
            "covariates": list(covariates or []),
            "rna_method": rna_method,
            "max_missing": float(max_missing),
            "impute_missing": bool(impute_missing),
            "n_top": "None" if n_top is None else (dict(n_top) if isinstance(n_top, Mapping) else int(n_top)),
        },
    }
    return m if copy else None

"""One call that applies the default preprocessing of every known layer of a cohort."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .._core._docs import DOC_MU_COPY, doc_params
from .._core._errors import InputError
from ._base import copy_data, dense, is_mudata
from ._batch import combat
from ._detect import log_transform
from ._dtype import layer_assay, layer_data_type
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

@doc_params(doc_copy=DOC_MU_COPY)
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
    data_types: Mapping[str, str] | None = None,
    copy: bool = False,
) -> Any:
    """Default preprocessing of each layer, chosen by its data type (see README "Data types").

    Each layer's **data type** is, in this order: ``data_types[mod]``; the study file's
    ``scale = ...``; what its reader recorded; else detected from the values
    (:func:`~oncoresist.pp.detect_data_type`, with a :class:`~oncoresist.pp.DataTypeWarning`
    when the guess is not clear-cut). Its **assay family** comes from the reader kind, else
    the modality name (``rna``, ``mirna``, ``prot``, ``meth``, ... see
    :data:`~oncoresist.pp.ASSAYS`), else ``other``. Then:

    - counts (``layers['counts']``, or ``X`` of integer counts, any expression or unknown
      layer) -> log2 CPM (``rna_method="vst"``: variance-stabilised); linear values (TPM, FPKM,
      RSEM) -> ``log2(x + 1)`` (linear kept in ``layers['linear']``); log / z-scores: kept.
    - beta values (methylation or unknown layers) -> ``layers['mvalue']``; M-values: kept.
    - proteomics: log2 when linear, per-sample median centring, removal of features missing
      in more than ``max_missing`` of samples; optional imputation (``impute_missing``).
    - metabolomics: log2 when linear, Pareto scaling. mutations: binary gene level (when not
      0/1 yet). CNV log2 ratios: gene-level calls in ``layers['calls']``. Drug responses: unchanged.
    - ``batch_key``: ComBat on the ``batch_mods`` layers, keeping ``covariates``.
    - ``n_top``: flags the most variable features of the continuous layers in
      ``var['selected']`` (a number for all, or ``{mod: number}``; ``None`` = no selection).

    Every step is recorded in the layer's ``uns['pp']`` (the data type and how it was known in
    ``uns['pp']['data_type']``); the summary of what ran goes to ``mdata.uns['preprocess']``
    (``steps``, ``data_types``, ``assays``, ``params``).

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
    data_types
        Declared data types by modality (``"counts"``, ``"tpm"``, ``"fpkm"``, ``"rsem"``,
        ``"log"``, ``"beta"``, ``"mvalue"``, ``"binary"``, ``"zscore"``); they win over the study
        file and detection. A declaration the values contradict (beta outside [0, 1], negative
        counts) is an error.
    {doc_copy}

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
    if unknown := [x for x in names if x not in m.mod]:
        raise InputError(f"preprocess: modality(ies) {', '.join(unknown)} not in the cohort (modalities: {', '.join(m.mod)}).")
    steps, types = _run_modalities(m, names, data_types or {}, batch_key=batch_key, batch_mods=batch_mods,
                                   covariates=covariates, rna_method=rna_method, max_missing=max_missing,
                                   impute_missing=impute_missing, n_top=n_top)
    m.uns["preprocess"] = {"steps": steps, "data_types": {k: v["data_type"] for k, v in types.items()},
                           "assays": {k: v["assay"] for k, v in types.items()},
                           "params": _params_record(batch_key=batch_key, batch_mods=batch_mods, covariates=covariates,
                                                    rna_method=rna_method, max_missing=max_missing,
                                                    impute_missing=impute_missing, n_top=n_top)}
    return m if copy else None


def _run_modalities(m: Any, names: list[str], data_types: Mapping[str, str], *, batch_key: str | None,
                    batch_mods: Sequence[str], covariates: Sequence[str] | None, rna_method: str, max_missing: float,
                    impute_missing: bool, n_top: int | Mapping[str, int] | None) -> tuple[dict[str, list[str]], dict[str, dict[str, Any]]]:
    """Type, normalise, batch-correct and select features of each modality; the steps and types per modality."""
    unknown_decl = sorted(set(data_types) - set(names))
    if unknown_decl:
        msg = f"preprocess: data_types names modality(ies) {', '.join(unknown_decl)} not processed (modalities: {', '.join(names)})."
        raise InputError(msg)
    steps: dict[str, list[str]] = {}
    types: dict[str, dict[str, Any]] = {}
    for name in names:
        assay, info = _layer_type(m, name, data_types.get(name))
        types[name] = {**info, "assay": assay}
        done = _modality_steps(m, name, assay, info["data_type"], rna_method=rna_method, max_missing=max_missing,
                               impute_missing=impute_missing)
        if batch_key is not None and name in batch_mods:
            combat(m, mod=name, batch_key=batch_key, covariates=covariates)
            done.append(f"combat({batch_key})")
        done += _select_steps(m, name, assay, info["data_type"], n_top)
        steps[name] = done or ["unchanged"]
    return steps, types


def _layer_type(m: Any, name: str, declared: str | None) -> tuple[str, dict[str, Any]]:
    """Assay family and data type of one layer, recorded in its ``uns['pp']['data_type']``."""
    a = m.mod[name]
    assay = layer_assay(a, name)
    info = layer_data_type(a, name, dense(a.X), declared=declared)
    pp = dict(a.uns["pp"]) if isinstance(a.uns.get("pp"), Mapping) else {}
    pp["data_type"] = {**info, "assay": assay}
    a.uns["pp"] = pp
    return assay, info


def _expression_steps(m: Any, name: str, kind: str, *, rna_method: str) -> list[str]:
    """Counts (``layers['counts']`` or count ``X``) -> normalised expression; linear -> log2(x + 1); log kept."""
    a = m.mod[name]
    u = a.uns.get(name)
    x_kind = str(u.get("X", "")) if isinstance(u, Mapping) else ""
    if "counts" in a.layers and (rna_method == "vst" or "cpm" not in x_kind.lower()):
        normalize_counts(m, mod=name, method=rna_method)
        return [f"normalize_counts({rna_method})"]
    return _scale_steps(m, name, kind, rna_method=rna_method)


def _scale_steps(m: Any, name: str, kind: str, *, rna_method: str) -> list[str]:
    """Counts in ``X`` -> log CPM (or VST), linear values -> log2(x + 1); other types are kept."""
    if kind == "counts":
        normalize_counts(m, mod=name, method=rna_method, layer=None)
        return [f"normalize_counts({rna_method})"]
    if kind == "linear":
        log_transform(m, mod=name)
        return ["log_transform"]
    return []


def _meth_steps(m: Any, name: str, kind: str) -> list[str]:
    """Beta values -> ``layers['mvalue']`` (unless present); M-values and other scales are kept."""
    if "mvalue" in m.mod[name].layers or kind != "beta":
        return []
    mvalues(m, mod=name)
    return ["mvalues"]


def _proteomics_steps(m: Any, name: str, kind: str, *, max_missing: float, impute_missing: bool) -> list[str]:
    """Log2 (linear / count intensities) and median centring, missingness filter, optional imputation."""
    normalize_proteomics(m, mod=name, log=kind in ("linear", "counts"))
    filter_missing(m, mod=name, max_missing=max_missing)
    done = ["normalize_proteomics", f"filter_missing({max_missing})"]
    if impute_missing:
        impute(m, mod=name)
        done.append("impute(mixed)")
    return done


def _cnv_steps(m: Any, name: str, kind: str) -> list[str]:
    """Log2 ratios -> gene-level calls in ``layers['calls']``; calls / copy numbers are kept."""
    u = m.mod[name].uns.get("cnv")
    values = str(u.get("values", "log2_ratio")) if isinstance(u, Mapping) else "log2_ratio"
    if values in ("log2_ratio", "log2") and kind in ("log", "zscore"):
        cnv_calls(m, mod=name)
        return ["cnv_calls"]
    return []


def _generic_steps(m: Any, name: str, kind: str, *, rna_method: str) -> list[str]:
    """A layer of an unknown assay, by data type alone: counts -> log CPM, linear -> log2, beta -> M-values."""
    if kind == "beta":
        return _meth_steps(m, name, kind)
    return _scale_steps(m, name, kind, rna_method=rna_method)


def _modality_steps(m: Any, name: str, assay: str, kind: str, *, rna_method: str, max_missing: float,
                    impute_missing: bool) -> list[str]:
    """Run the normalisation that fits one layer's data type (and assay family); return the step labels."""
    if assay == "response":
        return []
    if assay == "mutation":
        if kind == "binary":
            return []
        binarize_mutations(m, mod=name)
        return ["binarize_mutations"]
    if assay == "cnv":
        return _cnv_steps(m, name, kind)
    if assay == "methylation":
        return _meth_steps(m, name, kind)
    if assay == "proteomics":
        return _proteomics_steps(m, name, kind, max_missing=max_missing, impute_missing=impute_missing)
    if assay == "metabolomics":
        normalize_metabolomics(m, mod=name, log=kind in ("linear", "counts"))
        return ["normalize_metabolomics"]
    if assay == "expression":
        return _expression_steps(m, name, kind, rna_method=rna_method)
    return _generic_steps(m, name, kind, rna_method=rna_method)


def _select_steps(m: Any, name: str, assay: str, kind: str, n_top: int | Mapping[str, int] | None) -> list[str]:
    """Flag the most variable features of a continuous layer (``mvalue`` layer for methylation)."""
    if n_top is None or assay in ("response", "mutation") or kind == "binary":
        return []
    k = n_top.get(name) if isinstance(n_top, Mapping) else n_top
    if k is None:
        return []
    lay = "mvalue" if "mvalue" in m.mod[name].layers else None
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

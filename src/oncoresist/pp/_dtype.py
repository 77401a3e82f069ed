"""A layer's data type and assay, declared or read from its content, as preprocessing needs them.

:func:`layer_data_type` answers "what kind of values does this layer hold" in this order:

1. the caller's declaration (``preprocess(data_types={"mirna": "counts"})``);
2. the study file's ``scale = ...`` (``uns['source']['data_type']``, see :func:`oncoresist.io.read_study`);
3. what a reader or an earlier step recorded (``uns[mod]['scale']``, ``uns['rna']['X']``);
4. the content (:func:`~oncoresist.pp.detect_data_type`), with a :class:`DataTypeWarning` when the
   call is not clear-cut.

:func:`layer_assay` names the assay family (expression, proteomics, methylation, ...) from the
reader that made the layer, else from the modality name; it only decides the family-specific steps
(median centring of proteomics, Pareto scaling of metabolomics, CNV calls), never the transform of a
data type.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np

from .._core._errors import InputError
from ._detect import detect_with_confidence

__all__ = ["ASSAYS", "DataTypeWarning", "declared_type", "layer_assay", "layer_data_type", "normalise_type"]


class DataTypeWarning(UserWarning):
    """The data type of a layer was guessed from its content and the guess is not clear-cut."""


#: Declared names -> the data types preprocessing acts on.
_TYPE_ALIASES = {
    "counts": "counts", "count": "counts", "raw_counts": "counts",
    "tpm": "linear", "fpkm": "linear", "rpkm": "linear", "rsem": "linear", "linear": "linear", "intensity": "linear",
    "log": "log", "log2": "log", "log1p_cpm": "log", "log2_cpm": "log", "logcpm": "log", "log2_ratio": "log", "vst": "log",
    "beta": "beta", "mvalue": "mvalue", "m": "mvalue", "binary": "binary", "zscore": "zscore",
}

#: Assay families and the modality names / reader kinds that imply them.
ASSAYS: dict[str, tuple[str, ...]] = {
    "expression": ("rna", "mrna", "mirna", "lncrna", "expression", "gex", "transcriptomics", "rnaseq"),
    "proteomics": ("prot", "protein", "proteome", "proteomics", "phospho", "phosphoproteomics", "rppa",
                   "maxquant", "phosphosites", "phospho_matrix"),
    "methylation": ("meth", "methylation", "dnam", "methyl"),
    "metabolomics": ("metab", "metabolomics", "metabolites"),
    "mutation": ("mut", "mutation", "mutations", "maf", "vcf", "mutation_matrix", "snv"),
    "cnv": ("cnv", "cna", "cn", "copy_number", "cnv_matrix", "cnv_segments", "gistic"),
    "response": ("drug", "response", "drug_matrix", "screen", "drug_response"),
}
_ASSAY_OF = {alias: fam for fam, names in ASSAYS.items() for alias in names}


def normalise_type(value: Any, *, where: str) -> str:
    """A declared data type spelled as preprocessing knows it (``"tpm"`` -> ``"linear"``)."""
    key = str(value).strip().lower()
    if key not in _TYPE_ALIASES:
        msg = (f"{where}: data type {value!r} is not known; expected one of "
               f"{', '.join(sorted(_TYPE_ALIASES))}.")
        raise InputError(msg)
    return _TYPE_ALIASES[key]


def declared_type(adata: Any, mod: str) -> str | None:
    """The data type declared for a layer by the study file, a reader or an earlier step (``None``: none)."""
    src = adata.uns.get("source")
    if isinstance(src, Mapping) and src.get("data_type"):
        return normalise_type(src["data_type"], where=f"modality '{mod}' uns['source']['data_type']")
    u = adata.uns.get(mod)
    if isinstance(u, Mapping):
        for key in ("scale", "X", "values"):
            value = u.get(key)
            if value is not None and str(value).strip().lower() in _TYPE_ALIASES:
                return _TYPE_ALIASES[str(value).strip().lower()]
    return None


def layer_assay(adata: Any, mod: str) -> str:
    """Assay family of a layer: from the reader kind in ``uns['source']``, else the modality name, else ``"other"``."""
    src = adata.uns.get("source")
    kind = str(src.get("kind", "")).lower() if isinstance(src, Mapping) else ""
    if kind in _ASSAY_OF and kind != "matrix":
        return _ASSAY_OF[kind]
    if "higher_is" in adata.uns:
        return "response"
    name = mod.strip().lower()
    if name in _ASSAY_OF:
        return _ASSAY_OF[name]
    for alias, fam in _ASSAY_OF.items():  # "rna_tumour", "meth450k", "prot_tmt" (not "mutsig", "rnai")
        if len(alias) >= 3 and name.startswith(alias) and not name[len(alias)].isalpha():
            return fam
    return "other"


def _check_declared(kind: str, X: np.ndarray, mod: str) -> None:
    """Refuse a declaration the values contradict (beta outside [0, 1], negative counts / linear values)."""
    v = X[np.isfinite(X)]
    if v.size == 0:
        return
    lo, hi = float(v.min()), float(v.max())
    bad = ""
    if kind == "beta" and (lo < 0 or hi > 1):
        bad = f"beta values must lie in [0, 1] but range {lo:.3g}..{hi:.3g}"
    elif kind in ("counts", "linear") and lo < 0:
        bad = f"{kind} values cannot be negative (minimum {lo:.3g})"
    elif kind == "binary" and not np.isin(v, (0.0, 1.0)).all():
        bad = "binary calls must be 0 or 1"
    if bad:
        msg = (f"modality '{mod}' is declared {kind!r} but {bad}; fix the declaration "
               "(study file scale = ..., or preprocess(data_types=...)).")
        raise InputError(msg)


def layer_data_type(adata: Any, mod: str, X: np.ndarray, *, declared: str | None = None) -> dict[str, Any]:
    """The data type of one layer and how it was known.

    Parameters
    ----------
    adata
        The layer.
    mod
        Its modality name (for messages).
    X
        Its dense matrix.
    declared
        The caller's declaration (wins over everything else).

    Returns
    -------
    dict
        ``data_type``, ``how`` (``"argument"``, ``"declared"`` or ``"detected"``), ``sure`` and
        ``detected`` (the content's own answer, for comparison).

    Examples
    --------
    >>> import anndata as ad, numpy as np
    >>> a = ad.AnnData(np.random.default_rng(0).poisson(200, size=(4, 30)).astype(float))
    >>> layer_data_type(a, "mirna", a.X)["data_type"]
    'counts'
    """
    detected, sure = detect_with_confidence(X)
    if declared is not None:
        kind, how = normalise_type(declared, where=f"data_types['{mod}']"), "argument"
    else:
        found = declared_type(adata, mod)
        kind, how = (found, "declared") if found is not None else (detected, "detected")
    if how != "detected":
        _check_declared(kind, X, mod)
        sure = True
    elif not sure:
        warnings.warn(
            f"modality '{mod}': the data type was guessed as {kind!r} from its values and the guess is not "
            f"clear-cut; declare it (study file: scale = \"counts\" | \"tpm\" | \"log\" | \"beta\" | ...; "
            f"or preprocess(data_types={{'{mod}': ...}})).",
            DataTypeWarning,
            stacklevel=3,
        )
    return {"data_type": kind, "how": how, "sure": bool(sure), "detected": detected}

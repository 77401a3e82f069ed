"""Mutation matrices: genes x samples (or samples x genes) of protein changes.

PharmacoGx, CCLE and cBioPortal's extended mutation tables ship them this way (``wt`` / empty =
not mutated, ``p.V600E`` or ``V600E;G469A`` = mutated).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .._core._errors import InputError
from .._core._utils import PathLike, clean_ids, read_table
from ._variants import CALL_CLASS, VARIANT_COLUMNS, warn_if_no_variants

__all__ = ["read_mutation_matrix", "classify_protein_change"]

_WT = {"", "wt", "wildtype", "wild-type", "wild_type", "nan", "na", "none", "0", "0.0", "-", "no", "false"}
#: Cells that say "mutated" without naming the change.
_STATUS = {"1", "1.0", "true", "yes", "mut", "mutated", "mutation"}
#: Empty / missing cells (ignored when telling a 0/1 call matrix from a protein-change matrix).
_MISSING = {"", "nan", "na", "none", "-"}
#: Every value a cell of a 0/1 call matrix may hold (case-insensitive).
_BINARY_CALLS = {"0", "1", "0.0", "1.0", "true", "false", "yes", "no"}
_SPLIT = re.compile(r"\s*(?:;|///|,|\|)\s*")


def classify_protein_change(change: str) -> str:
    """MAF-style ``Variant_Classification`` from a protein change such as ``p.V600E``.

    Examples
    --------
    >>> [classify_protein_change(c) for c in ["p.V600E", "p.R213*", "p.Q1756fs", "p.E746_A750del", "p.T790="]]
    ['Missense_Mutation', 'Nonsense_Mutation', 'Frame_Shift_Del', 'In_Frame_Del', 'Silent']
    """
    c = change.strip()
    low = c.lower()
    if low in {"1", "true", "yes", "mut", "mutated", "mutation"}:
        return "Unknown"
    if "fs" in low:
        return "Frame_Shift_Ins" if "ins" in low or "dup" in low else "Frame_Shift_Del"
    if "splice" in low or re.search(r"[+-]\d", low.removeprefix("c.")) and low.startswith("c."):
        return "Splice_Site"
    if c.endswith("=") or re.fullmatch(r"p\.\(?([A-Z])(\d+)\1\)?", c):
        return "Silent"
    if c.endswith("*") or "ter" in low.split("fs")[0][-3:] or low.endswith("x") and re.fullmatch(r"p\.[a-z]\d+x", low):
        return "Nonsense_Mutation"
    m = re.search(r"([A-Za-z*]+)>([A-Za-z*]+)$", c)
    if m:
        left, right = m.groups()
        if len(right) == len(left):
            return "Missense_Mutation"
        return "In_Frame_Del" if len(right) < len(left) else "In_Frame_Ins"
    if "delins" in low:
        return "In_Frame_Del"
    if "del" in low:
        return "In_Frame_Del"
    if "ins" in low or "dup" in low:
        return "In_Frame_Ins"
    if low.startswith("p.m1") and not re.fullmatch(r"p\.m1m", low):
        return "Translation_Start_Site"
    if re.fullmatch(r"p\.\(?[a-z](?:[a-z]{2})?\d+[a-z](?:[a-z]{2})?\)?", low):
        return "Missense_Mutation"
    return "Unknown"


def read_mutation_matrix(
    path: PathLike,
    *,
    orientation: str = "features_x_samples",
    feature_column: str | None = None,
) -> pd.DataFrame:
    """Read a matrix of protein changes into the tidy variant table.

    Parameters
    ----------
    path
        CSV/TSV (gz) with genes as rows and samples as columns (``orientation=
        "features_x_samples"``, the default) or the transpose (``"samples_x_features"``). A cell
        is ``wt``/empty/NA when the gene is not mutated, else one or more protein changes
        separated by ``;``, ``,``, ``|`` or ``///`` (``p.`` prefix optional), or ``1``/``mut``
        when only the status is known. A matrix whose every non-empty cell is a 0/1 call
        (``0``/``1``, ``0.0``/``1.0``, ``TRUE``/``FALSE``, ``yes``/``no``) is read as 0/1
        mutation calls (1 = mutated).
    orientation
        Which axis holds the genes.
    feature_column
        Column holding gene symbols (default: the first column).

    Returns
    -------
    pandas.DataFrame
        Tidy variants (``sample, gene, protein_change, variant_class`` and the other canonical
        columns, NaN where unknown); feed it to :func:`oncoresist.io.variants_to_anndata`. The
        sequenced samples (every column, mutated or not) are in ``.attrs['samples']``, the
        detected content (``'binary'`` or ``'protein_change'``) in ``.attrs['matrix_kind']``.
        A call known only by its status (a 0/1 matrix, ``mut``) has no protein change and
        ``variant_class`` ``'Mutation_Call'``, which :func:`oncoresist.io.variants_to_anndata`
        counts as mutated.

    Examples
    --------
    >>> import pandas as pd, tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "m.csv")
    >>> pd.DataFrame({"gene": ["BRAF", "KRAS"], "A375": ["p.V600E", "wt"], "HCT116": ["wt", "G13D"]}).to_csv(p, index=False)
    >>> read_mutation_matrix(p)[["sample", "gene", "protein_change"]].values.tolist()
    [['A375', 'BRAF', 'p.V600E'], ['HCT116', 'KRAS', 'p.G13D']]
    """
    if orientation not in ("features_x_samples", "samples_x_features"):
        msg = f"orientation must be 'features_x_samples' or 'samples_x_features', got {orientation!r}."
        raise InputError(msg)
    df = read_table(path, what="mutation matrix", dtype=str, keep_default_na=False)
    col = feature_column or df.columns[0]
    if col not in df.columns:
        msg = f"mutation matrix '{path}' has no column {col!r} (feature_column); columns start with {', '.join(map(str, df.columns[:5]))}."
        raise InputError(msg)
    df = df.set_index(col)
    if orientation == "samples_x_features":
        df = df.T
    df.index = clean_ids(df.index)
    df.columns = clean_ids(df.columns)
    if df.columns.duplicated().any():
        dup = ", ".join(map(str, df.columns[df.columns.duplicated()].unique()[:5]))
        msg = f"duplicated sample ID(s) in mutation matrix '{path}': {dup}. Each sample must appear once."
        raise InputError(msg)
    warn_if_no_variants(df.size, path, what="mutation matrix", rows="gene")
    kind = _matrix_kind(df)
    rows = _binary_rows(df) if kind == "binary" else _protein_change_rows(df)
    out = _variant_table(rows)
    out.attrs["samples"] = [str(s) for s in df.columns]
    out.attrs["matrix_kind"] = kind
    return out


def _matrix_kind(df: pd.DataFrame) -> str:
    """``'binary'`` when every non-empty cell is a 0/1 call (``0``, ``1.0``, ``TRUE``, ``no``, ...), else ``'protein_change'``."""
    cells = pd.unique(df.to_numpy(dtype=str).ravel())
    filled = {str(c).strip().lower() for c in cells} - _MISSING
    return "binary" if filled and filled <= _BINARY_CALLS else "protein_change"


def _binary_rows(df: pd.DataFrame) -> list[dict[str, object]]:
    """Variant rows of a 0/1 call matrix: one status-only call per cell that is 1 / TRUE / yes."""
    long = df.stack()
    hit = long.astype(str).str.strip().str.lower().isin(_BINARY_CALLS - _WT)
    return [{"sample": sample, "gene": gene, "protein_change": np.nan, "variant_class": CALL_CLASS} for gene, sample in long.index[hit.to_numpy()]]


def _protein_change_rows(df: pd.DataFrame) -> list[dict[str, object]]:
    """Variant rows of a protein-change matrix: one row per change in a cell (``1`` / ``mut`` give status-only calls)."""
    long = df.stack()
    long = long[~long.astype(str).str.strip().str.lower().isin(_WT)]
    rows: list[dict[str, object]] = []
    for (gene, sample), cell in long.items():
        for change in _SPLIT.split(str(cell).strip()):
            if not change or change.lower() in _WT:
                continue
            if change.lower() in _STATUS:
                rows.append({"sample": sample, "gene": gene, "protein_change": np.nan, "variant_class": CALL_CLASS})
                continue
            pc = change if change.startswith(("p.", "c.")) else f"p.{change}"
            rows.append({"sample": sample, "gene": gene, "protein_change": pc, "variant_class": classify_protein_change(pc)})
    return rows


def _variant_table(rows: list[dict[str, object]]) -> pd.DataFrame:
    """The canonical variant table (:data:`VARIANT_COLUMNS`, NaN where unknown) from reader rows."""
    out = pd.DataFrame(rows, columns=["sample", "gene", "protein_change", "variant_class"])
    out = out.reindex(columns=list(VARIANT_COLUMNS))
    for col in ("t_depth", "t_alt_count", "vaf"):
        out[col] = out[col].astype(float)
    return out

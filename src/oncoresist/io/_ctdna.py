"""Serial plasma (ctDNA) panel results: one row per patient, collection time and alteration."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from .._core._errors import InputError
from .._core._utils import PathLike, check_file, find_column, read_table, to_numeric_safe

__all__ = ["CTDNA_COLUMNS", "read_ctdna"]

#: Columns of the table :func:`read_ctdna` returns.
CTDNA_COLUMNS = ["patient", "day", "gene", "alteration", "kind", "vaf", "copy_number"]

_ALIASES = {
    "patient": ("patient", "patient_id", "patient.id", "subject", "subject_id", "case", "case_id", "individual"),
    "day": ("day", "days", "collection_day", "blood.collection.date", "blood_collection_date", "time", "time_days",
            "days_from_baseline", "timepoint_day", "study_day"),
    "gene": ("gene", "hugo_symbol", "symbol", "gene_symbol"),
    "vaf": ("vaf", "af", "ctdna", "ctdna_percent", "ctdna_%", "percent_cfdna", "mutant_allele_fraction", "maf",
            "allele_frequency", "variant_allele_frequency", "vaf_percent"),
    "copy_number": ("copy_number", "copy.number", "cn", "plasma_copy_number"),
    "alteration": ("alteration", "mutation", "mutations", "variant", "protein_change", "hgvsp_short", "amino_acid_change"),
}


def _columns(df: pd.DataFrame, path: Any) -> dict[str, str | None]:
    """The file's column for each field; patient, day, gene and a VAF or copy number are required."""
    cols = {k: find_column(df, v) for k, v in _ALIASES.items()}
    missing = [k for k in ("patient", "day", "gene") if cols[k] is None]
    if cols["vaf"] is None and cols["copy_number"] is None:
        missing.append("vaf (or copy_number)")
    if missing:
        msg = (f"{path}: ctDNA table needs column(s) {', '.join(missing)} (found: {', '.join(map(str, df.columns))}); "
               f"accepted names e.g. patient / Patient.ID, day / Blood.Collection.Date, gene, ctDNA / vaf, "
               "Copy.Number, Mutations.")
        raise InputError(msg)
    return cols


def _numeric(df: pd.DataFrame, col: str | None, field: str, path: Any, *, required: bool) -> pd.Series:
    """A numeric column; a non-numeric cell (not blank) is an error naming the row."""
    if col is None:
        return pd.Series(np.nan, index=df.index)
    raw = df[col]
    vals = to_numeric_safe(raw)
    vals.index = df.index
    blank = raw.isna() | raw.astype(str).str.strip().isin(("", "NA", "nan", "."))
    bad = vals.isna() & ~blank
    if bad.any() or (required and blank.any()):
        i = int(np.flatnonzero((bad | (blank & required)).to_numpy())[0])
        msg = (f"{path}: column {col!r} ({field}) row {i + 2} holds {raw.iloc[i]!r}; expected a number. "
               "Fix or remove the row.")
        raise InputError(msg)
    return vals


def _vaf_scale(vaf: pd.Series, unit: str, path: Any) -> tuple[pd.Series, str]:
    """VAFs as fractions in [0, 1] from percent or fraction input (``unit="auto"`` decides by content)."""
    v = vaf.dropna()
    if unit not in ("auto", "percent", "fraction"):
        msg = f"read_ctdna: unit must be 'auto', 'percent' or 'fraction', got {unit!r}."
        raise InputError(msg)
    if (v < 0).any():
        msg = f"{path}: negative allele fraction {float(v.min()):g}; expected a percent or a fraction >= 0."
        raise InputError(msg)
    if unit == "auto":
        if v.empty or float(v.max()) > 1:
            unit = "percent"
        else:
            unit = "fraction"
            warnings.warn(f"{path}: every allele fraction is <= 1, read as fractions; if they are percentages "
                          "(as Guardant360 reports), pass unit='percent'.", UserWarning, stacklevel=3)
    if unit == "percent":
        if (v > 100).any():
            msg = f"{path}: allele fraction {float(v.max()):g} above 100%."
            raise InputError(msg)
        return vaf / 100.0, unit
    if (v > 1).any():
        msg = f"{path}: allele fraction {float(v.max()):g} above 1 with unit='fraction'; pass unit='percent'."
        raise InputError(msg)
    return vaf, unit


def _alteration(df: pd.DataFrame, col: str | None, gene: pd.Series, cn: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Alteration label (``"EGFR T790M"``, ``"MET amplification"``) and kind (mutation / amplification)."""
    text = df[col].fillna("").astype(str).str.strip() if col is not None else pd.Series("", index=df.index)
    is_amp = text.str.lower().str.contains("amplification|amp$", regex=True) | (text.eq("") & cn.notna())
    label = text.where(text.ne(""), gene + np.where(cn.notna(), " amplification", ""))
    starts = [lab.upper().startswith(g.upper() + " ") or lab.upper() == g.upper() for lab, g in zip(label, gene, strict=True)]
    label = label.where(starts, gene + " " + label)
    return label, pd.Series(np.where(is_amp, "amplification", "mutation"), index=df.index)


def read_ctdna(path: PathLike, *, unit: str = "auto", sep: str | None = None) -> pd.DataFrame:
    r"""Read a serial plasma ctDNA panel table (Guardant360-, FoundationOne Liquid-style exports).

    One row per (patient, collection time, alteration). Column names are matched case-insensitively
    with common aliases: patient (``Patient.ID``, ``subject``), day (``Blood.Collection.Date``,
    ``collection_day``, ``time``: days from the start of follow-up or therapy), gene,
    allele fraction (``ctDNA``, ``vaf``, ``af``), copy number (``Copy.Number``) and the alteration
    (``Mutations``, ``variant``, ``protein_change``). Rows with a copy number and no mutation are
    amplifications.

    Parameters
    ----------
    path
        CSV / TSV file (optionally gzipped).
    unit
        Allele fractions as ``"percent"`` (0-100), ``"fraction"`` (0-1) or ``"auto"`` (percent when
        any value is above 1; all values <= 1 are read as fractions with a warning).
    sep
        Column separator (default: detected).

    Returns
    -------
    pandas.DataFrame
        :data:`CTDNA_COLUMNS`: ``vaf`` as a fraction (NaN for copy-number rows), sorted by
        patient and day; ``attrs`` hold ``source`` and ``unit``.

    Examples
    --------
    >>> from oncoresist import ds
    >>> p = ds.example_file("ctdna")  # patient G1 on days 0 and 90, VAF in percent, a MET copy number
    >>> read_ctdna(p)[["day", "alteration", "kind", "vaf"]].to_dict("list")
    {'day': [0.0, 90.0, 90.0], 'alteration': ['EGFR L858R', 'EGFR L858R', 'MET amplification'], 'kind': ['mutation', 'mutation', 'amplification'], 'vaf': [0.02, 0.004, nan]}
    """
    p = check_file(path, what="ctDNA table")
    df = read_table(p, sep=sep, what="ctDNA table", dtype=str, keep_default_na=False)
    if df.empty:
        msg = f"{p}: the ctDNA table has no rows."
        raise InputError(msg)
    cols = _columns(df, p)
    patient = df[cols["patient"]].astype(str).str.strip()  # type: ignore[index]
    gene = df[cols["gene"]].astype(str).str.strip()  # type: ignore[index]
    for what, s in (("patient", patient), ("gene", gene)):
        empty = s.eq("") | s.str.lower().isin(("nan", "na"))
        if empty.any():
            msg = f"{p}: row {int(np.flatnonzero(empty.to_numpy())[0]) + 2} has no {what}; every row needs one."
            raise InputError(msg)
    day = _numeric(df, cols["day"], "collection day", p, required=True)
    vaf, unit_used = _vaf_scale(_numeric(df, cols["vaf"], "allele fraction", p, required=False), unit, p)
    cn = _numeric(df, cols["copy_number"], "copy number", p, required=False)
    label, kind = _alteration(df, cols["alteration"], gene, cn)
    out = pd.DataFrame({"patient": patient, "day": day.astype(float), "gene": gene, "alteration": label, "kind": kind,
                        "vaf": vaf.astype(float), "copy_number": cn.astype(float)})
    out = out.sort_values(["patient", "day", "alteration"], kind="stable").reset_index(drop=True)
    out.attrs.update(source=str(p), unit=unit_used)
    return out

"""Allele-specific copy-number segments (ASCAT, FACETS, Sequenza, PURPLE, scarHRD input).

:func:`read_allelic_segments` reads one table of segments with a total and a minor (or both
allele-specific) copy number per segment into a tidy frame: ``sample, chrom, start, end,
total_cn, major_cn, minor_cn`` (+ ``ploidy`` when the file has it). Columns are found by their
usual names in each tool's export; which of two allele columns is the minor one is decided by
content (the smaller value of each row), since tools disagree on the order (scarHRD's ``A_cn``
is the smaller, ASCAT's ``nA`` the larger).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import cast

import numpy as np
import pandas as pd

from .._core._errors import InputError
from .._core._utils import PathLike, check_file, clean_ids, find_column, read_table, to_numeric_safe
from ._variants import normalize_chrom

__all__ = ["ALLELIC_COLUMNS", "read_allelic_segments"]

#: Columns of :func:`read_allelic_segments` (``ploidy`` follows when the table has one).
ALLELIC_COLUMNS = ("sample", "chrom", "start", "end", "total_cn", "major_cn", "minor_cn")

_SAMPLE = ("sample", "SampleID", "sample_id", "ID", "Sample", "Tumor_Sample_Barcode", "sample_name", "barcode")
_CHROM = ("chrom", "chromosome", "chr", "Chromosome", "seqnames", "seqname")
_START = ("start", "startpos", "start.pos", "Start_position", "loc.start", "start_position", "Start", "chromStart")
_END = ("end", "endpos", "end.pos", "End_position", "loc.end", "end_position", "End", "chromEnd", "stop")
_TOTAL = ("total_cn", "tcn.em", "tcn", "CNt", "copyNumber", "copy_number", "nTotal", "cn", "total_copy_number")
_MINOR = ("minor_cn", "nMinor", "lcn.em", "lcn", "minorAlleleCopyNumber", "minor", "minor_copy_number", "nB", "B")
_MAJOR = ("major_cn", "nMajor", "majorAlleleCopyNumber", "major", "major_copy_number", "nA", "A")
_PAIR = (("A_cn", "B_cn"), ("nAraw", "nBraw"), ("cn_a", "cn_b"), ("allele_a", "allele_b"))
_PLOIDY = ("ploidy", "Ploidy", "tumour_ploidy", "tumor_ploidy")


def _numbers(df: pd.DataFrame, col: str, *, where: str, labels: pd.Series) -> np.ndarray:
    """Column ``col`` as floats; a non-numeric entry is an :class:`InputError` naming row and sample."""
    raw = df[col]
    vals = to_numeric_safe(raw).to_numpy(dtype=float)
    text = raw.astype(str).str.strip().str.lower()
    bad = np.isnan(vals) & raw.notna().to_numpy() & ~text.isin(["", "na", "nan", "."]).to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        msg = (f"{where}: column {col!r} has a non-numeric value {raw.iloc[i]!r} at data row {i + 1} "
               f"(sample {labels.iloc[i]}): expected numbers (copy numbers / coordinates).")
        raise InputError(msg)
    return vals


def _pick(df: pd.DataFrame, names: Sequence[str], *, what: str, where: str, required: bool = True) -> str | None:
    """The first column of ``df`` among ``names``; missing and ``required`` is an :class:`InputError`."""
    col = find_column(df, names)
    if col is None and required:
        msg = (f"{where} lacks a {what} column (tried {', '.join(names[:7])}, ...; found: "
               f"{', '.join(map(str, list(df.columns)[:12]))}); rename it (ASCAT / FACETS / Sequenza exports are recognised).")
        raise InputError(msg)
    return col


def _allele_columns(df: pd.DataFrame, where: str) -> tuple[str | None, str | None, str | None]:
    """Total, first-allele and second-allele columns (at least one allele column is required)."""
    total = _pick(df, _TOTAL, what="total copy number", where=where, required=False)
    minor = _pick(df, _MINOR, what="minor copy number", where=where, required=False)
    major = _pick(df, _MAJOR, what="major copy number", where=where, required=False)
    if minor is None:
        for a, b in _PAIR:
            ca, cb = find_column(df, [a]), find_column(df, [b])
            if ca is not None and cb is not None:
                major, minor = ca, cb
                break
    if minor is None or (total is None and major is None):
        msg = (f"{where} needs allele-specific copy numbers: a minor-allele column (minor_cn, nMinor, lcn.em, B, ...) "
               "and a total (total_cn, tcn.em, CNt, ...) or major-allele column (major_cn, nMajor, A, ...); found: "
               f"{', '.join(map(str, list(df.columns)[:12]))}. Total copy number alone cannot show LOH.")
        raise InputError(msg)
    return total, major, minor


def _frame(seg: pd.DataFrame, where: str, sample: str | None) -> pd.DataFrame:
    """The tidy segment frame from a raw table (columns found, numbers checked)."""
    s_col = _pick(seg, _SAMPLE, what="sample", where=where, required=False)
    c_col = cast(str, _pick(seg, _CHROM, what="chromosome", where=where))
    b_col = cast(str, _pick(seg, _START, what="start", where=where))
    e_col = cast(str, _pick(seg, _END, what="end", where=where))
    t_col, a_col, m_col = _allele_columns(seg, where)
    if s_col is None:
        if sample is None:
            msg = f"{where} has no sample column (sample, SampleID, ID, ...): pass sample= to name the one sample."
            raise InputError(msg)
        samples = pd.Index([str(sample)] * len(seg), dtype=object)
    else:
        samples = clean_ids(seg[s_col])
    labels = pd.Series(samples, dtype=object)
    out = pd.DataFrame({"sample": np.asarray(samples, dtype=object), "chrom": normalize_chrom(seg[c_col])})
    out["start"] = _numbers(seg, b_col, where=where, labels=labels)
    out["end"] = _numbers(seg, e_col, where=where, labels=labels)
    m = _numbers(seg, m_col, where=where, labels=labels)
    a = _numbers(seg, a_col, where=where, labels=labels) if a_col is not None else None
    t = _numbers(seg, t_col, where=where, labels=labels) if t_col is not None else None
    if a is None:
        a = t - m
    out["total_cn"] = t if t is not None else a + m
    out["major_cn"], out["minor_cn"] = np.maximum(a, m), np.minimum(a, m)  # NaN stays NaN
    p_col = find_column(seg, _PLOIDY)
    if p_col is not None:
        out["ploidy"] = _numbers(seg, p_col, where=where, labels=labels)
    out.attrs["columns"] = {"sample": s_col or "", "chrom": c_col, "start": b_col, "end": e_col, "total_cn": t_col or "",
                            "major_cn": a_col or "", "minor_cn": m_col, "ploidy": p_col or ""}
    return out


def _check_rows(out: pd.DataFrame, where: str) -> pd.DataFrame:
    """Coordinates complete and ordered, copy numbers non-negative; rows without copy numbers dropped (warned)."""
    for i, (s, e) in enumerate(zip(out["start"], out["end"], strict=True)):
        if not (np.isfinite(s) and np.isfinite(e)) or e < s:
            msg = (f"{where}: segment at data row {i + 1} (sample {out['sample'].iat[i]}, chrom {out['chrom'].iat[i]}) "
                   f"has start {s} and end {e}: expected whole numbers with end >= start.")
            raise InputError(msg)
    cn = out[["major_cn", "minor_cn"]].to_numpy(dtype=float)
    neg = (cn < 0).any(axis=1)
    if neg.any():
        i = int(np.flatnonzero(neg)[0])
        msg = f"{where}: negative copy number at data row {i + 1} (sample {out['sample'].iat[i]}); expected counts >= 0."
        raise InputError(msg)
    missing = np.isnan(cn).any(axis=1) | pd.isna(out["chrom"]).to_numpy()
    if missing.any():
        warnings.warn(f"{where}: {int(missing.sum())} segment(s) without a chromosome or allele copy number are left out.",
                      UserWarning, stacklevel=3)
        out = out.loc[~missing]
    out = out.astype({"start": np.int64, "end": np.int64})
    return out.sort_values(["sample", "chrom", "start"], kind="stable").reset_index(drop=True)


def read_allelic_segments(source: PathLike | pd.DataFrame, *, sample: str | None = None) -> pd.DataFrame:
    r"""Read allele-specific copy-number segments (ASCAT, FACETS, Sequenza, PURPLE, scarHRD style).

    Parameters
    ----------
    source
        A segment file (tab- or comma-separated, optionally gzipped) or a DataFrame with columns for
        the sample (``sample``, ``SampleID``, ``ID``), chromosome, start / end (``startpos``,
        ``Start_position``, ``loc.start``; 1-based as the tools write them), the total copy number
        (``total_cn``, ``tcn.em``, ``CNt``, ``nTotal``) and the minor allele (``minor_cn``,
        ``nMinor``, ``lcn.em``, ``B``) or both alleles (``nMajor`` / ``nMinor``, ``A_cn`` / ``B_cn``).
    sample
        The sample name of a single-sample table without a sample column.

    Returns
    -------
    pandas.DataFrame
        ``sample, chrom, start, end, total_cn, major_cn, minor_cn`` (+ ``ploidy`` when given),
        sorted by sample, chromosome and start; chromosomes without ``chr``. ``major_cn`` /
        ``minor_cn`` are the larger / smaller allele of each row; a missing total is their sum.
        ``.attrs['columns']`` records the columns used.

    Raises
    ------
    InputError
        A column cannot be found (total copy number alone is refused: it cannot show LOH), a
        value is not a number, a copy number is negative or a segment ends before it starts.

    Examples
    --------
    >>> df = pd.DataFrame({"sample": ["T1", "T1"], "chr": ["chr1", "chr1"], "startpos": [1, 130_000_001],
    ...                    "endpos": [120_000_000, 248_000_000], "nMajor": [1, 2], "nMinor": [0, 1]})
    >>> read_allelic_segments(df)[["chrom", "total_cn", "major_cn", "minor_cn"]].to_dict("list")
    {'chrom': ['1', '1'], 'total_cn': [1.0, 3.0], 'major_cn': [1.0, 2.0], 'minor_cn': [0.0, 1.0]}
    """
    if isinstance(source, pd.DataFrame):
        where, seg = "allele-specific segment table", source.copy()
    else:
        p = check_file(source, what="allele-specific segment file")
        where, seg = f"allele-specific segment file '{p}'", read_table(p, what="allele-specific segment file", comment="#")
    seg.columns = [str(c).strip() for c in seg.columns]
    if len(seg) == 0:
        msg = f"{where} has a header but no segments."
        raise InputError(msg)
    out = _frame(seg, where, sample)
    columns = out.attrs["columns"]
    out = _check_rows(out, where)
    out.attrs["columns"] = columns
    return out

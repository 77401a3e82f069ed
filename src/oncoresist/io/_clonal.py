"""Clonal-evolution inputs: read counts and copy number per mutation and sample (tidy long tables).

* :func:`read_pyclone` reads the PyClone / PyClone-VI input TSV (one row per mutation x sample:
  ref / alt counts, allele-specific copy number, tumour content).
* :func:`read_clonal` picks one of the two readers from the header.
* :func:`read_vaf_table` reads the multi-sample tables of ClonEvol (``<sample>.vaf`` /
  ``<sample>.ref.count`` / ``<sample>.var.count`` columns), LICHeE (``#chrom pos DESC`` then one
  VAF column per sample) and CALDER (samples x mutations with a ref and an alt column per
  mutation), recognised by their content.

Both return one row per (mutation, sample) with the columns of :data:`CLONAL_COLUMNS` that the
file provides; :func:`oncoresist.tl.cancer_cell_fractions` and
:func:`oncoresist.tl.cluster_mutations` take that table.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .._core._errors import InputError
from .._core._utils import PathLike, check_file, find_column, read_table, to_numeric_safe

__all__ = ["CLONAL_COLUMNS", "read_clonal", "read_pyclone", "read_vaf_table"]

#: Columns of the tidy clonal table, in order (``vaf`` / ``depth`` / ``cluster`` when known).
CLONAL_COLUMNS = (
    "mutation_id", "sample_id", "ref_counts", "alt_counts", "depth", "vaf",
    "major_cn", "minor_cn", "normal_cn", "tumour_content",
)

#: Accepted spellings of each PyClone column (case-insensitive), the canonical name first.
_ALIASES: dict[str, tuple[str, ...]] = {
    "mutation_id": ("mutation_id", "mutation", "mut_id", "variant_id", "variant", "id"),
    "sample_id": ("sample_id", "sample", "region", "sample_name", "timepoint"),
    "ref_counts": ("ref_counts", "ref_count", "ref_reads", "ref", "t_ref_count", "ref_depth"),
    "alt_counts": ("alt_counts", "alt_count", "var_counts", "var_count", "alt_reads", "alt", "t_alt_count", "var_reads"),
    "major_cn": ("major_cn", "major", "cn_major", "nmajor", "major_copy_number"),
    "minor_cn": ("minor_cn", "minor", "cn_minor", "nminor", "minor_copy_number"),
    "normal_cn": ("normal_cn", "cn_normal", "normal_copy_number"),
    "tumour_content": ("tumour_content", "tumor_content", "purity", "cellularity", "tumour_purity", "tumor_purity"),
}
_REQUIRED = ("mutation_id", "sample_id", "ref_counts", "alt_counts", "major_cn", "minor_cn")


def _rename_aliases(df: pd.DataFrame, path: PathLike) -> pd.DataFrame:
    """Rename recognised column spellings to the canonical PyClone names; require the core ones."""
    renames: dict[str, str] = {}
    for canon, names in _ALIASES.items():
        col = find_column(df, names)
        if col is not None and col not in renames:
            renames[col] = canon
    df = df.rename(columns=renames)
    missing = [c for c in _REQUIRED if c not in df.columns]
    if missing:
        shown = ", ".join(map(str, list(df.columns)[:15]))
        msg = (f"PyClone table '{path}' lacks required column(s) {', '.join(map(repr, missing))} (found: {shown}). "
               f"Expected PyClone-VI columns {', '.join(_REQUIRED)} (+ normal_cn, tumour_content); rename the columns.")
        raise InputError(msg)
    return df


def _bad_rows(df: pd.DataFrame, col: str, bad: pd.Series, path: PathLike, expected: str) -> None:
    """Raise :class:`InputError` naming the first rows of ``col`` flagged in ``bad``."""
    if not bad.any():
        return
    rows = np.flatnonzero(bad.to_numpy())
    shown = ", ".join(f"line {r + 2} ({df[col].iloc[r]!r})" for r in rows[:3])
    more = f" and {len(rows) - 3} more" if len(rows) > 3 else ""
    msg = f"PyClone table '{path}', column '{col}': {shown}{more}: expected {expected}. Fix or remove these rows."
    raise InputError(msg)


def _numeric(df: pd.DataFrame, col: str, path: PathLike, *, integer: bool, low: float, high: float | None = None) -> pd.Series:
    """Column ``col`` as numbers, every value checked to be (an integer) within [low, high]."""
    values = to_numeric_safe(df[col]).astype(float)
    kind = "a non-negative integer" if integer and low == 0 else ("an integer" if integer else "a number")
    rng = f" >= {low:g}" if high is None else f" in [{low:g}, {high:g}]"
    bad = values.isna() | (values < low) | ((values > high) if high is not None else False)
    if integer:
        bad |= values.notna() & (values != values.round())
    _bad_rows(df, col, pd.Series(bad, index=df.index), path, f"{kind}{rng}")
    return values.astype("int64") if integer else values


def _defaults(df: pd.DataFrame, path: PathLike) -> pd.DataFrame:
    """Fill the optional PyClone columns: normal_cn = 2; tumour_content = 1 (with a warning)."""
    if "normal_cn" not in df.columns:
        df["normal_cn"] = 2
    if "tumour_content" not in df.columns:
        msg = (f"PyClone table '{path}' has no tumour_content (purity) column: assuming 1.0, so cancer cell fractions "
               "are underestimated for impure samples; add the purity per sample.")
        warnings.warn(msg, UserWarning, stacklevel=3)
        df["tumour_content"] = 1.0
    return df


def _check_values(df: pd.DataFrame, path: PathLike) -> pd.DataFrame:
    """Convert and validate counts, copy numbers and tumour content (InputError naming the line)."""
    for col in ("ref_counts", "alt_counts", "major_cn", "minor_cn", "normal_cn"):
        df[col] = _numeric(df, col, path, integer=True, low=0)
    df["tumour_content"] = _numeric(df, "tumour_content", path, integer=False, low=0, high=1)
    _bad_rows(df, "tumour_content", df["tumour_content"] <= 0, path, "a tumour content > 0 (a fraction, not a percent)")
    _bad_rows(df, "major_cn", df["major_cn"] < df["minor_cn"], path, "major_cn >= minor_cn (swap the two columns?)")
    _bad_rows(df, "major_cn", df["major_cn"] < 1, path,
              "major_cn >= 1: a mutation needs at least one copy of its locus (drop homozygous deletions)")
    _bad_rows(df, "normal_cn", df["normal_cn"] < 1, path, "normal_cn >= 1")
    return df


def _finish(df: pd.DataFrame, path: PathLike, what: str) -> pd.DataFrame:
    """Add depth and VAF, check unique (mutation, sample) pairs, order the columns."""
    for col in ("mutation_id", "sample_id"):
        df[col] = df[col].astype(str).str.strip()
        _bad_rows(df, col, df[col].isin(["", "nan", "None"]), path, f"a {col}")
    dup = df.duplicated(["mutation_id", "sample_id"], keep="first")
    if dup.any():
        r = int(np.flatnonzero(dup.to_numpy())[0])
        msg = (f"{what} '{path}': mutation {df['mutation_id'].iloc[r]!r} in sample {df['sample_id'].iloc[r]!r} appears "
               f"more than once ({int(dup.sum())} duplicated pairs); keep one row per mutation and sample.")
        raise InputError(msg)
    if "depth" not in df.columns and {"ref_counts", "alt_counts"} <= set(df.columns):
        df["depth"] = df["ref_counts"] + df["alt_counts"]
    if "vaf" not in df.columns and "depth" in df.columns:
        df["vaf"] = np.where(df["depth"] > 0, df["alt_counts"] / df["depth"].where(df["depth"] > 0, 1), np.nan)
    cols = [c for c in CLONAL_COLUMNS if c in df.columns]
    out = df[cols + [c for c in df.columns if c not in cols]].reset_index(drop=True)
    out.attrs["source"] = str(path)
    return out


def read_pyclone(path: PathLike) -> pd.DataFrame:
    r"""Read a PyClone / PyClone-VI input table: one row per mutation x sample.

    Columns (case-insensitive; common spellings such as ``ref_count``, ``var_counts``,
    ``purity``, ``tumor_content`` are accepted): ``mutation_id``, ``sample_id``, ``ref_counts``,
    ``alt_counts``, ``major_cn``, ``minor_cn``, optional ``normal_cn`` (default 2) and
    ``tumour_content`` (purity; default 1 with a warning). Extra columns (``error_rate``, gene
    names, ...) are kept.

    Parameters
    ----------
    path
        The TSV (or CSV, optionally gzipped).

    Returns
    -------
    pandas.DataFrame
        Tidy long table with the columns of :data:`CLONAL_COLUMNS` (``depth`` = ref + alt,
        ``vaf`` = alt / depth, NaN at depth 0) and any extra columns; ``attrs['source']`` = path.

    Raises
    ------
    InputError
        For a missing / empty / truncated file, a missing column, a count or copy number that is
        not a non-negative integer, ``major_cn < minor_cn``, ``major_cn = 0``, a tumour content
        outside (0, 1] and a duplicated (mutation, sample) pair, naming the line.

    Examples
    --------
    >>> import os, tempfile
    >>> fd, p = tempfile.mkstemp(suffix=".tsv")
    >>> with os.fdopen(fd, "w") as fh:
    ...     _ = fh.write("mutation_id\tsample_id\tref_counts\talt_counts\tmajor_cn\tminor_cn\ttumour_content\n"
    ...                  "m1\tR1\t60\t40\t1\t1\t0.8\n")
    >>> read_pyclone(p)[["mutation_id", "depth", "vaf", "normal_cn"]].to_dict("records")
    [{'mutation_id': 'm1', 'depth': 100, 'vaf': 0.4, 'normal_cn': 2}]
    """
    path = check_file(path, what="PyClone table")
    df = read_table(path, what="PyClone table", dtype={0: str})
    df = _rename_aliases(df, path)
    df = _check_values(_defaults(df, path), path)
    return _finish(df, path, "PyClone table")


# --------------------------------------------------------------------------------------------
# multi-sample VAF / read-count tables (ClonEvol, LICHeE, CALDER)
# --------------------------------------------------------------------------------------------
def _from_clonevol(df: pd.DataFrame) -> pd.DataFrame:
    """ClonEvol: ``<s>.vaf`` (percent or fraction), ``<s>.ref.count``, ``<s>.var.count`` per sample."""
    samples = [str(c)[: -len(".vaf")] for c in df.columns if str(c).endswith(".vaf")]
    ids = df["gene"].astype(str) if "gene" in df.columns else pd.Series(df.index.astype(str), index=df.index)
    ids = ids.where(~ids.duplicated(keep=False), ids + "_" + pd.Series(np.arange(len(df)).astype(str), index=df.index))
    parts = []
    for s in samples:
        part = pd.DataFrame({"mutation_id": ids.to_numpy(), "sample_id": s})
        vaf = to_numeric_safe(df[f"{s}.vaf"]).to_numpy(float)
        if f"{s}.ref.count" in df.columns and f"{s}.var.count" in df.columns:
            part["ref_counts"] = to_numeric_safe(df[f"{s}.ref.count"]).to_numpy(float)
            part["alt_counts"] = to_numeric_safe(df[f"{s}.var.count"]).to_numpy(float)
        part["vaf"] = vaf / 100.0 if np.nanmax(vaf, initial=0) > 1 else vaf
        if "cluster" in df.columns:
            part["cluster"] = df["cluster"].to_numpy()
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _from_lichee(df: pd.DataFrame) -> pd.DataFrame:
    """LICHeE: ``#chrom``, ``pos``, ``DESC`` then one VAF column per sample (``Normal`` dropped)."""
    chrom, pos = df.columns[0], df.columns[1]
    ids = df[chrom].astype(str).str.lower().str.removeprefix("chr") + ":" + df[pos].astype(str)
    samples = [c for c in df.columns[3:] if str(c).strip().lower() != "normal"]
    wide = df[samples].apply(to_numeric_safe)
    wide.columns = [str(c).strip() for c in samples]
    wide.index = ids.to_numpy()
    long = wide.rename_axis("mutation_id").reset_index().melt(id_vars="mutation_id", var_name="sample_id", value_name="vaf")
    long["description"] = np.tile(df[df.columns[2]].astype(str).to_numpy(), len(samples))
    return long


def _from_calder(path: PathLike) -> pd.DataFrame:
    """CALDER: samples x mutations, each mutation's name heading a ref then an alt column."""
    df = read_table(path, sep="\t", what="CALDER table", header=None, dtype=str)
    names = df.iloc[0, 1:].astype(str).tolist()
    if len(names) % 2:
        msg = f"CALDER table '{path}': {len(names)} count columns, expected a ref and an alt column per mutation."
        raise InputError(msg)
    body = df.iloc[1:].reset_index(drop=True)
    counts = body.iloc[:, 1:].apply(to_numeric_safe).to_numpy(float)
    samples = body.iloc[:, 0].astype(str).str.strip().to_numpy()
    muts = names[0::2]
    return pd.DataFrame({
        "mutation_id": np.tile(muts, len(samples)), "sample_id": np.repeat(samples, len(muts)),
        "ref_counts": counts[:, 0::2].ravel(), "alt_counts": counts[:, 1::2].ravel(),
    })


def _detect_vaf_format(path: PathLike) -> str:
    """Which multi-sample layout a file has, decided from its header line (content, not name)."""
    from .._core._utils import read_text

    lines = [ln for ln in read_text(path).splitlines() if ln.strip()]
    if not lines:
        msg = f"VAF table '{path}' is empty: expected a header line and at least one data row."
        raise InputError(msg)
    head = lines[0]
    fields = [f.strip().lower() for f in head.replace(",", "\t").split("\t")]
    if fields[:3] in (["#chrom", "pos", "desc"], ["chrom", "pos", "desc"]):
        return "lichee"
    if any(f.endswith(".vaf") for f in fields):
        return "clonevol"
    names = [f for f in head.split("\t")[1:]]
    if head.startswith("\t") and len(names) >= 2 and names[0::2] == names[1::2]:
        return "calder"
    msg = (f"VAF table '{path}': layout not recognised from its header ({head[:80]!r}). Expected ClonEvol "
           "(<sample>.vaf columns), LICHeE (#chrom, pos, DESC, one VAF column per sample), CALDER (samples x "
           "mutations, a ref and an alt column per mutation) or a PyClone table (use read_pyclone).")
    raise InputError(msg)


def _counts_to_int(df: pd.DataFrame, path: PathLike) -> pd.DataFrame:
    """Check read counts (non-negative integers; NaN kept as missing) and store them as integers."""
    for col in ("ref_counts", "alt_counts"):
        if col in df.columns:
            v = df[col].astype(float)
            bad = v.notna() & ((v < 0) | (v != v.round()))
            _bad_rows(df, col, bad, path, "a non-negative integer read count")
            df[col] = v.astype("Int64") if v.isna().any() else v.astype("int64")
    return df


def read_vaf_table(path: PathLike) -> pd.DataFrame:
    r"""Read a multi-sample (multi-region / multi-time-point) VAF or read-count table, long format.

    The layout is recognised from the header: ClonEvol variant tables (``<sample>.vaf`` in
    percent or fraction, optional ``<sample>.ref.count`` / ``<sample>.var.count``, ``cluster``,
    ``gene``), LICHeE input (``#chrom pos DESC Normal S1 S2 ...``, VAF fractions; the ``Normal``
    column is dropped) and CALDER input (a first column of sample names, then a ref and an alt
    count column per mutation, both headed by the mutation's name).

    Parameters
    ----------
    path
        The table (tab- or comma-separated, optionally gzipped).

    Returns
    -------
    pandas.DataFrame
        One row per (mutation, sample): ``mutation_id``, ``sample_id``, ``ref_counts`` /
        ``alt_counts`` / ``depth`` when the file has counts, ``vaf`` (fraction) and any
        ``cluster`` / ``description`` the file gives; ``attrs['format']`` says which layout was
        detected. Copy number and purity are absent: :func:`oncoresist.tl.cancer_cell_fractions`
        assumes diploid, pure samples for such tables and says so.

    Raises
    ------
    InputError
        For an empty / truncated file, an unrecognised layout, a negative or fractional count
        and duplicated (mutation, sample) pairs.

    Examples
    --------
    >>> import os, tempfile
    >>> fd, p = tempfile.mkstemp(suffix=".txt")
    >>> with os.fdopen(fd, "w") as fh:
    ...     _ = fh.write("\tKRAS\tKRAS\tTP53\tTP53\nT1\t90\t10\t50\t50\nT2\t70\t30\t48\t52\n")
    >>> t = read_vaf_table(p)
    >>> t.attrs["format"], t[["mutation_id", "sample_id", "vaf"]].values.tolist()[:2]
    ('calder', [['KRAS', 'T1', 0.1], ['TP53', 'T1', 0.5]])
    """
    path = check_file(path, what="VAF table")
    fmt = _detect_vaf_format(path)
    if fmt == "calder":
        df = _from_calder(path)
    else:
        raw = read_table(path, what=f"{fmt} VAF table", sep="," if fmt == "clonevol" and str(path).lower().endswith((".csv", ".csv.gz")) else None)
        df = _from_clonevol(raw) if fmt == "clonevol" else _from_lichee(raw)
    df = _counts_to_int(df, path)
    if "vaf" in df.columns:
        _bad_rows(df, "vaf", df["vaf"].notna() & ((df["vaf"] < 0) | (df["vaf"] > 1)), path, "a VAF in [0, 1] (or percent)")
    out = _finish(df, path, f"{fmt} VAF table")
    out.attrs["format"] = fmt
    return out


def read_clonal(path: PathLike) -> pd.DataFrame:
    r"""Read any supported clonal table, choosing the reader from the file's header.

    A header naming mutation, sample, ref / alt count and copy-number columns (any accepted
    spelling) is a PyClone table (:func:`read_pyclone`); otherwise the ClonEvol / LICHeE / CALDER
    layouts of :func:`read_vaf_table` are tried. ``attrs['format']`` records which was read.

    Parameters
    ----------
    path
        The table.

    Returns
    -------
    pandas.DataFrame
        The tidy long table of :func:`read_pyclone` or :func:`read_vaf_table`.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as fh:
    ...     _ = fh.write("mutation\tsample\tref\talt\tmajor\tminor\tpurity\nm1\tR1\t60\t40\t1\t1\t0.8\n")
    >>> read_clonal(fh.name).attrs["format"]
    'pyclone'
    """
    from .._core._utils import read_text

    path = check_file(path, what="clonal table")
    head = next((ln for ln in read_text(path).splitlines() if ln.strip()), "")
    fields = pd.DataFrame(columns=[f.strip().strip('"') for f in head.replace(",", "\t").split("\t")])
    if all(find_column(fields, _ALIASES[c]) is not None for c in _REQUIRED):
        out = read_pyclone(path)
        out.attrs["format"] = "pyclone"
        return out
    return read_vaf_table(path)

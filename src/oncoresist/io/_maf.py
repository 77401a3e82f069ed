"""Read Mutation Annotation Format (MAF) files into the canonical tidy variant table."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from .._core._errors import InputError
from .._core._utils import (
    PathLike,
    check_complete,
    check_file,
    clean_ids,
    find_column,
    parse_csv,
    read_text,
    to_numeric_safe,
)
from ._variants import (
    VARIANT_COLUMNS,
    check_vaf_range,
    consequence_to_class,
    long_protein_change,
    normalize_chrom,
    order_variant_columns,
    short_protein_change,
    strip_feature_prefix,
    variant_type,
    warn_if_no_variants,
)

__all__ = ["read_maf"]

#: Extra MAF columns kept by default (when present), renamed to snake case.
DEFAULT_EXTRA_COLUMNS: dict[str, str] = {
    "Matched_Norm_Sample_Barcode": "normal_sample",
    "Entrez_Gene_Id": "entrez_id",
    "Gene": "gene_id",
    "NCBI_Build": "ncbi_build",
    "Strand": "strand",
    "Transcript_ID": "transcript",
    "Exon_Number": "exon",
    "dbSNP_RS": "dbsnp",
    "t_ref_count": "t_ref_count",
    "n_depth": "n_depth",
    "n_ref_count": "n_ref_count",
    "n_alt_count": "n_alt_count",
    "Consequence": "consequence",
    "IMPACT": "impact",
    "BIOTYPE": "biotype",
    "CANONICAL": "canonical",
    "SIFT": "sift",
    "PolyPhen": "polyphen",
    "FILTER": "filter",
    "callers": "callers",
    "Mutation_Status": "mutation_status",
    "CONTEXT": "context",
    "flanking_bps": "flanking_bps",
    "gnomAD_AF": "gnomad_af",
    "ExAC_AF": "exac_af",
}

_VAF_COLUMNS = ("vaf", "t_vaf", "tumor_vaf", "tumor_f", "t_af", "af", "allele_frequency")
_SHORT_PROTEIN_COLUMNS = ("HGVSp_Short", "Protein_Change", "protein_change", "AAChange", "amino_acid_change")
_SAMPLE_FALLBACKS = ("Tumor_Sample_Barcode", "sample", "Sample", "sample_id", "Tumor_Sample_ID")
#: Columns always read as text (IDs, alleles, names), never as numbers.
_TEXT_COLUMNS = (
    "Hugo_Symbol", "Chromosome", "chrom", "chr", "Reference_Allele", "ref", "Tumor_Seq_Allele1",
    "Tumor_Seq_Allele2", "alt", "Variant_Type", "Variant_Classification", "Consequence",
    "HGVSp", "HGVSp_Short", "HGVSc", "Tumor_Sample_Barcode", "Matched_Norm_Sample_Barcode",
    "sample", "Sample", "sample_id", "Tumor_Sample_ID", "Protein_Change", "dbSNP_RS",
    "Match_Norm_Seq_Allele1", "Match_Norm_Seq_Allele2", "Exon_Number", "Strand",
)  # fmt: skip
#: Every input column the reader may use for the canonical columns (parsed even when not kept).
_KNOWN_COLUMNS = (
    "Hugo_Symbol", "Chromosome", "chrom", "chr", "Start_Position", "start", "End_Position", "end",
    "Reference_Allele", "ref", "Tumor_Seq_Allele1", "Tumor_Seq_Allele2", "alt", "Variant_Type",
    "Variant_Classification", "Consequence", "One_Consequence", "HGVSp", "HGVSc", "t_depth",
    "t_alt_count", "t_ref_count", *_SAMPLE_FALLBACKS, *_VAF_COLUMNS, *_SHORT_PROTEIN_COLUMNS,
)  # fmt: skip


def _read_maf_frame(
    path: PathLike, *, wanted: Callable[[str], bool] | None = None, text_columns: Sequence[str] = ()
) -> pd.DataFrame:
    """Read the MAF body as strings, skipping ``#`` comment / version lines anywhere.

    ``wanted`` (called on each header name) restricts the columns parsed, for speed.
    """
    text = read_text(path)
    pos = 0
    while text.startswith("#", pos) or text.startswith("\n", pos) or text.startswith("\r\n", pos):
        nl = text.find("\n", pos)
        pos = len(text) if nl < 0 else nl + 1
    body = text[pos:]
    if "\n#" in body:  # comment lines after the header (rare): drop them
        body = "\n".join(ln for ln in body.splitlines() if not ln.startswith("#"))
    header = body.split("\n", 1)[0].rstrip("\r")
    if not header.strip():
        msg = f"MAF '{path}' has no header line: expected a tab-separated header (Hugo_Symbol, Chromosome, ...) after any '#' lines."
        raise InputError(msg)
    if "\t" not in header:
        msg = f"MAF '{path}' header line is not tab-separated (found {header[:60]!r}): MAF files are tab-separated text."
        raise InputError(msg)
    names = header.rstrip("\r").split("\t")
    usecols = None if wanted is None else [c for c in names if wanted(c.strip())]
    text_cols = {c.lower() for c in (*_TEXT_COLUMNS, *text_columns)}
    # identifiers and alleles stay text; numbers (positions, counts, ...) are parsed by the C
    # parser (a column with any non-numeric cell simply comes back as text)
    dtypes = {c: str for c in names if c.strip().lower() in text_cols}
    check_complete(text, sep="\t", path=path, what="MAF", comment="#", quoted=False)
    return parse_csv(
        body,
        path=path,
        what="MAF",
        sep="\t",
        dtype=dtypes,
        usecols=usecols,
        keep_default_na=False,
        na_values=["", "NA", "N/A", "NaN", "nan", "NULL", "null", "."],
        quoting=3,  # csv.QUOTE_NONE: MAF fields are never quoted
        low_memory=False,
    )


def _positions(df: pd.DataFrame, col: str, *, sample_col: str, path: PathLike) -> np.ndarray:
    raw = df[col]
    num = raw if pd.api.types.is_numeric_dtype(raw) else to_numeric_safe(raw.astype(str).str.strip())
    bad = num.isna() | (num % 1 != 0)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        found = raw.iloc[i]
        shown = "an empty cell" if pd.isna(found) else f"a non-integer position {found!r}"
        msg = (
            f"MAF '{path}' column {col!r} has {shown} at data row {i + 1} "
            f"(sample {df[sample_col].iloc[i]!r}, gene {df['Hugo_Symbol'].iloc[i]!r}): expected a 1-based "
            "integer position in every row; fix or remove the row."
        )
        raise InputError(msg)
    return num.astype("int64").to_numpy()


def _numeric(df: pd.DataFrame, col: str | None) -> np.ndarray:
    if col is None:
        return np.full(len(df), np.nan)
    s = df[col]
    if pd.api.types.is_numeric_dtype(s):
        return s.to_numpy(dtype=float)
    return to_numeric_safe(s.astype(str).str.strip()).to_numpy(dtype=float)


def _maybe_numeric(values: pd.Series) -> np.ndarray:
    """Numbers when the parser read the column as numbers, else the text as read."""
    if pd.api.types.is_numeric_dtype(values):
        return values.to_numpy()
    return values.to_numpy(dtype=object)


def read_maf(
    path: PathLike,
    *,
    sample_column: str = "Tumor_Sample_Barcode",
    keep_columns: Sequence[str] | Literal["all"] | None = None,
) -> pd.DataFrame:
    r"""Read a MAF (Mutation Annotation Format) file into the canonical variant table.

    Reads plain or gzipped MAFs with any column order; ``#`` lines (version line, comments) are
    skipped. Column names are matched exactly first, then case-insensitively.

    Parameters
    ----------
    path
        ``.maf`` / ``.maf.gz`` / ``.txt`` file (tab-separated).
    sample_column
        Column with the tumour sample ID. Defaults to ``Tumor_Sample_Barcode``.
    keep_columns
        Extra input columns kept after the canonical ones. ``None`` keeps a useful default
        set when present (matched normal, Entrez ID, Ensembl gene, transcript, exon, dbSNP,
        ref / normal counts, VEP consequence, impact, biotype, canonical flag, SIFT, PolyPhen,
        FILTER, callers, reference context (GDC ``CONTEXT``, MC3 ``flanking_bps``), gnomAD / ExAC
        allele frequencies), renamed to snake case; ``"all"`` keeps every input column under its
        own name (besides those already used for the canonical columns); a list keeps those
        columns under their own names (``<name>_input`` if it clashes with a canonical name).
        Columns whose every non-empty cell is a number are returned as numbers.

    Returns
    -------
    pandas.DataFrame
        Columns ``sample, gene, chrom, start, end, ref, alt, variant_class, variant_type,
        protein_change, hgvsp, hgvsc, t_depth, t_alt_count, vaf`` then the kept columns.
        ``chrom`` is normalised (``chr7`` -> ``7``, ``chrM`` -> ``MT``); ``alt`` is
        ``Tumor_Seq_Allele2`` (``Tumor_Seq_Allele1`` when Allele2 is missing or equals the
        reference); ``protein_change`` is the short form (``p.T790M``) from ``HGVSp_Short``
        (or ``Protein_Change``), else converted from the long ``HGVSp``; ``vaf`` is
        ``t_alt_count / t_depth`` when both are present, else a VAF column (``tumor_f``,
        ``t_vaf``, ``VAF``, ``AF``; a 0-100 scale is converted), else NaN.
        ``.attrs['source']`` is the file path.

    Raises
    ------
    InputError
        When the file lacks ``Hugo_Symbol``, the sample column or the position / allele
        columns, or a position is not an integer.

    Examples
    --------
    >>> from oncoresist import ds
    >>> p = ds.example_file("maf")  # one EGFR p.Thr790Met call of sample P1
    >>> read_maf(p)[["sample", "gene", "chrom", "protein_change"]]
      sample  gene chrom protein_change
    0     P1  EGFR     7        p.T790M
    """
    p = check_file(path, what="MAF")
    if isinstance(keep_columns, str) and keep_columns != "all":
        keep_columns = [keep_columns]
    df = _read_maf_frame(p, wanted=_maf_wanted(sample_column, keep_columns), text_columns=[sample_column])
    df.columns = [str(c).strip() for c in df.columns]
    gene_col, sample_col = _maf_id_columns(df, sample_column, p)
    df = df.rename(columns={gene_col: "Hugo_Symbol"})
    cols = _maf_allele_columns(df, p)
    warn_if_no_variants(len(df), p, what="MAF")
    out = _maf_sites(df, cols, sample_col, p)
    used = {gene_col, "Hugo_Symbol", sample_col, *(c for c in cols.values() if c)}
    used.update(_maf_classes(df, out))
    used.update(_maf_protein_changes(df, out))
    vaf, depth_cols = _maf_depth_and_vaf(df, out, p)
    used.update(depth_cols)
    out["vaf"] = check_vaf_range(vaf, what=f"MAF '{p}'")
    out = _maf_extra_columns(df, out, keep_columns, used, p)
    out = order_variant_columns(out)
    out.attrs["source"] = str(p)
    return out


def _maf_wanted(sample_column: str, keep_columns: Sequence[str] | Literal["all"] | None) -> Callable[[str], bool] | None:
    """The header filter for :func:`_read_maf_frame`: the known, sample and kept columns (``None`` = all)."""
    if keep_columns == "all":
        return None
    names = {c.lower() for c in _KNOWN_COLUMNS} | {sample_column.lower()}
    names |= {c.lower() for c in (DEFAULT_EXTRA_COLUMNS if keep_columns is None else keep_columns)}

    def wanted(col: str) -> bool:
        return col.lower() in names

    return wanted


def _maf_id_columns(df: pd.DataFrame, sample_column: str, p: PathLike) -> tuple[str, str]:
    """The gene-symbol and sample columns of a MAF; raise :class:`InputError` when one is missing."""
    gene_col = find_column(df, ["Hugo_Symbol"])
    if gene_col is None:
        shown = ", ".join(list(df.columns)[:10])
        msg = f"MAF '{p}' lacks the 'Hugo_Symbol' column (found: {shown}, ...): is it a MAF? Rename the gene-symbol column to Hugo_Symbol."
        raise InputError(msg)
    sample_col = find_column(df, [sample_column])
    if sample_col is None and sample_column == "Tumor_Sample_Barcode":
        sample_col = find_column(df, _SAMPLE_FALLBACKS)
    if sample_col is None:
        shown = ", ".join(list(df.columns)[:10])
        msg = f"MAF '{p}' lacks the sample column {sample_column!r} (found: {shown}, ...): pass sample_column= naming the tumour sample ID column."
        raise InputError(msg)
    return gene_col, sample_col


def _maf_allele_columns(df: pd.DataFrame, p: PathLike) -> dict[str, str | None]:
    """The position / allele columns (``chrom, start, end, ref, alt2, alt1``); raise when required ones are missing."""
    cols = {
        "chrom": find_column(df, ["Chromosome", "chrom", "chr"]),
        "start": find_column(df, ["Start_Position", "Start_position", "start"]),
        "end": find_column(df, ["End_Position", "End_position", "end"]),
        "ref": find_column(df, ["Reference_Allele", "ref"]),
        "alt2": find_column(df, ["Tumor_Seq_Allele2", "alt"]),
        "alt1": find_column(df, ["Tumor_Seq_Allele1"]),
    }
    missing = [name for key, name in (("chrom", "Chromosome"), ("start", "Start_Position"), ("ref", "Reference_Allele")) if cols[key] is None]
    if cols["alt2"] is None and cols["alt1"] is None:
        missing.append("Tumor_Seq_Allele2")
    if missing:
        msg = f"MAF '{p}' lacks required column(s) {', '.join(map(repr, missing))}: a MAF needs Chromosome, Start_Position, End_Position, Reference_Allele and Tumor_Seq_Allele2."
        raise InputError(msg)
    return cols


def _maf_sites(df: pd.DataFrame, cols: dict[str, str | None], sample_col: str, p: PathLike) -> pd.DataFrame:
    """A new table with ``sample, gene, chrom, start, end, ref, alt`` (alt from Allele2, else Allele1)."""
    out = pd.DataFrame(index=pd.RangeIndex(len(df)))
    out["sample"] = np.asarray(clean_ids(df[sample_col].fillna("")), dtype=object)
    empty_sample = out["sample"] == ""
    if empty_sample.any():
        i = int(np.flatnonzero(empty_sample.to_numpy())[0])
        msg = f"MAF '{p}' has {int(empty_sample.sum())} row(s) with an empty {sample_col!r} (first at data row {i + 1}): every variant needs a sample ID."
        raise InputError(msg)
    out["gene"] = df["Hugo_Symbol"].str.strip().to_numpy(dtype=object)
    out["chrom"] = normalize_chrom(df[cols["chrom"]])
    out["start"] = _positions(df, cols["start"], sample_col=sample_col, path=p)
    ref = df[cols["ref"]].fillna("-").str.strip().str.upper()
    if cols["end"] is not None:
        out["end"] = _positions(df, cols["end"], sample_col=sample_col, path=p)
    else:  # derive from the reference allele (insertions span two bases)
        length = ref.str.len().where(ref != "-", 2).to_numpy()
        out["end"] = out["start"].to_numpy() + length - 1
    a2 = df[cols["alt2"]].str.strip().str.upper() if cols["alt2"] else pd.Series(np.nan, index=df.index, dtype=object)
    if cols["alt1"] is not None:
        a1 = df[cols["alt1"]].str.strip().str.upper()
        use1 = (a2.isna() | (a2 == ref)) & a1.notna() & (a1 != ref)
        alt = a2.where(~use1, a1)
    else:
        alt = a2
    out["ref"] = ref.to_numpy(dtype=object)
    out["alt"] = alt.fillna("-").to_numpy(dtype=object)
    return out


def _maf_classes(df: pd.DataFrame, out: pd.DataFrame) -> list[str]:
    """Fill ``variant_type`` and ``variant_class`` (from the consequence where missing); return the columns used."""
    vtype_col = find_column(df, ["Variant_Type"])
    computed_type = variant_type(out["ref"], out["alt"])
    if vtype_col is not None:
        vt = df[vtype_col].str.strip().str.upper()
        out["variant_type"] = vt.where(vt.notna(), pd.Series(computed_type, index=df.index)).to_numpy(dtype=object)
    else:
        out["variant_type"] = computed_type
    class_col = find_column(df, ["Variant_Classification"])
    conseq_col = find_column(df, ["Consequence", "One_Consequence"])
    cls = df[class_col].str.strip() if class_col else pd.Series(np.nan, index=df.index, dtype=object)
    if conseq_col is not None and cls.isna().any():
        derived = [
            consequence_to_class(c, r, a) if (not isinstance(k, str)) else k
            for k, c, r, a in zip(cls, df[conseq_col], out["ref"], out["alt"])
        ]
        cls = pd.Series(derived, index=df.index, dtype=object)
    out["variant_class"] = cls.to_numpy(dtype=object)
    return [c for c in (vtype_col, class_col) if c]


def _maf_protein_changes(df: pd.DataFrame, out: pd.DataFrame) -> list[str]:
    """Fill ``protein_change`` (short), ``hgvsp`` (long) and ``hgvsc``; return the columns used."""
    n = len(df)
    short_col = find_column(df, _SHORT_PROTEIN_COLUMNS)
    long_col = find_column(df, ["HGVSp"])
    short = short_protein_change(df[short_col]) if short_col else np.full(n, np.nan, dtype=object)
    if long_col is not None:
        from_long = short_protein_change(df[long_col])
        short = np.where(pd.isna(short), from_long, short)
        out["hgvsp"] = long_protein_change(df[long_col])
    else:
        out["hgvsp"] = np.full(n, np.nan, dtype=object)
    out["protein_change"] = short
    hgvsc_col = find_column(df, ["HGVSc"])
    out["hgvsc"] = strip_feature_prefix(df[hgvsc_col]) if hgvsc_col else np.full(n, np.nan, dtype=object)
    return [c for c in (short_col, long_col, hgvsc_col) if c]


def _maf_depth_and_vaf(df: pd.DataFrame, out: pd.DataFrame, p: PathLike) -> tuple[np.ndarray, list[str]]:
    """Fill ``t_depth`` and ``t_alt_count``; return the VAF (counts, else a VAF column; unchecked) and the columns used."""
    depth_col = find_column(df, ["t_depth"])
    alt_col = find_column(df, ["t_alt_count"])
    depth = _numeric(df, depth_col)
    alt_count = _numeric(df, alt_col)
    if alt_col is not None and depth_col is None:
        ref_col = find_column(df, ["t_ref_count"])
        if ref_col is not None:
            depth = alt_count + _numeric(df, ref_col)
    out["t_depth"] = depth
    out["t_alt_count"] = alt_count
    with np.errstate(divide="ignore", invalid="ignore"):
        vaf = np.where(depth > 0, alt_count / depth, np.nan)
    vaf_col = find_column(df, _VAF_COLUMNS)
    if vaf_col is not None:
        given = _numeric(df, vaf_col)
        finite = given[np.isfinite(given)]
        if finite.size and finite.max() > 1 and finite.max() <= 100:
            warnings.warn(
                f"MAF '{p}': column {vaf_col!r} looks like a percentage (max {finite.max():g}); divided by 100.",
                UserWarning,
                stacklevel=3,
            )
            given = given / 100.0
        vaf = np.where(np.isfinite(vaf), vaf, given)
    return vaf, [c for c in (depth_col, alt_col) if c]


def _maf_extra_columns(
    df: pd.DataFrame, out: pd.DataFrame, keep_columns: Sequence[str] | Literal["all"] | None, used: set[str], p: PathLike
) -> pd.DataFrame:
    """``out`` with the kept extra columns appended (the default set renamed, or ``keep_columns``)."""
    extras: dict[str, np.ndarray] = {}
    if keep_columns is None:
        for src, dst in DEFAULT_EXTRA_COLUMNS.items():
            col = find_column(df, [src])
            if col is not None and dst not in out.columns:
                extras[dst] = _maybe_numeric(df[col])
    else:
        keep = list(df.columns) if keep_columns == "all" else list(keep_columns)
        absent = [c for c in keep if c not in df.columns]
        if absent:
            shown = ", ".join(list(df.columns)[:10])
            msg = f"keep_columns names column(s) {', '.join(map(repr, absent))} absent from MAF '{p}' (found: {shown}, ...): check the spelling."
            raise InputError(msg)
        for col in keep:
            if col in used and keep_columns == "all":
                continue
            name = col if col not in VARIANT_COLUMNS else f"{col}_input"
            extras[name] = _maybe_numeric(df[col])
    if extras:
        out = pd.concat([out, pd.DataFrame(extras, index=out.index)], axis=1)
    return out

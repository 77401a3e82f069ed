"""Copy number: gene-level matrices, gene coordinates and segment files mapped to genes.

* :func:`read_cnv_matrix` reads gene-level matrices (GISTIC ``all_data_by_genes.txt`` /
  ``all_thresholded.by_genes.txt``, CPTAC ``.cct``, any genes x samples table) through
  :func:`oncoresist.io.read_matrix`.
* :func:`read_gene_coordinates` reads a gene-coordinate table (BED, GTF/GFF, TSV/CSV).
* :func:`read_cnv_segments` maps segments (DNAcopy / IGV ``.seg``, GDC, CNVkit ``.cns`` ...)
  onto those genes with interval arithmetic (sorted arrays + ``searchsorted``), so 100 samples
  x 20k genes x 100 segments per sample map in well under a second.

Nothing about coordinates is guessed: there is no built-in genome, and the gene table must come
from the same genome build as the segments.
"""

from __future__ import annotations

import gzip
import re
import warnings
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, cast

import anndata as ad
import numpy as np
import pandas as pd

from .._core._errors import InputError
from .._core._utils import (
    PathLike,
    check_complete,
    check_file,
    clean_ids,
    find_column,
    read_table,
    read_text,
    to_numeric_safe,
)
from ._matrix import read_matrix
from ._variants import normalize_chrom

__all__ = ["read_cnv_matrix", "read_cnv_segments", "read_gene_coordinates"]

_CNV_VALUES = ("log2", "calls")

# --------------------------------------------------------------------------------------------
# gene-level matrices
# --------------------------------------------------------------------------------------------
_GISTIC_ANNOTATIONS = ("Gene ID", "Locus ID", "Cytoband")


def _header_fields(path: Path) -> list[str]:
    """The first non-comment line's fields (reads only the start of the file)."""
    with path.open("rb") as fh:
        magic = fh.read(2)
    opener = gzip.open if magic == b"\x1f\x8b" else open
    try:
        with opener(path, "rb") as fh:  # type: ignore[operator]
            for raw in fh:
                line = raw.decode("utf-8", errors="replace").lstrip("\ufeff").rstrip("\r\n")
                if line.strip() and not line.startswith("#"):
                    sep = "\t" if "\t" in line else ","
                    return [f.strip().strip('"') for f in line.split(sep)]
    except (OSError, EOFError, zlib.error) as e:
        msg = f"cannot read '{path}': {e}. Is it a complete (and, for .gz, valid gzip) file?"
        raise InputError(msg) from e
    return []


def read_cnv_matrix(
    path: PathLike,
    *,
    orientation: str = "auto",
    values: Literal["log2", "calls"] = "log2",
) -> ad.AnnData:
    r"""Read a gene-level copy-number matrix into the ``cnv`` layer (samples x genes).

    GISTIC2 gene tables are recognised by their ``Gene Symbol`` column: ``Gene ID`` /
    ``Locus ID`` and ``Cytoband`` are kept in ``.var`` and the symbols become ``var_names``.
    Any other matrix (CPTAC ``.cct`` with an ``idx`` first column, genes x samples or samples
    x genes CSV/TSV) is read by :func:`oncoresist.io.read_matrix`.

    Parameters
    ----------
    path
        GISTIC ``all_data_by_genes.txt`` (log2 ratios), ``all_thresholded.by_genes.txt``
        (calls), CPTAC ``CNA.cct(.gz)`` or any gene-level matrix.
    orientation
        ``"auto"``, ``"features_x_samples"`` or ``"samples_x_features"`` (see
        :func:`~oncoresist.io.read_matrix`; GISTIC tables are always genes x samples).
    values
        What the numbers are: ``"log2"`` (log2 copy ratio, default) or ``"calls"`` (discrete
        calls such as GISTIC's -2..2). ``"calls"`` requires integer values; ``"log2"`` warns
        when every value is an integer in -2..2 (probably calls).

    Returns
    -------
    anndata.AnnData
        ``X`` float64 (NaN = missing); ``uns['cnv'] = {'values': values, 'format': 'gistic' |
        'matrix', 'file': ...}``; ``uns['read_matrix']`` says how the file was read.

    Raises
    ------
    InputError
        For an unknown ``values`` / ``orientation``, non-integer values with ``values="calls"``
        and every error of :func:`~oncoresist.io.read_matrix`.

    Examples
    --------
    >>> from oncoresist import ds
    >>> a = read_cnv_matrix(ds.example_file("gistic"), values="calls")  # EGFR, CDKN2A x S1, S2
    >>> a.to_df().astype(int).to_dict("list"), list(a.var.columns)
    ({'EGFR': [2, 0], 'CDKN2A': [-2, 0]}, ['Locus ID', 'Cytoband'])
    """
    if values not in _CNV_VALUES:
        msg = f"values={values!r} is not known for a copy-number matrix; expected 'log2' or 'calls'."
        raise InputError(msg)
    p = check_file(path, what="copy-number matrix")
    header = _header_fields(p)
    lower = {h.lower(): h for h in header}
    fmt = "matrix"
    if "gene symbol" in lower:
        fmt = "gistic"
        ann = [lower[a.lower()] for a in _GISTIC_ANNOTATIONS if a.lower() in lower]
        if orientation not in ("auto", "features_x_samples"):
            msg = f"'{p}' is a GISTIC gene table (genes x samples, 'Gene Symbol' column): orientation={orientation!r} does not apply; use 'auto'."
            raise InputError(msg)
        adata = read_matrix(
            p, orientation="features_x_samples", feature_column=lower["gene symbol"], annotation_columns=ann, layer_name=None
        )
    else:
        adata = read_matrix(p, orientation=orientation)

    X = np.asarray(adata.X, dtype=float)
    finite = X[np.isfinite(X)]
    integer_valued = bool(finite.size) and bool(np.all(finite == np.round(finite)))
    if values == "calls" and finite.size and not integer_valued:
        bad = finite[finite != np.round(finite)][0]
        msg = (
            f"copy-number file '{p}' has non-integer values (e.g. {bad:g}) but values='calls' was given: "
            "calls are integers (e.g. GISTIC -2..2). Use values='log2' for ratios."
        )
        raise InputError(msg)
    if values == "log2" and integer_valued and finite.size > 20 and np.all(np.isin(finite, [-2, -1, 0, 1, 2])):
        warnings.warn(
            f"copy-number file '{p}' holds only the integers -2..2, which look like discrete calls "
            "(GISTIC thresholded); pass values='calls' if so.",
            UserWarning,
            stacklevel=2,
        )
    adata.uns["cnv"] = {"values": values, "format": fmt, "file": str(p)}
    return adata


# --------------------------------------------------------------------------------------------
# gene coordinates
# --------------------------------------------------------------------------------------------
_GENE_NAMES = ("gene", "symbol", "gene_name", "gene_symbol", "Gene Symbol", "hugo_symbol", "hgnc_symbol", "name", "Gene name")
_CHROM_NAMES = ("chrom", "chr", "chromosome", "seqname", "seqnames", "Chromosome/scaffold name", "chromosome_name")
_START_NAMES = ("start", "gene_start", "start_position", "chromStart", "txStart", "Gene start (bp)")
_END_NAMES = ("end", "stop", "gene_end", "end_position", "chromEnd", "txEnd", "Gene end (bp)")
_STRAND_NAMES = ("strand", "Strand")
_ID_NAMES = ("gene_id", "ensembl_gene_id", "ensembl_id", "Gene stable ID", "Gene ID", "geneid", "entrez_id")
_BIOTYPE_NAMES = ("biotype", "gene_biotype", "gene_type", "Gene type")
_GENE_FEATURES = {"gene", "ncRNA_gene", "pseudogene"}


def _norm_strand(values: pd.Series) -> np.ndarray:
    mapping = {"1": "+", "+1": "+", "+": "+", "-1": "-", "-": "-", ".": np.nan, "": np.nan}
    s = values.astype(str).str.strip().str.removesuffix(".0")
    return s.map(lambda v: mapping.get(v, np.nan)).to_numpy(dtype=object)


def _int_column(values: pd.Series, *, what: str, col: str, path: PathLike, labels: pd.Series | None = None) -> np.ndarray:
    num = values if pd.api.types.is_numeric_dtype(values) else to_numeric_safe(values.astype(str).str.strip())
    bad = num.isna().to_numpy() | (num.to_numpy(dtype=float) % 1 != 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        who = f" ({labels.iloc[i]})" if labels is not None else ""
        msg = (
            f"{what} '{path}' column {col!r} has a non-integer coordinate {values.iloc[i]!r} at data row {i + 1}{who}: "
            "expected integer positions in every row; fix or remove the row."
        )
        raise InputError(msg)
    return num.to_numpy(dtype=np.int64)


def _detect_coordinate_format(p: Path, text: str) -> str:
    name = p.name.lower().removesuffix(".gz")
    if name.endswith(".bed"):
        return "bed"
    if name.endswith((".gtf", ".gff", ".gff3")):
        return "gtf"
    for line in text.splitlines()[:200]:
        if not line.strip() or line.startswith(("#", "track", "browser")):
            continue
        f = line.split("\t")
        if len(f) == 9 and f[3].strip().isdigit() and f[4].strip().isdigit() and ("=" in f[8] or '"' in f[8]):
            return "gtf"
        if len(f) >= 4 and f[1].strip().isdigit() and f[2].strip().isdigit():
            return "bed"
        return "table"
    return "table"


def _tab_fields(lines: list[str], p: Path, *, what: str, want: str, width: int | None = None) -> pd.DataFrame:
    """Tab-separated ``lines`` as a text frame; rows of unequal width are an :class:`InputError`."""
    if not lines:
        msg = f"{what} '{p}' has no data lines: expected one gene per line with {want}; is the file empty or cut?"
        raise InputError(msg)
    rows = [ln.rstrip("\r").split("\t") for ln in lines]
    widths = pd.Series([len(r) for r in rows])
    tally = widths.value_counts()
    usual = width or int(widths[0] if tally[widths[0]] == tally.max() else tally.idxmax())
    if (widths != usual).any():
        i = int((widths != usual).idxmax())
        msg = (f"{what} '{p}': data line {i + 1} ({lines[i][:60]!r}) has {widths[i]} tab-separated fields, expected "
               f"{usual}: expected {want} on every line. The file looks truncated or edited: re-export the complete file.")
        raise InputError(msg)
    return pd.DataFrame(rows, dtype=object)


def _read_bed(p: Path, text: str) -> pd.DataFrame:
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith(("#", "track", "browser"))]
    if lines and len(lines[0].split("\t")) > 1 and not lines[0].split("\t")[1].strip().isdigit():
        lines = lines[1:]  # a header line (not standard BED, but common)
    df = _tab_fields(lines, p, what="BED file", want="chrom, start, end and the gene name in column 4")
    if df.shape[1] < 4:
        msg = f"BED file '{p}' has {df.shape[1]} columns: gene coordinates need at least chrom, start, end and the gene name in column 4."
        raise InputError(msg)
    out = pd.DataFrame({"gene": df[3].str.strip().to_numpy(dtype=object)})
    out["chrom"] = normalize_chrom(df[0])
    out["start"] = _int_column(df[1], what="BED file", col="2 (chromStart)", path=p, labels=df[3]) + 1
    out["end"] = _int_column(df[2], what="BED file", col="3 (chromEnd)", path=p, labels=df[3])
    if df.shape[1] >= 6:
        out["strand"] = _norm_strand(df[5])
    return out


_ATTR_RX = {
    "gene_name": re.compile(r'(?:^|;)\s*gene_name[ =]"?([^";]+)"?'),
    "Name": re.compile(r'(?:^|;)\s*Name[ =]"?([^";]+)"?'),
    "gene_id": re.compile(r'(?:^|;)\s*gene_id[ =]"?([^";]+)"?'),
    "ID": re.compile(r'(?:^|;)\s*ID[ =]"?([^";]+)"?'),
    "biotype": re.compile(r'(?:^|;)\s*(?:gene_biotype|gene_type|biotype)[ =]"?([^";]+)"?'),
}


def _read_gtf(p: Path, text: str) -> pd.DataFrame:
    gene_lines = []
    for ln in text.splitlines():
        if ln.startswith("#") or not ln:
            continue
        f = ln.split("\t", 3)
        if len(f) > 2 and f[2] in _GENE_FEATURES:
            gene_lines.append(ln)
    if not gene_lines:
        msg = f"GTF/GFF '{p}' has no 'gene' features (column 3): gene coordinates are read from gene records; use a full annotation GTF/GFF3."
        raise InputError(msg)
    df = _tab_fields(gene_lines, p, what="GTF/GFF", want="9 columns (seqname ... attributes)", width=9)
    if df.shape[1] != 9:
        msg = f"GTF/GFF '{p}' has {df.shape[1]} tab-separated columns, expected 9 (seqname ... attributes)."
        raise InputError(msg)
    attrs = df[8]
    found = {k: attrs.str.extract(rx, expand=False) for k, rx in _ATTR_RX.items()}
    gene_id = found["gene_id"].fillna(found["ID"].str.replace(r"^gene:", "", regex=True))
    name = found["gene_name"].fillna(found["Name"]).fillna(gene_id)
    out = pd.DataFrame({"gene": name.to_numpy(dtype=object)})
    out["chrom"] = normalize_chrom(df[0])
    out["start"] = _int_column(df[3], what="GTF/GFF", col="4 (start)", path=p, labels=name)
    out["end"] = _int_column(df[4], what="GTF/GFF", col="5 (end)", path=p, labels=name)
    out["strand"] = _norm_strand(df[6])
    if gene_id.notna().any():
        out["gene_id"] = gene_id.to_numpy(dtype=object)
    if found["biotype"].notna().any():
        out["biotype"] = found["biotype"].to_numpy(dtype=object)
    return out


def _read_coord_table(p: Path, *, zero_based: bool) -> pd.DataFrame:
    df = read_table(p, what="gene-coordinate table", comment=None, dtype=str, keep_default_na=False)
    df.columns = [str(c).strip().lstrip("#") for c in df.columns]
    cols = {
        "gene": find_column(df, _GENE_NAMES),
        "chrom": find_column(df, _CHROM_NAMES),
        "start": find_column(df, _START_NAMES),
        "end": find_column(df, _END_NAMES),
    }
    missing = [k for k, v in cols.items() if v is None]
    if missing:
        shown = ", ".join(map(str, df.columns[:12]))
        msg = (
            f"gene-coordinate table '{p}' lacks column(s) for {', '.join(missing)} (found: {shown}): "
            "expected gene/symbol, chrom, start, end columns (or give a BED / GTF file)."
        )
        raise InputError(msg)
    labels = df[cols["gene"]]
    out = pd.DataFrame({"gene": labels.str.strip().to_numpy(dtype=object)})
    out["chrom"] = normalize_chrom(df[cols["chrom"]])
    out["start"] = _int_column(df[cols["start"]], what="gene-coordinate table", col=cols["start"], path=p, labels=labels)
    out["end"] = _int_column(df[cols["end"]], what="gene-coordinate table", col=cols["end"], path=p, labels=labels)
    if zero_based:
        out["start"] += 1
    for key, names in (("strand", _STRAND_NAMES), ("gene_id", _ID_NAMES), ("biotype", _BIOTYPE_NAMES)):
        c = find_column(df, names)
        if c is not None and c not in cols.values():
            out[key] = _norm_strand(df[c]) if key == "strand" else df[c].replace("", np.nan).to_numpy(dtype=object)
    return out


def read_gene_coordinates(path: PathLike, *, zero_based: bool = False) -> pd.DataFrame:
    r"""Read gene coordinates from a BED, GTF/GFF3 or TSV/CSV file.

    * **BED** (``.bed``, or 3+ tab-separated columns with integer columns 2 and 3): 0-based
      half-open starts are converted to 1-based closed; the gene name is column 4 and the
      strand column 6 when present.
    * **GTF / GFF3** (``.gtf``, ``.gff``, ``.gff3`` or 9 columns with attributes): records of
      type ``gene`` (also ``ncRNA_gene`` and ``pseudogene``); the name is the ``gene_name``
      attribute (else ``Name``, else ``gene_id``); ``gene_id`` and the biotype are kept.
    * **Table** (TSV/CSV with a header): columns for the symbol (``symbol``, ``gene``,
      ``gene_name`` ...), ``chrom``, ``start`` and ``end`` (common spellings recognised),
      plus ``strand``, ``gene_id``, ``biotype`` when present. Taken as 1-based closed
      (Ensembl / GENCODE / biomaRt); pass ``zero_based=True`` for UCSC-style tables.

    Chromosome names are normalised (``chr7`` == ``7``, ``chrX`` == ``X``, ``chrM`` == ``MT``)
    and strands to ``+`` / ``-``. All rows are kept (a symbol may occur more than once).

    Parameters
    ----------
    path
        The coordinate file (optionally gzipped).
    zero_based
        For tables only: starts are 0-based (converted to 1-based).

    Returns
    -------
    pandas.DataFrame
        Columns ``gene, chrom, start, end`` (int64, 1-based closed) and, when present,
        ``strand``, ``gene_id``, ``biotype``; ``.attrs['format']`` is ``bed``, ``gtf`` or
        ``table``.

    Raises
    ------
    InputError
        When a required column is missing or a coordinate is not an integer, or ``start >
        end``.

    Examples
    --------
    >>> from oncoresist import ds
    >>> read_gene_coordinates(ds.example_file("genes_bed")).to_dict("records")  # BED starts are 0-based
    [{'gene': 'EGFR', 'chrom': '7', 'start': 55019017, 'end': 55211628, 'strand': '+'}]
    """
    p = check_file(path, what="gene-coordinate file")
    text = read_text(p)
    if not text.strip():
        msg = f"gene-coordinate file '{p}' is empty: expected a BED, GTF/GFF or gene/chrom/start/end table."
        raise InputError(msg)
    fmt = _detect_coordinate_format(p, text)
    if fmt == "bed":
        check_complete(text, sep="\t", path=p, what="BED file", comment=("#", "track", "browser"), quoted=False)
        out = _read_bed(p, text)
    elif fmt == "gtf":
        check_complete(text, sep="\t", path=p, what="GTF/GFF", comment="#", expected=9, quoted=False)
        out = _read_gtf(p, text)
    else:
        out = _read_coord_table(p, zero_based=zero_based)
    bad = out["start"].to_numpy() > out["end"].to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        msg = (
            f"gene-coordinate file '{p}': gene {out['gene'].iloc[i]!r} has start {out['start'].iloc[i]} > end "
            f"{out['end'].iloc[i]} (data row {i + 1}); fix the coordinates."
        )
        raise InputError(msg)
    out = _named_genes(out, p)
    out.attrs["format"] = fmt
    out.attrs["source"] = str(p)
    return out


def _named_genes(out: pd.DataFrame, p: Path) -> pd.DataFrame:
    """Rows with a gene name (warning about the others); no gene at all is an :class:`InputError`."""
    empty = out["gene"].isna() | (out["gene"].astype(str).str.strip() == "")
    if empty.any():
        msg = f"gene-coordinate file '{p}': {int(empty.sum())} row(s) without a gene name are left out."
        warnings.warn(msg, UserWarning, stacklevel=3)
    out = out.loc[~empty].reset_index(drop=True)
    if out.empty:
        msg = (f"gene-coordinate file '{p}' holds no named gene (header only, or every row lacks a name): "
               "expected one gene per row with its name, chrom, start and end; is the file complete?")
        raise InputError(msg)
    return out


# --------------------------------------------------------------------------------------------
# segments -> genes
# --------------------------------------------------------------------------------------------
_SEG_SAMPLE = ("ID", "sample", "sample_id", "SampleID", "Sample_ID", "Sample", "Tumor_Sample_Barcode", "GDC_Aliquot", "barcode")
_SEG_CHROM = ("chrom", "chromosome", "chr", "Chromosome", "seqnames", "seqname", "Chr")
_SEG_START = ("loc.start", "start", "Start", "Start_Position", "startpos", "Start.bp", "chromStart", "loc_start")
_SEG_END = ("loc.end", "end", "End", "End_Position", "endpos", "End.bp", "stop", "chromEnd", "loc_end")
_SEG_MARKERS = ("num.mark", "num_markers", "Num_Probes", "num_probes", "nmarkers", "n_markers", "probes", "num.markers")
_SEG_VALUE = ("seg.mean", "Segment_Mean", "segment_mean", "log2", "log2_ratio", "log2ratio", "Log2Ratio", "logR", "seg_mean", "mean")
_OVERLAP = ("max_overlap", "weighted")


def _gene_table(genes: pd.DataFrame | PathLike | None) -> pd.DataFrame:
    if genes is None:
        msg = (
            "read_cnv_segments needs genes=: a gene-coordinate table (BED, GTF/GFF or gene/chrom/start/end "
            "TSV, or a DataFrame from read_gene_coordinates) in the same genome build as the segments; "
            "oncoresist has no built-in genome."
        )
        raise InputError(msg)
    if isinstance(genes, pd.DataFrame):
        missing = [c for c in ("gene", "chrom", "start", "end") if c not in genes.columns]
        if missing:
            msg = f"genes= DataFrame lacks column(s) {', '.join(map(repr, missing))}; found: {', '.join(map(str, genes.columns[:10]))}. Use read_gene_coordinates()."
            raise InputError(msg)
        g = genes.copy()
        g["chrom"] = normalize_chrom(g["chrom"])
        for c in ("start", "end"):
            g[c] = to_numeric_safe(g[c])
        return g
    return read_gene_coordinates(genes)


def _segments_to_genes(
    seg_key: np.ndarray,
    seg_start: np.ndarray,
    seg_end: np.ndarray,
    seg_value: np.ndarray,
    gene_chrom: np.ndarray,
    gene_start: np.ndarray,
    gene_end: np.ndarray,
    *,
    n_samples: int,
    n_chroms: int,
    overlap: str,
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised segment -> gene mapping (the numerical kernel of :func:`read_cnv_segments`).

    ``seg_key = sample_code * n_chroms + chrom_code``; ``gene_chrom`` are chromosome codes in the
    same coding. Segments and genes are 1-based closed intervals. All (sample, chromosome)
    groups are laid on one axis by offsetting coordinates by ``key * span``; segments are sorted
    by start and a running maximum of their ends lets ``searchsorted`` find, for every sample x
    gene query, the contiguous run of candidate segments (exact even when segments overlap).

    Returns ``(values, covered_bp)``, each ``n_samples x n_genes``: the value of the segment
    with the largest overlap (ties: the leftmost) or the overlap-weighted mean, NaN for genes
    no segment touches; and the number of gene bases covered by segments.
    """
    n_genes = gene_start.size
    values = np.full(n_samples * n_genes, np.nan)
    covered = np.zeros(n_samples * n_genes)
    if seg_key.size == 0 or n_genes == 0:
        return values.reshape(n_samples, n_genes), covered.reshape(n_samples, n_genes)
    span = int(max(seg_end.max(), gene_end.max(), 0)) + 2
    if (n_samples * n_chroms + 1) * span >= 2**62:  # pragma: no cover - > 10^9 groups of chromosomes
        msg = "too many samples x chromosomes to map at once; split the segment file."
        raise InputError(msg)
    off = seg_key.astype(np.int64) * span
    S = seg_start.astype(np.int64) + off
    E = seg_end.astype(np.int64) + off
    order = np.argsort(S, kind="stable")
    S, E, V = S[order], E[order], seg_value[order]
    run_max_end = np.maximum.accumulate(E)

    q_key = (np.arange(n_samples, dtype=np.int64)[:, None] * n_chroms + gene_chrom[None, :].astype(np.int64)).ravel()
    q_start = np.tile(gene_start.astype(np.int64), n_samples) + q_key * span
    q_end = np.tile(gene_end.astype(np.int64), n_samples) + q_key * span
    lo = np.searchsorted(run_max_end, q_start, side="left")
    hi = np.searchsorted(S, q_end, side="right")
    cnt = np.maximum(hi - lo, 0)
    total = int(cnt.sum())
    if total == 0:
        return values.reshape(n_samples, n_genes), covered.reshape(n_samples, n_genes)
    q_idx = np.repeat(np.arange(q_start.size), cnt)
    first = np.repeat(np.cumsum(cnt) - cnt, cnt)
    s_idx = np.repeat(lo, cnt) + (np.arange(total) - first)
    ov = np.minimum(E[s_idx], q_end[q_idx]) - np.maximum(S[s_idx], q_start[q_idx]) + 1
    keep = (ov > 0) & np.isfinite(V[s_idx])
    q_idx, s_idx, ov = q_idx[keep], s_idx[keep], ov[keep].astype(float)
    covered = np.bincount(q_idx, weights=ov, minlength=q_start.size)
    if overlap == "weighted":
        num = np.bincount(q_idx, weights=ov * V[s_idx], minlength=q_start.size)
        has = covered > 0
        values[has] = num[has] / covered[has]
    else:
        # pairs are grouped by query with segments in start order: the first pair reaching its
        # group's maximum overlap is the leftmost segment with the largest overlap
        if q_idx.size:
            head = np.ones(q_idx.size, dtype=bool)
            head[1:] = q_idx[1:] != q_idx[:-1]
            starts = np.flatnonzero(head)
            group = np.cumsum(head) - 1
            best = np.maximum.reduceat(ov, starts)
            hit = ov == best[group]
            first_hit = np.flatnonzero(hit)
            first_hit = first_hit[np.unique(group[first_hit], return_index=True)[1]]
            values[q_idx[first_hit]] = V[s_idx[first_hit]]
    return values.reshape(n_samples, n_genes), covered.reshape(n_samples, n_genes)


def read_cnv_segments(
    path: PathLike,
    *,
    genes: pd.DataFrame | PathLike | None = None,
    overlap: Literal["max_overlap", "weighted"] = "max_overlap",
    sample_column: str | None = None,
    value_column: str | None = None,
    zero_based: bool = False,
    sample: str | None = None,
    values: Literal["log2", "copy_number"] = "log2",
) -> ad.AnnData:
    r"""Map copy-number segments onto genes: the ``cnv`` layer from a segment file.

    Reads a segment table (DNAcopy / IGV ``.seg``, GDC / TCGA segment files, CNVkit ``.cns``,
    ASCAT / PURPLE exports ...) with columns for the sample (``ID``, ``sample`` ...), ``chrom``,
    ``start`` / ``loc.start``, ``end`` / ``loc.end``, optionally the number of markers, and the
    value (``seg.mean``, ``Segment_Mean``, ``log2`` ...). Each gene gets, per sample, the value
    of the segment overlapping it most (``overlap="max_overlap"``; ties go to the leftmost
    segment) or the overlap-length-weighted mean of all overlapping segments
    (``"weighted"``). Genes that no segment touches are NaN.

    Parameters
    ----------
    path
        Segment file (tab- or comma-separated, optionally gzipped).
    genes
        Gene coordinates in the **same genome build** as the segments: a file read by
        :func:`read_gene_coordinates` or its DataFrame. Required: there is no built-in genome.
    overlap
        ``"max_overlap"`` (default) or ``"weighted"``.
    sample_column, value_column
        Override the detected sample / value column.
    zero_based
        Segment starts are 0-based (BED-like, e.g. CNVkit ``.cns``); default 1-based closed
        (DNAcopy, GDC, IGV ``.seg``).
    sample
        Sample name for a single-sample file without a sample column (default: the file name,
        with a warning).
    values
        What the segment values are, recorded in ``uns['cnv']['values']``: ``"log2"`` (log2
        copy ratio, default) or ``"copy_number"`` (absolute copy number, e.g. ASCAT / PURPLE
        with ``value_column=``). Values are never transformed.

    Returns
    -------
    anndata.AnnData
        Samples x genes. ``X`` float64 segment values as given; ``layers
        ['covered_fraction']`` float32 share of each gene's length covered by segments;
        ``var``: ``chrom``, ``start``, ``end`` (+ ``strand``, ``gene_id`` when in the gene
        table); ``uns['cnv']``: ``values``, ``format='segments'``, ``overlap``, ``file``,
        the columns used, numbers of segments / samples / genes not covered, chromosomes of
        segments absent from the gene table, duplicated gene symbols (first kept).

    Raises
    ------
    InputError
        Without ``genes``, when a column cannot be found, a coordinate or value is not a
        number, or a segment ends before it starts.

    Examples
    --------
    >>> import pandas as pd
    >>> from oncoresist import ds
    >>> seg = ds.example_file("segments")  # S1: chr7 1-60 Mb at log2 1.2, 60-159 Mb at 0.0
    >>> genes = pd.DataFrame({"gene": ["EGFR", "BRAF", "TP53"], "chrom": ["7", "7", "17"],
    ...                       "start": [55019017, 140719327, 7661779], "end": [55211628, 140924929, 7687538]})
    >>> read_cnv_segments(seg, genes=genes).to_df()
        EGFR  BRAF  TP53
    S1   1.2   0.0   NaN
    """
    _check_segment_options(values, overlap)
    gtab = _gene_table(genes)
    p = check_file(path, what="segment file")
    seg = read_table(p, what="segment file", comment="#")
    seg.columns = [str(c).strip() for c in seg.columns]
    s_col, c_col, b_col, e_col, v_col, m_col = _segment_columns(seg, p, sample_column, value_column)
    seg_samples = _segment_samples(seg, s_col, sample, p)
    seg_chrom, seg_start, seg_end, seg_value = _segment_coordinates(seg, p, (c_col, b_col, e_col, v_col), seg_samples, zero_based)
    g, dup_genes = _usable_genes(gtab)
    samples, seg_ok, vals, covered_fraction = _gene_values(g, seg_samples, seg_chrom, seg_start, seg_end, seg_value, overlap)
    unmatched = _warn_unmatched_chromosomes(p, g, seg_chrom[seg_ok])
    adata = _segment_adata(g, samples, seg_samples, vals, covered_fraction)
    adata.uns["cnv"] = {
        "values": values,
        "format": "segments",
        "overlap": overlap,
        "file": str(p),
        "columns": {"sample": s_col or "", "chrom": c_col, "start": b_col, "end": e_col, "value": v_col, "markers": m_col or ""},
        "n_segments": int(len(seg)),
        "n_segments_missing_value": int(np.isnan(seg_value).sum()),
        "n_genes_not_covered": int(np.all(np.isnan(vals), axis=0).sum()),
        "unmatched_chromosomes": ",".join(map(str, unmatched)),
        "duplicate_genes": ",".join(dup_genes),
    }
    return adata


def _check_segment_options(values: str, overlap: str) -> None:
    """Refuse an unknown ``values`` or ``overlap`` option."""
    if values not in ("log2", "copy_number"):
        msg = f"values={values!r} is not known for segments; expected 'log2' or 'copy_number'."
        raise InputError(msg)
    if overlap not in _OVERLAP:
        msg = f"overlap={overlap!r} is not known; expected 'max_overlap' or 'weighted'."
        raise InputError(msg)


def _pick_segment_column(
    seg: pd.DataFrame, p: Path, override: str | None, names: Sequence[str], what: str, required: bool = True
) -> str | None:
    """The column given by ``override`` or found among ``names``; raise when absent and needed."""
    if override is not None:
        c = find_column(seg, [override])
        if c is None:
            msg = f"segment file '{p}' has no column {override!r} (found: {', '.join(map(str, seg.columns[:12]))}); check {what}=."
            raise InputError(msg)
        return c
    c = find_column(seg, names)
    if c is None and required:
        msg = (
            f"segment file '{p}' lacks a {what} column (tried {', '.join(names[:6])}, ...; found: "
            f"{', '.join(map(str, seg.columns[:12]))}): rename it or pass {what}_column=."
        )
        raise InputError(msg)
    return c


def _segment_columns(
    seg: pd.DataFrame, p: Path, sample_column: str | None, value_column: str | None
) -> tuple[str | None, str, str, str, str, str | None]:
    """(sample, chrom, start, end, value, markers) columns of a segment table; an empty table raises."""
    s_col = _pick_segment_column(seg, p, sample_column, _SEG_SAMPLE, "sample", required=False)
    c_col = cast(str, _pick_segment_column(seg, p, None, _SEG_CHROM, "chrom"))
    b_col = cast(str, _pick_segment_column(seg, p, None, _SEG_START, "start"))
    e_col = cast(str, _pick_segment_column(seg, p, None, _SEG_END, "end"))
    v_col = cast(str, _pick_segment_column(seg, p, value_column, _SEG_VALUE, "value"))
    m_col = _pick_segment_column(seg, p, None, _SEG_MARKERS, "markers", required=False)
    if len(seg) == 0:
        msg = f"segment file '{p}' has a header but no segments."
        raise InputError(msg)
    return s_col, c_col, b_col, e_col, v_col, m_col


def _segment_samples(seg: pd.DataFrame, s_col: str | None, sample: str | None, p: Path) -> pd.Index:
    """Sample of each segment: the sample column, else ``sample=``, else the file name (warned)."""
    if s_col is not None:
        return clean_ids(seg[s_col])
    name = sample
    if name is None:
        name = p.name
        for suf in (".gz", ".seg", ".cns", ".cnr", ".tsv", ".txt", ".csv"):
            name = name.removesuffix(suf)
        warnings.warn(
            f"segment file '{p}' has no sample column; all segments are taken as sample {name!r} "
            "(from the file name). Pass sample= to name it.",
            UserWarning,
            stacklevel=3,
        )
    return pd.Index([name] * len(seg), dtype=object)


def _segment_coordinates(
    seg: pd.DataFrame, p: Path, cols: tuple[str, str, str, str], seg_samples: pd.Index, zero_based: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(chrom, 1-based start, end, value) per segment; non-numeric values or start > end raise."""
    c_col, b_col, e_col, v_col = cols
    seg_chrom = normalize_chrom(seg[c_col])
    labels = pd.Series(seg_samples, dtype=object)
    seg_start = _int_column(seg[b_col], what="segment file", col=b_col, path=p, labels=labels) + (1 if zero_based else 0)
    seg_end = _int_column(seg[e_col], what="segment file", col=e_col, path=p, labels=labels)
    raw_v = seg[v_col]
    seg_value = to_numeric_safe(raw_v).to_numpy(dtype=float)
    bad_v = np.isnan(seg_value) & raw_v.notna().to_numpy() & ~raw_v.astype(str).str.strip().str.lower().isin(["", "na", "nan", "."]).to_numpy()
    if bad_v.any():
        i = int(np.flatnonzero(bad_v)[0])
        msg = f"segment file '{p}' column {v_col!r} has a non-numeric value {raw_v.iloc[i]!r} at data row {i + 1} (sample {labels.iloc[i]}): expected numbers (empty / NA for missing)."
        raise InputError(msg)
    bad = seg_start > seg_end
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        msg = f"segment file '{p}': segment at data row {i + 1} (sample {labels.iloc[i]}, chrom {seg_chrom[i]}) starts at {seg_start[i]} after its end {seg_end[i]}; fix the coordinates."
        raise InputError(msg)
    return seg_chrom, seg_start, seg_end, seg_value


def _usable_genes(gtab: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Gene rows with coordinates, one per symbol (first kept); return them and the repeated symbols."""
    g = gtab.copy()
    unusable = g["chrom"].isna() | g["start"].isna() | g["end"].isna()
    if unusable.any():
        warnings.warn(
            f"{int(unusable.sum())} gene(s) in the coordinate table lack chrom/start/end and are left out.",
            UserWarning,
            stacklevel=3,
        )
        g = g.loc[~unusable]
    g["gene"] = g["gene"].astype(str)
    dup_mask = g["gene"].duplicated()
    dup_genes = sorted(pd.unique(g.loc[dup_mask, "gene"]))
    if dup_genes:
        warnings.warn(
            f"{len(dup_genes)} gene symbol(s) occur more than once in the coordinate table (e.g. "
            f"{', '.join(dup_genes[:5])}); the first row of each is used (listed in uns['cnv']['duplicate_genes']).",
            UserWarning,
            stacklevel=3,
        )
        g = g.loc[~dup_mask]
    return g.reset_index(drop=True), dup_genes


def _gene_values(
    g: pd.DataFrame,
    seg_samples: pd.Index,
    seg_chrom: np.ndarray,
    seg_start: np.ndarray,
    seg_end: np.ndarray,
    seg_value: np.ndarray,
    overlap: str,
) -> tuple[pd.Index, np.ndarray, np.ndarray, np.ndarray]:
    """(samples, segments with a chromosome, samples x genes values, covered fraction)."""
    chroms = pd.Index(pd.unique(np.concatenate([g["chrom"].to_numpy(dtype=object), seg_chrom.astype(object)])))
    chroms = chroms[pd.notna(chroms)]
    samples = pd.Index(pd.unique(seg_samples), dtype=object)
    seg_ok = pd.notna(seg_chrom)
    s_code = samples.get_indexer(seg_samples)
    c_code = chroms.get_indexer(seg_chrom)
    key = s_code.astype(np.int64) * len(chroms) + c_code
    vals, cov = _segments_to_genes(
        key[seg_ok],
        seg_start[seg_ok],
        seg_end[seg_ok],
        seg_value[seg_ok],
        chroms.get_indexer(g["chrom"].to_numpy(dtype=object)),
        g["start"].to_numpy(dtype=np.int64),
        g["end"].to_numpy(dtype=np.int64),
        n_samples=len(samples),
        n_chroms=len(chroms),
        overlap=overlap,
    )
    length = (g["end"].to_numpy(dtype=float) - g["start"].to_numpy(dtype=float) + 1)[None, :]
    return samples, seg_ok, vals, np.clip(cov / length, 0.0, 1.0).astype(np.float32)


def _warn_unmatched_chromosomes(p: Path, g: pd.DataFrame, seg_chrom: np.ndarray) -> list:
    """Chromosomes of segments the gene table lacks (warned about: build or naming mismatch)."""
    gene_chroms = set(g["chrom"])
    unmatched = sorted({c for c in seg_chrom if c not in gene_chroms}, key=str)
    if unmatched:
        warnings.warn(
            f"segment file '{p}' has segments on chromosome(s) {', '.join(map(str, unmatched[:8]))} that the gene "
            "table does not have; check that both use the same genome build and naming (e.g. 23 vs X).",
            UserWarning,
            stacklevel=3,
        )
    return unmatched


def _segment_adata(
    g: pd.DataFrame, samples: pd.Index, seg_samples: pd.Index, vals: np.ndarray, covered_fraction: np.ndarray
) -> ad.AnnData:
    """Samples x genes AnnData with gene coordinates in ``var`` and segment counts in ``obs``."""
    var_cols = [c for c in ("chrom", "start", "end", "strand", "gene_id", "biotype") if c in g.columns]
    var = g.set_index("gene")[var_cols].copy()
    var.index = pd.Index(var.index.astype(str), dtype=object)
    var.index.name = None
    var["start"] = var["start"].astype(np.int64)
    var["end"] = var["end"].astype(np.int64)
    obs = pd.DataFrame(index=pd.Index(samples.astype(str), dtype=object))
    obs["n_segments"] = pd.Series(seg_samples).value_counts().reindex(samples).to_numpy(dtype=np.int64)
    adata = ad.AnnData(X=vals, obs=obs, var=var)
    adata.layers["covered_fraction"] = covered_fraction
    return adata

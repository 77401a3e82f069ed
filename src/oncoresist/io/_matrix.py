"""Read numeric omics matrices (CSV/TSV/CCT/CBT/GCT, gzipped or not) into samples x features AnnData.

:func:`read_matrix` is the one reader for every wide table of numbers: expression, protein
abundance, copy number, methylation, drug-summary matrices. It works out whether samples are
rows or columns (``orientation="auto"``), keeps non-numeric annotation columns (gene symbols,
descriptions, cytobands ...) in ``.var`` (or ``.obs`` for a samples x features file) and records
what it decided in ``adata.uns['read_matrix']``.

:func:`parse_site_ids` splits phosphosite identifiers (``AAAS-S495``, ``AAAS_S495``,
``GENE_pS12``, ``GENE-S12S15`` ...) into gene, residue and position; :func:`read_phospho_matrix`
is :func:`read_matrix` plus that parsing into ``.var``.
"""

from __future__ import annotations

import csv
import logging
import re
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import anndata as ad
import numpy as np
import pandas as pd

from .._core._errors import InputError
from .._core._utils import (
    PathLike,
    check_complete,
    check_file,
    check_unique,
    clean_ids,
    parse_csv,
    read_text,
    sniff_sep,
    to_numeric_frame,
    to_numeric_safe,
)

__all__ = ["parse_site_ids", "read_matrix", "read_phospho_matrix"]

logger = logging.getLogger(__name__)

ORIENTATIONS = ("auto", "features_x_samples", "samples_x_features")

# --------------------------------------------------------------------------------------------
# vocabularies used by the orientation / annotation detection
# --------------------------------------------------------------------------------------------
def _norm(name: Any) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


#: Column names (normalised: lower case, alphanumerics only) that annotate features, never samples.
_FEATURE_ANNOTATION_NAMES = frozenset(
    _norm(n)
    for n in (
        "Gene Symbol", "gene", "gene_name", "gene_names", "genes", "symbol", "Hugo_Symbol", "hgnc_symbol",
        "Description", "desc", "Cytoband", "band", "Chromosome", "chrom", "chr", "Start", "End", "Stop",
        "Strand", "Entrez", "Entrez_Gene_Id", "entrez_id", "gene_id", "GeneID", "Ensembl", "ensembl_id",
        "ensembl_gene_id", "gene_type", "biotype", "gene_biotype", "Accession", "protein_id", "Protein IDs",
        "uniprot", "uniprot_id", "refseq", "refseq_id", "transcript_id", "Locus", "Length", "probe_id",
        "ProbeID", "Probe Set ID", "Sequence", "Sequence window", "Residue", "Position", "Site", "Peptide",
    )
)

#: Row-label column headers that say the rows are samples.
_SAMPLE_HEADER_NAMES = frozenset(
    _norm(n)
    for n in (
        "sample", "sample_id", "samples", "sampleid", "patient", "patient_id", "patientid", "case",
        "case_id", "cell_line", "cellline", "cell_line_name", "cellosaurus", "COSMIC_ID", "cosmic",
        "DepMap_ID", "depmap_id", "ModelID", "model_id", "barcode", "Tumor_Sample_Barcode", "donor",
        "subject", "subject_id", "specimen", "aliquot",
    )
)

#: Row-label column headers that say the rows are features.
_FEATURE_HEADER_NAMES = frozenset(
    _norm(n)
    for n in (
        "gene", "genes", "gene_symbol", "gene_name", "symbol", "Hugo_Symbol", "gene_id", "feature",
        "feature_id", "features", "probe", "probe_id", "probeset", "Name", "protein", "protein_id",
        "site", "site_id", "phosphosite", "ensembl_gene_id", "entrez_id", "drug", "compound", "cpg",
        "cg", "mirna", "mir", "peptide",
    )
)

_FEATURE_PATTERNS = re.compile(
    "|".join(
        (
            r"^ENS[A-Z]*[GTPE]\d{6,}(\.\d+)?$",  # Ensembl gene / transcript / protein
            r"^\(\d+\)$",  # Entrez ID in parentheses (TGSA, DepMap)
            r"^\S+ \(\d+\)$",  # 'TP53 (7157)' (DepMap)
            r"_(s_|x_|a_|i_|f_|r_|g_)?at$",  # Affymetrix probe sets
            r"^ILMN_\d+$",  # Illumina probes
            r"^c[gh]\d{6,}$",  # methylation CpG probes
            r"^[NX][MRP]_\d+",  # RefSeq
            r"^\S+[-_ ]p?[STYHKRDE]\d+[a-z]?([STYHKRDE]?\d+[a-z]?)*$",  # modification sites
            r"_p\.[A-Z*]",  # gene_p.E298K (binary mutation matrices)
            r"^(hsa-)?(mir|let)-",  # miRNA
            r"^([OPQ]\d[A-Z0-9]{3}\d|[A-NR-Z]\d([A-Z][A-Z0-9]{2}\d){1,2})(-\d+)?$",  # UniProt
            r"^C\d+orf\d+$",  # open reading frames
            r"^Drug[_ ]?\d+",  # GDSC drug columns
            r"_(IC50|AUC|EC50|DSS\d?|AAC)$",  # drug summary metrics
        )
    ),
    flags=re.IGNORECASE,
)

_SAMPLE_PATTERNS = re.compile(
    "|".join(
        (
            r"^TCGA-[A-Z0-9]{2}-[A-Z0-9]{4}",  # TCGA barcodes
            r"^C3[LN]-\d{5}",  # CPTAC participants
            r"^\d{2}(CO|BR|OV)\d{3}",  # CPTAC (older)
            r"^ACH-\d{6}$",  # DepMap cell lines
            r"^[A-Z0-9]+_[A-Z]{4,}(_[A-Z]+)*$",  # CCLE names, e.g. A549_LUNG
            r"\.CEL(\.gz)?$|HG-U133|GenomeWideSNP|_NCLE_",  # array files
            r"^(S|P|PT|PAT|PATIENT|SAMPLE|SAMP|CASE|H|CLL|SUBJ|SUBJECT|DONOR|TUMOU?R)[-_. ]?\d+[A-Z]?(\.N|\.T|_N|_T)?$",
            r"^(sample|patient|donor|case|tumou?r|normal)",  # descriptive sample names
            r"^G\d{5}\.",  # CCLE RNA-seq run names
        )
    ),
    flags=re.IGNORECASE,
)


def _fraction(labels: Sequence[str], rx: re.Pattern[str]) -> float:
    if not len(labels):
        return 0.0
    return float(np.mean([bool(rx.search(s)) for s in labels]))


def _shape(label: str) -> str:
    return re.sub(r"[A-Za-z]", "a", re.sub(r"\d", "9", label))


def _homogeneity(labels: Sequence[str]) -> float:
    """Share of labels with the most common character shape (sample IDs share one shape)."""
    if not len(labels):
        return 0.0
    return float(pd.Series([_shape(s) for s in labels]).value_counts().iloc[0] / len(labels))


def _subsample(labels: Sequence[str], n: int = 2000) -> list[str]:
    labels = [str(x) for x in labels]
    if len(labels) <= n:
        return labels
    idx = np.linspace(0, len(labels) - 1, n).astype(int)
    return [labels[i] for i in idx]


def _detect_orientation(
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    *,
    row_header: str,
    feature_annotations: Sequence[str],
) -> tuple[str, str]:
    """Decide whether rows are features or samples; return (orientation, reason)."""
    if feature_annotations:
        return "features_x_samples", (
            f"feature annotation column(s) {', '.join(map(repr, feature_annotations))} beside the data"
        )
    h = _norm(row_header)
    if h and h in _SAMPLE_HEADER_NAMES:
        return "samples_x_features", f"row-label column {row_header!r} names samples"
    if h and h in _FEATURE_HEADER_NAMES:
        return "features_x_samples", f"row-label column {row_header!r} names features"
    rows, cols = _subsample(row_labels), _subsample(col_labels)
    fr, fc = _fraction(rows, _FEATURE_PATTERNS), _fraction(cols, _FEATURE_PATTERNS)
    sr, sc = _fraction(rows, _SAMPLE_PATTERNS), _fraction(cols, _SAMPLE_PATTERNS)
    evidence = (fr - fc) + (sc - sr)
    detail = (
        f"feature-like IDs: rows {fr:.0%}, columns {fc:.0%}; sample-like IDs: rows {sr:.0%}, columns {sc:.0%}"
    )
    if evidence >= 0.5:
        return "features_x_samples", detail
    if evidence <= -0.5:
        return "samples_x_features", detail
    hr, hc = _homogeneity(rows), _homogeneity(cols)
    if hc - hr >= 0.3:
        return "features_x_samples", f"{detail}; column labels share one ID shape ({hc:.0%} vs rows {hr:.0%})"
    if hr - hc >= 0.3:
        return "samples_x_features", f"{detail}; row labels share one ID shape ({hr:.0%} vs columns {hc:.0%})"
    if len(row_labels) >= len(col_labels):
        return "features_x_samples", f"{detail}; undecided by IDs, so the longer axis (rows, {len(row_labels)}) is taken as features"
    return "samples_x_features", f"{detail}; undecided by IDs, so the longer axis (columns, {len(col_labels)}) is taken as features"


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------
def _make_unique(ids: pd.Index) -> tuple[pd.Index, list[str]]:
    """Append ``-1``, ``-2`` ... to repeated IDs (first occurrence unchanged); return duplicated IDs."""
    dup_mask = ids.duplicated(keep=False)
    if not dup_mask.any():
        return ids, []
    dups = list(pd.unique(ids[dup_mask]))
    taken = set(ids)
    seen: dict[str, int] = {}
    out = []
    for s in ids:
        if s in seen:
            k = seen[s]
            new = f"{s}-{k}"
            while new in taken:
                k += 1
                new = f"{s}-{k}"
            seen[s] = k + 1
            taken.add(new)
            out.append(new)
        else:
            seen[s] = 1
            out.append(s)
    return pd.Index(out, dtype=object), dups


def _mostly_text(s: pd.Series) -> bool:
    """True when fewer than half of the non-missing cells of ``s`` parse as numbers."""
    if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        return False
    vals = s.dropna().astype(str).str.strip()
    vals = vals[~vals.str.lower().isin({"", "na", "nan", "n/a", "null", "none", ".", "-", "#n/a"})]
    if vals.empty:
        return False
    return float(to_numeric_safe(vals).notna().mean()) < 0.5


def _parse_header(text: str, sep: str) -> list[str]:
    end = text.find("\n")
    first = (text if end < 0 else text[:end]).rstrip("\r")
    try:
        return [h.strip() for h in next(csv.reader([first], delimiter=sep))]
    except (csv.Error, StopIteration):  # pragma: no cover - csv.reader on one line rarely fails
        return [h.strip() for h in first.split(sep)]


def _is_number_dtype(dt: Any) -> bool:
    return pd.api.types.is_numeric_dtype(dt) and not pd.api.types.is_bool_dtype(dt)


def _numeric_values(
    df: pd.DataFrame, cols: list[int], index: pd.Index, columns: pd.Index, *, what: str, path: PathLike
) -> np.ndarray:
    """Values of ``df[cols]`` as a float array; non-numeric cells raise with row / column names."""
    dtypes = df.dtypes
    if all(_is_number_dtype(dtypes.iloc[c]) for c in cols):
        return df[cols].to_numpy(dtype=float)
    values = df[cols]
    values.index = index
    values.columns = columns
    return to_numeric_frame(values, what=what, path=path).to_numpy(dtype=float)


def _empty_ids(ids: pd.Index) -> list[int]:
    return [i for i, s in enumerate(ids) if s in ("", "nan", "NaN", "None")]


# --------------------------------------------------------------------------------------------
# read_matrix
# --------------------------------------------------------------------------------------------
def read_matrix(
    path: PathLike,
    *,
    orientation: str = "auto",
    feature_column: str | None = None,
    annotation_columns: Sequence[str] | None = None,
    sep: str | None = None,
    layer_name: str | None = None,
) -> ad.AnnData:
    r"""Read a numeric matrix file into a samples x features :class:`~anndata.AnnData`.

    Accepts CSV, TSV, CPTAC ``.cct`` / ``.cbt``, GCT (``#1.2`` header) and their ``.gz``
    versions, laid out either features x samples (the usual omics layout) or samples x
    features. The first column (or ``feature_column``) holds the row labels.

    Parameters
    ----------
    path
        Matrix file.
    orientation
        ``"auto"`` (default) decides from, in order: feature annotation columns beside the data
        (``Gene Symbol``, ``Description`` ... mean rows are features); the header of the
        row-label column (``gene``/``Name`` vs ``sample``/``COSMIC_ID`` ...); which labels
        look like feature IDs (Ensembl, Entrez, probes, sites, UniProt ...) or sample IDs
        (TCGA / CPTAC / DepMap barcodes, ``S001``, ``P12`` ...); which axis's labels share one
        ID shape (sample IDs usually do); finally the longer axis is taken as features.
        ``"features_x_samples"`` or ``"samples_x_features"`` forces it. The decision and its
        reason are stored in ``uns['read_matrix']`` and logged at INFO level.
    feature_column
        Column holding the row labels (feature IDs in a features x samples file); default the
        first column. Naming it with ``orientation="auto"`` implies features x samples; with
        ``orientation="samples_x_features"`` it names the sample-ID column instead.
    annotation_columns
        Columns that are annotations rather than samples; in a features x samples file they go
        to ``.var``, in a samples x features file to ``.obs``. By default these are the columns
        with a known annotation name (``Gene Symbol``, ``Description``, ``Cytoband``,
        ``Entrez_Gene_Id``, ``Chromosome`` ...) plus every column whose cells are mostly
        non-numeric. When given, exactly these columns are annotations (no detection), so a
        text cell in any other column is reported as an error. A ``/`` in an annotation
        column's name becomes ``_`` (HDF5 cannot store it).
    sep
        Column separator; detected from the extension / content when ``None``.
    layer_name
        Name of the layer, used in messages; when given, the values are also stored in
        ``adata.layers[layer_name]`` (e.g. ``"counts"`` for raw RNA counts, so a normaliser can
        overwrite ``X`` later).

    Returns
    -------
    AnnData
        ``X`` = float64 values (NaN = missing) with samples as ``obs`` and features as ``var``.
        Sample IDs are cleaned (:func:`oncoresist._utils.clean_ids`). Duplicated feature IDs
        are kept (not aggregated) and made unique by appending ``-1``, ``-2`` ... to repeats,
        with a :class:`UserWarning` giving how many; the original ID is then kept in
        ``var['feature_id']``. ``uns['read_matrix']`` records the file, orientation, the
        reason, the row-label and annotation columns, the number of duplicated features and
        of unnamed, entirely empty columns removed (made by trailing separators).

    Raises
    ------
    InputError
        When the file is missing / unreadable / empty, has no data rows or sample columns, a
        duplicated or empty sample ID, or a non-numeric value (named with feature and sample).

    Examples
    --------
    >>> from oncoresist import ds
    >>> adata = read_matrix(ds.example_file("matrix"))  # genes TP53, EGFR x samples S1, S2
    >>> adata.shape, list(adata.obs_names), adata.uns["read_matrix"]["orientation"]
    ((2, 2), ['S1', 'S2'], 'features_x_samples')
    """
    if orientation not in ORIENTATIONS:
        msg = f"orientation={orientation!r} is not known; expected one of {', '.join(ORIENTATIONS)}."
        raise InputError(msg)
    p = check_file(path, what="matrix file")
    text, sep, header = _matrix_text(p, sep)
    label_pos = _column_pos(header, feature_column, "feature_column", p) if feature_column is not None else 0
    df, header = _read_matrix_frame(text, sep, label_pos, header, p)
    df, header, label_pos, n_blank = _drop_blank_columns(df, header, label_pos, p)
    ann_pos, data_pos, known_feature_ann = _annotation_positions(df, header, label_pos, annotation_columns, p)
    row_labels = clean_ids(df[label_pos].astype(object).where(df[label_pos].notna(), ""))
    col_labels = clean_ids([header[i] for i in data_pos])
    orient, reason = _matrix_orientation(orientation, feature_column, row_labels, col_labels, header[label_pos], known_feature_ann)
    logger.info("read_matrix %s: %s (%s)", p, orient, reason)
    samples, features = _matrix_ids(orient, row_labels, col_labels, header, data_pos, p)
    adata, n_dup_rows = _matrix_anndata(df, orient, data_pos, ann_pos, header, samples, features, layer_name=layer_name, path=p)
    adata.uns["read_matrix"] = {
        "file": str(p),
        "orientation": orient,
        "orientation_reason": reason,
        "row_label_column": header[label_pos] or f"column {label_pos + 1}",
        "annotation_columns": [header[i] for i in ann_pos],
        "n_duplicated_features": n_dup_rows,
        "n_empty_columns_removed": n_blank,
        "layer_name": layer_name or "",
    }
    return adata


def _matrix_orientation(
    orientation: str, feature_column: str | None, row_labels: pd.Index, col_labels: pd.Index, row_header: str, known_feature_ann: list[str]
) -> tuple[str, str]:
    """The orientation and the reason for it (given, implied by ``feature_column`` or detected)."""
    if orientation != "auto":
        return orientation, "given by the caller"
    if feature_column is not None:
        return "features_x_samples", f"feature_column={feature_column!r} given"
    return _detect_orientation(list(row_labels), list(col_labels), row_header=row_header, feature_annotations=known_feature_ann)


def _matrix_text(p: PathLike, sep: str | None) -> tuple[str, str, list[str]]:
    """The text from the header line on (a GCT's first two lines removed), the separator and the header; raise when empty."""
    text = read_text(p)
    if text.startswith("#1."):  # GCT: version line + dimensions line before the header
        parts = text.split("\n", 2)
        text = parts[2] if len(parts) == 3 else ""
    if not text or text.isspace():
        msg = f"matrix file '{p}' is empty: expected a header line (row-label column + sample or feature IDs) and data rows."
        raise InputError(msg)
    if sep is None:
        sep = sniff_sep(text[:200_000], p)
    return text, sep, _parse_header(text, sep)


def _column_pos(header: list[str], name: str, option: str, p: PathLike) -> int:
    """Position of column ``name`` in ``header`` (exact, then case-insensitive); raise naming ``option``."""
    if name in header:
        return header.index(name)
    lower = [h.lower() for h in header]
    if name.lower() in lower:
        return lower.index(name.lower())
    shown = ", ".join(header[:12]) + (", ..." if len(header) > 12 else "")
    msg = f"{option} {name!r} is not a column of '{p}'; found: {shown}. Pass one of these names."
    raise InputError(msg)


def _read_matrix_frame(text: str, sep: str, label_pos: int, header: list[str], p: PathLike) -> tuple[pd.DataFrame, list[str]]:
    """Parse the table (row labels kept as text); return it and its header names."""
    try:
        # row labels stay text ('0001', '1287381'), whatever they look like
        check_complete(text, sep=sep, path=p, what="matrix file")
        df = parse_csv(text, sep=sep, path=p, what="matrix file", header=0, low_memory=False, converters={label_pos: str})
    except (pd.errors.ParserError, ValueError) as e:
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        msg = f"cannot parse matrix file '{p}' as a {'tab' if sep == chr(9) else repr(sep)}-separated table: {first}. Pass sep= if the separator is unusual."
        raise InputError(msg) from e
    if len(header) != df.shape[1]:
        header = [str(c) for c in df.columns]
    return df, header


def _drop_blank_columns(
    df: pd.DataFrame, header: list[str], label_pos: int, p: PathLike
) -> tuple[pd.DataFrame, list[str], int, int]:
    """Drop unnamed, entirely empty columns (trailing separators), number the columns, check the shape."""
    blank = [i for i, h in enumerate(header) if h == "" and i != label_pos and df.iloc[:, i].isna().all()]
    if blank:
        logger.info("read_matrix %s: %d unnamed empty column(s) removed (trailing separators)", p, len(blank))
        keep = [i for i in range(df.shape[1]) if i not in set(blank)]
        df = df.iloc[:, keep]
        header = [header[i] for i in keep]
        label_pos = keep.index(label_pos)
    df.columns = pd.RangeIndex(df.shape[1])
    if df.shape[0] == 0 or df.shape[1] < 2:
        msg = (
            f"matrix file '{p}' has {df.shape[0]} data row(s) and {df.shape[1]} column(s): expected a row-label "
            "column plus at least one value column and one data row. Check the separator (sep=) and the file."
        )
        raise InputError(msg)
    return df, header, label_pos, len(blank)


def _annotation_positions(
    df: pd.DataFrame, header: list[str], label_pos: int, annotation_columns: Sequence[str] | None, p: PathLike
) -> tuple[list[int], list[int], list[str]]:
    """Annotation and value column positions, and the known feature-annotation names found."""
    others = [i for i in range(df.shape[1]) if i != label_pos]
    if annotation_columns is not None:
        if isinstance(annotation_columns, str):
            annotation_columns = [annotation_columns]
        ann_pos = [_column_pos(header, c, "annotation column", p) for c in annotation_columns]
        ann_pos = [i for i in ann_pos if i != label_pos]
        known_feature_ann = []
    else:
        known = [i for i in others if _norm(header[i]) in _FEATURE_ANNOTATION_NAMES]
        numeric_cols = {i for i, dt in enumerate(df.dtypes) if _is_number_dtype(dt)}
        texty = [i for i in others if i not in known and i not in numeric_cols and _mostly_text(df[i])]
        ann_pos = known + texty
        known_feature_ann = [header[i] for i in known]
    ann_set = set(ann_pos)
    data_pos = [i for i in others if i not in ann_set]
    if not data_pos:
        msg = (
            f"matrix file '{p}' has no numeric value columns (columns {', '.join(header[:8])} are labels or "
            "annotations): expected samples or features as numeric columns. Check the separator and annotation_columns=."
        )
        raise InputError(msg)
    return ann_pos, data_pos, known_feature_ann


def _matrix_ids(
    orient: str, row_labels: pd.Index, col_labels: pd.Index, header: list[str], data_pos: list[int], p: PathLike
) -> tuple[pd.Index, pd.Index]:
    """Sample and feature IDs for ``orient``; raise on empty IDs or duplicated samples."""
    if orient == "features_x_samples":
        samples, features = col_labels, row_labels
        empty_s = [header[data_pos[i]] or f"column {data_pos[i] + 1}" for i in _empty_ids(samples)]
        empty_f = [f"data row {i + 1}" for i in _empty_ids(features)]
    else:
        samples, features = row_labels, col_labels
        empty_s = [f"data row {i + 1}" for i in _empty_ids(samples)]
        empty_f = [f"column {data_pos[i] + 1}" for i in _empty_ids(features)]
    if empty_s:
        msg = f"empty sample ID in '{p}' at {', '.join(empty_s[:5])}: every sample needs an ID. Fill in the header / row label."
        raise InputError(msg)
    if empty_f:
        msg = f"empty feature ID in '{p}' at {', '.join(empty_f[:5])}: every feature needs an ID. Fill in the label or remove the row."
        raise InputError(msg)
    check_unique(samples, what="sample", path=p)
    return samples, features


def _matrix_anndata(
    df: pd.DataFrame,
    orient: str,
    data_pos: list[int],
    ann_pos: list[int],
    header: list[str],
    samples: pd.Index,
    features: pd.Index,
    *,
    layer_name: str | None,
    path: PathLike,
) -> tuple[ad.AnnData, int]:
    """Samples x features AnnData (annotations in ``var`` / ``obs``, repeated feature IDs suffixed, with a warning)."""
    what = layer_name or "matrix"
    unique_features, dups = _make_unique(features)
    n_dup_rows = int(features.duplicated().sum())
    if dups:
        shown = ", ".join(map(str, dups[:5])) + (", ..." if len(dups) > 5 else "")
        warnings.warn(
            f"{len(dups)} feature ID(s) in '{path}' occur more than once ({shown}); the {n_dup_rows} repeated "
            "row(s)/column(s) were kept and renamed with suffixes -1, -2 ... (original ID in var['feature_id']). "
            "Aggregate them before reading if they measure the same feature.",
            UserWarning,
            stacklevel=3,
        )
    ann = df[ann_pos].copy()
    ann.columns = [header[i] for i in ann_pos]
    if orient == "features_x_samples":
        X = np.ascontiguousarray(_numeric_values(df, data_pos, unique_features, samples, what=what, path=path).T)
        ann.index = unique_features
        var, obs = ann, pd.DataFrame(index=samples)
    else:
        X = _numeric_values(df, data_pos, samples, unique_features, what=what, path=path)
        ann.index = samples
        obs, var = ann, pd.DataFrame(index=unique_features)
    if dups:
        var.insert(0, "feature_id", list(features))
    # '/' in column names cannot be stored in .h5ad / .h5mu: replace it
    obs.columns = [str(c).replace("/", "_") for c in obs.columns]
    var.columns = [str(c).replace("/", "_") for c in var.columns]
    obs.index = pd.Index([str(s) for s in obs.index], dtype=object)
    var.index = pd.Index([str(s) for s in var.index], dtype=object)
    obs.index.name = None
    var.index.name = None
    adata = ad.AnnData(X=X, obs=obs, var=var)
    if layer_name:
        adata.layers[layer_name] = X.copy()
    return adata, n_dup_rows


# --------------------------------------------------------------------------------------------
# phosphosites
# --------------------------------------------------------------------------------------------
_AA = "ACDEFGHIKLMNPQRSTVWY"
_RES = f"[{_AA}sty]"  # upper-case residue letters, or lower-case s/t/y as some tools write them
_SITE_RX = re.compile(
    rf"^(?P<gene>.+?)[-_ ]+(?P<sites>p?{_RES}\d+[a-z]?(?:[,;/_]?p?{_RES}\d+[a-z]?)*)$"
)
_ONE_SITE_RX = re.compile(rf"p?({_RES})(\d+)")


def parse_site_ids(ids: Iterable[Any]) -> pd.DataFrame:
    """Split modification-site IDs into gene, residue and position.

    Understands ``AAAS-S495`` (CPTAC), ``AAAS_S495``, ``AAAS S495``, ``AAAS_S495s`` (trailing
    lower-case residue letter), ``GENE_pS12`` and multi-site IDs ``GENE-S12S15`` /
    ``GENE-S12_T15`` (the first site is kept, ``n_sites`` says how many). Gene names may contain
    dashes (``HLA-A-S343``, read-through ``ANKHD1-EIF4EBP3-S2539``): the site is always the last
    token. Unparseable IDs get NaN gene / residue / position and keep the raw ID.

    Parameters
    ----------
    ids
        Site identifiers.

    Returns
    -------
    DataFrame
        One row per ID, in order, indexed by the raw IDs as strings, with columns ``gene``,
        ``residue`` (one-letter amino acid), ``position`` (nullable Int64), ``n_sites``
        (Int64; 0 when unparseable), ``site_id`` (``GENE_S495`` for the first site, the raw ID
        when unparseable) and ``raw_id``.

    Examples
    --------
    >>> sites = parse_site_ids(["AAAS-S495", "MAPK1_pT185", "GENE-S12S15", "junk"])
    >>> sites["site_id"].tolist(), sites["n_sites"].tolist()
    (['AAAS_S495', 'MAPK1_T185', 'GENE_S12', 'junk'], [1, 1, 2, 0])
    """
    raw = [str(i).strip() for i in ids]
    genes: list[Any] = []
    residues: list[Any] = []
    positions: list[Any] = []
    n_sites: list[int] = []
    site_ids: list[str] = []
    for s in raw:
        m = _SITE_RX.match(s)
        if not m:
            genes.append(np.nan)
            residues.append(np.nan)
            positions.append(pd.NA)
            n_sites.append(0)
            site_ids.append(s)
            continue
        sites = _ONE_SITE_RX.findall(m.group("sites"))
        gene = m.group("gene").strip()
        res, pos = sites[0]
        res = res.upper()
        genes.append(gene)
        residues.append(res)
        positions.append(int(pos))
        n_sites.append(len(sites))
        site_ids.append(f"{gene}_{res}{pos}")
    out = pd.DataFrame(
        {
            "gene": pd.Series(genes, dtype=object),
            "residue": pd.Series(residues, dtype=object),
            "position": pd.array(positions, dtype="Int64"),
            "n_sites": pd.array(n_sites, dtype="Int64"),
            "site_id": site_ids,
            "raw_id": raw,
        }
    )
    out.index = pd.Index(raw, dtype=object)
    return out


def read_phospho_matrix(path: PathLike, **read_matrix_kwargs: Any) -> ad.AnnData:
    r"""Read a phosphosite (or other modification-site) matrix and parse its site IDs into ``.var``.

    :func:`read_matrix` followed by :func:`parse_site_ids` on the feature IDs. ``var`` gains
    ``gene``, ``residue``, ``position``, ``n_sites`` and ``site_id``; ``var_names`` stay as in
    the file (``AAAS-S495``) so they match the source. Unparseable IDs are kept with NaN gene /
    position and counted in ``uns['phospho']['n_unparsed']``.

    Parameters
    ----------
    path
        Matrix file (e.g. CPTAC ``phosphoproteomics_site.cct.gz``).
    **read_matrix_kwargs
        Passed to :func:`read_matrix` (``orientation``, ``feature_column``, ``sep`` ...).

    Returns
    -------
    AnnData
        Samples x sites.

    Examples
    --------
    >>> from oncoresist import ds
    >>> var = read_phospho_matrix(ds.example_file("phospho_matrix")).var  # sites AAAS-S495, AKT1-T308
    >>> var["gene"].tolist(), var["residue"].tolist(), var["position"].tolist()
    (['AAAS', 'AKT1'], ['S', 'T'], [495, 308])
    """
    adata = read_matrix(path, **read_matrix_kwargs)
    ids = adata.var["feature_id"] if "feature_id" in adata.var else adata.var_names
    parsed = parse_site_ids(ids)
    for col in ("gene", "residue", "position", "n_sites", "site_id"):
        adata.var[col] = parsed[col].to_numpy()
    n_bad = int(parsed["gene"].isna().sum())
    if n_bad:
        shown = ", ".join(parsed.loc[parsed["gene"].isna(), "raw_id"].head(5))
        logger.warning("read_phospho_matrix %s: %d site ID(s) not parsed (e.g. %s); kept with NaN gene/position", path, n_bad, shown)
    adata.uns["phospho"] = {"n_unparsed": n_bad, "scale": "as read", "id_format": "GENE-S123 / GENE_S123 parsed"}
    return adata


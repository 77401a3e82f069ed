"""Shared helpers for tidy variant tables (MAF / VCF) and the gene-level ``mut`` layer.

The canonical variant table (see CONTRIBUTING.md, "Canonical tidy tables") has the columns
:data:`VARIANT_COLUMNS` first, then any extra columns the reader kept. Coordinates follow the
MAF convention (1-based, closed; indels without the VCF padding base, ``-`` for an empty
allele) so that tables from MAF and VCF files line up row for row.

:func:`variants_to_anndata` turns such a table into the gene-level ``mut`` layer.
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Collection, Iterable, Sequence
from typing import Literal

import anndata as ad
import numpy as np
import pandas as pd

from .._core._errors import InputError
from .._core._utils import PathLike, to_numeric_safe

__all__ = [
    "NONSYNONYMOUS_CLASSES",
    "VARIANT_COLUMNS",
    "consequence_to_class",
    "normalize_chrom",
    "short_protein_change",
    "variant_type",
    "variants_to_anndata",
]

#: Canonical leading columns of a variant table, in order.
VARIANT_COLUMNS: tuple[str, ...] = (
    "sample",
    "gene",
    "chrom",
    "start",
    "end",
    "ref",
    "alt",
    "variant_class",
    "variant_type",
    "protein_change",
    "hgvsp",
    "hgvsc",
    "t_depth",
    "t_alt_count",
    "vaf",
)

#: MAF ``Variant_Classification`` values counted as non-synonymous coding changes (the ``mut``
#: layer's X = 1). The same set maftools and cBioPortal use for "non-synonymous" mutations.
NONSYNONYMOUS_CLASSES: frozenset[str] = frozenset(
    {
        "Missense_Mutation",
        "Nonsense_Mutation",
        "Frame_Shift_Del",
        "Frame_Shift_Ins",
        "In_Frame_Del",
        "In_Frame_Ins",
        "Splice_Site",
        "Translation_Start_Site",
        "Nonstop_Mutation",
    }
)

#: ``variant_class`` of a call known only by its status (a 0/1 mutation matrix, ``mut``): it
#: counts as mutated in :func:`variants_to_anndata` unless ``include=`` is given without it.
CALL_CLASS = "Mutation_Call"

# --------------------------------------------------------------------------------------------
# chromosome names
# --------------------------------------------------------------------------------------------
_MITO = {"M", "MT", "CHRM", "CHRMT"}


def _norm_chrom_one(value: object) -> object:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return np.nan
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        value = int(value)
    s = str(value).strip()
    if not s:
        return np.nan
    up = s.upper()
    if up in _MITO:
        return "MT"
    if up.startswith("CHR"):
        s = s[3:]
        up = up[3:]
    if up in {"X", "Y"}:
        return up
    return s


def normalize_chrom(values: Iterable[object]) -> np.ndarray:
    """Normalise chromosome names: no ``chr`` prefix, ``X``/``Y`` upper case, mitochondria ``MT``.

    ``chr7`` and ``7`` both become ``'7'``, ``chrX`` and ``x`` become ``'X'``, ``chrM``/``M``
    become ``'MT'``; other names (``chr1_KI270706v1_random``, ``GL000192.1``) lose only the
    ``chr`` prefix. Numbers read as floats (``7.0``) become ``'7'``. Nothing else is renamed
    (``23`` stays ``23``: whether it means X depends on the file's producer).

    Parameters
    ----------
    values
        Chromosome names.

    Returns
    -------
    numpy.ndarray
        Object array of normalised names (NaN where a name is missing).

    Examples
    --------
    >>> list(normalize_chrom(["chr7", "7", "chrX", "chrM", 12.0]))
    ['7', '7', 'X', 'MT', '12']
    """
    vals = pd.Series(list(values) if not isinstance(values, pd.Series) else values, dtype=object)
    uniq = pd.unique(vals)
    mapping = {u: _norm_chrom_one(u) for u in uniq if not (isinstance(u, float) and np.isnan(u))}
    return vals.map(lambda v: mapping.get(v, np.nan) if v == v else np.nan).to_numpy(dtype=object)


# --------------------------------------------------------------------------------------------
# protein changes
# --------------------------------------------------------------------------------------------
_AA3 = {
    "Ala": "A", "Arg": "R", "Asn": "N", "Asp": "D", "Cys": "C", "Gln": "Q", "Glu": "E",
    "Gly": "G", "His": "H", "Ile": "I", "Leu": "L", "Lys": "K", "Met": "M", "Phe": "F",
    "Pro": "P", "Ser": "S", "Thr": "T", "Trp": "W", "Tyr": "Y", "Val": "V", "Ter": "*",
    "Sec": "U", "Pyl": "O", "Xaa": "X", "Asx": "B", "Glx": "Z", "Xle": "J",
}  # fmt: skip
_AA3_RE = re.compile("|".join(_AA3))
_SHORT_NO_PREFIX_RE = re.compile(r"^[A-Z*]\d")


def _short_one(value: object) -> object:
    """One HGVSp value in the short one-letter form (``p.Thr790Met`` -> ``p.T790M``); NaN when empty."""
    s = _long_one(value)
    if not isinstance(s, str):
        return np.nan
    if s.startswith("p.(") and s.endswith(")"):
        s = "p." + s[3:-1]
    s = _AA3_RE.sub(lambda m: _AA3[m.group(0)], s)
    if not s.startswith("p.") and _SHORT_NO_PREFIX_RE.match(s):
        s = "p." + s
    return s


def _long_one(value: object) -> object:
    """The HGVS text without a leading feature ID (``ENSP...:``) and with ``%3D`` decoded; NaN when empty."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return np.nan
    s = str(value).strip()
    if not s or s in {".", "-", "NA", "nan"}:
        return np.nan
    if ":" in s:  # 'ENSP00000275493.2:p.Thr790Met' -> 'p.Thr790Met'
        s = s.rsplit(":", 1)[1]
    return s.replace("%3D", "=").replace("%3d", "=")


def _map_unique(values: Iterable[object], func) -> np.ndarray:  # noqa: ANN001
    """Apply ``func`` once per distinct value (variant tables repeat values a lot)."""
    s = pd.Series(list(values) if not isinstance(values, pd.Series) else values, dtype=object)
    uniq = pd.unique(s.dropna())
    mapping = {u: func(u) for u in uniq}
    return s.map(mapping).to_numpy(dtype=object)


def short_protein_change(values: Iterable[object]) -> np.ndarray:
    """Convert HGVS protein changes to the short one-letter form (``p.T790M``).

    Handles three-letter codes (``p.Thr790Met`` -> ``p.T790M``), stops (``Ter`` -> ``*``),
    frameshifts (``p.Arg301GlyfsTer107`` -> ``p.R301Gfs*107``), deletions / insertions /
    duplications / delins (``p.Glu746_Ala750del`` -> ``p.E746_A750del``), extensions
    (``p.Ter1168LeuextTer2`` -> ``p.*1168Lext*2``), synonymous ``=`` (also VEP's URL-encoded
    ``%3D``), a leading protein ID (``ENSP...:p.``), predicted-change parentheses
    (``p.(Thr790Met)``) and short values without the ``p.`` prefix (``T790M``). Values already
    short are returned unchanged; empty values and ``.`` become NaN.

    Parameters
    ----------
    values
        HGVSp strings (long or short).

    Returns
    -------
    numpy.ndarray
        Object array of short protein changes.

    Examples
    --------
    >>> list(short_protein_change(["p.Thr790Met", "ENSP1:p.Arg301GlyfsTer107", "p.Leu858%3D"]))
    ['p.T790M', 'p.R301Gfs*107', 'p.L858=']
    """
    return _map_unique(values, _short_one)


def long_protein_change(values: Iterable[object]) -> np.ndarray:
    """Clean long HGVSp values: drop a leading protein ID and decode ``%3D`` (internal helper)."""
    return _map_unique(values, _long_one)


def strip_feature_prefix(values: Iterable[object]) -> np.ndarray:
    """``ENST0001.2:c.2369C>T`` -> ``c.2369C>T``; empty / ``.`` -> NaN (internal helper)."""
    return _map_unique(values, _long_one)


# --------------------------------------------------------------------------------------------
# alleles, variant types
# --------------------------------------------------------------------------------------------
def _type_one(ref: str, alt: str) -> str:
    if alt.startswith("<") or "[" in alt or "]" in alt:
        return "SV"
    if ref == "-" or ref == "":
        return "INS"
    if alt == "-" or alt == "":
        return "DEL"
    if len(ref) == len(alt):
        return {1: "SNP", 2: "DNP", 3: "TNP"}.get(len(ref), "ONP")
    return "DEL" if len(ref) > len(alt) else "INS"


def variant_type(ref: Iterable[object], alt: Iterable[object]) -> np.ndarray:
    """MAF ``Variant_Type`` from MAF-style alleles (``-`` for an empty allele).

    ``SNP``, ``DNP``, ``TNP``, ``ONP`` (equal lengths 1, 2, 3, more), ``INS``, ``DEL`` (complex
    substitutions of unequal length are typed by which allele is longer, as vcf2maf does) and
    ``SV`` for symbolic / breakend alleles.

    Parameters
    ----------
    ref, alt
        Reference and alternate alleles.

    Returns
    -------
    numpy.ndarray
        Object array of types (NaN where an allele is missing).

    Examples
    --------
    >>> list(variant_type(["C", "-", "AT", "CA"], ["T", "G", "-", "TG"]))
    ['SNP', 'INS', 'DEL', 'DNP']
    """
    r = pd.Series(list(ref), dtype=object)
    a = pd.Series(list(alt), dtype=object)
    out = np.empty(len(r), dtype=object)
    for i, (x, y) in enumerate(zip(r, a)):
        if not isinstance(x, str) or not isinstance(y, str):
            out[i] = np.nan
        else:
            out[i] = _type_one(x.upper(), y.upper())
    return out


def vcf_allele_to_maf(pos: int, ref: str, alt: str) -> tuple[int, int, str, str]:
    """Convert a VCF allele (padded, 1-based POS) to MAF coordinates and alleles (vcf2maf rules).

    Returns ``(start, end, ref, alt)``: a shared leading padding base of an indel is removed
    (empty allele -> ``-``); deletions start after the padding base, insertions span the two
    bases around the insertion point.

    Examples
    --------
    >>> vcf_allele_to_maf(100, "AT", "A")
    (101, 101, 'T', '-')
    >>> vcf_allele_to_maf(100, "A", "AGG")
    (100, 101, '-', 'GG')
    """
    if alt.startswith("<") or "[" in alt or "]" in alt:
        return pos, pos + max(len(ref), 1) - 1, ref, alt
    if len(ref) != len(alt) and ref and alt and ref[0] == alt[0]:
        r, a = ref[1:] or "-", alt[1:] or "-"
        if r == "-":  # insertion between pos and pos + 1
            return pos, pos + 1, r, a
        start = pos + 1
        return start, start + len(r) - 1, r, a
    return pos, pos + len(ref) - 1, ref, alt


# --------------------------------------------------------------------------------------------
# consequences (Sequence Ontology terms from VEP / SnpEff) -> MAF Variant_Classification
# --------------------------------------------------------------------------------------------
#: SO terms from most to least severe (Ensembl VEP's order, with SnpEff's extra terms slotted
#: in beside their VEP equivalents).
_SEVERITY: tuple[str, ...] = (
    "transcript_ablation",
    "exon_loss_variant",
    "splice_acceptor_variant",
    "splice_donor_variant",
    "stop_gained",
    "frameshift_variant",
    "stop_lost",
    "start_lost",
    "initiator_codon_variant",
    "transcript_amplification",
    "gene_fusion",
    "bidirectional_gene_fusion",
    "feature_elongation",
    "feature_truncation",
    "inframe_insertion",
    "disruptive_inframe_insertion",
    "conservative_inframe_insertion",
    "inframe_deletion",
    "disruptive_inframe_deletion",
    "conservative_inframe_deletion",
    "missense_variant",
    "conservative_missense_variant",
    "rare_amino_acid_variant",
    "protein_altering_variant",
    "splice_donor_5th_base_variant",
    "splice_region_variant",
    "splice_donor_region_variant",
    "splice_polypyrimidine_tract_variant",
    "incomplete_terminal_codon_variant",
    "start_retained_variant",
    "start_retained",
    "stop_retained_variant",
    "synonymous_variant",
    "coding_sequence_variant",
    "mature_miRNA_variant",
    "5_prime_UTR_premature_start_codon_gain_variant",
    "5_prime_UTR_variant",
    "3_prime_UTR_variant",
    "non_coding_transcript_exon_variant",
    "non_coding_exon_variant",
    "exon_variant",
    "intron_variant",
    "NMD_transcript_variant",
    "non_coding_transcript_variant",
    "nc_transcript_variant",
    "coding_transcript_variant",
    "intragenic_variant",
    "upstream_gene_variant",
    "downstream_gene_variant",
    "TFBS_ablation",
    "TFBS_amplification",
    "TF_binding_site_variant",
    "regulatory_region_ablation",
    "regulatory_region_amplification",
    "regulatory_region_variant",
    "regulatory_region",
    "intergenic_variant",
    "intergenic_region",
    "sequence_feature",
    "structural_interaction_variant",
    "protein_protein_contact",
    "sequence_variant",
)
SEVERITY_RANK: dict[str, int] = {t: i for i, t in enumerate(_SEVERITY)}
_UNKNOWN_RANK = len(_SEVERITY)

_CLASS_OF: dict[str, str] = {
    "transcript_ablation": "Splice_Site",
    "exon_loss_variant": "Splice_Site",
    "splice_acceptor_variant": "Splice_Site",
    "splice_donor_variant": "Splice_Site",
    "stop_gained": "Nonsense_Mutation",
    "stop_lost": "Nonstop_Mutation",
    "start_lost": "Translation_Start_Site",
    "initiator_codon_variant": "Translation_Start_Site",
    "missense_variant": "Missense_Mutation",
    "conservative_missense_variant": "Missense_Mutation",
    "rare_amino_acid_variant": "Missense_Mutation",
    "coding_sequence_variant": "Missense_Mutation",
    "transcript_amplification": "Intron",
    "intron_variant": "Intron",
    "intragenic_variant": "Intron",
    "splice_region_variant": "Splice_Region",
    "splice_donor_5th_base_variant": "Splice_Region",
    "splice_donor_region_variant": "Splice_Region",
    "splice_polypyrimidine_tract_variant": "Splice_Region",
    "incomplete_terminal_codon_variant": "Silent",
    "synonymous_variant": "Silent",
    "stop_retained_variant": "Silent",
    "start_retained_variant": "Silent",
    "start_retained": "Silent",
    "NMD_transcript_variant": "Silent",
    "mature_miRNA_variant": "RNA",
    "exon_variant": "RNA",
    "non_coding_exon_variant": "RNA",
    "non_coding_transcript_exon_variant": "RNA",
    "non_coding_transcript_variant": "RNA",
    "nc_transcript_variant": "RNA",
    "5_prime_UTR_variant": "5'UTR",
    "5_prime_UTR_premature_start_codon_gain_variant": "5'UTR",
    "3_prime_UTR_variant": "3'UTR",
    "TF_binding_site_variant": "IGR",
    "TFBS_ablation": "IGR",
    "TFBS_amplification": "IGR",
    "regulatory_region_variant": "IGR",
    "regulatory_region_ablation": "IGR",
    "regulatory_region_amplification": "IGR",
    "regulatory_region": "IGR",
    "intergenic_variant": "IGR",
    "intergenic_region": "IGR",
    "upstream_gene_variant": "5'Flank",
    "downstream_gene_variant": "3'Flank",
    "gene_fusion": "Fusion",
    "bidirectional_gene_fusion": "Fusion",
}
_FRAMESHIFT = {"frameshift_variant"}
_INFRAME = {
    "inframe_insertion",
    "inframe_deletion",
    "disruptive_inframe_insertion",
    "conservative_inframe_insertion",
    "disruptive_inframe_deletion",
    "conservative_inframe_deletion",
    "feature_elongation",
    "feature_truncation",
}


@functools.lru_cache(maxsize=4096)
def consequence_rank(consequence: str) -> int:
    """Severity rank (0 = most severe) of an ``&``-joined consequence string."""
    terms = [t.strip() for t in re.split(r"[&,]", consequence) if t.strip()]
    return min((SEVERITY_RANK.get(t, _UNKNOWN_RANK) for t in terms), default=_UNKNOWN_RANK)


def consequence_to_class(consequence: object, ref: str = "", alt: str = "") -> object:
    """Map a VEP / SnpEff consequence to MAF's ``Variant_Classification`` (vcf2maf's rules).

    The most severe term of an ``&``-joined list decides; frameshifts and in-frame indels
    become ``*_Del`` or ``*_Ins`` by allele length (MAF-style alleles, ``-`` = empty); a
    ``protein_altering_variant`` is in-frame or frameshift by the length difference. Unknown
    terms give ``Targeted_Region``; a missing consequence gives NaN.

    Parameters
    ----------
    consequence
        E.g. ``"missense_variant"`` or ``"stop_gained&splice_region_variant"``.
    ref, alt
        Alleles, used to tell deletions from insertions.

    Examples
    --------
    >>> consequence_to_class("missense_variant")
    'Missense_Mutation'
    >>> consequence_to_class("frameshift_variant&splice_region_variant", "-", "A")
    'Frame_Shift_Ins'
    """
    if not isinstance(consequence, str) or not consequence.strip():
        return np.nan
    terms = [t.strip() for t in re.split(r"[&,]", consequence) if t.strip()]
    if not terms:
        return np.nan
    term = min(terms, key=lambda t: SEVERITY_RANK.get(t, _UNKNOWN_RANK))
    r = "" if ref in ("-", None) else str(ref)
    a = "" if alt in ("-", None) else str(alt)
    is_del = len(r) > len(a)
    if term in _FRAMESHIFT:
        return "Frame_Shift_Del" if is_del else "Frame_Shift_Ins"
    if term in _INFRAME:
        return "In_Frame_Del" if is_del else "In_Frame_Ins"
    if term == "protein_altering_variant":
        inframe = abs(len(r) - len(a)) % 3 == 0
        if inframe:
            return "In_Frame_Del" if is_del else "In_Frame_Ins"
        return "Frame_Shift_Del" if is_del else "Frame_Shift_Ins"
    return _CLASS_OF.get(term, "Targeted_Region")


# --------------------------------------------------------------------------------------------
# table assembly
# --------------------------------------------------------------------------------------------
def order_variant_columns(df: pd.DataFrame) -> pd.DataFrame:
    """Put the canonical columns first (adding missing ones as NaN), extras after, fix dtypes."""
    for col in VARIANT_COLUMNS:
        if col not in df.columns:
            df[col] = np.nan
    extras = [c for c in df.columns if c not in VARIANT_COLUMNS]
    out = df[list(VARIANT_COLUMNS) + extras].copy()
    for col in ("start", "end"):
        out[col] = pd.to_numeric(out[col]).astype("int64") if len(out) else out[col].astype("int64")
    for col in ("t_depth", "t_alt_count", "vaf"):
        out[col] = to_numeric_safe(out[col]).astype(float)
    for col in ("sample", "gene", "chrom", "ref", "alt", "variant_class", "variant_type",
                "protein_change", "hgvsp", "hgvsc"):  # fmt: skip
        out[col] = out[col].astype(object)
    return out.reset_index(drop=True)


def check_vaf_range(vaf: np.ndarray, *, what: str) -> np.ndarray:
    """Return ``vaf``; warn (and blank) values outside [0, 1] rather than keep impossible VAFs."""
    vaf = np.asarray(vaf, dtype=float)
    bad = np.isfinite(vaf) & ((vaf < 0) | (vaf > 1))
    if bad.any():
        shown = ", ".join(f"{v:g}" for v in vaf[bad][:3])
        warnings.warn(
            f"{what}: {int(bad.sum())} variant(s) have an allele fraction outside [0, 1] "
            f"(e.g. {shown}); their vaf is set to NaN. Check the depth / allele-count columns.",
            UserWarning,
            stacklevel=3,
        )
        vaf = vaf.copy()
        vaf[bad] = np.nan
    return vaf


# --------------------------------------------------------------------------------------------
# variants -> gene-level mut layer
# --------------------------------------------------------------------------------------------
def variants_to_anndata(
    variants: pd.DataFrame,
    *,
    samples: Sequence[str] | None = None,
    value: Literal["binary", "count", "vaf"] = "binary",
    include: Collection[str] | None = None,
) -> ad.AnnData:
    """Summarise a tidy variant table as the gene-level ``mut`` layer (samples x genes).

    A variant *qualifies* when its ``variant_class`` is in ``include`` (default
    :data:`NONSYNONYMOUS_CLASSES`: missense, nonsense, frameshift, in-frame, splice site,
    translation start site and nonstop, plus status-only calls ``'Mutation_Call'`` of a
    mutation matrix). Genes with at least one qualifying variant become
    columns (sorted by name); every sample of the table (or of ``samples``, in that order)
    becomes a row.

    Parameters
    ----------
    variants
        Canonical variant table from :func:`read_maf` / :func:`read_vcf` (needs ``sample``,
        ``gene``, ``variant_class``; ``vaf`` is used when present).
    samples
        The samples that were sequenced, in the order wanted. Samples without any qualifying
        variant get all-zero rows. When given, variants of samples *not* listed are left out
        (with a warning naming them).
    value
        What ``X`` holds: ``"binary"`` (1 = at least one qualifying variant, 0 otherwise),
        ``"count"`` (number of qualifying variants) or ``"vaf"`` (max VAF of the qualifying
        variants, 0 where not mutated, NaN where mutated with unknown VAF).
    include
        ``variant_class`` values that qualify (replaces the default set).

    Returns
    -------
    anndata.AnnData
        ``X``: dense ``float32`` samples x genes as chosen by ``value``;
        ``layers['vaf']``: dense ``float32`` max VAF of the qualifying variants (NaN where the
        gene is not mutated or the VAF is unknown); ``var['n_mutated']`` (samples with a
        qualifying variant), ``var['n_variants']``; ``obs['n_mutations']`` (qualifying
        variants per sample) and ``obs['n_variants']`` (all variants);
        ``uns['variants']``: the tidy variant table (all classes, the samples in ``obs``);
        ``uns['mut']['params']``: ``value`` and ``include``; ``uns['mut']['matrix_kind']``:
        what :func:`oncoresist.io.read_mutation_matrix` detected (``'binary'`` / ``'protein_change'``), when
        the table comes from it.

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"sample": ["S1", "S1", "S2"], "gene": ["EGFR", "TP53", "TP53"],
    ...                   "variant_class": ["Missense_Mutation", "Silent", "Nonsense_Mutation"],
    ...                   "vaf": [0.4, 0.2, 0.6]})
    >>> a = variants_to_anndata(v, samples=["S1", "S2", "S3"])
    >>> list(a.var_names), a.X.tolist()
    (['EGFR', 'TP53'], [[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    """
    _check_variant_table(variants, value)
    if isinstance(include, str):
        include = [include]
    include_set = frozenset(NONSYNONYMOUS_CLASSES if include is None else include)
    table = _sample_column(variants)
    table, obs_names = _restrict_to_samples(table, samples)
    q = _qualifying_variants(table, include_set, default_include=include is None)
    genes, counts, vaf = _gene_counts_and_vaf(q, obs_names)
    adata = _mut_anndata(table, obs_names, genes, counts, vaf, value)
    adata.uns["mut"] = {"params": {"value": value, "include": sorted(include_set)}}
    if "matrix_kind" in variants.attrs:
        adata.uns["mut"]["matrix_kind"] = str(variants.attrs["matrix_kind"])
    return adata


def _check_variant_table(variants: object, value: str) -> None:
    """Raise :class:`InputError` unless ``variants`` is a variant table and ``value`` is supported."""
    if not isinstance(variants, pd.DataFrame):
        msg = f"variants_to_anndata: expected a pandas DataFrame from read_maf/read_vcf, got {type(variants).__name__}."
        raise InputError(msg)
    missing = [c for c in ("sample", "gene", "variant_class") if c not in variants.columns]
    if missing:
        msg = (
            f"variant table lacks column(s) {', '.join(map(repr, missing))}; found: "
            f"{', '.join(map(str, variants.columns[:12]))}. Read it with read_maf / read_vcf or rename the columns."
        )
        raise InputError(msg)
    if value not in ("binary", "count", "vaf"):
        msg = f"value={value!r} is not supported: expected 'binary', 'count' or 'vaf'."
        raise InputError(msg)


def _sample_column(variants: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``variants`` with string sample IDs; raise when a row has none."""
    table = variants.copy()
    table["sample"] = table["sample"].astype(object).where(table["sample"].notna(), None)
    no_sample = table["sample"].isna()
    if no_sample.any():
        msg = f"variant table has {int(no_sample.sum())} row(s) without a sample ID (e.g. row {int(np.flatnonzero(no_sample)[0])}): fill the 'sample' column."
        raise InputError(msg)
    table["sample"] = table["sample"].astype(str)
    return table


def _restrict_to_samples(table: pd.DataFrame, samples: Sequence[str] | None) -> tuple[pd.DataFrame, pd.Index]:
    """The rows (``obs_names``) of the layer; variants of samples outside ``samples`` are dropped with a warning."""
    if samples is None:
        return table, pd.Index(pd.unique(table["sample"]), dtype=object)
    obs_names = pd.Index([str(s) for s in samples], dtype=object)
    dup = obs_names[obs_names.duplicated()].unique()
    if len(dup):
        msg = f"samples= lists {', '.join(map(str, dup[:5]))} more than once: give each sequenced sample once."
        raise InputError(msg)
    outside = ~table["sample"].isin(obs_names)
    if outside.any():
        extra = pd.unique(table.loc[outside, "sample"])
        warnings.warn(
            f"{int(outside.sum())} variant(s) from {len(extra)} sample(s) not in samples= are left out "
            f"(e.g. {', '.join(map(str, extra[:5]))}); add them to samples= or fix the sample IDs "
            "(e.g. a sample_pattern) if they should match.",
            UserWarning,
            stacklevel=3,
        )
        table = table.loc[~outside]
    return table, obs_names


def _qualifying_variants(table: pd.DataFrame, include_set: frozenset[str], *, default_include: bool) -> pd.DataFrame:
    """Variants that count in the gene matrix (class in ``include_set``, with a gene); warn about lost ones."""
    cls = table["variant_class"].astype(object)
    qualifies = (cls.isin(include_set) | ((cls == CALL_CLASS) & default_include)).to_numpy()
    no_gene = table["gene"].isna().to_numpy() | table["gene"].astype(str).str.strip().isin(["", "."]).to_numpy()
    lost = qualifies & no_gene
    if lost.any():
        warnings.warn(
            f"{int(lost.sum())} qualifying variant(s) have no gene symbol and are not counted in the "
            "gene matrix (they stay in uns['variants']); annotate the variants (VEP / SnpEff) first.",
            UserWarning,
            stacklevel=3,
        )
    unclassified = int(cls.isna().sum())
    if unclassified and default_include:
        warnings.warn(
            f"{unclassified} variant(s) have no variant_class (unannotated) and cannot count as "
            "non-synonymous; annotate them with VEP or SnpEff, or pass include= explicitly.",
            UserWarning,
            stacklevel=3,
        )
    return table.loc[qualifies & ~no_gene]


def _gene_counts_and_vaf(q: pd.DataFrame, obs_names: pd.Index) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    """Sorted genes, samples x genes counts of qualifying variants and their max VAF (NaN = unknown)."""
    genes = pd.Index(pd.unique(q["gene"].astype(str)), dtype=object).sort_values()
    n_obs, n_var = len(obs_names), len(genes)
    r = obs_names.get_indexer(q["sample"].to_numpy())
    c = genes.get_indexer(q["gene"].astype(str).to_numpy())
    counts = np.zeros((n_obs, n_var), dtype=np.float64)
    np.add.at(counts, (r, c), 1.0)
    vaf = np.full((n_obs, n_var), np.nan, dtype=np.float64)
    if "vaf" in q.columns and len(q):
        v = to_numeric_safe(q["vaf"]).to_numpy(dtype=float)
        ok = np.isfinite(v)
        np.fmax.at(vaf, (r[ok], c[ok]), v[ok])
    return genes, counts, vaf


def _mut_anndata(
    table: pd.DataFrame, obs_names: pd.Index, genes: pd.Index, counts: np.ndarray, vaf: np.ndarray, value: str
) -> ad.AnnData:
    """The ``mut`` AnnData: ``X`` by ``value``, the ``vaf`` layer, per-sample / per-gene counts, ``uns['variants']``."""
    if value == "binary":
        X = (counts > 0).astype(np.float32)
    elif value == "count":
        X = counts.astype(np.float32)
    else:
        X = np.where(counts > 0, vaf, 0.0).astype(np.float32)
    obs = pd.DataFrame(index=obs_names.astype(str))
    obs["n_mutations"] = counts.sum(axis=1).astype(np.int64)
    all_counts = table["sample"].value_counts()
    obs["n_variants"] = all_counts.reindex(obs.index).fillna(0).astype(np.int64).to_numpy()
    var = pd.DataFrame(index=genes.astype(str))
    var["n_mutated"] = (counts > 0).sum(axis=0).astype(np.int64)
    var["n_variants"] = counts.sum(axis=0).astype(np.int64)
    adata = ad.AnnData(X=X, obs=obs, var=var)
    adata.layers["vaf"] = vaf.astype(np.float32)
    adata.uns["variants"] = table.reset_index(drop=True)
    return adata


def warn_if_no_variants(n_rows: int, path: PathLike, *, what: str, rows: str = "variant") -> None:
    """Warn when a variant file holds no data row at all (often a header-only or failed export).

    Examples
    --------
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     warn_if_no_variants(0, "x.maf", what="MAF")
    >>> "holds no variant" in str(w[0].message)
    True
    """
    if n_rows == 0:
        msg = (f"{what} '{path}' holds no {rows} row (header only): read as no mutations in any sample. If that is "
               "not expected, the file is incomplete: re-export it.")
        warnings.warn(msg, UserWarning, stacklevel=3)

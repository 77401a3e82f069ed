"""Read somatic VCF 4.x files (single / multi-sample, tumour-normal) into the canonical variant table."""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .._core._errors import InputError
from .._core._utils import PathLike, check_complete, check_file, read_text
from ._variants import (
    check_vaf_range,
    consequence_rank,
    consequence_to_class,
    long_protein_change,
    normalize_chrom,
    order_variant_columns,
    short_protein_change,
    strip_feature_prefix,
    variant_type,
    vcf_allele_to_maf,
)

__all__ = ["read_vcf"]

#: SnpEff's ANN sub-fields, used when the header does not spell them out.
_ANN_DEFAULT = (
    "Allele|Annotation|Annotation_Impact|Gene_Name|Gene_ID|Feature_Type|Feature_ID|"
    "Transcript_BioType|Rank|HGVS.c|HGVS.p|cDNA.pos / cDNA.length|CDS.pos / CDS.length|"
    "AA.pos / AA.length|Distance|ERRORS / WARNINGS / INFO"
).split("|")

# what each canonical annotation item is called in VEP's CSQ and SnpEff's ANN
_ANN_KEYS = {
    "CSQ": {
        "allele": "Allele",
        "consequence": "Consequence",
        "impact": "IMPACT",
        "gene": "SYMBOL",
        "gene_id": "Gene",
        "transcript": "Feature",
        "biotype": "BIOTYPE",
        "hgvsc": "HGVSc",
        "hgvsp": "HGVSp",
        "canonical": "CANONICAL",
        "pick": "PICK",
        "allele_num": "ALLELE_NUM",
    },
    "ANN": {
        "allele": "Allele",
        "consequence": "Annotation",
        "impact": "Annotation_Impact",
        "gene": "Gene_Name",
        "gene_id": "Gene_ID",
        "transcript": "Feature_ID",
        "biotype": "Transcript_BioType",
        "hgvsc": "HGVS.c",
        "hgvsp": "HGVS.p",
    },
}
_NON_ALLELES = {"*", ".", "<*>", "<NON_REF>", "<NON-REF>"}
_EVIDENCE_KEYS = {"GT", "AD", "AF", "FREQ", "TAR", "TIR", "AU", "CU", "GU", "TU"}
_EXTRA = ("consequence", "impact", "gene_id", "transcript", "biotype")


# --------------------------------------------------------------------------------------------
# header
# --------------------------------------------------------------------------------------------
class _Header:
    def __init__(self) -> None:
        self.ann_fields: dict[str, list[str]] = {}
        self.tumor: list[str] = []
        self.normal: list[str] = []
        self.columns: list[str] = []


def _parse_meta(line: str, header: _Header) -> None:
    low = line.lower()
    if low.startswith("##tumor_sample="):
        header.tumor.append(line.split("=", 1)[1].strip())
    elif low.startswith("##normal_sample="):
        header.normal.append(line.split("=", 1)[1].strip())
    elif line.startswith("##INFO=<ID=CSQ,"):
        m = re.search(r"Format:\s*([^\"]+)", line)
        if m:
            header.ann_fields["CSQ"] = [f.strip() for f in m.group(1).strip().strip("'\"").split("|")]
    elif line.startswith("##INFO=<ID=ANN,"):
        m = re.search(r"'([^']+)'", line)
        if m:
            header.ann_fields["ANN"] = [f.strip() for f in m.group(1).split("|")]


# --------------------------------------------------------------------------------------------
# per-sample genotype fields
# --------------------------------------------------------------------------------------------
_NAN = math.nan
_isfinite = math.isfinite


def _to_float(x: str) -> float:
    try:
        return float(x)
    except ValueError:
        return _NAN


def _floats(value: str | None) -> list[float]:
    if value is None or value in ("", "."):
        return []
    return [_to_float(v) for v in value.split(",")]


class _Call:
    """The FORMAT values of one sample at one record, parsed on demand."""

    __slots__ = ("ad", "af", "called", "dp", "fields", "freq", "gt")

    def __init__(self, keys: list[str], raw: str) -> None:
        self.fields = fields = dict(zip(keys, raw.split(":")))
        gt = fields.get("GT")
        if gt is None or gt in ("", "."):
            self.gt: list[int] = []
            self.called = False
        else:
            self.gt = [int(a) for a in gt.replace("|", "/").split("/") if a.isdigit()]
            self.called = bool(self.gt)
        self.ad = _floats(fields.get("AD"))
        self.af = _floats(fields.get("AF"))
        dp = _floats(fields.get("DP"))
        self.dp = dp[0] if dp else _NAN
        freq = fields.get("FREQ")  # VarScan: "12.5%"
        self.freq = _to_float(freq.rstrip("%")) / 100.0 if freq not in (None, "", ".") else _NAN

    def counts(self, i: int, ref: str, alt: str) -> tuple[float, float, float]:
        """``(depth, alt_count, vaf)`` of allele ``i`` (1-based) from AD / AF / DP / Strelka tiers."""
        depth, alt_count, vaf = _NAN, _NAN, _NAN
        fields = self.fields
        if len(self.ad) > i:
            alt_count = self.ad[i]
            total = float(sum(x for x in self.ad if _isfinite(x)))
            depth = total if total > 0 else self.dp
            if total > 0 and _isfinite(alt_count):
                vaf = alt_count / total
        elif len(ref) == 1 and len(alt) == 1 and f"{alt}U" in fields and f"{ref}U" in fields:
            alt_count = (_floats(fields[f"{alt}U"]) or [_NAN])[0]  # Strelka SNV: tier-1 counts
            ref_count = (_floats(fields[f"{ref}U"]) or [_NAN])[0]
            depth = self.dp
            if ref_count + alt_count > 0:
                vaf = alt_count / (ref_count + alt_count)
        elif "TIR" in fields and "TAR" in fields:
            alt_count = (_floats(fields["TIR"]) or [_NAN])[0]  # Strelka indel: tier-1 counts
            ref_count = (_floats(fields["TAR"]) or [_NAN])[0]
            depth = self.dp
            if ref_count + alt_count > 0:
                vaf = alt_count / (ref_count + alt_count)
        else:
            depth = self.dp
        if len(self.af) >= i and _isfinite(self.af[i - 1]):
            vaf = self.af[i - 1]
        elif not _isfinite(vaf) and _isfinite(self.freq):
            vaf = self.freq
        return depth, alt_count, vaf

    def carries(self, i: int, alt_count: float, vaf: float) -> bool:
        """Whether the sample carries allele ``i``.

        A called genotype decides (allele in GT), except that read counts showing no alt read
        overrule a genotype (multi-sample Mutect2 genotypes every tumour 0/1). Without a called
        genotype, AF > 0 or an alt read count > 0 means carried; missing values (``./.``,
        ``.``) mean not carried; a sample whose FORMAT has none of these fields reports the
        variant.
        """
        if self.called:
            if i not in self.gt:
                return False
            return not (_isfinite(alt_count) and alt_count <= 0)
        if not _isfinite(alt_count) and not _isfinite(vaf):
            # no genotype / count / fraction fields at all: nothing says the sample lacks it
            return not (_EVIDENCE_KEYS & self.fields.keys())
        return (_isfinite(alt_count) and alt_count > 0) or (_isfinite(vaf) and vaf > 0)


# --------------------------------------------------------------------------------------------
# annotations (VEP CSQ / SnpEff ANN)
# --------------------------------------------------------------------------------------------
def _vep_alleles(ref: str, alts: list[str]) -> list[str]:
    """The allele strings VEP writes in CSQ: a shared first base is trimmed from indels."""
    alleles = [ref, *alts]
    if all(a and not a.startswith("<") for a in alleles) and len({a[0] for a in alleles}) == 1 and len({len(a) for a in alleles}) > 1:
        return [a[1:] or "-" for a in alts]
    return list(alts)


def _pick_annotation(entries: list[dict[str, str]], keys: dict[str, str]) -> dict[str, str] | None:
    """Choose one annotation per allele, the same way every time.

    VEP's PICK flag, else protein-coding first, then the most severe consequence, then the
    canonical transcript, then the first listed.
    """
    if not entries:
        return None
    pick_key = keys.get("pick")
    if pick_key:
        picked = [e for e in entries if e.get(pick_key) == "1"]
        if picked:
            return picked[0]

    def key(item: tuple[int, dict[str, str]]) -> tuple[int, int, int, int]:
        i, e = item
        biotype = e.get(keys["biotype"], "")
        coding = 0 if biotype == "protein_coding" else 1
        sev = consequence_rank(e.get(keys["consequence"], ""))
        canon = 0 if e.get(keys.get("canonical", ""), "") == "YES" else 1
        return coding, sev, canon, i

    return min(enumerate(entries), key=key)[1]


def _annotations(info: dict[str, str], header: _Header) -> tuple[str, list[dict[str, str]]] | None:
    for tag in ("CSQ", "ANN"):
        raw = info.get(tag)
        if not raw:
            continue
        fields = header.ann_fields.get(tag) or (_ANN_DEFAULT if tag == "ANN" else None)
        if fields is None:
            return None
        entries = [dict(zip(fields, item.split("|"))) for item in raw.split(",")]
        return tag, entries
    return None


def _annotation_for(
    ann: tuple[str, list[dict[str, str]]] | None, i: int, alt: str, vep_alt: str, n_alts: int
) -> tuple[dict[str, str], dict[str, str]] | None:
    if ann is None:
        return None
    tag, entries = ann
    keys = _ANN_KEYS[tag]
    num_key = keys.get("allele_num")
    if num_key and entries and num_key in entries[0]:
        mine = [e for e in entries if e.get(num_key) == str(i)]
    else:
        wanted = {alt, vep_alt} if tag == "CSQ" else {alt}
        mine = [e for e in entries if e.get(keys["allele"]) in wanted]
        if not mine and tag == "ANN":  # SnpEff cancer mode writes 'ALT-REF' alleles
            mine = [e for e in entries if e.get(keys["allele"], "").split("-")[0] == alt]
        if not mine and n_alts == 1:
            mine = entries
    chosen = _pick_annotation(mine, keys)
    return (chosen, keys) if chosen is not None else None


# --------------------------------------------------------------------------------------------
# reader
# --------------------------------------------------------------------------------------------
def _sample_name_from_path(p: Path) -> str:
    name = p.name
    for suf in (".gz", ".bgz", ".vcf"):
        name = name.removesuffix(suf)
    return name


def read_vcf(
    path: PathLike,
    *,
    samples: Sequence[str] | None = None,
    tumor_sample: str | None = None,
    pass_only: bool = False,
) -> pd.DataFrame:
    r"""Read a somatic VCF (4.x) into the canonical variant table, one row per sample and allele.

    Plain ``.vcf`` and gzip / bgzip ``.vcf.gz`` are read. Multi-allelic records are split (one
    row per ALT allele; ``*`` and ``<NON_REF>`` are skipped and counted in
    ``.attrs['skipped_alleles']``). Alleles and coordinates are converted to the MAF convention
    (padding base removed, ``-`` for an empty allele) with ``variant_type`` SNP / DNP / TNP /
    ONP / INS / DEL (SV for symbolic alleles).

    **Which samples.** A row is written for every reported sample that *carries* the allele: a
    called genotype (GT) containing it (unless AD shows zero alt reads), or, without a called
    GT, FORMAT AF > 0 or an alt read count > 0 (missing values such as ``./.`` mean not
    carried); a sample column whose FORMAT has none of these fields reports every variant. By default every sample column is reported except the normal of a
    tumour/normal pair, recognised from the ``##normal_sample=`` header (Mutect2) or, for
    Strelka-style files, a column called ``NORMAL`` beside one called ``TUMOR``. The normal's
    depth and alt count go to ``n_depth`` / ``n_alt_count``. A VCF without sample columns is
    reported under ``tumor_sample`` or, if not given, the file name (with a warning).

    **Allele fraction.** ``vaf`` = FORMAT AF, else alt / total of FORMAT AD, else Strelka's
    tier-1 counts, else VarScan's FREQ, else (single-sample or sites-only files only, where it
    is the sample's VAF and not a cohort frequency) INFO AF. ``t_depth`` = sum of AD (else DP),
    ``t_alt_count`` = AD of the allele.

    **Annotation.** Gene, protein change, HGVS and consequence come from VEP ``CSQ`` (fields
    from the header's ``Format:``) or SnpEff ``ANN``. For each allele one transcript is used,
    chosen the same way every time: VEP's ``PICK`` flag when present, else protein-coding
    transcripts first, then the most severe consequence (VEP's ranking), then the canonical
    transcript, then the first listed. The consequence is mapped to MAF's
    ``Variant_Classification`` (missense_variant -> Missense_Mutation, stop_gained ->
    Nonsense_Mutation, frameshift_variant -> Frame_Shift_Del / Ins by allele length,
    splice_acceptor/donor -> Splice_Site, synonymous_variant -> Silent, ...). Unannotated
    records get NaN gene and class.

    Parameters
    ----------
    path
        ``.vcf`` or ``.vcf.gz`` file.
    samples
        Sample columns to report (overrides the normal detection, e.g. to include a normal).
    tumor_sample
        The tumour column of a tumour/normal pair whose header does not say which is which:
        only it is reported and the other column is treated as the normal. For a VCF without
        sample columns, the sample name to use.
    pass_only
        Keep only records whose FILTER is ``PASS`` (or ``.``, no filters applied); the number
        removed is in ``.attrs['filtered_records']``.

    Returns
    -------
    pandas.DataFrame
        Canonical variant columns (``sample, gene, chrom, start, end, ref, alt, variant_class,
        variant_type, protein_change, hgvsp, hgvsc, t_depth, t_alt_count, vaf``) then ``id``,
        ``filter``, ``qual``, ``consequence``, ``impact``, ``gene_id``, ``transcript``,
        ``biotype``, ``pos_vcf`` (the VCF POS) and, with a known normal, ``normal_sample``,
        ``n_depth``, ``n_alt_count``. ``.attrs``: ``source``, ``samples`` (reported),
        ``normal_samples``, ``filtered_records``, ``skipped_alleles``.

    Raises
    ------
    InputError
        When the ``#CHROM`` header line is missing, a record has too few fields or a
        non-integer POS, or a requested sample is not in the file.

    Examples
    --------
    >>> from oncoresist import ds
    >>> vcf = ds.example_file("vcf")  # EGFR C>T in tumour T1 (AD 30,10) vs normal N1 (AD 40,0)
    >>> read_vcf(vcf)[["sample", "chrom", "start", "ref", "alt", "vaf", "n_depth"]]
      sample chrom     start ref alt   vaf  n_depth
    0     T1     7  55181378   C   T  0.25     40.0
    """
    p = check_file(path, what="VCF")
    text = read_text(p)
    lines = text.splitlines()
    header, body_start = _vcf_header(lines, p)
    check_complete(text, sep="\t", path=p, what="VCF", comment="#", expected=len(header.columns), quoted=False)
    if isinstance(samples, str):
        samples = [samples]
    report, normals = _vcf_report_samples(header, samples, tumor_sample, p)
    normal = normals[0] if len(normals) == 1 else None
    rows, n_filtered, n_skipped = _vcf_rows(lines, body_start, header, p, report=report, normal=normal, pass_only=pass_only)
    return _vcf_result(rows, normal, p, report=report, normals=normals, n_filtered=n_filtered, n_skipped=n_skipped)


def _vcf_result(
    rows: list[tuple], normal: str | None, p: PathLike, *, report: Sequence[str], normals: Sequence[str], n_filtered: int, n_skipped: int
) -> pd.DataFrame:
    """The canonical variant table from the parsed rows, VAF checked, with the reading recorded in ``attrs``."""
    df = _vcf_table(rows, normal)
    df["vaf"] = check_vaf_range(df["vaf"].to_numpy(dtype=float), what=f"VCF '{p}'")
    out = order_variant_columns(df)
    out.attrs.update(
        source=str(p),
        samples=list(report),
        normal_samples=list(normals),
        filtered_records=n_filtered,
        skipped_alleles=n_skipped,
    )
    return out


def _vcf_header(lines: list[str], p: PathLike) -> tuple[_Header, int]:
    """Parse the ``##`` meta lines and the ``#CHROM`` line; return the header and the first body line index."""
    header = _Header()
    body_start = None
    for n, line in enumerate(lines):
        if line.startswith("##"):
            _parse_meta(line, header)
        elif line.startswith("#CHROM") or line.upper().startswith("#CHROM"):
            header.columns = line.lstrip("#").rstrip("\r").split("\t")
            body_start = n + 1
            break
        elif line.strip():
            break
    if body_start is None:
        msg = f"VCF '{p}' has no '#CHROM POS ID REF ALT QUAL FILTER INFO' header line: is it a VCF (plain or gzipped)?"
        raise InputError(msg)
    if len(header.columns) < 8:
        msg = f"VCF '{p}' header line has {len(header.columns)} tab-separated fields, expected at least 8 (CHROM ... INFO): check that it is tab-separated."
        raise InputError(msg)
    return header, body_start


def _vcf_report_samples(
    header: _Header, samples: Sequence[str] | None, tumor_sample: str | None, p: Path
) -> tuple[list[str], list[str]]:
    """The reported samples and the normal sample(s) (a sites-only VCF reports one named sample)."""
    sample_cols = header.columns[9:]
    normals = [s for s in header.normal if s in sample_cols]
    if not normals and "NORMAL" in sample_cols and "TUMOR" in sample_cols:
        normals = ["NORMAL"]
    for name, given in (("samples", samples), ("tumor_sample", [tumor_sample] if tumor_sample else None)):
        if given and sample_cols:
            absent = [s for s in given if s not in sample_cols]
            if absent:
                msg = (
                    f"{name}= names {', '.join(map(repr, absent))}, not a sample column of VCF '{p}' "
                    f"(columns: {', '.join(sample_cols) or 'none'}): use one of those names."
                )
                raise InputError(msg)
    if samples:
        report = list(dict.fromkeys(samples)) if sample_cols else []
        normals = [s for s in normals if s not in report]
    elif tumor_sample and sample_cols:
        report = [tumor_sample]
        normals = [s for s in sample_cols if s != tumor_sample]
    else:
        report = [s for s in sample_cols if s not in normals]
    if not sample_cols:
        name = tumor_sample or (samples[0] if samples else None)
        if name is None:
            name = _sample_name_from_path(p)
            warnings.warn(
                f"VCF '{p}' has no sample columns; its variants are reported for sample {name!r} "
                "(from the file name). Pass tumor_sample= to name the sample.",
                UserWarning,
                stacklevel=3,
            )
        report = [name]
    return report, normals


def _vcf_fixed_fields(f: list[str], lineno: int, p: PathLike) -> tuple[int, float, dict[str, str]]:
    """POS (checked integer), QUAL (NaN for ``.``) and the INFO key/value pairs of a record."""
    chrom, pos_s, qual_s, info_s = f[0], f[1], f[5], f[7]
    try:
        pos = int(pos_s)
    except ValueError:
        msg = f"VCF '{p}' line {lineno}: POS {pos_s!r} is not an integer (chromosome {chrom}); fix or remove the record."
        raise InputError(msg) from None
    qual = _to_float(qual_s) if qual_s != "." else np.nan
    info: dict[str, str] = {}
    if info_s and info_s != ".":
        for item in info_s.split(";"):
            k, _, v = item.partition("=")
            info[k] = v
    return pos, qual, info


def _allele_annotation(chosen: tuple[dict[str, str], dict[str, str]] | None, mref: str, malt: str) -> tuple:
    """``(gene, class, hgvsp, hgvsc, consequence, impact, gene_id, transcript, biotype)`` of the chosen annotation (NaN without one)."""
    if chosen is None:
        return (np.nan,) * 9
    a, keys = chosen
    gene = a.get(keys["gene"]) or np.nan
    conseq = a.get(keys["consequence"]) or np.nan
    cls = consequence_to_class(conseq, mref, malt)
    return (gene, cls, a.get(keys["hgvsp"]) or np.nan, a.get(keys["hgvsc"]) or np.nan,
            conseq, a.get(keys["impact"]) or np.nan, a.get(keys["gene_id"]) or np.nan,
            a.get(keys["transcript"]) or np.nan, a.get(keys["biotype"]) or np.nan)  # fmt: skip


def _vcf_rows(
    lines: list[str],
    body_start: int,
    header: _Header,
    p: PathLike,
    *,
    report: list[str],
    normal: str | None,
    pass_only: bool,
) -> tuple[list[tuple], int, int]:
    """One row per reported sample carrying each allele; also the filtered-record and skipped-allele counts."""
    sample_cols = header.columns[9:]
    sites_only = not sample_cols
    use_info_af = len(sample_cols) <= 1
    report_idx = [sample_cols.index(s) for s in report] if not sites_only else []
    normal_idx = sample_cols.index(normal) if normal is not None else None
    rows: list[tuple] = []
    n_filtered = 0
    n_skipped = 0
    n_fields = len(header.columns)
    for lineno, line in enumerate(lines[body_start:], start=body_start + 1):
        if not line or line.startswith("#"):
            continue
        f = line.rstrip("\r").split("\t")
        if len(f) < min(n_fields, 8):
            msg = f"VCF '{p}' line {lineno} has {len(f)} fields, the header has {n_fields}: the file is truncated or not tab-separated."
            raise InputError(msg)
        chrom, vid, ref, alt_s, filt = f[0], f[2], f[3].upper(), f[4], f[6] or "."
        if pass_only and filt not in ("PASS", "."):
            n_filtered += 1
            continue
        pos, qual, info = _vcf_fixed_fields(f, lineno, p)
        alts = alt_s.split(",")
        ann = _annotations(info, header)
        vep_alts = _vep_alleles(ref, [a.upper() for a in alts])
        info_af = _floats(info.get("AF")) if use_info_af else []
        fmt_keys = f[8].split(":") if len(f) > 8 else []
        calls = [_Call(fmt_keys, f[9 + j]) if 9 + j < len(f) else _Call(fmt_keys, ".") for j in report_idx]
        normal_call = None
        if normal_idx is not None and 9 + normal_idx < len(f):
            normal_call = _Call(fmt_keys, f[9 + normal_idx])
        for i, alt in enumerate(alts, start=1):
            alt = alt.upper()
            if alt in _NON_ALLELES:
                n_skipped += 1
                continue
            start, end, mref, malt = vcf_allele_to_maf(pos, ref, alt)
            annot = _allele_annotation(_annotation_for(ann, i, alt, vep_alts[i - 1], len(alts)), mref, malt)
            n_depth, n_alt = normal_call.counts(i, ref, alt)[:2] if normal_call is not None else (np.nan, np.nan)
            common = (chrom, start, end, mref, malt, *annot, vid, filt, qual, pos, n_depth, n_alt)
            if sites_only:
                vaf = info_af[i - 1] if len(info_af) >= i else np.nan
                rows.append((report[0], np.nan, np.nan, vaf, *common))
                continue
            for s_name, call in zip(report, calls):
                depth, alt_count, vaf = call.counts(i, ref, alt)
                if not _isfinite(vaf) and len(info_af) >= i:
                    vaf = info_af[i - 1]
                if call.carries(i, alt_count, vaf):
                    rows.append((s_name, depth, alt_count, vaf, *common))
    return rows, n_filtered, n_skipped


def _vcf_table(rows: list[tuple], normal: str | None) -> pd.DataFrame:
    """The record rows as a table: normalised chromosomes, types, protein changes; normal columns only with a normal."""
    cols = ["sample", "t_depth", "t_alt_count", "vaf", "chrom", "start", "end", "ref", "alt",
            "gene", "variant_class", "hgvsp", "hgvsc", *_EXTRA, "id", "filter", "qual",
            "pos_vcf", "n_depth", "n_alt_count"]  # fmt: skip
    df = pd.DataFrame.from_records(rows, columns=cols)
    df["chrom"] = normalize_chrom(df["chrom"])
    df["variant_type"] = variant_type(df["ref"], df["alt"])
    df["protein_change"] = short_protein_change(df["hgvsp"])
    df["hgvsp"] = long_protein_change(df["hgvsp"])
    df["hgvsc"] = strip_feature_prefix(df["hgvsc"])
    df["id"] = df["id"].where(df["id"] != ".", np.nan)
    df["qual"] = df["qual"].astype(float)
    df["pos_vcf"] = df["pos_vcf"].astype("int64")
    if normal is not None:
        df.insert(df.columns.get_loc("n_depth"), "normal_sample", normal)
    else:
        df = df.drop(columns=["n_depth", "n_alt_count"])
    return df


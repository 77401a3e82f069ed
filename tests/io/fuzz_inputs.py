"""Small valid inputs for every reader of ``oncoresist.io`` and the ways to damage them.

Shared by ``tests/io/test_fuzz_readers.py`` (hypothesis, fixed budget) and
``benchmarks/bench_robustness.py`` (N seeded damaged variants per reader). A case is a reader
name, the files it needs (name -> bytes), the one file to damage and a call that reads them.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from oncoresist import io as oio


@dataclass(frozen=True)
class Case:
    """A reader, its valid input files and which of them the fuzzer damages."""

    name: str
    files: dict[str, bytes]
    target: str
    read: Callable[[Path], Any]


def _tsv(df: pd.DataFrame, *, sep: str = "\t", index: bool = False) -> bytes:
    return df.to_csv(sep=sep, index=index).encode()


def _maf() -> bytes:
    rows = [
        ["EGFR", "7", 55249071, 55249071, "Missense_Mutation", "SNP", "C", "C", "T", "S1", "p.T790M", 100, 30],
        ["KRAS", "12", 25398284, 25398284, "Missense_Mutation", "SNP", "C", "C", "T", "S2", "p.G12D", 80, 40],
        ["TP53", "17", 7577120, 7577120, "Nonsense_Mutation", "SNP", "C", "C", "T", "S3", "p.R213*", 50, 10],
        ["PIK3CA", "3", 178936091, 178936091, "Missense_Mutation", "SNP", "G", "G", "A", "S1", "p.E545K", 60, 20],
    ]
    cols = ["Hugo_Symbol", "Chromosome", "Start_Position", "End_Position", "Variant_Classification", "Variant_Type",
            "Reference_Allele", "Tumor_Seq_Allele1", "Tumor_Seq_Allele2", "Tumor_Sample_Barcode", "HGVSp_Short",
            "t_depth", "t_alt_count"]
    return b"#version 2.4\n" + _tsv(pd.DataFrame(rows, columns=cols))


def _vcf() -> bytes:
    header = (
        "##fileformat=VCFv4.2\n"
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">\n'
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">\n'
        '##INFO=<ID=ANN,Number=.,Type=String,Description="Functional annotations: \'Allele | Annotation | '
        "Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | Feature_ID | Transcript_BioType | Rank | HGVS.c | "
        "HGVS.p | cDNA.pos / cDNA.length | CDS.pos / CDS.length | AA.pos / AA.length | Distance | ERRORS / WARNINGS / "
        "INFO' \">\n"
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tT1\tT2\n"
    )
    recs = [
        ["chr7", "55181378", ".", "C", "T", "50", "PASS",
         "ANN=T|missense_variant|MODERATE|EGFR|ENSG00000146648|transcript|ENST00000275493|protein_coding|20/28|"
         "c.2369C>T|p.Thr790Met|||||", "GT:AD:DP", "0/1:60,20:80", "0/0:50,0:50"],
        ["chr12", "25245350", ".", "C", "A", "60", "PASS",
         "ANN=A|missense_variant|MODERATE|KRAS|ENSG00000133703|transcript|ENST00000256078|protein_coding|2/6|"
         "c.35G>T|p.Gly12Val|||||", "GT:AD:DP", "0/0:40,0:40", "0/1:30,10:40"],
        ["chr17", "7674945", ".", "G", "A", "70", "PASS",
         "ANN=A|stop_gained|HIGH|TP53|ENSG00000141510|transcript|ENST00000269305|protein_coding|6/11|"
         "c.637C>T|p.Arg213*|||||", "GT:AD:DP", "0/1:10,30:40", "0/1:20,20:40"],
    ]
    return (header + "".join("\t".join(r) + "\n" for r in recs)).encode()


def _matrix(rng: np.random.Generator) -> bytes:
    genes = ["EGFR", "KRAS", "TP53", "MET", "ERBB2", "BRAF"]
    df = pd.DataFrame(rng.normal(size=(6, 5)).round(3), index=genes, columns=[f"S{i}" for i in range(1, 6)])
    df.index.name = "gene"
    return _tsv(df, index=True)


def _phospho(rng: np.random.Generator) -> bytes:
    sites = ["AKT1_T308", "AKT1_S473", "MAPK1_T185", "EGFR_Y1068", "MTOR_S2448"]
    df = pd.DataFrame(rng.normal(size=(5, 4)).round(3), index=sites, columns=[f"S{i}" for i in range(1, 5)])
    df.index.name = "site"
    return _tsv(df, index=True)


def _mutmatrix() -> bytes:
    df = pd.DataFrame({"gene": ["EGFR", "KRAS", "TP53"], "S1": ["p.T790M", "", "p.R273H"],
                       "S2": ["", "p.G12D", ""], "S3": ["p.L858R", "", "p.R175H"]})
    return _tsv(df)


def _cnv_matrix(rng: np.random.Generator) -> bytes:
    df = pd.DataFrame({"Gene Symbol": ["EGFR", "KRAS", "TP53", "MET"], "Locus ID": [1956, 3845, 7157, 4233],
                       "Cytoband": ["7p11.2", "12p12.1", "17p13.1", "7q31.2"]})
    for s in ("S1", "S2", "S3"):
        df[s] = rng.normal(size=4).round(3)
    return _tsv(df)


GENES_TSV = (b"symbol\tchrom\tstart\tend\tstrand\nEGFR\t7\t55019017\t55211628\t+\nTP53\t17\t7661779\t7687538\t-\n"
             b"KRAS\t12\t25205246\t25250929\t-\nMET\t7\t116672196\t116798377\t+\n")
GENES_BED = (b"chr7\t55019016\t55211628\tEGFR\t0\t+\nchr17\t7661778\t7687538\tTP53\t0\t-\n"
             b"chr12\t25205245\t25250929\tKRAS\t0\t-\nchr7\t116672195\t116798377\tMET\t0\t+\n")


def _segments() -> bytes:
    rows = [["S1", "7", 50000000, 60000000, 1.2], ["S1", "17", 7000000, 8000000, -0.8], ["S2", "12", 25000000, 26000000, 0.9],
            ["S2", "7", 100000000, 120000000, 0.1], ["S3", "7", 1, 159000000, -0.2]]
    return _tsv(pd.DataFrame(rows, columns=["ID", "chrom", "loc.start", "loc.end", "seg.mean"]))


def _screen(rng: np.random.Generator) -> bytes:
    rows = [(s, d, dose, rep, round(1 / (1 + dose / 0.5) + rng.normal(0, 0.02), 4))
            for s in ("P1", "P2") for d in ("ibrutinib", "venetoclax") for rep in (1, 2) for dose in (0.01, 0.1, 1.0, 10.0)]
    return _tsv(pd.DataFrame(rows, columns=["sample", "drug", "conc_uM", "replicate", "viability"]), sep=",")


def _combinations() -> bytes:
    rows = [(b, d1, d2, c1, c2, 0.0 if c1 == c2 == 0 else min(95.0, 30.0 * (c1 > 0) + 40.0 * (c2 > 0) + 0.1 * c1), "nM")
            for b, (d1, d2) in enumerate([("A", "B"), ("A", "C")], start=1) for c1 in (0, 10, 100) for c2 in (0, 1, 10)]
    return _tsv(pd.DataFrame(rows, columns=["PairIndex", "Drug1", "Drug2", "Conc1", "Conc2", "Response", "ConcUnit"]), sep=",")


def _clinical() -> bytes:
    df = pd.DataFrame({"sample_id": [f"S{i}" for i in range(1, 7)], "age": [61, 54, 70, 48, 66, 59],
                       "tissue": ["lung", "lung", "colon", "colon", "skin", "lung"],
                       "os_days": [100, 200, 300, 400, 500, 600], "os_event": [1, 0, 1, 0, 1, 0]})
    return _tsv(df)


def _protein_groups(rng: np.random.Generator) -> bytes:
    samples = ["T1", "T2", "N1"]
    df = pd.DataFrame({"Protein IDs": ["P04637", "P00533", "P01116", "REV__P1", "CON__P2"],
                       "Majority protein IDs": ["P04637", "P00533", "P01116", "REV__P1", "CON__P2"],
                       "Gene names": ["TP53", "EGFR", "KRAS", "", "ALB"], "Reverse": ["", "", "", "+", ""],
                       "Potential contaminant": ["", "", "", "", "+"], "Only identified by site": [""] * 5})
    for s in samples:
        df[f"LFQ intensity {s}"] = (2.0 ** rng.uniform(20, 30, 5)).round(0)
    return _tsv(df)


def _sites(rng: np.random.Generator) -> bytes:
    samples = ["T1", "T2"]
    df = pd.DataFrame({"Proteins": ["P31749", "P31749", "P28482"], "Positions within proteins": ["308", "473", "185"],
                       "Gene names": ["AKT1", "AKT1", "MAPK1"], "Localization prob": [0.99, 0.91, 0.8],
                       "Amino acid": ["T", "S", "T"], "Position": [308, 473, 185], "Reverse": [""] * 3,
                       "Potential contaminant": [""] * 3})
    for s in samples:
        for m in (1, 2, 3):
            df[f"Intensity {s}___{m}"] = (2.0 ** rng.uniform(18, 26, 3)).round(0)
    return _tsv(df)


STUDY_TOML = b"""[study]
name = "fuzz"

[samples]
file = "clinical.tsv"
id_column = "sample_id"
survival_time = "os_days"
survival_event = "os_event"

[layers.rna]
kind = "matrix"
file = "rna.tsv"

[layers.mut]
kind = "maf"
file = "mut.maf"
"""


def _h5mu(rng: np.random.Generator) -> bytes:
    import tempfile

    import anndata as ad
    import mudata as md

    a = ad.AnnData(rng.normal(size=(4, 3)).astype(np.float32))
    a.obs_names = [f"S{i}" for i in range(4)]
    a.var_names = ["g1", "g2", "g3"]
    m = md.MuData({"rna": a})
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "c.h5mu"
        oio.write_h5mu(m, p, compression=None)
        return p.read_bytes()


def _ctdna() -> bytes:
    return (b"Patient.ID,Blood.Collection.Date,Gene,ctDNA,Copy.Number,Mutations\n"
            b"G1,0,EGFR,2.5,,EGFR L858R\nG1,0,EGFR,0.8,,EGFR T790M\nG1,120,EGFR,0.4,,EGFR L858R\n"
            b"G1,120,EGFR,1.1,,EGFR C797S\nG1,120,MET,,4.2,\nG2,0,KRAS,3.0,,KRAS G12C\n")


def _timecourse() -> bytes:
    rows = ["cell.line,drug1,drug1.conc,drug1.units,time,cell.count,upid,well"]
    for t in (0, 24, 48, 72):
        for conc in (0.0, 0.1, 1.0):
            drug = "" if conc == 0 else "gefitinib"
            count = int(1000 * 2 ** (t / 24 * (1 - conc / 1.5)))
            rows.append(f"A549,{drug},{conc},uM,{t},{count},P1,A{int(conc * 10)}")
    return ("\n".join(rows) + "\n").encode()


def _pyclone(rng: np.random.Generator) -> bytes:
    rows = ["mutation_id\tsample_id\tref_counts\talt_counts\tnormal_cn\tmajor_cn\tminor_cn\ttumour_content"]
    for i in range(12):
        for region in ("R1", "R2"):
            alt = int(rng.integers(5, 60))
            rows.append(f"M{i}\t{region}\t{int(rng.integers(60, 200))}\t{alt}\t2\t{1 + i % 2}\t1\t0.6")
    return ("\n".join(rows) + "\n").encode()


def _clonevol(rng: np.random.Generator) -> bytes:
    rows = ["cluster,gene,P.vaf,R.vaf,P.ref.count,P.var.count,P.depth,R.ref.count,R.var.count,R.depth"]
    for i in range(10):
        pv, rv = int(rng.integers(20, 200)), int(rng.integers(20, 200))
        pr, rr = int(rng.integers(200, 400)), int(rng.integers(200, 400))
        rows.append(f"{1 + i % 3},G{i},{100 * pv / (pv + pr):.2f},{100 * rv / (rv + rr):.2f},{pr},{pv},{pv + pr},{rr},{rv},{rv + rr}")
    return ("\n".join(rows) + "\n").encode()


def _allelic() -> bytes:
    return (b"sample\tchr\tstartpos\tendpos\tnMajor\tnMinor\tploidy\n"
            b"T1\t1\t1\t50000000\t1\t0\t2.1\nT1\t1\t50000001\t248000000\t1\t1\t2.1\n"
            b"T1\t2\t1\t242000000\t2\t1\t2.1\nT2\t1\t1\t248000000\t1\t1\t1.9\n")


def _one(reader: Callable[..., Any], file: str, **kwargs: Any) -> Callable[[Path], Any]:
    return lambda d: reader(d / file, **kwargs)


def cases(seed: int = 0) -> list[Case]:
    """Every public reader of ``oncoresist.io`` with a small valid input (built from ``seed``)."""
    rng = np.random.default_rng(seed)
    study = {"study.toml": STUDY_TOML, "clinical.tsv": _clinical(), "rna.tsv": _matrix(rng), "mut.maf": _maf()}
    genes = {"genes.tsv": GENES_TSV}
    out = [
        Case("read_maf", {"m.maf": _maf()}, "m.maf", _one(oio.read_maf, "m.maf")),
        Case("read_vcf", {"v.vcf": _vcf()}, "v.vcf", _one(oio.read_vcf, "v.vcf")),
        Case("read_matrix", {"m.tsv": _matrix(rng)}, "m.tsv", _one(oio.read_matrix, "m.tsv")),
        Case("read_phospho_matrix", {"p.tsv": _phospho(rng)}, "p.tsv", _one(oio.read_phospho_matrix, "p.tsv")),
        Case("read_mutation_matrix", {"mm.tsv": _mutmatrix()}, "mm.tsv", _one(oio.read_mutation_matrix, "mm.tsv")),
        Case("read_cnv_matrix", {"cn.tsv": _cnv_matrix(rng)}, "cn.tsv", _one(oio.read_cnv_matrix, "cn.tsv")),
        Case("read_gene_coordinates", dict(genes), "genes.tsv", _one(oio.read_gene_coordinates, "genes.tsv")),
        Case("read_gene_coordinates_bed", {"genes.bed": GENES_BED}, "genes.bed", _one(oio.read_gene_coordinates, "genes.bed")),
        Case("read_cnv_segments", {"s.seg": _segments(), **genes}, "s.seg",
             lambda d: oio.read_cnv_segments(d / "s.seg", genes=d / "genes.tsv")),
        Case("read_cnv_segments_genes", {"s.seg": _segments(), "genes.bed": GENES_BED}, "genes.bed",
             lambda d: oio.read_cnv_segments(d / "s.seg", genes=d / "genes.bed")),
        Case("read_dose_response", {"d.csv": _screen(rng)}, "d.csv", _one(oio.read_dose_response, "d.csv")),
        Case("read_combinations", {"c.csv": _combinations()}, "c.csv", _one(oio.read_combinations, "c.csv")),
        Case("read_clinical", {"c.tsv": _clinical()}, "c.tsv", _one(oio.read_clinical, "c.tsv", id_column="sample_id")),
        Case("read_maxquant", {"proteinGroups.txt": _protein_groups(rng)}, "proteinGroups.txt",
             _one(oio.read_maxquant, "proteinGroups.txt")),
        Case("read_phosphosites", {"Phospho (STY)Sites.txt": _sites(rng)}, "Phospho (STY)Sites.txt",
             _one(oio.read_phosphosites, "Phospho (STY)Sites.txt")),
        Case("read_study", dict(study), "study.toml", _one(oio.read_study, "study.toml")),
        Case("read_study_layer", dict(study), "rna.tsv", _one(oio.read_study, "study.toml")),
        Case("read_study_samples", dict(study), "clinical.tsv", _one(oio.read_study, "study.toml")),
        Case("read_h5mu", {"c.h5mu": _h5mu(rng)}, "c.h5mu", _one(oio.read_h5mu, "c.h5mu")),
        Case("read_pyclone", {"p.tsv": _pyclone(rng)}, "p.tsv", _one(oio.read_pyclone, "p.tsv")),
        Case("read_vaf_table", {"v.csv": _clonevol(rng)}, "v.csv", _one(oio.read_vaf_table, "v.csv")),
        Case("read_clonal", {"p.tsv": _pyclone(rng)}, "p.tsv", _one(oio.read_clonal, "p.tsv")),
        Case("read_ctdna", {"plasma.csv": _ctdna()}, "plasma.csv", _one(oio.read_ctdna, "plasma.csv", unit="percent")),
        Case("read_allelic_segments", {"a.tsv": _allelic()}, "a.tsv", _one(oio.read_allelic_segments, "a.tsv")),
        Case("read_timecourse", {"tc.csv": _timecourse()}, "tc.csv", _one(oio.read_timecourse, "tc.csv")),
    ]
    return out


# ------------------------------------------------------------------------------------ damage
#: Kinds of damage; each takes the file's bytes and two integers (positions, byte values).
DAMAGE_KINDS = ("truncate", "delete_line", "duplicate_line", "flip_byte", "huge_number", "odd_number", "empty",
                "header_only", "wrong_delimiter", "non_utf8", "drop_field", "add_field", "blank_cell", "gzip_damaged",
                "utf16")

#: Numbers that crash or overflow naive parsers.
ODD_NUMBERS = ("1e3080366667", "8e25696123456", "-1e-3080366667", "1e308", "1e309", "-inf", "nan", "9" * 400,
               "0x1F", "1,5", "1.2.3", "1e", "١٢٣", "\u00a0")


def _lines(raw: bytes) -> list[bytes]:
    return raw.splitlines(keepends=True) or [b""]


def _cell_edit(raw: bytes, a: int, b: int, new: Callable[[bytes], bytes]) -> bytes:
    """Replace one cell (line ``a``, field ``b``, counted modulo) by ``new(cell)``."""
    lines = _lines(raw)
    i = a % len(lines)
    line = lines[i]
    end = line[len(line.rstrip(b"\r\n")):]
    body = line[: len(line) - len(end)]
    sep = next((s for s in (b"\t", b",", b";") if s in body), b"\t")
    fields = body.split(sep)
    j = b % len(fields)
    fields[j] = new(fields[j])
    lines[i] = sep.join(fields) + end
    return b"".join(lines)


def damage(raw: bytes, kind: str, a: int, b: int) -> bytes:
    """``raw`` damaged in one way (``kind`` from :data:`DAMAGE_KINDS`; ``a``, ``b`` any integers)."""
    n = max(len(raw), 1)
    lines = _lines(raw)
    if kind == "truncate":
        return raw[: a % n]
    if kind == "delete_line":
        i = a % len(lines)
        return b"".join(lines[:i] + lines[i + 1:])
    if kind == "duplicate_line":
        i = a % len(lines)
        return b"".join(lines[: i + 1] + lines[i:])
    if kind == "flip_byte":
        pos = a % n
        return raw[:pos] + bytes([(raw[pos:pos + 1] or b"\0")[0] ^ (b % 255 + 1)]) + raw[pos + 1:]
    if kind in ("huge_number", "odd_number"):
        token = ODD_NUMBERS[b % len(ODD_NUMBERS)] if kind == "odd_number" else ODD_NUMBERS[b % 2]
        return _cell_edit(raw, a, b // 7, lambda _c: token.encode())
    if kind == "empty":
        return b""
    if kind == "header_only":
        data = [ln for ln in lines if not ln.startswith((b"#", b"##"))]
        comments = [ln for ln in lines if ln.startswith((b"##", b"#version"))]
        return b"".join(comments + data[:1]) if b % 2 else b"".join(lines[:1])
    if kind == "wrong_delimiter":
        old, new = (b"\t", b",") if b"\t" in raw else (b",", b";")
        return raw.replace(old, new if b % 2 else b" ")
    if kind == "non_utf8":
        pos = a % n
        return raw[:pos] + bytes([0xC3, 0x28, 0xFF, 0xFE][b % 4:]) + raw[pos:]
    if kind == "drop_field":
        return _cell_edit(raw, a, b, lambda _c: b"\x00DROP").replace(b"\t\x00DROP", b"").replace(b",\x00DROP", b"").replace(b"\x00DROP", b"")
    if kind == "add_field":
        return _cell_edit(raw, a, b, lambda c: c + b"\textra")
    if kind == "blank_cell":
        return _cell_edit(raw, a, b, lambda _c: b"")
    if kind == "gzip_damaged":  # gzip-compressed (readers decompress by content), then cut or a byte flipped
        gz = gzip.compress(raw, mtime=0)
        pos = 10 + a % max(len(gz) - 10, 1)
        return gz[:pos] if b % 2 else gz[:pos] + bytes([gz[pos:pos + 1][0] ^ (b % 255 + 1)]) + gz[pos + 1:]
    if kind == "utf16":  # valid text in another encoding (with or without a byte-order mark)
        try:
            return raw.decode("utf-8").encode("utf-16" if b % 2 else "utf-16-le")
        except UnicodeDecodeError:
            return raw
    msg = f"unknown damage kind {kind!r}"
    raise ValueError(msg)


def write_case(case: Case, folder: Path, damaged: bytes | None = None) -> Path:
    """Write the case's files into ``folder`` (the target replaced by ``damaged``); return ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, raw in case.files.items():
        (folder / name).write_bytes(damaged if damaged is not None and name == case.target else raw)
    return folder


"""Tests for read_vcf: Mutect2-like tumour/normal with VEP CSQ, SnpEff ANN, multi-sample, Strelka."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from oncoresist._core._errors import InputError
from oncoresist.io import read_maf, read_vcf, variants_to_anndata
from oncoresist.io._variants import VARIANT_COLUMNS

CSQ_FORMAT = "Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|EXON|INTRON|HGVSc|HGVSp|CANONICAL"


def csq(*entries: tuple[str, ...]) -> str:
    return "CSQ=" + ",".join("|".join(e) for e in entries)


EGFR_NONCANON = ("T", "missense_variant", "MODERATE", "EGFR", "ENSG00000146648", "Transcript", "ENST00000450046",
                 "protein_coding", "18/27", "", "ENST00000450046.2:c.2102C>T", "ENSP00000413354.2:p.Thr701Met", "")
EGFR_CANON = ("T", "missense_variant", "MODERATE", "EGFR", "ENSG00000146648", "Transcript", "ENST00000275493",
              "protein_coding", "20/28", "", "ENST00000275493.7:c.2369C>T", "ENSP00000275493.2:p.Thr790Met", "YES")
EGFR_NMD = ("T", "stop_gained&NMD_transcript_variant", "HIGH", "EGFR", "ENSG00000146648", "Transcript", "ENST00000999999",
            "nonsense_mediated_decay", "9/10", "", "ENST00000999999.1:c.10C>T", "ENSP00000999999.1:p.Gln4Ter", "")  # fmt: skip
TP53_FS = ("-", "frameshift_variant", "HIGH", "TP53", "ENSG00000141510", "Transcript", "ENST00000269305",
           "protein_coding", "5/11", "", "ENST00000269305.9:c.523delT", "ENSP00000269305.4:p.Cys175AlafsTer5", "YES")
KRAS_V = ("A", "missense_variant", "MODERATE", "KRAS", "ENSG00000133703", "Transcript", "ENST00000256078",
          "protein_coding", "2/6", "", "ENST00000256078.10:c.35G>T", "ENSP00000256078.5:p.Gly12Val", "YES")
KRAS_A = ("G", "missense_variant", "MODERATE", "KRAS", "ENSG00000133703", "Transcript", "ENST00000256078",
          "protein_coding", "2/6", "", "ENST00000256078.10:c.35G>C", "ENSP00000256078.5:p.Gly12Ala", "YES")
PIK3CA_FILT = ("A", "missense_variant", "MODERATE", "PIK3CA", "ENSG00000121879", "Transcript", "ENST00000263967",
               "protein_coding", "10/21", "", "ENST00000263967.4:c.1633G>A", "ENSP00000263967.3:p.Glu545Lys", "YES")
ERBB2_INS = ("GCATACGTGATG", "inframe_insertion", "MODERATE", "ERBB2", "ENSG00000141736", "Transcript", "ENST00000269571",
             "protein_coding", "20/27", "", "ENST00000269571.10:c.2313_2324dup",
             "ENSP00000269571.5:p.Ala771_Met774dup", "YES")
ARID1A_SPLICE = ("A", "splice_donor_variant", "HIGH", "ARID1A", "ENSG00000117713", "Transcript", "ENST00000324856",
                 "protein_coding", "", "3/19", "ENST00000324856.13:c.1920+1G>A", "", "YES")
BRCA2_SYN = ("T", "synonymous_variant", "LOW", "BRCA2", "ENSG00000139618", "Transcript", "ENST00000380152",
             "protein_coding", "11/27", "", "ENST00000380152.8:c.3396C>T", "ENSP00000369497.3:p.Lys1132%3D", "YES")
TP53_STOP = ("A", "stop_gained", "HIGH", "TP53", "ENSG00000141510", "Transcript", "ENST00000269305",
             "protein_coding", "6/11", "", "ENST00000269305.9:c.637C>T", "ENSP00000269305.4:p.Arg213Ter", "YES")  # fmt: skip

M2_HEADER = f"""##fileformat=VCFv4.2
##FILTER=<ID=PASS,Description="All filters passed">
##FILTER=<ID=weak_evidence,Description="Mutation does not meet likelihood threshold">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths for the ref and alt alleles">
##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fractions of alternate alleles in the tumor">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##GATKCommandLine=<ID=Mutect2,CommandLine="Mutect2 --normal-sample PT01_N --output m2.vcf">
##INFO=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">
##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. Format: {CSQ_FORMAT}">
##normal_sample=PT01_N
##tumor_sample=PT01_T
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tPT01_N\tPT01_T
"""

M2_RECORDS = [
    ["chr7", "55181378", "rs121434569", "C", "T", ".", "PASS", "DP=130;" + csq(EGFR_NMD, EGFR_NONCANON, EGFR_CANON),
     "GT:AD:AF:DP", "0/0:50,0:0.019:50", "0/1:60,20:0.25:80"],
    ["chr17", "7675088", ".", "CA", "C", ".", "PASS", csq(TP53_FS), "GT:AD:AF:DP", "0/0:40,0:0.02:40", "0/1:30,30:0.5:60"],
    ["chr12", "25245350", ".", "C", "A,G", ".", "PASS", csq(KRAS_V, KRAS_A),
     "GT:AD:AF:DP", "0/0:50,0,0:0.01,0.01:50", "0/1/2:40,10,0:0.2,0.0:50"],
    ["chr3", "179218303", ".", "G", "A", ".", "weak_evidence", csq(PIK3CA_FILT),
     "GT:AD:AF:DP", "0/0:30,0:0.03:30", "0/1:45,3:0.06:48"],
    ["chr17", "39724727", ".", "T", "TGCATACGTGATG", ".", "PASS", csq(ERBB2_INS),
     "GT:AD:AF:DP", "0/0:35,0:0.02:35", "0/1:36,12:0.25:48"],
    ["chr1", "26729652", ".", "G", "A", ".", "PASS", csq(ARID1A_SPLICE), "GT:AD:AF:DP", "0/0:30,0:0.03:30", "0/1:20,20:0.5:40"],
    ["chr13", "32338900", ".", "C", "T", ".", "PASS", csq(BRCA2_SYN), "GT:AD:AF:DP", "0/0:30,0:0.03:30", "0/1:30,10:0.25:40"],
    ["chr17", "7674945", ".", "G", "A,*", ".", "PASS", csq(TP53_STOP), "GT:AD:AF:DP", "0/0:30,0,0:0.03,0.0:30", "0/1:10,30,0:0.75,0.0:40"],
]  # fmt: skip


def vcf_text(header: str, records: list[list[str]]) -> str:
    return header + "".join("\t".join(r) + "\n" for r in records)


@pytest.fixture
def m2_path(tmp_path: Path) -> Path:
    p = tmp_path / "PT01.mutect2.vcf"
    p.write_text(vcf_text(M2_HEADER, M2_RECORDS))
    return p


# --------------------------------------------------------------------------------------------
# Mutect2 tumour/normal + VEP CSQ
# --------------------------------------------------------------------------------------------
def test_mutect2_tumour_only_rows_and_annotation(m2_path: Path) -> None:
    df = read_vcf(m2_path)
    assert list(df.columns[: len(VARIANT_COLUMNS)]) == list(VARIANT_COLUMNS)
    assert set(df["sample"]) == {"PT01_T"}  # the normal named by ##normal_sample is not reported
    assert df.attrs["samples"] == ["PT01_T"] and df.attrs["normal_samples"] == ["PT01_N"]
    assert df.attrs["skipped_alleles"] == 1  # the '*' allele
    # KRAS: G (allele 2) has no alt reads in the tumour -> only G12V
    assert df["gene"].tolist() == ["EGFR", "TP53", "KRAS", "PIK3CA", "ERBB2", "ARID1A", "BRCA2", "TP53"]
    egfr = df.iloc[0]
    # canonical protein-coding missense is chosen over a more severe NMD-transcript stop_gained
    assert egfr["protein_change"] == "p.T790M" and egfr["hgvsp"] == "p.Thr790Met"
    assert egfr["hgvsc"] == "c.2369C>T" and egfr["transcript"] == "ENST00000275493"
    assert egfr["variant_class"] == "Missense_Mutation" and egfr["variant_type"] == "SNP"
    assert egfr["chrom"] == "7" and egfr["id"] == "rs121434569"
    assert (egfr["t_depth"], egfr["t_alt_count"], egfr["vaf"]) == (80, 20, 0.25)
    assert (egfr["normal_sample"], egfr["n_depth"], egfr["n_alt_count"]) == ("PT01_N", 50, 0)
    assert df["variant_class"].tolist() == [
        "Missense_Mutation", "Frame_Shift_Del", "Missense_Mutation", "Missense_Mutation", "In_Frame_Ins",
        "Splice_Site", "Silent", "Nonsense_Mutation",
    ]  # fmt: skip
    assert df["protein_change"].tolist()[:5] == ["p.T790M", "p.C175Afs*5", "p.G12V", "p.E545K", "p.A771_M774dup"]
    assert pd.isna(df["protein_change"].iloc[5])
    assert df["protein_change"].iloc[6] == "p.K1132=" and df["protein_change"].iloc[7] == "p.R213*"
    assert df["filter"].tolist()[3] == "weak_evidence"


def test_vcf_alleles_follow_maf_convention(m2_path: Path) -> None:
    df = read_vcf(m2_path).set_index("gene")
    tp53 = df.loc["TP53"].iloc[0]  # VCF: 7675088 CA -> C
    assert (tp53["start"], tp53["end"], tp53["ref"], tp53["alt"], tp53["variant_type"]) == (7675089, 7675089, "A", "-", "DEL")
    assert tp53["pos_vcf"] == 7675088
    erbb2 = df.loc["ERBB2"]  # VCF: 39724727 T -> TGCATACGTGATG
    assert (erbb2["start"], erbb2["end"], erbb2["ref"], erbb2["alt"], erbb2["variant_type"]) == (
        39724727, 39724728, "-", "GCATACGTGATG", "INS",
    )  # fmt: skip


def test_pass_only(m2_path: Path) -> None:
    df = read_vcf(m2_path, pass_only=True)
    assert "PIK3CA" not in set(df["gene"])
    assert df.attrs["filtered_records"] == 1
    assert (df["filter"] == "PASS").all()


def test_samples_option_includes_normal_and_errors(m2_path: Path) -> None:
    df = read_vcf(m2_path, samples=["PT01_N", "PT01_T"])
    # GT 0/0 in the normal: never carried
    assert set(df["sample"]) == {"PT01_T"}
    assert "n_depth" not in df.columns
    with pytest.raises(InputError, match="not a sample column") as exc:
        read_vcf(m2_path, samples=["PT99"])
    assert "PT01_N" in str(exc.value) and "\n" not in str(exc.value)
    with pytest.raises(InputError, match="tumor_sample= names 'X'"):
        read_vcf(m2_path, tumor_sample="X")


def test_gzip_and_bgzip_like_multimember(m2_path: Path, tmp_path: Path) -> None:
    text = m2_path.read_text().encode()
    plain = read_vcf(m2_path)
    gz = tmp_path / "a.vcf.gz"
    gz.write_bytes(gzip.compress(text))
    bgz = tmp_path / "b.vcf.gz"  # bgzip = concatenated gzip members
    half = len(text) // 2
    bgz.write_bytes(gzip.compress(text[:half]) + gzip.compress(text[half:]))
    for p in (gz, bgz):
        got = read_vcf(p)
        pd.testing.assert_frame_equal(got[list(VARIANT_COLUMNS)], plain[list(VARIANT_COLUMNS)])


def test_vcf_and_maf_tables_line_up(m2_path: Path, tmp_path: Path) -> None:
    v = read_vcf(m2_path)
    cols = ["gene", "chrom", "start", "end", "ref", "alt", "variant_class", "variant_type", "protein_change"]
    maf = tmp_path / "same.maf"
    header = ["Hugo_Symbol", "Chromosome", "Start_Position", "End_Position", "Reference_Allele", "Tumor_Seq_Allele2",
              "Tumor_Sample_Barcode", "Variant_Classification", "Variant_Type", "HGVSp_Short"]  # fmt: skip
    lines = ["\t".join(header)]
    for _, r in v.iterrows():
        lines.append("\t".join(str(x) if pd.notna(x) else "" for x in [
            r["gene"], "chr" + r["chrom"], r["start"], r["end"], r["ref"], r["alt"], r["sample"],
            r["variant_class"], r["variant_type"], r["protein_change"]]))  # fmt: skip
    maf.write_text("\n".join(lines) + "\n")
    m = read_maf(maf)
    pd.testing.assert_frame_equal(m[cols], v[cols])


# --------------------------------------------------------------------------------------------
# SnpEff ANN, single sample
# --------------------------------------------------------------------------------------------
ANN_HEADER = """##fileformat=VCFv4.1
##SnpEffVersion="5.1d (build 2022-04-19 15:49), by Pablo Cingolani"
##INFO=<ID=ANN,Number=.,Type=String,Description="Functional annotations: 'Allele | Annotation | Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | Feature_ID | Transcript_BioType | Rank | HGVS.c | HGVS.p | cDNA.pos / cDNA.length | CDS.pos / CDS.length | AA.pos / AA.length | Distance | ERRORS / WARNINGS / INFO' ">
##INFO=<ID=AF,Number=A,Type=Float,Description="Allele frequency">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tLINE_A
"""


def ann(*entries: str) -> str:
    return "ANN=" + ",".join(entries)


ANN_RECORDS = [
    ["12", "25245351", ".", "C", "A,T", "50", "PASS", "AF=0.3,0.1;" + ann(
        "A|missense_variant|MODERATE|KRAS|ENSG00000133703|transcript|ENST00000256078.10|protein_coding|2/6|c.34G>T|p.Gly12Cys|"
        "225/5889|34/570|12/189||",
        "T|missense_variant|MODERATE|KRAS|ENSG00000133703|transcript|ENST00000256078.10|protein_coding|2/6|c.34G>A|p.Gly12Ser|"
        "225/5889|34/570|12/189||",
        "A|upstream_gene_variant|MODIFIER|LYRM5|ENSG00000205707|transcript|ENST00000381256.1|protein_coding||c.-3677C>A|||||3677|",
    ), "GT:AD:DP", "0/1:70,30,0:100"],
    ["7", "140753336", ".", "A", "T", "60", "PASS", "AF=0.45;" + ann(
        "T|missense_variant|MODERATE|BRAF|ENSG00000157764|transcript|ENST00000646891.2|protein_coding|15/18|c.1799T>A|p.Val600Glu|"
        "1919/6459|1799/2301|600/766||",
    ), "GT:AD:DP", "0/1:55,45:100"],
    ["5", "1295113", ".", "G", "A", "40", "PASS", "AF=0.2;" + ann(
        "A|upstream_gene_variant|MODIFIER|TERT|ENSG00000164362|transcript|ENST00000310581.10|protein_coding||c.-124C>T|||||124|",
    ), "GT:AD:DP", "0/1:80,20:100"],
    ["10", "87933147", ".", "C", "CA", "40", "PASS", "AF=0.4;" + ann(
        "CA|frameshift_variant|HIGH|PTEN|ENSG00000171862|transcript|ENST00000371953.8|protein_coding|5/9|c.389_390insA|"
        "p.Arg130fs|1234/8515|390/1212|130/403||",
    ), "GT:AD:DP", "0/1:60,40:100"],
]  # fmt: skip


def test_snpeff_ann_single_sample(tmp_path: Path) -> None:
    p = tmp_path / "line_a.snpeff.vcf"
    p.write_text(vcf_text(ANN_HEADER, ANN_RECORDS))
    df = read_vcf(p)
    assert df["sample"].unique().tolist() == ["LINE_A"]
    kras = df.loc[df["gene"] == "KRAS"]
    # allele 2 (T) has AD 0 although GT is 0/1 -> not carried; allele 1 carries its own annotation
    assert kras["protein_change"].tolist() == ["p.G12C"] and kras["alt"].tolist() == ["A"]
    assert kras["vaf"].iloc[0] == pytest.approx(0.3)
    assert df.loc[df["gene"] == "BRAF", "protein_change"].iloc[0] == "p.V600E"
    tert = df.loc[df["gene"] == "TERT"].iloc[0]
    assert tert["variant_class"] == "5'Flank" and pd.isna(tert["protein_change"])
    pten = df.loc[df["gene"] == "PTEN"].iloc[0]
    assert pten["variant_class"] == "Frame_Shift_Ins" and pten["protein_change"] == "p.R130fs"
    a = variants_to_anndata(df, samples=["LINE_A", "LINE_B"])
    assert sorted(a.var_names) == ["BRAF", "KRAS", "PTEN"]  # TERT promoter is not coding
    assert a.X[1].sum() == 0


# --------------------------------------------------------------------------------------------
# multi-sample, no normal; GT / AD / AF decide who carries a variant
# --------------------------------------------------------------------------------------------
MULTI_HEADER = """##fileformat=VCFv4.2
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">
##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fraction">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tR1\tR2\tR3
"""
MULTI_RECORDS = [
    ["chr1", "1000", ".", "A", "G", ".", "PASS", ".", "GT:AD", "0/1:10,5", "0/0:20,0", "./.:.,."],
    ["chr1", "2000", ".", "C", "T", ".", "PASS", ".", "GT:AD", "0/1:10,5", "0/1:12,0", "1/1:0,9"],
    ["chr2", "3000", ".", "G", "A", ".", "PASS", ".", "AF", "0.1", "0", "."],
    ["chr2", "4000", ".", "T", "C", ".", "PASS", ".", "GT", "0|1", "0|0", "1|0"],
]  # fmt: skip


def test_multi_sample_carriers(tmp_path: Path) -> None:
    p = tmp_path / "multi.vcf"
    p.write_text(vcf_text(MULTI_HEADER, MULTI_RECORDS))
    df = read_vcf(p)
    carriers = df.groupby("start")["sample"].apply(list).to_dict()
    assert carriers == {1000: ["R1"], 2000: ["R1", "R3"], 3000: ["R1"], 4000: ["R1", "R3"]}
    assert df.attrs["samples"] == ["R1", "R2", "R3"] and df.attrs["normal_samples"] == []
    r3 = df.loc[(df["start"] == 2000) & (df["sample"] == "R3")].iloc[0]
    assert r3["vaf"] == 1.0 and r3["t_depth"] == 9
    assert np.isnan(df.loc[df["start"] == 4000, "vaf"]).all()
    # unannotated: no gene, no class (and a warning when summarised)
    assert df["gene"].isna().all()
    with pytest.warns(UserWarning, match="no variant_class"):
        a = variants_to_anndata(df, samples=df.attrs["samples"])
    assert a.n_vars == 0 and a.n_obs == 3


def test_tumor_sample_option_for_unlabelled_pair(tmp_path: Path) -> None:
    header = MULTI_HEADER.replace("\tR1\tR2\tR3", "\tBLOOD\tBIOPSY")
    recs = [["chr1", "1000", ".", "A", "G", ".", "PASS", ".", "GT:AD", "0/1:30,2", "0/1:10,5"]]
    p = tmp_path / "pair.vcf"
    p.write_text(vcf_text(header, recs))
    assert sorted(read_vcf(p)["sample"]) == ["BIOPSY", "BLOOD"]
    df = read_vcf(p, tumor_sample="BIOPSY")
    assert df["sample"].tolist() == ["BIOPSY"]
    assert (df["normal_sample"].iloc[0], df["n_alt_count"].iloc[0]) == ("BLOOD", 2)


# --------------------------------------------------------------------------------------------
# Strelka (NORMAL / TUMOR columns, tier counts, no GT) and sites-only files
# --------------------------------------------------------------------------------------------
STRELKA = """##fileformat=VCFv4.1
##source=strelka
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNORMAL\tTUMOR
chr7\t55181378\t.\tC\tT\t.\tPASS\tSOMATIC\tDP:FDP:SDP:SUBDP:AU:CU:GU:TU\t40:0:0:0:0,0:40,41:0,0:0,0\t60:0:0:0:0,0:45,46:0,0:15,15
chr17\t7675088\t.\tCA\tC\t.\tPASS\tSOMATIC\tDP:DP2:TAR:TIR:TOR:DP50:FDP50:SUBDP50\t35:35:35,36:0,0:0,0:35:0:0\t50:50:30,31:20,21:0,0:50:0:0
"""


def test_strelka_pair(tmp_path: Path) -> None:
    p = tmp_path / "strelka.vcf"
    p.write_text(STRELKA)
    df = read_vcf(p)
    assert df["sample"].tolist() == ["TUMOR", "TUMOR"]
    np.testing.assert_allclose(df["vaf"], [15 / 60, 20 / 50])
    np.testing.assert_allclose(df["t_alt_count"], [15, 20])
    assert df["normal_sample"].unique().tolist() == ["NORMAL"]
    np.testing.assert_allclose(df["n_alt_count"], [0, 0])


def test_sites_only_vcf(tmp_path: Path) -> None:
    text = (
        "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
        "chrX\t100\t.\tA\tG\t.\tPASS\tAF=0.12;DP=50\n1\t200\t.\tC\tT\t.\tPASS\t.\n"
    )
    p = tmp_path / "TUMOUR_7.vcf"
    p.write_text(text)
    with pytest.warns(UserWarning, match="TUMOUR_7"):
        df = read_vcf(p)
    assert df["sample"].tolist() == ["TUMOUR_7", "TUMOUR_7"]
    assert df["chrom"].tolist() == ["X", "1"]
    assert df["vaf"].iloc[0] == pytest.approx(0.12) and np.isnan(df["vaf"].iloc[1])
    named = read_vcf(p, tumor_sample="PT7")
    assert named["sample"].unique().tolist() == ["PT7"]


# --------------------------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------------------------
def test_vcf_errors(tmp_path: Path) -> None:
    p = tmp_path / "no_header.vcf"
    p.write_text("##fileformat=VCFv4.2\nchr1\t100\t.\tA\tG\t.\tPASS\t.\n")
    with pytest.raises(InputError, match="#CHROM"):
        read_vcf(p)
    q = tmp_path / "bad_pos.vcf"
    q.write_text("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\nchr1\t1e5x\t.\tA\tG\t.\tPASS\t.\n")
    with pytest.raises(InputError, match=r"line 3: POS '1e5x'") as exc:
        read_vcf(q, tumor_sample="S")
    assert "\n" not in str(exc.value)
    r = tmp_path / "short.vcf"
    r.write_text("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\nchr1\t100\tA\n")
    with pytest.raises(InputError, match="line 3 has 3 fields"):
        read_vcf(r, tumor_sample="S")
    with pytest.raises(InputError, match="does not exist"):
        read_vcf(tmp_path / "missing.vcf")


def test_sample_without_genotype_fields_reports_variants(tmp_path: Path) -> None:
    header = MULTI_HEADER.replace("\tR1\tR2\tR3", "\tONLY")
    recs = [["chr1", "1000", ".", "A", "G", ".", "PASS", ".", "DP", "42"]]
    p = tmp_path / "dp_only.vcf"
    p.write_text(vcf_text(header, recs))
    df = read_vcf(p)
    assert df["sample"].tolist() == ["ONLY"] and df["t_depth"].tolist() == [42]


# --------------------------------------------------------------------------------------------
# read_vcf steps
# --------------------------------------------------------------------------------------------
_STEP_LINES = [
    "##fileformat=VCFv4.2",
    "##normal_sample=N1",
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tN1\tT1",
    "chr7\t100\trs1\tC\tT,*\t50\tPASS\tDP=40\tGT:AD\t0/0:40,0:\t0/1:30,10,0",
    "chr7\t200\t.\tAT\tA\t.\tLowQual\t.\tGT:AD\t0/0:20,0\t0/1:10,10",
]


def test_vcf_header_step() -> None:
    from oncoresist.io._vcf import _vcf_header

    header, body_start = _vcf_header(_STEP_LINES, "t.vcf")
    assert body_start == 3 and header.normal == ["N1"] and header.columns[9:] == ["N1", "T1"]
    with pytest.raises(InputError, match="no '#CHROM"):
        _vcf_header(["##fileformat=VCFv4.2", "chr1\t1"], "t.vcf")
    with pytest.raises(InputError, match="expected at least 8"):
        _vcf_header(["#CHROM\tPOS\tID"], "t.vcf")


def test_vcf_report_samples_step() -> None:
    from oncoresist.io._vcf import _Header, _vcf_report_samples

    h = _Header()
    h.columns = ["CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", "NORMAL", "TUMOR"]
    assert _vcf_report_samples(h, None, None, Path("t.vcf")) == (["TUMOR"], ["NORMAL"])
    assert _vcf_report_samples(h, ["NORMAL", "TUMOR"], None, Path("t.vcf")) == (["NORMAL", "TUMOR"], [])
    assert _vcf_report_samples(h, None, "NORMAL", Path("t.vcf")) == (["NORMAL"], ["TUMOR"])
    with pytest.raises(InputError, match="not a sample column"):
        _vcf_report_samples(h, ["X"], None, Path("t.vcf"))
    h.columns = h.columns[:8]
    with pytest.warns(UserWarning, match="no sample columns"):
        assert _vcf_report_samples(h, None, None, Path("/d/pt7.vcf.gz")) == (["pt7"], [])


def test_vcf_fixed_fields_step() -> None:
    from oncoresist.io._vcf import _vcf_fixed_fields

    pos, qual, info = _vcf_fixed_fields(_STEP_LINES[3].split("\t"), 4, "t.vcf")
    assert (pos, qual, info) == (100, 50.0, {"DP": "40"})
    pos, qual, info = _vcf_fixed_fields(_STEP_LINES[4].split("\t"), 5, "t.vcf")
    assert np.isnan(qual) and info == {}
    with pytest.raises(InputError, match="not an integer"):
        _vcf_fixed_fields(["chr1", "x1", ".", "A", "T", ".", ".", "."], 9, "t.vcf")


def test_allele_annotation_step() -> None:
    from oncoresist.io._vcf import _allele_annotation

    assert all(np.isnan(v) for v in _allele_annotation(None, "C", "T"))
    keys = {k: k for k in ("gene", "consequence", "hgvsp", "hgvsc", "impact", "gene_id", "transcript", "biotype")}
    a = {"gene": "EGFR", "consequence": "missense_variant", "hgvsp": "p.Thr790Met", "impact": ""}
    out = _allele_annotation((a, keys), "C", "T")
    assert out[:3] == ("EGFR", "Missense_Mutation", "p.Thr790Met") and np.isnan(out[5])


def test_vcf_rows_step() -> None:
    from oncoresist.io._vcf import _vcf_header, _vcf_rows

    header, start = _vcf_header(_STEP_LINES, "t.vcf")
    rows, n_filtered, n_skipped = _vcf_rows(_STEP_LINES, start, header, "t.vcf", report=["T1"], normal="N1", pass_only=True)
    assert (n_filtered, n_skipped, len(rows)) == (1, 1, 1)
    sample, depth, alt_count, vaf = rows[0][:4]
    assert (sample, depth, alt_count, vaf) == ("T1", 40.0, 10.0, 0.25)
    rows, n_filtered, _ = _vcf_rows(_STEP_LINES, start, header, "t.vcf", report=["T1"], normal="N1", pass_only=False)
    assert n_filtered == 0 and len(rows) == 2


def test_vcf_table_step() -> None:
    from oncoresist.io._vcf import _vcf_table

    row = ("T1", 40.0, 10.0, 0.25, "chr7", 100, 100, "C", "T", "EGFR", "Missense_Mutation", "ENSP1:p.Thr790Met",
           "ENST1:c.1C>T", *(np.nan,) * 5, ".", "PASS", 50.0, 100, np.nan, np.nan)  # fmt: skip
    df = _vcf_table([row], None)
    assert df.loc[0, "chrom"] == "7" and df.loc[0, "protein_change"] == "p.T790M"
    assert "n_depth" not in df.columns and df["pos_vcf"].dtype == "int64"
    assert _vcf_table([row], "N1").loc[0, "normal_sample"] == "N1"
    assert df.loc[0, "hgvsc"] == "c.1C>T" and np.isnan(df.loc[0, "id"]) and df.loc[0, "variant_type"] == "SNP"

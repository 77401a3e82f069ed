"""Tests for copy-number readers: gene matrices, gene coordinates, segments -> genes."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from oncoresist._core._errors import InputError
from oncoresist.io import read_cnv_matrix, read_cnv_segments, read_gene_coordinates

# --------------------------------------------------------------------------------------------
# gene-level matrices
# --------------------------------------------------------------------------------------------
GISTIC_LOG2 = (
    "Gene Symbol\tGene ID\tCytoband\tTCGA-A1-0001-01\tTCGA-A1-0002-01\tTCGA-A1-0003-01\n"
    "EGFR\t1956\t7p11.2\t1.532\t0.012\t-0.05\n"
    "CDKN2A\t1029\t9p21.3\t-1.9\t-0.1\t0.0\n"
    "ERBB2\t2064\t17q12\t0.1\t2.2\t\n"
)


def test_read_cnv_matrix_gistic_log2(tmp_path: Path) -> None:
    p = tmp_path / "all_data_by_genes.txt"
    p.write_text(GISTIC_LOG2)
    a = read_cnv_matrix(p)
    assert a.shape == (3, 3)
    assert list(a.var_names) == ["EGFR", "CDKN2A", "ERBB2"]
    assert list(a.var.columns) == ["Gene ID", "Cytoband"]
    assert a.var.loc["ERBB2", "Cytoband"] == "17q12"
    assert a.obs_names[0] == "TCGA-A1-0001-01"
    assert a.to_df().loc["TCGA-A1-0002-01", "ERBB2"] == pytest.approx(2.2)
    assert np.isnan(a.to_df().loc["TCGA-A1-0003-01", "ERBB2"])
    assert a.uns["cnv"]["values"] == "log2" and a.uns["cnv"]["format"] == "gistic"


def test_read_cnv_matrix_gistic_calls_and_checks(tmp_path: Path) -> None:
    text = "Gene Symbol\tLocus ID\tCytoband\tS1\tS2\n" + "".join(
        f"G{i}\t{1000 + i}\t1p36\t{c1}\t{c2}\n" for i, (c1, c2) in enumerate([(2, 0), (-2, 1), (0, -1)] * 8)
    )
    p = tmp_path / "all_thresholded.by_genes.txt"
    p.write_text(text)
    a = read_cnv_matrix(p, values="calls")
    assert a.uns["cnv"]["values"] == "calls"
    assert "Locus ID" in a.var.columns  # numeric annotation column is not mistaken for a sample
    assert list(a.obs_names) == ["S1", "S2"]
    assert a.X[:, 0].tolist() == [2, 0]
    with pytest.warns(UserWarning, match="look like discrete calls"):
        read_cnv_matrix(p)
    with pytest.raises(InputError, match="non-integer values"):
        q = tmp_path / "log2.txt"
        q.write_text(GISTIC_LOG2)
        read_cnv_matrix(q, values="calls")
    with pytest.raises(InputError, match="values="):
        read_cnv_matrix(p, values="ratio")  # type: ignore[arg-type]


def test_read_cnv_matrix_cct(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    vals = rng.normal(0, 0.3, size=(30, 4)).round(3)
    lines = ["idx\tS001\tS002\tS003\tS004"] + [f"GENE{i}\t" + "\t".join(map(str, r)) for i, r in enumerate(vals)]
    p = tmp_path / "CNA.cct.gz"
    p.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    a = read_cnv_matrix(p)
    assert a.shape == (4, 30)
    np.testing.assert_allclose(a.X, vals.T)
    assert a.uns["cnv"]["format"] == "matrix"


# --------------------------------------------------------------------------------------------
# gene coordinates
# --------------------------------------------------------------------------------------------
EXPECTED_GENES = pd.DataFrame(
    {
        "gene": ["EGFR", "TP53", "KDM5C", "MT-ND1"],
        "chrom": ["7", "17", "X", "MT"],
        "start": [55019017, 7661779, 53176403, 3307],
        "end": [55211628, 7687538, 53225422, 4262],
        "strand": ["+", "-", "-", "+"],
    }
)


def test_gene_coordinates_bed_gtf_gff_table_agree(tmp_path: Path) -> None:
    bed = tmp_path / "genes.bed"
    bed.write_text(
        "track name=genes\nchr7\t55019016\t55211628\tEGFR\t0\t+\nchr17\t7661778\t7687538\tTP53\t0\t-\n"
        "chrX\t53176402\t53225422\tKDM5C\t0\t-\nchrM\t3306\t4262\tMT-ND1\t0\t+\n"
    )
    gtf = tmp_path / "genes.gtf.gz"
    gtf_text = (
        "#!genome-build GRCh38\n"
        '7\tensembl\tgene\t55019017\t55211628\t.\t+\t.\tgene_id "ENSG00000146648"; gene_version "21"; gene_name "EGFR"; gene_biotype "protein_coding";\n'
        '7\tensembl\ttranscript\t55019017\t55211628\t.\t+\t.\tgene_id "ENSG00000146648"; transcript_id "ENST00000275493"; gene_name "EGFR";\n'
        '17\tensembl\tgene\t7661779\t7687538\t.\t-\t.\tgene_id "ENSG00000141510"; gene_name "TP53"; gene_biotype "protein_coding";\n'
        '17\tensembl\texon\t7661779\t7662000\t.\t-\t.\tgene_id "ENSG00000141510"; gene_name "TP53";\n'
        'X\tensembl\tgene\t53176403\t53225422\t.\t-\t.\tgene_id "ENSG00000126012"; gene_name "KDM5C"; gene_biotype "protein_coding";\n'
        'MT\tensembl\tgene\t3307\t4262\t.\t+\t.\tgene_id "ENSG00000198888"; gene_name "MT-ND1"; gene_biotype "protein_coding";\n'
    )
    gtf.write_bytes(gzip.compress(gtf_text.encode()))
    gff = tmp_path / "genes.gff3"
    gff.write_text(
        "##gff-version 3\n"
        "chr7\tensembl\tgene\t55019017\t55211628\t.\t+\t.\tID=gene:ENSG00000146648;Name=EGFR;biotype=protein_coding\n"
        "chr17\tensembl\tgene\t7661779\t7687538\t.\t-\t.\tID=gene:ENSG00000141510;Name=TP53;biotype=protein_coding\n"
        "chr17\tensembl\tmRNA\t7661779\t7687538\t.\t-\t.\tID=transcript:ENST00000269305;Parent=gene:ENSG00000141510\n"
        "chrX\tensembl\tgene\t53176403\t53225422\t.\t-\t.\tID=gene:ENSG00000126012;Name=KDM5C;biotype=protein_coding\n"
        "chrM\tensembl\tgene\t3307\t4262\t.\t+\t.\tID=gene:ENSG00000198888;Name=MT-ND1;biotype=protein_coding\n"
    )
    tsv = tmp_path / "genes.tsv"
    tsv.write_text(
        "symbol\tgene_id\tchrom\tstart\tend\tstrand\n"
        "EGFR\tENSG00000146648\t7\t55019017\t55211628\t1\nTP53\tENSG00000141510\t17\t7661779\t7687538\t-1\n"
        "KDM5C\tENSG00000126012\tX\t53176403\t53225422\t-1\nMT-ND1\tENSG00000198888\tMT\t3307\t4262\t1\n"
    )
    ucsc = tmp_path / "ucsc.csv"
    ucsc.write_text(
        "name,chrom,txStart,txEnd,strand\nEGFR,chr7,55019016,55211628,+\nTP53,chr17,7661778,7687538,-\n"
        "KDM5C,chrX,53176402,53225422,-\nMT-ND1,chrM,3306,4262,+\n"
    )
    cols = list(EXPECTED_GENES.columns)
    for path, fmt, kw in ((bed, "bed", {}), (gtf, "gtf", {}), (gff, "gtf", {}), (tsv, "table", {}), (ucsc, "table", {"zero_based": True})):
        got = read_gene_coordinates(path, **kw)
        assert got.attrs["format"] == fmt, path
        pd.testing.assert_frame_equal(got[cols], EXPECTED_GENES, check_dtype=False, obj=str(path))
        assert got["start"].dtype == np.int64
    gt = read_gene_coordinates(gtf)
    assert gt["gene_id"].tolist()[0] == "ENSG00000146648" and gt["biotype"].iloc[0] == "protein_coding"
    assert read_gene_coordinates(gff)["gene_id"].iloc[1] == "ENSG00000141510"
    assert read_gene_coordinates(tsv)["gene_id"].iloc[0] == "ENSG00000146648"


def test_gene_coordinates_errors(tmp_path: Path) -> None:
    p = tmp_path / "g.tsv"
    p.write_text("symbol\tchrom\tstart\nEGFR\t7\t1\n")
    with pytest.raises(InputError, match="lacks column"):
        read_gene_coordinates(p)
    q = tmp_path / "h.tsv"
    q.write_text("symbol\tchrom\tstart\tend\nEGFR\t7\t55019017\tabc\n")
    with pytest.raises(InputError, match=r"non-integer coordinate 'abc' at data row 1 \(EGFR\)"):
        read_gene_coordinates(q)
    r = tmp_path / "r.tsv"
    r.write_text("symbol\tchrom\tstart\tend\nEGFR\t7\t500\t100\n")
    with pytest.raises(InputError, match="start 500 > end 100"):
        read_gene_coordinates(r)
    b = tmp_path / "x.bed"
    b.write_text("chr1\t10\t20\n")
    with pytest.raises(InputError, match="column 4"):
        read_gene_coordinates(b)


# --------------------------------------------------------------------------------------------
# segments -> genes
# --------------------------------------------------------------------------------------------
def slow_map(seg: pd.DataFrame, genes: pd.DataFrame, samples: list[str], overlap: str) -> np.ndarray:
    """Obvious reference: every sample x gene x segment, in Python."""
    out = np.full((len(samples), len(genes)), np.nan)
    for i, s in enumerate(samples):
        ss = seg[seg["ID"] == s]
        for j, g in enumerate(genes.itertuples()):
            best, best_ov, num, den = np.nan, 0, 0.0, 0.0
            for r in ss.itertuples():
                if str(r.chrom).removeprefix("chr") != str(g.chrom) or np.isnan(r.value):
                    continue
                ov = min(r.end, g.end) - max(r.start, g.start) + 1
                if ov <= 0:
                    continue
                num += ov * r.value
                den += ov
                if ov > best_ov:
                    best, best_ov = r.value, ov
            out[i, j] = (num / den if den > 0 else np.nan) if overlap == "weighted" else best
    return out


def random_segments(rng: np.random.Generator, samples: list[str], chrom_len: dict[str, int], per_chrom: int) -> pd.DataFrame:
    rows = []
    for s in samples:
        for c, length in chrom_len.items():
            cuts = np.sort(rng.choice(np.arange(2, length), size=per_chrom * 2, replace=False))
            for k in range(per_chrom):
                start, end = int(cuts[2 * k]), int(cuts[2 * k + 1])  # gaps between segments
                value = np.nan if rng.random() < 0.05 else round(float(rng.normal(0, 0.5)), 4)
                rows.append((s, f"chr{c}" if rng.random() < 0.5 else c, start, end, int(rng.integers(5, 500)), value))
    return pd.DataFrame(rows, columns=["ID", "chrom", "start", "end", "num.mark", "value"])


def random_genes(rng: np.random.Generator, chrom_len: dict[str, int], n: int) -> pd.DataFrame:
    chroms = rng.choice(list(chrom_len), size=n)
    starts = np.array([rng.integers(1, chrom_len[c] - 50) for c in chroms])
    ends = starts + rng.integers(0, 4000, size=n)
    ends = np.minimum(ends, [chrom_len[c] for c in chroms])
    return pd.DataFrame({"gene": [f"G{i}" for i in range(n)], "chrom": chroms, "start": starts, "end": ends})


def write_seg(seg: pd.DataFrame, path: Path) -> Path:
    out = seg.rename(columns={"start": "loc.start", "end": "loc.end", "value": "seg.mean"})
    out.to_csv(path, sep="\t", index=False, na_rep="NA")
    return path


@pytest.mark.parametrize("overlap", ["max_overlap", "weighted"])
def test_segments_match_slow_reference(tmp_path: Path, overlap: str) -> None:
    rng = np.random.default_rng(11)
    chrom_len = {"1": 60_000, "2": 40_000, "X": 30_000}
    samples = ["S1", "S2", "S3"]
    seg = random_segments(rng, samples, chrom_len, per_chrom=12)
    genes = random_genes(rng, chrom_len, 150)
    path = write_seg(seg, tmp_path / "cohort.seg")
    a = read_cnv_segments(path, genes=genes, overlap=overlap)
    assert list(a.obs_names) == samples and list(a.var_names) == genes["gene"].tolist()
    ref = slow_map(seg, genes, samples, overlap)
    np.testing.assert_allclose(a.X, ref, equal_nan=True)
    assert np.isnan(ref).any() and np.isfinite(ref).any()  # both covered and uncovered genes occur
    cov = a.layers["covered_fraction"]
    assert ((cov > 0) == np.isfinite(a.X)).all()
    assert a.uns["cnv"]["overlap"] == overlap and a.uns["cnv"]["values"] == "log2"


def test_segments_overlapping_segments_and_ties(tmp_path: Path) -> None:
    # overlapping segments in one sample (e.g. merged callers) and a tie in overlap length
    seg = pd.DataFrame(
        {
            "ID": ["S1"] * 4,
            "chrom": ["1"] * 4,
            "start": [1, 50, 101, 10],
            "end": [1000, 60, 200, 20],
            "value": [0.5, 2.0, -1.0, 3.0],
        }
    )
    genes = pd.DataFrame({"gene": ["A", "B", "C"], "chrom": ["1", "1", "1"], "start": [45, 91, 12], "end": [64, 110, 18]})
    path = write_seg(seg, tmp_path / "o.seg")
    for overlap in ("max_overlap", "weighted"):
        got = read_cnv_segments(path, genes=genes, overlap=overlap).X[0]
        np.testing.assert_allclose(got, slow_map(seg, genes, ["S1"], overlap)[0])
    # B overlaps segment 1 (91-110 ∩ 1-1000 = 20 bp) and segment 3 (101-110 = 10 bp)
    assert read_cnv_segments(path, genes=genes).X[0, 1] == pytest.approx(0.5)


def test_segments_tie_goes_to_leftmost(tmp_path: Path) -> None:
    seg = pd.DataFrame({"ID": ["S1", "S1"], "chrom": ["7", "7"], "start": [1, 101], "end": [100, 200], "value": [1.0, -1.0]})
    genes = pd.DataFrame({"gene": ["G"], "chrom": ["7"], "start": [91], "end": [110]})
    a = read_cnv_segments(write_seg(seg, tmp_path / "t.seg"), genes=genes)
    assert a.X[0, 0] == 1.0
    assert a.layers["covered_fraction"][0, 0] == pytest.approx(1.0)


def test_segments_common_column_names_and_options(tmp_path: Path) -> None:
    genes = pd.DataFrame({"gene": ["EGFR", "TP53"], "chrom": ["7", "17"], "start": [55019017, 7661779], "end": [55211628, 7687538]})
    gdc = tmp_path / "gdc.tsv"
    gdc.write_text(
        "GDC_Aliquot\tChromosome\tStart\tEnd\tNum_Probes\tSegment_Mean\n"
        "a1\t7\t50000000\t60000000\t300\t1.1\na1\t17\t1\t8000000\t200\t-0.7\n"
    )
    a = read_cnv_segments(gdc, genes=genes)
    assert a.to_df().loc["a1"].tolist() == [1.1, -0.7]
    assert a.uns["cnv"]["columns"]["markers"] == "Num_Probes"
    cns = tmp_path / "PT9.cns"
    cns.write_text("chromosome\tstart\tend\tgene\tlog2\tdepth\tprobes\tweight\nchr7\t55019016\t55019017\tEGFR\t2.5\t100\t10\t1\n")
    with pytest.warns(UserWarning, match="'PT9'"):
        b = read_cnv_segments(cns, genes=genes, zero_based=True)
    assert b.obs_names.tolist() == ["PT9"] and b.X[0, 0] == 2.5  # 0-based start 55019016 -> 55019017
    c = read_cnv_segments(cns, genes=genes, sample="P9", value_column="depth", values="copy_number")
    assert c.obs_names.tolist() == ["P9"] and c.X[0, 0] == 100
    assert c.uns["cnv"]["values"] == "copy_number"
    with pytest.raises(InputError, match="values="):
        read_cnv_segments(cns, genes=genes, sample="P9", values="ratio")  # type: ignore[arg-type]


def test_segments_genes_from_file_with_duplicates_and_unknown_chrom(tmp_path: Path) -> None:
    gfile = tmp_path / "genes.tsv"
    gfile.write_text("symbol\tchrom\tstart\tend\nA\tchr1\t100\t200\nA\tchr1\t5000\t6000\nB\tchr2\t10\t20\n")
    seg = pd.DataFrame({"ID": ["S1", "S1"], "chrom": ["1", "23"], "start": [1, 1], "end": [1000, 100], "value": [0.3, 0.9]})
    with pytest.warns(UserWarning) as rec:
        a = read_cnv_segments(write_seg(seg, tmp_path / "d.seg"), genes=gfile)
    messages = " ".join(str(w.message) for w in rec)
    assert "more than once" in messages and "23" in messages
    assert a.var_names.tolist() == ["A", "B"] and a.var.loc["A", "start"] == 100
    assert a.X[0, 0] == pytest.approx(0.3) and np.isnan(a.X[0, 1])
    assert a.uns["cnv"]["duplicate_genes"] == "A" and a.uns["cnv"]["unmatched_chromosomes"] == "23"
    assert a.uns["cnv"]["n_genes_not_covered"] == 1


def test_segments_errors(tmp_path: Path) -> None:
    seg = pd.DataFrame({"ID": ["S1"], "chrom": ["1"], "start": [1], "end": [1000], "value": [0.3]})
    path = write_seg(seg, tmp_path / "e.seg")
    with pytest.raises(InputError, match="needs genes=") as exc:
        read_cnv_segments(path)
    assert "\n" not in str(exc.value)
    genes = pd.DataFrame({"gene": ["A"], "chrom": ["1"], "start": [10], "end": [20]})
    with pytest.raises(InputError, match="lacks column"):
        read_cnv_segments(path, genes=genes.drop(columns="end"))
    with pytest.raises(InputError, match="overlap="):
        read_cnv_segments(path, genes=genes, overlap="mean")  # type: ignore[arg-type]
    bad = tmp_path / "bad.seg"
    bad.write_text("ID\tchrom\tloc.start\tloc.end\tseg.mean\nS1\t1\t500\t100\t0.2\n")
    with pytest.raises(InputError, match="starts at 500 after its end 100"):
        read_cnv_segments(bad, genes=genes)
    txt = tmp_path / "txt.seg"
    txt.write_text("ID\tchrom\tloc.start\tloc.end\tseg.mean\nS1\t1\t1\t100\tgain\n")
    with pytest.raises(InputError, match="non-numeric value 'gain'"):
        read_cnv_segments(txt, genes=genes)
    novalue = tmp_path / "nv.seg"
    novalue.write_text("ID\tchrom\tloc.start\tloc.end\nS1\t1\t1\t100\n")
    with pytest.raises(InputError, match="lacks a value column"):
        read_cnv_segments(novalue, genes=genes)


# --------------------------------------------------------------------------------------------
# real data
# --------------------------------------------------------------------------------------------
@pytest.mark.realdata
def test_cptac_cna_matrix(shared_data: Path) -> None:
    a = read_cnv_matrix(shared_data / "cptac_ucec" / "CNA.cct.gz")
    assert a.n_obs >= 95 and a.n_vars > 20_000
    assert a.uns["cnv"] == {"values": "log2", "format": "matrix", "file": str(shared_data / "cptac_ucec" / "CNA.cct.gz")}
    assert a.uns["read_matrix"]["orientation"] == "features_x_samples"
    assert {"PTEN", "TP53", "ERBB2", "CCNE1"} <= set(a.var_names)
    assert np.isnan(a.X).mean() < 0.05
    assert abs(float(np.nanmedian(a.X))) < 0.1  # log2 ratios centred on 0


@pytest.mark.realdata
def test_grch38_gene_table_and_segment_mapping(shared_data: Path, tmp_path: Path) -> None:
    genes = read_gene_coordinates(shared_data / "prior" / "grch38_genes.tsv.gz")
    assert len(genes) == 19_655
    assert set(genes["strand"]) == {"+", "-"}
    assert {"1", "X", "Y", "MT"} <= set(genes["chrom"])
    egfr = genes.loc[genes["gene"] == "EGFR"].iloc[0]
    assert egfr["chrom"] == "7" and 55_000_000 < egfr["start"] < egfr["end"] < 55_300_000
    # an EGFR-focal amplification on chr7 reaches EGFR only
    seg = pd.DataFrame(
        {"ID": ["T1"] * 3, "chrom": ["chr7"] * 3, "start": [1, 54_900_000, 55_400_001], "end": [54_899_999, 55_400_000, 159_000_000],
         "value": [0.0, 3.0, 0.0]}  # fmt: skip
    )
    with pytest.warns(UserWarning, match="more than once"):
        a = read_cnv_segments(write_seg(seg, tmp_path / "t.seg"), genes=genes)
    amp = a.to_df().loc["T1"]
    assert amp["EGFR"] == 3.0
    assert amp.dropna().index[amp.dropna() == 3.0].isin(genes.loc[genes["chrom"] == "7", "gene"]).all()
    assert np.isnan(amp["TP53"])  # chr17 not covered



def test_bed_with_ragged_or_no_lines_is_a_clean_error(tmp_path: Path) -> None:
    ragged = tmp_path / "ragged.bed"
    ragged.write_text("chr7\t55019016\t55211628\tEGFR\t0\t+\nchr17\t7661778\t7687538\tTP53\t0\t-\textra\n"
                      "chr12\t25205245\t25250929\tKRAS\t0\t-\n")
    with pytest.raises(InputError, match=r"ragged.bed.*line \d+ has \d+ .*fields, expected \d+.*re-export"):
        read_gene_coordinates(ragged)
    cut = tmp_path / "cut.bed"
    cut.write_text("chr7\t55019016\t55211628\tEGFR\t0\t+\nchr17\t7661778\t76875")
    with pytest.raises(InputError, match=r"cut.bed.*line 2 .*3 tab-separated fields, expected 6"), \
            pytest.warns(UserWarning, match="does not end with a newline"):
        read_gene_coordinates(cut)
    empty = tmp_path / "empty.bed"
    empty.write_text("track name=genes\n")
    with pytest.raises(InputError, match=r"empty.bed' has no data lines"):
        read_gene_coordinates(empty)
    seg = tmp_path / "s.seg"
    seg.write_text("ID\tchrom\tloc.start\tloc.end\tseg.mean\nS1\t7\t50000000\t60000000\t1.2\n")
    with pytest.raises(InputError, match=r"ragged.bed"):
        read_cnv_segments(seg, genes=ragged)


def test_gtf_with_a_ragged_gene_line_is_a_clean_error(tmp_path: Path) -> None:
    gtf = tmp_path / "g.gtf"
    gtf.write_text('7\tensembl\tgene\t55019017\t55211628\t.\t+\t.\tgene_id "E1"; gene_name "EGFR";\n'
                   '17\tensembl\tgene\t7661779\t7687538\t.\t-\t.\tgene_id "E2"; gene_name "TP53";\tjunk\n')
    with pytest.raises(InputError, match=r"GTF/GFF .*g.gtf.*data line 2 .*10 tab-separated fields, expected 9"):
        read_gene_coordinates(gtf)


def test_gene_coordinates_without_any_named_gene_is_an_error(tmp_path: Path) -> None:
    header = tmp_path / "h.tsv"
    header.write_text("symbol\tchrom\tstart\tend\n")
    with pytest.raises(InputError, match=r"h.tsv' holds no named gene \(header only"):
        read_gene_coordinates(header)

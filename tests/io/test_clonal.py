"""Clonal inputs: the PyClone-VI TSV and ClonEvol / LICHeE / CALDER multi-sample tables."""

from __future__ import annotations

import pytest

from oncoresist._core._errors import InputError
from oncoresist.io import CLONAL_COLUMNS, read_pyclone, read_vaf_table

HEADER = "mutation_id\tsample_id\tref_counts\talt_counts\tnormal_cn\tmajor_cn\tminor_cn\ttumour_content\n"


def _write(tmp_path, text, name="in.tsv"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_read_pyclone_tidy_table_with_depth_and_vaf(tmp_path):
    p = _write(tmp_path, HEADER + "m1\tR1\t60\t40\t2\t1\t1\t0.8\nm1\tR2\t100\t0\t2\t2\t1\t0.5\n")
    t = read_pyclone(p)
    assert list(t.columns) == list(CLONAL_COLUMNS)
    assert t["depth"].tolist() == [100, 100]
    assert t["vaf"].tolist() == [0.4, 0.0]
    assert t["major_cn"].tolist() == [1, 2] and t["tumour_content"].tolist() == [0.8, 0.5]


def test_read_pyclone_aliases_and_defaults(tmp_path):
    p = _write(tmp_path, "Mutation\tRegion\tref_count\tvar_counts\tmajor\tminor\tpurity\nm1\tR1\t5\t5\t1\t0\t0.9\n")
    t = read_pyclone(p)
    assert t.loc[0, ["mutation_id", "sample_id", "alt_counts", "normal_cn"]].tolist() == ["m1", "R1", 5, 2]
    q = _write(tmp_path, "mutation_id\tsample_id\tref_counts\talt_counts\tmajor_cn\tminor_cn\nm1\tR1\t5\t5\t1\t0\n", "q.tsv")
    with pytest.warns(UserWarning, match="tumour_content"):
        assert read_pyclone(q)["tumour_content"].tolist() == [1.0]


@pytest.mark.parametrize(
    ("row", "match"),
    [
        ("m1\tR1\t-3\t4\t2\t1\t1\t0.5", r"ref_counts.*line 2.*non-negative integer"),
        ("m1\tR1\t3\t4.5\t2\t1\t1\t0.5", r"alt_counts.*line 2"),
        ("m1\tR1\t3\t4\t2\t1\t2\t0.5", r"major_cn >= minor_cn"),
        ("m1\tR1\t3\t4\t2\t0\t0\t0.5", r"major_cn >= 1"),
        ("m1\tR1\t3\t4\t2\t1\t1\t45", r"tumour_content.*\[0, 1\]"),
        ("m1\tR1\t3\t4\t2\t1\t1\t0", r"tumour content > 0"),
        ("m1\tR1\t3\tx\t2\t1\t1\t0.5", r"alt_counts.*'x'"),
    ],
)
def test_read_pyclone_bad_values_name_file_column_line(tmp_path, row, match):
    p = _write(tmp_path, HEADER + "m0\tR1\t3\t4\t2\t1\t1\t0.5\n".replace("m0\tR1", "m0\tR0") + row + "\n")
    with pytest.raises(InputError, match=match.replace("line 2", "line 3")) as e:
        read_pyclone(p)
    assert "in.tsv" in str(e.value)


def test_read_pyclone_refuses_truncated_missing_columns_and_duplicates(tmp_path):
    with pytest.raises(InputError, match="truncated|cut mid-line"):
        read_pyclone(_write(tmp_path, HEADER + "m1\tR1\t3\t4\t2\t1\t1\t0.5\nm2\tR1\t3\t4"))
    with pytest.raises(InputError, match="lacks required column.*'minor_cn'"):
        read_pyclone(_write(tmp_path, "mutation_id\tsample_id\tref_counts\talt_counts\tmajor_cn\nm\tR\t1\t1\t1\n", "b.tsv"))
    with pytest.raises(InputError, match="more than once"):
        read_pyclone(_write(tmp_path, HEADER + "m1\tR1\t3\t4\t2\t1\t1\t0.5\nm1\tR1\t3\t4\t2\t1\t1\t0.5\n", "c.tsv"))
    with pytest.raises(InputError, match="empty"):
        read_pyclone(_write(tmp_path, "", "d.tsv"))


def test_read_vaf_table_layouts(tmp_path):
    clonevol = _write(tmp_path, "cluster,gene,P.vaf,R.vaf,P.ref.count,P.var.count,R.ref.count,R.var.count\n"
                      "1,TP53,50,40,50,50,60,40\n2,-,10,0,90,10,100,0\n2,-,12,1,88,12,99,1\n", "cv.csv")
    t = read_vaf_table(clonevol)
    assert t.attrs["format"] == "clonevol" and t.shape[0] == 6
    assert t.loc[0, ["mutation_id", "sample_id", "vaf", "alt_counts", "depth", "cluster"]].tolist() == ["TP53", "P", 0.5, 50, 100, 1]
    assert t["mutation_id"].nunique() == 3  # duplicated gene names made unique
    lichee = _write(tmp_path, "#Chrom\tPos\tDESC\tNormal\tR1\tR2\nchr1\t100\td1\t0\t0.3\t0.1\n2\t5\td2\t0\t0.2\t0.0\n", "l.txt")
    t = read_vaf_table(lichee)
    assert t.attrs["format"] == "lichee" and set(t["sample_id"]) == {"R1", "R2"}
    assert t.set_index(["mutation_id", "sample_id"]).loc[("1:100", "R2"), "vaf"] == pytest.approx(0.1)
    with pytest.raises(InputError, match="not recognised"):
        read_vaf_table(_write(tmp_path, "a,b\n1,2\n", "x.csv"))
    with pytest.raises(InputError, match="read count"):
        read_vaf_table(_write(tmp_path, "\tA\tA\nT1\t-1\t3\n", "neg.txt"))


def test_read_real_clonal_files(shared_data):
    d = shared_data / "clonal"
    t = read_pyclone(d / "pyclonevi_tracerx_CRUK0001.tsv")
    assert t.shape[0] == 7356 and sorted(t["sample_id"].unique()) == ["R1", "R2", "R3"]
    assert t["mutation_id"].nunique() == 2458 and t["tumour_content"].between(0.1, 0.25).all()
    aml = read_vaf_table(d / "clonevol_aml1_variants.csv")
    assert aml["mutation_id"].nunique() == 378 and set(aml["sample_id"]) == {"P", "R"}
    assert aml.loc[0, "vaf"] == pytest.approx(0.5028)
    cll = read_vaf_table(d / "calder_CLL003_clustered.txt")
    assert cll.attrs["format"] == "calder" and cll.shape[0] == 25 and cll["sample_id"].nunique() == 5
    for f in sorted((d / "lichee_ccRCC").glob("*.txt")):
        v = read_vaf_table(f)
        assert v.attrs["format"] == "lichee" and v["vaf"].between(0, 1).all(), f.name


def test_read_clonal_picks_the_reader_from_the_header(tmp_path):
    from oncoresist.io import read_clonal

    p = _write(tmp_path, HEADER + "m1\tR1\t60\t40\t2\t1\t1\t0.8\n")
    assert read_clonal(p).attrs["format"] == "pyclone"
    c = _write(tmp_path, "\tA\tA\nT1\t9\t1\n", "calder.txt")
    assert read_clonal(c).attrs["format"] == "calder"

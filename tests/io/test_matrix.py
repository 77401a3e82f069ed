"""Tests for oncoresist.io._matrix: read_matrix, parse_site_ids, read_phospho_matrix."""

from __future__ import annotations

import gzip
import logging
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from oncoresist._core._errors import InputError
from oncoresist.io import parse_site_ids, read_matrix, read_phospho_matrix


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def fxs(tmp_path: Path, rng: np.random.Generator) -> tuple[Path, pd.DataFrame]:
    """A features x samples TSV with a gene-symbol annotation and a numeric Entrez column."""
    genes = ["TP53", "EGFR", "KRAS", "BRAF", "PIK3CA", "PTEN"]
    samples = ["S01", "S02", "S03"]
    vals = pd.DataFrame(rng.normal(size=(6, 3)).round(4), index=genes, columns=samples)
    df = vals.copy()
    df.insert(0, "Description", [f"{g} protein" for g in genes])
    df.insert(1, "Entrez_Gene_Id", [7157, 1956, 3845, 673, 5290, 5728])
    df.index.name = "Gene"
    p = tmp_path / "expr.tsv"
    df.to_csv(p, sep="\t")
    return p, vals


# --------------------------------------------------------------------------------------------
# orientation and layout
# --------------------------------------------------------------------------------------------
def test_features_x_samples_with_annotations(fxs: tuple[Path, pd.DataFrame]) -> None:
    p, vals = fxs
    a = read_matrix(p)
    assert a.shape == (3, 6)
    assert list(a.obs_names) == ["S01", "S02", "S03"]
    assert list(a.var_names) == list(vals.index)
    np.testing.assert_allclose(a.X, vals.to_numpy().T)
    assert list(a.var.columns) == ["Description", "Entrez_Gene_Id"]
    assert a.var.loc["TP53", "Entrez_Gene_Id"] == 7157
    info = a.uns["read_matrix"]
    assert info["orientation"] == "features_x_samples"
    assert "annotation" in info["orientation_reason"]
    assert info["row_label_column"] == "Gene"


def test_samples_x_features_detected_from_ids(tmp_path: Path, rng: np.random.Generator) -> None:
    # DepMap-like sample IDs in rows, Entrez-in-parentheses features in columns; more rows than columns
    rows = [f"ACH-{i:06d}" for i in range(1, 9)]
    cols = ["(7157)", "(1956)", "(3845)"]
    vals = rng.normal(size=(8, 3)).round(3)
    df = pd.DataFrame(vals, index=rows, columns=cols)
    p = tmp_path / "exp.csv"
    df.to_csv(p)
    a = read_matrix(p)
    assert a.uns["read_matrix"]["orientation"] == "samples_x_features"
    assert a.shape == (8, 3)
    np.testing.assert_allclose(a.X, vals)
    assert list(a.var_names) == cols


def test_features_in_fewer_rows_detected(tmp_path: Path) -> None:
    # 2 Ensembl features x 4 samples: the shorter axis holds the features
    text = "dim_0,A_CEL,B_CEL,C_CEL,D_CEL\nENSG00000141510,1,2,3,4\nENSG00000146648,5,6,7,8\n"
    a = read_matrix(_write(tmp_path / "m.csv", text))
    assert a.uns["read_matrix"]["orientation"] == "features_x_samples"
    assert a.shape == (4, 2)
    assert a.X[3, 1] == 8


def test_sample_header_decides(tmp_path: Path) -> None:
    text = "COSMIC_ID,Drug_1_IC50,Drug_3_IC50\n1287381,-3.7,\n924100,0.2,1.5\n906800,1.1,2.0\n"
    a = read_matrix(_write(tmp_path / "ic50.csv", text))
    assert a.uns["read_matrix"]["orientation"] == "samples_x_features"
    assert list(a.obs_names) == ["1287381", "924100", "906800"]  # IDs kept as text, not floats
    assert np.isnan(a.X[0, 1])


def test_orientation_override_and_reason(tmp_path: Path) -> None:
    text = "id\tA\tB\nX\t1\t2\nY\t3\t4\nZ\t5\t6\n"
    p = _write(tmp_path / "m.tsv", text)
    a = read_matrix(p, orientation="samples_x_features")
    assert a.shape == (3, 2)
    assert list(a.obs_names) == ["X", "Y", "Z"]
    assert a.uns["read_matrix"]["orientation_reason"] == "given by the caller"
    b = read_matrix(p, orientation="features_x_samples")
    assert b.shape == (2, 3)
    np.testing.assert_allclose(b.X, a.X.T)


def test_orientation_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    p = _write(tmp_path / "m.tsv", "gene\tS1\tS2\nTP53\t1\t2\n")
    with caplog.at_level(logging.INFO, logger="oncoresist.io._matrix"):
        read_matrix(p)
    assert any("features_x_samples" in r.getMessage() for r in caplog.records)


def test_feature_column_and_user_annotation_columns(tmp_path: Path) -> None:
    text = "Cytoband\tsym\tP1\tP2\tchrom_arm\n17p13\tTP53\t1\t2\tp\n7p11\tEGFR\t3\t4\tp\n"
    p = _write(tmp_path / "cnv.tsv", text)
    a = read_matrix(p, feature_column="sym", annotation_columns=["Cytoband", "chrom_arm"])
    assert list(a.var_names) == ["TP53", "EGFR"]
    assert list(a.obs_names) == ["P1", "P2"]
    assert list(a.var["Cytoband"]) == ["17p13", "7p11"]
    assert a.uns["read_matrix"]["orientation"] == "features_x_samples"


def test_text_column_detected_as_annotation_in_samples_x_features(tmp_path: Path) -> None:
    text = "sample_id,tissue,Drug_1_AUC,Drug_2_AUC\nP1,lung,0.2,0.5\nP2,skin,0.3,0.1\n"
    a = read_matrix(_write(tmp_path / "auc.csv", text))
    assert a.uns["read_matrix"]["orientation"] == "samples_x_features"
    assert list(a.obs["tissue"]) == ["lung", "skin"]
    assert list(a.var_names) == ["Drug_1_AUC", "Drug_2_AUC"]


def test_gct_gzip_and_layer_name(tmp_path: Path) -> None:
    text = "#1.2\n2\t2\nName\tDescription\tS1\tS2\nTP53\ttumour protein p53\t10\t20\nEGFR\tna\t30\t40\n"
    p = tmp_path / "counts.gct.gz"
    p.write_bytes(gzip.compress(text.encode()))
    a = read_matrix(p, layer_name="counts", sep="\t")
    assert a.shape == (2, 2)
    np.testing.assert_array_equal(a.layers["counts"], a.X)
    assert list(a.var["Description"]) == ["tumour protein p53", "na"]


def test_missing_values_and_cleaned_ids(tmp_path: Path) -> None:
    text = 'gene,"  S1 ",\'S2\'\nTP53,NA,1\nEGFR,,2\nKRAS,null,3\n'
    a = read_matrix(_write(tmp_path / "m.csv", text))
    assert list(a.obs_names) == ["S1", "S2"]
    assert np.isnan(a.X[0]).all()
    np.testing.assert_allclose(a.X[1], [1, 2, 3])


def test_trailing_separator_columns_removed(tmp_path: Path) -> None:
    a = read_matrix(_write(tmp_path / "m.tsv", "gene\tS1\tS2\t\nTP53\t1\t2\t\nEGFR\t3\t4\t\n"))
    assert list(a.obs_names) == ["S1", "S2"]
    assert a.uns["read_matrix"]["n_empty_columns_removed"] == 1


def test_duplicated_features_made_unique_with_warning(tmp_path: Path) -> None:
    text = "gene\tS1\tS2\nTP53\t1\t2\nTP53\t3\t4\nEGFR\t5\t6\nTP53\t7\t8\n"
    with pytest.warns(UserWarning, match=r"1 feature ID\(s\).*2 repeated"):
        a = read_matrix(_write(tmp_path / "m.tsv", text))
    assert list(a.var_names) == ["TP53", "TP53-1", "EGFR", "TP53-2"]
    assert list(a.var["feature_id"]) == ["TP53", "TP53", "EGFR", "TP53"]
    assert a.uns["read_matrix"]["n_duplicated_features"] == 2
    np.testing.assert_allclose(a[:, "TP53-2"].X.ravel(), [7, 8])


def test_written_to_h5ad(tmp_path: Path, fxs: tuple[Path, pd.DataFrame]) -> None:
    a = read_matrix(fxs[0])
    out = tmp_path / "x.h5ad"
    a.write_h5ad(out)
    assert out.exists()


# --------------------------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------------------------
def test_duplicated_sample_ids(tmp_path: Path) -> None:
    p = _write(tmp_path / "m.tsv", "gene\tS1\tS2\tS1\nTP53\t1\t2\t3\n")
    with pytest.raises(InputError, match=r"duplicated sample ID\(s\).*S1"):
        read_matrix(p)


def test_duplicated_sample_rows(tmp_path: Path) -> None:
    p = _write(tmp_path / "m.csv", "sample,Drug_1_AUC\nP1,0.1\nP1,0.2\n")
    with pytest.raises(InputError, match=r"duplicated sample.*P1"):
        read_matrix(p)


def test_non_numeric_value_named(tmp_path: Path) -> None:
    p = _write(tmp_path / "m.tsv", "gene\tS1\tS2\nTP53\t1\t2\nEGFR\t3\toops\nKRAS\t5\t6\n")
    with pytest.raises(InputError, match=r"'oops'.*'EGFR'.*'S2'") as e:
        read_matrix(p, annotation_columns=[])
    assert "\n" not in str(e.value)


def test_non_numeric_minority_is_error_not_annotation(tmp_path: Path) -> None:
    # one bad cell in an otherwise numeric sample column must not turn the sample into an annotation
    p = _write(tmp_path / "m.tsv", "gene\tS1\tS2\nTP53\t1\t2\nEGFR\t3\tn.d.\nKRAS\t5\t6\n")
    with pytest.raises(InputError, match=r"'n\.d\.'.*EGFR.*S2"):
        read_matrix(p)


def test_empty_file(tmp_path: Path) -> None:
    p = _write(tmp_path / "empty.tsv", "")
    with pytest.raises(InputError, match=r"empty\.tsv.*empty"):
        read_matrix(p)


def test_header_only(tmp_path: Path) -> None:
    p = _write(tmp_path / "hdr.tsv", "gene\tS1\tS2\n")
    with pytest.raises(InputError, match=r"0 data row"):
        read_matrix(p)


def test_no_numeric_columns(tmp_path: Path) -> None:
    p = _write(tmp_path / "txt.tsv", "gene\tnote\nTP53\tabc\n")
    with pytest.raises(InputError, match=r"no numeric value columns"):
        read_matrix(p)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.tsv.*does not exist"):
        read_matrix(tmp_path / "nope.tsv")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(tmp_path: Path) -> None:
    p = _write(tmp_path / "secret.tsv", "gene\tS1\nTP53\t1\n")
    p.chmod(0)
    try:
        with pytest.raises(InputError, match=r"secret\.tsv.*not readable"):
            read_matrix(p)
    finally:
        p.chmod(0o600)


def test_folder_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"is a folder, expected a file"):
        read_matrix(tmp_path)


def test_corrupt_gzip(tmp_path: Path) -> None:
    p = tmp_path / "bad.tsv.gz"
    p.write_bytes(gzip.compress(b"gene\tS1\nTP53\t1\n" * 50)[:40])
    with pytest.raises(InputError, match=r"bad\.tsv\.gz"):
        read_matrix(p)


def test_unknown_column_option(tmp_path: Path) -> None:
    p = _write(tmp_path / "m.tsv", "gene\tS1\nTP53\t1\n")
    with pytest.raises(InputError, match=r"feature_column 'symbol' is not a column.*gene, S1"):
        read_matrix(p, feature_column="symbol")
    with pytest.raises(InputError, match=r"orientation='sideways'"):
        read_matrix(p, orientation="sideways")


def test_empty_ids(tmp_path: Path) -> None:
    p = _write(tmp_path / "m.tsv", "gene\tS1\tS2\nTP53\t1\t2\n\t3\t4\n")
    with pytest.raises(InputError, match=r"empty feature ID.*data row 2"):
        read_matrix(p, orientation="features_x_samples")


# --------------------------------------------------------------------------------------------
# phosphosites
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "gene", "residue", "position", "n_sites"),
    [
        ("AAAS-S495", "AAAS", "S", 495, 1),
        ("AAAS_S495", "AAAS", "S", 495, 1),
        ("AAAS S495", "AAAS", "S", 495, 1),
        ("AAAS_S495s", "AAAS", "S", 495, 1),
        ("GENE-S12S15", "GENE", "S", 12, 2),
        ("GENE-S12T15Y20", "GENE", "S", 12, 3),
        ("GENE_pS12", "GENE", "S", 12, 1),
        ("MAPK1_pT185pY187", "MAPK1", "T", 185, 2),
        ("HLA-A-S343", "HLA-A", "S", 343, 1),
        ("ANKHD1-EIF4EBP3-S2539", "ANKHD1-EIF4EBP3", "S", 2539, 1),
        ("A2M-K1168", "A2M", "K", 1168, 1),
        ("C10orf71-T834", "C10orf71", "T", 834, 1),
    ],
)
def test_parse_site_ids(raw: str, gene: str, residue: str, position: int, n_sites: int) -> None:
    row = parse_site_ids([raw]).iloc[0]
    assert (row["gene"], row["residue"], row["position"], row["n_sites"]) == (gene, residue, position, n_sites)
    assert row["site_id"] == f"{gene}_{residue}{position}"
    assert row["raw_id"] == raw


@pytest.mark.parametrize("raw", ["TP53", "S495", "GENE-495", "GENE_X12", ""])
def test_parse_site_ids_unparseable(raw: str) -> None:
    row = parse_site_ids([raw]).iloc[0]
    assert pd.isna(row["gene"]) and pd.isna(row["position"])
    assert row["site_id"] == raw and row["n_sites"] == 0


def test_read_phospho_matrix(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    text = "idx\tS001\tS002\nAAAS-S495\t0.1\tNA\nAKT1-T308\t1.5\t-0.2\nweird\t0\t1\n"
    with caplog.at_level(logging.WARNING, logger="oncoresist.io._matrix"):
        a = read_phospho_matrix(_write(tmp_path / "phospho.cct", text))
    assert a.shape == (2, 3)
    assert list(a.var_names) == ["AAAS-S495", "AKT1-T308", "weird"]
    assert list(a.var["gene"][:2]) == ["AAAS", "AKT1"]
    assert a.var["position"].iloc[1] == 308
    assert a.uns["phospho"]["n_unparsed"] == 1
    assert any("weird" in r.getMessage() for r in caplog.records)


# --------------------------------------------------------------------------------------------
# real data
# --------------------------------------------------------------------------------------------
@pytest.mark.realdata
def test_real_cptac_proteomics(shared_data: Path) -> None:
    a = read_matrix(shared_data / "cptac_ucec" / "proteomics.cct.gz")
    assert a.uns["read_matrix"]["orientation"] == "features_x_samples"
    assert a.n_obs == 153 and a.n_vars > 10_000
    assert a.obs_names[0] == "S001"
    assert "A1BG" in a.var_names
    assert np.isclose(a[ "S001", "A1BG"].X[0, 0], -1.18)


@pytest.mark.realdata
def test_real_cptac_phospho(shared_data: Path) -> None:
    a = read_phospho_matrix(shared_data / "cptac_ucec" / "phosphoproteomics_site.cct.gz")
    assert a.n_obs == 153 and a.n_vars > 70_000
    assert a.uns["phospho"]["n_unparsed"] == 0
    assert a.var.loc["AAAS-S495", "gene"] == "AAAS"
    assert a.var.loc["AAAS-S495", "position"] == 495
    assert a.var.loc["HLA-A-S343", "gene"] == "HLA-A"


@pytest.mark.realdata
def test_real_ccle_rna_few_features(shared_data: Path) -> None:
    a = read_matrix(shared_data / "ccle_pharmacogx" / "mp_rna_exprs.csv.gz")
    assert a.uns["read_matrix"]["orientation"] == "features_x_samples"
    assert a.n_vars == 50 and a.n_obs > 1000
    assert all(v.startswith("ENSG") for v in a.var_names)


@pytest.mark.realdata
def test_real_tgsa_samples_x_features(shared_data: Path) -> None:
    a = read_matrix(shared_data / "gdsc_tgsa" / "tgsa_exp_580x706.csv.gz")
    assert a.uns["read_matrix"]["orientation"] == "samples_x_features"
    assert a.shape == (580, 706)
    assert a.obs_names[0].startswith("ACH-")


# --------------------------------------------------------------------------------------------
# read_matrix steps
# --------------------------------------------------------------------------------------------
def test_matrix_text_step(tmp_path: Path) -> None:
    from oncoresist.io._matrix import _matrix_text

    gct = tmp_path / "x.gct"
    gct.write_text("#1.2\n1\t2\nName\tDescription\tS1\tS2\nTP53\tna\t1\t2\n")
    text, sep, header = _matrix_text(gct, None)
    assert text.startswith("Name\tDescription") and sep == "\t" and header == ["Name", "Description", "S1", "S2"]
    empty = tmp_path / "e.tsv"
    empty.write_text("  \n")
    with pytest.raises(InputError, match="is empty"):
        _matrix_text(empty, "\t")


def test_matrix_orientation_step() -> None:
    from oncoresist.io._matrix import _matrix_orientation

    genes, samples = pd.Index(["ENSG00000141510", "ENSG00000146648"]), pd.Index(["TCGA-AA-0001", "TCGA-AA-0002"])
    assert _matrix_orientation("samples_x_features", None, genes, samples, "id", []) == ("samples_x_features", "given by the caller")
    assert _matrix_orientation("auto", "gene", samples, genes, "id", [])[0] == "features_x_samples"
    assert _matrix_orientation("auto", None, genes, samples, "gene", [])[0] == "features_x_samples"


def test_column_pos_step() -> None:
    from oncoresist.io._matrix import _column_pos

    header = ["Gene", "S1", "S2"]
    assert _column_pos(header, "S2", "feature_column", "x") == 2
    assert _column_pos(header, "gene", "feature_column", "x") == 0
    with pytest.raises(InputError, match="feature_column 'Probe' is not a column"):
        _column_pos(header, "Probe", "feature_column", "x")


def test_read_matrix_frame_step() -> None:
    from oncoresist.io._matrix import _read_matrix_frame

    df, header = _read_matrix_frame("id\tS1\n0001\t1.5\n", "\t", 0, ["id", "S1"], "x")
    assert df.iloc[0, 0] == "0001" and header == ["id", "S1"]
    with pytest.raises(InputError, match="cannot parse"):
        _read_matrix_frame('id,S1\n"a,1\n', ",", 0, ["id", "S1"], "x")


def test_drop_blank_columns_step() -> None:
    from oncoresist.io._matrix import _drop_blank_columns

    df = pd.DataFrame({"g": ["A", "B"], "S1": [1.0, 2.0], "": [np.nan, np.nan]})
    out, header, label_pos, n_blank = _drop_blank_columns(df, ["g", "S1", ""], 0, "x")
    assert (header, label_pos, n_blank, list(out.columns)) == (["g", "S1"], 0, 1, [0, 1])
    with pytest.raises(InputError, match="data row"):
        _drop_blank_columns(pd.DataFrame({"g": ["A"]}), ["g"], 0, "x")


def test_annotation_positions_step() -> None:
    from oncoresist.io._matrix import _annotation_positions

    df = pd.DataFrame({0: ["A", "B"], 1: ["tumour suppressor", "kinase"], 2: [1.0, 2.0], 3: ["x1", "x2"], 4: [3.0, 4.0]})
    header = ["gene", "Description", "S1", "note", "S2"]
    ann, data, known = _annotation_positions(df, header, 0, None, "x")
    assert (ann, data, known) == ([1, 3], [2, 4], ["Description"])
    ann, data, known = _annotation_positions(df, header, 0, "note", "x")
    assert (ann, data, known) == ([3], [1, 2, 4], [])
    with pytest.raises(InputError, match="no numeric value columns"):
        _annotation_positions(df[[0, 1]], header[:2], 0, None, "x")


def test_matrix_ids_step() -> None:
    from oncoresist.io._matrix import _matrix_ids

    rows, cols = pd.Index(["TP53", "EGFR"]), pd.Index(["S1", "S2"])
    samples, features = _matrix_ids("features_x_samples", rows, cols, ["g", "S1", "S2"], [1, 2], "x")
    assert list(samples) == ["S1", "S2"] and list(features) == ["TP53", "EGFR"]
    with pytest.raises(InputError, match="empty sample ID"):
        _matrix_ids("features_x_samples", rows, pd.Index(["S1", ""]), ["g", "S1", ""], [1, 2], "x")
    with pytest.raises(InputError, match="empty feature ID"):
        _matrix_ids("samples_x_features", pd.Index(["S1", "S2"]), pd.Index(["TP53", ""]), ["s", "TP53", ""], [1, 2], "x")


def test_matrix_anndata_step() -> None:
    from oncoresist.io._matrix import _matrix_anndata

    df = pd.DataFrame({0: ["TP53", "TP53"], 1: ["a/b", "c"], 2: [1.0, 2.0], 3: [3.0, 4.0]})
    with pytest.warns(UserWarning, match="occur more than once"):
        a, n_dup = _matrix_anndata(df, "features_x_samples", [2, 3], [1], ["g", "x/y", "S1", "S2"],
                                   pd.Index(["S1", "S2"]), pd.Index(["TP53", "TP53"]), layer_name="counts", path="x")  # fmt: skip
    assert n_dup == 1 and list(a.var_names) == ["TP53", "TP53-1"] and list(a.var.columns) == ["feature_id", "x_y"]
    assert a.X.tolist() == [[1.0, 2.0], [3.0, 4.0]] and a.layers["counts"].tolist() == a.X.tolist()


def test_truncated_matrix_is_an_error_not_a_half_row_of_nan(tmp_path: Path) -> None:
    """Issue 17: a matrix cut mid-row got a half row of NaN."""
    p = _write(tmp_path / "m.tsv", "gene\tS1\tS2\tS3\tS4\nTP53\t1\t2\t3\t4\nKRAS\t5\t6\t7\t8\nEGFR\t9\t1")
    with pytest.raises(InputError, match=r"m\.tsv'?: line 4 has 3 fields, expected 5"):
        read_matrix(p)


def test_matrix_with_huge_exponent_names_the_cell(tmp_path: Path) -> None:
    p = _write(tmp_path / "m.tsv", "gene\tS1\tS2\nTP53\t1\t1e3080366667\nKRAS\t5\t6\n")
    with pytest.raises(InputError, match="non-numeric value '1e3080366667'"):
        read_matrix(p)

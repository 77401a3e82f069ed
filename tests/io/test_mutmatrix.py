"""Tests for read_mutation_matrix: protein-change and 0/1 call matrices."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from oncoresist.io import read_mutation_matrix, variants_to_anndata
from oncoresist.io._mutmatrix import (
    _binary_rows,
    _matrix_kind,
    _protein_change_rows,
    _variant_table,
)
from oncoresist.io._variants import CALL_CLASS, VARIANT_COLUMNS


def _write(tmp_path: Path, cells: dict[str, list[str]]) -> Path:
    p = tmp_path / "m.csv"
    pd.DataFrame({"gene": ["BRAF", "KRAS", "TP53"], **cells}).to_csv(p, index=False)
    return p


@pytest.mark.parametrize(
    ("one", "zero"),
    [("1", "0"), ("1.0", "0.0"), ("TRUE", "FALSE"), ("true", "false"), ("yes", "no")],
)
def test_binary_matrix_is_read_as_calls(tmp_path: Path, one: str, zero: str) -> None:
    p = _write(tmp_path, {"A375": [one, zero, zero], "HCT116": [zero, one, one], "MCF7": [zero, zero, ""]})
    v = read_mutation_matrix(p)
    assert v.attrs["matrix_kind"] == "binary"
    assert v.attrs["samples"] == ["A375", "HCT116", "MCF7"]
    assert sorted(zip(v["sample"], v["gene"])) == [("A375", "BRAF"), ("HCT116", "KRAS"), ("HCT116", "TP53")]
    assert v["protein_change"].isna().all()
    assert (v["variant_class"] == CALL_CLASS).all()
    a = variants_to_anndata(v, samples=v.attrs["samples"])
    assert list(a.var_names) == ["BRAF", "KRAS", "TP53"]
    assert a.X.tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 1.0], [0.0, 0.0, 0.0]]
    assert a.uns["mut"]["matrix_kind"] == "binary"


def test_binary_matrix_read_as_floats_by_pandas(tmp_path: Path) -> None:
    p = tmp_path / "m.tsv"
    pd.DataFrame({"gene": ["EGFR", "KRAS"], "S1": [1.0, 0.0], "S2": [0.0, np.nan]}).to_csv(p, sep="\t", index=False)
    v = read_mutation_matrix(p)
    assert v.attrs["matrix_kind"] == "binary"
    assert v[["sample", "gene"]].values.tolist() == [["S1", "EGFR"]]


def test_protein_change_matrix_kind_and_status_only_calls(tmp_path: Path) -> None:
    p = _write(tmp_path, {"A375": ["p.V600E", "wt", "1"], "HCT116": ["wt", "G13D", "mut"]})
    v = read_mutation_matrix(p)
    assert v.attrs["matrix_kind"] == "protein_change"
    got = {(s, g): (pc, c) for s, g, pc, c in v[["sample", "gene", "protein_change", "variant_class"]].itertuples(index=False)}
    assert got[("A375", "BRAF")] == ("p.V600E", "Missense_Mutation")
    assert got[("HCT116", "KRAS")] == ("p.G13D", "Missense_Mutation")
    assert got[("A375", "TP53")][1] == CALL_CLASS and got[("HCT116", "TP53")][1] == CALL_CLASS
    a = variants_to_anndata(v)
    assert a.uns["mut"]["matrix_kind"] == "protein_change"
    assert a[:, "TP53"].X.ravel().tolist() == [1.0, 1.0]
    # an explicit include= without the status-only class leaves those calls out
    b = variants_to_anndata(v, include=["Missense_Mutation"])
    assert "TP53" not in b.var_names


def test_matrix_kind_step() -> None:
    assert _matrix_kind(pd.DataFrame({"a": ["1", "0"], "b": ["", "NA"]})) == "binary"
    assert _matrix_kind(pd.DataFrame({"a": ["TRUE", "false"]})) == "binary"
    assert _matrix_kind(pd.DataFrame({"a": ["1", "V600E"]})) == "protein_change"
    assert _matrix_kind(pd.DataFrame({"a": ["wt", ""]})) == "protein_change"
    assert _matrix_kind(pd.DataFrame({"a": ["", "na"]})) == "protein_change"


def test_binary_rows_step() -> None:
    df = pd.DataFrame({"S1": ["1", "0"], "S2": ["no", "Yes"]}, index=["G1", "G2"])
    rows = _binary_rows(df)
    assert [(r["sample"], r["gene"], r["variant_class"]) for r in rows] == [("S1", "G1", CALL_CLASS), ("S2", "G2", CALL_CLASS)]


def test_protein_change_rows_step() -> None:
    df = pd.DataFrame({"S1": ["V600E;G469A", "wt"]}, index=["BRAF", "KRAS"])
    rows = _protein_change_rows(df)
    assert [r["protein_change"] for r in rows] == ["p.V600E", "p.G469A"]


def test_variant_table_step() -> None:
    out = _variant_table([{"sample": "S1", "gene": "G1", "protein_change": "p.V600E", "variant_class": "Missense_Mutation"}])
    assert tuple(out.columns) == VARIANT_COLUMNS
    assert out["vaf"].dtype == float and np.isnan(out.loc[0, "vaf"])
    empty = _variant_table([])
    assert tuple(empty.columns) == VARIANT_COLUMNS and len(empty) == 0


def test_binary_matrix_in_a_study_gives_the_mut_layer(tmp_path: Path) -> None:
    from oncoresist.io import read_study, write_h5mu

    pd.DataFrame({"gene": ["BRAF", "KRAS"], "S1": ["1", "0"], "S2": ["0", "1"], "S3": ["0", "0"]}).to_csv(tmp_path / "calls.tsv", sep="\t", index=False)
    (tmp_path / "study.toml").write_text('[layers.mut]\nkind = "mutation_matrix"\nfile = "calls.tsv"\n')
    m = read_study(tmp_path / "study.toml")
    mut = m["mut"]
    assert list(mut.obs_names) == ["S1", "S2", "S3"] and list(mut.var_names) == ["BRAF", "KRAS"]
    assert mut.X.tolist() == [[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]
    assert mut.uns["mut"]["matrix_kind"] == "binary"
    write_h5mu(m, tmp_path / "s.h5mu")


def test_header_only_mutation_matrix_warns_but_all_wild_type_does_not(tmp_path) -> None:
    import warnings

    p = tmp_path / "h.tsv"
    p.write_text("gene\tS1\tS2\n")
    with pytest.warns(UserWarning, match=r"mutation matrix .*h.tsv' holds no gene row"):
        assert len(read_mutation_matrix(p)) == 0
    wt = tmp_path / "wt.tsv"
    wt.write_text("gene\tS1\tS2\nEGFR\twt\twt\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(read_mutation_matrix(wt)) == 0

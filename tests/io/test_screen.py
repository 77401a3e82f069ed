"""Tests for oncoresist.io._screen: read_dose_response and read_combinations."""

from __future__ import annotations

import gzip
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from oncoresist._core._errors import InputError
from oncoresist.io import read_combinations, read_dose_response


def _screen(rng: np.random.Generator, *, doses_um: list[float], percent: bool = False) -> pd.DataFrame:
    rows = []
    for s in ("P1", "P2"):
        for d in ("ibrutinib", "venetoclax"):
            for rep in (1, 2):
                for dose in doses_um:
                    v = 1.0 / (1.0 + dose / 0.5) + rng.normal(0, 0.02)
                    rows.append((s, d, dose, rep, v * (100 if percent else 1)))
    return pd.DataFrame(rows, columns=["sample", "drug", "dose", "replicate", "viability"])


def _write(df: pd.DataFrame, path: Path) -> Path:
    df.to_csv(path, index=False, sep="\t" if path.suffix == ".tsv" else ",")
    return path


# ---------------------------------------------------------------------------- detection
def test_canonical_columns_and_units_from_name(tmp_path: Path, rng: np.random.Generator) -> None:
    df = _screen(rng, doses_um=[0.0, 0.01, 0.1, 1.0, 10.0])
    raw = df.rename(columns={"sample": "patient_id", "drug": "drug_name", "dose": "conc_nM"})
    raw["conc_nM"] = raw["conc_nM"] * 1000
    raw["plate"] = "PL1"
    raw["batch_note"] = "x"
    out = read_dose_response(_write(raw, tmp_path / "s.csv"))
    assert list(out.columns[:8]) == ["sample", "drug", "dose", "response", "replicate", "plate", "is_control", "batch_note"]
    np.testing.assert_allclose(out["dose"], df["dose"])
    np.testing.assert_allclose(out["response"], df["viability"])
    assert out["is_control"].sum() == 8 and (out.loc[out["is_control"], "dose"] == 0).all()
    assert out.attrs["unit"] == "nM" and "conc_nM" in out.attrs["unit_source"]
    assert out.attrs["response_scale"] == "fraction" and out.attrs["response_kind"] == "viability"
    assert out.attrs["columns"]["sample"] == "patient_id"
    assert out.attrs["n_control"] == 8


def test_percent_detected_and_converted(tmp_path: Path, rng: np.random.Generator) -> None:
    df = _screen(rng, doses_um=[0.01, 0.1, 1.0, 10.0], percent=True)
    df = df.rename(columns={"viability": "response", "dose": "concentration"})
    out = read_dose_response(_write(df, tmp_path / "s.tsv"), unit="uM")
    assert out.attrs["response_scale"] == "percent"
    assert "> 2.5" in out.attrs["response_scale_reason"]
    np.testing.assert_allclose(out["response"], df["response"] / 100)
    assert out.attrs["unit_source"] == "unit= argument"


def test_forced_scale(tmp_path: Path, rng: np.random.Generator) -> None:
    df = _screen(rng, doses_um=[0.01, 0.1], percent=False).rename(columns={"dose": "dose_uM"})
    out = read_dose_response(_write(df, tmp_path / "s.csv"), response_scale="percent")
    np.testing.assert_allclose(out["response"], df["viability"] / 100)
    assert out.attrs["response_scale_reason"] == "given by the caller"


def test_ambiguous_scale_raises(tmp_path: Path) -> None:
    df = pd.DataFrame({"sample": ["A"] * 20, "drug": ["d"] * 20, "dose_uM": np.arange(1, 21), "response": np.linspace(0, 2, 20)})
    with pytest.raises(InputError, match=r"fractions or percent.*response_scale='fraction'"):
        read_dose_response(_write(df, tmp_path / "s.csv"))


def test_inhibition_column_converted(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    df = pd.DataFrame({"cell_line": ["A", "A", "A"], "compound": ["x"] * 3, "dose_uM": [0, 1, 10], "inhibition_pct": [0.0, 40.0, 90.0]})
    with caplog.at_level(logging.INFO, logger="oncoresist.io._screen"):
        out = read_dose_response(_write(df, tmp_path / "s.csv"))
    np.testing.assert_allclose(out["response"], [1.0, 0.6, 0.1])
    assert out.attrs["response_kind"] == "inhibition"
    assert out.attrs["response_conversion"] == "divided by 100; viability = 1 - inhibition"
    assert any("viability = 1 - inhibition" in r.getMessage() for r in caplog.records)


def test_generic_response_judged_by_controls(tmp_path: Path) -> None:
    df = pd.DataFrame({"sample": ["A"] * 4, "drug": ["x"] * 4, "dose_uM": [0, 0, 1, 10], "response": [1.0, -2.0, 35.0, 80.0]})
    out = read_dose_response(_write(df, tmp_path / "s.csv"))
    assert out.attrs["response_kind"] == "inhibition"
    np.testing.assert_allclose(out["response"], [0.99, 1.02, 0.65, 0.2])
    forced = read_dose_response(tmp_path / "s.csv", response_kind="viability", response_scale="percent")
    np.testing.assert_allclose(forced["response"], [0.01, -0.02, 0.35, 0.8])


def test_unit_column_per_row(tmp_path: Path) -> None:
    df = pd.DataFrame(
        {"sample": ["A"] * 4, "drug": ["x"] * 4, "conc": [1, 1, 1, 1], "unit": ["nM", "µM", "mM", "pM"], "viability": [1, 0.5, 0.2, 1]}
    )
    out = read_dose_response(_write(df, tmp_path / "s.csv"))
    np.testing.assert_allclose(out["dose"], [1e-3, 1, 1e3, 1e-6])
    assert "unit" not in out.columns
    assert out.attrs["unit"] == "mM, nM, pM, µM"


def test_columns_override(tmp_path: Path) -> None:
    df = pd.DataFrame({"who": ["A", "B"], "what": ["x", "x"], "how_much": [1.0, 2.0], "alive": [0.9, 0.5]})
    out = read_dose_response(
        _write(df, tmp_path / "s.csv"), columns={"sample": "who", "drug": "what", "dose": "how_much", "response": "alive"}, unit="nM"
    )
    assert out["sample"].tolist() == ["A", "B"]
    np.testing.assert_allclose(out["dose"], [0.001, 0.002])


def test_missing_response_kept(tmp_path: Path) -> None:
    df = pd.DataFrame({"sample": ["A", "A"], "drug": ["x", "x"], "dose_uM": [1, 2], "viability": [0.5, None]})
    out = read_dose_response(_write(df, tmp_path / "s.csv"))
    assert len(out) == 2 and out["response"].isna().sum() == 1
    assert out.attrs["n_missing_response"] == 1


def test_gzip_input(tmp_path: Path, rng: np.random.Generator) -> None:
    df = _screen(rng, doses_um=[0.1, 1.0]).rename(columns={"dose": "conc_uM"})
    p = tmp_path / "s.csv.gz"
    p.write_bytes(gzip.compress(df.to_csv(index=False).encode()))
    assert len(read_dose_response(p)) == len(df)


# ---------------------------------------------------------------------------- bad input
def test_unknown_unit(tmp_path: Path) -> None:
    df = pd.DataFrame({"sample": ["A", "B"], "drug": ["x", "x"], "conc": [1, 2], "unit": ["nM", "ug/ml"], "viability": [1, 0.5]})
    with pytest.raises(InputError, match=r"unknown concentration unit 'ug/ml'.*'unit'.*data row 2.*accepted: M, mM, uM"):
        read_dose_response(_write(df, tmp_path / "s.csv"))
    no_unit = df.drop(columns="unit")
    with pytest.raises(InputError, match=r"unknown concentration unit 'mg' given as unit="):
        read_dose_response(_write(no_unit, tmp_path / "n.csv"), unit="mg")


def test_no_unit_anywhere(tmp_path: Path) -> None:
    df = pd.DataFrame({"sample": ["A"], "drug": ["x"], "dose": [1], "viability": [0.5]})
    with pytest.raises(InputError, match=r"no concentration unit for dose column 'dose'.*unit='uM'"):
        read_dose_response(_write(df, tmp_path / "s.csv"))


def test_conflicting_unit(tmp_path: Path) -> None:
    df = pd.DataFrame({"sample": ["A"], "drug": ["x"], "conc_uM": [1], "viability": [0.5]})
    with pytest.raises(InputError, match=r"unit='nM' disagrees with the dose column name 'conc_uM'"):
        read_dose_response(_write(df, tmp_path / "s.csv"), unit="nM")


def test_missing_columns(tmp_path: Path) -> None:
    df = pd.DataFrame({"sample": ["A"], "conc_uM": [1], "viability": [0.5]})
    with pytest.raises(InputError, match=r"lacks a column for drug.*found: sample, conc_uM, viability.*columns=\{'drug'"):
        read_dose_response(_write(df, tmp_path / "s.csv"))
    with pytest.raises(InputError, match=r"columns=\{'drug': 'compound'\}.*no column 'compound'"):
        read_dose_response(tmp_path / "s.csv", columns={"drug": "compound"})
    with pytest.raises(InputError, match=r"unknown key\(s\) 'agent'"):
        read_dose_response(tmp_path / "s.csv", columns={"agent": "sample"})


def test_negative_and_missing_dose(tmp_path: Path) -> None:
    df = pd.DataFrame({"sample": ["A", "B", "C"], "drug": ["x", "y", "z"], "conc_uM": [1, -1, 0], "viability": [0.5, 0.4, 1]})
    with pytest.raises(InputError, match=r"negative dose.*data row 2 \(sample=B, drug=y\)"):
        read_dose_response(_write(df, tmp_path / "s.csv"))
    df.loc[1, "conc_uM"] = np.nan
    with pytest.raises(InputError, match=r"missing dose.*data row 2"):
        read_dose_response(_write(df, tmp_path / "s.csv"))


def test_non_numeric_values(tmp_path: Path) -> None:
    df = pd.DataFrame({"sample": ["A", "B"], "drug": ["x", "y"], "conc_uM": [1, "high"], "viability": [0.5, 0.4]})
    with pytest.raises(InputError, match=r"non-numeric dose 'high'.*'conc_uM', data row 2"):
        read_dose_response(_write(df, tmp_path / "s.csv"))
    df = pd.DataFrame({"sample": ["A", "B"], "drug": ["x", "y"], "conc_uM": [1, 2], "viability": [0.5, "dead"]})
    with pytest.raises(InputError, match=r"non-numeric response 'dead'.*'viability', data row 2"):
        read_dose_response(_write(df, tmp_path / "s.csv"))


def test_empty_sample_and_files(tmp_path: Path) -> None:
    df = pd.DataFrame({"sample": ["A", None], "drug": ["x", "y"], "conc_uM": [1, 2], "viability": [0.5, 0.4]})
    with pytest.raises(InputError, match=r"empty sample.*'sample', data row 2"):
        read_dose_response(_write(df, tmp_path / "s.csv"))
    (tmp_path / "e.csv").write_text("")
    with pytest.raises(InputError, match=r"e\.csv.*empty"):
        read_dose_response(tmp_path / "e.csv")
    (tmp_path / "h.csv").write_text("sample,drug,conc_uM,viability\n")
    with pytest.raises(InputError, match=r"h\.csv.*no rows"):
        read_dose_response(tmp_path / "h.csv")
    with pytest.raises(InputError, match=r"does not exist"):
        read_dose_response(tmp_path / "nope.csv")
    with pytest.raises(InputError, match=r"is a folder"):
        read_dose_response(tmp_path)


def test_log_dose_refused(tmp_path: Path) -> None:
    df = pd.DataFrame({"sample": ["A"], "drug": ["x"], "log_conc": [-6], "viability": [0.5]})
    with pytest.raises(InputError, match=r"'log_conc'.*log-transformed"):
        read_dose_response(_write(df, tmp_path / "s.csv"), columns={"dose": "log_conc"}, unit="M")


# ---------------------------------------------------------------------------- combinations
def _combo(percent_inhibition: bool = True) -> pd.DataFrame:
    rows = []
    for block, (d1, d2) in enumerate([("A", "B"), ("A", "C")], start=1):
        for c1 in (0, 10, 100):
            for c2 in (0, 1, 10):
                inhib = 0.0 if c1 == c2 == 0 else min(0.95, 0.3 * (c1 > 0) + 0.4 * (c2 > 0) + 0.001 * c1)
                rows.append((block, d1, d2, c1, c2, inhib * 100 if percent_inhibition else 1 - inhib, "nM"))
    return pd.DataFrame(rows, columns=["PairIndex", "Drug1", "Drug2", "Conc1", "Conc2", "Response", "ConcUnit"])


def test_read_combinations_synergyfinder_layout(tmp_path: Path) -> None:
    raw = _combo()
    out = read_combinations(_write(raw, tmp_path / "c.csv"))
    assert list(out.columns[:7]) == ["block", "drug1", "drug2", "conc1", "conc2", "response", "is_control"]
    np.testing.assert_allclose(out["conc1"], raw["Conc1"] / 1000)
    np.testing.assert_allclose(out["response"], 1 - raw["Response"] / 100)
    assert out.attrs["response_kind"] == "inhibition" and out.attrs["response_scale"] == "percent"
    assert out.attrs["n_blocks"] == 2 and out.attrs["n_control"] == 2
    assert out.attrs["unit"] == "nM"


def test_read_combinations_viability_detected_from_controls(tmp_path: Path) -> None:
    raw = _combo(percent_inhibition=False).rename(columns={"PairIndex": "block_id", "Drug1": "drug_row", "Drug2": "drug_col", "Conc1": "conc_r", "Conc2": "conc_c"})
    raw = raw.drop(columns="ConcUnit").assign(conc_r_unit="uM", conc_c_unit="nM", sample="P7")
    out = read_combinations(_write(raw, tmp_path / "c.csv"))
    assert out.attrs["response_kind"] == "viability" and out.attrs["response_scale"] == "fraction"
    np.testing.assert_allclose(out["response"], raw["response"] if "response" in raw else raw["Response"])
    np.testing.assert_allclose(out["conc1"], raw["conc_r"])
    np.testing.assert_allclose(out["conc2"], raw["conc_c"] / 1000)
    assert (out["sample"] == "P7").all()


@pytest.mark.parametrize(("c1", "c2", "scale1", "scale2"), [
    ("conc1_uM", "conc2_nM", 1.0, 1e-3),
    ("Conc1 (nM)", "Conc2 (nM)", 1e-3, 1e-3),
    ("dose_row_uM", "dose_col_uM", 1.0, 1.0),
    ("conc_a_nM", "conc_b_uM", 1e-3, 1.0),
])
def test_read_combinations_unit_in_dose_headers(tmp_path: Path, c1: str, c2: str, scale1: float, scale2: float) -> None:
    raw = _combo().drop(columns="ConcUnit").rename(columns={"Conc1": c1, "Conc2": c2})
    out = read_combinations(_write(raw, tmp_path / "c.csv"))
    np.testing.assert_allclose(out["conc1"], raw[c1] * scale1)
    np.testing.assert_allclose(out["conc2"], raw[c2] * scale2)
    assert out.attrs["columns"]["conc1"] == c1 and out.attrs["columns"]["conc2"] == c2


def test_read_combinations_bad_input(tmp_path: Path) -> None:
    raw = _combo().drop(columns="Drug2")
    with pytest.raises(InputError, match=r"lacks a column for drug2"):
        read_combinations(_write(raw, tmp_path / "c.csv"))
    raw = _combo().drop(columns="ConcUnit")
    with pytest.raises(InputError, match=r"no concentration unit for dose column 'Conc1'"):
        read_combinations(_write(raw, tmp_path / "c.csv"))
    raw = _combo()
    raw.loc[3, "ConcUnit"] = "ppm"
    with pytest.raises(InputError, match=r"unknown concentration unit 'ppm'.*'ConcUnit', data row 4"):
        read_combinations(_write(raw, tmp_path / "c.csv"))


# ---------------------------------------------------------------------------- real data
@pytest.mark.realdata
def test_real_cll_screen(shared_data: Path) -> None:
    out = read_dose_response(shared_data / "cll" / "drpar_long_dose_response.csv.gz")
    assert out["sample"].nunique() == 249 and out["drug"].nunique() == 64
    assert out.attrs["columns"]["dose"] == "conc_uM" and out.attrs["columns"]["drug"] == "drug_name"
    assert out.attrs["response_scale"] == "fraction" and out.attrs["response_kind"] == "viability"
    assert out["dose"].between(0.001, 100).all()
    assert "drug_id" in out.columns and "conc_index" in out.columns
    assert out.groupby(["sample", "drug"]).size().max() == 5


@pytest.mark.realdata
def test_real_ccle_screen(shared_data: Path) -> None:
    out = read_dose_response(shared_data / "ccle_pharmacogx" / "raw_dose_response.csv.gz")
    assert out.attrs["response_scale"] == "percent"
    assert out["sample"].nunique() == 504 and out["drug"].nunique() == 24
    assert 0.7 < out["response"].median() < 1.1
    assert out["dose"].max() == pytest.approx(8.0)


@pytest.mark.realdata
def test_real_synergyfinder_example(shared_data: Path) -> None:
    out = read_combinations(shared_data / "synergy" / "SF_exampleTable.csv")
    assert out.attrs["response_kind"] == "inhibition"
    assert out.attrs["n_blocks"] == 6 and len(out) == 384
    ctrl = out.loc[out["is_control"], "response"]
    assert (ctrl - 1).abs().max() < 0.2  # untreated wells are about fully viable
    assert out["conc1"].max() <= 10  # nM converted to uM

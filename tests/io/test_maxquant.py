"""Tests for oncoresist.io._maxquant: read_maxquant (proteinGroups.txt) and read_phosphosites."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from oncoresist._core._errors import InputError
from oncoresist.io import read_maxquant, read_phosphosites

SAMPLES = ["Tumor_01", "Tumor_02", "Normal_01"]


def _protein_groups(rng: np.random.Generator) -> pd.DataFrame:
    """A small proteinGroups.txt table with MaxQuant's own column names (v1.6/2.x layout)."""
    rows = [
        # Protein IDs, Majority protein IDs, Gene names, Reverse, Potential contaminant, Only identified by site
        ("P04637;P04637-2", "P04637", "TP53", "", "", ""),
        ("P00533", "P00533", "EGFR", "", "", ""),
        ("P01116;P01116-2", "P01116;P01116-2", "KRAS", "", "", ""),
        ("Q9Y6K9", "Q9Y6K9", "", "", "", ""),  # no gene name -> protein ID
        ("P15056", "P15056", "BRAF;BRAFP1", "", "", "+"),  # only identified by site
        ("REV__P12345", "REV__P12345", "", "+", "", ""),  # decoy
        ("CON__P02768", "CON__P02768", "ALB", "", "+", ""),  # contaminant
        ("REV__CON__Q1", "REV__CON__Q1", "", "+", "+", ""),  # both: counted as reverse
        ("P62805", "P62805", "H4C1;H4C2", "", "", ""),
        ("P62806", "P62806", "H4C1", "", "", ""),  # repeated first gene -> made unique
    ]
    n = len(rows)
    df = pd.DataFrame(rows, columns=["Protein IDs", "Majority protein IDs", "Gene names", "Reverse", "Potential contaminant", "Only identified by site"])
    df.insert(2, "Peptide counts (all)", [str(k) for k in rng.integers(1, 30, n)])
    df.insert(3, "Peptide counts (razor+unique)", [str(k) for k in rng.integers(1, 30, n)])
    df.insert(4, "Protein names", [f"Protein {i}" for i in range(n)])
    df.insert(5, "Number of proteins", [1] * n)
    df["Peptides"] = rng.integers(1, 30, n)
    df["Razor + unique peptides"] = rng.integers(1, 30, n)
    df["Unique peptides"] = rng.integers(1, 30, n)
    df["Sequence coverage [%]"] = rng.uniform(1, 80, n).round(1)
    df["Q-value"] = rng.uniform(0, 0.01, n).round(5)
    df["Score"] = rng.uniform(5, 300, n).round(3)
    df["Intensity"] = 0
    for s in SAMPLES:
        df[f"Peptides {s}"] = rng.integers(0, 20, n)
    for s in SAMPLES:
        df[f"Intensity {s}"] = (2.0 ** rng.uniform(20, 30, n)).round(0)
    df["iBAQ"] = 0
    df["iBAQ peptides"] = rng.integers(1, 20, n)
    for s in SAMPLES:
        df[f"iBAQ {s}"] = (2.0 ** rng.uniform(18, 28, n)).round(0)
    for s in SAMPLES:
        df[f"LFQ intensity {s}"] = (2.0 ** rng.uniform(20, 30, n)).round(0)
    df["MS/MS count"] = rng.integers(1, 100, n)
    df["id"] = np.arange(n)
    # MaxQuant writes 0 for "not quantified"
    df.loc[1, "LFQ intensity Tumor_02"] = 0
    df.loc[1, "LFQ intensity Normal_01"] = 0
    df.loc[2, "LFQ intensity Normal_01"] = 0
    return df


@pytest.fixture
def pg(tmp_path: Path, rng: np.random.Generator) -> tuple[Path, pd.DataFrame]:
    df = _protein_groups(rng)
    p = tmp_path / "proteinGroups.txt"
    df.to_csv(p, sep="\t", index=False)
    return p, df


def test_read_maxquant_lfq(pg: tuple[Path, pd.DataFrame]) -> None:
    p, df = pg
    a = read_maxquant(p)
    assert list(a.obs_names) == SAMPLES
    assert list(a.var_names) == ["TP53", "EGFR", "KRAS", "Q9Y6K9", "H4C1", "H4C1-1"]
    info = a.uns["maxquant"]
    assert (info["n_input"], info["removed_reverse"], info["removed_contaminant"], info["removed_only_by_site"]) == (10, 2, 1, 1)
    assert info["n_kept"] == 6 and info["removed_min_valid"] == 0
    assert a.uns["prot"]["scale"] == "log2"
    np.testing.assert_allclose(a[:, "TP53"].X.ravel(), np.log2(df.loc[0, [f"LFQ intensity {s}" for s in SAMPLES]].astype(float)))
    # zeros are missing
    assert np.isnan(a[["Tumor_02", "Normal_01"], "EGFR"].X).all()
    assert np.isfinite(a["Tumor_01", "EGFR"].X).all()
    # var keeps MaxQuant columns
    for c in ("Protein IDs", "Majority protein IDs", "Gene names", "Peptides", "Unique peptides", "Q-value", "Score"):
        assert c in a.var.columns
    assert a.var.loc["TP53", "protein"] == "P04637"
    assert a.var.loc["Q9Y6K9", "protein"] == "Q9Y6K9" and pd.isna(a.var.loc["Q9Y6K9", "gene"])
    assert a.var.loc["H4C1", "Gene names"] == "H4C1;H4C2"
    assert a.var["Peptides"].dtype.kind in "if"


@pytest.mark.parametrize(("intensity", "prefix"), [("iBAQ", "iBAQ "), ("Intensity", "Intensity ")])
def test_read_maxquant_other_intensities(pg: tuple[Path, pd.DataFrame], intensity: str, prefix: str) -> None:
    p, df = pg
    a = read_maxquant(p, intensity=intensity, log2=False)
    assert list(a.obs_names) == SAMPLES  # 'iBAQ peptides' and total 'Intensity' are not samples
    np.testing.assert_allclose(a[:, "KRAS"].X.ravel(), df.loc[2, [prefix + s for s in SAMPLES]].astype(float))
    assert a.uns["prot"]["scale"] == "linear"


def test_min_valid(pg: tuple[Path, pd.DataFrame]) -> None:
    a = read_maxquant(pg[0], min_valid=2)
    assert "EGFR" not in a.var_names and "KRAS" in a.var_names
    assert a.uns["maxquant"]["removed_min_valid"] == 1
    b = read_maxquant(pg[0], min_valid=3)
    assert "KRAS" not in b.var_names and b.uns["maxquant"]["removed_min_valid"] == 2


def test_reporter_intensities(tmp_path: Path) -> None:
    header = [
        "Protein IDs", "Majority protein IDs", "Gene names",
        "Reporter intensity 1 EXP1", "Reporter intensity 2 EXP1",
        "Reporter intensity corrected 1 EXP1", "Reporter intensity corrected 2 EXP1",
        "Reporter intensity count 1 EXP1", "Reporter intensity count 2 EXP1",
        "Reverse", "Potential contaminant",
    ]
    lines = ["\t".join(header), "\t".join(["P1", "P1", "G1", "10", "20", "1024", "2048", "3", "4", "", ""])]
    p = tmp_path / "proteinGroups.txt"
    p.write_text("\n".join(lines) + "\n")
    a = read_maxquant(p, intensity="Reporter")
    assert list(a.obs_names) == ["EXP1_1", "EXP1_2"]
    np.testing.assert_allclose(a.X.ravel(), [10, 11])  # corrected columns preferred
    # old single-experiment layout without experiment name
    p2 = tmp_path / "pg_old.txt"
    p2.write_text("Protein IDs\tGene names\tReporter intensity 0\tReporter intensity 1\nP1\tG1\t256\t512\n")
    b = read_maxquant(p2, intensity="Reporter")
    assert list(b.obs_names) == ["channel_0", "channel_1"]


def test_gzipped(tmp_path: Path, pg: tuple[Path, pd.DataFrame]) -> None:
    gz = tmp_path / "proteinGroups.txt.gz"
    gz.write_bytes(gzip.compress(pg[0].read_bytes()))
    assert read_maxquant(gz).n_vars == 6


# ---------------------------------------------------------------------------- bad input
def test_unknown_intensity(pg: tuple[Path, pd.DataFrame]) -> None:
    with pytest.raises(InputError, match=r"intensity='TMT'.*LFQ, iBAQ, Intensity, Reporter"):
        read_maxquant(pg[0], intensity="TMT")


def test_missing_intensity_columns(tmp_path: Path) -> None:
    p = tmp_path / "proteinGroups.txt"
    p.write_text("Protein IDs\tGene names\tIntensity A\tIntensity B\nP1\tG1\t10\t20\n")
    with pytest.raises(InputError, match=r"no 'LFQ' sample columns.*LFQ intensity <sample>.*Intensity"):
        read_maxquant(p)


def test_missing_protein_ids(tmp_path: Path) -> None:
    p = tmp_path / "proteinGroups.txt"
    p.write_text("Gene names\tLFQ intensity A\nG1\t10\n")
    with pytest.raises(InputError, match=r"lacks both 'Protein IDs' and 'Majority protein IDs'"):
        read_maxquant(p)


def test_non_numeric_intensity(tmp_path: Path) -> None:
    p = tmp_path / "proteinGroups.txt"
    p.write_text("Protein IDs\tGene names\tLFQ intensity A\tLFQ intensity B\nP1\tTP53\t1000\tlots\n")
    with pytest.raises(InputError, match=r"'lots'.*'TP53'.*'LFQ intensity B'"):
        read_maxquant(p)


def test_already_log_transformed(tmp_path: Path) -> None:
    p = tmp_path / "proteinGroups.txt"
    p.write_text("Protein IDs\tGene names\tLFQ intensity A\tLFQ intensity B\nP1\tTP53\t25.1\t26.3\nP2\tEGFR\t22.0\t0\n")
    with pytest.raises(InputError, match=r"log-transformed already; pass log2=False"):
        read_maxquant(p)
    a = read_maxquant(p, log2=False)
    assert a.X[0, 0] == pytest.approx(25.1)


def test_duplicated_sample_names(tmp_path: Path) -> None:
    p = tmp_path / "proteinGroups.txt"
    p.write_text("Protein IDs\tGene names\tLFQ intensity A\tLFQ intensity  A \nP1\tTP53\t1000\t2000\n")
    with pytest.raises(InputError, match=r"duplicated sample ID.*A"):
        read_maxquant(p)


def test_empty_and_missing_files(tmp_path: Path) -> None:
    empty = tmp_path / "proteinGroups.txt"
    empty.write_text("")
    with pytest.raises(InputError, match=r"proteinGroups\.txt.*empty"):
        read_maxquant(empty)
    header_only = tmp_path / "hdr.txt"
    header_only.write_text("Protein IDs\tLFQ intensity A\n")
    with pytest.raises(InputError, match=r"hdr\.txt.*no rows"):
        read_maxquant(header_only)
    with pytest.raises(InputError, match=r"missing\.txt.*does not exist"):
        read_maxquant(tmp_path / "missing.txt")
    with pytest.raises(InputError, match=r"is a folder"):
        read_maxquant(tmp_path)


def test_bad_min_valid(pg: tuple[Path, pd.DataFrame]) -> None:
    with pytest.raises(InputError, match=r"min_valid=-1"):
        read_maxquant(pg[0], min_valid=-1)


# ---------------------------------------------------------------------------- phosphosites
def _sites_table(rng: np.random.Generator) -> pd.DataFrame:
    rows = [
        # Proteins, Positions within proteins, Gene names, Localization prob, Amino acid, Position, Reverse, Potential contaminant
        ("P31749;P31749-2", "308;308", "AKT1", 0.998, "T", 308, "", ""),
        ("P31749", "473", "AKT1", 0.91, "S", 473, "", ""),
        ("P28482", "185", "MAPK1", 0.80, "T", 185, "", ""),
        ("P28482", "187", "MAPK1", 0.60, "Y", 187, "", ""),  # below 0.75
        ("Q8WXX0", "12", "", 0.99, "S", 12, "", ""),  # no gene name
        ("REV__P99999", "10", "", 0.99, "S", 10, "+", ""),
        ("CON__P02768", "20", "ALB", 0.99, "S", 20, "", "+"),
    ]
    n = len(rows)
    df = pd.DataFrame(rows, columns=["Proteins", "Positions within proteins", "Gene names", "Localization prob", "Amino acid", "Position", "Reverse", "Potential contaminant"])
    df.insert(2, "Leading proteins", [r[0].split(";")[0] for r in rows])
    df.insert(3, "Protein", [r[0].split(";")[0] for r in rows])
    df.insert(4, "Protein names", [f"prot {i}" for i in range(n)])
    df["Score diff"] = rng.uniform(0, 50, n).round(2)
    df["PEP"] = rng.uniform(0, 0.01, n).round(5)
    df["Score"] = rng.uniform(40, 200, n).round(2)
    df["Number of Phospho (STY)"] = ["1", "1;2", "2", "1", "1", "1", "1"]
    df["Sequence window"] = ["KDGATMKTFCGTPEYLAPEVL", "RPHFPQFSYSASGTA", "HTGFLTEYVATRWYR", "GFLTEYVATRWYRAP", "MSDEEVEQVEEQYEE", "X" * 31, "Y" * 31]
    df["Phospho (STY) Probabilities"] = ["T(1)", "S(0.91)", "T(0.8)", "Y(0.6)", "S(0.99)", "S(1)", "S(1)"]
    df["Intensity"] = 0
    for m in (1, 2, 3):
        df[f"Intensity___{m}"] = 0
    for s in SAMPLES:
        df[f"Localization prob {s}"] = 0.9
    for s in SAMPLES:
        df[f"Intensity {s}"] = 0
        for m in (1, 2, 3):
            df[f"Intensity {s}___{m}"] = (2.0 ** rng.uniform(18, 26, n)).round(0)
    df.loc[1, "Intensity Tumor_01___1"] = 0
    df.loc[1, "Intensity Tumor_01___2"] = 0
    df.loc[1, "Intensity Tumor_01___3"] = 0
    df["id"] = np.arange(n)
    df["Positions"] = df["Position"]
    return df


@pytest.fixture
def sites(tmp_path: Path, rng: np.random.Generator) -> tuple[Path, pd.DataFrame]:
    df = _sites_table(rng)
    p = tmp_path / "Phospho (STY)Sites.txt"
    df.to_csv(p, sep="\t", index=False)
    return p, df


def test_read_phosphosites(sites: tuple[Path, pd.DataFrame]) -> None:
    p, df = sites
    a = read_phosphosites(p)
    assert list(a.obs_names) == SAMPLES
    assert list(a.var_names) == ["AKT1_T308", "AKT1_S473", "MAPK1_T185", "Q8WXX0_S12"]
    info = a.uns["maxquant"]
    assert (info["removed_reverse"], info["removed_contaminant"], info["removed_localization"]) == (1, 1, 1)
    assert info["multiplicity_used"] == "___1"
    np.testing.assert_allclose(a[:, "AKT1_T308"].X.ravel(), np.log2(df.loc[0, [f"Intensity {s}___1" for s in SAMPLES]].astype(float)))
    assert np.isnan(a["Tumor_01", "AKT1_S473"].X[0, 0])
    v = a.var.loc["AKT1_T308"]
    assert (v["gene"], v["residue"], v["position"]) == ("AKT1", "T", 308)
    assert v["localization_prob"] == pytest.approx(0.998)
    assert v["sequence_window"] == "KDGATMKTFCGTPEYLAPEVL"
    assert a.var.loc["Q8WXX0_S12", "protein"] == "Q8WXX0"
    assert a.uns["phospho"]["scale"] == "log2"


def test_phosphosites_multiplicity_and_threshold(sites: tuple[Path, pd.DataFrame]) -> None:
    p, df = sites
    a2 = read_phosphosites(p, multiplicity=2, log2=False)
    np.testing.assert_allclose(a2[:, "MAPK1_T185"].X.ravel(), df.loc[2, [f"Intensity {s}___2" for s in SAMPLES]].astype(float))
    total = read_phosphosites(p, multiplicity="sum", log2=False)
    expected = sum(df.loc[2, [f"Intensity {s}___{m}" for s in SAMPLES]].astype(float).to_numpy() for m in (1, 2, 3))
    np.testing.assert_allclose(total[:, "MAPK1_T185"].X.ravel(), expected)
    assert np.isnan(total["Tumor_01", "AKT1_S473"].X[0, 0])
    loose = read_phosphosites(p, min_localization_prob=0.5)
    assert "MAPK1_Y187" in loose.var_names and loose.uns["maxquant"]["removed_localization"] == 0


def test_phosphosites_without_multiplicity_columns(tmp_path: Path) -> None:
    p = tmp_path / "sites.txt"
    p.write_text(
        "Proteins\tGene names\tLocalization prob\tAmino acid\tPosition\tIntensity A\tIntensity B\n"
        "P1\tGENE1\t0.9\tS\t10\t1024\t0\n"
    )
    a = read_phosphosites(p)
    assert a.uns["maxquant"]["multiplicity_used"] == "no multiplicity columns"
    assert a.X[0, 0] == 10 and np.isnan(a.X[1, 0])


def test_phosphosites_bad_input(tmp_path: Path, sites: tuple[Path, pd.DataFrame]) -> None:
    p = tmp_path / "sites.txt"
    p.write_text("Proteins\tGene names\tIntensity A___1\nP1\tG\t10\n")
    with pytest.raises(InputError, match=r"lacks column\(s\) 'Amino acid', 'Position', 'Localization prob'"):
        read_phosphosites(p)
    with pytest.raises(InputError, match=r"min_localization_prob=1\.5"):
        read_phosphosites(sites[0], min_localization_prob=1.5)
    with pytest.raises(InputError, match=r"multiplicity=4"):
        read_phosphosites(sites[0], multiplicity=4)
    with pytest.raises(InputError, match=r"intensity='LFQ' is not known for phosphosites"):
        read_phosphosites(sites[0], intensity="LFQ")
    bad = tmp_path / "badprob.txt"
    bad.write_text("Proteins\tGene names\tLocalization prob\tAmino acid\tPosition\tIntensity A\nP1\tG\thigh\tS\t1\t5\n")
    with pytest.raises(InputError, match=r"non-numeric 'Localization prob' 'high'"):
        read_phosphosites(bad)

"""Preprocessing chosen by each layer's data type (declared or detected), never by its name alone."""

from __future__ import annotations

import warnings
from pathlib import Path

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest

from oncoresist._core._errors import InputError
from oncoresist.pp import DataTypeWarning, detect_with_confidence, layer_assay, preprocess


def _layer(X: np.ndarray, prefix: str = "g", n_obs: int | None = None) -> ad.AnnData:
    n = X.shape[0] if n_obs is None else n_obs
    return ad.AnnData(np.asarray(X, dtype=float), obs=pd.DataFrame(index=[f"S{i}" for i in range(n)]),
                      var=pd.DataFrame(index=[f"{prefix}{j}" for j in range(X.shape[1])]))


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(7)


def test_mirna_counts_are_normalised(rng: np.random.Generator) -> None:
    counts = rng.negative_binomial(5, 0.02, size=(12, 40)).astype(float)
    m = md.MuData({"mirna": _layer(counts, "miR")})
    preprocess(m, n_top=None)
    assert m.uns["preprocess"]["steps"]["mirna"] == ["normalize_counts(logcpm)"]
    assert m.uns["preprocess"]["data_types"]["mirna"] == "counts"
    lib = counts.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(m.mod["mirna"].X, np.log2(counts / lib * 1e6 + 1), rtol=1e-6)


def test_tpm_rna_is_logged_not_left_linear(rng: np.random.Generator) -> None:
    tpm = rng.lognormal(2, 2, size=(10, 300))
    m = md.MuData({"rna": _layer(tpm)})
    preprocess(m, n_top=None)
    np.testing.assert_allclose(m.mod["rna"].X, np.log2(tpm + 1))
    np.testing.assert_allclose(m.mod["rna"].layers["linear"], tpm)
    rec = m.mod["rna"].uns["pp"]["data_type"]
    assert rec["data_type"] == "linear" and rec["how"] == "detected" and rec["sure"]


def test_log_rna_kept(rng: np.random.Generator) -> None:
    logged = np.log2(rng.lognormal(3, 2, size=(10, 200)) + 1)
    m = md.MuData({"rna": _layer(logged)})
    preprocess(m, n_top=None)
    assert m.uns["preprocess"]["steps"]["rna"] == ["unchanged"]
    np.testing.assert_array_equal(m.mod["rna"].X, logged)


def test_declared_in_study_source_wins(rng: np.random.Generator) -> None:
    # RSEM-like values that happen to be integers would look like counts; the declaration says linear.
    vals = np.round(rng.lognormal(3, 2, size=(8, 100)))
    a = _layer(vals)
    a.uns["source"] = {"file": "rna.tsv", "kind": "matrix", "data_type": "rsem", "data_type_declared": True}
    m = md.MuData({"rna": a})
    preprocess(m, n_top=None)
    assert m.uns["preprocess"]["steps"]["rna"] == ["log_transform"]
    rec = m.mod["rna"].uns["pp"]["data_type"]
    assert rec["how"] == "declared" and rec["detected"] == "counts"


def test_argument_declaration_wins_and_is_checked(rng: np.random.Generator) -> None:
    vals = rng.lognormal(2, 1, size=(8, 30))
    m = md.MuData({"expr": _layer(vals)})
    preprocess(m, n_top=None, data_types={"expr": "log"})
    assert m.uns["preprocess"]["steps"]["expr"] == ["unchanged"]
    assert m.mod["expr"].uns["pp"]["data_type"]["how"] == "argument"
    with pytest.raises(InputError, match="declared 'beta'"):
        preprocess(md.MuData({"expr": _layer(vals)}), n_top=None, data_types={"expr": "beta"})
    with pytest.raises(InputError, match="not known"):
        preprocess(md.MuData({"expr": _layer(vals)}), n_top=None, data_types={"expr": "raw-ish"})
    with pytest.raises(InputError, match="not processed"):
        preprocess(md.MuData({"expr": _layer(vals)}), n_top=None, data_types={"rna": "log"})


def test_beta_in_an_unnamed_layer_gets_mvalues(rng: np.random.Generator) -> None:
    beta = rng.uniform(0.05, 0.95, size=(8, 20))
    m = md.MuData({"epic": _layer(beta, "cg")})
    preprocess(m, n_top=None)
    assert m.uns["preprocess"]["steps"]["epic"] == ["mvalues"]
    np.testing.assert_allclose(m.mod["epic"].layers["mvalue"], np.log2(beta / (1 - beta)), rtol=1e-5)


def test_unsure_guess_warns_with_the_fix(rng: np.random.Generator) -> None:
    narrow = rng.uniform(2.0, 3.5, size=(8, 30))  # could be log values or a narrow linear scale
    assert detect_with_confidence(narrow) == ("log", False)
    m = md.MuData({"other": _layer(narrow)})
    with pytest.warns(DataTypeWarning, match=r"scale = .*data_types"):
        preprocess(m, n_top=None)
    assert m.mod["other"].uns["pp"]["data_type"]["sure"] is False


def test_clear_layers_do_not_warn(rng: np.random.Generator) -> None:
    m = md.MuData({"rna": _layer(rng.poisson(100, size=(8, 50))), "meth": _layer(rng.uniform(size=(8, 10)), "cg"),
                   "mut": _layer(rng.integers(0, 2, size=(8, 10)), "m")})
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataTypeWarning)
        preprocess(m, n_top=None)
    assert m.uns["preprocess"]["assays"] == {"rna": "expression", "meth": "methylation", "mut": "mutation"}


def test_assay_from_reader_kind_before_name() -> None:
    a = _layer(np.ones((2, 2)))
    a.uns["source"] = {"kind": "maxquant"}
    assert layer_assay(a, "layer1") == "proteomics"
    assert layer_assay(_layer(np.ones((2, 2))), "rna_tumour") == "expression"
    assert layer_assay(_layer(np.ones((2, 2))), "xyz") == "other"
    assert layer_assay(_layer(np.ones((2, 2))), "meth450k") == "methylation"
    assert layer_assay(_layer(np.ones((2, 2))), "mutsig") == "other"  # not a mutation layer by its prefix
    b = _layer(np.ones((2, 2)))
    b.uns["higher_is"] = {"X": "sensitive"}
    assert layer_assay(b, "auc") == "response"


def test_drug_layer_untouched(rng: np.random.Generator) -> None:
    auc = rng.uniform(0.2, 1.0, size=(8, 5))
    a = _layer(auc, "d")
    a.uns["higher_is"] = {"X": "resistant"}
    m = md.MuData({"viability": a})
    preprocess(m, n_top=3)
    np.testing.assert_array_equal(m.mod["viability"].X, auc)
    assert m.uns["preprocess"]["steps"]["viability"] == ["unchanged"]


def test_data_type_record_survives_h5mu(tmp_path: Path, rng: np.random.Generator) -> None:
    m = md.MuData({"mirna": _layer(rng.poisson(200, size=(6, 20)), "miR")})
    preprocess(m, n_top=None)
    out = tmp_path / "c.h5mu"
    m.write(out)
    back = md.read_h5mu(out)
    assert back.mod["mirna"].uns["pp"]["data_type"]["data_type"] == "counts"
    assert back.uns["preprocess"]["data_types"]["mirna"] == "counts"


def test_real_cptac_layers_typed(shared_data: Path) -> None:
    from oncoresist.io import read_matrix

    base = shared_data / "cptac_ucec"
    if not (base / "transcriptomics_linear.cct.gz").exists():
        pytest.skip("cptac_ucec transcriptomics not in shared data")
    files = {"rna": "transcriptomics_linear.cct.gz", "mirna": "miRNA.cct.gz", "prot": "proteomics.cct.gz"}
    types, sure, steps = {}, {}, {}
    for mod, name in files.items():
        m = md.MuData({mod: read_matrix(base / name)})
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*missing in more than")  # proteomics gaps, expected
            preprocess(m, n_top=None)
        types[mod] = m.uns["preprocess"]["data_types"][mod]
        sure[mod] = m.mod[mod].uns["pp"]["data_type"]["sure"]
        steps[mod] = list(m.uns["preprocess"]["steps"][mod])
    print(types, sure, steps)
    # the 'linear' file of the CPTAC UCEC release is already log2; proteomics are log2 ratios (centred)
    assert types["rna"] == "log" and steps["rna"] == ["unchanged"]
    assert types["prot"] in ("zscore", "log") and steps["prot"][0] == "normalize_proteomics"
    assert types["mirna"] in ("log", "counts", "linear")

"""Default per-layer preprocessing of a cohort (pp._preprocess)."""

from __future__ import annotations

import numpy as np
import pytest

from oncoresist._core._errors import InputError
from oncoresist.ds import simulate_cohort
from oncoresist.pp import batch_variance, preprocess
from oncoresist.pp._base import copy_data


@pytest.fixture(scope="module")
def sim():
    return simulate_cohort(90, seed=3, n_genes=300)


def test_preprocess_simulated_cohort(sim):
    m = copy_data(sim.mdata)
    before = batch_variance(m, mod="rna", batch_key="batch")
    preprocess(m, batch_key="batch", covariates=["tissue"], n_top=100)
    steps = m.uns["preprocess"]["steps"]
    assert "mvalues" in steps["meth"] and "mvalue" in m.mod["meth"].layers
    assert any(s.startswith("combat") for s in steps["rna"])
    assert "normalize_proteomics" in steps["prot"]
    assert steps["drug"] == ["unchanged"]
    assert m.mod["rna"].var["selected"].sum() == 100
    assert "calls" in m.mod["cnv"].layers
    after = batch_variance(m, mod="rna", batch_key="batch")
    assert after["median_feature_r2_adj"] < before["median_feature_r2_adj"]
    # the original cohort is untouched by a copy
    out = preprocess(sim.mdata, n_top=None, copy=True)
    assert "mvalue" not in sim.mdata.mod["meth"].layers and "mvalue" in out.mod["meth"].layers


def test_preprocess_bad_input(sim):
    with pytest.raises(InputError, match="not in the cohort"):
        preprocess(sim.mdata, mods=["rna", "zzz"], copy=True)
    with pytest.raises(InputError, match="expected a MuData"):
        preprocess(np.zeros(3))


def _layer(X, names="g"):
    import anndata as ad
    import pandas as pd

    return ad.AnnData(np.asarray(X, dtype=float), var=pd.DataFrame(index=[f"{names}{j}" for j in range(np.shape(X)[1])]))


def test_modality_steps_and_rna_meth_steps():
    import mudata as md

    from oncoresist.pp._preprocess import _expression_steps, _meth_steps, _modality_steps

    rng = np.random.default_rng(0)
    counts = rng.poisson(40, size=(8, 12)).astype(float)
    m = md.MuData({"rna": _layer(counts), "meth": _layer(rng.uniform(0.1, 0.9, size=(8, 4)), "cg"),
                   "mut": _layer(rng.integers(0, 2, size=(8, 3)), "m"), "drug": _layer(rng.normal(size=(8, 2)), "d")})
    assert _expression_steps(m, "rna", "log", rna_method="logcpm") == []  # log values: kept
    assert _expression_steps(m, "rna", "counts", rna_method="logcpm") == ["normalize_counts(logcpm)"]
    assert _meth_steps(m, "meth", "beta") == ["mvalues"] and "mvalue" in m.mod["meth"].layers
    assert _meth_steps(m, "meth", "beta") == []  # already there
    assert _modality_steps(m, "mut", "mutation", "binary", rna_method="logcpm", max_missing=0.5, impute_missing=False) == []
    assert _modality_steps(m, "drug", "response", "zscore", rna_method="logcpm", max_missing=0.5,
                           impute_missing=False) == []


def test_select_and_params_steps():
    import mudata as md

    from oncoresist.pp._preprocess import _params_record, _select_steps

    rng = np.random.default_rng(1)
    m = md.MuData({"prot": _layer(rng.normal(size=(6, 10)), "p"), "drug": _layer(rng.normal(size=(6, 3)), "d")})
    assert _select_steps(m, "prot", "proteomics", "zscore", {"prot": 4}) == ["select_features(4)"]
    assert m.mod["prot"].var["selected"].sum() == 4
    assert _select_steps(m, "drug", "response", "zscore", 4) == []
    assert _select_steps(m, "prot", "proteomics", "zscore", None) == []
    rec = _params_record(batch_key=None, batch_mods=("rna",), covariates=None, rna_method="vst", max_missing=0.5,
                         impute_missing=False, n_top=None)
    assert rec["batch_key"] == "None" and rec["n_top"] == "None" and rec["covariates"] == []

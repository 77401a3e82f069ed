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

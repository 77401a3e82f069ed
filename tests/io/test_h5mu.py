from __future__ import annotations

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest

from oncoresist import InputError
from oncoresist.io import read_h5mu, write_h5mu


def _toy(rng):
    a = ad.AnnData(rng.normal(size=(5, 3)).astype(np.float32))
    a.obs_names = [f"S{i}" for i in range(5)]
    a.var_names = ["g1", "g2", "g3"]
    a.var["note"] = ["x", None, "z"]
    b = ad.AnnData(rng.normal(size=(3, 2)))
    b.obs_names = ["S0", "S1", "S9"]
    b.var_names = ["d1", "d2"]
    m = md.MuData({"rna": a, "drug": b})
    m.obs["tissue"] = pd.Series(["lung", "lung", "brain", None, "skin", "lung"], index=m.obs_names).astype(object)
    m.uns["dose_response"] = pd.DataFrame({"sample": ["S0"], "drug": ["d1"], "dose": [1.0], "response": [0.5]})
    m.uns["params"] = {"a": None, "names": ["x", "y"]}
    return m


def test_roundtrip(tmp_path, rng):
    m = _toy(rng)
    p = write_h5mu(m, tmp_path / "c.h5mu")
    back = read_h5mu(p)
    assert set(back.mod) == {"rna", "drug"}
    assert back.n_obs == 6
    np.testing.assert_allclose(back["rna"].X, m["rna"].X)
    assert list(back.uns["dose_response"]["drug"]) == ["d1"]
    assert list(tmp_path.iterdir()) == [tmp_path / "c.h5mu"]


def test_read_errors(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read_h5mu(tmp_path / "none.h5mu")
    bad = tmp_path / "bad.h5mu"
    bad.write_text("not hdf5")
    with pytest.raises(InputError, match="cannot read cohort"):
        read_h5mu(bad)

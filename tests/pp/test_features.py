"""Feature selection (pp._features)."""

from __future__ import annotations

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest

from oncoresist._core._errors import InputError
from oncoresist.pp import select_features
from oncoresist.tl import modality_matrix


def test_most_variable_and_list():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 10)) * np.arange(1, 11)
    X[:30, 9] = np.nan  # most variable but observed in 40% only -> not eligible
    a = ad.AnnData(X, var=pd.DataFrame(index=[f"g{i}" for i in range(10)]))
    select_features(a, n_top=3)
    assert a.var_names[a.var["selected"]].tolist() == ["g6", "g7", "g8"]
    with pytest.warns(UserWarning, match="1 of 3 given"):
        select_features(a, features=["g0", "g1", "zzz"])
    assert a.var_names[a.var["selected"]].tolist() == ["g0", "g1"]
    assert a.uns["pp"]["select_features"]["unknown_features"] == ["zzz"]
    assert a.uns["pp"]["steps"] == ["select_features", "select_features"]
    with pytest.raises(InputError, match="none of the 1 given"):
        select_features(a, features=["nope"])
    out = select_features(a, n_top=2, method="mad", subset=True, copy=True)
    assert out.n_vars == 2


def test_selection_used_by_integration():
    rng = np.random.default_rng(1)
    rna = ad.AnnData(rng.normal(size=(20, 8)) * np.arange(1, 9), obs=pd.DataFrame(index=[f"s{i}" for i in range(20)]))
    m = md.MuData({"rna": rna})
    select_features(m, n_top=4)
    assert modality_matrix(m, "rna").shape == (20, 4)
    select_features(m, n_top=3, subset=True)
    assert m.mod["rna"].n_vars == 3


def test_variability_step():
    from oncoresist.pp._features import _variability

    X = np.array([[0.0, 1.0, np.nan], [0.0, 3.0, np.nan], [0.0, 5.0, 1.0]])
    assert np.allclose(_variability(X, "variance"), [0.0, 4.0, 0.0])
    assert np.allclose(_variability(X, "mad"), [0.0, 2.0, 0.0])


def test_keep_listed_and_top_steps():
    from oncoresist.pp._features import _keep_listed, _keep_top

    names = pd.Index(["a", "b", "c"])
    with pytest.warns(UserWarning, match="1 of 2"):
        keep, unknown = _keep_listed(names, ["b", "zz"], "rna")
    assert keep.tolist() == [False, True, False] and unknown == ["zz"]
    with pytest.raises(InputError, match="none of the 1"):
        _keep_listed(names, ["zz"], "rna")
    rng = np.random.default_rng(0)
    score = rng.uniform(size=5)
    keep = _keep_top(score, np.array([True, True, True, True, False]), 2, "rna", 0.5)
    assert keep.sum() == 2 and not keep[4]
    with pytest.raises(InputError, match="lower min_observed"):
        _keep_top(score, np.zeros(5, dtype=bool), 2, "rna", 0.5)

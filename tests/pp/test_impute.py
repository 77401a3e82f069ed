"""Missingness filter and MNAR-aware imputation (pp._impute)."""

from __future__ import annotations

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest

from oncoresist._core._errors import InputError
from oncoresist.pp import filter_missing, impute, lowrank_impute


def lowrank(seed=0, n=60, d=80, r=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, r)) @ rng.normal(size=(r, d)) + 20 + rng.normal(scale=0.3, size=(n, d))
    return X, rng


def test_filter_missing_records_dropped():
    X = np.array([[1.0, np.nan, 1], [2, np.nan, np.nan], [3, 1, np.nan], [4, np.nan, 2]])
    a = ad.AnnData(X, obs=pd.DataFrame({"g": ["t", "t", "n", "n"]}, index=list("abcd")),
                   var=pd.DataFrame(index=["p1", "p2", "p3"]))
    with pytest.warns(UserWarning, match="removed 1 of 3"):
        out = filter_missing(a, max_missing=0.5, copy=True)
    assert list(out.var_names) == ["p1", "p3"]
    assert out.uns["pp"]["filter_missing"]["dropped"] == ["p2"]
    # by group: p2 is observed in half of the 'n' group -> kept
    out2 = filter_missing(a, max_missing=0.5, groupby="g", copy=True)
    assert list(out2.var_names) == ["p1", "p2", "p3"]
    m = md.MuData({"prot": a})
    m.obs["clin"] = [1, 2, 3, 4]
    with pytest.warns(UserWarning):
        filter_missing(m, max_missing=0.5)
    assert m.mod["prot"].n_vars == 2 and list(m.obs["clin"]) == [1, 2, 3, 4]
    with pytest.raises(InputError, match="max_missing"):
        filter_missing(a, max_missing=2)


def test_lowrank_impute_recovers_mar_values():
    X, rng = lowrank()
    mask = rng.random(X.shape) < 0.15
    Y = X.copy()
    Y[mask] = np.nan
    est = lowrank_impute(Y, rank=3)
    np.testing.assert_array_equal(est[~mask], X[~mask])
    err_lr = np.sqrt(np.mean((est[mask] - X[mask]) ** 2))
    err_mean = np.sqrt(np.mean((np.nanmean(Y, 0)[np.nonzero(mask)[1]] - X[mask]) ** 2))
    assert err_lr < 0.5 * err_mean


def test_mixed_imputation_detects_censored_features():
    X, rng = lowrank(1, n=80, d=100)
    Y = X.copy()
    censored = np.arange(0, 30)  # left-censored: values below the feature's 30th percentile missing
    for j in censored:
        Y[X[:, j] < np.percentile(X[:, j], 30), j] = np.nan
    mar = np.arange(30, 60)  # missing completely at random
    Y[:, mar] = np.where(rng.random((80, 30)) < 0.3, np.nan, Y[:, mar])
    a = ad.AnnData(Y.copy())
    impute(a, method="mixed", rank=3, random_state=0)
    flagged = a.var["mnar"].to_numpy()
    assert flagged[censored].mean() > 0.8
    assert flagged[mar].mean() < 0.2
    assert np.isfinite(a.X).all()
    assert a.layers["missing"].sum() == np.isnan(Y).sum()
    rec = a.uns["pp"]["impute"]
    assert rec["n_imputed"] == int(np.isnan(Y).sum()) and rec["n_mnar_features"] == int(flagged.sum())
    # censored entries get low values, MAR entries close to the truth
    miss_c = np.isnan(Y[:, censored])
    assert np.mean(a.X[:, censored][miss_c] < np.nanmean(Y[:, censored], 0)[np.nonzero(miss_c)[1]]) > 0.9
    miss_m = np.isnan(Y[:, mar])
    err = np.sqrt(np.mean((a.X[:, mar][miss_m] - X[:, mar][miss_m]) ** 2))
    assert err < 1.0


def test_other_methods_and_seed():
    X, rng = lowrank(2, n=30, d=20)
    X[rng.random(X.shape) < 0.2] = np.nan
    X[:, 0] = np.nan  # feature without any value
    for method in ("lowrank", "knn", "downshift", "min"):
        a = ad.AnnData(X.copy())
        with pytest.warns(UserWarning, match="without any observed value"):
            impute(a, method=method)
        assert np.isnan(a.X[:, 0]).all() and np.isfinite(a.X[:, 1:]).all(), method
    a1, a2 = ad.AnnData(X.copy()), ad.AnnData(X.copy())
    with pytest.warns(UserWarning):
        impute(a1, method="downshift", random_state=3)
    with pytest.warns(UserWarning):
        impute(a2, method="downshift", random_state=3)
    np.testing.assert_array_equal(a1.X, a2.X)
    with pytest.raises(InputError, match="method"):
        impute(a1, method="zero")


def test_impute_steps():
    from oncoresist.pp._impute import (
        _Downshift,
        _feature_stats,
        _knn_fill,
        _lowrank_fill,
        _min_fill,
    )

    X, rng = lowrank(seed=1, n=30, d=12)
    X[:5, 0] = np.nan
    X[:, 1] = np.nan
    mean, sd, n_obs = _feature_stats(X)
    assert n_obs[0] == 25 and n_obs[1] == 0 and np.isfinite(sd).all() and (sd > 0).all()
    draws = _Downshift(np.random.default_rng(0), mean, sd, 1.8, 0.3)
    d = draws(X.shape)
    assert d.shape == X.shape and d[:, 0].mean() < mean[0]
    usable = n_obs > 0
    est, mnar = _lowrank_fill(X, usable, rank=3, random_state=0, mnar_z=None, draws=draws)
    assert not mnar.any() and np.isfinite(est[:, usable]).all()
    # censor the low values of one feature: it is called MNAR
    Y = X.copy()
    Y[Y[:, 2] < np.nanquantile(Y[:, 2], 0.3), 2] = np.nan
    _, mnar = _lowrank_fill(Y, usable, rank=3, random_state=0, mnar_z=2.0, draws=_Downshift(np.random.default_rng(0), *_feature_stats(Y)[:2], 1.8, 0.3))
    assert mnar[2]
    assert np.isfinite(_knn_fill(X, usable, 3)[:, usable]).all()
    assert np.allclose(_min_fill(X)[:, 0], np.nanmin(X[:, 0]))


def test_fill_values_step():
    from oncoresist.pp._impute import _Downshift, _feature_stats, _fill_values

    X, _ = lowrank(seed=2, n=20, d=6)
    X[:3, 0] = np.nan
    mean, sd, _ = _feature_stats(X)
    usable = np.ones(6, dtype=bool)
    kw = {"rank": 2, "random_state": 0, "mnar_z": 2.0, "n_neighbors": 3}
    for method in ("min", "downshift"):
        fill, mnar = _fill_values(X, usable, method, _Downshift(np.random.default_rng(0), mean, sd, 1.8, 0.3), **kw)
        assert mnar.tolist() == [True] + [False] * 5 and fill.shape == X.shape
    fill, mnar = _fill_values(X, usable, "knn", _Downshift(np.random.default_rng(0), mean, sd, 1.8, 0.3), **kw)
    assert not mnar.any() and np.isfinite(fill).all()


def test_store_imputed_step():
    from oncoresist.pp._impute import _store_imputed

    X = np.array([[1.0, np.nan, np.nan], [np.nan, np.nan, 2.0], [np.nan, np.nan, np.nan]])
    a = ad.AnnData(X.copy())
    _store_imputed(a, X, np.full_like(X, 9.0), np.array([True, False, False]), np.array([False, False, True]), {"method": "min"})
    assert a.X[1, 0] == 9.0 and np.isnan(a.X[0, 1]) and np.isnan(a.X[2, 0])
    rec = a.uns["pp"]["impute"]
    assert rec["n_imputed"] == 2 and rec["n_left_missing"] == 5 and rec["features_without_values"] == ["1"]
    assert a.layers["missing"].sum() == 7 and a.var["mnar"].tolist() == [True, False, False]

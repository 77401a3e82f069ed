"""ComBat batch correction and batch-variance summaries (pp._batch)."""

from __future__ import annotations

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest

from oncoresist._core._errors import InputError
from oncoresist._core._utils import read_table
from oncoresist.pp import batch_r2, batch_variance, combat, combat_matrix


def slow_combat(X, batch, cov=None, mean_only=False):
    """Obvious per-feature transcription of sva::ComBat (parametric), complete data."""
    n, d = X.shape
    levels = list(pd.unique(pd.Series(batch)))
    B = np.column_stack([(np.asarray(batch) == lv).astype(float) for lv in levels])
    D = B if cov is None else np.hstack([B, cov])
    nb = B.shape[1]
    out = np.empty_like(X)
    beta = np.vstack([np.linalg.lstsq(D, X[:, j], rcond=None)[0] for j in range(d)])  # d x p
    grand = beta[:, :nb] @ (B.sum(0) / n)
    var_pooled = np.array([np.mean((X[:, j] - D @ beta[j]) ** 2) for j in range(d)])
    stand = np.tile(grand, (n, 1))
    if cov is not None:
        stand = stand + cov @ beta[:, nb:].T
    s = (X - stand) / np.sqrt(var_pooled)
    gamma_hat = np.array([[s[B[:, i] == 1, j].mean() for j in range(d)] for i in range(nb)])
    delta_hat = np.array([[s[B[:, i] == 1, j].var(ddof=1) for j in range(d)] for i in range(nb)])
    gstar = np.empty_like(gamma_hat)
    dstar = np.ones_like(delta_hat)
    for i in range(nb):
        g_bar, t2 = gamma_hat[i].mean(), gamma_hat[i].var(ddof=1)
        nn = B[:, i].sum()
        if mean_only:
            gstar[i] = (nn * t2 * gamma_hat[i] + g_bar) / (nn * t2 + 1)
            continue
        m, v = delta_hat[i].mean(), delta_hat[i].var(ddof=1)
        a, b = (2 * v + m**2) / v, (m * v + m**3) / v
        g_old, d_old = gamma_hat[i].copy(), delta_hat[i].copy()
        for _ in range(1000):
            g_new = (t2 * nn * gamma_hat[i] + d_old * g_bar) / (t2 * nn + d_old)
            sum2 = ((s[B[:, i] == 1] - g_new) ** 2).sum(0)
            d_new = (0.5 * sum2 + b) / (nn / 2 + a - 1)
            ch = max(np.max(np.abs(g_new - g_old) / np.abs(g_old)), np.max(np.abs(d_new - d_old) / d_old))
            g_old, d_old = g_new, d_new
            if ch < 1e-4:
                break
        gstar[i], dstar[i] = g_old, d_old
    for i in range(nb):
        rows = B[:, i] == 1
        out[rows] = (s[rows] - gstar[i]) / np.sqrt(dstar[i]) * np.sqrt(var_pooled) + stand[rows]
    return out


def batched_data(seed=0, n_per=12, d=40):
    rng = np.random.default_rng(seed)
    batch = np.repeat(["b1", "b2", "b3"], n_per)
    group = np.tile([0.0, 1.0], len(batch) // 2)  # biological covariate, balanced across batches
    X = rng.normal(size=(len(batch), d))
    X += group[:, None] * rng.normal(1.5, 0.3, size=d)  # biology
    shift = {"b1": 0.0, "b2": 2.0, "b3": -1.0}
    scale = {"b1": 1.0, "b2": 2.0, "b3": 0.7}
    for b in shift:
        r = batch == b
        X[r] = X[r] * scale[b] + shift[b] + rng.normal(0, 0.3, size=d)
    return X, batch, group


def test_combat_matches_reference_transcription():
    X, batch, group = batched_data()
    ours, info = combat_matrix(X, batch)
    ref = slow_combat(X, batch)
    np.testing.assert_allclose(ours, ref, rtol=1e-3, atol=1e-3)
    cov = pd.DataFrame({"group": group.astype(int).astype(str)})
    ours_c, _ = combat_matrix(X, batch, cov)
    ref_c = slow_combat(X, batch, cov=group[:, None])
    np.testing.assert_allclose(ours_c, ref_c, rtol=1e-3, atol=1e-3)
    ours_m, _ = combat_matrix(X, batch, mean_only=True)
    np.testing.assert_allclose(ours_m, slow_combat(X, batch, mean_only=True), rtol=1e-6, atol=1e-8)
    assert info["batches"] == ["b1", "b2", "b3"]


def test_combat_removes_batch_and_keeps_biology():
    X, batch, group = batched_data(1)
    cov = pd.DataFrame({"group": group.astype(int).astype(str)})
    Y, _ = combat_matrix(X, batch, cov)
    assert np.median(batch_r2(Y, batch)) < 0.5 * np.median(batch_r2(X, batch))
    assert np.median(batch_r2(Y, batch, adjusted=True)) < 0.02
    # the biological difference survives
    diff = Y[group == 1].mean(0) - Y[group == 0].mean(0)
    assert np.median(diff) > 1.0


def test_combat_with_missing_values():
    X, batch, _ = batched_data(2)
    rng = np.random.default_rng(0)
    Xm = X.copy()
    Xm[rng.random(X.shape) < 0.1] = np.nan
    Y, _ = combat_matrix(Xm, batch)
    assert np.array_equal(np.isnan(Y), np.isnan(Xm))
    assert np.nanmedian(batch_r2(Y, batch)) < 0.5 * np.nanmedian(batch_r2(Xm, batch))
    # close to the correction of the complete data at the observed entries
    Yc, _ = combat_matrix(X, batch)
    ok = np.isfinite(Xm)
    assert np.corrcoef(Y[ok], Yc[ok])[0, 1] > 0.98


def test_combat_cohort_function_uses_cohort_obs():
    X, batch, group = batched_data(3)
    ids = [f"s{i}" for i in range(len(batch))]
    prot = ad.AnnData(X.copy(), obs=pd.DataFrame(index=ids))
    m = md.MuData({"prot": prot})
    m.obs["plex"] = batch
    m.obs["tumor"] = np.where(group == 1, "T", "N")
    combat(m, batch_key="plex", covariates=["tumor"])
    rec = m.mod["prot"].uns["pp"]["combat"]
    assert rec["batch_r2_after"] < rec["batch_r2_before"]
    assert rec["batch_r2_adj_after"] < 0.02 < rec["batch_r2_adj_before"]
    np.testing.assert_allclose(m.mod["prot"].layers["uncorrected"], X)
    with pytest.raises(InputError, match="column 'nope' not found"):
        combat(m, batch_key="nope")


def test_combat_bad_input():
    X, batch, group = batched_data(4)
    with pytest.raises(InputError, match="confounded"):
        combat_matrix(X, batch, pd.DataFrame({"site": batch}))
    lone = batch.copy()
    lone[0] = "solo"
    with pytest.raises(InputError, match="single sample.*mean_only"):
        combat_matrix(X, lone)
    Y, _ = combat_matrix(X, lone, mean_only=True)
    assert np.isfinite(Y).all()
    with pytest.raises(InputError, match="only one batch"):
        combat_matrix(X, ["a"] * len(batch))
    a = ad.AnnData(X, obs=pd.DataFrame({"b": pd.Series(batch, dtype=object).where(np.arange(len(batch)) > 0)},
                                         index=[f"s{i}" for i in range(len(batch))]))
    with pytest.raises(InputError, match="no 'b' value .*s0"):
        combat(a, batch_key="b")


def test_batch_r2_against_anova():
    from scipy import stats

    rng = np.random.default_rng(0)
    x = rng.normal(size=30)
    lab = np.repeat(["a", "b", "c"], 10)
    x[lab == "b"] += 1
    r2 = batch_r2(x[:, None], lab)[0]
    F, _ = stats.f_oneway(x[lab == "a"], x[lab == "b"], x[lab == "c"])
    # R2 = F (k-1) / (F (k-1) + n - k)
    assert r2 == pytest.approx(F * 2 / (F * 2 + 27))
    null = batch_r2(rng.normal(size=(30, 2000)), lab)
    assert np.mean(null) == pytest.approx(2 / 29, abs=0.01)
    assert abs(np.mean(batch_r2(rng.normal(size=(30, 2000)), lab, adjusted=True))) < 0.01


@pytest.mark.realdata
def test_cptac_ucec_tmt_plex_batch_reduced(shared_data):
    d = shared_data / "cptac_ucec"
    clin = read_table(d / "clinical.txt", index_col=0)  # cp1252-encoded
    prot = read_table(d / "proteomics.cct.gz", index_col=0).T
    obs = clin.reindex(prot.index)
    a = ad.AnnData(prot.to_numpy(dtype=float), obs=pd.DataFrame({
        "plex": obs["Proteomics_TMT_plex"].astype(str).to_numpy(),
        "tissue": obs["Proteomics_Tumor_Normal"].astype(str).to_numpy(),
    }, index=prot.index.astype(str)), var=pd.DataFrame(index=prot.columns.astype(str)))
    keep = np.isfinite(a.X).mean(axis=0) >= 0.5
    a = a[:, keep].copy()
    before = batch_variance(a, batch_key="plex")
    tissue_before = batch_variance(a, batch_key="tissue")
    combat(a, batch_key="plex", covariates=["tissue"])
    after = batch_variance(a, batch_key="plex")
    tissue_after = batch_variance(a, batch_key="tissue")
    # the 17 TMT plexes explain variance beyond chance before, (almost) none after
    assert before["median_feature_r2_adj"] > 0.02
    assert after["median_feature_r2_adj"] < 0.0
    assert after["median_feature_r2"] < 0.5 * before["median_feature_r2"]
    assert after["pc_r2"] < before["pc_r2"]
    # tumour vs normal differences are kept (even sharpened)
    assert tissue_after["median_feature_r2"] >= tissue_before["median_feature_r2"]


def test_combat_check_steps():
    from oncoresist.pp._batch import _check_design, _check_labels, _design

    with pytest.raises(InputError, match="2 batch labels for 3"):
        _check_labels(3, ["a", "b"], None)
    with pytest.raises(InputError, match="no batch label"):
        _check_labels(2, ["a", None], None)
    with pytest.raises(InputError, match="covariate 'x' has missing"):
        _check_labels(2, ["a", "b"], pd.DataFrame({"x": [1.0, np.nan]}))
    b, cov = _check_labels(4, ["a", "a", "b", "b"], pd.DataFrame({"x": [1, 2, 3, 4]}, index=list("pqrs")))
    assert list(cov.index) == [0, 1, 2, 3]
    B, C, levels, names = _design(b, cov)
    D, sizes = _check_design(B, C, levels, names, mean_only=False)
    assert D.shape == (4, 3) and sizes.tolist() == [2, 2]
    B1, C1, lv1, nm1 = _design(pd.Series(["a", "a", "b"], dtype=object), None)
    with pytest.raises(InputError, match="single sample"):
        _check_design(B1, C1, lv1, nm1, mean_only=False)
    Bc, Cc, lvc, nmc = _design(b, pd.DataFrame({"site": ["a", "a", "b", "b"]}))
    with pytest.raises(InputError, match="confounded"):
        _check_design(Bc, Cc, lvc, nmc, mean_only=False)


def test_combat_estimation_steps():
    from oncoresist.pp._batch import (
        _batch_estimates,
        _design,
        _eb_iterate,
        _inverse_gamma_priors,
        _standardize,
    )

    rng = np.random.default_rng(0)
    batch = pd.Series(np.repeat(["a", "b"], 15), dtype=object)
    X = rng.normal(size=(30, 20))
    X[15:] = X[15:] * 2 + 3
    X[:, 0] = 5.0  # no variance: left as is
    B, C, _, _ = _design(batch, None)
    S, sd, ok, stand_mean = _standardize(X, B, C, B)
    assert not ok[0] and ok[1:].all() and np.allclose(S[:, ok].mean(axis=0), 0, atol=1e-8)
    n_bd = B.T @ np.ones_like(X)
    gamma_hat, delta_hat, est, gamma_bar, tau2 = _batch_estimates(S, B, n_bd, ok)
    assert gamma_bar[1] > 0 > gamma_bar[0] and (delta_hat[1, ok] > delta_hat[0, ok]).mean() > 0.8
    assert not est[:, 0].any() and (tau2 > 0).all()
    a_prior, b_prior = _inverse_gamma_priors(delta_hat, est, n_bd)
    assert (a_prior > 0).all() and (b_prior > 0).all()
    g, d = _eb_iterate(S, B, n_bd, gamma_hat, delta_hat, gamma_bar, tau2, a_prior, b_prior, max_iter=100, tol=1e-4)
    # shrinkage pulls the locations towards the batch prior
    assert np.abs(g[:, ok] - gamma_bar[:, None]).sum() <= np.abs(gamma_hat[:, ok] - gamma_bar[:, None]).sum()
    assert (d[:, ok] > 0).all()

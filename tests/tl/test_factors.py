"""Group factor analysis (tl._gfa) and the cohort wrappers (tl._factors)."""

from __future__ import annotations

import builtins
import warnings

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from oncoresist._core._errors import InputError
from oncoresist.tl.integrate._factors import (
    GroupFactorAnalysis,
    factors,
    get_factors,
    load_factor_model,
    modality_matrix,
    project_factors,
)
from oncoresist.tl.integrate._gfa import _State, _Tri, _View


# --------------------------------------------------------------------------------------------
# simulated multi-view data with group-sparse factors
# --------------------------------------------------------------------------------------------
def simulate_views(seed: int = 0, n: int = 150, *, missing_rows: bool = True, nan_frac: float = 0.05):
    """Four factors: F0 in a+b, F1 in a+c, F2 in the binary view only, F3 in c only."""
    rng = np.random.default_rng(seed)
    k = 4
    Z = rng.normal(size=(n, k))
    ids = [f"s{i:03d}" for i in range(n)]
    act = {"a": [1, 1, 0, 0], "b": [1, 0, 0, 0], "c": [0, 1, 0, 1], "mut": [0, 0, 1, 0]}
    views = {}
    for v, a in act.items():
        d = 60 if v == "mut" else 80
        W = rng.normal(size=(d, k)) * np.asarray(a, dtype=float)
        lin = Z @ W.T
        if v == "mut":
            Y = (rng.random((n, d)) < 1 / (1 + np.exp(-(1.5 * lin - 1.0)))).astype(float)
        else:
            Y = lin + rng.normal(size=(n, d))
            Y[rng.random((n, d)) < nan_frac] = np.nan
        df = pd.DataFrame(Y, index=ids, columns=[f"{v}{j}" for j in range(d)])
        if missing_rows and v == "b":
            df = df.iloc[: n - 30]
        if missing_rows and v == "c":
            df = df.iloc[20:]
        views[v] = df
    return views, pd.DataFrame(Z, index=ids), act


def best_abs_corr(Z_true: np.ndarray, Z_hat: np.ndarray) -> np.ndarray:
    k = Z_true.shape[1]
    c = np.abs(np.corrcoef(Z_true.T, Z_hat.T)[:k, k:])
    return c.max(axis=1)


@pytest.fixture(scope="module")
def fitted():
    views, Z, act = simulate_views(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gfa = GroupFactorAnalysis(n_factors=8, random_state=0).fit(views)
    return gfa, views, Z, act


# --------------------------------------------------------------------------------------------
# model behaviour
# --------------------------------------------------------------------------------------------
def test_recovers_planted_factors_and_activity(fitted):
    gfa, views, Z, act = fitted
    assert gfa.n_factors_ == 4  # the 4 surplus factors are pruned by ARD
    Zhat = pd.DataFrame(gfa.factors_, index=gfa.sample_names_).reindex(Z.index).to_numpy()
    rec = best_abs_corr(Z.to_numpy(), Zhat)
    assert rec.min() > 0.9, rec
    # activity pattern: each true factor's best match explains variance only where it is active
    k = Z.shape[1]
    match = np.abs(np.corrcoef(Z.to_numpy().T, Zhat.T)[:k, k:]).argmax(axis=1)
    r2 = gfa.variance_explained_
    for j in range(k):
        f = gfa.factor_names_[match[j]]
        for v, a in act.items():
            if a[j]:
                assert r2.loc[v, f] > 0.03, (j, v, r2.loc[v, f])
            else:
                assert r2.loc[v, f] < 0.01, (j, v, r2.loc[v, f])
    assert gfa.likelihoods_ == {"a": "gaussian", "b": "gaussian", "c": "gaussian", "mut": "bernoulli"}
    assert list(gfa.variance_explained_.columns) == gfa.factor_names_
    # factors are ordered by total variance explained
    tot = gfa.variance_explained_.sum(axis=0).to_numpy()
    assert np.all(np.diff(tot) <= 1e-12)


def test_factor_active_only_in_binary_layer_is_found(fitted):
    gfa, _, Z, _ = fitted
    Zhat = pd.DataFrame(gfa.factors_, index=gfa.sample_names_).reindex(Z.index).to_numpy()
    c = np.abs(np.corrcoef(Z[2].to_numpy(), Zhat.T)[0, 1:])
    assert c.max() > 0.85


@pytest.mark.parametrize(("rotate", "sparsity"), [(True, "feature"), (False, "feature"), (True, "view"), (False, "view")])
def test_elbo_increases_monotonically(rotate, sparsity):
    views, _, _ = simulate_views(1, n=80)
    gfa = GroupFactorAnalysis(n_factors=5, drop_factor_threshold=0, rotate=rotate, max_iter=60, tol=1e-12,
                              sparsity=sparsity, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning: few iterations on purpose
        gfa.fit(views)
    e = gfa.elbo_
    assert len(e) == 60
    assert np.all(np.diff(e) >= -1e-9 * np.abs(e[1:])), np.diff(e).min()


def test_rotation_speeds_up_convergence():
    views, _, _ = simulate_views(2, n=120)
    fast = GroupFactorAnalysis(n_factors=6, random_state=0, max_iter=3000).fit(views)
    slow = GroupFactorAnalysis(n_factors=6, random_state=0, rotate=False, max_iter=3000).fit(views)
    assert fast.n_iter_ < slow.n_iter_
    assert fast.elbo_[-1] >= slow.elbo_[-1] - 1e-4 * abs(slow.elbo_[-1])


def test_transform_reproduces_training_factors(fitted):
    gfa, views, _, _ = fitted
    Zt = gfa.transform(views)
    Zf = pd.DataFrame(gfa.factors_, index=gfa.sample_names_, columns=gfa.factor_names_)
    assert list(Zt.columns) == gfa.factor_names_
    np.testing.assert_allclose(Zt.loc[Zf.index].to_numpy(), Zf.to_numpy(), atol=0.02)


def test_transform_with_missing_layers(fitted):
    gfa, views, Z, _ = fitted
    full = gfa.transform(views)
    # a new patient with only layer "a" and the mutations: factors active there are recovered
    part = gfa.transform({"a": views["a"], "mut": views["mut"]})
    assert part.shape == (len(views["a"]), gfa.n_factors_)
    r = [np.corrcoef(full[f], part.loc[full.index, f])[0, 1] for f in gfa.factor_names_]
    # F0 and F1 are active in "a", F2 in "mut": 3 of 4 factors stay well determined
    assert sorted(r)[-3] > 0.85
    # missing features (NaN) inside a layer are fine too; unknown features are ignored
    a = views["a"].copy()
    a["not_in_model"] = 1.0
    a.iloc[:, :10] = np.nan
    out, sd = gfa.transform({"a": a}, return_std=True)
    assert np.isfinite(out.to_numpy()).all() and (sd.to_numpy() > 0).all()
    # a sample with no value at all gets the prior
    empty = pd.DataFrame(np.nan, index=["ghost"], columns=views["a"].columns)
    z0, sd0 = gfa.transform({"a": pd.concat([views["a"].iloc[:2], empty])}, return_std=True)
    np.testing.assert_allclose(z0.loc["ghost"].to_numpy(), 0.0)
    np.testing.assert_allclose(sd0.loc["ghost"].to_numpy(), 1.0)


def test_save_load_project_new_patient(tmp_path, fitted):
    gfa, views, _, _ = fitted
    folder = gfa.save(tmp_path / "model")
    assert (folder / "model.joblib").is_file() and (folder / "model_card.json").is_file()
    loaded = load_factor_model(folder)
    patient = {"a": views["a"].iloc[[5]], "mut": views["mut"].iloc[[5]]}  # no layers b, c
    np.testing.assert_allclose(loaded.transform(patient).to_numpy(), gfa.transform(patient).to_numpy())
    card = loaded.model_card()
    assert card["n_factors"] == gfa.n_factors_ and card["views"]["mut"]["likelihood"] == "bernoulli"
    with pytest.raises(InputError, match="no factor model"):
        load_factor_model(tmp_path / "nowhere")


def test_sklearn_conventions():
    X = np.random.default_rng(0).normal(size=(40, 6))
    est = GroupFactorAnalysis(n_factors=3, random_state=0)
    assert clone(est).get_params() == est.get_params()
    assert not hasattr(est, "loadings_")
    Zt = est.fit_transform(X)
    assert isinstance(Zt, np.ndarray) and Zt.shape[0] == 40
    assert est.get_feature_names_out()[0] == "Factor1"
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        GroupFactorAnalysis().transform(X)


def test_layer_prefixed_columns_split_into_views():
    views, _, _ = simulate_views(3, n=60, missing_rows=False)
    wide = pd.concat({k: v for k, v in views.items()}, axis=1)
    wide.columns = [f"{a}:{b}" for a, b in wide.columns]
    gfa = GroupFactorAnalysis(n_factors=4, random_state=0).fit(wide)
    assert gfa.views_ == ["a", "b", "c", "mut"]
    assert gfa.transform(wide).shape == (60, gfa.n_factors_)


# --------------------------------------------------------------------------------------------
# kernels against slow obvious implementations
# --------------------------------------------------------------------------------------------
def _random_state(rng, n, k, views):
    A = rng.normal(size=(n, k, k))
    Zc = A @ np.swapaxes(A, 1, 2) / k + np.eye(k)
    st = _State(
        Zm=rng.normal(size=(n, k)), Zc=Zc, Zld=np.linalg.slogdet(Zc)[1],
        Wm=[rng.normal(size=(v.d, k)) for v in views],
        Wc=[np.eye(k) * 0.1 + np.zeros((v.d, k, k)) for v in views], Wld=[np.zeros(v.d) for v in views],
        a_alpha=rng.uniform(1, 3, size=(len(views), k)), b_alpha=rng.uniform(1, 3, size=(len(views), k)),
        b=[rng.normal(size=v.d) for v in views],
        a_tau=[rng.uniform(1, 2, size=v.d) if v.likelihood == "gaussian" else None for v in views],
        b_tau=[rng.uniform(1, 2, size=v.d) if v.likelihood == "gaussian" else None for v in views],
        xi=[rng.uniform(0.5, 2, size=(n, v.d)) if v.likelihood == "bernoulli" else None for v in views],
    )
    return st


def test_factor_update_matches_per_sample_loop():
    rng = np.random.default_rng(5)
    n, k = 12, 3
    Yg = rng.normal(size=(n, 7))
    Yg[rng.random((n, 7)) < 0.1] = np.nan  # sparse-mask path
    Yg[0] = np.nan  # sample missing the view
    Yb = (rng.random((n, 5)) < 0.4).astype(float)
    Yb[2, 1] = np.nan
    views = [_View("g", "gaussian", Yg), _View("m", "bernoulli", Yb)]
    assert not views[0].dense
    st = _random_state(rng, n, k, views)
    tri = _Tri.make(k)
    GroupFactorAnalysis._update_z(views, st, tri)
    lam = np.tanh(st.xi[1] / 2) / (4 * st.xi[1])
    for i in range(n):
        P = np.eye(k)
        h = np.zeros(k)
        tau = st.a_tau[0] / st.b_tau[0]
        for d in range(7):
            if np.isfinite(Yg[i, d]):
                w = st.Wm[0][d]
                P += tau[d] * (np.outer(w, w) + st.Wc[0][d])
                h += tau[d] * (Yg[i, d] - st.b[0][d]) * w
        for d in range(5):
            if np.isfinite(Yb[i, d]):
                w = st.Wm[1][d]
                t = 2 * lam[i, d]
                P += t * (np.outer(w, w) + st.Wc[1][d])
                h += ((Yb[i, d] - 0.5) - t * st.b[1][d]) * w
        np.testing.assert_allclose(st.Zc[i], np.linalg.inv(P), rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(st.Zm[i], np.linalg.solve(P, h), rtol=1e-8, atol=1e-10)


def test_loading_update_matches_per_feature_loop():
    rng = np.random.default_rng(6)
    n, k = 15, 3
    Y = rng.normal(size=(n, 6))
    Y[rng.random((n, 6)) < 0.3] = np.nan  # dense-mask path
    views = [_View("g", "gaussian", Y)]
    assert views[0].dense
    st = _random_state(rng, n, k, views)
    tri = _Tri.make(k)
    s = GroupFactorAnalysis._z_stats(views[0], st, 0)
    GroupFactorAnalysis._update_w(views[0], st, 0, s, tri)
    alpha = st.a_alpha[0] / st.b_alpha[0]
    tau = st.a_tau[0] / st.b_tau[0]
    for d in range(6):
        P = np.diag(alpha).astype(float)
        h = np.zeros(k)
        for i in range(n):
            if np.isfinite(Y[i, d]):
                z = st.Zm[i]
                P += tau[d] * (np.outer(z, z) + st.Zc[i])
                h += tau[d] * (Y[i, d] - st.b[0][d]) * z
        np.testing.assert_allclose(st.Wm[0][d], np.linalg.solve(P, h), rtol=1e-8)
        np.testing.assert_allclose(st.Wc[0][d], np.linalg.inv(P), rtol=1e-8, atol=1e-12)


def _sparse_state(rng, n, k, views):
    st = _random_state(rng, n, k, views)
    st.a_lam = [rng.uniform(0.5, 2, size=(v.d, k)) for v in views]
    st.b_lam = [rng.uniform(0.5, 2, size=(v.d, k)) for v in views]
    return st


def test_loading_update_with_feature_sparsity_matches_per_feature_loop():
    rng = np.random.default_rng(16)
    n, k, d = 15, 3, 6
    Y = rng.normal(size=(n, d))
    views = [_View("g", "gaussian", Y)]
    st = _sparse_state(rng, n, k, views)
    s = GroupFactorAnalysis._z_stats(views[0], st, 0)
    GroupFactorAnalysis._update_w(views[0], st, 0, s, _Tri.make(k))
    alpha = st.a_alpha[0] / st.b_alpha[0]
    lam = st.a_lam[0] / st.b_lam[0]
    tau = st.a_tau[0] / st.b_tau[0]
    for j in range(d):
        P = np.diag(alpha * lam[j]) + tau[j] * (st.Zm.T @ st.Zm + st.Zc.sum(axis=0))
        h = tau[j] * (Y[:, j] - st.b[0][j]) @ st.Zm
        np.testing.assert_allclose(st.Wm[0][j], np.linalg.solve(P, h), rtol=1e-8)


def test_sparsity_scales_and_ard_maximise_their_elbo_terms():
    """The closed-form updates of lambda and alpha are the coordinate optima of the ELBO."""
    rng = np.random.default_rng(17)
    n, k = 10, 3
    views = [_View("g", "gaussian", rng.normal(size=(n, 8)))]
    st = _sparse_state(rng, n, k, views)
    old_alpha = st.a_alpha.copy(), st.b_alpha.copy()
    GroupFactorAnalysis._update_alpha(views, st, _Tri.make(k))

    def perturbed_is_worse(names, idx):
        best = GroupFactorAnalysis._elbo_w_prior(views[0], st, 0, k)
        for name in names:
            arr = getattr(st, name)
            arr = arr[0] if isinstance(arr, list) else arr
            for factor in (0.97, 1.03):
                orig = arr[idx]
                arr[idx] = orig * factor
                worse = GroupFactorAnalysis._elbo_w_prior(views[0], st, 0, k) < best
                arr[idx] = orig
                assert worse, (name, factor)

    perturbed_is_worse(("a_alpha", "b_alpha"), (0, 2))  # alpha: optimum given the new lambda
    st.a_alpha, st.b_alpha = old_alpha
    perturbed_is_worse(("a_lam", "b_lam"), (2, 1))  # lambda: optimum given the alpha it used


def test_rotation_moments_match_per_feature_sum():
    rng = np.random.default_rng(18)
    n, k, d = 8, 3, 5
    views = [_View("g", "gaussian", rng.normal(size=(n, d)))]
    st = _sparse_state(rng, n, k, views)
    S = GroupFactorAnalysis._rotation_moments(st, 0, _Tri.make(k))
    lam = st.a_lam[0] / st.b_lam[0]
    for c in range(k):
        ref = sum(lam[j, c] * (np.outer(st.Wm[0][j], st.Wm[0][j]) + st.Wc[0][j]) for j in range(d))
        np.testing.assert_allclose(S[c], ref, rtol=1e-10)


def simulate_sparse_shared(seed: int, n: int, d: int = 200, frac: float = 0.15):
    """Four views; five factors active in every view with sparse loadings, one in view 1 only."""
    rng = np.random.default_rng(seed)
    act = np.array([[1, 1, 1, 1]] * 5 + [[1, 0, 0, 0]])
    Z = rng.normal(size=(n, act.shape[0]))
    views = {}
    for m in range(4):
        W = rng.normal(size=(d, act.shape[0])) * act[:, m] * (rng.random((d, act.shape[0])) < frac)
        views[f"v{m}"] = Z @ W.T + rng.normal(size=(n, d))
    return views, Z


def test_feature_sparsity_separates_factors_sharing_all_views():
    from sklearn.decomposition import FactorAnalysis

    views, Z = simulate_sparse_shared(3, n=300)
    sparse_fit = GroupFactorAnalysis(n_factors=9, random_state=0).fit(views)
    view_fit = GroupFactorAnalysis(n_factors=9, sparsity="view", random_state=0).fit(views)
    X = np.hstack([(v - v.mean(0)) / v.std(0) for v in views.values()])
    fa = FactorAnalysis(6, rotation="varimax", random_state=0).fit(X)
    rec_sparse = best_abs_corr(Z, sparse_fit.factors_).mean()
    rec_view = best_abs_corr(Z, view_fit.factors_).mean()
    rec_fa = best_abs_corr(Z, fa.transform(X)).mean()
    assert sparse_fit.n_factors_ == 6
    assert rec_sparse > 0.98
    assert rec_sparse > rec_view + 0.02
    assert rec_sparse > rec_fa


def test_fit_is_deterministic_under_random_state():
    views, _ = simulate_sparse_shared(4, n=60, d=40)
    a = GroupFactorAnalysis(n_factors=7, random_state=3).fit(views)
    b = GroupFactorAnalysis(n_factors=7, random_state=3).fit(views)
    np.testing.assert_array_equal(a.factors_, b.factors_)
    np.testing.assert_array_equal(a.elbo_, b.elbo_)


def test_variance_explained_matches_slow_definition(fitted):
    gfa, views, _, _ = fitted
    v = "c"
    Y = views[v].reindex(gfa.sample_names_)[gfa.feature_names_[v]].to_numpy()
    obs = np.isfinite(Y)
    r = np.where(obs, Y - gfa.intercepts_[v], 0.0)
    W = gfa.loadings_[v]
    for j, f in enumerate(gfa.factor_names_):
        pred = np.outer(gfa.factors_[:, j], W[:, j])
        slow = 1 - ((r - pred)[obs] ** 2).sum() / (r[obs] ** 2).sum()
        assert gfa.variance_explained_.loc[v, f] == pytest.approx(slow, rel=1e-8, abs=1e-10)


def test_single_view_close_to_probabilistic_pca():
    # one Gaussian view with isotropic-ish noise: the subspace matches PCA's
    rng = np.random.default_rng(7)
    Z = rng.normal(size=(200, 2))
    X = Z @ rng.normal(size=(2, 30)) * 2 + rng.normal(size=(200, 30))
    gfa = GroupFactorAnalysis(n_factors=2, random_state=0).fit(X)
    from sklearn.decomposition import PCA

    P = PCA(2).fit_transform(X)
    # canonical correlations between the two 2-D subspaces are ~1
    qa, _ = np.linalg.qr(gfa.factors_ - gfa.factors_.mean(0))
    qb, _ = np.linalg.qr(P - P.mean(0))
    sv = np.linalg.svd(qa.T @ qb, compute_uv=False)
    assert sv.min() > 0.99


# --------------------------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------------------------
def test_layer_without_overlapping_samples_names_the_layer():
    views, _, _ = simulate_views(4, n=40, missing_rows=False)
    views["c"].index = [f"other{i}" for i in range(len(views["c"]))]
    with pytest.raises(InputError, match="view 'c' shares no sample"):
        GroupFactorAnalysis(n_factors=2).fit(views)


def test_constant_features_and_empty_samples_warn():
    views, _, _ = simulate_views(5, n=50, missing_rows=False)
    views["a"]["const"] = 3.0
    views["a"]["allnan"] = np.nan
    views["b"].loc["ghost"] = np.nan
    with pytest.warns(UserWarning) as rec:
        gfa = GroupFactorAnalysis(n_factors=3, random_state=0).fit(views)
    text = " | ".join(str(w.message) for w in rec)
    assert "view 'a'" in text and "1 constant" in text and "1 all missing" in text
    assert "no observed value in any view" in text and "ghost" in text
    assert gfa.dropped_features_["a"]["constant"] == ["const"]
    assert "ghost" not in set(gfa.sample_names_) and gfa.dropped_samples_ == ["ghost"]


def test_more_factors_than_samples_warns():
    X = pd.DataFrame(np.random.default_rng(0).normal(size=(6, 20)), index=list("abcdef"))
    with pytest.warns(UserWarning, match="exceeds what the data can support"):
        gfa = GroupFactorAnalysis(n_factors=10, random_state=0, max_iter=200).fit({"rna": X})
    assert gfa.n_factors_ <= 5


def test_bad_likelihood_and_params():
    views, _, _ = simulate_views(6, n=30, missing_rows=False)
    with pytest.raises(InputError, match="view 'a' is declared Bernoulli"):
        GroupFactorAnalysis(likelihoods={"a": "bernoulli"}).fit(views)
    with pytest.raises(InputError, match="unknown view"):
        GroupFactorAnalysis(likelihoods={"zzz": "gaussian"}).fit(views)
    with pytest.raises(InputError, match="n_factors"):
        GroupFactorAnalysis(n_factors=0).fit(views)
    with pytest.raises(InputError, match="method"):
        GroupFactorAnalysis(method="pca").fit(views)
    with pytest.raises(InputError, match="sparsity must be one of 'feature', 'view'"):
        GroupFactorAnalysis(sparsity="spike").fit(views)
    bad = views["a"].copy()
    bad.iloc[0, 0] = np.inf
    with pytest.raises(InputError, match="infinite"):
        GroupFactorAnalysis().fit({"a": bad})


def test_mofa_missing_gives_clear_error(monkeypatch):
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name.startswith("mofapy2"):
            raise ImportError("no mofapy2")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    X = np.random.default_rng(0).normal(size=(20, 5))
    with pytest.raises(InputError, match="pip install mofapy2"):
        GroupFactorAnalysis(n_factors=2, method="mofa").fit(X)


def test_mofa_backend_when_installed():
    pytest.importorskip("mofapy2")
    views, Z, _ = simulate_views(8, n=60, missing_rows=True)
    gfa = GroupFactorAnalysis(n_factors=4, method="mofa", random_state=0, max_iter=300).fit(views)
    assert gfa.views_ == ["a", "b", "c", "mut"]
    # our projection of the training data reproduces mofapy2's factors
    Zt = gfa.transform(views).loc[gfa.sample_names_].to_numpy()
    for j in range(gfa.n_factors_):
        assert abs(np.corrcoef(Zt[:, j], gfa.factors_[:, j])[0, 1]) > 0.95


# --------------------------------------------------------------------------------------------
# cohort wrappers
# --------------------------------------------------------------------------------------------
def _cohort(seed: int = 0) -> md.MuData:
    views, _, _ = simulate_views(seed, n=100)
    mods = {}
    for name, df in views.items():
        mods[name] = ad.AnnData(df.to_numpy(), obs=pd.DataFrame(index=df.index), var=pd.DataFrame(index=df.columns))
    m = md.MuData(mods)
    m.obs["group"] = np.where(np.arange(m.n_obs) % 2 == 0, "x", "y")
    return m


def test_factors_writes_documented_slots(tmp_path):
    m = _cohort()
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        factors(m, n_factors=6, save_model=tmp_path / "gfa")
    k = m.obsm["X_factors"].shape[1]
    assert m.obsm["X_factors"].shape == (m.n_obs, k)
    for name in ("a", "b", "c", "mut"):
        assert m.mod[name].varm["factors"].shape == (m.mod[name].n_vars, k)
    u = m.uns["factors"]
    assert u["params"]["mods"] == ["a", "b", "c", "mut"] and u["likelihoods"]["mut"] == "bernoulli"
    assert u["params"]["sparsity"] == "feature"
    assert list(u["variance_explained"].columns) == u["factor_names"]
    assert set(u["variance_explained_total"]) == {"a", "b", "c", "mut"}
    F = get_factors(m)
    assert F.shape == (m.n_obs, k) and np.isfinite(F.to_numpy()).all()
    # the saved model projects a new patient lacking layers b and c
    new = md.MuData({"a": m.mod["a"][:1].copy(), "mut": m.mod["mut"][:1].copy()})
    project_factors(new, tmp_path / "gfa", return_std=True)
    assert new.obsm["X_factors"].shape == (1, k) and (new.obsm["X_factors_sd"] > 0).all()
    # write / read round trip of the slots
    from oncoresist.io import read_h5mu, write_h5mu

    write_h5mu(m, tmp_path / "c.h5mu")
    back = read_h5mu(tmp_path / "c.h5mu")
    np.testing.assert_allclose(back.obsm["X_factors"], m.obsm["X_factors"])


def test_factors_copy_and_subset_of_layers():
    m = _cohort(1)
    out = factors(m, mods="a,mut", n_factors=3, copy=True)
    assert "X_factors" not in m.obsm and "X_factors" in out.obsm
    assert out.uns["factors"]["params"]["mods"] == ["a", "mut"]
    with pytest.raises(InputError, match="not in the cohort"):
        factors(m, mods=["a", "nope"])


def test_factors_never_overwrite_a_users_slots(tmp_path):
    m = _cohort(1)
    m.obsm["X_factors"] = np.zeros((m.n_obs, 2))  # e.g. factors of another tool
    with pytest.raises(InputError, match=r"obsm\['X_factors'\] already exists.*key_added="):
        factors(m, mods="a,mut", n_factors=3)
    assert (m.obsm["X_factors"] == 0).all() and "factors" not in m.uns and "factors" not in m.mod["a"].varm
    factors(m, mods="a,mut", n_factors=3, key_added="X_gfa")
    factors(m, mods="a,mut", n_factors=2, key_added="X_gfa", drop_factor_threshold=0.0)  # its own: replaced
    assert m.obsm["X_gfa"].shape[1] == 2 and m.uns["gfa"]["params"]["n_factors"] == 2
    m.mod["b"].varm["gfa"] = np.ones((m.mod["b"].n_vars, 1))  # a user's loadings in another layer
    with pytest.raises(InputError, match=r"varm\['gfa'\]"):
        factors(m, mods="a,b", n_factors=2, key_added="X_gfa")
    factors(m, mods="a,mut", n_factors=3, overwrite=True)
    assert m.obsm["X_factors"].shape[1] >= 1 and np.isfinite(m.obsm["X_factors"]).all()
    # projecting onto the cohort's own factor key: another writer, so refused unless asked
    model_dir = tmp_path / "gfa"
    factors(m, mods="a,mut", n_factors=3, key_added="X_gfa", save_model=model_dir, overwrite=True)
    with pytest.raises(InputError, match="tl.project_factors: obsm"):
        project_factors(m, model_dir, key_added="X_gfa")
    project_factors(m, model_dir, key_added="X_proj", return_std=True)
    project_factors(m, model_dir, key_added="X_proj", return_std=True)
    assert m.obsm["X_proj_sd"].shape == m.obsm["X_proj"].shape


def test_modality_matrix_uses_mvalues_and_selection():
    rng = np.random.default_rng(0)
    beta = rng.uniform(0.05, 0.95, size=(10, 4))
    meth = ad.AnnData(beta, obs=pd.DataFrame(index=[f"s{i}" for i in range(10)]))
    meth.layers["mvalue"] = np.log2(beta / (1 - beta))
    meth.var["selected"] = [True, False, True, True]
    m = md.MuData({"meth": meth})
    df = modality_matrix(m, "meth")
    assert df.shape == (10, 3)
    np.testing.assert_allclose(df.to_numpy(), meth.layers["mvalue"][:, [0, 2, 3]])
    assert modality_matrix(m, "meth", layer="X", use_selected=False).shape == (10, 4)
    with pytest.raises(InputError, match="no layer 'zzz'"):
        modality_matrix(m, "meth", layer="zzz")


# --------------------------------------------------------------------------------------------
# real data: CLL (Dietrich 2018; MOFA, Argelaguet 2018)
# --------------------------------------------------------------------------------------------
@pytest.mark.realdata
def test_cll_factor_aligns_with_ighv_and_trisomy12(shared_data):
    d = shared_data / "cll"
    drugs = pd.read_csv(d / "cll_drugs.csv.gz", index_col=0).T
    mut = pd.read_csv(d / "cll_mutations.csv", index_col=0).T
    gfa = GroupFactorAnalysis(n_factors=10, random_state=0).fit({"drugs": drugs, "mutations": mut})
    assert gfa.likelihoods_ == {"drugs": "gaussian", "mutations": "bernoulli"}
    Z = pd.DataFrame(gfa.factors_, index=gfa.sample_names_, columns=gfa.factor_names_)

    def best(label: str) -> tuple[str, float]:
        y = mut[label].reindex(Z.index)
        ok = y.notna()
        r = Z[ok].corrwith(y[ok]).abs()
        return str(r.idxmax()), float(r.max())

    f_ighv, r_ighv = best("IGHV")
    f_t12, r_t12 = best("trisomy12")
    assert r_ighv > 0.6, r_ighv
    assert r_t12 > 0.35, r_t12
    assert f_ighv != f_t12
    # the IGHV factor is a drug-response factor too (B-cell-receptor signalling drugs)
    assert gfa.variance_explained_.loc["drugs", f_ighv] > 0.05

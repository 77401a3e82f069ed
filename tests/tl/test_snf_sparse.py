"""Sparse k-nearest-neighbour SNF (tl/integrate/_snf_sparse.py) against the dense kernels."""

from __future__ import annotations

import warnings

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.metrics import adjusted_rand_score

from oncoresist._core._errors import InputError
from oncoresist.tl import affinity_matrix, snf, subtypes
from oncoresist.tl.integrate import _subtypes
from oncoresist.tl.integrate._snf_sparse import (
    _complete,
    _top_per_row,
    default_neighbors,
    knn_affinity,
    knn_spectral,
    snf_knn,
)
from oncoresist.tl.integrate._subtypes import _laplacian_eigs


def test_knn_affinity_is_the_dense_kernel_on_the_neighbour_graph():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 6))
    X[3, 2] = X[10, 0] = np.nan  # NaN-aware distances, as the dense path
    dense = affinity_matrix(X, k=5)
    W = knn_affinity(X, k=5, n_neighbors=8)
    C = W.tocoo()
    np.testing.assert_allclose(C.data, dense[C.row, C.col], rtol=1e-12)
    assert abs(W - W.T).max() < 1e-15
    # every sample keeps (at least) its 8 nearest neighbours by distance and itself
    from sklearn.metrics.pairwise import nan_euclidean_distances

    D = nan_euclidean_distances(X)
    for i in (0, 3, 10, 59):
        nearest = set(np.argsort(D[i])[:9])
        assert nearest <= set(W[i].indices)
    # all neighbours kept: the dense matrix itself
    np.testing.assert_allclose(knn_affinity(X, k=5, n_neighbors=60).toarray(), dense, rtol=1e-12, atol=1e-300)
    with pytest.raises(InputError, match="at least 2 samples"):
        knn_affinity(np.ones((1, 3)))


def test_top_per_row_keeps_each_rows_largest_entries():
    W = sparse.random(50, 50, density=0.3, random_state=1, format="csr")
    W = W + sparse.csr_matrix((np.ones(1), ([4], [0])), shape=(50, 50))  # a row may also be short
    for k in (1, 3, 7):
        T = _top_per_row(W, k).toarray()
        A = W.toarray()
        for i in range(50):
            nz = np.flatnonzero(A[i])
            want = nz if len(nz) <= k else nz[np.argsort(-A[i, nz])[:k]]
            assert set(np.flatnonzero(T[i])) == set(want)
            np.testing.assert_array_equal(T[i, want], A[i, want])


def test_snf_knn_without_pruning_is_dense_snf():
    rng = np.random.default_rng(2)
    Xs = [rng.normal(size=(40, 5)) for _ in range(3)]
    dense = snf([affinity_matrix(X, k=5) for X in Xs], k=5, t=10)
    fused = snf_knn([knn_affinity(X, k=5, n_neighbors=40) for X in Xs], k=5, t=10, n_neighbors=40)
    np.testing.assert_allclose(fused.toarray(), dense, atol=1e-12)
    one = snf_knn([knn_affinity(Xs[0], k=5, n_neighbors=40)], k=5, n_neighbors=40)
    np.testing.assert_allclose(one.toarray(), snf([affinity_matrix(Xs[0], k=5)], k=5), atol=1e-12)
    with pytest.raises(InputError, match="at least one"):
        snf_knn([])
    with pytest.raises(InputError, match="40 x 40"):
        snf_knn([fused, fused[:30, :30]])


def test_knn_spectral_matches_the_dense_laplacian():
    rng = np.random.default_rng(3)
    truth = np.repeat(np.arange(3), 100)
    X = np.eye(3)[truth] * 4 + rng.normal(size=(300, 3))
    W = snf_knn([knn_affinity(X, k=10)], k=10)
    vals, vecs = knn_spectral(W, 4, random_state=0)
    dvals, dvecs = _laplacian_eigs(W.toarray(), 4)
    np.testing.assert_allclose(vals, dvals, atol=1e-8)
    # the same subspace (eigenvectors up to sign / rotation within the near-degenerate block)
    assert np.linalg.svd(vecs.T @ dvecs, compute_uv=False).min() > 0.999


def test_complete_fills_pairs_with_a_missing_sample_from_the_other_layers():
    a = sparse.csr_matrix(np.array([[0.5, 0.2, 0.0], [0.2, 0.5, 0.0], [0.0, 0.0, 0.0]]))
    b = sparse.csr_matrix(np.array([[0.5, 0.4, 0.1], [0.4, 0.5, 0.3], [0.1, 0.3, 0.5]]))
    pa, pb = np.array([True, True, False]), np.ones(3, dtype=bool)
    ca, cb = _complete([a, b], [pa, pb])
    np.testing.assert_allclose(cb.toarray(), b.toarray())
    A = ca.toarray()
    # pair (0, 1) is in both layers: a keeps its own value; pairs with sample 2 take b's (the only layer with both)
    assert A[0, 1] == 0.2 and A[0, 2] == pytest.approx(0.1) and A[1, 2] == pytest.approx(0.3) and A[2, 2] == 0.5


def _groups_cohort(n: int = 240, seed: int = 0, sep: float = 0.6) -> tuple[md.MuData, np.ndarray]:
    """4 unequal groups in 3 layers of 60 features; 10% of the samples miss proteomics."""
    rng = np.random.default_rng(seed)
    truth = rng.choice(4, size=n, p=[0.4, 0.3, 0.2, 0.1])
    ids = [f"s{i:04d}" for i in range(n)]
    mods = {}
    for name in ("rna", "prot", "meth"):
        X = rng.normal(scale=sep, size=(4, 60))[truth] + rng.normal(size=(n, 60))
        mods[name] = ad.AnnData(X, obs=pd.DataFrame(index=ids), var=pd.DataFrame(index=[f"{name}{j}" for j in range(60)]))
    mods["prot"] = mods["prot"][rng.random(n) >= 0.1].copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return md.MuData(mods), truth


def test_subtypes_knn_agrees_with_dense():
    m, truth = _groups_cohort()
    dense = subtypes(m, affinity="dense", k_neighbors=15, copy=True)
    knn = subtypes(m, affinity="knn", k_neighbors=15, copy=True)
    for out in (dense, knn):
        assert out.uns["subtype"]["n_subtypes"] == 4
    ld, lk = (x.obs["subtype"].astype(str).to_numpy() for x in (dense, knn))
    assert adjusted_rand_score(ld, lk) >= 0.9
    assert adjusted_rand_score(truth, lk) >= 0.9
    p = knn.uns["subtype"]["params"]
    assert p["affinity"] == "knn" and p["affinity_requested"] == "knn" and p["n_neighbors"] == default_neighbors(15)
    assert dense.uns["subtype"]["params"]["affinity"] == "dense"
    ev_d, ev_k = (x.uns["subtype"]["k_selection"].set_index("k") for x in (dense, knn))
    assert ev_k["eigengap"].idxmax() == ev_d["eigengap"].idxmax() == 4
    assert np.isfinite(ev_k["silhouette"]).all()


def test_subtypes_auto_switches_to_knn_past_the_threshold_and_says_so(monkeypatch):
    m, _ = _groups_cohort(n=120, seed=1)
    small = subtypes(m, k_neighbors=10, n_subtypes=4, copy=True)  # 120 <= threshold: dense, silently
    assert small.uns["subtype"]["params"]["affinity"] == "dense"
    assert small.uns["subtype"]["params"]["affinity_requested"] == "auto"
    monkeypatch.setattr(_subtypes, "DENSE_MAX_SAMPLES", 100)
    with pytest.warns(UserWarning, match=r"120 samples > 100: SNF on sparse 30-nearest-neighbour.*affinity='dense'"):
        big = subtypes(m, k_neighbors=10, n_subtypes=4, copy=True)
    p = big.uns["subtype"]["params"]
    assert p["affinity"] == "knn" and p["affinity_requested"] == "auto" and p["dense_max_samples"] == 100
    with pytest.raises(InputError, match="affinity must be"):
        subtypes(m, affinity="sparse", copy=True)


def test_subtypes_consensus_warns_about_its_dense_matrices_past_a_size(monkeypatch):
    m, _ = _groups_cohort(n=80, seed=2)
    m.obsm["X_factors"] = np.random.default_rng(0).normal(size=(m.n_obs, 3))
    monkeypatch.setattr(_subtypes, "CONSENSUS_WARN_SAMPLES", 50)
    with pytest.warns(UserWarning, match=r"consensus clustering of 80 samples keeps one dense N x N .*method='snf'"):
        subtypes(m, method="consensus", n_subtypes=2, ks=(2, 3), n_resamples=5, weight_factors=False, copy=True)

"""tl.cluster_mutations against the PyClone-VI-style loop reference (tests/tl/_pyclonevi_reference.py)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from oncoresist.ds import simulate_clones
from oncoresist.tl import cluster_mutations
from oncoresist.tl.clonal._likelihood import grid_log_likelihood

from ._pyclonevi_reference import (
    fit_loops,
    kmeanspp_start,
    pyclonevi_protocol,
    select_loops,
    theta_stats,
    z_stats,
)


@pytest.fixture(scope="module")
def tiny():
    table, truth = simulate_clones(40, 2, 3, depth=300, purity=0.8, random_state=3)
    ll, muts, samples, _ = grid_log_likelihood(table, grid_size=21, density="beta-binomial", precision=200.0)
    res = cluster_mutations(table, max_clusters=4, random_state=0, n_init=2, grid_size=21)
    labels = res.mutations.set_index("mutation_id")["cluster"].reindex(muts).to_numpy()
    ccf = res.clusters.pivot(index="cluster", columns="sample_id", values="ccf")[list(samples)].to_numpy()
    return ll, labels, ccf, truth.labels.reindex(muts).to_numpy()


def test_loop_kernels_are_the_sums_they_name():
    rng = np.random.default_rng(0)
    ll, z, theta = rng.normal(size=(7, 2, 5)), rng.random((7, 3)), rng.random((3, 2, 5))
    np.testing.assert_allclose(theta_stats(ll, z), np.einsum("nk,ndg->kdg", z, ll))
    np.testing.assert_allclose(z_stats(ll, theta), np.einsum("kdg,ndg->nk", theta, ll))


def test_reference_loop_reaches_the_clusters_of_cluster_mutations(tiny):
    ll, labels, ccf, truth = tiny
    ref = select_loops(ll, max_clusters=4, n_init=2, random_state=0, jit=False)
    assert adjusted_rand_score(labels, ref["labels"]) >= 0.95
    assert ref["n_clusters"] == ccf.shape[0]
    np.testing.assert_allclose(ref["ccf"], ccf, atol=1e-6)
    assert adjusted_rand_score(truth, ref["labels"]) > 0.5  # and both are close to the truth, not merely to each other


def test_reference_elbo_never_falls(tiny):
    ll = tiny[0]
    z = kmeanspp_start(ll, 3, np.random.default_rng(1))
    elbos = [fit_loops(ll, z, max_iter=i, tol=-np.inf, jit=False)["elbo"] for i in (1, 2, 4, 8)]
    assert np.all(np.diff(elbos) >= -1e-8 * np.abs(elbos[1:]))


def test_pyclonevi_protocol_agrees(tiny):
    ll, labels, _, _ = tiny
    proto = pyclonevi_protocol(ll, n_clusters=4, n_restarts=3, random_state=0, jit=False)
    assert adjusted_rand_score(labels, proto["labels"]) >= 0.9


def test_compiled_loops_match_plain(tiny):
    pytest.importorskip("numba", reason="numba absent: the compiled PyClone-VI-style loops are not tested")
    ll = tiny[0]
    z = kmeanspp_start(ll, 3, np.random.default_rng(2))
    plain, jitted = fit_loops(ll, z, jit=False), fit_loops(ll, z, jit=True)
    assert plain["n_iter"] == jitted["n_iter"]
    np.testing.assert_allclose(plain["r"], jitted["r"], atol=1e-10)

"""Simulated clones: the sum rule holds in the truth, reads follow it, clustering recovers it."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from oncoresist._core._errors import InputError
from oncoresist.ds import simulate_clones
from oncoresist.tl import cancer_cell_fractions, clone_trees, cluster_mutations


def test_truth_obeys_the_sum_rule_and_is_seeded():
    table, truth = simulate_clones(300, 4, 5, random_state=3)
    ccf, parents = truth.ccf.to_numpy(), truth.parents.to_numpy()
    assert (ccf[0] == 1).all() and parents[0] == -1 and (parents[1:] < np.arange(1, 5)).all()
    for p in range(5):
        assert (ccf[parents == p].sum(axis=0) <= ccf[p] + 1e-12).all()
    again, _ = simulate_clones(300, 4, 5, random_state=3)
    assert table.equals(again) and table.shape == (1200, 8)
    assert (truth.multiplicity <= table.groupby("mutation_id", sort=False)["major_cn"].first()).all()


def test_reads_give_back_the_clone_ccfs():
    table, truth = simulate_clones(400, 2, 3, depth=1000, random_state=0)
    c = cancer_cell_fractions(table)
    c = c[c["multiplicity"].to_numpy() == truth.multiplicity.reindex(c["mutation_id"]).to_numpy()]
    got = c.assign(clone=truth.labels.reindex(c["mutation_id"]).to_numpy()).groupby(["clone", "sample_id"])["ccf"].median()
    want = truth.ccf.stack()
    np.testing.assert_allclose(got.loc[want.index], want, atol=0.06)


def test_clustering_and_tree_recover_the_truth():
    table, truth = simulate_clones(300, 3, 4, depth=300, random_state=2, min_gap=0.25)
    res = cluster_mutations(table, max_clusters=6, random_state=0)
    ari = adjusted_rand_score(truth.labels, res.mutations.set_index("mutation_id")["cluster"].reindex(truth.labels.index))
    assert ari > 0.9 and res.n_clusters == 4
    trees = clone_trees(res.clusters, max_trees=100)
    assert trees["consistent"].iloc[0]
    # the true tree, in cluster numbers, is among the consistent ones
    z = res.mutations.set_index("mutation_id")["cluster"].reindex(truth.labels.index)
    to_cluster = z.groupby(truth.labels).agg(lambda v: v.mode().iloc[0])
    true_edges = {int(to_cluster[c]): (int(to_cluster[p]) if p >= 0 else -1) for c, p in truth.parents.items()}
    found = {t: dict(zip(g["cluster"], g["parent"], strict=True)) for t, g in trees[trees["consistent"]].groupby("tree")}
    assert true_edges in found.values()


def test_bad_arguments():
    with pytest.raises(InputError, match="purity"):
        simulate_clones(purity=1.5)
    with pytest.raises(InputError, match="min_gap"):
        simulate_clones(20, 1, 8, min_gap=0.5)

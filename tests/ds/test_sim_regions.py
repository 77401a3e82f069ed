"""Simulated multi-region tumours: the truth branches and obeys the sum rule; the pipeline recovers it."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from oncoresist._core._errors import InputError
from oncoresist.ds import simulate_multiregion
from oncoresist.tl import clone_trees, cluster_mutations


def test_truth_branches_obeys_the_sum_rule_and_is_seeded():
    table, truth = simulate_multiregion(200, 5, 6, random_state=4)
    ccf, parents, present = truth.ccf.to_numpy(), truth.parents.to_numpy(), truth.present.to_numpy()
    assert (ccf[0] == 1).all() and parents[0] == -1 and (parents[1:] < np.arange(1, 6)).all()
    assert np.bincount(parents[1:], minlength=6).max() >= 2  # a branching tree
    for p in range(6):
        assert (ccf[parents == p].sum(axis=0) <= ccf[p] + 1e-12).all()
        assert (present[parents == p] <= present[p]).all()  # a clone lives where its children do
    assert ((ccf > 0) == present).all()
    # each region has its own purity and depth, written in the table
    per_region = table.groupby("sample_id")["tumour_content"].agg(["min", "max"])
    np.testing.assert_allclose(per_region["min"], truth.purity.loc[per_region.index])
    assert (per_region["min"] == per_region["max"]).all() and truth.purity.nunique() == 5 and truth.depth.nunique() == 5
    again, truth2 = simulate_multiregion(200, 5, 6, random_state=4)
    assert table.equals(again) and truth.ccf.equals(truth2.ccf) and table.shape == (1000, 8)


def test_private_clones_have_reads_in_their_region_only():
    table, truth = simulate_multiregion(400, 4, 5, depth=300, private=1.0, random_state=2)
    private = truth.private
    assert len(private) >= 1  # every leaf is private
    leaves = [c for c in truth.parents.index if not (truth.parents == c).any()]
    assert set(leaves) <= set(private.index)  # an inner clone whose children share one region is private too
    assert (truth.present.loc[private.index].sum(axis=1) == 1).all()
    lab = truth.labels.reindex(table["mutation_id"]).to_numpy()
    for clone, region in private.items():
        rows = table[lab == clone]
        assert (rows.loc[rows["sample_id"] != region, "alt_counts"] == 0).all()
        assert rows.loc[rows["sample_id"] == region, "alt_counts"].sum() > 0


def test_per_region_purity_and_depth_as_given():
    table, truth = simulate_multiregion(100, 3, 3, depth=[50, 200, 1000], purity=[0.3, 0.6, 0.9], random_state=0)
    assert truth.purity.tolist() == [0.3, 0.6, 0.9] and truth.depth.tolist() == [50, 200, 1000]
    mean_depth = (table["ref_counts"] + table["alt_counts"]).groupby(table["sample_id"]).mean()
    np.testing.assert_allclose(mean_depth.loc[["R1", "R2", "R3"]], [50, 200, 1000], rtol=0.1)


def test_pipeline_recovers_the_planted_tree_on_an_easy_case():
    # 4 regions at depth ~800, 5 clones on a branching tree, two clones private to one region
    table, truth = simulate_multiregion(300, 4, 5, depth=800, purity=0.7, random_state=9)
    assert truth.parents.tolist() == [-1, 0, 0, 0, 3] and len(truth.private) >= 2
    res = cluster_mutations(table, max_clusters=8, random_state=0)
    z = res.mutations.set_index("mutation_id")["cluster"].reindex(truth.labels.index)
    assert res.n_clusters == 5 and adjusted_rand_score(truth.labels, z) > 0.95
    to_cluster = z.groupby(truth.labels).agg(lambda v: v.mode().iloc[0])
    assert to_cluster.nunique() == 5
    est = res.clusters.pivot(index="cluster", columns="sample_id", values="ccf").loc[to_cluster.to_numpy(), truth.ccf.columns]
    assert np.abs(est.to_numpy() - truth.ccf.to_numpy()).mean() < 0.03
    true_tree = {int(to_cluster[c]): (int(to_cluster[p]) if p >= 0 else -1) for c, p in truth.parents.items()}
    trees = clone_trees(res.clusters, max_trees=1000)
    best = trees[trees["tree"] == 1]
    assert dict(zip(best["cluster"], best["parent"], strict=True)) == true_tree
    assert best["consistent"].all() and trees["n_consistent"].iloc[0] == 1  # the only tree the sum rule allows


def test_bad_arguments():
    with pytest.raises(InputError, match="purity"):
        simulate_multiregion(purity=1.5)
    with pytest.raises(InputError, match="purity"):
        simulate_multiregion(n_regions=2, purity=[0.5, 0.0])
    with pytest.raises(InputError, match="3 values for 4 regions"):
        simulate_multiregion(depth=[100, 200, 300])
    with pytest.raises(InputError, match="n_regions >= 2"):
        simulate_multiregion(n_regions=1)
    with pytest.raises(InputError, match="min_gap"):
        simulate_multiregion(20, 2, 8, min_gap=0.5)

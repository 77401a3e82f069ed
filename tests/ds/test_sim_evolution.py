"""Simulated clonal evolution under therapy: clusters, tree and the resistance alert match the truth."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from oncoresist._core._errors import InputError
from oncoresist.ds import EVOLUTION_THERAPIES, simulate_evolution
from oncoresist.interpret import monitor_ctdna
from oncoresist.io import read_ctdna, read_pyclone
from oncoresist.tl import clone_trees, cluster_mutations


def test_truth_obeys_the_sum_rule_and_the_resistant_clone_takes_over():
    reads, plasma, truth = simulate_evolution(60, random_state=3)
    ccf, parents = truth.ccf.to_numpy(), truth.parents.to_numpy()
    assert (ccf[0] == 1).all() and parents.tolist() == [-1, 0, 1, 1]
    for p in range(4):
        assert (ccf[parents == p].sum(axis=0) <= ccf[p] + 1e-12).all()
    days = np.array([int(s[1:]) for s in truth.ccf.columns])
    r = ccf[truth.resistant_clone]
    assert (r[days < truth.emergence_day] == 0).all() and r[-1] > 0.95
    assert truth.labels[truth.resistance_mutation] == truth.resistant_clone
    assert reads.shape == (60 * 6, 8) and set(plasma["mutation"]) == set(truth.drivers)
    again = simulate_evolution(60, random_state=3)
    assert reads.equals(again[0]) and plasma.equals(again[1])


def _ari_and_tree(reads, truth):
    """ARI of the clustering and whether the best time-series tree is the true one."""
    res = cluster_mutations(reads, max_clusters=8, random_state=0)
    z = res.mutations.set_index("mutation_id")["cluster"].reindex(truth.labels.index)
    trees = clone_trees(res.clusters, times=list(truth.ccf.columns), max_trees=5)
    to_cluster = z.groupby(truth.labels).agg(lambda v: v.mode().iloc[0])
    true_edges = {int(to_cluster[c]): (int(to_cluster[p]) if p >= 0 else -1) for c, p in truth.parents.items()}
    best = trees[trees["tree"] == 1]
    return adjusted_rand_score(truth.labels, z), dict(zip(best["cluster"], best["parent"], strict=True)) == true_edges


@pytest.mark.slow
@pytest.mark.parametrize("therapy", sorted(EVOLUTION_THERAPIES))
def test_clusters_tree_and_alert_recover_the_truth(tmp_path, therapy):
    reads, plasma, truth = simulate_evolution(therapy=therapy, random_state=0)
    (tmp_path / "reads.tsv").write_text(reads.to_csv(sep="\t", index=False))
    ari, same_tree = _ari_and_tree(read_pyclone(tmp_path / "reads.tsv"), truth)
    assert ari > 0.9 and same_tree
    plasma.to_csv(tmp_path / "plasma.csv", index=False)
    m = monitor_ctdna(read_ctdna(tmp_path / "plasma.csv"), therapy=therapy, kb=tmp_path / "kb.duckdb")
    current = m.alerts[m.alerts["current"].astype(bool)]
    assert current["alteration"].tolist() == [truth.resistance_mutation]
    grid = np.array([int(s[1:]) for s in truth.ccf.columns])
    after = grid[grid >= truth.emergence_day]
    assert current["first_detected_day"].iloc[0] in after[:2]


def test_bad_arguments():
    with pytest.raises(InputError, match="therapy"):
        simulate_evolution(therapy="aspirin")
    with pytest.raises(InputError, match="days"):
        simulate_evolution(days=(10, 20, 30))
    with pytest.raises(InputError, match="emergence_day"):
        simulate_evolution(emergence_day=400)


def test_written_study_reads_back_the_serial_samples(tmp_path):
    import json

    from oncoresist.ds import add_evolution, simulate_cohort
    from oncoresist.io import read_study

    sim = simulate_cohort(20, n_genes=200, seed=1)
    evo = add_evolution(sim, 2)
    study = sim.write(tmp_path / "raw")
    with pytest.warns(UserWarning, match="segment file"):
        m = read_study(study)
    assert sorted(m.uns["ctdna"]["patient"].unique()) == sorted(evo) == ["SIM-0001", "SIM-0002"]
    inp = m.uns["clonal_input"]
    assert inp.groupby("patient")["sample_id"].nunique().tolist() == [6, 6]
    truth = json.loads((tmp_path / "raw" / "truth.json").read_text())["evolution"]
    assert truth["SIM-0002"]["resistance_mutation"] == "BTK C481S" and truth["SIM-0001"]["parents"] == [-1, 0, 1, 1]
    with pytest.raises(InputError, match="n_patients"):
        add_evolution(sim, 99)


def test_default_cohort_has_no_serial_samples(tmp_path):
    from oncoresist.ds import simulate_cohort

    sim = simulate_cohort(12, n_genes=150)
    sim.write(tmp_path / "raw")
    assert sim.evolution == {} and not (tmp_path / "raw" / "ctdna.csv").exists()
    assert "[ctdna]" not in (tmp_path / "raw" / "study.toml").read_text()

"""The simulator's functional state: hand-curated structure, planted MAPK resistance state, microenvironment."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr
from sklearn.metrics import roc_auc_score

from oncoresist import tl
from oncoresist._core._errors import InputError
from oncoresist.ds import kinase_network, pathway_network, simulate_cohort, tme_markers
from oncoresist.ds._sim_genes import functional_prefix, gene_table
from oncoresist.ds._sim_network import KINASE_SITES, PATHWAYS, TME_MARKERS
from oncoresist.tl.functional._tme import MCP_MARKERS


@pytest.fixture(scope="module")
def sim():
    return simulate_cohort(150, seed=0, functional=True)


def test_structure_is_real_cited_and_in_the_universe():
    net, kin, markers = pathway_network(), kinase_network(), tme_markers()
    genes = gene_table(1000, functional=True)
    real = set(genes.index[~genes["synthetic"]])
    assert set(net["target"]) <= real
    assert {s.split("_")[0] for s in kin["target"]} | set(kin["source"]) <= real
    assert {g for ms in markers.values() for g in ms} <= real
    assert set(net["weight"]) == {1.0, -1.0}
    assert net.groupby("source").size().min() >= 5 and kin.groupby("source").size().min() >= 5
    assert all(cite for cite, _ in [*PATHWAYS.values(), *KINASE_SITES.values(), *TME_MARKERS.values()])
    assert {"DUSP6", "SPRY4", "ETV5"} <= set(net.loc[net["source"] == "MAPK", "target"])
    assert "GSK3B_S9" in set(kin.loc[kin["source"] == "AKT1", "target"])
    # every simulated cell type is scored by tl.tme (MCP-counter names, >= 1 shared marker)
    for cell, ms in markers.items():
        assert set(ms) & set(MCP_MARKERS[cell]), cell


def test_default_cohort_unchanged_and_functional_only_adds():
    plain = simulate_cohort(30, seed=2, n_genes=200)
    assert "phospho" not in plain.mdata.mod and "mapk_reactivation" not in plain.mdata.obs
    assert plain.truth.functional == {} and "functional" not in plain.truth.to_dict()
    assert list(plain.mdata["rna"].var_names) == list(gene_table(200).index)
    func = simulate_cohort(30, seed=2, n_genes=200, functional=True)
    assert set(plain.mdata.mod) | {"phospho"} == set(func.mdata.mod)
    assert list(func.truth.mechanisms["flag"])[:-1] == list(plain.truth.mechanisms["flag"])
    assert func.truth.mechanisms.iloc[-1]["flag"] == "mapk_reactivation"
    # what the functional step does not touch keeps its values (flags, other drugs' curves)
    assert plain.mdata.obs["egfr_activating"].equals(func.mdata.obs["egfr_activating"])
    other = [d for d in plain.mdata["drug"].var_names if d != "erlotinib"]
    np.testing.assert_array_equal(plain.mdata["drug"][:, other].X, func.mdata["drug"][:, other].X)


def test_bad_functional_arguments():
    with pytest.raises(InputError, match="functional must be True or False"):
        simulate_cohort(20, functional="yes")
    with pytest.raises(InputError, match=f"n_genes >= {len(functional_prefix())}"):
        simulate_cohort(20, n_genes=100, functional=True)


def test_state_has_no_mutation_and_raises_the_drug_ic50(sim):
    state = sim.truth.functional["state"]
    carrier = state["mapk_reactivation"]
    assert 0.15 < carrier.mean() < 0.35 and set(state.loc[carrier, "route"]) <= {"MAPK reactivation", "AXL bypass", "MET bypass"}
    assert sim.mdata.obs["mapk_reactivation"].equals(carrier.reindex(sim.mdata.obs_names))
    # the state is not tied to any mutation: carriers and non-carriers mutate alike
    mut = sim.mdata["mut"].to_df()
    assert abs(mut.loc[carrier[carrier].index].mean().mean() - mut.loc[carrier[~carrier].index].mean().mean()) < 0.05
    curves = sim.truth.curves.query("drug == 'erlotinib'").set_index("sample")["log10_ic50"]
    diff = curves[carrier].mean() - curves[~carrier].mean()
    assert diff > 0.6
    rna = sim.mdata["rna"].to_df()
    axl = state["route"] == "AXL bypass"
    assert rna.loc[axl, "AXL"].mean() - rna.loc[~carrier, "AXL"].mean() > 1.0


def test_activity_recovers_the_mapk_state_better_than_any_single_target(sim):
    m = sim.mdata  # the steps add modalities / uns keys; re-running one replaces its own result
    tl.activity(m, resource=pathway_network(), method="ulm", key_added="act_simpathways")
    act = m["act_simpathways"].to_df()
    truth = sim.truth.functional["state"]["mapk_reactivation"].loc[act.index]
    auc = roc_auc_score(truth, act["MAPK"])
    rna = m["rna"].to_df()
    targets = pathway_network().query("source == 'MAPK'")["target"]
    best = max(roc_auc_score(truth, rna.loc[act.index, g]) for g in targets)
    assert auc > 0.8 and auc > best, (auc, best)
    # the continuous pathway activities are recovered too (planted SD 0.5)
    true_act = sim.truth.functional["pathway_activity"].loc[act.index]
    assert spearmanr(act["PI3K"], true_act["PI3K"])[0] > 0.4


def test_ksea_on_phosphosites_recovers_mapk1(sim):
    m = sim.mdata  # the steps add modalities / uns keys; re-running one replaces its own result
    tl.activity(m, mod="phospho", resource=kinase_network(), method="ksea", key_added="act_kinase")
    act = m["act_kinase"].to_df()
    truth = sim.truth.functional["state"]["mapk_reactivation"].loc[act.index]
    assert roc_auc_score(truth, act["MAPK1"]) > 0.9
    true_k = sim.truth.functional["kinase_activity"].loc[act.index]
    assert spearmanr(act["AKT1"], true_k["AKT1"])[0] > 0.45


def test_tme_scores_follow_the_true_fractions(sim):
    m = sim.mdata  # the steps add modalities / uns keys; re-running one replaces its own result
    tl.tme(m, method="mcp")
    scores = m["tme"].to_df()
    frac = sim.truth.functional["tme_fractions"].loc[scores.index]
    assert np.allclose(frac.drop(columns="CD8 T cells").sum(axis=1), 1.0)
    rho = {c: spearmanr(scores[c], frac[c])[0] for c in TME_MARKERS}
    strong = ("T cells", "Monocytic lineage", "Fibroblasts", "Endothelial cells", "B lineage")
    assert min(rho[c] for c in strong) > 0.6, rho
    assert min(rho.values()) > 0.3, rho


def test_associate_links_mapk_activity_to_the_drug(sim):
    m = sim.mdata  # the steps add modalities / uns keys; re-running one replaces its own result
    tl.activity(m, resource=pathway_network(), method="ulm", key_added="act_simpathways")
    tl.associate(m, drugs=["erlotinib", "vorinostat"], layers=["act_simpathways"], covariates=("tissue",),
                 higher_is="resistant", cross_layer=False)
    res = m.uns["associate"]["results"]
    hit = res[(res["target"] == "erlotinib") & (res["feature"] == "MAPK")].iloc[0]
    assert hit["fdr"] < 0.01 and hit["direction"] == "resistance"
    ctrl = res[(res["target"] == "vorinostat") & (res["feature"] == "MAPK")].iloc[0]
    assert ctrl["pvalue"] > 0.01


def test_write_adds_phospho_file_and_truth(sim, tmp_path: Path):
    small = simulate_cohort(20, seed=4, n_genes=200, functional=True)
    study = small.write(tmp_path / "c")
    assert (tmp_path / "c" / "phospho.tsv.gz").exists()
    assert "[layers.phospho]" in study.read_text()
    truth = json.loads((tmp_path / "c" / "truth.json").read_text())
    assert {"state", "pathway_activity", "tme_fractions", "drug"} <= set(truth["functional"])
    assert "phospho.tsv.gz" in truth["files"]
    plain = simulate_cohort(20, seed=4, n_genes=200).write(tmp_path / "p")
    assert not (tmp_path / "p" / "phospho.tsv.gz").exists() and "phospho" not in plain.read_text()


def test_footprint_signs_agree_with_progeny(shared_data: Path):
    prog = pd.read_csv(shared_data / "prior" / "progeny_human_top100_long.csv.gz")
    both = pathway_network().merge(prog, on=["source", "target"], suffixes=("_sim", "_progeny"))
    assert len(both) >= 30 and both["source"].nunique() >= 5
    agree = (np.sign(both["weight_sim"]) == np.sign(both["weight_progeny"])).mean()
    assert agree >= 0.9

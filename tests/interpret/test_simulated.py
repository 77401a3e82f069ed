"""The planted mechanisms of the simulator are recovered in its patients' reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from oncoresist.interpret import interpret_patient, patient_alterations
from oncoresist.kb import open_kb
from oncoresist.report import render_patient_report

ds = pytest.importorskip("oncoresist.ds")

# flag -> layers that carry its alteration (a carrier without any of them cannot be detected)
LAYERS = {
    "egfr_activating": ("mut",), "egfr_t790m": ("mut",), "kras_mut": ("mut",), "brca_loss": ("mut", "cnv"),
    "met_amp": ("cnv",), "abcb1_high": ("rna", "meth", "prot"), "mgmt_methylated": ("meth", "rna", "prot"),
    "ercc1_high": ("rna",),
}  # fmt: skip


@pytest.fixture(scope="module")
def sim():
    return ds.simulate_cohort(n_samples=60, seed=7)


def _covers(res, gene: str, drug: str, direction: str, kb) -> bool:
    ev = res.evidence
    genes = gene.split(";")
    for r in ev.itertuples(index=False):
        if r.wildtype_only or r.direction != direction or not any(g in r.gene for g in genes):
            continue
        members = set(r.drugs.split(", ")) | {d for c in str(r.drug_class).split("|") if c for d in kb.vocab.drugs_of_class(c)}
        if drug in members:
            return True
    return False


def test_every_planted_mechanism_in_its_carriers_reports(sim, kb_file: Path) -> None:
    m, truth = sim.mdata, sim.truth
    mech = truth.mechanisms[["flag", "gene", "drug", "direction"]].drop_duplicates()
    checked = 0
    with open_kb(kb_file) as kb:
        for flag, rows in mech.groupby("flag"):
            if flag == "ercc1_high":
                continue  # expression call depends on the noise: tested below
            carriers = [s for s in m.obs_names[m.obs[flag].astype(bool)] if any(s in m.mod[x].obs_names for x in LAYERS[flag] if x in m.mod)]
            assert carriers, flag
            for patient in carriers[:3]:
                res = interpret_patient(m, patient, kb=kb)
                page = render_patient_report(res)
                for r in rows.itertuples(index=False):
                    assert _covers(res, r.gene, r.drug, r.direction, kb), (flag, patient, r.drug, r.direction)
                    assert r.drug in page
                    checked += 1
    assert checked >= 40


def test_ercc1_expression_mechanism(sim, kb_file: Path) -> None:
    m = sim.mdata
    flag = m.obs["ercc1_high"].astype(bool)
    called = {}
    for s in m.mod["rna"].obs_names:
        alts, _, _, _ = patient_alterations(m, s, genes={"ERCC1"})
        called[s] = "ERCC1 overexpression" in set(alts["label"])
    carriers = [s for s in called if flag[s]]
    others = [s for s in called if not flag[s]]
    assert sum(called[s] for s in carriers) / len(carriers) >= 0.5
    assert sum(called[s] for s in others) / len(others) <= 0.05
    with open_kb(kb_file) as kb:
        for s in [s for s in carriers if called[s]][:2]:
            res = interpret_patient(m, s, kb=kb)
            assert _covers(res, "ERCC1", "cisplatin", "resistance", kb)
            assert _covers(res, "ERCC1", "carboplatin", "resistance", kb)

"""Planted genome-wide phenotypes (ds._sim_genome): the biomarker calls recover the truth."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from oncoresist._core._errors import InputError
from oncoresist.ds import (
    GENOME_PHENOTYPES,
    add_genome_phenotypes,
    simulate_cohort,
    simulated_signatures,
)
from oncoresist.io import read_allelic_segments, read_maf
from oncoresist.tl import SBS96_CHANNELS, add_biomarkers, add_signatures


def _sens_spec(call: pd.Series, truth: pd.Series) -> tuple[float, float]:
    c, t = call.to_numpy(dtype=bool), truth.to_numpy(dtype=bool)
    return float((c & t).sum() / t.sum()), float((~c & ~t).sum() / (~t).sum())


@pytest.fixture(scope="module")
def sim():
    s = simulate_cohort(120, seed=4, n_genes=300)
    add_genome_phenotypes(s, random_state=1)
    add_biomarkers(s.mdata, segments=s.genome["allelic_segments"])
    return s


def test_phenotypes_planted_with_truth_columns(sim):
    obs = sim.mdata.obs
    counts = obs["genome_phenotype"].value_counts()
    assert set(GENOME_PHENOTYPES) <= set(counts.index)
    assert counts["MSI"] == round(0.08 * 120) and counts["POLE"] == round(0.03 * 120)
    assert obs.loc[obs["brca_loss"], "true_hrd"].all()  # every BRCA-loss tumour is HRD
    flags = obs[["true_msi", "true_pole", "true_hrd", "true_apobec"]].to_numpy(dtype=int)
    assert (flags.sum(axis=1) <= 1).all()
    assert (obs["genome_phenotype"] == "none").sum() == (flags.sum(axis=1) == 0).sum()
    assert sim.variants["context"].str.fullmatch(r"[ACGT]+").all()
    assert len(sim.mdata["mut"].uns["variants"]) == len(sim.variants)


def test_tmb_msi_hrd_calls_recover_the_truth(sim):
    obs = sim.mdata.obs
    for call, truth in (("tmb_high", "true_tmb_high"), ("msi_high", "true_msi"), ("hrd_high", "true_hrd")):
        sens, spec = _sens_spec(obs[call], obs[truth])
        assert sens >= 0.9 and spec >= 0.95, (call, sens, spec)
    rho = np.corrcoef(np.log(obs["tmb"]), np.log(obs["true_tmb"]))[0, 1]
    assert rho > 0.95
    assert obs.loc[obs["true_pole"], "tmb"].min() > 5 * obs.loc[obs["genome_phenotype"] == "none", "tmb"].median()
    assert obs.loc[obs["true_pole"], "msi_high"].sum() == 0  # POLE tumours are microsatellite stable
    hrd_sum = obs.groupby("true_hrd")["hrd_sum"].median()
    assert hrd_sum[True] >= 42 > hrd_sum[False]


def test_signature_exposures_correlate_with_the_planted_ones(sim):
    add_signatures(sim.mdata, simulated_signatures(), n_bootstrap=0)
    sig = sim.mdata["signatures"]
    fitted = pd.DataFrame(sig.X, index=sig.obs_names, columns=sig.var_names)
    planted = sim.genome["exposures"].reindex(fitted.index)
    groups = {"MMR": ["SBS6-like", "SBS15-like", "SBS26-like"], "POLE": ["SBS10a-like", "SBS10b-like"],
              "APOBEC": ["SBS2-like", "SBS13-like"]}
    for name, cols in groups.items():
        r = np.corrcoef(fitted[cols].sum(axis=1), planted[cols].sum(axis=1))[0, 1]
        assert r > 0.95, (name, r)
    # the default backward selection drops a minor clock share from hypermutated tumours (r 0.88;
    # plain NNLS 0.998) but separates the flat SBS3 from SBS5 far better (r 0.89; plain NNLS 0.63)
    r1 = np.corrcoef(fitted["SBS1-like"], planted["SBS1-like"])[0, 1]
    r3 = np.corrcoef(fitted["SBS3-like"], planted["SBS3-like"])[0, 1]
    assert r1 > 0.85 and r3 > 0.8, (r1, r3)
    top = fitted.div(fitted.sum(axis=1), axis=0)
    pole = sim.mdata.obs["true_pole"].reindex(top.index).to_numpy(dtype=bool)
    assert (top.loc[pole, ["SBS10a-like", "SBS10b-like"]].sum(axis=1) > 0.5).all()


def test_signatures_match_the_tl_channel_order_and_sum_to_one():
    sigs = simulated_signatures()
    assert tuple(sigs.index) == SBS96_CHANNELS
    assert np.allclose(sigs.sum(axis=0), 1.0) and (sigs.to_numpy() > 0).all()
    assert sigs["SBS10a-like"].idxmax() == "T[C>A]T" and sigs["SBS1-like"].idxmax().endswith("G")


def test_write_puts_context_segments_and_truth_in_the_study(sim, tmp_path: Path):
    study = sim.write(tmp_path)
    text = study.read_text()
    assert "[allelic_segments]" in text
    maf = read_maf(tmp_path / "mutations.maf")
    assert "context" in maf.columns and len(maf) == len(sim.variants)
    seg = read_allelic_segments(tmp_path / "allelic_segments.tsv")
    assert set(seg["sample"]) == set(sim.clinical.index)
    truth = json.loads((tmp_path / "truth.json").read_text())["genome"]
    assert {r["sample"] for r in truth["truth"] if r["true_msi"]} == set(sim.mdata.obs.index[sim.mdata.obs["true_msi"]])


def test_default_cohort_is_unchanged_and_bad_arguments_are_refused():
    plain = simulate_cohort(20, seed=4, n_genes=100)
    assert "context" not in plain.variants.columns and not plain.genome
    with pytest.raises(InputError, match="unknown phenotype"):
        add_genome_phenotypes(plain, fractions={"MSS": 0.1})
    with pytest.raises(InputError, match="0..0.5"):
        add_genome_phenotypes(plain, fractions={"MSI": 0.9})
    truth = add_genome_phenotypes(plain, fractions={"MSI": 0.0, "POLE": 0.0, "APOBEC": 0.0})
    assert set(truth["genome_phenotype"]) <= {"none", "HRD"}
    with pytest.raises(InputError, match="already has genome phenotypes"):
        add_genome_phenotypes(plain)


def test_same_seed_same_genome():
    a, b = simulate_cohort(20, seed=2, n_genes=100), simulate_cohort(20, seed=2, n_genes=100)
    add_genome_phenotypes(a)
    add_genome_phenotypes(b)
    assert a.variants.equals(b.variants) and a.genome["allelic_segments"].equals(b.genome["allelic_segments"])


def test_without_background_only_hypermutators_get_exome_calls():
    sim = simulate_cohort(40, seed=6, n_genes=100)
    truth = add_genome_phenotypes(sim, background=False)
    with_calls = set(sim.variants.loc[sim.variants["role"] == "genome", "sample"])
    hyper = set(truth.index[truth["genome_phenotype"].isin(["MSI", "POLE", "APOBEC"])])
    assert hyper and with_calls == hyper
    assert set(sim.genome["allelic_segments"]["sample"]) == set(truth.index)
    with pytest.raises(InputError, match="background"):
        add_genome_phenotypes(simulate_cohort(20, n_genes=100), background="no")

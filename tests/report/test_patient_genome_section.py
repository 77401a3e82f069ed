import types

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd

from oncoresist.report._genome import patient_genome_section


def _cohort():
    idx = [f"p{i}" for i in range(5)]
    m = md.MuData({"mut": ad.AnnData(np.zeros((5, 1)), obs=pd.DataFrame(index=idx))})
    m.obs["tmb"] = [1.0, 2.0, 4.0, 8.0, 40.0]
    m.obs["tmb_high"] = [False, False, False, False, True]
    m.obs["hrd_sum"] = [10.0, 50.0, np.nan, 20.0, 30.0]
    m.obs["hrd_high"] = pd.array([False, True, pd.NA, False, False], dtype="boolean")
    m.uns["biomarkers"] = {"params": {"tmb_cutoff": 10.0, "msi_method": "threshold"}}
    return m


def test_tmb_percentile_call_and_rule_by_hand():
    s = patient_genome_section(types.SimpleNamespace(patient="p4"), _cohort())
    assert "cohort percentile 100" in s.summary and "tmb 40 (positive" in s.summary
    assert "PMID 28420421" in s.html and "PMID 32919526" in s.html and "PMID 26957554" in s.html
    assert s.meta["calls"] == ["tmb 40: positive"]
    s1 = patient_genome_section(types.SimpleNamespace(patient="p1"), _cohort())
    assert "tmb 2 (negative, cohort percentile 40)" in s1.summary  # 2 of 5 samples <= 2
    assert "hrd_sum 50 (positive, cohort percentile 100)" in s1.summary


def test_sample_without_scores_or_cohort_has_no_section():
    m = _cohort()
    m.obs["tmb"] = np.nan
    m.obs["hrd_sum"] = np.nan
    assert patient_genome_section(types.SimpleNamespace(patient="p0"), m) is None
    assert patient_genome_section(types.SimpleNamespace(patient="zz"), _cohort()) is None
    assert patient_genome_section(types.SimpleNamespace(patient="p0"), None) is None


def test_simulated_cohort_after_add_biomarkers():
    from oncoresist.ds import simulate_cohort
    from oncoresist.tl import add_biomarkers

    m = simulate_cohort(n_samples=20, seed=1).mdata
    add_biomarkers(m)
    sample = str(m.obs["tmb"].astype(float).idxmax())
    s = patient_genome_section(types.SimpleNamespace(patient=sample), m)
    assert s is not None and "tmb" in s.summary and "cohort percentile 100" in s.summary


def test_signature_profile_and_exposures_on_the_patient_page():
    import matplotlib.pyplot as plt

    from oncoresist import pl
    from oncoresist.tl import add_signatures
    from oncoresist.tl.biomarkers._signatures import SBS96_CHANNELS

    v = pd.DataFrame({"sample": ["p0"] * 6 + ["p1"] * 3, "ref": ["C"] * 9, "alt": ["T"] * 9, "CONTEXT": ["TACGA"] * 9})
    m = md.MuData({"mut": ad.AnnData(np.ones((2, 1)), obs=pd.DataFrame(index=["p0", "p1"]), uns={"variants": v})})
    sigs = pd.DataFrame(np.full((96, 2), 1 / 96), index=list(SBS96_CHANNELS), columns=["S1", "S2"])
    sigs.loc["A[C>T]G", "S1"] = 10.0
    add_signatures(m, sigs / sigs.sum(), n_bootstrap=20)
    s = patient_genome_section(types.SimpleNamespace(patient="p0"), m)
    assert s is not None and "<img" in s.html and "lower" in s.html and "S1" in s.html
    fig, ax = plt.subplots()
    assert pl.sbs96_profile(m["signatures"].obsm["sbs96"].loc["p0"], ax=ax) is fig
    assert "6 SNVs" in ax.get_title()
    plt.close("all")

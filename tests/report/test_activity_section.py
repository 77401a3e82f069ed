import types

import anndata as ad
import matplotlib.pyplot as plt
import mudata as md
import numpy as np
import pandas as pd
import pytest

from oncoresist import pl
from oncoresist._core._errors import InputError
from oncoresist.kb._states import STATE_MECHANISMS, state_evidence, state_table
from oncoresist.report._activity_section import (
    activity_modalities,
    activity_section,
    activity_zscores,
    patient_activity_section,
)
from oncoresist.report._cohort import analysis_sections


def _net(genes, seed=0):
    rng = np.random.default_rng(seed)
    rows = [(src, g, float(rng.choice([-1.0, 1.0]))) for src in ("MAPK", "PI3K", "JAK-STAT", "WNT")
            for g in rng.choice(np.asarray(genes), 30, replace=False)]
    return pd.DataFrame(rows, columns=["source", "target", "weight"])


@pytest.fixture(scope="module")
def cohort():
    from oncoresist.ds import simulate_cohort
    from oncoresist.tl import activity

    m = simulate_cohort(n_samples=30, seed=3).mdata
    activity(m, resource=_net(m["rna"].var_names), key_added="act_toy")
    return m


def test_state_evidence_is_curated_with_citations():
    assert state_evidence("met", "up")[0]["drugs"] == "EGFR tyrosine kinase inhibitors"
    assert state_evidence("CD8 T cells", "down")[0]["mechanism"].startswith("immune-cold")
    assert state_evidence("CD8 T cells", "up") == []
    assert all("PMID" in row[4] for row in STATE_MECHANISMS)
    assert {"MET", "ERBB2", "AXL", "EGFR", "MAPK", "PI3K", "JAK-STAT", "EMT", "Hypoxia"} <= set(state_table()["source"])


def test_zscores_match_hand_computation():
    x = np.array([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0], [10.0, 7.0]])
    m = md.MuData({"act_x": ad.AnnData(x, obs=pd.DataFrame(index=list("abcd")), var=pd.DataFrame(index=["MAPK", "flat"]))})
    z = activity_zscores(m, "act_x", "d")
    assert z["MAPK"] == pytest.approx((10 - 2) / np.std([1, 2, 3], ddof=1))
    assert np.isnan(z["flat"])  # SD 0 over the other samples


def test_plots_draw_into_given_axes_and_reject_empty():
    t = pd.DataFrame(np.random.default_rng(0).normal(size=(6, 3)), index=list("abcdef"), columns=["A", "B", "C"])
    fig, ax = plt.subplots()
    assert pl.activity_heatmap(t, ax=ax) is fig and ax.get_title() == "Activity per sample"
    fig2, ax2 = plt.subplots()
    assert pl.activity_bar(t.iloc[0], ax=ax2) is fig2 and len(ax2.patches) == 3
    fig3, ax3 = plt.subplots()
    pl.activity_response(t["A"], -t["A"], ax=ax3)
    assert "rho = -1.00" in ax3.get_title()
    with pytest.raises(InputError, match="need >= 3"):
        pl.activity_response(t["A"].iloc[:2], t["A"].iloc[:2])
    with pytest.raises(InputError, match="empty"):
        pl.activity_heatmap(pd.DataFrame())
    plt.close("all")


def test_cohort_section_heatmap_and_associations(cohort):
    assert activity_modalities(cohort) == ["act_toy"]
    s = activity_section(cohort)
    assert s is not None and s.id == "activities"
    assert s.html.count("<img") >= 3  # heatmap, volcano, strongest pair scatter
    assert "effect_size" in s.html and "associate" not in cohort.uns  # computed on a copy, cohort untouched
    sections, missing = analysis_sections(cohort)
    assert "activities" in [x.id for x in sections]
    assert not any(line.startswith("Activities") for line in missing)


def test_missing_activity_names_the_command():
    m = md.MuData({"rna": ad.AnnData(np.ones((3, 2)))})
    _, missing = analysis_sections(m)
    assert any(line.startswith("Activities and microenvironment") and "oncoresist activity" in line for line in missing)


def test_patient_section_links_resistance_states(cohort):
    m = cohort
    a = m["act_toy"]
    before = np.asarray(a.X, dtype=float).copy()
    sample = str(a.obs_names[0])
    x = np.asarray(a.X, dtype=float).copy()
    j = list(a.var_names).index("MAPK")
    x[0, j] = x[1:, j].mean() + 6 * x[1:, j].std()
    a.X = x
    s = patient_activity_section(types.SimpleNamespace(patient=sample), m)
    assert s is not None and "MAPK reactivation" in s.html and "PMID 21107323" in s.html
    assert any(st.startswith("MAPK up") for st in s.meta["states"])
    assert patient_activity_section(types.SimpleNamespace(patient="not-a-sample"), m) is None
    assert patient_activity_section(types.SimpleNamespace(patient=sample), None) is None
    a.X = before

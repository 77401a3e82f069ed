"""Patient page: the serial ctDNA section appears when the cohort holds the patient's plasma series."""

from __future__ import annotations

import warnings

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd

from oncoresist.interpret import interpret_patient
from oncoresist.report import render_patient_report


def _cohort() -> md.MuData:
    idx = ["P1", "P2"]
    mut = ad.AnnData(np.array([[1.0], [0.0]]), obs=pd.DataFrame(index=idx), var=pd.DataFrame(index=["EGFR"]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        m = md.MuData({"mut": mut})
    m.uns["ctdna"] = pd.DataFrame({
        "patient": ["P1"] * 4, "day": [0.0, 0.0, 200.0, 200.0], "gene": "EGFR",
        "alteration": ["EGFR T790M", "EGFR C797S"] * 2, "kind": "mutation", "vaf": [0.03, 0.0, 0.04, 0.02],
        "copy_number": np.nan,
    })  # fmt: skip
    return m


def test_ctdna_section_with_emerging_alert(tmp_path) -> None:
    m = _cohort()
    res = interpret_patient(m, "P1", tumour_type="NSCLC", therapy="osimertinib", kb=tmp_path / "kb.duckdb")
    page = render_patient_report(res, mdata=m)
    assert 'id="ctdna"' in page and 'href="#ctdna"' in page
    assert "Emerging in plasma: EGFR C797S (day 200) -&gt; osimertinib" in page
    assert page.index('id="predictions"') < page.index('id="ctdna"') < page.index('id="evidence"')
    other = render_patient_report(interpret_patient(m, "P2", kb=tmp_path / "kb.duckdb"), mdata=m)
    assert 'id="ctdna"' not in other


def test_clonal_section_when_clones_are_stored(tmp_path) -> None:
    from oncoresist.ds import simulate_clones
    from oncoresist.tl import clones

    m = _cohort()
    table, _ = simulate_clones(60, 2, 2, random_state=0)
    clones(m, table, patient="P1", max_clusters=3)
    page = render_patient_report(interpret_patient(m, "P1", kb=tmp_path / "kb.duckdb"), mdata=m)
    assert 'id="clonal"' in page and "Best clone tree (consistent with the sum rule)" in page
    assert "2 clone(s)" in page


def test_clonal_section_of_a_time_series_has_fish_plot_and_tree(tmp_path) -> None:
    from oncoresist.ds import simulate_clones
    from oncoresist.tl import clones

    m = _cohort()
    table, _ = simulate_clones(60, 3, 2, random_state=0)
    samples = sorted(table["sample_id"].unique())
    clones(m, table, patient="P1", max_clusters=3, times=samples)
    page = render_patient_report(interpret_patient(m, "P1", kb=tmp_path / "kb.duckdb"), mdata=m)
    assert "Fish plot" in page and "crossing rule" in page and page.count("<img") >= 3

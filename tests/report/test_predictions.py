"""Patient page: each prediction beside its drug's CV performance, an approximate interval and the measured value."""

from __future__ import annotations

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest

from oncoresist._core._errors import InputError
from oncoresist.report import render_patient_report
from oncoresist.report._predictions import prediction_context, prediction_scores


def _cohort():
    ids = ["P1", "P2", "P3"]
    mut = ad.AnnData(np.ones((3, 1)), obs=pd.DataFrame(index=ids), var=pd.DataFrame(index=["EGFR"]))
    mut.uns["variants"] = pd.DataFrame({"sample": ids, "gene": ["EGFR"] * 3, "protein_change": ["p.L858R"] * 3})
    drug = ad.AnnData(np.array([[0.2, np.nan], [0.5, 0.6], [0.7, 0.9]]), obs=pd.DataFrame(index=ids), var=pd.DataFrame(index=["erlotinib", "olaparib"]))
    m = md.MuData({"mut": mut, "drug": drug})
    m.uns["predictions"] = pd.DataFrame({"erlotinib": [0.3, 0.4, 0.6], "olaparib": [0.5, 0.55, 0.8]}, index=ids)
    m.uns["prediction_scores"] = pd.DataFrame({"drug": ["erlotinib", "olaparib"], "pearson": [0.45, 0.1], "rmse": [0.12, 0.2]})
    return m


def test_interval_scores_measured_and_plain_source_on_the_page(tmp_path):
    from oncoresist.interpret import interpret_patient

    m = _cohort()
    it = interpret_patient(m, "P1", kb=tmp_path / "kb.duckdb", tumour_type="NSCLC")
    rows = {r["drug"]: r for r in prediction_context(it, m)}
    lo, hi = 0.3 - 1.959963984540054 * 0.12, 0.3 + 1.959963984540054 * 0.12
    assert rows["erlotinib"]["interval"] == f"{lo:.3g} to {hi:.3g}"
    assert rows["erlotinib"]["pearson"] == "0.45" and rows["erlotinib"]["rmse"] == "0.12"
    assert rows["erlotinib"]["measured"] == "0.2" and rows["olaparib"]["measured"] == ""  # olaparib not screened in P1
    page = render_patient_report(it, mdata=m)
    assert "mdata.uns" not in page and "predictions stored in the cohort" in page
    assert f"{lo:.3g} to {hi:.3g}" in page and "approximate" in page and "not screened" in page


def test_model_card_and_explicit_scores_override_the_cohort(tmp_path):
    from oncoresist.interpret import interpret_patient

    m = _cohort()
    it = interpret_patient(m, "P2", kb=tmp_path / "kb.duckdb")
    card = {"model": {"name": "enet"}, "drugs": {"erlotinib": {"pearson_enet": 0.3, "rmse_enet": 0.05, "rmse_mean": 0.5}}}
    rows = {r["drug"]: r for r in prediction_context(it, m, card)}
    assert rows["erlotinib"]["rmse"] == "0.05" and rows["olaparib"]["interval"] == ""  # no score for olaparib in the card
    del m.uns["prediction_scores"]
    assert all(r["interval"] == "" for r in prediction_context(it, m))
    assert "n/a (no CV score)" in render_patient_report(it, mdata=m)


def test_prediction_scores_takes_the_first_model_and_refuses_other_input():
    t = pd.DataFrame({"drug": ["a", "a"], "model": ["enet", "mean"], "pearson": [0.5, 0.0], "rmse": [0.1, 0.3]})
    assert prediction_scores(t).loc["a", "rmse"] == 0.1
    with pytest.raises(InputError, match="CV score table"):
        prediction_scores([1, 2])

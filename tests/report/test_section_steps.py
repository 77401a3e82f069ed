"""The named steps of the report sections, each on its own."""

from __future__ import annotations

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest

from oncoresist._core._errors import InputError
from oncoresist.report._integration_section import _batch_html, _preprocessing_html, _subtypes_html
from oncoresist.report._models_section import _associations_part, _cv_part, _survival_part
from oncoresist.report._screen_section import _fit_parts, _synergy_parts
from oncoresist.report._sections import cards_html


def _cohort() -> md.MuData:
    a = ad.AnnData(np.zeros((3, 2)), obs=pd.DataFrame(index=["s1", "s2", "s3"]))
    return md.MuData({"rna": a})


def test_cards_are_escaped():
    html = cards_html([("<b>", "<script>")])
    assert "<script>" not in html and "&lt;script&gt;" in html and html.count('class="card"') == 1


def test_fit_parts_counts_failures_and_flags():
    curves = pd.DataFrame({"sample": ["A", "B", "C"], "drug": ["d"] * 3, "status": ["ok", "ok", "too_few_doses"],
                           "auc": [0.5, 0.6, np.nan], "flags": ["flat", "", ""]})
    parts = _fit_parts(curves, curves["status"] == "ok")
    html = "".join(parts)
    assert "2 / 3" in html and "Curves not fitted" in html and "too_few_doses" in html and "flat" in html


def test_synergy_parts_unknown_method_and_counts():
    summary = pd.DataFrame({"block": [1, 2], "status": ["ok", "too_small"], "zip": [5.0, np.nan]})
    with pytest.raises(InputError, match="not in the synergy summary"):
        _synergy_parts(summary, pd.DataFrame(), "bliss", 3, 10)
    _, txt = _synergy_parts(summary[summary["status"] != "ok"], pd.DataFrame(), "zip", 3, 10)
    assert txt == "; 0 combination matrices scored (1 could not be)"


def test_model_parts_are_empty_without_input():
    assert _associations_part(None, {}, 0.05, 10) == ([], [])
    assert _cv_part(None, None) == ([], [])
    assert _survival_part(None, {}, 10) == ([], [])


def test_associations_part_counts_hits_and_shows_orientation():
    res = pd.DataFrame({"target": ["d1", "d1"], "layer": ["mut"] * 2, "feature": ["EGFR", "KRAS"], "effect_size": [-1.5, 0.1],
                        "pvalue": [1e-6, 0.5], "fdr": [2e-6, 0.5], "direction": ["sensitivity", "resistance"],
                        "higher_is": ["sensitive"] * 2})
    parts, bits = _associations_part(res, {}, 0.05, 10)
    assert bits == ["1 of 2 associations at FDR < 0.05"]
    assert "higher_is" in "".join(parts)


def test_integration_steps_without_records():
    m = _cohort()
    assert _preprocessing_html(m) == "" and _batch_html(m) == "" and _subtypes_html(m, "subtype") == ""
    m.uns["preprocess"] = {"steps": {"rna": ["log1p", "scale"]}}
    assert "log1p; scale" in _preprocessing_html(m)

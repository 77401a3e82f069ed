"""MSI-high / TMB-high calls in the cohort's sample table become alterations with their evidence."""

from __future__ import annotations

import warnings

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd

from oncoresist.interpret import interpret_patient, patient_alterations


def _cohort() -> md.MuData:
    mut = ad.AnnData(np.zeros((3, 1)), obs=pd.DataFrame(index=["P1", "P2", "P3"]), var=pd.DataFrame(index=["EGFR"]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        m = md.MuData({"mut": mut})
    m.obs["msi_high"] = [True, False, False]
    m.obs["msi_score"] = [1.4, 0.1, 0.2]
    m.obs["tmb_high"] = [True, False, False]
    m.obs["tmb"] = [52.0, 1.0, 3.0]
    m.obs["MSI_status"] = ["MSI-H", "MSS", "MSI-H"]  # a sample sheet's own column
    return m


def test_markers_from_flags_and_sheet_text() -> None:
    m = _cohort()
    alts, _, notes, _ = patient_alterations(m, "P1")
    got = alts.set_index("label")
    assert set(got.index) == {"MSI-high", "TMB-high"} and got.loc["TMB-high", "value"] == 52.0
    assert (got["layer"] == "biomarker").all() and any("genome-wide" in n for n in notes)
    assert patient_alterations(m, "P2")[0].empty  # MSS, TMB-low: nothing actionable
    p3 = patient_alterations(m, "P3")[0]
    assert p3["label"].tolist() == ["MSI-high"] and "MSI_status" in p3["source_text"].iloc[0]


def test_msi_high_offers_pembrolizumab(tmp_path) -> None:
    res = interpret_patient(_cohort(), "P1", tumour_type="colorectal cancer", kb=tmp_path / "kb.duckdb")
    top = res.options.iloc[0]
    assert top["therapy"] == "pembrolizumab" and top["tier"] == "I-A"

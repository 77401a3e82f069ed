from __future__ import annotations

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd

from oncoresist.interpret import Thresholds, patient_alterations


def test_layers_are_called(cohort) -> None:
    a, bad, notes, hgvsc = patient_alterations(cohort, "P1")
    assert a["label"].tolist() == ["EGFR L858R", "EGFR T790M", "MET amplification"]
    assert a.loc[a["label"] == "MET amplification", "evidence_text"].item() == "log2 +2.20"
    assert hgvsc["EGFR|mutation|T790M|"] == "c.2369C>T" and bad.empty
    a5, _, _, _ = patient_alterations(cohort, "P5")
    assert set(a5["label"]) == {"ABCB1 overexpression", "ABCB1 promoter hypomethylation"}
    a6, _, _, _ = patient_alterations(cohort, "P6")
    assert set(a6["label"]) == {"MGMT underexpression", "MGMT promoter hypermethylation"}
    a7, _, _, _ = patient_alterations(cohort, "P7")
    assert a7["label"].tolist() == ["CDKN2A deletion"]
    a8, bad8, _, _ = patient_alterations(cohort, "P8")
    assert a8.empty and bad8.empty


def test_bad_variants_reported_rest_interpreted(cohort) -> None:
    a, bad, notes, _ = patient_alterations(cohort, "P4")
    assert a["label"].tolist() == ["PTEN mutation"]  # unparseable change kept as gene-level
    reasons = " | ".join(bad["reason"])
    assert "unknown gene symbol" in reasons and "variant not understood" in reasons
    assert any("silent" in n for n in notes)


def test_thresholds_and_gene_restriction(cohort) -> None:
    a, _, notes, _ = patient_alterations(cohort, "P1", thresholds=Thresholds(amp_log2=3.0))
    assert "MET amplification" not in set(a["label"])
    a, _, _, _ = patient_alterations(cohort, "P5", genes={"MGMT"})
    assert a.empty


def test_cnv_calls_and_fusions_and_binary_only_mut() -> None:
    idx = [f"S{i}" for i in range(12)]
    cnv = ad.AnnData(np.zeros((12, 2)), obs=pd.DataFrame(index=idx), var=pd.DataFrame(index=["ERBB2", "PTEN"]))
    cnv.X[0] = [2, -2]
    cnv.uns["cnv"] = {"values": "calls"}
    mut = ad.AnnData(np.zeros((12, 1)), obs=pd.DataFrame(index=idx), var=pd.DataFrame(index=["KRAS"]))
    mut.X[0, 0] = 1
    m = md.MuData({"cnv": cnv, "mut": mut})
    m.uns["fusions"] = pd.DataFrame({"sample": ["S0", "S0"], "fusion": ["EML4-ALK", "??"]})
    a, bad, notes, _ = patient_alterations(m, "S0")
    assert set(a["label"]) == {"ERBB2 amplification", "PTEN deletion", "KRAS mutation", "EML4::ALK fusion"}
    assert len(bad) == 1 and any("no variant table" in n for n in notes)

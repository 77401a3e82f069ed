from __future__ import annotations

import json

import pandas as pd
import pytest

from oncoresist import InputError
from oncoresist.interpret import interpret_alterations, interpret_patient
from oncoresist.kb import open_kb


def test_t790m_and_met_alerts_with_alternatives_and_combinations(cohort, kb_file) -> None:
    res = interpret_patient(cohort, "P1", kb=kb_file)  # therapy 'erlotinib' from obs
    assert res.therapy == ["erlotinib"] and res.disease == "lung cancer"
    al = res.alerts.set_index("alteration")
    assert al.loc["EGFR T790M", "drug"] == "erlotinib" and al.loc["EGFR T790M", "mechanism"] == "on-target mutation"
    assert al.loc["EGFR T790M", "tier"] == "I-B" and "osimertinib" in al.loc["EGFR T790M", "alternatives"]
    assert al.loc["MET amplification", "mechanism"] == "bypass signalling"
    # gefitinib + capmatinib addresses MET only: with T790M its gefitinib is resisted, so it is not offered
    assert "gefitinib + capmatinib" not in al.loc["MET amplification", "combinations"]
    assert al.loc["EGFR T790M", "ex_vivo"].endswith("(resistant)") and bool(al["current"].all())
    assert res.options["therapy"].iloc[0] == "osimertinib"
    assert "erlotinib" not in set(res.options["therapy"])
    rex = res.resistance_expected.set_index("drug")
    assert rex.loc["erlotinib", "current"] and "EGFR T790M" in rex.loc["erlotinib", "reason"]
    scr = res.screen.set_index("drug")
    assert scr.loc["erlotinib", "call"] == "resistant" and scr.loc["osimertinib", "concordance"] == "concordant"
    assert scr.loc["gefitinib + capmatinib", "kb_direction"] == "sensitivity"
    assert res.kb["sources"]["core"] and res.summary()["n_alerts"] == len(res.alerts)


def test_tumour_type_decides_tier(cohort, kb_file) -> None:
    crc = interpret_patient(cohort, "P2", kb=kb_file)  # colorectal
    row = crc.alerts[crc.alerts["drug"] == "cetuximab"].iloc[0]
    assert (row["alteration"], row["tier"]) == ("KRAS G12D", "I-A")
    lung = interpret_patient(cohort, "P2", kb=kb_file, tumour_type="lung adenocarcinoma")
    assert lung.alerts.set_index("drug").loc["cetuximab", "tier"] == "II-C"


def test_every_layer_contributes(cohort, kb_file) -> None:
    p5 = interpret_patient(cohort, "P5", kb=kb_file)
    pac = p5.alerts.set_index("drug").loc["paclitaxel"]
    assert pac["mechanism"] == "drug efflux" and "ABCB1" in pac["alteration"]
    p6 = interpret_patient(cohort, "P6", kb=kb_file)  # glioblastoma
    tmz = p6.options.set_index("therapy").loc["temozolomide"]
    assert tmz["tier"] == "I-A" and "MGMT promoter hypermethylation" in tmz["alterations"]
    p3 = interpret_patient(cohort, "P3", kb=kb_file)  # ovarian, BRCA1 frameshift
    assert p3.options.set_index("therapy").loc["olaparib", "tier"] == "I-A"
    assert any("reversion" in n for n in p3.notes)


def test_bad_input_reported_rest_interpreted(cohort, kb_file) -> None:
    res = interpret_patient(cohort, "P1", kb=kb_file, tumour_type="martian cancer", therapy="erlotinib + unobtainium")
    reasons = " | ".join(res.not_understood["reason"])
    assert "unknown tumour type" in reasons and "unknown drug name" in reasons
    assert res.disease is None and not res.evidence["tier"].str.startswith("I-").any()
    assert len(res.alerts) >= 1  # the rest is still interpreted
    p4 = interpret_patient(cohort, "P4", kb=kb_file)
    assert "unknown gene symbol" in " ".join(p4.not_understood["reason"])


def test_empty_patient_and_unknown_patient(cohort, kb_file) -> None:
    res = interpret_patient(cohort, "P8", kb=kb_file)
    assert res.alterations.empty and res.evidence.empty and res.alerts.empty
    assert "no alteration" in " ".join(res.not_understood["reason"])
    with pytest.raises(InputError, match="P1"):
        interpret_patient(cohort, "P01", kb=kb_file)


def test_predictions_associations_and_targets(cohort, kb_file) -> None:
    preds = pd.DataFrame({"osimertinib": [0.1] * 30, "gefitinib": [0.9] * 30}, index=[f"P{i}" for i in range(1, 31)])
    preds.loc["P1", "osimertinib"] = 0.05
    assoc = pd.DataFrame({"target": ["osimertinib"], "layer": ["mut"], "feature": ["EGFR"], "fdr": [0.01], "direction": ["sensitivity"]})
    res = interpret_patient(cohort, "P1", kb=kb_file, predictions=preds, associations=assoc)
    assert res.predictions.set_index("drug").loc["osimertinib", "percentile"] == 0
    t = res.targets.set_index("gene")
    assert t.loc["EGFR", "association"] == pytest.approx(0.99) and "osimertinib" in t.loc["EGFR", "association_drug"]
    assert 0 < t.loc["EGFR", "score"] <= 1 and t.loc["EGFR", "evidence"] == 1.0
    no_assoc = interpret_patient(cohort, "P1", kb=kb_file)
    assert pd.isna(no_assoc.targets.set_index("gene").loc["EGFR", "association"])
    assert no_assoc.options.set_index("therapy").loc["osimertinib", "ex_vivo_percentile"] < 10


def test_write_tables(cohort, kb_file, tmp_path) -> None:
    res = interpret_patient(cohort, "P1", kb=kb_file)
    d = res.write(tmp_path / "out")
    for name in ("alterations", "evidence", "alerts", "options", "targets", "screen", "not_understood"):
        assert (d / f"{name}.csv").exists()
    summary = json.loads((d / "summary.json").read_text())
    assert summary["patient"] == "P1" and summary["kb"]["version"]


def test_interpret_alterations_list_and_table(kb_file) -> None:
    res = interpret_alterations(["EGFR L858R", "EGFR T790M", "FOO1 V600E", "EGFR blah"], tumour_type="NSCLC", kb=kb_file, therapy="gefitinib")
    assert res.alerts.iloc[0][["drug", "alteration"]].tolist() == ["gefitinib", "EGFR T790M"]
    # FOO1 is a valid symbol the KB does not know: no evidence, not an error
    assert len(res.not_understood) == 1 and res.options["therapy"].iloc[0] == "osimertinib"
    assert "FOO1 V600E" in set(res.alterations["label"]) and any("FOO1" in n for n in res.notes)
    table = pd.DataFrame({"sample": ["T1", "T1", "T2"], "gene": ["KRAS", "TP53", "BRAF"], "protein_change": ["p.G12V", "p.R175H", "p.V600E"], "variant_class": ["Missense_Mutation"] * 3})
    res2 = interpret_alterations(table, tumour_type="colorectal cancer", kb=kb_file, patient="T1")
    assert set(res2.alterations["label"]) == {"KRAS G12V", "TP53 R175H"}
    assert "cetuximab" in set(res2.alerts["drug"])
    with open_kb(kb_file) as kb:  # an open KB object is reused, not closed
        interpret_alterations(["BRAF V600E"], tumour_type="melanoma", kb=kb)
        assert kb.info()["n_evidence"] > 0
    with pytest.raises(InputError):
        interpret_alterations(pd.DataFrame({"x": [1]}), kb=kb_file)


def test_wild_type_evidence_goes_to_options_not_alerts(cohort, tmp_path) -> None:
    from oncoresist.kb import build_kb

    kbp = build_kb(tmp_path / "kb.duckdb")
    civic = tmp_path / "ClinicalEvidenceSummaries.tsv"
    pd.DataFrame({
        "molecular_profile": ["KRAS Wildtype", "EGFR Wildtype"], "disease": ["Colorectal Cancer", "Colorectal Cancer"],
        "therapies": ["Cetuximab", "Gefitinib"], "therapy_interaction_type": [None, None],
        "evidence_type": ["Predictive", "Predictive"], "evidence_direction": ["Supports", "Supports"],
        "evidence_level": ["B", "C"], "significance": ["Sensitivity/Response", "Resistance"], "citation_id": ["1", "2"],
        "source_type": ["PubMed", "PubMed"], "evidence_id": [1, 2], "evidence_statement": ["a", "b"],
    }).to_csv(civic, sep="\t", index=False)  # fmt: skip
    with open_kb(kbp, read_only=False) as kb:
        kb.import_civic(civic)
    res = interpret_patient(cohort, "P9", kb=kbp, tumour_type="colorectal cancer")  # KRAS not mutated
    wt = res.evidence[res.evidence["wildtype_only"]]
    assert set(wt["therapy"]) == {"cetuximab", "gefitinib"}
    assert set(wt["mechanism"]) == {"gene not altered (wild-type)"}
    assert "cetuximab" in set(res.options["therapy"]) and "gefitinib" not in set(res.alerts.get("drug", []))
    mutant = interpret_patient(cohort, "P2", kb=kbp, tumour_type="colorectal cancer")  # KRAS G12D
    assert not mutant.evidence["biomarker"].eq("KRAS Wildtype").any()

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from oncoresist import InputError
from oncoresist.kb import build_kb, open_kb, read_civic

NIGHTLY = {
    "molecular_profile": ["EGFR T790M", "BCR::ABL1 Fusion AND ABL1 T315I", "KRAS G12/G13", "EGFR L858R", "MET Amplification AND NOT KRAS Mutation", "TP53 Mutation", "EGFR T790M", "FLT3 TKD MUTATION"],
    "disease": ["Lung Non-small Cell Carcinoma", "Chronic Myeloid Leukemia", "Colorectal Cancer", "Lung Adenocarcinoma", "Colorectal Cancer", "Breast Cancer", "Lung Non-small Cell Carcinoma", "Acute Myeloid Leukemia"],
    "therapies": ["Erlotinib", "Imatinib Mesylate", "Cetuximab,Panitumumab", "Gefitinib", "Cetuximab", None, "Osimertinib", "Midostaurin"],
    "therapy_interaction_type": [None, None, "Substitutes", None, None, None, None, None],
    "evidence_type": ["Predictive", "Predictive", "Predictive", "Predictive", "Predictive", "Prognostic", "Predictive", "Predictive"],
    "evidence_direction": ["Supports", "Supports", "Supports", "Does Not Support", "Supports", "Supports", "Supports", "Supports"],
    "evidence_level": ["A", "B", "B", "B", "C", "B", "A", "C"],
    "significance": ["Resistance", "Resistance", "Resistance", "Sensitivity/Response", "Resistance", "Poor Outcome", "Sensitivity/Response", "Sensitivity/Response"],
    "citation_id": ["15737014", "20537386", "15696205", "1", "2", "3", "27959700", "4"],
    "source_type": ["PubMed"] * 8,
    "citation": ["Pao et al., 2005", "An et al., 2010", "Pao et al., 2005", "x", "y", "z", "Mok et al., 2017", "w"],
    "evidence_id": [238, 202, 30, 5, 1971, 6, 1663, 248],
    "evidence_statement": ["T790M resistance."] * 8,
    "evidence_status": ["accepted"] * 8,
    "last_review_date": ["2024-01-02 10:00:00 UTC"] * 8,
}


def _write(tmp_path: Path, data: dict, name: str, sep: str = "\t") -> Path:
    p = tmp_path / name
    pd.DataFrame(data).to_csv(p, sep=sep, index=False)
    return p


def test_nightly_layout_kept_and_dropped(tmp_path: Path) -> None:
    items, rep = read_civic(_write(tmp_path, NIGHTLY, "ClinicalEvidenceSummaries.tsv"))
    assert rep.n_items == 8 and rep.n_kept == 4 and rep.n_dropped == 4
    assert rep.dropped == {
        "evidence does not support the significance": 1,
        "profile uses NOT (absence of an alteration)": 1,
        "not predictive (diagnostic / prognostic / predisposing / oncogenic / functional)": 1,
        "variant not understood": 1,
    }
    assert rep.version == "reviewed-to-2024-01-02"
    row = items.set_index("source_id").loc["EID202"]
    assert [[a.label for a in c] for c in row["clauses"]] == [["BCR::ABL1 fusion", "ABL1 T315I"]]
    assert items.set_index("source_id").loc["EID30", "interaction"] == "substitutes"
    assert items.set_index("source_id").loc["EID238", "citation"] == "PMID:15737014"
    assert "dropped" in rep.summary()


def test_legacy_and_pharmoncox_layouts(tmp_path: Path) -> None:
    legacy = {
        "gene": ["EGFR", "KRAS"], "variant": ["T790M", "G12D"], "disease": ["Lung Cancer", "Colorectal Cancer"],
        "drugs": ["Gefitinib", "Cetuximab"], "drug_interaction_type": [None, None], "evidence_type": ["Predictive", "Predictive"],
        "evidence_direction": ["Supports", "Supports"], "evidence_level": ["B", "B"],
        "clinical_significance": ["Resistance", "Resistance"], "citation_id": ["15728811", "16618717"],
        "evidence_id": [239, 99], "evidence_statement": ["a", "b"],
    }  # fmt: skip
    items, rep = read_civic(_write(tmp_path, legacy, "civic_2019.tsv"))
    assert rep.n_kept == 2 and rep.version == "undated"
    pox = {
        "evidence_id": ["EID1", "EID1", "EID2", "EID3", "EID3"],
        "symbol": ["BCR-ABL", "BCR-ABL", "KRAS", "EML4-ALK", "EML4-ALK"],
        "variant": ["T315I", "p.T315I", "G12/G13", None, None],
        "alteration_type": ["TRANSLOCATION_FUSION_MUT", "TRANSLOCATION_FUSION_MUT", "CODON", "TRANSLOCATION_FUSION", "TRANSLOCATION_FUSION"],
        "therapeutic_context": ["Imatinib", "Imatinib", "Cetuximab", "Crizotinib", "Crizotinib"],
        "cancer_type": ["Chronic Myeloid Leukemia"] * 2 + ["Colorectal Cancer"] + ["Lung Non-small Cell Carcinoma"] * 2,
        "evidence_type": ["Predictive"] * 5, "evidence_level": ["B: Clinical evidence"] * 2 + ["A: Validated"] + ["C: Case study"] * 2,
        "evidence_direction": ["Supports"] * 5, "clinical_significance": ["Resistance"] * 3 + ["Sensitivity/Response"] * 2,
        "citation_id": [1, 1, 2, 3, 3], "evidence_description": ["x"] * 5,
    }  # fmt: skip
    items, rep = read_civic(_write(tmp_path, pox, "civic_evidence_20220602.csv", sep=","))
    assert rep.n_rows == 5 and rep.n_items == 3 and rep.n_kept == 3 and rep.version == "2022-06-02"
    by = items.set_index("source_id")
    assert [a.label for a in by.loc["EID1", "clauses"][0]] == ["BCR::ABL1 fusion", "ABL1 T315I"]
    assert [[a.label for a in c] for c in by.loc["EID2", "clauses"]] == [["KRAS G12"], ["KRAS G13"]]
    assert by.loc["EID1", "level"] == "B"


def test_not_a_civic_file(tmp_path: Path) -> None:
    p = _write(tmp_path, {"a": [1], "b": [2]}, "x.tsv")
    with pytest.raises(InputError, match="not a CIViC evidence file"):
        read_civic(p)


def test_import_into_kb_replaces_and_versions(tmp_path: Path) -> None:
    kbp = build_kb(tmp_path / "kb.duckdb")
    f = _write(tmp_path, NIGHTLY, "ClinicalEvidenceSummaries.tsv")
    with open_kb(kbp) as kb:
        v0 = kb.version
    with open_kb(kbp, read_only=False) as kb:
        rep = kb.import_civic(f)
        v1 = kb.version
        n1 = kb.info()["by_source"]["civic"]
        kb.import_civic(f)  # idempotent
        assert kb.info()["by_source"]["civic"] == n1 == rep.n_kept
        res = kb.query(alteration="ABL1 T315I", drug="imatinib", source="civic")
        assert res["requires"].tolist() == ["BCR::ABL1 fusion"]
        assert kb.vocab.resolve_drug("Imatinib Mesylate") == "imatinib"
    assert v1 != v0
    with open_kb(kbp) as kb:
        assert kb.info()["sources"]["civic"] == "reviewed-to-2024-01-02"


# -------------------------------------------------------------------------------- real data
CHECKS = [
    ("EGFR T790M", "gefitinib", "resistance"),
    ("EGFR T790M", "erlotinib", "resistance"),
    ("KRAS G12D", "cetuximab", "resistance"),
    ("KRAS G13D", "cetuximab", "resistance"),
    ("ABL1 T315I", "imatinib", "resistance"),
    ("BRAF V600E", "vemurafenib", "sensitivity"),
]


@pytest.fixture(scope="module")
def civic_kb(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    p = build_kb(tmp_path_factory.mktemp("civic") / "kb.duckdb")
    with open_kb(p, read_only=False) as kb:
        rep = kb.import_civic(shared_data / "civic" / "civic_evidence_20220602.csv.gz")
    assert rep.n_items == 3441 and rep.n_kept > 1700
    assert rep.dropped["not predictive (diagnostic / prognostic / predisposing / oncogenic / functional)"] == 1260
    return p


@pytest.mark.realdata
@pytest.mark.parametrize(("alteration", "drug", "direction"), CHECKS)
def test_civic_2022_real_checks(civic_kb: Path, alteration: str, drug: str, direction: str) -> None:
    with open_kb(civic_kb) as kb:
        res = kb.query(alteration=alteration, drug=drug, source="civic")
    exact = res[res["match"].isin(["exact", "codon"])]
    counts = exact["direction"].value_counts()
    assert counts.get(direction, 0) >= 1
    assert counts.get(direction, 0) > counts.drop(direction, errors="ignore").sum(), counts.to_dict()


@pytest.mark.realdata
def test_civic_nightly_2025_real_file(shared_data: Path, tmp_path: Path) -> None:
    items, rep = read_civic(shared_data / "civic" / "civic_evidence_items_2025.tsv.gz")
    assert rep.n_items == 4745 and rep.n_kept > 2200
    assert rep.dropped["profile uses NOT (absence of an alteration)"] == 3
    assert rep.dropped["variant not understood"] < 100
    t315i = items[items["profile"] == "BCR::ABL1 Fusion AND ABL1 T315I"]
    assert (t315i["direction"] == "resistance").sum() > 10

from __future__ import annotations

import re

import pytest

from oncoresist.kb import load_curated_core
from oncoresist.kb._vocab import shipped_table, split_generation


@pytest.fixture(scope="module")
def core():
    return load_curated_core()


def test_every_row_cited_and_parsed(core) -> None:
    assert core["evidence_id"].is_unique
    assert core["citation"].str.match(r"^(PMID:\d{6,9}|DOI:10\.\d{4,9}/\S+)$").all()
    assert core["clauses"].map(len).gt(0).all()
    assert set(core["level"]) <= set("ABCDE")
    assert set(core["direction"]) == {"sensitivity", "resistance"}
    assert core["summary"].str.len().gt(30).all()


def test_drugs_and_diseases_of_the_core_are_in_the_vocabularies(core) -> None:
    drugs = shipped_table("drugs")
    names = set(drugs["name"])
    classes = set(drugs["drug_class"])
    for names_ in core["therapy_names"]:
        for n in names_:
            if n.startswith("class:"):
                base, gen = split_generation(n[6:])
                assert base in classes, n
                if gen:  # a class generation must have members of that generation
                    members = drugs[(drugs["drug_class"] == base) & (drugs["generation"].astype(str) == gen)]
                    assert len(members) > 0, n
            else:
                assert n in names, n
    diseases = shipped_table("diseases")
    assert set(core["disease_raw"]) <= set(diseases["name"])
    assert set(diseases["parent"]) - {""} <= set(diseases["name"])


# The resistance mechanisms the field's reviews name (the list) must all be present.
REQUIRED = [
    ("EGFR T790M", "gefitinib", "resistance"),
    ("EGFR T790M", "erlotinib", "resistance"),
    ("EGFR T790M", "osimertinib", "sensitivity"),
    ("EGFR C797S", "osimertinib", "resistance"),
    ("MET amplification", "gefitinib", "resistance"),
    ("MET amplification", "gefitinib + capmatinib", "sensitivity"),
    ("ERBB2 amplification", "erlotinib", "resistance"),
    ("ALK L1196M", "crizotinib", "resistance"),
    ("ALK G1202R", "alectinib", "resistance"),
    ("ABL1 T315I", "imatinib", "resistance"),
    ("ABL1 T315I", "ponatinib", "sensitivity"),
    ("BRAF V600E", "vemurafenib", "sensitivity"),
    ("NRAS Q61K", "vemurafenib", "resistance"),
    ("MAP2K1 C121S", "vemurafenib", "resistance"),
    ("KRAS G12", "cetuximab", "resistance"),
    ("KRAS mutation", "panitumumab", "resistance"),
    ("NRAS mutation", "panitumumab", "resistance"),
    ("ESR1 Y537S", "class:aromatase inhibitor", "resistance"),
    ("PTEN loss", "trastuzumab", "resistance"),
    ("BRCA1 loss", "olaparib", "sensitivity"),
    ("BRCA2 reversion", "olaparib", "resistance"),
    ("ERCC1 overexpression", "cisplatin", "resistance"),
    ("TUBB3 overexpression", "paclitaxel", "resistance"),
    ("ABCB1 overexpression", "paclitaxel", "resistance"),
    ("ABCC1 overexpression", "doxorubicin", "resistance"),
    ("ABCG2 overexpression", "mitoxantrone", "resistance"),
    ("MGMT promoter hypermethylation", "temozolomide", "sensitivity"),
    ("RB1 loss", "class:CDK4/6 inhibitor", "resistance"),
    ("ABL1 T315I", "asciminib", "sensitivity"),
    ("ABL1 T315I", "class:BCR-ABL1 tyrosine kinase inhibitor (2nd generation)", "resistance"),
    ("ABL1 F317L", "dasatinib", "resistance"),
    ("ABL1 Y253H", "nilotinib", "resistance"),
    ("ALK G1202R", "lorlatinib", "sensitivity"),
    ("ROS1 G2032R", "crizotinib", "resistance"),
    ("EGFR T790M", "class:EGFR tyrosine kinase inhibitor (1st generation)", "resistance"),
    ("MET amplification", "osimertinib", "resistance"),
    ("FLT3 D835", "quizartinib", "resistance"),
    ("FLT3 F691L", "gilteritinib", "resistance"),
    ("KIT D816V", "imatinib", "resistance"),
    ("PDGFRA D842V", "imatinib", "resistance"),
    ("PDGFRA D842V", "avapritinib", "sensitivity"),
    ("BTK C481S", "ibrutinib", "resistance"),
    ("PLCG2 R665W", "ibrutinib", "resistance"),
    ("BTK C481S", "pirtobrutinib", "sensitivity"),
    ("AR V7 splice variant expression", "enzalutamide", "resistance"),
    ("AR T878A", "abiraterone", "resistance"),
    ("AR amplification", "abiraterone", "resistance"),
    ("MAP2K1 mutation", "class:BRAF inhibitor", "resistance"),
    ("EGFR S492R", "cetuximab", "resistance"),
    ("BRCA1 reversion", "rucaparib", "resistance"),
    ("BRCA1 reversion", "class:platinum compound", "resistance"),
    ("ABCB1 overexpression", "class:taxane", "resistance"),
    ("KRAS Y96D", "adagrasib", "resistance"),
    ("KRAS Y96D", "sotorasib", "resistance"),
]


@pytest.mark.parametrize(("biomarker", "therapy", "direction"), REQUIRED)
def test_required_mechanisms_present(core, biomarker: str, therapy: str, direction: str) -> None:
    labels = core["clauses"].map(lambda cs: {a.label for c in cs for a in c})
    therapies = core["therapy_names"].map(lambda t: " + ".join(t))
    hit = core[labels.map(lambda s: biomarker in s) & (therapies == therapy) & (core["direction"] == direction)]
    assert len(hit) >= 1, (biomarker, therapy, direction)
    assert all(re.match(r"^(PMID|DOI):", c) for c in hit["citation"])

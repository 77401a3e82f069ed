"""Every resistance fact class of the curated core is found for a synthetic patient carrying it.

Each case: the patient's alterations and tumour type, drugs that must be listed under
``resistance_expected`` and drugs that must stay options (the active next-line drug). For every
case no resisted drug is offered as an option, a combination member or an alternative.
"""

from __future__ import annotations

import re

import pytest

from oncoresist.interpret import interpret_alterations
from oncoresist.kb import parse_alteration

CASES = [
    # (alterations, tumour type, resisted, offered)
    (["BCR::ABL1 fusion", "ABL1 T315I"], "CML", {"imatinib", "dasatinib", "nilotinib", "bosutinib"}, {"ponatinib", "asciminib"}),
    (["BCR::ABL1 fusion", "ABL1 F317L"], "CML", {"dasatinib"}, {"imatinib"}),
    (["BCR::ABL1 fusion", "ABL1 Y253H"], "CML", {"nilotinib"}, set()),
    (["EGFR L858R", "EGFR T790M"], "NSCLC", {"gefitinib", "erlotinib", "afatinib", "icotinib", "dacomitinib"}, {"osimertinib"}),
    (["EGFR L858R", "EGFR C797S"], "NSCLC", {"osimertinib", "lazertinib"}, {"gefitinib"}),
    (["EML4::ALK fusion", "ALK G1202R"], "NSCLC", {"crizotinib", "alectinib", "ceritinib"}, {"lorlatinib"}),
    (["EML4::ALK fusion", "ALK L1196M"], "NSCLC", {"crizotinib"}, {"lorlatinib"}),
    (["CD74::ROS1 fusion", "ROS1 G2032R"], "NSCLC", {"crizotinib"}, {"repotrectinib"}),
    (["FLT3 ITD", "FLT3 D835Y"], "AML", {"quizartinib"}, {"gilteritinib"}),
    (["FLT3 ITD", "FLT3 F691L"], "AML", {"quizartinib", "gilteritinib"}, set()),
    (["KIT D816V"], "systemic mastocytosis", {"imatinib"}, {"midostaurin"}),
    (["PDGFRA D842V"], "GIST", {"imatinib"}, {"avapritinib"}),
    (["BTK C481S"], "CLL", {"ibrutinib", "acalabrutinib", "zanubrutinib"}, {"pirtobrutinib"}),
    (["PLCG2 R665W"], "CLL", {"ibrutinib"}, set()),
    (["ESR1 D538G"], "ER-positive breast cancer", {"letrozole", "anastrozole", "exemestane"}, {"elacestrant"}),
    (["AR-V7"], "castration-resistant prostate cancer", {"enzalutamide", "abiraterone"}, set()),
    (["AR T878A"], "prostate cancer", {"abiraterone"}, set()),
    (["AR amplification"], "prostate cancer", {"abiraterone"}, set()),
    (["BRAF V600E", "NRAS Q61K"], "melanoma", {"vemurafenib", "dabrafenib", "encorafenib"}, set()),
    (["KRAS G12D"], "colorectal cancer", {"cetuximab", "panitumumab"}, set()),
    (["EGFR S492R"], "colorectal cancer", {"cetuximab"}, {"panitumumab"}),
    (["BRCA2 loss", "BRCA2 reversion"], "ovarian cancer", {"rucaparib", "cisplatin", "carboplatin"}, set()),
    (["ABCB1 overexpression"], "breast cancer", {"paclitaxel", "docetaxel", "doxorubicin", "vincristine"}, set()),
    (["KRAS G12C", "KRAS Y96D"], "NSCLC", {"adagrasib", "sotorasib"}, set()),
    (["KRAS G12C"], "NSCLC", set(), {"sotorasib", "adagrasib"}),
    (["ERBB2 amplification", "PTEN loss"], "HER2-positive breast cancer", {"trastuzumab"}, set()),
    (["RB1 loss"], "ER-positive breast cancer", {"palbociclib", "ribociclib", "abemaciclib"}, set()),
]


def _offered(res) -> set[str]:  # noqa: ANN001
    """Single drugs of the options and of class options' member lists."""
    out: set[str] = set()
    for t in res.options["therapy"]:
        t = str(t)
        if ": " in t:
            out |= set(t.split(": ", 1)[1].split(", "))
        elif " + " not in t:
            out.add(t)
    return out


def _never_offered(res) -> None:  # noqa: ANN001
    """No resisted drug is an option, an unaddressed combination member or an alternative."""
    rex = res.resistance_expected
    resisted = dict(zip(rex["drug"], rex["alteration"]))
    assert not set(resisted) & _offered(res)
    for o in res.options.itertuples(index=False):
        parts = str(o.therapy).split(" + ")
        if len(parts) > 1:
            addressed = set(str(o.alterations).split("; "))
            assert not [p for p in parts if p in resisted and not set(resisted[p].split("; ")) <= addressed], o.therapy
    for a in res.alerts["alternatives"]:
        names = {re.sub(r" \([^)]*\)$", "", x) for x in str(a).split("; ") if x}
        assert not names & set(resisted), a


@pytest.mark.parametrize(("alterations", "tumour", "resisted", "offered"), CASES, ids=lambda v: "+".join(v) if isinstance(v, list) else None)
def test_curated_fact_found_for_a_carrier(kb_file, alterations, tumour, resisted, offered) -> None:
    res = interpret_alterations(alterations, tumour_type=tumour, kb=kb_file)
    assert res.not_understood.empty, res.not_understood
    rex = set(res.resistance_expected["drug"])
    assert resisted <= rex, (alterations, resisted - rex)
    assert not offered & rex, (alterations, offered & rex)
    assert offered <= _offered(res), (alterations, offered - _offered(res))
    _never_offered(res)
    for r in res.resistance_expected.itertuples(index=False):
        if r.drug in resisted:
            assert r.citations and re.search(r"(PMID|DOI):", r.citations), r


def test_t315i_imatinib_resisted_ponatinib_not_flagged(kb_file) -> None:
    res = interpret_alterations(["BCR::ABL1 fusion", "ABL1 T315I"], tumour_type="chronic myeloid leukemia", kb=kb_file)
    rex = res.resistance_expected.set_index("drug")
    assert rex.loc["imatinib", "alteration"] == "ABL1 T315I" and rex.loc["imatinib", "on_label"]
    assert rex.loc["imatinib", "how"] == "direct"
    # the 2nd-generation inhibitors are resisted; bosutinib / dasatinib / nilotinib all by direct evidence or the ELN class row
    assert {"dasatinib", "nilotinib", "bosutinib"} <= set(rex.index)
    assert "ponatinib" not in rex.index and "asciminib" not in rex.index
    opts = res.options.set_index("therapy")
    assert opts.loc["ponatinib", "tier"] == "I-A" and res.options["therapy"].iloc[0] == "ponatinib"
    assert "imatinib" not in set(res.options["therapy"])
    # the secondary variant overrules the fusion's sensitivity evidence for imatinib, and says so
    assert "BCR::ABL1 fusion" in rex.loc["imatinib", "outranks"]


def test_secondary_variant_needs_a_shared_gene(kb_file) -> None:
    """A resistance variant of another gene does not overrule a driver's stronger sensitivity evidence."""
    res = interpret_alterations(["BRAF V600E", "MAP2K1 C121S"], tumour_type="melanoma", kb=kb_file)
    assert "vemurafenib" in set(res.options["therapy"])  # MAP2K1 C121S (level C) vs BRAF V600E (level A)
    opts = res.options.set_index("therapy")
    assert "MAP2K1 C121S" in opts.loc["vemurafenib", "conflicts"]
    _never_offered(res)


def test_ar_v7_is_an_isoform_not_a_fusion() -> None:
    for text in ("AR-V7", "AR V7", "AR-V7 positive", "AR V7 splice variant expression"):
        a = parse_alteration(text)
        assert (a.gene, a.kind, a.alteration) == ("AR", "expression", "V7 splice variant expression"), text
    assert parse_alteration("AR-V7", gene="AR").label == "AR V7 splice variant expression"
    assert parse_alteration("BCR-ABL1").kind == "fusion"  # other hyphenated pairs stay fusions


@pytest.mark.slow
def test_real_sources_keep_the_curated_calls(shared_data, tmp_path) -> None:
    """With CIViC 2025 and MOAlmanac imported, the curated calls hold and nothing resisted is offered."""
    from oncoresist.kb import build_kb, open_kb

    civic = shared_data / "civic" / "civic_evidence_items_2025.tsv.gz"
    moa = shared_data / "moalmanac" / "molecular-oncology-almanac.json.gz"
    if not (civic.exists() and moa.exists()):
        pytest.skip(f"real-data test: {civic} or {moa} is absent")
    kbp = build_kb(tmp_path / "kb.duckdb")
    with open_kb(kbp, read_only=False) as kb:
        kb.import_civic(civic)
        kb.import_moalmanac(moa)
    for alterations, tumour, resisted, offered in (CASES[0], CASES[3], CASES[5], CASES[12]):
        res = interpret_alterations(alterations, tumour_type=tumour, kb=kbp)
        rex = set(res.resistance_expected["drug"])
        if "ABL1 T315I" in alterations:
            # MOAlmanac assertion 103 files ponatinib as resisted by T315I at guideline level (the NCCN text it
            # quotes is about other secondary variants): at a tie of tiers resistance wins, so ponatinib is
            # withheld, with the conflicting evidence named in the reason; asciminib stays an option.
            reason = res.resistance_expected.set_index("drug").loc["ponatinib", "reason"]
            assert "outranks sensitivity evidence ABL1 T315I" in reason
            offered = offered - {"ponatinib"}
        assert resisted <= rex and not offered & rex, (alterations, resisted - rex, offered & rex)
        _never_offered(res)

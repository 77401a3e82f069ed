from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from oncoresist.interpret import interpret_alterations
from oncoresist.kb import build_kb, open_kb
from oncoresist.kb._alteration import parse_signature


def test_egfr_l858r_t790m_offers_osimertinib_and_lists_resisted_tkis(kb_file) -> None:
    res = interpret_alterations(["EGFR L858R", "EGFR T790M"], tumour_type="NSCLC", kb=kb_file, therapy="gefitinib")
    opts = set(res.options["therapy"])
    assert "osimertinib" in opts and not opts & {"gefitinib", "erlotinib", "afatinib"}
    rex = res.resistance_expected.set_index("drug")
    assert {"gefitinib", "erlotinib", "afatinib"} <= set(rex.index) and "osimertinib" not in rex.index
    assert rex.loc["gefitinib", "current"] and rex.loc["gefitinib", "alteration"] == "EGFR T790M"
    assert "EGFR L858R sensitivity (I-A)" in rex.loc["gefitinib", "outranks"]
    assert not any(d in str(res.alerts["alternatives"].iloc[0]) for d in ("erlotinib", "afatinib"))
    assert res.summary()["n_resistance_expected"] == len(rex)


def test_class_names_accepted_as_therapy(kb_file) -> None:
    res = interpret_alterations(["EGFR T790M"], tumour_type="NSCLC", kb=kb_file, therapy="EGFR TKI 1st generation")
    assert set(res.therapy) == {"gefitinib", "erlotinib", "icotinib"} and res.not_understood.empty
    assert {"gefitinib", "erlotinib"} <= set(res.alerts["drug"])


def _civic(tmp_path, rows: list[dict]) -> str:
    base = {"therapy_interaction_type": None, "evidence_type": "Predictive", "evidence_direction": "Supports",
            "source_type": "PubMed", "evidence_statement": "synthetic"}  # fmt: skip
    df = pd.DataFrame([base | r | {"evidence_id": i + 1, "citation_id": str(i + 1)} for i, r in enumerate(rows)])
    p = tmp_path / "ClinicalEvidenceSummaries.tsv"
    df.to_csv(p, sep="\t", index=False)
    return str(p)


@pytest.mark.parametrize("with_class", [True, False])
def test_abl1_f317v_class_evidence_propagates_to_members(tmp_path, with_class) -> None:
    rows = [{"molecular_profile": "ABL1 F317V", "disease": "Chronic Myeloid Leukemia", "therapies": "Dasatinib",
             "evidence_level": "B", "significance": "Resistance"}]  # fmt: skip
    if with_class:
        rows.append({"molecular_profile": "ABL1 F317V", "disease": "Chronic Myeloid Leukemia",
                     "therapies": "BCR-ABL1 TKI 2nd generation", "evidence_level": "C", "significance": "Resistance"})  # fmt: skip
    kbp = build_kb(tmp_path / "kb.duckdb")
    with open_kb(kbp, read_only=False) as kb:
        kb.import_civic(_civic(tmp_path, rows))
    res = interpret_alterations(["ABL1 F317V"], tumour_type="CML", kb=kbp)
    rex = res.resistance_expected.set_index("drug")
    # the curated core's ELN row (F317L/V/I/C -> dasatinib, level A) is the strongest direct evidence
    assert rex.loc["dasatinib", "how"] == "direct" and rex.loc["dasatinib", "tier"] == "I-A"
    if with_class:
        assert rex.loc["nilotinib", "how"].startswith("inferred from class") and rex.loc["nilotinib", "tier"] == "II-D"
        assert "bosutinib" in rex.index and "imatinib" not in rex.index  # 1st generation: no class evidence
    else:  # resistance is not carried within a class by similarity
        assert "nilotinib" not in rex.index and "bosutinib" not in rex.index


def _single(ds: str) -> list[str]:
    return [] if "+" in ds or ":" in ds else [ds]


def test_no_option_or_alternative_is_resisted_property(kb_file) -> None:
    """Random alteration sets drawn from the KB's biomarkers: no option / alternative is resisted."""
    rng = np.random.default_rng(7)
    with open_kb(kb_file) as kb:
        bm = kb.con.execute("SELECT DISTINCT profile FROM evidence").df()["profile"].tolist()
    bm = [b for b in bm if " AND " not in b and " OR " not in b and "/" not in b and "wild" not in b.lower()]
    tumours = ["non-small cell lung cancer", "colorectal cancer", "melanoma", "breast cancer", "chronic myeloid leukemia"]
    for _ in range(25):
        alts = list(rng.choice(bm, size=int(rng.integers(1, 5)), replace=False))
        res = interpret_alterations(alts, tumour_type=str(rng.choice(tumours)), kb=kb_file)
        ev = res.evidence[~res.evidence["wildtype_only"].astype(bool)]
        for d in [x for t in res.options["therapy"] for x in _single(t)]:
            rows = ev[ev["drugs"].map(lambda s, d=d: d in s.split(", ")) & ev["interaction"].ne("combination")]
            sens = rows.loc[rows["direction"] == "sensitivity", "tier"].map(["I-A", "I-B", "II-C", "II-D", "III"].index)
            rs = rows.loc[rows["direction"] == "resistance", "tier"].map(["I-A", "I-B", "II-C", "II-D", "III"].index)
            assert sens.size and (rs.empty or rs.min() > sens.min() + 1), (alts, d)
        resisted = set(res.resistance_expected["drug"])
        assert not resisted & {x for t in res.options["therapy"] for x in _single(t)}
        for a in res.alerts["alternatives"]:
            assert not {x.split(" (")[0] for x in str(a).split("; ") if x} & resisted, alts


def test_tumour_type_first_off_label_marked(kb_file) -> None:
    res = interpret_alterations(["ERBB2 amplification"], tumour_type="breast cancer", kb=kb_file)
    assert res.options.iloc[0][["therapy", "tier"]].tolist() == ["trastuzumab", "I-A"] and res.options["on_label"].iloc[0]
    assert not res.alerts["on_label"].any()  # cetuximab / EGFR TKI evidence comes from other tumour types
    assert res.evidence["disease_match"].iloc[0]
    assert res.resistance_expected["reason"].str.contains("off-label").all()


def test_alteration_kinds_end_to_end(kb_file) -> None:
    assert parse_signature("MSI-High").label == "MSI-high" and parse_signature("HRD positive").label == "HRD-positive"
    res = interpret_alterations(["MSI-High", "TMB-H", "MCL1 amplification", "MITF amplification", "GLI2 amplification",
                                 "CRKL amplification", "EML4::ALK", "PTEN biallelic loss"], tumour_type="NSCLC", kb=kb_file)  # fmt: skip
    assert res.not_understood.empty
    assert {"MSI-high", "TMB-high", "EML4::ALK fusion", "PTEN loss", "MCL1 amplification"} <= set(res.alterations["label"])
    assert "crizotinib" in set(res.options["therapy"])
    alk = interpret_alterations(["ALK fusion"], tumour_type="NSCLC", kb=kb_file)
    assert "crizotinib" in set(alk.options["therapy"])


def test_msi_high_evidence_matches(tmp_path) -> None:
    kbp = build_kb(tmp_path / "kb.duckdb")
    rows = [{"molecular_profile": "MSI-High", "disease": "Colorectal Cancer", "therapies": "Pembrolizumab",
             "evidence_level": "A", "significance": "Sensitivity/Response"}]  # fmt: skip
    with open_kb(kbp, read_only=False) as kb:
        kb.import_civic(_civic(tmp_path, rows))
    res = interpret_alterations(["MSI-H"], tumour_type="colorectal cancer", kb=kbp)
    assert res.options.iloc[0][["therapy", "tier"]].tolist() == ["pembrolizumab", "I-A"]


@pytest.mark.slow
def test_real_gene_symbols_parse_and_dgidb_targets(shared_data, kb_file) -> None:
    from oncoresist.kb import parse_alteration
    from oncoresist.kb._vocab import read_dgidb

    genes = pd.read_csv(shared_data / "prior" / "grch38_genes.tsv.gz", sep="\t", dtype=str)
    sym = genes.iloc[:, 0].dropna()
    sample = sym.sample(2000, random_state=0).tolist() + ["MCL1", "MITF", "GLI2", "CRKL"]
    def fails(g: str) -> bool:
        try:
            return parse_alteration(f"{g} amplification").kind != "amplification"
        except Exception:
            return True

    failed = [g for g in sample if fails(g)]
    assert len(failed) / len(sample) < 0.01, failed[:10]
    dg = read_dgidb(shared_data / "prior" / "dgidb_2022_open_source_subset.tsv.gz")
    with open_kb(kb_file) as kb:
        n = kb.vocab.add_interactions(dg)
        assert n > 0 and all(s.startswith("DGIdb") for s in kb.vocab.target_source.values())

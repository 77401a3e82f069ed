from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from oncoresist import InputError
from oncoresist.cli import main
from oncoresist.kb import MOALMANAC_LEVELS, build_kb, open_kb, read_moalmanac
from oncoresist.kb._moalmanac import is_moalmanac


def _a(aid: int, ft: str, therapy: str = "Imatinib", *, res: object = "", sens: object = 1, level: str = "Guideline", **kw: object) -> dict:
    base = {
        "assertion_id": aid, "feature_type": ft, "therapy_name": therapy, "therapy_resistance": res,
        "therapy_sensitivity": sens, "predictive_implication": level, "disease": "Chronic Myelogenous Leukemia",
        "oncotree_term": "", "pmid": "", "doi": "", "url": "", "nct": "", "citation": "", "description": "d",
        "last_updated": "2023-11-02", "_deprecated": False,
    }  # fmt: skip
    base.update(kw)
    return base


ASSERTIONS = [
    _a(1, "Somatic Variant", "Nilotinib", res=1, sens="", gene="ABL1", protein_change="p.T315I", variant_annotation="Missense", exon=6, pmid=11423618),
    _a(2, "Copy Number", "Enzalutamide", res=1, sens="", level="Clinical evidence", gene="AR", direction="Amplification", disease="Prostate Adenocarcinoma", doi="10.1158/2159-8290.CD-15-0107"),
    _a(3, "Rearrangement", "Crizotinib", gene1="EML4", gene2="ALK", rearrangement_type="Fusion", level="FDA-Approved", url="https://www.accessdata.fda.gov/label.pdf"),
    _a(4, "Rearrangement", "Crizotinib", gene1="ROS1", gene2="", level="Clinical trial", url="javascript:alert(1)", pmid=25264305),
    _a(5, "Germline Variant", "Olaparib", gene="BRCA2", pathogenic=1, protein_change="", variant_annotation="", level="Preclinical"),
    _a(6, "Microsatellite Stability", "Pembrolizumab", status="MSI-High", level="Inferential"),
    _a(7, "Mutational Burden", "Nivolumab", classification="High"),
    _a(8, "Mutational Signature", "Olaparib", cosmic_signature="SBS3"),
    _a(9, "Knockdown", "Olaparib", gene="CDK12", technique="shRNA", level="Clinical evidence"),
    _a(10, "Aneuploidy", "Cisplatin", event="Whole genome doubling", res=1, sens=""),
    _a(11, "Somatic Variant", "", gene="TP53", protein_change="", variant_annotation="Nonsense"),
    _a(12, "Somatic Variant", "Imatinib", sens=0, gene="KIT", protein_change="p.D816V"),
    _a(13, "Somatic Variant", "Imatinib", gene="KIT", protein_change="", variant_annotation="Deletion", exon=11, _deprecated=True),
    _a(14, "Somatic Variant", "Gefitinib", gene="EGFR", protein_change="", variant_annotation="Deletion", exon=19, nct="NCT01234567"),
    _a(15, "Copy Number", "Palbociclib", res=1, sens="", gene="RB1", direction="Gain of something"),
]


def _write(tmp_path: Path, data: object, name: str = "moa.json.gz") -> Path:
    p = tmp_path / name
    raw = json.dumps(data).encode()
    p.write_bytes(gzip.compress(raw) if name.endswith(".gz") else raw)
    return p


def test_every_biomarker_kind_maps_with_levels_directions_and_sources(tmp_path: Path) -> None:
    items, rep = read_moalmanac(_write(tmp_path, ASSERTIONS))
    by = items.set_index("source_id")
    assert by.loc["MOA1", "profile"] == "ABL1 T315I" and by.loc["MOA1", "direction"] == "resistance"
    assert by.loc["MOA1", "citation"] == "PMID:11423618" and by.loc["MOA1", "url"] == "https://pubmed.ncbi.nlm.nih.gov/11423618/"
    assert by.loc["MOA2", "profile"] == "AR amplification" and by.loc["MOA2", "level"] == "C"
    assert by.loc["MOA2", "citation"] == "DOI:10.1158/2159-8290.CD-15-0107"
    assert by.loc["MOA3", "profile"] == "EML4::ALK fusion" and by.loc["MOA3", "level"] == "A"
    assert by.loc["MOA3", "url"].startswith("https://www.accessdata.fda.gov")
    # a javascript: URL is never kept; the PMID link is built instead
    assert by.loc["MOA4", "url"] == "https://pubmed.ncbi.nlm.nih.gov/25264305/" and by.loc["MOA4", "level"] == "B"
    assert by.loc["MOA4", "profile"] == "ROS1 fusion"
    assert by.loc["MOA5", "profile"] == "BRCA2 loss-of-function" and by.loc["MOA5", "variant_origin"] == "germline"
    assert by.loc["MOA5", "level"] == "D"
    assert by.loc["MOA6", "profile"] == "MSI-high" and by.loc["MOA6", "level"] == "E"
    assert by.loc["MOA7", "profile"] == "TMB-high"
    assert by.loc["MOA8", "profile"] == "SBS3"
    assert by.loc["MOA9", "profile"] == "CDK12 loss" and by.loc["MOA9", "level"] == "D"  # knockdown: preclinical
    assert by.loc["MOA10", "profile"] == "whole genome doubling"
    assert by.loc["MOA14", "profile"] == "EGFR exon 19 deletion" and by.loc["MOA14", "url"] == "https://clinicaltrials.gov/study/NCT01234567"
    assert {c[0][0].kind for c in items["clauses"]} == {"mutation", "amplification", "fusion", "deletion", "signature"}
    assert rep.n_items == 15 and rep.n_kept == 11 and rep.n_dropped == 4
    assert rep.dropped == {
        "no therapy named (prognostic / diagnostic / adverse-event assertion)": 1,
        "neither sensitivity nor resistance asserted": 1,
        "deprecated assertion": 1,
        "biomarker not understood (Copy Number)": 1,
    }
    assert rep.version == "updated-2023-11-02"
    assert read_moalmanac(_write(tmp_path, ASSERTIONS), version="7815662")[1].version == "7815662"


def test_level_map_covers_the_scale() -> None:
    assert MOALMANAC_LEVELS == {
        "fda-approved": "A", "guideline": "A", "clinical trial": "B", "clinical evidence": "C",
        "preclinical": "D", "inferential": "E",
    }  # fmt: skip


def test_damaged_files_are_refused(tmp_path: Path) -> None:
    good = _write(tmp_path, ASSERTIONS)
    cut = tmp_path / "cut.json.gz"
    cut.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    with pytest.raises(InputError, match="gzip"):
        read_moalmanac(cut)
    half = tmp_path / "half.json"
    half.write_text(json.dumps(ASSERTIONS)[:500])
    with pytest.raises(InputError, match="not valid JSON"):
        read_moalmanac(half)
    with pytest.raises(InputError, match="not a MOAlmanac release"):
        read_moalmanac(_write(tmp_path, {"a": 1}, "obj.json"))
    with pytest.raises(InputError, match="lacks feature_type"):
        read_moalmanac(_write(tmp_path, [{"assertion_id": 1, "therapy_name": "x", "predictive_implication": "Guideline", "disease": "y"}], "w.json"))
    with pytest.raises(InputError, match="repeated"):
        read_moalmanac(_write(tmp_path, [ASSERTIONS[0], ASSERTIONS[0]], "dup.json"))


def test_format_detected_from_content(tmp_path: Path) -> None:
    assert is_moalmanac(_write(tmp_path, ASSERTIONS, "release.txt"))
    tsv = tmp_path / "x.json"  # a table, whatever its name says
    tsv.write_text("evidence_id\tmolecular_profile\n1\tEGFR T790M\n")
    assert not is_moalmanac(tsv)


def test_import_is_idempotent_and_queryable(tmp_path: Path) -> None:
    kbp = build_kb(tmp_path / "kb.duckdb")
    f = _write(tmp_path, ASSERTIONS, "release.txt")
    with open_kb(kbp, read_only=False) as kb:
        rep = kb.import_file(f)
        v1, t1 = kb.version, kb.table("evidence").sort_values("evidence_id").reset_index(drop=True)
        kb.import_file(f)
        t2 = kb.table("evidence").sort_values("evidence_id").reset_index(drop=True)
        assert kb.version == v1 and t1.equals(t2) and rep.source == "moalmanac"
        res = kb.query(alteration="ABL1 T315I", drug="nilotinib", source="moalmanac")
        assert res["direction"].tolist() == ["resistance"]
        assert kb.sources().set_index("name").loc["moalmanac", "kind"] == "import:moalmanac"
    with open_kb(kbp) as kb:
        assert kb.info()["sources"]["moalmanac"] == "updated-2023-11-02"


def test_cli_import_detects_moalmanac_and_records_version(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kbp = tmp_path / "kb.duckdb"
    f = _write(tmp_path, ASSERTIONS)
    assert main(["kb", "import", str(f), "--kb", str(kbp), "--source-version", "7815662", "-q"]) == 0
    assert "imported 11 evidence items as 'moalmanac' 7815662" in capsys.readouterr().out
    assert main(["kb", "import", str(f), "--kb", str(kbp), "--format", "civic", "--name", "x", "-q"]) == 1
    assert "not a CIViC evidence file" in capsys.readouterr().err
    assert main(["kb", "import", str(f), "--kb", str(kbp), "--format", "xml"]) == 1
    assert "--format must be auto, civic or moalmanac" in capsys.readouterr().err


@pytest.mark.realdata
def test_real_moalmanac_release(shared_data: Path, tmp_path: Path) -> None:
    path = shared_data / "moalmanac" / "molecular-oncology-almanac.json.gz"
    items, rep = read_moalmanac(path)
    assert rep.n_items == 1018 and rep.n_kept > 700
    assert not any(k.startswith("biomarker not understood") for k in rep.dropped), rep.dropped
    res = items[items["direction"] == "resistance"]
    assert len(res) > 90
    kinds = {c[0][0].kind for c in items["clauses"]}
    assert {"mutation", "amplification", "deletion", "fusion", "signature"} <= kinds
    assert items["url"].map(lambda u: u == "" or u.startswith(("http://", "https://"))).all()
    assert items["citation"].map(lambda c: c == "" or c.startswith(("PMID:", "DOI:10."))).all()
    kbp = build_kb(tmp_path / "kb.duckdb")
    with open_kb(kbp, read_only=False) as kb:
        kb.import_moalmanac(path)
        q = kb.query(alteration="ABL1 F317L", drug="nilotinib", direction="resistance", source="moalmanac")
        assert len(q) >= 1 and "A" in set(q["level"])

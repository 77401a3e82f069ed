from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from oncoresist import InputError
from oncoresist.kb import (
    CORE_VERSION,
    SCHEMA_VERSION,
    build_kb,
    default_kb_path,
    load_curated_core,
    open_kb,
)


@pytest.fixture(scope="module")
def kb_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_kb(tmp_path_factory.mktemp("kb") / "kb.duckdb")


def test_build_info_sizes_and_version(kb_path: Path) -> None:
    with open_kb(kb_path) as kb:
        info = kb.info()
        core = load_curated_core()
        assert info["n_evidence"] == len(core)
        assert info["sources"] == {"core": CORE_VERSION}
        assert info["version"].startswith(f"{SCHEMA_VERSION}.")
        assert info["n_drugs"] >= 80 and info["n_diseases"] >= 50
        assert info["by_direction"]["resistance"] > 50 and info["by_direction"]["sensitivity"] > 40
        ev = kb.table("evidence")
        assert ev["citation"].str.match(r"^(PMID:\d+|DOI:10\.)").all()
        assert set(kb.sources()["name"]) == {"core"}


def test_build_refuses_to_overwrite(kb_path: Path) -> None:
    with pytest.raises(InputError, match="already exists"):
        build_kb(kb_path)


def test_default_path_env_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ONCORESIST_KB", str(tmp_path / "x.duckdb"))
    assert default_kb_path() == tmp_path / "x.duckdb"
    monkeypatch.delenv("ONCORESIST_KB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_kb_path() == tmp_path / "xdg" / "oncoresist" / "kb.duckdb"
    with open_kb() as kb:  # built on first use in the (temporary) user data dir
        assert kb.path == tmp_path / "xdg" / "oncoresist" / "kb.duckdb"
        assert kb.info()["n_evidence"] > 100


def test_query_alteration_notations_and_broader_biomarkers(kb_path: Path) -> None:
    with open_kb(kb_path) as kb:
        a = kb.query(alteration="EGFR p.Thr790Met", drug="gefitinib")
        b = kb.query(gene="EGFR", alteration="T790M", drug="Iressa")
        assert list(a["evidence_id"]) == list(b["evidence_id"]) and len(a) >= 2
        assert set(a["direction"]) == {"resistance"}
        assert a.attrs["kb"]["sources"] == {"core": CORE_VERSION}
        kras = kb.query(alteration="KRAS G12D", drug="cetuximab")
        assert set(kras["match"]) >= {"codon", "gene"} and set(kras["direction"]) == {"resistance"}
        osi = kb.query(alteration="EGFR T790M", drug="osimertinib")
        assert osi["direction"].tolist() == ["sensitivity"] and osi["level"].iloc[0] == "A"


def test_query_filters_disease_class_level_direction(kb_path: Path) -> None:
    with open_kb(kb_path) as kb:
        carbo = kb.query(gene="ERCC1", drug="carboplatin")
        cls = carbo[carbo["drug_match"] == "class"]
        assert "resistance" in set(cls["direction"]) and "platinum compound" in set(cls["drug_class"])
        lung = kb.query(gene="KRAS", disease="lung adenocarcinoma")
        assert set(lung["disease_relation"]) <= {"same", "broader", "subtype", "pan-cancer"}
        assert "colorectal cancer" not in set(lung["disease"])
        any_dis = kb.query(gene="KRAS", disease="lung adenocarcinoma", disease_match="any")
        assert len(any_dis) > len(lung)
        res = kb.query(gene="ABCB1", direction="resistance", level="C")
        assert set(res["level"]) <= {"A", "B", "C"} and len(res) >= 1
        klass = kb.query(drug="PARP inhibitor")
        assert "olaparib" in " ".join(klass["drugs"])


def test_query_bad_input(kb_path: Path) -> None:
    with open_kb(kb_path) as kb:
        with pytest.raises(InputError, match="unknown drug"):
            kb.query(gene="EGFR", drug="notadrug")
        with pytest.raises(InputError, match="unknown tumour type"):
            kb.query(gene="EGFR", disease="zzz qqq")
        with pytest.raises(InputError, match="at least one"):
            kb.query()
        with pytest.raises(InputError, match="direction"):
            kb.query(gene="EGFR", direction="up")
        assert kb.query(gene="NOTAGENE1").empty


def test_read_only_kb_refuses_import(kb_path: Path, tmp_path: Path) -> None:
    with open_kb(kb_path) as kb, pytest.raises(InputError, match="read-only"):
        kb.import_civic(tmp_path / "x.tsv")


def test_disease_hierarchy(kb_path: Path) -> None:
    with open_kb(kb_path) as kb:
        v = kb.vocab
        assert v.resolve_disease("NSCLC")[0] == "non-small cell lung cancer"
        assert v.resolve_disease("Lung Non-small Cell Carcinoma")[0] == "non-small cell lung cancer"
        assert v.resolve_disease("lung")[0] == "lung cancer"
        assert v.relation("lung adenocarcinoma", "non-small cell lung cancer") == "broader"
        assert v.relation("lung cancer", "non-small cell lung cancer") == "subtype"
        assert v.relation("lung adenocarcinoma", "cancer") == "pan-cancer"
        assert v.relation("lung adenocarcinoma", "small cell lung cancer") == "related"
        assert v.relation("lung adenocarcinoma", "colorectal cancer") == "other"
        assert v.resolve_disease("blorp")[0] is None


def test_core_reloaded_when_shipped_tables_change(tmp_path: Path) -> None:
    p = build_kb(tmp_path / "kb.duckdb")
    with open_kb(p, read_only=False) as kb:
        kb.con.execute("DELETE FROM evidence WHERE evidence_id = 'core:core-016'")
        kb.con.execute("UPDATE meta SET value = 'stale' WHERE key = 'core_sha256'")
    with open_kb(p) as kb:
        assert "core:core-016" in set(kb.table("evidence")["evidence_id"])


def test_schema_mismatch_is_reported(tmp_path: Path) -> None:
    p = build_kb(tmp_path / "kb.duckdb")
    with open_kb(p, read_only=False) as kb:
        kb.con.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    with pytest.raises(InputError, match="rebuild"):
        open_kb(p)


def test_not_a_kb_file(tmp_path: Path) -> None:
    p = tmp_path / "junk.duckdb"
    p.write_text("not a database")
    with pytest.raises(InputError):
        open_kb(p)


def test_evidence_clauses_roundtrip(kb_path: Path) -> None:
    with open_kb(kb_path) as kb:
        ev = kb.evidence(["KRAS"])
        row = ev[ev["profile"] == "KRAS G12/G13"].iloc[0]
        assert [[a.label for a in c] for c in row["clauses"]] == [["KRAS G12"], ["KRAS G13"]]
        assert isinstance(ev.attrs["kb"]["version"], str)
        assert isinstance(kb.table("drug"), pd.DataFrame)
        with pytest.raises(InputError):
            kb.table("evil; DROP TABLE x")

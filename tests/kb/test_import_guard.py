"""Regression tests for KB import reliability (issue 17)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from oncoresist import InputError
from oncoresist.cli import main
from oncoresist.kb import ImportReport, build_kb, open_kb
from oncoresist.kb._guard import MAX_DROP, check_import


def _civic(n: int, *, start: int = 1, with_id: bool = True) -> pd.DataFrame:
    genes = ["EGFR T790M", "KRAS G12D", "BRAF V600E", "ALK G1202R", "ABL1 T315I"]
    df = pd.DataFrame({
        "molecular_profile": [genes[i % len(genes)] for i in range(n)],
        "disease": ["Lung Non-small Cell Carcinoma"] * n, "therapies": ["Erlotinib"] * n,
        "therapy_interaction_type": [None] * n, "evidence_type": ["Predictive"] * n,
        "evidence_direction": ["Supports"] * n, "evidence_level": ["B"] * n, "significance": ["Resistance"] * n,
        "citation_id": [str(15737014 + i) for i in range(n)], "source_type": ["PubMed"] * n,
        "evidence_id": list(range(start, start + n)), "evidence_statement": ["s"] * n,
    })  # fmt: skip
    return df if with_id else df.drop(columns="evidence_id")


def _write(df: pd.DataFrame, path: Path) -> Path:
    df.to_csv(path, sep="\t", index=False)
    return path


@pytest.fixture
def kb10(tmp_path: Path) -> Path:
    p = build_kb(tmp_path / "kb.duckdb")
    with open_kb(p, read_only=False) as kb:
        assert kb.import_civic(_write(_civic(10), tmp_path / "full.tsv")).n_kept == 10
    return p


def _n(kbp: Path, source: str = "civic") -> int:
    with open_kb(kbp) as kb:
        return int(kb.info()["by_source"].get(source, 0))


def test_header_only_file_does_not_wipe_the_source(kb10: Path, tmp_path: Path) -> None:
    header = tmp_path / "header.tsv"
    header.write_text("\t".join(_civic(1).columns) + "\n")
    with open_kb(kb10, read_only=False) as kb, pytest.raises(InputError, match="0 evidence items .* not changed"):
        kb.import_civic(header)
    assert _n(kb10) == 10


def test_file_with_nothing_importable_is_refused(kb10: Path, tmp_path: Path) -> None:
    df = _civic(4)
    df["evidence_type"] = "Prognostic"
    with open_kb(kb10, read_only=False) as kb, pytest.raises(InputError, match="4 not predictive"):
        kb.import_civic(_write(df, tmp_path / "prog.tsv"))
    assert _n(kb10) == 10


def test_sharp_drop_needs_force(kb10: Path, tmp_path: Path) -> None:
    part = _write(_civic(7), tmp_path / "part.tsv")  # 30% fewer: a truncated file
    with open_kb(kb10, read_only=False) as kb:
        with pytest.raises(InputError, match="30% fewer .* force=True"):
            kb.import_civic(part)
        assert kb.info()["by_source"]["civic"] == 10
        assert kb.import_civic(part, force=True).n_kept == 7
    assert _n(kb10) == 7
    with open_kb(kb10, read_only=False) as kb:  # a small drop (within MAX_DROP) is accepted
        kb.import_civic(_write(_civic(10), tmp_path / "full.tsv"))
        assert kb.import_civic(_write(_civic(9), tmp_path / "nine.tsv")).n_kept == 9


def test_truncated_file_cli_exit_code_and_force(kb10: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = _write(_civic(10), tmp_path / "full.tsv").read_text()
    cut = tmp_path / "cut.tsv"
    cut.write_text(text[: len(text) // 3])
    assert main(["kb", "import", str(cut), "--kb", str(kb10), "-q"]) == 1
    err = capsys.readouterr().err
    assert ("fewer" in err or "truncated" in err) and _n(kb10) == 10


def test_missing_id_column_is_refused(kb10: Path, tmp_path: Path) -> None:
    f = _write(_civic(5, with_id=False), tmp_path / "noid.tsv")
    with open_kb(kb10, read_only=False) as kb, pytest.raises(InputError, match="'evidence_id'"):
        kb.import_civic(f)
    assert _n(kb10) == 10


def test_second_name_does_not_duplicate(kb10: Path, tmp_path: Path) -> None:
    f = _write(_civic(10), tmp_path / "full.tsv")
    with open_kb(kb10, read_only=False) as kb:
        with pytest.raises(InputError, match="already in source civic"):
            kb.import_civic(f, name="civic_copy")
        more = _write(_civic(12), tmp_path / "more.tsv")  # 2 new items, 10 already held
        rep = kb.import_civic(more, name="civic_new")
        assert rep.n_kept == 2 and rep.dropped == {"already in source 'civic' (same civic evidence ID)": 10}
        assert kb.info()["by_source"] == {"civic": 10, "civic_new": 2, "core": kb.info()["by_source"]["core"]}
        with pytest.raises(InputError, match="curated core"):
            kb.import_civic(more, name="core")


def test_check_import_unit() -> None:
    rep = ImportReport("s", "v", "f", 3, 3)
    items = pd.DataFrame({"source_id": ["a", "b", "c"]})
    none = pd.DataFrame(columns=["source", "source_id"])
    assert len(check_import(items, rep, provider="civic", stored=3, others=none)) == 3
    stored = int(3 / (1 - MAX_DROP)) + 1
    with pytest.raises(InputError, match="fewer"):
        check_import(items, rep, provider="civic", stored=stored, others=none)
    assert len(check_import(items, rep, provider="civic", stored=stored, others=none, force=True)) == 3
    with pytest.raises(InputError, match="0 evidence items"):
        check_import(items.iloc[:0], rep, provider="civic", stored=0, others=none)


def test_reading_verbs_do_not_create_a_kb(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    typo = tmp_path / "typo.duckdb"
    for argv in (["kb", "info"], ["kb", "query", "--gene", "EGFR"]):
        assert main([*argv, "--kb", str(typo)]) == 1
        err = capsys.readouterr().err
        assert "does not exist" in err and str(typo) in err and "kb build" in err
    table = tmp_path / "alts.tsv"
    table.write_text("alteration\nEGFR L858R\n")
    assert main(["annotate", str(table), "--kb", str(typo), "--out", str(tmp_path / "o")]) == 1
    assert not typo.exists()


def test_bad_level_lists_allowed_levels(kb10: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with open_kb(kb10) as kb:
        for bad in ("xyz", "abc", "F", "AB"):
            with pytest.raises(InputError, match="one of A, B, C, D, E"):
                kb.query(gene="EGFR", level=bad)
        assert set(kb.query(gene="EGFR", level="b")["level"]) <= {"A", "B"}
    assert main(["kb", "query", "--kb", str(kb10), "--gene", "EGFR", "--level", "xyz"]) == 1
    assert "A validated" in capsys.readouterr().err

"""Every link of the written pages resolves: patient pages back to the cohort report, cut tables and
the evidence table to CSV files written beside the page; long tables fold (``<details open>``)."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from urllib.parse import unquote

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest

from oncoresist.kb import build_kb
from oncoresist.report import (
    Section,
    interpret_patients,
    patient_reports_section,
    pseudonymise_cohort,
    scrub_files,
    start_pseudonyms,
    table_html,
    write_cohort_report,
    write_patient_reports,
)
from oncoresist.report._sections import collapsible, local_links, write_page

IDS = ["SIM-0001", "SIM-0002", "P 3"]  # one ID that is not a safe file name (its page gets a hashed name)


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    return build_kb(tmp_path_factory.mktemp("kblinks") / "kb.duckdb")


def _cohort() -> md.MuData:
    mut = ad.AnnData(np.ones((3, 1)), obs=pd.DataFrame(index=IDS), var=pd.DataFrame(index=["EGFR"]))
    mut.uns["variants"] = pd.DataFrame({"sample": IDS, "gene": ["EGFR"] * 3, "protein_change": ["p.L858R", "p.T790M", "p.L858R"]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return md.MuData({"mut": mut})


def assert_links_resolve(folder: Path) -> int:
    """Every relative href / src of every page under ``folder`` names an existing file; the number checked."""
    n = 0
    for page in folder.rglob("*.html"):
        for link in local_links(page.read_text(encoding="utf-8")):
            target = (page.parent / unquote(link)).resolve()
            assert target.is_file(), f"{page.relative_to(folder)} links {link!r}, which does not exist"
            n += 1
    return n


def _write_all(mdata: md.MuData, report: Path, kb: Path, long_table: pd.DataFrame) -> dict[str, Path]:
    patients = list(map(str, mdata.obs_names))
    interps = interpret_patients(mdata, patients, kb=kb)
    pages = write_patient_reports(mdata, patients, report.parent / "patients", kb=kb, interpretations=interps, cohort_report=report)
    long = Section(id="long", title="Long", html=table_html(long_table, max_rows=10, name="assoc", hard_limit=20))
    write_cohort_report(mdata, report, extra_sections=[patient_reports_section(pages, base=report.parent, interpretations=interps), long])
    return pages


def test_pages_link_back_and_every_link_resolves(tmp_path: Path, kb: Path) -> None:
    report = tmp_path / "report" / "index.html"
    table = pd.DataFrame({"feature": [f"f{i}" for i in range(57)], "p": np.linspace(0, 1, 57)})
    pages = _write_all(_cohort(), report, kb, table)
    for pid, page in pages.items():
        text = page.read_text(encoding="utf-8")
        assert re.search(r'<nav class="back no-print"><a id="cohort-report" href="\.\./index\.html">&larr; cohort report</a>', text), pid
        assert text.index("<header") < text.index("cohort report</a>") < text.index("<h1>")  # at the top
        ev = pd.read_csv(page.with_name(page.stem + ".evidence.csv"))  # the evidence table beside the page
        assert len(ev) > 0 and {"alteration", "therapy", "direction", "tier"} <= set(ev.columns)
        assert "written by 'oncoresist annotate'" not in text
    cohort = report.read_text(encoding="utf-8")
    assert "use the CSV outputs" not in cohort and "<!--oncoresist-table" not in cohort
    full = pd.read_csv(report.with_name("index.assoc.csv"))
    pd.testing.assert_frame_equal(full, table)  # every row, not the 20 embedded
    assert 'First 20 of 57 rows embedded; every row is in <a class="full-table" href="index.assoc.csv">' in cohort
    assert assert_links_resolve(tmp_path) >= 2 * len(IDS) + 1


def test_links_resolve_in_pseudonymised_pages(tmp_path: Path, kb: Path) -> None:
    """Pseudonyms in pages and file names (the cohort first, then the written files scrubbed): links still resolve."""
    report = tmp_path / "board" / "report.html"
    mdata = _cohort()
    pseudo, key = start_pseudonyms(IDS, salt="pepper", key_file=None, report_dir=report.parent)
    table = pd.DataFrame({"sample": IDS * 10, "x": range(30)})
    pages = _write_all(pseudonymise_cohort(mdata, pseudo.mapping), report, kb, table)
    scrub_files([report.parent], pseudo.mapping)
    assert sorted(p.name for p in pages.values()) == sorted(f"{pseudo.mapping[i]}.html" for i in IDS)
    every = "\n".join(p.read_text(encoding="utf-8") + p.name for p in report.parent.rglob("*") if p.is_file())
    assert not any(i in every for i in IDS)
    assert 'href="../report.html">&larr; cohort report' in next(iter(pages.values())).read_text(encoding="utf-8")
    assert set(pd.read_csv(report.with_name("report.assoc.csv"))["sample"]) == {pseudo.mapping[i] for i in IDS}
    assert assert_links_resolve(report.parent) >= 2 * len(IDS) + 1


def test_write_page_names_each_cut_table_once_and_a_broken_link_is_caught(tmp_path: Path) -> None:
    df = pd.DataFrame({"x": range(12)})
    page = table_html(df, hard_limit=5) + table_html(df.assign(y=1), hard_limit=5)  # two tables of the same name
    written = write_page(tmp_path / "p q.html", f"<html><body>{page}</body></html>")
    assert [p.name for p in written] == ["p q.html", "p q.table.csv", "p q.table-2.csv"]
    assert list(pd.read_csv(written[2]).columns) == ["x", "y"] and len(pd.read_csv(written[1])) == 12
    assert 'href="p%20q.table.csv"' in written[0].read_text()
    assert_links_resolve(tmp_path)
    (tmp_path / "bad.html").write_text('<a href="gone.csv">x</a>')
    with pytest.raises(AssertionError, match="gone.csv"):
        assert_links_resolve(tmp_path)


def test_long_tables_fold_and_short_ones_do_not() -> None:
    long, short = table_html(pd.DataFrame({"x": range(60)}), max_rows=50), table_html(pd.DataFrame({"x": range(5)}))
    assert long.startswith('<details class="fold" open><summary>Table: 60 rows</summary><div class="tbl-wrap"') and long.endswith("</details>")
    assert "<details" not in short
    assert collapsible("A <b>", "<p>x</p>", opened=False, anchor="w") == '<details class="fold" id="w"><summary>A &lt;b&gt;</summary><p>x</p></details>'


def test_patient_page_folds_its_long_sections(tmp_path: Path, kb: Path) -> None:
    page = write_patient_reports(_cohort(), ["SIM-0002"], tmp_path, kb=kb)["SIM-0002"].read_text(encoding="utf-8")
    evidence = page[page.index('<section id="evidence">'):page.index('<section id="not-understood">')]
    assert '<details class="fold" open><summary>Evidence: ' in evidence and evidence.count("</details>") == 1
    assert '<details class="fold" open><summary>Mutations: ' in page
    assert "cohort report" not in page  # written alone: no back link


def test_report_cli_writes_patient_pages_with_the_cohort_report_pseudonymised(tmp_path: Path, kb: Path, capsys) -> None:
    from oncoresist.cli import main
    from oncoresist.report import Pseudonymiser

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        _cohort().write(tmp_path / "c.h5mu")
    args = ["report", str(tmp_path / "c.h5mu"), "--out", str(tmp_path / "board" / "report.html"), "--kb", str(kb), "-q"]
    assert main([*args, "--patients", "SIM-0001,nope"]) == 1
    assert "--patients: nope not a sample" in capsys.readouterr().err and not (tmp_path / "board").exists()
    assert main([*args, "--patients", "all", "--pseudonymise", "--salt", "pepper"]) == 0, capsys.readouterr().err
    assert f"(+ 3 patient page(s) in {tmp_path / 'board' / 'patients'})" in capsys.readouterr().out
    mp = Pseudonymiser("pepper").map(IDS)
    board = tmp_path / "board"
    every = "\n".join(p.read_text(encoding="utf-8") + p.name for p in board.rglob("*") if p.is_file())
    assert not any(i in every for i in IDS), "a real sample ID leaked into the report folder"
    cohort = (board / "report.html").read_text(encoding="utf-8")
    for i in IDS:
        page = board / "patients" / f"{mp[i]}.html"
        assert f'href="patients/{page.name}"' in cohort
        assert 'id="cohort-report" href="../report.html"' in page.read_text(encoding="utf-8")
        assert page.with_name(f"{mp[i]}.evidence.csv").is_file()
    assert assert_links_resolve(board) >= 2 * len(IDS) + len(IDS)


def test_annotate_html_links_its_own_evidence_csv(tmp_path: Path, kb: Path) -> None:
    from oncoresist.cli import main

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        _cohort().write(tmp_path / "c.h5mu")
    out = tmp_path / "ann"
    assert main(["annotate", str(tmp_path / "c.h5mu"), "-p", "SIM-0002", "--kb", str(kb), "--out", str(out), "--html", "-q"]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert '<a class="evidence-file" href="evidence.csv">evidence.csv</a>' in page and "<!--oncoresist-table" not in page
    assert not list(out.glob("report.*.csv"))  # the folder's own evidence.csv, not a second copy
    assert assert_links_resolve(out) >= 1

"""The report pages in a real browser (headless Chromium, offline): tables sort, filter, show all, download
CSV and XLSX, print to PDF.

Skipped when Playwright or a Chromium binary is missing (``.ci/run`` installs both).
"""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pandas as pd
import pytest

from oncoresist.report._cohort import render_report
from oncoresist.report._sections import Section, table_html

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.fixture
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed (test extra)")
    if CHROMIUM is None:
        pytest.skip("no chromium binary on PATH")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


def _frame(rng: np.random.Generator) -> pd.DataFrame:
    kind = rng.choice(["mut", "cnv"], size=120).astype(object)
    kind[3] = 'a<b & "c"'  # must survive as text, escaped in the XML
    return pd.DataFrame({"feature": [f"row-{i}" for i in range(120)], "value": rng.normal(size=120).round(4), "kind": kind})


def _pages(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    df = _frame(rng)
    link = '<p><a id="to-patient" href="patient_P1.html">P1</a></p>'
    page = render_report([Section(id="t", title="Table", html=table_html(df, max_rows=50, name="assoc") + link)], title="Cohort")
    (tmp_path / "index.html").write_text(page, encoding="utf-8")
    back = '<p><a id="back" href="index.html">back</a></p>'
    (tmp_path / "patient_P1.html").write_text(
        render_report([Section(id="p", title="P1", html=table_html(df.head(5), name="p1") + back)], title="P1"), encoding="utf-8")
    return tmp_path / "index.html"


def _offline_page(browser):
    """An offline page recording every non-local request and every console / page error."""
    ctx = browser.new_context(offline=True, accept_downloads=True)
    page = ctx.new_page()
    external, errors = [], []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(("file:", "data:", "blob:")) else None)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return ctx, page, external, errors


def test_tables_work_offline(browser, tmp_path: Path) -> None:
    index = _pages(tmp_path)
    ctx, page, external, errors = _offline_page(browser)
    page.goto(index.as_uri())
    page.wait_for_selector("html[data-tables=ready]")
    visible = "() => [...document.querySelectorAll('table.tbl tbody tr')].filter(r => r.style.display !== 'none').length"
    assert page.evaluate(visible) == 50
    assert "50 of 120 rows" in page.inner_text(".tbl-count")
    page.click(".tbl-more")
    assert page.evaluate(visible) == 120
    page.click("table.tbl thead th:has-text('value')")
    first = page.evaluate("() => Number(document.querySelector('table.tbl tbody tr td:nth-child(2)').textContent)")
    page.click("table.tbl thead th:has-text('value')")
    top = page.evaluate("() => Number(document.querySelector('table.tbl tbody tr td:nth-child(2)').textContent)")
    assert first < top and first == pytest.approx(min(float(x) for x in page.evaluate(
        "() => [...document.querySelectorAll('table.tbl tbody tr td:nth-child(2)')].map(t => t.textContent)")))
    page.fill(".tbl-search", "row-11")  # row-11, row-110 .. row-119
    assert page.evaluate(visible) == 11
    with page.expect_download() as dl:
        page.click(".tbl-csv")
    text = Path(dl.value.path()).read_text()
    assert text.splitlines()[0] == "feature,value,kind" and len(text.splitlines()) == 121  # every row, not the filtered view
    _check_xlsx(page, pd.read_csv(io.StringIO(text)), _frame(np.random.default_rng(0)))
    page.click("#to-patient")
    page.wait_for_selector("html[data-tables=ready]")
    assert page.url.endswith("patient_P1.html")
    page.click("#back")
    page.wait_for_selector("html[data-tables=ready]")
    assert not external, external
    assert not errors, errors
    ctx.close()


_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def _check_xlsx(page, shown: pd.DataFrame, df: pd.DataFrame) -> None:
    """Download the table as XLSX: a valid ZIP (CRC checked), cells equal the table's (= its CSV), numbers numeric."""
    with page.expect_download() as dl:
        page.click(".tbl-xlsx")
    path = Path(dl.value.path())
    assert dl.value.suggested_filename == "assoc.xlsx"
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        assert {"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/worksheets/sheet1.xml"} <= set(z.namelist())
        sheet = ElementTree.fromstring(z.read("xl/worksheets/sheet1.xml"))
    rows = sheet.findall("m:sheetData/m:row", _NS)
    assert len(rows) == 121
    value_cell = rows[1].findall("m:c", _NS)[1]
    assert value_cell.get("t") is None and value_cell.get("r") == "B2"
    got = pd.read_excel(path, engine="openpyxl")
    pd.testing.assert_frame_equal(got, shown)
    assert got["value"].dtype == float and got["kind"].tolist() == df.set_index("feature").loc[got["feature"], "kind"].tolist()
    np.testing.assert_allclose(got["value"], df.set_index("feature").loc[got["feature"], "value"], rtol=6e-3)


def _patient_page(tmp_path: Path) -> Path:
    """A real patient page (interpreted from a tiny cohort), with a long table and a collapsible added."""
    import warnings

    import anndata as ad
    import mudata as md

    from oncoresist.interpret import interpret_patient
    from oncoresist.kb import build_kb
    from oncoresist.report import render_patient_report

    idx = [f"S{i}" for i in range(70)]
    variants = pd.DataFrame({"sample": ["S0", "S0"], "gene": ["EGFR", "EGFR"], "protein_change": ["p.E746_A750del", "p.T790M"],
                             "variant_class": ["In_Frame_Del", "Missense_Mutation"]})  # fmt: skip
    mut = ad.AnnData(np.zeros((70, 1)), obs=pd.DataFrame(index=idx), var=pd.DataFrame(index=["EGFR"]))
    mut.uns["variants"] = variants
    drugs = [f"drug{j}" for j in range(60)] + ["gefitinib"]
    drug = ad.AnnData(np.random.default_rng(2).uniform(0.3, 0.9, (70, 61)), obs=pd.DataFrame(index=idx), var=pd.DataFrame(index=drugs))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        m = md.MuData({"mut": mut, "drug": drug})
    res = interpret_patient(m, "S0", kb=build_kb(tmp_path / "kb.duckdb"), therapy="gefitinib")
    page = render_patient_report(res, mdata=m).replace("</main>", '<details id="more"><summary>More</summary><p id="inside">hidden detail</p></details></main>')
    (tmp_path / "S0.html").write_text(page, encoding="utf-8")
    return tmp_path / "S0.html"


def test_print_layout_and_pdf(browser, tmp_path: Path) -> None:
    """Print media hides the controls, prints every row of the patient's tables, opens collapsibles; page.pdf works."""
    ctx = browser.new_context(offline=True)
    page = ctx.new_page()
    page.goto(_patient_page(tmp_path).as_uri())
    page.wait_for_selector("html[data-tables=ready]")
    rows = "() => [...document.querySelectorAll('table.tbl tbody tr')].filter(r => getComputedStyle(r).display !== 'none').length"
    total = page.evaluate("() => document.querySelectorAll('table.tbl tbody tr').length")
    on_screen = page.evaluate(rows)
    assert on_screen < total  # a long table is cut to its first rows on screen
    page.emulate_media(media="print")
    assert page.evaluate(rows) == total
    assert page.evaluate("() => getComputedStyle(document.querySelector('.tbl-tools')).display") == "none"
    assert page.evaluate("() => getComputedStyle(document.querySelector('nav.toc')).display") == "none"
    assert page.evaluate("() => getComputedStyle(document.querySelector('main > section:nth-of-type(2)')).breakBefore") == "page"
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    assert page.evaluate("() => document.querySelector('#more').open")
    page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
    assert not page.evaluate("() => document.querySelector('#more').open")
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf[:5] == b"%PDF-" and pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") >= 3
    ctx.close()


def test_print_shows_cohort_rows_with_a_note(browser, tmp_path: Path) -> None:
    """A cohort table prints the rows shown on screen and says how many there are; ``print_all`` prints all."""
    df = _frame(np.random.default_rng(0))
    secs = [Section(id="a", title="A", html=table_html(df, max_rows=10, name="a")),
            Section(id="b", title="B", html=table_html(df, max_rows=10, name="b", print_all=True))]
    (tmp_path / "c.html").write_text(render_report(secs, title="C"), encoding="utf-8")
    ctx = browser.new_context(offline=True)
    page = ctx.new_page()
    page.goto((tmp_path / "c.html").as_uri())
    page.wait_for_selector("html[data-tables=ready]")
    page.emulate_media(media="print")
    shown = "(id) => [...document.querySelectorAll('#' + id + ' table.tbl tbody tr')].filter(r => getComputedStyle(r).display !== 'none').length"
    assert page.evaluate(shown, "a") == 10 and page.evaluate(shown, "b") == 120
    note = page.evaluate("() => getComputedStyle(document.querySelector('#a .tbl-wrap'), '::after').content")
    assert "Printed 10 of 120 rows" in note
    assert page.evaluate("() => document.querySelector('#b .tbl-wrap').hasAttribute('data-print-note')") is False
    ctx.close()


def test_svg_points_have_tooltips(browser, tmp_path: Path) -> None:
    """A scatter inlined as SVG: every drawn point has its <title>, the markers render (ids resolve), hover hits them."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from oncoresist.report._svg import labels_by_xy, svg_figure_html

    fig, ax = plt.subplots()
    x, y = np.array([0.1, 0.5, 0.9]), np.array([0.2, 0.8, 0.4])
    c = ax.scatter(x, y, s=200)
    html = svg_figure_html(fig, alt="points", tooltips=[(c, labels_by_xy(c, x, y, ["S1 <b>", "S2 & co", "S3"]))])
    (tmp_path / "f.html").write_text(render_report([Section(id="f", title="F", html=html * 2)], title="F"), encoding="utf-8")
    ctx = browser.new_context(offline=True)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((tmp_path / "f.html").as_uri())
    titles = page.evaluate("() => [...document.querySelectorAll('svg.fig-svg g.pt > title')].map(t => t.textContent)")
    assert titles == ["S1 <b>", "S2 & co", "S3"] * 2
    point = page.locator("svg.fig-svg g.pt").nth(1)
    box = point.bounding_box()
    assert box is not None and box["width"] > 5 and box["height"] > 5  # the <use> resolves to its (prefixed) marker
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    hovered = page.evaluate("() => [...document.querySelectorAll('svg.fig-svg g.pt')].findIndex(g => g.matches(':hover'))")
    assert hovered == 1
    assert page.evaluate("() => document.querySelector('svg.fig-svg g.pt:hover > title').textContent") == "S2 & co"
    assert not errors
    ctx.close()


def test_synergy_page_offline_from_the_cohort_report(browser, tmp_path: Path) -> None:
    """Cohort report -> combination page -> back: the scores table sorts and downloads, nothing external, no error."""
    import anndata as ad
    import mudata as md

    from oncoresist.report import synergy_sections
    from oncoresist.tl import synergy

    c = np.array([0.0, 0.03, 0.3, 3.0])
    g1, g2 = np.meshgrid(c, c, indexing="ij")
    combos = pd.concat([pd.DataFrame({"block": f"B{k}", "sample": f"S{k}", "drug1": "A", "drug2": "B", "conc1": g1.ravel(), "conc2": g2.ravel(),
                                      "response": (1 / (1 + g1 / (0.3 + k)) / (1 + g2) * (1 - 0.1 * k * (g1 > 0) * (g2 > 0))).ravel()})
                        for k in range(3)])  # fmt: skip
    m = md.MuData({"x": ad.AnnData(np.ones((3, 1)), obs=pd.DataFrame(index=["S0", "S1", "S2"]))})
    summary, wells = synergy(combos)
    m.uns["synergy"] = {"summary": summary, "wells": wells}
    sections, pages = synergy_sections(m, tmp_path / "index.html", max_blocks=1)
    (tmp_path / "index.html").write_text(render_report(sections, title="Cohort"), encoding="utf-8")
    ctx, page, external, errors = _offline_page(browser)
    page.goto((tmp_path / "index.html").as_uri())
    page.click("text=A + B")
    page.wait_for_selector("html[data-tables=ready]")
    assert page.url.endswith("synergy/A_x_B.html") and page.title() == "Drug combination A + B"
    scores = "div.tbl-wrap[data-name='synergy_scores_A_B']"
    header = f"{scores} table.tbl thead th:text-is('ZIP mean')"
    col = page.evaluate(f"() => [...document.querySelectorAll(\"{scores} thead th\")].findIndex(t => t.textContent === 'ZIP mean') + 1")
    values = f"() => [...document.querySelectorAll(\"{scores} tbody tr td:nth-child({col})\")].map(t => Number(t.textContent))"
    before = page.evaluate(values)
    assert before == sorted(before, reverse=True) and len(set(before)) == 3  # the page lists the most synergistic first
    page.click(header)  # ascending
    assert page.evaluate(values) == sorted(before)
    with page.expect_download() as dl:
        page.click(f"{scores} .tbl-xlsx")
    got = pd.read_excel(Path(dl.value.path()), engine="openpyxl")
    assert sorted(got["block"]) == ["B0", "B1", "B2"] and got["ZIP mean"].dtype == float
    page.click("text=cohort report")
    page.wait_for_selector("html[data-tables=ready]")
    assert page.url.endswith("index.html")
    assert not external, external
    assert not errors, errors
    ctx.close()


def test_patient_pages_and_cohort_report_link_both_ways_and_folds_print(browser, tmp_path: Path) -> None:
    """Written together: cohort -> patient page -> "← cohort report"; a folded section hides, print shows it; every link resolves."""
    import anndata as ad
    import mudata as md

    from oncoresist.kb import build_kb
    from oncoresist.report import (
        interpret_patients,
        patient_reports_section,
        write_cohort_report,
        write_patient_reports,
    )

    ids = ["P1", "P2"]
    mut = ad.AnnData(np.ones((2, 1)), obs=pd.DataFrame(index=ids), var=pd.DataFrame(index=["EGFR"]))
    mut.uns["variants"] = pd.DataFrame({"sample": ids, "gene": ["EGFR"] * 2, "protein_change": ["p.L858R", "p.T790M"]})
    m = md.MuData({"mut": mut})
    kb = build_kb(tmp_path / "kb.duckdb")
    report = tmp_path / "report" / "index.html"
    interps = interpret_patients(m, ids, kb=kb)
    pages = write_patient_reports(m, ids, report.parent / "patients", kb=kb, interpretations=interps, cohort_report=report)
    write_cohort_report(m, report, extra_sections=[patient_reports_section(pages, base=report.parent, interpretations=interps)])
    ctx, page, external, errors = _offline_page(browser)
    page.goto(report.as_uri())
    page.wait_for_selector("html[data-tables=ready]")
    page.click("#patients a:text-is('P2')")
    page.wait_for_selector("html[data-tables=ready]")
    assert page.url.endswith("patients/P2.html")
    fold = "#evidence details.fold"
    shown = f"() => document.querySelector('{fold} table.tbl').checkVisibility()"
    assert page.evaluate(f"() => document.querySelector('{fold}').open") and page.evaluate(shown)
    page.click(f"{fold} > summary")  # fold the evidence away: no script needed, the browser does it
    assert not page.evaluate(f"() => document.querySelector('{fold}').open") and not page.evaluate(shown)
    page.emulate_media(media="print")
    assert page.evaluate(shown)  # printed in full, even folded (CSS alone, before any print event)
    page.emulate_media(media="screen")
    with page.expect_download() as dl:  # the evidence CSV beside the page is a real file
        page.evaluate("() => { const a = document.querySelector('a.full-table'); a.setAttribute('download', ''); a.click(); }")
    assert "therapy" in Path(dl.value.path()).read_text().splitlines()[0]
    page.click("#cohort-report")
    page.wait_for_selector("html[data-tables=ready]")
    assert page.url.endswith("report/index.html") and page.title().startswith("oncoresist cohort report")
    assert not external, external
    assert not errors, errors
    ctx.close()

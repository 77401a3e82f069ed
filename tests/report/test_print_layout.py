"""The pages' print / PDF layout and download controls, checked on the HTML (the browser test runs them)."""

from __future__ import annotations

import re

import pandas as pd

from oncoresist.report import Section, table_html
from oncoresist.report._cohort import render_report
from oncoresist.report._sections import TABLES_JS


def _print_css(page: str) -> str:
    style = re.search(r"<style>(.*?)</style>", page, flags=re.S).group(1)
    return " ".join(re.findall(r"@media print\s*\{(.*?)\n\}", style, flags=re.S))


def test_print_css_is_inlined_unescaped() -> None:
    page = render_report([Section(id="a", title="A", html=table_html(pd.DataFrame({"x": [1, 2]})))], title="T")
    css = _print_css(page)
    assert ".tbl-tools" in css and "display: none !important" in css  # no controls on paper
    assert "main > section { break-before: page;" in css  # one section per page
    assert '.tbl-wrap[data-print="all"] table.tbl tbody tr { display: table-row !important; }' in css
    assert "details::details-content" in page and "&#34;" not in page.split("</style>")[0]


def test_print_all_marks_key_tables() -> None:
    df = pd.DataFrame({"x": range(5)})
    assert 'data-print="all"' in table_html(df, print_all=True)
    assert "data-print" not in table_html(df)


def test_script_has_xlsx_and_print_hooks() -> None:
    for part in ("tbl-xlsx", "Download XLSX", "0xEDB88320", "[Content_Types].xml", "xl/worksheets/sheet1.xml",
                 't="inlineStr"', "beforeprint", "afterprint", "data-print-note"):
        assert part in TABLES_JS, part

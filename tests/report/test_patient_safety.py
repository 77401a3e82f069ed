"""Patient reports are safe: no live non-http links from imported sources, no shared file names."""

from __future__ import annotations

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest

from oncoresist.report import write_patient_reports
from oncoresist.report._patient import (
    _cit_links,
    _evidence_rows,
    patient_file_names,
    render_patient_report,
)
from oncoresist.report._sections import safe_url


@pytest.mark.parametrize("url", ["javascript:alert(1)", " JavaScript:alert(1)", "java\tscript:x", "data:text/html,<script>", "file:///etc/passwd", "vbscript:x", ""])
def test_unsafe_urls_are_not_links(url):
    assert safe_url(url) == "#evidence"


def test_http_and_anchor_kept():
    assert safe_url("http://a.org/x") == "http://a.org/x"
    assert safe_url("#kb") == "#kb"


def test_citation_links_drop_javascript_urls():
    ev = pd.DataFrame({"citation": ["PMID:123", "X1"], "url": ["javascript:alert(1)", "javascript:alert(2)"]})
    links = _cit_links("A study (PMID:123); Other (X1)", ev)
    assert [c["url"] for c in links] == ["https://pubmed.ncbi.nlm.nih.gov/123/", "#evidence"]
    rows = _evidence_rows(ev, 10)
    assert all(r["url"] == "#evidence" for r in rows)


def test_rendered_page_has_no_javascript_link(tmp_path):
    from oncoresist.interpret import interpret_alterations

    res = interpret_alterations(["EGFR T790M"], tumour_type="NSCLC", kb=tmp_path / "kb.duckdb")
    assert not res.evidence.empty
    res.evidence["url"] = "javascript:alert(document.cookie)"
    page = render_patient_report(res)
    assert "javascript:" not in page.lower()


def test_file_names_never_collide():
    ids = ["P 1", "P_1", "P1", "p1", "P/1", "SIMé-0001", "SIM-0001", "index", "..", ""]
    names = patient_file_names(ids)
    assert len({n.lower() for n in names.values()}) == len(ids)
    assert names["P_1"] == "P_1.html" and names["SIM-0001"] == "SIM-0001.html"
    assert all("/" not in n and not n.startswith(".") for n in names.values())
    # stable: the same ID always gets the same file name
    assert patient_file_names(["P 1"])["P 1"] == names["P 1"]


def test_two_patients_with_the_same_slug_get_two_reports(tmp_path):
    mut = ad.AnnData(np.ones((2, 1)), obs=pd.DataFrame(index=["P 1", "P_1"]), var=pd.DataFrame(index=["EGFR"]))
    mut.uns["variants"] = pd.DataFrame({"sample": ["P 1", "P_1"], "gene": ["EGFR"] * 2, "protein_change": ["p.L858R", "p.T790M"]})
    out = write_patient_reports(md.MuData({"mut": mut}), ["P 1", "P_1"], tmp_path / "patients", kb=tmp_path / "kb.duckdb")
    assert len({p.name for p in out.values()}) == 2
    assert "EGFR L858R" in out["P 1"].read_text() and "EGFR T790M" in out["P_1"].read_text()
    assert "EGFR T790M" not in out["P 1"].read_text()


def test_resistance_expected_section_lists_resisted_tkis(tmp_path):
    from oncoresist.interpret import interpret_alterations

    res = interpret_alterations(["EGFR L858R", "EGFR T790M"], tumour_type="NSCLC", kb=tmp_path / "kb.duckdb")
    page = render_patient_report(res)
    section = page[page.index('id="resistance-expected"'):page.index('id="targets"')]
    for drug in ("gefitinib", "erlotinib"):
        assert drug in section.lower()
    options = page[page.index('<section id="options"'):page.index('id="resistance-expected"')]
    assert "osimertinib" in options.lower() and "gefitinib</strong>" not in options.lower()
    assert "Resistance expected (not offered)" in page

from __future__ import annotations

import re
import shutil
import subprocess
import warnings
from pathlib import Path

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest

from oncoresist.interpret import interpret_alterations, interpret_patient
from oncoresist.kb import build_kb
from oncoresist.report import (
    patient_reports_section,
    render_patient_report,
    write_patient_report,
    write_patient_reports,
)


@pytest.fixture(scope="module")
def kb_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_kb(tmp_path_factory.mktemp("kb") / "kb.duckdb")


@pytest.fixture(scope="module")
def cohort() -> md.MuData:
    rng = np.random.default_rng(1)
    idx = [f"S{i}" for i in range(20)]
    variants = pd.DataFrame({"sample": ["S0", "S0", "S1"], "gene": ["EGFR", "EGFR", "KRAS"],
                             "protein_change": ["p.E746_A750del", "p.T790M", "p.G12C"], "variant_class": ["In_Frame_Del", "Missense_Mutation", "Missense_Mutation"]})  # fmt: skip
    mut = ad.AnnData(np.zeros((20, 2)), obs=pd.DataFrame(index=idx), var=pd.DataFrame(index=["EGFR", "KRAS"]))
    mut.uns["variants"] = variants
    cnv = ad.AnnData(rng.normal(0, 0.1, (20, 1)), obs=pd.DataFrame(index=idx), var=pd.DataFrame(index=["MET"]))
    cnv.X[0, 0] = 2.5
    drug = ad.AnnData(rng.uniform(0.3, 0.9, (20, 3)), obs=pd.DataFrame(index=idx), var=pd.DataFrame(index=["gefitinib", "osimertinib", "<b>odd&drug</b>"]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        m = md.MuData({"mut": mut, "cnv": cnv, "drug": drug})
    m.obs["tumour_type"] = ["lung adenocarcinoma"] * 20
    return m


def _assert_self_contained(page: str) -> None:
    from oncoresist.report._sections import TABLES_JS

    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", page, flags=re.I | re.S)
    assert len(scripts) == 1 and scripts[0][0].strip() == "" and scripts[0][1] == TABLES_JS  # only the inline table script
    ooxml = 'var OOXML = "http://schemas.openxmlformats.org/";'  # the XLSX parts' XML namespace name, never fetched
    assert TABLES_JS.count("http") == 1 and ooxml in TABLES_JS
    assert not re.search(r"fetch\(|XMLHttpRequest|https?://|import\(|sendBeacon|WebSocket", TABLES_JS.replace(ooxml, ""))
    assert not re.search(r"<link\b", page, flags=re.I)
    assert not re.search(r"""(src|srcset)\s*=\s*["']?(https?:)?//""", page, flags=re.I)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", page, flags=re.I)
    assert "@import" not in page
    for src in re.findall(r'<img[^>]+src="([^"]+)"', page):
        assert src.startswith("data:image/png;base64,")


def test_render_sections_and_escaping(cohort, kb_file) -> None:
    res = interpret_patient(cohort, "S0", kb=kb_file, therapy="gefitinib")
    page = render_patient_report(res, mdata=cohort)
    for heading in ("Summary", "Alterations by layer", "Resistance alerts", "Therapy options", "Target priority",
                    "Ex vivo drug screen", "Model predictions", "Evidence detail", "Not understood", "Caveats", "Knowledge base"):  # fmt: skip
        assert f">{heading}</h2>" in page
    assert "EGFR T790M" in page and "on-target mutation" in page and "osimertinib" in page
    assert "current therapy" in page and res.kb["version"] in page
    assert "<b>odd&drug</b>" not in page and "&lt;b&gt;odd&amp;drug&lt;/b&gt;" in page
    assert "https://pubmed.ncbi.nlm.nih.gov/" in page  # citations are links (opened only on click)
    _assert_self_contained(page)


def test_write_is_atomic_and_batch(cohort, kb_file, tmp_path) -> None:
    p = write_patient_report(cohort, "S1", tmp_path / "r" / "S1.html", kb=kb_file)
    assert p.exists() and sorted(x.name for x in p.parent.iterdir()) == ["S1.evidence.csv", "S1.html"]  # no temporary file left
    assert "KRAS G12C" in p.read_text()
    out = write_patient_reports(cohort, ["S0", "S1"], tmp_path / "many", kb=kb_file, therapy={"S0": "erlotinib"})
    assert set(out) == {"S0", "S1"} and all(x.exists() for x in out.values())
    sec = patient_reports_section(out, base=tmp_path)
    assert 'href="many/S0.html"' in sec.html and sec.id == "patients"


def test_pages_in_forked_workers_are_the_same(cohort, kb_file, tmp_path) -> None:
    """``n_jobs=2`` renders in forked processes (the MuData is inherited, not pickled): same pages."""
    serial = write_patient_reports(cohort, ["S0", "S1", "S2"], tmp_path / "one", kb=kb_file, therapy={"S0": "erlotinib"})
    forked = write_patient_reports(cohort, ["S0", "S1", "S2"], tmp_path / "two", kb=kb_file, therapy={"S0": "erlotinib"}, n_jobs=2)
    assert list(forked) == ["S0", "S1", "S2"] and all(p.parent == tmp_path / "two" for p in forked.values())
    stamp = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")  # the footer's generation time
    for patient, path in serial.items():
        assert stamp.sub("", forked[patient].read_text()) == stamp.sub("", path.read_text())


def test_empty_and_minimal_pages(kb_file) -> None:
    res = interpret_alterations(["EGFR blah"], kb=kb_file)
    page = render_patient_report(res)
    assert "Every input was understood" not in page and "EGFR blah" in page
    assert "not screened ex vivo" in page and "No model predictions" in page
    _assert_self_contained(page)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def _chromium(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    profile = tmp_path / "chrome-profile"
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
           "--host-resolver-rules=MAP * ~NOTFOUND", *args]  # fmt: skip
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed (apt-get install -y chromium)")
def test_page_renders_in_headless_chromium(cohort, kb_file, tmp_path) -> None:
    page = write_patient_report(cohort, "S0", tmp_path / "S0.html", kb=kb_file, therapy="gefitinib")
    url = page.resolve().as_uri()
    dom = _chromium(["--enable-logging=stderr", "--v=0", "--dump-dom", url], tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    console = [ln for ln in dom.stderr.splitlines() if "CONSOLE" in ln]
    assert console == [], console
    assert "Resistance alerts" in dom.stdout and "EGFR T790M" in dom.stdout
    shot = tmp_path / "S0.png"
    res = _chromium([f"--screenshot={shot}", "--window-size=1280,2200", url], tmp_path)
    assert res.returncode == 0 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    pdf = tmp_path / "S0.pdf"
    res = _chromium([f"--print-to-pdf={pdf}", "--no-pdf-header-footer", url], tmp_path)
    data = pdf.read_bytes()
    assert res.returncode == 0 and data[:5] == b"%PDF-"
    assert len(re.findall(rb"/Type\s*/Page[^s]", data)) >= 2


def test_patient_curves_over_the_cohort(kb_file) -> None:
    from oncoresist.tl import add_drug_layer

    rng = np.random.default_rng(5)
    idx = [f"S{i}" for i in range(8)]
    d = np.logspace(-2, 1, 6)
    frames = [pd.DataFrame({"sample": s, "drug": drug, "dose": d, "response": 1 / (1 + d / (0.02 if s == "S0" and drug == "gefitinib" else 10 ** rng.uniform(-1, 1)))})
              for s in idx for drug in ("gefitinib", "erlotinib")]  # fmt: skip
    mut = ad.AnnData(np.zeros((8, 1)), obs=pd.DataFrame(index=idx), var=pd.DataFrame(index=["EGFR"]))
    mut.uns["variants"] = pd.DataFrame({"sample": ["S0"], "gene": ["EGFR"], "protein_change": ["p.L858R"], "variant_class": ["Missense_Mutation"]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        m = md.MuData({"mut": mut})
        add_drug_layer(m, pd.concat(frames, ignore_index=True))
    page = render_patient_report(interpret_patient(m, "S0", kb=kb_file), mdata=m)
    assert "most sensitive drug(s) by percentile" in page
    assert page.count("data:image/png;base64") == 2  # patient vs cohort boxes, and the curves
    assert "2 most sensitive drug(s)" in page
    res = interpret_patient(m, "S1", kb=kb_file)
    m.uns["curves"]["table"] = m.uns["curves"]["table"][m.uns["curves"]["table"]["sample"] != "S1"]
    assert "most sensitive drug(s)" not in render_patient_report(res, mdata=m)  # no own curve: no figure

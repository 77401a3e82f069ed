"""End-to-end: ``oncoresist demo`` on a small simulated cohort."""

from __future__ import annotations

import json

from oncoresist.cli import main
from oncoresist.io import read_h5mu


def test_demo_writes_cohort_and_report(tmp_path, capsys):
    out = tmp_path / "demo"
    code = main(["demo", "--out", str(out), "--n-samples", "40", "--seed", "3", "--quiet", "--n-jobs", "1"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "report:" in printed
    m = read_h5mu(out / "cohort.h5mu")
    assert {"mut", "cnv", "meth", "rna", "prot", "drug"} <= set(m.mod)
    # the functional step: pathway activities (ulm), kinase activities (KSEA) and the microenvironment
    assert {"phospho", "act_simpathways", "act_kinase", "tme"} <= set(m.mod)
    assert "MAPK" in m["act_simpathways"].var_names and "T cells" in m["tme"].var_names
    assert m.n_obs == 40
    html = (out / "report" / "index.html").read_text()
    assert "Cohort overview" in html and "Sample overlap" in html
    assert html.count("data:image/png;base64,") >= 3
    # self-contained: no external resources are loaded (links to citations are fine)
    assert 'src="http' not in html and "<link " not in html and "<script src" not in html
    assert (out / "raw" / "study.toml").exists() and (out / "raw" / "truth.json").exists()
    # two patients have serial biopsies and plasma ctDNA (ds.add_evolution): their pages show them
    assert (out / "raw" / "ctdna.csv").exists() and sorted(m.uns["clonal"]) == ["SIM-0001", "SIM-0002"]
    page = (out / "report" / "patients" / "SIM-0001.html").read_text()
    assert "Serial ctDNA" in page and "Clonal structure" in page
    # planted genome phenotypes (ds.add_genome_phenotypes): the build calls them, the MSI tumour has a page
    truth = json.loads((out / "raw" / "truth.json").read_text())["genome"]["truth"]
    msi = [r["sample"] for r in truth if r["true_msi"]]
    assert msi and bool(m.obs.loc[msi[0], "msi_high"]) and "hrd_sum" in m.obs.columns
    page = (out / "report" / "patients" / f"{msi[0]}.html").read_text()
    assert "Genome-wide biomarkers" in page and "msi_score" in page
    # the pages link both ways and every local link of every page names a written file
    from urllib.parse import unquote

    from oncoresist.report._sections import local_links

    report = out / "report"
    assert 'id="cohort-report" href="../index.html"' in (report / "patients" / "SIM-0001.html").read_text()
    combos = sorted((report / "synergy").glob("*.html"))
    assert combos and all(f'href="synergy/{p.name}"' in html for p in combos)  # the demo writes the combination pages too
    assert 'href="../index.html">&larr; cohort report' in combos[0].read_text()
    assert (report / "patients" / "SIM-0001.evidence.csv").is_file()
    for page in report.rglob("*.html"):
        for link in local_links(page.read_text()):
            assert (page.parent / unquote(link)).is_file(), f"{page.name} links {link}, which does not exist"

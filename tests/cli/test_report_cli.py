"""`oncoresist report`: never replaces an existing file without --overwrite; --kb must exist."""

from __future__ import annotations

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd

from oncoresist.cli import main


def _cohort(path):
    mut = ad.AnnData(np.ones((2, 1)), obs=pd.DataFrame(index=["P1", "P2"]), var=pd.DataFrame(index=["EGFR"]))
    mut.uns["variants"] = pd.DataFrame({"sample": ["P1", "P2"], "gene": ["EGFR"] * 2, "protein_change": ["p.L858R", "p.T790M"]})
    md.MuData({"mut": mut}).write(path)
    return path


def test_existing_out_is_refused_then_replaced_with_overwrite(tmp_path, capsys):
    cohort = _cohort(tmp_path / "c.h5mu")
    out = tmp_path / "P1.html"
    out.write_text("my notes")
    code = main(["report", str(cohort), "--patient", "P1", "--out", str(out), "--kb", str(tmp_path / "nope.duckdb")])
    assert code == 1 and "already exists" in capsys.readouterr().err
    assert out.read_text() == "my notes"
    out.unlink()
    code = main(["report", str(cohort), "--patient", "P1", "--out", str(out), "--kb", str(tmp_path / "nope.duckdb")])
    err = capsys.readouterr().err
    assert code == 1 and "--kb" in err and "does not exist" in err and not out.exists()
    out.write_text("old")
    assert main(["report", str(cohort), "--patient", "P1", "--out", str(out), "--overwrite", "-q"]) == 0
    assert "EGFR L858R" in out.read_text()


def test_cohort_report_names_missing_sections_and_the_command_that_adds_them(tmp_path, capsys):
    from oncoresist.tl import factors

    rng = np.random.default_rng(0)
    ids = [f"s{i}" for i in range(30)]
    m = md.MuData({"rna": ad.AnnData(rng.normal(size=(30, 6)), obs=pd.DataFrame(index=ids))})
    m.write(tmp_path / "bare.h5mu")
    assert main(["report", str(tmp_path / "bare.h5mu"), "--out", str(tmp_path / "bare.html"), "-q"]) == 0
    err = capsys.readouterr().err
    page = (tmp_path / "bare.html").read_text()
    for text in (err, page):
        assert "Multi-omics integration: not in this cohort" in text and "oncoresist integrate" in text
        assert "Biomarkers and response models: not in this cohort" in text and "oncoresist.tl.associate" in text
    factors(m, n_factors=2)
    m.write(tmp_path / "int.h5mu")
    assert main(["report", str(tmp_path / "int.h5mu"), "--out", str(tmp_path / "int.html"), "-q"]) == 0
    err = capsys.readouterr().err
    page = (tmp_path / "int.html").read_text()
    assert 'id="integration"' in page and "Multi-omics integration: not in this cohort" not in page + err
    assert "Biomarkers and response models: not in this cohort" in err

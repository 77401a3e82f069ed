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

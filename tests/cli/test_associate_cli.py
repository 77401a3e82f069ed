"""CLI verb ``associate``: the response orientation (--higher-is) and its record in the table."""

from __future__ import annotations

import warnings

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest

from oncoresist.cli import main
from oncoresist.io import write_h5mu


@pytest.fixture
def aac_cohort(tmp_path):
    """EGFR-mutant samples respond to gefitinib; the response is an activity (AAC: higher = more sensitive)."""
    rng = np.random.default_rng(2)
    n = 60
    ids = [f"S{i:02d}" for i in range(n)]
    mut = (rng.random((n, 3)) < 0.3).astype(float)
    aac = 0.2 + 0.3 * mut[:, :1] + rng.normal(0, 0.04, (n, 1))
    mk = lambda X, var: ad.AnnData(X, obs=pd.DataFrame(index=ids), var=pd.DataFrame(index=var))  # noqa: E731
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        m = md.MuData({"mut": mk(mut, ["EGFR", "KRAS", "TP53"]), "drug": mk(aac, ["gefitinib"])})
    path = tmp_path / "aac.h5mu"
    write_h5mu(m, path)
    return path


def test_associate_higher_is_option_labels_activity_metrics(aac_cohort, tmp_path, capsys):
    out = tmp_path / "a.csv"
    assert main(["associate", str(aac_cohort), "--all", "--higher-is", "sensitive", "--out", str(out), "-q"]) == 0
    top = pd.read_csv(out).iloc[0]
    assert (top["feature"], top["direction"], top["higher_is"]) == ("EGFR", "sensitivity", "sensitive")
    capsys.readouterr()
    # undeclared: assumed higher = more resistant, and said so
    assert main(["associate", str(aac_cohort), "--all", "--out", str(out)]) == 0
    err = " ".join(capsys.readouterr().err.split())  # rich wraps long lines
    assert "orientation of drug/X unknown; assuming higher = more resistant; declare higher_is" in err
    top = pd.read_csv(out).iloc[0]
    assert (top["feature"], top["direction"], top["higher_is"]) == ("EGFR", "resistance", "resistant")


def test_associate_bad_higher_is_is_one_line(aac_cohort, tmp_path, capsys):
    assert main(["associate", str(aac_cohort), "--all", "--higher-is", "up", "--out", str(tmp_path / "a.csv"), "-q"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "higher_is must be one of resistant, sensitive" in err
    assert len(err.splitlines()) == 1

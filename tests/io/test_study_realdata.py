"""Build real cohorts from ../shared/data through the example study files."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from oncoresist.io import build_summary
from oncoresist.tl import build_study as read_study

pytestmark = pytest.mark.realdata

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _study(shared_data: Path, name: str, tmp_path: Path) -> Path:
    """Copy an example study file, pointing its paths at the shared data folder in use."""
    text = (EXAMPLES / name / "study.toml").read_text()
    text = text.replace("../../../shared/data", shared_data.as_posix())
    out = tmp_path / f"{name}.toml"
    out.write_text(text)
    return out


def test_cptac_ucec_all_layers(shared_data, tmp_path):
    m = read_study(_study(shared_data, "cptac_ucec", tmp_path))
    assert set(m.mod) == {"mut", "cnv", "rna", "prot", "phospho", "acetyl"}
    summ = build_summary(m).set_index("layer")
    # every layer uses the S### sample IDs of the sample sheet; the MAF's C3L-xxxxx_T barcodes
    # were mapped through the participant aliases
    assert summ.loc["mut", "samples"] >= 90
    assert summ.loc["mut", "unmatched"] == 0
    assert summ.loc["prot", "samples"] == 153 and summ.loc["prot", "features"] > 10000
    assert summ.loc["phospho", "features"] > 50000
    assert all(s.startswith("S") for s in m["mut"].obs_names)
    assert {"gene", "residue", "position"} <= set(m["phospho"].var.columns)
    # POLE / MSI-H tumours carry far more mutations (published fact)
    tmb = np.asarray(m["mut"].X.sum(axis=1)).ravel()
    sub = m.obs.loc[m["mut"].obs_names, "Genomics_subtype"].astype(str).to_numpy()
    hyper = np.isin(sub, ["POLE", "MSI-H"])
    assert hyper.any() and np.median(tmb[hyper]) > 5 * np.median(tmb[~hyper])
    assert m.obs.loc["S001", "Proteomics_TMT_plex"] is not None


def test_cll_screen_and_genomics(shared_data, tmp_path):
    m = read_study(_study(shared_data, "cll", tmp_path))
    assert {"mut", "drug"} <= set(m.mod)
    assert m["drug"].n_vars >= 60 and m["drug"].n_obs >= 240
    assert {"survival_time", "survival_event"} <= set(m.obs.columns)
    assert m.uns["dose_response"]["dose"].min() > 0


def test_ccle_pharmacogx_aliases(shared_data, tmp_path):
    m = read_study(_study(shared_data, "ccle", tmp_path))
    assert {"rna", "cnv", "mut", "drug"} <= set(m.mod)
    summ = build_summary(m).set_index("layer")
    # array IDs mapped onto cell-line names through the sample sheet
    for layer in ("rna", "cnv"):
        assert summ.loc[layer, "unmatched"] <= 0.05 * summ.loc[layer, "samples"], summ.loc[layer].to_dict()
    assert "A549" in set(m["drug"].obs_names)
    assert m["drug"].n_vars == 24


@pytest.mark.skipif(shutil.which("oncoresist") is None, reason="console script not installed")
def test_build_cli_cptac(shared_data, tmp_path):
    from oncoresist.cli import main

    study = _study(shared_data, "cptac_ucec", tmp_path)
    code = main(["build", str(study), "--out", str(tmp_path / "ucec.h5mu"), "--summary", str(tmp_path / "s.csv"), "--quiet"])
    assert code == 0
    assert (tmp_path / "ucec.h5mu").stat().st_size > 1_000_000
    assert "phospho" in (tmp_path / "s.csv").read_text()

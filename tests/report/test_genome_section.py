"""Cohort report: the 'Genome-wide biomarkers' section and its figure."""

from __future__ import annotations

import anndata as ad
import matplotlib.pyplot as plt
import mudata as md
import numpy as np
import pandas as pd

from oncoresist import pl
from oncoresist.io import variants_to_anndata
from oncoresist.report import write_cohort_report
from oncoresist.report._cohort import cohort_sections
from oncoresist.report._genome import genome_biomarker_section
from oncoresist.tl import add_biomarkers


def _cohort() -> md.MuData:
    rows = [("hyper", "Frame_Shift_Del", "A", "-", "DEL")] * 40 + [("quiet", "Missense_Mutation", "C", "T", "SNP")] * 3
    rows += [("mid", "Missense_Mutation", "C", "T", "SNP")] * 8
    v = pd.DataFrame(rows, columns=["sample", "variant_class", "ref", "alt", "variant_type"])
    v["gene"] = [f"G{i}" for i in range(len(v))]
    return md.MuData({"mut": variants_to_anndata(v)})


def test_section_counts_calls_and_draws_the_figure(tmp_path) -> None:  # noqa: ANN001
    m = _cohort()
    add_biomarkers(m, callable_mb=2.0)
    sec = genome_biomarker_section(m)
    assert sec is not None and sec.title == "Genome-wide biomarkers"
    # TMB 20 / 1.5 / 4 per Mb: one TMB-high; 40 deletions / 2 Mb: one MSI-high
    assert "1 / 3" in sec.html and "TMB-high" in sec.html and "MSI-high" in sec.html and "<img" in sec.html
    assert "HRD-positive" not in sec.html
    assert any(s.id == "genome-biomarkers" for s in cohort_sections(m))
    m.obs["hrd_sum"], m.obs["hrd_high"] = [50.0, 3.0, np.nan], pd.array([True, False, pd.NA], dtype="boolean")
    sec = genome_biomarker_section(m)
    assert "HRD-positive" in sec.html and "1 / 2" in sec.html and "hrd_sum" in sec.html
    html = write_cohort_report(m, tmp_path / "r.html").read_text()
    assert "Genome-wide biomarkers" in html


def test_no_section_without_scores_and_hrd_only() -> None:
    m = md.MuData({"x": ad.AnnData(np.zeros((2, 1)), obs=pd.DataFrame(index=["a", "b"]))})
    assert genome_biomarker_section(m) is None
    assert all(s.id != "genome-biomarkers" for s in cohort_sections(m))
    m.obs["hrd_sum"] = [44.0, 2.0]
    sec = genome_biomarker_section(m)
    assert sec is not None and "<img" not in sec.html and "44" in sec.html


def test_figure_panels_follow_the_columns() -> None:
    obs = pd.DataFrame({"tmb": [0.0, 3.0, 25.0], "msi_score": [0.1, 0.2, 1.5], "msi_high": [False, False, True],
                        "n_indel": [1, 2, 30]})
    fig = pl.genome_biomarkers(obs)
    assert len(fig.axes) == 2 and fig.axes[0].get_xscale() == "log"
    assert fig.axes[1].get_xlabel() == "indels"
    plt.close(fig)
    fig = pl.genome_biomarkers(obs[["tmb"]], tmb_cutoff=12.0)
    assert len(fig.axes) == 1 and any(line.get_xdata()[0] == 12.0 for line in fig.axes[0].lines)
    plt.close(fig)

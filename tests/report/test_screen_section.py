from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from oncoresist._core._errors import InputError
from oncoresist.report import Section, screen_section
from oncoresist.tl import fit_curves, synergy


def test_screen_section_with_curves_and_synergy():
    rng = np.random.default_rng(1)
    d = np.logspace(-3, 1, 7)
    frames = [
        pd.DataFrame({"sample": f"S{i}", "drug": drug, "dose": d, "response": 1 / (1 + d / 10 ** rng.uniform(-2, 0)) + rng.normal(0, 0.02, d.size)})
        for i in range(5)
        for drug in ("D1", "D2")
    ]
    frames.append(pd.DataFrame({"sample": "S9", "drug": "D1", "dose": [1.0], "response": [0.5]}))
    screen = pd.concat(frames)
    with pytest.warns(UserWarning):
        curves = fit_curves(screen)
    c = np.array([0.0, 0.1, 1.0, 10.0])
    g1, g2 = np.meshgrid(c, c, indexing="ij")
    combos = pd.DataFrame({"block": "B1", "drug1": "D1", "drug2": "D2", "conc1": g1.ravel(), "conc2": g2.ravel(),
                           "response": (1 / (1 + g1) / (1 + g2)).ravel()})  # fmt: skip
    summary, wells = synergy(combos)
    sec = screen_section(curves, screen=screen, synergy_summary=summary, synergy_wells=wells)
    assert isinstance(sec, Section) and sec.id == "drug-screen"
    assert sec.html.count("<img") == 3  # curves, heatmap, synergy matrices
    assert "too_few_doses" in sec.html  # the curve that could not be fitted is reported
    assert "10 of 11 curves fitted" in sec.summary and "1 combination matrices scored" in sec.summary
    with pytest.raises(InputError, match="fit_curves"):
        screen_section(screen)


def test_synergy_table_writes_dose_ranges_with_their_unit():
    c = np.array([0.0, 0.09487, 0.3, 3.0])
    g1, g2 = np.meshgrid(c, c, indexing="ij")
    combos = pd.DataFrame({"block": "B1", "drug1": "D1", "drug2": "D2", "conc1": g1.ravel(), "conc2": g2.ravel(),
                           "response": (1 / (1 + g1) / (1 + g2)).ravel()})  # fmt: skip
    summary, wells = synergy(combos)
    raw = summary.loc[0, "zip_msa_conc1"]
    lo, hi = (float(x) for x in raw.split("-"))
    d = np.logspace(-2, 1, 6)
    screen = pd.DataFrame({"sample": ["S1"] * 6 + ["S2"] * 6, "drug": "D1", "dose": np.tile(d, 2), "response": np.r_[1 / (1 + d), 1 / (1 + d / 3)]})
    html = screen_section(fit_curves(screen), screen=screen, synergy_summary=summary, synergy_wells=wells).html
    assert f">{raw}<" not in html and f">{lo:.3g}–{hi:.3g} µM<" in html


def test_cohort_report_shows_the_drug_screen_or_says_how_to_add_it():
    import anndata as ad
    import mudata as md

    from oncoresist.report import analysis_sections

    d = np.logspace(-2, 1, 6)
    screen = pd.concat([pd.DataFrame({"sample": s, "drug": "D1", "dose": d, "response": 1 / (1 + d / e)}) for s, e in [("S1", 0.1), ("S2", 1.0), ("S3", 3.0)]])
    m = md.MuData({"x": ad.AnnData(np.ones((3, 1)), obs=pd.DataFrame(index=["S1", "S2", "S3"]))})
    m.uns["dose_response"] = screen
    sections, missing = analysis_sections(m)
    assert "drug-screen" not in [s.id for s in sections]
    assert any(line.startswith("Drug screen: not in this cohort") and "oncoresist build" in line for line in missing)
    m.uns["curves"] = {"table": fit_curves(screen)}
    sections, missing = analysis_sections(m)
    assert [s.id for s in sections][0] == "drug-screen" and not any(line.startswith("Drug screen") for line in missing)
    assert "3 of 3 curves fitted" in sections[0].summary

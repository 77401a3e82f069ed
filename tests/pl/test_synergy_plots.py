"""Figures of one combination block (matrix, single agents, landscapes, scores) and ``fig=`` on the grid plots."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from oncoresist import pl
from oncoresist._core._errors import InputError
from oncoresist.tl import fit_curves, synergy


def _combos(n_blocks: int = 2, seed: int = 0) -> pd.DataFrame:
    """Bliss-independent 5 x 5 matrices; block B0 gets extra inhibition in its top-right 3 x 3 corner."""
    rng = np.random.default_rng(seed)
    c = np.array([0.0, 0.03, 0.3, 3.0, 30.0])
    g1, g2 = np.meshgrid(c, c, indexing="ij")
    frames = []
    for b in range(n_blocks):
        v = 1 / (1 + g1 / 1.0) / (1 + g2 / 3.0)
        if b == 0:
            v = np.where((g1 >= 0.3) & (g2 >= 0.3), v * 0.5, v)
        frames.append(pd.DataFrame({"block": f"B{b}", "sample": f"S{b}", "drug1": "A", "drug2": "B", "conc1": g1.ravel(),
                                    "conc2": g2.ravel(), "response": (v + rng.normal(0, 0.01, v.shape)).ravel()}))  # fmt: skip
    return pd.concat(frames, ignore_index=True)


def test_response_matrix_annotates_the_measured_inhibition():
    summary, wells = synergy(_combos())
    fig = pl.synergy_response_matrix(wells, block="B1")
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert len(texts) == 25
    w = wells[(wells["block"] == "B1")].sort_values(["conc1", "conc2"])
    assert texts[-1] == f"{w['inhibition'].iloc[-1]:.0f}"  # the highest doses of both, top right
    assert ax.get_xlabel() == "B (µM)" and ax.get_ylabel() == "A (µM)"
    plt.close(fig)
    with pytest.raises(InputError, match="block 'nope'"):
        pl.synergy_response_matrix(wells, block="nope")
    with pytest.raises(InputError, match="per-well table"):
        pl.synergy_response_matrix(summary, block="B0")


def test_landscapes_one_panel_per_method_with_interval_and_msa_box():
    summary, wells = synergy(_combos())
    f = plt.figure()
    out = pl.synergy_landscapes(wells, summary, block="B0", fig=f)
    assert out is f
    panels = [ax for ax in f.axes if ax.get_title()]
    assert [ax.get_title().split()[0] for ax in panels] == ["ZIP", "BLISS", "HSA", "LOEWE"]
    row = summary.set_index("block").loc["B0"]
    assert f"[{row['bliss_ci_low']:.1f}, {row['bliss_ci_high']:.1f}]" in panels[1].get_title()
    # the dashed box is the summary's most synergistic 3 x 3 window (doses -> matrix indices)
    doses = [0.0, 0.03, 0.3, 3.0, 30.0]
    i0 = doses.index(float(row["bliss_msa_conc1"].split("-")[0]))
    j0 = doses.index(float(row["bliss_msa_conc2"].split("-")[0]))
    assert i0 >= 1 and j0 >= 1  # inside the planted synergy (both drugs present)
    box = [p for p in panels[1].patches if isinstance(p, plt.Rectangle)][0]
    assert box.get_xy() == (j0 - 0.5, i0 - 0.5) and box.get_width() == 3 and box.get_height() == 3
    plt.close(f)
    f2 = pl.synergy_landscapes(wells, block="B1", methods=["bliss"])  # no summary: no box, method only
    assert [ax.get_title() for ax in f2.axes if ax.get_title()] == ["BLISS"]
    plt.close(f2)


def test_msa_range_parsing_handles_scientific_notation():
    from oncoresist.pl._synergy import _msa_window, _split_range

    assert _split_range("1e-05-0.001") == (1e-05, 0.001)
    assert _split_range("0.09487-3") == (0.09487, 3.0)
    assert _split_range("") is None and _split_range(float("nan")) is None
    c = np.array([0.0, 1e-05, 1e-04, 1e-03])
    row = pd.Series({"zip_msa_conc1": "1e-05-0.001", "zip_msa_conc2": "0-0.0001"})
    assert _msa_window(row, "zip", c, c) == (1, 3, 0, 2)


def test_single_agents_draw_the_fitted_curves_and_name_an_ec50_beyond_the_doses():
    combos = _combos(1)
    summary, wells = synergy(combos)
    fig = pl.synergy_single_agents(wells, summary, block="B0")
    a, b = fig.axes
    assert a.get_title().startswith("A alone\nEC50 ") and "µM" in a.get_title()
    line = a.lines[0]
    x, y = line.get_data()
    row = summary.iloc[0]
    expected = row["emax_1"] + (row["emin_1"] - row["emax_1"]) / (1 + (x / row["ec50_1_uM"]) ** row["hill_1"])
    np.testing.assert_allclose(y, expected)
    plt.close(fig)
    far = summary.assign(ec50_2_uM=1e4)
    fig = pl.synergy_single_agents(wells, far, block="B0")
    assert "EC50 > highest tested dose (30 µM)" in fig.axes[1].get_title()
    plt.close(fig)


def test_synergy_scores_draws_each_interval():
    summary, _ = synergy(_combos(3))
    fig, ax = plt.subplots()
    assert pl.synergy_scores(summary, methods=["zip", "bliss"], ax=ax) is fig
    assert [t.get_text() for t in ax.get_yticklabels()] == ["B0 · S0", "B1 · S1", "B2 · S2"]
    bars = ax.containers[0]  # ZIP errorbar container: the CI segments span ci_low..ci_high
    seg = bars.lines[2][0].get_segments()[0]
    assert seg[0][0] == pytest.approx(summary["zip_ci_low"].iloc[0]) and seg[1][0] == pytest.approx(summary["zip_ci_high"].iloc[0])
    plt.close(fig)
    with pytest.raises(InputError, match="not in the synergy summary"):
        pl.synergy_scores(summary.drop(columns="loewe"), methods=["loewe"])


def test_grid_plots_take_fig():
    """``fig=`` on ccf_scatter, dose_response_curves and synergy_matrices (a figure or a subfigure)."""
    summary, wells = synergy(_combos(2))
    parent = plt.figure()
    left, right = parent.subfigures(1, 2)
    assert pl.synergy_matrices(wells, summary, fig=left) is left and sum(ax.axison for ax in left.axes) >= 2
    d = np.logspace(-2, 1, 6)
    screen = pd.concat([pd.DataFrame({"sample": s, "drug": "D1", "dose": d, "response": 1 / (1 + d / e)}) for s, e in [("S1", 0.1), ("S2", 1.0)]])
    assert pl.dose_response_curves(fit_curves(screen), screen, fig=right) is right and len(right.axes) == 2
    own = plt.figure()
    t = pd.DataFrame({"mutation_id": ["a", "a", "b", "b"], "sample_id": ["R1", "R2"] * 2, "ccf": [1.0, 0.9, 0.3, 0.0], "cluster": [0, 0, 1, 1]})
    assert pl.ccf_scatter(t, fig=own) is own and len(own.axes) == 1
    one = plt.figure().subfigures(1, 2)[0]
    assert pl.ccf_scatter(t[t["sample_id"] == "R1"], fig=one) is one and len(one.axes) == 1
    assert len(pl.synergy_matrices(wells, summary).axes) >= 2  # default: a new figure
    plt.close("all")

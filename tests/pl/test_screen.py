"""Drug-screen figures (pl._screen)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from oncoresist._core._errors import InputError
from oncoresist.pl import (
    dose_response_curves,
    sensitivity_heatmap,
    synergy_heatmap,
    synergy_matrices,
    synergy_surface,
)
from oncoresist.tl import drug_layer, fit_curves, synergy


@pytest.fixture(scope="module")
def screen_and_curves():
    rng = np.random.default_rng(0)
    d = np.logspace(-3, 1, 7)
    frames = []
    for i in range(6):
        for drug in ("D1", "D2", "D3"):
            ic = 10 ** rng.uniform(-2.5, 0.5)
            y = 0.1 + 0.9 / (1 + (d / ic) ** 1.3) + rng.normal(0, 0.03, d.size)
            frames.append(pd.DataFrame({"sample": f"S{i}", "drug": drug, "dose": d, "response": y}))
    screen = pd.concat(frames, ignore_index=True)
    return screen, fit_curves(screen)


@pytest.fixture(scope="module")
def combos():
    c = np.array([0.0, 0.01, 0.1, 1.0, 10.0])
    g1, g2 = np.meshgrid(c, c, indexing="ij")
    frames = []
    for k, boost in enumerate((1.0, 5.0)):
        v2 = 1 / (1 + g2 / 1.0)
        v1 = 1 / (1 + g1 * (1 + (boost - 1) * (1 - v2)) / 0.5)
        frames.append(pd.DataFrame({"block": f"B{k}", "drug1": "A", "drug2": "B", "conc1": g1.ravel(),
                                    "conc2": g2.ravel(), "response": (v1 * v2).ravel()}))  # fmt: skip
    return synergy(pd.concat(frames))


def test_dose_response_curves(screen_and_curves):
    screen, curves = screen_and_curves
    fig = dose_response_curves(curves, screen, pairs=[("S0", "D1"), ("S1", "D2")])
    assert isinstance(fig, Figure)
    axes = [ax for ax in fig.axes if ax.get_visible() and ax.axison]
    assert len(axes) == 2
    assert len(axes[0].collections) == 1 and len(axes[0].collections[0].get_offsets()) == 7  # data points
    assert "S0" in axes[0].get_title() and "AUC" in axes[0].get_title()
    plt.close(fig)
    fig = dose_response_curves(curves, max_panels=5)  # no data points, default pairs
    assert sum(ax.axison for ax in fig.axes) == 5
    plt.close(fig)
    with pytest.raises(InputError, match="pairs not in the curves"):
        dose_response_curves(curves, pairs=[("S0", "nope")])


def test_sensitivity_heatmap_from_table_and_layer(screen_and_curves):
    _, curves = screen_and_curves
    fig = sensitivity_heatmap(curves, value="auc")
    img = fig.axes[0].images[0].get_array()
    assert img.shape == (6, 3)
    plt.close(fig)
    adata = drug_layer(curves)
    fig = sensitivity_heatmap(adata, value="dss2", cluster=False)
    np.testing.assert_allclose(np.asarray(fig.axes[0].images[0].get_array()), adata.layers["dss2"])
    plt.close(fig)
    with pytest.raises(InputError, match="layer 'nope'"):
        sensitivity_heatmap(adata, value="nope")


def test_synergy_figures(combos):
    summary, wells = combos
    fig = synergy_heatmap(wells, block="B1", method="zip")
    arr = np.asarray(fig.axes[0].images[0].get_array())
    assert arr.shape == (5, 5)
    np.testing.assert_allclose(arr[1:, 1:], wells[wells["block"] == "B1"].pivot(index="conc1", columns="conc2", values="zip").to_numpy()[1:, 1:])
    plt.close(fig)
    fig = synergy_surface(wells, block="B0", method="bliss")
    assert fig.axes[0].name == "3d"
    plt.close(fig)
    fig = synergy_matrices(wells, summary, method="bliss", max_blocks=2)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles[0].startswith("B1")  # the synergistic block is ranked first
    plt.close(fig)
    with pytest.raises(InputError, match="block 'B9'"):
        synergy_heatmap(wells, block="B9")


def test_sensitivity_heatmap_draws_into_a_given_ax(screen_and_curves):
    _, curves = screen_and_curves
    fig, axes = plt.subplots(1, 2)
    assert sensitivity_heatmap(curves, value="auc", ax=axes[1]) is fig
    assert axes[1].images[0].get_array().shape == (6, 3) and not axes[0].images
    plt.close(fig)


def test_synergy_surface_takes_a_3d_ax_and_refuses_a_flat_one(combos):
    _, wells = combos
    fig = plt.figure()
    ax3 = fig.add_subplot(1, 2, 1, projection="3d")
    assert synergy_surface(wells, block="B0", method="bliss", ax=ax3) is fig and ax3.get_title().startswith("B0")
    with pytest.raises(InputError, match="projection='3d'"):
        synergy_surface(wells, block="B0", ax=fig.add_subplot(1, 2, 2))
    plt.close(fig)


def _cohort_screen(seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    d = np.logspace(-2, 1, 7)
    ec50 = {"P1": 0.05, **{f"S{i}": 10 ** rng.uniform(-1, 0.7) for i in range(9)}}
    return pd.concat([pd.DataFrame({"sample": s, "drug": "D1", "dose": d, "response": 1 / (1 + d / e) + rng.normal(0, 0.01, d.size)})
                      for s, e in ec50.items()], ignore_index=True)  # fmt: skip


def test_patient_dose_response_draws_patient_over_cohort_band():
    from oncoresist.pl import patient_dose_response
    from oncoresist.tl.screen._curves import hill_response

    screen = _cohort_screen()
    curves = fit_curves(screen)
    fig, ax = plt.subplots()
    assert patient_dose_response(curves, sample="P1", drug="D1", screen=screen, ax=ax) is ax
    assert ax.get_xlabel() == "dose (µM)" and ax.get_xscale() == "log" and "fraction of control" in ax.get_ylabel()
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    fit = lines["patient (fit)"]
    mine = curves[curves["sample"] == "P1"]
    np.testing.assert_allclose(fit.get_ydata(), hill_response(mine, fit.get_xdata())[0])
    median = next(ln for lab, ln in lines.items() if lab.startswith("cohort median"))
    assert "(n = 9)" in median.get_label()
    others = curves[curves["sample"] != "P1"]
    grid = median.get_xdata()
    ref = np.median(hill_response(others, grid), axis=0)  # every cohort curve spans the same doses here
    np.testing.assert_allclose(median.get_ydata(), ref, rtol=1e-9)
    from matplotlib.collections import LineCollection

    faint = [c for c in ax.collections if isinstance(c, LineCollection) and c.get_alpha() == 0.25]
    assert len(faint) == 1 and len(faint[0].get_segments()) == 9  # one collection of the 9 other curves
    pts = ax.collections[-1].get_offsets()
    assert len(pts) == 7  # the patient's measured points
    plt.close(fig)


def test_patient_dose_response_needs_the_patients_curve():
    from oncoresist.pl import patient_dose_response

    curves = fit_curves(_cohort_screen())
    with pytest.raises(InputError, match="no curve of sample 'nope'"):
        patient_dose_response(curves, sample="nope", drug="D1")
    with pytest.raises(InputError, match="fit_curves"):
        patient_dose_response(pd.DataFrame({"x": [1]}), sample="P1", drug="D1")
    ax = patient_dose_response(curves[curves["sample"] == "P1"], sample="P1", drug="D1")  # no cohort: patient only
    assert [ln.get_label() for ln in ax.get_lines()] == ["patient (fit)"]
    plt.close(ax.figure)


def test_patient_dose_response_on_the_cll_screen(shared_data):
    """Real CLL ex vivo screen (Dietrich 2018): one patient's ibrutinib curve over 248 others."""
    from oncoresist.pl import patient_dose_response

    path = shared_data / "cll" / "drpar_long_dose_response.csv.gz"
    if not path.exists():
        pytest.skip(f"{path} not in the shared data")
    raw = pd.read_csv(path)
    raw = raw[raw["drug_name"] == "ibrutinib"]
    screen = pd.DataFrame({"sample": raw["patient_id"], "drug": raw["drug_name"], "dose": raw["conc_uM"], "response": raw["viability"]})
    curves = fit_curves(screen)
    patient = str(curves.loc[curves["status"] == "ok", "sample"].iloc[0])
    fig, ax = plt.subplots()
    patient_dose_response(curves, sample=patient, drug="ibrutinib", screen=screen, ax=ax)
    median = next(ln for ln in ax.get_lines() if ln.get_label().startswith("cohort median"))
    n_cohort = int(((curves["status"] == "ok") & (curves["sample"] != patient)).sum())
    assert f"(n = {n_cohort})" in median.get_label() and n_cohort > 200
    lo, hi = screen["dose"].min(), screen["dose"].max()
    assert median.get_xdata().min() == pytest.approx(lo) and median.get_xdata().max() == pytest.approx(hi)
    y = median.get_ydata()
    assert np.all(np.isfinite(y)) and 0.2 < y.min() < y.max() < 1.3  # a sensible median viability curve
    plt.close(fig)

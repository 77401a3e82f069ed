"""GR values (Hafner 2016): time-zero and control counts matched by plate and time; GR metrics per time."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from oncoresist._core._errors import InputError
from oncoresist.tl import fit_curves, gr_values
from oncoresist.tl.screen._growth import gr_formula, row_time_zero_ratio


def test_gr_formula_hand_computed_and_published_rate_form():
    # x0 = 100, control doubles twice (400), treated doubles once (200): GR = 2**(1/2) - 1
    assert float(gr_formula(200.0, 100.0, 400.0)) == pytest.approx(2**0.5 - 1)
    assert float(gr_formula(100.0, 100.0, 400.0)) == pytest.approx(0.0)  # cytostatic
    assert float(gr_formula(400.0, 100.0, 400.0)) == pytest.approx(1.0)  # no effect
    assert float(gr_formula(0.0, 100.0, 400.0)) == pytest.approx(-1.0)  # all cells killed
    assert float(gr_formula(50.0, 100.0, 400.0)) == pytest.approx(2 ** (-0.5) - 1)  # half the cells died
    # Hafner 2016, eq. 2: GR = 2 ** (k(c) / k(0)) - 1 with k = log2(x / x0) / t for exponential growth
    t, k0, kc = 72.0, 1 / 24, 1 / 60
    x0 = 1000.0
    assert float(gr_formula(x0 * 2 ** (kc * t), x0, x0 * 2 ** (k0 * t))) == pytest.approx(2 ** (kc / k0) - 1)
    assert np.isnan(gr_formula(150.0, 100.0, 90.0))  # untreated cells did not grow: undefined


def _timecourse(grs: dict[float, np.ndarray], dose: np.ndarray, plates: dict[str, tuple[float, float]]) -> pd.DataFrame:
    """Counts whose GR at each time is ``grs[time]``; plate p has x0 and a per-hour control growth factor."""
    rows = []
    for plate, (x0, rate) in plates.items():
        rows.append({"sample": "S", "drug": "D", "plate": plate, "dose": 0.0, "time": 0.0, "cell_count": x0})
        for t, gr in grs.items():
            xc = x0 * 2 ** (rate * t)
            rows.append({"sample": "S", "drug": "D", "plate": plate, "dose": 0.0, "time": t, "cell_count": xc})
            x = x0 * (xc / x0) ** np.log2(gr + 1)
            rows += [{"sample": "S", "drug": "D", "plate": plate, "dose": d, "time": t, "cell_count": v} for d, v in zip(dose, x)]
    return pd.DataFrame(rows)


def _gr_curve(dose: np.ndarray, grinf: float, gec50: float, h: float) -> np.ndarray:
    return grinf + (1 - grinf) / (1 + (dose / gec50) ** h)


def test_gr_values_match_time_zero_by_plate_and_controls_by_time():
    dose = np.array([0.01, 0.1, 1.0])
    tc = _timecourse({24.0: np.array([0.9, 0.5, 0.1]), 72.0: np.array([0.8, 0.2, -0.3])}, dose,
                     {"p1": (100.0, 1 / 24), "p2": (300.0, 1 / 36)})  # fmt: skip
    out = gr_values(tc)
    assert out.attrs["gr_time_zero_match"] == "(sample, plate)"
    assert out.attrs["gr_control_match"] == "(sample, plate, time)"
    treated = out[out["dose"] > 0].set_index(["plate", "time", "dose"])
    assert treated.loc[("p2", 72.0, 1.0), "x0"] == 300.0
    assert treated.loc[("p2", 72.0, 1.0), "x_ctrl"] == pytest.approx(300.0 * 2 ** (72 / 36))
    assert treated.loc[("p1", 24.0, 0.1), "gr"] == pytest.approx(0.5)
    assert treated.loc[("p2", 72.0, 1.0), "gr"] == pytest.approx(-0.3)
    # hand-computed from the counts of one well
    r = treated.loc[("p1", 72.0, 0.01)]
    assert r["gr"] == pytest.approx(2 ** (np.log2(r["cell_count"] / 100.0) / np.log2(r["x_ctrl"] / 100.0)) - 1)
    assert r["response"] == pytest.approx(r["cell_count"] / r["x_ctrl"])
    # pooling time zero over plates (the old behaviour) would have given a different value
    pooled = gr_formula(r["cell_count"], 200.0, r["x_ctrl"])
    assert abs(pooled - r["gr"]) > 0.05


def test_gr_values_fall_back_to_sample_level_with_a_warning():
    dose = np.array([0.1, 1.0])
    tc = _timecourse({72.0: np.array([0.5, 0.0])}, dose, {"p1": (100.0, 1 / 24)})
    extra = tc[tc["time"] > 0].assign(plate="p9")  # a plate without time-zero wells
    with pytest.warns(UserWarning, match=r"time-zero counts matched by \(sample\) for 3 row"):
        out = gr_values(pd.concat([tc, extra], ignore_index=True))
    assert out.attrs["gr_time_zero_match"] == "(sample, plate); (sample)"
    assert out.loc[out["plate"] == "p9", "x0"].eq(100.0).all()
    with pytest.warns(UserWarning, match="no plate column"):
        gr_values(tc.drop(columns="plate"))


def test_gr_values_bad_input():
    tc = pd.DataFrame({"sample": "S", "drug": "D", "dose": [0.0, 1.0], "time": [72.0, 72.0], "cell_count": [4.0, 2.0]})
    with pytest.raises(InputError, match="no time-zero rows"):
        gr_values(tc)
    with pytest.raises(InputError, match="no vehicle rows"):
        gr_values(tc.assign(dose=[1.0, 1.0], time=[0.0, 72.0]))
    with pytest.raises(InputError, match="no cell_count"):
        gr_values(tc.rename(columns={"cell_count": "x"}))


def test_gr_metrics_are_reported_per_time_never_pooled():
    dose = np.logspace(-3, 1, 9)
    truth = {24.0: (0.2, 0.5, 1.0), 72.0: (-0.4, 0.05, 1.5)}  # grinf, gec50, hill per time
    grs = {t: _gr_curve(dose, *p) for t, p in truth.items()}
    tc = _timecourse(grs, dose, {"p1": (100.0, 1 / 24), "p2": (250.0, 1 / 30)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = fit_curves(gr_values(tc))
    assert list(res["time"]) == [24.0, 72.0]
    assert res.attrs["gr_time_zero_match"] == "given (gr column)"
    for _, row in res.iterrows():
        grinf, gec50, h = truth[row["time"]]
        assert row["grinf"] == pytest.approx(grinf, abs=1e-4)
        assert row["gec50_uM"] == pytest.approx(gec50, rel=1e-3)
        assert row["gr50_uM"] == pytest.approx(gec50 * ((1 - 0.5) / (0.5 - grinf)) ** (1 / h), rel=1e-3)
        assert row["grmax"] == pytest.approx(_gr_curve(dose[-1:], grinf, gec50, h)[0], abs=1e-3)


def test_ratio_table_time_zero_matched_by_plate():
    dose = np.logspace(-3, 1, 9)
    grinf, gec50, h = -0.2, 0.1, 1.2
    gr = _gr_curve(dose, grinf, gec50, h)
    parts = []
    for plate, r0 in (("p1", 0.25), ("p2", 0.5)):  # two and one doublings
        viab = r0 * (gr + 1) ** np.log2(1 / r0)
        parts.append(pd.DataFrame({"sample": "S", "drug": "D", "plate": plate, "dose": dose, "response": viab, "time": 72.0}))
        parts.append(pd.DataFrame({"sample": "S", "drug": "none", "plate": plate, "dose": [0.0], "response": [r0], "time": 0.0}))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = fit_curves(pd.concat(parts, ignore_index=True)).iloc[0]
    assert res["grinf"] == pytest.approx(grinf, abs=1e-4)
    assert res["gec50_uM"] == pytest.approx(gec50, rel=1e-3)


def test_ratio_table_with_several_endpoint_times_warns():
    rows = pd.DataFrame({"sample": "S", "time": [24.0, 72.0]})
    t0 = pd.DataFrame({"sample": ["S"], "response": [0.3]})
    with pytest.warns(UserWarning) as rec:
        r0, match = row_time_zero_ratio(rows, t0, n_times=2)
    msgs = " ".join(str(w.message) for w in rec)
    assert "cannot be matched by time" in msgs and "sample only" in msgs
    assert r0.tolist() == [0.3, 0.3] and match == "(sample)"


def test_gr_values_without_time_zero_can_return_relative_counts():
    tc = pd.DataFrame({"sample": "S", "drug": "D", "dose": [0.0, 1.0], "time": [72.0, 72.0], "cell_count": [4.0, 2.0]})
    with pytest.warns(UserWarning) as rec:
        out = gr_values(tc, require_time_zero=False)
    assert any("no time-zero rows" in str(w.message) for w in rec)
    assert out["response"].tolist() == [1.0, 0.5] and out["gr"].isna().all() and out["x0"].isna().all()

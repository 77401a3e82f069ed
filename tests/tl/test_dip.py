"""DIP rates (Harris 2016): slopes of log2 counts vs time, checked against scipy / numpy; DIP curves."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from oncoresist._core._errors import InputError
from oncoresist.tl import DIP_COLUMNS, dip_curves, dip_rates


def _course(rng, rates: dict[float, float], *, times=(0, 12, 24, 48, 72, 96), wells=3, noise=0.05, lag=0.0):
    """Counts growing at ``rates[dose]`` doublings/h after ``lag`` hours (control rate before it)."""
    rows = []
    for dose, k in rates.items():
        for w in range(wells):
            x0 = 500.0 * (1 + 0.1 * w)
            for t in times:
                lt = np.log2(x0) + rates[0.0] * min(t, lag) + k * max(t - lag, 0.0) + noise * rng.standard_normal()
                rows.append({"sample": "S", "drug": "D" if dose > 0 else "", "dose": dose, "time": float(t),
                             "cell_count": 2**lt, "well": f"w{w}"})  # fmt: skip
    return pd.DataFrame(rows)


def test_dip_rate_matches_linregress_and_polyfit(rng):
    tc = _course(rng, {0.0: 1 / 24, 0.1: 1 / 40, 1.0: -1 / 80})
    res = dip_rates(tc)
    assert list(res.columns) == list(DIP_COLUMNS)
    for _, row in res.iterrows():
        sub = tc[(tc["dose"] == row["dose"])]
        ref = stats.linregress(sub["time"], np.log2(sub["cell_count"]))
        assert row["dip_rate"] == pytest.approx(ref.slope, rel=1e-9)
        assert row["dip_rate_se"] == pytest.approx(ref.stderr, rel=1e-7)
        assert row["r2"] == pytest.approx(ref.rvalue**2, rel=1e-7)
        assert row["dip_rate"] == pytest.approx(np.polyfit(sub["time"], np.log2(sub["cell_count"]), 1)[0], rel=1e-9)
        assert row["n_times"] == 6 and row["n_points"] == 18
    assert res.loc[res["dose"] == 1.0, "dip_rate"].iloc[0] == pytest.approx(-1 / 80, rel=0.05)


def test_delay_drops_the_lag_phase(rng):
    tc = _course(rng, {0.0: 1 / 24, 1.0: -1 / 50}, lag=24.0, noise=0.0)
    early = dip_rates(tc).set_index("dose")["dip_rate"]
    late = dip_rates(tc, delay=24.0).set_index("dose")
    assert late.loc[1.0, "dip_rate"] == pytest.approx(-1 / 50, rel=1e-9)  # exact once the lag is skipped
    assert abs(early.loc[1.0] + 1 / 50) > 0.003  # the lag biases the pooled slope
    assert late.loc[1.0, "n_times"] == 4 and late.attrs["params"]["delay_h"] == 24.0


def test_zero_counts_and_single_times_and_bad_input(rng):
    tc = _course(rng, {0.0: 1 / 24, 1.0: -1 / 50}, times=(0, 24))
    tc.loc[0, "cell_count"] = 0.0
    with pytest.warns(UserWarning, match="count"):
        res = dip_rates(tc)
    assert res["n_points"].tolist() == [5, 6]
    with pytest.warns(UserWarning, match="fewer than 2 times"):
        res = dip_rates(tc.iloc[1:], delay=24.0)
    assert res["dip_rate"].isna().all()
    with pytest.raises(InputError, match="delay must be"):
        dip_rates(tc, delay=-1.0)
    with pytest.raises(InputError, match="no positive cell counts"):
        dip_rates(tc, delay=1000.0)
    with pytest.raises(InputError, match="cell_count"):
        dip_rates(tc.drop(columns="cell_count"))


def test_dip_curves_recover_ec50_and_emax(rng):
    dose = np.logspace(-3, 1, 9)
    k0, einf, ec50, h = 1 / 24, -0.5, 0.05, 1.3
    rel = einf + (1 - einf) / (1 + (dose / ec50) ** h)
    tc = _course(rng, {0.0: k0, **{d: k0 * r for d, r in zip(dose, rel)}}, noise=0.0)
    res = dip_curves(dip_rates(tc)).iloc[0]
    assert res["status"] == "ok" and res["drug"] == "D"
    assert res["dip_ctrl"] == pytest.approx(k0)
    assert res["dip_ec50_uM"] == pytest.approx(ec50, rel=1e-3)
    assert res["dip_einf"] == pytest.approx(einf, abs=1e-3)
    assert res["dip_emax"] == pytest.approx(rel[-1], abs=1e-3)
    assert res["dip_hill"] == pytest.approx(h, rel=1e-3)


def test_dip_curves_without_growing_vehicle_warn():
    rates = pd.DataFrame({"sample": "S", "drug": "D", "dose": [0.0, 0.1, 1.0, 10.0], "dip_rate": [-0.01, -0.02, -0.03, -0.04]})
    with pytest.warns(UserWarning) as rec:
        res = dip_curves(rates)
    assert any("no growing vehicle" in str(w.message) for w in rec)
    assert res["status"].iloc[0] == "no_data" and np.isnan(res["dip_ec50_uM"].iloc[0])
    with pytest.raises(InputError, match="no treated"):
        dip_curves(rates.iloc[:1])

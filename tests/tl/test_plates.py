from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from oncoresist import InputError
from oncoresist.tl import fit_curves, normalize_plates, z_prime


def raw_plate(rng, plate, *, neg=10000.0, pos=500.0, noise=0.03, n_ctrl=16, ec50=0.1):
    dose = np.logspace(-3, 1, 8)
    via = 0.05 + 0.95 / (1 + (dose / ec50) ** 1.2)
    treated = pd.DataFrame({"plate": plate, "control": "", "sample": "S1", "drug": "D1", "dose": dose,
                            "signal": pos + via * (neg - pos) * np.exp(rng.normal(0, noise, dose.size))})  # fmt: skip
    ctrl = pd.DataFrame(
        {
            "plate": plate,
            "control": ["neg"] * n_ctrl + ["pos"] * n_ctrl,
            "signal": np.r_[neg * np.exp(rng.normal(0, noise, n_ctrl)), pos * np.exp(rng.normal(0, noise, n_ctrl))],
        }
    )
    return pd.concat([treated, ctrl], ignore_index=True)


def test_z_prime_matches_its_formula(rng):
    pos = rng.normal(100, 10, 32)
    neg = rng.normal(1000, 40, 32)
    expected = 1 - 3 * (pos.std(ddof=1) + neg.std(ddof=1)) / abs(neg.mean() - pos.mean())
    assert z_prime(pos, neg) == pytest.approx(expected)
    robust = z_prime(pos, neg, robust=True)
    mad = lambda x: 1.4826 * np.median(np.abs(x - np.median(x)))  # noqa: E731
    assert robust == pytest.approx(1 - 3 * (mad(pos) + mad(neg)) / abs(np.median(neg) - np.median(pos)))
    assert np.isnan(z_prime([1.0], neg))
    assert np.isnan(z_prime([5.0, 5.0], [5.0, 5.0]))


def test_normalisation_recovers_viability_and_flags_bad_plates(rng):
    good = raw_plate(rng, "P1", noise=0.02)
    noisy = raw_plate(rng, "P2", noise=0.4)
    with pytest.warns(UserWarning, match="below Z'"):
        screen, qc = normalize_plates(pd.concat([good, noisy]))
    qc = qc.set_index("plate")
    assert qc.loc["P1", "pass"] and qc.loc["P1", "z_prime"] > 0.8
    assert not qc.loc["P2", "pass"] and "Z'" in qc.loc["P2", "note"]
    assert qc.loc["P1", "n_negative"] == 16 and qc.loc["P1", "n_positive"] == 16
    assert list(screen.columns[:4]) == ["sample", "drug", "dose", "response"]
    assert set(screen["plate"]) == {"P1", "P2"}
    p1 = screen[screen["plate"] == "P1"]
    dose = p1["dose"].to_numpy()
    truth = 0.05 + 0.95 / (1 + (dose / 0.1) ** 1.2)
    assert np.abs(p1["response"].to_numpy() - truth).max() < 0.06
    res = fit_curves(p1)
    assert res.loc[0, "ec50_uM"] == pytest.approx(0.1, rel=0.3)


def test_plates_without_controls_are_left_out_with_a_warning(rng):
    good = raw_plate(rng, "P1")
    orphan = raw_plate(rng, "P3")
    orphan = orphan[orphan["control"] != "pos"]
    with pytest.warns(UserWarning, match="left out"):
        screen, qc = normalize_plates(pd.concat([good, orphan]))
    assert set(screen["plate"]) == {"P1"}
    assert "no positive controls" in qc.set_index("plate").loc["P3", "note"]
    assert screen.attrs["n_dropped_wells"] == 8


def test_control_labels_in_the_drug_column(rng):
    raw = raw_plate(rng, "P1").drop(columns="control")
    raw.loc[raw["drug"].isna(), "drug"] = ["DMSO"] * 16 + ["BZCL"] * 16
    screen, qc = normalize_plates(raw, negative="DMSO", positive="BZCL")
    assert len(screen) == 8 and qc.loc[0, "pass"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"negative": "vehicle"}, "no negative control"), ({"signal": "lum"}, "lum")],
)
def test_bad_plate_tables_raise(rng, kwargs, match):
    with pytest.raises(InputError, match=match):
        normalize_plates(raw_plate(rng, "P1"), **kwargs)

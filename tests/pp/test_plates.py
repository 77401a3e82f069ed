"""Steps of the plate normalisation (pp._plates); the public function is tested in tests/tl/test_plates.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from oncoresist._core._errors import InputError
from oncoresist.pp._plates import (
    _centre_spread,
    _plate_row,
    _plates_qc,
    _screen_table,
    _signal_values,
    _viability,
    _well_labels,
)


def test_well_labels_and_signal():
    df = pd.DataFrame({"plate": ["P", "P"], "drug": ["DMSO", None], "signal": ["1.5", "x"]})
    labels, src = _well_labels(df, "control")
    assert labels.tolist() == ["DMSO", ""] and src == "column 'drug'"
    with pytest.raises(InputError, match="no 'control' column"):
        _well_labels(df[["plate"]], "control")
    with pytest.raises(InputError, match="non-numeric signal 'x'"):
        _signal_values(df, "signal", "plate")
    assert _signal_values(df.iloc[:1], "signal", "plate").tolist() == [1.5]


def test_centre_spread_and_plate_row():
    x = np.array([1.0, 2.0, 3.0])
    assert _centre_spread(x, False) == (2.0, 1.0)
    assert _centre_spread(x, True) == (2.0, pytest.approx(1.4826))
    c, s = _centre_spread(np.array([]), False)
    assert np.isnan(c) and np.isnan(s)
    rng = np.random.default_rng(0)
    row = _plate_row("P1", 10, rng.normal(100, 1, 4), rng.normal(5, 1, 4), robust=False, min_z_prime=0.5)
    assert row["pass"] and row["_usable"] and row["note"] == ""
    row = _plate_row("P2", 4, np.array([1.0, 1.1]), np.array([]), robust=False, min_z_prime=0.5)
    assert not row["_usable"] and "no positive controls" in row["note"]


def test_plates_qc_viability_and_screen_table():
    sig = np.array([100.0, 100.0, 0.0, 0.0, 50.0, 10.0, 25.0])
    pkey = np.array(["A", "A", "A", "A", "A", "B", "B"])
    neg = np.array([1, 1, 0, 0, 0, 1, 0], dtype=bool)
    pos = np.array([0, 0, 1, 1, 0, 0, 0], dtype=bool)
    qc = _plates_qc(sig, pkey, neg, pos, robust=False, min_z_prime=0.0)
    assert qc["plate"].tolist() == ["A", "B"] and qc["_usable"].tolist() == [True, False]
    resp, ok = _viability(sig, pkey, qc)
    assert resp[4] == pytest.approx(0.5) and ok.tolist() == [True] * 5 + [False] * 2
    wells = pd.DataFrame({"plate": ["A"], "sample": ["S"], "drug": ["D"], "dose": ["1"], "signal": [50.0], "_signal": [50.0]})
    out = _screen_table(wells, np.array([0.5]), signal="signal", plate="plate", control="control")
    assert list(out.columns) == ["sample", "drug", "dose", "response", "plate"] and out["dose"].iloc[0] == 1.0
    with pytest.raises(InputError, match="numeric dose"):
        _screen_table(wells.assign(dose=[None]), np.array([0.5]), signal="signal", plate="plate", control="control")

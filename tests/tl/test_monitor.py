"""tl.monitor + interpret.monitor_ctdna: molecular response and emerging resistance from serial ctDNA."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from oncoresist._core._errors import InputError
from oncoresist.interpret import monitor_ctdna
from oncoresist.tl.monitor import ctdna_timeline, ctdna_trajectories


def _table(rows: list[tuple]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["patient", "day", "alteration", "vaf"])
    return df.assign(gene=df["alteration"].str.split().str[0], kind="mutation", copy_number=np.nan)


@pytest.fixture
def serial() -> pd.DataFrame:
    return _table([
        ("P1", 0, "EGFR L858R", 0.040), ("P1", 0, "EGFR T790M", 0.010), ("P1", 0, "TP53 R273H", 0.030),
        ("P1", 60, "EGFR L858R", 0.010), ("P1", 60, "EGFR T790M", 0.002), ("P1", 60, "TP53 R273H", 0.012),
        ("P1", 200, "EGFR L858R", 0.030), ("P1", 200, "EGFR C797S", 0.020), ("P1", 200, "TP53 R273H", 0.030),
        ("P2", 0, "KRAS G12D", 0.050), ("P2", 30, "KRAS G12D", 0.0),
    ])  # fmt: skip


def test_timeline_response_by_hand(serial: pd.DataFrame) -> None:
    tl = ctdna_timeline(serial).set_index(["patient", "day"])
    assert tl.loc[("P1", 0), "response"] == "baseline" and tl.loc[("P1", 0), "max_vaf"] == 0.04
    assert tl.loc[("P1", 60), "ratio_to_baseline"] == pytest.approx(0.012 / 0.04)
    assert tl.loc[("P1", 60), "response"] == "molecular response"
    assert tl.loc[("P1", 200), "response"] == "stable"  # 0.03 / 0.04
    assert tl.loc[("P2", 30), "response"] == "clearance" and tl.loc[("P2", 30), "n_detected"] == 0
    assert tl.loc[("P1", 0), "mean_vaf"] == pytest.approx((0.04 + 0.01 + 0.03) / 3)


def test_categorical_columns_as_read_back_from_h5mu(serial: pd.DataFrame) -> None:
    """A cohort written and read again holds categorical columns: one patient's rows keep every category."""
    cat = serial.astype({"patient": "category", "alteration": "category", "gene": "category", "kind": "category"})
    one = cat[cat["patient"] == "P2"]  # categories of P1 still listed, with no rows
    assert ctdna_timeline(one)["patient"].astype(str).tolist() == ["P2", "P2"]
    tr = ctdna_trajectories(one)
    assert tr["alteration"].astype(str).tolist() == ["KRAS G12D"] and tr["status"].iloc[0] == "cleared"
    pd.testing.assert_frame_equal(ctdna_timeline(cat).astype({"patient": str}), ctdna_timeline(serial).astype({"patient": str}),
                                  check_dtype=False)


def test_trajectories_status(serial: pd.DataFrame) -> None:
    tr = ctdna_trajectories(serial).set_index(["patient", "alteration"])
    assert tr.loc[("P1", "EGFR C797S"), "status"] == "emerged" and tr.loc[("P1", "EGFR C797S"), "first_detected_day"] == 200
    assert tr.loc[("P1", "EGFR T790M"), "status"] == "cleared"  # not listed at day 200: not detected
    assert tr.loc[("P1", "TP53 R273H"), "status"] == "persistent"
    assert tr.loc[("P2", "KRAS G12D"), "status"] == "cleared"
    rising = ctdna_trajectories(_table([("P", 0, "MET Y1003*", 0.01), ("P", 50, "MET Y1003*", 0.05)]))
    assert rising["status"].iloc[0] == "rising"
    base = ctdna_trajectories(serial, baseline_day=60).set_index(["patient", "alteration"])
    assert base.loc[("P1", "EGFR L858R"), "baseline_vaf"] == 0.01


def test_emerging_resistance_alert(serial: pd.DataFrame, tmp_path: Path) -> None:
    kb = tmp_path / "kb.duckdb"
    m = monitor_ctdna(serial, therapy="osimertinib", tumour_type="NSCLC", kb=kb)
    cur = m.alerts[m.alerts["current"]]
    assert cur[["patient", "alteration", "drug", "first_detected_day"]].values.tolist() == [["P1", "EGFR C797S", "osimertinib", 200.0]]
    none = monitor_ctdna(serial, therapy="carboplatin", kb=kb)
    assert not none.alerts["current"].astype(bool).any()
    out = m.write(tmp_path / "mon")
    assert {p.name for p in out.iterdir()} == {"timeline.csv", "trajectories.csv", "alerts.csv", "summary.txt"}
    assert "EGFR C797S (day 200) -> resistance to osimertinib" in (out / "summary.txt").read_text()


def test_bad_input(serial: pd.DataFrame, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="read_ctdna"):
        ctdna_timeline(serial.drop(columns="vaf"))
    with pytest.raises(InputError, match="response_fall"):
        ctdna_timeline(serial, response_fall=1.5)
    with pytest.raises(InputError, match="P9"):
        monitor_ctdna(serial, patients=["P9"], kb=tmp_path / "kb.duckdb")


def test_real_guardant_c797s_under_osimertinib(shared_data: Path, tmp_path: Path) -> None:
    from oncoresist.io import read_ctdna

    p = shared_data / "clonal" / "ctdna_nsclc_serial_guardant360.csv"
    if not p.exists():
        pytest.skip("clonal/ctdna_nsclc_serial_guardant360.csv not in shared data")
    m = monitor_ctdna(read_ctdna(p), therapy="osimertinib", tumour_type="NSCLC", kb=tmp_path / "kb.duckdb")
    cur = m.alerts[m.alerts["current"].astype(bool)]
    # the two patients of the published series in whom C797S appeared on osimertinib
    got = {(r.patient, r.alteration, r.first_detected_day) for r in cur.itertuples()}
    assert {("G182", "EGFR C797S", 902.0), ("G9", "EGFR C797S", 917.0)} <= got
    assert len(m.timeline) == m.timeline.groupby(["patient", "day"]).ngroups

"""Tests for oncoresist.io._clinical: read_clinical and parse_event."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from oncoresist._core._errors import InputError
from oncoresist.io import parse_event, read_clinical


def test_cbioportal_style_survival(tmp_path: Path) -> None:
    p = tmp_path / "clinical.tsv"
    p.write_text(
        "PATIENT_ID\tOS_MONTHS\tOS_STATUS\tSTAGE\n"
        " P1 \t12.5\t1:DECEASED\tII\n"
        "P2\t30\t0:LIVING\tI\n"
        "P3\t\t0:LIVING\tIII\n"
    )
    df = read_clinical(p)
    assert list(df.index) == ["P1", "P2", "P3"]
    assert "PATIENT_ID" not in df.columns and "STAGE" in df.columns
    assert df["survival_time"].tolist()[:2] == [12.5, 30.0] and np.isnan(df["survival_time"].iloc[2])
    assert df["survival_event"].tolist() == [1, 0, 0]
    assert str(df["survival_event"].dtype) == "Int64"
    s = df.attrs["survival"]
    assert (s["time_column"], s["event_column"], s["how"]) == ("OS_MONTHS", "OS_STATUS", "recognised")
    assert s["time_unit"] == "months"
    assert (s["n_events"], s["n_censored"], s["n_missing"]) == (1, 2, 1)  # status counts; P3 lacks a time
    assert df.attrs["id_column"] == "PATIENT_ID"


def test_named_columns_and_id_column(tmp_path: Path) -> None:
    p = tmp_path / "c.csv"
    p.write_text("row,sample,follow_up_d,alive_or_dead,age\n1,S1,100,Dead,60\n2,S2,200,Alive,70\n")
    df = read_clinical(p, id_column="sample", survival_time="follow_up_d", survival_event="alive_or_dead")
    assert list(df.index) == ["S1", "S2"]
    assert df["survival_event"].tolist() == [1, 0]
    assert df.attrs["survival"]["how"] == "given"
    assert "row" in df.columns


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([1, 0, 1.0, 0.0], [1, 0, 1, 0]),
        ([True, False, None, np.nan], [1, 0, None, None]),
        (["TRUE", "false", "yes", "No"], [1, 0, 1, 0]),
        (["1:DECEASED", "0:LIVING", "1:Recurred/Progressed", "0:DiseaseFree"], [1, 0, 1, 0]),
        (["Dead", "Alive", "Deceased", "Living"], [1, 0, 1, 0]),
        (["", "NA", "Unknown", "[Not Available]"], [None, None, None, None]),
    ],
)
def test_parse_event(values: list, expected: list) -> None:
    got = parse_event(values).tolist()
    assert [None if v is pd.NA else v for v in got] == expected


def test_parse_event_bad_value_names_sample() -> None:
    with pytest.raises(InputError, match=r"column 'vital'.*value 'maybe' for sample 'S2'.*1/0, True/False"):
        parse_event(["Dead", "maybe"], column="vital", ids=["S1", "S2"])
    with pytest.raises(InputError, match=r"value 2"):
        parse_event([0, 2])


def test_tcga_style_time_from_death_and_follow_up(tmp_path: Path) -> None:
    p = tmp_path / "tcga.tsv"
    p.write_text(
        "bcr_patient_barcode\tvital_status\tdays_to_death\tdays_to_last_follow_up\n"
        "TCGA-01\tDead\t300\t[Not Applicable]\n"
        "TCGA-02\tAlive\t[Not Applicable]\t1200\n"
    )
    df = read_clinical(p)
    assert df["survival_time"].tolist() == [300.0, 1200.0]
    assert df["survival_event"].tolist() == [1, 0]
    assert df.attrs["survival"]["time_unit"] == "days"


def test_no_survival_columns(tmp_path: Path) -> None:
    p = tmp_path / "c.csv"
    p.write_text("id,grade\nA,1\nB,2\n")
    df = read_clinical(p)
    assert "survival_time" not in df.columns
    assert df.attrs["survival"] == {"how": "not found"}


def test_unparseable_recognised_status_is_logged_not_fatal(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    p = tmp_path / "c.csv"
    p.write_text("id,OS_days,vital_status\nA,10,complete remission\nB,20,Alive\n")
    with caplog.at_level(logging.WARNING, logger="oncoresist.io._clinical"):
        df = read_clinical(p)
    assert "survival_event" not in df.columns
    assert any("vital_status" in r.getMessage() and "complete remission" in r.getMessage() for r in caplog.records)
    with pytest.raises(InputError, match=r"'complete remission' for sample 'A'"):
        read_clinical(p, survival_time="OS_days", survival_event="vital_status")


def test_cp1252_file(tmp_path: Path) -> None:
    p = tmp_path / "clinical.txt"
    p.write_bytes("idx\tnote\tOS_days\tdied\nS1\tCK7 \u2013 positive\t5\t1\nS2\tna\u00efve\t7\t0\n".encode("cp1252"))
    df = read_clinical(p)
    assert df.loc["S1", "note"] == "CK7 \u2013 positive"
    assert df.loc["S2", "note"] == "na\u00efve"
    assert df["survival_event"].tolist() == [1, 0]


# ---------------------------------------------------------------------------- bad input
def test_duplicated_ids(tmp_path: Path) -> None:
    p = tmp_path / "c.csv"
    p.write_text("id,x\nA,1\nB,2\n A ,3\n")
    with pytest.raises(InputError, match=r"duplicated sample ID\(s\).*'.*c\.csv': A"):
        read_clinical(p)


def test_empty_id(tmp_path: Path) -> None:
    p = tmp_path / "c.csv"
    p.write_text("id,x\nA,1\n,2\n")
    with pytest.raises(InputError, match=r"empty sample ID.*'id', data row\(s\) 2"):
        read_clinical(p)


def test_unknown_columns(tmp_path: Path) -> None:
    p = tmp_path / "c.csv"
    p.write_text("id,OS_days,died\nA,1,0\n")
    with pytest.raises(InputError, match=r"id_column='patient' is not a column.*found: id, OS_days, died"):
        read_clinical(p, id_column="patient")
    with pytest.raises(InputError, match=r"survival_time='T6' is not a column"):
        read_clinical(p, survival_time="T6", survival_event="died")
    with pytest.raises(InputError, match=r"survival_time is given but survival_event is not"):
        read_clinical(p, survival_time="OS_days")


def test_bad_times(tmp_path: Path) -> None:
    p = tmp_path / "c.csv"
    p.write_text("id,OS_days,died\nA,1,0\nB,soon,1\n")
    with pytest.raises(InputError, match=r"non-numeric survival time 'soon' for sample 'B', column 'OS_days'"):
        read_clinical(p)
    p.write_text("id,OS_days,died\nA,1,0\nB,-4,1\n")
    with pytest.raises(InputError, match=r"negative survival time -4 for sample 'B'"):
        read_clinical(p)


def test_empty_unreadable(tmp_path: Path) -> None:
    (tmp_path / "e.csv").write_text("")
    with pytest.raises(InputError, match=r"e\.csv.*empty"):
        read_clinical(tmp_path / "e.csv")
    (tmp_path / "h.csv").write_text("id,x\n")
    with pytest.raises(InputError, match=r"h\.csv.*no rows"):
        read_clinical(tmp_path / "h.csv")
    with pytest.raises(InputError, match=r"does not exist"):
        read_clinical(tmp_path / "missing.csv")
    with pytest.raises(InputError, match=r"is a folder"):
        read_clinical(tmp_path)


# ---------------------------------------------------------------------------- real data
@pytest.mark.realdata
def test_real_cll_patmeta(shared_data: Path) -> None:
    df = read_clinical(shared_data / "cll" / "patmeta.csv")
    assert df.index[0] == "H001" and df.index.is_unique
    s = df.attrs["survival"]
    assert (s["time_column"], s["event_column"]) == ("T6", "died")
    assert s["n_events"] == 26 and s["n_censored"] == 158
    assert df["survival_event"].isna().sum() == s["n_missing"] == 81
    assert (df["survival_time"].dropna() >= 0).all()


@pytest.mark.realdata
def test_real_cptac_clinical(shared_data: Path) -> None:
    df = read_clinical(shared_data / "cptac_ucec" / "clinical.txt")
    assert df.shape[0] == 153 and df.index[0] == "S001"
    assert "Proteomics_TMT_plex" in df.columns
    notes = df["Other_IHC_specify"].dropna().astype(str)
    assert notes.str.contains("\u2013").any()  # cp1252 en dash decoded
    assert df.attrs["survival"] == {"how": "not found"}


def test_md5_like_and_huge_numbers_do_not_crash(tmp_path: Path) -> None:
    """Issue 17: such a cell killed `build` with a segfault in pandas' number parser."""
    p = tmp_path / "clinical.tsv"
    p.write_text("sample\tage\tfile_md5\tweird\nS1\t60\t8e256961234567890123456789012345\t1e3080366667\n"
                 "S2\t70\t0f3a9c\t2\n")
    df = read_clinical(p)
    assert df.loc["S1", "file_md5"] == "8e256961234567890123456789012345"
    assert df["age"].tolist() == [60, 70]
    assert df.loc["S1", "weird"] == "1e3080366667"


def test_clinical_steps_on_their_own(tmp_path):
    from pathlib import Path

    import pandas as pd

    from oncoresist._core._errors import InputError
    from oncoresist.io._clinical import _index_by_ids, _recognise_survival, _survival_time

    p = Path(tmp_path / "c.csv")
    df = pd.DataFrame({"id": ["P1", "P2"], "days_to_death": ["10", ""], "days_to_last_follow_up": ["", "30"], "vital_status": ["Dead", "Alive"]})
    out = _index_by_ids(df, "id", p)
    assert list(out.index) == ["P1", "P2"] and "id" not in out.columns
    with pytest.raises(InputError, match="empty sample ID"):
        _index_by_ids(pd.DataFrame({"id": ["P1", ""]}), "id", p)
    tcol, ecol, combined = _recognise_survival(out, p)
    assert ecol == "vital_status" and combined == ("days_to_death", "days_to_last_follow_up")
    time, label, unit = _survival_time(out, pd.Series([1, 0], index=out.index), tcol, combined, p)
    assert time.tolist() == [10.0, 30.0] and unit == "days" and "days_to_death" in label
    with pytest.raises(InputError, match="negative survival time"):
        _survival_time(pd.DataFrame({"t": ["-1"]}, index=["P1"]), pd.Series([1], index=["P1"]), "t", None, p)

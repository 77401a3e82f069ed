"""read_timecourse: thunor-style long time courses of cell counts."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from oncoresist._core._errors import InputError
from oncoresist.io import looks_like_timecourse, read_timecourse

THUNOR = (
    "cell.line,drug1,drug1.conc,drug1.units,time,cell.count,upid,well\n"
    "A,,0,M,0,100,P1,A01\n"
    "A,,0,M,72,400,P1,A02\n"
    "A,erlotinib,1e-7,M,72,300,P1,A03\n"
    "A,erlotinib,1e-6,M,72,150,P1,A04\n"
)


def _write(tmp_path, text, name="tc.csv"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_thunor_format_is_read_with_units_plates_and_empty_vehicle_drugs(tmp_path):
    tc = read_timecourse(_write(tmp_path, THUNOR))
    assert list(tc.columns) == ["sample", "drug", "dose", "time", "cell_count", "plate", "well", "is_control"]
    assert tc["dose"].tolist() == pytest.approx([0.0, 0.0, 0.1, 1.0])
    assert tc["drug"].tolist() == ["", "", "erlotinib", "erlotinib"]
    assert tc["is_control"].tolist() == [True, True, False, False]
    assert tc.attrs["columns"] == {"sample": "cell.line", "drug": "drug1", "time": "time", "cell_count": "cell.count",
                                   "unit": "drug1.units", "plate": "upid", "well": "well", "dose": "drug1.conc"}  # fmt: skip
    assert tc.attrs["unit"] == "M" and tc.attrs["n_times"] == 2 and tc.attrs["n_time_zero"] == 1


def test_aliases_days_gzip_and_unit_in_the_dose_name(tmp_path):
    p = tmp_path / "tc.tsv.gz"
    with gzip.open(p, "wt") as fh:
        fh.write("cell_line\tdrug\tconc_nM\tdays\tvalue\nB\tD\t0\t0\t10\nB\tD\t500\t3\t12\n")
    tc = read_timecourse(p)
    assert tc["time"].tolist() == [0.0, 72.0] and tc.attrs["time_unit"] == "days (converted to hours)"
    assert tc["dose"].tolist() == [0.0, 0.5] and tc["cell_count"].tolist() == [10.0, 12.0]
    assert "plate" not in tc.columns


def test_count_column_found_by_content_with_a_warning(tmp_path):
    p = _write(tmp_path, "sample,drug,dose_uM,time,signal\nS,D,0,0,5\nS,D,1,24,7\n")
    with pytest.warns(UserWarning, match="using 'signal'"):
        tc = read_timecourse(p)
    assert tc["cell_count"].tolist() == [5.0, 7.0]


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("sample,drug,dose_uM,cell_count\nS,D,0,5\n", "lacks a column for time"),
        ("sample,drug,dose_uM,time,cell_count\nS,D,0,x,5\n", r"non-numeric time 'x' in .*column 'time', data row 1"),
        ("sample,drug,dose_uM,time,cell_count\nS,D,0,-1,5\n", "negative time in .*column 'time'"),
        ("sample,drug,dose_uM,time,cell_count\nS,D,0,,5\n", "missing or negative time"),
        ("sample,drug,dose_uM,time,cell_count\nS,D,0,0,-5\n", "negative cell count in .*column 'cell_count'"),
        ("sample,drug,dose_uM,time,cell_count\nS,,1,0,5\n", "empty drug in .*column 'drug'"),
        ("sample,drug,dose_uM,time,cell_count\n,D,1,0,5\n", "empty sample"),
        ("sample,drug,dose,time,cell_count\nS,D,1,0,5\n", "no concentration unit"),
        ("sample,drug,dose_uM,time,cell_count\nS,D,-1,0,5\n", "negative dose"),
        ("sample,drug,dose_uM,time,cell_count\nS,D,0,0,5\nS,D,1,24\n", "truncated"),
    ],
)
def test_bad_files_are_refused_naming_file_and_column(tmp_path, text, match):
    p = _write(tmp_path, text)
    with pytest.raises(InputError, match=match) as err:
        read_timecourse(p)
    assert "tc.csv" in str(err.value)


def test_columns_override_and_detection_of_the_format(tmp_path):
    p = _write(tmp_path, "who,what,c_uM,t,n\nS,D,0,0,5\nS,D,1,24,7\n")
    tc = read_timecourse(p, columns={"sample": "who", "drug": "what", "dose": "c_uM", "time": "t", "cell_count": "n"}, unit="uM")
    assert tc["time"].tolist() == [0.0, 24.0] and np.allclose(tc["dose"], [0.0, 1.0])
    assert looks_like_timecourse(_write(tmp_path, THUNOR, "a.csv"))
    assert not looks_like_timecourse(_write(tmp_path, "sample,drug,conc_uM,viability,time\nS,D,1,0.5,72\n", "b.csv"))


def test_real_endpoint_screen_is_not_a_time_course(shared_data):
    # no shared data set holds time-resolved cell counts; a real endpoint screen must be refused clearly
    p = shared_data / "ccle_pharmacogx" / "raw_dose_response.csv.gz"
    assert not looks_like_timecourse(p)
    with pytest.raises(InputError, match=r"raw_dose_response.csv.gz' lacks a column for time"):
        read_timecourse(p)

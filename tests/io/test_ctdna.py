"""io.read_ctdna: serial plasma panels as users export them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from oncoresist._core._errors import InputError
from oncoresist.io import CTDNA_COLUMNS, read_ctdna

HEADER = "Patient.ID,Blood.Collection.Date,Gene,ctDNA,Copy.Number,Mutations\n"


def _write(tmp_path: Path, text: str, name: str = "plasma.csv") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_guardant_style_percent(tmp_path: Path) -> None:
    p = _write(tmp_path, HEADER + "G1,0,EGFR,2.5,,EGFR L858R\nG1,120,EGFR,0.5,,EGFR L858R\nG1,120,MET,,4.2,\n"
               "G1,120,EGFR,1.5,,T790M\n")
    t = read_ctdna(p)
    assert list(t.columns) == CTDNA_COLUMNS and t.attrs["unit"] == "percent"
    assert t["vaf"].tolist()[:2] == [0.025, 0.005]
    amp = t[t["kind"] == "amplification"].iloc[0]
    assert amp["alteration"] == "MET amplification" and amp["copy_number"] == 4.2
    assert "EGFR T790M" in set(t["alteration"])  # gene prefixed when the mutation column omits it


def test_other_aliases_tsv_and_fraction(tmp_path: Path) -> None:
    p = _write(tmp_path, "subject\tday\tgene\tvaf\tvariant\nP1\t0\tKRAS\t0.2\tKRAS G12C\n", "p.tsv")
    with pytest.warns(UserWarning, match="unit='percent'"):
        t = read_ctdna(p)
    assert t.attrs["unit"] == "fraction" and t["vaf"].iloc[0] == 0.2
    assert read_ctdna(p, unit="percent")["vaf"].iloc[0] == pytest.approx(0.002)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("Patient.ID,Gene,ctDNA\nG1,EGFR,1\n", "day"),
        (HEADER + "G1,zero,EGFR,2.5,,EGFR L858R\n", "row 2 holds 'zero'"),
        (HEADER + "G1,0,EGFR,abc,,EGFR L858R\n", "'ctDNA'"),
        (HEADER + "G1,0,EGFR,-1,,EGFR L858R\n", "negative"),
        (HEADER + "G1,0,EGFR,120,,EGFR L858R\n", "above 100%"),
        (HEADER + ",0,EGFR,1,,EGFR L858R\n", "no patient"),
        (HEADER, "no rows"),
        (HEADER + "G1,0,EGFR,2.5,,EGFR L858R\nG1,120,EG", "truncated|fewer fields|cut"),
    ],
)
def test_bad_input_is_named(tmp_path: Path, text: str, needle: str) -> None:
    with pytest.raises(InputError, match=needle):
        read_ctdna(_write(tmp_path, text))


def test_unit_option_checked(tmp_path: Path) -> None:
    p = _write(tmp_path, HEADER + "G1,0,EGFR,2.5,,EGFR L858R\n")
    with pytest.raises(InputError, match="unit must be"):
        read_ctdna(p, unit="ppm")
    with pytest.raises(InputError, match="unit='percent'"):
        read_ctdna(p, unit="fraction")


def test_real_guardant_serial(shared_data: Path) -> None:
    p = shared_data / "clonal" / "ctdna_nsclc_serial_guardant360.csv"
    if not p.exists():
        pytest.skip("clonal/ctdna_nsclc_serial_guardant360.csv not in shared data")
    t = read_ctdna(p)
    assert t["patient"].nunique() == 18 and len(t) == 386 and t.attrs["unit"] == "percent"
    assert np.nanmax(t["vaf"]) <= 1.0

"""CLI verb ``monitor``."""

from __future__ import annotations

from pathlib import Path

from oncoresist.cli import main

CSV = ("Patient.ID,Blood.Collection.Date,Gene,ctDNA,Copy.Number,Mutations\n"
       "P1,0,EGFR,3.0,,EGFR L858R\nP1,0,EGFR,1.0,,EGFR T790M\nP1,150,EGFR,2.0,,EGFR L858R\n"
       "P1,150,EGFR,1.5,,EGFR C797S\nP1,150,EGFR,0.5,,EGFR T790M\n")


def test_monitor_writes_outputs_and_refuses_existing(tmp_path: Path, capsys) -> None:
    src = tmp_path / "plasma.csv"
    src.write_text(CSV)
    out = tmp_path / "mon"
    code = main(["monitor", str(src), "--therapy", "osimertinib", "--tumour-type", "NSCLC", "--kb", str(tmp_path / "kb.duckdb"),
                 "--out", str(out), "-q"])
    text = capsys.readouterr().out
    assert code == 0, text
    assert "EGFR C797S (day 150) -> resistance to osimertinib" in text and "1 emerging-resistance alert" in text
    assert (out / "plots" / "P1_ctdna.png").stat().st_size > 1000
    assert (out / "alerts.csv").read_text().splitlines()[0].startswith("patient,alteration,gene,status,first_detected_day")
    code = main(["monitor", str(src), "--out", str(out), "-q"])
    err = capsys.readouterr().err
    assert code == 1 and "--overwrite" in err


def test_monitor_bad_file_one_line(tmp_path: Path, capsys) -> None:
    src = tmp_path / "plasma.csv"
    src.write_text("a,b\n1,2\n")
    code = main(["monitor", str(src), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err.strip()
    assert code == 1 and err.startswith("error: ") and len(err.splitlines()) == 1 and "patient" in err

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest

from oncoresist import InputError
from oncoresist._core._utils import (
    atomic_path,
    check_unique,
    clean_ids,
    read_table,
    require_columns,
    to_numeric_frame,
    write_csv,
)


def test_atomic_path_keeps_old_file_on_crash(tmp_path):
    out = tmp_path / "x.csv"
    out.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(out) as tmp:
        tmp.write_text("half")
        raise RuntimeError("crash")
    assert out.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"]


def test_write_csv_roundtrip_tsv_gz(tmp_path):
    df = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    write_csv(df, tmp_path / "t.tsv.gz")
    back = read_table(tmp_path / "t.tsv.gz")
    pd.testing.assert_frame_equal(back, df)


def test_read_table_cp1252_and_gzip(tmp_path):
    p = tmp_path / "clin.txt.gz"
    with gzip.open(p, "wb") as fh:
        fh.write("id\tnote\nS1\tgrade 1\x962\n".encode("latin-1").replace(b"\\x96", b"\x96"))
    df = read_table(p)
    assert df.shape == (1, 2)


def test_read_table_errors(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read_table(tmp_path / "nope.csv")
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(InputError, match="empty"):
        read_table(tmp_path / "empty.csv")
    (tmp_path / "trunc.csv.gz").write_bytes(gzip.compress(b"a,b\n1,2\n")[:-6])
    with pytest.raises(InputError, match="cannot read"):
        read_table(tmp_path / "trunc.csv.gz")


def test_require_columns_message():
    df = pd.DataFrame({"a": [1]})
    with pytest.raises(InputError, match=r"lacks required column\(s\) 'drug'.*found: a"):
        require_columns(df, ["a", "drug"], what="screen", path="s.csv")


def test_clean_ids_and_unique():
    ids = clean_ids([" S1", "S2 ", "S1_T"], pattern=r"^(.*)_T$")
    assert list(ids) == ["S1", "S2", "S1"]
    with pytest.raises(InputError, match="duplicated sample ID"):
        check_unique(ids, what="sample")


def test_to_numeric_frame_names_bad_cell():
    df = pd.DataFrame({"S1": ["1.5", "NA", ""], "S2": ["2", "abc", "3"]}, index=["g1", "g2", "g3"])
    with pytest.raises(InputError, match=r"'abc'.*'g2'.*'S2'"):
        to_numeric_frame(df, what="rna")
    ok = to_numeric_frame(df[["S1"]], what="rna")
    assert np.isnan(ok.loc["g2", "S1"]) and ok.loc["g1", "S1"] == 1.5


# --- numbers that crash pandas' C parser (issue 17) ------------------------------------------
HUGE = "1e3080366667"
MD5_LIKE = "8e256961234567890123456789012345"  # an MD5 hex digest that happens to look like a float


def test_to_numeric_safe_treats_huge_exponents_as_text() -> None:
    from oncoresist._core._utils import to_numeric_safe

    got = to_numeric_safe(pd.Series(["1.5", HUGE, MD5_LIKE, "8e3080366667abc", "1e00001", "-2", None]))
    assert got.iloc[0] == 1.5 and got.iloc[4] == 10.0 and got.iloc[5] == -2.0
    assert got.iloc[[1, 2, 3, 6]].isna().all()
    assert to_numeric_safe([1, 2]).tolist() == [1, 2]


def test_read_table_with_huge_number_and_md5_does_not_crash(tmp_path) -> None:
    p = tmp_path / "clinical.csv"
    p.write_text(f"id,age,checksum,x\nS1,60,{MD5_LIKE},{HUGE}\nS2,71,ab12,2.5\n")
    df = read_table(p)
    assert df["age"].tolist() == [60, 71] and df["age"].dtype == np.int64  # other columns still numbers
    assert df["checksum"].tolist() == [MD5_LIKE, "ab12"]  # MD5-like text stays text
    assert df["x"].tolist() == [HUGE, "2.5"]  # not a float: kept as text, so numeric callers name it
    with pytest.raises(InputError, match=r"non-numeric value '1e3080366667'.*column 'x'"):
        to_numeric_frame(df[["x"]], what="rna")


def test_read_table_huge_number_keeps_requested_text_columns(tmp_path) -> None:
    p = tmp_path / "t.tsv"
    p.write_text(f"gene\tpos\tv\n0007\t12\t{HUGE}\n")
    df = read_table(p, dtype={"gene": str})
    assert df["gene"].tolist() == ["0007"] and df["pos"].tolist() == [12]


# --- truncated files (issue 17) ----------------------------------------------------------------
def test_read_table_cut_mid_line_names_file_and_line(tmp_path) -> None:
    p = tmp_path / "m.tsv"
    p.write_text("gene\tS1\tS2\tS3\nTP53\t1\t2\t3\nKRAS\t4\t5")
    with pytest.raises(InputError, match=r"m\.tsv'?: line 3 has 3 fields, expected 4 and the file does not end with a newline"):
        read_table(p)


def test_read_table_short_row_in_the_middle_is_an_error(tmp_path) -> None:
    p = tmp_path / "m.csv"
    p.write_text("gene,S1,S2\nTP53,1,2\nKRAS,4\nEGFR,5,6\n")
    with pytest.raises(InputError, match="line 3 has 2 fields, expected 3"):
        read_table(p)


def test_read_table_missing_final_newline_on_complete_row_warns(tmp_path) -> None:
    p = tmp_path / "m.csv"
    p.write_text("gene,S1\nTP53,1\nKRAS,4")
    with pytest.warns(UserWarning, match="does not end with a newline"):
        df = read_table(p)
    assert df.shape == (2, 2)


def test_read_table_allows_row_name_header_and_quoted_fields(tmp_path) -> None:
    p = tmp_path / "r.csv"
    p.write_text('S1,S2\nTP53,1,2\n"KRAS, isoform 2",3,4\n')  # R write.table style header, quoted comma
    df = read_table(p)
    assert df.shape == (2, 2) and list(df.index) == ["TP53", "KRAS, isoform 2"]


def test_check_complete_with_declared_field_count() -> None:
    from oncoresist._core._utils import check_complete

    check_complete("#h\na\tb\tc\n", sep="\t", path=None, what="VCF", comment="#", expected=3, quoted=False)
    with pytest.raises(InputError, match="line 2 has 2 fields, expected 3"):
        check_complete("#h\na\tb\n", sep="\t", path=None, what="VCF", comment="#", expected=3, quoted=False)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_read_text_decodes_utf16_and_bom(tmp_path, encoding) -> None:
    from oncoresist._core._utils import read_text

    p = tmp_path / "t.csv"
    p.write_bytes("id,x\nSIMé-1,2\n".encode(encoding))
    assert read_text(p) == "id,x\nSIMé-1,2\n"
    assert read_table(p)["id"].tolist() == ["SIMé-1"]


def _dead_pid() -> int:
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    return int(proc.stdout)


def test_atomic_path_removes_temp_files_of_killed_runs_only(tmp_path) -> None:
    import os
    import time

    from oncoresist._core._utils import _host, atomic_write_text, remove_stale_temps

    out = tmp_path / "cohort.h5mu"
    host = _host()
    dead = tmp_path / f".cohort.h5mu.{_dead_pid()}@{host}.x1y2.tmp.h5mu"
    alive = tmp_path / f".cohort.h5mu.{os.getpid()}@{host}.a1b2.tmp.h5mu"  # a writer still running
    remote_new = tmp_path / f".cohort.h5mu.{_dead_pid()}@other_node.c3d4.tmp.h5mu"  # another machine's writer
    remote_old = tmp_path / f".cohort.h5mu.{_dead_pid()}@other_node.e5f6.tmp.h5mu"
    legacy_old = tmp_path / ".cohort.h5mu.k3j4.tmp.h5mu"
    legacy_new = tmp_path / ".cohort.h5mu.m5n6.tmp.h5mu"
    other = tmp_path / f".other.h5mu.{_dead_pid()}@{host}.z9.tmp.h5mu"  # another output's temp file
    for f in (dead, alive, remote_new, remote_old, legacy_old, legacy_new, other):
        f.write_text("half-written")
    two_hours_ago, two_days_ago = time.time() - 7200, time.time() - 2 * 86400
    os.utime(legacy_old, (two_hours_ago, two_hours_ago))
    os.utime(remote_new, (two_hours_ago, two_hours_ago))
    os.utime(remote_old, (two_days_ago, two_days_ago))
    atomic_write_text(out, "done")
    assert out.read_text() == "done"
    assert not dead.exists() and not legacy_old.exists() and not remote_old.exists()
    assert alive.exists() and legacy_new.exists() and remote_new.exists() and other.exists()
    assert remove_stale_temps(tmp_path / "missing" / "x.csv") == []


def test_temp_file_of_a_run_killed_mid_write_is_cleaned_by_the_next_run(tmp_path) -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    from oncoresist._core._utils import write_csv

    out = tmp_path / "table.csv"
    script = (
        "import os, signal, sys\n"
        "from oncoresist._core._utils import atomic_path\n"
        "with atomic_path(sys.argv[1]) as tmp:\n"
        "    tmp.write_text('half')\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    proc = subprocess.run([sys.executable, "-c", script, str(out)], env=env, capture_output=True, check=False)
    assert proc.returncode < 0  # killed
    left = list(tmp_path.glob(".table.csv.*.tmp*"))
    assert len(left) == 1 and not out.exists()
    write_csv(pd.DataFrame({"a": [1]}), out)
    assert not list(tmp_path.glob(".table.csv.*.tmp*"))
    assert out.read_text() == "a\n1\n"


def test_corrupt_gzip_stream_is_an_input_error(tmp_path) -> None:
    from oncoresist.io import read_cnv_matrix, read_matrix

    p = tmp_path / "m.tsv.gz"
    p.write_bytes(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + b"\xff" * 40)  # deflate block type 3: invalid
    with pytest.raises(InputError, match=r"cannot read .*m.tsv.gz.*invalid block type.*valid gzip"):
        read_matrix(p)
    with pytest.raises(InputError, match=r"m.tsv.gz"):
        read_cnv_matrix(p)

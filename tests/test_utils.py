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

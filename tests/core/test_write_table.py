"""``_core`` write_table: Parquet (pyarrow optional) or delimited text by suffix, atomically."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from oncoresist import InputError
from oncoresist._core._utils import check_table_output, write_table


def test_write_table_parquet_keeps_values_and_attrs(tmp_path):
    pytest.importorskip("pyarrow", reason="Parquet output needs pyarrow (optional)")
    df = pd.DataFrame({"sample": ["a", "b"], "ic50": [0.5, np.inf], "flags": ["", "flat"]})
    df.attrs["params"] = {"model": "4p", "ks": np.array([1.0, 2.0])}  # an array is not JSON: kept as text
    write_table(df, tmp_path / "t.parquet")
    back = pd.read_parquet(tmp_path / "t.parquet")
    pd.testing.assert_frame_equal(back, df)
    assert back.attrs["params"]["model"] == "4p" and "1." in back.attrs["params"]["ks"]
    assert [p.name for p in tmp_path.iterdir()] == ["t.parquet"]  # no temporary file left


def test_write_table_text_by_suffix_and_parquet_refused_without_pyarrow(tmp_path, monkeypatch):
    df = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    write_table(df, tmp_path / "t.tsv")
    assert (tmp_path / "t.tsv").read_text().splitlines() == ["a\tb", "1\tx", "2\ty"]
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pyarrow" else real(name, *a))
    check_table_output(tmp_path / "fine.csv")
    with pytest.raises(InputError, match=r"t2.parquet' as Parquet needs pyarrow.*pip install pyarrow"):
        write_table(df, tmp_path / "t2.parquet")
    assert not (tmp_path / "t2.parquet").exists()

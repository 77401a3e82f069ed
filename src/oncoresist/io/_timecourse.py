"""Read long-format time-course cell counts (thunor-style) into a tidy table.

One row per well and time: sample (``cell_line``, ``cell.line``, ``sample``, ...), drug
(``drug``, ``drug1``, ...; may be empty on vehicle / time-zero wells), dose (``dose``,
``conc_uM``, ``drug1.conc`` with a unit column such as ``drug1.units``, the unit in the name or
``unit=``), time (``time``/``hours``/``time_h``; ``days``/``time_days`` are converted to hours),
the cell count (``cell_count``, ``cell.count``, ``count``, ``nuclei``, ``value``; or, when no
name says so, the only other non-negative numeric column, with a warning), optional plate
(``plate``, ``upid``, ``barcode``) and well.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .._core._errors import InputError
from .._core._utils import PathLike, to_numeric_safe
from ._screen import (
    _DOSE_RX,
    _SINGLE_CANDIDATES,
    _check_doses,
    _dose_column,
    _key,
    _missing_error,
    _numeric,
    _read,
    _resolve_columns,
    _row_list,
    _to_um,
    normalise_unit,
)

__all__ = ["read_timecourse"]

logger = logging.getLogger(__name__)

_WHAT = "time-course table"
_CANDIDATES: dict[str, tuple[str, ...]] = {
    "sample": _SINGLE_CANDIDATES["sample"],
    "drug": (*_SINGLE_CANDIDATES["drug"], "drug1", "drug_1"),
    "dose": ("dose", "conc", "concentration", "drug1_conc", "drug_1_conc", "dose1"),
    "time": ("time", "time_h", "time_hours", "hours", "hour", "timepoint", "time_point", "elapsed", "time_days", "days", "day"),
    "cell_count": ("cell_count", "cell_counts", "cellcount", "count", "counts", "n_cells", "cells", "nuclei",
                   "nuclei_count", "cell_number", "value"),  # fmt: skip
    "unit": (*_SINGLE_CANDIDATES["unit"], "drug1_units", "drug1_unit", "drug_1_units"),
    "plate": (*_SINGLE_CANDIDATES["plate"], "upid", "barcode"),
    "well": _SINGLE_CANDIDATES["well"],
}
_ALLOWED = tuple(_CANDIDATES)


def _count_by_content(df: pd.DataFrame, used: set[str], path: PathLike) -> str | None:
    """The only other column holding non-negative numbers (not named like viability), if there is exactly one (with a warning)."""
    cands = []
    for c in df.columns:
        if c in used or _key(c) in _SINGLE_CANDIDATES["response"] or re.search(r"viab|inhib|pct|percent|%", str(c).lower()):
            continue  # a viability / inhibition column is not a count
        num = to_numeric_safe(df[c])
        if num.notna().sum() == df[c].notna().sum() and num.notna().any() and (num.dropna() >= 0).all():
            cands.append(c)
    if len(cands) != 1:
        return None
    warnings.warn(
        f"read_timecourse: no column named like a cell count in '{path}'; using {cands[0]!r}, the only other "
        "non-negative numeric column. Pass columns={'cell_count': ...} to say so.",
        UserWarning,
        stacklevel=3,
    )
    return cands[0]


def _columns(df: pd.DataFrame, columns: Mapping[str, str] | None, path: PathLike) -> tuple[dict[str, str], str | None]:
    """Canonical name -> input column (required ones checked) and the unit named in the dose column header."""
    cols = _resolve_columns(df, {k: v for k, v in _CANDIDATES.items() if k != "dose"}, columns, path=path, allowed=_ALLOWED)
    name_unit = None
    if "dose" not in cols:
        dose_col, name_unit = _dose_column(df, set(cols.values()))
        if dose_col is None:
            dose_col = _resolve_columns(df, {"dose": _CANDIDATES["dose"]}, None, path=path, allowed=_ALLOWED).get("dose")
        if dose_col is not None and dose_col not in cols.values():
            cols["dose"] = dose_col
    else:
        m = _DOSE_RX.match(cols["dose"])
        name_unit = normalise_unit(m.group("unit")) if m and m.group("unit") else None
    if "cell_count" not in cols:
        c = _count_by_content(df, set(cols.values()), path)
        if c is not None:
            cols["cell_count"] = c
    for need, ex in (("sample", "sample, cell_line, cell.line"), ("dose", "dose, conc_uM, drug1.conc"),
                     ("time", "time, hours, time_h"), ("cell_count", "cell_count, cell.count, count, value")):  # fmt: skip
        if need not in cols:
            raise _missing_error(path, _WHAT, [need], df, ex)
    return cols, name_unit


def _times(df: pd.DataFrame, col: str, path: PathLike) -> tuple[np.ndarray, str]:
    """Times in hours (days converted when the column name says days) and the unit read."""
    t = _numeric(df[col], column=col, path=path, what="time")
    bad = np.flatnonzero((t.isna() | (t < 0)).to_numpy())
    if len(bad):
        msg = (f"missing or negative time in '{path}', column {col!r}: {_row_list(bad, df, [col])}. "
               "Times are hours since treatment (0 = time-zero wells); fill them in or remove the rows.")  # fmt: skip
        raise InputError(msg)
    days = bool(re.search(r"(^|_)days?($|_)", _key(col)))
    return (t.to_numpy(dtype=float) * (24.0 if days else 1.0)), ("days (converted to hours)" if days else "hours")


def _counts(df: pd.DataFrame, col: str, path: PathLike) -> np.ndarray:
    """Cell counts; negative ones are refused, missing ones kept as NaN."""
    x = _numeric(df[col], column=col, path=path, what="cell count")
    neg = np.flatnonzero((x < 0).to_numpy())
    if len(neg):
        msg = f"negative cell count in '{path}', column {col!r}: {_row_list(neg, df, [col])}. Counts must be >= 0."
        raise InputError(msg)
    return x.to_numpy(dtype=float)


def _drugs(df: pd.DataFrame, col: str | None, dose: np.ndarray, path: PathLike) -> np.ndarray:
    """Drug names; empty only on vehicle (dose 0) rows, where it stays ''."""
    if col is None:
        if (dose > 0).any():
            raise _missing_error(path, _WHAT, ["drug"], df, "drug, drug1, compound")
        return np.full(len(df), "", dtype=object)
    raw = df[col].fillna("").astype(str).str.strip()
    empty = raw.isin(["", "nan", "NaN", "None"]).to_numpy()
    bad = np.flatnonzero(empty & (dose > 0))
    if len(bad):
        msg = f"empty drug in '{path}', column {col!r}: {_row_list(bad, df, [col])}. Only vehicle (dose 0) wells may lack a drug."
        raise InputError(msg)
    return np.where(empty, "", raw.to_numpy(dtype=object))


def _sample_ids(df: pd.DataFrame, col: str, path: PathLike) -> np.ndarray:
    """Sample IDs; none may be empty."""
    raw = df[col].fillna("").astype(str).str.strip()
    bad = np.flatnonzero(raw.isin(["", "nan", "NaN", "None"]).to_numpy())
    if len(bad):
        msg = f"empty sample in '{path}', column {col!r}: {_row_list(bad, df, [col])}. Every row needs a sample (cell line)."
        raise InputError(msg)
    return raw.to_numpy(dtype=object)


def read_timecourse(path: PathLike, *, columns: Mapping[str, str] | None = None, unit: str | None = None) -> pd.DataFrame:
    r"""Read a long-format time course of cell counts (one row per well and time).

    Parameters
    ----------
    path
        CSV / TSV (optionally gzipped). A truncated file (a short row, a last line cut) is refused.
    columns
        Canonical name -> column in the file, overriding detection. Keys: ``sample``, ``drug``,
        ``dose``, ``time``, ``cell_count``, ``unit``, ``plate``, ``well``.
    unit
        Concentration unit when the file gives none (``M``, ``mM``, ``uM``, ``nM``, ``pM``).

    Returns
    -------
    DataFrame
        ``sample, drug, dose, time, cell_count`` (+ ``plate, well`` when present), ``is_control``
        (dose == 0). ``dose`` is micromolar, ``time`` hours; ``drug`` is ``''`` on vehicle wells
        that name no drug. ``attrs``: ``file``, ``columns`` (canonical -> input column),
        ``unit``, ``unit_source``, ``time_unit``, ``n_rows``, ``n_times``, ``n_time_zero``,
        ``n_missing_count``.

    Raises
    ------
    InputError
        Missing columns, non-numeric / negative / missing doses or times, negative or non-numeric
        counts, empty sample, empty drug on a treated well, unknown unit, truncated or empty file.

    Examples
    --------
    >>> from pathlib import Path
    >>> from tempfile import mkdtemp
    >>> p = Path(mkdtemp(), "tc.csv")
    >>> _ = p.write_text("cell.line,drug1,drug1.conc,drug1.units,time,cell.count,upid\n"
    ...                  "A,,0,M,0,100,P1\nA,erlotinib,1e-6,M,72,150,P1\n")
    >>> tc = read_timecourse(p)
    >>> tc[["sample", "drug", "dose", "time", "cell_count", "plate"]].to_dict("list")
    {'sample': ['A', 'A'], 'drug': ['', 'erlotinib'], 'dose': [0.0, 1.0], 'time': [0.0, 72.0], 'cell_count': [100.0, 150.0], 'plate': ['P1', 'P1']}
    """
    df = _read(path, _WHAT)
    cols, name_unit = _columns(df, columns, path)
    dose = _numeric(df[cols["dose"]], column=cols["dose"], path=path, what="dose")
    _check_doses(dose, df, cols["dose"], [cols["sample"]], path)
    dose_um, unit_found, unit_source = _to_um(dose, unit_col=df[cols["unit"]] if "unit" in cols else None,
                                              unit_col_name=cols.get("unit"), name_unit=name_unit, dose_col=cols["dose"],
                                              unit=unit, path=path)  # fmt: skip
    d = dose_um.to_numpy(dtype=float)
    time, time_unit = _times(df, cols["time"], path)
    out = pd.DataFrame({"sample": _sample_ids(df, cols["sample"], path), "drug": _drugs(df, cols.get("drug"), d, path),
                        "dose": d, "time": time, "cell_count": _counts(df, cols["cell_count"], path)})  # fmt: skip
    for k in ("plate", "well"):
        if k in cols:
            out[k] = df[cols[k]].fillna("").astype(str).str.strip().to_numpy()
    out["is_control"] = d == 0
    out.attrs.update({
        "file": str(path), "columns": {k: str(v) for k, v in cols.items()}, "unit": unit_found, "unit_source": unit_source,
        "time_unit": time_unit, "n_rows": len(out), "n_times": int(pd.unique(time).size),
        "n_time_zero": int((time == 0).sum()), "n_missing_count": int(out["cell_count"].isna().sum()),
    })  # fmt: skip
    logger.info("read_timecourse %s: %d rows, %d samples, %d times (%s); dose unit %s (%s) -> uM", path, len(out),
                out["sample"].nunique(), out.attrs["n_times"], time_unit, unit_found, unit_source)  # fmt: skip
    return out


def looks_like_timecourse(path: PathLike) -> bool:
    r"""True when a table's header has a time column and a cell-count column (by name), i.e. it is a time course.

    Parameters
    ----------
    path
        CSV / TSV (optionally gzipped).

    Returns
    -------
    bool
        Whether :func:`read_timecourse` should read it rather than a dose-response reader.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> (folder / "t.csv").write_text("cell_line,drug,conc_uM,time,cell_count\nA,D,0,0,100\n") > 0
    True
    >>> looks_like_timecourse(folder / "t.csv")
    True
    """
    df = _read(path, _WHAT)
    keys = {_key(c) for c in df.columns}
    named = set(_CANDIDATES["cell_count"]) - {"value"}
    return bool(keys & set(_CANDIDATES["time"])) and bool(keys & named)


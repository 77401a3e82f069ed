"""Growth-rate inhibition (GR) values, with time-zero and control counts matched by plate and time.

Hafner et al. 2016 (Nat Methods 13:521) define, for cells counted at time 0 (``x0``) and at
time ``t`` after treatment with concentration ``c`` (``x(c)``) or vehicle (``x_ctrl``)::

    GR(c) = 2 ** (log2(x(c) / x0) / log2(x_ctrl / x0)) - 1

GR is 1 for no effect, 0 for complete cytostasis and negative for cell death. ``x0`` and
``x_ctrl`` must come from the same plate (plate effects are as large as drug effects) and
``x_ctrl`` from the same time as ``x(c)``: :func:`gr_values` matches them by
``(sample, plate)`` and ``(sample, plate, time)``; where a plate has no time-zero or control
wells it falls back to the sample level, with a warning that says so.

Ratio tables (``response = x / x_ctrl``, time-zero rows holding ``x0 / x_ctrl``) carry no counts:
:func:`row_time_zero_ratio` matches their time-zero rows by plate when both sides have one.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from ..._core._errors import InputError
from ..._core._utils import require_columns

__all__ = ["gr_formula", "gr_values", "row_time_zero_ratio"]


def gr_formula(x: Any, x0: Any, x_ctrl: Any) -> np.ndarray:
    """GR value of Hafner et al. 2016: ``2 ** (log2(x / x0) / log2(x_ctrl / x0)) - 1`` (NaN when ``x_ctrl <= x0``).

    Parameters
    ----------
    x, x0, x_ctrl
        Treated count at time t, count at time 0, vehicle count at time t (broadcast).

    Returns
    -------
    ndarray
        GR values; NaN where the untreated cells did not grow (``x_ctrl <= x0``) or an input
        is missing or not positive (a treated count of 0 gives -1).

    Examples
    --------
    >>> float(gr_formula(200.0, 100.0, 400.0))  # one of two doublings: GR = 2**0.5 - 1
    0.41421356237309515
    """
    x, x0, xc = (np.asarray(v, dtype=float) for v in (x, x0, x_ctrl))
    ok = (x0 > 0) & (xc > x0) & (x >= 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        gr = 2.0 ** (np.log2(np.where(ok, x, 1.0) / np.where(ok, x0, 1.0)) / np.log2(np.where(ok, xc / x0, 2.0))) - 1.0
    return np.where(ok, gr, np.nan)


def _has(df: pd.DataFrame, col: str) -> bool:
    """True when ``df`` has ``col`` with at least one value."""
    return col in df.columns and bool(df[col].notna().any())


def _matched_median(
    rows: pd.DataFrame, ref: pd.DataFrame, value: str, levels: list[list[str]]
) -> tuple[np.ndarray, np.ndarray]:
    """Median ``value`` of ``ref`` per key, matched to ``rows`` at the finest level that has one; also the level used per row."""
    out = np.full(len(rows), np.nan)
    level = np.full(len(rows), -1)
    for i, keys in enumerate(levels):
        todo = np.isnan(out)
        if not todo.any():
            break
        med = ref.groupby(keys, dropna=False)[value].median()
        idx = pd.MultiIndex.from_frame(rows.loc[todo, keys].astype(object)) if len(keys) > 1 else rows.loc[todo, keys[0]]
        found = med.reindex(idx).to_numpy(dtype=float)
        sel = np.flatnonzero(todo)
        out[sel] = found
        level[sel[np.isfinite(found)]] = i
    return out, level


def _warn_fallback(what: str, level: np.ndarray, levels: list[list[str]], stacklevel: int = 4) -> str:
    """Warn when some rows were matched at a coarser level than the finest; return the match description."""
    used = sorted({int(v) for v in level if v >= 0})
    names = [", ".join(levels[i]) for i in used]
    if used and used[-1] > 0:
        n_coarse = int((level > 0).sum())
        warnings.warn(
            f"GR values: {what} matched by ({names[-1]}) for {n_coarse} row(s), not by ({', '.join(levels[0])}): "
            "those plates / times have no such wells of their own.",
            UserWarning,
            stacklevel=stacklevel,
        )
    return "; ".join(f"({n})" for n in names) or "none"


def row_time_zero_ratio(df: pd.DataFrame, t0: pd.DataFrame, *, n_times: int) -> tuple[np.ndarray, str]:
    """Time-zero ratio ``x0 / x_ctrl`` for every row of a ratio table, matched by ``(sample, plate)`` when both have plates.

    Parameters
    ----------
    df
        Rows after time 0 (``sample``, optional ``plate``).
    t0
        Time-zero rows (``sample``, ``response``, optional ``plate``).
    n_times
        Distinct endpoint times in ``df``; above 1 a warning says the ratio cannot be matched by time.

    Returns
    -------
    tuple
        Per-row ratio (NaN where the sample has no time-zero row) and the match description.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"sample": ["a", "a"], "plate": ["p1", "p2"]})
    >>> t0 = pd.DataFrame({"sample": ["a", "a"], "plate": ["p1", "p2"], "response": [0.2, 0.4]})
    >>> row_time_zero_ratio(rows, t0, n_times=1)[0].tolist()
    [0.2, 0.4]
    """
    levels = [["sample", "plate"], ["sample"]] if _has(df, "plate") and _has(t0, "plate") else [["sample"]]
    r0, level = _matched_median(df, t0, "response", levels)
    match = _warn_fallback("time-zero ratios", level, levels)
    if len(levels) == 1:
        warnings.warn(
            "GR values: time-zero ratios matched by sample only (no plate column): plate effects are not corrected.",
            UserWarning,
            stacklevel=3,
        )
    if n_times > 1:
        warnings.warn(
            f"GR values: the screen has {n_times} endpoint times but its time-zero rows are ratios to one untreated "
            "control, so they cannot be matched by time; give cell counts (oncoresist.tl.gr_values on a time-course "
            "table) for GR values that are.",
            UserWarning,
            stacklevel=3,
        )
    return r0, match


def _count_column(table: pd.DataFrame) -> str:
    """The cell-count column of a time-course table (``cell_count``, or ``value``)."""
    for col in ("cell_count", "value"):
        if col in table.columns:
            return col
    msg = f"time-course table has no cell_count (or value) column; found: {', '.join(map(str, table.columns[:15]))}."
    raise InputError(msg)


def gr_values(table: pd.DataFrame, *, require_time_zero: bool = True) -> pd.DataFrame:
    """GR values and relative cell counts of every treated and control well after time 0.

    Parameters
    ----------
    table
        Time-course table as from :func:`oncoresist.io.read_timecourse`: ``sample, drug,
        dose, time, cell_count`` (hours, counts), optional ``plate``. Rows at ``time == 0``
        give ``x0``; rows with ``dose == 0`` give ``x_ctrl``.
    require_time_zero
        Without time-zero rows: raise (default), or, when False, warn and return ``response``
        with ``x0`` and ``gr`` NaN.

    Returns
    -------
    DataFrame
        The rows after time 0 with ``x0`` (median time-zero count of the same sample and plate),
        ``x_ctrl`` (median vehicle count of the same sample, plate and time), ``response``
        (``x / x_ctrl``) and ``gr`` (:func:`gr_formula`). ``attrs['gr_time_zero_match']`` and
        ``attrs['gr_control_match']`` say how ``x0`` and ``x_ctrl`` were matched; a warning
        names any fallback to the sample level.

    Raises
    ------
    InputError
        Missing columns, no time-zero rows, or no vehicle (dose 0) rows after time 0.

    Examples
    --------
    >>> import pandas as pd
    >>> tc = pd.DataFrame({"sample": "S", "drug": "D", "plate": "p", "dose": [0.0, 0.0, 1.0],
    ...                    "time": [0.0, 72.0, 72.0], "cell_count": [100.0, 400.0, 200.0]})
    >>> gr_values(tc)[["dose", "response", "gr"]].round(4).to_dict("list")
    {'dose': [0.0, 1.0], 'response': [1.0, 0.5], 'gr': [1.0, 0.4142]}
    """
    require_columns(table, ["sample", "drug", "dose", "time"], what="time-course table")
    count = _count_column(table)
    t = pd.to_numeric(table["time"], errors="coerce").to_numpy(dtype=float)
    t0, rest = table.loc[t == 0], table.loc[t > 0].reset_index(drop=True)
    if t0.empty and not require_time_zero:
        warnings.warn("GR values: no time-zero rows (time == 0), so no GR values; relative counts only.", UserWarning, stacklevel=2)
        t0 = pd.DataFrame({c: pd.Series(dtype=table[c].dtype) for c in table.columns})
    elif t0.empty:
        msg = "time-course table has no time-zero rows (time == 0): GR values need the cell count at the time of treatment."
        raise InputError(msg)
    ctrl = rest.loc[rest["dose"].to_numpy(dtype=float) == 0]
    if ctrl.empty:
        msg = "time-course table has no vehicle rows (dose == 0) after time 0: GR values need untreated counts at each time."
        raise InputError(msg)
    plate = _has(rest, "plate") and _has(t0, "plate")
    l0 = [["sample", "plate"], ["sample"]] if plate else [["sample"]]
    lc = [["sample", "plate", "time"], ["sample", "time"]] if plate else [["sample", "time"]]
    x0, lev0 = _matched_median(rest, t0, count, l0)
    xc, levc = _matched_median(rest, ctrl, count, lc)
    out = rest.copy()
    out["x0"], out["x_ctrl"] = x0, xc
    x = out[count].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["response"] = np.where(xc > 0, x / xc, np.nan)
    out["gr"] = gr_formula(x, x0, xc)
    out.attrs.update(table.attrs)
    out.attrs["gr_time_zero_match"] = _warn_fallback("time-zero counts", lev0, l0, stacklevel=3)
    out.attrs["gr_control_match"] = _warn_fallback("vehicle counts", levc, lc, stacklevel=3)
    if not plate:
        warnings.warn("GR values: no plate column, so time-zero and vehicle counts are matched by sample (and time) only.",
                      UserWarning, stacklevel=2)  # fmt: skip
    return out

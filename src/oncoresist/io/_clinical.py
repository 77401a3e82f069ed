"""Read clinical / sample annotation sheets, recognising overall-survival columns.

:func:`read_clinical` returns one row per sample indexed by the cleaned sample ID, with every
original column kept. When the caller names them, or the sheet has recognisable columns
(``OS_days``, ``OS_time``, ``T6`` ...; ``OS_status``, ``vital_status``, ``died`` ...), it adds
``survival_time`` (float, in the input's unit) and ``survival_event`` (1 = event / death,
0 = censored, nullable integer) and records in ``attrs['survival']`` which columns were used.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._core._errors import InputError
from .._core._utils import (
    PathLike,
    check_file,
    check_unique,
    clean_ids,
    find_column,
    read_table,
    to_numeric_safe,
)

__all__ = ["parse_event", "read_clinical"]

logger = logging.getLogger(__name__)

#: Recognised survival-time columns, in order of preference (case-insensitive).
TIME_COLUMNS = (
    "survival_time", "OS_time", "OS.time", "os_time", "OS_days", "OS.days", "os_days", "OS_months",
    "OS.months", "os_months", "OS_years", "overall_survival", "overall_survival_days",
    "overall_survival_months", "survival_days", "survival_months", "time_to_death", "T6",
)
#: Recognised survival-event columns, in order of preference (case-insensitive).
EVENT_COLUMNS = (
    "survival_event", "OS_event", "OS.event", "os_event", "OS_status", "OS.status", "os_status",
    "vital_status", "vitalstatus", "died", "dead", "death", "deceased", "OS_censor_event",
)

_EVENT_TRUE = {"1", "1.0", "true", "t", "yes", "y", "dead", "deceased", "died", "death", "event", "recurred", "progressed", "recurred/progressed"}
_EVENT_FALSE = {"0", "0.0", "false", "f", "no", "n", "alive", "living", "censored", "diseasefree", "disease free", "censor"}
_MISSING = {"", "na", "nan", "n/a", "null", "none", "unknown", "not reported", "not available", "[not available]", "[unknown]", "[not evaluated]", "[discrepancy]", "-", "."}


def _event_value(v: Any) -> float | None:
    """1.0 / 0.0 for a recognised event value, NaN for missing, None when not understood."""
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return np.nan
    if isinstance(v, (bool, np.bool_)):
        return float(v)
    if isinstance(v, (int, float, np.integer, np.floating)):
        return float(v) if v in (0, 1) else None
    s = str(v).strip().lower()
    if s in _MISSING:
        return np.nan
    m = re.match(r"^([01])\s*:", s)  # cBioPortal '1:DECEASED' / '0:LIVING'
    if m:
        return float(m.group(1))
    if s in _EVENT_TRUE:
        return 1.0
    if s in _EVENT_FALSE:
        return 0.0
    return None


def parse_event(values: Any, *, column: str = "event", ids: Any = None, path: PathLike | None = None) -> pd.Series:
    """Turn survival-status values into 1 (event / death) / 0 (censored / alive) / <NA>.

    Understands ``1``/``0``, ``True``/``False``, ``yes``/``no``, ``Dead``/``Alive``,
    ``Deceased``/``Living``, cBioPortal ``1:DECEASED``/``0:LIVING`` (any ``1:...``/``0:...``),
    ``Recurred/Progressed``/``DiseaseFree``; empty / NA / ``Unknown`` become missing.

    Parameters
    ----------
    values
        Status values (list, array or Series).
    column
        Column name for the error message.
    ids
        Sample IDs aligned with ``values``, for the error message and the result's index.
    path
        File name for the error message.

    Returns
    -------
    Series
        Nullable ``Int64`` with 1, 0 or <NA>.

    Examples
    --------
    >>> parse_event(["1:DECEASED", "0:LIVING", "Dead", "alive", True, None]).tolist()
    [1, 0, 1, 0, 1, <NA>]
    """
    s = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    index = pd.Index(ids) if ids is not None else s.index
    out = []
    for i, v in enumerate(s.tolist()):
        e = _event_value(v)
        if e is None:
            where = f" in '{path}'" if path is not None else ""
            msg = (
                f"survival event column {column!r}{where}: value {v!r} for sample {index[i]!r} is not understood; "
                "expected 1/0, True/False, Dead/Alive, 1:DECEASED/0:LIVING (empty = missing). Recode it or name another column."
            )
            raise InputError(msg)
        out.append(e)
    return pd.Series(pd.array([None if np.isnan(e) else int(e) for e in out], dtype="Int64"), index=index)


def _time_unit(column: str) -> str:
    c = column.lower()
    for unit in ("days", "months", "years", "weeks"):
        if unit[:-1] in c:
            return unit
    return "as given"


def read_clinical(
    path: PathLike,
    *,
    id_column: str | None = None,
    survival_time: str | None = None,
    survival_event: str | None = None,
) -> pd.DataFrame:
    r"""Read a clinical sheet (one row per sample) into a DataFrame indexed by sample ID.

    CSV / TSV / TXT, optionally gzipped, in UTF-8 or Windows-1252 / Latin-1 (Excel exports).

    Parameters
    ----------
    path
        The sheet.
    id_column
        Column with the sample IDs; default the first column. IDs are cleaned
        (:func:`oncoresist._utils.clean_ids`) and must be unique and non-empty.
    survival_time
        Column with the (overall) survival or follow-up time. Default: the first recognised
        column among ``survival_time``, ``OS_time``, ``OS_days``, ``OS_months``, ``T6`` ...
    survival_event
        Column with the event status (death = 1). Default: the first recognised column among
        ``survival_event``, ``OS_event``, ``OS_status``, ``vital_status``, ``died`` ...
        Values as understood by :func:`parse_event`.

    Returns
    -------
    DataFrame
        Index = sample ID (the ID column moves to the index); all other columns as read. When
        both a time and an event column are named or recognised, ``survival_time`` (float;
        negative times raise) and ``survival_event`` (``Int64`` 1/0/<NA>) are added (replacing
        columns of those names) and ``attrs['survival']`` records ``time_column``,
        ``event_column``, ``time_unit`` (guessed from the name, else ``"as given"``),
        ``how`` (``"given"`` / ``"recognised"``), ``n_events`` and ``n_censored`` (status
        counts) and ``n_missing`` (rows lacking the time or the status; kept, not dropped). ``attrs['id_column']`` and ``attrs['file']`` are set too.
        A TCGA-style sheet with ``vital_status``, ``days_to_death`` and
        ``days_to_last_follow_up`` gets the time from the latter two (death if dead, else
        follow-up).

    Raises
    ------
    InputError
        Missing / unreadable / empty file, unknown column names, empty or duplicated sample
        IDs, non-numeric or negative survival times, unrecognised event values in a named
        column, or only one of ``survival_time`` / ``survival_event`` given.

    Examples
    --------
    >>> from oncoresist import ds
    >>> sheet = ds.example_file("clinical")  # patient, OS_days, OS_status (1:DECEASED / 0:LIVING), IGHV
    >>> df = read_clinical(sheet)
    >>> df[["survival_time", "survival_event"]].to_dict("list"), df.attrs["survival"]["event_column"]
    ({'survival_time': [100.0, 250.0], 'survival_event': [1, 0]}, 'OS_status')
    """
    p = check_file(path, what="clinical file")
    df = read_table(p, what="clinical table")
    df.columns = [str(c).strip() for c in df.columns]
    if df.empty:
        msg = f"clinical table '{p}' has a header but no rows: expected one row per sample."
        raise InputError(msg)

    def _col(name: str, option: str) -> str:
        c = find_column(df, [name])
        if c is None:
            shown = ", ".join(list(df.columns)[:15]) + (", ..." if df.shape[1] > 15 else "")
            msg = f"{option}={name!r} is not a column of clinical table '{p}'; found: {shown}. Pass one of these names."
            raise InputError(msg)
        return c

    idc = _col(id_column, "id_column") if id_column is not None else df.columns[0]
    out = _index_by_ids(df, idc, p)

    # survival
    if (survival_time is None) != (survival_event is None):
        given, other = ("survival_time", "survival_event") if survival_time is not None else ("survival_event", "survival_time")
        msg = f"{given} is given but {other} is not (clinical table '{p}'): pass both columns, or neither to let them be recognised."
        raise InputError(msg)
    how = "given"
    tcol = ecol = None
    tcombined: tuple[str, str] | None = None
    if survival_time is not None and survival_event is not None:
        tcol, ecol = _col(survival_time, "survival_time"), _col(survival_event, "survival_event")
    else:
        how = "recognised"
        tcol, ecol, tcombined = _recognise_survival(out, p)
        if ecol is None or (tcol is None and tcombined is None):
            out.attrs.update({"file": str(p), "id_column": str(idc), "survival": {"how": "not found"}})
            logger.info("read_clinical %s: %d samples, no survival columns recognised", p, len(out))
            return out

    event = parse_event(out[ecol], column=ecol, ids=out.index, path=p)
    time, time_label, unit = _survival_time(out, event, tcol, tcombined, p)
    _add_survival(out, time, event, info={"how": how, "time_column": time_label, "event_column": str(ecol), "time_unit": unit},
                  file=p, id_column=str(idc))
    return out


def _index_by_ids(df: pd.DataFrame, idc: Any, p: Path) -> pd.DataFrame:
    """The table without its ID column, indexed by the cleaned, non-empty, unique sample IDs."""
    raw_ids = df[idc]
    ids = clean_ids(raw_ids.astype(object).where(raw_ids.notna(), ""))
    empty = [i for i, s in enumerate(ids) if s in ("", "nan", "None")]
    if empty:
        msg = f"empty sample ID in clinical table '{p}', column {idc!r}, data row(s) {', '.join(str(i + 1) for i in empty[:5])}: every row needs an ID. Fill them in or remove the rows."
        raise InputError(msg)
    check_unique(ids, what="sample", path=p)
    out = df.drop(columns=[idc])
    out.index = pd.Index([str(s) for s in ids], dtype=object)
    return out


def _recognise_survival(out: pd.DataFrame, p: Path) -> tuple[str | None, str | None, tuple[str, str] | None]:
    """Time and event columns recognised by name (or TCGA's days_to_death / follow-up pair); event None when unusable."""
    tcol = find_column(out, TIME_COLUMNS)
    ecol = find_column(out, EVENT_COLUMNS)
    tcombined: tuple[str, str] | None = None
    if tcol is None and ecol is not None:
        dd, fu = find_column(out, ["days_to_death"]), find_column(out, ["days_to_last_follow_up", "days_to_last_followup"])
        if dd is not None and fu is not None:
            tcombined = (dd, fu)
    if ecol is not None:
        try:
            parse_event(out[ecol], column=ecol, ids=out.index, path=p)
        except InputError as e:
            logger.warning("read_clinical %s: column %r looks like a survival status but %s; no survival columns added", p, ecol, e)
            ecol = None
    return tcol, ecol, tcombined


def _survival_time(out: pd.DataFrame, event: pd.Series, tcol: Any, tcombined: tuple[str, str] | None, p: Path) -> tuple[pd.Series, str, str]:
    """Survival times (numeric, >= 0), their label and unit; non-numeric or negative times are errors."""
    if tcombined is not None:
        dd = to_numeric_safe(out[tcombined[0]])
        fu = to_numeric_safe(out[tcombined[1]])
        time = dd.where(event.fillna(0).astype(int).to_numpy() == 1, fu).astype(float)
        time_label = f"{tcombined[0]} (event) / {tcombined[1]} (censored)"
        unit = "days"
    else:
        raw_t = out[tcol]
        time = to_numeric_safe(raw_t).astype(float)
        txt = raw_t.astype(str).str.strip().str.lower()
        bad = time.isna() & raw_t.notna() & ~txt.isin(_MISSING)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            msg = f"non-numeric survival time {raw_t.iloc[i]!r} for sample {out.index[i]!r}, column {tcol!r} of '{p}': expected a number (empty = missing)."
            raise InputError(msg)
        time_label = tcol
        unit = _time_unit(tcol)
    neg = time < 0
    if neg.any():
        i = int(np.flatnonzero(neg.to_numpy())[0])
        msg = f"negative survival time {time.iloc[i]:g} for sample {out.index[i]!r}, column {time_label!r} of '{p}': times must be >= 0."
        raise InputError(msg)
    return time, time_label, unit


def _add_survival(out: pd.DataFrame, time: pd.Series, event: pd.Series, *, info: dict[str, Any], file: Path, id_column: str) -> None:
    """Add ``survival_time`` / ``survival_event`` and record how they were found, with event / censoring counts."""
    out["survival_time"] = time.to_numpy()
    out["survival_event"] = event.array
    n_missing = int((out["survival_time"].isna() | out["survival_event"].isna()).sum())
    info = {**info, "n_events": int((event == 1).sum()), "n_censored": int((event == 0).sum()), "n_missing": n_missing}
    out.attrs.update({"file": str(file), "id_column": id_column, "survival": info})
    logger.info(
        "read_clinical %s: %d samples; survival from %s (%s) and %s: %d events, %d censored, %d with missing time or status",
        file, len(out), info["time_column"], info["time_unit"], info["event_column"], info["n_events"], info["n_censored"], n_missing,
    )

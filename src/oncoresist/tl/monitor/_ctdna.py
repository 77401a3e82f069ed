"""Serial ctDNA per patient: a tumour-fraction proxy per time point and each alteration's course.

The input is the tidy table of :func:`oncoresist.io.read_ctdna` (patient, day, gene, alteration,
kind, vaf as a fraction, copy_number). An alteration is *detected* at a time point when its VAF is
above ``min_vaf`` (mutations) or a copy number is reported (amplifications); a time point at which
an alteration is not listed counts as not detected (panels list what they find).

Molecular response follows the common serial-ctDNA definition: a fall of the maximum somatic VAF by
at least ``response_fall`` (50%) from baseline (Raja et al. 2018, Clin Cancer Res, durvalumab;
Thompson et al. 2021, JCO Precis Oncol); clearance when nothing is detected after a detectable
baseline.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..._core._errors import InputError

__all__ = ["TIMELINE_COLUMNS", "TRAJECTORY_COLUMNS", "ctdna_timeline", "ctdna_trajectories"]

TIMELINE_COLUMNS = ["patient", "day", "n_detected", "max_vaf", "mean_vaf", "baseline_day", "ratio_to_baseline", "response"]
TRAJECTORY_COLUMNS = ["patient", "alteration", "gene", "kind", "baseline_vaf", "first_detected_day", "peak_vaf", "peak_day",
                      "last_vaf", "last_day", "n_detected", "n_timepoints", "status"]
_NEEDED = ("patient", "day", "gene", "alteration", "kind", "vaf", "copy_number")


def _check(table: Any) -> pd.DataFrame:
    """The ctDNA table with the columns of :func:`oncoresist.io.read_ctdna`."""
    if not isinstance(table, pd.DataFrame):
        msg = f"ctDNA monitoring: expected the table of oncoresist.io.read_ctdna, got {type(table).__name__}."
        raise InputError(msg)
    missing = [c for c in _NEEDED if c not in table.columns]
    if missing:
        msg = f"ctDNA monitoring: the table lacks column(s) {', '.join(missing)}; read it with oncoresist.io.read_ctdna."
        raise InputError(msg)
    return table


def _baseline(days: np.ndarray, baseline_day: float | None) -> float:
    """The baseline time point: the latest at or before ``baseline_day`` (default: the first)."""
    if baseline_day is None:
        return float(days.min())
    before = days[days <= baseline_day]
    return float(before.max()) if before.size else float(days.min())


def _detected(t: pd.DataFrame, min_vaf: float) -> pd.Series:
    """Whether each row is a detection (VAF above ``min_vaf``, or a reported amplification)."""
    return np.where(t["kind"].eq("amplification"), t["copy_number"].notna() | (t["vaf"] > min_vaf), t["vaf"] > min_vaf)


def _response(ratio: float, n_detected: int, base_max: float, is_base: bool, fall: float, rise_fold: float) -> str:
    """Molecular response label of one time point against the baseline."""
    if is_base:
        return "baseline"
    if not np.isfinite(base_max) or base_max <= 0:
        return "no baseline ctDNA" if n_detected == 0 else "new ctDNA"
    if n_detected == 0:
        return "clearance"
    if ratio <= 1 - fall:
        return "molecular response"
    if ratio >= rise_fold:
        return "increase"
    return "stable"


def ctdna_timeline(table: pd.DataFrame, *, baseline_day: float | None = None, min_vaf: float = 0.0,
                   response_fall: float = 0.5, rise_fold: float = 2.0) -> pd.DataFrame:
    """Per patient and time point: detected alterations, maximum / mean somatic VAF, response vs baseline.

    Parameters
    ----------
    table
        From :func:`oncoresist.io.read_ctdna`.
    baseline_day
        Day of the baseline sample (the latest at or before it; default the first sample).
    min_vaf
        VAF (fraction) at or below which a mutation counts as not detected.
    response_fall
        Fall of the maximum VAF that is a molecular response (0.5 = 50%).
    rise_fold
        Fold rise of the maximum VAF labelled ``increase``.

    Returns
    -------
    pandas.DataFrame
        :data:`TIMELINE_COLUMNS`; ``response`` is ``baseline``, ``molecular response``,
        ``clearance``, ``stable``, ``increase``, ``no baseline ctDNA`` or ``new ctDNA``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"patient": "P1", "day": [0, 60, 120], "gene": "EGFR", "alteration": "EGFR L858R",
    ...                   "kind": "mutation", "vaf": [0.04, 0.01, 0.0], "copy_number": float("nan")})
    >>> ctdna_timeline(t)["response"].tolist()
    ['baseline', 'molecular response', 'clearance']
    """
    if not 0 < response_fall < 1:
        msg = f"ctdna_timeline: response_fall must be in (0, 1), got {response_fall!r}."
        raise InputError(msg)
    t = _check(table).copy()
    t["detected"] = _detected(t, min_vaf)
    rows = []
    for patient, g in t.groupby("patient", sort=True, observed=True):
        base = _baseline(g["day"].to_numpy(float), baseline_day)
        muts = g[g["kind"].eq("mutation")]
        per_day = muts.assign(v=muts["vaf"].where(muts["detected"])).groupby("day")["v"].agg(["max", "mean"])
        n_det = g.groupby("day")["detected"].sum()
        base_max = float(per_day["max"].get(base, np.nan))
        for day in sorted(g["day"].unique()):
            mx = float(per_day["max"].get(day, np.nan))
            mx = 0.0 if not np.isfinite(mx) else mx
            ratio = mx / base_max if np.isfinite(base_max) and base_max > 0 else np.nan
            rows.append({"patient": patient, "day": float(day), "n_detected": int(n_det.get(day, 0)), "max_vaf": mx,
                         "mean_vaf": float(np.nan_to_num(per_day["mean"].get(day, np.nan))), "baseline_day": base,
                         "ratio_to_baseline": ratio,
                         "response": _response(ratio, int(n_det.get(day, 0)), base_max, day == base, response_fall, rise_fold)})
    return pd.DataFrame(rows, columns=TIMELINE_COLUMNS)


def _status(base_vaf: float, det: np.ndarray, vafs: np.ndarray, days: np.ndarray, base: float, rise_fold: float,
            min_rise: float) -> str:
    """Course of one alteration after baseline: emerged, rising, persistent, falling, cleared or not detected."""
    after = days > base
    if not det.any():
        return "not detected"
    if base_vaf <= 0 and det[after].any():
        return "emerged"
    if not after.any():
        return "baseline only"
    last = vafs[after][-1]
    peak = np.nanmax(vafs[after]) if after.any() else np.nan
    if np.isfinite(peak) and peak >= rise_fold * base_vaf and peak - base_vaf >= min_rise:
        return "rising"
    if not det[after][-1]:
        return "cleared"
    if np.isfinite(last) and last <= 0.5 * base_vaf:
        return "falling"
    return "persistent"


def ctdna_trajectories(table: pd.DataFrame, *, baseline_day: float | None = None, min_vaf: float = 0.0,
                       rise_fold: float = 2.0, min_rise: float = 0.001) -> pd.DataFrame:
    """Each alteration's course per patient: baseline VAF, first detection, peak, last value and status.

    ``emerged``: not detected at baseline, detected later (the day it appeared is
    ``first_detected_day``); ``rising``: detected at baseline and later at least ``rise_fold`` times
    higher (and by at least ``min_rise`` VAF); ``cleared``, ``falling`` (last at most half of
    baseline), ``persistent``, ``baseline only`` (no later sample) or ``not detected``. Amplifications
    are followed by their copy number when no VAF is given.

    Parameters
    ----------
    table
        From :func:`oncoresist.io.read_ctdna`.
    baseline_day
        Day of the baseline sample (default the first sample of each patient).
    min_vaf
        VAF at or below which a mutation counts as not detected.
    rise_fold
        Fold rise over baseline that makes a detected alteration ``rising``.
    min_rise
        Smallest absolute VAF rise (fraction) that counts as rising.

    Returns
    -------
    pandas.DataFrame
        :data:`TRAJECTORY_COLUMNS`, emerged and rising alterations first.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"patient": "P1", "day": [0, 0, 90, 90], "gene": "EGFR",
    ...                   "alteration": ["EGFR L858R", "EGFR T790M"] * 2, "kind": "mutation",
    ...                   "vaf": [0.05, 0.0, 0.002, 0.03], "copy_number": float("nan")})
    >>> ctdna_trajectories(t)[["alteration", "status", "first_detected_day"]].values.tolist()
    [['EGFR T790M', 'emerged', 90.0], ['EGFR L858R', 'falling', 0.0]]
    """
    t = _check(table).copy()
    t["detected"] = _detected(t, min_vaf)
    t["level"] = t["vaf"].where(t["vaf"].notna(), t["copy_number"]).fillna(0.0)
    rows = []
    for patient, g in t.groupby("patient", sort=True, observed=True):
        all_days = np.sort(g["day"].unique().astype(float))
        base = _baseline(all_days, baseline_day)
        for alt, a in g.groupby("alteration", sort=True, observed=True):
            a = a.groupby("day").agg(level=("level", "max"), detected=("detected", "max"), gene=("gene", "first"),
                                     kind=("kind", "first")).reindex(all_days)
            det = a["detected"].fillna(False).to_numpy(bool)
            lev = np.where(det, a["level"].fillna(0.0).to_numpy(float), 0.0)
            in_base = all_days == base
            base_vaf = float(lev[in_base][0]) if in_base.any() else 0.0
            first = float(all_days[det][0]) if det.any() else np.nan
            peak_i = int(np.argmax(lev))
            last_det = np.flatnonzero(det)
            rows.append({"patient": patient, "alteration": alt, "gene": a["gene"].dropna().iloc[0],
                         "kind": a["kind"].dropna().iloc[0], "baseline_vaf": base_vaf, "first_detected_day": first,
                         "peak_vaf": float(lev[peak_i]), "peak_day": float(all_days[peak_i]), "last_vaf": float(lev[-1]),
                         "last_day": float(all_days[last_det[-1]]) if last_det.size else np.nan,
                         "n_detected": int(det.sum()), "n_timepoints": len(all_days),
                         "status": _status(base_vaf, det, lev, all_days, base, rise_fold, min_rise)})
    out = pd.DataFrame(rows, columns=TRAJECTORY_COLUMNS)
    order = out["status"].map({"emerged": 0, "rising": 1}).fillna(2)
    return out.assign(_o=order).sort_values(["patient", "_o", "first_detected_day"], kind="stable").drop(columns="_o").reset_index(drop=True)

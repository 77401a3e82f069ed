"""Plate-level normalisation of raw screen intensities and plate quality (Z'-factor).

Raw screens come as one row per well with a signal (luminescence, fluorescence, counts) and
a label saying whether the well is a negative control (vehicle / untreated: viability 1), a
positive control (killing control / empty: viability 0) or a treated well. Per plate::

    viability = (signal - mean(positive)) / (mean(negative) - mean(positive))

(medians with ``robust=True``), and the Z'-factor of Zhang et al. 1999 (J Biomol Screen 4:67)::

    Z' = 1 - 3 (sd(positive) + sd(negative)) / |mean(negative) - mean(positive)|

(robust: median and 1.4826 x MAD). Plates with Z' below ``min_z_prime`` (0.5: an "excellent"
assay per Zhang) are kept but flagged, with a warning; plates without negative or positive
controls cannot be normalised: their wells are left out, listed in the QC table and warned
about.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from .._core._errors import InputError
from .._core._utils import require_columns

__all__ = ["normalize_plates", "z_prime"]

_MAD_SD = 1.4826


def z_prime(positive: Any, negative: Any, *, robust: bool = False) -> float:
    """Z'-factor of a plate from its positive and negative control signals.

    Parameters
    ----------
    positive, negative
        Signals of the positive (killing) and negative (vehicle) control wells.
    robust
        Median and 1.4826 x MAD instead of mean and standard deviation.

    Returns
    -------
    float
        ``1 - 3 (sd_pos + sd_neg) / |mean_neg - mean_pos|``; NaN with fewer than two wells of
        either control or identical control means.

    Examples
    --------
    >>> round(z_prime([1.0, 1.2, 0.8], [10.0, 10.5, 9.5]), 3)
    0.767
    """
    p = np.asarray(positive, dtype=float)
    n = np.asarray(negative, dtype=float)
    p = p[np.isfinite(p)]
    n = n[np.isfinite(n)]
    if p.size < 2 or n.size < 2:
        return float("nan")
    if robust:
        mp, mn = np.median(p), np.median(n)
        sp = _MAD_SD * np.median(np.abs(p - mp))
        sn = _MAD_SD * np.median(np.abs(n - mn))
    else:
        mp, mn = p.mean(), n.mean()
        sp, sn = p.std(ddof=1), n.std(ddof=1)
    gap = abs(mn - mp)
    if gap == 0:
        return float("nan")
    return float(1.0 - 3.0 * (sp + sn) / gap)


def normalize_plates(
    raw: pd.DataFrame,
    *,
    signal: str = "signal",
    plate: str = "plate",
    control: str = "control",
    negative: str = "neg",
    positive: str = "pos",
    robust: bool = False,
    min_z_prime: float = 0.5,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Normalise raw plate intensities to viability and score every plate's quality.

    Parameters
    ----------
    raw
        One row per well: ``plate``, ``signal`` and ``control`` columns (names configurable);
        treated wells also need ``sample``, ``drug``, ``dose`` (uM). Other columns
        (``replicate``, ``well``, ``time`` ...) are carried over.
    signal, plate, control
        Column names of the raw signal, the plate ID and the well label.
    negative, positive
        Labels (in ``control``) of negative (vehicle, viability 1) and positive (killing,
        viability 0) control wells; every other label (or an empty cell) is a treated well.
        When the ``control`` column is absent, the labels are looked up in ``drug``
        (e.g. ``negative="DMSO"``).
    robust
        Medians (and MAD for Z') instead of means (and SD).
    min_z_prime
        Plates below this Z' are flagged (``qc['pass']`` False) with a warning; they are still
        normalised.

    Returns
    -------
    screen : DataFrame
        Treated wells in the canonical dose-response layout (``sample, drug, dose, response``
        + ``plate`` and the other carried-over columns); ``response`` = normalised viability.
    qc : DataFrame
        One row per plate: ``plate, n_wells, n_negative, n_positive, negative_mean,
        negative_sd, positive_mean, positive_sd, signal_window`` (negative / positive),
        ``cv_negative``, ``z_prime``, ``pass``, ``note``.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"plate": "P1", "control": ["neg", "neg", "pos", "pos", ""],
    ...                     "signal": [100.0, 102.0, 2.0, 4.0, 52.0],
    ...                     "sample": [None] * 4 + ["S1"], "drug": [None] * 4 + ["D1"],
    ...                     "dose": [None] * 4 + [1.0]})
    >>> screen, qc = normalize_plates(raw, min_z_prime=0.0)
    >>> round(float(screen["response"].iloc[0]), 3), round(float(qc["z_prime"].iloc[0]), 3)
    (0.5, 0.913)
    """
    if not isinstance(raw, pd.DataFrame):
        msg = f"raw must be a pandas DataFrame of wells, got {type(raw).__name__}."
        raise InputError(msg)
    require_columns(raw, [plate, signal], what="raw plate table")
    df = raw.copy()
    labels, label_source = _well_labels(df, control)
    df["_signal"] = _signal_values(df, signal, plate)
    is_neg = (labels == str(negative)).to_numpy()
    is_pos = (labels == str(positive)).to_numpy()
    if not is_neg.any() or not is_pos.any():
        found = ", ".join(sorted(map(repr, pd.unique(labels)[:10])))
        msg = (
            f"raw plate table: no {'negative' if not is_neg.any() else 'positive'} control wells labelled "
            f"{negative if not is_neg.any() else positive!r} in {label_source} (labels found: {found}); pass negative= / positive=."
        )
        raise InputError(msg)
    treated = ~is_neg & ~is_pos
    require_columns(df.loc[treated], ["sample", "drug", "dose"], what="raw plate table (treated wells)")
    pkey = df[plate].astype(str).to_numpy()
    qc = _plates_qc(df["_signal"].to_numpy(), pkey, is_neg, is_pos, robust=robust, min_z_prime=min_z_prime)
    low = qc.loc[~qc["pass"] & (qc["note"].str.contains("Z'")), "plate"].tolist()
    if low:
        shown = ", ".join(low[:5]) + (", ..." if len(low) > 5 else "")
        warnings.warn(f"normalize_plates: {len(low)} plate(s) below Z' {min_z_prime} (kept, flagged in qc): {shown}.", UserWarning, stacklevel=2)
    resp, usable_row = _viability(df["_signal"].to_numpy(), pkey, qc)
    qc = qc.drop(columns="_usable")
    keep = treated & usable_row
    dropped = int((treated & ~keep).sum())
    if dropped:
        bad_plates = qc.loc[qc["note"].str.contains("left out"), "plate"].tolist()
        warnings.warn(
            f"normalize_plates: {dropped} treated well(s) on {len(bad_plates)} plate(s) without usable controls were left out: "
            f"{', '.join(bad_plates[:5])} (see qc['note']).",
            UserWarning,
            stacklevel=2,
        )
    out = _screen_table(df.loc[keep].copy(), resp[keep], signal=signal, plate=plate, control=control)
    stat = "median" if robust else "mean"
    out.attrs.update(
        {
            "normalisation": f"per plate: (signal - {stat}(positive)) / ({stat}(negative) - {stat}(positive))",
            "response_conversion": "normalised from raw plate signals",
            "response_scale": "fraction",
            "n_dropped_wells": dropped,
        }
    )
    return out, qc


def _well_labels(df: pd.DataFrame, control: str) -> tuple[pd.Series, str]:
    """The stripped well labels (from ``control``, else ``drug``) and where they came from."""
    for col in (control, "drug"):
        if col in df.columns:
            return df[col].astype(object).where(df[col].notna(), "").astype(str).str.strip(), f"column {col!r}"
    msg = f"raw plate table has no {control!r} column (nor 'drug') to tell control wells from treated ones; add it or pass control=."
    raise InputError(msg)


def _signal_values(df: pd.DataFrame, signal: str, plate: str) -> np.ndarray:
    """The numeric signal of every well; a non-numeric entry is an :class:`InputError`."""
    sig = pd.to_numeric(df[signal], errors="coerce")
    bad = sig.isna() & df[signal].notna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        msg = f"non-numeric {signal} {df[signal].iloc[i]!r} on plate {df[plate].iloc[i]!r} (row {i}): expected a number."
        raise InputError(msg)
    return sig.to_numpy(dtype=float)


def _centre_spread(x: np.ndarray, robust: bool) -> tuple[float, float]:
    """Mean and SD (``robust``: median and 1.4826 x MAD) of control signals; NaN when undefined."""
    if robust:
        c = float(np.median(x)) if x.size else np.nan
        return c, float(_MAD_SD * np.median(np.abs(x - c))) if x.size else np.nan
    return (float(x.mean()) if x.size else np.nan), (float(x.std(ddof=1)) if x.size > 1 else np.nan)


def _plate_row(p: str, n_wells: int, n_sig: np.ndarray, p_sig: np.ndarray, *, robust: bool, min_z_prime: float) -> dict[str, Any]:
    """The QC row of one plate from its (finite) negative and positive control signals."""
    note = []
    mn, sn = _centre_spread(n_sig, robust)
    mp, sp = _centre_spread(p_sig, robust)
    if not n_sig.size:
        note.append("no negative controls: wells left out")
    if not p_sig.size:
        note.append("no positive controls: wells left out")
    if n_sig.size and p_sig.size and not mn > mp:
        note.append("negative-control signal not above positive: wells left out")
    zp = z_prime(p_sig, n_sig, robust=robust)
    usable = n_sig.size > 0 and p_sig.size > 0 and mn > mp
    passed = bool(usable and np.isfinite(zp) and zp >= min_z_prime)
    if usable and not passed:
        note.append(f"Z' {zp:.2f} < {min_z_prime}" if np.isfinite(zp) else "Z' undefined (fewer than 2 wells of a control)")
    return {
        "plate": p,
        "n_wells": n_wells,
        "n_negative": int(n_sig.size),
        "n_positive": int(p_sig.size),
        "negative_mean": mn,
        "negative_sd": sn,
        "positive_mean": mp,
        "positive_sd": sp,
        "signal_window": mn / mp if mp and np.isfinite(mp) and mp != 0 else np.nan,
        "cv_negative": sn / mn if mn and np.isfinite(mn) and mn != 0 else np.nan,
        "z_prime": zp,
        "pass": passed,
        "note": "; ".join(note),
        "_usable": usable,
    }


def _plates_qc(sig: np.ndarray, pkey: np.ndarray, is_neg: np.ndarray, is_pos: np.ndarray, *,
               robust: bool, min_z_prime: float) -> pd.DataFrame:
    """One QC row per plate (in order of appearance), with a private ``_usable`` column."""
    rows = []
    for p in pd.unique(pkey):
        m = pkey == p
        n_sig = sig[m & is_neg]
        p_sig = sig[m & is_pos]
        rows.append(_plate_row(p, int(m.sum()), n_sig[np.isfinite(n_sig)], p_sig[np.isfinite(p_sig)],
                               robust=robust, min_z_prime=min_z_prime))
    return pd.DataFrame(rows)


def _viability(sig: np.ndarray, pkey: np.ndarray, qc: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per-well viability from its plate's control means, and whether the plate was usable."""
    ok = qc["_usable"].to_numpy(dtype=bool)
    nm = pd.Series(np.where(ok, qc["negative_mean"], np.nan), index=qc["plate"])
    pm = pd.Series(np.where(ok, qc["positive_mean"], np.nan), index=qc["plate"])
    neg_row = nm.reindex(pkey).to_numpy()
    pos_row = pm.reindex(pkey).to_numpy()
    return (sig - pos_row) / (neg_row - pos_row), np.isfinite(neg_row) & np.isfinite(pos_row)


def _screen_table(out: pd.DataFrame, response: np.ndarray, *, signal: str, plate: str, control: str) -> pd.DataFrame:
    """Treated wells in the canonical ``sample, drug, dose, response`` layout (+ carried-over columns)."""
    out["response"] = response
    dose = pd.to_numeric(out["dose"], errors="coerce")
    if dose.isna().any():
        i = int(np.flatnonzero(dose.isna().to_numpy())[0])
        msg = f"treated well without a numeric dose on plate {out[plate].iloc[i]!r} ({out['dose'].iloc[i]!r}): fill in the dose in uM."
        raise InputError(msg)
    out["dose"] = dose.to_numpy(dtype=float)
    front = ["sample", "drug", "dose", "response"]
    carry = [c for c in out.columns if c not in front + ["_signal", signal, control] and c != "response"]
    return out[front + carry].rename(columns={plate: "plate"}).reset_index(drop=True)

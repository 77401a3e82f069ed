"""Dose-response curves for whole screens at once: Hill fits, sensitivity metrics, quality flags.

:func:`fit_curves` fits a 2-, 3- or 4-parameter log-logistic (Hill) model to every
sample x drug curve of a long screen in one vectorised, bounded Levenberg-Marquardt run
(:mod:`oncoresist.tl._lm`; chunked, optionally in parallel through
:func:`oncoresist.parallel.parallel_map`) and returns one row per curve with the metrics
and flags described in :data:`CURVE_COLUMNS`.

Viability model (``dose`` in micromolar, viability as a fraction, 1 = untreated)::

    viability(dose) = bottom + (top - bottom) / (1 + (dose / ec50) ** hill)

``"4p"``: top, bottom, ec50, hill free; ``"3p"``: top = 1 (as PharmacoGx); ``"2p"``: top = 1,
bottom = 0. Default bounds (:data:`DEFAULT_BOUNDS`): top in [0.5, 1.5], bottom in [0, 1.5],
hill in [0.1, 10], ec50 within ``ec50_margin`` (2) decades of the tested range.

Metrics
-------
- ``ic50_uM``: absolute IC50 (the dose where the fitted curve crosses viability 0.5), taken
  from the curve even beyond the tested range (``ic50_status`` says ``in_range``,
  ``above_range`` or ``below_range``); ``inf`` when the curve never drops to 0.5
  (``not_reached``), ``0`` when it is below 0.5 at every dose (``always_below``). It is never
  snapped to a tested dose.
- ``ec50_uM``: the inflection point (relative IC50), ``ec50_status`` as above; NaN for flat
  curves (undefined).
- ``emax``: fitted viability at the highest tested dose; ``amax``: highest observed activity
  (1 - lowest mean viability over the tested doses); ``top`` / ``bottom``: fitted plateaus.
- ``auc``: mean fitted viability over the tested log10-dose range (closed-form integral;
  normalised AUC, lower = more sensitive); ``aac = 1 - auc`` (activity area, PharmacoGx's
  "auc"); ``auc_common``: the same over a concentration range shared by every sample of the
  drug (or ``common_range``).
- ``dss1``, ``dss2``, ``dss3``: drug sensitivity scores of Yadav et al. 2014 (Sci Rep 4:5193),
  computed as in the authors' DSS R package on % inhibition with an activity threshold
  ``dss_threshold`` (10 %).
- GR metrics (Hafner et al. 2016, Nat Methods 13:521) when the screen has time-zero rows
  (``time == 0``: viability of untreated cells at the start relative to untreated cells at
  the end) or a ``gr`` column (GR values from cell counts, :func:`oncoresist.tl.gr_values`):
  ``gr50_uM``, ``grmax`` (GR at the highest dose), ``grinf``, ``gec50_uM``, ``gr_hill``,
  ``gr_aoc``. Time-zero ratios are matched to each row by ``(sample, plate)`` when both have
  a plate, else by sample (a warning says so); with several endpoint times every metric is
  per time (a ``time`` column), never pooled across times. How they were matched is in
  ``attrs['gr_time_zero_match']``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..._core._errors import InputError
from ..._core._utils import progress, require_columns
from ...parallel import parallel_map
from .. import _lm
from . import _growth

__all__ = ["CURVE_COLUMNS", "DEFAULT_BOUNDS", "dss_scores", "fit_curves", "hill_response"]

_LN10 = np.log(10.0)
MODELS = ("2p", "3p", "4p")
#: Default parameter bounds of the viability model (``ec50`` bounds follow ``ec50_margin``).
DEFAULT_BOUNDS: dict[str, tuple[float, float]] = {"top": (0.5, 1.5), "bottom": (0.0, 1.5), "hill": (0.1, 10.0)}

#: Output columns of :func:`fit_curves` (``time`` only when the screen has several endpoint
#: times; the ``gr*`` columns only when it has time-zero rows).
CURVE_COLUMNS: dict[str, str] = {
    "sample": "sample ID",
    "drug": "drug name",
    "status": "ok | no_data (no usable response) | too_few_doses (< 2 positive doses) | "
    "scale_mismatch (responses look like percent in a fraction screen)",
    "model": "2p | 3p | 4p",
    "n_points": "responses used in the fit (replicates included)",
    "n_doses": "distinct positive doses used",
    "n_control": "rows with dose 0 (vehicle controls; not part of the fit)",
    "n_dropped": "rows left out: missing response or missing / negative dose",
    "dose_min_uM": "lowest tested dose",
    "dose_max_uM": "highest tested dose",
    "top": "fitted viability plateau at low dose",
    "bottom": "fitted viability plateau at high dose (Einf)",
    "ec50_uM": "inflection point of the fitted curve (NaN when flat)",
    "log10_ec50": "log10 of ec50_uM",
    "ec50_status": "in_range | above_range | below_range | undefined_flat",
    "hill": "Hill slope (NaN when flat)",
    "ic50_uM": "dose of fitted viability 0.5 (inf: never reached, 0: always below)",
    "log10_ic50": "log10 of ic50_uM",
    "ic50_status": "in_range | above_range | below_range | not_reached | always_below",
    "emax": "fitted viability at the highest tested dose",
    "amax": "highest observed activity: 1 - lowest mean viability over the doses",
    "auc": "mean fitted viability over the tested log10-dose range (lower = more sensitive)",
    "aac": "1 - auc",
    "auc_common": "auc over the drug's common range",
    "common_min_uM": "common range, low end",
    "common_max_uM": "common range, high end",
    "dss1": "DSS1 (Yadav 2014)",
    "dss2": "DSS2",
    "dss3": "DSS3",
    "r2": "coefficient of determination of the fit",
    "rmse": "root mean squared residual",
    "flat": "fitted viability changes by < flat_threshold over the tested range",
    "non_monotone": "mean viability rises by > nonmonotone_tol after a lower value at a lower dose",
    "poor_fit": "not flat and r2 < min_r2",
    "out_of_range": "ec50 or ic50 extrapolated outside the tested range (an IC50 never reached is not flagged)",
    "flags": "every flag, ';'-separated",
    "converged": "the optimiser converged (a fit stopped by max_iter is continued once from where it stopped)",
    "n_iter": "optimiser iterations",
}

_GR_COLUMNS = ["gr50_uM", "log10_gr50", "gr50_status", "grmax", "grinf", "gec50_uM", "gr_hill", "gr_aoc"]


# --------------------------------------------------------------------------------------------
# input preparation
# --------------------------------------------------------------------------------------------
def _numeric_column(df: pd.DataFrame, col: str) -> np.ndarray:
    s = df[col]
    if pd.api.types.is_bool_dtype(s):
        msg = f"dose-response column {col!r} holds True/False values: expected numbers."
        raise InputError(msg)
    if pd.api.types.is_numeric_dtype(s):
        return s.to_numpy(dtype=float)
    num = pd.to_numeric(s, errors="coerce")
    bad = num.isna() & s.notna() & (s.astype(str).str.strip() != "")
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        row = df.iloc[i]
        msg = (
            f"non-numeric {col} {s.iloc[i]!r} for sample {row['sample']!r}, drug {row['drug']!r} "
            f"(row {i}): expected a number (NaN for missing). Fix or blank the value."
        )
        raise InputError(msg)
    return num.to_numpy(dtype=float)


def _resolve_scale(resp: np.ndarray, screen: pd.DataFrame, response_scale: str) -> tuple[float, str, str]:
    """Return (divisor, scale, reason)."""
    if response_scale not in ("auto", "fraction", "percent"):
        msg = f"response_scale must be 'auto', 'fraction' or 'percent', got {response_scale!r}."
        raise InputError(msg)
    if response_scale == "fraction":
        return 1.0, "fraction", "response_scale='fraction' given"
    if response_scale == "percent":
        return 100.0, "percent", "response_scale='percent' given"
    if "response_conversion" in screen.attrs:
        return 1.0, "fraction", f"converted by the reader ({screen.attrs.get('response_conversion')})"
    finite = resp[np.isfinite(resp)]
    if finite.size == 0:
        return 1.0, "fraction", "no finite response; fraction assumed"
    q95 = float(np.quantile(finite, 0.95))
    if q95 > 2.5:
        return 100.0, "percent", f"95th percentile of the responses is {q95:.3g} (> 2.5): percent assumed and divided by 100"
    if q95 <= 1.6:
        return 1.0, "fraction", f"95th percentile of the responses is {q95:.3g} (<= 1.6): viability fraction assumed"
    msg = (
        f"cannot tell whether the responses are a fraction (1 = untreated) or percent: their 95th percentile is "
        f"{q95:.3g}. Pass response_scale='fraction' or 'percent'."
    )
    raise InputError(msg)


def _prepare(screen: Any, response_scale: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    if not isinstance(screen, pd.DataFrame):
        msg = (
            f"screen must be a pandas DataFrame (sample, drug, dose, response), got {type(screen).__name__}; "
            "read files with oncoresist.io.read_dose_response."
        )
        raise InputError(msg)
    require_columns(screen, ["sample", "drug", "dose", "response"], what="dose-response table")
    df = pd.DataFrame({"sample": screen["sample"].to_numpy(), "drug": screen["drug"].to_numpy()})
    for col in ("sample", "drug"):
        miss = df[col].isna().to_numpy()
        if miss.any():
            i = int(np.flatnonzero(miss)[0])
            msg = f"dose-response table: missing {col} in row {i} ({int(miss.sum())} rows in all): every row needs a {col} ID."
            raise InputError(msg)
        df[col] = df[col].astype(str)
    df["dose"] = _numeric_column(screen.assign(sample=df["sample"].to_numpy(), drug=df["drug"].to_numpy()), "dose")
    resp = _numeric_column(screen.assign(sample=df["sample"].to_numpy(), drug=df["drug"].to_numpy()), "response")
    divisor, scale, reason = _resolve_scale(resp, screen, response_scale)
    df["response"] = resp / divisor
    if "time" in screen.columns:
        t = pd.to_numeric(screen["time"], errors="coerce").to_numpy(dtype=float)
        df["time"] = t
    if "plate" in screen.columns:
        df["plate"] = screen["plate"].to_numpy()
    if "gr" in screen.columns:  # GR values computed from counts (oncoresist.tl.gr_values)
        df["gr"] = pd.to_numeric(screen["gr"], errors="coerce").to_numpy(dtype=float)
    info = {"response_scale": scale, "response_scale_reason": reason}
    return df, info


# --------------------------------------------------------------------------------------------
# padded arrays
# --------------------------------------------------------------------------------------------
class _Rows:
    """Usable rows of the curves to fit, ordered by curve (curves by size) then dose."""

    def __init__(self, cid: np.ndarray, lx: np.ndarray, curves: np.ndarray, n_points: np.ndarray):
        order = curves[np.argsort(n_points[curves], kind="stable")]
        pos_of = np.full(int(max(cid.max(initial=-1), curves.max(initial=-1))) + 1, -1)
        pos_of[order] = np.arange(len(order))
        keep = pos_of[cid] >= 0
        self.row_index = np.flatnonzero(keep)
        pos = pos_of[cid[keep]]
        srt = np.lexsort((lx[keep], pos))
        self.row_index = self.row_index[srt]
        self.pos = pos[srt]
        self.order = order  # curve ids by position
        starts = np.searchsorted(self.pos, np.arange(len(order)))
        self.col = np.arange(len(self.pos)) - starts[self.pos]
        self.size = np.bincount(self.pos, minlength=len(order))

    def chunks(self, chunk_size: int) -> list[tuple[int, int]]:
        n = len(self.order)
        return [(a, min(a + chunk_size, n)) for a in range(0, n, max(1, chunk_size))]

    def pad(self, values: np.ndarray, a: int, b: int, fill: float = 0.0) -> np.ndarray:
        sel = (self.pos >= a) & (self.pos < b)
        m = int(self.size[a:b].max()) if b > a else 0
        out = np.full((b - a, max(m, 1)), fill, dtype=float)
        out[self.pos[sel] - a, self.col[sel]] = values[self.row_index[sel]]
        return out


#: a capped fit counts as worse than its reference when the reference lowers the SSE by more than
#: this share of the curve's total sum of squares (r2 better by > 0.001)
_WORSE_SHARE = 1e-3


def _fit_chunk(args: tuple[Any, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Fit a chunk; curves stopped by the iteration cap are checked against a reference (see :func:`_check_capped`)."""
    lx, y, w, free, p_fixed, lower, upper, loss, f_scale, max_iter = args
    res = _lm.fit_batch(lx, y, w, free=free, p_fixed=p_fixed, lower=lower, upper=upper, loss=loss, f_scale=f_scale, max_iter=max_iter)
    params, sse, n_iter, conv = res.params.copy(), res.sse.copy(), res.n_iter.copy(), res.converged.copy()
    worse = np.zeros(len(sse), dtype=bool)
    capped = np.flatnonzero(~conv)
    if capped.size:
        worse[capped] = _check_capped(capped, args, res, params, sse, n_iter, conv)
    return params, sse, n_iter, conv, worse


def _check_capped(
    capped: np.ndarray, args: tuple[Any, ...], res: Any, params: np.ndarray, sse: np.ndarray, n_iter: np.ndarray,
    conv: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """Continue capped fits from where they stopped (the reference); keep the better fit; True where the capped one was worse.

    Hitting the cap is common on curves whose IC50 is never reached (the EC50 creeps along a
    flat valley without changing the fit). The reference continues the fit for ``4 * max_iter``
    iterations; the capped fit was worse when the reference lowers the SSE by more than
    ``_WORSE_SHARE`` of the total sum of squares. The flag ``not_converged`` is then set only
    for a fit that was worse and whose reference did not converge either (still moving).
    ``params`` / ``sse`` / ``n_iter`` / ``conv`` are updated in place.
    """
    lx, y, w, free, p_fixed, lower, upper, loss, f_scale, max_iter = args
    i = capped
    ref = _lm.fit_batch(lx[i], y[i], w[i], free=free[i], p_fixed=p_fixed[i], lower=lower[i], upper=upper[i], loss=loss,
                        f_scale=f_scale, max_iter=4 * max_iter, p0=res.params[i])  # fmt: skip
    yw = np.where(w[i] > 0, y[i], 0.0)
    n_pts = np.maximum(w[i].sum(axis=1), 1e-30)
    sst = np.sum(w[i] * (yw - (w[i] * yw).sum(axis=1, keepdims=True) / n_pts[:, None]) ** 2, axis=1)
    worse = (res.sse[i] - ref.sse) > _WORSE_SHARE * np.maximum(sst, 1e-12)
    take = np.isfinite(ref.cost) & (ref.cost < res.cost[i])
    params[i[take]], sse[i[take]] = ref.params[take], ref.sse[take]
    n_iter[i] += ref.n_iter
    conv[i] = ref.converged
    return worse


def _run_fits(
    rows: _Rows,
    lx_all: np.ndarray,
    y_all: np.ndarray,
    *,
    n_curves: int,
    free: np.ndarray,
    p_fixed: np.ndarray,
    lower_c: np.ndarray,
    upper_c: np.ndarray,
    loss: str,
    f_scale: float,
    max_iter: int,
    chunk_size: int,
    n_jobs: int | None,
    scheduler: Any,
    quiet: bool,
    description: str,
) -> dict[str, np.ndarray]:
    """Fit every curve of ``rows``; ``lower_c``/``upper_c`` are per curve id (n_curves, 4)."""
    params = np.full((n_curves, 4), np.nan)
    sse = np.full(n_curves, np.nan)
    n_iter = np.zeros(n_curves, dtype=int)
    conv = np.zeros(n_curves, dtype=bool)
    worse = np.zeros(n_curves, dtype=bool)
    jobs = []
    spans = rows.chunks(chunk_size)
    for a, b in spans:
        ids = rows.order[a:b]
        lx = rows.pad(lx_all, a, b)
        y = rows.pad(y_all, a, b)
        w = rows.pad(np.ones_like(y_all), a, b)
        lx = np.where(w > 0, lx, lx[:, :1])
        jobs.append((lx, y, w, np.broadcast_to(free, (b - a, 4)).copy(), np.broadcast_to(p_fixed, (b - a, 4)).copy(),
                     lower_c[ids], upper_c[ids], loss, f_scale, max_iter))  # fmt: skip
    if n_jobs == 1 and scheduler is None:
        results = [_fit_chunk(j) for j in progress(jobs, description=description, quiet=quiet or len(jobs) < 2)]
    else:
        results = parallel_map(_fit_chunk, jobs, n_jobs=n_jobs, scheduler=scheduler, description=description, quiet=quiet)
    for (a, b), (p, s, it, cv, wr) in zip(spans, results):
        ids = rows.order[a:b]
        params[ids], sse[ids], n_iter[ids], conv[ids], worse[ids] = p, s, it, cv, wr
    return {"params": params, "sse": sse, "n_iter": n_iter, "converged": conv, "worse": worse}


# --------------------------------------------------------------------------------------------
# closed-form metrics
# --------------------------------------------------------------------------------------------
def _mean_gate(le: np.ndarray, h: np.ndarray, ulo: np.ndarray, uhi: np.ndarray) -> np.ndarray:
    """Mean of ``1 / (1 + exp(h (u - le)))`` over ``u`` in ``[ulo, uhi]`` (natural-log dose)."""
    width = uhi - ulo
    with np.errstate(divide="ignore", invalid="ignore"):
        hs = np.where(np.abs(h) < 1e-10, 1e-10, h)
        integral = width - (np.logaddexp(0.0, hs * (uhi - le)) - np.logaddexp(0.0, hs * (ulo - le))) / hs
        out = integral / width
        point = 1.0 / (1.0 + np.exp(np.clip(hs * (ulo - le), -700, 700)))
    return np.where(width > 0, out, point)


def _curve_value(top: np.ndarray, bottom: np.ndarray, le: np.ndarray, h: np.ndarray, u: np.ndarray) -> np.ndarray:
    z = np.clip(h * (u - le), -700.0, 700.0)
    return bottom + (top - bottom) / (1.0 + np.exp(z))


def _crossing(top: np.ndarray, bottom: np.ndarray, le: np.ndarray, h: np.ndarray, level: float) -> np.ndarray:
    """Natural-log dose where the curve crosses ``level`` (NaN when it does not)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (top - level) / (level - bottom)
        u = le + np.log(ratio) / h
    return np.where(ratio > 0, u, np.nan)


def _range_status(u: np.ndarray, ulo: np.ndarray, uhi: np.ndarray) -> np.ndarray:
    tol = 1e-9
    return np.where(u < ulo - tol, "below_range", np.where(u > uhi + tol, "above_range", "in_range"))


def dss_scores(
    log10_ec50: Any,
    hill: Any,
    *,
    top: Any,
    bottom: Any,
    log10_min: Any,
    log10_max: Any,
    threshold: float = 10.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """DSS1-3 (Yadav et al. 2014) of fitted viability curves, vectorised.

    Follows the authors' DSS R package on % inhibition: ``a = 100 (top - bottom)`` is the
    maximal response above the curve's own baseline, ``c = log10 EC50``, ``b = hill``; the area
    of the inhibition curve above ``threshold`` between ``x1`` (where it reaches the threshold,
    clipped to the tested range) and the highest dose, over the area ``(xmax - xmin)(100 -
    threshold)``, times 100 is DSS1; ``DSS2 = DSS1 / log10(a)``; ``DSS3 = DSS1 * (2 / log10 a)
    * (xmax - x1) / (xmax - xmin)``. Scores are 0 when EC50 >= the highest dose, the slope is
    negative or ``a <= threshold``; NaN when a parameter is NaN.

    Parameters
    ----------
    log10_ec50, hill
        Inflection point (log10 uM) and Hill slope of the fitted viability curves.
    top, bottom
        Fitted viability plateaus (fractions).
    log10_min, log10_max
        Tested dose range (log10 uM).
    threshold
        Activity threshold in % inhibition.

    Returns
    -------
    tuple of ndarray
        DSS1, DSS2, DSS3 (broadcast shape of the inputs).

    Examples
    --------
    >>> d1, d2, d3 = dss_scores(-1.0, 1.0, top=1.0, bottom=0.0, log10_min=-3.0, log10_max=1.0)
    >>> round(float(d1), 2), round(float(d2), 2), round(float(d3), 2)
    (46.2, 23.1, 34.12)
    """
    c = np.asarray(log10_ec50, dtype=float)
    b = np.asarray(hill, dtype=float)
    a = 100.0 * (np.asarray(top, dtype=float) - np.asarray(bottom, dtype=float))
    xmin = np.asarray(log10_min, dtype=float)
    x2 = np.asarray(log10_max, dtype=float)
    y = float(threshold)
    nan = np.isnan(c) | np.isnan(b) | np.isnan(a) | np.isnan(xmin) | np.isnan(x2)
    zero = ~nan & ((c >= x2) | (b < 0) | (a <= y))
    live = ~nan & ~zero
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        aa = np.where(live, a, 100.0)
        bb = np.where(live & (b > 0), b, 1.0)
        x1 = c - (np.log(aa - y) - np.log(y)) / (bb * _LN10)
        x1 = np.clip(x1, xmin, x2)

        def prim(x: np.ndarray) -> np.ndarray:
            return aa * np.logaddexp(0.0, bb * (c - x) * _LN10) / (bb * _LN10) + aa * x

        int_y = prim(x2) - prim(x1) - y * (x2 - x1)
        int_y = np.maximum(int_y, 0.0)
        total = (x2 - xmin) * (100.0 - y)
        d1 = np.where(total > 0, int_y / total * 100.0, 0.0)
        la = np.log10(aa)
        d2 = d1 / la
        d3 = d1 * (2.0 / la) * np.where(total > 0, (x2 - x1) / (x2 - xmin), 0.0)
    out = []
    for d in (d1, d2, d3):
        out.append(np.where(nan, np.nan, np.where(zero, 0.0, d)))
    return out[0], out[1], out[2]


def hill_response(curves: pd.DataFrame, dose: Any) -> np.ndarray:
    """Fitted viability of each curve of a :func:`fit_curves` table at the given doses.

    Parameters
    ----------
    curves
        Output of :func:`fit_curves` (uses ``top``, ``bottom``, ``ec50_uM``, ``hill``; flat
        curves, whose EC50 is undefined, are returned as constant at ``emax``).
    dose
        Doses in micromolar (1-D).

    Returns
    -------
    ndarray
        ``(len(curves), len(dose))``; NaN rows for curves that were not fitted.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"top": [1.0], "bottom": [0.0], "ec50_uM": [1.0], "hill": [1.0]})
    >>> hill_response(c, [1.0]).round(3).tolist()
    [[0.5]]
    """
    d = np.atleast_1d(np.asarray(dose, dtype=float))
    top = curves["top"].to_numpy(dtype=float)[:, None]
    bottom = curves["bottom"].to_numpy(dtype=float)[:, None]
    ec50 = curves["ec50_uM"].to_numpy(dtype=float)[:, None]
    h = curves["hill"].to_numpy(dtype=float)[:, None]
    flat = np.isnan(ec50) | np.isnan(h)
    with np.errstate(divide="ignore"):
        u = np.log(d)[None, :]
    val = _curve_value(top, bottom, np.log(np.where(flat, 1.0, ec50)), np.where(flat, 1.0, h), u)
    # a flat curve (EC50 undefined) is drawn at its fitted level at the highest tested dose
    level = curves["emax"].to_numpy(dtype=float)[:, None] if "emax" in curves.columns else (top + bottom) / 2.0
    return np.where(flat, np.broadcast_to(level, val.shape), val)


# --------------------------------------------------------------------------------------------
# the public fitter
# --------------------------------------------------------------------------------------------
def _bounds(bounds: Mapping[str, tuple[float, float]] | None) -> dict[str, tuple[float, float]]:
    out = dict(DEFAULT_BOUNDS)
    if bounds:
        bad = set(bounds) - set(DEFAULT_BOUNDS)
        if bad:
            msg = f"bounds has unknown key(s) {', '.join(sorted(map(repr, bad)))}; expected: top, bottom, hill."
            raise InputError(msg)
        for k, v in bounds.items():
            try:
                lo, hi = (float(v[0]), float(v[1]))
            except (TypeError, ValueError, IndexError) as e:
                msg = f"bounds[{k!r}] must be a (low, high) pair of numbers, got {v!r}."
                raise InputError(msg) from e
            if not lo <= hi:
                msg = f"bounds[{k!r}] = {v!r}: low must not exceed high."
                raise InputError(msg)
            out[k] = (lo, hi)
    if out["hill"][0] <= 0:
        msg = f"bounds['hill'] = {out['hill']}: the Hill slope must stay positive (viability falls with dose); use e.g. (0.1, 10)."
        raise InputError(msg)
    return out


def _check_choice(name: str, value: Any, choices: tuple[str, ...]) -> None:
    if value not in choices:
        msg = f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}."
        raise InputError(msg)


@dataclass(frozen=True)
class _FitOptions:
    """Settings of one :func:`fit_curves` call, passed to its steps."""

    model: str
    loss: str
    f_scale: float
    bnd: dict[str, tuple[float, float]]
    ec50_margin: float
    common_range: Any
    dss_threshold: float
    flat_threshold: float
    nonmonotone_tol: float
    min_r2: float
    max_iter: int
    chunk_size: int
    n_jobs: int | None
    scheduler: Any
    quiet: bool


def _check_fit_args(model: str, loss: str, f_scale: float) -> None:
    """Validate the model, the loss and its residual scale."""
    _check_choice("model", model, MODELS)
    _check_choice("loss", loss, _lm.LOSSES)
    if not (np.isfinite(f_scale) and f_scale > 0):
        msg = f"f_scale must be a positive number, got {f_scale!r}."
        raise InputError(msg)


def _split_time_zero(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str], pd.DataFrame | None]:
    """Remove time-zero rows (returned apart) and choose the curve keys (``time`` too when several endpoints)."""
    t0_rows: pd.DataFrame | None = None
    keys = ["sample", "drug"]
    if "time" in df.columns:
        t0 = df["time"].to_numpy() == 0
        if t0.any():
            t0_rows = df.loc[t0].reset_index(drop=True)
            df = df.loc[~t0].reset_index(drop=True)
        if len(pd.unique(df["time"].dropna())) > 1:
            keys = ["sample", "drug", "time"]
    if df.empty:
        msg = "dose-response table has no rows to fit (after removing time-zero rows)."
        raise InputError(msg)
    return df, keys, t0_rows


def _row_gr(df: pd.DataFrame, t0_rows: pd.DataFrame | None) -> tuple[np.ndarray, np.ndarray, str] | None:
    """GR value and time-zero ratio of every row (None without either); the third item says how they were matched."""
    if "gr" in df.columns:
        return df["gr"].to_numpy(dtype=float), np.full(len(df), np.nan), "given (gr column)"
    if t0_rows is None:
        return None
    n_times = len(pd.unique(df["time"].dropna())) if "time" in df.columns else 1
    r0, match = _growth.row_time_zero_ratio(df, t0_rows, n_times=n_times)
    resp = np.maximum(df["response"].to_numpy(dtype=float), 0.0)  # x / x_ctrl; GR from x0 / x_ctrl = r0, x_ctrl = 1
    return _growth.gr_formula(resp, r0, 1.0), r0, match


@dataclass
class _Curves:
    """Rows of a screen grouped into curves, with per-curve counts, dose ranges and status."""

    cid: np.ndarray  # curve id of every row
    key_table: pd.DataFrame
    dose: np.ndarray
    resp: np.ndarray
    usable: np.ndarray  # rows that are fitted
    lx_all: np.ndarray  # log dose of usable rows, NaN elsewhere
    n_bad_dose: np.ndarray
    n_control: np.ndarray
    n_missing: np.ndarray
    n_points: np.ndarray
    per_dose: pd.DataFrame  # cid, dose, mean resp of usable rows
    n_doses: np.ndarray
    dmin: np.ndarray
    dmax: np.ndarray
    status: np.ndarray

    @property
    def n(self) -> int:
        """Number of curves."""
        return len(self.key_table)

    @property
    def ok(self) -> np.ndarray:
        """Ids of the curves to fit."""
        return np.flatnonzero(self.status == "ok")


def _count_rows(df: pd.DataFrame, keys: list[str], response_scale: str) -> _Curves:
    """Group rows into curves; count controls, invalid doses and missing responses; per-curve dose ranges."""
    grp = df.groupby(keys, sort=True, dropna=False)
    cid = grp.ngroup().to_numpy()
    key_table = grp.size().reset_index()[keys]
    n_curves = len(key_table)
    dose = df["dose"].to_numpy()
    resp = df["response"].to_numpy()
    bad_dose = ~np.isfinite(dose) | (dose < 0)
    control = dose == 0
    missing = ~np.isfinite(resp)
    usable = ~bad_dose & ~control & ~missing
    with np.errstate(divide="ignore"):
        lx_all = np.where(usable, np.log(np.where(usable, dose, 1.0)), np.nan)
    udf = pd.DataFrame({"cid": cid[usable], "dose": dose[usable], "resp": resp[usable]})
    per_dose = udf.groupby(["cid", "dose"], sort=True)["resp"].mean().reset_index()
    dmin = np.full(n_curves, np.nan)
    dmax = np.full(n_curves, np.nan)
    if len(per_dose):
        g = per_dose.groupby("cid")["dose"]
        idx = g.min().index.to_numpy()
        dmin[idx] = g.min().to_numpy()
        dmax[idx] = g.max().to_numpy()
    med = udf.groupby("cid")["resp"].median()
    med_resp = np.full(n_curves, np.nan)
    med_resp[med.index.to_numpy()] = med.to_numpy()

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(cid, weights=mask, minlength=n_curves).astype(int)

    c = _Curves(
        cid, key_table, dose, resp, usable, lx_all, count(bad_dose), count(control & ~bad_dose),
        count(missing & ~bad_dose & ~control), count(usable), per_dose,
        np.bincount(per_dose["cid"].to_numpy(), minlength=n_curves), dmin, dmax, np.full(n_curves, "ok", dtype=object),
    )  # fmt: skip
    c.status[c.n_doses < 2] = "too_few_doses"
    c.status[c.n_points == 0] = "no_data"
    c.status[(c.status == "ok") & (response_scale == "fraction") & (med_resp > 3.0)] = "scale_mismatch"
    return c


def _group_curves(df: pd.DataFrame, keys: list[str], response_scale: str) -> _Curves:
    """Group and count the rows of every curve, set which curves can be fitted; warn about what is left out."""
    c = _count_rows(df, keys, response_scale)
    bad_dose = ~np.isfinite(c.dose) | (c.dose < 0)
    if bad_dose.any():
        warnings.warn(
            f"fit_curves: {int(bad_dose.sum())} row(s) with a missing or negative dose left out "
            f"({int((c.n_bad_dose > 0).sum())} curve(s) flagged 'invalid_dose').",
            UserWarning,
            stacklevel=3,
        )
    if (c.status != "ok").any():
        counts = pd.Series(c.status[c.status != "ok"]).value_counts()
        warnings.warn(
            "fit_curves: " + ", ".join(f"{v} curve(s) {k}" for k, v in counts.items())
            + " were not fitted (status column; metrics NaN); the rest of the screen was fitted.",
            UserWarning,
            stacklevel=3,
        )
    return c


def _fit_viability(c: _Curves, o: _FitOptions) -> dict[str, Any]:
    """Fit the Hill curves of every fittable curve in chunks; returns the fits and their bounds."""
    free = {"4p": [True, True, True, True], "3p": [False, True, True, True], "2p": [False, False, True, True]}[o.model]
    ulo, uhi = np.log(c.dmin), np.log(c.dmax)
    margin = float(o.ec50_margin) * _LN10
    bnd, n = o.bnd, c.n
    lower = np.column_stack([np.full(n, bnd["top"][0]), np.full(n, bnd["bottom"][0]), ulo - margin, np.full(n, bnd["hill"][0])])
    upper = np.column_stack([np.full(n, bnd["top"][1]), np.full(n, bnd["bottom"][1]), uhi + margin, np.full(n, bnd["hill"][1])])
    rows = _Rows(c.cid[c.usable], c.lx_all[c.usable], c.ok, c.n_points)  # _Rows indexes into the usable subset
    fit = _run_fits(
        rows, c.lx_all[c.usable], c.resp[c.usable], n_curves=n, free=np.array(free), p_fixed=np.array([1.0, 0.0, 0.0, 0.0]),
        lower_c=lower, upper_c=upper, loss=o.loss, f_scale=o.f_scale, max_iter=o.max_iter, chunk_size=o.chunk_size,
        n_jobs=o.n_jobs, scheduler=o.scheduler, quiet=o.quiet, description="fitting curves",
    )  # fmt: skip
    return {**fit, "lower": lower, "upper": upper, "margin": margin, "n_free": int(sum(free)), "ulo": ulo, "uhi": uhi}


def _potency_columns(out: pd.DataFrame, fit: dict[str, Any], flat_threshold: float) -> dict[str, np.ndarray]:
    """Add top, bottom, EC50, IC50 and Emax columns; return the flat / increasing / fitted masks."""
    top, bottom, le, h = (fit["params"][:, i] for i in range(4))
    ulo, uhi = fit["ulo"], fit["uhi"]
    out["top"] = top
    out["bottom"] = bottom
    f_lo = _curve_value(top, bottom, le, h, ulo)
    f_hi = _curve_value(top, bottom, le, h, uhi)
    flat = np.abs(f_hi - f_lo) < flat_threshold
    fitted = ~np.isnan(top)
    out["ec50_uM"] = np.where(flat, np.nan, np.exp(le))
    out["log10_ec50"] = np.where(flat, np.nan, le / _LN10)
    ec_status = np.where(fitted, _range_status(le, ulo, uhi), "")
    out["ec50_status"] = np.where(fitted & flat, "undefined_flat", ec_status)
    out["hill"] = np.where(flat, np.nan, h)
    u50 = _crossing(top, bottom, le, h, 0.5)
    lo_curve = np.minimum(top, bottom)
    with np.errstate(over="ignore"):
        ic50 = np.where(np.isfinite(u50), np.exp(u50), np.where(lo_curve >= 0.5, np.inf, 0.0))
    # a curve straddling 0.5 always crosses it; otherwise it is entirely above or below
    ic_status = np.where(np.isfinite(u50), _range_status(u50, ulo, uhi), np.where(lo_curve >= 0.5, "not_reached", "always_below"))
    out["ic50_uM"] = np.where(fitted, ic50, np.nan)
    with np.errstate(divide="ignore"):
        out["log10_ic50"] = np.where(fitted, np.log10(ic50), np.nan)
    out["ic50_status"] = np.where(fitted, ic_status, "")
    out["emax"] = f_hi
    return {"flat": flat, "increasing": (f_hi - f_lo) > flat_threshold, "fitted": fitted}


def _observed_activity(per_dose: pd.DataFrame, n_curves: int) -> tuple[np.ndarray, np.ndarray]:
    """Highest observed activity (``1 - min`` per-dose mean) and largest rebound of every curve."""
    amax = np.full(n_curves, np.nan)
    rebound = np.zeros(n_curves)
    if len(per_dose):
        pc = per_dose["cid"].to_numpy()
        pv = per_dose["resp"].to_numpy()
        starts = np.searchsorted(pc, np.arange(n_curves))
        col = np.arange(len(pc)) - starts[pc]
        mat = np.full((n_curves, int(col.max()) + 1), np.nan)
        mat[pc, col] = pv
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            amax = 1.0 - np.nanmin(mat, axis=1)
            running = np.fmin.accumulate(np.where(np.isnan(mat), np.inf, mat), axis=1)
            rise = mat[:, 1:] - running[:, :-1]
            rebound = np.nanmax(np.where(np.isfinite(rise), rise, -np.inf), axis=1, initial=-np.inf) if rise.shape[1] else np.full(n_curves, -np.inf)
    return amax, rebound


def _area_columns(out: pd.DataFrame, fit: dict[str, Any], fitted: np.ndarray, o: _FitOptions) -> tuple[np.ndarray, np.ndarray]:
    """Add AUC / AAC, the common-range AUC and the DSS; return the common range."""
    top, bottom, le, h = (fit["params"][:, i] for i in range(4))
    auc = bottom + (top - bottom) * _mean_gate(le, h, fit["ulo"], fit["uhi"])
    out["auc"] = auc
    out["aac"] = 1.0 - auc
    cmin, cmax = _common_ranges(out, o.common_range, fitted)
    cfrac = _mean_gate(le, h, np.log(cmin), np.log(cmax))
    out["auc_common"] = np.where(np.isfinite(cmin) & np.isfinite(cmax) & fitted, bottom + (top - bottom) * cfrac, np.nan)
    out["common_min_uM"] = cmin
    out["common_max_uM"] = cmax
    lo10, hi10 = fit["ulo"] / _LN10, fit["uhi"] / _LN10
    out["dss1"], out["dss2"], out["dss3"] = dss_scores(le / _LN10, h, top=top, bottom=bottom, log10_min=lo10, log10_max=hi10, threshold=o.dss_threshold)
    return cmin, cmax


def _goodness_columns(out: pd.DataFrame, c: _Curves, sse: np.ndarray, fitted: np.ndarray) -> None:
    """Add R^2 and RMSE (plain residuals, replicates included)."""
    cu, ru = c.cid[c.usable], c.resp[c.usable]
    ybar = np.bincount(cu, weights=ru, minlength=c.n) / np.maximum(c.n_points, 1)
    sst = np.bincount(cu, weights=(ru - ybar[cu]) ** 2, minlength=c.n)
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(sst > 1e-12, 1.0 - sse / sst, np.where(sse <= 1e-12, 1.0, 0.0))
        rmse = np.sqrt(sse / np.maximum(c.n_points, 1))
    out["r2"] = np.where(fitted, r2, np.nan)
    out["rmse"] = np.where(fitted, rmse, np.nan)


def _flag_columns(
    out: pd.DataFrame, c: _Curves, fit: dict[str, Any], m: dict[str, np.ndarray], rebound: np.ndarray,
    common: tuple[np.ndarray, np.ndarray], o: _FitOptions,
) -> None:  # fmt: skip
    """Add the boolean flag columns, the ``flags`` summary and the convergence columns."""
    flat, fitted = m["flat"], m["fitted"]
    le, h = fit["params"][:, 2], fit["params"][:, 3]
    ec_out = out["ec50_status"].to_numpy() != "in_range"
    # an IC50 never reached (or always below) is a result, not a failure: only extrapolated values are flagged
    ic_out = np.isin(out["ic50_status"].to_numpy(), ("above_range", "below_range"))
    non_mono = rebound > o.nonmonotone_tol
    poor = fitted & ~flat & (out["r2"].to_numpy() < o.min_r2)
    out["flat"] = fitted & flat
    out["non_monotone"] = non_mono
    out["poor_fit"] = poor
    out["out_of_range"] = fitted & (ec_out & ~flat | ic_out)
    margin, ulo, uhi, hill = fit["margin"], fit["ulo"], fit["uhi"], o.bnd["hill"]
    cmin, cmax = common
    flag_cols = {
        "flat": out["flat"].to_numpy(),
        "increasing": fitted & m["increasing"],
        "non_monotone": non_mono,
        "poor_fit": poor,
        "ec50_out_of_range": fitted & ~flat & ec_out,
        "ic50_out_of_range": fitted & ic_out,
        "underdetermined": fitted & (c.n_doses < fit["n_free"]),
        "hill_at_bound": fitted & ~flat & (np.isclose(h, hill[0]) | np.isclose(h, hill[1])),
        "ec50_at_bound": fitted & ~flat & (np.isclose(le, ulo - margin) | np.isclose(le, uhi + margin)),
        "not_converged": fitted & ~fit["converged"] & fit["worse"],
        "invalid_dose": c.n_bad_dose > 0,
        "missing_response": c.n_missing > 0,
        "no_common_range": fitted & ~(np.isfinite(cmin) & np.isfinite(cmax)),
    }
    out["flags"] = _join_flags(flag_cols, c.n)
    out["converged"] = fit["converged"]
    out["n_iter"] = fit["n_iter"]


def _curve_table(c: _Curves, fit: dict[str, Any], o: _FitOptions) -> pd.DataFrame:
    """Assemble the per-curve table: counts, potency, activity, areas, goodness of fit and flags."""
    out = c.key_table.copy()
    out["status"] = c.status
    out["model"] = o.model
    out["n_points"] = c.n_points
    out["n_doses"] = c.n_doses
    out["n_control"] = c.n_control
    out["n_dropped"] = c.n_bad_dose + c.n_missing
    out["dose_min_uM"] = c.dmin
    out["dose_max_uM"] = c.dmax
    masks = _potency_columns(out, fit, o.flat_threshold)
    out["amax"], rebound = _observed_activity(c.per_dose, c.n)
    common = _area_columns(out, fit, masks["fitted"], o)
    _goodness_columns(out, c, fit["sse"], masks["fitted"])
    _flag_columns(out, c, fit, masks, rebound, common, o)
    return out


def _fit_params(o: _FitOptions, info: Mapping[str, Any], c: _Curves) -> dict[str, Any]:
    """The settings recorded in ``attrs['params']``."""
    return {
        "model": o.model,
        "loss": o.loss,
        "f_scale": float(o.f_scale),
        "bounds": {k: [float(v[0]), float(v[1])] for k, v in o.bnd.items()},
        "ec50_margin": float(o.ec50_margin),
        "dss_threshold": float(o.dss_threshold),
        "flat_threshold": float(o.flat_threshold),
        "nonmonotone_tol": float(o.nonmonotone_tol),
        "min_r2": float(o.min_r2),
        "max_iter": int(o.max_iter),
        "response_scale": info["response_scale"],
        "response_scale_reason": info["response_scale_reason"],
        "common_range": "per drug: range tested in every sample" if o.common_range is None else str(o.common_range),
        "n_curves": int(c.n),
        "n_fitted": int(len(c.ok)),
    }


def fit_curves(
    screen: pd.DataFrame,
    *,
    model: str = "4p",
    loss: str = "linear",
    f_scale: float = 0.1,
    bounds: Mapping[str, tuple[float, float]] | None = None,
    ec50_margin: float = 2.0,
    response_scale: str = "auto",
    common_range: tuple[float, float] | Mapping[str, tuple[float, float]] | None = None,
    dss_threshold: float = 10.0,
    flat_threshold: float = 0.1,
    nonmonotone_tol: float = 0.2,
    min_r2: float = 0.7,
    max_iter: int = 200,
    chunk_size: int = 20000,
    n_jobs: int | None = 1,
    scheduler: Any = None,
    quiet: bool = True,
) -> pd.DataFrame:
    """Fit Hill curves to every sample x drug of a screen at once and compute their metrics.

    Parameters
    ----------
    screen
        Long table with ``sample, drug, dose, response`` (dose in uM, response a viability
        fraction, 1 = untreated), as from :func:`oncoresist.io.read_dose_response`; optional
        ``time`` (hours; ``time == 0`` rows are time-zero measurements, used for GR metrics),
        ``plate`` (time-zero rows are matched by sample and plate), ``gr`` (per-row GR values
        from counts, as from :func:`oncoresist.tl.gr_values`, used instead of time-zero rows).
        Replicates are separate rows; every point is used. Dose-0 rows are vehicle controls
        (counted, not fitted); rows with a missing or negative dose or a missing response are
        left out and counted per curve (``n_dropped``, flags) with a warning.
    model
        ``"4p"`` (top, bottom, EC50, Hill), ``"3p"`` (top = 1) or ``"2p"`` (top = 1, bottom = 0).
    loss, f_scale
        ``"linear"`` least squares or a robust loss (``"soft_l1"``, ``"huber"``, ``"cauchy"``)
        with residual scale ``f_scale`` (viability units).
    bounds
        Overrides of :data:`DEFAULT_BOUNDS` (keys ``top``, ``bottom``, ``hill``).
    ec50_margin
        EC50 may lie up to this many decades outside the tested range.
    response_scale
        ``"auto"``: trust a table converted by the reader, else detect (95th percentile > 2.5
        means percent; <= 1.6 fraction; in between raises); ``"fraction"`` / ``"percent"``
        force it. What was assumed is in ``attrs['response_scale']`` and ``..._reason``. A curve
        whose median response is above 3 on a fraction screen gets status ``scale_mismatch``.
    common_range
        ``(low, high)`` in uM for every drug, or a mapping drug -> range; by default, per
        drug, the range tested in every sample (largest lowest dose to smallest highest dose).
    dss_threshold
        Activity threshold (% inhibition) of the DSS.
    flat_threshold, nonmonotone_tol, min_r2
        Flag thresholds (see :data:`CURVE_COLUMNS`).
    max_iter
        Levenberg-Marquardt iteration cap per curve.
    chunk_size
        Curves fitted together in one vectorised batch.
    n_jobs, scheduler
        Chunks run through :func:`oncoresist.parallel.parallel_map` when ``n_jobs != 1`` or a
        Dask ``scheduler`` is given.
    quiet
        No progress bar.

    Returns
    -------
    DataFrame
        One row per sample x drug (x endpoint time); columns :data:`CURVE_COLUMNS` (+ GR
        metrics). ``attrs['params']`` records every setting, ``attrs['response_scale']`` the
        assumed scale.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> dose = np.logspace(-3, 1, 8)
    >>> via = 0.1 + 0.9 / (1 + (dose / 0.05) ** 1.2)
    >>> screen = pd.DataFrame({"sample": "S1", "drug": "D1", "dose": dose, "response": via})
    >>> res = fit_curves(screen)
    >>> round(float(res.loc[0, "ec50_uM"]), 3), res.loc[0, "ic50_status"]
    (0.05, 'in_range')
    """
    _check_fit_args(model, loss, f_scale)
    o = _FitOptions(model, loss, f_scale, _bounds(bounds), ec50_margin, common_range, dss_threshold, flat_threshold,
                    nonmonotone_tol, min_r2, max_iter, chunk_size, n_jobs, scheduler, quiet)  # fmt: skip
    df, info = _prepare(screen, response_scale)
    df, keys, t0_rows = _split_time_zero(df)
    c = _group_curves(df, keys, info["response_scale"])
    fit = _fit_viability(c, o)
    out = _curve_table(c, fit, o)
    gr = _row_gr(df, t0_rows)
    if gr is not None:
        _add_gr(out, c, gr[0], gr[1], lower=fit["lower"], upper=fit["upper"], o=o)
        info["gr_time_zero_match"] = gr[2]
    out.attrs.update({"params": _fit_params(o, info, c), **info})
    return out


def _join_flags(flag_cols: Mapping[str, np.ndarray], n: int) -> np.ndarray:
    parts = np.full(n, "", dtype=object)
    for name, mask in flag_cols.items():
        m = np.asarray(mask, dtype=bool)
        parts[m] = np.where(parts[m] == "", name, parts[m] + ";" + name)
    return parts


def _common_ranges(
    out: pd.DataFrame, common_range: Any, fitted: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    n = len(out)
    cmin = np.full(n, np.nan)
    cmax = np.full(n, np.nan)
    drug = out["drug"].to_numpy()
    sub = out.loc[fitted, ["drug", "dose_min_uM", "dose_max_uM"]]
    lo = sub.groupby("drug")["dose_min_uM"].max()
    hi = sub.groupby("drug")["dose_max_uM"].min()
    auto_lo = pd.Series(drug).map(lo).to_numpy(dtype=float)
    auto_hi = pd.Series(drug).map(hi).to_numpy(dtype=float)
    cmin[:], cmax[:] = auto_lo, auto_hi
    if common_range is not None:
        if isinstance(common_range, Mapping):
            items = common_range.items()
        else:
            items = [(None, common_range)]
        for d, rng in items:
            try:
                a, b = float(rng[0]), float(rng[1])
            except (TypeError, ValueError, IndexError) as e:
                msg = f"common_range must be (low, high) in uM or a mapping drug -> (low, high), got {rng!r}."
                raise InputError(msg) from e
            if not (0 < a < b):
                msg = f"common_range {rng!r}{'' if d is None else f' for drug {d!r}'}: need 0 < low < high (uM)."
                raise InputError(msg)
            sel = np.ones(n, dtype=bool) if d is None else (drug == str(d))
            cmin[sel], cmax[sel] = a, b
    bad = ~(cmin < cmax)
    cmin[bad] = np.nan
    cmax[bad] = np.nan
    return cmin, cmax


def _add_gr(
    out: pd.DataFrame, c: _Curves, gr_row: np.ndarray, r0_row: np.ndarray, *, lower: np.ndarray, upper: np.ndarray, o: _FitOptions
) -> None:
    """Growth-rate inhibition metrics (Hafner 2016) of every curve, from per-row GR values."""
    n = len(out)
    cid, usable, lx_all = c.cid, c.usable, c.lx_all
    use = usable & np.isfinite(gr_row)
    has_r0 = np.bincount(cid, weights=np.isfinite(r0_row) | np.isfinite(gr_row), minlength=n) > 0
    valid = np.bincount(cid, weights=use, minlength=n) > 0
    curves = np.intersect1d(c.ok, np.flatnonzero(valid))
    gr_status = np.where(valid, "ok", np.where(has_r0, "no_growth", "no_time_zero"))
    gr = gr_row
    for col in _GR_COLUMNS:
        out[col] = np.nan
    out["gr50_status"] = ""
    if curves.size:
        rows = _Rows(cid[use], lx_all[use], curves, c.n_points)
        lo = lower.copy()
        hi = upper.copy()
        lo[:, 1], hi[:, 1] = -1.0, 1.0
        fit = _run_fits(
            rows, lx_all[use], gr[use], n_curves=n, free=np.array([False, True, True, True]),
            p_fixed=np.array([1.0, 0.0, 0.0, 0.0]), lower_c=lo, upper_c=hi, loss=o.loss, f_scale=o.f_scale,
            max_iter=o.max_iter, chunk_size=o.chunk_size, n_jobs=o.n_jobs, scheduler=o.scheduler, quiet=o.quiet,
            description="fitting GR curves",
        )  # fmt: skip
        top, grinf, le, h = (fit["params"][:, i] for i in range(4))
        ulo = np.log(out["dose_min_uM"].to_numpy(dtype=float))
        uhi = np.log(out["dose_max_uM"].to_numpy(dtype=float))
        u50 = _crossing(top, grinf, le, h, 0.5)
        fitted = np.isfinite(top)
        with np.errstate(over="ignore", divide="ignore"):
            gr50 = np.where(np.isfinite(u50), np.exp(u50), np.inf)
            out["gr50_uM"] = np.where(fitted, gr50, np.nan)
            out["log10_gr50"] = np.where(fitted, np.log10(gr50), np.nan)
        out["gr50_status"] = np.where(fitted, np.where(np.isfinite(u50), _range_status(u50, ulo, uhi), "not_reached"), "")
        out["grmax"] = _curve_value(top, grinf, le, h, uhi)
        out["grinf"] = grinf
        out["gec50_uM"] = np.exp(le)
        out["gr_hill"] = h
        out["gr_aoc"] = (1.0 - grinf) * (1.0 - _mean_gate(le, h, ulo, uhi))
    missing = (out["status"].to_numpy() == "ok") & (gr_status != "ok")
    out.loc[missing, "gr50_status"] = gr_status[missing]


"""Statistics used across layers: one Benjamini-Hochberg, one log-rank test, one thread limit, column medians.

References
----------
- Benjamini Y, Hochberg Y (1995). Controlling the false discovery rate. *J R Stat Soc B* 57:289-300.
  doi:10.1111/j.2517-6161.1995.tb02031.x
- Mantel N (1966). Evaluation of survival data and two new rank order statistics arising in its
  consideration. *Cancer Chemother Rep* 50:163-170 (log-rank); the trend form is the score test of
  Cox DR (1972), doi:10.1111/j.2517-6161.1972.tb00899.x
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["bh_fdr", "limit_threads", "logrank_test", "nanmedian_columns"]


def bh_fdr(p: Any) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values; NaN stays NaN and is not counted as a test.

    Parameters
    ----------
    p
        P-values (any array-like).

    Returns
    -------
    numpy.ndarray
        q-values, same shape as ``p``.

    Examples
    --------
    >>> bh_fdr([0.01, 0.04, float("nan"), 0.03]).round(3).tolist()
    [0.03, 0.04, nan, 0.04]
    """
    p = np.asarray(p, dtype=float)
    out = np.full_like(p, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        out[ok] = stats.false_discovery_control(p[ok], method="bh")
    return out


def nanmedian_columns(A: Any) -> np.ndarray:
    """Median of the non-NaN values of each column (NaN for an all-NaN column), as ``np.nanmedian(A, axis=0)``.

    One sort of the matrix instead of NumPy's masked-array path, which is about 10x slower on
    the short, wide matrices of a cohort (samples x features).

    Parameters
    ----------
    A
        2-D array; NaN counts as missing.

    Returns
    -------
    numpy.ndarray
        One median per column.

    Examples
    --------
    >>> nanmedian_columns([[1.0, float("nan")], [3.0, float("nan")], [4.0, 2.0]]).tolist()
    [3.0, 2.0]
    """
    A = np.asarray(A, dtype=float)
    if A.ndim != 2:
        msg = f"nanmedian_columns needs a 2-D array, got shape {A.shape}."
        raise ValueError(msg)
    if A.shape[0] == 0:
        return np.full(A.shape[1], np.nan)
    n = (~np.isnan(A)).sum(axis=0)
    s = np.sort(A, axis=0)  # NaN sorts last
    j = np.arange(A.shape[1])
    mid = (s[np.maximum(n - 1, 0) // 2, j] + s[n // 2, j]) / 2
    return np.where(n > 0, mid, np.nan)


def limit_threads(n: int | None = 1, *, user_api: str | None = None) -> Any:
    """Context manager limiting BLAS / OpenMP threads (``None`` = no limit).

    Parameters
    ----------
    n
        Threads per process; ``None`` or a value < 1 leaves the libraries alone.
    user_api
        ``"blas"``, ``"openmp"`` or ``None`` for both.

    Returns
    -------
    threadpoolctl.threadpool_limits
        Use it in a ``with`` statement.
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=n if n is not None and n > 0 else None, user_api=user_api)


def logrank_test(time: Any, event: Any, groups: Any) -> dict[str, float]:
    """Log-rank test: k groups (chi-square, k - 1 df) or a continuous covariate (trend test).

    For group labels this is the usual k-sample log-rank test (ties handled with the
    hypergeometric variance). For a numeric covariate it is the score test of a Cox model
    with that covariate (the log-rank trend test); ``z > 0`` means higher values, higher hazard.

    Parameters
    ----------
    time
        Follow-up times.
    event
        1 = event observed, 0 = censored.
    groups
        Group labels, or numbers (treated as continuous when numeric with more than 2 values).

    Returns
    -------
    dict
        ``statistic`` (chi-square), ``df``, ``p_value``, ``n``, ``n_events`` and, for a
        covariate, ``z``.

    Examples
    --------
    >>> r = logrank_test([1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 1, 1], ["a", "a", "a", "b", "b", "b"])
    >>> round(r["statistic"], 3), r["df"]
    (5.052, 1.0)
    """
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=float)
    g = pd.Series(list(groups) if not isinstance(groups, pd.Series) else groups.to_numpy())
    ok = np.isfinite(t) & np.isfinite(e) & g.notna().to_numpy()
    t, e, g = t[ok], (e[ok] > 0).astype(float), g[ok].reset_index(drop=True)
    continuous = pd.api.types.is_numeric_dtype(g) and g.nunique() > 2
    if continuous:
        Xc = g.to_numpy(dtype=float)[:, None]
    else:
        levels = list(pd.unique(g.astype(str)))
        Xc = np.column_stack([(g.astype(str) == lv).to_numpy(dtype=float) for lv in levels])[:, :-1]
    out = {"n": int(len(t)), "n_events": int(e.sum())}
    if Xc.shape[1] == 0 or e.sum() == 0 or len(t) < 3:
        out.update(statistic=float("nan"), df=float(Xc.shape[1]), p_value=float("nan"))
        return out
    order = np.argsort(t, kind="stable")
    t, e, Xc = t[order], e[order], Xc[order]
    times = np.unique(t[e > 0])
    # risk-set sums via reverse cumulative sums at each distinct event time
    idx = np.searchsorted(t, times, side="left")  # first position with time >= each event time
    n_r = (len(t) - idx).astype(float)
    rev_x = np.cumsum(Xc[::-1], axis=0)[::-1]
    rev_x2 = np.cumsum((Xc[:, :, None] * Xc[:, None, :])[::-1], axis=0)[::-1]
    sx = rev_x[idx]
    sxx = rev_x2[idx]
    ev = e > 0
    pos = np.searchsorted(times, t[ev])
    d = np.bincount(pos, minlength=len(times)).astype(float)
    dx = np.zeros((len(times), Xc.shape[1]))
    np.add.at(dx, pos, Xc[ev])
    mean = sx / n_r[:, None]
    U = (dx - d[:, None] * mean).sum(axis=0)
    cov = sxx / n_r[:, None, None] - mean[:, :, None] * mean[:, None, :]
    w = d * (n_r - d) / np.maximum(n_r - 1, 1)
    V = (w[:, None, None] * cov).sum(axis=0)
    Vi = np.linalg.pinv(V)
    chi2 = float(U @ Vi @ U)
    df = float(np.linalg.matrix_rank(V))
    out.update(statistic=chi2, df=df, p_value=float(stats.chi2.sf(chi2, df)) if df > 0 else float("nan"))
    if continuous:
        out["z"] = float(U[0] / np.sqrt(V[0, 0])) if V[0, 0] > 0 else float("nan")
    return out



"""Drug-combination synergy for many dose matrices at once: Bliss, HSA, Loewe and ZIP.

Scores follow SynergyFinder's conventions (Ianevski et al. 2017, 2020; Zheng et al. 2022) on
% inhibition (``100 * (1 - viability)``); a positive score is synergy, in percentage points of
inhibition above the reference model:

- **Bliss** (Bliss 1939): reference ``y1 + y2 - y1 y2 / 100`` from the observed single-agent
  responses at the same concentrations.
- **HSA** (highest single agent): reference ``max(y1, y2)`` (observed).
- **Loewe** (Loewe 1953): the reference ``y`` solves ``x1 / X1(y) + x2 / X2(y) = 1`` where
  ``Xk(y)`` is the dose of drug k alone giving ``y`` on its fitted single-agent curve; when no
  solution exists (a drug cannot reach ``y``) the reference is the larger of the two curves at
  dose ``x1 + x2`` (SynergyFinder's fallback), capped at 100; those wells are flagged.
- **ZIP** (Yadav et al. 2015, Comput Struct Biotechnol J 13:504): delta score = (average of
  the combination curves refitted along rows and columns, each with its bottom fixed at the
  partner's fitted single-agent response and its top at 100) minus the ZIP reference
  ``y1 + y2 - y1 y2 / 100`` of the fitted single-agent curves.

Single-agent curves are 4-parameter log-logistic fits with ``Emin = 0`` and ``Emax = 100``
fixed by default (SynergyFinder's default), done together for every block with the batched
solver of :mod:`oncoresist.tl._lm`; so are the ZIP refits. Single-agent wells score 0.
The summary per block is the mean score over the combination wells and the most synergistic
area (the highest mean score over any ``msa_size`` x ``msa_size`` window of the dose matrix,
margins included, as in SynergyFinder).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..._core._errors import InputError
from ..._core._utils import require_columns
from .. import _lm
from ._curves import _resolve_scale

__all__ = ["SYNERGY_METHODS", "synergy"]

SYNERGY_METHODS = ("zip", "bliss", "hsa", "loewe")
_LN10 = np.log(10.0)


def _prepare(
    combinations: Any, response_scale: str, response_kind: str
) -> tuple[pd.DataFrame, dict[str, str]]:
    if not isinstance(combinations, pd.DataFrame):
        msg = (
            f"combinations must be a pandas DataFrame (block, drug1, drug2, conc1, conc2, response), got "
            f"{type(combinations).__name__}; read files with oncoresist.io.read_combinations."
        )
        raise InputError(msg)
    require_columns(combinations, ["block", "drug1", "drug2", "conc1", "conc2", "response"], what="combination table")
    if response_kind not in ("viability", "inhibition"):
        msg = f"response_kind must be 'viability' or 'inhibition', got {response_kind!r}."
        raise InputError(msg)
    df = pd.DataFrame({c: combinations[c].to_numpy() for c in ("block", "drug1", "drug2")})
    for c in ("block", "drug1", "drug2"):
        miss = df[c].isna().to_numpy()
        if miss.any():
            msg = f"combination table: missing {c} in row {int(np.flatnonzero(miss)[0])} ({int(miss.sum())} rows): every well needs a {c}."
            raise InputError(msg)
        df[c] = df[c].astype(str)
    df["sample"] = combinations["sample"].astype(str).to_numpy() if "sample" in combinations.columns else ""
    for c in ("conc1", "conc2", "response"):
        s = combinations[c]
        num = pd.to_numeric(s, errors="coerce")
        bad = num.isna() & s.notna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            msg = f"non-numeric {c} {s.iloc[i]!r} in block {df['block'].iloc[i]!r} (row {i}): expected a number."
            raise InputError(msg)
        df[c] = num.to_numpy(dtype=float)
    for c in ("conc1", "conc2"):
        bad = ~np.isfinite(df[c].to_numpy()) | (df[c].to_numpy() < 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            msg = (
                f"invalid {c} {df[c].iloc[i]!r} in block {df['block'].iloc[i]!r} (row {i}): concentrations must be "
                ">= 0 (0 = drug absent) and present; fix or remove the well."
            )
            raise InputError(msg)
    resp = df["response"].to_numpy()
    if response_kind == "inhibition" and response_scale == "auto" and "response_conversion" not in combinations.attrs:
        finite = resp[np.isfinite(resp)]
        q = float(np.quantile(np.abs(finite), 0.95)) if finite.size else 0.0
        divisor, scale, reason = (100.0, "percent", f"inhibition with 95th percentile |x| = {q:.3g} > 2.5: percent") if q > 2.5 else (1.0, "fraction", "inhibition as a fraction")
    else:
        divisor, scale, reason = _resolve_scale(resp, combinations, response_scale)
    frac = resp / divisor
    inhibition = 100.0 * frac if response_kind == "inhibition" else 100.0 * (1.0 - frac)
    df["inhibition"] = inhibition
    return df, {"response_scale": scale, "response_scale_reason": reason, "response_kind": response_kind}


def _windows_max(score: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Highest NaN-mean over ``size`` x ``size`` windows of each (B, N1, N2) matrix slice."""
    b, n1, n2 = score.shape
    best = np.full(b, np.nan)
    bi = np.zeros(b, dtype=int)
    bj = np.zeros(b, dtype=int)
    k1, k2 = min(size, n1), min(size, n2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for i in range(n1 - k1 + 1):
            for j in range(n2 - k2 + 1):
                win = score[:, i : i + k1, j : j + k2].reshape(b, -1)
                m = np.nanmean(win, axis=1)
                full = np.isfinite(win).all(axis=1)
                m = np.where(full, m, np.nan)
                upd = np.isfinite(m) & (~np.isfinite(best) | (m > best))
                best = np.where(upd, m, best)
                bi = np.where(upd, i, bi)
                bj = np.where(upd, j, bj)
    return best, bi, bj


def _fit_curves_batch(
    conc: np.ndarray, resp: np.ndarray, e0: np.ndarray, einf: np.ndarray, *, free_e: bool, max_iter: int
) -> np.ndarray:
    """Fit ``(n, m)`` inhibition curves (NaN = missing) with e0/einf fixed unless ``free_e``."""
    n, m = resp.shape
    w = (np.isfinite(resp) & np.isfinite(conc) & (conc > 0)).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        lx = np.where(w > 0, np.log(np.where(w > 0, conc, 1.0)), 0.0)
    lo_x = np.where(w > 0, lx, np.inf).min(axis=1)
    hi_x = np.where(w > 0, lx, -np.inf).max(axis=1)
    lo_x = np.where(np.isfinite(lo_x), lo_x, 0.0)
    hi_x = np.where(np.isfinite(hi_x), hi_x, 1.0)
    margin = 5.0 * _LN10
    free = np.tile([free_e, free_e, True, True], (n, 1))
    p_fixed = np.column_stack([e0, einf, np.zeros(n), np.ones(n)])
    big = 1e3
    lower = np.column_stack([np.full(n, -big), np.full(n, -big), lo_x - margin, np.full(n, 0.01)])
    upper = np.column_stack([np.full(n, big), np.full(n, big), hi_x + margin, np.full(n, 20.0)])
    res = _lm.fit_batch(lx, np.where(w > 0, resp, 0.0), w, free=free, p_fixed=p_fixed, lower=lower, upper=upper, max_iter=max_iter)
    return res.params


def _ll4(p: np.ndarray, conc: np.ndarray) -> np.ndarray:
    """Evaluate fitted inhibition curves ``p`` (n, 4) at ``conc`` (n, m); conc 0 -> e0."""
    with np.errstate(divide="ignore"):
        lx = np.log(conc)
    z = np.clip(p[:, 3:4] * (lx - p[:, 2:3]), -700, 700)
    g = 1.0 / (1.0 + np.exp(z))
    return p[:, 1:2] + (p[:, 0:1] - p[:, 1:2]) * g


def _loewe_reference(
    x1: np.ndarray, x2: np.ndarray, p1: np.ndarray, p2: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Loewe additive response for dose pairs (flattened); returns (y, used_fallback)."""
    e0_1, ei_1, le_1, h_1 = (p1[:, i] for i in range(4))
    e0_2, ei_2, le_2, h_2 = (p2[:, i] for i in range(4))
    lo = np.maximum(e0_1, e0_2)
    hi = np.minimum(ei_1, ei_2)
    ok = (hi > lo) & (ei_1 > e0_1) & (ei_2 > e0_2) & np.isfinite(lo) & np.isfinite(hi)
    lo_s = np.where(ok, lo, 0.0)
    hi_s = np.where(ok, hi, 1.0)

    def excess(y: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            # dose of each drug alone giving y: log X = le + log((y - e0) / (einf - y)) / h
            lx1 = le_1 + np.log((y - e0_1) / (ei_1 - y)) / h_1
            lx2 = le_2 + np.log((y - e0_2) / (ei_2 - y)) / h_2
            t1 = np.where(x1 > 0, x1 * np.exp(-np.clip(lx1, -700, 700)), 0.0)
            t2 = np.where(x2 > 0, x2 * np.exp(-np.clip(lx2, -700, 700)), 0.0)
            return np.nan_to_num(t1, nan=np.inf) + np.nan_to_num(t2, nan=np.inf) - 1.0

    # bisection on a logit scale of (lo, hi): excess() falls from +inf to its value at hi
    a = np.full(x1.shape, -40.0)
    b = np.full(x1.shape, 40.0)
    for _ in range(64):
        mid = 0.5 * (a + b)
        y = lo_s + (hi_s - lo_s) / (1.0 + np.exp(-mid))
        pos = excess(y) > 0
        a = np.where(pos, mid, a)
        b = np.where(pos, b, mid)
    y = lo_s + (hi_s - lo_s) / (1.0 + np.exp(-0.5 * (a + b)))
    solved = ok & (np.abs(excess(y)) < 1e-6)
    xs = (x1 + x2)[:, None]
    y1 = _ll4(p1, xs)[:, 0]
    y2 = _ll4(p2, xs)[:, 0]
    fallback = np.minimum(np.maximum(y1, y2), 100.0)
    return np.where(solved, y, fallback), ~solved


def synergy(
    combinations: pd.DataFrame,
    *,
    methods: Sequence[str] = SYNERGY_METHODS,
    response_scale: str = "auto",
    response_kind: str = "viability",
    emin: float | None = 0.0,
    emax: float | None = 100.0,
    msa_size: int = 3,
    max_iter: int = 200,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Synergy scores of many drug-combination dose matrices at once.

    Parameters
    ----------
    combinations
        Long table ``block, drug1, drug2, conc1, conc2, response`` (+ ``sample``), one row per
        well (replicates averaged), as from :func:`oncoresist.io.read_combinations`:
        concentrations in uM (0 = drug absent; each block needs its single-agent wells, i.e.
        ``conc2 = 0`` and ``conc1 = 0``), response a viability fraction (1 = untreated).
    methods
        Any of ``"zip"``, ``"bliss"``, ``"hsa"``, ``"loewe"``.
    response_scale
        ``"auto"`` (trust a table converted by the reader, else detect as in
        :func:`~oncoresist.tl.fit_curves`), ``"fraction"`` or ``"percent"``.
    response_kind
        ``"viability"`` (default) or ``"inhibition"`` (e.g. a raw SynergyFinder table with %
        inhibition).
    emin, emax
        Fixed bottom / top (% inhibition) of the single-agent curves (SynergyFinder: 0 and 100);
        ``None`` frees both (4-parameter fits).
    msa_size
        Window size of the most synergistic area.
    max_iter
        Iteration cap of the curve fits.

    Returns
    -------
    summary : DataFrame
        One row per block: ``block, sample, drug1, drug2, status, flags, n_conc1, n_conc2,
        n_wells, n_missing_wells, ec50_1_uM, hill_1, ec50_2_uM, hill_2`` and, per method ``m``,
        ``m`` (mean over combination wells), ``m_msa`` (most synergistic area score),
        ``m_msa_conc1`` / ``m_msa_conc2`` (its concentration ranges, ``"lo-hi"`` uM).
    per_well : DataFrame
        One row per well: ``block, sample, drug1, drug2, conc1, conc2, response`` (mean
        viability), ``inhibition`` (%), ``n_replicates`` and per method ``m_ref`` (the
        reference response) and ``m`` (the score), plus ``zip_fit`` (the refitted
        combination response) and ``loewe_fallback``. Scores are 0 on single-agent wells and
        NaN where a well is missing.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> c = np.array([0.0, 0.1, 1.0, 10.0])
    >>> g1, g2 = np.meshgrid(c, c, indexing="ij")
    >>> v1, v2 = 1 / (1 + g1 / 1.0), 1 / (1 + g2 / 2.0)
    >>> df = pd.DataFrame({"block": "B1", "drug1": "A", "drug2": "B", "conc1": g1.ravel(),
    ...                    "conc2": g2.ravel(), "response": (v1 * v2).ravel()})
    >>> summary, wells = synergy(df)
    >>> abs(float(summary.loc[0, "bliss"])) < 1e-9
    True
    """
    methods = [str(m).lower() for m in methods]
    bad = [m for m in methods if m not in SYNERGY_METHODS]
    if bad or not methods:
        msg = f"methods must be among {', '.join(SYNERGY_METHODS)}, got {list(methods)!r}."
        raise InputError(msg)
    if (emin is None) != (emax is None):
        msg = "emin and emax are fixed together or freed together (both None)."
        raise InputError(msg)
    if int(msa_size) < 1:
        msg = f"msa_size must be >= 1, got {msa_size!r}."
        raise InputError(msg)
    df, info = _prepare(combinations, response_scale, response_kind)

    # ---- per block checks and aggregation of replicates
    blocks = pd.unique(df["block"])
    bmeta = df.groupby("block", sort=False).agg(
        sample=("sample", "first"), drug1=("drug1", "first"), drug2=("drug2", "first"),
        n_d1=("drug1", "nunique"), n_d2=("drug2", "nunique"),
    ).reindex(blocks)  # fmt: skip
    agg = (
        df.groupby(["block", "conc1", "conc2"], sort=True)
        .agg(inhibition=("inhibition", "mean"), n_replicates=("inhibition", "count"), n_rows=("inhibition", "size"))
        .reset_index()
    )
    nb = len(blocks)
    bidx = pd.Series(np.arange(nb), index=blocks)
    kb = bidx[agg["block"]].to_numpy()
    # index of each well's concentration among its block's sorted distinct concentrations
    i1 = (agg.groupby("block")["conc1"].rank(method="dense").to_numpy() - 1).astype(int)
    i2 = (agg.groupby("block")["conc2"].rank(method="dense").to_numpy() - 1).astype(int)
    n1 = np.zeros(nb, dtype=int)
    n2 = np.zeros(nb, dtype=int)
    np.maximum.at(n1, kb, i1 + 1)
    np.maximum.at(n2, kb, i2 + 1)
    N1, N2 = int(n1.max()), int(n2.max())
    C1 = np.full((nb, N1), np.nan)
    C2 = np.full((nb, N2), np.nan)
    C1[kb, i1] = agg["conc1"].to_numpy()
    C2[kb, i2] = agg["conc2"].to_numpy()
    R = np.full((nb, N1, N2), np.nan)
    NR = np.zeros((nb, N1, N2), dtype=int)
    R[kb, i1, i2] = agg["inhibition"].to_numpy()
    NR[kb, i1, i2] = agg["n_replicates"].to_numpy()

    status = np.full(nb, "ok", dtype=object)
    flags = [[] for _ in range(nb)]
    has0_1 = C1[:, 0] == 0
    has0_2 = C2[:, 0] == 0
    for k in range(nb):
        if bmeta["n_d1"].iloc[k] > 1 or bmeta["n_d2"].iloc[k] > 1:
            status[k] = "failed: several drug pairs in one block (give each pair its own block)"
        elif not (has0_1[k] and has0_2[k]):
            which = "drug1 (conc2 = 0)" if has0_1[k] else "drug2 (conc1 = 0)"
            status[k] = f"failed: no single-agent wells of {which}"
        elif n1[k] < 3 or n2[k] < 3:
            status[k] = "failed: fewer than 2 non-zero concentrations of a drug"
    grid_cells = n1 * n2
    present = np.isfinite(R).sum(axis=(1, 2))
    missing_cells = grid_cells - present
    for k in np.flatnonzero(missing_cells > 0):
        flags[k].append(f"incomplete_grid ({int(missing_cells[k])} of {int(grid_cells[k])} wells missing)")
    if (missing_cells > 0).any():
        warnings.warn(
            f"synergy: {int((missing_cells > 0).sum())} block(s) have an incomplete dose grid; their missing wells score NaN "
            "(summary 'flags').",
            UserWarning,
            stacklevel=2,
        )
    failed = status != "ok"
    if failed.any():
        warnings.warn(
            f"synergy: {int(failed.sum())} block(s) could not be scored (summary 'status'); the other blocks were scored.",
            UserWarning,
            stacklevel=2,
        )
    ok = ~failed
    R_ok = np.where(ok[:, None, None], R, np.nan)

    # ---- single-agent fits (all blocks together)
    free_e = emin is None
    e0v = 0.0 if free_e else float(emin)
    eiv = 100.0 if free_e else float(emax)
    p1 = _fit_curves_batch(C1[:, 1:], R_ok[:, 1:, 0], np.full(nb, e0v), np.full(nb, eiv), free_e=free_e, max_iter=max_iter)
    p2 = _fit_curves_batch(C2[:, 1:], R_ok[:, 0, 1:], np.full(nb, e0v), np.full(nb, eiv), free_e=free_e, max_iter=max_iter)
    fit1 = _ll4(p1, C1)  # (B, N1), conc 0 -> e0
    fit2 = _ll4(p2, C2)
    y1o = R_ok[:, :, 0]  # observed singles
    y2o = R_ok[:, 0, :]
    valid = np.isfinite(R_ok)
    margin = np.zeros((nb, N1, N2), dtype=bool)
    margin[:, 0, :] = True
    margin[:, :, 0] = True
    combo = valid & ~margin

    scores: dict[str, np.ndarray] = {}
    refs: dict[str, np.ndarray] = {}
    if "bliss" in methods:
        ref = y1o[:, :, None] + y2o[:, None, :] - y1o[:, :, None] * y2o[:, None, :] / 100.0
        refs["bliss"] = np.where(margin, R_ok, ref)
    if "hsa" in methods:
        ref = np.maximum(y1o[:, :, None], y2o[:, None, :])
        refs["hsa"] = np.where(margin, R_ok, ref)
    loewe_fb = np.zeros((nb, N1, N2), dtype=bool)
    if "loewe" in methods:
        kk, ii, jj = np.nonzero(combo)
        y, fb = _loewe_reference(C1[kk, ii], C2[kk, jj], p1[kk], p2[kk])
        ref = np.where(margin, R_ok, np.nan)
        ref[kk, ii, jj] = y
        loewe_fb[kk, ii, jj] = fb
        refs["loewe"] = ref
    zip_fit = np.full((nb, N1, N2), np.nan)
    if "zip" in methods and N1 > 1 and N2 > 1:
        # refit along columns (drug1 varies at fixed conc2_j), bottom = drug2 alone at conc2_j
        ycol = np.transpose(R_ok[:, 1:, 1:], (0, 2, 1)).reshape(nb * (N2 - 1), N1 - 1)
        xcol = np.repeat(C1[:, 1:], N2 - 1, axis=0)
        e0col = fit2[:, 1:].reshape(-1)
        pc = _fit_curves_batch(xcol, ycol, e0col, np.full(len(e0col), eiv), free_e=False, max_iter=max_iter)
        ucol = _ll4(pc, xcol)
        ncol = np.isfinite(ycol).sum(axis=1)
        ucol = np.where((ncol >= 2)[:, None], ucol, ycol)
        ucol = np.transpose(ucol.reshape(nb, N2 - 1, N1 - 1), (0, 2, 1))
        # refit along rows (drug2 varies at fixed conc1_i), bottom = drug1 alone at conc1_i
        yrow = R_ok[:, 1:, 1:].reshape(nb * (N1 - 1), N2 - 1)
        xrow = np.repeat(C2[:, 1:], N1 - 1, axis=0)
        e0row = fit1[:, 1:].reshape(-1)
        pr = _fit_curves_batch(xrow, yrow, e0row, np.full(len(e0row), eiv), free_e=False, max_iter=max_iter)
        urow = _ll4(pr, xrow)
        nrow = np.isfinite(yrow).sum(axis=1)
        urow = np.where((nrow >= 2)[:, None], urow, yrow).reshape(nb, N1 - 1, N2 - 1)
        inner = (ucol + urow) / 2.0
        zip_fit[:, 1:, 1:] = inner
        zip_fit = np.where(valid, zip_fit, np.nan)
        zref = fit1[:, :, None] + fit2[:, None, :] - fit1[:, :, None] * fit2[:, None, :] / 100.0
        refs["zip"] = np.where(margin, np.where(valid, zip_fit, np.nan), np.where(valid, zref, np.nan))
        zip_fit = np.where(margin, R_ok, zip_fit)
    if "zip" in methods and "zip" not in refs:
        refs["zip"] = np.where(margin, R_ok, np.nan)
    for m in methods:
        obs = zip_fit if m == "zip" else R_ok
        sc = obs - refs[m]
        sc = np.where(margin & valid, 0.0, sc)
        scores[m] = np.where(valid, sc, np.nan)

    # ---- per-well table
    kk, ii, jj = np.nonzero(np.isfinite(R) | (NR > 0))
    wells = pd.DataFrame(
        {
            "block": blocks[kk],
            "sample": bmeta["sample"].to_numpy()[kk],
            "drug1": bmeta["drug1"].to_numpy()[kk],
            "drug2": bmeta["drug2"].to_numpy()[kk],
            "conc1": C1[kk, ii],
            "conc2": C2[kk, jj],
            "response": 1.0 - R[kk, ii, jj] / 100.0,
            "inhibition": R[kk, ii, jj],
            "n_replicates": NR[kk, ii, jj],
        }
    )
    for m in methods:
        if m == "zip":
            wells["zip_fit"] = zip_fit[kk, ii, jj]
        wells[f"{m}_ref"] = refs[m][kk, ii, jj]
        wells[m] = scores[m][kk, ii, jj]
    if "loewe" in methods:
        wells["loewe_fallback"] = loewe_fb[kk, ii, jj]
    if not (df["sample"] != "").any():
        wells = wells.drop(columns="sample")

    # ---- summary
    summary = pd.DataFrame(
        {
            "block": blocks,
            "sample": bmeta["sample"].to_numpy(),
            "drug1": bmeta["drug1"].to_numpy(),
            "drug2": bmeta["drug2"].to_numpy(),
            "status": status,
            "flags": [";".join(f) for f in flags],
            "n_conc1": n1 - has0_1.astype(int),
            "n_conc2": n2 - has0_2.astype(int),
            "n_wells": present,
            "n_missing_wells": missing_cells,
            "ec50_1_uM": np.where(ok, np.exp(p1[:, 2]), np.nan),
            "hill_1": np.where(ok, p1[:, 3], np.nan),
            "ec50_2_uM": np.where(ok, np.exp(p2[:, 2]), np.nan),
            "hill_2": np.where(ok, p2[:, 3], np.nan),
        }
    )
    if "loewe" in methods:
        nfb = (loewe_fb & combo).sum(axis=(1, 2))
        for k in np.flatnonzero(nfb > 0):
            flags[k].append(f"loewe_fallback ({int(nfb[k])} wells)")
        summary["flags"] = [";".join(f) for f in flags]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for m in methods:
            sc = scores[m]
            mean = np.nanmean(np.where(combo, sc, np.nan).reshape(nb, -1), axis=1)
            summary[m] = np.where(ok, mean, np.nan)
            best, bi, bj = _windows_max(sc, int(msa_size))
            summary[f"{m}_msa"] = np.where(ok, best, np.nan)
            k1, k2 = min(int(msa_size), N1), min(int(msa_size), N2)
            summary[f"{m}_msa_conc1"] = [
                f"{C1[k, bi[k]]:g}-{C1[k, min(bi[k] + k1 - 1, n1[k] - 1)]:g}" if ok[k] and np.isfinite(best[k]) else ""
                for k in range(nb)
            ]
            summary[f"{m}_msa_conc2"] = [
                f"{C2[k, bj[k]]:g}-{C2[k, min(bj[k] + k2 - 1, n2[k] - 1)]:g}" if ok[k] and np.isfinite(best[k]) else ""
                for k in range(nb)
            ]
    if not (df["sample"] != "").any():
        summary = summary.drop(columns="sample")
    params = {
        "methods": list(methods),
        "emin": "free" if emin is None else float(emin),
        "emax": "free" if emax is None else float(emax),
        "msa_size": int(msa_size),
        **info,
    }
    summary.attrs["params"] = params
    wells.attrs["params"] = params
    return summary, wells

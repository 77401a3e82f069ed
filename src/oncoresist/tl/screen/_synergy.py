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
- **ZIP** (Yadav et al. 2015, Comput Struct Biotechnol J 13:504), as SynergyFinder 2's R
  ``ZIP`` (synergyfinder, 2021-01 sources): single-drug curves are free 4-parameter
  log-logistic fits (``FitDoseResponse`` with ``Emin = Emax = NA``, whatever ``emin`` /
  ``emax`` say); delta score = (average of the combination curves refitted along rows and
  columns, each with its bottom fixed at the partner's fitted single-drug response) minus the
  ZIP reference ``y1 + y2 - y1 y2 / 100`` of those fitted single-drug responses. The refits'
  top is estimated: SynergyFinder documents it fixed at 100, but an estimated top agrees best
  with SynergyFinder's published results (per-matrix r 0.79-0.97,
  ``benchmarks/bench_synergy.py``). Single-drug wells score 0 with ``zip_ref`` = ``zip_fit``
  = the observed response.

Loewe's single-agent curves are 4-parameter log-logistic fits with ``Emin = 0`` and
``Emax = 100`` fixed by default, done together for every block with the batched
solver of :mod:`oncoresist.tl._lm`; so are the ZIP refits. Single-agent wells score 0.
The summary per block is the mean score over the combination wells (with a 95% Student-t
interval over those wells) and the most synergistic
area (the highest mean score over any ``msa_size`` x ``msa_size`` window of the dose matrix,
margins included, as in SynergyFinder).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..._core._errors import InputError
from ..._core._utils import require_columns
from ._curves import _resolve_scale
from ._synergy_methods import (
    METHOD_REGISTRY,
    SynergyGrid,
    SynergyResult,
    _fit_stacked,
    _ll4,
    _zip_single_parts,
)

__all__ = ["SYNERGY_METHODS", "synergy"]

SYNERGY_METHODS = tuple(METHOD_REGISTRY)


def _prepare(
    combinations: Any, response_scale: str, response_kind: str
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Validate the combination table and add its % ``inhibition`` column."""
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


def _check_methods(methods: Sequence[str], emin: float | None, emax: float | None, msa_size: int) -> list[str]:
    """Validate the method names, curve bounds and window size; return the names lower-cased."""
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
    return methods


@dataclass(frozen=True)
class _Doses:
    """Replicate-averaged dose matrices of every block (``B`` blocks, padded to ``N1`` x ``N2``)."""

    blocks: np.ndarray
    meta: pd.DataFrame  # per block: sample, drug1, drug2, n_d1, n_d2
    c1: np.ndarray  # (B, N1) sorted distinct drug1 doses, NaN-padded
    c2: np.ndarray  # (B, N2)
    resp: np.ndarray  # (B, N1, N2) mean % inhibition, NaN = missing
    n_rep: np.ndarray  # (B, N1, N2) replicate counts
    n1: np.ndarray  # (B,) number of distinct drug1 doses
    n2: np.ndarray


def _dose_grid(df: pd.DataFrame) -> _Doses:
    """Average replicates and lay every block's wells out on its dose matrix."""
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
    kb = pd.Series(np.arange(nb), index=blocks)[agg["block"]].to_numpy()
    # index of each well's concentration among its block's sorted distinct concentrations
    i1 = (agg.groupby("block")["conc1"].rank(method="dense").to_numpy() - 1).astype(int)
    i2 = (agg.groupby("block")["conc2"].rank(method="dense").to_numpy() - 1).astype(int)
    n1 = np.zeros(nb, dtype=int)
    n2 = np.zeros(nb, dtype=int)
    np.maximum.at(n1, kb, i1 + 1)
    np.maximum.at(n2, kb, i2 + 1)
    c1 = np.full((nb, int(n1.max())), np.nan)
    c2 = np.full((nb, int(n2.max())), np.nan)
    c1[kb, i1] = agg["conc1"].to_numpy()
    c2[kb, i2] = agg["conc2"].to_numpy()
    resp = np.full((nb, c1.shape[1], c2.shape[1]), np.nan)
    n_rep = np.zeros(resp.shape, dtype=int)
    resp[kb, i1, i2] = agg["inhibition"].to_numpy()
    n_rep[kb, i1, i2] = agg["n_replicates"].to_numpy()
    return _Doses(blocks, bmeta, c1, c2, resp, n_rep, n1, n2)


def _block_status(d: _Doses) -> tuple[np.ndarray, list[list[str]]]:
    """Status (``"ok"`` or why a block failed) and flags of every block; warns about both."""
    nb = len(d.blocks)
    status = np.full(nb, "ok", dtype=object)
    flags: list[list[str]] = [[] for _ in range(nb)]
    has0_1, has0_2 = d.c1[:, 0] == 0, d.c2[:, 0] == 0
    for k in range(nb):
        if d.meta["n_d1"].iloc[k] > 1 or d.meta["n_d2"].iloc[k] > 1:
            status[k] = "failed: several drug pairs in one block (give each pair its own block)"
        elif not (has0_1[k] and has0_2[k]):
            which = "drug1 (conc2 = 0)" if has0_1[k] else "drug2 (conc1 = 0)"
            status[k] = f"failed: no single-agent wells of {which}"
        elif d.n1[k] < 3 or d.n2[k] < 3:
            status[k] = "failed: fewer than 2 non-zero concentrations of a drug"
    grid_cells: Any = d.n1 * d.n2
    missing_cells = grid_cells - np.isfinite(d.resp).sum(axis=(1, 2))
    for kk in np.flatnonzero(missing_cells > 0):
        flags[kk].append(f"incomplete_grid ({int(missing_cells[kk])} of {int(grid_cells[kk])} wells missing)")
    if (missing_cells > 0).any():
        warnings.warn(
            f"synergy: {int((missing_cells > 0).sum())} block(s) have an incomplete dose grid; their missing wells score NaN "
            "(summary 'flags').",
            UserWarning,
            stacklevel=3,
        )
    failed = status != "ok"
    if failed.any():
        warnings.warn(
            f"synergy: {int(failed.sum())} block(s) could not be scored (summary 'status'); the other blocks were scored.",
            UserWarning,
            stacklevel=3,
        )
    return status, flags


def _fit_singles(d: _Doses, ok: np.ndarray, emin: float | None, emax: float | None, max_iter: int) -> SynergyGrid:
    """Fit the single-agent curves of all scorable blocks together; the kernels' shared input."""
    free_e = emin is None
    e0v = 0.0 if emin is None else float(emin)
    eiv = 100.0 if free_e or emax is None else float(emax)
    resp = np.where(ok[:, None, None], d.resp, np.nan)
    parts = [(d.c1[:, 1:], resp[:, 1:, 0], e0v, eiv, free_e, free_e), (d.c2[:, 1:], resp[:, 0, 1:], e0v, eiv, free_e, free_e)]
    # ZIP's free single-drug fits go into the same solver call
    p1, p2, z1, z2 = _fit_stacked(parts + _zip_single_parts([d.c1, d.c2], [resp[:, :, 0], resp[:, 0, :]]), max_iter=max_iter)
    fit1, fit2 = _ll4(p1, d.c1), _ll4(p2, d.c2)
    return SynergyGrid(resp, d.c1, d.c2, p1, p2, fit1, fit2, eiv, max_iter, _ll4(z1, d.c1), _ll4(z2, d.c2))


def _well_table(d: _Doses, results: dict[str, SynergyResult], scores: dict[str, np.ndarray]) -> pd.DataFrame:
    """One row per well with its reference, score (and fit / fallback) of every method."""
    kk, ii, jj = np.nonzero(np.isfinite(d.resp) | (d.n_rep > 0))
    wells = pd.DataFrame(
        {
            "block": d.blocks[kk],
            "sample": d.meta["sample"].to_numpy()[kk],
            "drug1": d.meta["drug1"].to_numpy()[kk],
            "drug2": d.meta["drug2"].to_numpy()[kk],
            "conc1": d.c1[kk, ii],
            "conc2": d.c2[kk, jj],
            "response": 1.0 - d.resp[kk, ii, jj] / 100.0,
            "inhibition": d.resp[kk, ii, jj],
            "n_replicates": d.n_rep[kk, ii, jj],
        }
    )
    for m, res in results.items():
        if res.fit is not None:
            wells[f"{m}_fit"] = res.fit[kk, ii, jj]
        wells[f"{m}_ref"] = res.ref[kk, ii, jj]
        wells[m] = scores[m][kk, ii, jj]
    for m, res in results.items():
        if res.fallback is not None:
            wells[f"{m}_fallback"] = res.fallback[kk, ii, jj]
    return wells


def _msa_columns(
    score: np.ndarray, c1: np.ndarray, c2: np.ndarray, n1: np.ndarray, n2: np.ndarray, ok: np.ndarray, size: int
) -> tuple[np.ndarray, list[str], list[str]]:
    """Most synergistic area score of each block and its drug1 / drug2 dose ranges (``"lo-hi"``)."""
    best, bi, bj = _windows_max(score, size)
    k1, k2 = min(size, c1.shape[1]), min(size, c2.shape[1])
    shown = ok & np.isfinite(best)
    r1 = [f"{c1[k, bi[k]]:g}-{c1[k, min(bi[k] + k1 - 1, n1[k] - 1)]:g}" if shown[k] else "" for k in range(len(ok))]
    r2 = [f"{c2[k, bj[k]]:g}-{c2[k, min(bj[k] + k2 - 1, n2[k] - 1)]:g}" if shown[k] else "" for k in range(len(ok))]
    return np.where(ok, best, np.nan), r1, r2


def _mean_ci(x: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row means of ``x`` (NaN = absent) with their two-sided Student-t ``level`` interval (NaN below 2 values)."""
    from scipy.stats import t as student_t

    n = np.isfinite(x).sum(axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(x, axis=1)
        sd = np.nanstd(x, axis=1, ddof=1)
    half = np.where(n >= 2, student_t.ppf(0.5 + level / 2, np.maximum(n - 1, 1)) * sd / np.sqrt(np.maximum(n, 1)), np.nan)
    return mean, mean - half, mean + half


def _summary_table(
    d: _Doses, g: SynergyGrid, status: np.ndarray, flags: list[list[str]],
    results: dict[str, SynergyResult], scores: dict[str, np.ndarray], msa_size: int, level: float = 0.95,
) -> pd.DataFrame:  # fmt: skip
    """One row per block: dose counts, single-agent fits, mean and MSA score of every method."""
    ok = status == "ok"
    combo = g.combo
    for m, res in results.items():
        if res.fallback is not None:
            nfb = (res.fallback & combo).sum(axis=(1, 2))
            for k in np.flatnonzero(nfb > 0):
                flags[k].append(f"{m}_fallback ({int(nfb[k])} wells)")
    present = np.isfinite(d.resp).sum(axis=(1, 2))
    summary = pd.DataFrame(
        {
            "block": d.blocks,
            "sample": d.meta["sample"].to_numpy(),
            "drug1": d.meta["drug1"].to_numpy(),
            "drug2": d.meta["drug2"].to_numpy(),
            "status": status,
            "flags": [";".join(f) for f in flags],
            "n_conc1": d.n1 - (d.c1[:, 0] == 0).astype(int),
            "n_conc2": d.n2 - (d.c2[:, 0] == 0).astype(int),
            "n_wells": present,
            "n_missing_wells": d.n1 * d.n2 - present,
            "ec50_1_uM": np.where(ok, np.exp(g.p1[:, 2]), np.nan),
            "hill_1": np.where(ok, g.p1[:, 3], np.nan),
            "ec50_2_uM": np.where(ok, np.exp(g.p2[:, 2]), np.nan),
            "hill_2": np.where(ok, g.p2[:, 3], np.nan),
            "emin_1": np.where(ok, g.p1[:, 0], np.nan),
            "emax_1": np.where(ok, g.p1[:, 1], np.nan),
            "emin_2": np.where(ok, g.p2[:, 0], np.nan),
            "emax_2": np.where(ok, g.p2[:, 1], np.nan),
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for m, sc in scores.items():
            mean, lo, hi = _mean_ci(np.where(combo, sc, np.nan).reshape(len(ok), -1), level)
            summary[m] = np.where(ok, mean, np.nan)
            summary[f"{m}_ci_low"], summary[f"{m}_ci_high"] = np.where(ok, lo, np.nan), np.where(ok, hi, np.nan)
            cols = _msa_columns(sc, d.c1, d.c2, d.n1, d.n2, ok, int(msa_size))
            summary[f"{m}_msa"], summary[f"{m}_msa_conc1"], summary[f"{m}_msa_conc2"] = cols
    return summary


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
        Fixed bottom / top (% inhibition) of the single-agent curves of Loewe (and the
        ``ec50`` / ``hill`` summary columns); ``None`` frees both. ZIP always fits its single
        drugs free, as SynergyFinder's ZIP does.
    msa_size
        Window size of the most synergistic area.
    max_iter
        Iteration cap of the curve fits.

    Returns
    -------
    summary : DataFrame
        One row per block: ``block, sample, drug1, drug2, status, flags, n_conc1, n_conc2,
        n_wells, n_missing_wells, ec50_1_uM, hill_1, ec50_2_uM, hill_2, emin_1, emax_1,
        emin_2, emax_2`` (the single-agent curves: % inhibition at dose 0 and at saturation)
        and, per method ``m``, ``m`` (mean over combination wells), ``m_ci_low`` / ``m_ci_high``
        (its 95% Student-t interval over the combination wells: how precisely the dose matrix
        pins the mean down, not a replicate error), ``m_msa`` (most synergistic area score),
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
    methods = _check_methods(methods, emin, emax, msa_size)
    df, info = _prepare(combinations, response_scale, response_kind)
    doses = _dose_grid(df)
    status, flags = _block_status(doses)
    grid = _fit_singles(doses, status == "ok", emin, emax, max_iter)
    results = {m: METHOD_REGISTRY[m].run(grid) for m in methods}
    scores = {m: r.score(grid.valid, grid.margin) for m, r in results.items()}
    wells = _well_table(doses, results, scores)
    summary = _summary_table(doses, grid, status, flags, results, scores, msa_size)
    if not (df["sample"] != "").any():
        wells = wells.drop(columns="sample")
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

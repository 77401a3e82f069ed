"""Figures of one drug-combination block as SynergyFinder shows them.

The % inhibition matrix, the single-agent curves, the smooth synergy landscape of every method and
the summary scores with their intervals.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.colors import TwoSlopeNorm  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from .._core._docs import DOC_AX, DOC_RETURNS_FIGURE, doc_params  # noqa: E402
from .._core._errors import InputError  # noqa: E402
from ._axes import subplots, tidy  # noqa: E402

__all__ = ["synergy_landscapes", "synergy_response_matrix", "synergy_scores", "synergy_single_agents"]

_METHODS = ("zip", "bliss", "hsa", "loewe")

_DOC_WELLS = """per_well
    Per-well table of :func:`oncoresist.tl.synergy` (``mdata.uns['synergy']['wells']``).
block
    The block (one dose matrix of one sample) to draw."""

#: Docstring example set-up: one 4 x 4 Bliss-independent dose matrix scored by ``tl.synergy``.
_DOC_EXAMPLE = """\
>>> import numpy as np, pandas as pd
>>> from oncoresist.tl import synergy
>>> c = np.array([0.0, 0.1, 1.0, 10.0])
>>> g1, g2 = np.meshgrid(c, c, indexing="ij")
>>> df = pd.DataFrame({"block": "B1", "drug1": "A", "drug2": "B", "conc1": g1.ravel(), "conc2": g2.ravel(),
...                    "response": (1 / (1 + g1) / (1 + g2)).ravel()})
>>> summary, wells = synergy(df)"""

_DOC_FIG = """fig
    Figure or subfigure (``plt.figure().subfigures(...)``) to draw the panels into; default: a new figure."""


def _block_wells(per_well: Any, block: str, need: Sequence[str] = ()) -> pd.DataFrame:
    """The wells of ``block``, with a clear error for a wrong table, block or column."""
    cols = {"block", "drug1", "drug2", "conc1", "conc2", *need}
    if not isinstance(per_well, pd.DataFrame) or not cols <= set(per_well.columns):
        msg = f"per_well must be the per-well table of oncoresist.tl.synergy (columns {', '.join(sorted(cols))})."
        raise InputError(msg)
    w = per_well[per_well["block"].astype(str) == str(block)]
    if w.empty:
        msg = f"block {block!r} is not in the per-well table (blocks: {', '.join(map(str, pd.unique(per_well['block'])[:8]))})."
        raise InputError(msg)
    return w


def _matrix(w: pd.DataFrame, value: str) -> pd.DataFrame:
    """Drug1 doses (rows) x drug2 doses (columns) of ``value``."""
    return w.pivot_table(index="conc1", columns="conc2", values=value, aggfunc="first").sort_index().sort_index(axis=1)


def _dose_ticks(ax: Any, mat: pd.DataFrame, d1: str, d2: str) -> None:
    ax.set_xticks(range(mat.shape[1]), [f"{c:.3g}" for c in mat.columns], rotation=90, fontsize=7)
    ax.set_yticks(range(mat.shape[0]), [f"{c:.3g}" for c in mat.index], fontsize=7)
    ax.set_xlabel(f"{d2} (µM)", fontsize=8)
    ax.set_ylabel(f"{d1} (µM)", fontsize=8)


@doc_params(doc_wells=_DOC_WELLS, doc_ax=DOC_AX, doc_example=_DOC_EXAMPLE)
def synergy_response_matrix(per_well: pd.DataFrame, *, block: str, ax: Any = None) -> Figure:
    """The measured dose-response matrix of a block: % inhibition of every well, annotated.

    Parameters
    ----------
    {doc_wells}
    {doc_ax}

    Examples
    --------
    {doc_example}
    >>> fig = synergy_response_matrix(wells, block="B1")
    """
    w = _block_wells(per_well, block, ("inhibition",))
    mat = _matrix(w, "inhibition")
    if ax is None:
        fig, ax = plt.subplots(figsize=(0.55 * mat.shape[1] + 2.4, 0.45 * mat.shape[0] + 1.7))
    else:
        fig = ax.figure
    vals = mat.to_numpy(dtype=float)
    im = ax.imshow(np.ma.masked_invalid(vals), cmap="YlOrRd", vmin=min(0.0, float(np.nanmin(vals))), vmax=max(100.0, float(np.nanmax(vals))),
                   origin="lower", aspect="auto")  # fmt: skip
    for (i, j), v in np.ndenumerate(vals):
        if np.isfinite(v):
            ax.text(j, i, f"{v:.0f}", ha="center", va="center", fontsize=6, color="white" if v > 65 else "black")
    d1, d2 = str(w["drug1"].iloc[0]), str(w["drug2"].iloc[0])
    _dose_ticks(ax, mat, d1, d2)
    ax.set_title(f"{block}: % inhibition", fontsize=9)
    fig.colorbar(im, ax=ax, fraction=0.05, pad=0.02).set_label("% inhibition", fontsize=8)
    return fig


def _split_range(text: Any) -> tuple[float, float] | None:
    """``"lo-hi"`` (as the synergy summary writes a dose range, e.g. ``"1e-05-0.3"``) as two numbers."""
    s = "" if text is None else str(text).strip()
    for i, ch in enumerate(s):
        if ch == "-" and 0 < i < len(s) - 1:
            try:
                return float(s[:i]), float(s[i + 1 :])
            except ValueError:
                continue
    return None


def _nearest(values: np.ndarray, x: float) -> int:
    """Index of the dose nearest ``x`` (log scale; dose 0 matches 0)."""
    if x <= 0:
        return int(np.argmin(values))
    with np.errstate(divide="ignore"):
        return int(np.nanargmin(np.abs(np.log(np.where(values > 0, values, np.nan)) - np.log(x))))


def _msa_window(row: pd.Series, method: str, conc1: np.ndarray, conc2: np.ndarray) -> tuple[int, int, int, int] | None:
    """Row / column index span ``(i0, i1, j0, j1)`` of a block's most synergistic area, or None."""
    r1, r2 = _split_range(row.get(f"{method}_msa_conc1")), _split_range(row.get(f"{method}_msa_conc2"))
    if r1 is None or r2 is None:
        return None
    return _nearest(conc1, r1[0]), _nearest(conc1, r1[1]), _nearest(conc2, r2[0]), _nearest(conc2, r2[1])


def _smooth(vals: np.ndarray, factor: int) -> np.ndarray:
    """Bicubic upsampling of a dose matrix for the landscape (missing wells: linear over zeros)."""
    from scipy.ndimage import zoom

    order = 3 if np.isfinite(vals).all() and min(vals.shape) >= 4 else 1
    grid = zoom(np.nan_to_num(vals), factor, order=order, mode="nearest", grid_mode=False)
    return np.asarray(grid, dtype=float)


def _landscape(ax: Any, mat: pd.DataFrame, method: str, lim: float, window: tuple[int, int, int, int] | None, title: str) -> Any:
    """One method's smooth landscape with the most synergistic area outlined."""
    vals = mat.to_numpy(dtype=float)
    fine = _smooth(vals, 8)
    yy = np.linspace(0, vals.shape[0] - 1, fine.shape[0])
    xx = np.linspace(0, vals.shape[1] - 1, fine.shape[1])
    levels = np.linspace(-lim, lim, 21)
    cs = ax.contourf(xx, yy, np.clip(fine, -lim, lim), levels=levels, cmap="RdBu_r", norm=TwoSlopeNorm(0.0, -lim, lim))
    ax.contour(xx, yy, fine, levels=[0.0], colors="#444444", linewidths=0.6)
    if window is not None:
        i0, i1, j0, j1 = window
        ax.add_patch(plt.Rectangle((j0 - 0.5, i0 - 0.5), j1 - j0 + 1, i1 - i0 + 1, fill=False, ec="black", lw=1.6, ls="--", clip_on=False))
    ax.set_xlim(-0.5, vals.shape[1] - 0.5)
    ax.set_ylim(-0.5, vals.shape[0] - 0.5)
    ax.set_title(title, fontsize=9)
    return cs


@doc_params(doc_wells=_DOC_WELLS, doc_fig=_DOC_FIG, doc_returns=DOC_RETURNS_FIGURE, doc_example=_DOC_EXAMPLE)
def synergy_landscapes(
    per_well: pd.DataFrame,
    summary: pd.DataFrame | None = None,
    *,
    block: str,
    methods: Sequence[str] | None = None,
    fig: Any = None,
) -> Figure:
    """Smooth synergy landscape of a block for every scored method (one panel each).

    Each panel is the bicubic interpolation of the well scores over the dose matrix (doses on a
    log-spaced index grid, red = synergy, blue = antagonism, black line = 0); with ``summary``
    the title gives the block's mean score with its 95% interval and the dashed box marks the
    most synergistic area. All panels share one colour scale.

    Parameters
    ----------
    {doc_wells}
    summary
        Per-block table of :func:`oncoresist.tl.synergy` (mean, interval, most synergistic area).
    methods
        Methods to draw (default: every one scored in ``per_well``).
    {doc_fig}

    {doc_returns}

    Examples
    --------
    {doc_example}
    >>> len(synergy_landscapes(wells, summary, block="B1").axes)  # 4 methods + 1 colour bar
    5
    """
    methods = [m for m in _METHODS if m in per_well.columns] if methods is None else [str(m).lower() for m in methods]
    w = _block_wells(per_well, block, methods)
    if not methods:
        msg = "per_well holds no synergy score (zip, bliss, hsa or loewe columns); score it with oncoresist.tl.synergy."
        raise InputError(msg)
    mats = [_matrix(w, m) for m in methods]
    finite = np.concatenate([m.to_numpy(dtype=float).ravel() for m in mats])
    finite = finite[np.isfinite(finite)]
    lim = 10.0 * np.ceil(max(10.0, float(np.max(np.abs(finite))) if finite.size else 10.0) / 10.0)
    row = None
    if summary is not None:
        hit = summary[summary["block"].astype(str) == str(block)]
        row = hit.iloc[0] if len(hit) else None
    fig, axes = subplots(fig, 1, len(methods), figsize=(3.3 * len(methods) + 0.8, 3.3), squeeze=False, sharey=True)
    d1, d2 = str(w["drug1"].iloc[0]), str(w["drug2"].iloc[0])
    cs = None
    for ax, m, mat in zip(axes[0], methods, mats, strict=True):
        window = _msa_window(row, m, mat.index.to_numpy(float), mat.columns.to_numpy(float)) if row is not None else None
        cs = _landscape(ax, mat, m, lim, window, _landscape_title(row, m))
        _dose_ticks(ax, mat, d1, d2)
    for ax in axes[0][1:]:
        ax.set_ylabel("")
    tidy(fig)
    if cs is not None:
        fig.colorbar(cs, ax=list(axes[0]), fraction=0.03, pad=0.02).set_label("synergy score (% inhibition above reference)", fontsize=8)
    return fig


def _landscape_title(row: Any, method: str) -> str:
    """``ZIP 5.2 [3.1, 7.3]; MSA 12.0`` from a summary row (just the method without one)."""
    name = method.upper()
    if row is None or method not in row.index or not np.isfinite(float(row[method])):
        return name
    text = f"{name} {float(row[method]):.1f}"
    lo, hi = row.get(f"{method}_ci_low"), row.get(f"{method}_ci_high")
    if lo is not None and hi is not None and np.isfinite(float(lo)) and np.isfinite(float(hi)):
        text += f" [{float(lo):.1f}, {float(hi):.1f}]"
    msa = row.get(f"{method}_msa")
    if msa is not None and np.isfinite(float(msa)):
        text += f"\nmost synergistic area {float(msa):.1f}"
    return text


def _single_panel(ax: Any, pts: pd.DataFrame, dose: str, drug: str, row: Any, k: int) -> None:
    """One drug alone: measured % inhibition and the fitted 4-parameter log-logistic curve."""
    x = pts[dose].to_numpy(float)
    y = pts["inhibition"].to_numpy(float)
    ax.scatter(x, y, s=16, color="#1d2430", zorder=3, label="measured")
    title = f"{drug} alone"
    ec50 = float(row.get(f"ec50_{k}_uM", np.nan)) if row is not None else np.nan
    hill = float(row.get(f"hill_{k}", np.nan)) if row is not None else np.nan
    if len(x) and np.isfinite(ec50) and np.isfinite(hill):
        emin = float(row.get(f"emin_{k}", 0.0))
        emax = float(row.get(f"emax_{k}", 100.0))
        lo, hi = float(np.min(x)), float(np.max(x))
        grid = np.logspace(np.log10(lo), np.log10(hi), 120)
        ax.plot(grid, emax + (emin - emax) / (1.0 + (grid / ec50) ** hill), color="#c0392b", lw=1.8, label="4PL fit")
        if lo <= ec50 <= hi:
            ax.axvline(ec50, color="#888888", ls="--", lw=0.9)
            title += f"\nEC50 {ec50:.3g} µM, Hill {hill:.2g}"
        else:
            title += f"\nEC50 {'> highest' if ec50 > hi else '< lowest'} tested dose ({hi if ec50 > hi else lo:.3g} µM)"
    ax.set_xscale("log")
    ax.set_xlabel(f"{drug} (µM)", fontsize=8)
    ax.set_ylabel("% inhibition", fontsize=8)
    ax.set_title(title, fontsize=9)
    ax.tick_params(labelsize=7)
    ax.spines[["top", "right"]].set_visible(False)


@doc_params(doc_wells=_DOC_WELLS, doc_fig=_DOC_FIG, doc_returns=DOC_RETURNS_FIGURE, doc_example=_DOC_EXAMPLE)
def synergy_single_agents(per_well: pd.DataFrame, summary: pd.DataFrame | None = None, *, block: str, fig: Any = None) -> Figure:
    """Both single-drug dose-response curves of a block: measured wells and the fitted curves.

    The points are the block's single-agent wells (the other drug at dose 0); the curves are the
    4-parameter log-logistic fits of :func:`oncoresist.tl.synergy` (``ec50_k_uM``, ``hill_k``,
    ``emin_k`` / ``emax_k`` of the summary; 0 and 100 when a summary without them is given). An
    EC50 beyond the tested doses is written as such.

    Parameters
    ----------
    {doc_wells}
    summary
        Per-block table of :func:`oncoresist.tl.synergy` (the fitted curves; points only without it).
    {doc_fig}

    {doc_returns}

    Examples
    --------
    {doc_example}
    >>> len(synergy_single_agents(wells, summary, block="B1").axes)
    2
    """
    w = _block_wells(per_well, block, ("inhibition",))
    row = None
    if summary is not None:
        hit = summary[summary["block"].astype(str) == str(block)]
        row = hit.iloc[0] if len(hit) else None
    fig, axes = subplots(fig, 1, 2, figsize=(7.0, 2.9), squeeze=False, sharey=True)
    d1, d2 = str(w["drug1"].iloc[0]), str(w["drug2"].iloc[0])
    _single_panel(axes[0, 0], w[(w["conc2"] == 0) & (w["conc1"] > 0)], "conc1", d1, row, 1)
    _single_panel(axes[0, 1], w[(w["conc1"] == 0) & (w["conc2"] > 0)], "conc2", d2, row, 2)
    axes[0, 1].set_ylabel("")
    axes[0, 0].legend(fontsize=7, frameon=False, loc="upper left")
    tidy(fig)
    return fig


@doc_params(doc_ax=DOC_AX, doc_example=_DOC_EXAMPLE)
def synergy_scores(summary: pd.DataFrame, *, methods: Sequence[str] | None = None, max_blocks: int = 40, ax: Any = None) -> Figure:
    """Mean synergy score of each block with its 95% interval, one marker per method.

    Parameters
    ----------
    summary
        Per-block table of :func:`oncoresist.tl.synergy` (``m``, ``m_ci_low``, ``m_ci_high``);
        blocks are drawn in its order, labelled ``block · sample`` when it has a sample column.
    methods
        Methods to draw (default: every one scored).
    max_blocks
        Draw at most this many blocks (the first ones).
    {doc_ax}

    Examples
    --------
    {doc_example}
    >>> fig = synergy_scores(summary)
    """
    if not isinstance(summary, pd.DataFrame) or "block" not in summary.columns:
        msg = "summary must be the per-block table of oncoresist.tl.synergy (block, zip, zip_ci_low, ...)."
        raise InputError(msg)
    methods = [m for m in _METHODS if m in summary.columns] if methods is None else [str(m).lower() for m in methods]
    missing = [m for m in methods if m not in summary.columns]
    if missing or not methods:
        msg = f"methods {missing or methods!r} not in the synergy summary (scored: {', '.join(m for m in _METHODS if m in summary.columns) or 'none'})."
        raise InputError(msg)
    rows = summary.head(max(1, int(max_blocks)))
    labels = [f"{b} · {s}" if "sample" in rows.columns else str(b) for b, s in zip(rows["block"], rows.get("sample", rows["block"]), strict=True)]
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.0, 0.9 + 0.32 * len(rows) * max(1, len(methods)) ** 0.5))
    else:
        fig = ax.figure
    colours = dict(zip(_METHODS, ("#c0392b", "#3b6ea5", "#7a7a7a", "#2e8b57"), strict=True))
    y = np.arange(len(rows), dtype=float)
    step = 0.7 / max(1, len(methods))
    for k, m in enumerate(methods):
        yy = y - 0.35 + step * (k + 0.5)
        mean = rows[m].to_numpy(float)
        lo = rows[f"{m}_ci_low"].to_numpy(float) if f"{m}_ci_low" in rows.columns else np.full(len(rows), np.nan)
        hi = rows[f"{m}_ci_high"].to_numpy(float) if f"{m}_ci_high" in rows.columns else np.full(len(rows), np.nan)
        err = np.vstack([mean - lo, hi - mean])
        ax.errorbar(mean, yy, xerr=np.where(np.isfinite(err), err, 0.0), fmt="o", ms=4, color=colours.get(m, "#444444"),
                    elinewidth=1.2, capsize=2, label=m.upper())  # fmt: skip
    ax.axvline(0.0, color="#888888", lw=0.8)
    ax.set_yticks(y, labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("synergy score (mean over combination wells, 95% CI)", fontsize=8)
    ax.legend(fontsize=7, frameon=False, loc="best")
    ax.spines[["top", "right"]].set_visible(False)
    return fig

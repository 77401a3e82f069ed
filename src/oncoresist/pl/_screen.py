"""Drug-screen figures: fitted curves with their data, sensitivity heatmap, synergy matrices."""

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

from .._core._docs import DOC_AX, DOC_RETURNS_FIGURE, doc_params
from .._core._errors import InputError  # noqa: E402
from ._axes import figure_axes, subplots, tidy  # noqa: E402
from ._synergy import _DOC_EXAMPLE  # noqa: E402

__all__ = ["dose_response_curves", "patient_dose_response", "sensitivity_heatmap", "synergy_heatmap", "synergy_matrices", "synergy_surface"]

_CURVE_COLS = ("sample", "drug", "top", "bottom", "ec50_uM", "hill", "dose_min_uM", "dose_max_uM")


def _check_curves(curves: Any) -> pd.DataFrame:
    if not isinstance(curves, pd.DataFrame) or any(c not in curves.columns for c in _CURVE_COLS):
        msg = "curves must be the table returned by oncoresist.tl.fit_curves (sample, drug, top, bottom, ec50_uM, hill, ...)."
        raise InputError(msg)
    return curves


@doc_params(doc_returns=DOC_RETURNS_FIGURE)
def dose_response_curves(
    curves: pd.DataFrame,
    screen: pd.DataFrame | None = None,
    *,
    pairs: Sequence[tuple[str, str]] | None = None,
    max_panels: int = 12,
    ncols: int = 4,
    fig: Any = None,
) -> Figure:
    """Fitted dose-response curves with their data points, one panel per sample x drug.

    Parameters
    ----------
    curves
        Output of :func:`oncoresist.tl.fit_curves`.
    screen
        The long screen the curves were fitted to (points are drawn when given).
    pairs
        ``(sample, drug)`` pairs to show; default: the first ``max_panels`` fitted curves.
    max_panels, ncols
        Panel cap and columns of the grid.
    fig
        Figure or subfigure (``plt.figure().subfigures(...)``) to draw the panels into; default: a new figure.

    {doc_returns}

    Examples
    --------
    >>> from oncoresist import ds
    >>> from oncoresist.tl import fit_curves
    >>> screen = ds.example_screen({"S1": 1.0}, drugs=["D1"])  # one Hill curve, IC50 1 µM
    >>> fig = dose_response_curves(fit_curves(screen), screen)
    """
    from ..tl.screen._curves import hill_response

    c = _check_curves(curves)
    if pairs is None:
        sel = c[c["status"] == "ok"].head(max_panels) if "status" in c.columns else c.head(max_panels)
    else:
        key = pd.MultiIndex.from_frame(c[["sample", "drug"]].astype(str))
        want = pd.MultiIndex.from_tuples([(str(s), str(d)) for s, d in pairs])
        missing = want.difference(key)
        if len(missing):
            msg = f"pairs not in the curves table: {', '.join(map(str, list(missing)[:5]))}; pick (sample, drug) pairs that were fitted."
            raise InputError(msg)
        sel = c.set_index(key).loc[want].reset_index(drop=True).head(max_panels)
    n = max(len(sel), 1)
    ncols = max(1, min(ncols, n))
    nrows = int(np.ceil(n / ncols))
    fig, axes = subplots(fig, nrows, ncols, figsize=(3.1 * ncols, 2.6 * nrows), squeeze=False)
    pts = None
    if screen is not None:
        pts = screen.assign(sample=screen["sample"].astype(str), drug=screen["drug"].astype(str))
    for k, (ax, row) in enumerate(zip(axes.ravel(), sel.itertuples(index=False))):
        lo, hi = float(row.dose_min_uM), float(row.dose_max_uM)
        if pts is not None:
            p = pts[(pts["sample"] == str(row.sample)) & (pts["drug"] == str(row.drug)) & (pts["dose"] > 0)]
            ax.scatter(p["dose"], p["response"], s=12, color="#444444", zorder=3)
        if np.isfinite(lo) and np.isfinite(hi) and np.isfinite(row.top):
            grid = np.logspace(np.log10(lo), np.log10(hi), 120)
            ax.plot(grid, hill_response(sel.iloc[[k]], grid)[0], color="#3b6ea5", lw=1.8)
            ic50 = getattr(row, "ic50_uM", np.nan)
            status = getattr(row, "ic50_status", "")
            if status == "in_range":
                ax.axvline(ic50, color="#c0392b", ls="--", lw=1)
            ic_txt = f"{ic50:.3g}" if status == "in_range" else f"{status.replace('_', ' ')}"
            ax.set_title(f"{row.sample} · {row.drug}\nAUC {row.auc:.2f}, IC50 {ic_txt}, R² {row.r2:.2f}", fontsize=8)
        else:
            ax.set_title(f"{row.sample} · {row.drug}\nnot fitted ({getattr(row, 'status', '')})", fontsize=8)
        ax.set_xscale("log")
        ax.set_ylim(-0.05, max(1.3, ax.get_ylim()[1]))
        ax.axhline(0.5, color="#bbbbbb", lw=0.6)
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(labelsize=7)
    for ax in axes.ravel()[len(sel):]:
        ax.axis("off")
    fig.supxlabel("dose (µM)", fontsize=9)
    fig.supylabel("viability", fontsize=9)
    tidy(fig)
    return fig


def _cohort_band(cohort: pd.DataFrame, grid: np.ndarray) -> np.ndarray:
    """Fitted viability of each cohort curve on ``grid``, NaN outside the doses that curve was tested at."""
    from ..tl.screen._curves import hill_response

    v = hill_response(cohort, grid)
    lo = cohort["dose_min_uM"].to_numpy(float)[:, None]
    hi = cohort["dose_max_uM"].to_numpy(float)[:, None]
    return np.where((grid[None, :] >= lo * (1 - 1e-9)) & (grid[None, :] <= hi * (1 + 1e-9)), v, np.nan)


def _fitted(c: pd.DataFrame) -> pd.DataFrame:
    """The rows of a curves table that have a fitted curve over a finite dose range."""
    ok = c["status"] == "ok" if "status" in c.columns else pd.Series(True, index=c.index)
    finite = np.isfinite(c[["top", "dose_min_uM", "dose_max_uM"]].to_numpy(float)).all(axis=1)
    return c[ok.to_numpy() & finite & (c["dose_min_uM"].to_numpy(float) > 0)]


@doc_params(doc_ax=DOC_AX)
def patient_dose_response(
    curves: pd.DataFrame,
    *,
    sample: str,
    drug: str,
    screen: pd.DataFrame | None = None,
    band: tuple[float, float] = (0.25, 0.75),
    ax: Any = None,
) -> Any:
    """One patient's fitted dose-response curve (and points) over the cohort's curves of the drug.

    The other samples' fitted curves are drawn faint, each over the doses it was tested at; the
    cohort's median fitted viability and its ``band`` quantiles (default the interquartile range)
    are shaded behind the patient's curve (dark, with its measured points when ``screen`` is given).

    Parameters
    ----------
    curves
        Output of :func:`oncoresist.tl.fit_curves` for the cohort (or ``mdata.uns['curves']['table']``).
    sample, drug
        The patient's sample and the drug.
    screen
        The long screen (``sample, drug, dose, response``; ``mdata.uns['dose_response']``) for the points.
    band
        Lower and upper quantile of the shaded cohort band.
    {doc_ax}

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (dose in µM, log scale; viability as fraction of control).

    Examples
    --------
    >>> from oncoresist import ds
    >>> from oncoresist.tl import fit_curves
    >>> screen = ds.example_screen({"P1": 0.1, "S2": 1.0, "S3": 3.0}, drugs=["D1"])  # sample -> IC50
    >>> ax = patient_dose_response(fit_curves(screen), sample="P1", drug="D1", screen=screen)
    """
    c = _check_curves(curves)
    c = c[c["drug"].astype(str) == str(drug)]
    mine = c[c["sample"].astype(str) == str(sample)]
    if mine.empty:
        msg = f"no curve of sample {sample!r} for drug {drug!r} in the curves table; fit the patient's screen with tl.fit_curves first."
        raise InputError(msg)
    ax = figure_axes(ax, (3.4, 2.8))[1]
    _draw_cohort(ax, _fitted(c[c["sample"].astype(str) != str(sample)]), band)
    _draw_patient(ax, mine.iloc[[0]], screen, str(sample), str(drug))
    ax.set_xscale("log")
    ax.set_ylim(-0.05, max(1.25, ax.get_ylim()[1]))
    ax.set_xlabel("dose (µM)", fontsize=8)
    ax.set_ylabel("viability (fraction of control)", fontsize=8)
    ax.set_title(str(drug), fontsize=9)
    ax.tick_params(labelsize=7)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def _draw_cohort(ax: Any, cohort: pd.DataFrame, band: tuple[float, float]) -> None:
    """Faint cohort curves, and their median with the quantile band on a common dose grid."""
    if cohort.empty:
        return
    grid = np.logspace(np.log10(cohort["dose_min_uM"].min()), np.log10(cohort["dose_max_uM"].max()), 100)
    vals = _cohort_band(cohort, grid)
    from matplotlib.collections import LineCollection

    # one collection, not 200 lines: a patient page draws six of these panels
    segs = [np.column_stack([grid, row]) for row in vals[:200]]
    ax.add_collection(LineCollection(segs, colors="#9aa5b5", linewidths=0.5, alpha=0.25, zorder=1))
    n = np.isfinite(vals).sum(axis=0)
    keep = n >= 2
    if keep.any():
        with np.errstate(all="ignore"):
            q = np.nanquantile(vals[:, keep], [band[0], 0.5, band[1]], axis=0)
        label = f"cohort median, {band[0]:.0%}-{band[1]:.0%} band (n = {len(cohort)})"
        ax.fill_between(grid[keep], q[0], q[2], color="#c9d1de", alpha=0.6, lw=0, zorder=2)
        ax.plot(grid[keep], q[1], color="#5b6577", lw=1.2, ls="--", zorder=2, label=label)


def _draw_patient(ax: Any, mine: pd.DataFrame, screen: pd.DataFrame | None, sample: str, drug: str) -> None:
    """The patient's measured points and fitted curve, drawn on top."""
    from ..tl.screen._curves import hill_response

    if screen is not None:
        pts = screen[(screen["sample"].astype(str) == sample) & (screen["drug"].astype(str) == drug) & (screen["dose"] > 0)]
        ax.scatter(pts["dose"], pts["response"], s=14, color="#1d2430", zorder=4, label="patient (measured)")
    if not _fitted(mine).empty:
        lo, hi = float(mine["dose_min_uM"].iloc[0]), float(mine["dose_max_uM"].iloc[0])
        grid = np.logspace(np.log10(lo), np.log10(hi), 100)
        ax.plot(grid, hill_response(mine, grid)[0], color="#c0392b", lw=2, zorder=5, label="patient (fit)")


#: Colour-bar note by the declared orientation of the drawn metric.
_ORIENTATION_LABEL = {"resistant": " (lower = more sensitive)", "sensitive": " (higher = more sensitive)"}


def _orientation(data: Any, value: str) -> str | None:
    """What a higher ``value`` means: declared in the drug AnnData (``get.higher_is``), else by the metric name."""
    if isinstance(data, pd.DataFrame):
        from ..tl import metric_higher_is

        return metric_higher_is(value, warn=False)
    from ..get import higher_is

    return higher_is(data, layer=None if value == "X" else value)


@doc_params(doc_returns=DOC_RETURNS_FIGURE)
def sensitivity_heatmap(
    data: Any,
    *,
    value: str = "auc",
    cluster: bool = True,
    max_samples: int = 200,
    row_labels: bool | None = None,
    ax: Any = None,
) -> Figure:
    """Samples x drugs heatmap of a sensitivity metric (not screened = grey).

    Parameters
    ----------
    data
        The ``drug`` modality (AnnData; ``value`` is a layer or ``"X"``) or a
        :func:`oncoresist.tl.fit_curves` table (``value`` is a column).
    value
        Metric to show (``auc``, ``aac``, ``log10_ic50``, ``dss2`` ...).
    cluster
        Order samples and drugs by hierarchical clustering (average linkage, correlation
        distance on mean-imputed values).
    max_samples
        Show at most this many samples (the most variable).
    row_labels
        Print sample names (default: when at most 60 samples).

    ax
        Axes to draw into (default: a new figure).

    {doc_returns}

    Examples
    --------
    >>> from oncoresist import ds
    >>> from oncoresist.tl import fit_curves
    >>> fig = sensitivity_heatmap(fit_curves(ds.example_screen({"A": 0.1, "B": 2.0}, drugs=["D1", "D2"])))
    """
    if isinstance(data, pd.DataFrame):
        if value not in data.columns:
            msg = f"value {value!r} is not a column of the curves table; pick one of auc, aac, log10_ic50, dss1-3, ..."
            raise InputError(msg)
        ok = data["status"] == "ok" if "status" in data.columns else np.ones(len(data), bool)
        mat = data.loc[ok].pivot_table(index="sample", columns="drug", values=value, aggfunc="first")
    else:
        layers = getattr(data, "layers", None)
        if layers is None:
            msg = f"data must be the drug AnnData or a fit_curves table, got {type(data).__name__}."
            raise InputError(msg)
        if value == "X":
            x = np.asarray(data.X, dtype=float)
        elif value in layers:
            x = np.asarray(layers[value], dtype=float)
        else:
            msg = f"layer {value!r} not in the drug modality (layers: {', '.join(layers.keys())})."
            raise InputError(msg)
        mat = pd.DataFrame(x, index=data.obs_names, columns=data.var_names)
    mat = mat.replace([np.inf, -np.inf], np.nan).dropna(how="all").dropna(axis=1, how="all")
    if mat.empty:
        msg = f"no finite {value!r} values to draw."
        raise InputError(msg)
    if len(mat) > max_samples:
        mat = mat.loc[mat.var(axis=1).sort_values(ascending=False).index[:max_samples]]
    if cluster and min(mat.shape) > 2:
        from scipy.cluster.hierarchy import leaves_list, linkage

        filled = mat.fillna(mat.mean())
        filled = filled.fillna(0.0)

        def order(m: np.ndarray) -> np.ndarray:
            sd = m.std(axis=1)
            if (sd == 0).any():
                m = m + np.random.default_rng(0).normal(0, 1e-9, m.shape)
            return leaves_list(linkage(m, method="average", metric="correlation"))

        mat = mat.iloc[order(filled.to_numpy()), order(filled.to_numpy().T)]
    show_rows = len(mat) <= 60 if row_labels is None else row_labels
    fig, ax = figure_axes(ax, (1.6 + 0.32 * mat.shape[1], 1.4 + (0.16 if show_rows else 0.03) * len(mat) + 1.0))
    cmap = plt.get_cmap("viridis").copy()
    cmap.set_bad("#dddddd")
    im = ax.imshow(np.ma.masked_invalid(mat.to_numpy(dtype=float)), aspect="auto", cmap=cmap, interpolation="nearest")
    ax.set_xticks(range(mat.shape[1]), mat.columns, rotation=90, fontsize=7)
    if show_rows:
        ax.set_yticks(range(len(mat)), mat.index, fontsize=6)
    else:
        ax.set_yticks([])
        ax.set_ylabel(f"{len(mat)} samples")
    cb = fig.colorbar(im, ax=ax, fraction=0.04, pad=0.02)
    cb.set_label(value + _ORIENTATION_LABEL.get(_orientation(data, value) or "", ""), fontsize=8)
    ax.set_title(f"Drug sensitivity ({value})", fontsize=10)
    fig.tight_layout()
    return fig


def _block_matrix(per_well: pd.DataFrame, block: str, method: str) -> tuple[pd.DataFrame, str, str]:
    if not isinstance(per_well, pd.DataFrame) or not {"block", "conc1", "conc2"} <= set(per_well.columns):
        msg = "per_well must be the per-well table returned by oncoresist.tl.synergy."
        raise InputError(msg)
    if method not in per_well.columns:
        msg = f"method {method!r} was not scored (columns: {', '.join(c for c in ('zip', 'bliss', 'hsa', 'loewe') if c in per_well.columns)})."
        raise InputError(msg)
    w = per_well[per_well["block"].astype(str) == str(block)]
    if w.empty:
        msg = f"block {block!r} is not in the per-well table (blocks: {', '.join(map(str, pd.unique(per_well['block'])[:8]))})."
        raise InputError(msg)
    mat = w.pivot_table(index="conc1", columns="conc2", values=method, aggfunc="first").sort_index().sort_index(axis=1)
    return mat, str(w["drug1"].iloc[0]), str(w["drug2"].iloc[0])


_DOC_BLOCK = """per_well
    Per-well table of :func:`oncoresist.tl.synergy`.
block
    The block to draw.
method
    ``zip``, ``bliss``, ``hsa`` or ``loewe``."""

@doc_params(doc_ax=DOC_AX, doc_block=_DOC_BLOCK, doc_example=_DOC_EXAMPLE)
def synergy_heatmap(per_well: pd.DataFrame, *, block: str, method: str = "zip", ax: Any = None) -> Figure:
    """Dose-matrix heatmap of a block's synergy scores (red = synergy, blue = antagonism).

    Parameters
    ----------
    {doc_block}
    {doc_ax}

    Examples
    --------
    {doc_example}
    >>> fig = synergy_heatmap(wells, block="B1")
    """
    mat, d1, d2 = _block_matrix(per_well, block, method)
    fig, ax = figure_axes(ax, (0.55 * mat.shape[1] + 2.2, 0.45 * mat.shape[0] + 1.6))
    vals = mat.to_numpy(dtype=float)
    lim = max(10.0, float(np.nanmax(np.abs(vals))) if np.isfinite(vals).any() else 10.0)
    im = ax.imshow(np.ma.masked_invalid(vals), cmap="RdBu_r", norm=TwoSlopeNorm(0.0, -lim, lim), origin="lower", aspect="auto")
    for (i, j), v in np.ndenumerate(vals):
        if np.isfinite(v):
            ax.text(j, i, f"{v:.0f}", ha="center", va="center", fontsize=6, color="black" if abs(v) < 0.6 * lim else "white")
    ax.set_xticks(range(mat.shape[1]), [f"{c:.3g}" for c in mat.columns], rotation=90, fontsize=7)
    ax.set_yticks(range(mat.shape[0]), [f"{c:.3g}" for c in mat.index], fontsize=7)
    ax.set_xlabel(f"{d2} (µM)", fontsize=8)
    ax.set_ylabel(f"{d1} (µM)", fontsize=8)
    mean = np.nanmean(vals[1:, 1:]) if vals.shape[0] > 1 and vals.shape[1] > 1 else np.nan
    ax.set_title(f"{block}: {d1} + {d2}\n{method.upper()} {mean:.1f}", fontsize=9)
    fig.colorbar(im, ax=ax, fraction=0.05, pad=0.02).set_label(f"{method} score", fontsize=8)
    tidy(fig)
    return fig


@doc_params(doc_returns=DOC_RETURNS_FIGURE, doc_block=_DOC_BLOCK)
def synergy_surface(per_well: pd.DataFrame, *, block: str, method: str = "zip", ax: Any = None) -> Figure:
    """3-D synergy landscape of one block over the (log-spaced) dose grid.

    Parameters
    ----------
    {doc_block}
    ax
        A 3-D axes to draw into (``fig.add_subplot(projection="3d")``; default: a new figure).

    {doc_returns}
    """
    mat, d1, d2 = _block_matrix(per_well, block, method)
    vals = mat.to_numpy(dtype=float)
    if ax is None:
        fig = plt.figure(figsize=(5.2, 4.2))
        ax = fig.add_subplot(projection="3d")
    elif getattr(ax, "name", "") != "3d":
        msg = f"synergy_surface draws a 3-D surface: pass ax=fig.add_subplot(projection='3d'), not a {getattr(ax, 'name', type(ax).__name__)!r} axes."
        raise InputError(msg)
    else:
        fig = ax.figure
    jj, ii = np.meshgrid(np.arange(mat.shape[1]), np.arange(mat.shape[0]))
    lim = max(10.0, float(np.nanmax(np.abs(vals))) if np.isfinite(vals).any() else 10.0)
    ax.plot_surface(jj, ii, np.nan_to_num(vals), cmap="RdBu_r", norm=TwoSlopeNorm(0.0, -lim, lim), edgecolor="#555555", linewidth=0.3)
    ax.set_xticks(range(mat.shape[1]), [f"{c:.2g}" for c in mat.columns], fontsize=6)
    ax.set_yticks(range(mat.shape[0]), [f"{c:.2g}" for c in mat.index], fontsize=6)
    ax.set_xlabel(f"{d2} (µM)", fontsize=7)
    ax.set_ylabel(f"{d1} (µM)", fontsize=7)
    ax.set_zlabel(f"{method} score", fontsize=7)
    ax.set_zlim(-lim, lim)
    ax.set_title(f"{block}: {d1} + {d2}", fontsize=9)
    return fig


@doc_params(doc_returns=DOC_RETURNS_FIGURE)
def synergy_matrices(
    per_well: pd.DataFrame,
    summary: pd.DataFrame,
    *,
    method: str = "zip",
    blocks: Sequence[str] | None = None,
    max_blocks: int = 6,
    ncols: int = 3,
    fig: Any = None,
) -> Figure:
    """Heatmaps of several blocks side by side, by default the most synergistic ones.

    Parameters
    ----------
    per_well, summary
        The two tables of :func:`oncoresist.tl.synergy`.
    method
        Score to draw and rank by.
    blocks
        Blocks to draw (default: the ``max_blocks`` with the highest mean ``method`` score).
    max_blocks, ncols
        Panel cap and columns.
    fig
        Figure or subfigure (``plt.figure().subfigures(...)``) to draw the panels into; default: a new figure.

    {doc_returns}
    """
    if method not in summary.columns:
        msg = f"method {method!r} is not in the synergy summary."
        raise InputError(msg)
    if blocks is None:
        ok = summary[summary["status"] == "ok"] if "status" in summary.columns else summary
        ranked = ok.sort_values(method, ascending=False)
        blocks = ranked["block"].astype(str).head(max_blocks).tolist()
    blocks = list(blocks)[:max_blocks]
    n = max(len(blocks), 1)
    ncols = max(1, min(ncols, n))
    nrows = int(np.ceil(n / ncols))
    fig, axes = subplots(fig, nrows, ncols, figsize=(4.2 * ncols, 3.6 * nrows), squeeze=False)
    for ax, b in zip(axes.ravel(), blocks):
        synergy_heatmap(per_well, block=b, method=method, ax=ax)
    for ax in axes.ravel()[len(blocks):]:
        ax.axis("off")
    tidy(fig)
    return fig

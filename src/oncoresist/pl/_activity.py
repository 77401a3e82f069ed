"""Activity figures: heatmap by group, one sample's z-scores against the cohort, activity vs response."""

from __future__ import annotations

from typing import Any

import matplotlib

matplotlib.use("Agg", force=False)
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from .._core._docs import DOC_AX, doc_params  # noqa: E402
from .._core._errors import InputError  # noqa: E402
from ._axes import figure_axes  # noqa: E402

__all__ = ["activity_bar", "activity_heatmap", "activity_response"]


@doc_params(doc_ax=DOC_AX)
def activity_heatmap(table: pd.DataFrame, groups: pd.Series | None = None, *, top: int = 25, ax: Any = None) -> Figure:
    """Heatmap of activities (sources x samples, or x group means when ``groups`` is given).

    Parameters
    ----------
    table
        Samples x sources activity scores (e.g. ``mdata['act_progeny'].to_df()``).
    groups
        Group per sample (e.g. ``obs['subtype']``); columns become the group means.
    top
        Sources shown (most variable across the columns first).
    {doc_ax}

    Examples
    --------
    >>> t = pd.DataFrame(np.arange(6.0).reshape(3, 2), index=["a", "b", "c"], columns=["MAPK", "PI3K"])
    >>> activity_heatmap(t, pd.Series(["x", "x", "y"], index=t.index)).axes[0].get_title()
    'Mean activity by group'
    """
    if table.shape[0] == 0 or table.shape[1] == 0:
        raise InputError("activity_heatmap: the activity table is empty; run oncoresist.tl.activity first.")
    cols = table.T
    title = "Activity per sample"
    if groups is not None:
        g = pd.Series(groups).reindex(table.index).astype("string").fillna("unknown")
        cols = table.groupby(g.to_numpy()).mean().T
        title = "Mean activity by group"
    order = cols.var(axis=1).fillna(0).sort_values(ascending=False).index[:top]
    cols = cols.loc[order]
    fig, ax = figure_axes(ax, (max(4.0, 0.35 * cols.shape[1] + 3), max(3.0, 0.28 * len(order) + 1.5)))
    lim = float(np.nanmax(np.abs(cols.to_numpy(dtype=float)))) or 1.0
    im = ax.imshow(cols.to_numpy(dtype=float), aspect="auto", cmap="RdBu_r", vmin=-lim, vmax=lim)
    ax.set_yticks(range(len(order)), [str(o) for o in order], fontsize=7)
    ax.set_xticks(range(cols.shape[1]), [str(c) for c in cols.columns], rotation=90, fontsize=7)
    ax.set_title(title)
    fig.colorbar(im, ax=ax, label="activity")
    return fig


@doc_params(doc_ax=DOC_AX)
def activity_bar(z: pd.Series, *, top: int = 8, sample: str = "", ax: Any = None) -> Figure:
    """Bar plot of one sample's activity z-scores against its cohort: the ``top`` up and down sources.

    Parameters
    ----------
    z
        Z-score per source (from :func:`oncoresist.report.activity_zscores`).
    top
        Sources shown each way.
    sample
        Sample name for the title.
    {doc_ax}

    Examples
    --------
    >>> activity_bar(pd.Series({"MAPK": 2.5, "PI3K": -1.0}), sample="P1").axes[0].get_xlabel()
    'z-score against the cohort'
    """
    z = pd.Series(z, dtype=float).dropna().sort_values()
    if z.empty:
        raise InputError("activity_bar: no finite z-score; the sample needs activities and a cohort with >= 3 samples.")
    shown = pd.concat([z.head(top), z.tail(top)])
    shown = shown[~shown.index.duplicated()]
    fig, ax = figure_axes(ax, (5.0, max(2.5, 0.3 * len(shown) + 1)))
    ax.barh(range(len(shown)), shown.to_numpy(), color=["#b2182b" if v > 0 else "#2166ac" for v in shown])
    ax.set_yticks(range(len(shown)), [str(i) for i in shown.index], fontsize=7)
    ax.axvline(0, color="k", lw=0.8)
    ax.set_xlabel("z-score against the cohort")
    ax.set_title(f"Activities standing out{': ' + sample if sample else ''}")
    return fig


@doc_params(doc_ax=DOC_AX)
def activity_response(values: pd.Series, response: pd.Series, *, source: str = "", drug: str = "", ax: Any = None) -> Figure:
    """Scatter of one activity against drug response over the samples with both (Spearman rho in the title).

    Parameters
    ----------
    values
        Activity per sample.
    response
        Response per sample (e.g. AUC or log IC50).
    source, drug
        Labels of the axes.
    {doc_ax}

    Examples
    --------
    >>> v = pd.Series([1.0, 2, 3, 4], index=list("abcd"))
    >>> activity_response(v, v * 2, source="MAPK", drug="d").axes[0].get_title()
    'MAPK vs d: Spearman rho = 1.00 (n = 4)'
    """
    from scipy import stats

    both = pd.concat([pd.Series(values, dtype=float), pd.Series(response, dtype=float)], axis=1, join="inner").dropna()
    if len(both) < 3:
        raise InputError(f"activity_response: {len(both)} sample(s) have both the activity and the response; need >= 3.")
    rho = stats.spearmanr(both.iloc[:, 0], both.iloc[:, 1]).statistic
    fig, ax = figure_axes(ax, (4.0, 3.5))
    ax.scatter(both.iloc[:, 0], both.iloc[:, 1], s=14, alpha=0.8)
    ax.set_xlabel(f"{source or 'activity'}")
    ax.set_ylabel(f"{drug or 'response'}")
    ax.set_title(f"{source or 'activity'} vs {drug or 'response'}: Spearman rho = {rho:.2f} (n = {len(both)})")
    return fig

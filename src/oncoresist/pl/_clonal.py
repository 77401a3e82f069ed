"""Clonal figures: CCF scatter between samples coloured by cluster."""

from __future__ import annotations

import itertools
from typing import Any

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from .._core._docs import DOC_RETURNS_FIGURE, doc_params  # noqa: E402
from .._core._errors import InputError  # noqa: E402
from ._axes import subplots  # noqa: E402

__all__ = ["ccf_scatter"]


def _wide(ccf: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Mutations x samples CCF matrix and each mutation's cluster (-1 when not given)."""
    need = {"mutation_id", "sample_id", "ccf"}
    if not need <= set(ccf.columns):
        msg = f"ccf_scatter needs columns {', '.join(sorted(need))} (from tl.cancer_cell_fractions); found {', '.join(map(str, ccf.columns))}."
        raise InputError(msg)
    wide = ccf.pivot_table(index="mutation_id", columns="sample_id", values="ccf", aggfunc="first", sort=False)
    if "cluster" in ccf.columns:
        cl = ccf.groupby("mutation_id", sort=False)["cluster"].first().reindex(wide.index)
    else:
        cl = pd.Series(-1, index=wide.index)
    return wide, cl.fillna(-1).astype(int)


def _draw_pair(ax: plt.Axes, wide: pd.DataFrame, cl: pd.Series, x: str, y: str, clusters: pd.DataFrame | None) -> None:
    """One panel: CCF in sample x against sample y, one colour per cluster, centres as crosses."""
    cmap = plt.get_cmap("tab10")
    for k in sorted(cl.unique()):
        sel = (cl == k).to_numpy()
        ax.scatter(wide.loc[sel, x], wide.loc[sel, y], s=8, alpha=0.5, color=cmap(k % 10) if k >= 0 else "#777777",
                   label=f"cluster {k} (n={int(sel.sum())})" if k >= 0 else "mutations", linewidths=0)
    if clusters is not None and len(clusters):
        cen = clusters.pivot(index="cluster", columns="sample_id", values="ccf")
        for k, row in cen.iterrows():
            ax.scatter(row[x], row[y], marker="X", s=90, color=cmap(int(k) % 10), edgecolors="black", linewidths=0.8)
    ax.set(xlim=(-0.03, 1.05), ylim=(-0.03, 1.05), xlabel=f"CCF {x}", ylabel=f"CCF {y}")


@doc_params(doc_returns=DOC_RETURNS_FIGURE)
def ccf_scatter(ccf: pd.DataFrame, clusters: pd.DataFrame | None = None, *, max_pairs: int = 6, fig: Any = None) -> Figure:
    """Scatter of cancer cell fractions between pairs of samples, coloured by cluster.

    With one sample, a strip plot of the CCFs per cluster is drawn instead.

    Parameters
    ----------
    ccf
        Per (mutation, sample) table with ``mutation_id``, ``sample_id``, ``ccf`` and optionally
        ``cluster`` (:func:`oncoresist.tl.cancer_cell_fractions` plus the clusters of
        :func:`oncoresist.tl.cluster_mutations`).
    clusters
        Per (cluster, sample) CCFs (``ClonalClusters.clusters``), drawn as crosses.
    max_pairs
        At most this many sample pairs (the first samples' pairs).
    fig
        Figure or subfigure (``plt.figure().subfigures(...)``) to draw the panels into; default: a new figure.

    {doc_returns}

    Examples
    --------
    >>> t = pd.DataFrame({"mutation_id": ["a", "a", "b", "b"], "sample_id": ["R1", "R2"] * 2,
    ...                   "ccf": [1.0, 0.9, 0.3, 0.0], "cluster": [0, 0, 1, 1]})
    >>> fig = ccf_scatter(t)
    """
    wide, cl = _wide(ccf)
    samples = list(wide.columns)
    if len(samples) == 1:
        fig, ax = subplots(fig, figsize=(5, 3.5))
        rng = np.random.default_rng(0)
        ax.scatter(cl + rng.uniform(-0.25, 0.25, len(cl)), wide.iloc[:, 0], s=8, alpha=0.5, c=cl % 10, cmap="tab10", vmin=0, vmax=9)
        ax.set(xlabel="cluster", ylabel=f"CCF {samples[0]}", ylim=(-0.03, 1.05))
        return fig
    pairs = list(itertools.combinations(samples, 2))[: max(1, int(max_pairs))]
    ncol = min(3, len(pairs))
    nrow = int(np.ceil(len(pairs) / ncol))
    fig, axes = subplots(fig, nrow, ncol, figsize=(3.6 * ncol, 3.4 * nrow), squeeze=False)
    for ax, (x, y) in zip(axes.ravel(), pairs, strict=False):
        _draw_pair(ax, wide, cl, x, y, clusters)
    for ax in axes.ravel()[len(pairs):]:
        ax.set_axis_off()
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.suptitle("Cancer cell fractions by cluster")
    if hasattr(fig, "tight_layout"):  # a subfigure is laid out by its parent
        fig.tight_layout(rect=(0, 0, 0.85, 1))
    fig.legend(handles, labels, fontsize=7, loc="center right", markerscale=1.5, frameon=False)
    return fig

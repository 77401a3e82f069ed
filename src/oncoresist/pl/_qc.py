"""Cohort QC figures: which samples have which layers, missingness, value distributions."""

from __future__ import annotations

from collections import Counter
from typing import Any

import matplotlib

matplotlib.use("Agg", force=False)
import mudata as md  # noqa: E402
import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from ._axes import subplots, tidy  # noqa: E402

__all__ = ["sample_overlap", "missingness", "layer_distributions"]


def _dense(X: object) -> np.ndarray:
    if sp.issparse(X):
        return np.asarray(X.toarray(), dtype=float)  # type: ignore[union-attr]
    return np.asarray(X, dtype=float)


def sample_overlap(mdata: md.MuData, *, max_sets: int = 15, fig: Any = None) -> Figure:
    """UpSet-style plot: how many samples have each combination of layers.

    Parameters
    ----------
    mdata
        The cohort.
    max_sets
        Show the ``max_sets`` most frequent layer combinations.
    fig
        Figure or subfigure (``plt.figure().subfigures(...)``) to draw the panels into; default: a new figure.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from oncoresist.ds import simulate_cohort  # doctest: +SKIP
    >>> fig = sample_overlap(simulate_cohort(30, seed=0).mdata)  # doctest: +SKIP
    """
    layers = list(mdata.mod)
    members = {k: set(m.obs_names) for k, m in mdata.mod.items()}
    combos = Counter(tuple(k for k in layers if s in members[k]) for s in mdata.obs_names)
    top = combos.most_common(max_sets)
    fig, (ax_bar, ax_dot) = subplots(
        fig, 2, 1, figsize=(max(4.0, 0.45 * len(top) + 2), 1.2 + 0.35 * len(layers) + 2.2),
        gridspec_kw={"height_ratios": [2.2, 0.35 * len(layers) + 0.3]}, sharex=True,
    )
    x = np.arange(len(top))
    counts = [c for _, c in top]
    ax_bar.bar(x, counts, color="#3b6ea5")
    for xi, c in zip(x, counts, strict=True):
        ax_bar.text(xi, c, str(c), ha="center", va="bottom", fontsize=8)
    ax_bar.set_ylabel("samples")
    ax_bar.set_title(f"Layers per sample ({mdata.n_obs} samples)")
    ax_bar.spines[["top", "right"]].set_visible(False)
    for xi, (combo, _) in enumerate(top):
        ys = [layers.index(k) for k in combo]
        ax_dot.scatter([xi] * len(layers), range(len(layers)), color="#d0d0d0", s=30, zorder=1)
        ax_dot.scatter([xi] * len(ys), ys, color="#222222", s=30, zorder=2)
        if len(ys) > 1:
            ax_dot.plot([xi, xi], [min(ys), max(ys)], color="#222222", lw=1.5, zorder=1)
    ax_dot.set_yticks(range(len(layers)), [f"{k} ({len(members[k])})" for k in layers])
    ax_dot.set_xticks([])
    ax_dot.invert_yaxis()
    ax_dot.spines[["top", "right", "bottom"]].set_visible(False)
    tidy(fig)
    return fig


def missingness(mdata: md.MuData, *, fig: Any = None) -> Figure:
    """Per layer: distribution of the per-sample fraction of missing values, and per-feature.

    Samples absent from a layer are not counted here (see :func:`sample_overlap`).

    Parameters
    ----------
    mdata
        The cohort.
    fig
        Figure or subfigure (``plt.figure().subfigures(...)``) to draw the panels into; default: a new figure.

    Returns
    -------
    matplotlib.figure.Figure
        The figure (``fig`` when given).

    Examples
    --------
    >>> import anndata as ad, matplotlib.pyplot as plt, mudata as md, numpy as np
    >>> f = missingness(md.MuData({"rna": ad.AnnData(np.ones((3, 2)))}), fig=plt.figure())
    """
    layers = list(mdata.mod)
    per_sample, per_feature = [], []
    for k in layers:
        X = _dense(mdata.mod[k].X)
        nan = np.isnan(X)
        per_sample.append(nan.mean(axis=1) if X.size else np.array([np.nan]))
        per_feature.append(nan.mean(axis=0) if X.size else np.array([np.nan]))
    fig, axes = subplots(fig, 1, 2, figsize=(9, 0.5 * len(layers) + 1.8), sharey=True)
    for ax, data, label in zip(axes, (per_sample, per_feature), ("per sample", "per feature"), strict=True):
        ax.boxplot(data, orientation="horizontal", widths=0.6, showfliers=True, flierprops={"markersize": 2})
        ax.set_xlabel(f"fraction missing ({label})")
        ax.set_xlim(-0.02, 1.02)
        ax.spines[["top", "right"]].set_visible(False)
    axes[0].set_yticks(range(1, len(layers) + 1), layers)
    fig.suptitle("Missing values by layer")
    tidy(fig)
    return fig


def layer_distributions(mdata: md.MuData, *, max_samples: int = 60, random_state: int = 0, fig: Any = None) -> Figure:
    """Per layer: value distribution of each sample (boxplots), to spot outliers and scale issues.

    At most ``max_samples`` samples per layer are drawn (seeded), so large cohorts stay readable.
    Binary layers (mutations) are shown as the number of altered features per sample; count
    layers (non-negative integers above 100) on a ``log1p`` scale.

    Parameters
    ----------
    mdata
        The cohort.
    max_samples
        Samples drawn per layer at most.
    random_state
        Seed of the sample draw.
    fig
        Figure or subfigure (``plt.figure().subfigures(...)``) to draw the panels into; default: a new figure.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per layer, drawn into ``fig`` when given.

    Examples
    --------
    >>> import anndata as ad, matplotlib.pyplot as plt, mudata as md, numpy as np
    >>> import pandas as pd
    >>> left, right = plt.figure().subfigures(1, 2)
    >>> cnv = ad.AnnData(np.zeros((3, 4)), var=pd.DataFrame(index=list("abcd")))
    >>> cohort = md.MuData({"rna": ad.AnnData(np.ones((3, 2))), "cnv": cnv})
    >>> len(layer_distributions(cohort, max_samples=2, fig=right).axes)
    2
    """
    rng = np.random.default_rng(random_state)
    layers = list(mdata.mod)
    fig, axes = subplots(fig, len(layers), 1, figsize=(9, 1.7 * len(layers) + 0.5), squeeze=False)
    for ax, k in zip(axes[:, 0], layers, strict=True):
        m = mdata.mod[k]
        X = _dense(m.X)
        idx = np.arange(m.n_obs)
        if len(idx) > max_samples:
            idx = np.sort(rng.choice(idx, max_samples, replace=False))
        X = X[idx]
        finite = X[np.isfinite(X)]
        binary = finite.size > 0 and np.isin(finite, (0.0, 1.0)).all()
        if binary:
            ax.bar(np.arange(len(idx)), np.nansum(X, axis=1), color="#3b6ea5")
            ax.set_ylabel(f"{k}\naltered", fontsize=8)
        else:
            counts = finite.size > 0 and finite.min() >= 0 and np.allclose(finite[:5000], np.round(finite[:5000])) and finite.max() > 100
            if counts:  # raw counts / intensities: show on a log scale
                X = np.log1p(X)
            data = [row[np.isfinite(row)] for row in X]
            data = [d if d.size else np.array([np.nan]) for d in data]
            ax.boxplot(data, showfliers=False, widths=0.7)
            ax.set_ylabel(f"{k}\nlog1p" if counts else k, fontsize=8)
        ax.set_xticks([])
        ax.spines[["top", "right"]].set_visible(False)
    axes[-1, 0].set_xlabel("samples")
    fig.suptitle("Values per sample, by layer")
    tidy(fig)
    return fig

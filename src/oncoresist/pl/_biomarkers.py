"""Genome-wide biomarker figures: TMB distribution, MSI score against indel count."""

from __future__ import annotations

from typing import Any

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from ._axes import subplots, tidy  # noqa: E402

__all__ = ["genome_biomarkers"]


def _column(obs: pd.DataFrame, name: str) -> np.ndarray | None:
    """Finite values of a numeric sample column, or None when absent / empty."""
    if name not in obs.columns:
        return None
    vals = pd.to_numeric(obs[name], errors="coerce").to_numpy(dtype=float)
    return vals if np.isfinite(vals).any() else None


def _tmb_panel(ax: plt.Axes, tmb: np.ndarray, cutoff: float) -> None:
    """Histogram of TMB on a log axis with the TMB-high cut-off."""
    vals = tmb[np.isfinite(tmb)]
    floor = max(float(np.min(vals[vals > 0])) / 2 if (vals > 0).any() else 0.01, 1e-3)
    shown = np.clip(vals, floor, None)
    bins = np.logspace(np.log10(floor), np.log10(max(shown.max(), cutoff) * 1.1), 25)
    ax.hist(shown, bins=bins.tolist(), color="#4c72b0", edgecolor="white")
    ax.set_xscale("log")
    ax.axvline(cutoff, color="#c44e52", linestyle="--", label=f"TMB-high >= {cutoff:g}/Mb")
    ax.set(xlabel="TMB (mutations / Mb, log scale)", ylabel="samples", title="Tumour mutational burden")
    ax.legend(frameon=False, fontsize=8)


def _msi_panel(ax: plt.Axes, obs: pd.DataFrame, msi: np.ndarray) -> None:
    """MSI score against the number of indels (or TMB), MSI-high samples marked."""
    other = "n_indel" if _column(obs, "n_indel") is not None else "tmb"
    x = pd.to_numeric(obs[other], errors="coerce").to_numpy(dtype=float) if other in obs.columns else np.arange(len(msi), dtype=float)
    high = obs["msi_high"].fillna(False).to_numpy(dtype=bool) if "msi_high" in obs.columns else np.zeros(len(msi), dtype=bool)
    ax.scatter(x[~high], msi[~high], s=14, color="#8c8c8c", label="MSS")
    ax.scatter(x[high], msi[high], s=18, color="#dd8452", label="MSI-high")
    ax.set(xlabel="indels" if other == "n_indel" else "TMB (/ Mb)" if other == "tmb" else "sample",
           ylabel="MSI score (indels / Mb)", title="MSI score")
    ax.legend(frameon=False, fontsize=8)


def genome_biomarkers(obs: pd.DataFrame, *, tmb_cutoff: float = 10.0, fig: Any = None) -> Figure:
    """TMB distribution (log scale, TMB-high cut-off) and MSI score against indels, from sample columns.

    Parameters
    ----------
    obs
        A sample table with ``tmb`` and / or ``msi_score`` (+ ``msi_high``, ``n_indel``), e.g.
        the cohort's ``obs`` after :func:`oncoresist.tl.add_biomarkers`.
    tmb_cutoff
        The TMB-high line (10 / Mb, FDA).
    fig
        Figure or subfigure (``plt.figure().subfigures(...)``) to draw the panels into; default: a new figure.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per biomarker present.

    Examples
    --------
    >>> obs = pd.DataFrame({"tmb": [1.0, 3.0, 25.0], "msi_score": [0.1, 0.2, 1.5], "msi_high": [False, False, True]})
    >>> len(genome_biomarkers(obs).axes)
    2
    """
    tmb, msi = _column(obs, "tmb"), _column(obs, "msi_score")
    panels = [p for p, v in (("tmb", tmb), ("msi", msi)) if v is not None]
    fig, axes = subplots(fig, 1, max(1, len(panels)), figsize=(4.6 * max(1, len(panels)), 3.4), squeeze=False)
    for ax, panel in zip(axes[0], panels, strict=False):
        if panel == "tmb":
            _tmb_panel(ax, tmb, tmb_cutoff)  # type: ignore[arg-type]
        else:
            _msi_panel(ax, obs, msi)  # type: ignore[arg-type]
    if not panels:
        axes[0, 0].set_axis_off()
        axes[0, 0].text(0.5, 0.5, "no tmb / msi_score column", ha="center", va="center")
    tidy(fig)
    return fig

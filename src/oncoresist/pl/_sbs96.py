"""SBS-96 mutational profile of one sample (bars coloured by the six substitution classes)."""

from __future__ import annotations

from typing import Any

import matplotlib

matplotlib.use("Agg", force=False)
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from .._core._errors import InputError  # noqa: E402
from ._axes import figure_axes  # noqa: E402

__all__ = ["sbs96_profile"]

_CLASS_COLOURS = {"C>A": "#1ebff0", "C>G": "#050708", "C>T": "#e62725", "T>A": "#cbcacb", "T>C": "#a1cf64", "T>G": "#edc8c5"}


def sbs96_profile(counts: pd.Series, *, sample: str = "", ax: Any = None) -> Figure:
    """Bar plot of a sample's SBS-96 catalogue (channels ``N[X>Y]N``), one colour per substitution class.

    Parameters
    ----------
    counts
        Count per SBS-96 channel (a row of ``mdata['signatures'].obsm['sbs96']``).
    sample
        Sample name for the title.
    ax
        Axes receiving the bars (default: a new figure).

    Returns
    -------
    matplotlib.figure.Figure
        The profile's figure.

    Examples
    --------
    >>> from oncoresist.tl.biomarkers._signatures import SBS96_CHANNELS
    >>> fig = sbs96_profile(pd.Series(1.0, index=list(SBS96_CHANNELS)), sample="P1")
    >>> len(fig.axes[0].patches)
    96
    """
    counts = pd.Series(counts, dtype=float)
    bad = [c for c in counts.index if len(str(c)) != 7 or str(c)[1] != "[" or str(c)[3:4] != ">"]
    if bad or counts.empty:
        raise InputError(f"sbs96_profile: expected SBS-96 channels such as 'A[C>T]G' (got {bad[:3] or 'none'}).")
    classes = [str(c)[2:5] for c in counts.index]
    fig, ax = figure_axes(ax, (10, 2.5))
    ax.bar(np.arange(len(counts)), counts.to_numpy(), color=[_CLASS_COLOURS.get(k, "grey") for k in classes], width=0.8)
    for k, colour in _CLASS_COLOURS.items():
        pos = [i for i, c in enumerate(classes) if c == k]
        if pos:
            ax.text(np.mean(pos), ax.get_ylim()[1] * 0.95, k, ha="center", va="top", fontsize=8, color=colour if k != "T>A" else "grey")
    ax.set_xticks([])
    ax.set_ylabel("SNVs")
    ax.set_title(f"SBS-96 profile{': ' + sample if sample else ''} ({int(counts.sum())} SNVs)")
    return fig

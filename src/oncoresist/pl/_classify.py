"""Confusion matrix of a classifier's pooled out-of-fold predictions."""

from __future__ import annotations

from typing import Any

import matplotlib

matplotlib.use("Agg", force=False)
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from .._core._errors import InputError  # noqa: E402
from ._axes import figure_axes  # noqa: E402

__all__ = ["confusion_matrix"]


def confusion_matrix(confusion: pd.DataFrame, *, model: str | None = None, ax: Any = None) -> Figure:
    """Counts of observed (rows) against predicted (columns) classes, with the row share in each cell.

    Parameters
    ----------
    confusion
        ``model, observed, <class>...`` (``tables['confusion_matrix']`` of
        :func:`oncoresist.tl.train_classifier`, or ``uns['classify']['confusion']``).
    model
        Which model's rows (default: the first model of the table).
    ax
        Axes for the matrix (default: a new figure).

    Returns
    -------
    matplotlib.figure.Figure
        The figure holding the matrix.

    Examples
    --------
    >>> c = pd.DataFrame({"model": "late", "observed": ["x", "y"], "x": [9, 2], "y": [1, 8]})
    >>> confusion_matrix(c).axes[0].get_xlabel()
    'predicted'
    """
    if "model" not in confusion.columns or "observed" not in confusion.columns or confusion.empty:
        raise InputError("confusion_matrix: expected a table with columns model, observed, <class>... (train_classifier's confusion_matrix).")
    name = str(confusion["model"].iloc[0]) if model is None else model
    rows = confusion[confusion["model"].astype(str) == name]
    if rows.empty:
        raise InputError(f"confusion_matrix: no model {name!r} in the table (models: {', '.join(map(str, confusion['model'].unique()))}).")
    classes = [str(c) for c in rows["observed"]]
    counts = rows[classes].to_numpy(dtype=float)
    share = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    fig, ax = figure_axes(ax, (1.0 * len(classes) + 2.5, 0.9 * len(classes) + 2))
    ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    for i in range(len(classes)):
        for j in range(len(classes)):
            ax.text(j, i, f"{int(counts[i, j])}\n{share[i, j]:.0%}", ha="center", va="center", fontsize=7,
                    color="white" if share[i, j] > 0.6 else "black")
    ax.set_xticks(range(len(classes)), classes, rotation=45, ha="right")
    ax.set_yticks(range(len(classes)), classes)
    ax.set_xlabel("predicted")
    ax.set_ylabel("observed")
    ax.set_title(f"{name}: out-of-fold confusion matrix")
    return fig

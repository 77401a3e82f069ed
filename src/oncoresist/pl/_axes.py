"""Where a plot draws: a new figure, or a figure / subfigure / axes the caller gives."""

from __future__ import annotations

from typing import Any

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402

FIG_DOC = ("fig\n        Figure or subfigure (``plt.figure().subfigures(...)``) to draw the panels into; "
           "default: a new figure. The figure is returned.")


def subplots(fig: Any, *args: Any, figsize: tuple[float, float], **kwargs: Any) -> tuple[Any, Any]:
    """``plt.subplots`` on a new figure of ``figsize``, or the same grid of panels added to ``fig``.

    Parameters
    ----------
    fig
        ``None`` (a new figure) or a matplotlib Figure / SubFigure.
    *args, **kwargs
        As for :func:`matplotlib.pyplot.subplots` (nrows, ncols, squeeze, sharey, gridspec_kw ...).
    figsize
        Size of a new figure (ignored with ``fig``).

    Returns
    -------
    tuple
        The figure and the axes.

    Examples
    --------
    >>> f, axes = subplots(None, 1, 2, figsize=(4, 2))
    >>> len(axes)
    2
    """
    if fig is None:
        return plt.subplots(*args, figsize=figsize, **kwargs)
    return fig, fig.subplots(*args, **kwargs)


def figure_axes(ax: Any, figsize: tuple[float, float]) -> tuple[Any, Any]:
    """The figure and axes of a one-axes plot: ``ax`` and its figure, or a new figure of ``figsize``.

    Parameters
    ----------
    ax
        Axes to draw into; ``None`` makes a new figure.
    figsize
        Width and height in inches of that new figure.

    Returns
    -------
    tuple
        ``(figure, axes)``, as :func:`matplotlib.pyplot.subplots` returns them.

    Examples
    --------
    >>> f, a = figure_axes(None, (3, 2))
    >>> figure_axes(a, (9, 9))[0] is f
    True
    """
    if ax is None:
        return plt.subplots(figsize=figsize)
    return ax.figure, ax


def tidy(fig: Any) -> None:
    """``tight_layout`` on a figure (a subfigure is laid out by its parent figure)."""
    if hasattr(fig, "tight_layout"):
        fig.tight_layout()

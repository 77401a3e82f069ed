"""Figures inlined as SVG with a tooltip on every point (a ``<title>`` per marker; offline, escaped).

A PNG hides which point is which; for scatter plots of a few thousand points at most the reports
inline the matplotlib SVG instead and give each marker of the chosen collections a ``<title>``
(the browser's native tooltip; no script). Labels are matched to markers by their data
coordinates, so a plotting function needs no change to get tooltips.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Sequence
from typing import Any
from xml.etree import ElementTree

import numpy as np

from ._sections import escape

__all__ = ["MAX_SVG_POINTS", "labels_by_xy", "svg_figure_html"]

#: Above this many points a figure stays a PNG (an SVG of more markers gets heavy).
MAX_SVG_POINTS = 3000

_SVG = "http://www.w3.org/2000/svg"
_XLINK = "http://www.w3.org/1999/xlink"
_IDS = itertools.count(1)


def _key(x: float, y: float) -> tuple[str, str]:
    """A coordinate pair as a dictionary key that ignores the last bits of the floats."""
    return f"{float(x):.10g}", f"{float(y):.10g}"


def _finite_offsets(coll: Any) -> np.ndarray:
    """The collection's point coordinates that are drawn (matplotlib skips non-finite ones)."""
    off = np.ma.filled(np.ma.asarray(coll.get_offsets()).astype(float), np.nan)
    return off[np.isfinite(off).all(axis=1)]


def labels_by_xy(coll: Any, x: Sequence[float], y: Sequence[float], texts: Sequence[str]) -> list[str]:
    """Tooltip texts for the drawn points of ``coll``, found by their coordinates in ``(x, y)``.

    Parameters
    ----------
    coll
        A matplotlib collection (the return value of ``ax.scatter``).
    x, y
        Data coordinates of every candidate point.
    texts
        The text of each candidate point; points drawn at the same place get their texts joined.

    Returns
    -------
    list of str
        One text per drawn point of ``coll``, in drawing order ("" when no candidate matches).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> labels_by_xy(ax.scatter([1, 2], [3, 4]), [2, 1], [4, 3], ["b", "a"])
    ['a', 'b']
    >>> plt.close(fig)
    """
    found: dict[tuple[str, str], list[str]] = {}
    for xi, yi, t in zip(x, y, texts, strict=True):
        found.setdefault(_key(xi, yi), []).append(str(t))
    return ["; ".join(found.get(_key(px, py), [])) for px, py in _finite_offsets(coll)]


def _render_svg(fig: Any, salt: str) -> str:
    """The figure as SVG text (text as paths, ids salted so several figures share a page)."""
    import matplotlib as mpl
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    with mpl.rc_context({"svg.hashsalt": salt, "svg.fonttype": "path"}):
        fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _markers(group: ElementTree.Element) -> list[tuple[ElementTree.Element, ElementTree.Element]]:
    """The markers (``<use>`` / ``<path>``) of a drawn collection with their parents, in drawing order."""
    marks = []
    for parent in group.iter():
        if parent.tag == f"{{{_SVG}}}defs":
            continue
        marks += [(parent, c) for c in parent if c.tag in (f"{{{_SVG}}}use", f"{{{_SVG}}}path")]
    return marks


def _add_titles(root: ElementTree.Element, gid: str, labels: Sequence[str]) -> int:
    """Wrap each marker of the group ``gid`` in a ``<g class="pt">`` with a ``<title>``; the number titled."""
    group = next((g for g in root.iter(f"{{{_SVG}}}g") if g.get("id") == gid), None)
    marks = _markers(group) if group is not None else []
    if len(marks) != len(labels):  # drawing order unknown: no tooltip rather than a wrong one
        return 0
    for (parent, mark), text in zip(marks, labels, strict=True):
        if not text:
            continue
        wrap = ElementTree.Element(f"{{{_SVG}}}g", {"class": "pt"})
        title = ElementTree.SubElement(wrap, f"{{{_SVG}}}title")
        title.text = text  # escaped by the serializer
        parent.insert(list(parent).index(mark), wrap)
        parent.remove(mark)
        wrap.append(mark)
    return sum(bool(t) for t in labels)


def _prefix_ids(root: ElementTree.Element, uid: str) -> None:
    """Prefix every element id (and the in-page references to it) so figures on one page never share one."""
    href = f"{{{_XLINK}}}href"
    for el in root.iter():
        if el.get("id"):
            el.set("id", f"{uid}-{el.get('id')}")
        ref = el.get(href) or ""
        if ref.startswith("#"):
            el.set(href, f"#{uid}-{ref[1:]}")
        for attr in ("clip-path", "mask", "filter", "style"):
            val = el.get(attr) or ""
            if "url(#" in val:
                el.set(attr, val.replace("url(#", f"url(#{uid}-"))


def svg_figure_html(fig: Any, *, alt: str, caption: str | None = None, tooltips: Sequence[tuple[Any, Sequence[str]]] = ()) -> str:
    """A ``<figure>`` with ``fig`` inlined as SVG and a tooltip on the points of ``tooltips``.

    Parameters
    ----------
    fig
        A matplotlib figure (closed here).
    alt
        Accessible name of the image.
    caption
        Optional caption (escaped).
    tooltips
        Pairs ``(collection, labels)``: a scatter collection of ``fig`` and one text per drawn point
        (see :func:`labels_by_xy`).

    Returns
    -------
    str
        HTML fragment; the SVG carries no script and no external reference.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure()
    >>> c = fig.subplots().scatter([1, 2], [3, 4])
    >>> html = svg_figure_html(fig, alt="demo", tooltips=[(c, ["<a>", "b"])])
    >>> "<title>&lt;a&gt;</title>" in html
    True
    """
    uid = f"orsvg{next(_IDS)}"
    gids = []
    for k, (coll, _) in enumerate(tooltips):
        gids.append(f"{uid}-pts{k}")
        coll.set_gid(gids[-1])
    ElementTree.register_namespace("", _SVG)
    ElementTree.register_namespace("xlink", _XLINK)
    root = ElementTree.fromstring(_render_svg(fig, uid).encode("utf-8"))
    n = sum(_add_titles(root, gid, labels) for gid, (_, labels) in zip(gids, tooltips, strict=True))
    _prefix_ids(root, uid)
    root.set("role", "img")
    root.set("aria-label", alt)
    root.set("class", "fig-svg")
    root.set("data-points", str(n))
    svg = ElementTree.tostring(root, encoding="unicode")
    cap = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return f"<figure>{svg}{cap}</figure>"

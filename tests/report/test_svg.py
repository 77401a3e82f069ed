"""SVG figures with a tooltip per point: matching by coordinates, escaping, skipped points."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from oncoresist.report._svg import labels_by_xy, svg_figure_html  # noqa: E402

_NS = {"s": "http://www.w3.org/2000/svg"}


def _svg(html: str) -> ElementTree.Element:
    return ElementTree.fromstring(re.search(r"<svg\b.*</svg>", html, flags=re.S).group(0))


def test_every_point_gets_its_own_title_in_drawing_order():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=40), rng.normal(size=40)
    fig, ax = plt.subplots()
    uniform = ax.scatter(x[:20], y[:20], c="k")  # one style: drawn as markers in one group
    coloured = ax.scatter(x[20:], y[20:], c=np.arange(20))  # per-point style: one group per point
    names = [f"p{i}" for i in range(40)]
    tips = [(c, labels_by_xy(c, x[::-1], y[::-1], names[::-1])) for c in (uniform, coloured)]  # order of the table is irrelevant
    root = _svg(svg_figure_html(fig, alt="pts", tooltips=tips))
    titles = [t.text for t in root.iterfind(".//s:g[@class='pt']/s:title", _NS)]
    assert titles == names and root.get("data-points") == "40"
    for g in root.iterfind(".//s:g[@class='pt']", _NS):  # the title sits with its own marker, placed at that point
        assert len(g) == 2 and g[1].tag.endswith(("use", "path"))
    xs = [float(g[1].get("x")) for g in root.iterfind(".//s:g[@class='pt']", _NS)][:20]
    assert np.argsort(xs).tolist() == np.argsort(x[:20]).tolist()  # screen x follows data x


def test_text_is_escaped_and_nan_points_are_skipped():
    fig, ax = plt.subplots()
    x, y = np.array([1.0, np.nan, 3.0]), np.array([1.0, 2.0, 3.0])
    c = ax.scatter(x, y)
    labels = labels_by_xy(c, x, y, ['<script>alert("x")</script>', "nan", "a & b"])
    assert labels == ['<script>alert("x")</script>', "a & b"]
    html = svg_figure_html(fig, alt='a "quoted" <alt>', caption="<i>c</i>", tooltips=[(c, labels)])
    assert "<script" not in html and "&lt;script&gt;" in html and "a &amp; b" in html
    assert "&lt;i&gt;c&lt;/i&gt;" in html and 'aria-label="a &quot;quoted&quot; &lt;alt&gt;"' in html
    assert not re.search(r"(href|src)=\"(https?:)?//", html)  # only in-page references


def test_wrong_label_count_gives_no_titles_and_ids_do_not_clash():
    fig, ax = plt.subplots()
    c = ax.scatter([1, 2, 3], [1, 2, 3])
    html = svg_figure_html(fig, alt="x", tooltips=[(c, ["only one"])])
    assert "<title>" not in html and 'data-points="0"' in html
    fig2, ax2 = plt.subplots()
    ax2.scatter([1, 2, 3], [1, 2, 3])
    html2 = svg_figure_html(fig2, alt="y")
    ids = set(re.findall(r' id="([^"]+)"', html)) & set(re.findall(r' id="([^"]+)"', html2))
    assert not ids  # two figures on one page share no element id
    assert not plt.get_fignums()  # figures are closed

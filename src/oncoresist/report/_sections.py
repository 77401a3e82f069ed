"""Building blocks of the HTML reports: sections, inlined figures and tables.

Every report is one self-contained HTML file: figures are PNG data URIs, styles inline, no
external requests. Topic modules build :class:`Section` objects; templates lay them out.
"""

from __future__ import annotations

import base64
import gzip
import html
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["Section", "TABLES_JS", "TEMPLATES", "cards_html", "collapsible", "jinja_env", "figure_html", "figure_to_data_uri", "full_table_link",
           "local_links", "table_files", "table_html", "escape", "safe_url", "write_page"]


#: Returns section of a report-section builder (``doc_params(doc_returns=DOC_RETURNS_SECTION)``).
DOC_RETURNS_SECTION = """\
Returns
-------
Section
    HTML fragment with inlined figures and tables."""


@dataclass
class Section:
    """One section of a report.

    Parameters
    ----------
    id
        HTML anchor (letters, digits, ``-``).
    title
        Heading shown in the page and the table of contents.
    html
        Trusted HTML fragment (build it with :func:`table_html`, :func:`figure_html`, :func:`escape`).
    summary
        One-line plain-text summary shown under the heading.
    """

    id: str
    title: str
    html: str
    summary: str = ""
    meta: dict[str, Any] = field(default_factory=dict)


def escape(text: Any) -> str:
    """HTML-escape any value's string form."""
    return html.escape(str(text))


#: Folder of the report templates and the shared stylesheet.
TEMPLATES = Path(__file__).parent / "templates"


def jinja_env() -> Any:
    """The Jinja environment of the report templates (autoescaped HTML)."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def cards_html(items: Sequence[tuple[str, object]]) -> str:
    """A row of summary cards (value above its label)."""
    cells = "".join(f'<div class="card"><div class="v">{escape(v)}</div><div class="k">{escape(k)}</div></div>' for k, v in items)
    return f'<div class="cards">{cells}</div>'


def safe_url(url: Any, *, fallback: str = "#evidence") -> str:
    """``url`` if it is an ``http(s)://`` link or an in-page anchor, else ``fallback``.

    Links come from imported knowledge sources; a ``javascript:``, ``data:`` or ``file:`` URL in
    them must never become a live link in a report (stored XSS).

    Examples
    --------
    >>> safe_url("https://pubmed.ncbi.nlm.nih.gov/1/"), safe_url("javascript:alert(1)"), safe_url(" JaVaScRiPt:x")
    ('https://pubmed.ncbi.nlm.nih.gov/1/', '#evidence', '#evidence')
    """
    text = "" if url is None else str(url).strip()
    low = "".join(text.split()).lower()
    if low.startswith(("https://", "http://")) or (text.startswith("#") and len(text) > 1):
        return text
    return fallback


def figure_to_data_uri(fig: Any, *, dpi: int = 110) -> str:
    """Render a matplotlib figure to a ``data:image/png;base64,...`` URI and close it."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def figure_html(fig: Any, *, alt: str, caption: str | None = None, dpi: int = 110) -> str:
    """A ``<figure>`` with the figure inlined as PNG and an optional caption."""
    uri = figure_to_data_uri(fig, dpi=dpi)
    cap = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return f'<figure><img src="{uri}" alt="{escape(alt)}">{cap}</figure>'


def _safe_name(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in str(name)) or "table"


def table_html(df: pd.DataFrame, *, max_rows: int = 50, index: bool = False, float_format: str = "{:.3g}",
               name: str = "table", csv_file: str | None = None, hard_limit: int = 5000, print_all: bool = False) -> str:
    """An interactive HTML table: every row (up to ``hard_limit``), sortable, searchable, downloadable.

    The page's script (``templates/tables.js``) shows the first ``max_rows`` rows with a "Show all
    rows" button, sorts on a header click, filters on the search box and downloads the table as
    CSV or XLSX. Without the script every row is shown. Above ``hard_limit`` rows only the
    first ``hard_limit`` are embedded and the note links the whole table as CSV: ``csv_file``
    when the caller writes it, else a file :func:`write_page` writes beside the page
    (:func:`full_table_link`). In print (PDF) the rows shown on screen are printed with a note
    naming how many there are, or every row with ``print_all=True`` (key tables). A table longer
    than ``max_rows`` sits in an open :func:`collapsible`, so a reader can fold it away.
    """
    shown = df.head(hard_limit)
    out = shown.to_html(
        index=index,
        classes="tbl",
        border=0,
        na_rep="",
        float_format=lambda v: float_format.format(v),
        escape=True,
    )
    safe_name = _safe_name(name)
    printed = ' data-print="all"' if print_all else ""
    out = f'<div class="tbl-wrap" data-limit="{int(max_rows)}" data-name="{safe_name}"{printed}><div class="tbl-scroll">{out}</div></div>'
    if len(df) > hard_limit:
        where = (f"the full table is in {escape(csv_file)}" if csv_file
                 else f"every row is in {full_table_link(df, safe_name, index=index)} beside this page")  # fmt: skip
        out += f'<p class="note">First {hard_limit} of {len(df)} rows embedded; {where}.</p>'
    if len(df) > max_rows:  # a long table folds away (open at first)
        out = collapsible(f"Table: {len(df)} rows", out)
    return out


#: A whole table carried inside a page until :func:`write_page` writes it beside the page:
#: the link, then the gzip-compressed CSV as base64 in an HTML comment (base64 never holds ``--``).
_FULL_TABLE = re.compile(r'<a class="full-table" href="([A-Za-z0-9_-]+)\.csv">[^<]*</a><!--oncoresist-table:([A-Za-z0-9+/=]*)-->')


def full_table_link(df: pd.DataFrame, name: str, *, index: bool = False) -> str:
    r"""A link to the whole of ``df`` as a CSV file that :func:`write_page` writes beside the page.

    The table travels inside the HTML (compressed, in a comment) so that a section can be built
    anywhere, in any process; the page writer turns it into ``<page stem>.<name>.csv`` and points
    the link there. A page rendered to a string and written otherwise keeps a link to ``<name>.csv``.

    Parameters
    ----------
    df
        The table.
    name
        File-name part (letters, digits, ``-``, ``_``; others become ``_``).
    index
        Write the index as the first column.

    Returns
    -------
    str
        HTML: the link (its text is the file name) and the carried table.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> written = write_page(d / "page.html", "<p>" + full_table_link(pd.DataFrame({"x": [1, 2]}), "xs") + "</p>")
    >>> [p.name for p in written], (d / "page.xs.csv").read_text()
    (['page.html', 'page.xs.csv'], 'x\n1\n2\n')
    >>> '<a class="full-table" href="page.xs.csv">page.xs.csv</a>' in (d / "page.html").read_text()
    True
    """
    safe = _safe_name(name)
    data = base64.b64encode(gzip.compress(df.to_csv(index=index).encode("utf-8"), mtime=0)).decode("ascii")
    return f'<a class="full-table" href="{safe}.csv">{safe}.csv</a><!--oncoresist-table:{data}-->'


def write_page(path: Any, page: str) -> list[Path]:
    """Write a report page atomically with the full tables it links (:func:`full_table_link`).

    Each carried table becomes ``<page stem>.<name>.csv`` beside the page (written atomically,
    names made unique within the page) and its link points there, relative to the page.

    Parameters
    ----------
    path
        The HTML file (its folder is created).
    page
        The page's HTML.

    Returns
    -------
    list of pathlib.Path
        The page, then every CSV written for it.
    """
    from urllib.parse import quote

    from .._core._utils import atomic_write_text

    path = Path(path)
    written: list[Path] = []
    used: set[str] = set()

    def _write(m: re.Match[str]) -> str:
        file, k = f"{path.stem}.{m.group(1)}.csv", 2
        while file.lower() in used:
            file, k = f"{path.stem}.{m.group(1)}-{k}.csv", k + 1
        used.add(file.lower())
        atomic_write_text(path.parent / file, gzip.decompress(base64.b64decode(m.group(2))).decode("utf-8"))
        written.append(path.parent / file)
        return f'<a class="full-table" href="{html.escape(quote(file))}">{escape(file)}</a>'

    text = _FULL_TABLE.sub(_write, page)
    atomic_write_text(path, text)
    return [path, *written]


def table_files(path: Any) -> list[Path]:
    """The CSV files :func:`write_page` wrote beside a page (those its full-table links name and that exist).

    Parameters
    ----------
    path
        A written page.

    Returns
    -------
    list of pathlib.Path
    """
    from urllib.parse import unquote

    path = Path(path)
    links = re.findall(r'<a class="full-table" href="([^"]+)">', path.read_text(encoding="utf-8"))
    files = dict.fromkeys(path.parent / unquote(html.unescape(h)) for h in links)
    return [f for f in files if f.is_file()]


_HREF = re.compile(r"""\b(?:href|src)\s*=\s*("([^"]*)"|'([^']*)')""", re.I)


def local_links(page: str) -> list[str]:
    """Every relative link (``href`` / ``src``) of a page: not a URL with a scheme, an anchor or a data URI.

    Examples
    --------
    >>> local_links('<a href="#x">a</a><a href="patients/P1.html">b</a><img src="data:image/png;base64,AA"><a href="https://doi.org/1">c</a>')
    ['patients/P1.html']
    """
    out = []
    for m in _HREF.finditer(page):
        link = html.unescape(m.group(2) if m.group(2) is not None else m.group(3)).strip()
        if link and not link.startswith(("#", "//")) and not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", link):
            out.append(link.split("#", 1)[0])
    return out


def collapsible(summary: str, body: str, *, opened: bool = True, anchor: str | None = None) -> str:
    """``body`` inside ``<details>`` with its ``<summary>``: folds without a script; print unfolds it.

    Parameters
    ----------
    summary
        Plain text of the toggle line.
    body
        Trusted HTML inside.
    opened
        Open when the page loads (default: the reader folds what they do not need).
    anchor
        Optional element ID.

    Returns
    -------
    str

    Examples
    --------
    >>> collapsible("Wells (40)", "<p>x</p>")
    '<details class="fold" open><summary>Wells (40)</summary><p>x</p></details>'
    """
    attrs = (f' id="{escape(anchor)}"' if anchor else "") + (" open" if opened else "")
    return f'<details class="fold"{attrs}><summary>{escape(summary)}</summary>{body}</details>'


#: The report pages' table script (sort, search, show all rows, CSV download), inlined in each page.
TABLES_JS = (TEMPLATES / "tables.js").read_text(encoding="utf-8")

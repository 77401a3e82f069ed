"""Building blocks of the HTML reports: sections, inlined figures and tables.

Every report is one self-contained HTML file: figures are PNG data URIs, styles inline, no
external requests. Topic modules build :class:`Section` objects; templates lay them out.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["Section", "TABLES_JS", "TEMPLATES", "cards_html", "jinja_env", "figure_html", "figure_to_data_uri", "table_html", "escape", "safe_url"]


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


def table_html(df: pd.DataFrame, *, max_rows: int = 50, index: bool = False, float_format: str = "{:.3g}",
               name: str = "table", csv_file: str | None = None, hard_limit: int = 5000, print_all: bool = False) -> str:
    """An interactive HTML table: every row (up to ``hard_limit``), sortable, searchable, downloadable.

    The page's script (``templates/tables.js``) shows the first ``max_rows`` rows with a "Show all
    rows" button, sorts on a header click, filters on the search box and downloads the table as
    CSV or XLSX. Without the script every row is shown. Above ``hard_limit`` rows only the
    first ``hard_limit`` are embedded and the note names ``csv_file``, the full table next to the
    page (the caller writes it). In print (PDF) the rows shown on screen are printed with a note
    naming how many there are, or every row with ``print_all=True`` (key tables).
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
    safe_name = "".join(c if c.isalnum() or c in "-_" else "_" for c in name) or "table"
    printed = ' data-print="all"' if print_all else ""
    out = f'<div class="tbl-wrap" data-limit="{int(max_rows)}" data-name="{safe_name}"{printed}><div class="tbl-scroll">{out}</div></div>'
    if len(df) > hard_limit:
        where = f"the full table is in {escape(csv_file)}" if csv_file else "use the CSV outputs of the command for the rest"
        out += f'<p class="note">First {hard_limit} of {len(df)} rows embedded; {where}.</p>'
    return out


#: The report pages' table script (sort, search, show all rows, CSV download), inlined in each page.
TABLES_JS = (TEMPLATES / "tables.js").read_text(encoding="utf-8")

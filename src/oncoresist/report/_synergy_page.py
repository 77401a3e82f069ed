"""One self-contained page per drug combination (SynergyFinder-style), linked from the cohort report.

A page reads the two tables of :func:`oncoresist.tl.synergy` (``mdata.uns['synergy']``: ``summary``
and ``wells``) and computes nothing: the % inhibition matrix, both single-agent curves, the
Bliss / HSA / Loewe / ZIP landscapes, the summary scores with their 95% intervals per sample
and block, the most synergistic dose region, and tables with CSV / XLSX download.
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._core._docs import doc_params
from .._core._errors import InputError
from .._core._utils import PathLike
from ..pl._synergy import _DOC_EXAMPLE
from ._sections import Section, cards_html, escape, figure_html, table_html, write_page
from ._synergy_data import _check_tables, _dose_text, cohort_synergy

__all__ = ["cohort_synergy", "render_synergy_page", "synergy_pages_section", "synergy_sections", "write_synergy_pages"]

_METHODS = ("zip", "bliss", "hsa", "loewe")


def _methods(summary: pd.DataFrame) -> list[str]:
    return [m for m in _METHODS if m in summary.columns]


def _ec50_text(ec50: float, lo: float, hi: float) -> str:
    """An EC50 with its unit, or where it lies beyond the tested doses."""
    if not np.isfinite(ec50):
        return "not fitted"
    if ec50 > hi:
        return f"> highest tested dose ({hi:.3g} µM)"
    if ec50 < lo:
        return f"< lowest tested dose ({lo:.3g} µM)"
    return f"{ec50:.3g} µM"


def _score_table(summary: pd.DataFrame, wells: pd.DataFrame) -> pd.DataFrame:
    """One row per block: sample, status, per method mean with its interval and the most synergistic area."""
    doses = wells.groupby(wells["block"].astype(str)).agg(
        lo1=("conc1", lambda s: s[s > 0].min()), hi1=("conc1", "max"), lo2=("conc2", lambda s: s[s > 0].min()), hi2=("conc2", "max"),
    )  # fmt: skip
    out = pd.DataFrame({"block": summary["block"].astype(str).to_numpy()})
    if "sample" in summary.columns:
        out["sample"] = summary["sample"].astype(str).to_numpy()
    out["status"] = summary["status"].astype(str).to_numpy()
    for m in _methods(summary):
        out[f"{m.upper()} mean"] = summary[m].to_numpy(float)
        for side in ("low", "high"):
            col = f"{m}_ci_{side}"
            out[f"{m.upper()} 95% CI {side}"] = summary[col].to_numpy(float) if col in summary.columns else np.nan
        if f"{m}_msa" in summary.columns:
            out[f"{m.upper()} MSA"] = summary[f"{m}_msa"].to_numpy(float)
    d = doses.reindex(out["block"])
    for k in (1, 2):
        if f"ec50_{k}_uM" in summary.columns:
            out[f"EC50 drug {k}"] = [_ec50_text(float(e), float(lo), float(hi)) for e, lo, hi in
                                     zip(summary[f"ec50_{k}_uM"], d[f"lo{k}"], d[f"hi{k}"], strict=True)]  # fmt: skip
    if "flags" in summary.columns:
        out["flags"] = summary["flags"].astype(str).to_numpy()
    return out


def _msa_text(row: pd.Series, method: str, d1: str, d2: str) -> str:
    """The most synergistic dose region of a block, in words."""
    r1, r2 = _dose_text(row.get(f"{method}_msa_conc1")), _dose_text(row.get(f"{method}_msa_conc2"))
    msa = row.get(f"{method}_msa")
    if not r1 or not r2 or msa is None or not np.isfinite(float(msa)):
        return f"No most synergistic area ({method.upper()}): the block was not scored."
    return f"Most synergistic dose region ({method.upper()}): {d1} {r1} × {d2} {r2}, mean score {float(msa):.1f} in that window."


def _interval_text(row: pd.Series, method: str) -> str:
    mean, lo, hi = (row.get(c) for c in (method, f"{method}_ci_low", f"{method}_ci_high"))
    if mean is None or not np.isfinite(float(mean)):
        return f"{method.upper()}: not scored"
    if lo is None or hi is None or not np.isfinite(float(lo)) or not np.isfinite(float(hi)):
        return f"{method.upper()} {float(mean):.1f} (no interval stored)"
    return f"{method.upper()} {float(mean):.1f} [95% CI {float(lo):.1f}, {float(hi):.1f}]"


def _block_section(row: pd.Series, wells: pd.DataFrame, summary: pd.DataFrame, method: str, idx: int) -> Section:
    """Figures of one block: % inhibition matrix, single-agent curves, landscapes, most synergistic region."""
    from .. import pl

    block, d1, d2 = str(row["block"]), str(row["drug1"]), str(row["drug2"])
    who = f" · sample {row['sample']}" if "sample" in row.index and str(row["sample"]) not in ("", "nan") else ""
    if row["status"] != "ok":
        return Section(id=f"block-{idx}", title=f"Block {block}{who}", html=f'<p class="warn">Not scored: {escape(row["status"])}</p>')
    scores = "; ".join(_interval_text(row, m) for m in _methods(summary))
    parts = [f'<p class="summary">{escape(scores)}.</p>', f"<p>{escape(_msa_text(row, method, d1, d2))}</p>",
             '<div style="display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 14px; align-items: start">',
             figure_html(pl.synergy_response_matrix(wells, block=block), alt=f"dose-response matrix of block {block}", dpi=90,
                         caption="Measured % inhibition of every well (replicates averaged); row 0 and column 0 are the drugs alone."),
             figure_html(pl.synergy_single_agents(wells, summary, block=block), alt=f"single-agent curves of block {block}", dpi=90,
                         caption="Each drug alone: measured wells (points) and the 4-parameter log-logistic fit used by Loewe (dashed: EC50 inside the tested doses)."),
             "</div>",
             figure_html(pl.synergy_landscapes(wells, summary, block=block), alt=f"synergy landscapes of block {block}", dpi=90,
                         caption="Synergy landscapes (bicubic interpolation of the well scores over the dose matrix; red = synergy, blue = antagonism, "
                                 "black line = 0); dashed box: the most synergistic area; title: mean score [95% CI] over the combination wells.")]  # fmt: skip
    return Section(id=f"block-{idx}", title=f"Block {block}{who}", html="\n".join(parts), summary="")


@doc_params(doc_example=_DOC_EXAMPLE)
def render_synergy_page(
    summary: pd.DataFrame,
    wells: pd.DataFrame,
    *,
    drug1: str,
    drug2: str,
    method: str = "zip",
    max_blocks: int = 6,
    cohort_href: str | None = None,
) -> str:
    """The HTML page of one drug combination (every block of the pair ``drug1`` + ``drug2``).

    Parameters
    ----------
    summary, wells
        The two tables of :func:`oncoresist.tl.synergy`.
    drug1, drug2
        The combination (as in the tables' ``drug1`` / ``drug2`` columns).
    method
        Score that ranks the blocks and defines the most synergistic region shown.
    max_blocks
        Blocks drawn (the most synergistic by ``method``); the tables list every block.
    cohort_href
        Link back to the cohort report (relative to the page), if any.

    Returns
    -------
    str
        A self-contained HTML page.

    Examples
    --------
    {doc_example}
    >>> page = render_synergy_page(summary, wells, drug1="A", drug2="B")
    >>> "A + B" in page and "<script" in page
    True
    """
    from ._cohort import render_report

    _check_tables(summary, wells)
    methods = _methods(summary)
    if method not in methods:
        msg = f"method {method!r} is not in the synergy summary (scored: {', '.join(methods) or 'none'})."
        raise InputError(msg)
    mine = summary[(summary["drug1"].astype(str) == str(drug1)) & (summary["drug2"].astype(str) == str(drug2))]
    if mine.empty:
        pairs = ", ".join(sorted({f"{a} + {b}" for a, b in zip(summary["drug1"], summary["drug2"], strict=True)})[:6])
        msg = f"combination {drug1} + {drug2} is not in the synergy summary (combinations: {pairs})."
        raise InputError(msg)
    blocks = set(mine["block"].astype(str))
    w = wells[wells["block"].astype(str).isin(blocks)]
    ranked = mine.assign(_ok=mine["status"] == "ok").sort_values(["_ok", method], ascending=False).drop(columns="_ok")
    sections = [_overview(ranked, w, methods, method, (drug1, drug2), cohort_href, max_blocks)]
    sections += [_block_section(r, w, mine, method, k) for k, (_, r) in enumerate(ranked.head(max(0, int(max_blocks))).iterrows())]
    cols = [c for c in ("block", "sample", "conc1", "conc2", "response", "inhibition", "n_replicates") if c in w.columns]
    cols += [c for m in methods for c in (f"{m}_ref", m) if c in w.columns]
    sections.append(Section(id="wells", title="Wells", summary=f"{len(w)} wells of {len(blocks)} block(s): response, reference and score of every method.",
                            html=table_html(w[cols].sort_values(["block", "conc1", "conc2"]), max_rows=40, name=f"wells_{drug1}_{drug2}")))  # fmt: skip
    n_ok = int((mine["status"] == "ok").sum())
    return render_report(sections, title=f"Drug combination {drug1} + {drug2}",
                         subtitle=f"{len(mine)} dose matri{'x' if len(mine) == 1 else 'ces'} ({n_ok} scored); methods: {', '.join(m.upper() for m in methods)}")  # fmt: skip


def _overview(ranked: pd.DataFrame, wells: pd.DataFrame, methods: list[str], method: str, pair: tuple[str, str], cohort_href: str | None,
              max_blocks: int) -> Section:
    """Cards, the per-block score figure and the score table with its download."""
    from .. import pl

    ok = ranked[ranked["status"] == "ok"]
    back = f'<p class="no-print"><a href="{html.escape(cohort_href)}">&larr; cohort report</a></p>' if cohort_href else ""
    cards: list[tuple[str, object]] = [("dose matrices", len(ranked)), ("scored", len(ok))]
    if len(ok):
        best = ok.iloc[0]
        cards += [(f"median {method.upper()}", f"{float(np.nanmedian(ok[method])):.1f}"), (f"highest {method.upper()}", f"{float(best[method]):.1f} ({best['block']})")]
    if "sample" in ranked.columns:
        cards.append(("samples", ranked["sample"].nunique()))
    parts = [back, cards_html(cards),
             '<p class="note">Scores are percentage points of inhibition above each reference model (positive = synergy, SynergyFinder '
             'conventions). The 95% interval of a mean is a Student-t interval over the combination wells of the block: how precisely the dose '
             'matrix pins the mean down, not a replicate error. MSA = most synergistic area, the highest mean score of any 3 x 3 dose window.</p>']  # fmt: skip
    if len(ok):
        parts.append(figure_html(pl.synergy_scores(ok, methods=methods), alt="summary scores with intervals", dpi=90,
                                 caption="Mean synergy score of each block with its 95% interval, per method."))  # fmt: skip
    parts.append(table_html(_score_table(ranked, wells), max_rows=25, name=f"synergy_scores_{pair[0]}_{pair[1]}", print_all=True))
    drawn = min(len(ranked), max(0, int(max_blocks)))
    summary = f"{len(ok)} of {len(ranked)} dose matrices scored; figures for the {drawn} most synergistic by {method.upper()} below, every block in the tables."
    return Section(id="combination", title="Summary scores", summary=summary, html="\n".join(parts))


def _combinations(summary: pd.DataFrame) -> list[tuple[str, str]]:
    return list(dict.fromkeys(zip(summary["drug1"].astype(str), summary["drug2"].astype(str), strict=True)))


def write_synergy_pages(
    summary: pd.DataFrame,
    wells: pd.DataFrame,
    out_dir: PathLike,
    *,
    cohort_report: PathLike | None = None,
    method: str = "zip",
    max_blocks: int = 6,
    n_jobs: int | None = 1,
) -> dict[tuple[str, str], Path]:
    """Write one page per drug combination into ``out_dir`` atomically.

    Parameters
    ----------
    summary, wells
        The two tables of :func:`oncoresist.tl.synergy` (e.g. :func:`cohort_synergy`).
    out_dir
        Folder of the pages (created).
    cohort_report
        The cohort report the pages link back to.
    method, max_blocks
        As for :func:`render_synergy_page`.
    n_jobs
        Pages drawn at once, in processes forked from this one (:func:`oncoresist.parallel.fork_map`;
        ``None`` or ``0`` = every CPU). Default 1: here, one after the other.

    Returns
    -------
    dict
        ``(drug1, drug2)`` -> written page. File names come from the drug names (never a sample ID).
    """
    from ..parallel import fork_map
    from ._patient import patient_file_names

    _check_tables(summary, wells)
    combos = _combinations(summary)
    names = patient_file_names([f"{a}_x_{b}" for a, b in combos])
    out_dir = Path(out_dir)
    href = os.path.relpath(Path(cohort_report), out_dir).replace(os.sep, "/") if cohort_report is not None else None

    def write(pair: tuple[str, str]) -> Path:
        path = out_dir / names[f"{pair[0]}_x_{pair[1]}"]
        write_page(path, render_synergy_page(summary, wells, drug1=pair[0], drug2=pair[1], method=method, max_blocks=max_blocks, cohort_href=href))
        return path

    return dict(zip(combos, fork_map(write, combos, n_jobs=n_jobs), strict=True))


def synergy_pages_section(pages: Mapping[tuple[str, str], PathLike], summary: pd.DataFrame, *, base: PathLike, method: str = "zip") -> Section:
    """The cohort-report section listing every drug combination with a link to its page.

    Parameters
    ----------
    pages
        ``(drug1, drug2)`` -> page, from :func:`write_synergy_pages`.
    summary
        The synergy summary (blocks, median score per combination).
    base
        Folder of the cohort report (links are relative to it).
    method
        Score shown.

    Returns
    -------
    Section
    """
    rows = []
    for (a, b), path in pages.items():
        sub = summary[(summary["drug1"].astype(str) == a) & (summary["drug2"].astype(str) == b)]
        ok = sub[sub["status"] == "ok"]
        med = f"{float(np.nanmedian(ok[method])):.1f}" if len(ok) and method in ok.columns else ""
        best = f"{float(ok[method].max()):.1f}" if len(ok) and method in ok.columns else ""
        href = os.path.relpath(Path(path), Path(base)).replace(os.sep, "/")
        rows.append(f'<tr><td><a href="{html.escape(href)}">{escape(a)} + {escape(b)}</a></td><td class="num">{len(sub)}</td>'
                    f'<td class="num">{len(ok)}</td><td class="num">{med}</td><td class="num">{best}</td></tr>')  # fmt: skip
    head = f"<th>Combination</th><th>Dose matrices</th><th>Scored</th><th>Median {method.upper()}</th><th>Highest {method.upper()}</th>"
    body = f'<table class="tbl"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    return Section(id="combinations", title="Drug combinations", html=body,
                   summary=f"{len(rows)} combination(s), one page each: dose-response matrix, single-agent curves, synergy landscapes, scores with intervals.")  # fmt: skip


def synergy_sections(
    mdata: Any, report: PathLike, *, method: str = "zip", max_blocks: int = 6, out_dir: PathLike | None = None, n_jobs: int | None = 1
) -> tuple[list[Section], list[Path]]:
    """Write a cohort's combination pages next to its report and the section that links them.

    Parameters
    ----------
    mdata
        The cohort (``uns['synergy']``; nothing is written without it).
    report
        Path of the cohort report.
    method, max_blocks
        As for :func:`render_synergy_page`.
    out_dir
        Folder of the pages (default: ``synergy/`` beside the report).
    n_jobs
        Pages drawn at once (see :func:`write_synergy_pages`).

    Returns
    -------
    tuple
        The section (none without synergy results) and the written pages.
    """
    res = cohort_synergy(mdata)
    if res is None:
        return [], []
    report = Path(report)
    pages = write_synergy_pages(*res, out_dir if out_dir is not None else report.parent / "synergy",
                                cohort_report=report, method=method, max_blocks=max_blocks, n_jobs=n_jobs)  # fmt: skip
    return [synergy_pages_section(pages, res[0], base=report.parent, method=method)], list(pages.values())


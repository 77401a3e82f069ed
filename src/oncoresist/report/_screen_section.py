"""Report section on the drug screen: example curves, sensitivity heatmap, top synergy matrices."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._core._docs import doc_params
from .._core._errors import InputError
from ._sections import DOC_RETURNS_SECTION, Section, cards_html, figure_html, table_html

__all__ = ["screen_section"]



def _example_pairs(curves: pd.DataFrame, n: int) -> list[tuple[str, str]]:
    """Most and least sensitive sample of the drugs whose AUC varies most across samples."""
    ok = curves[curves["status"] == "ok"]
    if ok.empty:
        return []
    spread = ok.groupby("drug")["auc"].agg(lambda s: float(np.nanstd(s)) if s.notna().sum() > 1 else 0.0)
    pairs: list[tuple[str, str]] = []
    for drug in spread.sort_values(ascending=False).index:
        sub = ok[ok["drug"] == drug].dropna(subset=["auc"]).sort_values("auc")
        if sub.empty:
            continue
        for s in dict.fromkeys([sub["sample"].iloc[0], sub["sample"].iloc[-1]]):
            pairs.append((str(s), str(drug)))
        if len(pairs) >= n:
            break
    return pairs[:n]


@doc_params(doc_returns=DOC_RETURNS_SECTION)
def screen_section(
    curves: pd.DataFrame,
    *,
    screen: pd.DataFrame | None = None,
    synergy_summary: pd.DataFrame | None = None,
    synergy_wells: pd.DataFrame | None = None,
    method: str = "zip",
    n_examples: int = 6,
    n_blocks: int = 3,
    max_rows: int = 15,
) -> Section:
    """The drug-screen section of the cohort report.

    Shows what was fitted (curves, failures, flags), fitted curves with their data for the
    most and least sensitive samples of the drugs with the widest spread of response, the
    samples x drugs AUC heatmap, and, when combination results are given, the most
    synergistic dose matrices with a table of block scores.

    Parameters
    ----------
    curves
        Output of :func:`oncoresist.tl.fit_curves` (for a cohort:
        ``mdata.uns['curves']['table']``).
    screen
        The long screen (data points of the example curves; ``mdata.uns['dose_response']``).
    synergy_summary, synergy_wells
        The two tables of :func:`oncoresist.tl.synergy` (optional).
    method
        Synergy score shown (``zip``, ``bliss``, ``hsa``, ``loewe``).
    n_examples
        Example curves.
    n_blocks
        Synergy matrices drawn.
    max_rows
        Rows of the synergy table.

    {doc_returns}

    Examples
    --------
    >>> from oncoresist import ds
    >>> from oncoresist.tl import fit_curves
    >>> screen = ds.example_screen({"A": 0.1, "B": 2.0, "C": 0.5}, drugs=["D1", "D2"])  # sample -> IC50
    >>> sec = screen_section(fit_curves(screen), screen=screen)
    >>> sec.id
    'drug-screen'
    """
    if not isinstance(curves, pd.DataFrame) or not {"sample", "drug", "status", "auc"} <= set(curves.columns):
        msg = "screen_section needs the fit_curves table (sample, drug, status, auc, ...); run oncoresist.tl.fit_curves first."
        raise InputError(msg)
    ok = curves["status"] == "ok"
    parts = _fit_parts(curves, ok) + _figure_parts(curves, screen, ok, n_examples)
    summary_txt = f"{int(ok.sum())} of {len(curves)} curves fitted ({curves['sample'].nunique()} samples x {curves['drug'].nunique()} drugs)"
    if synergy_summary is not None and synergy_wells is not None:
        syn_parts, syn_txt = _synergy_parts(synergy_summary, synergy_wells, method, n_blocks, max_rows)
        parts += syn_parts
        summary_txt += syn_txt
    return Section(id="drug-screen", title="Drug screen", html="\n".join(parts), summary=summary_txt + ".")


def _fit_parts(curves: pd.DataFrame, ok: pd.Series) -> list[str]:
    """Cards of what was fitted, the curves not fitted by status and the quality flags."""
    n_flagged = int((curves.loc[ok, "flags"].astype(str) != "").sum()) if "flags" in curves.columns else 0
    parts = [
        cards_html(
            [
                ("samples", curves["sample"].nunique()),
                ("drugs", curves["drug"].nunique()),
                ("curves fitted", f"{int(ok.sum())} / {len(curves)}"),
                ("curves with a flag", n_flagged),
                ("model", curves["model"].iloc[0] if "model" in curves.columns and len(curves) else ""),
            ]
        )
    ]
    if (~ok).any():
        counts = curves.loc[~ok, "status"].value_counts().rename_axis("status").reset_index(name="curves")
        parts.append("<h3>Curves not fitted</h3>" + table_html(counts))
    if n_flagged:
        fl = pd.Series(";".join(curves.loc[ok, "flags"].astype(str)).split(";"))
        fl = fl[fl != ""].value_counts().rename_axis("flag").reset_index(name="curves")
        parts.append("<h3>Quality flags</h3>" + table_html(fl))
    return parts


def _figure_parts(curves: pd.DataFrame, screen: pd.DataFrame | None, ok: pd.Series, n_examples: int) -> list[str]:
    """Example fitted curves and the samples x drugs AUC heatmap."""
    from .. import pl

    parts = []
    pairs = _example_pairs(curves, n_examples)
    if pairs:
        fig = pl.dose_response_curves(curves, screen, pairs=pairs, max_panels=n_examples, ncols=3)
        parts.append(
            figure_html(
                fig,
                alt="fitted dose-response curves",
                caption="Fitted curves (line) with the measured viabilities (points) for the most and least sensitive "
                "sample of the drugs whose response varies most across samples; dashed: IC50 inside the tested range.",
            )
        )
    if ok.sum() and curves.loc[ok, "drug"].nunique() >= 1 and curves.loc[ok, "sample"].nunique() >= 2:
        fig = pl.sensitivity_heatmap(curves, value="auc")
        parts.append(figure_html(fig, alt="sensitivity heatmap", caption="Normalised AUC (mean fitted viability over the tested range; lower = more sensitive); grey = not screened or not fitted."))
    return parts


def _synergy_parts(summary: pd.DataFrame, wells: pd.DataFrame, method: str, n_blocks: int, max_rows: int) -> tuple[list[str], str]:
    """The most synergistic dose matrices with their block scores, and the summary text."""
    from .. import pl

    if method not in summary.columns:
        msg = f"method {method!r} is not in the synergy summary (scored: {', '.join(c for c in ('zip', 'bliss', 'hsa', 'loewe') if c in summary.columns)})."
        raise InputError(msg)
    good = summary[summary["status"] == "ok"]
    top = good.sort_values(method, ascending=False)
    parts = []
    if len(top):
        fig = pl.synergy_matrices(wells, summary, method=method, max_blocks=n_blocks)
        parts.append(
            "<h3>Combinations</h3>"
            + figure_html(fig, alt="synergy matrices", caption=f"{method.upper()} scores of the {min(n_blocks, len(top))} most synergistic dose matrices (red = synergy, percentage points of inhibition above the reference).")
        )
        from ._synergy_data import _dose_text

        cols = [c for c in ("block", "sample", "drug1", "drug2", "zip", "bliss", "hsa", "loewe", f"{method}_msa", f"{method}_msa_conc1", f"{method}_msa_conc2", "flags") if c in top.columns]
        shown = top[cols].copy()
        for c in (f"{method}_msa_conc1", f"{method}_msa_conc2"):  # "0.09487-3" -> "0.0949–3 µM"
            if c in shown.columns:
                shown[c] = shown[c].map(_dose_text)
        parts.append(table_html(shown, max_rows=max_rows))
    n_bad = int((summary["status"] != "ok").sum())
    return parts, f"; {len(good)} combination matrices scored" + (f" ({n_bad} could not be)" if n_bad else "")

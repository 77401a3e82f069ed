"""Patient report section: serial plasma ctDNA (response and emerging resistance), when the cohort has it."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ._sections import Section, escape, figure_html, table_html

__all__ = ["clonal_section", "ctdna_section"]


def _patient_rows(mdata: Any, patient: str) -> pd.DataFrame | None:
    """The cohort's ctDNA rows of one patient (``uns['ctdna']``), or None."""
    if mdata is None or not isinstance(mdata.uns.get("ctdna"), pd.DataFrame):
        return None
    t = mdata.uns["ctdna"]
    rows = t[t["patient"].astype(str) == str(patient)]
    return rows if len(rows) else None


def ctdna_section(interp: Any, mdata: Any) -> Section | None:
    """The "Serial ctDNA" section of a patient page (None when the patient has no ctDNA in the cohort).

    Parameters
    ----------
    interp
        The patient's :class:`~oncoresist.interpret.Interpretation` (therapy, tumour type, KB).
    mdata
        The cohort (ctDNA in ``uns['ctdna']``, from the study file's ``[ctdna]`` table).

    Returns
    -------
    Section or None
        Timeline figure, response per time point and emerging-resistance alerts.
    """
    from ..interpret import monitor_ctdna
    from ..pl import ctdna_timeline

    rows = _patient_rows(mdata, interp.patient)
    if rows is None:
        return None
    kb = interp.kb.get("path") if isinstance(interp.kb, dict) else None
    mon = monitor_ctdna(rows, therapy=interp.therapy or None, tumour_type=interp.tumour_type, kb=kb)
    last = mon.timeline.iloc[-1]
    alerts = mon.alerts
    cur = alerts[alerts["current"].astype(bool)] if len(alerts) else alerts
    parts = [figure_html(ctdna_timeline(rows, interp.patient, alerts=alerts), alt=f"serial ctDNA of {interp.patient}",
                         caption="VAF of each alteration per plasma sample; red: an alteration linked to resistance.")]
    if len(cur):
        items = "".join(
            f'<div class="alert current"><h3>{escape(r.drug)} <span class="badge dir-resistance">emerging</span></h3>'
            f"<dl><dt>Alteration</dt><dd>{escape(r.alteration)} ({escape(r.status)}, day {r.first_detected_day:g}, "
            f"peak VAF {r.peak_vaf:.2%})</dd><dt>Mechanism</dt><dd>{escape(r.mechanism)}</dd><dt>Tier</dt>"
            f'<dd><span class="badge t-{escape(r.tier)}">{escape(r.tier)}</span></dd><dt>Evidence</dt>'
            f'<dd class="small">{escape(r.citations)}</dd></dl></div>'
            for r in cur.drop_duplicates(["alteration", "drug"]).itertuples(index=False)
        )
        parts.append(f'<div class="alerts">{items}</div>')
    tl = mon.timeline.drop(columns=["patient"]).assign(max_vaf=lambda d: (d["max_vaf"] * 100).round(2),
                                                     mean_vaf=lambda d: (d["mean_vaf"] * 100).round(2))
    parts.append("<h3>Response per plasma sample</h3>" + table_html(
        tl.rename(columns={"max_vaf": "max VAF (%)", "mean_vaf": "mean VAF (%)"}), name=f"ctdna_timeline_{interp.patient}"))
    tr = mon.trajectories.drop(columns=["patient"])
    parts.append("<h3>Alterations over time</h3>" + table_html(tr, name=f"ctdna_trajectories_{interp.patient}"))
    therapy = ", ".join(interp.therapy) or "no therapy given"
    summary = (f"{len(mon.timeline)} plasma sample(s); last (day {last['day']:g}): {last['response']} against baseline; "
               f"{len(cur)} emerging-resistance alert(s) for {therapy}.")
    return Section(id="ctdna", title="Serial ctDNA", html="".join(parts), summary=summary,
                   meta={"n_alerts": len(cur), "alerts": [f"{r.alteration} (day {r.first_detected_day:g}) -> {r.drug}"
                                                          for r in cur.itertuples(index=False)]})


def clonal_section(interp: Any, mdata: Any) -> Section | None:
    """The "Clonal structure" section of a patient page, from ``uns['clonal'][patient]`` (``tl.clones``).

    Parameters
    ----------
    interp
        The patient's :class:`~oncoresist.interpret.Interpretation`.
    mdata
        The cohort.

    Returns
    -------
    Section or None
        CCF scatter between samples, clusters with their CCF per sample and the best clone tree.
    """
    from ..pl import ccf_scatter

    store = getattr(mdata, "uns", {}).get("clonal") if mdata is not None else None
    entry = store.get(str(interp.patient)) if isinstance(store, dict) else None
    if not isinstance(entry, dict) or not isinstance(entry.get("clusters"), pd.DataFrame):
        return None
    clusters, ccf = entry["clusters"], entry.get("ccf")
    parts = []
    if isinstance(ccf, pd.DataFrame) and len(ccf):
        parts.append(figure_html(ccf_scatter(ccf, clusters), alt=f"cancer cell fractions of {interp.patient}",
                                 caption="Cancer cell fraction of each mutation between samples, coloured by clone."))
    wide = clusters.pivot_table(index=["cluster", "n_mutations"], columns="sample_id", values="ccf").round(2).reset_index()
    parts.append("<h3>Clones (cancer cell fraction per sample)</h3>" + table_html(wide, name=f"clones_{interp.patient}"))
    trees = entry.get("trees")
    if isinstance(trees, pd.DataFrame) and len(trees):
        best = trees[trees["tree"] == trees["tree"].min()][["cluster", "parent", "violation"]]
        ok = bool(trees.loc[trees["tree"] == trees["tree"].min(), "consistent"].all())
        parts.append(f"<h3>Best clone tree ({'consistent with' if ok else 'violates'} the sum rule)</h3>"
                     + table_html(best, name=f"clone_tree_{interp.patient}"))
        parts += _time_series_figures(entry, trees, str(interp.patient))
    n = int(clusters["cluster"].nunique())
    summary = (f"{n} clone(s) from {int(clusters.groupby('cluster')['n_mutations'].first().sum())} mutations across "
               f"{clusters['sample_id'].nunique()} sample(s); clone 0 is the truncal one (highest mean CCF).")
    return Section(id="clonal", title="Clonal structure", html="".join(parts), summary=escape(summary))


def _time_series_figures(entry: dict[str, Any], trees: pd.DataFrame, patient: str) -> list[str]:
    """Fish plot and clone tree of a time series (``params['times']`` with >= 2 samples); none otherwise."""
    from ..pl import clone_tree, fish_plot

    times = entry.get("params", {}).get("times")
    if isinstance(times, str) or times is None or len(list(times)) < 2:
        return []
    best = trees[trees["tree"] == trees["tree"].min()]
    order = [str(t) for t in times]
    return [figure_html(fish_plot(entry["clusters"], best, order), alt=f"clones of {patient} over time",
                        caption="Fish plot: each clone's cancer cell fraction over the ordered time points, nested in its parent."),
            figure_html(clone_tree(best, entry["clusters"]), alt=f"clone tree of {patient}",
                        caption="Best clone tree under the crossing rule of time series.")]

"""The patient report: one self-contained, printable HTML page for a molecular tumour board.

Sections: summary and key findings, alterations by layer, resistance alerts (mechanism,
alternatives, combinations, ex vivo concordance), tiered therapy options with citations, target
priority with its parts, the ex vivo screen against the cohort, model predictions, evidence
detail, what was not understood, caveats and the knowledge-base version.
"""

from __future__ import annotations

import datetime as _dt
import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._core._docs import doc_params
from .._core._utils import PathLike
from ..get import higher_is as get_higher_is
from ._activity_section import patient_activity_section
from ._classify_section import patient_classify_section
from ._genome import patient_genome_section
from ._monitor_section import clonal_section, ctdna_section
from ._predictions import prediction_context, prediction_source_text
from ._sections import (
    TABLES_JS,
    TEMPLATES,
    Section,
    escape,
    figure_html,
    full_table_link,
    jinja_env,
    safe_url,
    write_page,
)

__all__ = [
    "interpret_patients",
    "patient_file_names",
    "patient_reports_section",
    "render_patient_report",
    "write_patient_report",
    "write_patient_reports",
]

_LAYER_TITLES = {
    "mut": "Mutations",
    "cnv": "Copy number",
    "rna": "Expression outliers (RNA)",
    "prot": "Protein outliers",
    "meth": "Promoter methylation",
    "fusion": "Fusions",
    "input": "Alterations given",
}



def _fmt(x: Any, spec: str = "{:.2f}") -> str:
    try:
        xf = float(x)
    except (TypeError, ValueError):
        return "" if x is None else str(x)
    return "" if xf != xf else spec.format(xf)


def _cit_links(text: str, evidence: pd.DataFrame) -> list[dict[str, str]]:
    """Split '<label> (<PMID:...>); ...' into linkable citations (only http(s) links are kept)."""
    out = []
    urls = dict(zip(evidence["citation"], evidence["url"])) if not evidence.empty else {}
    for part in [p.strip() for p in str(text or "").split(";") if p.strip()]:
        cit = part[part.rfind("(") + 1 : -1] if part.endswith(")") and "(" in part else ""
        url = safe_url(urls.get(cit), fallback="") or (
            f"https://pubmed.ncbi.nlm.nih.gov/{cit[5:]}/" if cit.startswith("PMID:") else f"https://doi.org/{cit[4:]}" if cit.startswith("DOI:") else "#evidence"
        )
        out.append({"text": part, "url": url})
    return out


def _screen_figure(interp: Any, mdata: Any) -> str:
    if mdata is None or "drug" not in getattr(mdata, "mod", {}) or interp.screen.empty:
        return ""
    from matplotlib.figure import Figure

    ad = mdata.mod["drug"]
    X = ad.X.toarray() if hasattr(ad.X, "toarray") else np.asarray(ad.X, dtype=float)
    names = list(map(str, ad.var_names))
    scr = interp.screen.sort_values("percentile", ascending=False)
    drugs = [d for d in scr["drug"] if d in names]
    if not drugs:
        return ""
    data = [X[:, names.index(d)][~np.isnan(X[:, names.index(d)])] for d in drugs]
    fig = Figure(figsize=(7.2, 0.28 * len(drugs) + 1.0))
    ax = fig.subplots()
    ax.boxplot(data, vert=False, widths=0.55, showfliers=False, patch_artist=True,
               boxprops={"facecolor": "#e4e8ef", "edgecolor": "#9aa5b5"}, medianprops={"color": "#5b6577"},
               whiskerprops={"color": "#9aa5b5"}, capprops={"color": "#9aa5b5"})  # fmt: skip
    colors = {"sensitivity": "#0f6cb6", "resistance": "#c0392b", "conflicting": "#8e44ad"}
    for k, d in enumerate(drugs, start=1):
        r = scr[scr["drug"] == d].iloc[0]
        ax.plot([r["auc"]], [k], "o", color=colors.get(r["kb_direction"], "#1d2430"), markersize=7, zorder=3)
    ax.set_yticks(range(1, len(drugs) + 1))
    ax.set_yticklabels(drugs, fontsize=8)
    ax.set_xlabel({"resistant": "drug response .X (lower = more sensitive)", "sensitive": "drug response .X (higher = more sensitive)"}
                  .get(get_higher_is(ad) or "", "drug response .X (orientation not declared)"), fontsize=8)
    ax.tick_params(axis="x", labelsize=8)
    ax.set_title("Patient (dot) vs cohort (box); dot colour = KB direction (blue sensitivity, red resistance)", fontsize=8)
    return figure_html(fig, alt="ex vivo drug response of the patient against the cohort", caption=f"{len(drugs)} drugs screened.")


def _screen_curves_figure(interp: Any, mdata: Any, n_drugs: int = 3) -> str:
    """The patient's fitted curves of the most sensitive drugs over the cohort's (``uns['curves']``)."""
    uns = getattr(mdata, "uns", {}) if mdata is not None else {}
    table = uns["curves"].get("table") if "curves" in uns and hasattr(uns["curves"], "get") else None
    if not isinstance(table, pd.DataFrame) or interp.screen.empty:
        return ""
    from matplotlib.figure import Figure

    from ..pl import patient_dose_response

    mine = table[table["sample"].astype(str) == str(interp.patient)]
    drugs = [d for d in interp.screen.sort_values("percentile")["drug"].astype(str) if d in set(mine["drug"].astype(str))][:n_drugs]
    if not drugs:
        return ""
    screen = uns.get("dose_response") if isinstance(uns.get("dose_response"), pd.DataFrame) else None
    ncols = min(3, len(drugs))
    fig = Figure(figsize=(3.3 * ncols, 2.9 * -(-len(drugs) // ncols)))
    axes = np.atleast_1d(fig.subplots(-(-len(drugs) // ncols), ncols, squeeze=False)).ravel()
    for ax, d in zip(axes, drugs, strict=False):
        patient_dose_response(table, sample=str(interp.patient), drug=d, screen=screen, ax=ax)
    for ax in axes[len(drugs):]:
        ax.axis("off")
    axes[0].legend(fontsize=6, frameon=False, loc="lower left")
    fig.tight_layout()
    return figure_html(fig, alt="the patient's dose-response curves over the cohort's",
                       caption=f"The patient's fitted curve (red) and measured points over the cohort's curves (grey) for its "
                       f"{len(drugs)} most sensitive drug(s) by percentile; dashed = cohort median, shaded = interquartile range.")  # fmt: skip


def _key_findings(interp: Any) -> list[str]:
    """Headline lines: alerts on the current therapy / the patient's tumour type first, options, resisted drugs, top target."""
    lines = []
    alerts = interp.alerts
    keys = [c for c in ("current", "on_label") if c in alerts.columns]
    if keys and not alerts.empty:
        alerts = alerts.sort_values(keys, ascending=False, kind="stable")
        if "on_label" in alerts.columns and "current" in alerts.columns:
            alerts = alerts[alerts["current"].astype(bool) | alerts["on_label"].astype(bool)]
    for r in alerts.head(4).itertuples(index=False):
        alt = f"; try {r.alternatives.split(';')[0]}" if r.alternatives else ""
        combo = f"; combination {r.combinations.split(';')[0]}" if r.combinations else ""
        ex = f"; ex vivo {r.ex_vivo}" if r.ex_vivo else ""
        lines.append(f"Resistance to {r.drug}: {r.alteration} ({r.mechanism}, tier {r.tier}){alt}{combo}{ex}.")
    for r in interp.options.head(3).itertuples(index=False):
        conf = " (conflicting resistance evidence)" if r.conflicts else ""
        lines.append(f"Option: {r.therapy}, tier {r.tier}, because of {r.alterations}{conf}.")
    resisted = getattr(interp, "resistance_expected", None)
    if resisted is not None and not resisted.empty:
        by_alt = resisted.groupby("alteration", sort=False)["drug"].agg(lambda d: ", ".join(dict.fromkeys(map(str, d))))
        lines.append("Resistance expected (not offered): " + "; ".join(f"{d} ({a})" for a, d in by_alt.items()) + ".")
    if not interp.targets.empty:
        t = interp.targets.iloc[0]
        lines.append(f"Top target: {t['gene']} (score {t['score']:.2f}; {t['alterations']}).")
    return lines


def render_patient_report(interp: Any, *, mdata: Any = None, title: str | None = None, model_scores: Any = None,
                          cohort_href: str | None = None, evidence_file: str | None = None) -> str:
    """HTML of the patient report for an :class:`~oncoresist.interpret.Interpretation`.

    Parameters
    ----------
    interp
        The interpretation (from :func:`oncoresist.interpret.interpret_patient`).
    mdata
        The cohort, for the ex vivo screen figure (optional).
    title
        Page title (default ``"Patient <ID>"``).
    model_scores
        Cross-validated scores per drug (table drug / pearson / rmse, or a model card) shown
        beside each prediction (default: the cohort's ``uns['prediction_scores']``, if any).
    cohort_href
        Link to the cohort report, relative to the page ("← cohort report" at the top), if any.
    evidence_file
        An evidence table already written beside the page (e.g. ``evidence.csv`` of
        ``oncoresist annotate``) that the evidence section links; by default the page carries
        the whole evidence table and :func:`~oncoresist.report.write_patient_report` writes it
        beside the page as ``<page>.evidence.csv``.

    Returns
    -------
    str
        A complete, self-contained HTML document.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from oncoresist.interpret import interpret_alterations
    >>> res = interpret_alterations(["EGFR T790M"], tumour_type="NSCLC", kb=pathlib.Path(tempfile.mkdtemp()) / "kb.duckdb")
    >>> "EGFR T790M" in render_patient_report(res)
    True
    """
    from .._core._version import __version__

    ev = interp.evidence
    n_by_alt = _evidence_counts(ev)
    layers = _alteration_layers(interp.alterations, n_by_alt)
    therapy = ", ".join(interp.therapy)
    th = interp.params.get("thresholds") or {}
    alts = interp.alterations
    max_ev = 80
    n_res = int((ev["direction"] == "resistance").sum()) if not ev.empty else 0
    extra = [s for s in (ctdna_section(interp, mdata), clonal_section(interp, mdata), patient_activity_section(interp, mdata),
                                patient_classify_section(interp, mdata), patient_genome_section(interp, mdata)) if s is not None]
    key_findings = _key_findings(interp) + [f"Emerging in plasma: {a}" for s in extra for a in s.meta.get("alerts", [])]
    tpl = jinja_env().get_template("patient.html.j2")
    return tpl.render(
        title=title or f"Patient {interp.patient}",
        subtitle=_subtitle(interp, therapy),
        css=(TEMPLATES / "base.css").read_text(encoding="utf-8"),
        js=TABLES_JS,
        toc=_TOC[:8] + [(x.id, x.title) for x in extra] + _TOC[8:],
        extra_sections=extra,
        cards=_summary_cards(interp, n_by_alt),
        key_findings=key_findings,
        not_understood_n=len(interp.not_understood),
        alterations_summary=(
            f"{len(alts)} alteration(s) across {len(layers)} layer(s); copy-number, expression and methylation calls are "
            "listed for genes with knowledge-base evidence."
        ),
        alteration_layers=layers,
        alerts=_alert_rows(interp),
        alerts_summary=(
            f"Resistance evidence matching this patient, by drug and alteration{' (current therapy first)' if therapy else ''}; "
            "alternatives and combinations come from sensitivity evidence for the same alteration."
        ),
        therapy=therapy,
        options=_option_rows(interp),
        resistance_expected=_resistance_rows(interp),
        options_summary=("Sensitivity evidence by therapy, best tier first; therapies with conflicting resistance evidence follow those "
                         "without at the same tier. Drugs expected to be resisted are listed under 'Resistance expected', never here."),
        targets=_target_rows(interp),
        screen=_screen_rows(interp),
        screen_n=int(interp.screen["n_screened"].max()) if not interp.screen.empty else 0,
        screen_figure=_screen_figure(interp, mdata),
        screen_curves=_screen_curves_figure(interp, mdata),
        sensitive_pct=interp.params.get("sensitive_pct", 20),
        resistant_pct=interp.params.get("resistant_pct", 80),
        predictions=prediction_context(interp, mdata, model_scores),
        predictions_source=prediction_source_text(interp.predictions["source"].iloc[0]) if not interp.predictions.empty else "",
        evidence=_evidence_rows(ev, max_ev),
        evidence_more=max(0, len(ev) - max_ev),
        evidence_link=_evidence_link(ev, evidence_file),
        cohort_href=cohort_href,
        evidence_summary=f"{len(ev)} evidence item(s) ({n_res} resistance, {len(ev) - n_res} sensitivity), strongest first.",
        not_understood=[r._asdict() for r in interp.not_understood.itertuples(index=False)],
        caveats=interp.notes,
        kb=interp.kb,
        thresholds=", ".join(f"{k}={v}" for k, v in th.items()) or "n/a",
        version=__version__,
        generated=_dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
    )


_TOC = [("summary", "Summary"), ("alterations", "Alterations by layer"), ("alerts", "Resistance alerts"),
        ("options", "Therapy options"), ("resistance-expected", "Resistance expected"), ("targets", "Target priority"), ("screen", "Ex vivo drug screen"),
        ("predictions", "Model predictions"), ("evidence", "Evidence detail"), ("not-understood", "Not understood"),
        ("caveats", "Caveats"), ("kb", "Knowledge base")]  # fmt: skip


def _evidence_link(ev: pd.DataFrame, evidence_file: str | None) -> str:
    """Link to the whole evidence table: a file already written, or one the page writer writes."""
    from urllib.parse import quote

    if ev.empty:
        return ""
    if evidence_file:
        return f'<a class="evidence-file" href="{html.escape(quote(str(evidence_file)))}">{escape(evidence_file)}</a>'
    return full_table_link(ev, "evidence")


def _evidence_counts(ev: pd.DataFrame) -> dict[str, int]:
    """Number of evidence items per alteration label."""
    n_by_alt: dict[str, int] = {}
    for a in ev["alteration"] if not ev.empty else []:
        for lab in str(a).split("; "):
            n_by_alt[lab] = n_by_alt.get(lab, 0) + 1
    return n_by_alt


def _alteration_layers(alts: pd.DataFrame, n_by_alt: Mapping[str, int]) -> list[dict[str, Any]]:
    """One block per layer: alterations with evidence first; outliers without evidence listed compactly."""
    layers = []
    for layer in ["mut", "fusion", "cnv", "rna", "prot", "meth", "input"]:
        sub = alts[alts["layer"] == layer] if not alts.empty else alts
        if sub is None or sub.empty:
            continue
        rows = [
            {"label": r.label, "kind": r.kind, "evidence_text": r.evidence_text, "detail": r.detail, "n_evidence": n_by_alt.get(r.label, 0) or ""}
            for r in sub.itertuples(index=False)
        ]
        rows.sort(key=lambda x: (-(x["n_evidence"] or 0), x["label"]))
        others = ""
        if layer in ("rna", "prot", "meth"):
            # outlier calls without evidence are listed compactly: they matter only as context
            quiet = [r for r in rows if not r["n_evidence"]]
            if quiet and len(rows) > 3:
                rows = [r for r in rows if r["n_evidence"]]
                others = "; ".join(f"{r['label']} ({r['evidence_text'].split(' (')[0]})" for r in quiet)
        layers.append({"name": layer, "title": _LAYER_TITLES.get(layer, layer), "rows": rows, "others": others,
                       "n": len(rows) + (others.count("; ") + 1 if others else 0)})  # fmt: skip
    return layers


def _summary_cards(interp: Any, n_by_alt: Mapping[str, int]) -> list[tuple[str, int]]:
    """The summary cards: counts of alterations, alerts, tier I options and evidence."""
    alts = interp.alterations
    tier1 = int((interp.options["tier"].isin(["I-A", "I-B"])).sum()) if not interp.options.empty else 0
    return [
        ("alterations", len(alts)),
        ("with evidence", sum(1 for lab in alts.get("label", []) if n_by_alt.get(lab))),
        ("resistance alerts", len(interp.alerts)),
        ("tier I options", tier1),
        ("evidence items", len(interp.evidence)),
    ]


def _alert_rows(interp: Any) -> list[dict[str, Any]]:
    """Alert cards with their citation links."""
    return [dict(r._asdict(), cits=_cit_links(r.citations, interp.evidence)) for r in interp.alerts.itertuples(index=False)]


def _option_rows(interp: Any) -> list[dict[str, Any]]:
    """Therapy options with citation links and formatted ex vivo percentile / prediction."""
    options = []
    for r in interp.options.itertuples(index=False):
        d = r._asdict()
        d["cits"] = _cit_links(r.citations, interp.evidence)
        d["ex_vivo"] = _fmt(r.ex_vivo_percentile, "{:.0f}")
        d["predicted"] = _fmt(r.predicted, "{:.3g}")
        options.append(d)
    return options


def _resistance_rows(interp: Any) -> list[dict[str, Any]]:
    """Drugs expected to be resisted (current therapy first), with citation links."""
    table = getattr(interp, "resistance_expected", None)
    if table is None or table.empty:
        return []
    if "current" in table.columns:
        table = table.sort_values("current", ascending=False, kind="stable")
    return [dict(r._asdict(), cits=_cit_links(getattr(r, "citations", ""), interp.evidence)) for r in table.itertuples(index=False)]


def _target_rows(interp: Any) -> list[dict[str, Any]]:
    """Target priority rows with the formatted score parts."""
    targets = []
    for r in interp.targets.itertuples(index=False):
        d = r._asdict()
        d["parts"] = [_fmt(getattr(r, k)) or "n/a" for k in ("evidence", "pathway_role", "druggability", "specificity", "association")]
        targets.append(d)
    return targets


def ic50_text(ic50: Any, lo: Any = None, hi: Any = None) -> str:
    """An IC50 in µM as a reader needs it: beyond the tested range written as such, never ``inf``.

    Examples
    --------
    >>> ic50_text(0.42), ic50_text(float("inf"), 0.01, 10), ic50_text(2500, 0.01, 10), ic50_text(1e-5, 0.01, 10)
    ('0.42 µM', '> 10 µM (highest tested)', '> 10 µM (highest tested)', '< 0.01 µM (lowest tested)')
    """
    try:
        v = float(ic50)
    except (TypeError, ValueError):
        return ""
    lo_f = float(lo) if lo is not None and pd.notna(lo) else np.nan
    hi_f = float(hi) if hi is not None and pd.notna(hi) else np.nan
    if np.isnan(v):
        return ""
    if np.isposinf(v) or (np.isfinite(hi_f) and v > hi_f):
        return f"> {hi_f:.3g} µM (highest tested)" if np.isfinite(hi_f) else "above the tested range"
    if np.isfinite(lo_f) and v < lo_f:
        return f"< {lo_f:.3g} µM (lowest tested)"
    return f"{v:.3g} µM"


def _screen_rows(interp: Any) -> list[dict[str, Any]]:
    """The patient's ex vivo screen rows, formatted."""
    return [
        {"drug": r.drug, "auc": _fmt(r.auc, "{:.3f}"),
         "ic50": ic50_text(r.ic50_uM, getattr(r, "dose_min_uM", None), getattr(r, "dose_max_uM", None)), "percentile": _fmt(r.percentile, "{:.0f}"),
         "call": r.call, "kb_direction": r.kb_direction, "kb_tier": r.kb_tier, "concordance": r.concordance}
        for r in interp.screen.itertuples(index=False)
    ]  # fmt: skip


def _evidence_rows(ev: pd.DataFrame, max_rows: int) -> list[dict[str, Any]]:
    """The first ``max_rows`` evidence items; links that are not http(s) are not kept."""
    if ev.empty:
        return []
    rows = [r._asdict() for r in ev.head(max_rows).itertuples(index=False)]
    for r in rows:
        if "url" in r:
            r["url"] = safe_url(r["url"])
    return rows


def _subtitle(interp: Any, therapy: str) -> str:
    """Tumour type (and matched disease), current therapy, KB version and date."""
    tt = interp.tumour_type or "not given"
    dis = f" (matched to '{interp.disease}')" if interp.disease and interp.disease.lower() != str(interp.tumour_type).lower() else ""
    return (
        f"Tumour type: {tt}{dis}" + (f" · current therapy: {therapy}" if therapy else "")
        + f" · KB {interp.kb.get('version', '')} · {interp.params.get('date', _dt.date.today().isoformat())}"
    )  # fmt: skip


def write_patient_report(
    mdata: Any,
    patient: str,
    path: PathLike,
    *,
    kb: Any = None,
    tumour_type: str | None = None,
    therapy: str | list[str] | None = None,
    predictions: Any = None,
    associations: pd.DataFrame | None = None,
    thresholds: Any = None,
    title: str | None = None,
    model_scores: Any = None,
    cohort_report: PathLike | None = None,
) -> Path:
    """Interpret one patient of a cohort and write the patient report (atomically).

    Parameters
    ----------
    mdata
        The cohort holding the patient's layers, drug response and (optionally) stored results.
    patient
        Sample ID.
    path
        Output HTML file.
    kb
        Knowledge base, KB path or None (default KB, built on first use).
    tumour_type, therapy, predictions, associations, thresholds
        Passed to :func:`oncoresist.interpret.interpret_patient`.
    title
        Page title.
    model_scores
        Cross-validated scores shown beside each prediction (see :func:`render_patient_report`).
    cohort_report
        The cohort report written with this page: the page links back to it (relative path).

    Returns
    -------
    pathlib.Path
        The written file (its whole evidence table is written beside it, ``<name>.evidence.csv``).

    Examples
    --------
    >>> import anndata as ad, mudata as md, numpy as np, pandas as pd, tempfile, pathlib
    >>> mut = ad.AnnData(np.ones((1, 1)), obs=pd.DataFrame(index=["P1"]), var=pd.DataFrame(index=["KRAS"]))
    >>> mut.uns["variants"] = pd.DataFrame({"sample": ["P1"], "gene": ["KRAS"], "protein_change": ["p.G12D"]})
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> p = write_patient_report(md.MuData({"mut": mut}), "P1", d / "P1.html", kb=d / "kb.duckdb", tumour_type="colorectal cancer")
    >>> "KRAS G12D" in p.read_text()
    True
    """
    from ..interpret import interpret_patient

    interp = interpret_patient(
        mdata, patient, kb=kb, tumour_type=tumour_type, therapy=therapy, predictions=predictions,
        associations=associations, thresholds=thresholds,
    )  # fmt: skip
    p = Path(path)
    page = render_patient_report(interp, mdata=mdata, title=title, model_scores=model_scores, cohort_href=_relative(cohort_report, p.parent))
    write_page(p, page)
    return p


def _relative(target: PathLike | None, folder: PathLike) -> str | None:
    """``target`` relative to ``folder`` as a URL path (``/`` separators), or None."""
    import os
    from urllib.parse import quote

    if target is None:
        return None
    return quote(os.path.relpath(Path(target).absolute(), Path(folder).absolute()).replace(os.sep, "/"))


#: ``mdata`` / ``patients`` and the shared ``kb`` / ``therapy`` / ``predictions`` parameters of
#: :func:`write_patient_reports` and :func:`interpret_patients`.
_DOC_PATIENTS = """\
mdata
    The cohort.
patients
    Sample IDs."""
_DOC_INTERPRET = """\
kb
    Knowledge base, KB path or None.
therapy
    Optional patient -> therapy text.
predictions
    Model predictions (DataFrame samples x drugs)."""


@doc_params(doc_patients=_DOC_PATIENTS, doc_interpret=_DOC_INTERPRET)
def write_patient_reports(
    mdata: Any,
    patients: Sequence[str],
    out_dir: PathLike,
    *,
    kb: Any = None,
    therapy: Mapping[str, str] | None = None,
    predictions: Any = None,
    interpretations: Mapping[str, Any] | None = None,
    n_jobs: int | None = 1,
    cohort_report: PathLike | None = None,
) -> dict[str, Path]:
    """Write one report per patient into ``out_dir`` (``<patient>.html``), sharing one KB.

    File names never collide (see :func:`patient_file_names`).

    Parameters
    ----------
    {doc_patients}
    out_dir
        Folder for the pages.
    {doc_interpret}
    interpretations
        Patient -> interpretation already made (:func:`interpret_patients`); the others are made here.
    n_jobs
        Pages rendered at once, in processes forked from this one (:func:`oncoresist.parallel.fork_map`;
        ``None`` or ``0`` = every CPU). Default 1: here, one after the other.
    cohort_report
        The cohort report written with the pages (e.g. ``out_dir/../index.html``): every page
        links back to it ("← cohort report", a relative link that works from the files).

    Returns
    -------
    dict
        Patient -> written path (each page's whole evidence table beside it, ``<name>.evidence.csv``).

    Examples
    --------
    >>> import anndata as ad, mudata as md, numpy as np, pandas as pd, tempfile, pathlib
    >>> mut = ad.AnnData(np.ones((2, 1)), obs=pd.DataFrame(index=["P1", "P2"]), var=pd.DataFrame(index=["EGFR"]))
    >>> mut.uns["variants"] = pd.DataFrame({"sample": ["P1", "P2"], "gene": ["EGFR"] * 2, "protein_change": ["p.L858R", "p.T790M"]})
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> out = write_patient_reports(md.MuData({"mut": mut}), ["P1", "P2"], d / "patients", kb=d / "kb.duckdb")
    >>> sorted(p.name for p in out.values())
    ['P1.html', 'P2.html']
    """
    names = patient_file_names(patients)
    done = dict(interpretations or {})
    todo = [p for p in patients if p not in done]
    if todo:
        done.update(interpret_patients(mdata, todo, kb=kb, therapy=therapy, predictions=predictions))
    from ..parallel import fork_map

    back = _relative(cohort_report, out_dir)

    def write(p: str) -> Path:
        path = Path(out_dir) / names[str(p)]
        write_page(path, render_patient_report(done[p], mdata=mdata, cohort_href=back))
        return path

    return dict(zip(patients, fork_map(write, patients, n_jobs=n_jobs)))


@doc_params(doc_patients=_DOC_PATIENTS, doc_interpret=_DOC_INTERPRET)
def interpret_patients(
    mdata: Any, patients: Sequence[str], *, kb: Any = None, therapy: Mapping[str, str] | None = None, predictions: Any = None
) -> dict[str, Any]:
    """Interpret several patients of a cohort with one open KB.

    Parameters
    ----------
    {doc_patients}
    {doc_interpret}

    Returns
    -------
    dict
        Patient -> :class:`~oncoresist.interpret.Interpretation`.
    """
    from ..interpret import interpret_patient, resolve_kb

    kbo, own = resolve_kb(kb)
    try:
        return {p: interpret_patient(mdata, p, kb=kbo, therapy=(therapy or {}).get(p), predictions=predictions) for p in patients}
    finally:
        if own:
            kbo.close()


def _slug(name: str) -> str:
    """File-name-safe form of a sample ID (letters, digits, ``-``, ``_``, ``.``)."""
    return "".join(c if (c.isascii() and c.isalnum()) or c in "-_" else "_" for c in str(name)).strip("._") or "patient"


def patient_file_names(patients: Sequence[Any]) -> dict[str, str]:
    """One report file name per patient, never shared by two patients.

    An ID that is already a safe file name (and unique ignoring case among those, for
    case-insensitive file systems) keeps it: ``P1 -> P1.html``. Any other ID gets its slug plus a
    short hash of the exact ID, so ``"P 1"`` and ``"P_1"`` (same slug) get different files.

    Parameters
    ----------
    patients
        Sample IDs (distinct).

    Returns
    -------
    dict
        ID -> file name.

    Examples
    --------
    >>> names = patient_file_names(["P1", "P 1", "P_1"])
    >>> names["P1"], names["P 1"] != names["P_1"], names["P_1"]
    ('P1.html', True, 'P_1.html')
    """
    import hashlib

    ids = [str(p) for p in patients]
    slugs = {i: _slug(i) for i in ids}
    folded: dict[str, int] = {}
    for i, sl in slugs.items():
        if sl == i:
            folded[sl.lower()] = folded.get(sl.lower(), 0) + 1
    names = {}
    for i in ids:
        sl = slugs[i]
        if sl == i and folded[sl.lower()] == 1 and not sl.lower().startswith(("index", "con", "nul", "prn", "aux")):
            names[i] = f"{sl}.html"
        else:
            names[i] = f"{sl}-{hashlib.sha1(i.encode('utf-8')).hexdigest()[:8]}.html"
    if len(set(n.lower() for n in names.values())) < len(names):
        msg = "patient report names collide: two patient IDs map to the same file; make the IDs distinct."
        raise ValueError(msg)
    return names


def patient_reports_section(reports: Mapping[str, PathLike], *, base: PathLike | None = None, interpretations: Mapping[str, Any] | None = None) -> Section:
    """A cohort-report section linking to patient reports (with their headline findings).

    Parameters
    ----------
    reports
        Patient -> path of the written report.
    base
        Folder of the cohort report (links are made relative to it).
    interpretations
        Optional patient -> :class:`~oncoresist.interpret.Interpretation` for the findings column.

    Returns
    -------
    Section

    Examples
    --------
    >>> s = patient_reports_section({"P1": "patients/P1.html"}, base=".")
    >>> "patients/P1.html" in s.html
    True
    """
    import os

    rows = []
    for pid, path in reports.items():
        href = os.path.relpath(Path(path), Path(base)) if base is not None else str(path)
        href = href.replace(os.sep, "/")
        find = ""
        if interpretations and pid in interpretations:
            it = interpretations[pid]
            s = it.summary()
            find = "; ".join(s["top_alerts"][:2] + s["top_options"][:1]) or "no evidence-backed finding"
        rows.append(f'<tr><td><a href="{html.escape(href)}">{escape(pid)}</a></td><td class="small">{escape(find)}</td></tr>')
    body = '<table class="tbl"><thead><tr><th>Patient</th><th>Headline findings</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table>"
    return Section(id="patients", title="Patient reports", html=body, summary=f"{len(rows)} patient report(s): alterations, resistance alerts, tiered options.")

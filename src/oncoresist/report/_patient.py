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

from .._core._utils import PathLike, atomic_write_text
from ._sections import Section, escape, figure_html

__all__ = [
    "patient_reports_section",
    "render_patient_report",
    "write_patient_report",
    "write_patient_reports",
]

_TEMPLATES = Path(__file__).parent / "templates"
_LAYER_TITLES = {
    "mut": "Mutations",
    "cnv": "Copy number",
    "rna": "Expression outliers (RNA)",
    "prot": "Protein outliers",
    "meth": "Promoter methylation",
    "fusion": "Fusions",
    "input": "Alterations given",
}


def _env():  # noqa: ANN202
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _fmt(x: Any, spec: str = "{:.2f}") -> str:
    try:
        xf = float(x)
    except (TypeError, ValueError):
        return "" if x is None else str(x)
    return "" if xf != xf else spec.format(xf)


def _cit_links(text: str, evidence: pd.DataFrame) -> list[dict[str, str]]:
    """Split '<label> (<PMID:...>); ...' into linkable citations."""
    out = []
    urls = dict(zip(evidence["citation"], evidence["url"])) if not evidence.empty else {}
    for part in [p.strip() for p in str(text or "").split(";") if p.strip()]:
        cit = part[part.rfind("(") + 1 : -1] if part.endswith(")") and "(" in part else ""
        url = urls.get(cit) or (
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
    ax.set_xlabel("normalised AUC (lower = more sensitive)", fontsize=8)
    ax.tick_params(axis="x", labelsize=8)
    ax.set_title("Patient (dot) vs cohort (box); dot colour = KB direction (blue sensitivity, red resistance)", fontsize=8)
    return figure_html(fig, alt="ex vivo drug response of the patient against the cohort", caption=f"{len(drugs)} drugs screened.")


def _key_findings(interp: Any) -> list[str]:
    lines = []
    for r in interp.alerts.head(4).itertuples(index=False):
        alt = f"; try {r.alternatives.split(';')[0]}" if r.alternatives else ""
        combo = f"; combination {r.combinations.split(';')[0]}" if r.combinations else ""
        ex = f"; ex vivo {r.ex_vivo}" if r.ex_vivo else ""
        lines.append(f"Resistance to {r.drug}: {r.alteration} ({r.mechanism}, tier {r.tier}){alt}{combo}{ex}.")
    for r in interp.options.head(3).itertuples(index=False):
        conf = " (conflicting resistance evidence)" if r.conflicts else ""
        lines.append(f"Option: {r.therapy}, tier {r.tier}, because of {r.alterations}{conf}.")
    if not interp.targets.empty:
        t = interp.targets.iloc[0]
        lines.append(f"Top target: {t['gene']} (score {t['score']:.2f}; {t['alterations']}).")
    return lines


def render_patient_report(interp: Any, *, mdata: Any = None, title: str | None = None) -> str:
    """HTML of the patient report for an :class:`~oncoresist.interpret.Interpretation`.

    Parameters
    ----------
    interp
        The interpretation (from :func:`oncoresist.interpret.interpret_patient`).
    mdata
        The cohort, for the ex vivo screen figure (optional).
    title
        Page title (default ``"Patient <ID>"``).

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
    n_by_alt: dict[str, int] = {}
    for a in ev["alteration"] if not ev.empty else []:
        for lab in str(a).split("; "):
            n_by_alt[lab] = n_by_alt.get(lab, 0) + 1
    layers = []
    alts = interp.alterations
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
    tier1 = int((interp.options["tier"].isin(["I-A", "I-B"])).sum()) if not interp.options.empty else 0
    cards = [
        ("alterations", len(alts)),
        ("with evidence", sum(1 for lab in alts.get("label", []) if n_by_alt.get(lab))),
        ("resistance alerts", len(interp.alerts)),
        ("tier I options", tier1),
        ("evidence items", len(ev)),
    ]
    alerts = []
    for r in interp.alerts.itertuples(index=False):
        d = r._asdict()
        d["cits"] = _cit_links(r.citations, ev)
        alerts.append(d)
    options = []
    for r in interp.options.itertuples(index=False):
        d = r._asdict()
        d["cits"] = _cit_links(r.citations, ev)
        d["ex_vivo"] = _fmt(r.ex_vivo_percentile, "{:.0f}")
        d["predicted"] = _fmt(r.predicted, "{:.3g}")
        options.append(d)
    targets = []
    for r in interp.targets.itertuples(index=False):
        d = r._asdict()
        d["parts"] = [_fmt(getattr(r, k)) or "n/a" for k in ("evidence", "pathway_role", "druggability", "specificity", "association")]
        targets.append(d)
    screen = [
        {"drug": r.drug, "auc": _fmt(r.auc, "{:.3f}"), "ic50": _fmt(r.ic50_uM, "{:.3g}"), "percentile": _fmt(r.percentile, "{:.0f}"),
         "call": r.call, "kb_direction": r.kb_direction, "kb_tier": r.kb_tier, "concordance": r.concordance}
        for r in interp.screen.itertuples(index=False)
    ]  # fmt: skip
    preds = [
        {"drug": r.drug, "predicted": _fmt(r.predicted, "{:.3g}"), "percentile": _fmt(r.percentile, "{:.0f}")}
        for r in interp.predictions.itertuples(index=False)
    ]
    max_ev = 80
    evidence = [r._asdict() for r in ev.head(max_ev).itertuples(index=False)] if not ev.empty else []
    n_res = int((ev["direction"] == "resistance").sum()) if not ev.empty else 0
    therapy = ", ".join(interp.therapy)
    tt = interp.tumour_type or "not given"
    dis = f" (matched to '{interp.disease}')" if interp.disease and interp.disease.lower() != str(interp.tumour_type).lower() else ""
    subtitle = (
        f"Tumour type: {tt}{dis}" + (f" · current therapy: {therapy}" if therapy else "")
        + f" · KB {interp.kb.get('version', '')} · {interp.params.get('date', _dt.date.today().isoformat())}"
    )  # fmt: skip
    th = interp.params.get("thresholds") or {}
    css = (_TEMPLATES / "base.css").read_text(encoding="utf-8")
    toc = [("summary", "Summary"), ("alterations", "Alterations by layer"), ("alerts", "Resistance alerts"),
           ("options", "Therapy options"), ("targets", "Target priority"), ("screen", "Ex vivo drug screen"),
           ("predictions", "Model predictions"), ("evidence", "Evidence detail"), ("not-understood", "Not understood"),
           ("caveats", "Caveats"), ("kb", "Knowledge base")]  # fmt: skip
    tpl = _env().get_template("patient.html.j2")
    return tpl.render(
        title=title or f"Patient {interp.patient}",
        subtitle=subtitle,
        css=css,
        toc=toc,
        cards=cards,
        key_findings=_key_findings(interp),
        not_understood_n=len(interp.not_understood),
        alterations_summary=(
            f"{len(alts)} alteration(s) across {len(layers)} layer(s); copy-number, expression and methylation calls are "
            "listed for genes with knowledge-base evidence."
        ),
        alteration_layers=layers,
        alerts=alerts,
        alerts_summary=(
            f"Resistance evidence matching this patient, by drug and alteration{' (current therapy first)' if therapy else ''}; "
            "alternatives and combinations come from sensitivity evidence for the same alteration."
        ),
        therapy=therapy,
        options=options,
        options_summary="Sensitivity evidence by therapy, best tier first; therapies with conflicting resistance evidence follow those without at the same tier.",
        targets=targets,
        screen=screen,
        screen_n=int(interp.screen["n_screened"].max()) if not interp.screen.empty else 0,
        screen_figure=_screen_figure(interp, mdata),
        sensitive_pct=interp.params.get("sensitive_pct", 20),
        resistant_pct=interp.params.get("resistant_pct", 80),
        predictions=preds,
        predictions_source=interp.predictions["source"].iloc[0] if not interp.predictions.empty else "",
        evidence=evidence,
        evidence_more=max(0, len(ev) - max_ev),
        evidence_summary=f"{len(ev)} evidence item(s) ({n_res} resistance, {len(ev) - n_res} sensitivity), strongest first.",
        not_understood=[r._asdict() for r in interp.not_understood.itertuples(index=False)],
        caveats=interp.notes,
        kb=interp.kb,
        thresholds=", ".join(f"{k}={v}" for k, v in th.items()) or "n/a",
        version=__version__,
        generated=_dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
    )


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
) -> Path:
    """Interpret one patient of a cohort and write the patient report (atomically).

    Parameters
    ----------
    mdata
        The cohort.
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

    Returns
    -------
    pathlib.Path
        The written file.

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
    page = render_patient_report(interp, mdata=mdata, title=title)
    p = Path(path)
    atomic_write_text(p, page)
    return p


def write_patient_reports(
    mdata: Any,
    patients: Sequence[str],
    out_dir: PathLike,
    *,
    kb: Any = None,
    therapy: Mapping[str, str] | None = None,
    predictions: Any = None,
) -> dict[str, Path]:
    """Write one report per patient into ``out_dir`` (``<patient>.html``), sharing one KB.

    Parameters
    ----------
    mdata
        The cohort.
    patients
        Sample IDs.
    out_dir
        Folder for the pages.
    kb
        Knowledge base, KB path or None.
    therapy
        Optional patient -> therapy text.
    predictions
        Model predictions (DataFrame samples x drugs).

    Returns
    -------
    dict
        Patient -> written path.

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
    from ..interpret import interpret_patient, resolve_kb

    kbo, own = resolve_kb(kb)
    out: dict[str, Path] = {}
    try:
        for p in patients:
            interp = interpret_patient(mdata, p, kb=kbo, therapy=(therapy or {}).get(p), predictions=predictions)
            path = Path(out_dir) / f"{_safe(p)}.html"
            atomic_write_text(path, render_patient_report(interp, mdata=mdata))
            out[p] = path
    finally:
        if own:
            kbo.close()
    return out


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in str(name))


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

"""The cohort report: one self-contained HTML page (overview, layers, QC, analyses)."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from pathlib import Path

import mudata as md
import numpy as np
import pandas as pd

from .._core._utils import PathLike
from ._genome import genome_biomarker_section
from ._sections import (
    TABLES_JS,
    TEMPLATES,
    Section,
    cards_html,
    escape,
    figure_html,
    jinja_env,
    table_html,
    write_page,
)

__all__ = ["analysis_sections", "cohort_sections", "render_report", "write_cohort_report"]

_MISSING_HOW = {
    "Multi-omics integration": "run 'oncoresist integrate COHORT --out DIR' and report DIR/cohort.h5mu (or oncoresist.tl.factors)",
    "Biomarkers and response models": ("store associations or a survival model in the cohort (oncoresist.tl.associate / oncoresist.tl.survival); "
                                       "'oncoresist associate COHORT --all --out assoc.csv' and 'oncoresist train COHORT --all --out models/DIR' write them to files"),
    "Classification": ("run 'oncoresist train COHORT --task classify --target COLUMN --out DIR --store-in COHORT_OUT' "
                       "(or oncoresist.tl.store_classification) and report COHORT_OUT"),
    "Activities and microenvironment": "run 'oncoresist activity COHORT --tme --out DIR' and report DIR/cohort.h5mu (or oncoresist.tl.activity / oncoresist.tl.tme)",
    "Drug screen": "rebuild the cohort with its curves fitted: 'oncoresist build STUDY.toml --out COHORT' (without --no-fit)",
    "Drug combinations": ("run 'oncoresist synergy COHORT --out scores.csv --store-in COHORT_OUT' and report COHORT_OUT "
                          "(or store the tables of oncoresist.tl.synergy as uns['synergy'] = {'summary': ..., 'wells': ...})"),
}


def _screen_section(mdata: md.MuData) -> Section | None:
    """The drug-screen section from ``uns['curves']['table']`` (and the synergy scores, if stored)."""
    from ._screen_section import screen_section
    from ._synergy_data import cohort_synergy

    curves = mdata.uns.get("curves")
    table = curves.get("table") if isinstance(curves, Mapping) else None
    if not isinstance(table, pd.DataFrame) or not len(table):
        return None
    screen = mdata.uns.get("dose_response")
    syn = cohort_synergy(mdata)
    return screen_section(table, screen=screen if isinstance(screen, pd.DataFrame) else None,
                          synergy_summary=syn[0] if syn else None, synergy_wells=syn[1] if syn else None)  # fmt: skip


def analysis_sections(mdata: md.MuData) -> tuple[list[Section], list[str]]:
    """The analysis sections a cohort holds results for, plus one line per missing section.

    The drug screen is present when the cohort has fitted curves (``uns['curves']['table']``, from
    ``oncoresist build``); integration when it has ``obsm['X_factors']`` and ``uns['factors']``;
    models when it has ``uns['associate']['results']`` or ``uns['survival']['risk']``. Each missing
    one gets a line naming the command that adds it; a "Missing sections" section lists them.

    Parameters
    ----------
    mdata
        The cohort.

    Returns
    -------
    tuple
        The sections and the missing-section lines (empty when nothing is missing).

    Examples
    --------
    >>> import anndata as ad, mudata as md, numpy as np
    >>> sections, missing = analysis_sections(md.MuData({"rna": ad.AnnData(np.ones((2, 2)))}))
    >>> [s.id for s in sections], missing[0].split(":")[0]
    (['missing-sections'], 'Multi-omics integration')
    """
    from ._activity_section import activity_section
    from ._classify_section import classify_section
    from ._integration_section import integration_section
    from ._models_section import models_section

    uns = mdata.uns
    has = {
        "Multi-omics integration": "X_factors" in mdata.obsm and isinstance(uns.get("factors"), Mapping),
        "Biomarkers and response models": ("associate" in uns and "results" in uns["associate"]) or ("survival" in uns and "risk" in uns["survival"]),
    }
    screen = _screen_section(mdata)
    if "dose_response" in uns:  # a screen read without its curves fitted
        has["Drug screen"] = screen is not None
    if "combinations" in uns:  # a combination screen without its scores (pages: report._synergy_page)
        has["Drug combinations"] = "synergy" in uns
    act = activity_section(mdata)
    has["Activities and microenvironment"] = act is not None
    clf = classify_section(mdata)
    has["Classification"] = clf is not None
    sections = [s for s in (screen, act, clf) if s is not None]
    if has["Multi-omics integration"]:
        sections.append(integration_section(mdata))
    if has["Biomarkers and response models"]:
        sections.append(models_section(mdata))
    missing = [f"{title}: not in this cohort; to add it, {_MISSING_HOW[title]}." for title, ok in has.items() if not ok]
    if missing:
        body = "".join(f'<p class="note">{escape(line)}</p>' for line in missing)
        sections.append(Section(id="missing-sections", title="Missing sections", html=body,
                                summary=f"{len(missing)} analysis section(s) could not be shown: the cohort holds no result for them."))  # fmt: skip
    return sections, missing


def cohort_sections(mdata: md.MuData) -> list[Section]:
    """The overview sections of a cohort report: layers, sample overlap, missingness, QC.

    Parameters
    ----------
    mdata
        The cohort (e.g. from :func:`oncoresist.io.read_study`).

    Returns
    -------
    list of Section
    """
    from .. import pl
    from ..io import build_summary

    summary = build_summary(mdata)
    build = mdata.uns.get("build", {})
    study = build.get("study", "cohort") if isinstance(build, dict) else "cohort"
    n_full = int(sum(all(s in set(m.obs_names) for m in mdata.mod.values()) for s in mdata.obs_names))
    overview = cards_html(
        [
            ("samples", mdata.n_obs),
            ("layers", len(mdata.mod)),
            ("samples with every layer", n_full),
            ("clinical variables", mdata.obs.shape[1] - sum(c.split(":", 1)[0] in mdata.mod for c in mdata.obs.columns)),
        ]
    )
    layer_info = summary.copy()
    sections = [
        Section(
            id="overview",
            title="Cohort overview",
            summary=f"Study '{study}': {mdata.n_obs} samples across {len(mdata.mod)} layers.",
            html=overview + table_html(layer_info, max_rows=100, float_format="{:.3f}"),
        )
    ]
    sheet_only = build.get("sheet_samples_without_data", []) if isinstance(build, dict) else []
    if len(sheet_only):
        ids = ", ".join(map(str, list(sheet_only)[:20]))
        sections[0].html += f'<p class="note">{len(sheet_only)} sample(s) of the sample sheet have no layer data: {escape(ids)}{"..." if len(sheet_only) > 20 else ""}</p>'
    figures = (
        ("overlap", "Sample overlap between layers",
         "Partial overlap is normal; every analysis says how it handles samples missing a layer.",
         pl.sample_overlap, "UpSet-style plot of layers per sample"),
        ("missing", "Missing values",
         "Fraction of missing values per sample and per feature, by layer (samples absent from a layer are not counted).",
         pl.missingness, "missing values by layer"),
        ("qc", "Per-sample value distributions",
         "Boxplots of each sample's values per layer (mutations: number of mutated genes per sample).",
         pl.layer_distributions, "value distributions per sample and layer"),
    )
    sections.extend(Section(id=sid, title=title, summary=summary, html=figure_html(draw(mdata), alt=alt))
                    for sid, title, summary, draw, alt in figures)
    genome = genome_biomarker_section(mdata)
    if genome is not None:
        sections.append(genome)
    clin = mdata.obs[[c for c in mdata.obs.columns if ":" not in c]]
    if clin.shape[1]:
        rows = []
        for c in clin.columns[:40]:
            s = clin[c]
            if pd.api.types.is_numeric_dtype(s):
                desc = f"median {np.nanmedian(s.to_numpy(dtype=float)):.3g} (range {np.nanmin(s.to_numpy(dtype=float)):.3g}-{np.nanmax(s.to_numpy(dtype=float)):.3g})" if s.notna().any() else "all missing"
            else:
                vc = s.astype(str).value_counts().head(4)
                desc = "; ".join(f"{k}: {v}" for k, v in vc.items()) + ("; ..." if s.nunique() > 4 else "")
            rows.append({"variable": c, "non-missing": int(s.notna().sum()), "summary": desc})
        sections.append(
            Section(id="clinical", title="Clinical variables", summary=f"{clin.shape[1]} variables from the sample sheet.", html=table_html(pd.DataFrame(rows), max_rows=40))
        )
    return sections


def render_report(sections: Sequence[Section], *, title: str, subtitle: str = "") -> str:
    """Render sections into one self-contained HTML page (inline CSS, inline PNG figures)."""
    from .._core._version import __version__

    css = (TEMPLATES / "base.css").read_text(encoding="utf-8")
    tpl = jinja_env().get_template("cohort.html.j2")
    return tpl.render(
        title=title,
        subtitle=subtitle,
        sections=list(sections),
        css=css,
        js=TABLES_JS,
        version=__version__,
        generated=_dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
    )


def write_cohort_report(
    mdata: md.MuData,
    path: PathLike,
    *,
    extra_sections: Sequence[Section] = (),
    title: str | None = None,
) -> Path:
    """Write the cohort report (overview + QC + any ``extra_sections``) atomically.

    Parameters
    ----------
    mdata
        The cohort.
    path
        Output HTML file (its folder is created).
    extra_sections
        Sections from the analyses (dose-response, integration, models, patients, ...).
    title
        Page title; defaults to the study name.

    Returns
    -------
    pathlib.Path
        The written file; a table too long to embed in full is written beside it as
        ``<name>.<table>.csv`` and linked from the page.
    """
    build = mdata.uns.get("build", {})
    study = build.get("study", "cohort") if isinstance(build, dict) else "cohort"
    sections = [*cohort_sections(mdata), *extra_sections]
    html = render_report(
        sections,
        title=title or f"oncoresist cohort report: {study}",
        subtitle=f"{mdata.n_obs} samples; layers: {', '.join(f'{k} ({m.n_obs}x{m.n_vars})' for k, m in mdata.mod.items())}",
    )
    path = Path(path)
    write_page(path, html)  # tables cut in the page are written in full beside it
    return path

"""Cohort report section 'Genome-wide biomarkers': TMB, MSI and HRD from the sample table."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._sections import Section, cards_html, figure_html, table_html

__all__ = ["TMB_REFERENCE", "genome_biomarker_section", "patient_genome_section"]

_SCORES = ("tmb", "msi_score", "hrd_sum")
_CALLS = (("tmb_high", "TMB-high"), ("msi_high", "MSI-high"), ("hrd_high", "HRD-positive"))


def _sample_table(mdata: Any) -> pd.DataFrame:
    """The cohort's sample columns, with the indel counts of ``uns['biomarkers']`` when recorded."""
    obs = mdata.obs.copy()
    record = mdata.uns.get("biomarkers")
    table = record.get("table") if isinstance(record, dict) else None
    if isinstance(table, pd.DataFrame) and {"sample", "n_indel"} <= set(table.columns) and "n_indel" not in obs.columns:
        obs["n_indel"] = table.set_index(table["sample"].astype(str))["n_indel"].reindex(obs.index.astype(str)).to_numpy()
    return obs


def _counts(obs: pd.DataFrame) -> tuple[list[tuple[str, object]], pd.DataFrame]:
    """Cards (positive / assessed per call) and a per-score summary table."""
    cards: list[tuple[str, object]] = []
    rows = []
    for flag, label in _CALLS:
        if flag not in obs.columns:
            continue
        calls = obs[flag].astype("boolean")
        cards.append((label, f"{int(calls.fillna(False).sum())} / {int(calls.notna().sum())}"))
    for score in _SCORES:
        if score in obs.columns:
            v = pd.to_numeric(obs[score], errors="coerce").to_numpy(dtype=float)
            v = v[np.isfinite(v)]
            if len(v):
                rows.append({"score": score, "samples": len(v), "median": float(np.median(v)),
                             "min": float(v.min()), "max": float(v.max())})
    return cards, pd.DataFrame(rows)


def genome_biomarker_section(mdata: Any) -> Section | None:
    """The 'Genome-wide biomarkers' section, or None when the sample table has no tmb / msi_score / hrd_sum.

    Parameters
    ----------
    mdata
        The cohort, after :func:`oncoresist.tl.add_biomarkers` (or with its own such columns).

    Returns
    -------
    Section or None
        Counts of TMB-high / MSI-high / HRD-positive samples, a summary of the scores and, with
        ``tmb`` or ``msi_score``, the TMB distribution (log scale, cut-off line) and MSI score
        against indels.

    Examples
    --------
    >>> import anndata as ad, mudata as md
    >>> m = md.MuData({"x": ad.AnnData(np.zeros((2, 1)), obs=pd.DataFrame(index=["a", "b"]))})
    >>> genome_biomarker_section(m) is None
    True
    """
    from .. import pl

    obs = _sample_table(mdata)
    if not any(c in obs.columns for c in _SCORES):
        return None
    cards, summary = _counts(obs)
    html = cards_html(cards) + table_html(summary, float_format="{:.3g}")
    if "tmb" in obs.columns or "msi_score" in obs.columns:
        params = mdata.uns.get("biomarkers", {}).get("params", {}) if isinstance(mdata.uns.get("biomarkers"), dict) else {}
        cutoff = float(params.get("tmb_cutoff", 10.0)) if isinstance(params, dict) else 10.0
        html += figure_html(pl.genome_biomarkers(obs, tmb_cutoff=cutoff), alt="TMB distribution and MSI score against indels")
    n = int(obs[[c for c in _SCORES if c in obs.columns]].notna().any(axis=1).sum())
    return Section(id="genome-biomarkers", title="Genome-wide biomarkers",
                   summary=f"{n} samples with TMB / MSI / HRD scores; calls: TMB-high >= 10 / Mb, MSI-high by indel burden, "
                           "HRD-positive at an HRD sum >= 42 or a BRCA1/2 alteration.", html=html)


#: Reference TMB distribution (mutations / Mb) of Chalmers et al. 2017 Genome Med (PMID 28420421):
#: 100,000 tumours profiled by comprehensive genomic profiling, median 3.6 mut/Mb.
TMB_REFERENCE = {"median": 3.6, "citation": "Chalmers et al. 2017 Genome Med, PMID 28420421 (median of 100,000 tumours)"}


def _patient_rows(mdata: Any, sample: str) -> list[dict[str, Any]]:
    """One row per score the sample has: value, cohort percentile, call and the rule behind it."""
    from ..tl.biomarkers._hrd import HRD_HIGH_CUTOFF
    from ..tl.biomarkers._msi import MSI_INDEL_THRESHOLD

    obs = _sample_table(mdata)
    rec = mdata.uns.get("biomarkers")
    params = rec.get("params", {}) if isinstance(rec, dict) else {}
    tmb_cut = float(params.get("tmb_cutoff", 10.0))
    rules = {"tmb": ("tmb_high", f"TMB-high at >= {tmb_cut:g} mut/Mb (FDA pembrolizumab, Marabelle et al. 2020 Lancet Oncol, PMID 32919526); "
                                 f"reference median {TMB_REFERENCE['median']} mut/Mb ({TMB_REFERENCE['citation']})"),
             "msi_score": ("msi_high", f"MSI-high by method {params.get('msi_method', 'indel burden')} "
                                       f"(default cut-off {MSI_INDEL_THRESHOLD} on the score)"),
             "hrd_sum": ("hrd_high", f"HRD-positive at LOH + TAI + LST >= {HRD_HIGH_CUTOFF:g} (Telli et al. 2016 Clin Cancer Res, PMID 26957554) or a BRCA1/2 alteration")}
    rows = []
    for score, (flag, rule) in rules.items():
        if score not in obs.columns:
            continue
        v = pd.to_numeric(obs[score], errors="coerce")
        val = v.get(sample, np.nan)
        if not np.isfinite(val):
            continue
        call = obs[flag].astype("boolean").get(sample) if flag in obs.columns else pd.NA
        rows.append({"score": score, "value": float(val), "cohort percentile": float((v.dropna() <= val).mean() * 100),
                     "call": "not called" if pd.isna(call) else ("positive" if bool(call) else "negative"), "rule": rule})
    return rows


def _signature_html(mdata: Any, sample: str) -> str:
    """SBS-96 profile and signature exposures with intervals of the sample (``signatures`` modality), or ''."""
    from .. import pl

    if "signatures" not in mdata.mod or sample not in set(mdata["signatures"].obs_names.astype(str)):
        return ""
    a = mdata["signatures"]
    i = list(a.obs_names.astype(str)).index(sample)
    ex = pd.DataFrame({"signature": a.var_names.astype(str), "exposure": np.asarray(a.X, dtype=float)[i],
                       **{k: np.asarray(a.layers[k], dtype=float)[i] for k in ("fraction", "lower", "upper") if k in a.layers}})
    html = ""
    if "sbs96" in a.obsm:
        cat = pd.DataFrame(a.obsm["sbs96"], index=a.obs_names.astype(str))
        html += figure_html(pl.sbs96_profile(cat.loc[sample], sample=sample), alt=f"SBS-96 profile of {sample}")
    return html + table_html(ex.sort_values("exposure", ascending=False), float_format="{:.3g}")


def patient_genome_section(interp: Any, mdata: Any) -> Section | None:
    """The patient page's 'Genome-wide biomarkers': TMB against the cohort and a reference, MSI and HRD calls with why.

    Parameters
    ----------
    interp
        The patient's :class:`~oncoresist.interpret.Interpretation` (its ``patient`` is the sample).
    mdata
        The cohort after :func:`oncoresist.tl.add_biomarkers`.

    Returns
    -------
    Section or None
        None when the sample has no TMB / MSI / HRD score; otherwise a table of each score, its
        percentile in the cohort, the call and the rule (cut-off, citation). ``meta['calls']``
        lists the positive calls.

    Examples
    --------
    >>> import anndata as ad, mudata as md, types
    >>> m = md.MuData({"x": ad.AnnData(np.zeros((2, 1)), obs=pd.DataFrame(index=["a", "b"]))})
    >>> patient_genome_section(types.SimpleNamespace(patient="a"), m) is None
    True
    """
    if mdata is None or str(interp.patient) not in set(mdata.obs_names.astype(str)):
        return None
    rows = _patient_rows(mdata, str(interp.patient))
    sig_html = _signature_html(mdata, str(interp.patient))
    if not rows and not sig_html:
        return None
    table = pd.DataFrame(rows)
    calls = [f"{r['score']} {r['value']:.3g}: positive" for r in rows if r["call"] == "positive"]
    html = (table_html(table, float_format="{:.3g}") if rows else "") + sig_html
    return Section(id="patient-genome", title="Genome-wide biomarkers", html=html,
                   summary="; ".join(f"{r['score']} {r['value']:.3g} ({r['call']}, cohort percentile {r['cohort percentile']:.0f})" for r in rows),
                   meta={"calls": calls})

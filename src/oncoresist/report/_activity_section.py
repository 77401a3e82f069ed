"""Report sections 'Activities and microenvironment': act_<resource> and tme modalities.

Cohort report: a heatmap of activities by subtype and their association with drug response
(:func:`oncoresist.tl.associate` on the activity modality: top hits table + volcano). Patient
report: the sources standing out against the cohort (z-score, top up and down), resistance-
relevant ones linked to the curated mechanisms of :mod:`oncoresist.kb._states`.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from ..kb._states import state_evidence
from ._sections import Section, escape, figure_html, table_html

__all__ = ["activity_modalities", "activity_section", "activity_zscores", "patient_activity_section"]

_HIT_COLUMNS = ["target", "feature", "n", "effect_size", "pvalue", "fdr", "direction"]


def activity_modalities(mdata: Any) -> list[str]:
    """The activity / microenvironment modalities of a cohort: ``act_*`` with ``uns['activity']``, and ``tme``.

    Parameters
    ----------
    mdata
        The cohort whose modalities are listed.

    Returns
    -------
    list of str
        Modality names, ``act_*`` first (sorted), then ``tme`` when present.

    Examples
    --------
    >>> import anndata as ad, mudata as md
    >>> activity_modalities(md.MuData({"rna": ad.AnnData(np.zeros((2, 2)))}))
    []
    """
    acts = sorted(k for k, a in mdata.mod.items() if k.startswith("act_") and "activity" in a.uns)
    return acts + [k for k in ("tme",) if k in mdata.mod and "tme" in mdata.mod[k].uns]


def _table(mdata: Any, key: str) -> pd.DataFrame:
    """Samples x sources scores of modality ``key``."""
    a = mdata.mod[key]
    return pd.DataFrame(np.asarray(a.X, dtype=float), index=a.obs_names.astype(str), columns=a.var_names.astype(str))


def _associations(mdata: Any, key: str) -> pd.DataFrame | None:
    """Activity-response tests: stored ones of layer ``key``, else :func:`oncoresist.tl.associate` on a copy."""
    rec = mdata.uns.get("associate")
    res = rec.get("results") if isinstance(rec, dict) else None
    if isinstance(res, pd.DataFrame) and "layer" in res.columns and (res["layer"] == key).any():
        return res[res["layer"] == key]
    if "drug" not in mdata.mod:
        return None
    from ..tl import associate

    with warnings.catch_warnings():  # too few samples for a drug: listed as skipped, not shown here
        warnings.simplefilter("ignore")
        out = associate(mdata, layers=[key], cross_layer=False, copy=True, key_added="_activity_report", overwrite=True)
    res = out.uns["_activity_report"]["results"]
    return res if len(res) else None


def _module_html(mdata: Any, key: str) -> str:
    """Heatmap by subtype (or per sample), association hits table and volcano of one modality."""
    from .. import pl

    table = _table(mdata, key)
    groups = mdata.obs["subtype"].reindex(table.index) if "subtype" in mdata.obs.columns else None
    html = f"<h3>{escape(key)}</h3>" + figure_html(pl.activity_heatmap(table, groups), alt=f"{key} activity heatmap")
    res = _associations(mdata, key)
    if res is None:
        return html + '<p class="note">No drug response in the cohort: association with response not tested.</p>'
    top = res.sort_values("pvalue").head(15)
    html += table_html(top[[c for c in _HIT_COLUMNS if c in top.columns]], float_format="{:.3g}")
    html += figure_html(pl.volcano(res, label_top=8), alt=f"{key} activity vs drug response volcano")
    best = top.iloc[0]
    drug = mdata.mod["drug"]
    if str(best["target"]) in set(drug.var_names):
        resp = pd.Series(np.asarray(drug[:, str(best["target"])].X, dtype=float).ravel(), index=drug.obs_names.astype(str))
        html += figure_html(pl.activity_response(table[str(best["feature"])], resp, source=str(best["feature"]), drug=str(best["target"])),
                            alt="strongest activity-response association")
    return html


def activity_section(mdata: Any) -> Section | None:
    """The cohort report's 'Activities and microenvironment' section (None without such modalities).

    Parameters
    ----------
    mdata
        The cohort, after :func:`oncoresist.tl.activity` and / or :func:`oncoresist.tl.tme`.

    Returns
    -------
    Section or None
        Per modality: a heatmap (group means by ``obs['subtype']`` when present), the top
        activity-response associations (FDR over the modality's tests) and a volcano, and the
        strongest pair as a scatter.

    Examples
    --------
    >>> import anndata as ad, mudata as md
    >>> activity_section(md.MuData({"rna": ad.AnnData(np.zeros((2, 2)))})) is None
    True
    """
    keys = activity_modalities(mdata)
    if not keys:
        return None
    html = "".join(_module_html(mdata, k) for k in keys)
    return Section(id="activities", title="Activities and microenvironment", html=html,
                   summary=f"{len(keys)} modality(ies): {', '.join(keys)}; heatmap by subtype and association with drug response.")


def activity_zscores(mdata: Any, key: str, sample: str) -> pd.Series:
    """One sample's activities as z-scores against the cohort (mean and SD over the other samples).

    Parameters
    ----------
    mdata
        The cohort.
    key
        Activity modality (``act_progeny``, ``tme``, ...).
    sample
        The sample.

    Returns
    -------
    pandas.Series
        Z-score per source (NaN where the cohort SD is 0 or fewer than 3 other samples have a value).

    Examples
    --------
    >>> import anndata as ad, mudata as md
    >>> a = ad.AnnData(np.array([[1.0], [2.0], [3.0], [10.0]]), obs=pd.DataFrame(index=list("abcd")),
    ...                var=pd.DataFrame(index=["MAPK"]))
    >>> round(float(activity_zscores(md.MuData({"act_x": a}), "act_x", "d")["MAPK"]), 2)
    8.0
    """
    table = _table(mdata, key)
    rest = table.drop(index=str(sample))
    sd = rest.std(ddof=1).where(rest.count() >= 3)
    return ((table.loc[str(sample)] - rest.mean()) / sd.replace(0.0, np.nan)).astype(float)


def _evidence_rows(z: pd.Series, key: str, cutoff: float) -> list[dict[str, Any]]:
    """Curated mechanisms of the sources beyond ``cutoff`` standard deviations."""
    rows = []
    for name, val in z.dropna().items():
        if abs(val) < cutoff:
            continue
        for ev in state_evidence(str(name), "up" if val > 0 else "down"):
            rows.append({"modality": key, "source": name, "z": float(val), **ev})
    return rows


def patient_activity_section(interp: Any, mdata: Any, *, top: int = 6, cutoff: float = 1.5) -> Section | None:
    """The patient page's 'Activities and microenvironment' section (None when the sample has none).

    Parameters
    ----------
    interp
        The patient's :class:`~oncoresist.interpret.Interpretation` (its ``patient`` is the sample).
    mdata
        The cohort (``act_*`` / ``tme`` modalities).
    top
        Sources shown each way per modality.
    cutoff
        |z| from which a resistance-relevant source is linked to its curated mechanism.

    Returns
    -------
    Section or None
        A z-score bar plot per modality and a table of the resistance-relevant states with the
        mechanism, the drugs it affects and the citation; ``meta['states']`` lists them.

    Examples
    --------
    >>> import anndata as ad, mudata as md, types
    >>> patient_activity_section(types.SimpleNamespace(patient="a"), md.MuData({"rna": ad.AnnData(np.zeros((2, 2)))})) is None
    True
    """
    from .. import pl

    if mdata is None:
        return None
    sample = str(interp.patient)
    keys = [k for k in activity_modalities(mdata) if sample in set(mdata.mod[k].obs_names.astype(str)) and mdata.mod[k].n_obs >= 4]
    if not keys:
        return None
    html, rows = "", []
    for k in keys:
        z = activity_zscores(mdata, k, sample)
        if z.notna().any():
            html += f"<h3>{escape(k)}</h3>" + figure_html(pl.activity_bar(z, top=top, sample=sample), alt=f"{k} z-scores of {sample}")
        rows += _evidence_rows(z, k, cutoff)
    states = pd.DataFrame(rows)
    if len(states):
        html += table_html(states.sort_values("z", key=np.abs, ascending=False), float_format="{:.2f}")
    else:
        html += f'<p class="note">No resistance-relevant pathway, kinase, TF or cell type beyond |z| = {cutoff} against the cohort.</p>'
    return Section(id="activities", title="Activities and microenvironment", html=html,
                   summary=f"Z-scores against the cohort ({', '.join(keys)}); {len(states)} resistance-relevant state(s).",
                   meta={"states": [f"{r['source']} {'up' if r['z'] > 0 else 'down'}: {r['mechanism']}" for r in rows]})

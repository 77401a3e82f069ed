"""Report section on biomarkers, response models (vs baselines) and survival models."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._core._docs import doc_params
from .._core._errors import InputError
from ._sections import DOC_RETURNS_SECTION, Section, escape, figure_html, table_html
from ._svg import MAX_SVG_POINTS, labels_by_xy, svg_figure_html

__all__ = ["models_section"]


@doc_params(doc_returns=DOC_RETURNS_SECTION)
def models_section(
    mdata: Any = None,
    *,
    associations: pd.DataFrame | None = None,
    cv_result: Any = None,
    survival: Any = None,
    fdr: float = 0.05,
    reference: str | None = None,
    max_rows: int = 20,
    title: str = "Biomarkers and response models",
) -> Section:
    """Build the report section on biomarkers, response models and survival.

    Every part is optional; a part is shown when its input is given (or, for associations and
    survival, found in ``mdata.uns['associate']`` / ``mdata.uns['survival']``).

    Parameters
    ----------
    mdata
        Cohort holding results of :func:`oncoresist.tl.associate` and
        :func:`oncoresist.tl.survival`.
    associations
        Association table (overrides the cohort's).
    cv_result
        A :class:`oncoresist.tl.CVResult` (models next to their baselines).
    survival
        A :class:`oncoresist.tl.SurvivalCVResult` (overrides the cohort's ``uns['survival']``).
    fdr
        Significance threshold for the association table and volcano plot.
    reference
        Model to compare every other model with (e.g. ``"enet_rna"``).
    max_rows
        Rows of the hit table.
    title
        Section heading.

    {doc_returns}

    Examples
    --------
    >>> import pandas as pd
    >>> res = pd.DataFrame({"target": ["d1"], "layer": ["mut"], "feature": ["EGFR"], "n_pos": [8], "n_neg": [30],
    ...                     "effect_size": [-1.5], "pvalue": [1e-6], "fdr": [1e-6], "direction": ["sensitivity"]})
    >>> models_section(associations=res).id
    'models'
    """
    uns = getattr(mdata, "uns", {}) if mdata is not None else {}
    if associations is None and "associate" in uns and "results" in uns["associate"]:
        associations = uns["associate"]["results"]
    parts: list[str] = []
    summary_bits: list[str] = []
    for html, bit in (_associations_part(associations, uns, fdr, max_rows), _cv_part(cv_result, reference),
                      _survival_part(survival, uns, max_rows)):  # fmt: skip
        parts.extend(html)
        summary_bits.extend(bit)
    if not parts:
        msg = "nothing to report: pass associations, cv_result or survival (or a cohort with uns['associate'] / uns['survival'])."
        raise InputError(msg)
    return Section(id="models", title=title, html="\n".join(parts), summary="; ".join(summary_bits))


_Part = tuple[list[str], list[str]]


def _associations_part(associations: pd.DataFrame | None, uns: Any, fdr: float, max_rows: int) -> _Part:
    """Volcano plot and hit table of the associations (and the cross-layer effects when stored)."""
    from ..pl import volcano

    if associations is None or not len(associations):
        return [], []
    hits = associations[associations["fdr"] < fdr]
    parts = [
        "<h3>Biomarker associations</h3>",
        "<p>Each drug response against each feature, adjusted for the covariates (linear model t-test, "
        "GDSC ANOVA style); effect size = Cohen's d for binary features (partial r for continuous ones); "
        "FDR over all tests. Direction 'sensitivity' = the feature goes with a more sensitive response "
        "(lower IC50 / AUC, or a higher value for metrics declared higher = more sensitive, as the "
        "'higher_is' column says).</p>",
        _volcano_html(volcano(associations, fdr=fdr), associations),
    ]
    cols = [c for c in ("target", "layer", "feature", "n_pos", "n_neg", "n", "effect_size", "glass_delta_pos",
                        "glass_delta_neg", "pvalue", "fdr", "direction", "higher_is") if c in associations.columns]  # fmt: skip
    parts.append(table_html(hits[cols] if len(hits) else associations[cols], max_rows=max_rows))
    xl = uns.get("associate", {}).get("cross_layer") if "associate" in uns else None
    if xl is not None and len(xl):
        parts.append("<h4>Cross-layer effects of the mutated hits</h4>"
                     "<p>Is the mutated gene also changed in copy number, RNA or protein? (Cohen's d, altered vs not.)</p>")  # fmt: skip
        parts.append(table_html(xl, max_rows=max_rows))
    return parts, [f"{len(hits)} of {len(associations)} associations at FDR < {fdr:g}"]


def _volcano_html(fig: Any, associations: pd.DataFrame) -> str:
    """The volcano plot, as SVG with a tooltip per test (feature, drug, effect, p, FDR) when not too many."""
    alt = "volcano plot of associations"
    caption = "Volcano plot: effect size vs -log10 p-value; coloured points pass the FDR threshold."
    if len(associations) > MAX_SVG_POINTS:
        return figure_html(fig, alt=alt, caption=caption)
    a = associations.assign(layer=associations["layer"] if "layer" in associations else "")
    y = -np.log10(a["pvalue"].clip(lower=1e-300))
    texts = [f"{f} / {t} ({la}): effect {e:.3g}, p = {p:.2g}, FDR = {q:.2g}"
             for f, t, la, e, p, q in zip(a["feature"], a["target"], a["layer"], a["effect_size"], a["pvalue"], a["fdr"], strict=True)]  # fmt: skip
    tips = [(c, labels_by_xy(c, a["effect_size"], y, texts)) for ax in fig.axes for c in ax.collections]  # one panel per effect scale
    return svg_figure_html(fig, alt=alt, caption=caption + " Hover a point for its feature and values.", tooltips=tips)


def _pred_obs_html(cv_result: Any, drug: str, model: str) -> str:
    """Out-of-fold predicted vs observed of one drug, as SVG with a tooltip per sample."""
    from ..pl import predicted_vs_observed

    fig = predicted_vs_observed(cv_result, drug=drug, model=model)
    pred = cv_result.predictions
    df = pred[(pred["drug"] == drug) & (pred["model"] == model)]
    texts = [f"{s}: observed {o:.3g}, predicted {q:.3g} (fold {k})"
             for s, o, q, k in zip(df["sample"], df["observed"], df["predicted"], df["fold"], strict=True)]  # fmt: skip
    coll = fig.axes[0].collections[0]
    return svg_figure_html(fig, alt=f"predicted vs observed for {drug}", tooltips=[(coll, labels_by_xy(coll, df["observed"], df["predicted"], texts))],
                           caption=f"Out-of-fold predictions of {model} for its best-predicted drug; hover a point for the sample.")  # fmt: skip


def _cv_part(cv_result: Any, reference: str | None) -> _Part:
    """Cross-validated models next to their baselines, per-drug scores and the best drug's predictions."""
    from ..pl import per_drug_scores

    if cv_result is None:
        return [], []
    sm = cv_result.summary(reference=reference)
    p = cv_result.params
    best = cv_result.best_model()
    row = sm.set_index("model").loc[best]
    parts = [
        "<h3>Drug-response models (cross-validated, with baselines)</h3>",
        f"<p>{p.get('n_splits')}-fold {escape(p.get('cv'))}-blind cross-validation over {p.get('n_drugs')} drugs and "
        f"{p.get('n_samples')} samples; preprocessing fitted inside the folds. Scores are per drug on the pooled "
        "out-of-fold predictions; the baselines are the per-drug training mean ('mean', no correlation by "
        "construction) and drug + sample effects ('drug_sample', which uses the sample's responses to the other "
        "drugs). 'frac_beats_mean' = share of drugs with a lower RMSE than the per-drug mean.</p>",
        table_html(sm, max_rows=50),
        figure_html(per_drug_scores(cv_result), alt="per-drug Pearson r by model",
                    caption="Distribution over drugs of the cross-validated Pearson r."),
    ]  # fmt: skip
    sc = cv_result.scores
    top = sc[sc["model"] == best].sort_values("pearson", ascending=False)
    if len(top):
        drug = str(top.iloc[0]["drug"])
        parts.append(_pred_obs_html(cv_result, drug, best))
    return parts, [f"best model {best}: median per-drug r = {row['median_pearson']:.2f}"]


def _survival_part(survival: Any, uns: Any, max_rows: int) -> _Part:
    """The survival model's C-indices, Kaplan-Meier curves of its risk groups and coefficients."""
    from ..pl import kaplan_meier

    if survival is not None:
        surv_risk, surv_table = survival.risk, pd.DataFrame([survival.summary()])
    elif "survival" in uns and "risk" in uns["survival"]:
        surv_risk, surv_table = uns["survival"]["risk"], pd.DataFrame([dict(uns["survival"]["summary"])])
    else:
        return [], []
    s = surv_table.iloc[0]
    parts = [
        "<h3>Survival model</h3>",
        "<p>Penalised Cox model (elastic net, penalty chosen by inner cross-validation; scikit-survival). "
        "C-indices are from outer cross-validation; risk groups split each test fold at the training "
        "median risk.</p>",
        table_html(surv_table),
        figure_html(kaplan_meier(surv_risk), alt="Kaplan-Meier curves of risk groups",
                    caption="Out-of-fold risk groups (Kaplan-Meier, log-rank test)."),
    ]  # fmt: skip
    if survival is None and "coef" in uns.get("survival", {}):
        parts.append(table_html(uns["survival"]["coef"], max_rows=max_rows))
    return parts, [f"survival C-index {s['harrell_mean']:.2f} (Harrell), {s['uno_mean']:.2f} (Uno)"]

"""Report section on biomarkers, response models (vs baselines) and survival models."""

from __future__ import annotations

from typing import Any

import pandas as pd

from .._core._errors import InputError
from ._sections import Section, escape, figure_html, table_html

__all__ = ["models_section"]


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

    Returns
    -------
    Section

    Examples
    --------
    >>> import pandas as pd
    >>> res = pd.DataFrame({"target": ["d1"], "layer": ["mut"], "feature": ["EGFR"], "n_pos": [8], "n_neg": [30],
    ...                     "effect_size": [-1.5], "pvalue": [1e-6], "fdr": [1e-6], "direction": ["sensitivity"]})
    >>> models_section(associations=res).id
    'models'
    """
    from ..pl import kaplan_meier, per_drug_scores, predicted_vs_observed, volcano

    parts: list[str] = []
    summary_bits: list[str] = []
    uns = getattr(mdata, "uns", {}) if mdata is not None else {}
    if associations is None and "associate" in uns and "results" in uns["associate"]:
        associations = uns["associate"]["results"]
    if associations is not None and len(associations):
        hits = associations[associations["fdr"] < fdr]
        summary_bits.append(f"{len(hits)} of {len(associations)} associations at FDR < {fdr:g}")
        parts.append("<h3>Biomarker associations</h3>")
        parts.append(
            "<p>Each drug response against each feature, adjusted for the covariates (linear model t-test, "
            "GDSC ANOVA style); effect size = Cohen's d for binary features (partial r for continuous ones); "
            "FDR over all tests. Direction 'sensitivity' = lower AUC / IC50 with the feature.</p>"
        )
        parts.append(figure_html(volcano(associations, fdr=fdr), alt="volcano plot of associations",
                                 caption="Volcano plot: effect size vs -log10 p-value; coloured points pass the FDR threshold."))
        cols = [c for c in ("target", "layer", "feature", "n_pos", "n_neg", "n", "effect_size", "glass_delta_pos",
                            "glass_delta_neg", "pvalue", "fdr", "direction") if c in associations.columns]
        parts.append(table_html(hits[cols] if len(hits) else associations[cols], max_rows=max_rows))
        xl = uns.get("associate", {}).get("cross_layer") if mdata is not None else None
        if xl is not None and len(xl):
            parts.append("<h4>Cross-layer effects of the mutated hits</h4>"
                         "<p>Is the mutated gene also changed in copy number, RNA or protein? (Cohen's d, altered vs not.)</p>")
            parts.append(table_html(xl, max_rows=max_rows))
    if cv_result is not None:
        sm = cv_result.summary(reference=reference)
        p = cv_result.params
        best = cv_result.best_model()
        row = sm.set_index("model").loc[best]
        summary_bits.append(f"best model {best}: median per-drug r = {row['median_pearson']:.2f}")
        parts.append("<h3>Drug-response models (cross-validated, with baselines)</h3>")
        parts.append(
            f"<p>{p.get('n_splits')}-fold {escape(p.get('cv'))}-blind cross-validation over {p.get('n_drugs')} drugs and "
            f"{p.get('n_samples')} samples; preprocessing fitted inside the folds. Scores are per drug on the pooled "
            "out-of-fold predictions; the baselines are the per-drug training mean ('mean', no correlation by "
            "construction) and drug + sample effects ('drug_sample', which uses the sample's responses to the other "
            "drugs). 'frac_beats_mean' = share of drugs with a lower RMSE than the per-drug mean.</p>"
        )
        parts.append(table_html(sm, max_rows=50))
        parts.append(figure_html(per_drug_scores(cv_result), alt="per-drug Pearson r by model",
                                 caption="Distribution over drugs of the cross-validated Pearson r."))
        sc = cv_result.scores
        top = sc[sc["model"] == best].sort_values("pearson", ascending=False)
        if len(top):
            drug = str(top.iloc[0]["drug"])
            parts.append(figure_html(predicted_vs_observed(cv_result, drug=drug, model=best),
                                     alt=f"predicted vs observed for {drug}",
                                     caption=f"Out-of-fold predictions of {best} for its best-predicted drug."))
    surv_risk = None
    surv_table = None
    if survival is not None:
        surv_risk = survival.risk
        surv_table = pd.DataFrame([survival.summary()])
    elif "survival" in uns and "risk" in uns["survival"]:
        surv_risk = uns["survival"]["risk"]
        surv_table = pd.DataFrame([dict(uns["survival"]["summary"])])
    if surv_risk is not None:
        s = surv_table.iloc[0]
        summary_bits.append(f"survival C-index {s['harrell_mean']:.2f} (Harrell), {s['uno_mean']:.2f} (Uno)")
        parts.append("<h3>Survival model</h3>")
        parts.append("<p>Penalised Cox model (elastic net, penalty chosen by inner cross-validation; scikit-survival). "
                     "C-indices are from outer cross-validation; risk groups split each test fold at the training "
                     "median risk.</p>")
        parts.append(table_html(surv_table))
        parts.append(figure_html(kaplan_meier(surv_risk), alt="Kaplan-Meier curves of risk groups",
                                 caption="Out-of-fold risk groups (Kaplan-Meier, log-rank test)."))
        if survival is None and "coef" in uns.get("survival", {}):
            parts.append(table_html(uns["survival"]["coef"], max_rows=max_rows))
    if not parts:
        msg = "nothing to report: pass associations, cv_result or survival (or a cohort with uns['associate'] / uns['survival'])."
        raise InputError(msg)
    return Section(id="models", title=title, html="\n".join(parts), summary="; ".join(summary_bits))

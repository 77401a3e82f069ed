"""Figures of biomarker associations, response models and survival models.

- :func:`volcano`: effect size vs -log10 p of :func:`oncoresist.tl.associate` results;
- :func:`association`: one hit, response by feature group (box + points) or against a
  continuous feature (scatter + fit);
- :func:`predicted_vs_observed`: out-of-fold predictions of one drug;
- :func:`per_drug_scores`: distribution of per-drug scores for every model and baseline;
- :func:`kaplan_meier`: Kaplan-Meier curves of risk groups with the log-rank p-value.

Each returns a :class:`matplotlib.figure.Figure`.
"""

from __future__ import annotations

from typing import Any

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from .._core._docs import DOC_AX, doc_params
from .._core._errors import InputError  # noqa: E402
from ._axes import figure_axes  # noqa: E402

__all__ = ["association", "kaplan_meier", "km_greenwood", "per_drug_scores", "predicted_vs_observed", "volcano"]

_SENS, _RES, _NS = "#2c7bb6", "#d7191c", "#bdbdbd"


def _results_table(results: Any, key: str) -> pd.DataFrame:
    if isinstance(results, pd.DataFrame):
        return results
    uns = getattr(results, "uns", None)
    if uns is not None and key in uns and "results" in uns[key]:
        return uns[key]["results"]
    msg = f"expected an association table or a cohort with uns['{key}'] (run oncoresist.tl.associate first), got {type(results).__name__}."
    raise InputError(msg)


@doc_params(doc_ax=DOC_AX)
def volcano(
    results: Any,
    *,
    fdr: float = 0.05,
    label_top: int = 10,
    target: str | None = None,
    key: str = "associate",
    ax: Any = None,
) -> Figure:
    """Volcano plot of association tests: effect size against -log10 p-value.

    Points below the FDR threshold are coloured by direction (blue = sensitivity, red =
    resistance for drug responses); the ``label_top`` strongest hits are labelled
    ``feature / drug``, each label placed clear of the others, and the legend sits beside the
    plot. Binary features (Cohen's d) and continuous ones (partial r) get a panel each on a
    new figure (their effect sizes are not one scale); with ``ax`` both share that axes.

    Parameters
    ----------
    results
        The table of :func:`oncoresist.tl.associate` (or a cohort holding it in ``uns[key]``).
    fdr
        Significance threshold on the FDR.
    label_top
        Number of hits to label.
    target
        Only this drug / target.
    key
        ``uns`` key when ``results`` is a cohort.
    {doc_ax}

    Examples
    --------
    >>> import pandas as pd
    >>> res = pd.DataFrame({"target": ["d1", "d1"], "layer": ["mut", "mut"], "feature": ["EGFR", "TP53"],
    ...                     "effect_size": [-1.5, 0.1], "pvalue": [1e-6, 0.5], "fdr": [2e-6, 0.5],
    ...                     "direction": ["sensitivity", "resistance"]})
    >>> fig = volcano(res)
    """
    df = _results_table(results, key)
    if target is not None:
        df = df[df["target"] == target]
    if df.empty:
        msg = f"no association results{' for ' + repr(target) if target else ''} to plot."
        raise InputError(msg)
    kinds = [k for k in _EFFECT_KINDS if "effect_kind" in df.columns and (df["effect_kind"] == k).any()]
    split = ax is None and len(kinds) == 2  # Cohen's d and partial r are not one scale: one panel each
    axes: list[Any]
    if split:
        fig, pair = plt.subplots(1, 2, figsize=(10.5, 4.5), sharey=True)
        axes = list(pair)
    elif ax is None:
        fig, one = plt.subplots(figsize=(6.4, 4.5))
        axes = [one]
    else:
        fig, axes = ax.figure, [ax]
    parts = [df[df["effect_kind"] == k] for k in kinds] if split else [df]
    multi = df["target"].nunique() > 1
    top = set(df.sort_values("pvalue").head(label_top).index)
    for a, part, kind in zip(axes, parts, kinds if split else [None], strict=True):
        _volcano_panel(a, part, fdr)
        a.set_xlabel(_EFFECT_KINDS[kind] if kind else "effect size (Cohen's d; partial r for continuous features)")
    for a, part in zip(axes, parts, strict=True):  # labels once the (shared) limits are final
        a.autoscale_view()
        rows = part.loc[[i for i in part.index if i in top]]
        _place_labels(a, rows["effect_size"].to_numpy(float), -np.log10(rows["pvalue"].clip(lower=1e-300).to_numpy(float)),
                      [f"{r['feature']} / {r['target']}" if multi else str(r["feature"]) for _, r in rows.iterrows()])
    n_sig = int((df["fdr"] < fdr).sum())
    title = f"Associations ({len(df)} tests, {n_sig} at FDR < {fdr:g})"
    axes[0].set_title(title + ("\nbinary features" if split else ""), fontsize=10 if split else None)
    if split:
        axes[1].set_title("continuous features", fontsize=10)
    axes[0].set_ylabel("-log10 p-value")
    # the legend beside the panels, never over the strongest hits
    axes[-1].legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    return fig


#: Effect-size scales of ``tl.associate`` (``effect_kind``) and their axis labels.
_EFFECT_KINDS = {"cohens_d": "effect size (Cohen's d, altered vs not)", "partial_r": "effect size (partial r, continuous feature)"}


def _volcano_panel(ax: Any, df: pd.DataFrame, fdr: float) -> None:
    """One volcano panel: points by significance and direction."""
    y = -np.log10(df["pvalue"].clip(lower=1e-300))
    x = df["effect_size"]
    sig = df["fdr"] < fdr
    sens = sig & df["direction"].isin(["sensitivity", "lower"])
    res = sig & ~sens
    ax.scatter(x[~sig], y[~sig], s=8, c=_NS, lw=0, label=f"FDR >= {fdr:g}")
    ax.scatter(x[sens], y[sens], s=14, c=_SENS, lw=0, label="sensitivity / lower")
    ax.scatter(x[res], y[res], s=14, c=_RES, lw=0, label="resistance / higher")
    ax.axvline(0, color="#888888", lw=0.6)
    ax.spines[["top", "right"]].set_visible(False)


def _place_labels(ax: Any, xs: np.ndarray, ys: np.ndarray, texts: list[str], fontsize: float = 7.0) -> None:
    """Annotate points so that no two labels overlap.

    A label that would overlap one placed before it (strongest hit first) moves down, with a leader
    line to its point. Call it once the axes limits are final.
    """
    renderer = ax.figure.canvas.get_renderer()
    placed: list[Any] = []
    for k in np.argsort(-ys):
        note = ax.annotate(texts[k], (xs[k], ys[k]), xytext=(3.0, 2.0), textcoords="offset points", fontsize=fontsize)
        dy = 2.0
        box = note.get_window_extent(renderer)
        step = box.height * 72.0 / ax.figure.dpi + 0.5
        for _ in range(60):
            if not any(box.x0 < b.x1 and b.x0 < box.x1 and box.y0 < b.y1 and b.y0 < box.y1 for b in placed):
                break
            dy -= step
            note.xyann = (3.0, dy)
            box = note.get_window_extent(renderer)
        if dy < 2.0:  # moved: the same label with a leader line to its point
            note.remove()
            ax.annotate(texts[k], (xs[k], ys[k]), xytext=(3.0, dy), textcoords="offset points", fontsize=fontsize,
                        arrowprops={"arrowstyle": "-", "lw": 0.4, "color": "#777777", "shrinkA": 0, "shrinkB": 1})  # fmt: skip
        placed.append(box)


@doc_params(doc_ax=DOC_AX)
def association(
    mdata: Any,
    *,
    target: str,
    feature: str,
    metric: str | None = None,
    group_by: str | None = None,
    ax: Any = None,
) -> Figure:
    """One association: response by feature group (box + points) or against a continuous feature.

    Parameters
    ----------
    mdata
        The cohort.
    target
        Drug name (of the ``drug`` layer) or an ``obs`` column.
    feature
        ``"<layer>:<feature>"``, e.g. ``"mut:BRAF"`` or ``"rna:ABCB1"``.
    metric
        Drug-layer matrix (``None`` = ``.X``).
    group_by
        Optional ``obs`` column to colour points (e.g. ``"tissue"``).
    {doc_ax}

    Examples
    --------
    >>> import anndata as ad, mudata as md, numpy as np, pandas as pd
    >>> idx = pd.Index([f"s{i}" for i in range(20)])
    >>> mut = np.r_[np.ones(8), np.zeros(12)][:, None]
    >>> m = md.MuData({"mut": ad.AnnData(mut, obs=pd.DataFrame(index=idx), var=pd.DataFrame(index=["EGFR"])),
    ...                "drug": ad.AnnData(0.5 - 0.3 * mut, obs=pd.DataFrame(index=idx), var=pd.DataFrame(index=["gefitinib"]))})
    >>> fig = association(m, target="gefitinib", feature="mut:EGFR")
    """
    from ..tl.models._models_data import layer_values, obs_column, resolve_drugs, response_frame

    if ":" not in feature:
        msg = f"feature must be '<layer>:<feature>' (e.g. 'mut:BRAF'), got {feature!r}."
        raise InputError(msg)
    layer, feat = feature.split(":", 1)
    vals = layer_values(mdata, layer)
    if feat not in vals.columns:
        msg = f"feature '{feat}' is not in the '{layer}' layer ({vals.shape[1]} features); check the name."
        raise InputError(msg)
    x = vals[feat]
    x = x[~x.index.duplicated()]
    if "drug" in mdata.mod and target not in mdata.obs.columns:
        d = resolve_drugs(mdata, [target])[0]
        y = response_frame(mdata, metric=metric)[d]
        ylab = f"{d} ({metric or 'normalised AUC'})"
    else:
        y = pd.to_numeric(obs_column(mdata, target), errors="coerce")
        ylab = target
    df = pd.DataFrame({"x": x, "y": y.reindex(x.index)}).dropna()
    if df.empty:
        msg = f"no sample has both '{feature}' and '{target}' measured."
        raise InputError(msg)
    colour = None
    if group_by is not None:
        colour = obs_column(mdata, group_by).reindex(df.index).astype(str)
    fig, ax = figure_axes(ax, (4.2, 4.0))
    rng = np.random.default_rng(0)
    binary = set(np.unique(df["x"])) <= {0.0, 1.0}
    if binary:
        groups = [df.loc[df["x"] == v, "y"].to_numpy() for v in (0.0, 1.0)]
        ax.boxplot(groups, positions=[0, 1], widths=0.5, showfliers=False)
        for pos, v in enumerate((0.0, 1.0)):
            sub = df[df["x"] == v]
            c = None if colour is None else pd.Categorical(colour[sub.index]).codes
            ax.scatter(pos + rng.uniform(-0.12, 0.12, len(sub)), sub["y"], s=12, alpha=0.7,
                       c=_SENS if c is None else c, cmap=None if c is None else "tab20")
        ax.set_xticks([0, 1], [f"wild-type / absent\n(n={len(groups[0])})", f"altered\n(n={len(groups[1])})"])
    else:
        c = None if colour is None else pd.Categorical(colour).codes
        ax.scatter(df["x"], df["y"], s=12, alpha=0.7, c=_SENS if c is None else c, cmap=None if c is None else "tab20")
        if df["x"].std() > 0 and len(df) > 2:
            b, a = np.polyfit(df["x"], df["y"], 1)
            xs = np.linspace(df["x"].min(), df["x"].max(), 50)
            ax.plot(xs, a + b * xs, color=_RES, lw=1)
        r = np.corrcoef(df["x"], df["y"])[0, 1] if df["x"].std() > 0 and df["y"].std() > 0 else np.nan
        ax.set_xlabel(f"{feature}  (r = {r:.2f}, n = {len(df)})")
    ax.set_ylabel(ylab)
    ax.set_title(f"{target} vs {feature}")
    ax.spines[["top", "right"]].set_visible(False)
    return fig


@doc_params(doc_ax=DOC_AX)
def predicted_vs_observed(cv_result: Any, *, drug: str, model: str | None = None, ax: Any = None) -> Figure:
    """Out-of-fold predicted against observed response for one drug, coloured by fold.

    Parameters
    ----------
    cv_result
        A :class:`oncoresist.tl.CVResult`.
    drug
        Drug to show.
    model
        Model (default: the best by median Pearson r).
    {doc_ax}
    """
    pred = cv_result.predictions
    model = model or cv_result.best_model()
    df = pred[(pred["drug"] == drug) & (pred["model"] == model)]
    if df.empty:
        msg = f"no out-of-fold predictions for drug {drug!r} and model {model!r}; drugs: {', '.join(map(str, pred['drug'].unique()[:5]))}."
        raise InputError(msg)
    fig, ax = figure_axes(ax, (4.2, 4.0))
    folds = np.sort(pd.unique(df["fold"]))
    pts = ax.scatter(df["observed"], df["predicted"], c=df["fold"], cmap="tab10", s=12, alpha=0.8)
    lo = float(min(df["observed"].min(), df["predicted"].min()))
    hi = float(max(df["observed"].max(), df["predicted"].max()))
    (diag,) = ax.plot([lo, hi], [lo, hi], color="#888888", lw=0.8, ls="--")
    handles = [plt.Line2D([], [], ls="", marker="o", ms=4, color=pts.cmap(pts.norm(f))) for f in folds]
    ax.legend([*handles, diag], [*(f"CV fold {f}" for f in folds), "predicted = observed"], fontsize=7, frameon=False,
              loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, title="held-out samples of", title_fontsize=7)  # fmt: skip
    sc = cv_result.scores
    row = sc[(sc["drug"] == drug) & (sc["model"] == model)].iloc[0]
    ax.set_title(f"{drug}: {model}\nr = {row['pearson']:.2f}, rho = {row['spearman']:.2f}, RMSE = {row['rmse']:.3g} (n = {row['n']})",
                 fontsize=9)
    ax.set_xlabel("observed")
    ax.set_ylabel("predicted (out of fold)")
    ax.spines[["top", "right"]].set_visible(False)
    return fig


@doc_params(doc_ax=DOC_AX)
def per_drug_scores(cv_result: Any, *, metric: str = "pearson", ax: Any = None) -> Figure:
    """Distribution over drugs of one per-drug metric, for every model and baseline.

    Parameters
    ----------
    cv_result
        A :class:`oncoresist.tl.CVResult`.
    metric
        ``"pearson"``, ``"spearman"`` or ``"rmse"``.
    {doc_ax}
    """
    if metric not in ("pearson", "spearman", "rmse"):
        msg = f"metric must be 'pearson', 'spearman' or 'rmse', got {metric!r}."
        raise InputError(msg)
    sc = cv_result.scores.dropna(subset=[metric])
    if sc.empty:
        msg = f"no {metric} scores to plot (a constant baseline has no correlation)."
        raise InputError(msg)
    order = sc.groupby("model")[metric].median().sort_values(ascending=metric == "rmse").index.tolist()
    kinds = sc.groupby("model")["kind"].first()
    fig, ax = figure_axes(ax, (max(4.5, 0.8 * len(order) + 1.5), 4.0))
    data = [sc.loc[sc["model"] == m, metric].to_numpy() for m in order]
    parts = ax.violinplot(data, showmedians=True, showextrema=False)
    for body, m in zip(parts["bodies"], order):
        body.set_facecolor("#9e9e9e" if kinds[m] == "baseline" else _SENS)
        body.set_alpha(0.6)
    ax.set_xticks(np.arange(1, len(order) + 1), [f"{m}\n(median {np.median(d):.2f})" for m, d in zip(order, data)],
                  fontsize=8)
    ax.set_ylabel(f"per-drug {metric}")
    n_drugs = sc["drug"].nunique()
    ax.set_title(f"Cross-validated {metric} per drug ({n_drugs} drugs, {cv_result.params.get('cv', '?')}-blind; grey = baselines)",
                 fontsize=9)
    if metric != "rmse":
        ax.axhline(0, color="#888888", lw=0.6)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def km_greenwood(time: np.ndarray, event: np.ndarray, *, z: float = 1.959963984540054) -> tuple[np.ndarray, ...]:
    """Kaplan-Meier estimate with a log-log Greenwood confidence band (kernel).

    At each distinct time t: S(t) = prod (1 - d/n); Var(log S) = sum d / (n (n - d)) (Greenwood);
    the band is S ** exp(+-z * se / log S), se = sqrt(Var(log S)) (the "log-log" transform, which
    stays inside [0, 1]); where S is 0 or 1 the band collapses to S.

    Parameters
    ----------
    time
        Follow-up times.
    event
        True for an event, False for censoring.
    z
        Normal quantile of the band (default 95%).

    Returns
    -------
    tuple of numpy.ndarray
        Distinct times, survival, lower and upper band.

    Examples
    --------
    >>> t, s, lo, hi = km_greenwood(np.array([1.0, 2, 3, 4]), np.array([True, True, False, True]))
    >>> s.round(3).tolist()
    [0.75, 0.5, 0.5, 0.0]
    """
    time = np.asarray(time, dtype=float)
    event = np.asarray(event, dtype=bool)
    uniq = np.unique(time)
    n = np.array([(time >= t).sum() for t in uniq], dtype=float)
    d = np.array([(event & (time == t)).sum() for t in uniq], dtype=float)
    surv = np.cumprod(1.0 - d / n)
    with np.errstate(divide="ignore", invalid="ignore"):
        var = np.cumsum(np.where(n > d, d / (n * (n - d)), 0.0))
        se = np.sqrt(var) / np.abs(np.log(surv))
        lo = surv ** np.exp(z * se)
        hi = surv ** np.exp(-z * se)
    flat = (surv <= 0) | (surv >= 1) | ~np.isfinite(se)
    lo, hi = np.where(flat, surv, lo), np.where(flat, surv, hi)
    return uniq, surv, lo, hi


def _risk_table(risk: Any, key: str, columns: tuple[str, str, str]) -> pd.DataFrame:
    """The (group, time, event) table from a table or ``uns[key]['risk']`` of a cohort."""
    if not isinstance(risk, pd.DataFrame):
        uns = getattr(risk, "uns", None)
        if uns is None or key not in uns or "risk" not in uns[key]:
            msg = f"expected a risk table or a cohort with uns['{key}']['risk'] (run oncoresist.tl.survival first)."
            raise InputError(msg)
        risk = uns[key]["risk"]
    missing = [c for c in columns if c not in risk.columns]
    if missing:
        msg = f"risk table lacks column(s) {missing}; found {list(risk.columns)}."
        raise InputError(msg)
    return risk[list(columns)].dropna()


def _at_risk_rows(ax: Any, df: pd.DataFrame, group: str, time: str, colours: dict[str, str]) -> None:
    """The number at risk per group at each x tick, written under the axis."""
    ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
    groups = [g for g, _ in df.groupby(group, sort=True)]
    ax.text(0.0, -0.2, "at risk", transform=ax.transAxes, ha="right", va="top", fontsize=7, fontweight="bold")
    for k, (g, sub) in enumerate(df.groupby(group, sort=True)):
        y = -0.2 - 0.075 * (k + 1)
        ax.text(0.0, y, f"{g} ", transform=ax.transAxes, ha="right", va="top", fontsize=7, color=colours.get(str(g), "#333333"))
        times = sub[time].astype(float).to_numpy()
        for t in ticks:
            ax.text(t, y, str(int((times >= t).sum())), transform=ax.get_xaxis_transform(), ha="center", va="top", fontsize=7)
    ax.figure.subplots_adjust(bottom=min(0.5, 0.2 + 0.06 * (len(groups) + 1)))


@doc_params(doc_ax=DOC_AX)
def kaplan_meier(risk: Any, *, group: str = "group", time: str = "time", event: str = "event",
                 key: str = "survival", time_unit: str = "days", ci: bool = True, at_risk: bool = True, ax: Any = None) -> Figure:
    """Kaplan-Meier curves of (out-of-fold) risk groups with the log-rank p-value.

    Each curve carries its 95% confidence band (Greenwood, log-log; :func:`km_greenwood`) and
    the number at risk per group is written under the axis at each tick.

    Parameters
    ----------
    risk
        Table with ``time``, ``event`` and ``group`` columns (e.g. ``SurvivalCVResult.risk``),
        or a cohort holding it in ``uns[key]['risk']`` (:func:`oncoresist.tl.survival`).
    group, time, event
        Column names.
    key
        ``uns`` key when ``risk`` is a cohort.
    time_unit
        Unit of ``time``, shown in the axis label (e.g. ``"days"``, ``"months"``).
    ci
        Draw the 95% confidence bands.
    at_risk
        Write the at-risk table under the axis.
    {doc_ax}

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"time": rng.exponential(1, 40), "event": 1, "group": ["high", "low"] * 20})
    >>> fig = kaplan_meier(df, time_unit="months")
    """
    from sksurv.compare import compare_survival

    from ..tl.models._survival import survival_target

    df = _risk_table(risk, key, (group, time, event))
    fig, ax = figure_axes(ax, (5.0, 4.6))
    colours = {"high": _RES, "low": _SENS}
    for k, (g, sub) in enumerate(df.groupby(group, sort=True)):
        t, s, lo, hi = km_greenwood(sub[time].to_numpy(), sub[event].astype(bool).to_numpy())
        t, s, lo, hi = np.r_[0.0, t], np.r_[1.0, s], np.r_[1.0, lo], np.r_[1.0, hi]
        colour = colours.get(str(g), f"C{k}")
        ax.step(t, s, where="post", label=f"{g} (n={len(sub)}, events={int(sub[event].sum())})", color=colour)
        if ci:
            ax.fill_between(t, lo, hi, step="post", color=colour, alpha=0.15, linewidth=0)
    p = float("nan")
    if df[group].nunique() > 1:
        y = survival_target(df[time].to_numpy(), df[event].astype(int).to_numpy(), what="risk table")
        try:
            p = float(compare_survival(y, df[group].astype(str).to_numpy())[1])
        except ValueError:
            p = float("nan")
    ax.set_xlabel(f"{time} ({time_unit})" if time_unit else time)
    ax.set_ylabel("survival probability" + (" (95% CI, Greenwood)" if ci else ""))
    ax.set_ylim(0, 1.02)
    ax.set_xlim(left=0)
    ax.set_title(f"Kaplan-Meier by {group} (log-rank p = {p:.2g})")
    ax.legend(fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    if at_risk:
        _at_risk_rows(ax, df, group, time, {str(g): colours.get(str(g), f"C{k}") for k, (g, _) in enumerate(df.groupby(group, sort=True))})
    return fig

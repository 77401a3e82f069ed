"""Integration figures: variance explained, factor scatter, top loadings, choice of k, batch effect."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from .._core._docs import DOC_RETURNS_FIGURE, doc_params
from .._core._errors import InputError  # noqa: E402
from ._axes import subplots, tidy  # noqa: E402

__all__ = ["batch_correction", "factor_scatter", "k_selection", "top_loadings", "variance_explained"]


def _r2_table(data: Any, key: str) -> tuple[pd.DataFrame, pd.Series | None]:
    """Layers x factors R2 from a cohort (``uns[key]``) or a fitted GroupFactorAnalysis."""
    if hasattr(data, "variance_explained_"):
        return data.variance_explained_, data.variance_explained_total_
    u = getattr(data, "uns", {}).get(key)
    if not isinstance(u, Mapping) or "variance_explained" not in u:
        msg = f"no uns['{key}']['variance_explained']: run oncoresist.tl.factors first (or pass the fitted model)."
        raise InputError(msg)
    r2 = u["variance_explained"]
    if not isinstance(r2, pd.DataFrame):
        r2 = pd.DataFrame(r2)
    tot = u.get("variance_explained_total")
    tot = pd.Series(dict(tot)) if isinstance(tot, Mapping) else None
    return r2, tot


@doc_params(doc_returns=DOC_RETURNS_FIGURE)
def variance_explained(data: Any, *, key: str = "factors", max_factors: int = 15, fig: Any = None) -> Figure:
    """Heatmap of the variance explained (R2) per layer and factor, with each layer's total.

    Parameters
    ----------
    data
        A cohort after :func:`oncoresist.tl.factors`, or a fitted
        :class:`oncoresist.tl.GroupFactorAnalysis`.
    key
        ``uns`` key of the factor results.
    max_factors
        Show at most this many factors.

    {doc_returns}

    fig
        Figure or subfigure (``plt.figure().subfigures(...)``) to draw the panels into; default: a new figure.

    Examples
    --------
    >>> import numpy as np
    >>> from oncoresist.tl import GroupFactorAnalysis
    >>> model = GroupFactorAnalysis(n_factors=2, random_state=0).fit(np.random.default_rng(0).normal(size=(30, 5)))
    >>> fig = variance_explained(model)
    """
    r2, tot = _r2_table(data, key)
    r2 = r2.iloc[:, :max_factors]
    layers = [str(i) for i in r2.index]
    fig, (ax, axb) = subplots(fig, 1, 2, figsize=(1.2 + 0.55 * r2.shape[1] + 2.2, 0.9 + 0.45 * len(layers)),
                                  gridspec_kw={"width_ratios": [max(1, r2.shape[1]), 2.5]})
    vals = 100 * r2.to_numpy(dtype=float)
    im = ax.imshow(vals, cmap="Blues", aspect="auto", vmin=0, vmax=max(1.0, float(np.nanmax(vals))))
    ax.set_xticks(range(r2.shape[1]), [str(c).replace("Factor", "F") for c in r2.columns], rotation=0, fontsize=8)
    ax.set_yticks(range(len(layers)), layers)
    for i in range(vals.shape[0]):
        for j in range(vals.shape[1]):
            v = vals[i, j]
            ax.text(j, i, f"{v:.0f}" if v >= 0.5 else "", ha="center", va="center", fontsize=7,
                    color="white" if v > 0.6 * np.nanmax(vals) else "#222222")
    ax.set_title("Variance explained (%)")
    fig.colorbar(im, ax=ax, fraction=0.05, pad=0.02)
    total = tot.reindex(r2.index) if tot is not None else r2.sum(axis=1)
    axb.barh(range(len(layers)), 100 * total.to_numpy(dtype=float), color="#3b6ea5")
    axb.set_yticks(range(len(layers)), [""] * len(layers))
    axb.invert_yaxis()
    axb.set_xlabel("total R2 (%)")
    axb.spines[["top", "right"]].set_visible(False)
    tidy(fig)
    return fig


def _factor_frame(mdata: Any, key: str) -> pd.DataFrame:
    from ..tl.integrate._factors import get_factors

    return get_factors(mdata, key=key, dropna=False)


@doc_params(doc_returns=DOC_RETURNS_FIGURE)
def factor_scatter(
    mdata: Any,
    *,
    x: str | int = 1,
    y: str | int = 2,
    color: str | None = None,
    key: str = "X_factors",
    size: float = 18.0,
    ax: Any = None,
) -> Figure:
    """Scatter of two factors, coloured by an ``obs`` variable (categories or a colour bar).

    Parameters
    ----------
    mdata
        A cohort after :func:`oncoresist.tl.factors`.
    x, y
        Factors to plot: names (``"Factor1"``) or 1-based numbers.
    color
        Column of ``mdata.obs`` (e.g. ``"subtype"``, ``"IGHV"``, ``"survival_time"``); samples
        without a value are grey.
    key
        ``obsm`` key of the factors.
    size
        Marker size.

    ax
        Axes to draw into (default: a new figure).

    {doc_returns}

    Examples
    --------
    >>> import anndata as ad, mudata as md, numpy as np
    >>> m = md.MuData({"rna": ad.AnnData(np.ones((4, 2)))})
    >>> m.obsm["X_factors"] = np.random.default_rng(0).normal(size=(4, 2))
    >>> fig = factor_scatter(m)
    """
    F = _factor_frame(mdata, key)

    def col(v: str | int) -> str:
        name = f"Factor{v}" if isinstance(v, (int, np.integer)) else str(v)
        if name not in F.columns:
            msg = f"factor {v!r} not found; available: {', '.join(F.columns)}."
            raise InputError(msg)
        return name

    cx, cy = col(x), col(y)
    ok = F[[cx, cy]].notna().all(axis=1)
    fig, ax = plt.subplots(figsize=(5.2, 4.2)) if ax is None else (ax.figure, ax)
    if color is None:
        ax.scatter(F.loc[ok, cx], F.loc[ok, cy], s=size, color="#3b6ea5", alpha=0.8, linewidths=0)
    else:
        if color not in mdata.obs.columns:
            msg = f"colour variable '{color}' is not a column of mdata.obs (columns: {', '.join(map(str, mdata.obs.columns[:12]))})."
            raise InputError(msg)
        c = mdata.obs[color].reindex(F.index) if not mdata.obs.index.equals(F.index) else mdata.obs[color]
        c = pd.Series(c.to_numpy(), index=F.index)
        missing = c.isna() & ok
        ax.scatter(F.loc[missing, cx], F.loc[missing, cy], s=size, color="#c8c8c8", linewidths=0, label="NA")
        has = ok & c.notna()
        numeric = pd.api.types.is_numeric_dtype(c) and not pd.api.types.is_bool_dtype(c) and c.nunique() > 8
        if numeric:
            sc = ax.scatter(F.loc[has, cx], F.loc[has, cy], c=c[has].astype(float), s=size, cmap="viridis", linewidths=0)
            fig.colorbar(sc, ax=ax, label=color)
        else:
            cats = list(pd.unique(c[has].astype(str)))
            cats.sort()
            cmap = plt.get_cmap("tab10" if len(cats) <= 10 else "tab20")
            for i, cat in enumerate(cats):
                sel = has & (c.astype(str) == cat)
                ax.scatter(F.loc[sel, cx], F.loc[sel, cy], s=size, color=cmap(i % cmap.N), linewidths=0, label=cat)
            ax.legend(title=color, fontsize=7, title_fontsize=8, loc="best", frameon=False, markerscale=1.2)
    ax.set_xlabel(cx)
    ax.set_ylabel(cy)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(f"{cx} vs {cy}" + (f" by {color}" if color else ""))
    tidy(fig)
    return fig


@doc_params(doc_returns=DOC_RETURNS_FIGURE)
def top_loadings(
    mdata: Any,
    *,
    factor: str | int = 1,
    n_top: int = 10,
    mods: Sequence[str] | None = None,
    key: str = "factors",
    fig: Any = None,
) -> Figure:
    """The features with the largest absolute loadings on one factor, one panel per layer.

    Parameters
    ----------
    mdata
        A cohort after :func:`oncoresist.tl.factors` (loadings in ``mod[m].varm[key]``).
    factor
        Factor name or 1-based number.
    n_top
        Features per layer.
    mods
        Layers to show (default: those with loadings).
    key
        ``varm`` / ``uns`` key of the factor results.

    {doc_returns}

    fig
        Figure or subfigure (``plt.figure().subfigures(...)``) to draw the panels into; default: a new figure.

    Examples
    --------
    >>> import anndata as ad, mudata as md, numpy as np
    >>> m = md.MuData({"rna": ad.AnnData(np.ones((3, 4)))})
    >>> m.mod["rna"].varm["factors"] = np.arange(8.0).reshape(4, 2)
    >>> fig = top_loadings(m, factor=2, n_top=3)
    """
    names = list(mdata.uns.get(key, {}).get("factor_names", [])) if isinstance(mdata.uns.get(key), Mapping) else []
    layers = [m for m in (mods or mdata.mod) if key in mdata.mod[m].varm]
    if not layers:
        msg = f"no layer has varm['{key}'] loadings: run oncoresist.tl.factors first."
        raise InputError(msg)
    k = mdata.mod[layers[0]].varm[key].shape[1]
    if not names or len(names) != k:
        names = [f"Factor{i + 1}" for i in range(k)]
    fname = f"Factor{factor}" if isinstance(factor, (int, np.integer)) else str(factor)
    if fname not in names:
        msg = f"factor {factor!r} not found; available: {', '.join(names)}."
        raise InputError(msg)
    j = names.index(fname)
    fig, axes = subplots(fig, 1, len(layers), figsize=(3.3 * len(layers), 0.6 + 0.28 * n_top), squeeze=False)
    for ax, m in zip(axes[0], layers):
        L = pd.Series(np.asarray(mdata.mod[m].varm[key])[:, j], index=mdata.mod[m].var_names.astype(str)).dropna()
        top = L.reindex(L.abs().sort_values(ascending=False).index[:n_top])[::-1]
        ax.barh(range(len(top)), top.to_numpy(), color=np.where(top.to_numpy() >= 0, "#c0504d", "#3b6ea5"))
        ax.set_yticks(range(len(top)), [t[:28] for t in top.index], fontsize=7)
        ax.axvline(0, color="#888888", lw=0.8)
        ax.set_title(m, fontsize=10)
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_xlabel("loading")
    fig.suptitle(f"Top loadings of {fname}", fontsize=11)
    tidy(fig)
    return fig


@doc_params(doc_returns=DOC_RETURNS_FIGURE)
def k_selection(mdata: Any, *, key: str = "subtype", ax: Any = None) -> Figure:
    """Evidence for the number of subtypes: eigengap / PAC and silhouette per k, chosen k marked.

    Parameters
    ----------
    mdata
        A cohort after :func:`oncoresist.tl.subtypes`.
    key
        ``uns`` key of the subtype results.

    ax
        Axes to draw into (default: a new figure).

    {doc_returns}

    Examples
    --------
    >>> import anndata as ad, mudata as md, numpy as np, pandas as pd
    >>> m = md.MuData({"rna": ad.AnnData(np.ones((3, 2)))})
    >>> m.uns["subtype"] = {"k_selection": pd.DataFrame({"k": [2, 3], "pac": [0.2, 0.1], "silhouette": [0.5, 0.6],
    ...                                                  "chosen": [False, True]})}
    >>> fig = k_selection(m)
    """
    u = mdata.uns.get(key)
    if not isinstance(u, Mapping) or "k_selection" not in u:
        msg = f"no uns['{key}']['k_selection']: run oncoresist.tl.subtypes first."
        raise InputError(msg)
    ev = pd.DataFrame(u["k_selection"])
    main = "eigengap" if "eigengap" in ev.columns else "pac"
    fig, ax = plt.subplots(figsize=(4.8, 3.2)) if ax is None else (ax.figure, ax)
    ax.plot(ev["k"], ev[main], "o-", color="#3b6ea5", label=main + (" (higher = better)" if main == "eigengap" else " (lower = better)"))
    ax.set_xlabel("number of subtypes k")
    ax.set_ylabel(main)
    if "silhouette" in ev.columns:
        ax2 = ax.twinx()
        ax2.plot(ev["k"], ev["silhouette"], "s--", color="#c0504d", label="silhouette")
        ax2.set_ylabel("silhouette", color="#c0504d")
    chosen = ev.loc[ev["chosen"].astype(bool), "k"] if "chosen" in ev.columns else pd.Series([], dtype=int)
    for kk in chosen:
        ax.axvline(kk, color="#444444", ls=":", lw=1)
        ax.text(kk, ax.get_ylim()[1], f" k={int(kk)}", va="top", fontsize=8)
    ax.set_xticks(ev["k"].astype(int))
    ax.legend(loc="upper left", fontsize=7, frameon=False)
    ax.set_title("Choice of the number of subtypes")
    tidy(fig)
    return fig


@doc_params(doc_returns=DOC_RETURNS_FIGURE)
def batch_correction(data: Any, *, mod: str | None = None, ax: Any = None) -> Figure:
    """Share of variance explained by the batch before and after ComBat (from ``uns['pp']['combat']``).

    Parameters
    ----------
    data
        A layer (AnnData) or cohort (with ``mod``) after :func:`oncoresist.pp.combat`.
    mod
        Modality of a cohort (default: every modality that was batch-corrected).

    ax
        Axes to draw into (default: a new figure).

    {doc_returns}

    Examples
    --------
    >>> import anndata as ad, numpy as np
    >>> a = ad.AnnData(np.ones((2, 2)))
    >>> a.uns["pp"] = {"combat": {"batch_key": "plex", "batch_r2_before": 0.14, "batch_r2_after": 0.05,
    ...                           "batch_r2_adj_before": 0.04, "batch_r2_adj_after": -0.06}}
    >>> fig = batch_correction(a)
    """
    recs: dict[str, Mapping[str, Any]] = {}
    if hasattr(data, "mod"):
        names = [mod] if mod else list(data.mod)
        for m in names:
            pp = data.mod[m].uns.get("pp", {})
            if isinstance(pp, Mapping) and "combat" in pp:
                recs[m] = pp["combat"]
    else:
        pp = data.uns.get("pp", {})
        if isinstance(pp, Mapping) and "combat" in pp:
            recs[mod or "layer"] = pp["combat"]
    if not recs:
        msg = "no ComBat record (uns['pp']['combat']): run oncoresist.pp.combat first."
        raise InputError(msg)
    fig, ax = plt.subplots(figsize=(1.8 + 1.6 * len(recs), 3.2)) if ax is None else (ax.figure, ax)
    x = np.arange(len(recs))
    before = [100 * float(r["batch_r2_before"]) for r in recs.values()]
    after = [100 * float(r["batch_r2_after"]) for r in recs.values()]
    ax.bar(x - 0.2, before, width=0.4, color="#c0504d", label="before")
    ax.bar(x + 0.2, after, width=0.4, color="#3b6ea5", label="after")
    for xi, r in zip(x, recs.values()):
        if "batch_r2_adj_before" in r:
            ax.text(xi, max(before[int(xi)], after[int(xi)]), f"adj. {100 * float(r['batch_r2_adj_before']):.1f} -> "
                    f"{100 * float(r['batch_r2_adj_after']):.1f}", ha="center", va="bottom", fontsize=7)
    keys = {str(r.get("batch_key", "")) for r in recs.values()}
    ax.set_xticks(x, list(recs))
    ax.set_ylabel("median per-feature R2 of batch (%)")
    ax.set_title(f"Batch effect ({', '.join(sorted(keys))}) before / after ComBat", fontsize=9)
    ax.legend(frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    tidy(fig)
    return fig

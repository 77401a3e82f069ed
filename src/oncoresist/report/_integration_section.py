"""Report section on multi-omics integration: preprocessing, factors, subtypes and their associations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .._core._docs import doc_params
from .._core._errors import InputError
from ._sections import DOC_RETURNS_SECTION, Section, cards_html, figure_html, table_html

__all__ = ["integration_section"]



@doc_params(doc_returns=DOC_RETURNS_SECTION)
def integration_section(
    mdata: Any,
    *,
    factors_key: str = "X_factors",
    subtype_key: str = "subtype",
    color: str | None = None,
    n_loadings: int = 10,
    max_rows: int = 25,
) -> Section:
    """The integration section of the cohort report.

    Shows what preprocessing and batch correction did, the variance each factor explains in
    each layer, a factor scatter coloured by subtype (or ``color``), the top loadings of the
    first factors, the evidence for the number of subtypes and the strongest associations of
    factors and subtypes with clinical variables, survival and drug response (computed with
    :func:`oncoresist.tl.integration_associations` when the cohort does not hold them yet).

    Parameters
    ----------
    mdata
        A cohort after :func:`oncoresist.tl.factors` (and optionally
        :func:`oncoresist.tl.subtypes`).
    factors_key, subtype_key
        Where factors and subtypes are stored.
    color
        ``obs`` column colouring the factor scatter (default: the subtypes when present).
    n_loadings
        Features per layer in the top-loadings figures.
    max_rows
        Rows of the association table.

    {doc_returns}

    Examples
    --------
    >>> import anndata as ad, mudata as md, numpy as np, pandas as pd
    >>> from oncoresist.tl import factors
    >>> rng = np.random.default_rng(0)
    >>> m = md.MuData({"rna": ad.AnnData(rng.normal(size=(30, 6)), obs=pd.DataFrame(index=[f"s{i}" for i in range(30)]))})
    >>> factors(m, n_factors=2)
    >>> integration_section(m).id
    'integration'
    """
    key = factors_key[2:] if factors_key.startswith("X_") else factors_key
    u = mdata.uns.get(key)
    if factors_key not in mdata.obsm or not isinstance(u, Mapping):
        msg = f"the cohort has no obsm['{factors_key}'] / uns['{key}']: run oncoresist.tl.factors (or 'oncoresist integrate') first."
        raise InputError(msg)
    names = list(u.get("factor_names", []))
    r2 = u.get("variance_explained")
    r2 = r2 if isinstance(r2, pd.DataFrame) else pd.DataFrame(r2)
    has_sub = subtype_key in mdata.obs.columns and mdata.obs[subtype_key].notna().any()
    colour = color if color is not None else (subtype_key if has_sub else None)
    parts = [
        _summarycards_html(mdata, factors_key, subtype_key, len(names), r2.shape[0], has_sub),
        _preprocessing_html(mdata),
        _batch_html(mdata),
        _factors_html(mdata, u, key, factors_key, names, colour, n_loadings),
        _subtypes_html(mdata, subtype_key) if has_sub else "",
    ]
    assoc_html, summary = _associations_html(mdata, factors_key, subtype_key, max_rows, f"{len(names)} factors over {r2.shape[0]} layers")
    parts.append(assoc_html)
    if has_sub:
        summary += f"; {int(mdata.obs[subtype_key].nunique())} subtypes"
    return Section(id="integration", title="Multi-omics integration", html="".join(parts), summary=summary + ".")


def _summarycards_html(mdata: Any, factors_key: str, subtype_key: str, n_factors: int, n_layers: int, has_sub: bool) -> str:
    """Cards: factors, layers, samples with factors, subtypes."""
    cards = [
        ("factors", n_factors),
        ("layers integrated", n_layers),
        ("samples with factors", int(np.isfinite(np.asarray(mdata.obsm[factors_key], dtype=float)).all(axis=1).sum())),
    ]
    if has_sub:
        cards.append(("subtypes", int(mdata.obs[subtype_key].nunique())))
    return cards_html(cards)


def _preprocessing_html(mdata: Any) -> str:
    """The preprocessing steps per layer (from ``uns['preprocess']``)."""
    pre = mdata.uns.get("preprocess")
    if not (isinstance(pre, Mapping) and isinstance(pre.get("steps"), Mapping)):
        return ""
    steps = pd.DataFrame({"layer": list(pre["steps"]),
                          "steps": ["; ".join(map(str, v)) for v in pre["steps"].values()]})  # fmt: skip
    return "<h3>Preprocessing</h3>" + table_html(steps, max_rows=50)


def _batch_html(mdata: Any) -> str:
    """Batch effect before / after ComBat, per layer that was corrected."""
    from .. import pl

    combat_recs = {m: a.uns["pp"]["combat"] for m, a in mdata.mod.items()
                   if isinstance(a.uns.get("pp"), Mapping) and "combat" in a.uns["pp"]}  # fmt: skip
    if not combat_recs:
        return ""
    tab = pd.DataFrame([{"layer": m, "batch": r.get("batch_key"), "batches": len(np.atleast_1d(r.get("batches", []))),
                         "R2 before": float(r["batch_r2_before"]), "R2 after": float(r["batch_r2_after"]),
                         "adj. R2 before": float(r.get("batch_r2_adj_before", np.nan)),
                         "adj. R2 after": float(r.get("batch_r2_adj_after", np.nan))} for m, r in combat_recs.items()])  # fmt: skip
    return "<h3>Batch correction (ComBat)</h3>" + figure_html(
        pl.batch_correction(mdata), alt="batch effect before and after ComBat",
        caption="Median per-feature share of variance explained by the batch; adjusted R2 removes the share "
                "expected by chance with many small batches.") + table_html(tab)  # fmt: skip


def _factors_html(mdata: Any, u: Mapping[str, Any], key: str, factors_key: str, names: list[str], colour: str | None, n_loadings: int) -> str:
    """Variance explained, factor scatter and top loadings of the first two factors."""
    from .. import pl

    params = u.get("params", {}) if isinstance(u.get("params"), Mapping) else {}
    lik = u.get("likelihoods", {})
    lik_txt = ", ".join(f"{k}: {v}" for k, v in dict(lik).items()) if isinstance(lik, Mapping) else ""
    parts = ["<h3>Latent factors</h3>" + figure_html(
        pl.variance_explained(mdata, key=key), alt="variance explained per layer and factor",
        caption=f"Group factor analysis ({params.get('method', 'native')}; likelihoods {lik_txt}). A factor active in "
                "one layer only explains variance in that layer alone.")]  # fmt: skip
    if len(names) >= 2:
        parts.append(figure_html(pl.factor_scatter(mdata, x=1, y=2, color=colour, key=factors_key),
                                 alt="factor scatter", caption=f"Factor 1 vs factor 2{f', coloured by {colour}' if colour else ''}."))  # fmt: skip
    for f in names[:2]:
        parts.append(figure_html(pl.top_loadings(mdata, factor=f, n_top=n_loadings, key=key),
                                 alt=f"top loadings of {f}", caption=f"Features with the largest absolute loadings on {f}."))  # fmt: skip
    return "".join(parts)


def _subtypes_html(mdata: Any, subtype_key: str) -> str:
    """The choice of k and the subtype sizes."""
    from .. import pl

    su = mdata.uns.get(subtype_key, {})
    if not (isinstance(su, Mapping) and "k_selection" in su):
        return ""
    sp = su.get("params", {}) if isinstance(su.get("params"), Mapping) else {}
    sizes = su.get("sizes", {})
    size_txt = ", ".join(f"{k}: {v}" for k, v in dict(sizes).items()) if isinstance(sizes, Mapping) else ""
    return "<h3>Subtypes</h3>" + figure_html(
        pl.k_selection(mdata, key=subtype_key), alt="choice of k",
        caption=f"Method {sp.get('method', '')}; k chosen by {sp.get('rule', '')}. Sizes: {size_txt}.") + table_html(
        pd.DataFrame(su["k_selection"]), float_format="{:.3f}")  # fmt: skip


def _associations_html(mdata: Any, factors_key: str, subtype_key: str, max_rows: int, summary: str) -> tuple[str, str]:
    """The association table (computed when the cohort does not hold it) and the updated summary line."""
    from ..tl import integration_associations

    assoc = mdata.uns.get("integration_associations")
    if not isinstance(assoc, pd.DataFrame):
        assoc = integration_associations(mdata, factors_key=factors_key, subtype_key=subtype_key, key_added=None)
    if not len(assoc):
        return "", summary
    shown = assoc.head(max_rows)[["target", "kind", "variable", "test", "effect", "effect_name", "p_value", "q_value", "n"]]
    n_sig = int((assoc["q_value"] < 0.05).sum())
    html = ("<h3>Associations with clinical variables, survival and drug response</h3>"
            f'<p class="note">{n_sig} of {len(assoc)} tests with q &lt; 0.05 (Benjamini-Hochberg within each '
            "factor / subtype and kind); strongest first.</p>" + table_html(shown, max_rows=max_rows))  # fmt: skip
    top = assoc.iloc[0]
    return html, summary + f"; strongest association: {top['target']} with {top['variable']} (p = {float(top['p_value']):.2g})"

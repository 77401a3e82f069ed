"""Report sections of a classifier's results (``uns['classify']`` from :func:`oncoresist.tl.store_classification`)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ._sections import Section, cards_html, escape, figure_html, table_html

__all__ = ["classify_section", "patient_classify_section"]

_METRICS = ["model", "kind", "balanced_accuracy", "balanced_error", "balanced_accuracy_fold_mean",
            "balanced_accuracy_fold_sd", "accuracy", "macro_f1", "n"]


def _record(mdata: Any, key: str) -> dict[str, Any] | None:
    """``uns[key]`` when it holds a classifier's tables."""
    rec = mdata.uns.get(key) if mdata is not None else None
    ok = isinstance(rec, dict) and all(isinstance(rec.get(t), pd.DataFrame) for t in ("metrics", "confusion", "predictions"))
    return rec if ok else None


def classify_section(mdata: Any, *, key: str = "classify") -> Section | None:
    """The cohort report's 'Classification' section (None when ``uns[key]`` holds no classifier).

    Parameters
    ----------
    mdata
        The cohort after :func:`oncoresist.tl.store_classification`.
    key
        Its ``uns`` key.

    Returns
    -------
    Section or None
        Balanced accuracy / error of the model and its baselines with the fold mean and SD,
        the confusion matrix plot and the out-of-fold class probabilities of every sample.

    Examples
    --------
    >>> import anndata as ad, mudata as md, numpy as np
    >>> classify_section(md.MuData({"rna": ad.AnnData(np.zeros((2, 2)))})) is None
    True
    """
    from .. import pl

    rec = _record(mdata, key)
    if rec is None:
        return None
    params = rec.get("params", {})
    met = rec["metrics"]
    main = met[met["kind"] == "model"].iloc[0]
    cards = cards_html([("classes", len(params.get("classes", []))), ("samples", int(main["n"])),
                        ("CV balanced accuracy", f"{float(main['balanced_accuracy']):.3f}"),
                        ("CV balanced error", f"{float(main['balanced_error']):.3f}")])
    html = cards + table_html(met[[c for c in _METRICS if c in met.columns]], float_format="{:.3f}")
    html += figure_html(pl.confusion_matrix(rec["confusion"], model=str(main["model"])), alt="out-of-fold confusion matrix")
    html += "<h3>Out-of-fold class probabilities</h3>" + table_html(rec["predictions"], max_rows=200, float_format="{:.3f}")
    return Section(id="classification", title="Classification", html=html,
                   summary=(f"Classifier '{escape(main['model'])}' of obs['{escape(params.get('target', '?'))}'], "
                            f"stratified {params.get('n_splits', '?')}-fold CV: balanced accuracy {float(main['balanced_accuracy']):.3f}."))


def patient_classify_section(interp: Any, mdata: Any, *, key: str = "classify") -> Section | None:
    """The patient page's 'Predicted class' section: the sample's out-of-fold class and probabilities.

    Parameters
    ----------
    interp
        The patient's :class:`~oncoresist.interpret.Interpretation` (its ``patient`` is the sample).
    mdata
        The cohort holding ``uns[key]``.
    key
        The ``uns`` key of :func:`oncoresist.tl.store_classification`.

    Returns
    -------
    Section or None
        None when the cohort has no classifier or the sample was not classified; ``meta`` holds
        ``predicted`` and ``probability``.

    Examples
    --------
    >>> import types
    >>> patient_classify_section(types.SimpleNamespace(patient="P1"), None) is None
    True
    """
    rec = _record(mdata, key)
    if rec is None:
        return None
    pred = rec["predictions"]
    rows = pred[pred["sample"].astype(str) == str(interp.patient)]
    if rows.empty:
        return None
    row = rows.iloc[0]
    probs = pd.Series({c[2:]: float(row[c]) for c in pred.columns if c.startswith("p_")}).sort_values(ascending=False)
    p = float(probs.get(str(row["predicted"]), float("nan")))
    table = pd.DataFrame({"class": probs.index, "probability": probs.to_numpy()})
    target = rec.get("params", {}).get("target", "class")
    html = (f"<p>Predicted {escape(target)}: <b>{escape(row['predicted'])}</b> (probability {p:.2f}; out-of-fold, "
            f"the sample was not in the training folds); recorded: {escape(row['observed'])}.</p>" + table_html(table, float_format="{:.3f}"))
    return Section(id="predicted-class", title="Predicted class", html=html,
                   summary=f"{target}: {row['predicted']} (p = {p:.2f})", meta={"predicted": str(row["predicted"]), "probability": p})

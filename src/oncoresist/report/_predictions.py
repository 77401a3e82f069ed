"""Model predictions in context on the patient page: CV performance, an approximate interval, the measured value."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .._core._errors import InputError

__all__ = ["prediction_context", "prediction_source_text", "prediction_scores"]

Z95 = 1.959963984540054


def prediction_source_text(source: str) -> str:
    """Where the predictions came from, in plain words.

    Examples
    --------
    >>> prediction_source_text("mdata.uns['predictions']")
    'predictions stored in the cohort (for a training sample: its out-of-fold cross-validated prediction)'
    """
    s = str(source or "")
    if s.startswith("mdata.uns"):
        return "predictions stored in the cohort (for a training sample: its out-of-fold cross-validated prediction)"
    if s.startswith("mdata.obsm"):
        return f"predictions stored with the cohort's samples ({s[len('mdata.obsm'):].strip('[]')!s})"
    if s == "argument":
        return "predictions given to the report"
    return s


def prediction_scores(scores: Any) -> pd.DataFrame:
    """Per-drug cross-validated performance (index drug; columns ``pearson``, ``rmse``).

    Parameters
    ----------
    scores
        A CV score table (``drug``, ``pearson``, ``rmse``, optional ``model``: the first model
        listed is used), a model card (``card["drugs"][drug]["pearson_<model>"]`` /
        ``"rmse_<model>"``, the card's own model), or None.

    Returns
    -------
    pandas.DataFrame
        Empty when ``scores`` is None.

    Examples
    --------
    >>> card = {"model": {"name": "enet"}, "drugs": {"erlotinib": {"pearson_enet": 0.4, "rmse_enet": 0.1}}}
    >>> prediction_scores(card).loc["erlotinib"].tolist()
    [0.4, 0.1]
    """
    if scores is None:
        return pd.DataFrame(columns=["pearson", "rmse"])
    if isinstance(scores, Mapping) and "drugs" in scores:
        name = (scores.get("model") or {}).get("name") if isinstance(scores.get("model"), Mapping) else None
        rows = {}
        for d, v in dict(scores["drugs"]).items():
            m = name if name and f"rmse_{name}" in v else next((k[5:] for k in v if str(k).startswith("rmse_")), None)
            if m is not None:
                rows[str(d)] = {"pearson": v.get(f"pearson_{m}", np.nan), "rmse": v.get(f"rmse_{m}", np.nan)}
        return pd.DataFrame.from_dict(rows, orient="index", columns=["pearson", "rmse"]).astype(float)
    if isinstance(scores, pd.DataFrame) and {"drug", "rmse"} <= set(scores.columns):
        df = scores
        if "model" in df.columns and df["model"].nunique() > 1:
            df = df[df["model"] == df["model"].iloc[0]]
        df = df.assign(pearson=df["pearson"] if "pearson" in df.columns else np.nan)
        return df.drop_duplicates("drug").set_index(df.drop_duplicates("drug")["drug"].astype(str))[["pearson", "rmse"]].astype(float)
    msg = ("model scores must be a CV score table (columns drug, pearson, rmse) or a model card (model_card.json with 'drugs'), "
           f"got {type(scores).__name__}; pass the cv_scores of 'oncoresist train' or its model card.")  # fmt: skip
    raise InputError(msg)


def _measured(mdata: Any, patient: str) -> dict[str, float]:
    """The patient's measured response (.X of the drug layer) per drug, when screened."""
    if mdata is None or "drug" not in getattr(mdata, "mod", {}) or patient not in set(mdata.mod["drug"].obs_names):
        return {}
    ad = mdata.mod["drug"]
    x = ad[patient].X
    row = np.asarray(x.toarray() if hasattr(x, "toarray") else x, dtype=float).ravel()
    return {str(d): float(v) for d, v in zip(ad.var_names, row) if np.isfinite(v)}


def prediction_context(interp: Any, mdata: Any = None, model_scores: Any = None) -> list[dict[str, Any]]:
    """Rows of the predictions table: prediction, approximate 95% interval, CV pearson / rmse, measured value.

    The interval is predicted +- 1.96 x the drug's cross-validated RMSE (approximate: it assumes
    normal, equal-variance errors). Scores come from ``model_scores``, else ``mdata.uns['prediction_scores']``.

    Parameters
    ----------
    interp
        The interpretation (its ``predictions`` table).
    mdata
        The cohort (measured responses; stored scores).
    model_scores
        CV scores or a model card (see :func:`prediction_scores`).

    Returns
    -------
    list of dict

    Examples
    --------
    >>> import types
    >>> it = types.SimpleNamespace(patient="P1", predictions=pd.DataFrame({"drug": ["d"], "predicted": [0.5], "percentile": [40.0]}))
    >>> prediction_context(it, model_scores=pd.DataFrame({"drug": ["d"], "pearson": [0.3], "rmse": [0.1]}))[0]["interval"]
    '0.304 to 0.696'
    """
    if model_scores is None and mdata is not None:
        model_scores = getattr(mdata, "uns", {}).get("prediction_scores")
    sc = prediction_scores(model_scores)
    measured = _measured(mdata, str(interp.patient))
    rows = []
    for r in interp.predictions.itertuples(index=False):
        d = str(r.drug)
        rmse = float(sc.loc[d, "rmse"]) if d in sc.index else np.nan
        pear = float(sc.loc[d, "pearson"]) if d in sc.index else np.nan
        pred = float(r.predicted)
        rows.append({
            "drug": d, "predicted": _num(pred), "percentile": _num(r.percentile, "{:.0f}"),
            "interval": f"{_num(pred - Z95 * rmse)} to {_num(pred + Z95 * rmse)}" if np.isfinite(rmse) else "",
            "pearson": _num(pear, "{:.2f}"), "rmse": _num(rmse), "measured": _num(measured.get(d, np.nan)),
        })  # fmt: skip
    return rows


def _num(x: Any, spec: str = "{:.3g}") -> str:
    """A number formatted, or '' when missing."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return ""
    return spec.format(v) if np.isfinite(v) else ""

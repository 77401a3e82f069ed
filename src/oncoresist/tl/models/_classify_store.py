"""Put a trained classifier's cross-validated results into the cohort (``uns['classify']``) for the reports."""

from __future__ import annotations

from typing import Any

from ..._core._errors import InputError
from ..._core._keys import claim_key
from ..._core._params import clean_params

__all__ = ["store_classification"]


def store_classification(mdata: Any, models: Any, *, key_added: str = "classify", overwrite: bool = False) -> None:
    """Write a classifier's CV metrics, confusion matrices and out-of-fold probabilities into ``mdata.uns``.

    Parameters
    ----------
    mdata
        The cohort the classifier was trained on.
    models
        From :func:`oncoresist.tl.train_classifier` (or :meth:`DrugResponseModels.load` of a
        ``train --task classify`` folder): ``task == "classify"``.
    key_added
        Key in ``mdata.uns``.
    overwrite
        Replace ``uns[key_added]`` written by something else (this function replaces its own).

    Returns
    -------
    None
        ``mdata.uns[key_added]`` holds ``metrics`` (one row per model and baseline:
        ``balanced_accuracy, balanced_error, ...``), ``confusion`` (``model, observed,
        <class>...``), ``predictions`` (``sample, observed, predicted, p_<class>..., fold``) and
        ``params`` (``target``, ``model``, ``classes``, ``n_splits``).

    Examples
    --------
    >>> import anndata as ad, mudata as md, numpy as np, pandas as pd
    >>> from oncoresist.tl import train_classifier
    >>> rng = np.random.default_rng(0)
    >>> idx = pd.Index([f"s{i}" for i in range(40)])
    >>> x = rng.normal(size=(40, 3)); x[20:, 0] += 3
    >>> m = md.MuData({"rna": ad.AnnData(x, obs=pd.DataFrame(index=idx), var=pd.DataFrame(index=list("ABC")))})
    >>> m.obs["subtype"] = np.repeat(["x", "y"], 20)
    >>> store_classification(m, train_classifier(m, target="subtype", n_splits=3))
    >>> sorted(m.uns["classify"])
    ['confusion', 'metrics', 'params', 'predictions']
    """
    if getattr(models, "task", None) != "classify":
        msg = ("store_classification: the models are not a classifier (task "
               f"{getattr(models, 'task', None)!r}); pass the result of tl.train_classifier or a 'train --task classify' folder.")
        raise InputError(msg)
    claim_key(mdata, "uns", key_added, by="tl.store_classification", overwrite=overwrite)
    card = models.card
    tables = models.tables
    mdata.uns[key_added] = {
        "metrics": tables["classification_metrics"].copy(),
        "confusion": tables["confusion_matrix"].copy(),
        "predictions": tables["predictions"].copy(),
        "params": clean_params({"target": card["data"]["target"]["obs_key"], "model": card["model"]["name"],
                                "classes": [str(c) for c in card["data"]["target"]["classes"]],
                                "n_splits": card["cv"]["n_splits"]}),
    }

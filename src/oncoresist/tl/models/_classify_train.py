"""Training and honest evaluation of a classifier of a sample label (``oncoresist train --task classify``).

:func:`cross_validate_classifier` runs stratified K-fold cross-validation (every preprocessing
and feature-selection step is part of the estimators, hence fitted inside the folds) of the
chosen model next to baselines: the majority class and a logistic regression on each layer
alone. :func:`train_classifier` adds the final fit on every labelled sample and returns a
:class:`~oncoresist.tl.DrugResponseModels` with ``task == "classify"`` whose folder holds
``classification_metrics.csv``, ``confusion_matrix.csv`` and ``predictions.csv`` (out-of-fold,
one ``p_<class>`` column per class).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold

from ..._core._errors import InputError
from ._classify import LateIntegrationClassifier, check_labels, make_classifier
from ._model_io import FORMAT_VERSION, DrugResponseModels, _data_card, _num, _params, _versions
from ._models_data import drop_samples, feature_frame, obs_column, split_feature_names

__all__ = ["ClassificationCVResult", "classification_data", "classification_metrics", "cross_validate_classifier",
           "train_classifier"]

MAJORITY = "majority"


def classification_metrics(observed: Any, predicted: Any, *, classes: Sequence[Any] | np.ndarray | None = None) -> dict[str, Any]:
    """Balanced accuracy / error, accuracy, macro F1 and per-class recall, precision and F1.

    Balanced accuracy is the mean per-class recall over the classes present in ``observed``
    (as :func:`sklearn.metrics.balanced_accuracy_score`); ``balanced_error = 1 -
    balanced_accuracy``. Macro F1 averages the per-class F1 over the classes that occur in
    ``observed`` or ``predicted`` (a class never predicted has precision 0, as scikit-learn's
    ``zero_division=0``). ``classes`` adds per-class columns for classes absent from both.

    Parameters
    ----------
    observed, predicted
        Class labels (compared as strings).
    classes
        Class order of the per-class entries (default: the sorted observed and predicted labels).

    Returns
    -------
    dict
        ``balanced_accuracy, balanced_error, accuracy, macro_f1, n`` and ``recall_<class>``,
        ``precision_<class>``, ``f1_<class>``, ``support_<class>`` (observed count) per class.

    Examples
    --------
    >>> m = classification_metrics(["a", "a", "b", "b"], ["a", "b", "b", "b"])
    >>> m["balanced_accuracy"], m["balanced_error"], m["recall_a"]
    (0.75, 0.25, 0.5)
    """
    obs = np.asarray(observed, dtype=object).astype(str)
    pred = np.asarray(predicted, dtype=object).astype(str)
    if obs.ndim != 1 or obs.shape != pred.shape or obs.size == 0:
        msg = f"observed and predicted labels must be non-empty and of equal length, got {obs.size} and {pred.size}."
        raise InputError(msg)
    seen = sorted(set(obs) | set(pred))
    order = seen if classes is None else [str(c) for c in classes] + [c for c in seen if c not in {str(k) for k in classes}]
    out: dict[str, Any] = {}
    per: dict[str, tuple[float, float, float]] = {}
    for c in order:
        tp, n_obs, n_pred = float(np.sum((obs == c) & (pred == c))), float(np.sum(obs == c)), float(np.sum(pred == c))
        rec = tp / n_obs if n_obs else float("nan")
        prec = tp / n_pred if n_pred else 0.0
        f1 = 2 * tp / (n_obs + n_pred) if n_obs + n_pred else float("nan")
        per[c] = (rec, prec, f1)
        out.update({f"recall_{c}": rec, f"precision_{c}": prec, f"f1_{c}": f1, f"support_{c}": int(n_obs)})
    bacc = float(np.mean([per[c][0] for c in order if np.isfinite(per[c][0])]))
    head = {"balanced_accuracy": bacc, "balanced_error": 1.0 - bacc, "accuracy": float(np.mean(obs == pred)),
            "macro_f1": float(np.mean([per[c][2] for c in seen])), "n": int(obs.size)}
    return {**head, **out}


@dataclass
class ClassificationCVResult:
    """Cross-validated classification.

    Attributes
    ----------
    metrics
        One row per model: ``model, kind (model | baseline), balanced_accuracy, balanced_error,
        accuracy, macro_f1, n`` (pooled out-of-fold), ``n_folds, balanced_accuracy_fold_mean,
        balanced_accuracy_fold_sd`` and ``recall_<class>, precision_<class>, f1_<class>,
        support_<class>``.
    predictions
        Out-of-fold predictions: ``model, sample, fold, observed, predicted, p_<class>...``.
    confusion
        Pooled out-of-fold confusion matrices: ``model, observed, <class>...`` (counts).
    """

    metrics: pd.DataFrame
    predictions: pd.DataFrame
    confusion: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)


def _folds(y: np.ndarray, n_splits: int, random_state: Any) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified folds; fewer folds (with a warning) when the smallest class is smaller than ``n_splits``."""
    counts = pd.Series(y).value_counts()
    if counts.min() < 2:
        small = ", ".join(f"{c} ({n})" for c, n in counts[counts < 2].items())
        msg = (f"class(es) {small} have fewer than 2 labelled samples; stratified cross-validation needs at least 2 "
               "per class. Merge them into another class or leave them out.")
        raise InputError(msg)
    k = int(min(n_splits, counts.min()))
    if k < n_splits:
        warnings.warn(f"the smallest class ({counts.idxmin()}, {int(counts.min())} samples) allows only {k} stratified "
                      f"folds instead of {n_splits}.", UserWarning, stacklevel=3)
    return list(StratifiedKFold(n_splits=k, shuffle=True, random_state=random_state).split(np.zeros(len(y)), y))


def _baselines(X: pd.DataFrame, random_state: Any) -> dict[str, Any]:
    """Majority class and a plain (untuned, C = 1, class-balanced) logistic regression on each layer alone."""
    out: dict[str, Any] = {MAJORITY: None}
    for lay in sorted(set(split_feature_names(X.columns)[0])):
        out[f"logistic_{lay}"] = LateIntegrationClassifier(layers=[lay], C=1.0, random_state=random_state)
    return out


def _fold_proba(est: Any, X: pd.DataFrame, y: np.ndarray, tr: np.ndarray, te: np.ndarray,
                classes: np.ndarray) -> np.ndarray:
    """Test-fold class probabilities (columns = ``classes``) of ``est`` fitted on the training fold."""
    if est is None:  # majority class: the training class frequencies
        freq = pd.Series(y[tr]).value_counts(normalize=True).reindex(classes, fill_value=0.0).to_numpy()
        return np.tile(freq, (len(te), 1))
    model = clone(est).fit(X.iloc[tr], y[tr])
    p = model.predict_proba(X.iloc[te])
    out = np.zeros((len(te), len(classes)))
    pos = {str(c): i for i, c in enumerate(classes)}
    for j, c in enumerate(model.classes_):
        out[:, pos[str(c)]] = p[:, j]
    return out


def _summarise(name: str, kind: str, pred: pd.DataFrame, classes: np.ndarray) -> tuple[dict[str, Any], pd.DataFrame]:
    """Metrics row and confusion matrix of one model's out-of-fold predictions."""
    pooled = classification_metrics(pred["observed"], pred["predicted"], classes=classes)
    per_fold = [classification_metrics(g["observed"], g["predicted"], classes=classes)["balanced_accuracy"]
                for _, g in pred.groupby("fold")]
    head = ("balanced_accuracy", "balanced_error", "accuracy", "macro_f1", "n")
    row = {"model": name, "kind": kind, **{k: pooled[k] for k in head}, "n_folds": len(per_fold),
           "balanced_accuracy_fold_mean": float(np.mean(per_fold)),
           "balanced_accuracy_fold_sd": float(np.std(per_fold, ddof=1)) if len(per_fold) > 1 else np.nan,
           **{k: v for k, v in pooled.items() if k not in head}}
    cm = pd.crosstab(pd.Categorical(pred["observed"], categories=classes),
                     pd.Categorical(pred["predicted"], categories=classes), dropna=False)
    cm = cm.reindex(index=classes, columns=classes, fill_value=0)
    conf = pd.DataFrame(cm.to_numpy(dtype=int), columns=[str(c) for c in classes])
    conf.insert(0, "observed", [str(c) for c in classes])
    conf.insert(0, "model", name)
    return row, conf


def cross_validate_classifier(
    X: pd.DataFrame,
    y: Any,
    *,
    models: dict[str, Any],
    baselines: bool = True,
    n_splits: int = 5,
    random_state: Any = 0,
) -> ClassificationCVResult:
    """Stratified K-fold cross-validation of classifiers (and baselines) on the same folds.

    Parameters
    ----------
    X
        Samples x ``"<layer>:<feature>"`` features (NaN = missing).
    y
        Class label per sample.
    models
        Name -> unfitted classifier (``fit`` / ``predict_proba`` / ``classes_``).
    baselines
        Also score the majority class and a logistic regression on each layer alone.
    n_splits
        Folds (fewer, with a warning, when the smallest class is smaller).
    random_state
        Seed of the folds.

    Returns
    -------
    ClassificationCVResult
        Metrics, out-of-fold predictions and confusion matrices of every model and baseline.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from oncoresist.tl.models._classify import EarlyIntegrationClassifier
    >>> rng = np.random.default_rng(0)
    >>> y = np.repeat(["a", "b"], 30)
    >>> X = pd.DataFrame(rng.normal(size=(60, 3)), columns=["rna:A", "rna:B", "rna:C"])
    >>> X["rna:A"] += 2 * (y == "b")
    >>> res = cross_validate_classifier(X, y, models={"early": EarlyIntegrationClassifier(random_state=0)}, n_splits=3)
    >>> bool(res.metrics.set_index("model").loc["early", "balanced_accuracy"] > 0.7)
    True
    """
    labels = check_labels(y, X.shape[0])
    classes = np.asarray(sorted(set(labels)), dtype=object)
    folds = _folds(labels, n_splits, random_state)
    todo = [(name, "model", est) for name, est in models.items()]
    if baselines:
        todo += [(name, "baseline", est) for name, est in _baselines(X, random_state).items()]
    rows, preds, confs = [], [], []
    for name, kind, est in todo:
        parts = []
        for i, (tr, te) in enumerate(folds):
            p = _fold_proba(est, X, labels, tr, te, classes)
            frame = pd.DataFrame({"model": name, "sample": X.index[te].astype(str), "fold": i, "observed": labels[te],
                                  "predicted": classes[np.argmax(p, axis=1)]})
            parts.append(pd.concat([frame, pd.DataFrame(p, columns=[f"p_{c}" for c in classes])], axis=1))
        pred = pd.concat(parts, ignore_index=True)
        row, conf = _summarise(name, kind, pred, classes)
        rows.append(row)
        preds.append(pred)
        confs.append(conf)
    return ClassificationCVResult(metrics=pd.DataFrame(rows), predictions=pd.concat(preds, ignore_index=True),
                                  confusion=pd.concat(confs, ignore_index=True),
                                  params={"n_splits": len(folds), "stratified": True, "random_state": random_state,
                                          "classes": [str(c) for c in classes]})


def _label_strings(lab: pd.Series) -> pd.Series:
    """Labels as stripped strings, missing / blank as NaN; integral numbers without a ``.0``."""
    num = pd.to_numeric(lab, errors="coerce") if lab.dtype.kind in "biuf" else None
    if num is not None and np.all(np.isfinite(num.dropna())) and (num.dropna() % 1 == 0).all():
        text = num.map(lambda v: str(int(v)) if pd.notna(v) else np.nan)
    else:
        text = lab.map(lambda v: str(v).strip() if pd.notna(v) else np.nan)
    return text.where(text.notna() & (text != "") & (text.str.lower() != "nan"))


def _check_classes(labels: pd.Series, target: str) -> None:
    """At least 6 labelled samples, two classes, every class with >= 2 samples (else InputError naming them)."""
    counts = labels.value_counts()
    if len(labels) < 6:
        msg = f"only {len(labels)} samples have a '{target}' label; a classifier needs at least 6 labelled samples."
        raise InputError(msg)
    if len(counts) < 2:
        msg = f"obs['{target}'] has a single class ({counts.index[0]!r}) among the labelled samples; a classifier needs two or more."
        raise InputError(msg)
    small = counts[counts < 2]
    if len(small):
        shown = ", ".join(f"{c!r} ({n} sample)" for c, n in small.items())
        msg = (f"obs['{target}'] class(es) {shown} have fewer than 2 samples; stratified cross-validation needs at least 2 "
               "per class. Merge them into another class or blank their label (unlabelled samples are left out); in "
               "Python, exclude_samples= drops samples.")
        raise InputError(msg)


def classification_data(
    mdata: Any,
    *,
    target: str,
    layers: Sequence[str] | None = None,
    obs_features: Sequence[str] | None = None,
    exclude_samples: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, np.ndarray, dict[str, Any]]:
    """Feature table and labels of the labelled samples, and a report of the samples left out.

    Samples without a label (missing or blank) are left out with a warning giving how many;
    integral numeric labels (``0.0`` / ``1.0``) become ``"0"`` / ``"1"``. Fewer than 6
    labelled samples, a single class or a class with fewer than 2 samples is an
    :class:`~oncoresist._core._errors.InputError` naming the column.

    Parameters
    ----------
    mdata
        The cohort.
    target
        ``obs`` column of the class label.
    layers, obs_features
        Feature layers and clinical feature columns (:func:`~oncoresist.tl.feature_frame`).
    exclude_samples
        Sample IDs left out (unknown IDs are an error).

    Returns
    -------
    X, y, report
        ``report``: ``n_unlabelled`` / ``unlabelled`` (samples without a label), ``excluded``.

    Examples
    --------
    >>> import anndata as ad, mudata as md, numpy as np, pandas as pd
    >>> idx = pd.Index([f"s{i}" for i in range(8)])
    >>> m = md.MuData({"rna": ad.AnnData(np.eye(8), obs=pd.DataFrame(index=idx))})
    >>> m.obs["grp"] = ["a", "b"] * 3 + [None, None]
    >>> import warnings
    >>> with warnings.catch_warnings():  # 2 samples have no label: a warning says so
    ...     warnings.simplefilter("ignore")
    ...     X, y, rep = classification_data(m, target="grp")
    >>> X.shape, rep["n_unlabelled"]
    ((6, 8), 2)
    """
    index = drop_samples(pd.Index(mdata.obs_names.astype(str)), exclude_samples)
    lab = _label_strings(obs_column(mdata, target).reindex(index))
    ok = lab.notna().to_numpy()
    unlabelled = [str(s) for s in index[~ok]]
    if unlabelled:
        shown = ", ".join(unlabelled[:5]) + (" ..." if len(unlabelled) > 5 else "")
        warnings.warn(f"{len(unlabelled)} sample(s) have no '{target}' label and are left out: {shown}", UserWarning,
                      stacklevel=3)
    _check_classes(lab[ok], target)
    X = feature_frame(mdata, layers=layers, samples=index[ok], obs_features=obs_features)
    report = {"n_unlabelled": len(unlabelled), "unlabelled": unlabelled,
              "excluded": [str(s) for s in (exclude_samples or [])]}
    return X, lab[ok].to_numpy(dtype=object), report


def _classify_card(est: Any, name: str, X: pd.DataFrame, y: np.ndarray, res: ClassificationCVResult,
                   report: dict[str, Any], *, target: str, source: str | None, obs_features: Sequence[str] | None,
                   random_state: Any) -> dict[str, Any]:
    """Model card of a classifier: data, classes, CV scheme, cross-validated scores vs baselines."""
    classes, counts = np.unique(y, return_counts=True)
    integration = {"LateIntegrationClassifier": "late (one classifier per layer; probabilities averaged over the layers a sample has)",
                   "EarlyIntegrationClassifier": "early (layers concatenated, block-scaled; missing features imputed with training medians)",
                   "SparsePLSDAClassifier": "sparse PLS-DA (DIABLO-like; per-layer sparse components, probabilities averaged over the layers a sample has)"}
    scores = {str(r["model"]): {k: (_num(v) if not isinstance(v, str) else v) for k, v in r.items() if k != "model"}
              for r in res.metrics.to_dict("records")}
    seed = random_state if isinstance(random_state, int | None) else str(random_state)
    return {
        "format_version": FORMAT_VERSION, "task": "classify", "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "model": {"name": name, "class": type(est).__name__, "params": _params(est),
                  "integration": integration.get(type(est).__name__, type(est).__name__)},
        "data": {**_data_card(X, source, obs_features),
                 "target": {"obs_key": target, "classes": [str(c) for c in classes],
                            "n_per_class": {str(c): int(n) for c, n in zip(classes, counts)}},
                 "left_out": report},
        "drugs": {}, "skipped": {},
        "cv": {"cv": "stratified", "n_splits": int(res.params["n_splits"]), "random_state": seed,
               "baselines": [m for m in scores if scores[m]["kind"] == "baseline"],
               "note": "preprocessing and feature screening fitted inside each training fold"},
        "scores": scores, "tables": ["classification_metrics", "confusion_matrix", "predictions"],
        "versions": _versions(), "random_state": seed,
    }


def train_classifier(
    mdata: Any,
    *,
    target: str,
    model: str | Any = "late",
    layers: Sequence[str] | None = None,
    obs_features: Sequence[str] | None = None,
    exclude_samples: Sequence[str] | None = None,
    n_splits: int = 5,
    random_state: Any = 0,
    source: str | None = None,
) -> DrugResponseModels:
    """Train a multi-omics classifier of an ``obs`` label, cross-validated against baselines.

    Parameters
    ----------
    mdata
        Training cohort; ``obs[target]`` holds the class (subtype, responder); unlabelled
        samples are left out with a warning and listed in the card.
    target
        ``obs`` column of the class label.
    model
        ``"late"`` (per-layer logistic regression, probabilities averaged over the layers a
        sample has), ``"early"`` (layers concatenated), ``"splsda"`` (DIABLO-like sparse
        PLS-DA) or an unfitted classifier.
    layers
        Feature layers (default: every modality but ``drug``; ``[]`` = only ``obs_features``).
    obs_features
        Clinical columns used as features.
    exclude_samples
        Sample IDs left out of training (unknown IDs are an error).
    n_splits
        Stratified folds of the evaluation.
    random_state
        Seed of the folds and of the estimators' inner cross-validation.
    source
        Origin of the cohort (a path) written into the model card.

    Returns
    -------
    DrugResponseModels
        ``task == "classify"``; ``tables`` holds ``classification_metrics``,
        ``confusion_matrix`` (``model, observed, <class>...`` counts, the model's rows first)
        and ``predictions`` (out-of-fold: ``sample, observed, predicted, p_<class>..., fold``).

    Examples
    --------
    >>> import anndata as ad, mudata as md, numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> idx = pd.Index([f"s{i}" for i in range(60)])
    >>> rna = rng.normal(size=(60, 4)); rna[30:, 0] += 2
    >>> m = md.MuData({"rna": ad.AnnData(rna, obs=pd.DataFrame(index=idx), var=pd.DataFrame(index=list("ABCD")))})
    >>> m.obs["subtype"] = np.repeat(["x", "y"], 30)
    >>> clf = train_classifier(m, target="subtype", n_splits=3)
    >>> bool(clf.card["scores"]["late"]["balanced_accuracy"] > 0.7)
    True
    """
    t0 = time.perf_counter()
    X, y, report = classification_data(mdata, target=target, layers=layers, obs_features=obs_features,
                                       exclude_samples=exclude_samples)
    name, est = (model, make_classifier(model, random_state=random_state)) if isinstance(model, str) else (type(model).__name__, model)
    res = cross_validate_classifier(X, y, models={name: est}, n_splits=n_splits, random_state=random_state)
    final = clone(est).fit(X, y)
    card = _classify_card(final, name, X, y, res, report, target=target, source=source, obs_features=obs_features,
                          random_state=random_state)
    card["train_time_s"] = round(time.perf_counter() - t0, 2)
    main = res.predictions[res.predictions["model"] == name].drop(columns="model").reset_index(drop=True)
    main = main[["sample", "observed", "predicted", *[c for c in main.columns if c.startswith("p_")], "fold"]]
    tables = {"classification_metrics": res.metrics, "confusion_matrix": res.confusion, "predictions": main}
    return DrugResponseModels({"__classifier__": final}, feature_names=list(X.columns), card=card,
                              cv_scores=res.metrics, tables=tables)

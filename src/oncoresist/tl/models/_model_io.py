"""Trained drug-response models: training on a cohort, saving as a folder with a model card, predicting.

A saved model is a folder::

    model.joblib      fitted estimators (one per drug, or one pan-drug model) + feature names
    model_card.json   data, features per layer, model, CV scheme, scores vs baselines, versions
    model_card.md     the same card, readable
    cv_scores.csv     per-drug cross-validated scores of the model and the naive baselines
    features.csv      the features each drug's model uses (layer, feature, importance)
    cv_predictions.csv out-of-fold predictions of the cross-validation (when evaluated)
    km.png            survival models: Kaplan-Meier curves of the out-of-fold risk groups

A survival model (:func:`train_survival`, ``oncoresist train --survival``) is saved the same
way; its card has ``"task": "survival"`` and it predicts a risk score and group per sample.

It is written to a temporary folder and renamed into place, so a crash never leaves a
half-written model. ``model.joblib`` is a pickle: only load models from sources you trust.

A saved model predicts on a new cohort even when a sample lacks a whole layer or some features:
missing features are imputed with the training medians (early integration) or the layer's
contribution is dropped (late integration), and every prediction says which layers and how
many of the model's features it used.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from ..._core._docs import doc_params
from ..._core._errors import InputError
from ..._core._utils import PathLike, atomic_write_text, write_csv
from ...get import higher_is as get_higher_is
from ...parallel import parallel_map
from ._docs import DOC_DRUG_COHORT, DOC_SURVIVAL_COHORT
from ._evaluate import (
    cross_validate_response,
    gain_reference,
    gain_summary,
    untrainable_drugs,
    with_baseline_gain,
)
from ._models import (
    EnsembleRegressor,
    FactorRegressor,
    LateIntegrationRegressor,
    PanDrugRegressor,
    SelectRegressor,
    make_model,
)
from ._models_data import feature_frame, resolve_drugs, response_frame, split_feature_names
from ._survival import (
    PenalizedCox,
    cross_validate_survival,
    dropped_report,
    survival_data,
    survival_samples,
)

__all__ = ["DrugResponseModels", "load_model", "save_model", "train_models", "train_survival"]

FORMAT_VERSION = 1
_PANDRUG_KEY = "__pandrug__"
_SURVIVAL_KEY = "__survival__"
_CLASSIFIER_KEY = "__classifier__"
#: Tasks a model folder can hold.
TASKS = ("drug_response", "survival", "classify")


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("oncoresist", "scikit-learn", "scikit-survival", "numpy", "scipy", "pandas", "anndata", "mudata", "joblib"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:  # pragma: no cover - all are dependencies
            out[pkg] = "not installed"
    return out


def _used_features(est: Any) -> np.ndarray:
    """Input features an estimator actually uses (after its in-fold filtering)."""
    if isinstance(est, SelectRegressor):
        return _used_features(est.estimator_)
    if isinstance(est, EnsembleRegressor):
        parts = [_used_features(e) for e in est.estimators_]
        return np.asarray(list(dict.fromkeys(np.concatenate(parts))), dtype=object) if parts else np.array([], dtype=object)
    if isinstance(est, LateIntegrationRegressor):
        parts = [m.preprocessor_.feature_names_out_ for lay, m in est.layer_models_.items()
                 if float(est.weights_.get(lay, 0.0)) > 0]
        return np.concatenate(parts) if parts else np.array([], dtype=object)
    if isinstance(est, PenalizedCox):
        return np.asarray(est.coef_.index[est.coef_.to_numpy() != 0], dtype=object)
    if callable(getattr(est, "used_features", None)):
        return np.asarray(est.used_features(), dtype=object)
    pre = getattr(est, "preprocessor_", None)
    if pre is not None:
        return pre.feature_names_out_
    return np.asarray(getattr(est, "feature_names_in_", []), dtype=object)


class DrugResponseModels:
    """Fitted response models for one or many drugs, with their model card.

    Build it with :func:`train_models`; save with :meth:`save` / :func:`save_model`; reload with
    :func:`load_model`; predict with :meth:`predict`.

    Parameters
    ----------
    estimators
        Drug -> fitted estimator (or ``{"__pandrug__": PanDrugRegressor}``).
    feature_names
        Columns of the training feature table (``"<layer>:<feature>"``).
    card
        Model card (JSON-serialisable dict).
    cv_scores
        Per-drug cross-validated scores of the model and baselines (may be empty).
    cv_predictions
        Out-of-fold predictions (may be empty).
    tables
        Further result tables written as ``<name>.csv`` into the model folder (a classifier's
        ``classification_metrics``, ``confusion_matrix``, ``predictions``).
    """

    def __init__(self, estimators: dict[str, Any], *, feature_names: Sequence[str], card: dict[str, Any],
                 cv_scores: pd.DataFrame | None = None, cv_predictions: pd.DataFrame | None = None,
                 tables: Mapping[str, pd.DataFrame] | None = None) -> None:
        self.estimators = dict(estimators)
        self.feature_names = [str(c) for c in feature_names]
        self.card = card
        self.cv_scores = cv_scores if cv_scores is not None else pd.DataFrame()
        self.cv_predictions = cv_predictions if cv_predictions is not None else pd.DataFrame()
        self.tables = dict(tables or {})

    @property
    def task(self) -> str:
        """``"drug_response"``, ``"survival"`` or ``"classify"``."""
        return str(self.card.get("task", "drug_response"))

    @property
    def classes(self) -> list[str]:
        """Classes a classifier predicts (none for other tasks)."""
        est = self.estimators.get(_CLASSIFIER_KEY)
        return [str(c) for c in est.classes_] if est is not None else []

    @property
    def drugs(self) -> list[str]:
        """Drugs the models predict (none for a survival model or a classifier)."""
        if self.task in ("survival", "classify"):
            return []
        if _PANDRUG_KEY in self.estimators:
            return list(self.estimators[_PANDRUG_KEY].drugs_)
        return list(self.estimators)

    @property
    def layers(self) -> list[str]:
        """Layers of the training feature table."""
        return sorted(set(split_feature_names(self.feature_names)[0]))

    def __repr__(self) -> str:
        return (f"DrugResponseModels(model={self.card.get('model', {}).get('name')!r}, drugs={len(self.drugs)}, "
                f"layers={self.layers}, features={len(self.feature_names)})")

    # ---------------------------------------------------------------------------------------
    def _features_of(self, mdata_or_X: Any) -> pd.DataFrame:
        obs_feats: list[str] = []
        if isinstance(mdata_or_X, pd.DataFrame):
            X = mdata_or_X.copy()
            X.columns = [str(c) for c in X.columns]
        else:
            present = [lay for lay in self.layers if lay in getattr(mdata_or_X, "mod", {})]
            obs_feats = sorted({f.split("=", 1)[0] for lay, f in zip(*split_feature_names(self.feature_names)) if lay == "obs"})
            obs_feats = [k for k in obs_feats if k in mdata_or_X.obs.columns]
            if not present and not obs_feats:
                msg = (f"the new cohort has none of the model's layers ({', '.join(self.layers)}; found: "
                       f"{', '.join(getattr(mdata_or_X, 'mod', {})) or 'none'}); it cannot be predicted with this model.")
                raise InputError(msg)
            X = feature_frame(mdata_or_X, layers=present, obs_features=obs_feats or None)
        shared = X.columns.intersection(pd.Index(self.feature_names))
        if len(shared) == 0:
            msg = (f"the new data share none of the model's {len(self.feature_names)} features (model e.g. "
                   f"{', '.join(self.feature_names[:3])}; data e.g. {', '.join(map(str, X.columns[:3]))}); "
                   "check feature IDs (gene symbols vs IDs) and layer names.")
            raise InputError(msg)
        extra = X.columns.difference(pd.Index(self.feature_names))
        X = X.reindex(columns=self.feature_names)
        # one-hot levels of a categorical annotation the sample has: a level the new cohort lacks
        # is 0 (the sample is known not to be in it), not missing
        for c in self.feature_names:
            key = c[4:].split("=", 1)[0] if c.startswith("obs:") and "=" in c else None
            if key in obs_feats:
                known = mdata_or_X.obs[key].reindex(X.index).notna().to_numpy()
                X.loc[known & X[c].isna().to_numpy(), c] = 0.0
        X.attrs["n_extra_features"] = int(len(extra))
        return X

    def predict(self, mdata_or_X: Any, *, drugs: Sequence[str] | None = None) -> pd.DataFrame:
        """Predict responses of new samples, saying what each prediction used.

        Parameters
        ----------
        mdata_or_X
            A cohort (MuData) or a samples x ``"<layer>:<feature>"`` table. Layers or features
            the model knows but the data lack are treated as missing.
        drugs
            Subset of drugs (default: all).

        Returns
        -------
        pandas.DataFrame
            One row per sample x drug: ``sample, drug, predicted, layers_used, layers_missing,
            n_features_used, n_features_model, frac_features_used, note``.
        """
        X = self._features_of(mdata_or_X)
        if self.task == "survival":
            if drugs:
                msg = "this is a survival model: it predicts a risk per sample, not drugs; drop --drug / drugs=."
                raise InputError(msg)
            return self._predict_survival(X)
        if self.task == "classify":
            if drugs:
                msg = "this is a classifier: it predicts a class per sample, not drugs; drop --drug / drugs=."
                raise InputError(msg)
            return self._predict_classes(X)
        wanted = self.drugs if drugs is None else [str(d) for d in drugs]
        unknown = [d for d in wanted if d not in self.drugs]
        if unknown:
            msg = f"the model has no drug {', '.join(unknown[:3])}; it predicts: {', '.join(self.drugs[:10])}{' ...' if len(self.drugs) > 10 else ''}."
            raise InputError(msg)
        observed = X.notna()
        parts = []
        pandrug = self.estimators.get(_PANDRUG_KEY)
        pan_pred = pandrug.predict(X, drugs=wanted) if pandrug is not None else None
        for d in wanted:
            est = pandrug if pandrug is not None else self.estimators[d]
            pred = pan_pred[d].to_numpy() if pan_pred is not None else np.asarray(est.predict(X), dtype=float)
            cov = _coverage(est, observed)
            cov.insert(0, "predicted", pred.astype(float))
            cov.insert(0, "drug", d)
            cov.insert(0, "sample", X.index.astype(str))
            parts.append(cov)
        return pd.concat(parts, ignore_index=True)

    def _predict_survival(self, X: pd.DataFrame) -> pd.DataFrame:
        est = self.estimators[_SURVIVAL_KEY]
        risk = np.asarray(est.predict(X), dtype=float)
        cut = float(self.card.get("risk_cutoff", 0.0))
        out = _coverage(est, X.notna(), no_feature="no model feature measured: risk = training average")
        out.insert(0, "risk_group", np.where(risk > cut, "high", "low"))
        out.insert(0, "risk", risk)
        out.insert(0, "sample", X.index.astype(str))
        return out

    def _predict_classes(self, X: pd.DataFrame) -> pd.DataFrame:
        """Predicted class, ``p_<class>`` per class and the coverage columns of each sample."""
        est = self.estimators[_CLASSIFIER_KEY]
        proba = np.asarray(est.predict_proba(X), dtype=float)
        out = _coverage(est, X.notna(), no_feature="no model feature measured: class frequencies of the training data")
        for j in range(proba.shape[1] - 1, -1, -1):
            out.insert(0, f"p_{est.classes_[j]}", proba[:, j])
        out.insert(0, "predicted", [str(est.classes_[j]) for j in np.argmax(proba, axis=1)])
        out.insert(0, "sample", X.index.astype(str))
        return out

    def feature_importance(self, drug: str | None = None) -> pd.DataFrame:
        """Features of one drug's model (or of the survival model) with their importance.

        Returns ``layer, feature, importance`` (and ``coef`` for linear models).
        """
        if self.task == "survival":
            return self.estimators[_SURVIVAL_KEY].feature_importance()
        if self.task == "classify":
            return self.estimators[_CLASSIFIER_KEY].feature_importance()
        if drug not in self.drugs:
            msg = f"the model has no drug '{drug}'; it predicts: {', '.join(self.drugs[:10])}."
            raise InputError(msg)
        est = self.estimators.get(_PANDRUG_KEY, self.estimators.get(drug))
        if not hasattr(est, "feature_importance"):
            msg = f"the {type(est).__name__} model does not report per-feature importances."
            raise InputError(msg)
        if isinstance(est, FactorRegressor) and getattr(est, "multi_output_", False):
            return est.feature_importance(drug)
        return est.feature_importance()

    def save(self, path: PathLike, *, overwrite: bool = True,
             extra_files: Mapping[str, Callable[[Path], None]] | None = None) -> Path:
        """Write the model folder (see :func:`save_model`)."""
        return save_model(self, path, overwrite=overwrite, extra_files=extra_files)


def _coverage(est: Any, observed: pd.DataFrame, *,
              no_feature: str = "no model feature measured: prediction = training mean") -> pd.DataFrame:
    """Per sample: which of the model's layers / features were measured, and what was done."""
    used = pd.Index(_used_features(est))
    obs_used = observed.reindex(columns=used, fill_value=False)
    n_used = obs_used.sum(axis=1).to_numpy()
    lay_of = pd.Series(split_feature_names(used)[0], index=used)
    model_layers = sorted(set(lay_of))
    per_layer = {lay: obs_used.loc[:, (lay_of == lay).to_numpy()].any(axis=1).to_numpy() for lay in model_layers}
    how = "dropped" if isinstance(est, LateIntegrationRegressor) else "imputed"
    if type(est).__name__ in ("LateIntegrationClassifier", "SparsePLSDAClassifier"):
        how = "dropped (class probabilities averaged over the layers present)"
    rows = []
    for i in range(len(observed)):
        have = [lay for lay in model_layers if per_layer[lay][i]]
        miss = [lay for lay in model_layers if not per_layer[lay][i]]
        if len(used) == 0:
            note = "the model uses no feature (constant prediction)"
        elif n_used[i] == 0:
            note = no_feature
        elif miss:
            note = f"layer(s) {', '.join(miss)} missing: {how}"
        elif n_used[i] < len(used):
            note = f"{len(used) - n_used[i]} feature(s) missing: imputed with training medians"
        else:
            note = ""
        rows.append({"layers_used": ",".join(have), "layers_missing": ",".join(miss), "n_features_used": int(n_used[i]),
                     "n_features_model": int(len(used)),
                     "frac_features_used": float(n_used[i] / len(used)) if len(used) else float("nan"), "note": note})
    return pd.DataFrame(rows, columns=["layers_used", "layers_missing", "n_features_used", "n_features_model",
                                       "frac_features_used", "note"])


# --------------------------------------------------------------------------------------------
# training
# --------------------------------------------------------------------------------------------
def _fit_one(data: tuple[pd.DataFrame, pd.DataFrame, Any], drug: str) -> tuple[str, Any, str | None]:
    X, Y, est = data
    y = Y[drug]
    ok = y.notna().to_numpy()
    try:
        return drug, clone(est).fit(X.loc[ok], y[ok].to_numpy()), None
    except InputError as e:
        return drug, None, str(e)


def _warn_skipped(skipped: dict[str, str]) -> None:
    """One warning listing the drugs that were not trained (the first five, with the reason)."""
    if skipped:
        shown = "; ".join(f"{d} ({r})" for d, r in list(skipped.items())[:5])
        warnings.warn(f"{len(skipped)} drug(s) not trained: {shown}{' ...' if len(skipped) > 5 else ''}", UserWarning, stacklevel=3)


@doc_params(doc_drug_cohort=DOC_DRUG_COHORT)
def train_models(
    mdata: Any,
    *,
    drugs: Sequence[str] | None = None,
    model: str | Any = "late",
    metric: str | None = None,
    layers: Sequence[str] | None = None,
    obs_features: Sequence[str] | None = None,
    evaluate: bool = True,
    cv: str = "sample",
    group_key: str = "tissue",
    n_splits: int = 5,
    min_samples: int = 20,
    random_state: Any = 0,
    n_jobs: int | None = None,
    scheduler: Any = None,
    quiet: bool = True,
    source: str | None = None,
) -> DrugResponseModels:
    """Train one response model per drug (or one pan-drug model) and describe it in a model card.

    With ``evaluate=True`` the model is first cross-validated (``cv`` scheme) next to the naive
    baselines, and the scores go into the card; then it is refitted on every measured sample.
    Drugs with too few measured samples or no variance are skipped with a warning and listed in
    the card.

    Parameters
    ----------
    mdata
        Training cohort.
    drugs
        Drug names (default: all).
    model
        Model name for :func:`oncoresist.tl.make_model` (``"late"``, ``"enet"``, ``"gbm"``,
        ``"ensemble"``, ``"enet_rna"``, ``"pandrug"``...) or an unfitted estimator. The default,
        late integration (per-layer ridge models stacked), was within 0.005 of the best model in
        median per-drug r on GDSC (cell-line-blind) at half the cost of the ensemble, and drops a
        missing layer instead of imputing it.
    metric
        Drug-layer matrix (``None`` = ``.X``, normalised AUC).
    layers
        Feature layers (default: every modality but ``drug``).
    obs_features
        Sample annotations used as features.
    evaluate
        Cross-validate before the final fit.
    cv, group_key, n_splits
        Cross-validation scheme (see :func:`oncoresist.tl.cross_validate_response`).
    min_samples
        Drugs with fewer measured samples are skipped.
    random_state
        Seed.
    n_jobs, scheduler
        Local workers or a Dask scheduler (address or Client).
    quiet
        No progress bars.
    source
        Where the cohort came from (file name), recorded in the card.

    Returns
    -------
    DrugResponseModels

    Examples
    --------
    {doc_drug_cohort}
    >>> models = train_models(m, n_jobs=1)
    >>> models.predict(m).shape[0]
    60
    """
    t0 = time.perf_counter()
    names, X, Y, model_name, est, skipped = _training_inputs(mdata, drugs, model, metric=metric, layers=layers,
                                                             obs_features=obs_features, min_samples=min_samples,
                                                             random_state=random_state)
    keep = [d for d in Y.columns if d not in skipped]
    is_pan = isinstance(est, PanDrugRegressor | FactorRegressor)
    res = None
    if evaluate:
        res = _train_cv(mdata, X, Y[keep], model_name, est, cv=cv, group_key=group_key, n_splits=n_splits,
                        min_samples=min_samples, random_state=random_state, n_jobs=n_jobs, scheduler=scheduler, quiet=quiet,
                        skipped=skipped)
    if is_pan:
        fitted = {_PANDRUG_KEY: clone(est).fit(X, Y[keep])}
    else:
        fitted = _fit_per_drug(X, Y, est, keep, skipped, n_jobs=n_jobs, scheduler=scheduler, quiet=quiet)
    _warn_skipped(skipped)
    card = _drug_response_card(mdata, X, Y, model_name, est, res, trained=list(fitted if not is_pan else keep),
                               n_requested=len(names), skipped=skipped, cv=cv, group_key=group_key, metric=metric,
                               source=source, obs_features=obs_features, random_state=random_state, t0=t0)
    _record_selection(fitted, card, res)
    return DrugResponseModels(fitted, feature_names=list(X.columns), card=card,
                              cv_scores=pd.DataFrame() if res is None else res.scores,
                              cv_predictions=pd.DataFrame() if res is None else res.predictions)


def _training_inputs(mdata: Any, drugs: Sequence[str] | None, model: str | Any, *, metric: str | None,
                     layers: Sequence[str] | None, obs_features: Sequence[str] | None, min_samples: int,
                     random_state: Any) -> tuple[list[str], pd.DataFrame, pd.DataFrame, str, Any, dict[str, str]]:
    """Requested drugs, features, responses, the model (name, estimator) and the untrainable drugs (none trainable is an error)."""
    names = resolve_drugs(mdata, drugs)
    Y = response_frame(mdata, metric=metric)[names]
    Y.columns = [str(c) for c in Y.columns]
    X = feature_frame(mdata, layers=layers, samples=Y.index, obs_features=obs_features)
    model_name, est = (model, make_model(model, random_state=random_state)) if isinstance(model, str) else (type(model).__name__, model)
    skipped = untrainable_drugs(Y, min_samples)
    if all(d in skipped for d in Y.columns):
        msg = f"no drug can be trained: {'; '.join(f'{d}: {r}' for d, r in list(skipped.items())[:3])}. Lower --min-samples or pick other drugs."
        raise InputError(msg)
    return names, X, Y, model_name, est, skipped


def _drug_response_card(mdata: Any, X: pd.DataFrame, Y: pd.DataFrame, model_name: str, est: Any, res: Any, *,
                        trained: list[str], n_requested: int, skipped: dict[str, str], cv: str, group_key: str,
                        metric: str | None, source: str | None, obs_features: Sequence[str] | None,
                        random_state: Any, t0: float) -> dict[str, Any]:
    """The model card of a drug-response model (``res`` is the CV result, ``None`` without CV)."""
    counts = Y.notna().sum()
    cv_params: dict[str, Any] = {"cv": None}
    summary = pd.DataFrame()
    if res is not None:
        summary = res.summary()
        cv_params = {k: res.params[k] for k in ("cv", "n_splits", "baselines", "random_state")}
        cv_params["gain_baseline"] = gain_reference(res.scores)
        if cv == "group":
            cv_params["group_key"] = group_key
    card: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "task": "drug_response",
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "model": {"name": model_name, "class": type(est).__name__, "params": _params(est),
                  "integration": _integration_label(est, isinstance(est, PanDrugRegressor | FactorRegressor))},
        "data": {
            **_data_card(X, source, obs_features),
            "response": _response_card(mdata, metric),
            "n_drugs_requested": n_requested,
        },
        "drugs": {d: {"n_samples": int(counts[d])} for d in trained},
        "skipped": skipped,
        "cv": cv_params,
        "scores": _card_scores(summary, model_name, None if res is None else res.scores),
        "versions": _versions(),
        "random_state": random_state if isinstance(random_state, int | None) else str(random_state),
        "train_time_s": round(time.perf_counter() - t0, 2),
    }
    if not isinstance(est, PanDrugRegressor | FactorRegressor) and res is not None and not res.scores.empty:
        _add_drug_scores(card["drugs"], res.scores)
    return card


def _train_cv(mdata: Any, X: pd.DataFrame, Y: pd.DataFrame, model_name: str, est: Any, *, cv: str, group_key: str,
              n_splits: int, min_samples: int, random_state: Any, n_jobs: int | None, scheduler: Any, quiet: bool,
              skipped: dict[str, str]) -> Any:
    """Cross-validate ``est`` and the baselines (scores with the gain over the baseline); drugs failing a fold go into ``skipped``."""
    groups = None
    if cv == "group":
        from ._models_data import obs_column

        groups = obs_column(mdata, group_key).reindex(Y.index)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # skipped drugs are reported by the caller
        res = cross_validate_response(X, Y, models={model_name: est}, cv=cv, groups=groups, n_splits=n_splits,
                                      min_samples=min_samples, random_state=random_state, n_jobs=n_jobs,
                                      scheduler=scheduler, quiet=quiet)
    for _, row in res.skipped.iterrows():
        if row["model"] != "*":
            skipped.setdefault(str(row["drug"]), f"fold {row['fold']}: {row['reason']}")
    res.scores = with_baseline_gain(res.scores)
    return res


def _fit_per_drug(X: pd.DataFrame, Y: pd.DataFrame, est: Any, keep: list[str], skipped: dict[str, str], *,
                  n_jobs: int | None, scheduler: Any, quiet: bool) -> dict[str, Any]:
    """One fitted model per drug in ``keep``; failures go into ``skipped`` (all failing is an error)."""
    out = parallel_map(partial(_fit_one, (X, Y, est)), keep, n_jobs=n_jobs, scheduler=scheduler,
                       description="training", quiet=quiet)
    fitted = {}
    for d, m, err in out:
        if m is None:
            skipped[d] = err or "fit failed"
        else:
            fitted[d] = m
    if not fitted:
        msg = f"no drug model could be fitted: {'; '.join(f'{d}: {r}' for d, r in list(skipped.items())[:3])}."
        raise InputError(msg)
    return fitted


def _record_selection(fitted: dict[str, Any], card: dict[str, Any], res: Any) -> None:
    """Per drug, the candidate a :class:`SelectRegressor` chose (card ``selected`` / ``inner_pearson_<name>``, cv_scores ``selected``)."""
    chosen = {d: m.selected_ for d, m in fitted.items() if isinstance(m, SelectRegressor)}
    if not chosen:
        return
    for d, name in chosen.items():
        card["drugs"][d]["selected"] = name
        card["drugs"][d].update({f"inner_pearson_{c}": _num(v) for c, v in fitted[d].inner_scores_.items()})
    if res is not None and not res.scores.empty:
        sel = res.scores["drug"].astype(str).map(chosen)
        res.scores["selected"] = sel.where(res.scores["kind"] == "model", None)


def _integration_label(est: Any, is_pan: bool) -> str:
    """How the model integrates the layers, in words, for the card."""
    if isinstance(est, LateIntegrationRegressor):
        return "late (per-layer models, stacked; a missing layer is dropped)"
    if isinstance(est, FactorRegressor):
        return "factor (group factor model shared by all drugs, then one regression per drug)"
    if isinstance(est, SelectRegressor):
        return "select (per drug, the best of " + ", ".join(map(str, est.candidates)) + " by inner CV; see drugs.<drug>.selected)"
    if isinstance(est, EnsembleRegressor):
        return "ensemble (mean of: " + ", ".join(map(str, est.members)) + ")"
    if is_pan:
        return "pan-drug (one model for all drugs)"
    return "early (layers concatenated, block-scaled; missing features imputed with training medians)"


def _add_drug_scores(drug_cards: dict[str, dict[str, Any]], scores: pd.DataFrame) -> None:
    """Add the CV ``pearson_<model>`` / ``rmse_<model>`` of every model and baseline to each drug's card."""
    wide_r = scores.pivot_table(index="drug", columns="model", values="pearson", aggfunc="first")
    wide_e = scores.pivot_table(index="drug", columns="model", values="rmse", aggfunc="first")
    gain = scores[scores["kind"] == "model"].drop_duplicates("drug").set_index("drug") if "gain_over_baseline" in scores else None
    for d in drug_cards:
        if d in wide_r.index:
            drug_cards[d].update({f"pearson_{c}": _num(wide_r.loc[d, c]) for c in wide_r.columns})
            drug_cards[d].update({f"rmse_{c}": _num(wide_e.loc[d, c]) for c in wide_e.columns})
        if gain is not None and d in gain.index:
            drug_cards[d].update({k: _num(gain.loc[d, k]) for k in ("baseline_pearson", "gain_over_baseline")})


def _response_card(mdata: Any, metric: str | None) -> dict[str, Any]:
    """The response part of a drug model card: metric and its declared orientation (``get.higher_is``)."""
    orientation = get_higher_is(mdata, "drug", layer=metric) if "drug" in mdata.mod else None
    return {"modality": "drug", "metric": metric or "X", "higher_is": orientation or "unknown (not declared)"}


def _params(est: Any) -> dict[str, Any]:
    return {k: (v if isinstance(v, str | int | float | bool | type(None)) else repr(v))
            for k, v in est.get_params(deep=False).items()}


def _data_card(X: pd.DataFrame, source: str | None, obs_features: Sequence[str] | None) -> dict[str, Any]:
    """Training data part of a model card: samples, features and samples per layer."""
    layer_of, _ = split_feature_names(X.columns)
    per_layer = pd.Series(layer_of).value_counts().sort_index()
    return {
        "source": source,
        "n_samples": int(X.shape[0]),
        "layers": {lay: {"n_features": int(n), "n_samples": int(X.loc[:, layer_of == lay].notna().any(axis=1).sum())}
                   for lay, n in per_layer.items()},
        "obs_features": list(obs_features or []),
    }


def _survival_card(est: Any, res: Any, X: pd.DataFrame, y: np.ndarray, *, source: str | None,
                   obs_features: Sequence[str] | None, dropped: dict[str, Any], keys: tuple[str, str],
                   random_state: Any) -> dict[str, Any]:
    """Model card of a survival model (without the training time)."""
    time_key, event_key = keys
    final = res.model
    summary = res.summary()
    card: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "task": "survival",
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "model": {
            "name": "coxnet",
            "class": type(est).__name__,
            "params": _params(est),
            "integration": "early (layers concatenated and standardised; missing features imputed with training medians)",
            "alpha": _num(final.alpha_),
            "n_nonzero": int((final.coef_ != 0).sum()),
        },
        "data": {
            **_data_card(X, source, obs_features),
            "target": {"time_key": time_key, "event_key": event_key, "n_events": int(y["event"].sum())},
            "dropped": dropped,
        },
        "drugs": {},
        "skipped": {},
        "cv": {"cv": "sample", "n_splits": int(res.params["n_splits"]), "stratified_by": "event",
               "random_state": random_state if isinstance(random_state, int | None) else str(random_state),
               "uno_tau": _num(res.params.get("uno_tau")), "uno_tau_quantile": res.params.get("uno_tau_quantile"),
               "uno_tau_basis": "quantile of the pooled observed follow-up times (events and censored)"},
        "scores": {"coxnet": {**{k: _num(summary[k]) for k in ("harrell_mean", "harrell_sd", "uno_mean", "uno_sd")},
                              "logrank_p": float(summary["logrank_p"]) if np.isfinite(summary["logrank_p"]) else None,
                              "n": int(summary["n"]), "events": int(summary["events"])}},
        "risk_cutoff": float(np.median(final.predict(X))),
        "versions": _versions(),
        "random_state": random_state if isinstance(random_state, int | None) else str(random_state),
    }
    return card


@doc_params(doc_survival_cohort=DOC_SURVIVAL_COHORT)
def train_survival(
    mdata: Any,
    *,
    layers: Sequence[str] | None = None,
    obs_features: Sequence[str] | None = None,
    unpenalized: Sequence[str] | None = None,
    time_key: str = "survival_time",
    event_key: str = "survival_event",
    l1_ratio: float = 0.9,
    n_splits: int = 5,
    random_state: Any = 0,
    source: str | None = None,
    exclude_samples: Sequence[str] | None = None,
) -> DrugResponseModels:
    """Train a penalised Cox model of overall / progression-free survival, with a model card.

    The model (:class:`~oncoresist.tl.PenalizedCox`, penalty chosen by inner CV) is first
    evaluated by outer ``n_splits``-fold cross-validation (Harrell and Uno C-index per fold,
    out-of-fold risk groups and their log-rank test), then refitted on every sample with
    follow-up. Saved like a drug model (:meth:`DrugResponseModels.save`); ``predict`` gives a
    risk score and a high / low group (split at the training median risk) per new sample.

    Parameters
    ----------
    mdata
        Training cohort with follow-up in ``obs[time_key]`` / ``obs[event_key]``.
    layers
        Feature layers (default: every modality but ``drug``; ``[]``: no omics layer, the
        clinical ``obs_features`` only).
    obs_features
        Clinical annotations used as features (e.g. ``("age", "stage")``; numeric as they
        are, categorical one-hot).
    unpenalized
        Features kept without penalty (e.g. ``("obs",)`` = every clinical feature).
    time_key, event_key
        ``obs`` columns of follow-up time and event (0/1).
    l1_ratio
        Elastic-net mixing of the penalty (1 = LASSO).
    n_splits
        Outer folds.
    random_state
        Seed.
    source
        Where the cohort came from, recorded in the card.
    exclude_samples
        Samples left out on purpose (IDs not in the cohort are an error).

    Returns
    -------
    DrugResponseModels
        With ``task == "survival"``; ``cv_scores`` = C-index per fold, ``cv_predictions`` =
        out-of-fold risk and group per sample; ``card["data"]["dropped"]`` = the samples left
        out (no / non-positive time, event not 0/1, excluded) as :func:`dropped_report` gives.

    Examples
    --------
    {doc_survival_cohort}
    >>> model = train_survival(m, n_splits=3)
    >>> model.card["scores"]["coxnet"]["harrell_mean"] > 0.6
    True
    """
    t0 = time.perf_counter()
    X, y, _ = survival_data(mdata, layers=layers, obs_features=obs_features, time_key=time_key, event_key=event_key,
                            exclude_samples=exclude_samples)
    dropped = dropped_report(survival_samples(mdata, time_key=time_key, event_key=event_key, exclude_samples=exclude_samples))
    est = PenalizedCox(l1_ratio=l1_ratio, unpenalized=unpenalized, random_state=random_state)
    res = cross_validate_survival(X, y, estimator=est, n_splits=n_splits, random_state=random_state, refit=True)
    card = _survival_card(est, res, X, y, source=source, obs_features=obs_features, dropped=dropped,
                          keys=(time_key, event_key), random_state=random_state)
    card["train_time_s"] = round(time.perf_counter() - t0, 2)
    return DrugResponseModels({_SURVIVAL_KEY: res.model}, feature_names=list(X.columns), card=card,
                              cv_scores=res.folds, cv_predictions=res.risk)


def _num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if not np.isfinite(f) else round(f, 4)


def _card_scores(summary: pd.DataFrame, model_name: str, scores: pd.DataFrame | None = None) -> dict[str, Any]:
    """Per model and baseline: the summary of the per-drug CV scores, with the gain over the trivial baseline."""
    if summary.empty:
        return {}
    gains = gain_summary(scores) if scores is not None else pd.DataFrame()
    out = {}
    for _, row in summary.iterrows():
        name = str(row["model"])
        out[name] = {k: _num(row[k]) for k in ("n_drugs", "median_pearson", "mean_pearson", "q25_pearson",
                                               "q75_pearson", "median_spearman", "median_rmse", "frac_beats_mean")}
        if name in gains.index:
            out[name].update({k: _num(v) for k, v in gains.loc[name].items()})
        out[name]["kind"] = str(row["kind"])
    return out


# --------------------------------------------------------------------------------------------
# folder I/O
# --------------------------------------------------------------------------------------------
def _r3(v: Any) -> str:
    """A score rounded to 3 decimals (``-`` when missing)."""
    return "-" if v is None or (isinstance(v, float) and not np.isfinite(v)) else f"{float(v):.3f}"


def _classify_markdown(c: dict[str, Any]) -> list[str]:
    """Model card lines of a classifier: classes, CV scheme, balanced accuracy vs baselines."""
    tgt = c["data"]["target"]
    left = c["data"].get("left_out", {})
    lines = [f"- target: obs['{tgt['obs_key']}'], classes: " + ", ".join(f"{k} ({v})" for k, v in tgt["n_per_class"].items()),
             f"- left out: {left.get('n_unlabelled', 0)} unlabelled, {len(left.get('excluded', []))} excluded sample(s)",
             f"- evaluation: {c['cv']['n_splits']}-fold stratified cross-validation; {c['cv'].get('note', '')}",
             "", "## Cross-validated scores", "", "| model | kind | balanced accuracy | fold mean +- SD | balanced error | accuracy | macro F1 |",
             "|---|---|---|---|---|---|---|"]
    for name, sc in c["scores"].items():
        lines.append(f"| {name} | {sc['kind']} | {_r3(sc['balanced_accuracy'])} | {_r3(sc['balanced_accuracy_fold_mean'])} +- "
                     f"{_r3(sc['balanced_accuracy_fold_sd'])} | {_r3(sc['balanced_error'])} | {_r3(sc['accuracy'])} | "
                     f"{_r3(sc['macro_f1'])} |")
    lines += ["", "Confusion matrix: `confusion_matrix.csv`; out-of-fold class probabilities: `predictions.csv`."]
    return lines


def _card_markdown(models: DrugResponseModels) -> str:
    """The model card as Markdown."""
    c = models.card
    if models.task == "classify":
        lines = [f"# Model card: {c['model']['name']} ({c['model']['class']})", "", f"- created: {c['created']}",
                 f"- integration: {c['model']['integration']}",
                 f"- training data: {c['data']['source'] or 'in-memory cohort'}, {c['data']['n_samples']} samples",
                 "- layers: " + ", ".join(f"{k} ({v['n_features']} features, {v['n_samples']} samples)"
                                          for k, v in c["data"]["layers"].items()), *_classify_markdown(c)]
        lines += ["", "## Versions", ""] + [f"- {k}: {v}" for k, v in c["versions"].items()]
        lines += ["", "Security: `model.joblib` is a pickle; load it only from a source you trust.", ""]
        return "\n".join(lines)
    survival = models.task == "survival"
    lines = [f"# Model card: {c['model']['name']} ({c['model']['class']})", ""]
    target = (f"survival = obs['{c['data']['target']['time_key']}'] / obs['{c['data']['target']['event_key']}'], "
              f"{c['data']['target']['n_events']} events" if survival else f"response = {c['data']['response']['metric']} (higher = "
              f"{c['data']['response'].get('higher_is', 'unknown')})")
    lines += [f"- created: {c['created']}", f"- integration: {c['model']['integration']}",
              f"- training data: {c['data']['source'] or 'in-memory cohort'}, {c['data']['n_samples']} samples, {target}"]
    lines.append("- layers: " + ", ".join(f"{k} ({v['n_features']} features, {v['n_samples']} samples)"
                                          for k, v in c["data"]["layers"].items()))
    cvp = c["cv"]
    if survival:
        sc = c["scores"]["coxnet"]
        unpen = c["model"]["params"].get("unpenalized")
        lines += [f"- penalty: alpha = {c['model']['alpha']} (inner CV), {c['model']['n_nonzero']} non-zero coefficients"
                  + (f"; unpenalized: {unpen}" if unpen not in (None, "None") else ""),
                  f"- evaluation: {cvp['n_splits']}-fold cross-validation stratified by event, penalty chosen inside "
                  "each training fold",
                  "", "## Cross-validated scores", "",
                  "| Harrell C | Uno C | log-rank p (out-of-fold risk groups) | samples | events |", "|---|---|---|---|---|",
                  f"| {sc['harrell_mean']} +- {sc['harrell_sd']} | {sc['uno_mean']} +- {sc['uno_sd']} | "
                  f"{'-' if sc['logrank_p'] is None else format(sc['logrank_p'], '.3g')} | {sc['n']} | {sc['events']} |",
                  "", "A C-index of 0.5 is chance; the groups split at the training median risk (`km.png`)."]
        if cvp.get("uno_tau") is not None:
            lines.append(f"Uno's C is truncated at tau = {cvp['uno_tau']} (the {cvp['uno_tau_quantile']:.0%} quantile of "
                         "the pooled follow-up times), the same in every fold.")
    else:
        lines.append(f"- drugs: {len(c['drugs'])} trained, {len(c['skipped'])} skipped")
    if not survival and cvp.get("cv"):
        lines.append(f"- evaluation: {cvp['n_splits']}-fold {cvp['cv']}-blind cross-validation, preprocessing fitted "
                     f"inside the folds; baselines: {', '.join(cvp.get('baselines', []))}")
        ref = cvp.get("gain_baseline") or "the baseline"
        lines += ["", "## Cross-validated scores (distribution over drugs)", "",
                  "| model | kind | drugs | median r | mean r | IQR r | median rho | median RMSE | beats mean (RMSE) | "
                  f"median gain in r over {ref} | drugs with gain > 0 |",
                  "|---|---|---|---|---|---|---|---|---|---|---|"]
        for name, s in c["scores"].items():
            lines.append(f"| {name} | {s['kind']} | {s['n_drugs']} | {s['median_pearson']} | {s['mean_pearson']} | "
                         f"{s['q25_pearson']} - {s['q75_pearson']} | {s['median_spearman']} | {s['median_rmse']} | "
                         f"{s['frac_beats_mean']} | {s.get('median_gain_over_baseline', '-')} | "
                         f"{s.get('frac_positive_gain', '-')} |")
        lines += ["", f"Gain = the model's per-drug Pearson r minus that of the {ref} baseline (drug + sample effects); "
                  "per drug in `cv_scores.csv` (`baseline_pearson`, `gain_over_baseline`)."]
    elif not survival:
        lines.append("- evaluation: none (trained with evaluate=False)")
    if c["skipped"]:
        lines += ["", "## Skipped drugs", ""] + [f"- {d}: {r}" for d, r in c["skipped"].items()]
    lines += ["", "## Versions", ""] + [f"- {k}: {v}" for k, v in c["versions"].items()]
    lines += ["", "Security: `model.joblib` is a pickle; load it only from a source you trust.", ""]
    return "\n".join(lines)


def save_model(
    models: DrugResponseModels,
    path: PathLike,
    *,
    overwrite: bool = True,
    extra_files: Mapping[str, Callable[[Path], None]] | None = None,
) -> Path:
    """Write a trained model to a folder atomically (temporary folder, then rename).

    Parameters
    ----------
    models
        The trained models (:func:`train_models`).
    path
        Destination folder. An existing model folder is replaced; an existing folder that is
        not a model folder (no ``model_card.json``) is refused, to never delete user files.
    overwrite
        Replace an existing model folder.
    extra_files
        ``{file name: writer(path)}`` written inside the temporary folder, so they land
        atomically with the model (the CLI adds ``km.png`` this way: tl draws nothing).

    Returns
    -------
    pathlib.Path
        The folder.
    """
    import joblib

    path = Path(path)
    if path.exists():
        if not path.is_dir():
            msg = f"model output '{path}' exists and is a file; give a folder path."
            raise InputError(msg)
        if any(path.iterdir()) and not (path / "model_card.json").exists():
            msg = f"model output folder '{path}' exists, is not empty and is not a model folder; choose another --out."
            raise InputError(msg)
        if not overwrite:
            msg = f"model folder '{path}' already exists; remove it or allow overwriting."
            raise InputError(msg)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    try:
        joblib.dump({"format_version": FORMAT_VERSION, "estimators": models.estimators,
                     "feature_names": models.feature_names}, tmp / "model.joblib", compress=3)
        atomic_write_text(tmp / "model_card.json", json.dumps(models.card, indent=2, default=str))
        atomic_write_text(tmp / "model_card.md", _card_markdown(models))
        write_csv(models.cv_scores, tmp / "cv_scores.csv")
        if not models.cv_predictions.empty:
            write_csv(models.cv_predictions, tmp / "cv_predictions.csv")
        for name, writer in (extra_files or {}).items():
            writer(tmp / name)
        feats = []
        for name, table in models.tables.items():
            write_csv(table, tmp / f"{name}.csv")
        if models.task in ("survival", "classify"):
            fi = models.feature_importance()
            feats.append(fi[fi["importance"] > 0])
        for d in models.drugs[:500]:
            try:
                fi = models.feature_importance(d)
            except InputError:
                continue
            fi.insert(0, "drug", d)
            feats.append(fi[fi["importance"] > 0])
            if isinstance(models.estimators.get(_PANDRUG_KEY), PanDrugRegressor):
                break
        write_csv(pd.concat(feats, ignore_index=True) if feats else pd.DataFrame(columns=["drug", "layer", "feature", "importance"]),
                  tmp / "features.csv")
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent))
            os.replace(path, old / "model")
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path


def _read_card(card_file: Path) -> dict[str, Any]:
    """The model card, checked: valid JSON, a known format version and task, the keys predict needs."""
    try:
        card = json.loads(card_file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        msg = f"model card '{card_file}' is not valid JSON ({e}); re-train or restore the folder."
        raise InputError(msg) from e
    if not isinstance(card, dict):
        msg = f"model card '{card_file}' is not a JSON object; re-train or restore the folder."
        raise InputError(msg)
    if card.get("format_version") != FORMAT_VERSION:
        msg = (f"model card '{card_file}' has format version {card.get('format_version')!r}, this oncoresist reads "
               f"version {FORMAT_VERSION}; re-train the model with this oncoresist.")
        raise InputError(msg)
    if card.get("task", "drug_response") not in TASKS:
        msg = f"model card '{card_file}' has an unknown task {card.get('task')!r} (expected one of {', '.join(TASKS)}); re-train."
        raise InputError(msg)
    lacking = [k for k, kind in (("model", dict), ("data", dict), ("versions", dict)) if not isinstance(card.get(k), kind)]
    if lacking:
        msg = f"model card '{card_file}' lacks {', '.join(lacking)} (edited or damaged); re-train or restore the folder."
        raise InputError(msg)
    return card


def _read_blob(model_file: Path, card: dict[str, Any]) -> dict[str, Any]:
    """The pickled estimators, checked: readable, the right format, estimators for the card's task."""
    import joblib

    try:
        blob = joblib.load(model_file)
    except Exception as e:  # noqa: BLE001 - a truncated or edited pickle raises anything (EOFError, zlib, pickle...)
        msg = f"'{model_file}' cannot be read ({type(e).__name__}: {str(e)[:80]}); the file is damaged: re-train or restore it."
        raise InputError(msg) from e
    if not isinstance(blob, dict) or blob.get("format_version") != FORMAT_VERSION:
        msg = f"'{model_file}' has an unknown format (expected version {FORMAT_VERSION}); re-train with this oncoresist."
        raise InputError(msg)
    est, names = blob.get("estimators"), blob.get("feature_names")
    key = {"survival": _SURVIVAL_KEY, "classify": _CLASSIFIER_KEY}.get(str(card.get("task", "drug_response")))
    if not isinstance(est, dict) or not est or not isinstance(names, list) or (key is not None and key not in est):
        msg = f"'{model_file}' does not hold the estimators of this {card.get('task', 'drug_response')} model card; re-train."
        raise InputError(msg)
    return blob


def _read_table_file(path: Path) -> pd.DataFrame:
    """A CSV table of the model folder (empty when absent); a damaged one is an error naming it."""
    if not path.exists() or path.stat().st_size <= 1:
        return pd.DataFrame()
    try:
        return pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        msg = f"'{path}' cannot be read ({e}); the file is damaged: re-train or restore the folder."
        raise InputError(msg) from e


def load_model(path: PathLike) -> DrugResponseModels:
    """Load a model folder written by :func:`save_model` / ``oncoresist train``.

    Warns when the installed scikit-learn differs from the one that trained the model.
    A damaged folder (truncated or edited files, another format version) raises one
    :class:`InputError` naming the file. ``model.joblib`` is a pickle: load only models from
    sources you trust.

    Examples
    --------
    >>> load_model("no/such/folder")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    oncoresist._errors.InputError: ...
    """
    path = Path(path)
    card_file, model_file = path / "model_card.json", path / "model.joblib"
    if not path.is_dir() or not card_file.exists() or not model_file.exists():
        msg = f"'{path}' is not a model folder (expected model.joblib and model_card.json); train one with 'oncoresist train'."
        raise InputError(msg)
    card = _read_card(card_file)
    trained = card["versions"].get("scikit-learn")
    installed = _versions()["scikit-learn"]
    if trained and trained != installed:
        warnings.warn(f"model trained with scikit-learn {trained}, running {installed}: predictions may differ; re-train if in doubt.",
                      UserWarning, stacklevel=2)
    blob = _read_blob(model_file, card)
    tables = {str(n): _read_table_file(path / f"{n}.csv") for n in card.get("tables", []) or []}
    return DrugResponseModels(blob["estimators"], feature_names=blob["feature_names"], card=card,
                              cv_scores=_read_table_file(path / "cv_scores.csv"),
                              cv_predictions=_read_table_file(path / "cv_predictions.csv"), tables=tables)

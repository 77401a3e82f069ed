"""Drug-response estimators that integrate several omics layers (scikit-learn style).

Inputs are samples x features tables whose columns are ``"<layer>:<feature>"`` (see
:func:`oncoresist.tl.feature_frame`); all preprocessing (filtering, imputation, scaling, layer
weighting) is part of the estimator and therefore fitted inside each training fold.

- :class:`EarlyIntegrationRegressor`: concatenate layers (each scaled to the same total
  variance), then elastic net, ridge, random forest or gradient boosting.
- :class:`LateIntegrationRegressor`: one model per layer, stacked with non-negative weights
  learned on out-of-fold predictions; a sample missing a layer is predicted from the others.
- :class:`EnsembleRegressor`: the mean of several of the above (default: late-integration
  ridge + random forest, a linear and a non-linear view of the same layers).
- :class:`FactorRegressor`: a regressor on the factors of the project's group factor model
  (:class:`oncoresist.tl.GroupFactorAnalysis`), when that model is available; fitted on a
  samples x drugs table it shares one factor model between all drugs.
- :class:`SelectRegressor`: per drug, the best of a few candidates (default ``enet_rna`` and
  ``late``) by inner cross-validation of the training samples, refitted on all of them.
- :class:`PanDrugRegressor`: one model for all drugs (samples x drugs response table),
  gradient boosting on sample factors and drug descriptors; supports drug-blind evaluation.

:func:`make_model` builds any of them from a short name (``"enet"``, ``"rf"``, ``"gbm"``,
``"ensemble"``, ``"late"``, ``"factor"``, ``"pandrug"``, or ``"<model>_<layer>"`` such as
``"enet_rna"`` for a single-layer model).
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Sequence
from dataclasses import KW_ONLY
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import nnls
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.decomposition import PCA
from sklearn.ensemble import HistGradientBoostingRegressor, RandomForestRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNet, ElasticNetCV, RidgeCV
from sklearn.model_selection import KFold
from sklearn.utils.validation import check_is_fitted, column_or_1d

from ..._core._errors import InputError
from ..._core._stats import limit_threads
from ._models_data import (
    AllowNaNMixin,
    LayerPreprocessor,
    align_features,
    checked_values,
    column_names,
    estimator_params,
    split_feature_names,
)

__all__ = [
    "EarlyIntegrationRegressor",
    "EnsembleRegressor",
    "FactorRegressor",
    "LateIntegrationRegressor",
    "PanDrugRegressor",
    "SelectRegressor",
    "make_model",
    "MODEL_NAMES",
]

#: Base learners of the per-drug models.
BASE_MODELS = ("enet", "ridge", "rf", "gbm")
#: Names accepted by :func:`make_model` (plus ``"<base>_<layer>"``).
MODEL_NAMES = (*BASE_MODELS, "late", "ensemble", "factor", "pandrug", "select")


def _as_frame(X: Any) -> pd.DataFrame:
    """Training input as a frame; inf, complex, sparse and non 2-D input are rejected."""
    A = checked_values(X)
    if isinstance(X, pd.DataFrame):
        return pd.DataFrame(A, index=X.index, columns=X.columns)
    return pd.DataFrame(A, columns=column_names(A))


def _fit_frame(est: BaseEstimator, X: Any) -> pd.DataFrame:
    """Training input as a frame (see :func:`_as_frame`); records ``feature_names_in_`` and ``n_features_in_``."""
    X = _as_frame(X)
    est.feature_names_in_ = column_names(X)
    est.n_features_in_ = X.shape[1]
    return X


def _check_y(y: Any, n: int) -> np.ndarray:
    """One finite, varying response per sample (a single-column table is flattened with a warning)."""
    if y is None:
        msg = "this estimator requires y to be passed, but the target y is None."
        raise InputError(msg)
    y = column_or_1d(np.asarray(y, dtype=float), warn=True)
    if y.shape[0] != n:
        msg = f"y has {y.shape[0]} values but X has {n} samples; pass one response per sample."
        raise InputError(msg)
    if not np.all(np.isfinite(y)):
        msg = f"y has {int((~np.isfinite(y)).sum())} missing / infinite values; drop unscreened samples before fitting."
        raise InputError(msg)
    if n < 2:
        msg = f"a response model needs at least 2 samples, got n_samples = {n}."
        raise InputError(msg)
    if np.std(y) <= 1e-12:
        msg = f"the response has no variance (all {n} values = {y[0]:.4g}); nothing to model."
        raise InputError(msg)
    return y


def _base_learner(model: str, *, random_state: Any, n_jobs: int | None, n_samples: int,
                  l1_ratio: float, n_alphas: int, n_estimators: int, total_variance: float = 1.0) -> Any:
    if model == "enet":
        cv = KFold(n_splits=max(2, min(5, n_samples // 10)), shuffle=True, random_state=random_state)
        return ElasticNetCV(l1_ratio=l1_ratio, alphas=n_alphas, cv=cv, max_iter=5000, tol=1e-3,
                            selection="random", random_state=random_state, n_jobs=1)
    if model == "ridge":
        return RidgeCV(alphas=np.logspace(-3, 4, 30) * total_variance)
    if model == "rf":
        return RandomForestRegressor(n_estimators=n_estimators, max_features="sqrt", min_samples_leaf=5,
                                     n_jobs=n_jobs, random_state=random_state)
    if model == "gbm":
        return HistGradientBoostingRegressor(max_iter=n_estimators, learning_rate=0.05, max_leaf_nodes=15,
                                             min_samples_leaf=10, l2_regularization=1.0, max_features=0.3,
                                             max_bins=64, early_stopping=False, random_state=random_state)
    msg = f"unknown model {model!r}; choose one of {', '.join(BASE_MODELS)}."
    raise InputError(msg)


def _threads(n_jobs: int | None) -> Any:
    """Limit OpenMP threads of gradient boosting to ``n_jobs`` (default 1).

    Models run inside a drugs x folds executor that already uses every core; letting each
    fit also spawn one OpenMP thread per core oversubscribes the machine badly.
    """
    return limit_threads(max(1, n_jobs or 1) if (n_jobs or 1) > 0 else None, user_api="openmp")


def _fit_quiet(est: Any, X: np.ndarray, y: np.ndarray, n_jobs: int | None = 1) -> tuple[Any, int]:
    """Fit, counting (not printing) convergence warnings of the regularisation path."""
    with warnings.catch_warnings(record=True) as caught, _threads(n_jobs):
        warnings.simplefilter("always", ConvergenceWarning)
        est.fit(X, y)
    return est, sum(issubclass(w.category, ConvergenceWarning) for w in caught)


def _hgb_importance(est: HistGradientBoostingRegressor, n_features: int) -> np.ndarray:
    """Total split gain per feature of a fitted histogram gradient boosting model."""
    imp = np.zeros(n_features)
    for trees in getattr(est, "_predictors", []):
        for tree in trees:
            nodes = tree.nodes
            internal = ~nodes["is_leaf"].astype(bool)
            np.add.at(imp, nodes["feature_idx"][internal], nodes["gain"][internal])
    total = imp.sum()
    return imp / total if total > 0 else imp


def _by_importance(df: pd.DataFrame) -> pd.DataFrame:
    """Rows most important first (stable for ties), renumbered from 0."""
    return df.sort_values("importance", ascending=False, kind="stable").reset_index(drop=True)


def _importance_frame(names: np.ndarray, importance: np.ndarray, coef: np.ndarray | None = None) -> pd.DataFrame:
    layers, feats = split_feature_names(names)
    df = pd.DataFrame({"layer": layers, "feature": feats, "importance": importance})
    if coef is not None:
        df["coef"] = coef
    return _by_importance(df)


class _ResponseRegressor(AllowNaNMixin, RegressorMixin, BaseEstimator):
    """Shared parts of the per-drug regressors: NaN allowed in ``X``, checked training input."""

    def _start_fit(self, X: Any, y: Any) -> tuple[pd.DataFrame, np.ndarray]:
        """Checked training table and response; sets ``feature_names_in_`` and ``n_features_in_``."""
        X = _fit_frame(self, X)
        return X, _check_y(y, X.shape[0])


# --------------------------------------------------------------------------------------------
# early integration
# --------------------------------------------------------------------------------------------
@estimator_params
class EarlyIntegrationRegressor(_ResponseRegressor):
    """Concatenate layers, scale each layer to equal total variance, fit one regressor.

    Parameters
    ----------
    model
        ``"enet"`` (elastic net, penalty chosen by inner cross-validation), ``"ridge"`` (ridge,
        penalty by generalised cross-validation), ``"rf"`` (random forest) or ``"gbm"``
        (histogram gradient boosting).
    layers
        Layers to use (``None`` = every layer in the table).
    layer_scaling
        ``"block"``: divide each standardised layer by sqrt(number of its features) so large
        layers do not drown small ones; ``"none"``: plain standardisation.
    max_features_per_layer
        Keep the most variable features of each layer (fitted on the training data).
    min_binary_count
        Drop 0/1 features with fewer carriers than this in the training data.
    screen
        Keep only the features most correlated with the response in the training data before
        fitting (sure independence screening; inside the fold, so no leakage). ``"auto"``: 500
        for the elastic net and gradient boosting (it speeds them up several-fold), all features
        for the random forest; ``None``: no screening; an integer: that many.
    l1_ratio, n_alphas
        Elastic net mixing and number of penalties on the path.
    n_estimators
        Trees (forest) or boosting iterations.
    random_state
        Seed of the inner folds and of the tree models.
    n_jobs
        Threads of the random forest and OpenMP threads of gradient boosting.
    {doc_missing}

    Attributes
    ----------
    preprocessor_ : LayerPreprocessor
    estimators_ : list
        Fitted regressor(s) on the preprocessed features.
    feature_names_in_ : ndarray
    layers_ : list of str
        Layers used.
    n_convergence_warnings_ : int
        Elastic-net path fits that hit ``max_iter`` (usually the smallest penalties).

    Examples
    --------
    {doc_response_table}
    >>> m = EarlyIntegrationRegressor(model="enet", random_state=0).fit(X, y)
    >>> m.feature_importance().iloc[0]["feature"]
    'A'
    """

    model: str = "enet"
    _: KW_ONLY
    layers: Sequence[str] | None = None
    layer_scaling: str = "block"
    max_features_per_layer: int | None = None
    min_binary_count: int = 3
    screen: int | str | None = "auto"
    l1_ratio: float = 0.5
    n_alphas: int = 20
    n_estimators: int = 300
    random_state: Any = None
    n_jobs: int | None = 1
    missing: str = "error"

    def fit(self, X: Any, y: Any) -> EarlyIntegrationRegressor:
        """Fit the preprocessing and the regressor(s) on training samples."""
        if self.model not in BASE_MODELS:
            msg = f"unknown model {self.model!r}; choose one of {', '.join(BASE_MODELS)}."
            raise InputError(msg)
        X, y = self._start_fit(X, y)
        self.preprocessor_ = LayerPreprocessor(
            layers=self.layers, layer_scaling=self.layer_scaling,
            max_features_per_layer=self.max_features_per_layer, min_binary_count=self.min_binary_count,
        ).fit(X)
        Z = self.preprocessor_.transform(X)
        kinds = [self.model]
        self.estimators_ = []
        self.columns_ = []
        self.n_convergence_warnings_ = 0
        for kind in kinds:
            cols = self._screen(Z, y, kind)
            est = _base_learner(kind, random_state=self.random_state, n_jobs=self.n_jobs, n_samples=len(y),
                                l1_ratio=self.l1_ratio, n_alphas=self.n_alphas, n_estimators=self.n_estimators,
                                total_variance=float(Z[:, cols].var(axis=0).sum()))
            est, n_warn = _fit_quiet(est, np.asfortranarray(Z[:, cols]), y, self.n_jobs)
            self.n_convergence_warnings_ += n_warn
            self.estimators_.append(est)
            self.columns_.append(cols)
        self.layers_ = sorted(set(self.preprocessor_.layers_out_))
        self.y_mean_ = float(np.mean(y))
        return self

    def _screen(self, Z: np.ndarray, y: np.ndarray, kind: str) -> np.ndarray:
        """Columns kept by correlation screening for one base learner."""
        k = self.screen
        if k == "auto":
            k = 500 if kind in ("enet", "gbm") else None
        elif k is not None and (isinstance(k, str) or int(k) < 1):
            msg = f"screen must be 'auto', None or a positive integer, got {k!r}."
            raise InputError(msg)
        if k is None or Z.shape[1] <= int(k):
            return np.arange(Z.shape[1])
        zc = Z - Z.mean(axis=0)
        yc = y - y.mean()
        with np.errstate(invalid="ignore", divide="ignore"):
            r = np.abs(zc.T @ yc) / np.sqrt((zc**2).sum(axis=0) * (yc @ yc))
        return np.sort(np.argsort(-np.nan_to_num(r), kind="stable")[: int(k)])

    def predict(self, X: Any) -> np.ndarray:
        """Predicted response of each sample (missing features are imputed by training medians)."""
        check_is_fitted(self, "estimators_")
        Z = self.preprocessor_.transform(align_features(self, X, missing=self.missing))
        with _threads(self.n_jobs):
            return np.mean([est.predict(Z[:, cols]) for est, cols in zip(self.estimators_, self.columns_)], axis=0)

    def feature_importance(self) -> pd.DataFrame:
        """Importance of each used feature, mapped back to its layer.

        Elastic net / ridge: ``coef`` in standardised units and ``importance = |coef|``;
        forests: impurity decrease; boosting: share of split gain.

        Returns
        -------
        pandas.DataFrame
            ``layer, feature, importance`` (and ``coef`` for the elastic net), most important first.
        """
        check_is_fitted(self, "estimators_")
        names = self.preprocessor_.feature_names_out_
        w = self.preprocessor_.layer_weights_
        parts, coef = [], None
        for est, cols in zip(self.estimators_, self.columns_):
            a = np.zeros(len(names))
            if isinstance(est, ElasticNetCV | ElasticNet | RidgeCV):
                c = np.zeros(len(names))
                c[cols] = est.coef_ * w[cols]  # per standardised feature
                coef = c
                a = np.abs(c)
            elif isinstance(est, RandomForestRegressor):
                a[cols] = est.feature_importances_
            else:
                a[cols] = _hgb_importance(est, len(cols))
            parts.append(a / a.sum() if a.sum() > 0 else a)
        return _importance_frame(names, np.mean(parts, axis=0), coef if len(parts) == 1 else None)


# --------------------------------------------------------------------------------------------
# late integration
# --------------------------------------------------------------------------------------------
@estimator_params
class LateIntegrationRegressor(_ResponseRegressor):
    """One model per layer, combined by non-negative stacking of out-of-fold predictions.

    Each layer model is trained on the samples that have that layer, so a sample missing a
    layer still contributes to the others; at prediction time a missing layer contributes
    nothing (its prediction is replaced by the training mean). With a single usable layer its
    model is used as it is; when no layer gets a positive stacking weight, all get equal weights.

    Parameters
    ----------
    base
        Base learner of each layer: ``"ridge"`` (default), ``"enet"``, ``"rf"`` or ``"gbm"``.
    layers
        Layers to use (``None`` = every layer in the table).
    cv
        Folds of the out-of-fold predictions that train the stacking weights.
    random_state
        Seed.
    n_jobs
        Threads of tree models.
    {doc_missing}

    Attributes
    ----------
    layer_models_ : dict
        Fitted :class:`EarlyIntegrationRegressor` per layer.
    weights_ : pandas.Series
        Non-negative stacking weight per layer.
    intercept_ : float
        Training mean of the response.

    Examples
    --------
    {doc_response_table}
    >>> m = LateIntegrationRegressor(random_state=0).fit(X, y)
    >>> m.weights_.idxmax()
    'rna'
    """

    base: str = "ridge"
    _: KW_ONLY
    layers: Sequence[str] | None = None
    cv: int = 5
    random_state: Any = None
    n_jobs: int | None = 1
    missing: str = "error"

    def fit(self, X: Any, y: Any) -> LateIntegrationRegressor:
        """Fit one model per layer and the stacking weights."""
        X, y = self._start_fit(X, y)
        layer_of, _ = split_feature_names(self.feature_names_in_)
        layers = sorted(set(layer_of)) if self.layers is None else list(self.layers)
        self.intercept_ = float(np.mean(y))
        oof = np.full((len(y), len(layers)), np.nan)
        self.layer_models_: dict[str, EarlyIntegrationRegressor] = {}
        for j, lay in enumerate(layers):
            cols = layer_of == lay
            if not cols.any():
                continue
            present = np.isfinite(X.loc[:, cols].to_numpy(dtype=float)).any(axis=1)
            if present.sum() < max(10, 2 * self.cv):
                continue
            Xl, yl = X.loc[present, cols], y[present]
            try:
                model = EarlyIntegrationRegressor(model=self.base, random_state=self.random_state,
                                                  n_jobs=self.n_jobs).fit(Xl, yl)
            except InputError:
                continue  # no usable feature in this layer: it gets no weight
            self.layer_models_[lay] = model
            oof[present, j] = self._oof(model, Xl, yl)
        if not self.layer_models_:
            msg = f"no layer has enough samples and usable features to fit a model (layers: {', '.join(layers)})."
            raise InputError(msg)
        fitted = np.array([lay in self.layer_models_ for lay in layers])
        if fitted.sum() == 1:
            w = fitted.astype(float)  # a single layer: its model as it is, nothing to stack
        else:
            P = np.where(np.isfinite(oof), oof - self.intercept_, 0.0)
            w, _ = nnls(P, y - self.intercept_)
            if not np.any(w > 0):
                # no layer helps out of fold: keep every layer's ranking at equal weight rather
                # than predicting a constant
                w = fitted / fitted.sum()
        self.weights_ = pd.Series(w, index=layers, name="weight")
        self.layers_ = [lay for lay in layers if lay in self.layer_models_]
        return self

    def _oof(self, model: EarlyIntegrationRegressor, X: pd.DataFrame, y: np.ndarray) -> np.ndarray:
        """Out-of-fold predictions of one layer model (penalty fixed to the one chosen on all data)."""
        if len(model.estimators_) == 1 and isinstance(model.estimators_[0], RandomForestRegressor):
            est = clone(model.estimators_[0]).set_params(oob_score=True)
            Z = model.preprocessor_.transform(X)[:, model.columns_[0]]
            return est.fit(Z, y).oob_prediction_
        out = np.empty(len(y))
        folds = KFold(n_splits=min(self.cv, len(y)), shuffle=True, random_state=self.random_state)
        for tr, te in folds.split(X):
            pre = clone(model.preprocessor_).fit(X.iloc[tr])
            Ztr, Zte = pre.transform(X.iloc[tr]), pre.transform(X.iloc[te])
            preds = []
            for est in model.estimators_:
                kind = "enet" if isinstance(est, ElasticNetCV) else "tree"
                cols = model._screen(Ztr, y[tr], kind)
                if isinstance(est, ElasticNetCV):
                    fixed = ElasticNet(alpha=est.alpha_, l1_ratio=est.l1_ratio_, max_iter=5000, tol=1e-3)
                    fixed, _ = _fit_quiet(fixed, np.asfortranarray(Ztr[:, cols]), y[tr])
                    preds.append(fixed.predict(Zte[:, cols]))
                else:
                    with _threads(self.n_jobs):
                        preds.append(clone(est).fit(Ztr[:, cols], y[tr]).predict(Zte[:, cols]))
            out[te] = np.mean(preds, axis=0)
        return out

    def predict(self, X: Any) -> np.ndarray:
        """Stacked prediction; layers a sample lacks (all features missing) contribute nothing."""
        check_is_fitted(self, "weights_")
        X = align_features(self, X, missing=self.missing)
        layer_of, _ = split_feature_names(column_names(X))
        out = np.full(X.shape[0], self.intercept_)
        for lay, model in self.layer_models_.items():
            w = float(self.weights_.get(lay, 0.0))
            if w == 0.0:
                continue
            cols = layer_of == lay
            if not cols.any():
                continue
            Xl = X.loc[:, cols]
            present = np.isfinite(Xl.to_numpy(dtype=float)).any(axis=1)
            if present.any():
                out[present] += w * (model.predict(Xl[present]) - self.intercept_)
        return out

    def feature_importance(self) -> pd.DataFrame:
        """Per-layer importances scaled by the layer's stacking weight (sum to 1)."""
        check_is_fitted(self, "weights_")
        parts = []
        for lay, model in self.layer_models_.items():
            df = model.feature_importance()
            df["importance"] = df["importance"] * float(self.weights_.get(lay, 0.0))
            parts.append(df)
        out = pd.concat(parts, ignore_index=True)
        total = out["importance"].sum()
        if total > 0:
            out["importance"] /= total
        return _by_importance(out)


# --------------------------------------------------------------------------------------------
# ensemble
# --------------------------------------------------------------------------------------------
@estimator_params
class EnsembleRegressor(_ResponseRegressor):
    """Mean of several response models (by default a stacked linear and a random forest model).

    Parameters
    ----------
    members
        Model names for :func:`make_model` (default ``("late", "rf")``: late-integration ridge,
        which learns how much each layer counts, and a random forest on all layers, which
        catches non-linear effects).
    random_state
        Seed passed to every member.
    n_jobs
        Threads of tree members.
    {doc_missing}

    Attributes
    ----------
    estimators_ : list
        Fitted members.

    Examples
    --------
    {doc_response_table}
    >>> EnsembleRegressor(random_state=0).fit(X, y).feature_importance().iloc[0]["feature"]
    'A'
    """

    members: Sequence[str] = ("late", "rf")
    _: KW_ONLY
    random_state: Any = None
    n_jobs: int | None = 1
    missing: str = "error"

    def fit(self, X: Any, y: Any) -> EnsembleRegressor:
        """Fit every member on the same training samples."""
        members = [self.members] if isinstance(self.members, str) else list(self.members)
        if not members or any(m in ("ensemble", "pandrug", "factor") for m in members):
            msg = f"ensemble members must be per-drug models such as 'late', 'enet', 'rf', 'gbm'; got {members}."
            raise InputError(msg)
        X, y = self._start_fit(X, y)
        self.estimators_ = []
        for name in members:
            est = make_model(name, random_state=self.random_state)
            if "n_jobs" in est.get_params():
                est.set_params(n_jobs=self.n_jobs)
            self.estimators_.append(est.fit(X, y))
        self.layers_ = sorted({lay for e in self.estimators_ for lay in e.layers_})
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Mean of the members' predictions."""
        check_is_fitted(self, "estimators_")
        X = align_features(self, X, missing=self.missing)
        return np.mean([e.predict(X) for e in self.estimators_], axis=0)

    def feature_importance(self) -> pd.DataFrame:
        """Mean of the members' normalised importances, per layer and feature."""
        check_is_fitted(self, "estimators_")
        parts = []
        for e in self.estimators_:
            df = e.feature_importance()[["layer", "feature", "importance"]].copy()
            total = df["importance"].sum()
            df["importance"] = df["importance"] / total if total > 0 else df["importance"]
            parts.append(df.set_index(["layer", "feature"])["importance"])
        out = pd.concat(parts, axis=1).fillna(0.0).mean(axis=1).rename("importance").reset_index()
        return _by_importance(out)


# --------------------------------------------------------------------------------------------
# factor-based
# --------------------------------------------------------------------------------------------
def _factor_model_class() -> Any:
    """The project's group factor model class, or ``None`` when it is not installed."""
    for modname, clsname in (("oncoresist.tl.integrate._gfa", "GroupFactorAnalysis"),
                             ("oncoresist.tl", "GroupFactorAnalysis")):
        try:
            mod = importlib.import_module(modname)
        except ImportError:
            continue
        cls = getattr(mod, clsname, None)
        if cls is not None:
            return cls
    return None


def factor_model_available() -> bool:
    """Whether the group factor model needed by :class:`FactorRegressor` is importable."""
    return _factor_model_class() is not None


@estimator_params
class FactorRegressor(AllowNaNMixin, RegressorMixin, BaseEstimator):
    """Regress the response on the factors of a group factor model fitted to the training layers.

    The factor model (unsupervised, fitted inside each training fold) summarises all layers
    in a few factors and handles samples missing whole layers; an elastic net (by default) maps
    factors to response. Fitted on a samples x drugs table ``Y`` (a DataFrame), one factor
    model is shared by all drugs and :meth:`predict` returns a samples x drugs table, which is
    how the cross-validation runs it (one factor model per fold, not per drug and fold).

    Parameters
    ----------
    n_factors
        Number of factors (inactive ones are pruned by the factor model).
    base
        Regressor on the factors: ``"enet"``, ``"ridge"``, ``"rf"``, ``"gbm"``.
    layers
        Layers to use (``None`` = every layer in the table).
    max_iter
        Variational iterations of the factor model.
    random_state
        Seed.
    {doc_missing}

    Attributes
    ----------
    factor_model_ : GroupFactorAnalysis
        The fitted factor model.
    factor_converged_ : bool
        Whether it converged within ``max_iter`` (not converging is recorded, not warned, as
        the factors are still usable features).
    regressors_ : dict
        One fitted regressor on the factors per drug (key ``"y"`` for a single response).

    Raises
    ------
    InputError
        In :meth:`fit`, when the group factor model is not available in this installation.
    """

    n_factors: int = 15
    _: KW_ONLY
    base: str = "enet"
    layers: Sequence[str] | None = None
    max_iter: int = 300
    random_state: Any = None
    missing: str = "error"

    def fit(self, X: Any, y: Any) -> FactorRegressor:
        """Fit the factor model on the training samples, then the regressor(s) on their factors."""
        cls = _factor_model_class()
        if cls is None:
            msg = ("the factor-based model needs oncoresist.tl.GroupFactorAnalysis (the integration module), "
                   "which is not available in this installation; use model 'enet', 'rf', 'gbm' or 'late'.")
            raise InputError(msg)
        X = _fit_frame(self, X)
        multi = isinstance(y, pd.DataFrame)
        Y = y.astype(float) if multi else pd.DataFrame({"y": _check_y(y, X.shape[0])}, index=X.index)
        if Y.shape[0] != X.shape[0]:
            msg = f"the response table has {Y.shape[0]} rows but X has {X.shape[0]} samples."
            raise InputError(msg)
        self.preprocessor_ = LayerPreprocessor(layers=self.layers, layer_scaling="none", max_missing=1.0).fit(X)
        Xk = self._kept(X)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            self.factor_model_ = cls(n_factors=self.n_factors, max_iter=self.max_iter,
                                     random_state=self.random_state).fit(Xk)
        for w in caught:  # re-emit anything but non-convergence, which is recorded instead
            if not issubclass(w.category, ConvergenceWarning):
                warnings.warn(w.message, w.category, stacklevel=2)
        self.factor_converged_ = bool(getattr(self.factor_model_, "converged_", True))
        F = pd.DataFrame(self._factors(Xk))
        self.factor_names_ = [f"factor:F{i + 1}" for i in range(F.shape[1])]
        F.columns = self.factor_names_
        self.regressors_: dict[str, EarlyIntegrationRegressor] = {}
        for d in Y.columns:
            ok = Y[d].notna().to_numpy()
            if ok.sum() < 5 or Y[d][ok].std() <= 1e-12:
                if not multi:
                    _check_y(Y[d][ok], int(ok.sum()))
                continue
            reg = EarlyIntegrationRegressor(model=self.base, layer_scaling="none", random_state=self.random_state)
            self.regressors_[str(d)] = reg.fit(F[ok], Y[d][ok].to_numpy())
        if not self.regressors_:
            msg = "no drug has at least 5 measured samples with varying response; nothing to model."
            raise InputError(msg)
        self.multi_output_ = multi
        self.drugs_ = list(self.regressors_)
        self.layers_ = sorted(set(self.preprocessor_.layers_out_))
        return self

    def _kept(self, X: pd.DataFrame) -> pd.DataFrame:
        pre = self.preprocessor_
        X = X.reindex(columns=list(pre.feature_names_in_))
        X = X.loc[:, pre.kept_]
        X.index = [str(i) for i in range(X.shape[0])]  # positional IDs: one factor row per input row
        return X

    def _factors(self, Xk: pd.DataFrame) -> np.ndarray:
        """Factor scores in input order; a sample without any usable value gets the prior (0)."""
        F = self.factor_model_.transform(Xk)
        if isinstance(F, pd.DataFrame):
            F = F.reindex(Xk.index).fillna(0.0)
        return np.asarray(F, dtype=float)

    def predict(self, X: Any, drugs: Sequence[str] | None = None) -> Any:
        """Predicted response from the factors of new samples.

        Returns an array for a model fitted on one response, a samples x drugs DataFrame for a
        model fitted on a response table.
        """
        check_is_fitted(self, "regressors_")
        X = align_features(self, X, missing=self.missing)
        F = pd.DataFrame(self._factors(self._kept(X)), columns=self.factor_names_)
        if not self.multi_output_:
            return self.regressors_["y"].predict(F)
        drugs = self.drugs_ if drugs is None else [str(d) for d in drugs]
        unknown = [d for d in drugs if d not in self.regressors_]
        if unknown:
            msg = f"the factor model has no drug {', '.join(unknown[:3])}; it predicts: {', '.join(self.drugs_[:10])}."
            raise InputError(msg)
        return pd.DataFrame({d: self.regressors_[d].predict(F) for d in drugs}, index=X.index)

    def feature_importance(self, drug: str | None = None) -> pd.DataFrame:
        """Importance of each factor for the response (``layer`` = ``"factor"``)."""
        check_is_fitted(self, "regressors_")
        key = drug if drug is not None else next(iter(self.regressors_))
        if key not in self.regressors_:
            msg = f"the factor model has no drug '{key}'."
            raise InputError(msg)
        return self.regressors_[key].feature_importance()


# --------------------------------------------------------------------------------------------
# pan-drug
# --------------------------------------------------------------------------------------------
@estimator_params
class PanDrugRegressor(AllowNaNMixin, BaseEstimator):
    """One model for all drugs: gradient boosting on (sample factors, drug descriptors) pairs.

    Each drug's response is standardised with its training mean and SD; every measured
    (sample, drug) pair becomes one row whose features are the sample's principal components
    (of the preprocessed layers, fitted on training samples) and the drug's descriptors. Drug
    descriptors are ``drug_features`` when given (needed to predict drugs never seen, i.e.
    drug-blind evaluation), and otherwise the drug's loadings on the main axes of the training
    response table (which lets the model share what it learns between similar drugs).

    Parameters
    ----------
    n_components
        Principal components of the sample features.
    n_drug_components
        Components of the response table used as drug descriptors when no ``drug_features``.
    drug_features
        Optional table drugs x descriptors (targets, pathway one-hot, fingerprints...).
    max_iter
        Boosting iterations.
    random_state
        Seed.
    n_jobs
        OpenMP threads of the boosting model.

    Attributes
    ----------
    drugs_ : list of str
        Drugs seen in :meth:`fit`.
    drug_mean_, drug_sd_ : pandas.Series
        Per-drug training mean and SD (predictions are on the original scale).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(rng.normal(size=(60, 5)), columns=[f"rna:g{i}" for i in range(5)])
    >>> Y = pd.DataFrame({"d1": X["rna:g0"] + rng.normal(0, .3, 60), "d2": X["rna:g0"] * 2})
    >>> m = PanDrugRegressor(n_components=3, max_iter=50, random_state=0).fit(X, Y)
    >>> m.predict(X).shape
    (60, 2)
    """

    n_components: int = 30
    _: KW_ONLY
    n_drug_components: int = 8
    drug_features: pd.DataFrame | None = None
    max_iter: int = 300
    random_state: Any = None
    n_jobs: int | None = 1

    def fit(self, X: Any, Y: pd.DataFrame) -> PanDrugRegressor:
        """Fit on samples x features ``X`` and samples x drugs ``Y`` (NaN = not screened)."""
        X = _fit_frame(self, X)
        if not isinstance(Y, pd.DataFrame):
            Y = pd.DataFrame(np.asarray(Y, dtype=float))
        Y = Y.astype(float)
        if Y.shape[0] != X.shape[0]:
            msg = f"Y has {Y.shape[0]} rows but X has {X.shape[0]} samples; pass samples x drugs responses."
            raise InputError(msg)
        counts = Y.notna().sum()
        sd = Y.std()
        usable = (counts >= 3) & (sd > 1e-12)
        if not usable.any():
            msg = "no drug has at least 3 measured samples with varying response; nothing to model."
            raise InputError(msg)
        Y = Y.loc[:, usable]
        self.drugs_ = [str(d) for d in Y.columns]
        self.drug_mean_ = Y.mean()
        self.drug_sd_ = Y.std()
        Z = (Y - self.drug_mean_) / self.drug_sd_
        self.preprocessor_ = LayerPreprocessor().fit(X)
        S = self.preprocessor_.transform(X)
        k = int(min(self.n_components, S.shape[0] - 1, S.shape[1]))
        self.pca_ = PCA(n_components=k, random_state=self.random_state).fit(S)
        self.drug_descriptors_ = self._descriptors(Z)
        rows, cols = np.nonzero(Z.notna().to_numpy())
        feats = self._pair_features(self.pca_.transform(S), rows, np.asarray(self.drugs_)[cols])
        target = Z.to_numpy()[rows, cols]
        self.model_ = HistGradientBoostingRegressor(
            max_iter=self.max_iter, learning_rate=0.1, max_leaf_nodes=31, min_samples_leaf=20,
            l2_regularization=1.0, early_stopping=False, random_state=self.random_state,
        )
        with _threads(self.n_jobs):
            self.model_.fit(feats, target)
        return self

    def _descriptors(self, Z: pd.DataFrame) -> pd.DataFrame:
        if self.drug_features is not None:
            D = pd.DataFrame(self.drug_features).astype(float)
            D.index = D.index.astype(str)
            return D
        filled = Z.fillna(0.0).to_numpy()
        k = int(min(self.n_drug_components, min(filled.shape) - 1))
        if k < 1:
            return pd.DataFrame(index=Z.columns.astype(str))
        _, s, vt = np.linalg.svd(filled - filled.mean(axis=0), full_matrices=False)
        load = vt[:k].T * s[:k] / np.sqrt(max(filled.shape[0] - 1, 1))
        return pd.DataFrame(load, index=Z.columns.astype(str), columns=[f"drug_pc{i + 1}" for i in range(k)])

    def _pair_features(self, S: np.ndarray, rows: np.ndarray, drugs: np.ndarray) -> np.ndarray:
        D = self.drug_descriptors_.reindex(drugs).to_numpy(dtype=float)
        return np.column_stack([S[rows], D])

    def predict(self, X: Any, drugs: Sequence[str] | None = None) -> pd.DataFrame:
        """Predicted responses, samples x drugs (original scale).

        Parameters
        ----------
        X
            Samples x features.
        drugs
            Drugs to predict (default: the training drugs). Drugs not seen in training need a
            row in ``drug_features`` and are predicted on the standardised scale (mean 0, SD 1)
            since their mean response is unknown.
        """
        check_is_fitted(self, "model_")
        X = _as_frame(X)
        drugs = list(self.drugs_) if drugs is None else [str(d) for d in drugs]
        unknown = [d for d in drugs if d not in self.drug_descriptors_.index]
        if unknown:
            msg = (f"drug(s) {', '.join(unknown[:3])} were not seen in training and have no row in drug_features; "
                   "pass drug_features with descriptors for them.")
            raise InputError(msg)
        S = self.pca_.transform(self.preprocessor_.transform(X))
        n = S.shape[0]
        rows = np.repeat(np.arange(n), len(drugs))
        cols = np.tile(np.asarray(drugs, dtype=object), n)
        with _threads(self.n_jobs):
            z = self.model_.predict(self._pair_features(S, rows, cols)).reshape(n, len(drugs))
        mean = self.drug_mean_.reindex(drugs).fillna(0.0).to_numpy()
        sd = self.drug_sd_.reindex(drugs).fillna(1.0).to_numpy()
        index = X.index if isinstance(X.index, pd.Index) else None
        return pd.DataFrame(z * sd + mean, index=index, columns=drugs)


# --------------------------------------------------------------------------------------------
# registry
# --------------------------------------------------------------------------------------------
def make_model(name: str, *, random_state: Any = None, **params: Any) -> Any:
    """Build a response model from its short name.

    Parameters
    ----------
    name
        ``"enet"``, ``"ridge"``, ``"rf"``, ``"gbm"`` (early integration of all layers),
        ``"late"`` (per-layer ridge models, stacked), ``"ensemble"`` (mean of ``late`` and
        ``rf``), ``"factor"`` (group factors + elastic net), ``"pandrug"`` (one model for all
        drugs), ``"select"`` (per drug, the better of ``enet_rna`` and ``late`` by inner CV:
        :class:`oncoresist.tl.SelectRegressor`), ``"<base>_<layer>"`` for a single-layer early model (``"enet_rna"``: elastic
        net on expression only), or ``"late_<base>"`` (``"late_enet"``).
    random_state
        Seed.
    **params
        Extra estimator parameters.

    Examples
    --------
    >>> make_model("enet_rna").layers
    ['rna']
    """
    key = str(name).strip().lower()
    if key in BASE_MODELS:
        return EarlyIntegrationRegressor(model=key, random_state=random_state, **params)
    if key == "late":
        return LateIntegrationRegressor(random_state=random_state, **params)
    if key.startswith("late_") and key[5:] in BASE_MODELS:
        return LateIntegrationRegressor(base=key[5:], random_state=random_state, **params)
    if key == "ensemble":
        return EnsembleRegressor(random_state=random_state, **params)
    if key == "factor":
        return FactorRegressor(random_state=random_state, **params)
    if key == "pandrug":
        return PanDrugRegressor(random_state=random_state, **params)
    if key == "select":
        return SelectRegressor(random_state=random_state, **params)
    base, _, layer = key.partition("_")
    if base in BASE_MODELS and layer:
        return EarlyIntegrationRegressor(model=base, layers=[name.split("_", 1)[1]], random_state=random_state, **params)
    msg = f"unknown model {name!r}; choose one of {', '.join(MODEL_NAMES)} or '<model>_<layer>' such as 'enet_rna'."
    raise InputError(msg)


# --------------------------------------------------------------------------------------------
# per-drug choice by inner CV
# --------------------------------------------------------------------------------------------
def _select_pearson(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation (``nan`` when either side is constant)."""
    a = a - a.mean()
    b = b - b.mean()
    den = float(np.sqrt((a @ a) * (b @ b)))
    return float(a @ b / den) if den > 1e-300 else float("nan")


@estimator_params
class SelectRegressor(_ResponseRegressor):
    """Choose, per drug, the best of several models by inner cross-validation.

    Parameters
    ----------
    candidates
        Model names understood by :func:`oncoresist.tl.make_model`, in order of preference
        (a tie, or a gain below ``margin``, keeps the earlier one).
    cv
        Inner folds (shuffled ``KFold``; fewer when there are few samples, at least 2).
    margin
        Pearson r a later candidate must gain over the earlier best to replace it.
    random_state
        Seed of the inner folds and of the candidates.

    Attributes
    ----------
    selected_
        Name of the chosen candidate.
    inner_scores_
        Inner-CV Pearson r of every candidate (``nan`` = failed or constant predictions).
    estimator_
        The chosen candidate refitted on all samples.

    Examples
    --------
    {doc_response_table}
    >>> m = SelectRegressor(random_state=0).fit(X, y)
    >>> m.selected_ in ("enet_rna", "late")
    True
    """

    candidates: Sequence[str] = ("enet_rna", "late")
    _: KW_ONLY
    cv: int = 3
    margin: float = 0.0
    random_state: Any = None

    def fit(self, X: Any, y: Any) -> SelectRegressor:
        """Score every candidate by inner CV, keep the best and refit it on all samples."""
        names = [str(c) for c in self.candidates]
        if not names or int(self.cv) < 2:
            msg = f"SelectRegressor needs at least one candidate and cv >= 2, got candidates={names}, cv={self.cv}."
            raise InputError(msg)
        X, y = self._start_fit(X, y)
        self.inner_scores_ = {n: self._inner_score(n, X, y) for n in names}
        self.selected_ = self._choose(names)
        self.estimator_ = make_model(self.selected_, random_state=self.random_state).fit(X, y)
        return self

    def _inner_score(self, name: str, X: pd.DataFrame, y: np.ndarray) -> float:
        """Pooled out-of-fold Pearson r of one candidate (``nan`` when it cannot be fitted)."""
        est = make_model(name, random_state=self.random_state)
        k = max(2, min(int(self.cv), len(y) // 5))
        pred = np.full(len(y), np.nan)
        try:
            for tr, te in KFold(n_splits=k, shuffle=True, random_state=self._seed()).split(X):
                pred[te] = clone(est).fit(X.iloc[tr], y[tr]).predict(X.iloc[te])
        except InputError:
            return float("nan")
        return _select_pearson(y, pred) if np.isfinite(pred).all() else float("nan")

    def _seed(self) -> int | None:
        """Integer seed of the inner folds (a generator's state is not reused)."""
        rs = self.random_state
        return int(rs) if isinstance(rs, int | np.integer) else 0

    def _choose(self, names: list[str]) -> str:
        """The earliest candidate not beaten by more than ``margin`` (an error when none can be fitted)."""
        ok = [n for n in names if np.isfinite(self.inner_scores_[n])]
        if not ok:
            msg = (f"no candidate of SelectRegressor could be cross-validated ({', '.join(names)}); "
                   "check that the layers they use (e.g. 'rna' for enet_rna) are in the features.")
            raise InputError(msg)
        best = ok[0]
        for n in ok[1:]:
            if self.inner_scores_[n] > self.inner_scores_[best] + float(self.margin):
                best = n
        return best

    def predict(self, X: Any) -> np.ndarray:
        """Predictions of the chosen model."""
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict(X)

    def feature_importance(self) -> pd.DataFrame:
        """Feature importance of the chosen model."""
        check_is_fitted(self, "estimator_")
        return self.estimator_.feature_importance()

    @property
    def layers_(self) -> list[str]:
        """Layers the chosen model uses."""
        check_is_fitted(self, "estimator_")
        return list(getattr(self.estimator_, "layers_", []))

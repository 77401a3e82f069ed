"""Classifiers of a sample label (subtype, responder) from several omics layers (scikit-learn style).

Inputs are samples x ``"<layer>:<feature>"`` tables (:func:`oncoresist.tl.feature_frame`); all
preprocessing (filtering, imputation, scaling, feature screening) is part of the estimator and is
therefore fitted inside each training fold.

- :class:`EarlyIntegrationClassifier`: concatenate the layers (each scaled to the same total
  variance), then a class-balanced multinomial logistic regression (penalty by inner CV).
- :class:`LateIntegrationClassifier`: one such model per layer; the class probabilities of the
  layers a sample has are averaged, so a sample missing a layer is classified from the others.
- :class:`SparsePLSDAClassifier`: a DIABLO-like multi-block sparse PLS-DA (Singh et al. 2019,
  Bioinformatics, doi:10.1093/bioinformatics/bty1054): per-block sparse loadings on latent
  components that covary with the class indicators, a logistic regression on each block's
  components, probabilities averaged over the blocks a sample has.

:func:`spls_blocks` is the numerical kernel (multi-block sparse PLS with soft-thresholded
loadings, Lê Cao et al. 2008, doi:10.2202/1544-6115.1390); with one block and no sparsity it
gives the weights of ordinary PLS (checked against scikit-learn's ``PLSRegression``).
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable, Sequence
from dataclasses import KW_ONLY
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
from sklearn.model_selection import StratifiedKFold
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted

from ..._core._errors import InputError
from ._models import _by_importance, _fit_frame, _importance_frame
from ._models_data import (
    AllowNaNMixin,
    LayerPreprocessor,
    align_features,
    column_names,
    estimator_params,
    split_feature_names,
)

__all__ = [
    "CLASSIFIER_NAMES",
    "EarlyIntegrationClassifier",
    "LateIntegrationClassifier",
    "SparsePLSDAClassifier",
    "make_classifier",
    "spls_blocks",
]

#: Names accepted by :func:`make_classifier`.
CLASSIFIER_NAMES = ("late", "early", "splsda")


def check_labels(y: Any, n: int) -> np.ndarray:
    """One non-missing class label per sample, at least two classes (labels as strings)."""
    if y is None:
        msg = "this classifier requires y to be passed, but the target y is None."
        raise InputError(msg)
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        warnings.warn("A column-vector y was passed when a 1d array was expected; it is flattened (use y.ravel()).",
                      DataConversionWarning, stacklevel=3)
        arr = arr.ravel()
    if arr.ndim != 1 or arr.shape[0] != n:
        msg = f"y must hold one class label per sample ({n} samples), got shape {arr.shape}."
        raise InputError(msg)
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        msg = f"y has {int((~np.isfinite(arr)).sum())} missing / infinite labels; drop unlabelled samples first."
        raise InputError(msg)
    if arr.ndim == 1 and arr.dtype.kind == "f" and type_of_target(arr) == "continuous":
        msg = ("Unknown label type: continuous. y holds non-integer numbers (a measurement, not classes); a "
               "classifier needs class labels: bin the values into classes or train a regression model.")
        raise InputError(msg)
    labels = pd.Series(arr).astype(str).to_numpy(dtype=object)
    if n < 2:
        msg = f"a classifier needs at least 2 samples, got n_samples = {n}."
        raise InputError(msg)
    if len(set(labels)) < 2:
        msg = f"only 1 class ({labels[0]!r}) in y; a classifier needs at least two classes."
        raise InputError(msg)
    return labels


def _screen_anova(Z: np.ndarray, y: np.ndarray, k: int | None) -> np.ndarray:
    """Columns of the ``k`` largest one-way ANOVA F statistics (class vs feature), in order."""
    if k is None or Z.shape[1] <= k:
        return np.arange(Z.shape[1])
    classes = np.unique(y)
    grand = Z.mean(axis=0)
    between = np.zeros(Z.shape[1])
    within = np.zeros(Z.shape[1])
    for c in classes:
        g = Z[y == c]
        between += len(g) * (g.mean(axis=0) - grand) ** 2
        within += ((g - g.mean(axis=0)) ** 2).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        f = (between / max(len(classes) - 1, 1)) / (within / max(len(y) - len(classes), 1))
    return np.sort(np.argsort(-np.nan_to_num(f, nan=0.0, posinf=np.finfo(float).max), kind="stable")[:k])


# scikit-learn >= 1.8 warns (FutureWarning) about changing defaults unless they are set: pure L2
# (l1_ratios=(0,), today's default) and the new, non-legacy fitted attributes (none of them is read here)
# (older versions warn about l1_ratios without penalty="elasticnet", so nothing is passed to them)
_LRCV_QUIET = ({"l1_ratios": (0.0,), "use_legacy_attributes": False}
               if "use_legacy_attributes" in inspect.signature(LogisticRegressionCV).parameters else {})


def _fit_logistic(Z: np.ndarray, y: np.ndarray, *, random_state: Any, C: float | None = None) -> Any:
    """Class-balanced multinomial logistic regression; penalty by inner stratified CV when classes allow it."""
    min_count = int(pd.Series(y).value_counts().min())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if C is None and min_count >= 3:
            folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=random_state)
            return LogisticRegressionCV(Cs=np.logspace(-3, 2, 8), cv=folds, class_weight="balanced",
                                        scoring="balanced_accuracy", max_iter=500, **_LRCV_QUIET).fit(Z, y)
        return LogisticRegression(C=1.0 if C is None else C, class_weight="balanced", max_iter=500).fit(Z, y)


def _aligned_proba(model: Any, Z: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """``model.predict_proba`` with one column per class of ``classes`` (0 for classes it never saw)."""
    p = model.predict_proba(Z)
    out = np.zeros((Z.shape[0], len(classes)))
    pos = {c: i for i, c in enumerate(classes)}
    for j, c in enumerate(model.classes_):
        out[:, pos[c]] = p[:, j]
    return out


@estimator_params
class _LabelClassifier(AllowNaNMixin, ClassifierMixin, BaseEstimator):
    """Shared parts: label checks, class order, ``predict`` from ``predict_proba``, NaN allowed.

    The parameters every classifier has are declared here (subclasses add theirs).
    """

    _: KW_ONLY
    random_state: Any = None
    missing: str = "error"

    def _start_fit(self, X: Any, y: Any) -> tuple[pd.DataFrame, np.ndarray]:
        """Checked training table and labels; sets ``classes_``, ``feature_names_in_``, ``n_features_in_``."""
        X = _fit_frame(self, X)
        labels = check_labels(y, X.shape[0])
        raw = np.asarray(y).ravel()
        # keep the caller's label type in classes_ (ints stay ints) while fitting on strings
        self._label_of = {str(v): v for v in raw}
        self.classes_ = np.asarray(sorted(self._label_of.values(), key=lambda v: str(v)), dtype=raw.dtype)
        self._str_classes = np.asarray([str(c) for c in self.classes_], dtype=object)
        self.prior_ = np.array([np.mean(labels == c) for c in self._str_classes])
        return X, labels

    def predict(self, X: Any) -> np.ndarray:
        """Most probable class of each sample."""
        proba = self.predict_proba(X)  # first: an unfitted model raises NotFittedError here
        return self.classes_[np.argmax(proba, axis=1)]

    def _averaged(self, n: int, present: dict[str, np.ndarray],
                  proba: Callable[[str, np.ndarray], np.ndarray]) -> np.ndarray:
        """Mean class probabilities over the layers each sample has (prior when it has none).

        ``present[layer]`` marks the ``n`` samples that have the layer; ``proba(layer, rows)`` gives
        their class probabilities (columns in the order of ``classes_``).
        """
        total = np.zeros((n, len(self.classes_)))
        count = np.zeros(n)
        for lay, rows in present.items():
            if rows.any():
                total[rows] += proba(lay, rows)
                count[rows] += 1
        return np.where(count[:, None] > 0, total / np.maximum(count, 1)[:, None], self.prior_)


@estimator_params
class _LogisticClassifier(_LabelClassifier):
    """Parameters of the logistic-regression classifiers (early integration, and late integration of such models)."""

    _: KW_ONLY
    layers: Sequence[str] | None = None
    screen: int | None = 500
    C: float | None = None
    max_features_per_layer: int | None = None
    min_binary_count: int = 3


# --------------------------------------------------------------------------------------------
# early integration
# --------------------------------------------------------------------------------------------
@estimator_params
class EarlyIntegrationClassifier(_LogisticClassifier):
    """Concatenate layers (equal total variance per layer), screen, class-balanced logistic regression.

    Parameters
    ----------
    layers
        Layers to use (``None`` = every layer in the table).
    screen
        Keep the ``screen`` features with the largest ANOVA F statistic in the training data
        (inside the fold: no leakage); ``None`` keeps all.
    C
        Inverse penalty of the logistic regression; ``None`` chooses it by inner 3-fold CV of
        the balanced accuracy (when every class has at least 3 training samples, else 1.0).
    max_features_per_layer, min_binary_count
        Passed to :class:`~oncoresist.tl.LayerPreprocessor`.
    random_state
        Seed of the inner folds.
    {doc_missing}

    Attributes
    ----------
    classes_ : ndarray
        Class labels, sorted.
    preprocessor_ : LayerPreprocessor
    model_ : LogisticRegression or LogisticRegressionCV
    columns_ : ndarray
        Preprocessed columns kept by the screening.

    Examples
    --------
    {doc_label_table}
    >>> EarlyIntegrationClassifier(random_state=0).fit(X, y).score(X, y) > 0.8
    True
    """

    def fit(self, X: Any, y: Any) -> EarlyIntegrationClassifier:
        """Fit preprocessing, screening and the logistic regression on the training samples."""
        X, labels = self._start_fit(X, y)
        if self.screen is not None and (isinstance(self.screen, str) or int(self.screen) < 1):
            msg = f"screen must be None or a positive integer, got {self.screen!r}."
            raise InputError(msg)
        self.preprocessor_ = LayerPreprocessor(layers=self.layers, max_features_per_layer=self.max_features_per_layer,
                                               min_binary_count=self.min_binary_count).fit(X)
        Z = self.preprocessor_.transform(X)
        self.columns_ = _screen_anova(Z, labels, None if self.screen is None else int(self.screen))
        self.model_ = _fit_logistic(Z[:, self.columns_], labels, random_state=self.random_state, C=self.C)
        self.layers_ = sorted(set(self.preprocessor_.layers_out_))
        return self

    def layer_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Class probabilities of an already aligned table (columns in fit order)."""
        Z = self.preprocessor_.transform(X)
        return _aligned_proba(self.model_, Z[:, self.columns_], self._str_classes)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities (columns in the order of ``classes_``); missing features imputed."""
        check_is_fitted(self, "model_")
        return self.layer_proba(align_features(self, X, missing=self.missing))

    def used_features(self) -> np.ndarray:
        """Input features the model uses (after filtering and screening)."""
        check_is_fitted(self, "model_")
        return self.preprocessor_.feature_names_out_[self.columns_]

    def feature_importance(self) -> pd.DataFrame:
        """``layer, feature, importance`` (largest absolute coefficient over the classes)."""
        check_is_fitted(self, "model_")
        coef = np.abs(np.atleast_2d(self.model_.coef_)).max(axis=0)
        return _importance_frame(self.used_features(), coef / coef.sum() if coef.sum() > 0 else coef)


# --------------------------------------------------------------------------------------------
# late integration
# --------------------------------------------------------------------------------------------
@estimator_params
class LateIntegrationClassifier(_LogisticClassifier):
    """One classifier per layer; class probabilities averaged over the layers a sample has.

    Each layer model (:class:`EarlyIntegrationClassifier` on that layer) is trained on the
    samples that have the layer; a sample missing a layer is classified from the others (a
    sample with none of them gets the training class frequencies).

    Parameters
    ----------
    layers
        Layers to use (``None`` = every layer in the table).
    screen, C, max_features_per_layer, min_binary_count
        Passed to each layer's :class:`EarlyIntegrationClassifier`.
    min_samples
        Smallest number of training samples with a layer for it to get a model.
    random_state
        Seed.
    {doc_missing}

    Attributes
    ----------
    classes_ : ndarray
    layer_models_ : dict
        Fitted classifier per layer.
    layers_ : list of str

    Examples
    --------
    {doc_label_table}
    >>> X.loc[:9, ["prot:A", "prot:B"]] = np.nan
    >>> m = LateIntegrationClassifier(random_state=0).fit(X, y)
    >>> m.predict_proba(X).shape
    (60, 2)
    """

    _: KW_ONLY
    min_samples: int = 6

    def fit(self, X: Any, y: Any) -> LateIntegrationClassifier:
        """Fit one classifier per layer on the samples that have it."""
        X, labels = self._start_fit(X, y)
        layer_of, _ = split_feature_names(list(self.feature_names_in_))
        layers = sorted(set(layer_of)) if self.layers is None else [str(v) for v in self.layers]
        self.layer_models_: dict[str, EarlyIntegrationClassifier] = {}
        skipped: dict[str, str] = {}
        for lay in layers:
            cols = layer_of == lay
            present = np.isfinite(X.loc[:, cols].to_numpy(dtype=float)).any(axis=1) if cols.any() else np.zeros(len(X), bool)
            if present.sum() < max(2, self.min_samples) or len(set(labels[present])) < 2:
                skipped[lay] = f"{int(present.sum())} training samples"
                continue
            model = EarlyIntegrationClassifier(layers=[lay], screen=self.screen, C=self.C,
                                               max_features_per_layer=self.max_features_per_layer,
                                               min_binary_count=self.min_binary_count, random_state=self.random_state)
            try:
                self.layer_models_[lay] = model.fit(X.loc[present, cols], labels[present])
            except InputError as e:
                skipped[lay] = str(e).splitlines()[0]
        if not self.layer_models_:
            msg = f"no layer has enough samples and usable features to fit a classifier ({'; '.join(f'{k}: {v}' for k, v in skipped.items())})."
            raise InputError(msg)
        self.skipped_layers_ = skipped
        self.layers_ = list(self.layer_models_)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Mean class probabilities of the layer models over the layers each sample has."""
        check_is_fitted(self, "layer_models_")
        X = align_features(self, X, missing=self.missing)
        layer_of, _ = split_feature_names(list(column_names(X)))
        tables = {lay: X.loc[:, layer_of == lay] for lay in self.layer_models_}
        present = {lay: np.isfinite(Xl.to_numpy(dtype=float)).any(axis=1) for lay, Xl in tables.items()}
        views = {lay: _LayerView(self, lay, m) for lay, m in self.layer_models_.items()}
        return self._averaged(X.shape[0], present, lambda lay, rows: views[lay].layer_proba(tables[lay][rows]))

    def used_features(self) -> np.ndarray:
        """Input features of every layer model."""
        check_is_fitted(self, "layer_models_")
        return np.concatenate([m.used_features() for m in self.layer_models_.values()])

    def feature_importance(self) -> pd.DataFrame:
        """Layer models' importances, each layer weighted equally (sum to 1)."""
        check_is_fitted(self, "layer_models_")
        parts = [m.feature_importance() for m in self.layer_models_.values()]
        out = pd.concat(parts, ignore_index=True)
        out["importance"] /= max(len(parts), 1)
        return _by_importance(out)


class _LayerView:
    """A layer model seen from its parent: takes the layer's columns, returns parent-ordered probabilities."""

    def __init__(self, parent: _LabelClassifier, layer: str, model: Any) -> None:
        self.parent, self.layer, self.model = parent, layer, model

    def layer_proba(self, Xl: pd.DataFrame) -> np.ndarray:
        """Probabilities in the parent's class order (a class the layer never saw gets 0)."""
        p = self.model.layer_proba(Xl.reindex(columns=list(self.model.feature_names_in_)))
        out = np.zeros((len(Xl), len(self.parent.classes_)))
        pos = {c: i for i, c in enumerate(self.parent._str_classes)}
        for j, c in enumerate(self.model._str_classes):
            out[:, pos[c]] = p[:, j]
        return out


# --------------------------------------------------------------------------------------------
# multi-block sparse PLS-DA
# --------------------------------------------------------------------------------------------
def _soft_keep(a: np.ndarray, keep: int) -> np.ndarray:
    """Soft-threshold ``a`` so that its ``keep`` largest absolute entries stay non-zero."""
    if keep >= a.size:
        return a
    lam = np.sort(np.abs(a))[::-1][keep]
    return np.sign(a) * np.maximum(np.abs(a) - lam, 0.0)


def _unit(v: np.ndarray) -> np.ndarray:
    """``v / ||v||`` (a zero vector stays zero)."""
    n = float(np.linalg.norm(v))
    return v / n if n > 0 else v


def spls_blocks(blocks: Sequence[np.ndarray], Y: np.ndarray, *, n_components: int = 2,
                keep: Sequence[int] | None = None, max_iter: int = 500,
                tol: float = 1e-10) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """Multi-block sparse PLS: per-block sparse weights whose scores covary with ``Y``.

    For each component, alternates ``w_b = S(X_b' Y c, keep_b) / ||.||`` for every block and
    ``c = Y' sum_b X_b w_b / ||.||`` until ``c`` is stable (``S`` keeps the ``keep_b`` largest
    loadings by soft-thresholding, as mixOmics' ``keepX``), then deflates each block on its
    score (``X_b <- X_b - t_b p_b'``). Blocks are linked to ``Y`` only (DIABLO design 0).

    Parameters
    ----------
    blocks
        Centred samples x features arrays, one per block (same samples, no NaN).
    Y
        Centred samples x classes indicator matrix (or any response matrix).
    n_components
        Latent components per block.
    keep
        Non-zero weights per block and component (default: all features).
    max_iter, tol
        Alternating iterations per component and convergence tolerance on ``c``.

    Returns
    -------
    weights, loadings, rotations
        Per block: ``W_b`` (features x components), ``P_b`` (``X_b' t / t't`` of the deflated
        blocks) and ``R_b = W_b (P_b' W_b)^-1`` so that the scores of new samples are ``X_b R_b``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(30, 5)); X -= X.mean(0)
    >>> Y = np.eye(2)[rng.integers(0, 2, 30)]; Y = Y - Y.mean(0)
    >>> W, P, R = spls_blocks([X], Y, n_components=2, keep=[2])
    >>> int((W[0][:, 0] != 0).sum())
    2
    """
    Xs = [np.array(b, dtype=float, copy=True) for b in blocks]
    keep = [b.shape[1] for b in Xs] if keep is None else [int(k) for k in keep]
    W = [np.zeros((b.shape[1], n_components)) for b in Xs]
    P = [np.zeros((b.shape[1], n_components)) for b in Xs]
    for h in range(n_components):
        c = _unit(np.linalg.svd(Y.T @ np.hstack(Xs), full_matrices=False)[0][:, 0])
        for _ in range(max_iter):
            ws = [_unit(_soft_keep(X.T @ (Y @ c), k)) for X, k in zip(Xs, keep)]
            c_new = _unit(Y.T @ sum(X @ w for X, w in zip(Xs, ws)))
            done = np.linalg.norm(c_new - c) < tol
            c = c_new
            if done:
                break
        for b, (X, w) in enumerate(zip(Xs, ws)):
            t = X @ w
            tt = float(t @ t)
            p = X.T @ t / tt if tt > 0 else np.zeros(X.shape[1])
            W[b][:, h], P[b][:, h] = w, p
            Xs[b] = X - np.outer(t, p)
    R = [w @ np.linalg.pinv(p.T @ w) for w, p in zip(W, P)]
    return W, P, R


@estimator_params
class SparsePLSDAClassifier(_LabelClassifier):
    """DIABLO-like multi-block sparse PLS-DA: sparse per-block components, then a classifier per block.

    Each layer is standardised (training statistics; a sample missing a layer counts as its
    mean, i.e. contributes nothing to that layer's covariance); :func:`spls_blocks` finds
    ``n_components`` components per layer with at most ``keep_features`` non-zero loadings,
    linked to the class indicators; a logistic regression on each layer's components gives
    class probabilities, averaged over the layers a sample has (a sample missing a layer is
    classified from the others, as DIABLO's averaged vote).

    Parameters
    ----------
    n_components
        Components per layer.
    keep_features
        Non-zero loadings per layer and component (an int for all layers, or ``{layer: int}``).
    layers
        Layers to use (``None`` = every layer).
    min_binary_count
        Passed to :class:`~oncoresist.tl.LayerPreprocessor`.
    max_iter
        Alternating iterations per component.
    random_state
        Seed of the per-layer classifiers' inner folds.
    {doc_missing}

    Attributes
    ----------
    classes_ : ndarray
    weights_ : dict
        Layer -> features x components sparse weights (DataFrame).
    rotations_ : dict
        Layer -> projection of standardised features onto the components.
    block_models_ : dict
        Layer -> logistic regression on that layer's components.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> y = np.repeat(["a", "b", "c"], 20)
    >>> X = pd.DataFrame(rng.normal(size=(60, 6)), columns=[f"rna:g{i}" for i in range(3)] + [f"prot:p{i}" for i in range(3)])
    >>> X["rna:g0"] += 2 * (y == "b"); X["prot:p1"] += 2 * (y == "c")
    >>> m = SparsePLSDAClassifier(n_components=2, keep_features=2, random_state=0).fit(X, y)
    >>> m.score(X, y) > 0.8
    True
    """

    n_components: int = 2
    _: KW_ONLY
    keep_features: int | dict[str, int] = 50
    layers: Sequence[str] | None = None
    min_binary_count: int = 3
    max_iter: int = 500

    def fit(self, X: Any, y: Any) -> SparsePLSDAClassifier:
        """Standardise each layer, find the sparse components, fit a classifier per layer."""
        X, labels = self._start_fit(X, y)
        if int(self.n_components) < 1:
            msg = f"n_components must be a positive integer, got {self.n_components!r}."
            raise InputError(msg)
        self.preprocessor_ = LayerPreprocessor(layers=self.layers, layer_scaling="none",
                                               min_binary_count=self.min_binary_count).fit(X)
        blocks, present = self._blocks(X)
        Y = (labels[:, None] == self._str_classes[None, :]).astype(float)
        Y -= Y.mean(axis=0)
        keep = [self._keep_of(lay, B.shape[1]) for lay, B in blocks.items()]
        k = int(min(self.n_components, min(B.shape[1] for B in blocks.values()), len(labels) - 1))
        W, _, R = spls_blocks(list(blocks.values()), Y, n_components=max(k, 1), keep=keep, max_iter=self.max_iter)
        self.weights_, self.rotations_, self.block_models_ = {}, {}, {}
        for (lay, B), w, r in zip(blocks.items(), W, R):
            names = self.preprocessor_.feature_names_out_[self.preprocessor_.layers_out_ == lay]
            self.weights_[lay] = pd.DataFrame(w, index=names, columns=[f"comp{i + 1}" for i in range(w.shape[1])])
            self.rotations_[lay] = r
            rows = present[lay]
            if len(set(labels[rows])) >= 2:
                self.block_models_[lay] = _fit_logistic(B[rows] @ r, labels[rows], random_state=self.random_state, C=10.0)
        if not self.block_models_:
            msg = "no layer has samples of two classes; cannot fit the sparse PLS-DA classifiers."
            raise InputError(msg)
        self.layers_ = list(self.block_models_)
        return self

    def _keep_of(self, layer: str, n_features: int) -> int:
        """Non-zero loadings allowed in ``layer``."""
        k = self.keep_features.get(layer, n_features) if isinstance(self.keep_features, dict) else self.keep_features
        if int(k) < 1:
            msg = f"keep_features must be positive, got {k!r} for layer {layer!r}."
            raise InputError(msg)
        return int(min(int(k), n_features))

    def _blocks(self, X: pd.DataFrame) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Standardised blocks (missing layer -> 0 = the mean) and which samples have each layer."""
        pre = self.preprocessor_
        Xk = X.to_numpy(dtype=float)[:, pre.kept_]
        Z = pre.transform(X)
        blocks, present = {}, {}
        for lay in dict.fromkeys(pre.layers_out_):
            cols = pre.layers_out_ == lay
            has = np.isfinite(Xk[:, cols]).any(axis=1)
            blocks[lay] = np.where(has[:, None], Z[:, cols], 0.0)
            present[lay] = has
        return blocks, present

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities averaged over the layers each sample has."""
        check_is_fitted(self, "block_models_")
        X = align_features(self, X, missing=self.missing)
        blocks, present = self._blocks(X)
        return self._averaged(X.shape[0], {lay: present[lay] for lay in self.block_models_},
                              lambda lay, rows: _aligned_proba(self.block_models_[lay], blocks[lay][rows] @ self.rotations_[lay],
                                                               self._str_classes))

    def transform(self, X: Any) -> pd.DataFrame:
        """Latent components of each layer (``"<layer>:comp<k>"``; NaN where a sample lacks the layer)."""
        check_is_fitted(self, "block_models_")
        blocks, present = self._blocks(align_features(self, X, missing=self.missing))
        parts = []
        for lay, B in blocks.items():
            T = B @ self.rotations_[lay]
            T[~present[lay]] = np.nan
            parts.append(pd.DataFrame(T, columns=[f"{lay}:comp{i + 1}" for i in range(T.shape[1])]))
        return pd.concat(parts, axis=1)

    def used_features(self) -> np.ndarray:
        """Features with a non-zero loading on some component."""
        check_is_fitted(self, "block_models_")
        return np.concatenate([w.index[(w != 0).any(axis=1)].to_numpy(dtype=object) for w in self.weights_.values()])

    def feature_importance(self) -> pd.DataFrame:
        """``layer, feature, importance`` (sum of absolute loadings over components, per layer normalised)."""
        check_is_fitted(self, "block_models_")
        parts = []
        for w in self.weights_.values():
            a = w.abs().sum(axis=1)
            a = a[a > 0]
            parts.append(_importance_frame(a.index.to_numpy(dtype=object), (a / a.sum() / len(self.weights_)).to_numpy()))
        return _by_importance(pd.concat(parts, ignore_index=True))


def make_classifier(name: str, *, random_state: Any = None, **params: Any) -> Any:
    """Build a classifier from its short name: ``"late"``, ``"early"`` or ``"splsda"``.

    Examples
    --------
    >>> type(make_classifier("splsda")).__name__
    'SparsePLSDAClassifier'
    """
    key = str(name).strip().lower()
    classes = {"late": LateIntegrationClassifier, "early": EarlyIntegrationClassifier, "splsda": SparsePLSDAClassifier}
    if key not in classes:
        msg = f"unknown classification model {name!r}; choose one of {', '.join(CLASSIFIER_NAMES)}."
        raise InputError(msg)
    return classes[key](random_state=random_state, **params)

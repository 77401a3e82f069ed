"""Per-drug model choice by inner cross-validation (``make_model("select")``, ``train --model select``).

:class:`SelectRegressor` cross-validates a few candidate models inside its own training data
(never the outer test fold), keeps the one whose out-of-fold predictions correlate best with the
response, and refits it on all training samples. Candidates default to the elastic net on
expression (``enet_rna``, the usual strong single-layer baseline) and late integration of all
layers (``late``), so each drug gets whichever of the two predicts it better.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.model_selection import KFold
from sklearn.utils.validation import check_is_fitted

from ..._core._errors import InputError
from ._models import _as_frame, _check_y, make_model

__all__ = ["SelectRegressor"]


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation (``nan`` when either side is constant)."""
    a = a - a.mean()
    b = b - b.mean()
    den = float(np.sqrt((a @ a) * (b @ b)))
    return float(a @ b / den) if den > 1e-300 else float("nan")


class SelectRegressor(RegressorMixin, BaseEstimator):
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
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(rng.normal(size=(60, 4)), columns=["rna:A", "rna:B", "cnv:A", "cnv:B"])
    >>> y = X["rna:A"] * 2 + rng.normal(0, 0.1, 60)
    >>> m = SelectRegressor(random_state=0).fit(X, y)
    >>> m.selected_ in ("enet_rna", "late")
    True
    """

    def __init__(self, candidates: Sequence[str] = ("enet_rna", "late"), *, cv: int = 3, margin: float = 0.0,
                 random_state: Any = None) -> None:
        self.candidates = candidates
        self.cv = cv
        self.margin = margin
        self.random_state = random_state

    def __sklearn_tags__(self) -> Any:
        """Estimator tags: missing values (NaN) are part of the intended input."""
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    def fit(self, X: Any, y: Any) -> SelectRegressor:
        """Score every candidate by inner CV, keep the best and refit it on all samples."""
        names = [str(c) for c in self.candidates]
        if not names or int(self.cv) < 2:
            msg = f"SelectRegressor needs at least one candidate and cv >= 2, got candidates={names}, cv={self.cv}."
            raise InputError(msg)
        X = _as_frame(X)
        y = _check_y(y, X.shape[0])
        self.inner_scores_ = {n: self._inner_score(n, X, y) for n in names}
        self.selected_ = self._choose(names)
        self.estimator_ = make_model(self.selected_, random_state=self.random_state).fit(X, y)
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.n_features_in_ = X.shape[1]
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
        return _pearson(y, pred) if np.isfinite(pred).all() else float("nan")

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

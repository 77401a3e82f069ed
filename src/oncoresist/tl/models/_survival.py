"""Survival models: penalised Cox regression with a cross-validated penalty (scikit-survival).

:class:`PenalizedCox` wraps :class:`sksurv.linear_model.CoxnetSurvivalAnalysis` (elastic net /
LASSO Cox) with the project's per-layer preprocessing and picks the penalty by inner
cross-validation of Harrell's C-index. :func:`cross_validate_survival` gives honest C-indices
(Harrell and Uno, per outer fold) and out-of-fold risk groups; :func:`survival` is the cohort
wrapper that stores the tables in ``mdata.uns[key]`` and the risk groups in ``mdata.obs``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import KW_ONLY, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold
from sklearn.utils.validation import check_is_fitted

from ..._core._docs import doc_params
from ..._core._errors import InputError
from ..._core._keys import claim_key
from ..._core._params import clean_params
from ._docs import DOC_SURVIVAL_COHORT, DOC_SURVIVAL_TABLE
from ._models import _as_frame, _fit_frame, _importance_frame
from ._models_data import (
    AllowNaNMixin,
    LayerPreprocessor,
    align_features,
    copy_cohort,
    estimator_params,
    feature_frame,
    obs_column,
)

__all__ = [
    "PenalizedCox",
    "SurvivalCVResult",
    "cross_validate_survival",
    "survival",
    "dropped_report",
    "survival_data",
    "survival_samples",
    "survival_target",
]


def survival_target(time: Any, event: Any, *, what: str = "survival") -> np.ndarray:
    """Build scikit-survival's structured target (``event`` bool, ``time`` float) with checks.

    Parameters
    ----------
    time
        Follow-up time per sample (positive).
    event
        1 / True = event observed (death, progression), 0 / False = censored.
    what
        Name used in error messages.

    Examples
    --------
    >>> survival_target([5.0, 3.2], [1, 0])["event"].tolist()
    [True, False]
    """
    t = np.asarray(pd.to_numeric(pd.Series(np.asarray(time).ravel()), errors="coerce"), dtype=float)
    e = _event_numbers(event)
    if t.shape != e.shape:
        msg = f"{what}: {t.size} times but {e.size} events; give one time and one event per sample."
        raise InputError(msg)
    bad = ~np.isfinite(t) | ~np.isfinite(e)
    if bad.any():
        msg = f"{what}: {int(bad.sum())} sample(s) lack a time or event; drop them first (the cohort wrapper does and records it)."
        raise InputError(msg)
    if np.any(t <= 0):
        msg = f"{what}: times must be positive, found {int((t <= 0).sum())} value(s) <= 0 (min {t.min():.4g}); check the time column's units."
        raise InputError(msg)
    if not np.all(np.isin(e, (0.0, 1.0))):
        msg = f"{what}: the event indicator must be 0/1 (or True/False), found {sorted(set(e.tolist()))[:5]}."
        raise InputError(msg)
    y = np.empty(t.size, dtype=[("event", bool), ("time", float)])
    y["event"] = e.astype(bool)
    y["time"] = t
    return y


_EVENT_WORDS = {"true": 1, "false": 0, "1": 1, "0": 0, "yes": 1, "no": 0, "dead": 1, "alive": 0, "died": 1}


def _event_numbers(event: Any) -> np.ndarray:
    """Event indicator as floats (words such as ``dead`` / ``alive`` / ``TRUE`` mapped to 1 / 0, numbers kept; NaN if unreadable)."""
    raw = pd.Series(np.asarray(event).ravel())
    if raw.dtype == object:
        raw = raw.map(lambda v: _EVENT_WORDS.get(v.strip().lower(), np.nan) if isinstance(v, str) else v if pd.notna(v) else np.nan)
    return pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)


def _check_surv(y: Any) -> np.ndarray:
    y = np.asarray(y)
    if y.dtype.names is None or set(y.dtype.names) != {"event", "time"}:
        msg = "y must be a structured array with fields 'event' and 'time'; build it with tl.survival_target(time, event)."
        raise InputError(msg)
    return y


def _harrell(y: np.ndarray, risk: np.ndarray) -> float:
    from sksurv.metrics import concordance_index_censored

    return float(concordance_index_censored(y["event"], y["time"], risk)[0])


#: Uno's C is truncated at this quantile of the pooled observed follow-up times (events and censored).
UNO_TAU_QUANTILE = 0.8


def uno_tau(y: np.ndarray, quantile: float = UNO_TAU_QUANTILE) -> float:
    """Truncation time of Uno's C: the ``quantile`` of the pooled observed follow-up times (numpy linear interpolation)."""
    return float(np.quantile(np.asarray(y["time"], dtype=float), quantile))


def _uno(y_train: np.ndarray, y_test: np.ndarray, risk: np.ndarray, tau: float) -> float:
    """Uno's C (IPCW, censoring estimated on the training fold) truncated at ``tau``; NaN when undefined there."""
    from sksurv.metrics import concordance_index_ipcw

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return float(concordance_index_ipcw(y_train, y_test, risk, tau=tau)[0])
    except (ValueError, ZeroDivisionError):
        return float("nan")


@estimator_params
class PenalizedCox(AllowNaNMixin, BaseEstimator):
    """Elastic-net Cox model whose penalty is chosen by inner cross-validated C-index.

    Parameters
    ----------
    l1_ratio
        Elastic net mixing (1 = LASSO).
    n_alphas
        Penalties on the path.
    alpha_min_ratio
        Smallest penalty as a fraction of the largest.
    cv
        Inner folds (stratified by event) used to choose the penalty.
    layers
        Layers to use (``None`` = all columns).
    layer_scaling
        ``"none"`` (standardise each feature) or ``"block"`` (equal total variance per layer).
    unpenalized
        Features always kept in the model without penalty (glmnet's ``penalty.factor = 0``),
        typically known clinical covariates: full names (``"obs:age"``, ``"gen:IGHV"``) or
        whole layers (``"obs"``). The penalty then selects molecular features on top of them.
    random_state
        Seed of the inner folds.
    {doc_missing}

    Attributes
    ----------
    alpha_ : float
        Chosen penalty.
    cv_scores_ : pandas.DataFrame
        Mean inner C-index per penalty.
    coef_ : pandas.Series
        Coefficient per used feature (standardised units), zeros included.
    model_ : CoxnetSurvivalAnalysis
        Final model (with baseline hazard, for survival functions).

    Examples
    --------
    {doc_survival_table}
    >>> m = PenalizedCox(random_state=0).fit(X, y)
    >>> m.coef_.abs().idxmax()
    'rna:g0'
    """

    l1_ratio: float = 0.9
    _: KW_ONLY
    n_alphas: int = 50
    alpha_min_ratio: float = 0.01
    cv: int = 5
    layers: Sequence[str] | None = None
    layer_scaling: str = "none"
    unpenalized: Sequence[str] | None = None
    random_state: Any = None
    missing: str = "error"

    def _coxnet(self, names: np.ndarray, *, strict: bool = True, **kw: Any) -> Any:
        from sksurv.linear_model import CoxnetSurvivalAnalysis

        return CoxnetSurvivalAnalysis(l1_ratio=self.l1_ratio, alpha_min_ratio=self.alpha_min_ratio,
                                      penalty_factor=self._penalty_factor(names, strict=strict), **kw)

    def _penalty_factor(self, names: np.ndarray, *, strict: bool = True) -> np.ndarray | None:
        """0 for the unpenalized features among ``names`` (``"<layer>:<feature>"``), else 1.

        ``strict=False`` (inner folds, where a feature constant in the fold was dropped) skips
        names that match nothing instead of raising.
        """
        if not self.unpenalized:
            return None
        wanted = [str(u) for u in ([self.unpenalized] if isinstance(self.unpenalized, str) else self.unpenalized)]
        names = np.asarray(names, dtype=str)
        layer = np.array([n.split(":", 1)[0] for n in names])
        free = np.zeros(len(names), bool)
        for u in wanted:
            hit = (names == u) | (layer == u)
            if not hit.any() and strict:
                shown = ", ".join(sorted(set(layer)))
                msg = (f"unpenalized feature {u!r} is not among the model's features (layers: {shown}); name a feature "
                       "as '<layer>:<feature>' (e.g. 'obs:age') or a whole layer.")
                raise InputError(msg)
            free |= hit
        if free.all() and strict:
            msg = "every feature is unpenalized; leave at least one feature to the penalty (or fit a plain Cox model)."
            raise InputError(msg)
        return np.where(free, 0.0, 1.0) if not free.all() else None

    def fit(self, X: Any, y: Any) -> PenalizedCox:
        """Choose the penalty by inner CV, then fit the final model on all samples."""
        X = _fit_frame(self, X)
        y = _check_surv(y)
        if len(y) != X.shape[0]:
            msg = f"y has {len(y)} samples but X has {X.shape[0]}; pass one survival record per sample."
            raise InputError(msg)
        if y["event"].sum() < 2:
            msg = f"only {int(y['event'].sum())} event(s) among {len(y)} samples; a Cox model needs several observed events."
            raise InputError(msg)
        self.preprocessor_ = LayerPreprocessor(layers=self.layers, layer_scaling=self.layer_scaling).fit(X)
        Z = self.preprocessor_.transform(X)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            path = self._coxnet(self.preprocessor_.feature_names_out_, n_alphas=self.n_alphas).fit(Z, y)
        alphas = np.asarray(path.alphas_)
        n_splits = int(max(2, min(self.cv, int(y["event"].sum()), len(y) - int(y["event"].sum()) or 2)))
        folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=self.random_state)
        scores = np.full((n_splits, len(alphas)), 0.5)
        for i, (tr, va) in enumerate(folds.split(Z, y["event"])):
            pre = clone(self.preprocessor_).fit(X.iloc[tr])
            Ztr, Zva = pre.transform(X.iloc[tr]), pre.transform(X.iloc[va])
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    fold_model = self._coxnet(pre.feature_names_out_, strict=False, alphas=alphas).fit(Ztr, y[tr])
            except (ArithmeticError, ValueError):
                continue  # numerical failure on this fold: every penalty keeps the neutral 0.5
            if y[va]["event"].sum() == 0:
                continue
            for j, a in enumerate(alphas):
                if a < fold_model.alphas_.min() - 1e-15:
                    continue
                risk = fold_model.predict(Zva, alpha=a)
                scores[i, j] = _harrell(y[va], risk) if np.ptp(risk) > 0 else 0.5
        mean = scores.mean(axis=0)
        best = int(np.flatnonzero(mean >= mean.max() - 1e-12)[0])  # largest penalty among the best
        self.cv_scores_ = pd.DataFrame({"alpha": alphas, "c_index": mean, "sd": scores.std(axis=0)})
        self.model_, self.alpha_ = self._final_fit(Z, y, alphas, best)
        coef = np.asarray(self.model_.coef_)[:, -1]
        self.coef_ = pd.Series(coef * self.preprocessor_.layer_weights_, index=self.preprocessor_.feature_names_out_,
                               name="coef")
        self.layers_ = sorted(set(self.preprocessor_.layers_out_))
        return self

    def _final_fit(self, Z: np.ndarray, y: np.ndarray, alphas: np.ndarray, best: int) -> tuple[Any, float]:
        """Fit the final model at the chosen penalty.

        Fits the path from the largest penalty down to the chosen one (warm starts keep the
        solver stable where a lone small penalty can overflow); steps back to a larger penalty
        when the solver still fails numerically.
        """
        for b in range(best, -1, -1):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    model = self._coxnet(self.preprocessor_.feature_names_out_, alphas=alphas[: b + 1],
                                         fit_baseline_model=True).fit(Z, y)
            except ArithmeticError:
                continue
            return model, float(model.alphas_[-1])
        msg = (f"the Cox model cannot be fitted on these {Z.shape[0]} samples x {Z.shape[1]} features even at the "
               "largest penalty (numerical overflow); check for features that separate the events perfectly.")
        raise InputError(msg)

    def predict(self, X: Any) -> np.ndarray:
        """Risk score (linear predictor; higher = shorter expected survival)."""
        check_is_fitted(self, "model_")
        Z = self.preprocessor_.transform(align_features(self, X, missing=self.missing))
        return np.asarray(self.model_.predict(Z, alpha=self.alpha_), dtype=float)

    def predict_survival_function(self, X: Any) -> Any:
        """Survival functions of new samples (step functions, see scikit-survival)."""
        check_is_fitted(self, "model_")
        return self.model_.predict_survival_function(self.preprocessor_.transform(align_features(self, X, missing=self.missing)), alpha=self.alpha_)

    def score(self, X: Any, y: Any) -> float:
        """Harrell's C-index of the predicted risk."""
        return _harrell(_check_surv(y), self.predict(X))

    def feature_importance(self) -> pd.DataFrame:
        """Non-zero coefficients mapped to layer and feature (``importance`` = |coef|)."""
        check_is_fitted(self, "model_")
        nz = self.coef_[self.coef_ != 0]
        return _importance_frame(np.asarray(nz.index), np.abs(nz.to_numpy()), nz.to_numpy())


@dataclass
class SurvivalCVResult:
    """Outer cross-validation of a survival model.

    Attributes
    ----------
    folds
        Per fold: ``fold, n_test, n_events, harrell, uno, tau, alpha, n_nonzero`` (``tau``: the
        truncation time of Uno's C, the same for every fold).
    risk
        Out-of-fold predictions: ``sample, fold, time, event, risk, group`` (``high`` /
        ``low`` split at the training median risk of that fold).
    logrank_p
        Log-rank p-value of the out-of-fold risk groups.
    model
        Model refitted on all samples (``None`` when ``refit=False``).
    """

    folds: pd.DataFrame
    risk: pd.DataFrame
    logrank_p: float
    model: Any = None
    params: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, float]:
        """Mean (and SD) of the fold C-indices, and the log-rank p-value of the risk groups."""
        f = self.folds
        return {
            "harrell_mean": float(f["harrell"].mean()),
            "harrell_sd": float(f["harrell"].std(ddof=1)) if len(f) > 1 else float("nan"),
            "uno_mean": float(f["uno"].mean()),
            "uno_sd": float(f["uno"].std(ddof=1)) if len(f) > 1 else float("nan"),
            "logrank_p": float(self.logrank_p),
            "n": int(f["n_test"].sum()),
            "events": int(f["n_events"].sum()),
        }


def _logrank(risk: pd.DataFrame) -> float:
    from sksurv.compare import compare_survival

    if risk["group"].nunique() < 2:
        return float("nan")
    y = survival_target(risk["time"], risk["event"].astype(int), what="risk groups")
    try:
        return float(compare_survival(y, risk["group"].to_numpy())[1])
    except ValueError:
        return float("nan")


@doc_params(doc_survival_table=DOC_SURVIVAL_TABLE)
def cross_validate_survival(
    X: pd.DataFrame,
    y: np.ndarray,
    *,
    estimator: Any = None,
    n_splits: int = 5,
    random_state: Any = 0,
    refit: bool = True,
    folds: Any = None,
    tau_quantile: float = UNO_TAU_QUANTILE,
) -> SurvivalCVResult:
    """Outer cross-validation of a survival model: Harrell and Uno C-index per fold, risk groups.

    Parameters
    ----------
    X
        Samples x features.
    y
        Structured survival target (:func:`survival_target`).
    estimator
        Any estimator with ``fit(X, y)`` and ``predict(X)`` returning a risk score
        (default :class:`PenalizedCox`).
    n_splits
        Outer folds (stratified by event).
    random_state
        Seed of the folds.
    refit
        Also fit the estimator on all samples (``result.model``).
    folds
        Precomputed ``(train, test)`` index pairs (overrides ``n_splits``), e.g. to compare
        pipelines on exactly the same folds.
    tau_quantile
        Uno's C of every fold is truncated at the same tau, this quantile of the pooled observed
        follow-up times of all samples (``params['uno_tau']``), so that a fold whose longest
        training time is far in the tail does not give a wild estimate.

    Returns
    -------
    SurvivalCVResult

    Examples
    --------
    {doc_survival_table}
    >>> res = cross_validate_survival(X, y, estimator=PenalizedCox(cv=3, random_state=0), n_splits=3, refit=False)
    >>> res.summary()["harrell_mean"] > 0.6
    True
    """
    X = _as_frame(X)
    y = _check_surv(y)
    est = PenalizedCox(random_state=random_state) if estimator is None else estimator
    if folds is None:
        k = int(min(n_splits, y["event"].sum(), (~y["event"]).sum() or n_splits))
        if k < 2:
            msg = f"cannot cross-validate with {int(y['event'].sum())} events and {int((~y['event']).sum())} censored samples."
            raise InputError(msg)
        folds = list(StratifiedKFold(n_splits=k, shuffle=True, random_state=random_state).split(X, y["event"]))
    if not 0 < tau_quantile <= 1:
        msg = f"tau_quantile must be in (0, 1], got {tau_quantile!r}; 0.8 truncates Uno's C at the 80th percentile of follow-up."
        raise InputError(msg)
    tau = uno_tau(y, tau_quantile)
    rows, risk_rows = [], []
    for i, (tr, te) in enumerate(folds):
        model = clone(est).fit(X.iloc[tr], y[tr])
        r_te = np.asarray(model.predict(X.iloc[te]), dtype=float)
        r_tr = np.asarray(model.predict(X.iloc[tr]), dtype=float)
        harrell = _harrell(y[te], r_te) if y[te]["event"].any() else float("nan")
        uno = _uno(y[tr], y[te], r_te, tau)
        coef = getattr(model, "coef_", None)
        rows.append({"fold": i, "n_test": len(te), "n_events": int(y[te]["event"].sum()), "harrell": harrell,
                     "uno": uno, "tau": tau, "alpha": getattr(model, "alpha_", np.nan),
                     "n_nonzero": int((np.asarray(coef) != 0).sum()) if coef is not None else np.nan})
        cut = float(np.median(r_tr))
        risk_rows.append(pd.DataFrame({"sample": X.index[te].astype(str), "fold": i, "time": y[te]["time"],
                                       "event": y[te]["event"].astype(int), "risk": r_te,
                                       "group": np.where(r_te > cut, "high", "low")}))
    risk = pd.concat(risk_rows, ignore_index=True)
    final = clone(est).fit(X, y) if refit else None
    return SurvivalCVResult(folds=pd.DataFrame(rows), risk=risk, logrank_p=_logrank(risk), model=final,
                            params={"n_splits": len(folds), "random_state": random_state, "uno_tau": tau,
                                    "uno_tau_quantile": float(tau_quantile)})


def _drop_reasons(t: pd.Series, e_raw: pd.Series, e: np.ndarray, excluded: np.ndarray) -> np.ndarray:
    """Why each sample cannot enter a survival model (``""`` = usable), first reason wins."""
    tv = t.to_numpy(dtype=float)
    conditions = [
        excluded,
        np.isnan(tv),
        np.isinf(tv),
        tv == 0,
        tv < 0,
        e_raw.isna().to_numpy(),
        ~np.isin(e, (0.0, 1.0)),
    ]
    reasons = ["excluded (--exclude-samples)", "no time", "time not finite", "time = 0", "negative time", "no event",
               "event not 0/1"]
    return np.select(conditions, reasons, default="")


def survival_samples(
    mdata: Any,
    *,
    time_key: str = "survival_time",
    event_key: str = "survival_event",
    exclude_samples: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Which samples of the cohort can enter a survival model, and why the others cannot.

    A sample is dropped when it is named in ``exclude_samples``, has no time, a time that is
    not finite, exactly 0 or negative, no event, or an event that is not 0 / 1 (``True`` /
    ``False``, ``dead`` / ``alive`` are read as 1 / 0).

    Parameters
    ----------
    mdata
        The cohort.
    time_key, event_key
        ``obs`` columns of follow-up time and event indicator.
    exclude_samples
        Samples to leave out on purpose; an ID that is not in the cohort is an error.

    Returns
    -------
    pandas.DataFrame
        One row per sample of ``mdata.obs_names``: ``time``, ``event`` (as read) and ``reason``
        (``""`` for a usable sample).

    Examples
    --------
    >>> import anndata as ad, mudata as md, numpy as np, pandas as pd
    >>> a = ad.AnnData(np.zeros((4, 1)), obs=pd.DataFrame(index=["a", "b", "c", "d"]))
    >>> m = md.MuData({"x": a})
    >>> m.obs["survival_time"] = [5.0, 0.0, -1.0, 2.0]
    >>> m.obs["survival_event"] = [1, 0, 1, 2]
    >>> survival_samples(m)["reason"].tolist()
    ['', 'time = 0', 'negative time', 'event not 0/1']
    """
    index = pd.Index(mdata.obs_names.astype(str))
    t = pd.to_numeric(obs_column(mdata, time_key).reindex(index), errors="coerce")
    e_raw = obs_column(mdata, event_key).reindex(index)
    e = _event_numbers(e_raw)
    wanted = pd.Index([str(x) for x in exclude_samples or []])
    unknown = wanted.difference(index)
    if len(unknown):
        close = ", ".join(unknown[:5]) + (", ..." if len(unknown) > 5 else "")
        msg = (f"exclude_samples: {len(unknown)} sample(s) are not in the cohort: {close}; cohort samples look like "
               f"{', '.join(index[:3])}. Fix the IDs (they are matched exactly).")
        raise InputError(msg)
    reason = _drop_reasons(t, e_raw, e, index.isin(wanted))
    return pd.DataFrame({"time": t.to_numpy(dtype=float), "event": e, "reason": reason}, index=index)


def dropped_report(samples: pd.DataFrame, *, n_shown: int = 5) -> dict[str, Any]:
    """Summary of the samples :func:`survival_samples` dropped: how many, per reason, first IDs.

    Parameters
    ----------
    samples
        Output of :func:`survival_samples`.
    n_shown
        IDs listed per reason.

    Returns
    -------
    dict
        ``n_dropped``, ``n_kept``, ``by_reason`` (``{reason: count}``), ``samples``
        (``{reason: first IDs}``) and ``text`` (one printable line, ``""`` when none was dropped).

    Examples
    --------
    >>> tab = pd.DataFrame({"reason": ["", "time = 0", "no event"]}, index=["a", "b", "c"])
    >>> dropped_report(tab)["text"]
    'dropped 2 of 3 samples: time = 0: 1 (b); no event: 1 (c)'
    """
    dropped = samples[samples["reason"] != ""]
    by_reason = {str(r): int(n) for r, n in dropped["reason"].value_counts(sort=False).items()}
    first = {r: [str(i) for i in dropped.index[dropped["reason"] == r][:n_shown]] for r in by_reason}
    parts = [f"{r}: {n} ({', '.join(first[r])}{', ...' if n > n_shown else ''})" for r, n in by_reason.items()]
    text = f"dropped {len(dropped)} of {len(samples)} samples: " + "; ".join(parts) if len(dropped) else ""
    return {"n_dropped": int(len(dropped)), "n_kept": int(len(samples) - len(dropped)), "by_reason": by_reason,
            "samples": first, "text": text}


def survival_data(
    mdata: Any,
    *,
    layers: Sequence[str] | None = None,
    obs_features: Sequence[str] | None = None,
    time_key: str = "survival_time",
    event_key: str = "survival_event",
    exclude_samples: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Feature table and survival target of the cohort's samples with a valid follow-up.

    Samples without a usable time / event (see :func:`survival_samples`) and those in
    ``exclude_samples`` are left out; :func:`dropped_report` says which.

    Parameters
    ----------
    mdata
        The cohort.
    layers
        Feature layers (``None`` = every modality but ``drug``; ``[]`` = none: clinical
        ``obs_features`` only).
    obs_features
        Clinical ``obs`` columns used as features (numeric as they are, categorical one-hot).
    time_key, event_key
        ``obs`` columns of follow-up time and event.
    exclude_samples
        Samples left out on purpose.

    Returns
    -------
    X, y, ok
        Features of the usable samples, their survival target, and the mask of those samples
        over ``mdata.obs_names``.

    Examples
    --------
    >>> import anndata as ad, mudata as md, numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> a = ad.AnnData(rng.normal(size=(12, 2)), obs=pd.DataFrame(index=[f"p{i}" for i in range(12)]))
    >>> m = md.MuData({"rna": a})
    >>> m.obs["survival_time"], m.obs["survival_event"] = np.arange(12.0), 1
    >>> X, y, ok = survival_data(m)
    >>> X.shape, int(ok.sum())  # p0 has time 0
    ((11, 2), 11)
    """
    if layers is not None and not isinstance(layers, str) and len(layers) == 0 and not obs_features:
        msg = "no features: no omics layer was chosen (layers none) and no clinical covariates; give covariates (obs_features) or layers."
        raise InputError(msg)
    table = survival_samples(mdata, time_key=time_key, event_key=event_key, exclude_samples=exclude_samples)
    ok = (table["reason"] == "").to_numpy()
    if ok.sum() < 10:
        rep = dropped_report(table)
        msg = (f"only {int(ok.sum())} samples have a usable '{time_key}' and '{event_key}' ({rep['text'] or 'none dropped'}); "
               "a survival model needs more.")
        raise InputError(msg)
    samples = table.index[ok]
    y = survival_target(table["time"][ok].to_numpy(), table["event"][ok].to_numpy(),
                        what=f"obs['{time_key}'] / obs['{event_key}']")
    X = feature_frame(mdata, layers=layers, samples=samples, obs_features=obs_features)
    return X, y, ok


def _survival_params(X: pd.DataFrame, res: SurvivalCVResult, ok: np.ndarray, report: dict[str, Any],
                     settings: dict[str, Any]) -> dict[str, Any]:
    """The ``params`` record of :func:`survival` (cleaned for ``.h5mu``)."""
    unpenalized = settings.pop("unpenalized")
    return clean_params({
        **settings,
        "layers": sorted({c.split(":", 1)[0] for c in X.columns}),
        "unpenalized": [str(u) for u in ([unpenalized] if isinstance(unpenalized, str) else unpenalized or [])],
        "n_splits": int(res.params["n_splits"]),
        "n_samples": int(ok.sum()),
        "n_samples_without_survival": int((~ok).sum()),
        "dropped": {k: report[k] for k in ("by_reason", "samples")},
        "alpha": float(res.model.alpha_),
        "model": "CoxnetSurvivalAnalysis (scikit-survival), penalty by inner 5-fold CV of Harrell's C",
    })


@doc_params(doc_survival_cohort=DOC_SURVIVAL_COHORT)
def survival(
    mdata: Any,
    *,
    layers: Sequence[str] | None = None,
    obs_features: Sequence[str] | None = None,
    time_key: str = "survival_time",
    event_key: str = "survival_event",
    l1_ratio: float = 0.9,
    unpenalized: Sequence[str] | None = None,
    n_splits: int = 5,
    random_state: Any = 0,
    exclude_samples: Sequence[str] | None = None,
    key_added: str | None = None,
    overwrite: bool = False,
    copy: bool = False,
) -> Any:
    """Penalised Cox model of the cohort's survival: honest C-index, coefficients, risk groups.

    Samples without a usable time or event (no time, time <= 0, event not 0/1; see
    :func:`survival_samples`) are left out; their number, reasons and first IDs are recorded
    in ``params`` (``n_samples_without_survival``, ``dropped``).

    Parameters
    ----------
    mdata
        The cohort (``obs`` has ``time_key`` and ``event_key``).
    layers
        Feature layers (default: every modality but ``drug``; ``[]``: none, clinical
        ``obs_features`` only).
    obs_features
        Clinical annotations used as features too (e.g. ``("age", "stage")``; numeric as
        they are, categorical one-hot).
    time_key, event_key
        ``obs`` columns of follow-up time and event indicator.
    l1_ratio
        Elastic net mixing of the Cox penalty (1 = LASSO).
    unpenalized
        Features kept without penalty, e.g. ``("obs",)`` for every clinical covariate of
        ``obs_features`` (see :class:`PenalizedCox`).
    n_splits
        Outer folds.
    random_state
        Seed.
    exclude_samples
        Samples left out on purpose (IDs not in the cohort are an error).
    key_added
        Key in ``mdata.uns`` (default ``"survival"``); the risk groups go to
        ``obs[f"{key_added}_risk_group"]``.
    overwrite
        Replace a ``uns`` entry / ``obs`` column of that name that this function did not write.
    copy
        Return a modified copy instead of changing ``mdata``.

    Returns
    -------
    MuData or None
        ``mdata.uns[key]``: ``folds`` (C-index per fold), ``summary``, ``coef`` (non-zero
        coefficients of the model refitted on all samples), ``risk`` (out-of-fold risk and
        group per sample), ``params``. ``mdata.obs[f"{key}_risk_group"]`` = out-of-fold
        ``high`` / ``low`` risk group.

    Examples
    --------
    {doc_survival_cohort}
    >>> survival(m, n_splits=3)
    >>> m.uns["survival"]["coef"].iloc[0]["feature"]
    'A'
    """
    mdata = copy_cohort(mdata) if copy else mdata
    key = key_added or "survival"
    claim_key(mdata, "uns", key, by="tl.survival", overwrite=overwrite)
    claim_key(mdata, "obs", f"{key}_risk_group", by="tl.survival", overwrite=overwrite)
    index = pd.Index(mdata.obs_names.astype(str))
    X, y, ok = survival_data(mdata, layers=layers, obs_features=obs_features, time_key=time_key, event_key=event_key,
                             exclude_samples=exclude_samples)
    report = dropped_report(survival_samples(mdata, time_key=time_key, event_key=event_key, exclude_samples=exclude_samples))
    res = cross_validate_survival(X, y, estimator=PenalizedCox(l1_ratio=l1_ratio, unpenalized=unpenalized,
                                                                         random_state=random_state),
                                  n_splits=n_splits, random_state=random_state, refit=True)
    settings = {"time_key": time_key, "event_key": event_key, "l1_ratio": float(l1_ratio), "unpenalized": unpenalized,
                "random_state": random_state}
    mdata.uns[key] = {"folds": res.folds, "summary": res.summary(), "coef": res.model.feature_importance(),
                      "risk": res.risk, "params": _survival_params(X, res, ok, report, settings)}
    grp = pd.Series(pd.NA, index=index, dtype="object")
    grp.loc[res.risk["sample"].to_numpy()] = res.risk["group"].to_numpy()
    mdata.obs[f"{key}_risk_group"] = pd.Categorical(grp.reindex(mdata.obs_names.astype(str)).to_numpy(),
                                                    categories=["low", "high"])
    return mdata if copy else None

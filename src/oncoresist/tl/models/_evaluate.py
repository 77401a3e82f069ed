"""Honest evaluation of drug-response models: leakage-free cross-validation and naive baselines.

Folds hold out whole samples (``cv="sample"``: cell-line / patient-blind), whole groups
(``cv="group"``: e.g. tissue-blind) or, for the pan-drug model, whole drugs (``cv="drug"``).
Every model is an estimator whose preprocessing is fitted on the training fold only, so nothing
about a test sample leaks into training. Naive baselines are always scored next to the models:

- ``mean``: the drug's mean response in the training samples (per-drug mean);
- ``drug_sample``: drug mean + the test sample's own mean standardised response to the *other*
  drugs (drug + sample effects). It uses responses that the omics models do not see, so it is
  the strong baseline of the pair-prediction literature;
- ``sample_mean`` (drug-blind only): the sample's mean response to the training drugs.

Metrics are computed per drug on its pooled out-of-fold predictions (Pearson, Spearman, RMSE)
and summarised by their distribution over drugs; a global correlation over all (sample, drug)
pairs is never reported because drug means alone make it look good.

All (drug, fold) fits run through :func:`oncoresist.parallel.parallel_map`: joblib locally, a
Dask cluster when ``scheduler`` is given.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import clone
from sklearn.model_selection import GroupKFold, KFold

from ..._core._docs import doc_params
from ..._core._errors import InputError
from ...parallel import parallel_map
from ._docs import DOC_DRUG_COHORT
from ._models import FactorRegressor, PanDrugRegressor, make_model
from ._models_data import drug_descriptors, feature_frame, obs_column, resolve_drugs, response_frame

__all__ = [
    "CVResult",
    "cross_validate_drugs",
    "cross_validate_response",
    "cv_folds",
    "regression_metrics",
]

BASELINES = ("mean", "drug_sample")
#: Estimators fitted once per fold on the whole samples x drugs table.
_MULTI_DRUG = (PanDrugRegressor, FactorRegressor)
CV_SCHEMES = ("sample", "group", "drug")


# --------------------------------------------------------------------------------------------
# metrics
# --------------------------------------------------------------------------------------------
def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    if len(a) < 3:
        return float("nan")
    a = a - a.mean()
    b = b - b.mean()
    den = np.sqrt((a @ a) * (b @ b))
    return float(a @ b / den) if den > 1e-300 else float("nan")


def regression_metrics(observed: Any, predicted: Any) -> dict[str, float]:
    """Pearson r, Spearman rho, RMSE and n of one drug's predictions.

    Correlations are NaN when either side is constant (e.g. a constant baseline) or n < 3.

    Examples
    --------
    >>> regression_metrics([1, 2, 3, 4], [1.1, 1.9, 3.2, 3.9])["pearson"] > 0.99
    True
    """
    o = np.asarray(observed, dtype=float)
    p = np.asarray(predicted, dtype=float)
    ok = np.isfinite(o) & np.isfinite(p)
    o, p = o[ok], p[ok]
    return {
        "n": int(len(o)),
        "pearson": _pearson(o, p),
        "spearman": _pearson(stats.rankdata(o), stats.rankdata(p)) if len(o) >= 3 else float("nan"),
        "rmse": float(np.sqrt(np.mean((o - p) ** 2))) if len(o) else float("nan"),
    }


# --------------------------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------------------------
@dataclass
class CVResult:
    """Out-of-fold predictions and per-drug scores of models and baselines.

    Attributes
    ----------
    scores
        One row per drug x model: ``drug, model, kind`` (``model`` / ``baseline``), ``n,
        pearson, spearman, rmse``.
    predictions
        Out-of-fold predictions: ``sample, drug, fold, model, observed, predicted``.
    skipped
        Drugs (or drug x fold x model fits) left out, with the reason.
    params
        CV scheme, folds, models, layers, seed, wall time.
    """

    scores: pd.DataFrame
    predictions: pd.DataFrame
    skipped: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["drug", "model", "fold", "reason"]))
    params: dict[str, Any] = field(default_factory=dict)

    def wide(self, metric: str = "pearson") -> pd.DataFrame:
        """Drugs x models table of one metric."""
        return self.scores.pivot_table(index="drug", columns="model", values=metric, aggfunc="first")

    def summary(self, *, reference: str | None = None) -> pd.DataFrame:
        """Distribution of the per-drug metrics for each model and baseline.

        Parameters
        ----------
        reference
            Model to compare with in ``frac_beats_reference`` (share of drugs where this model's
            Pearson r is higher than the reference's).

        Returns
        -------
        pandas.DataFrame
            Per model: ``kind, n_drugs, median_pearson, mean_pearson, q25_pearson, q75_pearson,
            median_spearman, median_rmse, frac_beats_mean`` (share of drugs with a lower RMSE
            than the per-drug mean baseline) and ``frac_beats_reference``.
        """
        s = self.scores
        r = self.wide("pearson")
        e = self.wide("rmse")
        rows = []
        for model, grp in s.groupby("model", sort=False):
            row = {
                "model": model,
                "kind": grp["kind"].iloc[0],
                "n_drugs": int(grp["pearson"].notna().sum()),
                "median_pearson": float(grp["pearson"].median()),
                "mean_pearson": float(grp["pearson"].mean()),
                "q25_pearson": float(grp["pearson"].quantile(0.25)),
                "q75_pearson": float(grp["pearson"].quantile(0.75)),
                "median_spearman": float(grp["spearman"].median()),
                "median_rmse": float(grp["rmse"].median()),
            }
            if "mean" in e.columns and model != "mean":
                both = e[[model, "mean"]].dropna()
                row["frac_beats_mean"] = float((both[model] < both["mean"]).mean()) if len(both) else float("nan")
            else:
                row["frac_beats_mean"] = float("nan")
            if reference is not None and reference in r.columns and model != reference:
                both = r[[model, reference]].dropna()
                row["frac_beats_reference"] = float((both[model] > both[reference]).mean()) if len(both) else float("nan")
            else:
                row["frac_beats_reference"] = float("nan")
            rows.append(row)
        out = pd.DataFrame(rows)
        return out.sort_values(["kind", "median_pearson"], ascending=[False, False], kind="stable").reset_index(drop=True)

    def best_model(self) -> str:
        """Model (not baseline) with the highest median per-drug Pearson r."""
        sm = self.summary()
        sm = sm[sm["kind"] == "model"]
        if sm.empty:
            msg = "the cross-validation has no model scores (only baselines)."
            raise InputError(msg)
        return str(sm.sort_values("median_pearson", ascending=False).iloc[0]["model"])


#: Baselines a model's gain is measured against, first present wins (``sample_mean`` with ``cv='drug'``).
GAIN_BASELINES = ("drug_sample", "sample_mean")


def gain_reference(scores: pd.DataFrame) -> str | None:
    """The trivial baseline a model's gain is measured against (``None`` when no such baseline was scored)."""
    present = set(scores["model"]) if "model" in scores else set()
    return next((b for b in GAIN_BASELINES if b in present), None)


def with_baseline_gain(scores: pd.DataFrame) -> pd.DataFrame:
    """Per-drug scores with ``baseline_pearson`` (the drug + sample effects baseline's r) and ``gain_over_baseline``.

    Parameters
    ----------
    scores
        :attr:`CVResult.scores` (``drug, model, kind, ..., pearson``).

    Returns
    -------
    pandas.DataFrame
        ``scores`` plus ``baseline_pearson`` and ``gain_over_baseline`` = ``pearson - baseline_pearson``
        on every row (NaN when the drug has no baseline score; 0 on the baseline's own rows).

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"drug": ["d", "d"], "model": ["enet", "drug_sample"], "kind": ["model", "baseline"],
    ...                   "pearson": [0.5, 0.3]})
    >>> with_baseline_gain(s)["gain_over_baseline"].round(2).tolist()
    [0.2, 0.0]
    """
    ref = gain_reference(scores)
    out = scores.copy()
    if ref is None:
        out["baseline_pearson"] = np.nan
    else:
        base = scores[scores["model"] == ref].drop_duplicates("drug").set_index("drug")["pearson"]
        out["baseline_pearson"] = out["drug"].map(base).astype(float)
    out["gain_over_baseline"] = out["pearson"].astype(float) - out["baseline_pearson"]
    return out


def gain_summary(scores: pd.DataFrame) -> pd.DataFrame:
    """Per model: ``median_gain_over_baseline``, ``frac_positive_gain`` (share of drugs with a gain > 0) and ``n_gain``."""
    cols = ["median_gain_over_baseline", "frac_positive_gain", "n_gain"]
    if "gain_over_baseline" not in scores:
        return pd.DataFrame(columns=cols)
    rows = {}
    for model, g in scores.groupby("model", sort=False):
        gain = g["gain_over_baseline"].dropna()
        rows[str(model)] = [float(gain.median()) if len(gain) else np.nan,
                            float((gain > 0).mean()) if len(gain) else np.nan, int(len(gain))]
    return pd.DataFrame.from_dict(rows, orient="index", columns=cols)


# --------------------------------------------------------------------------------------------
# folds
# --------------------------------------------------------------------------------------------
def cv_folds(
    samples: Sequence[str],
    *,
    cv: str = "sample",
    groups: Any = None,
    n_splits: int = 5,
    random_state: Any = 0,
) -> pd.Series:
    """Assign each sample to a test fold (sample-blind or group-blind).

    Parameters
    ----------
    samples
        Sample IDs.
    cv
        ``"sample"``: shuffled K-fold over samples; ``"group"``: K-fold over whole groups
        (every sample of a tissue lands in the same fold).
    groups
        Group label per sample (required for ``cv="group"``); missing labels form one group
        called ``"NA"``.
    n_splits
        Number of folds.
    random_state
        Seed of the shuffling.

    Returns
    -------
    pandas.Series
        Fold number (0 .. n_splits-1) indexed by sample.

    Examples
    --------
    >>> cv_folds([f"s{i}" for i in range(10)], n_splits=5).value_counts().tolist()
    [2, 2, 2, 2, 2]
    """
    samples = pd.Index([str(s) for s in samples])
    if n_splits < 2:
        msg = f"n_splits must be at least 2, got {n_splits}."
        raise InputError(msg)
    if len(samples) < n_splits:
        msg = f"cannot make {n_splits} folds from {len(samples)} samples; lower n_splits or add samples."
        raise InputError(msg)
    fold = np.empty(len(samples), dtype=int)
    if cv == "sample":
        splitter = KFold(n_splits=n_splits, shuffle=True, random_state=random_state).split(np.zeros(len(samples)))
    elif cv == "group":
        if groups is None:
            msg = "cv='group' needs a group label per sample (e.g. group_key='tissue')."
            raise InputError(msg)
        g = pd.Series(list(groups), index=samples).astype(object).where(pd.notna(list(groups)), "NA").astype(str)
        n_groups = g.nunique()
        if n_groups < n_splits:
            msg = f"cv='group' needs at least {n_splits} groups, found {n_groups} ({', '.join(g.unique()[:5])}); lower n_splits or use cv='sample'."
            raise InputError(msg)
        splitter = GroupKFold(n_splits=n_splits, shuffle=True, random_state=random_state).split(
            np.zeros(len(samples)), groups=g.to_numpy())
    else:
        msg = f"cv must be 'sample' or 'group' for sample folds, got {cv!r}."
        raise InputError(msg)
    for k, (_, te) in enumerate(splitter):
        fold[te] = k
    return pd.Series(fold, index=samples, name="fold")


# --------------------------------------------------------------------------------------------
# worker
# --------------------------------------------------------------------------------------------
@dataclass
class _Shared:
    X: pd.DataFrame
    Y: pd.DataFrame
    fold: pd.Series  # sample folds (sample / group CV) ; empty for drug CV
    drug_fold: pd.Series  # drug folds (drug CV)
    models: dict[str, Any]
    baselines: tuple[str, ...]
    cv: str


def _baseline_preds(data: _Shared, drug: str, train: np.ndarray, test: np.ndarray,
                    train_fold: np.ndarray) -> dict[str, np.ndarray]:
    """Naive baselines for one drug's test fold (``train_fold``: every sample outside the test fold)."""
    out: dict[str, np.ndarray] = {}
    y = data.Y[drug].to_numpy()
    mu = float(np.nanmean(y[train]))
    if "mean" in data.baselines:
        out["mean"] = np.full(test.sum(), mu)
    if "drug_sample" in data.baselines:
        sd = float(np.nanstd(y[train], ddof=1))
        others = data.Y.drop(columns=[drug]).to_numpy()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            m = np.nanmean(others[train_fold], axis=0)
            s = np.nanstd(others[train_fold], axis=0, ddof=1)
            z = (others[test] - m) / np.where(s > 0, s, np.nan)
            effect = np.nanmean(z, axis=1)
        out["drug_sample"] = mu + sd * np.nan_to_num(effect, nan=0.0)
    return out


def _run_drug_fold(data: _Shared, task: tuple[str, int]) -> tuple[list[pd.DataFrame], list[dict[str, Any]]]:
    """Fit every per-drug model (and baselines) on one drug's training fold, predict its test fold."""
    drug, k = task
    y = data.Y[drug].to_numpy()
    measured = np.isfinite(y)
    fold = data.fold.to_numpy()
    train, test = measured & (fold != k), measured & (fold == k)
    frames, skipped = [], []
    if test.sum() == 0:
        return frames, skipped
    if train.sum() < 5:
        skipped.append({"drug": drug, "model": "*", "fold": k, "reason": f"{int(train.sum())} training samples"})
        return frames, skipped
    samples = data.Y.index[test]

    def _frame(model: str, pred: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame({"sample": samples, "drug": drug, "fold": k, "model": model,
                             "observed": y[test], "predicted": np.asarray(pred, dtype=float)})

    for name, pred in _baseline_preds(data, drug, train, test, fold != k).items():
        frames.append(_frame(name, pred))
    Xtr, Xte = data.X.loc[train], data.X.loc[test]
    for name, est in data.models.items():
        if isinstance(est, _MULTI_DRUG):
            continue
        try:
            fitted = clone(est).fit(Xtr, y[train])
        except InputError as e:
            skipped.append({"drug": drug, "model": name, "fold": k, "reason": str(e)})
            continue
        frames.append(_frame(name, fitted.predict(Xte)))
    return frames, skipped


def _run_pandrug_fold(data: _Shared, task: tuple[str, int]) -> tuple[list[pd.DataFrame], list[dict[str, Any]]]:
    """Fit one pan-drug model on a training fold (samples or drugs held out) and predict the test fold."""
    name, k = task
    est = data.models[name]
    frames: list[pd.DataFrame] = []
    skipped: list[dict[str, Any]] = []
    Y = data.Y
    if data.cv == "drug":
        test_drugs = data.drug_fold.index[data.drug_fold.to_numpy() == k]
        train_drugs = data.drug_fold.index[data.drug_fold.to_numpy() != k]
        try:
            fitted = clone(est).fit(data.X, Y[train_drugs])
            pred = fitted.predict(data.X, drugs=list(test_drugs))
        except InputError as e:
            return frames, [{"drug": "*", "model": name, "fold": k, "reason": str(e)}]
        base = Y[train_drugs].mean(axis=1).to_numpy() if "sample_mean" in data.baselines else None
        for d in test_drugs:
            y = Y[d].to_numpy()
            ok = np.isfinite(y)
            if not ok.any():
                continue
            common = {"sample": Y.index[ok], "drug": d, "fold": k, "observed": y[ok]}
            frames.append(pd.DataFrame({**common, "model": name, "predicted": pred[d].to_numpy()[ok]}))
            if base is not None:
                frames.append(pd.DataFrame({**common, "model": "sample_mean", "predicted": base[ok]}))
        return frames, skipped
    fold = data.fold.to_numpy()
    train, test = fold != k, fold == k
    try:
        fitted = clone(est).fit(data.X.loc[train], Y.loc[train])
    except InputError as e:
        return frames, [{"drug": "*", "model": name, "fold": k, "reason": str(e)}]
    pred = fitted.predict(data.X.loc[test])
    Yte = Y.loc[test]
    for d in pred.columns:
        y = Yte[d].to_numpy()
        ok = np.isfinite(y)
        if ok.any():
            frames.append(pd.DataFrame({"sample": Yte.index[ok], "drug": d, "fold": k, "model": name,
                                        "observed": y[ok], "predicted": pred[d].to_numpy()[ok]}))
    return frames, skipped


def _run_task(data: _Shared, task: tuple[str, str, int]) -> tuple[list[pd.DataFrame], list[dict[str, Any]]]:
    kind, key, k = task
    if kind == "pandrug":
        return _run_pandrug_fold(data, (key, k))
    return _run_drug_fold(data, (key, k))


def _run_task_item(item: tuple[Any, tuple[str, str, int]]) -> tuple[list[pd.DataFrame], list[dict[str, Any]]]:
    data, task = item
    return _run_task(data, task)


def _execute(data: _Shared, tasks: list[tuple[str, str, int]], *, n_jobs: int | None, scheduler: Any,
             quiet: bool) -> list[Any]:
    """Run the tasks locally (joblib) or on a Dask cluster (data scattered once to every worker)."""
    if scheduler is None:
        return parallel_map(partial(_run_task, data), tasks, n_jobs=n_jobs, description="cross-validation", quiet=quiet)
    try:
        from distributed import Client
    except ImportError as e:
        msg = "a Dask scheduler was given but 'distributed' is not installed: pip install 'oncoresist[dask]'."
        raise InputError(msg) from e

    own = not isinstance(scheduler, Client)
    if own:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TypeError, ValueError) as e:
            msg = f"cannot connect to the Dask scheduler at {scheduler!r}: {e}. Is it running and reachable?"
            raise InputError(msg) from e
    else:
        client = scheduler
    try:
        ref = client.scatter(data, broadcast=True, hash=False)
        return parallel_map(_run_task_item, [(ref, t) for t in tasks], scheduler=client,
                            description="cross-validation", quiet=quiet)
    finally:
        if own:
            client.close()


# --------------------------------------------------------------------------------------------
# public entry points
# --------------------------------------------------------------------------------------------
def _resolve_models(models: Any, random_state: Any) -> dict[str, Any]:
    if isinstance(models, str):
        models = [models]
    if isinstance(models, Mapping):
        out = dict(models)
    else:
        out = {}
        for m in models:
            if isinstance(m, str):
                out[m] = make_model(m, random_state=random_state)
            elif isinstance(m, tuple) and len(m) == 2:
                out[str(m[0])] = m[1]
            else:
                msg = f"models must be names ('enet'), (name, estimator) pairs or a dict, got {m!r}."
                raise InputError(msg)
    if not out:
        msg = "no models given; pass e.g. models=('enet', 'gbm')."
        raise InputError(msg)
    for name in out:
        if name in (*BASELINES, "sample_mean"):
            msg = f"model name {name!r} is reserved for a baseline; rename the model."
            raise InputError(msg)
    return out


def _aligned_tables(X: Any, Y: Any, groups: Any) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series | None]:
    """``X`` and ``Y`` on their shared samples, and ``groups`` as a Series indexed by sample name."""
    if not isinstance(X, pd.DataFrame) or not isinstance(Y, pd.DataFrame):
        msg = "X and Y must be pandas DataFrames indexed by sample (build them with tl.feature_frame / tl.response_frame)."
        raise InputError(msg)
    if groups is not None:
        groups = groups.copy() if isinstance(groups, pd.Series) else pd.Series(list(groups), index=X.index)
        groups.index = groups.index.astype(str)
    if not X.index.equals(Y.index):
        common = X.index.intersection(Y.index)
        if len(common) == 0:
            msg = f"X and Y share no sample IDs (X: {', '.join(map(str, X.index[:3]))}; Y: {', '.join(map(str, Y.index[:3]))}); index both by sample."
            raise InputError(msg)
        X, Y = X.loc[common], Y.loc[common]
    return X, Y, groups


def _checked_models(models: Any, cv: str, drug_features: pd.DataFrame | None, random_state: Any) -> dict[str, Any]:
    """The named estimators, pan-drug ones given ``drug_features``; drug-blind CV needs pan-drug models with descriptors."""
    est = _resolve_models(models, random_state)
    pandrug = [n for n, e in est.items() if isinstance(e, _MULTI_DRUG)]
    if cv == "drug" and any(not isinstance(est[n], PanDrugRegressor) for n in est):
        msg = f"cv='drug' (drug-blind) only applies to pan-drug models; remove {', '.join(n for n in est if not isinstance(est[n], PanDrugRegressor))}."
        raise InputError(msg)
    for n in [n for n in pandrug if isinstance(est[n], PanDrugRegressor)]:
        if est[n].drug_features is None and drug_features is not None:
            est[n] = clone(est[n]).set_params(drug_features=drug_features)
        if cv == "drug" and est[n].drug_features is None:
            msg = (f"drug-blind CV needs drug descriptors for the pan-drug model '{n}': pass drug_features "
                   "(drugs x descriptors) or annotate the drug layer (targets, pathway).")
            raise InputError(msg)
    return est


def untrainable_drugs(Y: pd.DataFrame, min_samples: int) -> dict[Any, str]:
    """Drug -> reason for the drugs with fewer than ``min_samples`` measured samples or no variance."""
    counts = Y.notna().sum()
    sds = Y.std()
    reasons: dict[Any, str] = {}
    for d in Y.columns:
        if counts[d] < min_samples:
            reasons[d] = f"{int(counts[d])} measured samples < min_samples={min_samples}"
        elif not sds[d] > 1e-12:
            reasons[d] = "no variance in the response"
    return reasons


def _trainable_tables(X: pd.DataFrame, Y: pd.DataFrame, min_samples: int) -> tuple[pd.DataFrame, pd.DataFrame, list[dict[str, Any]]]:
    """``X`` and ``Y`` restricted to trainable drugs and screened samples, and the skipped drugs (with a warning)."""
    reasons = untrainable_drugs(Y, min_samples)
    skipped: list[dict[str, Any]] = [{"drug": str(d), "model": "*", "fold": -1, "reason": r} for d, r in reasons.items()]
    keep = [d for d in Y.columns if d not in reasons]
    if not keep:
        msg = f"no drug has at least {min_samples} measured samples with varying response; lower min_samples or check the drug layer."
        raise InputError(msg)
    if skipped:
        shown = "; ".join(f"{s['drug']} ({s['reason']})" for s in skipped[:5])
        warnings.warn(f"{len(skipped)} drug(s) skipped: {shown}{' ...' if len(skipped) > 5 else ''}", UserWarning, stacklevel=3)
    Y = Y[keep]
    Y.columns = [str(c) for c in Y.columns]
    screened = Y.notna().any(axis=1)
    return X.loc[screened], Y.loc[screened], skipped


def _fold_plan(Y: pd.DataFrame, *, cv: str, groups: pd.Series | None, n_splits: int, baselines: Sequence[str],
               random_state: Any) -> tuple[pd.Series, pd.Series, tuple[str, ...]]:
    """Sample folds (or drug folds with ``cv='drug'``) and the baselines that apply."""
    bl = tuple(b for b in baselines if b in BASELINES)
    unknown_bl = [b for b in baselines if b not in (*BASELINES, "sample_mean")]
    if unknown_bl:
        msg = f"unknown baseline(s) {unknown_bl}; choose from {', '.join(BASELINES)}."
        raise InputError(msg)
    if cv == "drug":
        if Y.shape[1] < n_splits:
            msg = f"cv='drug' needs at least {n_splits} drugs, found {Y.shape[1]}; lower n_splits."
            raise InputError(msg)
        perm = np.random.default_rng(random_state if isinstance(random_state, int) else None).permutation(Y.shape[1])
        drug_fold = pd.Series(np.empty(Y.shape[1], dtype=int), index=Y.columns)
        drug_fold.iloc[perm] = np.arange(Y.shape[1]) % n_splits
        return pd.Series(dtype=int), drug_fold, (("sample_mean",) if baselines else ())
    fold = cv_folds(Y.index, cv=cv, groups=None if groups is None else groups.reindex(Y.index.astype(str)).to_numpy(),
                    n_splits=n_splits, random_state=random_state)
    return fold, pd.Series(dtype=int), bl


def _score_table(pred: pd.DataFrame, model_names: set[str]) -> pd.DataFrame:
    """Per (drug, model) metrics of out-of-fold predictions; ``kind`` tells models from baselines."""
    rows = []
    for (drug, model), g in pred.groupby(["drug", "model"], sort=False):
        rows.append({"drug": drug, "model": model, "kind": "model" if model in model_names else "baseline",
                     **regression_metrics(g["observed"], g["predicted"])})
    return pd.DataFrame(rows, columns=["drug", "model", "kind", "n", "pearson", "spearman", "rmse"])


def cross_validate_response(
    X: pd.DataFrame,
    Y: pd.DataFrame,
    *,
    models: Any = ("enet",),
    cv: str = "sample",
    groups: Any = None,
    n_splits: int = 5,
    baselines: Sequence[str] = BASELINES,
    min_samples: int = 20,
    drug_features: pd.DataFrame | None = None,
    random_state: Any = 0,
    n_jobs: int | None = None,
    scheduler: Any = None,
    quiet: bool = True,
) -> CVResult:
    """Cross-validate response models on a feature table and a samples x drugs response table.

    Parameters
    ----------
    X
        Samples x features (``"<layer>:<feature>"`` columns, NaN allowed).
    Y
        Samples x drugs responses (same rows as ``X``; NaN = not screened).
    models
        Model names for :func:`oncoresist.tl.make_model` (``"enet"``, ``"enet_rna"``, ``"gbm"``,
        ``"late"``, ``"pandrug"``, ...), ``(name, estimator)`` pairs or a dict name -> estimator.
    cv
        ``"sample"`` (sample-blind), ``"group"`` (group-blind, needs ``groups``) or ``"drug"``
        (drug-blind; pan-drug models only).
    groups
        Group label per sample for ``cv="group"``.
    n_splits
        Number of folds.
    baselines
        Naive baselines scored next to the models (``"mean"``, ``"drug_sample"``; with
        ``cv="drug"`` the ``"sample_mean"`` baseline is used).
    min_samples
        Drugs with fewer measured samples are skipped (listed in ``skipped``, with a warning).
    drug_features
        Drugs x descriptors for pan-drug models that have none (required with ``cv="drug"``,
        since a held-out drug can only be described by its descriptors).
    random_state
        Seed of the folds and the models.
    n_jobs, scheduler
        Local workers or a Dask scheduler address / Client (see :func:`oncoresist.parallel.parallel_map`).
    quiet
        No progress bar.

    Returns
    -------
    CVResult

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(rng.normal(size=(60, 5)), columns=[f"rna:g{i}" for i in range(5)])
    >>> Y = pd.DataFrame({"d1": X["rna:g0"] + rng.normal(0, 0.5, 60)})
    >>> res = cross_validate_response(X, Y, models=["enet"], n_jobs=1)
    >>> bool(res.summary().set_index("model").loc["enet", "median_pearson"] > 0.5)
    True
    """
    import time

    t0 = time.perf_counter()
    X, Y, groups = _aligned_tables(X, Y, groups)
    if cv not in CV_SCHEMES:
        msg = f"cv must be one of {', '.join(CV_SCHEMES)}, got {cv!r}."
        raise InputError(msg)
    est = _checked_models(models, cv, drug_features, random_state)
    pandrug = [n for n, e in est.items() if isinstance(e, _MULTI_DRUG)]
    Y = Y.astype(float)
    X = X.astype(float)
    X, Y, skipped = _trainable_tables(X, Y, min_samples)
    fold, drug_fold, bl = _fold_plan(Y, cv=cv, groups=groups, n_splits=n_splits, baselines=baselines, random_state=random_state)
    data = _Shared(X=X, Y=Y, fold=fold, drug_fold=drug_fold, models=est, baselines=bl, cv=cv)
    tasks: list[tuple[str, str, int]] = [("pandrug", n, k) for n in pandrug for k in range(n_splits)]
    if len(pandrug) < len(est) or (bl and cv != "drug"):
        tasks += [("drug", d, k) for d in Y.columns for k in range(n_splits)]
    results = _execute(data, tasks, n_jobs=n_jobs, scheduler=scheduler, quiet=quiet)
    frames = [f for fr, _ in results for f in fr]
    skipped += [s for _, sk in results for s in sk]
    pred = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["sample", "drug", "fold", "model", "observed", "predicted"])
    params = {
        "cv": cv, "n_splits": int(n_splits), "models": list(est), "baselines": list(bl),
        "random_state": random_state if isinstance(random_state, int | None) else str(random_state),
        "n_samples": int(X.shape[0]), "n_features": int(X.shape[1]), "n_drugs": int(Y.shape[1]),
        "min_samples": int(min_samples), "scheduler": None if scheduler is None else str(scheduler),
        "n_jobs": n_jobs, "wall_time_s": round(time.perf_counter() - t0, 2),
    }  # fmt: skip
    return CVResult(scores=_score_table(pred, set(est)), predictions=pred,
                    skipped=pd.DataFrame(skipped, columns=["drug", "model", "fold", "reason"]), params=params)


@doc_params(doc_drug_cohort=DOC_DRUG_COHORT)
def cross_validate_drugs(
    mdata: Any,
    *,
    drugs: Sequence[str] | None = None,
    models: Any = ("enet",),
    metric: str | None = None,
    layers: Sequence[str] | None = None,
    obs_features: Sequence[str] | None = None,
    cv: str = "sample",
    group_key: str = "tissue",
    n_splits: int = 5,
    baselines: Sequence[str] = BASELINES,
    min_samples: int = 20,
    random_state: Any = 0,
    n_jobs: int | None = None,
    scheduler: Any = None,
    quiet: bool = True,
) -> CVResult:
    """Cross-validate drug-response models on a cohort (sample-, group- or drug-blind).

    Builds the feature table of ``layers`` (:func:`feature_frame`) and the response table of
    the drug layer, then runs :func:`cross_validate_response`. The cohort is not modified.

    Parameters
    ----------
    mdata
        The cohort.
    drugs
        Drugs to evaluate (default: all).
    models
        Model names or estimators (see :func:`cross_validate_response`).
    metric
        Drug-layer matrix (``None`` = ``.X``, normalised AUC; or ``"log10_ic50"``...).
    layers
        Feature layers (default: every modality but ``drug``).
    obs_features
        Sample annotations used as features (e.g. ``("tissue",)``).
    cv
        ``"sample"``, ``"group"`` (by ``group_key``) or ``"drug"`` (pan-drug models; drug
        descriptors come from the drug layer's annotation, see :func:`drug_descriptors`).
    group_key
        ``obs`` column defining groups for ``cv="group"``.
    n_splits, baselines, min_samples, random_state, n_jobs, scheduler, quiet
        See :func:`cross_validate_response`.

    Returns
    -------
    CVResult

    Examples
    --------
    {doc_drug_cohort}
    >>> res = cross_validate_drugs(m, models=["enet"], n_jobs=1)
    >>> sorted(res.scores["model"])
    ['drug_sample', 'enet', 'mean']
    """
    names = resolve_drugs(mdata, drugs)
    Y = response_frame(mdata, metric=metric)[names]
    X = feature_frame(mdata, layers=layers, samples=Y.index, obs_features=obs_features)
    groups = obs_column(mdata, group_key).reindex(Y.index) if cv == "group" else None
    drug_feats = drug_descriptors(mdata) if cv == "drug" else None
    res = cross_validate_response(X, Y, models=models, cv=cv, groups=groups, n_splits=n_splits, baselines=baselines,
                                  min_samples=min_samples, drug_features=drug_feats, random_state=random_state,
                                  n_jobs=n_jobs, scheduler=scheduler, quiet=quiet)
    res.params.update({"layers": sorted({c.split(":", 1)[0] for c in X.columns}), "metric": metric or "X",
                       "group_key": group_key if cv == "group" else None})
    return res

"""Penalised Cox models: target checks, penalty selection, C-indices against scikit-survival, cohort wrapper."""

from __future__ import annotations

import warnings

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest

from oncoresist import InputError
from oncoresist.tl import (
    PenalizedCox,
    cross_validate_survival,
    survival,
    survival_target,
    train_survival,
)

from ._realdata import cll


def _data(n: int = 160, seed: int = 0, p: int = 8) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, p)), columns=[f"rna:g{i}" for i in range(p)],
                     index=[f"P{i:03d}" for i in range(n)])
    hazard = np.exp(1.0 * X["rna:g0"] - 0.7 * X["rna:g1"])
    t_event = rng.exponential(1 / hazard)
    t_cens = rng.uniform(0.5, 3, n)
    return X, survival_target(np.minimum(t_event, t_cens), (t_event <= t_cens).astype(int))


def test_survival_target_checks():
    y = survival_target([1.0, 2.5, 3.0], ["dead", "alive", True])
    assert y["event"].tolist() == [True, False, True]
    with pytest.raises(InputError, match="positive"):
        survival_target([0.0, 1.0], [1, 0])
    with pytest.raises(InputError, match="0/1"):
        survival_target([1.0, 2.0], [1, 2])
    with pytest.raises(InputError, match="lack a time or event"):
        survival_target([1.0, np.nan], [1, 0])


def test_penalized_cox_selects_true_features_and_scores():
    from sksurv.metrics import concordance_index_censored

    X, y = _data()
    m = PenalizedCox(l1_ratio=1.0, random_state=0).fit(X, y)
    nz = m.feature_importance()
    assert set(nz["feature"].head(2)) == {"g0", "g1"}
    assert m.coef_["rna:g0"] > 0 > m.coef_["rna:g1"]
    risk = m.predict(X)
    assert m.score(X, y) == pytest.approx(concordance_index_censored(y["event"], y["time"], risk)[0])
    assert m.cv_scores_["c_index"].max() == pytest.approx(m.cv_scores_.set_index("alpha").loc[m.alpha_, "c_index"])
    sf = m.predict_survival_function(X.iloc[:2])
    assert len(sf) == 2 and 0 <= sf[0](y["time"].min()) <= 1
    with pytest.raises(InputError, match="structured array"):
        PenalizedCox().fit(X, y["time"])
    few = y.copy()
    few["event"] = False
    few["event"][0] = True
    with pytest.raises(InputError, match="1 event"):
        PenalizedCox().fit(X, few)


def test_unpenalized_clinical_covariates_stay_in_the_model():
    # an uninformative clinical covariate that the LASSO penalty drops is kept when unpenalized
    X, y = _data(160, seed=3, p=30)
    X["obs:age"] = np.random.default_rng(3).normal(60, 10, len(X))
    lasso = PenalizedCox(l1_ratio=1.0, alpha_min_ratio=0.5, n_alphas=5, random_state=0).fit(X, y)
    assert lasso.coef_["obs:age"] == 0
    kept = PenalizedCox(l1_ratio=1.0, alpha_min_ratio=0.5, n_alphas=5, unpenalized=["obs"], random_state=0).fit(X, y)
    assert kept.coef_["obs:age"] != 0
    # at the largest penalty only the unpenalized features enter the path
    first = np.asarray(kept.model_.coef_)[:, 0]
    names = kept.preprocessor_.feature_names_out_
    assert set(names[first != 0]) <= {"obs:age"}
    assert kept.coef_["rna:g0"] > 0 > kept.coef_["rna:g1"]
    with pytest.raises(InputError, match="unpenalized feature 'obs:stage' is not among"):
        PenalizedCox(unpenalized=["obs:stage"]).fit(X, y)
    with pytest.raises(InputError, match="every feature is unpenalized"):
        PenalizedCox(unpenalized=["rna", "obs"]).fit(X, y)


def test_small_penalty_on_correlated_features_does_not_overflow():
    # 64 features in 8 tight blocks, 20 events: scikit-survival's solver overflows ("weights are too
    # large") when started cold at the smallest penalty; the final fit walks the path instead
    rng = np.random.default_rng(13)
    n, p = 147, 64
    Z = np.repeat(rng.normal(size=(n, 8)), 8, axis=1) + 0.2 * rng.normal(size=(n, p))
    t = rng.exponential(np.exp(-Z[:, 0]))
    event = np.zeros(n, bool)
    event[rng.choice(n, 20, replace=False)] = True
    X = pd.DataFrame(Z, columns=[f"drug:d{i}" for i in range(p)])
    y = survival_target(t, event)
    m = PenalizedCox(l1_ratio=0.5, random_state=0).fit(X, y)
    Zs = m.preprocessor_.transform(X)
    alphas = m.cv_scores_["alpha"].to_numpy()
    model, alpha = m._final_fit(Zs, y, alphas, len(alphas) - 1)
    assert alpha == pytest.approx(alphas[-1]) and np.isfinite(model.coef_).all()
    # predictions are the linear predictor at the chosen penalty
    assert m.alpha_ == pytest.approx(m.model_.alphas_[-1])
    assert np.allclose(m.predict(X), Zs @ np.asarray(m.model_.coef_)[:, -1])


def test_cross_validated_c_index_matches_sksurv_on_the_same_folds():
    from sklearn.model_selection import StratifiedKFold
    from sksurv.metrics import concordance_index_censored, concordance_index_ipcw

    X, y = _data(200, seed=1)
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y["event"]))
    res = cross_validate_survival(X, y, estimator=PenalizedCox(cv=3, random_state=0), folds=folds, refit=False)
    assert res.model is None and len(res.folds) == 3
    for (tr, te), (_, row) in zip(folds, res.folds.iterrows()):
        m = PenalizedCox(cv=3, random_state=0).fit(X.iloc[tr], y[tr])
        r = m.predict(X.iloc[te])
        assert row["harrell"] == pytest.approx(concordance_index_censored(y[te]["event"], y[te]["time"], r)[0])
        assert row["uno"] == pytest.approx(concordance_index_ipcw(y[tr], y[te], r, tau=row["tau"])[0])
    s = res.summary()
    assert s["harrell_mean"] > 0.7 and s["uno_mean"] > 0.65
    assert s["logrank_p"] < 1e-4
    # out-of-fold risk groups: each fold split at its training median
    assert set(res.risk["group"]) == {"high", "low"} and len(res.risk) == 200
    hi = res.risk[res.risk["group"] == "high"]
    assert hi["event"].mean() > res.risk[res.risk["group"] == "low"]["event"].mean()


def test_cohort_survival_stores_results_and_records_missing():
    X, y = _data(150, seed=2)
    ids = list(X.index)
    rna = ad.AnnData(X.to_numpy(), obs=pd.DataFrame(index=ids), var=pd.DataFrame(index=[c.split(":")[1] for c in X.columns]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        m = md.MuData({"rna": rna})
    t = pd.Series(y["time"], index=ids)
    e = pd.Series(y["event"].astype(int), index=ids)
    t.iloc[:5] = np.nan
    m.obs["os_days"] = t
    m.obs["os_event"] = e
    out = survival(m, time_key="os_days", event_key="os_event", n_splits=3, copy=True)
    assert "survival" not in m.uns
    u = out.uns["survival"]
    assert u["params"]["n_samples_without_survival"] == 5 and u["params"]["n_samples"] == 145
    assert set(u["coef"]["feature"].head(2)) == {"g0", "g1"}
    assert u["summary"]["harrell_mean"] > 0.7
    grp = out.obs["survival_risk_group"]
    assert grp.isna().sum() == 5 and set(grp.dropna()) == {"low", "high"}
    with pytest.raises(InputError, match="sample annotation 'os' not found"):
        survival(m, time_key="os")


@pytest.mark.realdata
def test_cll_overall_survival_model(shared_data):
    # Dietrich et al. 2018 cohort: 184 CLL patients with follow-up (T6, years), 26 deaths. Age and
    # IGHV status (unpenalized) + ex vivo drug response: cross-validated C-index well above chance
    m = cll(shared_data / "cll")
    model = train_survival(m, layers=["gen", "drug"], obs_features=["age"],
                           unpenalized=["obs", "gen:IGHV_unmutated"], time_key="os_years", event_key="died",
                           l1_ratio=0.5, random_state=0)
    sc = model.card["scores"]["coxnet"]
    assert sc["n"] == 184 and sc["events"] == 26
    assert sc["harrell_mean"] > 0.62 and sc["uno_mean"] > 0.6
    coef = model.estimators["__survival__"].coef_
    assert coef["obs:age"] > 0 and coef["gen:IGHV_unmutated"] > 0  # older / U-CLL: shorter survival
    pred = model.predict(m)
    assert set(pred["risk_group"]) == {"high", "low"} and np.isfinite(pred["risk"]).all()

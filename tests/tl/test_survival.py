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


# ------------------------------------------------------------------------------------------
# invalid follow-up dropped with a report, excluded samples, covariates only, claim_key
# ------------------------------------------------------------------------------------------
def _cohort_with_clinical(n: int = 150, seed: int = 5) -> md.MuData:
    """rna g0 / g1 and the clinical 'stage' (categorical) and 'age' (numeric) drive the hazard."""
    rng = np.random.default_rng(seed)
    ids = [f"P{i:03d}" for i in range(n)]
    rna = rng.normal(size=(n, 4))
    stage = rng.choice(["I", "II", "III"], n)
    age = rng.normal(60, 10, n)
    lp = 0.8 * rna[:, 0] - 0.6 * rna[:, 1] + 1.2 * (stage == "III") + 0.05 * (age - 60)
    t_event = rng.exponential(np.exp(-lp))
    t_cens = rng.uniform(0.5, 3, n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        m = md.MuData({"rna": ad.AnnData(rna, obs=pd.DataFrame(index=ids), var=pd.DataFrame(index=["g0", "g1", "g2", "g3"]))})
    m.obs["os"] = np.minimum(t_event, t_cens)
    m.obs["event"] = (t_event <= t_cens).astype(int)
    m.obs["stage"] = pd.Categorical(stage)
    m.obs["age"] = age
    return m


def test_survival_samples_gives_each_invalid_sample_its_reason():
    from oncoresist.tl import dropped_report, survival_samples

    m = _cohort_with_clinical(n=12)
    m.obs["os"] = [0.0, -2.0, np.nan, np.inf, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
    m.obs["event"] = pd.Series([1, 1, 1, 1, 2, np.nan, 1, 0, 1, 0, 1, 0], index=m.obs_names).astype(object)
    tab = survival_samples(m, time_key="os", event_key="event", exclude_samples=["P006"])
    assert tab["reason"].tolist() == ["time = 0", "negative time", "no time", "time not finite", "event not 0/1",
                                      "no event", "excluded (--exclude-samples)", "", "", "", "", ""]
    rep = dropped_report(tab, n_shown=2)
    assert rep["n_dropped"] == 7 and rep["n_kept"] == 5 and rep["by_reason"]["time = 0"] == 1
    assert rep["text"].startswith("dropped 7 of 12 samples: ") and "negative time: 1 (P001)" in rep["text"]
    with pytest.raises(InputError, match=r"1 sample\(s\) are not in the cohort: NOPE"):
        survival_samples(m, time_key="os", event_key="event", exclude_samples=["NOPE", "P001"])


def test_invalid_follow_up_is_dropped_not_an_error_and_recorded():
    m = _cohort_with_clinical()
    m.obs.loc[["P000", "P001"], "os"] = 0.0  # exactly 0: dropped too
    m.obs.loc["P002", "os"] = -1.0
    ev = m.obs["event"].astype(float)
    ev.loc["P003"] = 3.0
    m.obs["event"] = ev
    model = train_survival(m, time_key="os", event_key="event", n_splits=3, exclude_samples=["P004"])
    d = model.card["data"]["dropped"]
    assert d["n_dropped"] == 5 and model.card["data"]["n_samples"] == 145
    assert d["by_reason"] == {"time = 0": 2, "negative time": 1, "event not 0/1": 1, "excluded (--exclude-samples)": 1}
    assert d["samples"]["time = 0"] == ["P000", "P001"]
    assert not set(model.cv_predictions["sample"]) & {"P000", "P001", "P002", "P003", "P004"}
    with pytest.raises(InputError, match="not in the cohort: P999"):
        train_survival(m, time_key="os", event_key="event", n_splits=3, exclude_samples=["P999"])


def test_covariates_only_model_one_hot_and_beats_chance():
    m = _cohort_with_clinical()
    model = train_survival(m, layers=[], obs_features=["stage", "age"], time_key="os", event_key="event", n_splits=3)
    names = set(model.feature_names)
    assert names == {"obs:stage=I", "obs:stage=II", "obs:stage=III", "obs:age"}  # categorical one-hot, numeric as is
    assert model.card["scores"]["coxnet"]["harrell_mean"] > 0.6
    coef = model.estimators["__survival__"].coef_
    assert coef["obs:stage=III"] > 0
    with pytest.raises(InputError, match="no features"):
        train_survival(m, layers=[], time_key="os", event_key="event")


def test_cohort_survival_claims_its_keys_and_records_drops():
    m = _cohort_with_clinical()
    m.obs.loc["P000", "os"] = 0.0
    m.obs["survival_risk_group"] = "mine"
    with pytest.raises(InputError, match=r"obs\['survival_risk_group'\] already exists"):
        survival(m, time_key="os", event_key="event", n_splits=3)
    assert "survival" not in m.uns and set(m.obs["survival_risk_group"]) == {"mine"}
    survival(m, time_key="os", event_key="event", n_splits=3, key_added="os_model")
    p = m.uns["os_model"]["params"]
    assert p["n_samples"] == 149 and p["dropped"]["by_reason"] == {"time = 0": 1}
    assert p["unpenalized"] == [] and p["random_state"] == 0
    survival(m, time_key="os", event_key="event", n_splits=3, key_added="os_model")  # its own result: replaced
    survival(m, time_key="os", event_key="event", n_splits=3, overwrite=True)
    assert set(m.obs["survival_risk_group"].dropna()) == {"low", "high"}


@pytest.mark.slow
@pytest.mark.realdata
def test_cll_overall_survival_covariates_only_vs_omics(shared_data):
    # Dietrich et al. 2018: 184 CLL patients with follow-up (T6), 26 deaths; the 16 without T6 are
    # dropped and reported. Age and IGHV status (clinical covariates, what `train --survival
    # --layers none --covariates age,ighv` fits) predict overall survival far better than the 89
    # mutation / copy-number features alone (measured: Harrell C 0.744 vs 0.585, same folds)
    m = cll(shared_data / "cll")
    meta = pd.read_csv(shared_data / "cll" / "patmeta.csv", index_col=0)
    m.obs["ighv"] = meta["IGHV"].reindex(m.obs_names.astype(str)).astype("string").to_numpy()
    scores = {}
    for name, kw in (("covariates", {"layers": [], "obs_features": ["age", "ighv"]}), ("omics", {"layers": ["gen"]})):
        model = train_survival(m, time_key="os_years", event_key="died", l1_ratio=0.5, random_state=0, **kw)
        scores[name] = model.card["scores"]["coxnet"]
        assert model.card["data"]["dropped"]["by_reason"] == {"no time": 16}
        print(f"CLL OS, {name}: Harrell C {scores[name]['harrell_mean']:.3f}, Uno C {scores[name]['uno_mean']:.3f}")
    assert scores["covariates"]["n"] == 184 and scores["covariates"]["events"] == 26
    assert set(model.card["data"]["layers"]) == {"gen"}
    assert scores["covariates"]["harrell_mean"] > 0.68 and scores["covariates"]["uno_mean"] > 0.65
    assert scores["covariates"]["harrell_mean"] > scores["omics"]["harrell_mean"] + 0.05


def test_uno_c_truncated_at_the_80th_percentile_of_pooled_follow_up():
    from sklearn.model_selection import StratifiedKFold
    from sksurv.metrics import concordance_index_ipcw

    X, y = _data(180, seed=4)
    folds = list(StratifiedKFold(4, shuffle=True, random_state=1).split(X, y["event"]))
    res = cross_validate_survival(X, y, estimator=PenalizedCox(cv=3, random_state=0), folds=folds, refit=False)
    tau = float(np.quantile(y["time"], 0.8))  # pooled follow-up, events and censored
    assert res.params["uno_tau"] == pytest.approx(tau) and res.params["uno_tau_quantile"] == 0.8
    assert np.allclose(res.folds["tau"], tau)  # the same truncation in every fold
    for i, (tr, te) in enumerate(folds):
        risk = res.risk[res.risk["fold"] == i].set_index("sample").loc[X.index[te].astype(str), "risk"].to_numpy()
        expected = concordance_index_ipcw(y[tr], y[te], risk, tau=tau)[0]
        assert res.folds.loc[i, "uno"] == pytest.approx(expected)
    assert res.summary()["uno_mean"] > 0.65
    # another quantile is honoured; a quantile outside (0, 1] is refused with the fix
    res5 = cross_validate_survival(X, y, estimator=PenalizedCox(cv=3, random_state=0), folds=folds, refit=False,
                                   tau_quantile=0.5)
    assert res5.params["uno_tau"] == pytest.approx(float(np.quantile(y["time"], 0.5)))
    with pytest.raises(InputError, match="tau_quantile must be in"):
        cross_validate_survival(X, y, folds=folds, refit=False, tau_quantile=1.5)


def test_survival_card_records_the_uno_truncation():
    m = _cohort_with_clinical()
    model = train_survival(m, layers=[], obs_features=["stage", "age"], time_key="os", event_key="event", n_splits=3)
    cv = model.card["cv"]
    t = m.obs["os"].astype(float)
    assert cv["uno_tau_quantile"] == 0.8
    assert cv["uno_tau"] == pytest.approx(float(np.quantile(t[t > 0], 0.8)), abs=1e-4)
    assert "pooled observed follow-up" in cv["uno_tau_basis"]
    assert np.allclose(model.cv_scores["tau"], cv["uno_tau"], atol=1e-4)

"""Response models, leakage-free evaluation, baselines, saved models and prediction with missing layers."""

from __future__ import annotations

import json
import warnings

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, RegressorMixin, clone

from oncoresist import InputError
from oncoresist.tl import (
    EarlyIntegrationRegressor,
    EnsembleRegressor,
    FactorRegressor,
    LateIntegrationRegressor,
    LayerPreprocessor,
    PanDrugRegressor,
    cross_validate_drugs,
    cross_validate_response,
    cv_folds,
    feature_frame,
    load_model,
    make_model,
    regression_metrics,
    response_frame,
    train_models,
)
from oncoresist.tl.models._evaluate import gain_reference, gain_summary, with_baseline_gain


def _mudata(mods: dict[str, ad.AnnData]) -> md.MuData:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return md.MuData(mods)


def _ad(X: np.ndarray, obs: list[str], var: list[str]) -> ad.AnnData:
    return ad.AnnData(np.asarray(X, dtype=float), obs=pd.DataFrame(index=obs), var=pd.DataFrame(index=var))


def _cohort(n: int = 90, seed: int = 0, *, missing_cnv: int = 10) -> md.MuData:
    """rna g0 drives drug A, cnv c0 drives drug B, mut KRAS drives drug C, drug D is noise + 'sample effect'."""
    rng = np.random.default_rng(seed)
    ids = [f"S{i:03d}" for i in range(n)]
    rna = rng.normal(size=(n, 12))
    cnv = rng.normal(0, 0.5, size=(n, 8))
    mut = (rng.random((n, 6)) < 0.3).astype(float)
    general = rng.normal(0, 0.3, n)
    Y = np.column_stack([
        0.5 + 0.15 * rna[:, 0] + general * 0.1 + rng.normal(0, 0.05, n),
        0.5 + 0.2 * cnv[:, 0] + general * 0.1 + rng.normal(0, 0.05, n),
        0.4 + 0.3 * mut[:, 1] + general * 0.1 + rng.normal(0, 0.05, n),
        0.5 + general * 0.1 + rng.normal(0, 0.1, n),
    ])
    Y[rng.random(Y.shape) < 0.05] = np.nan
    keep = ids[missing_cnv:]
    m = _mudata({
        "rna": _ad(rna, ids, [f"g{i}" for i in range(12)]),
        "cnv": _ad(cnv[missing_cnv:], keep, [f"c{i}" for i in range(8)]),
        "mut": _ad(mut, ids, ["TP53", "KRAS", "EGFR", "PIK3CA", "BRAF", "APC"]),
        "drug": _ad(Y, ids, ["A", "B", "C", "D"]),
    })
    m.obs["tissue"] = np.array(["lung", "colon", "breast", "skin", "brain", "blood"])[np.arange(n) % 6]
    m.mod["drug"].var["targets"] = ["EGFR, ERBB2", "MET", "KRAS", "TUBB"]
    return m


FAST = {"enet": {"n_alphas": 8}, "rf": {"n_estimators": 30}, "gbm": {"n_estimators": 30}}


# ------------------------------------------------------------------------------------------
# inputs and preprocessing
# ------------------------------------------------------------------------------------------
def test_feature_frame_marks_missing_layers_and_obs_features():
    m = _cohort()
    X = feature_frame(m, obs_features=["tissue"])
    assert X.shape == (90, 12 + 8 + 6 + 6)
    assert X.loc["S000"].filter(like="cnv:").isna().all()
    assert X.loc["S050"].filter(like="cnv:").notna().all()
    assert X.filter(like="obs:tissue=").sum(axis=1).eq(1).all()
    Y = response_frame(m)
    assert list(Y.columns) == ["A", "B", "C", "D"]


def test_layer_preprocessor_filters_imputes_and_block_scales():
    rng = np.random.default_rng(1)
    X = pd.DataFrame(rng.normal(size=(40, 5)), columns=["rna:a", "rna:b", "rna:c", "cnv:a", "cnv:const"])
    X["cnv:const"] = 1.0
    X["mut:rare"] = 0.0
    X.loc[X.index[:2], "mut:rare"] = 1.0
    X["mut:ok"] = (rng.random(40) < 0.4).astype(float)
    X.loc[X.index[:30], "rna:c"] = np.nan
    pre = LayerPreprocessor(min_binary_count=3, max_missing=0.5).fit(X)
    assert list(pre.feature_names_out_) == ["rna:a", "rna:b", "cnv:a", "mut:ok"]
    assert pre.dropped_ == {"missing": 1, "constant": 1, "rare_binary": 1}
    Z = pre.transform(X)
    # every layer has the same total variance (1) after block scaling
    for lay in ("rna", "cnv", "mut"):
        cols = pre.layers_out_ == lay
        assert Z[:, cols].var(axis=0).sum() == pytest.approx(1.0)
    # a table lacking a column is an error naming it, unless missing="impute": the column is
    # aligned by name and the gap imputed with the training median
    with pytest.raises(InputError, match=r"lacks 1 of the 7 features .*rna:b"):
        pre.transform(X.drop(columns=["rna:b"]))
    Z2 = pre.set_params(missing="impute").transform(X.drop(columns=["rna:b"]))
    assert Z2[:, 1] == pytest.approx(np.full(40, (np.median(X["rna:b"]) - X["rna:b"].mean()) / X["rna:b"].std(ddof=0) / np.sqrt(2)))
    with pytest.raises(InputError, match="shares none"):
        pre.transform(pd.DataFrame({"prot:x": [1.0]}))
    with pytest.raises(InputError, match="none of the features belong"):
        LayerPreprocessor(layers=["prot"]).fit(X)


# ------------------------------------------------------------------------------------------
# estimators
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["enet", "ridge", "rf", "gbm"])
def test_early_integration_learns_the_planted_feature(kind):
    m = _cohort(120)
    X, Y = feature_frame(m), response_frame(m)
    ok = Y["A"].notna().to_numpy()
    est = EarlyIntegrationRegressor(kind, random_state=0, n_alphas=8, n_estimators=60).fit(X[ok], Y["A"][ok])
    imp = est.feature_importance()
    assert (imp.iloc[0]["layer"], imp.iloc[0]["feature"]) == ("rna", "g0")
    assert regression_metrics(Y["A"][ok], est.predict(X[ok]))["pearson"] > 0.8
    assert clone(est).get_params() == est.get_params()
    assert set(est.layers_) == {"rna", "cnv", "mut"}


def test_early_integration_screening_and_bad_targets():
    m = _cohort()
    X, Y = feature_frame(m), response_frame(m)
    ok = Y["B"].notna().to_numpy()
    est = EarlyIntegrationRegressor("enet", screen=5, random_state=0, n_alphas=8).fit(X[ok], Y["B"][ok])
    assert len(est.columns_[0]) == 5
    assert est.feature_importance().iloc[0]["feature"] == "c0"
    with pytest.raises(InputError, match="missing / infinite"):
        EarlyIntegrationRegressor().fit(X, Y["B"])
    with pytest.raises(InputError, match="no variance"):
        EarlyIntegrationRegressor().fit(X, np.ones(len(X)))
    with pytest.raises(InputError, match="unknown model"):
        EarlyIntegrationRegressor("svm").fit(X[ok], Y["B"][ok])
    with pytest.raises(InputError, match="screen must be"):
        EarlyIntegrationRegressor(screen="all").fit(X[ok], Y["B"][ok])


def test_late_integration_weights_and_missing_layer():
    m = _cohort(120)
    X, Y = feature_frame(m), response_frame(m)
    ok = Y["B"].notna().to_numpy()
    est = LateIntegrationRegressor(random_state=0).fit(X[ok], Y["B"][ok])
    assert est.weights_.idxmax() == "cnv"
    # samples without cnv (first 10) are predicted from the other layers; no NaN
    pred = est.predict(X)
    assert np.isfinite(pred).all()
    no_cnv = X.filter(like="cnv:").isna().all(axis=1).to_numpy()
    assert no_cnv.sum() == 10
    # dropping the cnv layer entirely is an error by default; with missing="impute" it changes
    # only the cnv contribution
    X_wo = X.drop(columns=[c for c in X.columns if c.startswith("cnv:")])
    with pytest.raises(InputError, match="cnv:c0"):
        est.predict(X_wo)
    assert np.allclose(est.set_params(missing="impute").predict(X_wo)[no_cnv], pred[no_cnv])
    imp = est.feature_importance()
    assert imp.iloc[0]["feature"] == "c0" and imp["importance"].sum() == pytest.approx(1.0)


def test_pandrug_model_predicts_all_drugs_and_unseen_drugs_with_descriptors():
    m = _cohort(100)
    X, Y = feature_frame(m), response_frame(m)
    est = PanDrugRegressor(n_components=8, max_iter=60, random_state=0).fit(X, Y)
    P = est.predict(X)
    assert P.shape == (100, 4) and list(P.columns) == ["A", "B", "C", "D"]
    assert regression_metrics(Y["A"], P["A"])["pearson"] > 0.5
    desc = pd.DataFrame(np.eye(4), index=list("ABCD"), columns=["t1", "t2", "t3", "t4"])
    est2 = PanDrugRegressor(n_components=8, max_iter=30, drug_features=desc, random_state=0).fit(X, Y[["A", "B", "C"]])
    assert est2.predict(X, drugs=["D"]).shape == (100, 1)
    with pytest.raises(InputError, match="not seen in training"):
        est.predict(X, drugs=["Z"])


def test_ensemble_averages_its_members():
    m = _cohort(100)
    X, Y = feature_frame(m), response_frame(m)
    ok = Y["A"].notna().to_numpy()
    est = EnsembleRegressor(random_state=0).fit(X[ok], Y["A"][ok])
    late, rf = est.estimators_
    assert isinstance(late, LateIntegrationRegressor) and rf.model == "rf"
    assert np.allclose(est.predict(X), (late.predict(X) + rf.predict(X)) / 2)
    imp = est.feature_importance()
    assert imp.iloc[0]["feature"] == "g0" and imp["importance"].sum() == pytest.approx(1.0)
    with pytest.raises(InputError, match="ensemble members"):
        EnsembleRegressor(members=("pandrug",)).fit(X[ok], Y["A"][ok])


def test_factor_regressor_uses_the_group_factor_model():
    rng = np.random.default_rng(2)
    n = 90
    Z = rng.normal(size=(n, 2))
    X = pd.DataFrame(np.column_stack([Z @ rng.normal(size=(2, 12)), Z @ rng.normal(size=(2, 8))]) + rng.normal(0, 0.5, (n, 20)),
                     columns=[f"rna:g{i}" for i in range(12)] + [f"cnv:c{i}" for i in range(8)],
                     index=[f"S{i}" for i in range(n)])
    Y = pd.DataFrame({"A": Z[:, 0], "B": Z[:, 1], "C": Z[:, 0] - Z[:, 1], "D": rng.normal(size=n)}, index=X.index)
    Y += rng.normal(0, 0.3, Y.shape)
    ok = Y["A"].notna().to_numpy()
    est = FactorRegressor(n_factors=4, max_iter=100, random_state=0).fit(X[ok], Y["A"][ok])
    pred = est.predict(X)
    assert pred.shape == (90,) and np.isfinite(pred).all()
    assert est.feature_importance()["layer"].eq("factor").all()
    # one factor model shared by all drugs
    multi = FactorRegressor(n_factors=4, max_iter=100, random_state=0).fit(X, Y)
    P = multi.predict(X)
    assert list(P.columns) == ["A", "B", "C", "D"] and P.shape == (90, 4)
    assert np.allclose(multi.factor_model_.transform(multi._kept(X)).to_numpy()[:, 0],
                       multi._factors(multi._kept(X))[:, 0])
    res = cross_validate_response(X, Y, models={"factor": FactorRegressor(n_factors=4, max_iter=50, random_state=0)},
                                  n_splits=3, n_jobs=1)
    assert set(res.scores["model"]) == {"factor", "mean", "drug_sample"}
    assert res.wide("pearson").loc["A", "factor"] > 0.8


def test_make_model_names():
    assert make_model("enet_rna").layers == ["rna"]
    assert make_model("late_rf").base == "rf"
    assert make_model("late").base == "ridge"
    assert isinstance(make_model("ensemble"), EnsembleRegressor)
    assert isinstance(make_model("pandrug"), PanDrugRegressor)
    assert isinstance(make_model("factor"), FactorRegressor)
    with pytest.raises(InputError, match="unknown model"):
        make_model("deep_net_3000")


# ------------------------------------------------------------------------------------------
# evaluation
# ------------------------------------------------------------------------------------------
_SEEN: list[set[str]] = []


class _Spy(RegressorMixin, BaseEstimator):
    """Records the training samples of every fit (runs in-process with n_jobs=1)."""

    def fit(self, X, y):  # noqa: ANN001, ANN201
        _SEEN.append(set(X.index))
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):  # noqa: ANN001, ANN201
        return np.full(len(X), self.mean_)


def test_cv_never_trains_on_test_samples_and_baselines_are_exact():
    m = _cohort()
    X, Y = feature_frame(m), response_frame(m)
    _SEEN.clear()
    res = cross_validate_response(X, Y, models={"spy": _Spy()}, n_splits=5, n_jobs=1)
    pred = res.predictions
    assert len(_SEEN) == 4 * 5
    folds = pred.drop_duplicates("sample").set_index("sample")["fold"]
    for seen in _SEEN:
        assert len({folds[s] for s in seen if s in folds.index}) == 4  # four training folds, never the test one
    # the mean baseline is the training mean of the drug; the spy is the same predictor
    a = pred[pred["drug"] == "A"].pivot_table(index="sample", columns="model", values="predicted")
    assert np.allclose(a["mean"], a["spy"])
    for k in range(5):
        train = Y.index[(folds.reindex(Y.index) != k).to_numpy()]
        fold_pred = pred[(pred["drug"] == "A") & (pred["fold"] == k) & (pred["model"] == "mean")]["predicted"]
        assert np.allclose(fold_pred, Y.loc[train, "A"].mean())
    # drug + sample effects: drug mean + sd * the sample's mean z-score on the other drugs
    s = pred[(pred["drug"] == "D") & (pred["model"] == "drug_sample")].iloc[0]
    k, sample = s["fold"], s["sample"]
    train = Y.index[(folds.reindex(Y.index) != k).to_numpy()]
    z = [(Y.loc[sample, d] - Y.loc[train, d].mean()) / Y.loc[train, d].std() for d in "ABC" if np.isfinite(Y.loc[sample, d])]
    expected = Y.loc[train, "D"].mean() + Y.loc[train, "D"].std() * np.mean(z)
    assert s["predicted"] == pytest.approx(expected)
    # the constant-per-fold mean baseline has no meaningful correlation but a defined RMSE
    sm = res.summary().set_index("model")
    assert sm.loc["mean", "kind"] == "baseline" and np.isfinite(sm.loc["mean", "median_rmse"])


def test_cv_models_beat_mean_baseline_and_summary():
    m = _cohort(120)
    res = cross_validate_drugs(m, drugs=["A", "B", "C"], models=["enet", "enet_rna"], n_jobs=1)
    sm = res.summary(reference="enet_rna").set_index("model")
    assert sm.loc["enet", "frac_beats_mean"] == 1.0
    assert sm.loc["enet", "median_pearson"] > 0.7
    wide = res.wide("pearson")
    assert wide.loc["B", "enet"] > wide.loc["B", "enet_rna"] + 0.3  # drug B needs the cnv layer
    assert res.best_model() == "enet"
    assert res.params["cv"] == "sample" and res.params["n_drugs"] == 3


def test_group_cv_keeps_groups_together():
    m = _cohort()
    folds = cv_folds(m.obs_names, cv="group", groups=m.obs["tissue"], n_splits=3)
    per_group = pd.DataFrame({"fold": folds, "tissue": m.obs["tissue"].to_numpy()}).groupby("tissue")["fold"].nunique()
    assert (per_group == 1).all()
    res = cross_validate_drugs(m, drugs=["A"], models={"enet": make_model("enet", n_alphas=8)}, cv="group",
                               n_splits=3, n_jobs=1)
    assert res.params["group_key"] == "tissue"
    with pytest.raises(InputError, match="at least 7 groups"):
        cv_folds(m.obs_names, cv="group", groups=m.obs["tissue"], n_splits=7)


def test_drug_blind_cv_for_pandrug_models():
    m = _cohort(80)
    res = cross_validate_drugs(m, models={"pandrug": PanDrugRegressor(n_components=5, max_iter=30, random_state=0)},
                               cv="drug", n_splits=2, n_jobs=1)
    assert set(res.scores["model"]) == {"pandrug", "sample_mean"}
    assert res.scores["drug"].nunique() == 4
    with pytest.raises(InputError, match="only applies to pan-drug"):
        cross_validate_drugs(m, models=["enet"], cv="drug", n_jobs=1)
    X, Y = feature_frame(m), response_frame(m)
    with pytest.raises(InputError, match="needs drug descriptors"):
        cross_validate_response(X, Y, models=["pandrug"], cv="drug", n_jobs=1)


def test_cv_skips_drugs_with_too_few_samples():
    m = _cohort()
    Y = response_frame(m)
    Y["rare"] = np.nan
    Y.iloc[:5, -1] = [0.1, 0.2, 0.3, 0.4, 0.5]
    X = feature_frame(m)
    with pytest.warns(UserWarning, match="1 drug\\(s\\) skipped: rare"):
        res = cross_validate_response(X, Y, models={"enet": make_model("enet", n_alphas=8)}, n_jobs=1)
    assert "rare" in set(res.skipped["drug"]) and "rare" not in set(res.scores["drug"])
    with pytest.raises(InputError, match="no drug has at least"):
        cross_validate_response(X, Y[["rare"]], models=["enet"], n_jobs=1)


def test_cv_dask_cluster_matches_local():
    distributed = pytest.importorskip("distributed")
    m = _cohort()
    models = {"enet": make_model("enet", n_alphas=8, random_state=0)}
    local = cross_validate_drugs(m, drugs=["A", "B"], models=models, n_jobs=1)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        remote = cross_validate_drugs(m, drugs=["A", "B"], models=models, scheduler=client)
    key = ["drug", "model"]
    pd.testing.assert_frame_equal(local.scores.sort_values(key).reset_index(drop=True),
                                  remote.scores.sort_values(key).reset_index(drop=True))


# ------------------------------------------------------------------------------------------
# saved models
# ------------------------------------------------------------------------------------------
def test_train_save_load_predict_with_missing_layer(tmp_path):
    m = _cohort(80)
    with pytest.warns(UserWarning, match="not trained"):
        Y = m.mod["drug"].X.copy()
        Y[:, 3] = np.nan
        Y[:8, 3] = np.arange(8)
        m.mod["drug"].X = Y
        models = train_models(m, model="late", n_jobs=1, source="toy.h5mu")
    assert models.drugs == ["A", "B", "C"]
    assert "D" in models.card["skipped"]
    path = models.save(tmp_path / "model")
    card = json.loads((path / "model_card.json").read_text())
    assert card["model"]["name"] == "late" and card["cv"]["cv"] == "sample"
    assert set(card["scores"]) == {"late", "mean", "drug_sample"}
    assert card["scores"]["late"]["frac_beats_mean"] == 1.0
    assert card["versions"]["scikit-learn"]
    assert "Cross-validated scores" in (path / "model_card.md").read_text()
    feats = pd.read_csv(path / "features.csv")
    assert feats[feats["drug"] == "B"].iloc[0]["feature"] == "c0"
    # a new patient without the cnv layer, and one missing half of its rna features
    loaded = load_model(path)
    ids = ["P1", "P2"]
    rng = np.random.default_rng(5)
    rna = rng.normal(size=(2, 12))
    rna[1, :6] = np.nan
    new = _mudata({"rna": _ad(rna, ids, [f"g{i}" for i in range(12)]),
                   "mut": _ad(np.zeros((2, 6)), ids, ["TP53", "KRAS", "EGFR", "PIK3CA", "BRAF", "APC"])})
    pred = loaded.predict(new)
    assert len(pred) == 6 and np.isfinite(pred["predicted"]).all()
    by = pred.set_index(["sample", "drug"])
    # drug B's stacked model relies mostly on the cnv layer: without it, its contribution is dropped
    est_b = loaded.estimators["B"]
    assert est_b.weights_.idxmax() == "cnv"
    assert "cnv" in by.loc[("P1", "B"), "layers_missing"]
    assert "dropped" in by.loc[("P1", "B"), "note"] or "training mean" in by.loc[("P1", "B"), "note"]
    others = [lay for lay in est_b.layer_models_ if lay != "cnv" and est_b.weights_[lay] > 0]
    X_new = feature_frame(new).reindex(columns=loaded.feature_names)
    expected = est_b.intercept_ + sum(est_b.weights_[lay] * (est_b.layer_models_[lay].predict(
        X_new.loc[["P1"], [c for c in X_new.columns if c.startswith(lay + ":")]])[0] - est_b.intercept_) for lay in others)
    assert by.loc[("P1", "B"), "predicted"] == pytest.approx(expected)
    # drug A relies on rna: P1 has it all, P2 half of it (imputed)
    assert "rna" in by.loc[("P1", "A"), "layers_used"] and by.loc[("P1", "A"), "frac_features_used"] > 0
    assert by.loc[("P2", "A"), "n_features_used"] < by.loc[("P1", "A"), "n_features_used"]
    assert np.allclose(pred.set_index(["sample", "drug"])["predicted"],
                       models.predict(new).set_index(["sample", "drug"])["predicted"])
    # features that match nothing: a clear error
    bad = _mudata({"rna": _ad(np.ones((1, 2)), ["P9"], ["XX1", "XX2"])})
    with pytest.raises(InputError, match="share none of the model's"):
        loaded.predict(bad)
    with pytest.raises(InputError, match="none of the model's layers"):
        loaded.predict(_mudata({"prot": _ad(np.ones((1, 1)), ["P9"], ["g0"])}))
    with pytest.raises(InputError, match="has no drug"):
        loaded.predict(new, drugs=["Z"])


def test_early_model_imputes_missing_features_and_refuses_foreign_folder(tmp_path):
    m = _cohort(80)
    models = train_models(m, drugs=["A"], model=make_model("enet", n_alphas=8), evaluate=False, n_jobs=1)
    assert models.card["cv"] == {"cv": None}
    X = feature_frame(m).iloc[:3].copy()
    X[[c for c in X.columns if c.startswith("rna:")]] = np.nan
    pred = models.predict(X)
    assert "rna" in pred.iloc[0]["layers_missing"] and "imputed" in pred.iloc[0]["note"]
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "keep.txt").write_text("mine")
    with pytest.raises(InputError, match="not a model folder"):
        models.save(tmp_path / "notes")
    assert (tmp_path / "notes" / "keep.txt").read_text() == "mine"
    models.save(tmp_path / "m1")
    models.save(tmp_path / "m1")  # replacing an existing model folder works
    assert sorted(p.name for p in (tmp_path / "m1").iterdir()) == [
        "cv_scores.csv", "features.csv", "model.joblib", "model_card.json", "model_card.md"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folders left
    with pytest.raises(InputError, match="not a model folder"):
        load_model(tmp_path / "notes")


def test_train_pandrug_and_errors(tmp_path):
    m = _cohort(80)
    models = train_models(m, model=PanDrugRegressor(n_components=5, max_iter=30, random_state=0), evaluate=False, n_jobs=1)
    pred = models.save(tmp_path / "pan") and load_model(tmp_path / "pan").predict(m)
    assert set(pred["drug"]) == {"A", "B", "C", "D"}
    with pytest.raises(InputError, match="no drug can be trained"):
        train_models(m, drugs=["A"], min_samples=1000, n_jobs=1)


def test_predict_one_hot_levels_a_new_sample_lacks_are_zero_not_missing():
    m = _cohort(80)
    models = train_models(m, drugs=["A"], model=make_model("ridge"), obs_features=["tissue"], evaluate=False, n_jobs=1)
    assert "obs:tissue=lung" in models.feature_names
    ids = ["N1", "N2"]
    rng = np.random.default_rng(1)
    new = _mudata({"rna": _ad(rng.normal(size=(2, 12)), ids, [f"g{i}" for i in range(12)]),
                   "cnv": _ad(rng.normal(size=(2, 8)), ids, [f"c{i}" for i in range(8)]),
                   "mut": _ad(np.zeros((2, 6)), ids, ["TP53", "KRAS", "EGFR", "PIK3CA", "BRAF", "APC"])})
    new.obs["tissue"] = ["lung", None]
    X = models._features_of(new)
    tissue_cols = [c for c in models.feature_names if c.startswith("obs:tissue=")]
    assert X.loc["N1", tissue_cols].to_dict() == {c: float(c.endswith("=lung")) for c in tissue_cols}
    assert X.loc["N2", tissue_cols].isna().all()  # tissue unknown: missing, imputed
    pred = models.predict(new).set_index("sample")
    assert pred.loc["N1", "note"] == "" and "missing" in pred.loc["N2", "note"]


def test_late_integration_single_layer_and_no_useful_layer():
    rng = np.random.default_rng(3)
    X = pd.DataFrame(rng.normal(size=(60, 5)), columns=[f"rna:g{i}" for i in range(5)])
    y = rng.normal(size=60)  # no signal: stacking alone would predict a constant
    one = LateIntegrationRegressor(random_state=0).fit(X, y)
    assert one.weights_.to_dict() == {"rna": 1.0}
    assert np.allclose(one.predict(X), one.layer_models_["rna"].predict(X))
    X2 = X.join(pd.DataFrame(rng.normal(size=(60, 4)), columns=[f"cnv:c{i}" for i in range(4)]))
    two = LateIntegrationRegressor(random_state=0).fit(X2, y)
    assert (two.weights_ > 0).any() and np.ptp(two.predict(X2)) > 0


# ------------------------------------------------------------------------------------------
# gain over the drug + sample effects baseline (issue 18)
# ------------------------------------------------------------------------------------------

def test_gain_is_model_r_minus_drug_sample_r_hand_computed():
    s = pd.DataFrame({
        "drug": ["a", "a", "a", "b", "b", "b", "c"],
        "model": ["enet", "mean", "drug_sample", "enet", "mean", "drug_sample", "enet"],
        "kind": ["model", "baseline", "baseline"] * 2 + ["model"],
        "pearson": [0.6, np.nan, 0.2, 0.1, np.nan, 0.4, 0.9],
    })
    g = with_baseline_gain(s)
    assert list(s.columns) == list(g.columns[:4])  # input columns kept, in order
    enet = g[g["model"] == "enet"].set_index("drug")
    assert enet["baseline_pearson"].tolist()[:2] == [0.2, 0.4]
    assert enet.loc["a", "gain_over_baseline"] == pytest.approx(0.4)
    assert enet.loc["b", "gain_over_baseline"] == pytest.approx(-0.3)
    assert np.isnan(enet.loc["c", "gain_over_baseline"])  # drug c has no baseline score
    assert (g.loc[g["model"] == "drug_sample", "gain_over_baseline"] == 0).all()
    summ = gain_summary(g)
    assert summ.loc["enet", "frac_positive_gain"] == pytest.approx(0.5)  # a gains, b loses, c unknown
    assert summ.loc["enet", "median_gain_over_baseline"] == pytest.approx(0.05)
    assert summ.loc["enet", "n_gain"] == 2
    assert np.isnan(summ.loc["mean", "frac_positive_gain"])


def test_gain_reference_falls_back_to_sample_mean_and_none():
    s = pd.DataFrame({"drug": ["a", "a"], "model": ["pandrug", "sample_mean"], "kind": ["model", "baseline"],
                      "pearson": [0.5, 0.7]})
    assert gain_reference(s) == "sample_mean"
    assert with_baseline_gain(s)["gain_over_baseline"].iloc[0] == pytest.approx(-0.2)
    only = s[s["model"] == "pandrug"]
    assert gain_reference(only) is None
    assert with_baseline_gain(only)["gain_over_baseline"].isna().all()


def test_train_writes_per_drug_gain_and_share_positive(tmp_path):
    m = _cohort(80)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        models = train_models(m, model="late", n_jobs=1, random_state=0)
    path = models.save(tmp_path / "model")
    sc = pd.read_csv(path / "cv_scores.csv")
    assert {"baseline_pearson", "gain_over_baseline"} <= set(sc.columns)
    pred = models.cv_predictions
    model_rows = sc[sc["model"] == "late"].set_index("drug")
    for d in ["A", "B", "C", "D"]:
        base = pred[(pred["drug"] == d) & (pred["model"] == "drug_sample")]
        mod = pred[(pred["drug"] == d) & (pred["model"] == "late")]
        r_base = np.corrcoef(base["observed"], base["predicted"])[0, 1]
        r_mod = np.corrcoef(mod["observed"], mod["predicted"])[0, 1]
        assert model_rows.loc[d, "baseline_pearson"] == pytest.approx(r_base, abs=1e-9)
        assert model_rows.loc[d, "gain_over_baseline"] == pytest.approx(r_mod - r_base, abs=1e-9)
    gains = model_rows["gain_over_baseline"]
    # A, B, C are driven by one feature each: the model beats the sample-effect baseline; D is sample effect + noise
    assert (gains[["A", "B", "C"]] > 0.2).all()
    assert gains["D"] < gains[["A", "B", "C"]].min()
    card = json.loads((path / "model_card.json").read_text())
    assert card["cv"]["gain_baseline"] == "drug_sample"
    assert card["scores"]["late"]["frac_positive_gain"] == pytest.approx(float((gains > 0).mean()), abs=1e-4)
    assert card["scores"]["late"]["median_gain_over_baseline"] == pytest.approx(float(gains.median()), abs=1e-4)
    assert card["drugs"]["A"]["gain_over_baseline"] == pytest.approx(gains["A"], abs=1e-4)
    assert card["drugs"]["A"]["baseline_pearson"] == pytest.approx(model_rows.loc["A", "baseline_pearson"], abs=1e-4)
    md_text = (path / "model_card.md").read_text()
    assert "drugs with gain > 0" in md_text and "median gain in r over drug_sample" in md_text


def test_train_without_cv_has_no_gain():
    m = _cohort(60)
    models = train_models(m, drugs=["A"], model="enet", evaluate=False, n_jobs=1)
    assert models.card["cv"] == {"cv": None} and models.card["scores"] == {}
    assert "gain_over_baseline" not in models.card["drugs"]["A"]

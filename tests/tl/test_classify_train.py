"""Cross-validated training of multi-omics classifiers (``tl.models._classify_train``) and damaged model folders."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    precision_recall_fscore_support,
)

from oncoresist._core._errors import InputError
from oncoresist.tl import load_model
from oncoresist.tl.models._classify import EarlyIntegrationClassifier
from oncoresist.tl.models._classify_train import (
    classification_data,
    classification_metrics,
    cross_validate_classifier,
    train_classifier,
)


def _cohort(n: int = 60, *, seed: int = 0, effect: float = 1.5, classes: tuple[str, ...] = ("A", "B", "C")) -> md.MuData:
    """Two layers (rna 30 genes, meth 20 CpGs); the class shifts rna g0-g2 and meth c0-c1."""
    rng = np.random.default_rng(seed)
    y = np.array([classes[i % len(classes)] for i in range(n)], dtype=object)
    code = np.array([classes.index(c) for c in y], dtype=float)
    rna = rng.normal(size=(n, 30))
    rna[:, :3] += effect * code[:, None]
    meth = rng.normal(size=(n, 20))
    meth[:, :2] -= effect * code[:, None]
    idx = [f"P{i:03d}" for i in range(n)]

    def layer(x: np.ndarray, prefix: str) -> ad.AnnData:
        return ad.AnnData(x, obs=pd.DataFrame(index=idx), var=pd.DataFrame(index=[f"{prefix}{j}" for j in range(x.shape[1])]))

    m = md.MuData({"rna": layer(rna, "g"), "meth": layer(meth, "c")})
    m.obs["subtype"] = y
    return m


# --- metrics against scikit-learn --------------------------------------------------------------
def test_metrics_by_hand_and_against_sklearn() -> None:
    obs = ["a", "a", "a", "b", "b", "c"]
    pred = ["a", "a", "b", "b", "b", "a"]
    m = classification_metrics(obs, pred)
    # by hand: recall a 2/3, b 2/2, c 0/1 -> balanced accuracy 5/9; precision a 2/3, b 2/3, c 0 (never predicted)
    assert m["balanced_accuracy"] == pytest.approx(5 / 9)
    assert m["balanced_error"] == pytest.approx(4 / 9)
    assert m["accuracy"] == pytest.approx(4 / 6)
    assert (m["recall_a"], m["recall_b"], m["recall_c"]) == pytest.approx((2 / 3, 1.0, 0.0))
    assert (m["precision_a"], m["precision_b"], m["precision_c"]) == pytest.approx((2 / 3, 2 / 3, 0.0))
    assert m["f1_b"] == pytest.approx(0.8) and m["f1_c"] == 0.0
    assert (m["support_a"], m["support_b"], m["support_c"], m["n"]) == (3, 2, 1, 6)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_metrics_match_sklearn_on_random_labels(seed: int) -> None:
    rng = np.random.default_rng(seed)
    obs = rng.choice(["x", "y", "z", "w"], size=50, p=[0.4, 0.3, 0.2, 0.1])
    pred = rng.choice(["x", "y", "z"], size=50)  # "w" never predicted
    m = classification_metrics(obs, pred)
    assert m["balanced_accuracy"] == pytest.approx(balanced_accuracy_score(obs, pred))
    assert m["accuracy"] == pytest.approx(accuracy_score(obs, pred))
    assert m["macro_f1"] == pytest.approx(f1_score(obs, pred, average="macro", zero_division=0))
    labels = ["w", "x", "y", "z"]
    p, r, f, s = precision_recall_fscore_support(obs, pred, labels=labels, zero_division=0)
    for i, c in enumerate(labels):
        assert (m[f"precision_{c}"], m[f"recall_{c}"], m[f"f1_{c}"], m[f"support_{c}"]) == pytest.approx((p[i], r[i], f[i], s[i]))


def test_metrics_class_only_predicted_counts_in_f1_not_in_balanced_accuracy() -> None:
    obs, pred = ["a", "a", "b", "b"], ["a", "q", "b", "b"]
    m = classification_metrics(obs, pred)
    with pytest.warns(UserWarning, match="y_pred contains classes not in y_true"):
        ref = balanced_accuracy_score(obs, pred)
    assert m["balanced_accuracy"] == pytest.approx(ref) == 0.75
    assert m["macro_f1"] == pytest.approx(f1_score(obs, pred, average="macro", zero_division=0))
    assert np.isnan(m["recall_q"]) and m["support_q"] == 0


def test_metrics_bad_input() -> None:
    with pytest.raises(InputError, match="equal length"):
        classification_metrics(["a", "b"], ["a"])
    with pytest.raises(InputError, match="non-empty"):
        classification_metrics([], [])


# --- cross-validation: folds, no leakage, baselines ----------------------------------------------
class _Spy(ClassifierMixin, BaseEstimator):
    """Records the samples each fitted copy saw and predicts the training class frequencies."""

    seen: ClassVar[list[list[str]]] = []

    def fit(self, X: pd.DataFrame, y: np.ndarray) -> _Spy:
        _Spy.seen.append(list(X.index.astype(str)))
        self.classes_ = np.unique(y)
        self.freq_ = np.array([np.mean(y == c) for c in self.classes_])
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return np.tile(self.freq_, (len(X), 1))


def _xy(m: md.MuData) -> tuple[pd.DataFrame, np.ndarray]:
    X, y, _ = classification_data(m, target="subtype")
    return X, y


def test_cv_test_samples_are_never_in_the_training_fold() -> None:
    X, y = _xy(_cohort(45))
    _Spy.seen.clear()
    res = cross_validate_classifier(X, y, models={"spy": _Spy()}, baselines=False, n_splits=5)
    pred = res.predictions
    assert len(_Spy.seen) == 5
    for fold, trained_on in enumerate(_Spy.seen):
        tested = set(pred.loc[pred["fold"] == fold, "sample"])
        assert tested and not tested & set(trained_on)
        assert tested | set(trained_on) == set(X.index)
    assert pred["sample"].value_counts().eq(1).all() and len(pred) == 45  # each sample predicted once
    # stratified: every test fold holds each class 3 times (45 = 5 folds x 3 classes x 3)
    assert pred.groupby("fold")["observed"].value_counts().eq(3).all()


def _noise(seed: int = 3) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(40, 2000)), index=[f"s{i}" for i in range(40)],
                     columns=[f"rna:g{j}" for j in range(2000)])
    return X, np.repeat(["r", "s"], 20)


def test_feature_screening_inside_folds_keeps_noise_at_chance() -> None:
    X, y = _noise()
    res = cross_validate_classifier(X, y, models={"early": EarlyIntegrationClassifier(screen=10, C=1.0, random_state=0)},
                                    baselines=False, n_splits=4)
    honest = float(res.metrics.loc[0, "balanced_accuracy"])
    assert honest < 0.75
    # the same screening done once on all samples before CV (leakage) looks far better on pure noise:
    # this is what the test would catch if preprocessing escaped the folds
    Xb, yb = X.to_numpy(), (y == "s").astype(float)
    f = np.abs(((Xb - Xb.mean(0)) * (yb - yb.mean())[:, None]).sum(0))
    leaky = X.iloc[:, np.argsort(f)[-10:]]
    res_leaky = cross_validate_classifier(leaky, y, models={"early": EarlyIntegrationClassifier(screen=None, C=1.0,
                                                                                                random_state=0)},
                                          baselines=False, n_splits=4)
    assert float(res_leaky.metrics.loc[0, "balanced_accuracy"]) > honest + 0.2


def test_baselines_are_reported_and_the_model_beats_the_majority_class() -> None:
    m = _cohort(60, classes=("A", "B"))
    m.obs.loc[m.obs_names[:10], "subtype"] = "B"  # imbalanced 25 A / 35 B
    X, y = _xy(m)
    res = cross_validate_classifier(X, y, models={"early": EarlyIntegrationClassifier(C=1.0, random_state=0)}, n_splits=5)
    met = res.metrics.set_index("model")
    assert set(met.index) == {"early", "majority", "logistic_meth", "logistic_rna"}
    assert (met.loc[["majority", "logistic_meth", "logistic_rna"], "kind"] == "baseline").all()
    assert met.loc["early", "kind"] == "model"
    # the majority class is always predicted: recall 1 for B, 0 for A -> balanced accuracy 0.5, accuracy 35/60
    assert met.loc["majority", "balanced_accuracy"] == pytest.approx(0.5)
    assert met.loc["majority", "accuracy"] == pytest.approx(35 / 60)
    assert met.loc["early", "balanced_accuracy"] > 0.8
    for c in ("balanced_accuracy", "balanced_error", "accuracy", "macro_f1", "n", "n_folds", "recall_A", "f1_B"):
        assert c in met.columns
    conf = res.confusion[res.confusion["model"] == "majority"].set_index("observed")
    assert conf.loc["A", "B"] == 25 and conf.loc["B", "B"] == 35 and conf["A"].sum() == 0


# --- labels ----------------------------------------------------------------------------------------
def test_unlabelled_samples_are_dropped_with_a_warning_giving_how_many() -> None:
    m = _cohort(30)
    m.obs.loc[m.obs_names[[0, 5, 9]], "subtype"] = np.nan
    m.obs.loc[m.obs_names[12], "subtype"] = "  "
    with pytest.warns(UserWarning, match=r"4 sample\(s\) have no 'subtype' label and are left out: P000, P005, P009, P012"):
        X, y, rep = classification_data(m, target="subtype")
    assert X.shape[0] == len(y) == 26 and rep["n_unlabelled"] == 4
    assert "P005" not in X.index and set(y) == {"A", "B", "C"}


def test_integral_numeric_labels_become_plain_strings() -> None:
    m = _cohort(30, classes=("A", "B"))
    m.obs["flag"] = (m.obs["subtype"] == "B").astype(float)
    _, y, _ = classification_data(m, target="flag")
    assert set(y) == {"0", "1"}


def test_a_class_with_one_sample_is_a_clear_error() -> None:
    m = _cohort(30)
    m.obs.loc[m.obs_names[3], "subtype"] = "rare"
    with pytest.raises(InputError, match=r"obs\['subtype'\] class\(es\) 'rare' \(1 sample\) have fewer than 2 samples"):
        classification_data(m, target="subtype")


def test_single_class_and_too_few_labels_are_errors() -> None:
    m = _cohort(12)
    m.obs["one"] = "x"
    with pytest.raises(InputError, match="single class"):
        classification_data(m, target="one")
    m.obs["few"] = ["a", "b"] * 2 + [np.nan] * 8
    with pytest.warns(UserWarning, match="8 sample"), pytest.raises(InputError, match="only 4 samples have a 'few' label"):
        classification_data(m, target="few")
    with pytest.raises(InputError, match="not found"):
        classification_data(m, target="nope")


# --- training, saving, predicting ------------------------------------------------------------------
def test_train_save_load_and_predict_samples_lacking_a_layer(tmp_path: Path) -> None:
    m = _cohort(60)
    clf = train_classifier(m, target="subtype", model="late", n_splits=3)
    assert clf.task == "classify" and clf.classes == ["A", "B", "C"]
    met = clf.tables["classification_metrics"].set_index("model")
    assert met.loc["late", "balanced_accuracy"] > met.loc["majority", "balanced_accuracy"] + 0.3
    pred = clf.tables["predictions"]
    assert list(pred.columns) == ["sample", "observed", "predicted", "p_A", "p_B", "p_C", "fold"]
    assert np.allclose(pred[["p_A", "p_B", "p_C"]].sum(axis=1), 1.0)
    conf = clf.tables["confusion_matrix"]
    assert int(conf[conf["model"] == "late"][["A", "B", "C"]].to_numpy().sum()) == 60
    path = clf.save(tmp_path / "clf")
    for f in ("classification_metrics.csv", "confusion_matrix.csv", "predictions.csv", "model_card.md", "features.csv"):
        assert (path / f).exists()
    assert "balanced accuracy" in (path / "model_card.md").read_text()
    back = load_model(path)
    new = _cohort(9, seed=5)
    only_rna = md.MuData({"rna": new["rna"].copy()})
    out = back.predict(only_rna)
    assert list(out.columns[:5]) == ["sample", "predicted", "p_A", "p_B", "p_C"]
    assert (out["layers_used"] == "rna").all() and (out["layers_missing"] == "meth").all()
    assert out["note"].str.contains("averaged over the layers present").all()
    full = back.predict(new)
    assert (full["layers_used"] == "meth,rna").all()
    assert (full["predicted"] == new.obs["subtype"].to_numpy()).mean() > 0.6


# --- damaged model folders ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    m = _cohort(30, classes=("A", "B"))
    return train_classifier(m, target="subtype", model="early", n_splits=3).save(tmp_path_factory.mktemp("m") / "clf")


def _copy(src: Path, dst: Path) -> Path:
    import shutil

    return Path(shutil.copytree(src, dst))


def test_truncated_model_file_is_an_input_error_naming_it(saved: Path, tmp_path: Path) -> None:
    d = _copy(saved, tmp_path / "t")
    blob = (d / "model.joblib").read_bytes()
    (d / "model.joblib").write_bytes(blob[: len(blob) // 2])
    with pytest.raises(InputError, match=r"model\.joblib' cannot be read .*damaged"):
        load_model(d)


def test_not_a_model_file_is_an_input_error_naming_it(saved: Path, tmp_path: Path) -> None:
    import joblib

    d = _copy(saved, tmp_path / "n")
    (d / "model.joblib").write_text("sample,predicted\nP1,A\n")
    with pytest.raises(InputError, match=r"model\.joblib' cannot be read"):
        load_model(d)
    joblib.dump([1, 2, 3], d / "model.joblib")
    with pytest.raises(InputError, match=r"model\.joblib' has an unknown format"):
        load_model(d)
    joblib.dump({"format_version": load_model(saved).card["format_version"], "estimators": {"x": 1}, "feature_names": []},
                d / "model.joblib")
    with pytest.raises(InputError, match=r"does not hold the estimators of this classify model card"):
        load_model(d)


def test_damaged_card_and_tables_are_input_errors_naming_them(saved: Path, tmp_path: Path) -> None:
    d = _copy(saved, tmp_path / "c")
    (d / "model_card.json").write_text('{"format_version": ')
    with pytest.raises(InputError, match=r"model_card\.json' is not valid JSON"):
        load_model(d)
    (d / "model_card.json").write_text("[1, 2]")
    with pytest.raises(InputError, match="not a JSON object"):
        load_model(d)
    d2 = _copy(saved, tmp_path / "c2")
    (d2 / "predictions.csv").write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(InputError, match=r"predictions\.csv' cannot be read"):
        load_model(d2)
    with pytest.raises(InputError, match="is not a model folder"):
        load_model(tmp_path / "absent")


def test_inner_cv_logistic_fits_without_future_warnings() -> None:
    """scikit-learn's announced default changes (LogisticRegressionCV) are set explicitly: users see no FutureWarning."""
    import warnings

    from oncoresist.tl.models._classify import _fit_logistic

    rng = np.random.default_rng(0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _fit_logistic(rng.normal(size=(30, 4)), np.repeat(["a", "b"], 15), random_state=0)
    assert not [w for w in caught if issubclass(w.category, FutureWarning)]


def test_excluded_samples_are_left_out_and_unknown_ids_are_an_error() -> None:
    m = _cohort(30)
    X, y, rep = classification_data(m, target="subtype", exclude_samples=["P001", "P002"])
    assert X.shape[0] == len(y) == 28 and "P001" not in X.index and rep["excluded"] == ["P001", "P002"]
    with pytest.raises(InputError, match=r"not in the cohort: P0001 \(did you mean "):
        classification_data(m, target="subtype", exclude_samples=["P0001"])


def test_cross_validation_with_a_class_of_one_is_an_input_error() -> None:
    X, y = _xy(_cohort(30))
    y = y.copy()
    y[0] = "rare"
    with pytest.raises(InputError, match=r"rare \(1\) have fewer than 2 labelled samples"):
        cross_validate_classifier(X, y, models={"spy": _Spy()}, baselines=False)

"""Multi-omics classifiers (``tl.models._classify``): the sparse PLS kernel against scikit-learn, missing layers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.cross_decomposition import PLSRegression
from sklearn.utils.estimator_checks import parametrize_with_checks

from oncoresist._core._errors import InputError
from oncoresist.tl.models._classify import (
    EarlyIntegrationClassifier,
    LateIntegrationClassifier,
    SparsePLSDAClassifier,
    check_labels,
    make_classifier,
    spls_blocks,
)


def _centred(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(40, 6))
    Y = np.eye(3)[rng.integers(0, 3, 40)] + 0.3 * X[:, :3]
    return X - X.mean(0), Y - Y.mean(0)


def _same_up_to_sign(a: np.ndarray, b: np.ndarray) -> None:
    for j in range(a.shape[1]):
        s = np.sign(a[:, j] @ b[:, j])
        np.testing.assert_allclose(a[:, j], s * b[:, j], atol=1e-5)  # both stop iterating at a tolerance


def test_spls_one_block_without_sparsity_equals_sklearn_pls() -> None:
    X, Y = _centred()
    W, P, R = spls_blocks([X], Y, n_components=3)
    ref = PLSRegression(n_components=3, scale=False, max_iter=2000, tol=1e-12).fit(X, Y)
    _same_up_to_sign(W[0], ref.x_weights_)
    _same_up_to_sign(P[0], ref.x_loadings_)
    _same_up_to_sign(R[0], ref.x_rotations_)
    _same_up_to_sign(X @ R[0], ref.transform(X))


def test_spls_keeps_the_requested_number_of_loadings_per_block() -> None:
    X, Y = _centred(1)
    Z = np.random.default_rng(2).normal(size=(40, 9))
    W, _, R = spls_blocks([X, Z - Z.mean(0)], Y, n_components=2, keep=[2, 4])
    assert [(W[0][:, h] != 0).sum() for h in range(2)] == [2, 2]
    assert [(W[1][:, h] != 0).sum() for h in range(2)] == [4, 4]
    np.testing.assert_allclose(np.linalg.norm(W[0], axis=0), 1.0)
    assert R[0].shape == (6, 2) and R[1].shape == (9, 2)


def _two_layers(n: int = 60, seed: int = 0, effect: float = 1.5) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.repeat(["a", "b", "c"], n // 3)
    code = np.searchsorted(["a", "b", "c"], y).astype(float)
    rna, meth = rng.normal(size=(n, 8)), rng.normal(size=(n, 5))
    rna[:, 0] += effect * code
    meth[:, 0] -= effect * code
    X = pd.DataFrame(np.hstack([rna, meth]), index=[f"s{i}" for i in range(n)],
                     columns=[f"rna:g{j}" for j in range(8)] + [f"meth:c{j}" for j in range(5)])
    return X, y


@pytest.mark.parametrize("cls", [LateIntegrationClassifier, SparsePLSDAClassifier])
def test_a_sample_missing_a_layer_is_classified_from_the_others(cls: type) -> None:
    X, y = _two_layers()
    clf = cls(random_state=0, **({"C": 1.0} if cls is LateIntegrationClassifier else {})).fit(X, y)
    new = X.iloc[:6].copy()
    new.loc[new.index[:3], [c for c in X.columns if c.startswith("meth:")]] = np.nan
    p = clf.predict_proba(new)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    rna_only = new.iloc[:3].drop(columns=[c for c in X.columns if c.startswith("meth:")])
    rna_only = rna_only.reindex(columns=X.columns)  # the same samples, meth all missing
    np.testing.assert_allclose(p[:3], clf.predict_proba(rna_only))
    if cls is LateIntegrationClassifier:  # the average over present layers = the rna model alone
        rna_model = LateIntegrationClassifier(layers=["rna"], C=1.0, random_state=0).fit(X, y)
        np.testing.assert_allclose(p[:3], rna_model.predict_proba(new.iloc[:3]), atol=1e-12)
    nothing = pd.DataFrame(np.nan, index=["z"], columns=X.columns)
    np.testing.assert_allclose(clf.predict_proba(nothing)[0], [1 / 3] * 3)  # no layer: the class frequencies


@pytest.mark.parametrize("name", ["late", "early", "splsda"])
def test_each_classifier_learns_the_planted_signal(name: str) -> None:
    X, y = _two_layers(90, seed=1, effect=2.5)
    Xt, yt = _two_layers(60, seed=2, effect=2.5)
    clf = make_classifier(name, random_state=0).fit(X, y)
    assert list(clf.classes_) == ["a", "b", "c"]
    assert (clf.predict(Xt) == yt).mean() > 0.8
    top = set(clf.feature_importance().head(2)["feature"].astype(str))
    assert top & {"g0", "c0"}, top


def test_integer_labels_keep_their_type() -> None:
    X, y = _two_layers()
    yi = np.searchsorted(["a", "b", "c"], y)
    clf = EarlyIntegrationClassifier(C=1.0, random_state=0).fit(X, yi)
    assert clf.classes_.dtype.kind == "i" and set(clf.predict(X)) <= {0, 1, 2}


def test_bad_labels_and_names_are_input_errors() -> None:
    with pytest.raises(InputError, match="unknown classification model 'svm'"):
        make_classifier("svm")
    with pytest.raises(InputError, match="only 1 class"):
        check_labels(["a"] * 5, 5)
    with pytest.raises(InputError, match="2 missing"):
        check_labels([0.0, np.nan, 1.0, np.nan], 4)
    with pytest.raises(InputError, match="one class label per sample"):
        check_labels(["a", "b"], 3)
    with pytest.raises(InputError, match="requires y"):
        check_labels(None, 3)
    with pytest.raises(InputError, match="Unknown label type: continuous"):
        check_labels(np.linspace(0.1, 2.3, 6), 6)
    assert list(check_labels(np.array([0.0, 1.0, 1.0]), 3)) == ["0.0", "1.0", "1.0"]  # integral floats are classes


# SparsePLSDAClassifier also has ``transform`` (its latent components), so scikit-learn's checks take it
# for a transformer and require fit_transform / n_iter_; it is covered by the tests above instead.
@parametrize_with_checks([EarlyIntegrationClassifier(C=1.0), LateIntegrationClassifier(C=1.0)])
def test_sklearn_estimator_contract(estimator: object, check: object) -> None:
    check(estimator)  # type: ignore[operator]

"""The estimators of ``tl.models`` keep their public parameters (declared once, as dataclass fields)."""

from __future__ import annotations

import inspect
import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, clone

from oncoresist import tl
from oncoresist.tl.models._docs import FRAGMENTS
from oncoresist.tl.models._models_data import AllowNaNMixin, estimator_params

#: Positional parameters and every parameter's default, as the estimators had them before the
#: parameters became dataclass fields (issue 11); a change here changes the public API.
SIGNATURES = {
    "EarlyIntegrationRegressor": (['model'], {'l1_ratio': 0.5, 'layer_scaling': 'block', 'layers': None, 'max_features_per_layer': None, 'min_binary_count': 3, 'missing': 'error', 'model': 'enet', 'n_alphas': 20, 'n_estimators': 300, 'n_jobs': 1, 'random_state': None, 'screen': 'auto'}),
    "LateIntegrationRegressor": (['base'], {'base': 'ridge', 'cv': 5, 'layers': None, 'missing': 'error', 'n_jobs': 1, 'random_state': None}),
    "EnsembleRegressor": (['members'], {'members': ('late', 'rf'), 'missing': 'error', 'n_jobs': 1, 'random_state': None}),
    "FactorRegressor": (['n_factors'], {'base': 'enet', 'layers': None, 'max_iter': 300, 'missing': 'error', 'n_factors': 15, 'random_state': None}),
    "PanDrugRegressor": (['n_components'], {'drug_features': None, 'max_iter': 300, 'n_components': 30, 'n_drug_components': 8, 'n_jobs': 1, 'random_state': None}),
    "SelectRegressor": (['candidates'], {'candidates': ('enet_rna', 'late'), 'cv': 3, 'margin': 0.0, 'random_state': None}),
    "LayerPreprocessor": ([], {'layer_scaling': 'block', 'layers': None, 'max_features_per_layer': None, 'max_missing': 0.5, 'min_binary_count': 3, 'missing': 'error'}),
    "PenalizedCox": (['l1_ratio'], {'alpha_min_ratio': 0.01, 'cv': 5, 'l1_ratio': 0.9, 'layer_scaling': 'none', 'layers': None, 'missing': 'error', 'n_alphas': 50, 'random_state': None, 'unpenalized': None}),
    "EarlyIntegrationClassifier": ([], {'C': None, 'layers': None, 'max_features_per_layer': None, 'min_binary_count': 3, 'missing': 'error', 'random_state': None, 'screen': 500}),
    "LateIntegrationClassifier": ([], {'C': None, 'layers': None, 'max_features_per_layer': None, 'min_binary_count': 3, 'min_samples': 6, 'missing': 'error', 'random_state': None, 'screen': 500}),
    "SparsePLSDAClassifier": (['n_components'], {'keep_features': 50, 'layers': None, 'max_iter': 500, 'min_binary_count': 3, 'missing': 'error', 'n_components': 2, 'random_state': None}),
}


@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_parameters_unchanged(name):
    cls = getattr(tl, name)
    params = list(inspect.signature(cls).parameters.values())
    positional, defaults = SIGNATURES[name]
    assert [p.name for p in params if p.kind == p.POSITIONAL_OR_KEYWORD] == positional
    assert all(p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) for p in params)
    assert {p.name: p.default for p in params} == defaults
    assert cls().get_params() == defaults


@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_estimator_behaviour(name):
    cls = getattr(tl, name)
    est = cls(random_state=3) if "random_state" in SIGNATURES[name][1] else cls(min_binary_count=1)
    twin = clone(est)
    assert twin.get_params() == est.get_params() and twin is not est
    assert est != twin and len({est, twin}) == 2  # identity comparison, hashable (scikit-learn style)
    assert repr(est) == f"{name}(random_state=3)" or repr(est) == f"{name}(min_binary_count=1)"
    assert vars(est) == est.get_params()  # __init__ only stores the parameters
    assert est.__sklearn_tags__().input_tags.allow_nan
    assert "{doc_" not in cls.__doc__ and "Parameters" in cls.__doc__
    assert pickle.loads(pickle.dumps(est)).get_params() == est.get_params()


def test_keyword_only_and_set_params():
    with pytest.raises(TypeError):
        tl.LateIntegrationRegressor("ridge", None)  # layers is keyword-only
    est = tl.EarlyIntegrationRegressor("ridge", layers=["rna"]).set_params(n_alphas=5)
    assert (est.model, est.layers, est.n_alphas) == ("ridge", ["rna"], 5)


def test_estimator_params_fills_fragments_and_declares_fields():
    @estimator_params
    class Toy(AllowNaNMixin, BaseEstimator):
        """A toy estimator.

        Parameters
        ----------
        {doc_missing}

        Examples
        --------
        {doc_response_table}
        >>> Toy(missing="impute").missing
        'impute'
        """

        missing: str = "error"

    assert Toy().missing == "error" and Toy("impute").get_params() == {"missing": "impute"}
    assert FRAGMENTS["doc_missing"].splitlines()[1].strip() in Toy.__doc__
    assert "{doc_" not in Toy.__doc__


def test_fit_records_string_feature_names():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(40, 3)), columns=[0, 1, 2])
    y = X[0] * 2 + rng.normal(0, 0.1, 40)
    m = tl.SelectRegressor(candidates=("ridge",), cv=2, random_state=0).fit(X, y)
    assert m.feature_names_in_.tolist() == ["0", "1", "2"] and m.n_features_in_ == 3

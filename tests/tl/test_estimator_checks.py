"""scikit-learn estimator contract of every oncoresist estimator (``parametrize_with_checks``)."""

from __future__ import annotations

from sklearn.utils.estimator_checks import parametrize_with_checks

from oncoresist.tl import (
    EarlyIntegrationRegressor,
    EnsembleRegressor,
    FactorRegressor,
    GroupFactorAnalysis,
    LateIntegrationRegressor,
    LayerPreprocessor,
    PanDrugRegressor,
    PenalizedCox,
)

ESTIMATORS = [
    EarlyIntegrationRegressor(model="ridge", min_binary_count=1),
    LateIntegrationRegressor(cv=2),
    EnsembleRegressor(members=("ridge",)),
    FactorRegressor(n_factors=2, max_iter=20),
    PanDrugRegressor(n_components=2, n_drug_components=1, max_iter=10),
    LayerPreprocessor(min_binary_count=1),
    PenalizedCox(n_alphas=5, cv=2),
    GroupFactorAnalysis(n_factors=2, max_iter=20),
]


def _expected_failed_checks(est):
    return {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_contract(estimator, check):
    check(estimator)

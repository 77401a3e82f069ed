"""Tools: dose-response curves, synergy, integration (factors, subtypes), biomarkers, models."""

__all__: list[str] = []
from .integrate._factors import (  # noqa: E402
    GroupFactorAnalysis,
    factors,
    get_factors,
    load_factor_model,
    modality_matrix,
    project_factors,
)

__all__ += ["GroupFactorAnalysis", "factors", "get_factors", "load_factor_model", "modality_matrix", "project_factors"]
from .integrate._subtypes import (  # noqa: E402
    ConsensusResult,
    affinity_matrix,
    consensus_clustering,
    integration_associations,
    logrank_test,
    snf,
    spectral_labels,
    subtypes,
)

__all__ += [
    "ConsensusResult",
    "affinity_matrix",
    "consensus_clustering",
    "integration_associations",
    "logrank_test",
    "snf",
    "spectral_labels",
    "subtypes",
]
from ..pp._plates import normalize_plates, z_prime  # noqa: E402
from .screen._curves import CURVE_COLUMNS, DEFAULT_BOUNDS, dss_scores, fit_curves, hill_response  # noqa: E402
from .screen._drug_layer import DRUG_LAYERS, add_drug_layer, drug_layer  # noqa: E402
from .screen._synergy import SYNERGY_METHODS, synergy  # noqa: E402

__all__ += [
    "CURVE_COLUMNS",
    "DEFAULT_BOUNDS",
    "DRUG_LAYERS",
    "SYNERGY_METHODS",
    "add_drug_layer",
    "drug_layer",
    "dss_scores",
    "fit_curves",
    "hill_response",
    "normalize_plates",
    "synergy",
    "z_prime",
]
from .association._associate import (  # noqa: E402
    associate,
    association_test,
    cross_layer_effects,
    get_associations,
)
from .models._evaluate import (  # noqa: E402
    CVResult,
    cross_validate_drugs,
    cross_validate_response,
    cv_folds,
    regression_metrics,
)
from .models._model_io import (  # noqa: E402
    DrugResponseModels,
    load_model,
    save_model,
    train_models,
    train_survival,
)
from .models._models import (  # noqa: E402
    MODEL_NAMES,
    EarlyIntegrationRegressor,
    EnsembleRegressor,
    FactorRegressor,
    LateIntegrationRegressor,
    PanDrugRegressor,
    make_model,
)
from .models._models_data import (  # noqa: E402
    LayerPreprocessor,
    drug_descriptors,
    feature_frame,
    resolve_drugs,
    response_frame,
)
from .models._survival import (  # noqa: E402
    PenalizedCox,
    SurvivalCVResult,
    cross_validate_survival,
    survival,
    survival_data,
    survival_target,
)

__all__ += [
    "CVResult",
    "DrugResponseModels",
    "EarlyIntegrationRegressor",
    "EnsembleRegressor",
    "FactorRegressor",
    "LateIntegrationRegressor",
    "LayerPreprocessor",
    "MODEL_NAMES",
    "PanDrugRegressor",
    "PenalizedCox",
    "SurvivalCVResult",
    "associate",
    "association_test",
    "cross_layer_effects",
    "cross_validate_drugs",
    "cross_validate_response",
    "cross_validate_survival",
    "cv_folds",
    "drug_descriptors",
    "feature_frame",
    "get_associations",
    "load_model",
    "make_model",
    "regression_metrics",
    "resolve_drugs",
    "response_frame",
    "save_model",
    "survival",
    "survival_data",
    "survival_target",
    "train_models",
    "train_survival",
]
from ._build import build_study  # noqa: E402

__all__ += ["build_study"]

"""Tools: dose-response curves, synergy, integration (factors, subtypes), biomarkers, models."""

__all__: list[str] = []
from ._factors import (  # noqa: E402
    GroupFactorAnalysis,
    factors,
    get_factors,
    load_factor_model,
    modality_matrix,
    project_factors,
)

__all__ += ["GroupFactorAnalysis", "factors", "get_factors", "load_factor_model", "modality_matrix", "project_factors"]
from ._subtypes import (  # noqa: E402
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

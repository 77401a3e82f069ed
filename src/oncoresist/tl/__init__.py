"""Tools: dose-response curves, synergy, integration (factors, subtypes), biomarkers, models."""

__all__: list[str] = []
from ._factors import GroupFactorAnalysis, factors, get_factors, load_factor_model, modality_matrix, project_factors  # noqa: E402

__all__ += ["GroupFactorAnalysis", "factors", "get_factors", "load_factor_model", "modality_matrix", "project_factors"]

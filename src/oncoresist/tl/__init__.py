"""Tools: dose-response curves, synergy, integration (factors, subtypes), biomarkers, models."""

__all__: list[str] = []

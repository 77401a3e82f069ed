"""Preprocessing per layer: QC, normalisation, imputation, batch correction, feature selection."""

__all__: list[str] = []

"""Biomarker association of features with drug response."""

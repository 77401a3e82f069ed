"""Datasets: the simulated cohort with planted ground truth, and loaders of public data."""

__all__: list[str] = []

"""Interpretation of one patient: alterations -> evidence, tiers, resistance alerts, targets."""

__all__: list[str] = []

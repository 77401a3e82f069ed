"""Interpretation of one patient: alterations -> evidence, tiers, resistance alerts, targets."""

from ._alterations import Thresholds, patient_alterations
from ._interpret import Interpretation, interpret_alterations, interpret_patient, resolve_kb
from ._monitor import EMERGING_COLUMNS, Monitoring, monitor_ctdna
from ._tiers import TIERS, amp_tier, infer_mechanism

__all__ = [
    "EMERGING_COLUMNS",
    "Monitoring",
    "monitor_ctdna",
    "Interpretation",
    "TIERS",
    "Thresholds",
    "amp_tier",
    "infer_mechanism",
    "interpret_alterations",
    "interpret_patient",
    "patient_alterations",
    "resolve_kb",
]

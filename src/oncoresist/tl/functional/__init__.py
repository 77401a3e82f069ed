"""Activity inference: pathway, transcription-factor and kinase activities from prior-knowledge networks."""

from ._activity import activity, network_matrix
from ._methods import METHOD_REGISTRY, ActivityMethod

__all__ = ["ACTIVITY_METHODS", "METHOD_REGISTRY", "ActivityMethod", "activity", "network_matrix"]

ACTIVITY_METHODS = tuple(METHOD_REGISTRY)

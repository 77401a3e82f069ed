"""Activity inference: pathway, transcription-factor and kinase activities from prior-knowledge networks."""

from ._activity import activity, network_matrix
from ._methods import METHOD_REGISTRY, ActivityMethod
from ._sites import match_line, match_sites, site_network, window_core

__all__ = ["ACTIVITY_METHODS", "METHOD_REGISTRY", "ActivityMethod", "activity", "match_line", "match_sites", "network_matrix", "site_network", "window_core"]

ACTIVITY_METHODS = tuple(METHOD_REGISTRY)

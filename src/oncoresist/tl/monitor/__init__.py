"""Longitudinal monitoring: serial plasma ctDNA against a baseline (molecular response, emerging mutations)."""

from ._ctdna import ctdna_timeline, ctdna_trajectories

__all__ = ["ctdna_timeline", "ctdna_trajectories"]

"""Figures (matplotlib, static, one function per figure); each returns the Figure."""

from ._qc import layer_distributions, missingness, sample_overlap

__all__: list[str] = [
    "layer_distributions",
    "missingness",
    "sample_overlap",
]

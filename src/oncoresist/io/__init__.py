"""Readers for every omics layer, the study file and the ``.h5mu`` cohort.

Layer readers return an :class:`anndata.AnnData` with samples as observations (or, for long
formats such as variants and dose-response screens, a tidy :class:`pandas.DataFrame`).
:func:`read_study` reads a TOML study file listing the layer files and assembles one
:class:`mudata.MuData` cohort.
"""

from ._h5mu import read_h5mu, write_h5mu
from ._mutmatrix import classify_protein_change, read_mutation_matrix
from ._study import LAYER_KINDS, build_summary, read_study

__all__ = [
    "LAYER_KINDS",
    "build_summary",
    "classify_protein_change",
    "read_h5mu",
    "read_mutation_matrix",
    "read_study",
    "write_h5mu",
]

"""Readers for every omics layer, the study file and the ``.h5mu`` cohort.

Layer readers return an :class:`anndata.AnnData` with samples as observations (or, for long
formats such as variants and dose-response screens, a tidy :class:`pandas.DataFrame`).
:func:`read_study` reads a TOML study file listing the layer files and assembles one
:class:`mudata.MuData` cohort.
"""

from ._h5mu import read_h5mu, write_h5mu

__all__ = [
    "read_h5mu",
    "write_h5mu",
]

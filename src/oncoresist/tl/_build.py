"""Build a cohort from a study file: read every layer (io) and fit the screen's curves (tl)."""

from __future__ import annotations

from typing import Any

import anndata as ad
import mudata as md
import pandas as pd

from .._core._utils import PathLike
from ..io import read_study
from .screen._curves import fit_curves
from .screen._drug_layer import drug_layer

__all__ = ["build_study"]


def build_study(path: PathLike, *, fit_screen: bool = True, quiet: bool = True) -> md.MuData:
    """Read a study file into a cohort and fit its dose-response screen (the ``build`` command).

    Parameters
    ----------
    path
        The TOML study file (see :func:`oncoresist.io.read_study` for its tables).
    fit_screen
        Fit the ``[screen]`` curves into a ``drug`` layer (``mdata.uns['curves']`` holds the
        table and settings, as :func:`add_drug_layer` writes them). ``False`` keeps only the raw
        screen in ``mdata.uns['dose_response']``.
    quiet
        No progress messages.

    Returns
    -------
    mudata.MuData
        The cohort.

    Examples
    --------
    >>> from oncoresist.ds import simulate_cohort
    >>> import tempfile
    >>> study = simulate_cohort(40, seed=1).write(tempfile.mkdtemp())  # doctest: +SKIP
    >>> mdata = build_study(study)  # doctest: +SKIP
    """

    def fit(screen: pd.DataFrame) -> tuple[ad.AnnData, dict[str, Any]]:
        curves = fit_curves(screen, quiet=quiet)
        layer = drug_layer(curves)
        return layer, {"params": dict(layer.uns["drug"]["params"], modality="drug"), "table": curves}

    return read_study(path, fit_screen=fit if fit_screen else False, quiet=quiet)

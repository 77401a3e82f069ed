"""Build a cohort from a study file: read every layer (io) and fit the screen's curves (tl)."""

from __future__ import annotations

from typing import Any

import anndata as ad
import mudata as md
import pandas as pd

from .._core._errors import InputError
from .._core._utils import PathLike
from ..io import read_study
from .biomarkers._cohort import HRD_OBS_COLUMNS, OBS_COLUMNS, add_biomarkers
from .screen._curves import fit_curves
from .screen._drug_layer import drug_layer

__all__ = ["build_study"]


def build_study(
    path: PathLike, *, fit_screen: bool = True, biomarkers: bool = True, callable_mb: float | None = None, quiet: bool = True
) -> md.MuData:
    """Read a study file into a cohort, fit its dose-response screen and compute genome-wide biomarkers (``build``).

    Parameters
    ----------
    path
        The TOML study file (see :func:`oncoresist.io.read_study` for its tables).
    fit_screen
        Fit the ``[screen]`` curves into a ``drug`` layer (``mdata.uns['curves']`` holds the
        table and settings, as :func:`add_drug_layer` writes them). ``False`` keeps only the raw
        screen in ``mdata.uns['dose_response']``.
    biomarkers
        With a mutation layer (MAF / VCF: a variant table in ``uns['variants']``), compute TMB and
        MSI as :func:`add_biomarkers` does (``obs`` columns ``tmb, tmb_high, msi_score, msi_high``,
        ``uns['biomarkers']`` with the table and parameters) and, with an ``[allelic_segments]``
        table, the HRD scores (``hrd_loh`` ... ``hrd_high``, ``uns['hrd']``). What was done (or why
        nothing was) is recorded in ``mdata.uns['build']['biomarkers']``.
    callable_mb
        Callable territory for TMB / MSI (default 30 Mb, a whole exome).
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

    mdata = read_study(path, fit_screen=fit if fit_screen else False, quiet=quiet)
    if biomarkers:
        _build_biomarkers(mdata, callable_mb=callable_mb)
    return mdata


def _mutation_layer(mdata: md.MuData) -> str | None:
    """The first MAF / VCF layer holding its variant table (not a mutation matrix: no alleles, no territory), if any."""
    for name, a in mdata.mod.items():
        kind = a.uns.get("source", {}).get("kind")
        if kind in ("maf", "vcf") and isinstance(a.uns.get("variants"), pd.DataFrame):
            return str(name)
    return None


def _build_biomarkers(mdata: md.MuData, *, callable_mb: float | None) -> None:
    """TMB / MSI (and HRD with segments) into the new cohort; the outcome in ``uns['build']['biomarkers']``."""
    mod = _mutation_layer(mdata)
    segments = mdata.uns.get("allelic_segments")
    record = mdata.uns.setdefault("build", {})
    if mod is None and segments is None:
        record["biomarkers"] = {"computed": "none", "note": "biomarkers skipped: the study has no mutation layer (MAF / VCF) and no [allelic_segments]"}
        return
    wanted = (list(OBS_COLUMNS) if mod is not None else []) + (list(HRD_OBS_COLUMNS) if segments is not None else [])
    clash = [c for c in wanted if c in mdata.obs.columns]
    if clash:
        msg = (f"build: the sample sheet already has column(s) {', '.join(map(repr, clash))}, which the biomarker step writes; "
               "rename them in the sample sheet, or build with --no-biomarkers (tl.build_study(..., biomarkers=False)).")
        raise InputError(msg)
    add_biomarkers(mdata, mod=mod or "mut", callable_mb=callable_mb, segments=segments)
    done = ", ".join(x for x, ok in (("TMB / MSI", mod is not None), ("HRD", segments is not None)) if ok)
    note = f"biomarkers: {done} from {mod or 'the allelic segments'}" + ("" if mod is not None else " (no mutation layer: no TMB / MSI)")
    record["biomarkers"] = {"computed": done, "mod": mod or "", "segments": segments is not None, "note": note,
                            "callable_mb": float(mdata.uns["biomarkers"]["params"]["callable_mb"]) if mod is not None else float("nan")}

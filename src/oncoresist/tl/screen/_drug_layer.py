"""Screen metrics as the cohort's ``drug`` modality (samples x drugs AnnData).

Slot contract (CONTRIBUTING.md): ``X`` = AUC of the fitted curve over the tested range,
normalised to [0, 1] (mean viability over the tested log-dose range, clipped to [0, 1]; lower =
more sensitive); ``layers``: ``auc`` (unclipped), ``aac``, ``ic50_uM``, ``log10_ic50``,
``ec50_uM``, ``emax``, ``hill``, ``dss1``, ``dss2``, ``dss3``, ``r2`` plus ``auc_common``,
``log10_ec50``, ``amax``, ``top``, ``bottom``, ``rmse``, ``ic50_censored`` (0 = IC50 inside
the tested range, +1 = above it or never reached, -1 = below it) and the GR metrics when
present. NaN where a sample was not screened with a drug or its curve could not be fitted
(``uns['drug']['not_fitted']`` lists those). ``ic50_uM`` is ``inf`` for curves that never reach
50 % viability and 0 for curves below it at every dose (see :func:`fit_curves`).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import anndata as ad
import numpy as np
import pandas as pd

from ..._core._errors import InputError
from ..._core._keys import claim_key
from ...get import ORIENTATIONS
from ._curves import fit_curves

__all__ = ["DRUG_LAYERS", "add_drug_layer", "drug_layer", "metric_higher_is"]

#: Layers of the drug modality, in order (GR layers are added when the curves have them).
DRUG_LAYERS = (
    "auc", "aac", "ic50_uM", "log10_ic50", "ec50_uM", "emax", "hill", "dss1", "dss2", "dss3", "r2",
    "auc_common", "log10_ec50", "amax", "top", "bottom", "rmse",
)  # fmt: skip
_GR_LAYERS = ("gr50_uM", "log10_gr50", "grmax", "grinf", "gec50_uM", "gr_aoc")
_CURVE_REQUIRED = ("sample", "drug", "status", "auc", "ic50_uM", "ic50_status")


#: Curve descriptors that are not response metrics: no orientation is recorded for them.
_NOT_METRICS = ("hill", "r2", "rmse", "top", "ic50_censored", "gr_hill")
#: Name patterns of response metrics, checked in this order (negative logs before the plain ones).
_SENSITIVE_PATTERNS = (r"^(neg|minus|m)_?log(10|2|e)?_?(ic|ec|gi|gr)50", r"^-\s*log", r"^p(ic|ec|gi)50", r"aac", r"^dss\d*$",
                       r"gr_?aoc", r"^amax$", r"inhibition", r"^activity")
_RESISTANT_PATTERNS = (r"(ic|ec|gi|gr|gec)50", r"^auc", r"viability", r"^emax$", r"^einf$", r"^bottom$", r"^grmax$",
                       r"^grinf$", r"^x$")


def metric_higher_is(metric: str, *, warn: bool = True) -> str | None:
    """What a higher value of a drug-response metric means, from the metric's name.

    IC50 / EC50 / GI50 / GR50 (linear or log concentration), AUC of viability, Emax, GRmax:
    ``"resistant"``; AAC, -log GI50 (``pGI50``, ``neg_log10_gi50``), % inhibition, GR_AOC, DSS,
    Amax: ``"sensitive"``. Curve descriptors (``hill``, ``r2``, ``rmse``, ``top``,
    ``ic50_censored``) have no orientation (``None``, no warning); any other name gives ``None``
    and, with ``warn``, a warning asking to declare it.

    Parameters
    ----------
    metric
        Layer name (``"X"`` = the drug layer's normalised AUC).
    warn
        Warn when the metric is not recognised.

    Returns
    -------
    str or None
        ``"resistant"``, ``"sensitive"`` or ``None`` (unknown / not a response metric).

    Examples
    --------
    >>> metric_higher_is("log10_ic50"), metric_higher_is("aac"), metric_higher_is("pGI50"), metric_higher_is("hill")
    ('resistant', 'sensitive', 'sensitive', None)
    """
    name = str(metric).strip().lower()
    if name in _NOT_METRICS:
        return None
    if any(re.search(p, name) for p in _SENSITIVE_PATTERNS):
        return "sensitive"
    if any(re.search(p, name) for p in _RESISTANT_PATTERNS):
        return "resistant"
    if warn:
        warnings.warn(f"orientation of drug metric {metric!r} unknown: nothing recorded in uns['higher_is']; declare it "
                      "with higher_is={'" + str(metric) + "': 'resistant' | 'sensitive'}.", UserWarning, stacklevel=3)
    return None


def _declared_orientation(higher_is: str | Mapping[str, str] | None, layers: Sequence[str]) -> dict[str, str]:
    """The ``higher_is=`` option as ``{layer: orientation}`` (a string applies to ``X``), checked."""
    if higher_is is None:
        return {}
    given = {"X": higher_is} if isinstance(higher_is, str) else dict(higher_is)
    out = {}
    for layer, value in given.items():
        v = str(value).strip().lower()
        if v not in ORIENTATIONS:
            msg = f"higher_is[{layer!r}] must be one of {', '.join(ORIENTATIONS)}, got {value!r}."
            raise InputError(msg)
        if layer != "X" and layer not in layers:
            msg = f"higher_is names layer {layer!r}, which the drug layer does not have; layers: {', '.join(layers)}."
            raise InputError(msg)
        out[str(layer)] = v
    return out


def _orientations(layers: Sequence[str], higher_is: str | Mapping[str, str] | None) -> dict[str, str]:
    """``uns['higher_is']``: orientation of ``X`` and of every metric layer; declared values override."""
    declared = _declared_orientation(higher_is, layers)
    out = {}
    for layer in ["X", *layers]:
        value = declared.get(layer) or metric_higher_is("auc" if layer == "X" else layer)
        if value is not None:
            out[layer] = value
    return out


def _is_curves(df: pd.DataFrame) -> bool:
    return all(c in df.columns for c in _CURVE_REQUIRED)


def _var_key(curves: pd.DataFrame) -> pd.Series:
    if "time" in curves.columns and curves["time"].nunique(dropna=True) > 1:
        t = curves["time"].map(lambda v: f"{v:g}" if isinstance(v, int | float) and np.isfinite(v) else str(v))
        return curves["drug"].astype(str) + "@" + t + "h"
    return curves["drug"].astype(str)


def _checked_curves(curves: Any) -> pd.DataFrame:
    """Check a :func:`fit_curves` table (one row per sample x drug); return a copy with its ``_var`` key."""
    if not isinstance(curves, pd.DataFrame) or not _is_curves(curves):
        msg = (
            "drug_layer expects the table returned by oncoresist.tl.fit_curves (columns "
            f"{', '.join(_CURVE_REQUIRED)}); run fit_curves(screen) first."
        )
        raise InputError(msg)
    c = curves.copy()
    c["_var"] = _var_key(c)
    dup = c.duplicated(["sample", "_var"])
    if dup.any():
        row = c.loc[dup].iloc[0]
        msg = f"curves table has {int(dup.sum())} duplicated sample x drug rows (e.g. {row['sample']!r}, {row['_var']!r}): fit_curves gives one per pair."
        raise InputError(msg)
    return c


def _obs_names(c: pd.DataFrame, samples: Sequence[str] | None) -> pd.Index:
    """Observation names: the screened samples sorted, or ``samples`` (warns about screened samples left out)."""
    obs_names = pd.Index(sorted(c["sample"].astype(str).unique()), dtype=object)
    if samples is None:
        return obs_names
    wanted = pd.Index([str(s) for s in samples], dtype=object)
    extra = obs_names.difference(wanted)
    if len(extra):
        shown = ", ".join(map(str, extra[:5])) + (", ..." if len(extra) > 5 else "")
        warnings.warn(
            f"drug_layer: {len(extra)} screened sample(s) not in samples= left out: {shown}.",
            UserWarning,
            stacklevel=3,
        )
    return wanted


def _sample_matrix(c: pd.DataFrame, values: pd.Series, obs_names: pd.Index, var_names: pd.Index) -> np.ndarray:
    """Pivot one value per curve into a samples x drugs matrix (NaN where absent)."""
    mat = pd.DataFrame({"s": c["sample"].astype(str), "v": c["_var"], "x": values}).pivot(index="s", columns="v", values="x")
    return mat.reindex(index=obs_names, columns=var_names).to_numpy(dtype=float)


def _drug_layers(c: pd.DataFrame, ok: np.ndarray, obs_names: pd.Index, var_names: pd.Index) -> dict[str, np.ndarray]:
    """Every metric layer present in the curves (fitted curves only) plus ``ic50_censored``."""
    layers: dict[str, np.ndarray] = {}
    names = list(DRUG_LAYERS) + [g for g in _GR_LAYERS if g in c.columns]
    for name in names:
        if name in c.columns:
            layers[name] = _sample_matrix(c, pd.to_numeric(c[name], errors="coerce").where(ok), obs_names, var_names)
    cens = c["ic50_status"].map({"in_range": 0.0, "above_range": 1.0, "not_reached": 1.0, "below_range": -1.0, "always_below": -1.0})
    layers["ic50_censored"] = _sample_matrix(c, cens.where(ok), obs_names, var_names)
    return layers


def _drug_var(c: pd.DataFrame, ok: np.ndarray, var_names: pd.Index, auc: np.ndarray, var: pd.DataFrame | None) -> pd.DataFrame:
    """Per-drug table: counts, dose and common ranges, median AUC and the optional annotation."""
    g = c.groupby("_var")
    vdf = pd.DataFrame(index=var_names)
    vdf["drug"] = g["drug"].first().reindex(var_names).astype(str)
    vdf["n_screened"] = g.size().reindex(var_names).fillna(0).astype(int)
    vdf["n_fitted"] = c.loc[ok].groupby("_var").size().reindex(var_names).fillna(0).astype(int)
    for col, fn in (("dose_min_uM", "min"), ("dose_max_uM", "max"), ("common_min_uM", "first"), ("common_max_uM", "first")):
        if col in c.columns:
            vdf[col] = getattr(g[col], fn)().reindex(var_names).astype(float)
    vdf["median_auc"] = _nanmedian_cols(auc)
    if var is None:
        return vdf
    if not isinstance(var, pd.DataFrame):
        msg = f"var must be a DataFrame indexed by drug name, got {type(var).__name__}."
        raise InputError(msg)
    ann = var.copy()
    ann.index = ann.index.astype(str)
    ann = ann.reindex(vdf["drug"].to_numpy())
    ann.index = var_names
    return vdf.join(ann[[col for col in ann.columns if col not in vdf.columns]])


def drug_layer(
    curves: pd.DataFrame,
    *,
    var: pd.DataFrame | None = None,
    samples: Sequence[str] | None = None,
    higher_is: str | Mapping[str, str] | None = None,
) -> ad.AnnData:
    """Turn a :func:`fit_curves` table into the ``drug`` modality (samples x drugs).

    Parameters
    ----------
    curves
        Output of :func:`fit_curves` (one row per sample x drug).
    var
        Optional drug annotation (index = drug names; e.g. targets, pathway) joined to ``var``.
    samples
        Observation order (e.g. a cohort's ``obs_names``); samples without curves get NaN
        rows, curves of samples not listed are left out with a warning.
    higher_is
        Declared orientation overriding the one decided from the metric: ``"resistant"`` /
        ``"sensitive"`` for ``X``, or a mapping ``{layer: orientation}`` (``"X"`` for ``.X``).

    Returns
    -------
    AnnData
        ``X`` = AUC clipped to [0, 1], the layers listed in the module docstring, ``var`` with
        ``n_screened``, ``n_fitted``, ``dose_min_uM``, ``dose_max_uM``, ``common_min_uM``,
        ``common_max_uM``, ``median_auc`` (+ ``var`` annotation), ``uns['drug']`` with the
        fit parameters and the curves that were not fitted, ``uns['higher_is']`` = what a
        higher value of ``X`` and of each metric layer means (:func:`metric_higher_is`,
        read by :func:`oncoresist.get.higher_is`; ``X`` and IC50 / AUC layers: ``resistant``,
        AAC / DSS / Amax / GR_AOC: ``sensitive``; curve descriptors: not recorded).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from oncoresist.tl import fit_curves
    >>> d = np.logspace(-2, 1, 6)
    >>> screen = pd.concat([pd.DataFrame({"sample": s, "drug": "D1", "dose": d,
    ...                                   "response": 1 / (1 + d / ic)}) for s, ic in [("A", 0.1), ("B", 3.0)]])
    >>> adata = drug_layer(fit_curves(screen))
    >>> adata.shape, bool(adata.X[0, 0] < adata.X[1, 0])
    ((2, 1), True)
    """
    c = _checked_curves(curves)
    obs_names = _obs_names(c, samples)
    var_names = pd.Index(sorted(c["_var"].unique()), dtype=object)
    ok = c["status"].to_numpy() == "ok"
    layers = _drug_layers(c, ok, obs_names, var_names)
    vdf = _drug_var(c, ok, var_names, layers["auc"], var)
    not_fitted = c.loc[~ok, ["sample", "drug", "status"]].astype(str).reset_index(drop=True)
    adata = ad.AnnData(
        X=np.clip(layers["auc"], 0.0, 1.0),
        obs=pd.DataFrame(index=obs_names),
        var=vdf,
        layers=layers,
        uns={
            "drug": {
                "X": "auc: mean fitted viability over the tested log10-dose range, clipped to [0, 1] (lower = more sensitive)",
                "params": _h5_safe(curves.attrs.get("params", {})),
                "not_fitted": not_fitted,
            },
            "higher_is": _orientations(list(layers), higher_is),
        },
    )
    return adata


def _nanmedian_cols(m: np.ndarray) -> np.ndarray:
    out = np.full(m.shape[1], np.nan)
    for j in range(m.shape[1]):
        col = m[:, j]
        col = col[np.isfinite(col)]
        if col.size:
            out[j] = float(np.median(col))
    return out


def _h5_safe(obj: Any) -> Any:
    """Make a parameter record writable to .h5mu (no None, plain types)."""
    if isinstance(obj, dict):
        return {str(k): _h5_safe(v) for k, v in obj.items() if v is not None}
    if isinstance(obj, list | tuple):
        return [_h5_safe(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


def _table_for_uns(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out.attrs = {}
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].astype(str)
    return out.reset_index(drop=True)


def _fitted_curves(screen_or_curves: pd.DataFrame, fit_kwargs: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The curves table (fitted here from a raw screen) and the raw screen (``None`` when curves were given)."""
    if _is_curves(screen_or_curves):
        if fit_kwargs:
            msg = f"fit options {', '.join(sorted(fit_kwargs))} were given with an already fitted curves table; pass the raw screen to refit."
            raise InputError(msg)
        return screen_or_curves, None
    return fit_curves(screen_or_curves, **fit_kwargs), screen_or_curves


def _claim_drug_keys(target: Any, key_added: str, has_screen: bool, overwrite: bool) -> None:
    """Claim the modality and the ``uns`` tables that :func:`add_drug_layer` writes."""
    by = "tl.add_drug_layer"
    claim_key(target, "mod", key_added, by=by, overwrite=overwrite)
    claim_key(target, "uns", "curves", by=by, overwrite=overwrite, option="overwrite")
    if has_screen:
        claim_key(target, "uns", "dose_response", by=by, overwrite=overwrite, option="overwrite")


def add_drug_layer(
    mdata: Any,
    screen_or_curves: pd.DataFrame,
    *,
    key_added: str = "drug",
    var: pd.DataFrame | None = None,
    higher_is: str | Mapping[str, str] | None = None,
    copy: bool = False,
    overwrite: bool = False,
    **fit_kwargs: Any,
) -> Any:
    """Add (or replace its own) drug-response modality of a cohort from a screen or fitted curves.

    The modality records what a higher value of each metric means (``uns['higher_is']``), so
    associations, models and reports read the orientation instead of assuming it.

    Parameters
    ----------
    mdata
        The cohort (:class:`mudata.MuData`).
    screen_or_curves
        A long screen (``sample, drug, dose, response``; fitted here with :func:`fit_curves`)
        or a table already returned by :func:`fit_curves`.
    key_added
        Modality name (default ``"drug"``).
    var
        Optional drug annotation (index = drug names).
    higher_is
        Declared orientation, overriding the one decided from each metric (see
        :func:`drug_layer`): ``"resistant"`` / ``"sensitive"`` for ``X`` or ``{layer: orientation}``.
    copy
        Return a modified copy instead of changing ``mdata`` in place.
    overwrite
        Replace a modality / ``uns['curves']`` / ``uns['dose_response']`` that this function
        did not write (e.g. a drug matrix of the study file).
    **fit_kwargs
        Passed to :func:`fit_curves` when a raw screen is given (``model=``, ``loss=``, ...).

    Returns
    -------
    MuData or None
        The new cohort with ``copy=True``, else ``None``. ``mdata.mod[key_added]`` is aligned to
        ``mdata.obs_names`` (samples without a screen get NaN rows; screened samples not in the
        cohort are left out with a warning and listed in
        ``mdata.uns['curves']['samples_not_in_cohort']``); its ``uns['higher_is']`` records
        what a higher value of each metric means (read by :func:`oncoresist.get.higher_is`);
        the raw screen goes to ``mdata.uns['dose_response']``, the per-curve table to
        ``mdata.uns['curves']['table']`` and the settings to ``mdata.uns['curves']['params']``.

    Examples
    --------
    >>> import anndata as ad, mudata as md, numpy as np, pandas as pd
    >>> rna = ad.AnnData(np.zeros((2, 1)), obs=pd.DataFrame(index=["A", "B"]))
    >>> mdata = md.MuData({"rna": rna})
    >>> d = np.logspace(-2, 1, 6)
    >>> screen = pd.DataFrame({"sample": "A", "drug": "D1", "dose": d, "response": 1 / (1 + d)})
    >>> add_drug_layer(mdata, screen)
    >>> mdata["drug"].shape, mdata["drug"].uns["higher_is"]["aac"]
    ((2, 1), 'sensitive')
    """
    import mudata as md

    if not isinstance(mdata, md.MuData):
        msg = f"add_drug_layer expects a mudata.MuData cohort, got {type(mdata).__name__}."
        raise InputError(msg)
    if not isinstance(screen_or_curves, pd.DataFrame):
        msg = f"screen_or_curves must be a DataFrame (a long screen or fit_curves output), got {type(screen_or_curves).__name__}."
        raise InputError(msg)
    target = mdata.copy() if copy else mdata
    _claim_drug_keys(target, key_added, not _is_curves(screen_or_curves), overwrite)
    curves, screen = _fitted_curves(screen_or_curves, fit_kwargs)
    obs_names = pd.Index(target.obs_names.astype(str), dtype=object)
    outside = pd.Index(curves["sample"].astype(str).unique(), dtype=object).difference(obs_names)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        adata = drug_layer(curves, var=var, samples=obs_names, higher_is=higher_is)
    if len(outside):
        shown = ", ".join(map(str, outside[:5])) + (", ..." if len(outside) > 5 else "")
        warnings.warn(
            f"add_drug_layer: {len(outside)} screened sample(s) are not in the cohort and were left out: {shown} "
            "(listed in mdata.uns['curves']['samples_not_in_cohort']).",
            UserWarning,
            stacklevel=2,
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        target.mod[key_added] = adata
        target.update()
    if screen is not None:
        cols = [col for col in ("sample", "drug", "dose", "response", "replicate", "plate", "well", "time") if col in screen.columns]
        target.uns["dose_response"] = _table_for_uns(screen[cols])
    target.uns["curves"] = {
        "params": _h5_safe(dict(curves.attrs.get("params", {}), modality=key_added)),
        "table": _table_for_uns(curves),
        "samples_not_in_cohort": np.asarray(list(outside), dtype=object),
    }
    return target if copy else None

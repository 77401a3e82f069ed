"""The ``signatures`` modality: SBS-96 catalogues and signature exposures of a cohort's variants."""

from __future__ import annotations

import warnings
from typing import Any

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd

from ..._core._errors import InputError
from ..._core._keys import claim_key
from ..._core._params import clean_params
from ._signatures import fit_signatures, has_sequence_context, sbs96_catalogue

__all__ = ["add_signatures"]


def _variants(mdata: Any, mod: str) -> pd.DataFrame:
    """The tidy variant table of ``mod`` with a reference context; a clear error otherwise."""
    v = mdata.mod[mod].uns.get("variants") if mod in mdata.mod else None
    if not isinstance(v, pd.DataFrame):
        msg = f"tl.add_signatures: modality {mod!r} has no variant table in uns['variants']; read a MAF / VCF into the cohort."
        raise InputError(msg)
    if not has_sequence_context(v):
        msg = (f"tl.add_signatures: the variants of {mod!r} carry no reference context column (CONTEXT, flanking_bps, "
               "ref_context, trinucleotide); SBS-96 catalogues need one (GDC MAFs have CONTEXT).")
        raise InputError(msg)
    return v


def add_signatures(mdata: Any, signatures: pd.DataFrame | Any, *, mod: str = "mut", n_bootstrap: int = 200,
                   random_state: int = 0, key_added: str = "signatures", overwrite: bool = False) -> None:
    """Add modality ``signatures``: per-sample exposures (mutations) with bootstrap intervals and the SBS-96 catalogue.

    Parameters
    ----------
    mdata
        The cohort with the tidy variant table (and a context column) in ``mdata[mod].uns['variants']``.
    signatures
        Channels x signatures DataFrame or a signature file (COSMIC-format; none ships).
    mod
        The mutation modality.
    n_bootstrap, random_state
        Resamples per sample for the intervals, and their seed.
    key_added, overwrite
        Name of the new modality; replace one written by something else.

    Returns
    -------
    None
        ``mdata[key_added]``: samples x signatures exposures in ``.X`` (usable by associate /
        train / integrate), layers ``fraction``, ``lower``, ``upper``; ``obsm['sbs96']`` the
        catalogue; ``uns['signatures']['params']``.

    Examples
    --------
    >>> from oncoresist.tl.biomarkers._signatures import SBS96_CHANNELS
    >>> v = pd.DataFrame({"sample": ["A", "A", "B"], "ref": ["C", "C", "T"], "alt": ["T", "T", "G"],
    ...                   "CONTEXT": ["TACGA", "TACGA", "TTTGG"]})
    >>> m = md.MuData({"mut": ad.AnnData(np.ones((2, 1)), obs=pd.DataFrame(index=["A", "B"]), uns={"variants": v})})
    >>> sigs = pd.DataFrame(np.full((96, 2), 1 / 96), index=list(SBS96_CHANNELS), columns=["S1", "S2"])
    >>> add_signatures(m, sigs, n_bootstrap=0)
    >>> m["signatures"].shape
    (2, 2)
    """
    claim_key(mdata, "mod", key_added, by="tl.add_signatures", overwrite=overwrite)
    variants = _variants(mdata, mod)
    samples = [str(s) for s in mdata[mod].obs_names]
    cat = sbs96_catalogue(variants, samples=samples)
    fit = fit_signatures(cat, signatures, n_bootstrap=n_bootstrap, random_state=random_state)
    wide = {k: fit.pivot(index="sample", columns="signature", values=k).reindex(index=samples) for k in ("exposure", "fraction", "lower", "upper")}
    cols = wide["exposure"].columns
    a = ad.AnnData(wide["exposure"].to_numpy(dtype=float), obs=pd.DataFrame(index=samples), var=pd.DataFrame(index=cols.astype(str)),
                   layers={k: wide[k][cols].to_numpy(dtype=float) for k in ("fraction", "lower", "upper")})
    a.obsm["sbs96"] = cat.reindex(samples).astype(float)
    a.uns["signatures"] = {"params": clean_params({"mod": mod, "source": fit.attrs.get("signatures"), "n_bootstrap": n_bootstrap,
                                                   "ci": fit.attrs.get("ci"), "n_snv": float(np.asarray(cat.to_numpy()).sum())})}
    with warnings.catch_warnings():  # mudata's notes on names shared by modalities
        warnings.simplefilter("ignore")
        new = md.MuData({**{k: v for k, v in mdata.mod.items() if k != key_added}, key_added: a},
                        obs=mdata.obs.copy(), uns=dict(mdata.uns), obsm=dict(mdata.obsm))
    mdata.__dict__.update(new.__dict__)

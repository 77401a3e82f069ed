"""``tl.tme``: microenvironment cell-type scores (MCP-counter-style) and fractions (NNLS) as modality ``tme``."""

from __future__ import annotations

import warnings
from typing import Any

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
from scipy.optimize import nnls

from ..._core._errors import InputError
from ..._core._keys import claim_key
from ..._core._params import clean_params

__all__ = ["MCP_MARKERS", "nnls_fractions", "tme"]

#: Cell-type marker genes curated by hand from Becht et al. 2016 Genome Biol 17:218
#: (doi:10.1186/s13059-016-1070-5, MCP-counter, CC BY 4.0 article): a subset of their HUGO markers.
MCP_MARKERS: dict[str, tuple[str, ...]] = {
    "T cells": ("CD28", "CD3D", "CD3G", "CD5", "CD6", "CTLA4", "FLT3LG", "ICOS", "MAL", "SIRPG", "THEMIS", "TRAT1", "UBASH3A"),
    "CD8 T cells": ("CD8B",),
    "Cytotoxic lymphocytes": ("CD8A", "EOMES", "FGFBP2", "GNLY", "KLRC3", "KLRC4", "KLRD1"),
    "B lineage": ("BANK1", "CD19", "CD22", "CD79A", "CR2", "FCRL2", "MS4A1", "PAX5"),
    "NK cells": ("CD160", "KIR2DL1", "KIR2DL3", "KIR2DL4", "KIR3DL1", "NCR1", "PTGDR", "SH2D1B"),
    "Monocytic lineage": ("ADAP2", "CSF1R", "FPR3", "KYNU", "PLA2G7", "RASSF4", "TFEC"),
    "Myeloid dendritic cells": ("CD1A", "CD1B", "CD1E", "CLEC10A", "CLIC2"),
    "Neutrophils": ("CEACAM3", "CXCR1", "CYP4F3", "FCGR3B", "HAL", "KCNJ15", "MEGF10"),
    "Endothelial cells": ("ACVRL1", "BMX", "CDH5", "CLEC14A", "EMCN", "ESAM", "KDR", "MMRN1", "PECAM1", "ROBO4", "TEK", "TIE1", "VWF"),
    "Fibroblasts": ("COL1A1", "COL1A2", "COL3A1", "DCN", "FBLN1", "FAP", "LUM", "PDGFRB"),
}


def nnls_fractions(mix: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Cell fractions of each mixture by non-negative least squares with sum <= 1 (the rest = other cells).

    EPIC / quanTIseq-style (Racle et al. 2017 eLife, doi:10.7554/eLife.26476; Finotello et al.
    2019 Genome Med, doi:10.1186/s13073-019-0638-6): ``mix ~ ref @ f``, ``f >= 0``; when the
    unconstrained NNLS sum exceeds 1 the fit is redone with ``sum(f) = 1`` (a heavily weighted row).

    Parameters
    ----------
    mix
        Samples x signature genes (linear scale).
    ref
        Signature genes x cell types (linear scale; ~0 in the uncharacterised cells).

    Returns
    -------
    ndarray
        Samples x (cell types + 1): the fractions and, last, the "other cells" fraction.

    Examples
    --------
    >>> ref = np.array([[10.0, 0.0], [0.0, 10.0], [5.0, 5.0]])
    >>> np.round(nnls_fractions((ref @ [[0.2], [0.5]]).T, ref), 3).tolist()
    [[0.2, 0.5, 0.3]]
    """
    big = 1e3 * max(float(np.abs(ref).max()), 1.0)
    out = np.zeros((mix.shape[0], ref.shape[1] + 1))
    for i, y in enumerate(np.asarray(mix, dtype=float)):
        f, _ = nnls(ref, y)
        if f.sum() > 1:
            f, _ = nnls(np.vstack([ref, big * np.ones(ref.shape[1])]), np.append(y, big))
        out[i, :-1], out[i, -1] = f, max(1 - f.sum(), 0.0)
    return out


def _log_values(x: np.ndarray) -> tuple[np.ndarray, bool]:
    """log2(x + 1) when the values look linear (non-negative with max > 50), else as they are."""
    linear = bool(np.nanmin(x) >= 0 and np.nanmax(x) > 50)
    return (np.log2(x + 1) if linear else x), linear


def _mcp(adata: ad.AnnData, x: np.ndarray, markers: dict[str, tuple[str, ...]] | None = None) -> tuple[pd.DataFrame, dict[str, int]]:
    """Mean log expression of each cell type's markers present in the data."""
    genes = pd.Index(adata.var_names.astype(str))
    lx, _ = _log_values(x)
    scores, found = {}, {}
    for cell, cell_markers in (markers or MCP_MARKERS).items():
        idx = genes.get_indexer([g for g in cell_markers if g in genes])
        found[cell] = len(idx)
        if len(idx):
            scores[cell] = np.nanmean(lx[:, idx], axis=1)
    if not scores:
        msg = "tme: none of the marker genes (HUGO symbols, e.g. CD3D, MS4A1) is among the features; check the gene IDs."
        raise InputError(msg)
    return pd.DataFrame(scores, index=adata.obs_names), found


def tme(mdata: md.MuData, *, mod: str = "rna", method: str = "mcp", signature: pd.DataFrame | None = None,
        markers: dict[str, Any] | None = None, layer: str | None = None, key_added: str = "tme",
        overwrite: bool = False) -> None:
    """Microenvironment: marker scores (``mcp``) or fractions from a reference profile (``nnls``) as modality ``tme``.

    Parameters
    ----------
    mdata
        The cohort.
    mod
        Expression modality (HUGO symbols; linear values are log2(x+1)-transformed for ``mcp``).
    method
        ``"mcp"`` (MCP-counter-style scores, :data:`MCP_MARKERS`) or ``"nnls"`` (fractions; needs ``signature``).
    signature
        Genes x cell types reference profile (a user's own, linear scale) for ``nnls``.
    markers
        For ``mcp``: a user's own ``{cell type: marker genes}`` (e.g. read from a GMT) instead of
        :data:`MCP_MARKERS`.
    layer
        Layer to read (default ``.X``).
    key_added
        Name of the modality.
    overwrite
        Replace a modality of that name that oncoresist did not write.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> rna = ad.AnnData(rng.uniform(size=(3, 2)), obs=pd.DataFrame(index=list("abc")),
    ...                  var=pd.DataFrame(index=["CD3D", "MS4A1"]))
    >>> m = md.MuData({"rna": rna}); tme(m)
    >>> list(m["tme"].var_names)
    ['T cells', 'B lineage']
    """
    if mod not in mdata.mod:
        raise InputError(f"tme: modality {mod!r} is not in the cohort ({', '.join(mdata.mod)}); pass mod=<one of them>.")
    claim_key(mdata, "mod", key_added, by="tl.tme", overwrite=overwrite)
    adata = mdata[mod]
    x = np.asarray(adata.layers[layer] if layer else adata.X, dtype=float)
    params: dict[str, Any] = {"mod": mod, "method": method, "layer": layer}
    if method == "mcp":
        own = None if markers is None else {str(c): tuple(map(str, g)) for c, g in markers.items()}
        if own is not None and not own:
            raise InputError("tme: markers= is empty; give {cell type: [marker genes]} or leave it out for MCP-counter markers.")
        df, found = _mcp(adata, x, own)
        params.update(markers_found=found, log2_applied=_log_values(x)[1],
                      reference="user markers" if own else "doi:10.1186/s13059-016-1070-5")
    elif method == "nnls" and signature is not None:
        common = pd.Index(adata.var_names.astype(str)).intersection(signature.index.astype(str))
        if len(common) < signature.shape[1]:
            raise InputError(f"tme: only {len(common)} signature genes among the features of {mod!r}; need >= {signature.shape[1]}.")
        cols = pd.Index(adata.var_names.astype(str)).get_indexer(common)
        f = nnls_fractions(x[:, cols], signature.loc[common].to_numpy(dtype=float))
        df = pd.DataFrame(f, index=adata.obs_names, columns=[*map(str, signature.columns), "other cells"])
        params.update(n_signature_genes=len(common), reference="doi:10.7554/eLife.26476")
    else:
        raise InputError(f"tme: method must be 'mcp' or 'nnls' (with signature=<genes x cell types>), got {method!r}.")
    out = ad.AnnData(df.to_numpy(), obs=pd.DataFrame(index=df.index), var=pd.DataFrame(index=df.columns))
    out.uns["tme"] = {"params": clean_params(params)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        new = md.MuData({**{k: v for k, v in mdata.mod.items() if k != key_added}, key_added: out},
                        obs=mdata.obs.copy(), uns=dict(mdata.uns), obsm=dict(mdata.obsm))
    mdata.__dict__.update(new.__dict__)

"""``tl.activity``: pathway / TF / kinase activities of every sample as a new modality ``act_<resource>``."""

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
from ...kb import load_resource
from ._methods import METHOD_REGISTRY
from ._sites import match_sites, site_network

__all__ = ["activity", "network_matrix"]


def network_matrix(net: pd.DataFrame, features: pd.Index, *, tmin: int = 5) -> tuple[np.ndarray, pd.Index]:
    """Features x sources weight matrix of a long network; sources with < ``tmin`` shared targets dropped.

    Parameters
    ----------
    net
        Long table with ``source``, ``target``, ``weight``; duplicate edges are averaged.
    features
        The data's feature names (targets are matched exactly).
    tmin
        Minimum targets of a source among ``features``.

    Returns
    -------
    tuple
        ``adj`` (features x kept sources) and the kept source names.

    Examples
    --------
    >>> net = pd.DataFrame({"source": ["A", "A", "B"], "target": ["g1", "g2", "g1"], "weight": [1.0, -1.0, 1.0]})
    >>> adj, src = network_matrix(net, pd.Index(["g1", "g2", "g3"]), tmin=2)
    >>> list(src), adj[:, 0].tolist()
    (['A'], [1.0, -1.0, 0.0])
    """
    net = net[net["target"].isin(features)]
    net = net.groupby(["source", "target"], as_index=False, sort=False)["weight"].mean()
    sizes = net.groupby("source")["target"].nunique()
    sources = pd.Index(sorted(sizes.index[sizes >= tmin]))
    net = net[net["source"].isin(sources)]
    adj = np.zeros((len(features), len(sources)))
    adj[features.get_indexer(net["target"]), sources.get_indexer(net["source"])] = net["weight"].to_numpy()
    return adj, sources


def _matrix(adata: ad.AnnData, layer: str | None, missing_ok: bool) -> tuple[np.ndarray, pd.Index, np.ndarray]:
    """The samples x features values, names and kept mask; features with missing values dropped unless the method copes."""
    x = adata.layers[layer] if layer else adata.X
    x = np.asarray(x.toarray() if hasattr(x, "toarray") else x, dtype=float)
    names = pd.Index(adata.var_names.astype(str))
    keep = np.ones(len(names), dtype=bool)
    if not missing_ok:
        keep = np.isfinite(x).all(0)
        if not keep.all():
            warnings.warn(f"activity: {int((~keep).sum())} features with missing values left out "
                          "(impute them first, or use method='ksea').", UserWarning, stacklevel=3)
        x, names = x[:, keep], names[keep]
    return x, names, keep


def activity(mdata: md.MuData, *, mod: str = "rna", resource: str | pd.DataFrame = "progeny", method: str = "ulm",
             layer: str | None = None, resource_path: str | None = None, tmin: int = 5, times: int = 1000,
             random_state: int = 0, key_added: str | None = None, overwrite: bool = False,
             copy: bool = False) -> md.MuData | None:
    """Infer activities of every sample of modality ``mod`` and add them as modality ``act_<resource>``.

    Parameters
    ----------
    mdata
        The cohort.
    mod
        Modality read (``rna``, ``prot``, ``phospho``, ...).
    resource
        A registered resource name (see :func:`oncoresist.kb.load_resource`), a file, or a long
        ``source``, ``target``, ``weight`` table. Site resources (``signor``, or a network whose targets
        are phosphosites such as ``EGFR_Y1068``) match phosphosite IDs (:func:`match_sites`).
    method
        One of :data:`METHOD_REGISTRY`: ``ulm``, ``mlm``, ``wmean``, ``wsum``, ``viper``, ``gsea``, ``ksea``.
    layer
        Layer of ``mod`` to read (default ``.X``; log-scale values expected).
    resource_path
        Where a registered resource file is (file or folder).
    tmin
        Minimum targets of a source among the features.
    times
        Permutations (wmean, wsum, gsea).
    random_state
        Seed of the permutations.
    key_added
        Name of the new modality (default ``act_<resource>``; ``act_kinase`` for ``signor``).
    overwrite
        Replace an existing modality of that name that oncoresist did not write.
    copy
        Return a new cohort instead of changing ``mdata``.

    Returns
    -------
    MuData or None
        The modality has samples x sources scores in ``X``, p-values in ``layers['pvalues']``,
        ``var['n_targets']`` and ``uns['activity']['params']`` (site resources: the match report of
        :func:`~oncoresist.tl.functional.match_sites`, e.g. ``match_rate``, ``matched_window``).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> rna = ad.AnnData(rng.normal(size=(4, 6)), obs=pd.DataFrame(index=list("abcd")),
    ...                  var=pd.DataFrame(index=[f"g{i}" for i in range(6)]))
    >>> net = pd.DataFrame({"source": ["P"] * 3, "target": ["g0", "g1", "g2"], "weight": [1.0, 1.0, -1.0]})
    >>> m = md.MuData({"rna": rna})
    >>> activity(m, resource=net, method="ulm", tmin=3, key_added="act_p")
    >>> m["act_p"].shape
    (4, 1)
    """
    if method not in METHOD_REGISTRY:
        msg = f"method {method!r} is unknown; use one of {', '.join(METHOD_REGISTRY)}."
        raise InputError(msg)
    if mod not in mdata.mod:
        msg = f"modality {mod!r} is not in the cohort (it has {', '.join(mdata.mod)}); pass mod=<one of them>."
        raise InputError(msg)
    net = site_network(resource if isinstance(resource, pd.DataFrame) else load_resource(resource, path=resource_path))
    name = str(net.attrs.get("resource", "custom"))
    key = key_added or ("act_kinase" if "residue" in net.columns else f"act_{name}")
    if copy:
        mdata = mdata.copy()
    claim_key(mdata, "mod", key, by="tl.activity", overwrite=overwrite)
    spec = METHOD_REGISTRY[method]
    x, feats, keep = _matrix(mdata[mod], layer, spec.missing_ok)
    sites = None
    if "residue" in net.columns:
        feats, sites = match_sites(feats, net, var=mdata[mod].var.iloc[np.flatnonzero(keep)])
    adj, sources = _network(net, feats, tmin, mod)
    opts = {"times": times, "rng": random_state} if spec.random else ({"tmin": tmin} if method == "ksea" else {})
    es, pv = spec.kernel(x, adj, **opts)
    _store(mdata, key, mdata[mod].obs_names, sources, es, pv, adj, dict(
        mod=mod, resource=name, method=method, layer=layer, tmin=tmin, times=times, random_state=random_state,
        version=net.attrs.get("version"), licence=net.attrs.get("licence"), reference=spec.reference, **(sites or {})))
    return mdata if copy else None


def _network(net: pd.DataFrame, feats: pd.Index, tmin: int, mod: str) -> tuple[np.ndarray, pd.Index]:
    """The weight matrix, or an error naming the overlap when no source is left."""
    adj, sources = network_matrix(net, feats, tmin=tmin)
    if not len(sources):
        msg = (f"activity: no source of the resource has >= {tmin} targets among the {len(feats)} features of "
               f"{mod!r} (example features: {', '.join(map(str, feats[:3]))}); check the feature IDs or lower tmin.")
        raise InputError(msg)
    return adj, sources


def _store(mdata: md.MuData, key: str, obs: pd.Index, sources: pd.Index, es: np.ndarray, pv: np.ndarray,
           adj: np.ndarray, params: dict[str, Any]) -> None:
    """Write the activity modality with its p-values and parameters."""
    a = ad.AnnData(np.asarray(es, dtype=float), obs=pd.DataFrame(index=obs),
                   var=pd.DataFrame({"n_targets": (adj != 0).sum(0)}, index=sources))
    a.layers["pvalues"] = np.asarray(pv, dtype=float)
    a.uns["activity"] = {"params": clean_params(params)}
    with warnings.catch_warnings():  # mudata's notes on feature names shared by modalities
        warnings.simplefilter("ignore")
        mods = {**{k: v for k, v in mdata.mod.items() if k != key}, key: a}
        new = md.MuData(mods, obs=mdata.obs.copy(), uns=dict(mdata.uns), obsm=dict(mdata.obsm))
    mdata.__dict__.update(new.__dict__)  # in place: source names (EGFR pathway) may equal gene names

"""Shared plumbing of the preprocessing functions: which AnnData to change, copies, records.

Every ``pp`` function takes a cohort (:class:`mudata.MuData`, the modality chosen with
``mod=``) or a single layer (:class:`anndata.AnnData`), changes it in place (or a copy with
``copy=True``) and records what it did in ``adata.uns['pp']``: ``steps`` (names, in order)
and one entry per step with its parameters and what was dropped or changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from .._core._errors import InputError
from .._core._params import clean_params
from ..get import layer_matrix, layer_obs_column


def is_mudata(data: Any) -> bool:
    """Whether ``data`` is a MuData cohort."""
    import mudata as md

    return isinstance(data, md.MuData)


def is_anndata(data: Any) -> bool:
    """Whether ``data`` is an AnnData layer."""
    import anndata as ad

    return isinstance(data, ad.AnnData)


def start(data: Any, mod: str, *, copy: bool, func: str) -> tuple[Any, Any]:
    """Return ``(container, adata)`` to work on: a copy when ``copy``; the modality of a MuData.

    Raises :class:`InputError` naming ``func`` when ``data`` is neither a MuData nor an
    AnnData, or when the modality is missing.
    """
    if not (is_mudata(data) or is_anndata(data)):
        msg = f"{func}: expected a MuData cohort or an AnnData layer, got {type(data).__name__}."
        raise InputError(msg)
    container = copy_data(data) if copy else data
    if is_mudata(container):
        if mod not in container.mod:
            msg = (
                f"{func}: the cohort has no modality '{mod}' (modalities: {', '.join(container.mod)}); "
                f"pass mod= with one of them."
            )
            raise InputError(msg)
        return container, container.mod[mod]
    return container, container


def claim(adata: Any, func: str, writes: Any, *, overwrite: bool) -> None:
    """Claim the ``(slot, key)`` pairs ``func`` writes into ``adata`` (a user's own data is never replaced).

    ``writes`` lists ``(slot, key, option)`` or ``(slot, key)``; without an option the key is fixed
    and the error says to rename the existing entry or pass ``overwrite=True``.
    """
    from .._core._keys import claim_key

    for item in writes:
        slot, key, option = (*item, None) if len(item) == 2 else item
        try:
            claim_key(adata, slot, key, by=f"pp.{func}", overwrite=overwrite, option=option or "key_added")
        except InputError as e:
            if option is not None:
                raise
            msg = (f"pp.{func}: {slot}[{key!r}] already exists and was not written by oncoresist (it may be your "
                   f"own data); nothing was changed. Rename it first (e.g. adata.{slot}['my_{key}'] = "
                   f"adata.{slot}.pop('{key}')) or pass overwrite=True to replace it.")
            raise InputError(msg) from e


def replace_modality(container: Any, mod: str, new: Any) -> Any:
    """Put ``new`` in place of the modality (MuData) or return it (AnnData input).

    When the features change (e.g. sites collapsed to genes), MuData cannot tell renamed
    from filtered features in one ``update()``; the modality is first emptied of features
    (a pure removal), then filled (a pure addition), which keeps the cohort's ``obs``,
    ``obsm`` and modality order intact.
    """
    import anndata as ad

    if is_mudata(container):
        old = container.mod[mod]
        if not new.var_names.equals(old.var_names) and not new.var_names.isin(old.var_names).all():
            container.mod[mod] = ad.AnnData(np.zeros((old.n_obs, 0)), obs=old.obs.copy())
            _update(container)
        container.mod[mod] = new
        _update(container)
        return container
    return new


def copy_data(data: Any) -> Any:
    """Copy a MuData / AnnData without MuData's note about feature names shared by modalities."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*names are intersecting.*")
        warnings.filterwarnings("ignore", message=".*names are not unique.*")
        return data.copy()


def _update(container: Any) -> None:
    """``MuData.update()`` without its note about feature names shared by modalities (normal here)."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*names are intersecting.*")
        warnings.filterwarnings("ignore", message=".*names are not unique.*")
        container.update()


def finish(container: Any, copy: bool) -> Any:
    """Return value convention of cohort functions: the copy, or None in place."""
    return container if copy else None


def dense(X: Any) -> np.ndarray:
    """Float dense array of an AnnData matrix."""
    if sparse.issparse(X):
        X = X.toarray()
    return np.asarray(X, dtype=float)


def get_matrix(adata: Any, layer: str | None, *, func: str, mod: str = "") -> np.ndarray:
    """The matrix to process: ``adata.layers[layer]`` or ``adata.X``, as float (a copy); see :mod:`oncoresist.get`."""
    return layer_matrix(adata, layer, func=func, mod=mod)


def record(adata: Any, step: str, params: Mapping[str, Any]) -> None:
    """Append ``step`` to ``adata.uns['pp']['steps']`` and store its parameters / summary."""
    pp = adata.uns.get("pp")
    pp = dict(pp) if isinstance(pp, Mapping) else {}
    steps = list(np.asarray(pp.get("steps", []), dtype=object).tolist()) if "steps" in pp else []
    steps.append(step)
    pp["steps"] = steps
    pp[step] = clean_params(dict(params))
    adata.uns["pp"] = pp


def obs_column(container: Any, adata: Any, key: str, *, func: str) -> pd.Series:
    """A per-sample annotation for the layer's samples: ``adata.obs[key]`` or the cohort's ``obs``.

    MuData cohorts keep clinical variables (batch, plex, ...) in ``mdata.obs``; this looks
    there too and aligns the values to the layer's samples (see :mod:`oncoresist.get`).
    """
    return layer_obs_column(container, adata, key, func=func)


def scale_of(adata: Any, mod: str) -> str | None:
    """The declared scale of a layer (``uns[mod]['scale']``, e.g. ``"log2"`` / ``"linear"`` / ``"beta"``)."""
    u = adata.uns.get(mod)
    if isinstance(u, Mapping):
        s = u.get("scale")
        return None if s is None else str(s)
    return None


def set_scale(adata: Any, mod: str, scale: str) -> None:
    """Update ``uns[mod]['scale']`` after a transformation."""
    u = adata.uns.get(mod)
    u = dict(u) if isinstance(u, Mapping) else {}
    u["scale"] = scale
    adata.uns[mod] = u

"""The one way to read a layer of a cohort: a dense matrix, a labelled frame, a sample annotation.

Every function takes a :class:`mudata.MuData` cohort (the modality chosen with ``mod=``; a
cohort with a single modality needs none) or an :class:`anndata.AnnData` layer, and raises
:class:`~oncoresist.InputError` naming what is missing (modality, layer, column) and what is
available. Nothing is changed: the results are copies.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._core._docs import doc_params
from .._core._errors import InputError

__all__ = ["ORIENTATIONS", "frame", "higher_is", "matrix", "obs_column"]


def _is_mudata(data: Any) -> bool:
    """Whether ``data`` is a MuData cohort."""
    import mudata as md

    return isinstance(data, md.MuData)


def _is_anndata(data: Any) -> bool:
    """Whether ``data`` is an AnnData layer."""
    import anndata as ad

    return isinstance(data, ad.AnnData)


def _dense(X: Any) -> np.ndarray:
    """Float dense copy of a (possibly sparse) matrix."""
    from scipy import sparse

    if sparse.issparse(X):
        X = X.toarray()
    return np.array(X, dtype=float)


def _modality(data: Any, mod: str | None, *, func: str) -> tuple[Any, str]:
    """The AnnData to read and the modality name (``""`` for an AnnData input)."""
    if _is_mudata(data):
        names = list(data.mod)
        if mod is None:
            if len(names) == 1:
                return data.mod[names[0]], names[0]
            msg = f"{func}: the cohort has {len(names)} modalities ({', '.join(names) or 'none'}); pass mod= with one of them."
            raise InputError(msg)
        if mod not in data.mod:
            msg = f"{func}: the cohort has no modality '{mod}' (modalities: {', '.join(names) or 'none'}); pass mod= with one of them."
            raise InputError(msg)
        return data.mod[mod], mod
    if _is_anndata(data):
        return data, mod or ""
    msg = f"{func}: expected a MuData cohort or an AnnData layer, got {type(data).__name__}."
    raise InputError(msg)


def layer_matrix(adata: Any, layer: str | None, *, func: str, mod: str = "") -> np.ndarray:
    """``adata.layers[layer]`` (or ``adata.X`` when ``layer`` is None) as a dense float copy.

    Parameters
    ----------
    adata
        The AnnData layer.
    layer
        Name in ``adata.layers``; ``None`` = ``X``.
    func
        Name of the calling function, at the start of error messages.
    mod
        Modality name shown in error messages (``""`` = none).

    Returns
    -------
    numpy.ndarray
        Samples x features, float.
    """
    if layer is not None:
        if layer not in adata.layers:
            where = f" of modality '{mod}'" if mod else ""
            msg = f"{func}: no layer '{layer}'{where} (layers: {', '.join(adata.layers) or 'none'}); use X (layer=None) or one of them."
            raise InputError(msg)
        return _dense(adata.layers[layer])
    if adata.X is None:
        msg = f"{func}: the layer has no X matrix."
        raise InputError(msg)
    return _dense(adata.X)


def layer_obs_column(container: Any, adata: Any, key: str, *, func: str, mod: str | None = None) -> pd.Series:
    """``adata.obs[key]``, else the cohort's ``obs[key]`` (or ``obs['<mod>:<key>']``) aligned to the layer.

    Parameters
    ----------
    container
        The cohort (MuData) or the AnnData itself.
    adata
        The layer whose samples the values are aligned to.
    key
        Column name.
    func
        Name of the calling function, at the start of error messages.
    mod
        Modality name; enables the ``<mod>:<key>`` look-up in the cohort's ``obs``.

    Returns
    -------
    pandas.Series
        One value per sample of ``adata`` (missing where the cohort has none).
    """
    if key in adata.obs.columns:
        return adata.obs[key]
    cohort = _is_mudata(container)
    if cohort:
        obs = container.obs
        for k in (key, f"{mod}:{key}") if mod else (key,):
            if k in obs.columns:
                return obs[k].reindex(adata.obs_names)
    where = "the layer's obs" + (" or the cohort's obs" if cohort else "")
    raise _missing_column(func, key, where, list(adata.obs.columns) + (list(container.obs.columns) if cohort else []))


_DOC_LAYER_ARGS = """\
data
    A MuData cohort or an AnnData layer.
mod
    Modality of a cohort (may be omitted when the cohort has a single one).
layer
    Name in the modality's ``layers``; ``None`` = ``X``."""


def _missing_column(func: str, key: str, where: str, cols: list[Any]) -> InputError:
    """The error for an absent ``obs`` column, listing (up to 12 of) the available ones."""
    shown = ", ".join(map(str, cols[:12])) + (", ..." if len(cols) > 12 else "")
    return InputError(f"{func}: column '{key}' not found in {where} (columns: {shown or 'none'}); add it or choose another column.")


@doc_params(doc_layer_args=_DOC_LAYER_ARGS)
def matrix(data: Any, mod: str | None = None, *, layer: str | None = None) -> np.ndarray:
    """A layer's values as a dense float samples x features array (a copy).

    Parameters
    ----------
    {doc_layer_args}

    Returns
    -------
    numpy.ndarray
        Samples x features, float; NaN stays NaN.

    Examples
    --------
    >>> import anndata as ad, numpy as np
    >>> a = ad.AnnData(np.array([[1, 2], [3, 4]], dtype=np.float32))
    >>> matrix(a).dtype
    dtype('float64')
    """
    adata, name = _modality(data, mod, func="get.matrix")
    return layer_matrix(adata, layer, func="get.matrix", mod=name)


@doc_params(doc_layer_args=_DOC_LAYER_ARGS)
def frame(data: Any, mod: str | None = None, *, layer: str | None = None) -> pd.DataFrame:
    """A layer's values as a samples x features DataFrame (sample and feature names kept).

    Parameters
    ----------
    {doc_layer_args}

    Returns
    -------
    pandas.DataFrame
        Index = sample names, columns = feature names, float values.

    Examples
    --------
    >>> import anndata as ad, numpy as np, pandas as pd
    >>> a = ad.AnnData(np.eye(2), obs=pd.DataFrame(index=["s1", "s2"]), var=pd.DataFrame(index=["g1", "g2"]))
    >>> frame(a).loc["s2", "g2"]
    np.float64(1.0)
    """
    adata, name = _modality(data, mod, func="get.frame")
    X = layer_matrix(adata, layer, func="get.frame", mod=name)
    return pd.DataFrame(X, index=adata.obs_names.copy(), columns=adata.var_names.copy())


def obs_column(data: Any, key: str, *, mod: str | None = None) -> pd.Series:
    """A per-sample annotation: of a modality's samples (``mod=``) or of the cohort / AnnData.

    With ``mod``, the modality's own ``obs`` is searched first, then the cohort's ``obs``
    (``key`` or ``'<mod>:<key>'``), aligned to the modality's samples.

    Parameters
    ----------
    data
        A MuData cohort or an AnnData layer.
    key
        Column name.
    mod
        Modality whose samples the values are for (cohort only); ``None`` = the cohort's ``obs``.

    Returns
    -------
    pandas.Series
        One value per sample.

    Examples
    --------
    >>> import anndata as ad, numpy as np, pandas as pd
    >>> a = ad.AnnData(np.zeros((2, 1)), obs=pd.DataFrame({"batch": ["b1", "b2"]}, index=["s1", "s2"]))
    >>> obs_column(a, "batch").tolist()
    ['b1', 'b2']
    """
    func = "get.obs_column"
    if _is_mudata(data) and mod is None:
        if key in data.obs.columns:
            return data.obs[key].copy()
        raise _missing_column(func, key, "the cohort's obs", list(data.obs.columns))
    adata, name = _modality(data, mod, func=func)
    return layer_obs_column(data, adata, key, func=func, mod=name or None)


#: The two response orientations: a higher value means a more resistant / a more sensitive sample.
ORIENTATIONS = ("resistant", "sensitive")


def higher_is(data: Any, mod: str | None = None, *, layer: str | None = None) -> str | None:
    """The declared orientation of a response layer: ``"resistant"``, ``"sensitive"`` or ``None`` (unknown).

    Whoever writes a response layer records what a higher value means in
    ``adata.uns['higher_is']``, a mapping from layer name (``"X"`` for ``.X``) to ``"resistant"``
    (IC50, AUC of viability, Emax, GR50) or ``"sensitive"`` (AAC, -log GI50, % inhibition):
    the curve fitter does for its metrics, the study file for a matrix (``higher_is = ...``).
    Associations, models and reports read it here; ``None`` means nobody declared it.

    Parameters
    ----------
    data
        A MuData cohort or an AnnData layer.
    mod
        Modality (cohort only).
    layer
        Layer name; ``None`` = ``.X``.

    Returns
    -------
    str or None
        ``"resistant"``, ``"sensitive"`` or ``None``.

    Examples
    --------
    >>> import anndata as ad, numpy as np
    >>> a = ad.AnnData(np.zeros((2, 1)), uns={"higher_is": {"X": "resistant", "aac": "sensitive"}})
    >>> higher_is(a), higher_is(a, layer="aac"), higher_is(a, layer="ic50")
    ('resistant', 'sensitive', None)
    """
    adata, _ = _modality(data, mod, func="get.higher_is")
    declared = adata.uns.get("higher_is")
    if isinstance(declared, str):
        declared = {"X": declared}
    if not isinstance(declared, dict):
        return None
    value = declared.get("X" if layer is None else str(layer))
    if value is None:
        return None
    value = str(value).strip().lower()
    if value not in ORIENTATIONS:
        msg = (f"get.higher_is: uns['higher_is'][{('X' if layer is None else layer)!r}] is {value!r}; "
               f"expected one of {', '.join(ORIENTATIONS)}. Fix the value in the cohort or the study file.")
        raise InputError(msg)
    return value

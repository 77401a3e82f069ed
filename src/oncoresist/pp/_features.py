"""Feature selection: the most variable features of a layer, or a given list."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from .._core._docs import DOC_PP_COPY, DOC_PP_DATA, doc_params
from .._core._errors import InputError
from ._base import claim, finish, get_matrix, is_mudata, record, replace_modality, start

__all__ = ["select_features"]


@doc_params(doc_data=DOC_PP_DATA, doc_copy=DOC_PP_COPY)
def select_features(
    data: Any,
    *,
    mod: str = "rna",
    n_top: int | None = 2000,
    features: Sequence[str] | None = None,
    method: str = "variance",
    min_observed: float = 0.5,
    layer: str | None = None,
    key_added: str = "selected",
    subset: bool = False,
    copy: bool = False,
    overwrite: bool = False,
) -> Any:
    """Flag the features used downstream: the ``n_top`` most variable, or a given list.

    Variability is the variance (``"variance"``) or the median absolute deviation (``"mad"``)
    of the observed values; features observed in fewer than ``min_observed`` of the samples
    are not eligible. The flag goes to ``var[key_added]`` (integration uses it: see
    :func:`oncoresist.tl.modality_matrix`) and the score to ``var['variability']``;
    ``subset=True`` removes the other features instead.

    Parameters
    ----------
    {doc_data}
    n_top
        Number of features to keep (all eligible when larger); ignored with ``features``.
    features
        Explicit feature names (unknown names are reported in a warning and recorded).
    method
        ``"variance"`` or ``"mad"``.
    min_observed
        Minimum fraction of samples in which a feature must be observed to be eligible.
    layer
        Matrix to score (default ``X``; e.g. ``"mvalue"`` for methylation).
    key_added
        ``var`` column of the flag.
    subset
        Remove the unselected features (on an AnnData changed in place, the subset AnnData is
        returned).
    {doc_copy}

    Examples
    --------
    >>> import anndata as ad, numpy as np
    >>> a = ad.AnnData(np.array([[0.0, 1, 5], [0, 2, -5], [0.1, 3, 0]]))
    >>> select_features(a, n_top=1)
    >>> a.var["selected"].tolist()
    [False, False, True]
    """
    func = "select_features"
    if method not in ("variance", "mad"):
        msg = f"{func}: method must be 'variance' or 'mad', got {method!r}."
        raise InputError(msg)
    if features is None and (n_top is None or int(n_top) < 1):
        msg = f"{func}: give n_top >= 1 or a list of features, got n_top={n_top!r}."
        raise InputError(msg)
    container, a = start(data, mod, copy=copy, func=func)
    claim(a, func, [("var", "variability"), ("var", key_added, "key_added")], overwrite=overwrite)
    X = get_matrix(a, layer, func=func, mod=mod)
    score = _variability(X, method)
    eligible = np.isfinite(X).mean(axis=0) >= min_observed
    unknown: list[str] = []
    if features is not None:
        keep, unknown = _keep_listed(a.var_names, features, mod)
    else:
        keep = _keep_top(score, eligible, int(n_top), mod, min_observed)
    a.var["variability"] = score
    a.var[key_added] = keep
    params = {"method": method, "n_top": None if features is not None else int(n_top), "n_selected": int(keep.sum()),
              "from_list": features is not None, "unknown_features": unknown[:1000], "min_observed": float(min_observed),
              "layer": layer, "key_added": key_added, "subset": bool(subset)}
    record(a, "select_features", params)
    if subset:
        new = a[:, keep].copy()
        if is_mudata(container):
            replace_modality(container, mod, new)
            return finish(container, copy)
        return new
    return finish(container, copy)


def _variability(X: np.ndarray, method: str) -> np.ndarray:
    """Per-feature variance (``"variance"``) or MAD (``"mad"``) of the observed values, 0 when undefined."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if method == "variance":
            score = np.nanvar(X, axis=0, ddof=1)
        else:
            score = np.nanmedian(np.abs(X - np.nanmedian(X, axis=0)), axis=0)
    return np.where(np.isfinite(score), score, 0.0)


def _keep_listed(var_names: Any, features: Sequence[str], mod: str) -> tuple[np.ndarray, list[str]]:
    """Mask of the given features among ``var_names`` and the given names that are unknown (warned)."""
    func = "select_features"
    wanted = [str(f) for f in features]
    names = set(map(str, var_names))
    unknown = [f for f in wanted if f not in names]
    keep = np.isin(var_names.astype(str), wanted)
    if not keep.any():
        msg = f"{func}: none of the {len(wanted)} given features is in modality '{mod}' (e.g. {wanted[0]!r} vs {var_names[0]!r})."
        raise InputError(msg)
    if unknown:
        warnings.warn(
            f"{func}: {len(unknown)} of {len(wanted)} given feature(s) are not in modality '{mod}' (e.g. {unknown[0]!r}); "
            "they are listed in uns['pp']['select_features'].",
            UserWarning,
            stacklevel=3,
        )
    return keep, unknown


def _keep_top(score: np.ndarray, eligible: np.ndarray, n_top: int, mod: str, min_observed: float) -> np.ndarray:
    """Mask of the ``n_top`` highest-scoring eligible features (stable order on ties)."""
    order = np.argsort(-np.where(eligible, score, -np.inf), kind="stable")
    n = min(n_top, int(eligible.sum()))
    if n == 0:
        msg = f"select_features: no feature of modality '{mod}' is observed in at least {min_observed:.0%} of samples; lower min_observed."
        raise InputError(msg)
    keep = np.zeros(score.size, dtype=bool)
    keep[order[:n]] = True
    return keep

"""What kind of values a layer holds, read from its content (not from its name)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._core._docs import DOC_PP_COPY, DOC_PP_DATA, DOC_PP_LAYER, doc_params
from ._base import claim, finish, get_matrix, record, set_scale, start

__all__ = ["DATA_TYPES", "detect_data_type", "detect_with_confidence", "log_transform"]

DATA_TYPES = ("counts", "linear", "log", "beta", "binary", "zscore")

_LOG_MAX = 40.0  # log2 intensities / expression stay below this
_LOG_MIN = -15.0
_TAIL_MAX = 1000.0  # linear TPM / FPKM / intensities exceed this
_LOG_SPAN = 3.0  # the central 98% of log-scale expression / intensities spans at least this many units


def _classify(v: np.ndarray) -> tuple[str, bool]:
    """``(type, sure)`` of the finite values ``v`` (see :func:`detect_data_type`)."""
    if v.size == 0:
        return "log", False
    lo, hi = float(v.min()), float(v.max())
    if np.isin(v, (0.0, 1.0)).all():
        return "binary", True
    if lo >= 0 and hi <= 1:
        return "beta", True
    integer = bool(np.allclose(v, np.round(v)))
    if lo >= 0 and integer and hi > 50:
        return "counts", True
    mean, sd = float(v.mean()), float(v.std())
    if lo < 0 < hi and abs(mean) < 0.25 * max(sd, 1e-12) and hi <= _LOG_MAX:
        return "zscore", True
    if lo >= 0 and hi > _TAIL_MAX:
        return "linear", True
    if lo >= _LOG_MIN and hi <= _LOG_MAX:
        q01, q99 = np.percentile(v, [1, 99])
        return "log", bool(q99 - q01 >= _LOG_SPAN)  # log expression spans several log units
    return ("linear", False) if lo >= 0 else ("log", False)


def detect_data_type(X: Any) -> str:
    """The kind of values of a samples x features matrix, from its content.

    - ``"binary"``: only 0 and 1 (mutation calls).
    - ``"beta"``: all in [0, 1], not only 0/1 (methylation beta values, fractions).
    - ``"counts"``: non-negative integers with a large range (maximum above 50).
    - ``"zscore"``: both signs, mean near 0 (centred / scaled data, log ratios).
    - ``"linear"``: non-negative, not integer, with a heavy right tail (maximum above 1000:
      TPM, FPKM, RSEM, raw intensities).
    - ``"log"``: values within about -15..40 (log-scale expression or intensities); a clear-cut
      call only when the central 98% of values spans at least 3 log units
      (:func:`detect_with_confidence` says when it is a guess).

    Parameters
    ----------
    X
        Samples x features (NaN ignored).

    Returns
    -------
    str
        One of :data:`DATA_TYPES`.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> detect_data_type(rng.poisson(100, size=(5, 20))), detect_data_type(rng.lognormal(3, 2, size=(5, 200)))
    ('counts', 'linear')
    >>> detect_data_type(np.log2(rng.lognormal(3, 2, size=(5, 200)) + 1)), detect_data_type(rng.uniform(size=(5, 5)))
    ('log', 'beta')
    """
    return detect_with_confidence(X)[0]


def detect_with_confidence(X: Any) -> tuple[str, bool]:
    """:func:`detect_data_type` and whether the call is clear-cut (``False`` = a guess)."""
    A = np.asarray(X, dtype=float)
    return _classify(A[np.isfinite(A)])


@doc_params(doc_data=DOC_PP_DATA, doc_layer=DOC_PP_LAYER, doc_copy=DOC_PP_COPY)
def log_transform(data: Any, *, mod: str = "rna", layer: str | None = None, copy: bool = False,
                  overwrite: bool = False) -> Any:
    """Log-transform linear values: ``X = log2(x + 1)`` (the linear values stay in ``layers['linear']``).

    Parameters
    ----------
    {doc_data}
    {doc_layer}
    {doc_copy}

    Examples
    --------
    >>> import anndata as ad, numpy as np
    >>> a = ad.AnnData(np.array([[0.0, 3.0], [7.0, 15.0]]))
    >>> log_transform(a)
    >>> a.X.tolist()
    [[0.0, 2.0], [3.0, 4.0]]
    """
    container, a = start(data, mod, copy=copy, func="log_transform")
    claim(a, "log_transform", [("layers", "linear")], overwrite=overwrite)
    X = get_matrix(a, layer, func="log_transform", mod=mod)
    a.layers["linear"] = X.copy()
    a.X = np.log2(np.clip(X, 0.0, None) + 1.0)
    set_scale(a, mod, "log2")
    record(a, "log_transform", {"formula": "log2(x + 1)", "layer": layer, "linear_layer": "linear"})
    return finish(container, copy)

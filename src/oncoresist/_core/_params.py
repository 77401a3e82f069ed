"""One way to record a step's parameters in ``.uns`` so that they survive an ``.h5mu`` round trip."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

#: How a missing parameter (Python ``None``) is spelled in ``.uns``: HDF5 cannot store ``None``.
NONE = "None"


def clean_params(obj: Any) -> Any:
    """Make a parameter record writable to ``.h5mu``.

    ``None`` becomes the string ``"None"`` (:data:`NONE`), tuples become lists, lists of numbers
    become float arrays, lists of mixed values become lists of strings and NumPy scalars become
    Python scalars. Mappings are cleaned recursively with string keys.

    Parameters
    ----------
    obj
        A value, list or mapping of parameters.

    Returns
    -------
    The cleaned value.

    Examples
    --------
    >>> clean_params({"k": None, "ks": (2, 3), "seed": np.int64(0)})
    {'k': 'None', 'ks': array([2., 3.]), 'seed': 0}
    """
    if isinstance(obj, Mapping):
        return {str(k): clean_params(v) for k, v in obj.items()}
    if obj is None:
        return NONE
    if isinstance(obj, (list, tuple)):
        vals = [clean_params(v) for v in obj]
        if vals and all(isinstance(v, str) for v in vals):
            return vals
        if vals and all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in vals):
            return np.asarray(vals, dtype=float)
        return [str(v) for v in vals]
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    return obj

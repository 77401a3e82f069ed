"""Read and write cohorts as ``.h5mu`` (MuData's HDF5 format), atomically."""

from __future__ import annotations

import warnings
from pathlib import Path

import mudata as md
import numpy as np
import pandas as pd

from .._core._errors import InputError
from .._core._utils import PathLike, atomic_path, check_file, to_numeric_safe

__all__ = ["read_h5mu", "write_h5mu"]


def _sanitize_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Make a DataFrame writable by anndata: object columns become strings or categories."""
    df = df.copy()
    df.columns = [str(c) for c in df.columns]
    for col in df.columns:
        s = df[col]
        if s.dtype == object:
            non_null = s.dropna()
            if len(non_null) and all(isinstance(v, (bool, np.bool_)) for v in non_null):
                df[col] = s.astype("boolean") if s.isna().any() else s.astype(bool)
            elif len(non_null) and all(isinstance(v, (int, float, np.integer, np.floating)) for v in non_null):
                df[col] = to_numeric_safe(s)
            else:
                df[col] = s.map(lambda v: v if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))
                df[col] = df[col].astype("string").astype(object).where(df[col].notna(), None)
                df[col] = df[col].fillna("").astype(str) if df[col].isna().all() else df[col].astype("category")
    df.index = df.index.astype(str)
    return df


def _sanitize_uns(d: dict) -> dict:
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out[str(k)] = _sanitize_uns(v)
        elif isinstance(v, pd.DataFrame):
            out[str(k)] = _sanitize_frame(v)
        elif isinstance(v, (list, tuple)) and v and all(isinstance(x, str) for x in v):
            out[str(k)] = np.asarray(v, dtype=object)
        elif v is None:
            out[str(k)] = "None"
        else:
            out[str(k)] = v
    return out


def write_h5mu(mdata: md.MuData, path: PathLike, *, compression: str | None = "gzip") -> Path:
    """Write a cohort to ``path`` atomically (temporary file + rename).

    Object-typed annotation columns are stored as categoricals / strings and ``None`` values in
    ``.uns`` as the string ``"None"`` so that any cohort this package builds can be written.

    Parameters
    ----------
    mdata
        The cohort.
    path
        Destination, conventionally ``*.h5mu``.
    compression
        HDF5 compression of the matrices (``"gzip"``, ``"lzf"`` or ``None``).

    Returns
    -------
    pathlib.Path
        The written path.
    """
    path = Path(path)
    m = mdata.copy() if mdata.isbacked else mdata
    for mod in m.mod.values():
        mod.obs = _sanitize_frame(mod.obs)
        mod.var = _sanitize_frame(mod.var)
        mod.uns = _sanitize_uns(dict(mod.uns))
    m.obs = _sanitize_frame(m.obs)
    m.var = _sanitize_frame(m.var)
    m.uns = _sanitize_uns(dict(m.uns))
    with atomic_path(path, suffix=".h5mu") as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if compression:
            m.write_h5mu(tmp, compression=compression)
        else:
            m.write_h5mu(tmp)
    return path


def read_h5mu(path: PathLike) -> md.MuData:
    """Read a cohort written by :func:`write_h5mu` (or any ``.h5mu`` file).

    Parameters
    ----------
    path
        An ``.h5mu`` file.
    """
    p = check_file(path, what="cohort file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return md.read_h5mu(p)
    except (OSError, KeyError, ValueError) as e:
        msg = f"cannot read cohort '{p}': {e}. Expected an .h5mu file written by 'oncoresist build' or mudata."
        raise InputError(msg) from e

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
    _check_mudata_layout(p)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return md.read_h5mu(p)
    except Exception as e:  # noqa: BLE001 - a damaged HDF5 file fails anywhere inside h5py / anndata
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        msg = (f"cannot read cohort '{p}': {first}. Expected an .h5mu file written by 'oncoresist build' or mudata; "
               "the file looks damaged or incomplete: rebuild it (oncoresist build) or copy it again.")
        raise InputError(msg) from e


def _check_mudata_layout(p: Path) -> None:
    """Raise :class:`InputError` unless ``p`` is an HDF5 file laid out as a MuData cohort (a ``mod`` group)."""
    import h5py

    expected = "Expected an .h5mu cohort written by 'oncoresist build' (or mudata.write_h5mu)"
    try:
        with h5py.File(p, "r") as f:
            keys = set(f.keys())
            mods = f["mod"] if isinstance(f.get("mod", None), h5py.Group) else None
            encoding = f.attrs.get("encoding-type", "")
    except Exception as e:  # noqa: BLE001 - h5py raises OSError, RuntimeError, KeyError ... on damaged files
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        msg = f"cannot read cohort '{p}': {first}. {expected}; is it a complete HDF5 file?"
        raise InputError(msg) from e
    if mods is not None:
        return
    if encoding == "anndata" or {"X", "obs", "var"} <= keys:
        msg = (f"cohort '{p}' is an AnnData (.h5ad) file, not a MuData cohort. {expected}, or wrap it: "
               "mudata.MuData({'rna': anndata.read_h5ad(path)}).write(out.h5mu).")
    else:
        shown = ", ".join(sorted(map(str, keys))[:8]) or "nothing"
        msg = f"cohort '{p}' is an HDF5 file but not a MuData cohort (it holds {shown}; no 'mod' group). {expected}."
    raise InputError(msg)

"""Never overwrite a user's data: every function that writes a result into a cohort claims its key first.

A key that already exists in the slot is an error unless it was written earlier by the same
oncoresist function (re-running a step replaces its own result) or the caller passes
``overwrite=True``. What oncoresist wrote is recorded in ``uns['oncoresist']['keys']`` of the
object written to (``"obs:subtype" -> "tl.subtypes"``; HDF5 would read a ``/`` as a group), so the record survives an ``.h5mu`` round trip.
"""

from __future__ import annotations

from typing import Any

from ._errors import InputError

_SLOTS = ("obs", "var", "obsm", "varm", "obsp", "varp", "layers", "uns", "mod")


def _registry(owner: Any) -> dict[str, str]:
    """The ``{slot/key: writer}`` record of what oncoresist wrote into ``owner``."""
    meta = owner.uns.get("oncoresist")
    keys = meta.get("keys") if isinstance(meta, dict) else None
    return {str(k): str(v) for k, v in keys.items()} if isinstance(keys, dict) else {}


def _exists(owner: Any, slot: str, key: str) -> bool:
    """Whether ``owner.<slot>`` already holds ``key``."""
    container = getattr(owner, slot, None)
    if container is None:
        return False
    if slot in ("obs", "var"):
        return key in container.columns
    return key in container


def claim_key(owner: Any, slot: str, key: str, *, by: str, overwrite: bool = False, option: str = "key_added") -> None:
    """Check that ``by`` may write ``owner.<slot>[key]`` and record that it does.

    Call it before computing (so a refused write costs nothing) and write the result after.

    Parameters
    ----------
    owner
        The :class:`~anndata.AnnData` or :class:`~mudata.MuData` written to.
    slot
        ``"obs"``, ``"var"``, ``"obsm"``, ``"varm"``, ``"obsp"``, ``"varp"``, ``"layers"``, ``"uns"`` or ``"mod"``.
    key
        The key the result goes to.
    by
        The writing function, e.g. ``"tl.subtypes"``; it may replace its own earlier result.
    overwrite
        Replace whatever is there.
    option
        The name of the caller's option that chooses the key, named in the error.

    Raises
    ------
    InputError
        ``key`` exists, was not written by ``by`` and ``overwrite`` is false.

    Examples
    --------
    >>> import anndata as ad, numpy as np, pandas as pd
    >>> a = ad.AnnData(np.zeros((2, 1)), obs=pd.DataFrame({"subtype": ["LumA", "Basal"]}, index=["s1", "s2"]))
    >>> claim_key(a, "obs", "subtype", by="tl.subtypes")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    oncoresist._core._errors.InputError: tl.subtypes: obs['subtype'] already exists ...
    >>> claim_key(a, "obs", "factor_subtype", by="tl.subtypes")
    >>> claim_key(a, "obs", "factor_subtype", by="tl.subtypes")  # its own result: replaced
    """
    if slot not in _SLOTS:
        raise ValueError(f"claim_key: unknown slot {slot!r}; use one of {', '.join(_SLOTS)}.")
    key = str(key)
    entry = f"{slot}:{key}"
    registry = _registry(owner)
    if _exists(owner, slot, key) and not overwrite and registry.get(entry) != by:
        writer = registry.get(entry)
        origin = f"it was written by {writer}" if writer else "it was not written by oncoresist (it may be your own data, e.g. a sample-sheet column)"
        msg = (f"{by}: {slot}[{key!r}] already exists and {origin}; nothing was changed. "
               f"Pass {option}='<another name>' to keep both, or overwrite=True to replace it.")
        raise InputError(msg)
    registry[entry] = by
    meta = owner.uns.get("oncoresist")
    meta = dict(meta) if isinstance(meta, dict) else {}
    meta["keys"] = registry
    owner.uns["oncoresist"] = meta

"""The study file's ``[clonal]`` table: one clonal table per patient, read into ``uns['clonal_input']``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._core._errors import InputError

__all__ = ["read_clonal_input"]

#: Keys of one patient's clonal table in the study file.
CLONAL_KEYS = {"file", "patient", "times", "sample_pattern"}


def _patient_specs(spec: Any) -> list[tuple[str, Mapping[str, Any]]]:
    """``(table name, spec)`` per patient: ``[clonal]`` with ``file`` + ``patient``, or ``[clonal.<patient>]`` tables."""
    example = '[clonal]\nfile = "pyclone_P1.tsv"\npatient = "P1"   (or one [clonal.P1] table per patient)'
    if not isinstance(spec, Mapping) or not spec:
        msg = f"[clonal] must be a table; e.g.\n{example}"
        raise InputError(msg)
    if "file" in spec:
        if not isinstance(spec.get("patient"), str) or not spec["patient"].strip():
            msg = f"[clonal] needs patient = \"<ID>\" (whose samples the file holds), found {spec.get('patient')!r}; e.g.\n{example}"
            raise InputError(msg)
        return [("clonal", spec)]
    bad = [k for k, v in spec.items() if not isinstance(v, Mapping)]
    if bad:
        msg = (f"[clonal] has key(s) {', '.join(map(repr, bad))} but no file: give file and patient, "
               f"or one sub-table per patient; e.g.\n{example}")
        raise InputError(msg)
    return [(f"clonal.{k}", {"patient": str(k), **v}) for k, v in spec.items()]


def _time_order(table: str, times: Any, samples: pd.Series) -> pd.Series:
    """Position of each row's sample in the declared ``times`` order (NaN when no order is declared)."""
    if times is None:
        return pd.Series(np.nan, index=samples.index)
    if not isinstance(times, list) or len(set(map(str, times))) != len(times) or not times:
        msg = f'[{table}] times = {times!r}: expected the sample IDs in time order, each once, e.g. times = ["T0", "T1", "T2"].'
        raise InputError(msg)
    order = {str(s): i for i, s in enumerate(times)}
    missing = sorted(set(samples.astype(str)) - set(order))
    if missing:
        msg = f"[{table}] times lacks sample(s) {', '.join(map(repr, missing[:5]))} of its file; list every sample in time order."
        raise InputError(msg)
    return samples.astype(str).map(order).astype(float)


def read_clonal_input(
    spec: Any, base: Path, file_of: Callable[[str, Mapping[str, Any], Path], Path],
    check_keys: Callable[..., None], map_ids: Callable[[pd.Index], pd.Index], clean: Callable[..., pd.Series],
) -> pd.DataFrame:
    """Every patient's clonal table, stacked: ``patient`` (mapped to the sheet), the tidy columns and ``time``.

    ``time`` is the sample's position in the declared ``times`` list (NaN when not declared);
    :func:`oncoresist.tl.clones` uses it as the time order.
    """
    from ._clonal import read_clonal

    parts = []
    for table, one in _patient_specs(spec):
        check_keys(table, one, CLONAL_KEYS, "read_clonal")
        df = read_clonal(file_of(table, one, base)).copy()
        df["time"] = _time_order(table, one.get("times"), df["sample_id"])
        df["sample_id"] = clean(df["sample_id"], pattern=one.get("sample_pattern")).astype(str)
        df.insert(0, "patient", str(map_ids(pd.Index([str(one["patient"]).strip()]))[0]))
        parts.append(df)
    out = pd.concat(parts, ignore_index=True)
    dup = out.drop_duplicates(["patient", "sample_id", "mutation_id"]).shape[0] < len(out)
    if dup:
        msg = "[clonal]: a patient's (sample, mutation) appears twice (two tables for one patient?); give each patient one table."
        raise InputError(msg)
    return out

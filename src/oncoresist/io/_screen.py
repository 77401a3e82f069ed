"""Read long-format drug screens: single-agent dose-response and combination dose matrices.

Both readers find the usual column names (``patient_id``, ``drug_name``, ``conc_uM``,
``viability_pct``, SynergyFinder's ``PairIndex/Drug1/Drug2/Conc1/Conc2/Response/ConcUnit`` ...),
rename them to the canonical tidy columns (see CONTRIBUTING.md), convert doses to micromolar
and responses to a viability fraction (1 = untreated), and record every assumption in
``DataFrame.attrs`` and in the ``oncoresist.io._screen`` log.

Decisions
---------
- A dose of exactly 0 is a vehicle / untreated control: the row is kept and flagged
  ``is_control=True``. A negative or missing dose raises :class:`InputError` naming the rows.
- Rows with a missing response are kept (NaN) and counted in ``attrs['n_missing_response']``.
- Doses on a log scale are not guessed: a dose column whose name says ``log`` is refused.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._core._errors import InputError
from .._core._utils import PathLike, check_file, clean_ids, read_table, to_numeric_safe

__all__ = ["read_combinations", "read_dose_response"]

logger = logging.getLogger(__name__)

#: Accepted concentration units and their factor to micromolar.
UNIT_TO_UM: dict[str, float] = {
    "M": 1e6,
    "mol/L": 1e6,
    "mM": 1e3,
    "mmol/L": 1e3,
    "uM": 1.0,
    "µM": 1.0,
    "μM": 1.0,
    "umol/L": 1.0,
    "µmol/L": 1.0,
    "micromolar": 1.0,
    "nM": 1e-3,
    "nmol/L": 1e-3,
    "nanomolar": 1e-3,
    "pM": 1e-6,
    "pmol/L": 1e-6,
}
_UNIT_LOWER = {k.lower(): k for k in UNIT_TO_UM if k != "M"}  # 'm' alone is ambiguous; 'M' must be upper case
_UNIT_LOWER.update({"mm": "mM", "molar": "M", "millimolar": "mM", "picomolar": "pM"})

SCALES = ("auto", "fraction", "percent")
KINDS = ("auto", "viability", "inhibition")

_SINGLE_CANDIDATES: dict[str, tuple[str, ...]] = {
    "sample": (
        "sample", "sample_id", "sampleid", "sample_name", "cell_line", "cellline", "cell_line_name",
        "cell_line_id", "patient_id", "patient", "patientid", "cellosaurus", "cellosaurus_id", "cell",
        "model_id", "depmap_id", "cosmic_id", "case_id",
    ),
    "drug": (
        "drug", "drug_name", "drugname", "compound", "compound_name", "treatment", "treatmentid",
        "treatment_id", "inhibitor", "agent", "drugid", "drug_id", "compound_id",
    ),
    "response": (
        "response", "viability", "viability_fraction", "viability_pct", "viability_percent", "pct_viability",
        "percent_viability", "cell_viability", "inhibition", "inhibition_pct", "percent_inhibition",
        "pct_inhibition", "growth", "survival", "normalized_response", "value",
    ),
    "unit": ("unit", "units", "dose_unit", "conc_unit", "concunit", "concentration_unit"),
    "replicate": ("replicate", "rep", "replicate_id", "replicateid"),
    "plate": ("plate", "plate_id", "plateid", "plate_barcode"),
    "well": ("well", "well_id", "wellid"),
    "time": ("time", "time_h", "timepoint", "time_point", "hours", "duration"),
}

_COMBO_CANDIDATES: dict[str, tuple[str, ...]] = {
    "block": ("block", "block_id", "blockid", "pairindex", "pair_index", "pair", "pair_id", "combination_id", "combo_id", "matrix_id"),
    "drug1": ("drug1", "drug_1", "drug_row", "druga", "drug_a", "row_drug"),
    "drug2": ("drug2", "drug_2", "drug_col", "drugb", "drug_b", "col_drug", "column_drug"),
    "conc1": ("conc1", "conc_1", "conc_r", "conc_row", "dose1", "dose_1", "conca", "conc_a", "concentration1"),
    "conc2": ("conc2", "conc_2", "conc_c", "conc_col", "dose2", "dose_2", "concb", "conc_b", "concentration2"),
    "response": _SINGLE_CANDIDATES["response"],
    "unit": ("concunit", "conc_unit", "unit", "units"),
    "unit1": ("conc_r_unit", "conc1_unit", "unit1", "unit_1"),
    "unit2": ("conc_c_unit", "conc2_unit", "unit2", "unit_2"),
    "sample": _SINGLE_CANDIDATES["sample"],
    "replicate": _SINGLE_CANDIDATES["replicate"],
}

_DOSE_RX = re.compile(
    r"^(?:drug_?)?(?P<base>concentration|conc|dose)\s*[_\-\s]?\s*[\(\[]?\s*(?P<unit>[a-zµμ/]+)?\s*[\)\]]?$",
    re.IGNORECASE,
)


def _key(name: Any) -> str:
    return re.sub(r"[^a-z0-9µμ]+", "_", str(name).strip().lower()).strip("_")


def normalise_unit(unit: Any) -> str | None:
    """Return the canonical spelling of a concentration unit, or ``None`` when not known."""
    s = str(unit).strip().replace(" ", "")
    if s in UNIT_TO_UM:
        return s
    return _UNIT_LOWER.get(s.lower())


def _unit_error(unit: Any, where: str) -> InputError:
    accepted = "M, mM, uM (µM, μM), nM, pM (or mol/L, mmol/L, umol/L, nmol/L, pmol/L)"
    msg = f"unknown concentration unit {str(unit)!r} {where}; accepted: {accepted}. Fix the unit or pass unit=."
    return InputError(msg)


def _find(df: pd.DataFrame, candidates: Sequence[str], *, exclude: set[str]) -> str | None:
    keys = {}
    for c in df.columns:
        if c not in exclude:
            keys.setdefault(_key(c), c)
    for cand in candidates:
        if cand in keys:
            return keys[cand]
    return None


def _dose_column(df: pd.DataFrame, exclude: set[str]) -> tuple[str | None, str | None]:
    """Find the dose column; return (column, unit named in the column header or None)."""
    for c in df.columns:
        if c in exclude:
            continue
        m = _DOSE_RX.match(str(c).strip())
        if not m:
            continue
        u = m.group("unit")
        if u is None:
            return c, None
        unit = normalise_unit(u)
        if unit is not None:
            return c, unit
    return None, None


def _resolve_columns(
    df: pd.DataFrame,
    candidates: Mapping[str, Sequence[str]],
    columns: Mapping[str, str] | None,
    *,
    path: PathLike,
    allowed: Sequence[str],
) -> dict[str, str]:
    """Canonical name -> input column, user overrides first."""
    found: dict[str, str] = {}
    if columns:
        bad = [k for k in columns if k not in allowed]
        if bad:
            msg = f"columns= has unknown key(s) {', '.join(map(repr, bad))}; expected keys among: {', '.join(allowed)}."
            raise InputError(msg)
        for k, v in columns.items():
            if v not in df.columns:
                shown = ", ".join(map(str, list(df.columns)[:15]))
                msg = f"columns={{{k!r}: {v!r}}}: '{path}' has no column {v!r}; found: {shown}. Pass an existing column name."
                raise InputError(msg)
            found[k] = v
    used = set(found.values())
    for k, cands in candidates.items():
        if k in found:
            continue
        c = _find(df, cands, exclude=used)
        if c is not None:
            found[k] = c
            used.add(c)
    return found


def _dose_with_unit(df: pd.DataFrame, tags: Sequence[str], *, exclude: set[str]) -> str | None:
    """Column named ``<conc|dose|concentration><tag>_<unit>`` (a known unit), e.g. ``conc1_uM``."""
    rx = re.compile(rf"^(?:conc|dose|concentration)_?(?:{'|'.join(map(re.escape, tags))})_(?P<unit>.+)$")
    for c in df.columns:
        if c in exclude:
            continue
        m = rx.match(_key(c))
        if m and normalise_unit(m.group("unit").replace("_", "/")) is not None:
            return c
    return None


def _missing_error(path: PathLike, what: str, needed: Sequence[str], df: pd.DataFrame, examples: str) -> InputError:
    shown = ", ".join(map(str, list(df.columns)[:15])) + (", ..." if df.shape[1] > 15 else "")
    msg = (
        f"{what} '{path}' lacks a column for {', '.join(needed)} (looked for e.g. {examples}); found: {shown}. "
        f"Rename the column or pass columns={{{needed[0]!r}: '<your column>'}}."
    )
    return InputError(msg)


def _numeric(s: pd.Series, *, column: str, path: PathLike, what: str) -> pd.Series:
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return s.astype(float)
    st = s.astype(str).str.strip().str.replace(",", ".", regex=False) if s.dtype == object else s.astype(str)
    st = st.where(s.notna() & ~st.str.lower().isin({"", "na", "nan", "null", "none", "-", "."}), np.nan)
    num = to_numeric_safe(st)
    bad = num.isna() & st.notna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        msg = (
            f"non-numeric {what} {s.iloc[i]!r} in '{path}', column {column!r}, data row {i + 1}: expected a number "
            "(empty / NA for missing). Fix or blank the cell."
        )
        raise InputError(msg)
    return num.astype(float)


def _row_list(idx: np.ndarray, df: pd.DataFrame, cols: Sequence[str]) -> str:
    parts = []
    for i in idx[:5]:
        desc = ", ".join(f"{c}={df[c].iloc[i]}" for c in cols if c in df.columns)
        parts.append(f"data row {i + 1} ({desc})" if desc else f"data row {i + 1}")
    return "; ".join(parts) + (f"; ... ({len(idx)} rows in all)" if len(idx) > 5 else "")


def _to_um(
    dose: pd.Series,
    *,
    unit_col: pd.Series | None,
    unit_col_name: str | None,
    name_unit: str | None,
    dose_col: str,
    unit: str | None,
    path: PathLike,
) -> tuple[pd.Series, str, str]:
    """Convert doses to micromolar; return (dose_uM, original unit(s), where the unit came from)."""
    arg_unit = None
    if unit is not None:
        arg_unit = normalise_unit(unit)
        if arg_unit is None:
            raise _unit_error(unit, "given as unit=")
    if unit_col is not None:
        raw = unit_col.astype(object)
        missing = raw.isna() | (raw.astype(str).str.strip() == "")
        norm = raw.where(missing, raw.astype(str).map(normalise_unit))
        bad = ~missing & norm.isna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise _unit_error(raw.iloc[i], f"in '{path}', column {unit_col_name!r}, data row {i + 1}")
        if missing.any():
            fill = name_unit or arg_unit
            if fill is None:
                i = int(np.flatnonzero(missing.to_numpy())[0])
                msg = f"missing concentration unit in '{path}', column {unit_col_name!r}, data row {i + 1}: fill it in or pass unit=."
                raise InputError(msg)
            norm = norm.where(~missing, fill)
        if arg_unit is not None and set(norm.dropna().unique()) - {arg_unit}:
            msg = (
                f"unit={unit!r} disagrees with column {unit_col_name!r} of '{path}' "
                f"({', '.join(sorted(set(norm.dropna())))}): drop unit= or fix the column."
            )
            raise InputError(msg)
        factors = norm.map(UNIT_TO_UM).astype(float)
        units = sorted(set(norm.dropna()))
        return dose * factors.to_numpy(), ", ".join(units), f"column {unit_col_name!r}"
    if name_unit is not None:
        if arg_unit is not None and arg_unit != name_unit:
            msg = f"unit={unit!r} disagrees with the dose column name {dose_col!r} ({name_unit}) in '{path}': drop unit= or rename the column."
            raise InputError(msg)
        return dose * UNIT_TO_UM[name_unit], name_unit, f"column name {dose_col!r}"
    if arg_unit is not None:
        return dose * UNIT_TO_UM[arg_unit], arg_unit, "unit= argument"
    msg = (
        f"no concentration unit for dose column {dose_col!r} in '{path}': add a unit column (e.g. 'unit' with nM/uM), "
        "put it in the column name (e.g. 'conc_uM'), or pass unit='uM'."
    )
    raise InputError(msg)


def _name_hints(column: str) -> tuple[str | None, str | None]:
    """(kind, scale) suggested by a response column's name."""
    k = _key(column)
    kind = "inhibition" if "inhib" in k else ("viability" if re.search(r"viab|surviv|growth", k) else None)
    scale = "percent" if re.search(r"(^|_)(pct|percent|perc)(_|$)|%", str(column).lower()) else None
    if scale is None and re.search(r"(^|_)(fraction|frac)(_|$)", k):
        scale = "fraction"
    return kind, scale


def _response(
    resp: pd.Series,
    *,
    column: str,
    control: np.ndarray,
    response_scale: str,
    response_kind: str,
    default_kind: str,
    default_reason: str,
    path: PathLike,
) -> tuple[pd.Series, dict[str, str]]:
    """Convert a response column to viability fraction; return it and the recorded assumptions."""
    if response_scale not in SCALES:
        msg = f"response_scale={response_scale!r} is not known; expected one of {', '.join(SCALES)}."
        raise InputError(msg)
    if response_kind not in KINDS:
        msg = f"response_kind={response_kind!r} is not known; expected one of {', '.join(KINDS)}."
        raise InputError(msg)
    name_kind, name_scale = _name_hints(column)
    finite = resp[np.isfinite(resp)]
    q95 = float(np.nanquantile(finite, 0.95)) if len(finite) else float("nan")

    # scale
    if response_scale != "auto":
        scale, scale_reason = response_scale, "given by the caller"
    elif name_scale is not None:
        scale, scale_reason = name_scale, f"from the column name {column!r}"
    elif not len(finite):
        scale, scale_reason = "fraction", "no finite responses; fraction assumed"
    elif q95 > 2.5:
        scale, scale_reason = "percent", f"95th percentile of responses is {q95:.3g} (> 2.5)"
    elif q95 <= 1.6:
        scale, scale_reason = "fraction", f"95th percentile of responses is {q95:.3g} (<= 1.6)"
    else:
        msg = (
            f"cannot tell whether the responses in '{path}', column {column!r} are fractions or percent "
            f"(95th percentile {q95:.3g}): pass response_scale='fraction' or response_scale='percent'."
        )
        raise InputError(msg)
    frac = resp / 100.0 if scale == "percent" else resp.astype(float)

    # kind
    ctrl = frac[control & np.isfinite(frac.to_numpy())]
    if response_kind != "auto":
        kind, kind_reason = response_kind, "given by the caller"
    elif name_kind is not None:
        kind, kind_reason = name_kind, f"from the column name {column!r}"
    elif len(ctrl):
        med = float(np.median(ctrl))
        if abs(med) <= 0.25:
            kind, kind_reason = "inhibition", f"untreated controls have median response {med:.3g} (about 0)"
        elif med >= 0.5:
            kind, kind_reason = "viability", f"untreated controls have median response {med:.3g} (about 1)"
        else:
            msg = (
                f"cannot tell whether column {column!r} of '{path}' is viability or inhibition (untreated controls have "
                f"median {med:.3g}): pass response_kind='viability' or response_kind='inhibition'."
            )
            raise InputError(msg)
    else:
        kind, kind_reason = default_kind, default_reason
    out = 1.0 - frac if kind == "inhibition" else frac
    steps = (["divided by 100"] if scale == "percent" else []) + (["viability = 1 - inhibition"] if kind == "inhibition" else [])
    info = {
        "response_scale": scale,
        "response_scale_reason": scale_reason,
        "response_kind": kind,
        "response_kind_reason": kind_reason,
        "response_conversion": "; ".join(steps) or "none (already a viability fraction)",
        "response_column": str(column),
    }
    return out, info


def _read(path: PathLike, what: str) -> pd.DataFrame:
    p = check_file(path, what=f"{what} file")
    df = read_table(p, what=what, dtype=str, keep_default_na=False, na_values=[""])
    df.columns = [str(c).strip() for c in df.columns]
    if df.empty:
        msg = f"{what} '{p}' has a header but no rows: expected one row per measured well / dose."
        raise InputError(msg)
    return df


def _ids(df: pd.DataFrame, col: str, *, what: str, path: PathLike) -> pd.Series:
    ids = pd.Series(list(clean_ids(df[col].fillna(""))), index=df.index, dtype=object)
    empty = ids.isin(["", "nan", "NaN", "None"]).to_numpy()
    if empty.any():
        i = int(np.flatnonzero(empty)[0])
        msg = f"empty {what} in '{path}', column {col!r}, data row {i + 1}: every row needs a {what}. Fill it in or remove the row."
        raise InputError(msg)
    return ids


def _check_doses(dose: pd.Series, df: pd.DataFrame, col: str, label_cols: Sequence[str], path: PathLike) -> None:
    missing = np.flatnonzero(dose.isna().to_numpy())
    if len(missing):
        msg = f"missing dose in '{path}', column {col!r}: {_row_list(missing, df, label_cols)}. Fill in the doses (0 for untreated controls) or remove the rows."
        raise InputError(msg)
    neg = np.flatnonzero((dose < 0).to_numpy())
    if len(neg):
        msg = f"negative dose in '{path}', column {col!r}: {_row_list(neg, df, label_cols)}. Doses must be >= 0 (0 = vehicle control); log-scale doses must be converted first."
        raise InputError(msg)


def _require(cols: dict[str, str], needs: Sequence[tuple[str, str]], df: pd.DataFrame, *, what: str, path: PathLike) -> None:
    """Raise for the first canonical column in ``needs`` that was not found (with example names)."""
    for need, ex in needs:
        if need not in cols:
            raise _missing_error(path, what, [need], df, ex)


def _numeric_if_all(s: pd.Series) -> np.ndarray:
    """The values as numbers when every present value is one, else as they are."""
    num = to_numeric_safe(s)
    return num.to_numpy() if num.notna().sum() == s.notna().sum() else s.to_numpy()


def _viability(
    df: pd.DataFrame, cols: dict[str, str], control: np.ndarray, response_scale: str, response_kind: str,
    default_kind: str, default_reason: str, path: PathLike,
) -> tuple[pd.Series, dict[str, str]]:
    """Read the response column as numbers and convert it to a viability fraction."""
    resp = _numeric(df[cols["response"]], column=cols["response"], path=path, what="response")
    return _response(
        resp, column=cols["response"], control=control, response_scale=response_scale, response_kind=response_kind,
        default_kind=default_kind, default_reason=default_reason, path=path,
    )


def _add_other_columns(out: pd.DataFrame, df: pd.DataFrame, cols: dict[str, str]) -> None:
    """Append the input columns not mapped to a canonical one (numeric when all values are)."""
    used = set(cols.values())
    for c in df.columns:
        if c not in used and c not in out.columns:
            out[c] = _numeric_if_all(df[c])


def _attrs(
    path: PathLike, unit: str, unit_source: str, info: dict[str, str], cols: dict[str, str], out: pd.DataFrame, counts: dict[str, int]
) -> dict[str, Any]:
    """The ``DataFrame.attrs`` record shared by both screen readers."""
    return {
        "file": str(path),
        "unit": unit,
        "unit_source": unit_source,
        **info,
        "columns": {k: str(v) for k, v in cols.items()},
        "n_rows": len(out),
        **counts,
    }


def _single_columns(df: pd.DataFrame, columns: Mapping[str, str] | None, path: PathLike) -> tuple[dict[str, str], str | None]:
    """Canonical -> input column for a dose-response table, and the unit named in the dose header."""
    allowed = ("sample", "drug", "dose", "response", "unit", "replicate", "plate", "well", "time")
    cols = _resolve_columns(df, _SINGLE_CANDIDATES, columns, path=path, allowed=allowed)
    name_unit = None
    if "dose" in cols:
        m = _DOSE_RX.match(cols["dose"])
        if m and m.group("unit"):
            name_unit = normalise_unit(m.group("unit"))
    else:
        dose_col, name_unit = _dose_column(df, set(cols.values()))
        if dose_col is not None:
            cols["dose"] = dose_col
    needs = (
        ("sample", "sample, cell_line, patient_id, cellosaurus"),
        ("drug", "drug, drug_name, compound, treatment"),
        ("dose", "dose, conc, concentration, conc_uM"),
        ("response", "response, viability, inhibition"),
    )
    _require(cols, needs, df, what="dose-response table", path=path)
    if re.search(r"log", cols["dose"], re.IGNORECASE):
        msg = f"dose column {cols['dose']!r} of '{path}' looks log-transformed: provide linear concentrations (e.g. conc_uM) instead."
        raise InputError(msg)
    return cols, name_unit


def _add_single_extras(out: pd.DataFrame, df: pd.DataFrame, cols: dict[str, str]) -> None:
    """Add ``replicate``, ``plate``, ``well`` and ``time`` when the table has them."""
    for k in ("replicate", "plate", "well"):
        if k in cols:
            out[k] = df[cols[k]].to_numpy()
    if "time" in cols:
        out["time"] = _numeric_if_all(df[cols["time"]])
    if "replicate" in out:
        r = to_numeric_safe(out["replicate"])
        if r.notna().sum() == out["replicate"].notna().sum():
            out["replicate"] = r.to_numpy()


def _combo_columns(df: pd.DataFrame, columns: Mapping[str, str] | None, path: PathLike) -> dict[str, str]:
    """Canonical -> input column for a combination table (units in dose headers found too)."""
    cols = _resolve_columns(df, _COMBO_CANDIDATES, columns, path=path, allowed=tuple(_COMBO_CANDIDATES))
    for k, tags in (("conc1", ("1", "r", "row", "a")), ("conc2", ("2", "c", "col", "b"))):
        if k not in cols:  # a unit in the header: conc1_uM, Conc2 (nM), dose_row_nM
            c = _dose_with_unit(df, tags, exclude=set(cols.values()))
            if c is not None:
                cols[k] = c
    needs = (
        ("block", "block_id, PairIndex, pair"),
        ("drug1", "drug1, drug_row"),
        ("drug2", "drug2, drug_col"),
        ("conc1", "conc1, conc_r"),
        ("conc2", "conc2, conc_c"),
        ("response", "response, inhibition, viability"),
    )
    _require(cols, needs, df, what="combination table", path=path)
    return cols


def _combo_concs(
    df: pd.DataFrame, cols: dict[str, str], labels: Sequence[str], unit: str | None, path: PathLike
) -> tuple[dict[str, pd.Series], list[str], list[str]]:
    """Both drugs' concentrations in micromolar, with the unit(s) found and where they came from."""
    concs = {}
    units_found = []
    sources = []
    for k in ("conc1", "conc2"):
        c = _numeric(df[cols[k]], column=cols[k], path=path, what="concentration")
        _check_doses(c, df, cols[k], labels, path)
        per = "unit1" if k == "conc1" else "unit2"
        ucol = cols.get(per) or cols.get("unit")
        m = _DOSE_RX.match(re.sub(r"^(conc|dose)[_\s]?(?:[12rcab]|row|col)(?=[_\s(\[]|$)", r"\1", cols[k],
                                  flags=re.IGNORECASE))
        name_unit = normalise_unit(m.group("unit")) if m and m.group("unit") else None
        conv, u, src = _to_um(
            c,
            unit_col=df[ucol] if ucol else None,
            unit_col_name=ucol,
            name_unit=name_unit,
            dose_col=cols[k],
            unit=unit,
            path=path,
        )
        concs[k] = conv
        units_found.append(u)
        sources.append(src)
    return concs, units_found, sources


# --------------------------------------------------------------------------------------------
# single-agent dose-response
# --------------------------------------------------------------------------------------------
def read_dose_response(
    path: PathLike,
    *,
    columns: Mapping[str, str] | None = None,
    unit: str | None = None,
    response_scale: str = "auto",
    response_kind: str = "auto",
) -> pd.DataFrame:
    r"""Read a long-format single-agent drug screen into the canonical dose-response table.

    Parameters
    ----------
    path
        CSV / TSV (optionally gzipped), one row per sample x drug x dose (x replicate).
    columns
        Canonical name -> column in the file, overriding detection, e.g.
        ``{"sample": "patient_id", "dose": "conc", "response": "viab"}``. Keys: ``sample``,
        ``drug``, ``dose``, ``response``, ``unit``, ``replicate``, ``plate``, ``well``, ``time``.
        Detected otherwise from common names (``sample``/``cell_line``/``patient_id``/
        ``cellosaurus``; ``drug``/``drug_name``/``compound``/``treatment``;
        ``dose``/``conc``/``concentration``/``conc_uM``; ``response``/``viability``/
        ``inhibition``; ``unit``; ``replicate``; ``plate``; ``well``; ``time``).
    unit
        Concentration unit when the file gives none (no unit column, no unit in the dose column
        name): ``M``, ``mM``, ``uM``/``µM``/``μM``, ``nM`` or ``pM``. A unit that disagrees with
        the file raises.
    response_scale
        ``"auto"`` (default): the column name decides when it says ``pct``/``percent``/``%`` or
        ``fraction``; otherwise the 95th percentile of the responses (> 2.5 percent, <= 1.6
        fraction, in between raises asking to choose). ``"fraction"`` / ``"percent"`` force it.
    response_kind
        ``"auto"`` (default): a column named like ``inhibition`` holds inhibition, like
        ``viability`` viability; a generic name (``response``) is judged by the untreated (dose
        0) rows: about 0 = inhibition, about 1 = viability; without controls viability is
        assumed. ``"viability"`` / ``"inhibition"`` force it. Inhibition becomes viability as
        ``1 - x``.

    Returns
    -------
    DataFrame
        Columns ``sample, drug, dose, response`` (+ ``replicate, plate, well, time`` when
        present), ``is_control`` (dose == 0; such vehicle rows are kept), then any other input
        columns. ``dose`` is micromolar, ``response`` a viability fraction (1 = untreated).
        ``attrs``: ``unit`` (original unit(s)), ``unit_source``, ``response_scale``
        (``"fraction"`` or ``"percent"``: what the input was), ``response_kind``
        (``"viability"`` or ``"inhibition"``), their ``*_reason``, ``response_conversion``
        (what was done), ``columns`` (canonical -> input column), ``n_rows``, ``n_control``,
        ``n_missing_response``, ``file``.

    Raises
    ------
    InputError
        Missing required columns, unknown or absent unit, negative / missing / non-numeric doses,
        non-numeric responses, empty sample or drug, empty or unreadable file.

    Examples
    --------
    >>> from oncoresist import ds
    >>> df = read_dose_response(ds.example_file("screen"))  # columns patient_id, drug_name, conc_nM, viability_pct
    >>> df[["sample", "drug", "dose", "response", "is_control"]].to_dict("list")
    {'sample': ['P1', 'P1'], 'drug': ['ibrutinib', 'ibrutinib'], 'dose': [0.0, 1.0], 'response': [1.0, 0.4], 'is_control': [True, False]}
    >>> df.attrs["unit"], df.attrs["response_scale"]
    ('nM', 'percent')
    """
    df = _read(path, "dose-response table")
    cols, name_unit = _single_columns(df, columns, path)
    sample = _ids(df, cols["sample"], what="sample", path=path)
    drug = _ids(df, cols["drug"], what="drug", path=path)
    dose = _numeric(df[cols["dose"]], column=cols["dose"], path=path, what="dose")
    _check_doses(dose, df, cols["dose"], [cols["sample"], cols["drug"]], path)
    dose_um, unit_found, unit_source = _to_um(
        dose,
        unit_col=df[cols["unit"]] if "unit" in cols else None,
        unit_col_name=cols.get("unit"),
        name_unit=name_unit,
        dose_col=cols["dose"],
        unit=unit,
        path=path,
    )
    control = (dose_um == 0).to_numpy()
    response, info = _viability(
        df, cols, control, response_scale, response_kind, "viability",
        "generic column name and no untreated controls: viability assumed", path,
    )
    out = pd.DataFrame({"sample": sample.to_numpy(), "drug": drug.to_numpy(), "dose": dose_um.to_numpy(), "response": response.to_numpy()})
    _add_single_extras(out, df, cols)
    out["is_control"] = control
    _add_other_columns(out, df, cols)
    n_missing = int(out["response"].isna().sum())
    out.attrs.update(_attrs(path, unit_found, unit_source, info, cols, out, {"n_control": int(control.sum()), "n_missing_response": n_missing}))
    logger.info(
        "read_dose_response %s: %d rows, %d samples x %d drugs; dose unit %s (%s) -> uM; response %s (%s), %s (%s), conversion: %s; %d control rows, %d missing responses kept",
        path, len(out), out["sample"].nunique(), out["drug"].nunique(), unit_found, unit_source,
        info["response_scale"], info["response_scale_reason"], info["response_kind"], info["response_kind_reason"],
        info["response_conversion"], int(control.sum()), n_missing,
    )
    return out


# --------------------------------------------------------------------------------------------
# combinations
# --------------------------------------------------------------------------------------------
def read_combinations(
    path: PathLike, *, columns: Mapping[str, str] | None = None, unit: str | None = None,
    response_scale: str = "auto", response_kind: str = "auto",
) -> pd.DataFrame:
    r"""Read drug-combination dose matrices in long format into the canonical combination table.

    Understands SynergyFinder's layouts (``PairIndex, Drug1, Drug2, Conc1, Conc2, Response,
    ConcUnit`` and ``block_id, drug_row, drug_col, conc_r, conc_c, response, conc_r_unit,
    conc_c_unit``) and similar names, including a unit in the dose headers (``conc1_uM``,
    ``Conc2 (nM)``, ``dose_row_uM``).

    Parameters
    ----------
    path
        CSV / TSV (optionally gzipped), one row per well (block x conc1 x conc2 [x replicate]).
    columns
        Canonical name -> column overrides. Keys: ``block``, ``drug1``, ``drug2``, ``conc1``,
        ``conc2``, ``response``, ``unit`` (one unit column for both drugs), ``unit1``,
        ``unit2`` (one per drug), ``sample``, ``replicate``.
    unit
        Concentration unit when the file gives none (see :func:`read_dose_response`).
    response_scale
        ``"auto"``, ``"fraction"`` or ``"percent"`` (as in :func:`read_dose_response`).
    response_kind
        ``"auto"`` (default): named ``inhibition`` / ``viability`` columns decide; a generic
        ``response`` column is judged by the untreated wells (conc1 = conc2 = 0: about 0 =
        inhibition, about 1 = viability); without such wells, SynergyFinder's convention
        (% inhibition) is assumed. ``"viability"`` / ``"inhibition"`` force it.

    Returns
    -------
    DataFrame
        ``block, drug1, drug2, conc1, conc2, response`` (+ ``sample``, ``replicate`` when
        present), ``is_control`` (both doses 0), then other input columns. Concentrations in
        micromolar; response as viability fraction. ``attrs`` as in
        :func:`read_dose_response` plus ``n_blocks``.

    Examples
    --------
    >>> from oncoresist import ds
    >>> p = ds.example_file("combinations")  # one 2 x 2 block of A x B, inhibition in percent, doses in nM
    >>> df = read_combinations(p)
    >>> df["response"].round(2).tolist(), df["conc1"].tolist()
    ([1.0, 0.8, 0.5, 0.1], [0.0, 0.0, 0.1, 0.1])
    >>> df.attrs["response_kind"], df.attrs["response_conversion"]
    ('inhibition', 'divided by 100; viability = 1 - inhibition')
    """
    df = _read(path, "combination table")
    cols = _combo_columns(df, columns, path)
    labels = [cols["block"], cols["drug1"], cols["drug2"]]
    block = _ids(df, cols["block"], what="block", path=path)
    d1 = _ids(df, cols["drug1"], what="drug1", path=path)
    d2 = _ids(df, cols["drug2"], what="drug2", path=path)
    concs, units_found, sources = _combo_concs(df, cols, labels, unit, path)
    control = ((concs["conc1"] == 0) & (concs["conc2"] == 0)).to_numpy()
    response, info = _viability(
        df, cols, control, response_scale, response_kind, "inhibition",
        "generic column name and no untreated wells: SynergyFinder convention (% inhibition) assumed", path,
    )
    out = pd.DataFrame(
        {
            "block": block.to_numpy(),
            "drug1": d1.to_numpy(),
            "drug2": d2.to_numpy(),
            "conc1": concs["conc1"].to_numpy(),
            "conc2": concs["conc2"].to_numpy(),
            "response": response.to_numpy(),
        }
    )
    if "sample" in cols:
        out["sample"] = _ids(df, cols["sample"], what="sample", path=path).to_numpy()
    if "replicate" in cols:
        out["replicate"] = _numeric_if_all(df[cols["replicate"]])
    out["is_control"] = control
    _add_other_columns(out, df, cols)
    unit_all = ", ".join(sorted(set(", ".join(units_found).split(", "))))
    counts = {
        "n_blocks": int(out["block"].nunique()),
        "n_control": int(control.sum()),
        "n_missing_response": int(out["response"].isna().sum()),
    }
    out.attrs.update(_attrs(path, unit_all, "; ".join(sorted(set(sources))), info, cols, out, counts))
    logger.info(
        "read_combinations %s: %d wells in %d blocks; unit %s -> uM; response %s (%s), %s (%s), conversion: %s",
        path, len(out), out["block"].nunique(), unit_all, info["response_scale"], info["response_scale_reason"],
        info["response_kind"], info["response_kind_reason"], info["response_conversion"],
    )
    return out

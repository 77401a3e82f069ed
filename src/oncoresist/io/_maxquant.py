"""Read MaxQuant output tables: ``proteinGroups.txt`` and ``Phospho (STY)Sites.txt``.

MaxQuant writes one tab-separated row per protein group (or site) with one intensity column per
sample (``LFQ intensity <sample>``, ``iBAQ <sample>``, ``Intensity <sample>``, TMT
``Reporter intensity corrected <n> <experiment>``), flags decoy / contaminant rows with ``+`` and
writes ``0`` where nothing was quantified. The readers here drop the flagged rows (counting
them in ``uns['maxquant']``), turn zeros into NaN, log2-transform by default and return samples
x proteins (or sites) AnnData.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

import anndata as ad
import numpy as np
import pandas as pd

from .._core._errors import InputError
from .._core._utils import (
    PathLike,
    check_file,
    check_unique,
    clean_ids,
    read_table,
    to_numeric_frame,
    to_numeric_safe,
)
from ._matrix import _make_unique

__all__ = ["read_maxquant", "read_phosphosites"]

logger = logging.getLogger(__name__)

#: proteinGroups columns kept in ``.var`` when present (MaxQuant's own names).
_PROTEIN_VAR = (
    "Protein IDs",
    "Majority protein IDs",
    "Gene names",
    "Protein names",
    "Fasta headers",
    "Number of proteins",
    "Peptides",
    "Razor + unique peptides",
    "Unique peptides",
    "Peptide counts (all)",
    "Peptide counts (razor+unique)",
    "Peptide counts (unique)",
    "Sequence coverage [%]",
    "Mol. weight [kDa]",
    "Q-value",
    "Score",
    "id",
)

#: Phospho (STY)Sites columns kept in ``.var`` when present.
_SITE_VAR = (
    "Proteins",
    "Positions within proteins",
    "Leading proteins",
    "Protein",
    "Protein names",
    "Gene names",
    "Number of Phospho (STY)",
    "Score",
    "Delta score",
    "Score diff",
    "PEP",
    "Phospho (STY) Probabilities",
    "id",
)

_PROTEIN_INTENSITIES = ("LFQ", "iBAQ", "Intensity", "Reporter")
_SITE_INTENSITIES = ("Intensity", "Reporter")
_SILAC = re.compile(r"^[LMH](\s|$)")


def _flag(df: pd.DataFrame, column: str) -> pd.Series:
    if column not in df.columns:
        return pd.Series(False, index=df.index)
    return df[column].astype(str).str.strip().eq("+")


def _remove_flagged(
    df: pd.DataFrame, flags: Sequence[tuple[str, Sequence[str]]]
) -> tuple[pd.DataFrame, dict[str, int], list[str]]:
    """Drop rows flagged '+' in any of the named columns; count removals in the order given."""
    counts: dict[str, int] = {}
    used: list[str] = []
    keep = pd.Series(True, index=df.index)
    for key, columns in flags:
        hit = pd.Series(False, index=df.index)
        for c in columns:
            if c in df.columns:
                used.append(c)
                hit |= _flag(df, c)
        counts[key] = int((hit & keep).sum())
        keep &= ~hit
    return df.loc[keep], counts, used


def _first_token(s: pd.Series) -> pd.Series:
    return s.fillna("").astype(str).str.split(";").str[0].str.strip()


def _intensity_columns(
    columns: Sequence[str], intensity: str, *, path: PathLike, suffix: str = ""
) -> dict[str, str]:
    """Map cleaned sample name -> column for the intensity kind (``suffix`` e.g. ``'___1'``).

    Raises when two columns give the same sample name.
    """
    pairs: list[tuple[str, str]] = []
    cols = [c for c in columns if c.endswith(suffix)] if suffix else [c for c in columns if "___" not in c]
    strip = (lambda c: c[: -len(suffix)]) if suffix else (lambda c: c)
    if intensity == "Reporter":
        corrected = [c for c in cols if strip(c).startswith("Reporter intensity corrected ")]
        chosen = corrected or [
            c for c in cols if re.match(r"^Reporter intensity \d", strip(c))
        ]
        prefix = "Reporter intensity corrected " if corrected else "Reporter intensity "
        for c in chosen:
            rest = strip(c)[len(prefix) :].strip()
            m = re.match(r"^(\d+)(?:\s+(.+))?$", rest)
            if not m:
                continue
            channel, experiment = m.group(1), m.group(2)
            pairs.append((f"{experiment}_{channel}" if experiment else f"channel_{channel}", c))
        return _unique_samples(pairs, path)
    prefix = {"LFQ": "LFQ intensity ", "iBAQ": "iBAQ ", "Intensity": "Intensity "}[intensity]
    for c in cols:
        base = strip(c)
        if not base.startswith(prefix):
            continue
        name = base[len(prefix) :].strip()
        if not name or _SILAC.match(name) or (intensity == "iBAQ" and name.lower() == "peptides"):
            continue
        pairs.append((name, c))
    return _unique_samples(pairs, path)


def _unique_samples(pairs: list[tuple[str, str]], path: PathLike) -> dict[str, str]:
    names = clean_ids([n for n, _ in pairs])
    check_unique(names, what="sample", path=path)
    return dict(zip(names, [c for _, c in pairs]))


def _values(
    df: pd.DataFrame, mapping: dict[str, str], ids: pd.Index, *, log2: bool, what: str, path: PathLike
) -> np.ndarray:
    """Samples x rows float matrix: zeros -> NaN, optional log2; negative values are an error."""
    block = df[list(mapping.values())].copy()
    block.index = ids
    block.columns = list(mapping.values())
    num = to_numeric_frame(block, what=what, path=path)
    X = num.to_numpy(dtype=float)
    neg = np.argwhere(X < 0)
    if len(neg):
        r, c = neg[0]
        msg = (
            f"negative intensity {X[r, c]:g} in '{path}' for {ids[r]!r}, column {num.columns[c]!r}: MaxQuant "
            "intensities are >= 0, so the table looks already transformed. Pass the raw MaxQuant output."
        )
        raise InputError(msg)
    X[X == 0] = np.nan
    if log2:
        finite = X[np.isfinite(X)]
        if finite.size and np.nanmax(finite) < 100:
            msg = (
                f"the {what} intensities in '{path}' are all below 100 (max {np.nanmax(finite):.3g}): they look "
                "log-transformed already; pass log2=False to keep them as they are."
            )
            raise InputError(msg)
        with np.errstate(divide="ignore", invalid="ignore"):
            X = np.log2(X)
    return np.ascontiguousarray(X.T)


def _samples(mapping: dict[str, str]) -> pd.Index:
    return pd.Index(list(mapping), dtype=object)


def _read_mq(path: PathLike, what: str) -> pd.DataFrame:
    p = check_file(path, what=f"MaxQuant {what} file")
    df = read_table(p, sep="\t", what=f"MaxQuant {what}")
    df.columns = [str(c).strip() for c in df.columns]
    if df.empty:
        msg = f"MaxQuant {what} '{p}' has a header but no rows: expected one row per protein group / site."
        raise InputError(msg)
    return df


_PROTEIN_FLAGS = (
    ("removed_reverse", ["Reverse"]),
    ("removed_contaminant", ["Potential contaminant", "Contaminant"]),
    ("removed_only_by_site", ["Only identified by site"]),
)


def _first_gene(df: pd.DataFrame) -> pd.Series:
    """First gene of ``Gene names`` per row ('' when the column is absent)."""
    return _first_token(df["Gene names"]) if "Gene names" in df.columns else pd.Series("", index=df.index)


def _copy_var_columns(var: pd.DataFrame, df: pd.DataFrame, columns: Sequence[str], skip: Sequence[str] = ()) -> None:
    """Copy MaxQuant's own columns into ``var`` (numeric when every value is a number)."""
    for c in columns:
        if c in df.columns and c not in skip:
            s = df[c]
            num = to_numeric_safe(s)
            var[c] = num.to_numpy() if num.notna().sum() == s.notna().sum() else s.to_numpy()


def _make_adata(X: np.ndarray, samples: pd.Index, var: pd.DataFrame) -> ad.AnnData:
    """Samples x features AnnData with string sample names."""
    return ad.AnnData(X=X, obs=pd.DataFrame(index=[str(s) for s in samples]), var=var)


def _summary(
    path: PathLike,
    table: str,
    intensity: str,
    log2: bool,
    options: dict,
    n_input: int,
    counts: dict[str, int],
    adata: ad.AnnData,
    flag_cols: list[str],
    mapping: dict[str, str],
    raw_names: pd.Index,
) -> dict:
    """The ``uns['maxquant']`` record: file, options, row counts and the columns used."""
    return {
        "file": str(path),
        "table": table,
        "intensity": intensity,
        "log2": bool(log2),
        **options,
        "n_input": int(n_input),
        **counts,
        "n_kept": int(adata.n_vars),
        "flag_columns": flag_cols,
        "sample_columns": list(mapping.values()),
        "n_duplicated_names": int(raw_names.duplicated().sum()),
    }


def _check_protein_args(intensity: str, min_valid: int) -> None:
    """Refuse an unknown ``intensity`` or a ``min_valid`` that is not a whole number >= 0."""
    if intensity not in _PROTEIN_INTENSITIES:
        msg = f"intensity={intensity!r} is not known; expected one of {', '.join(_PROTEIN_INTENSITIES)}."
        raise InputError(msg)
    if isinstance(min_valid, bool) or not isinstance(min_valid, (int, np.integer)) or min_valid < 0:
        msg = f"min_valid={min_valid!r}: expected a whole number >= 0 (samples in which a protein must be quantified)."
        raise InputError(msg)


def _protein_id_column(df: pd.DataFrame, path: PathLike) -> str:
    """``Majority protein IDs`` (else ``Protein IDs``); raise when neither is there."""
    id_col = next((c for c in ("Majority protein IDs", "Protein IDs") if c in df.columns), None)
    if id_col is None:
        msg = (
            f"MaxQuant proteinGroups '{path}' lacks both 'Protein IDs' and 'Majority protein IDs'; found: "
            f"{', '.join(list(df.columns)[:12])}. Is this a proteinGroups.txt file?"
        )
        raise InputError(msg)
    return id_col


def _check_site_args(intensity: str, multiplicity: int | str, min_localization_prob: float) -> float:
    """Validate the phosphosite options; return the localisation threshold as a float."""
    if intensity not in _SITE_INTENSITIES:
        msg = f"intensity={intensity!r} is not known for phosphosites; expected one of {', '.join(_SITE_INTENSITIES)}."
        raise InputError(msg)
    if multiplicity not in (1, 2, 3, "sum"):
        msg = f"multiplicity={multiplicity!r}: expected 1, 2, 3 (the ___1/___2/___3 columns) or 'sum'."
        raise InputError(msg)
    try:
        threshold = float(min_localization_prob)
    except (TypeError, ValueError):
        threshold = float("nan")
    if not 0 <= threshold <= 1:
        msg = f"min_localization_prob={min_localization_prob!r}: expected a probability between 0 and 1 (0.75 = class I sites)."
        raise InputError(msg)
    return threshold


def _check_site_columns(df: pd.DataFrame, path: PathLike) -> None:
    """Raise when the columns every Phospho (STY)Sites table has are missing."""
    needed = ["Amino acid", "Position", "Localization prob"]
    missing = [c for c in needed if c not in df.columns]
    if missing:
        msg = (
            f"MaxQuant Phospho (STY)Sites '{path}' lacks column(s) {', '.join(map(repr, missing))}; found: "
            f"{', '.join(list(df.columns)[:12])}, ... Is this a Phospho (STY)Sites.txt file?"
        )
        raise InputError(msg)


def _site_mappings(
    columns: list[str], intensity: str, multiplicity: int | str, path: PathLike
) -> tuple[bool, list[dict[str, str]], dict[str, str], str]:
    """(has ``___m`` columns, one sample map per multiplicity read, the first map, what was used)."""
    has_multiplicity = any(re.search(r"___\d$", c) for c in columns)
    if has_multiplicity:
        levels = (1, 2, 3) if multiplicity == "sum" else (int(multiplicity),)
        maps = [_intensity_columns(columns, intensity, path=path, suffix=f"___{m}") for m in levels]
        maps = [m for m in maps if m]
        if not maps:
            raise _no_columns_error(path, intensity, columns, _SITE_INTENSITIES)
        mapping = maps[0]
        used = "sum of ___1..___3" if multiplicity == "sum" else f"___{multiplicity}"
    else:
        mapping = _intensity_columns(columns, intensity, path=path)
        maps = [mapping]
        used = "no multiplicity columns"
    if not mapping:
        raise _no_columns_error(path, intensity, columns, _SITE_INTENSITIES)
    return has_multiplicity, maps, mapping, used


def _filter_localization(
    df: pd.DataFrame, threshold: float, counts: dict[str, int], path: PathLike
) -> tuple[pd.DataFrame, pd.Series]:
    """Drop sites below the localisation threshold (counted in ``counts``); return rows and probabilities."""
    prob = to_numeric_safe(df["Localization prob"])
    bad_prob = prob.isna() & df["Localization prob"].notna()
    if bad_prob.any():
        i = bad_prob.idxmax()
        msg = (
            f"non-numeric 'Localization prob' {df.loc[i, 'Localization prob']!r} in '{path}' (row id "
            f"{df.loc[i, 'id'] if 'id' in df.columns else i}): expected a probability between 0 and 1."
        )
        raise InputError(msg)
    low = ~(prob >= threshold)
    counts["removed_localization"] = int(low.sum())
    return df.loc[~low], prob.loc[~low]


def _site_fields(df: pd.DataFrame, path: PathLike) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """(gene, protein, residue, position) per site; a missing or non-positive position raises."""
    gene = _first_gene(df)
    pcol = next((c for c in ("Protein", "Leading proteins", "Proteins") if c in df.columns), None)
    protein = _first_token(df[pcol]) if pcol else pd.Series("", index=df.index)
    residue = df["Amino acid"].fillna("").astype(str).str.strip()
    position = to_numeric_safe(df["Position"])
    bad_pos = position.isna() | (position <= 0)
    if bad_pos.any():
        i = bad_pos.idxmax()
        msg = f"invalid site 'Position' {df.loc[i, 'Position']!r} in '{path}': expected a positive whole number for every site."
        raise InputError(msg)
    return gene, protein, residue, position.astype(int)


def _summed_values(
    df: pd.DataFrame, maps: list[dict[str, str]], mapping: dict[str, str], names: pd.Index, *, log2: bool, path: PathLike
) -> np.ndarray:
    """Samples x sites sum of the ___1..___3 intensities (NaN only when all are missing)."""
    stack = []
    for m in maps:
        cols = {s: m.get(s) for s in mapping}
        missing_m = [s for s, c in cols.items() if c is None]
        if missing_m:
            msg = f"'{path}' lacks some multiplicity columns for sample(s) {', '.join(missing_m[:5])}; use multiplicity=1 instead of 'sum'."
            raise InputError(msg)
        stack.append(_values(df, cols, names, log2=False, what="MaxQuant phosphosite", path=path))
    arr = np.stack(stack)
    X = np.where(np.isnan(arr).all(axis=0), np.nan, np.nansum(arr, axis=0))
    X[X == 0] = np.nan
    if log2:
        finite = X[np.isfinite(X)]
        if finite.size and finite.max() < 100:
            msg = f"the phosphosite intensities in '{path}' are all below 100: they look log-transformed already; pass log2=False."
            raise InputError(msg)
        X = np.log2(X)
    return X


def _site_var(
    df: pd.DataFrame,
    names: pd.Index,
    *,
    gene: pd.Series,
    protein: pd.Series,
    residue: pd.Series,
    position: pd.Series,
    prob: pd.Series,
) -> pd.DataFrame:
    """The phosphosite ``var`` table: parsed fields first, then MaxQuant's own columns."""
    var = pd.DataFrame(index=names)
    var["gene"] = gene.replace("", np.nan).to_numpy()
    var["residue"] = residue.to_numpy()
    var["position"] = position.to_numpy()
    var["localization_prob"] = prob.to_numpy(dtype=float)
    var["sequence_window"] = (
        df["Sequence window"].fillna("").astype(str).to_numpy() if "Sequence window" in df.columns else ""
    )
    var["protein"] = protein.to_numpy()
    _copy_var_columns(var, df, _SITE_VAR, skip=("Gene names",))
    if "Gene names" in df.columns:
        var["Gene names"] = df["Gene names"].to_numpy()
    return var


def _no_columns_error(path: PathLike, intensity: str, columns: Sequence[str], options: Sequence[str]) -> InputError:
    found = sorted({re.sub(r"\s.*$", "", c) for c in columns if re.search(r"intensity|ibaq", c, re.I)})
    msg = (
        f"'{path}' has no {intensity!r} sample columns (e.g. '"
        + {"LFQ": "LFQ intensity <sample>", "iBAQ": "iBAQ <sample>", "Intensity": "Intensity <sample>", "Reporter": "Reporter intensity corrected <n> <sample>"}[intensity]
        + f"'); intensity-like columns found start with: {', '.join(found) or 'none'}. "
        f"Choose intensity= from {', '.join(options)} to match the file."
    )
    return InputError(msg)


# --------------------------------------------------------------------------------------------
# proteinGroups.txt
# --------------------------------------------------------------------------------------------
def read_maxquant(
    path: PathLike, *, intensity: str = "LFQ", log2: bool = True, min_valid: int = 0
) -> ad.AnnData:
    r"""Read a MaxQuant ``proteinGroups.txt`` into samples x protein groups.

    Rows flagged ``+`` in ``Reverse`` (decoys), ``Potential contaminant`` / ``Contaminant`` and
    ``Only identified by site`` are removed (counted in that order, so a row flagged twice
    counts once, under the first flag). Zeros (MaxQuant's "not quantified") become NaN.

    Parameters
    ----------
    path
        ``proteinGroups.txt`` (tab-separated; ``.gz`` accepted).
    intensity
        Which sample columns to read: ``"LFQ"`` (``LFQ intensity <sample>``), ``"iBAQ"``
        (``iBAQ <sample>``), ``"Intensity"`` (``Intensity <sample>``) or ``"Reporter"`` (TMT:
        ``Reporter intensity corrected <n> <experiment>``, falling back to uncorrected
        ``Reporter intensity <n> [<experiment>]``; samples are named ``<experiment>_<n>`` or
        ``channel_<n>``). SILAC label columns (``Intensity L <sample>`` ...) are not read.
    log2
        Log2-transform the intensities (default). Raises when the values already look
        log-transformed (all below 100).
    min_valid
        Keep protein groups quantified (non-missing) in at least this many samples; ``0`` keeps
        all. The number removed is recorded.

    Returns
    -------
    AnnData
        ``X`` = (log2) intensities, samples x protein groups. ``var_names`` = first gene of
        ``Gene names`` (falling back to the first of ``Majority protein IDs`` / ``Protein IDs``),
        made unique with ``-1``, ``-2`` ...; ``var`` keeps ``gene`` (first gene), ``protein``
        (first majority protein ID) and MaxQuant's ``Protein IDs``, ``Majority protein IDs``,
        ``Gene names``, peptide counts, ``Q-value``, ``Score`` ... when present.
        ``uns['maxquant']`` records the file, options, the rows read / removed per flag / kept
        and the sample columns used; ``uns['prot']['scale']`` is ``"log2"`` or ``"linear"``.

    Examples
    --------
    >>> from oncoresist import ds
    >>> adata = read_maxquant(ds.example_file("proteingroups"))  # TP53 (LFQ 1024, 0) and a reverse hit
    >>> adata.to_df().round(1).to_dict(), adata.uns["maxquant"]["removed_reverse"]
    ({'TP53': {'A': 10.0, 'B': nan}}, 1)
    """
    _check_protein_args(intensity, min_valid)
    df = _read_mq(path, "proteinGroups")
    id_col = _protein_id_column(df, path)
    mapping = _intensity_columns(list(df.columns), intensity, path=path)
    if not mapping:
        raise _no_columns_error(path, intensity, list(df.columns), _PROTEIN_INTENSITIES)
    n_input = len(df)
    df, counts, flag_cols = _remove_flagged(df, _PROTEIN_FLAGS)
    samples = _samples(mapping)
    protein = _first_token(df[id_col])
    gene = _first_gene(df)
    raw_names = pd.Index(np.where(gene.to_numpy() != "", gene.to_numpy(), protein.to_numpy()), dtype=object)
    names, dups = _make_unique(raw_names)
    X = _values(df, mapping, names, log2=log2, what="MaxQuant proteinGroups", path=path)

    var = pd.DataFrame(index=names)
    var["gene"] = gene.replace("", np.nan).to_numpy()
    var["protein"] = protein.to_numpy()
    _copy_var_columns(var, df, _PROTEIN_VAR)
    n_valid = np.isfinite(X).sum(axis=0)
    keep = n_valid >= min_valid
    removed_min_valid = int((~keep).sum())
    X, var = X[:, keep], var.loc[keep]

    adata = _make_adata(X, samples, var)
    adata.uns["maxquant"] = _summary(
        path, "proteinGroups", intensity, log2, {"min_valid": int(min_valid)}, n_input,
        {**counts, "removed_min_valid": removed_min_valid}, adata, flag_cols, mapping, raw_names,
    )
    adata.uns["prot"] = {"scale": "log2" if log2 else "linear", "source": "MaxQuant"}
    logger.info(
        "read_maxquant %s: %d of %d protein groups kept (reverse %d, contaminant %d, only by site %d, min_valid %d)",
        path, adata.n_vars, n_input, counts["removed_reverse"], counts["removed_contaminant"],
        counts["removed_only_by_site"], removed_min_valid,
    )
    if dups:
        logger.info("read_maxquant %s: %d gene names repeated across protein groups, made unique with -1, -2 ...", path, len(dups))
    return adata


# --------------------------------------------------------------------------------------------
# Phospho (STY)Sites.txt
# --------------------------------------------------------------------------------------------
def read_phosphosites(
    path: PathLike,
    *,
    min_localization_prob: float = 0.75,
    intensity: str = "Intensity",
    log2: bool = True,
    multiplicity: int | str = 1,
) -> ad.AnnData:
    r"""Read a MaxQuant ``Phospho (STY)Sites.txt`` into samples x phosphosites.

    Removes rows flagged ``+`` in ``Reverse`` or ``Potential contaminant`` / ``Contaminant`` and
    sites whose ``Localization prob`` is below ``min_localization_prob`` (each counted in
    ``uns['maxquant']``, in that order). MaxQuant splits each site's intensity by the number of
    phosphates on the peptide (``Intensity <sample>___1``, ``___2``, ``___3``); by default the
    singly phosphorylated ``___1`` columns are used.

    Parameters
    ----------
    path
        ``Phospho (STY)Sites.txt`` (tab-separated; ``.gz`` accepted).
    min_localization_prob
        Minimum localisation probability (class I sites: 0.75, the default).
    intensity
        ``"Intensity"`` (``Intensity <sample>___<m>``) or ``"Reporter"`` (TMT: ``Reporter
        intensity corrected <n> <experiment>___<m>``).
    log2
        Log2-transform the intensities (default); zeros become NaN first.
    multiplicity
        ``1`` (default), ``2`` or ``3``: which ``___<m>`` columns to read; ``"sum"`` adds the
        three (NaN only when all are missing). Tables without ``___`` columns are read as they
        are, whatever this is.

    Returns
    -------
    AnnData
        Samples x sites. ``var_names`` = ``GENE_S123`` from the first of ``Gene names``,
        ``Amino acid`` and ``Position`` (protein ID when the gene is empty; repeats made unique
        with ``-1`` ...). ``var``: ``gene``, ``residue``, ``position``, ``localization_prob``,
        ``sequence_window``, ``protein`` and MaxQuant's ``Proteins``, ``Positions within
        proteins``, ``Score``, ``PEP`` ... when present. ``uns['maxquant']`` counts the removed
        rows; ``uns['phospho']['scale']`` is ``"log2"`` or ``"linear"``.

    Examples
    --------
    >>> from oncoresist import ds
    >>> sites = ds.example_file("phosphosites")  # AKT1 T308 (localisation 0.99) and S450 (0.40)
    >>> adata = read_phosphosites(sites)
    >>> list(adata.var_names), adata.X.tolist(), adata.uns["maxquant"]["removed_localization"]
    (['AKT1_T308'], [[8.0]], 1)
    """
    threshold = _check_site_args(intensity, multiplicity, min_localization_prob)
    df = _read_mq(path, "Phospho (STY)Sites")
    _check_site_columns(df, path)
    has_multiplicity, maps, mapping, used = _site_mappings(list(df.columns), intensity, multiplicity, path)
    n_input = len(df)
    df, counts, flag_cols = _remove_flagged(df, _PROTEIN_FLAGS[:2])
    df, prob = _filter_localization(df, threshold, counts, path)
    gene, protein, residue, position = _site_fields(df, path)
    label = np.where(gene.to_numpy() != "", gene.to_numpy(), protein.to_numpy())
    raw_names = pd.Index([f"{g}_{r}{p}" for g, r, p in zip(label, residue, position)], dtype=object)
    names, dups = _make_unique(raw_names)

    samples = _samples(mapping)
    if multiplicity == "sum" and has_multiplicity:
        X = _summed_values(df, maps, mapping, names, log2=log2, path=path)
    else:
        X = _values(df, mapping, names, log2=log2, what="MaxQuant phosphosite", path=path)
    var = _site_var(df, names, gene=gene, protein=protein, residue=residue, position=position, prob=prob)

    adata = _make_adata(X, samples, var)
    options = {"multiplicity": str(multiplicity), "multiplicity_used": used, "min_localization_prob": threshold}
    adata.uns["maxquant"] = _summary(
        path, "Phospho (STY)Sites", intensity, log2, options, n_input, counts, adata, flag_cols, mapping, raw_names
    )
    adata.uns["phospho"] = {"scale": "log2" if log2 else "linear", "source": "MaxQuant", "id_format": "GENE_S123"}
    logger.info(
        "read_phosphosites %s: %d of %d sites kept (reverse %d, contaminant %d, localization < %g: %d)",
        path, adata.n_vars, n_input, counts["removed_reverse"], counts["removed_contaminant"], threshold,
        counts["removed_localization"],
    )
    return adata

"""Read a study file (TOML) that lists a cohort's layer files -> one :class:`mudata.MuData`.

The study file format is documented in CONTRIBUTING.md ("Study file") and in
:func:`read_study`. Every layer goes through the same steps: read with the reader of its
``kind``; clean sample IDs (``sample_pattern``); map aliases to the sample sheet's IDs; check
for duplicates; then all layers become modalities of one MuData, the sample sheet becomes
``mdata.obs``, and a build summary (per layer: samples, features, missing fraction, sample IDs
that matched nothing) is stored in ``mdata.uns['build']``.
"""

from __future__ import annotations

import inspect
import logging
import re
import tomllib
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._core._errors import InputError
from .._core._utils import PathLike, check_file, clean_ids, read_text

__all__ = ["HIGHER_IS", "LAYER_KINDS", "SCALES", "read_study", "build_summary"]

log = logging.getLogger(__name__)

#: Layer kinds a study file may name, with the modality they usually feed.
LAYER_KINDS: dict[str, str] = {
    "maf": "mutations from a MAF file -> binary gene-level layer (+ VAF layer, variant table)",
    "vcf": "somatic calls from a VCF -> binary gene-level layer (+ VAF layer, variant table)",
    "mutation_matrix": "genes x samples matrix of protein changes ('wt' = not mutated) -> binary layer",
    "cnv_matrix": "gene-level copy number matrix (log2 ratios or calls)",
    "cnv_segments": "segment file mapped to genes with a gene-coordinate table (option genes=)",
    "matrix": "any features x samples / samples x features numeric matrix",
    "phospho_matrix": "phosphosite matrix with site IDs such as GENE-S123",
    "maxquant": "MaxQuant proteinGroups.txt",
    "phosphosites": "MaxQuant Phospho (STY)Sites.txt",
    "drug_matrix": "samples x drugs summary metric (AUC, IC50, ...)",
}

_STUDY_KEYS = {"study", "samples", "layers", "screen", "combinations", "ctdna", "clonal", "allelic_segments"}
_STUDY_SECTION_KEYS = {"name", "description"}
_SAMPLE_KEYS = {"file", "id_column", "alias_columns", "alias_where", "survival_time", "survival_event", "sep"}
_PATH_KEYS = {"file", "genes"}
#: Options handled by read_study itself (not passed to readers).
_LAYER_OWN_KEYS = {"kind", "file", "sample_pattern", "sequenced_samples", "modality", "scale", "higher_is"}

#: Data types a layer may declare with ``scale = ...`` (stored in ``adata.uns['source']['data_type']``).
SCALES = ("counts", "log", "tpm", "rsem", "fpkm", "beta", "mvalue", "binary")
#: What a higher value of a response layer means (``higher_is = ...``; stored in ``adata.uns['higher_is']``).
HIGHER_IS = ("resistant", "sensitive")

_READER_NAMES = {
    "maf": "read_maf",
    "vcf": "read_vcf",
    "mutation_matrix": "read_mutation_matrix",
    "cnv_matrix": "read_cnv_matrix",
    "cnv_segments": "read_cnv_segments",
    "matrix": "read_matrix",
    "drug_matrix": "read_matrix",
    "phospho_matrix": "read_phospho_matrix",
    "maxquant": "read_maxquant",
    "phosphosites": "read_phosphosites",
}


def _reader(kind: str) -> Callable[..., Any]:
    """The reader function of a layer ``kind``."""
    import oncoresist.io as io_mod

    fn = getattr(io_mod, _READER_NAMES[kind], None)
    if fn is None:  # pragma: no cover - all readers ship with the package
        msg = f"reader for layer kind {kind!r} ({_READER_NAMES[kind]}) is not available in this installation."
        raise InputError(msg)
    return fn


def _reader_options(fn: Callable[..., Any]) -> set[str] | None:
    """Keyword options ``fn`` takes after its path (``None``: it forwards any keyword)."""
    import oncoresist.io as io_mod

    params = list(inspect.signature(fn).parameters.values())[1:]
    if any(q.kind is inspect.Parameter.VAR_KEYWORD for q in params):
        if fn is io_mod.read_phospho_matrix:
            return _reader_options(io_mod.read_matrix)
        return None
    return {q.name for q in params if q.kind in (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)}


def _check_keys(table: str, spec: Mapping[str, Any], allowed: set[str] | None, reader: str = "") -> None:
    """Raise naming the keys of ``[table]`` that are not ``allowed`` (a misplaced key is never ignored)."""
    if allowed is None:
        return
    bad = sorted(set(spec) - allowed)
    if bad:
        what = f" (an option {reader} does not take)" if reader else ""
        msg = (f"[{table}] has unknown key(s) {', '.join(map(repr, bad))}{what}; allowed: {', '.join(sorted(allowed))}. "
               "Fix the spelling or move the key to its own table.")
        raise InputError(msg)


def _file_of(table: str, spec: Mapping[str, Any], base: Path) -> Path:
    """The readable file named by ``file =`` in ``[table]`` (a non-empty string, relative to the study file)."""
    value = spec.get("file")
    if not isinstance(value, str) or not value.strip():
        msg = (f"[{table}] file = {value!r}: expected a path as a quoted string, "
               'e.g. file = "data/rna.tsv" (relative to the study file).')
        raise InputError(msg)
    return check_file(_resolve(base, value), what=f"[{table}] file")


def _choice(table: str, key: str, value: Any, allowed: tuple[str, ...]) -> str:
    """``value`` of ``key`` in ``[table]`` checked against ``allowed``."""
    if not isinstance(value, str) or value.strip().lower() not in allowed:
        msg = f"[{table}] {key} = {value!r} is not allowed; expected one of: {', '.join(map(repr, allowed))}."
        raise InputError(msg)
    return value.strip().lower()


def _declare(adata: ad.AnnData, table: str, spec: Mapping[str, Any], path: Path, kind: str) -> None:
    """Record the source file, kind and the declared ``scale`` / ``higher_is`` in the layer's ``.uns``."""
    source: dict[str, Any] = {"file": str(path), "kind": kind}
    if "scale" in spec:
        source["data_type"] = _choice(table, "scale", spec["scale"], SCALES)
        source["data_type_declared"] = True
    adata.uns["source"] = source
    if "higher_is" in spec:
        declared = dict(adata.uns.get("higher_is", {}))
        declared["X"] = _choice(table, "higher_is", spec["higher_is"], HIGHER_IS)
        adata.uns["higher_is"] = declared


def _resolve(base: Path, value: Any) -> Any:
    """A path option resolved relative to the study file's folder."""
    if isinstance(value, str):
        p = Path(value).expanduser()
        return p if p.is_absolute() else (base / p)
    return value


def _fold(key: str) -> str:
    """Sample-ID key ignoring case, whitespace and the separators ``-``, ``_`` and ``.`` (nothing else)."""
    return re.sub(r"[\s\-_.]", "", key.casefold()) or key


class _SampleMap:
    """Maps any known alias of a sample to the sample sheet's ID."""

    def __init__(self, sheet: pd.DataFrame | None, alias_columns: list[str], alias_where: Mapping[str, Any], path: Path | None) -> None:
        self.sheet = sheet
        self.alias: dict[str, str] = {}
        self.ambiguous: set[str] = set()
        self.folded: dict[str, str] = {}
        if sheet is None:
            return
        self._aliases(sheet, alias_columns, alias_where, path)
        self._folds(sheet)

    def _aliases(self, sheet: pd.DataFrame, alias_columns: list[str], alias_where: Mapping[str, Any], path: Path | None) -> None:
        """Collect the alias -> sample ID map (aliases naming two samples are dropped)."""
        for col in alias_columns:
            if col not in sheet.columns:
                msg = (
                    f"[samples] alias column {col!r} is not a column of the sample sheet '{path}'; "
                    f"columns are: {', '.join(map(str, sheet.columns[:12]))}{', ...' if sheet.shape[1] > 12 else ''}."
                )
                raise InputError(msg)
        rows = sheet
        for col, val in alias_where.items():
            if col not in sheet.columns:
                msg = f"[samples] alias_where names column {col!r}, which the sample sheet '{path}' lacks."
                raise InputError(msg)
            allowed = val if isinstance(val, list) else [val]
            rows = rows[rows[col].astype(str).isin([str(a) for a in allowed])]
        for col in alias_columns:
            for sid, alias in zip(rows.index, rows[col].astype(str).str.strip(), strict=True):
                if alias in ("", "nan", "None"):
                    continue
                if alias in self.alias and self.alias[alias] != sid:
                    self.ambiguous.add(alias)
                self.alias[alias] = sid
        for a in self.ambiguous:
            self.alias.pop(a, None)

    def _folds(self, sheet: pd.DataFrame) -> None:
        """Fallback keys ignoring case and separators ("A-204" == "A204"), kept only where unambiguous."""
        clash: set[str] = set()
        for key, sid in [*((str(i), str(i)) for i in sheet.index), *self.alias.items()]:
            k = _fold(key)
            if k in self.folded and self.folded[k] != sid:
                clash.add(k)
            self.folded[k] = sid
        for k in clash:
            self.folded.pop(k, None)

    def map(self, ids: pd.Index) -> pd.Index:
        """Each ID as the sample sheet's ID: itself, its alias, or its folded key (else unchanged)."""
        if self.sheet is None:
            return ids
        known = set(self.sheet.index)
        out = []
        for i in ids:
            if i in known:
                out.append(i)
            elif i in self.alias:
                out.append(self.alias[i])
            else:
                out.append(self.folded.get(_fold(str(i)), i))
        return pd.Index(out, dtype=object)

    def unmatched(self, ids: pd.Index) -> list[str]:
        """IDs that are not in the sample sheet."""
        if self.sheet is None:
            return []
        known = set(self.sheet.index)
        return [i for i in ids if i not in known]


def _map_ids(raw: Any, *, pattern: str | None, smap: _SampleMap, layer: str, path: Path) -> pd.Index:
    """Clean (``sample_pattern``) and map sample IDs; two distinct IDs never become one (error naming both)."""
    raw_ids = pd.Index([str(i) for i in raw], dtype=object)
    uniq = raw_ids.unique()
    mapped = smap.map(clean_ids(uniq, pattern=pattern))
    first: dict[str, str] = {}
    for r, m in zip(uniq, mapped, strict=True):
        m = str(m)
        if m in first and first[m] != r:
            msg = (
                f"layer '{layer}' ('{path}'): sample IDs {first[m]!r} and {r!r} both become {m!r} after cleaning "
                f"(sample_pattern={pattern!r}), alias mapping and case/separator folding; each sample may appear "
                "once per layer: rename one of them, fix the sample_pattern or the [samples] aliases."
            )
            raise InputError(msg)
        first[m] = r
    lookup = dict(zip(uniq, (str(m) for m in mapped), strict=True))
    return pd.Index([lookup[r] for r in raw_ids], dtype=object)


def _finish_ids(adata: ad.AnnData, *, pattern: str | None, smap: _SampleMap, layer: str, path: Path) -> ad.AnnData:
    """Clean and map a layer's sample IDs (see :func:`_map_ids`)."""
    adata.obs_names = _map_ids(adata.obs_names, pattern=pattern, smap=smap, layer=layer, path=path).astype(str)
    return adata


def _layer_kind(name: str, spec: Mapping[str, Any]) -> str:
    """The checked ``kind`` of ``[layers.<name>]``, after checking its keys."""
    if "kind" not in spec or "file" not in spec:
        msg = f"[layers.{name}] needs 'kind' and 'file' (kinds: {', '.join(LAYER_KINDS)})."
        raise InputError(msg)
    kind = str(spec["kind"])
    if kind not in LAYER_KINDS:
        msg = f"[layers.{name}] has unknown kind {kind!r}; expected one of: {', '.join(LAYER_KINDS)}."
        raise InputError(msg)
    options = _reader_options(_reader(kind))
    allowed = None if options is None else _LAYER_OWN_KEYS | options
    _check_keys(f"layers.{name}", spec, allowed, f"the {kind!r} reader")
    pattern = spec.get("sample_pattern")
    if pattern is not None:
        try:
            re.compile(str(pattern))
        except re.error as e:
            msg = f"[layers.{name}] sample_pattern {pattern!r} is not a valid regular expression: {e}."
            raise InputError(msg) from e
    return kind


def _variants_layer(variants: pd.DataFrame, spec: Mapping[str, Any], smap: _SampleMap, name: str, path: Path) -> ad.AnnData:
    """A variant table (MAF / VCF / mutation matrix) -> the binary gene-level layer with mapped sample IDs."""
    import oncoresist.io as io_mod

    pattern = spec.get("sample_pattern")
    variants = variants.copy()
    variants["sample"] = _map_ids(variants["sample"], pattern=pattern, smap=smap, layer=name, path=path)
    sequenced = spec.get("sequenced_samples")
    samples = None
    if "samples" in variants.attrs:  # readers that know every sequenced sample
        samples = [str(x) for x in _map_ids(variants.attrs["samples"], pattern=pattern, smap=smap, layer=name, path=path)]
    if sequenced == "sheet" and smap.sheet is not None:
        samples = list(smap.sheet.index)
    elif isinstance(sequenced, list):
        samples = [str(s) for s in sequenced]
    return io_mod.variants_to_anndata(variants, samples=samples)


def _read_layer(name: str, spec: Mapping[str, Any], base: Path, smap: _SampleMap) -> ad.AnnData:
    """Read one ``[layers.<name>]`` table into an AnnData with the sample sheet's IDs."""
    kind = _layer_kind(name, spec)
    path = _file_of(f"layers.{name}", spec, base)
    opts = {k: (_resolve(base, v) if k in _PATH_KEYS else v) for k, v in spec.items() if k not in _LAYER_OWN_KEYS}
    reader = _reader(kind)
    try:
        if kind in ("maf", "vcf", "mutation_matrix"):
            adata = _variants_layer(reader(path, **opts), spec, smap, name, path)
        else:
            adata = _finish_ids(reader(path, **opts), pattern=spec.get("sample_pattern"), smap=smap, layer=name, path=path)
    except TypeError as e:
        msg = f"[layers.{name}] has an option the {kind!r} reader does not take: {e}. See the reader's docstring."
        raise InputError(msg) from e
    _declare(adata, f"layers.{name}", spec, path, kind)
    if adata.n_obs == 0 or adata.n_vars == 0:
        msg = f"layer '{name}' ('{path}') is empty after reading ({adata.n_obs} samples x {adata.n_vars} features); check the file and its options."
        raise InputError(msg)
    return adata


def _read_long_table(
    table: str, spec: Mapping[str, Any], base: Path, smap: _SampleMap, reader: Callable[..., pd.DataFrame], what: str
) -> pd.DataFrame:
    """Read the long table of ``[screen]`` / ``[combinations]`` and map its sample IDs."""
    if not isinstance(spec, Mapping) or "file" not in spec:
        msg = f"[{table}] needs 'file' ({what})."
        raise InputError(msg)
    options = _reader_options(reader)
    _check_keys(table, spec, None if options is None else {"file", "sample_pattern"} | options, reader.__name__)
    path = _file_of(table, spec, base)
    opts = {k: v for k, v in spec.items() if k not in ("file", "sample_pattern")}
    try:
        df = reader(path, **opts)
    except TypeError as e:
        msg = f"[{table}] has an option {reader.__name__} does not take: {e}. See its docstring."
        raise InputError(msg) from e
    for col in ("sample", "patient"):
        if col in df.columns:
            df[col] = smap.map(clean_ids(df[col], pattern=spec.get("sample_pattern"))).astype(str)
    return df


def _missing_fraction(adata: ad.AnnData) -> float:
    X = adata.X
    if X is None:
        return float("nan")
    if sp.issparse(X):
        data = X.data
        return float(np.isnan(data).sum() / max(1, X.shape[0] * X.shape[1]))
    X = np.asarray(X, dtype=float)
    return float(np.isnan(X).mean()) if X.size else float("nan")


def build_summary(mdata: md.MuData, *, unmatched: Mapping[str, list[str]] | None = None) -> pd.DataFrame:
    """Per-layer summary of a cohort: samples, features, missing fraction, unmatched sample IDs.

    Parameters
    ----------
    mdata
        The cohort.
    unmatched
        Per layer, sample IDs that matched nothing in the sample sheet (from :func:`read_study`);
        taken from ``mdata.uns['build']`` when not given.

    Returns
    -------
    pandas.DataFrame
        One row per layer: ``layer, samples, features, missing_fraction, samples_only_here,
        unmatched_ids`` (``unmatched_ids`` lists at most 10 IDs, with a count).
    """
    if unmatched is None:
        unmatched = {}
        b = mdata.uns.get("build", {})
        if isinstance(b, Mapping) and "unmatched" in b:
            unmatched = {k: list(np.atleast_1d(v)) for k, v in b["unmatched"].items()}
    rows = []
    all_sets = {k: set(m.obs_names) for k, m in mdata.mod.items()}
    for name, m in mdata.mod.items():
        others = set().union(*(s for k, s in all_sets.items() if k != name)) if len(all_sets) > 1 else set()
        only = sorted(all_sets[name] - others) if len(all_sets) > 1 else []
        um = [str(u) for u in unmatched.get(name, []) if str(u) != ""]
        rows.append(
            {
                "layer": name,
                "samples": m.n_obs,
                "features": m.n_vars,
                "missing_fraction": round(_missing_fraction(m), 4),
                "samples_only_here": len(only),
                "unmatched": len(um),
                "unmatched_ids": ", ".join(um[:10]) + (f", ... ({len(um)} in all)" if len(um) > 10 else ""),
            }
        )
    return pd.DataFrame(rows)


def _load_config(p: Path) -> dict[str, Any]:
    """The study file's TOML (UTF-8 with or without BOM, or UTF-16), its tables and keys checked."""
    try:
        cfg = tomllib.loads(read_text(p))
    except tomllib.TOMLDecodeError as e:
        msg = f"study file '{p}' is not valid TOML: {e}."
        raise InputError(msg) from e
    unknown = set(cfg) - _STUDY_KEYS
    if unknown:
        msg = f"study file '{p}' has unknown table(s) {', '.join(sorted(unknown))}; expected: {', '.join(sorted(_STUDY_KEYS))}."
        raise InputError(msg)
    for table, allowed in (("study", _STUDY_SECTION_KEYS), ("samples", _SAMPLE_KEYS)):
        if not isinstance(cfg.get(table, {}), Mapping):
            msg = f"study file '{p}': {table} must be a table ([{table}]), found {cfg[table]!r}."
            raise InputError(msg)
        _check_keys(table, cfg.get(table, {}), allowed)
    if not isinstance(cfg.get("layers", {}), Mapping):
        msg = f"study file '{p}': layers must be tables [layers.<name>], found {cfg['layers']!r}."
        raise InputError(msg)
    if not cfg.get("layers") and "screen" not in cfg:
        msg = f"study file '{p}' lists no [layers.<name>] table and no [screen]: nothing to build."
        raise InputError(msg)
    return cfg


def _read_sheet(sample_cfg: Mapping[str, Any], base: Path) -> tuple[pd.DataFrame | None, _SampleMap]:
    """The ``[samples]`` sheet (or None) and the sample map built from it."""
    import oncoresist.io as io_mod

    sheet = None
    sheet_path = None
    if "file" in sample_cfg:
        sheet_path = _file_of("samples", sample_cfg, base)
        sheet = io_mod.read_clinical(
            sheet_path,
            id_column=sample_cfg.get("id_column"),
            survival_time=sample_cfg.get("survival_time"),
            survival_event=sample_cfg.get("survival_event"),
        )
    aliases = sample_cfg.get("alias_columns", [])
    where = sample_cfg.get("alias_where", {})
    if not isinstance(aliases, list) or not isinstance(where, Mapping):
        msg = ("[samples] alias_columns must be a list of column names and alias_where a table, "
               f'e.g. alias_columns = ["patient"]; found {aliases!r} and {where!r}.')
        raise InputError(msg)
    return sheet, _SampleMap(sheet, [str(a) for a in aliases], dict(where), sheet_path)


def _join_hint(sheet: pd.DataFrame, ids: list[str]) -> str:
    """The sample-sheet column that holds most of ``ids`` (by content), as advice for ``alias_columns``."""
    wanted = {str(i).strip() for i in ids}
    best, n_best = "", 0
    for col in sheet.columns:
        values = set(sheet[col].dropna().astype(str).str.strip())
        n = len(wanted & values)
        if n > n_best:
            best, n_best = str(col), n
    if n_best == 0:
        return "no column of the sample sheet holds these IDs; check sample_pattern or the sheet"
    return (f"column {best!r} of the sample sheet holds {n_best} of them: add alias_columns = [{best!r}] "
            "to [samples]")


def _warn_poor_join(name: str, ids: pd.Index, unmatched: list[str], sheet: pd.DataFrame | None) -> None:
    """Warn when most of a layer's samples match nothing in the sample sheet, naming the column that would join them."""
    if sheet is None or len(ids) == 0 or len(unmatched) <= 0.5 * len(ids):
        return
    warnings.warn(
        f"[layers.{name}]: {len(unmatched)} of {len(ids)} sample IDs ({len(unmatched) / len(ids):.0%}) match no sample "
        f"of the sample sheet (e.g. {', '.join(map(repr, unmatched[:3]))}); {_join_hint(sheet, unmatched)}.",
        UserWarning,
        stacklevel=4,
    )


def _read_tables(cfg: Mapping[str, Any], base: Path, smap: _SampleMap, fit_screen: Any, quiet: bool) -> tuple[dict[str, ad.AnnData], dict[str, list[str]], dict[str, Any]]:
    """Every layer, the screen and the combinations: (modalities, unmatched IDs per layer, uns)."""
    import oncoresist.io as io_mod

    from .._core._utils import progress

    mods: dict[str, ad.AnnData] = {}
    unmatched: dict[str, list[str]] = {}
    for name, spec in progress(list(cfg.get("layers", {}).items()), description="reading layers", quiet=quiet):
        if not isinstance(spec, Mapping):
            msg = f"[layers.{name}] must be a table with kind and file."
            raise InputError(msg)
        mods[name] = _read_layer(name, spec, base, smap)
        unmatched[name] = smap.unmatched(mods[name].obs_names)
        _warn_poor_join(name, mods[name].obs_names, unmatched[name], smap.sheet)
    uns: dict[str, Any] = {}
    if "screen" in cfg:
        screen = _read_long_table("screen", cfg["screen"], base, smap, io_mod.read_dose_response, "a long-format dose-response table")
        uns["dose_response"] = screen
        if callable(fit_screen):
            mods["drug"], uns["curves"] = fit_screen(screen)
        unmatched["drug"] = smap.unmatched(pd.Index(screen["sample"].unique()))
    if "ctdna" in cfg:
        uns["ctdna"] = _read_long_table("ctdna", cfg["ctdna"], base, smap, io_mod.read_ctdna, "a serial plasma ctDNA table")
        unmatched["ctdna"] = smap.unmatched(pd.Index(uns["ctdna"]["patient"].unique()))
    if "clonal" in cfg:
        from ._study_clonal import read_clonal_input

        uns["clonal_input"] = read_clonal_input(cfg["clonal"], base, _file_of, _check_keys, smap.map, clean_ids)
        unmatched["clonal"] = smap.unmatched(pd.Index(uns["clonal_input"]["patient"].unique()))
    if "allelic_segments" in cfg:
        uns["allelic_segments"] = _read_long_table("allelic_segments", cfg["allelic_segments"], base, smap,
                                                   io_mod.read_allelic_segments, "allele-specific copy-number segments")
        unmatched["allelic_segments"] = smap.unmatched(pd.Index(uns["allelic_segments"]["sample"].unique()))
    if "combinations" in cfg:
        uns["combinations"] = _read_long_table(
            "combinations", cfg["combinations"], base, smap, io_mod.read_combinations, "a long-format dose-matrix table"
        )
    return mods, unmatched, uns


def _assemble(mods: dict[str, ad.AnnData], sheet: pd.DataFrame | None, uns: dict[str, Any], unmatched: dict[str, list[str]], cfg: Mapping[str, Any], p: Path) -> md.MuData:
    """One MuData of the layers, the sample sheet as ``obs`` and the build summary in ``uns['build']``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mdata = md.MuData(mods)
    not_in_layers: list[str] = []
    if sheet is not None:
        extra = sheet.reindex(mdata.obs_names)
        extra.columns = [str(c) for c in extra.columns]
        base_obs = mdata.obs.drop(columns=[c for c in extra.columns if c in mdata.obs.columns])
        mdata.obs = pd.concat([base_obs, extra], axis=1)
        not_in_layers = [s for s in sheet.index if s not in set(mdata.obs_names)]
    mdata.uns.update(uns)
    summary = build_summary(mdata, unmatched=unmatched)
    mdata.uns["build"] = {
        "study": str(cfg.get("study", {}).get("name", p.stem)),
        "study_file": str(p),
        "summary": summary,
        "unmatched": {k: np.asarray(v, dtype=object) for k, v in unmatched.items()},
        "sheet_samples_without_data": np.asarray(not_in_layers, dtype=object),
    }
    return mdata


def read_study(
    path: PathLike,
    *,
    fit_screen: bool | Callable[[pd.DataFrame], tuple[ad.AnnData, dict[str, Any]]] = False,
    quiet: bool = True,
) -> md.MuData:
    """Build a cohort from a study file (TOML) listing the layer files and their options.

    Parameters
    ----------
    path
        The study file (UTF-8, with or without a byte-order mark, or UTF-16). Paths inside it
        are relative to its folder. Tables:
        ``[study]`` (``name``, ``description``), ``[samples]`` (optional sample sheet: ``file``,
        ``id_column``, ``alias_columns``, ``alias_where``, ``survival_time``, ``survival_event``),
        ``[layers.<name>]`` (one per modality: ``kind``, ``file``, optional ``sample_pattern``,
        ``scale``, ``higher_is`` and any option of the reader of that kind), ``[screen]`` (raw
        single-agent dose-response screen: ``file`` + options of :func:`read_dose_response`),
        ``[combinations]`` (combination dose matrices: ``file`` + options of
        :func:`read_combinations`), ``[ctdna]`` (serial plasma ctDNA: ``file`` + options of
        :func:`read_ctdna`, stored in ``mdata.uns['ctdna']`` with patients mapped to the sheet's
        IDs), ``[clonal]`` (one patient's clonal table: ``file`` (PyClone-VI TSV or a ClonEvol /
        LICHeE / CALDER table, :func:`read_clonal`), ``patient`` and optional ``times`` (the
        sample IDs in time order) and ``sample_pattern``; or one ``[clonal.<patient>]`` table per
        patient; stored stacked in ``mdata.uns['clonal_input']`` with ``patient`` mapped to the
        sheet's IDs and ``time`` the position in ``times``), ``[allelic_segments]`` (ASCAT / FACETS /
        Sequenza segments: ``file`` + options of :func:`read_allelic_segments`, stored in
        ``mdata.uns['allelic_segments']`` with samples mapped to the sheet's IDs). A key a table does not know is an error listing the allowed
        keys. ``scale`` declares the layer's data type (one of :data:`SCALES`: ``counts``,
        ``log``, ``tpm``, ``rsem``, ``fpkm``, ``beta``, ``mvalue``, ``binary``), stored as
        ``adata.uns['source']['data_type']`` (``data_type_declared = True``), which preprocessing
        uses instead of detecting the type. ``higher_is`` (``resistant`` for IC50-like metrics,
        ``sensitive`` for AAC / -log GI50 / % inhibition) says what a higher value of a response
        layer means, stored as ``adata.uns['higher_is'] = {"X": value}`` (read by
        :func:`oncoresist.get.higher_is`). Sample IDs are matched to the sheet exactly, through
        aliases, then ignoring case, whitespace and ``-``/``_``/``.`` (never other characters:
        ``SIMé-0001`` is not ``SIM-0001``); two distinct IDs of one layer that would become the
        same sample are an error naming both.
    fit_screen
        Readers only read: the raw ``[screen]`` is stored in ``mdata.uns['dose_response']``.
        To fit curves into the ``drug`` layer use :func:`oncoresist.tl.build_study` (what the
        ``build`` command runs), or pass a callable ``screen -> (drug AnnData, uns['curves'])``.
        ``True`` (the behaviour before 0.2.0) is an error that names the replacement.
    quiet
        No progress messages.

    Returns
    -------
    mudata.MuData
        Modalities named as the ``[layers]`` tables (plus ``drug`` from ``[screen]``);
        ``mdata.obs`` holds the sample sheet's columns; ``mdata.uns['build']`` the build
        summary (also available as a table through :func:`build_summary`). Samples missing
        from some layers are kept; sample IDs that match nothing in the sample sheet are kept
        and listed in the summary.

    Examples
    --------
    >>> import tempfile
    >>> from oncoresist.ds import simulate_cohort
    >>> folder = tempfile.mkdtemp()
    >>> study = simulate_cohort(40, seed=1).write(folder)  # doctest: +SKIP
    >>> mdata = read_study(study)  # doctest: +SKIP
    >>> sorted(mdata.mod)  # doctest: +SKIP
    """
    if fit_screen is True:
        msg = ("io.read_study only reads since oncoresist 0.2.0 (the io layer fits nothing); "
               "use oncoresist.tl.build_study(path) to read the study and fit the screen's curves.")
        raise InputError(msg)
    p = check_file(path, what="study file")
    cfg = _load_config(p)
    sheet, smap = _read_sheet(cfg.get("samples", {}), p.parent)
    mods, unmatched, uns = _read_tables(cfg, p.parent, smap, fit_screen, quiet)
    if not mods:
        msg = (f"study file '{p}': no layer could be built (a [screen] without curve fitting makes no layer; "
               "oncoresist.tl.build_study fits it).")
        raise InputError(msg)
    return _assemble(mods, sheet, uns, unmatched, cfg, p)

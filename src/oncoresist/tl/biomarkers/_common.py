"""Shared steps of the biomarker functions: checking the variant table, filtering calls, samples."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..._core._errors import InputError
from ..._core._utils import PathLike, find_column, parse_csv, read_text

#: Callable territory (Mb) assumed for a whole exome when neither ``callable_mb`` nor a BED is given:
#: the usual approximation of the exome's callable coding territory (about 30 Mb).
WES_CALLABLE_MB = 30.0
#: Columns searched (in this order) for a population allele frequency (germline filter).
POPULATION_AF_COLUMNS = ("gnomad_af", "gnomAD_AF", "gnomad_exome_af", "exac_af", "ExAC_AF", "af_population", "GMAF")
#: Columns searched (in this order) for the reference sequence around a variant.
CONTEXT_COLUMNS = ("context", "CONTEXT", "ref_context", "flanking_bps", "trinucleotide", "Trinucleotide")


def context_column(variants: pd.DataFrame) -> str | None:
    """The context column whose values are reference sequence (>= 3 bases) for most rows, if any."""
    col = find_column(variants, CONTEXT_COLUMNS)
    if col is None:
        return None
    vals = variants[col].dropna().astype(str).str.upper()
    vals = vals.iloc[:: max(1, len(vals) // 2000)]  # a spread-out sample is enough to judge the column
    return col if len(vals) and vals.str.fullmatch(r"[ACGTN]{3,}").mean() > 0.5 else None


def check_variants(variants: object, *, func: str, columns: Sequence[str] = ("sample",)) -> pd.DataFrame:
    """The variant table checked to be a DataFrame with ``columns`` (an :class:`InputError` otherwise)."""
    if not isinstance(variants, pd.DataFrame):
        msg = (f"{func}: expected the variant table (a pandas DataFrame as returned by oncoresist.io.read_maf / "
               f"read_vcf), got {type(variants).__name__}.")
        raise InputError(msg)
    missing = [c for c in columns if c not in variants.columns]
    if missing:
        msg = (f"{func}: the variant table lacks column(s) {', '.join(map(repr, missing))} (found: "
               f"{', '.join(map(str, list(variants.columns)[:12]))}); read the calls with oncoresist.io.read_maf or read_vcf.")
        raise InputError(msg)
    return variants


def callable_territory(callable_mb: float | None, target_bed: PathLike | None, *, func: str) -> tuple[float, str]:
    """Callable territory in Mb and how it was chosen (``declared``, ``bed:<file>`` or ``WES default``)."""
    if callable_mb is not None and target_bed is not None:
        msg = f"{func}: give callable_mb= or target_bed=, not both (the BED defines the territory)."
        raise InputError(msg)
    if target_bed is not None:
        return bed_megabases(target_bed), f"bed:{target_bed}"
    if callable_mb is None:
        return WES_CALLABLE_MB, "WES default"
    mb = float(callable_mb)
    if not np.isfinite(mb) or mb <= 0:
        msg = f"{func}: callable_mb must be a positive number of megabases, got {callable_mb!r}."
        raise InputError(msg)
    return mb, "declared"


def bed_megabases(path: PathLike) -> float:
    """Total length (Mb) of the merged intervals of a BED file (0-based, half-open)."""
    lines = [ln for ln in read_text(path).splitlines() if ln.strip() and not ln.startswith(("#", "track", "browser"))]
    if not lines:
        msg = f"target BED '{path}' has no intervals: expected tab-separated chrom, start, end lines."
        raise InputError(msg)
    width = max(ln.count("\t") for ln in lines) + 1
    df = parse_csv("\n".join(lines), sep="\t", path=path, what="target BED", header=None, names=list(range(width)))
    start = pd.to_numeric(df[1], errors="coerce") if df.shape[1] > 2 else pd.Series(dtype=float)
    end = pd.to_numeric(df[2], errors="coerce") if df.shape[1] > 2 else pd.Series(dtype=float)
    if df.shape[1] < 3 or start.isna().any() or end.isna().any() or (end < start).any():
        msg = f"target BED '{path}': expected tab-separated chrom, start, end (integers, end >= start) on every line."
        raise InputError(msg)
    total = 0
    for _, grp in pd.DataFrame({"c": df[0].astype(str), "s": start, "e": end}).groupby("c"):
        total += _merged_length(grp["s"].to_numpy(dtype=np.int64), grp["e"].to_numpy(dtype=np.int64))
    if total <= 0:
        msg = f"target BED '{path}' covers 0 bases: expected the captured / callable regions."
        raise InputError(msg)
    return total / 1e6


def _merged_length(start: np.ndarray, end: np.ndarray) -> int:
    """Number of bases covered by the union of half-open intervals."""
    order = np.argsort(start, kind="stable")
    total, cur_s, cur_e = 0, None, None
    for s, e in zip(start[order], end[order], strict=True):
        if cur_e is None or s > cur_e:
            total += 0 if cur_e is None else cur_e - cur_s
            cur_s, cur_e = s, e
        else:
            cur_e = max(cur_e, e)
    return int(total + (0 if cur_e is None else cur_e - cur_s))


def filter_calls(
    variants: pd.DataFrame, *, min_vaf: float | None, min_depth: float | None, max_population_af: float | None
) -> tuple[pd.DataFrame, dict[str, object]]:
    """Calls passing the VAF / depth / population-frequency filters (each applied when its column exists)."""
    keep = np.ones(len(variants), dtype=bool)
    applied: dict[str, object] = {}
    if min_vaf is not None and "vaf" in variants.columns:
        vaf = pd.to_numeric(variants["vaf"], errors="coerce").to_numpy(dtype=float)
        keep &= ~(vaf < min_vaf)  # a missing VAF is kept
        applied["min_vaf"] = float(min_vaf)
    if min_depth is not None and "t_depth" in variants.columns:
        depth = pd.to_numeric(variants["t_depth"], errors="coerce").to_numpy(dtype=float)
        keep &= ~(depth < min_depth)
        applied["min_depth"] = float(min_depth)
    pop = find_column(variants, POPULATION_AF_COLUMNS) if max_population_af is not None else None
    if pop is not None:
        af = pd.to_numeric(variants[pop], errors="coerce").to_numpy(dtype=float)
        keep &= ~(af > max_population_af)
        applied["max_population_af"] = float(max_population_af)  # type: ignore[arg-type]
        applied["population_af_column"] = pop
    return variants.loc[keep], applied


def sample_index(variants: pd.DataFrame, samples: Sequence[str] | None) -> pd.Index:
    """Samples reported: ``samples`` when given (those without calls get zeros), else those in the table."""
    if samples is not None:
        return pd.Index([str(s) for s in samples], name="sample")
    return pd.Index(pd.unique(variants["sample"].astype(str)), name="sample")


def indel_mask(variants: pd.DataFrame) -> np.ndarray:
    """Rows that are insertions / deletions (``variant_type`` INS / DEL, else the allele lengths)."""
    if "variant_type" in variants.columns:
        vt = variants["variant_type"].astype(str).str.upper()
        return vt.isin(["INS", "DEL"]).to_numpy()
    ref, alt = allele_lengths(variants)
    return ref != alt


def allele_lengths(variants: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Lengths of the MAF-style reference and alternate alleles (``-`` counts as empty)."""
    ref = variants["ref"].astype(str).replace({"-": "", "nan": ""}).str.len().to_numpy()
    alt = variants["alt"].astype(str).replace({"-": "", "nan": ""}).str.len().to_numpy()
    return ref, alt

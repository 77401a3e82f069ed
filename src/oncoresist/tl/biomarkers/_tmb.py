"""Tumour mutational burden: coding non-synonymous somatic variants per Mb of callable territory.

TMB-high is ``tmb >= 10`` mutations / Mb, the cut-off of the FDA approval of pembrolizumab for
TMB-high solid tumours, from KEYNOTE-158 (Marabelle et al. 2020, Lancet Oncol 21:1353,
doi:10.1016/S1470-2045(20)30445-9).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from ..._core._errors import InputError
from ..._core._utils import PathLike
from ...io._variants import NONSYNONYMOUS_CLASSES
from ._common import callable_territory, check_variants, filter_calls, sample_index

__all__ = ["TMB_HIGH_CUTOFF", "tumour_mutational_burden"]

#: TMB-high cut-off in mutations / Mb (FDA, KEYNOTE-158: Marabelle et al. 2020).
TMB_HIGH_CUTOFF = 10.0


def tumour_mutational_burden(
    variants: pd.DataFrame,
    *,
    callable_mb: float | None = None,
    target_bed: PathLike | None = None,
    count: Literal["nonsynonymous", "all"] = "nonsynonymous",
    min_vaf: float | None = 0.05,
    min_depth: float | None = None,
    max_population_af: float | None = 0.01,
    cutoff: float = TMB_HIGH_CUTOFF,
    samples: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Tumour mutational burden per sample and the TMB-high call.

    Counts, per sample, the coding non-synonymous variants (``variant_class`` in
    :data:`oncoresist.io.NONSYNONYMOUS_CLASSES`: missense, nonsense, frameshift, in-frame, splice
    site, start / stop changes) that pass the filters, and divides by the callable territory.

    Parameters
    ----------
    variants
        The tidy variant table (:func:`oncoresist.io.read_maf` / ``read_vcf``): ``sample``,
        ``variant_class`` and, when present, ``vaf``, ``t_depth`` and a population allele frequency.
    callable_mb
        Callable territory in megabases. Default (with no ``target_bed``): 30 Mb, the usual
        approximation of a whole exome's callable coding territory; give the panel's size for
        panels (e.g. 0.8 - 1.5 Mb) and about 2,800 Mb for whole genomes with ``count="all"``.
    target_bed
        BED file of the captured / callable regions; its merged length is the territory.
    count
        ``"nonsynonymous"`` (default, the FDA / KEYNOTE-158 definition) or ``"all"`` (every call).
    min_vaf
        Drop calls with a VAF below this (when the table has ``vaf``; a missing VAF is kept).
    min_depth
        Drop calls with a tumour depth below this (when the table has ``t_depth``).
    max_population_af
        Drop calls whose population allele frequency (gnomAD / ExAC column) exceeds this
        (likely germline), when such a column exists.
    cutoff
        TMB-high cut-off in mutations / Mb (default 10, FDA / KEYNOTE-158).
    samples
        Samples to report (those without calls get 0); default: the samples in the table.

    Returns
    -------
    pandas.DataFrame
        One row per sample: ``sample, n_coding, tmb, tmb_high``. ``n_coding`` is the count (all
        calls when ``count="all"``). ``.attrs`` records the territory, how it was chosen, the
        filters applied and the cut-off.

    Raises
    ------
    InputError
        The table lacks ``sample`` / ``variant_class``, or the territory is not positive.

    Examples
    --------
    >>> v = pd.DataFrame({"sample": ["A"] * 3 + ["B"], "variant_class": ["Missense_Mutation"] * 2 + ["Silent", "Nonsense_Mutation"]})
    >>> tumour_mutational_burden(v, callable_mb=0.1)[["sample", "n_coding", "tmb", "tmb_high"]].to_dict("list")
    {'sample': ['A', 'B'], 'n_coding': [2, 1], 'tmb': [20.0, 10.0], 'tmb_high': [True, True]}
    """
    func = "tl.tumour_mutational_burden"
    check_variants(variants, func=func, columns=("sample", "variant_class"))
    if count not in ("nonsynonymous", "all"):
        msg = f"{func}: count must be 'nonsynonymous' or 'all', got {count!r}."
        raise InputError(msg)
    mb, how = callable_territory(callable_mb, target_bed, func=func)
    index = sample_index(variants, samples)
    kept, applied = filter_calls(variants, min_vaf=min_vaf, min_depth=min_depth, max_population_af=max_population_af)
    if count == "nonsynonymous":
        kept = kept[kept["variant_class"].astype(str).isin(NONSYNONYMOUS_CLASSES)]
    n = kept["sample"].astype(str).value_counts().reindex(index, fill_value=0).astype(np.int64)
    tmb = n.to_numpy(dtype=float) / mb
    out = pd.DataFrame({"sample": index.astype(str), "n_coding": n.to_numpy(), "tmb": tmb, "tmb_high": tmb >= cutoff})
    out.attrs.update({"callable_mb": mb, "territory": how, "count": count, "filters": applied, "cutoff": float(cutoff)})
    return out

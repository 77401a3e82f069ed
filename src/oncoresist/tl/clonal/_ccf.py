"""Cancer cell fractions (CCF) per mutation and sample, with multiplicity and an interval.

For a mutation on ``m`` of the ``major + minor`` tumour copies of its locus, present in a fraction
``ccf`` of cancer cells, in a sample of purity ``p`` with normal copy number ``n``, the expected
VAF is ``p m ccf / (p (major + minor) + (1 - p) n)`` (McGranahan et al. 2015, Sci Transl Med,
doi:10.1126/scitranslmed.aaa1408; the PyClone model, Roth et al. 2014, doi:10.1038/nmeth.2883).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import special, stats

from ..._core._errors import InputError

__all__ = ["cancer_cell_fractions", "ccf_kernel"]

_CN_DEFAULTS = {"major_cn": 1, "minor_cn": 1, "normal_cn": 2, "tumour_content": 1.0}


def _binom_logpmf(alt: np.ndarray, ref: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Binomial log-probability of ``alt`` successes in ``alt + ref`` trials (vectorised)."""
    p = np.clip(p, 1e-12, 1 - 1e-12)
    const = special.gammaln(alt + ref + 1) - special.gammaln(alt + 1) - special.gammaln(ref + 1)
    return const + alt * np.log(p) + ref * np.log1p(-p)


def _choose_multiplicity(alt: np.ndarray, ref: np.ndarray, copies: np.ndarray, major: np.ndarray,
                         denom: np.ndarray, purity: np.ndarray, tolerance: float) -> np.ndarray:
    """Smallest m in 1..major whose capped-CCF log-likelihood is within ``tolerance`` of the best."""
    m = np.arange(1, int(major.max()) + 1, dtype=float)[None, :]
    ccf_m = np.clip(copies[:, None] / m, 0.0, 1.0)
    ll = _binom_logpmf(alt[:, None], ref[:, None], purity[:, None] * m * ccf_m / denom[:, None])
    ll = np.where(m <= major[:, None], ll, -np.inf)
    ok = ll >= ll.max(axis=1, keepdims=True) - tolerance
    return (np.argmax(ok, axis=1) + 1).astype(np.int64)


def ccf_kernel(alt: np.ndarray, ref: np.ndarray, major: np.ndarray, minor: np.ndarray, normal: np.ndarray,
               purity: np.ndarray, *, tolerance: float = 1.92, level: float = 0.95) -> dict[str, np.ndarray]:
    """CCF, interval and multiplicity for arrays of read counts and copy numbers (the numerical kernel).

    The mutant copy number per cancer cell is ``c = vaf (p (major + minor) + (1 - p) n) / p``.
    For each multiplicity ``m`` in ``1..major`` the CCF is ``min(c / m, 1)`` and the binomial
    likelihood of the alt count is evaluated at the VAF that CCF implies; ``m`` is the smallest
    multiplicity whose log-likelihood is within ``tolerance`` of the best (1.92 = half the 95%
    chi-square(1) quantile: a higher multiplicity must fit clearly better). The interval is the
    Jeffreys interval of the VAF (Beta(alt + 1/2, ref + 1/2) quantiles; Brown, Cai & DasGupta
    2001) propagated through the same map and capped at 1. Depth 0 gives NaN.

    Parameters
    ----------
    alt, ref
        Alt and ref read counts.
    major, minor, normal
        Major / minor tumour copy number and normal copy number of the locus.
    purity
        Tumour content in (0, 1].
    tolerance
        Log-likelihood margin for preferring a smaller multiplicity.
    level
        Coverage of the interval.

    Returns
    -------
    dict
        ``ccf``, ``ccf_low``, ``ccf_high``, ``multiplicity`` and ``mutant_copies`` (``c``) arrays.

    Examples
    --------
    >>> out = ccf_kernel(np.array([25]), np.array([75]), np.array([1]), np.array([1]), np.array([2]), np.array([0.5]))
    >>> float(out["ccf"][0]), int(out["multiplicity"][0])
    (1.0, 1)
    """
    alt, ref = np.asarray(alt, float), np.asarray(ref, float)
    major, purity = np.asarray(major, float), np.asarray(purity, float)
    denom = purity * (major + np.asarray(minor, float)) + (1 - purity) * np.asarray(normal, float)
    depth = alt + ref
    with np.errstate(invalid="ignore", divide="ignore"):
        copies = np.where(depth > 0, alt / np.where(depth > 0, depth, 1), np.nan) * denom / purity
    mult = _choose_multiplicity(alt, ref, np.nan_to_num(copies), major, denom, purity, tolerance)
    scale = denom / (purity * mult)
    a = (1 - level) / 2
    low = stats.beta.ppf(a, alt + 0.5, ref + 0.5) * scale
    high = stats.beta.ppf(1 - a, alt + 0.5, ref + 0.5) * scale
    nan = depth <= 0
    out = {"ccf": np.minimum(copies / mult, 1.0), "ccf_low": np.minimum(low, 1.0), "ccf_high": np.minimum(high, 1.0)}
    out = {k: np.where(nan, np.nan, v) for k, v in out.items()}
    return {**out, "multiplicity": mult, "mutant_copies": copies}


def clonal_inputs(table: pd.DataFrame, *, what: str = "clonal table") -> pd.DataFrame:
    """The table with counts and copy-number columns present (defaults filled with a warning)."""
    if not {"alt_counts", "ref_counts"} <= set(table.columns):
        msg = (f"{what} has no read counts (columns alt_counts, ref_counts; found {', '.join(map(str, table.columns[:12]))}). "
               "CCFs and clusters need counts: read the file with io.read_pyclone or a ClonEvol / CALDER table "
               "with counts; LICHeE tables carry VAFs only.")
        raise InputError(msg)
    t = table.copy()
    absent = [c for c in _CN_DEFAULTS if c not in t.columns]
    if absent:
        msg = (f"{what} lacks {', '.join(absent)}: assuming {', '.join(f'{c}={_CN_DEFAULTS[c]}' for c in absent)} "
               "(diploid, heterozygous, pure), so CCF = 2 x VAF; give copy number and purity for real CCFs.")
        warnings.warn(msg, UserWarning, stacklevel=3)
        for c in absent:
            t[c] = _CN_DEFAULTS[c]
    counts = t[["alt_counts", "ref_counts"]].astype(float)
    t = t.loc[counts.notna().all(axis=1)].reset_index(drop=True)
    return t


def cancer_cell_fractions(table: pd.DataFrame, *, tolerance: float = 1.92, level: float = 0.95) -> pd.DataFrame:
    r"""Cancer cell fraction of every (mutation, sample), with multiplicity and a 95% interval.

    Parameters
    ----------
    table
        Tidy clonal table (:func:`oncoresist.io.read_pyclone` / :func:`~oncoresist.io.read_vaf_table`
        with counts): ``mutation_id``, ``sample_id``, ``alt_counts``, ``ref_counts`` and, when
        known, ``major_cn``, ``minor_cn``, ``normal_cn``, ``tumour_content`` (otherwise 1, 1, 2, 1
        with a warning). Rows with missing counts are dropped.
    tolerance
        Log-likelihood margin by which a higher multiplicity must beat a lower one (see
        :func:`ccf_kernel`).
    level
        Coverage of the interval (0.95).

    Returns
    -------
    pandas.DataFrame
        The input columns plus ``ccf`` (capped at 1), ``ccf_low``, ``ccf_high``,
        ``multiplicity`` (mutant copies per cell carrying it) and ``mutant_copies`` (uncapped
        copies per cancer cell, ``ccf x multiplicity`` below the cap).

    Raises
    ------
    InputError
        When the table has no read counts or ``level`` is not in (0, 1).

    Examples
    --------
    >>> t = pd.DataFrame({"mutation_id": ["m1", "m2"], "sample_id": "R1", "alt_counts": [25, 10],
    ...                   "ref_counts": [75, 90], "major_cn": 1, "minor_cn": 1, "normal_cn": 2,
    ...                   "tumour_content": 0.5})
    >>> cancer_cell_fractions(t)[["ccf", "multiplicity"]].round(2).values.tolist()
    [[1.0, 1.0], [0.4, 1.0]]
    """
    if not 0 < level < 1:
        msg = f"level={level!r}: expected the interval's coverage in (0, 1), e.g. 0.95."
        raise InputError(msg)
    t = clonal_inputs(table)
    cols = ("alt_counts", "ref_counts", "major_cn", "minor_cn", "normal_cn", "tumour_content")
    out = ccf_kernel(*(t[c].to_numpy(float) for c in cols), tolerance=tolerance, level=level)
    for k, v in out.items():
        t[k] = v
    return t

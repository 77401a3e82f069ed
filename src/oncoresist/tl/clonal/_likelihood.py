"""Per-mutation, per-sample log-likelihood of the read counts on a grid of cancer cell fractions."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..._core._errors import InputError
from ._ccf import _binom_logpmf, clonal_inputs

__all__ = ["DENSITIES", "grid_log_likelihood"]

DENSITIES = ("binomial", "beta-binomial")


def _density(alt: np.ndarray, ref: np.ndarray, p: np.ndarray, density: str, precision: float) -> np.ndarray:
    """Log-probability of the alt count at VAF ``p`` under the binomial or beta-binomial."""
    if density == "binomial":
        return _binom_logpmf(alt, ref, p)
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return stats.betabinom.logpmf(alt, alt + ref, p * precision, (1 - p) * precision)


def locus_log_likelihood(alt: np.ndarray, ref: np.ndarray, cn: np.ndarray, grid: np.ndarray, *,
                         density: str = "binomial", precision: float = 200.0) -> np.ndarray:
    """Log-likelihood (rows x grid) with the multiplicity marginalised uniformly over 1..major_cn.

    ``cn`` columns: major, minor, normal, purity. The mutant allele is on ``m`` copies with
    probability ``1 / major`` each (PyClone-VI's genotype prior, Gillis & Roth 2020, BMC
    Bioinformatics, doi:10.1186/s12859-020-03919-2).
    """
    major, minor, normal, purity = (cn[:, i] for i in range(4))
    denom = purity * (major + minor) + (1 - purity) * normal
    out = np.full((len(alt), len(grid)), -np.inf)
    a, r = alt[:, None], ref[:, None]
    for m in range(1, int(major.max()) + 1):
        rows = major >= m
        if not rows.any():
            continue
        p = (purity[rows] * m / denom[rows])[:, None] * grid[None, :]
        out[rows] = np.logaddexp(out[rows], _density(a[rows], r[rows], p, density, precision))
    return out - np.log(major)[:, None]


def grid_log_likelihood(table: pd.DataFrame, *, grid_size: int = 101, density: str = "binomial",
                        precision: float = 200.0) -> tuple[np.ndarray, pd.Index, pd.Index, np.ndarray]:
    """Array (mutations x samples x grid) of log-likelihoods; 0 where a mutation lacks a sample.

    Returns the array, the mutation IDs, the sample IDs and the CCF grid (``grid_size`` points
    from 0 to 1).
    """
    if density not in DENSITIES:
        msg = f"density={density!r}: expected one of {', '.join(DENSITIES)}."
        raise InputError(msg)
    if grid_size < 11:
        msg = f"grid_size={grid_size}: expected at least 11 CCF grid points (101 is PyClone-VI's default)."
        raise InputError(msg)
    t = clonal_inputs(table)
    muts = pd.Index(pd.unique(t["mutation_id"].astype(str)), name="mutation_id")
    samples = pd.Index(pd.unique(t["sample_id"].astype(str)), name="sample_id")
    grid = np.linspace(0.0, 1.0, grid_size)
    cn = t[["major_cn", "minor_cn", "normal_cn", "tumour_content"]].to_numpy(float)
    rows = locus_log_likelihood(t["alt_counts"].to_numpy(float), t["ref_counts"].to_numpy(float), cn, grid,
                                density=density, precision=precision)
    ll = np.zeros((len(muts), len(samples), grid_size))
    ll[muts.get_indexer(t["mutation_id"].astype(str)), samples.get_indexer(t["sample_id"].astype(str))] = rows
    return ll, muts, samples, grid


def log_normalize(x: np.ndarray, axis: int) -> np.ndarray:
    """Probabilities from log-weights along ``axis`` (softmax); values below 1e-250 become 0.

    Flushing tiny probabilities keeps subnormal numbers, which slow matrix products 100-fold,
    out of the variational updates.
    """
    z = x - x.max(axis=axis, keepdims=True)
    z[z < -575.0] = -np.inf
    p = np.exp(z)
    return p / p.sum(axis=axis, keepdims=True)

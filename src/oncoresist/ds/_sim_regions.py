"""Simulated multi-region sequencing of one tumour: a branching clone tree, region-specific subclones.

Several biopsies of one tumour share its truncal clone, some subclones are found in a few
regions and some (the leaves drawn ``private``) in one region only; a clone lives in the union of
its children's regions. In each region the clones present get exclusive shares of the tumour
cells, so every clone's cancer cell fraction is its subtree's share and the sum rule holds by
construction. Each region has its own purity and depth, as biopsies do (TRACERx, Jamal-Hanjani
et al. 2017, N Engl J Med, doi:10.1056/NEJMoa1616288; ccRCC, Gerlinger et al. 2014, Nat Genet,
doi:10.1038/ng.2891).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._core._errors import InputError
from ._sim_clones import ClonalTruth, read_table

__all__ = ["MultiRegionTruth", "simulate_multiregion"]


@dataclass
class MultiRegionTruth(ClonalTruth):
    """Ground truth of :func:`simulate_multiregion`: a :class:`ClonalTruth` over regions, and more.

    Attributes
    ----------
    labels, ccf, parents, multiplicity
        As in :class:`ClonalTruth`, with regions as the samples (``ccf`` is 0 where a clone is
        absent from a region).
    present
        Clones x regions: whether the clone is in the region.
    purity, depth
        Per region: tumour content and mean read depth.
    """

    present: pd.DataFrame
    purity: pd.Series
    depth: pd.Series

    @property
    def private(self) -> pd.Series:
        """Region of each clone found in one region only (clones in several regions left out)."""
        one = self.present[self.present.sum(axis=1) == 1]
        return one.idxmax(axis=1).rename("region")


def _branching_parents(n_clones: int, rng: np.random.Generator) -> np.ndarray:
    """Random parents (each an earlier clone); from three clones on, some clone has two children."""
    while True:
        parents = np.array([-1] + [int(rng.integers(0, k)) for k in range(1, n_clones)])
        if n_clones < 3 or np.bincount(parents[1:], minlength=n_clones).max() >= 2:
            return parents


def _presence(parents: np.ndarray, n_regions: int, private: float, rng: np.random.Generator) -> np.ndarray:
    """Clones x regions presence: a leaf in one region (probability ``private``) or in a random set of two or more."""
    k = len(parents)
    present = np.zeros((k, n_regions), dtype=bool)
    present[0] = True
    for c in range(k - 1, 0, -1):  # children have higher numbers: filled before their parent
        if not (parents == c).any():
            size = 1 if rng.random() < private else int(rng.integers(2, n_regions + 1))
            present[c, rng.choice(n_regions, size, replace=False)] = True
        present[parents[c]] |= present[c]
    return present


def _region_ccf(parents: np.ndarray, present: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """CCFs: Gamma(2) exclusive shares of the clones present in each region, summed over subtrees."""
    share = np.where(present, rng.gamma(2.0, 1.0, present.shape), 0.0)
    share /= share.sum(axis=0, keepdims=True)
    for c in range(len(parents) - 1, 0, -1):
        share[parents[c]] += share[c]
    share[0] = 1.0  # the truncal clone: every tumour cell (exactly, not up to rounding)
    return np.clip(share, 0.0, 1.0)


def _draw_tree(n_clones: int, n_regions: int, private: float, min_gap: float,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parents, presence and CCFs whose clones differ by >= ``min_gap`` in some region."""
    for _ in range(1000):
        parents = _branching_parents(n_clones, rng)
        present = _presence(parents, n_regions, private, rng)
        ccf = _region_ccf(parents, present, rng)
        gaps = np.abs(ccf[:, None, :] - ccf[None, :, :]).max(axis=2) + np.eye(n_clones)
        if gaps.min() >= min_gap:
            return parents, present, ccf
    msg = (f"simulate_multiregion: could not draw {n_clones} clones at least {min_gap} apart in {n_regions} regions; "
           "lower min_gap or add regions.")
    raise InputError(msg)


def _per_region(value: float | Sequence[float], n_regions: int, name: str,
                draw: Callable[[float], np.ndarray]) -> np.ndarray:
    """A per-region vector: the sequence as given (checked), or ``draw(value)`` for one number."""
    if isinstance(value, int | float | np.number):
        return np.asarray(draw(float(value)), dtype=float)
    out = np.asarray(value, dtype=float)
    if out.shape != (n_regions,):
        msg = f"simulate_multiregion: {name} has {out.size} values for {n_regions} regions; give one per region or one number."
        raise InputError(msg)
    return out


def simulate_multiregion(
    n_mutations: int = 300, n_regions: int = 4, n_clones: int = 5, *, depth: float | Sequence[float] = 200.0,
    purity: float | Sequence[float] = 0.6, private: float = 0.5, min_gap: float = 0.15, random_state: int | None = 0,
) -> tuple[pd.DataFrame, MultiRegionTruth]:
    """Simulate a PyClone-VI input table of several regions of one tumour, with the truth.

    Clone 0 is truncal (CCF 1 in every region); each other clone's parent is an earlier clone and
    the tree branches (from three clones on, some clone has two children). Every leaf clone is
    private to one region with probability ``private``, else found in a random set of two or
    more regions; an inner clone lives where any of its children does. In each region the clones
    present get Gamma(2) exclusive shares of the tumour cells, and a clone's CCF is its subtree's
    share (the sum rule holds). Reads as :func:`simulate_clones` (copy number major 1-3, minor
    0-1, multiplicity uniform in 1..major), with each region's own purity and depth.

    Parameters
    ----------
    n_mutations, n_regions, n_clones
        Table size, number of regions (>= 2) and of clones.
    depth
        Mean read depth: one per region, or one number ``d`` (each region then draws
        ``d x U(0.5, 1.5)``).
    purity
        Tumour content: one per region, or one number ``p`` (each region then draws
        ``U(p - 0.15, p + 0.15)`` clipped to [0.05, 1]).
    private
        Probability that a leaf clone is found in one region only.
    min_gap
        Smallest largest-over-regions CCF difference between two clones (keeps them separable).
    random_state
        Seed.

    Returns
    -------
    tuple
        The tidy table (columns of :func:`oncoresist.io.read_pyclone`, samples ``R1..Rn``) and a
        :class:`MultiRegionTruth`.

    Raises
    ------
    InputError
        For a purity outside (0, 1], a depth <= 0, fewer than two regions, fewer mutations than
        clones, ``private`` outside [0, 1], per-region values of the wrong length, or clones that
        cannot be drawn ``min_gap`` apart.

    Examples
    --------
    >>> table, truth = simulate_multiregion(60, 3, 4, random_state=1)
    >>> table.shape, truth.ccf.shape, bool(truth.ccf.iloc[0].eq(1).all())
    ((180, 8), (4, 3), True)
    """
    if n_regions < 2 or n_clones < 1 or n_mutations < n_clones or not 0 <= private <= 1:
        msg = (f"simulate_multiregion: need n_regions >= 2, n_mutations >= n_clones >= 1 and 0 <= private <= 1 "
               f"(got {n_regions}, {n_mutations}, {n_clones}, {private}).")
        raise InputError(msg)
    rng = np.random.default_rng(random_state)
    pur = _per_region(purity, n_regions, "purity", lambda p: np.clip(rng.uniform(p - 0.15, p + 0.15, n_regions), 0.05, 1.0))
    dep = _per_region(depth, n_regions, "depth", lambda d: d * rng.uniform(0.5, 1.5, n_regions))
    given = np.atleast_1d(np.asarray(purity, dtype=float))
    if not ((given > 0) & (given <= 1)).all() or not (dep > 0).all():
        msg = f"simulate_multiregion: need 0 < purity <= 1 and depth > 0 in every region (got {purity}, {depth})."
        raise InputError(msg)
    parents, present, ccf = _draw_tree(n_clones, n_regions, private, min_gap, rng)
    lab = np.concatenate([np.arange(n_clones), rng.integers(0, n_clones, n_mutations - n_clones)])
    regions = [f"R{r + 1}" for r in range(n_regions)]
    table, mult = read_table(ccf, lab, rng, dep, pur, regions)
    ids = pd.Index(table["mutation_id"].unique(), name="mutation_id")
    clones = pd.RangeIndex(n_clones, name="clone")
    truth = MultiRegionTruth(
        pd.Series(lab, index=ids, name="clone"), pd.DataFrame(ccf, index=clones, columns=regions),
        pd.Series(parents, index=clones, name="parent"), pd.Series(mult, index=ids.rename(None), name="multiplicity"),
        pd.DataFrame(present, index=clones, columns=regions), pd.Series(pur, index=regions, name="purity"),
        pd.Series(dep, index=regions, name="depth"))
    return table, truth

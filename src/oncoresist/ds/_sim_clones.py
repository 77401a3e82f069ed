"""Simulated clonal read counts: a random clone tree, its CCFs in every sample, binomial reads."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._core._errors import InputError

__all__ = ["ClonalTruth", "simulate_clones"]


@dataclass
class ClonalTruth:
    """Ground truth of :func:`simulate_clones`.

    Attributes
    ----------
    labels
        Clone of every mutation (index ``mutation_id``).
    ccf
        Clones x samples cancer cell fractions (clone 0 is truncal: 1 everywhere).
    parents
        Parent clone of every clone (-1 for clone 0).
    multiplicity
        Mutant copies of every mutation.
    """

    labels: pd.Series
    ccf: pd.DataFrame
    parents: pd.Series
    multiplicity: pd.Series


def _clone_tree(n_clones: int, n_samples: int, rng: np.random.Generator, min_gap: float) -> tuple[np.ndarray, np.ndarray]:
    """Random parents and CCFs obeying the sum rule; clones differ by >= ``min_gap`` in some sample."""
    for _ in range(1000):
        parents = np.array([-1] + [int(rng.integers(0, k)) for k in range(1, n_clones)])
        ccf = np.ones((n_clones, n_samples))
        for p in range(n_clones):
            kids = np.flatnonzero(parents == p)
            if len(kids):
                share = rng.dirichlet(np.ones(len(kids) + 1), size=n_samples).T[: len(kids)]
                ccf[kids] = ccf[p] * share
        gaps = np.abs(ccf[:, None, :] - ccf[None, :, :]).max(axis=2) + np.eye(n_clones)
        if gaps.min() >= min_gap:
            return parents, ccf
    msg = f"could not draw {n_clones} clones at least {min_gap} apart in {n_samples} samples; lower min_gap."
    raise InputError(msg)


def read_table(ccf: np.ndarray, lab: np.ndarray, rng: np.random.Generator, depth: np.ndarray, purity: np.ndarray,
               samples: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """PyClone-VI table of mutations with clones ``lab`` of CCFs ``ccf`` (clones x samples), and the multiplicities.

    Each mutation gets a copy-number state (major 1-3, minor 0-1, the same in every sample), a
    multiplicity uniform in 1..major, Poisson depth (mean ``depth[s]``) and binomial alt reads at
    the VAF that sample ``s``'s purity ``purity[s]`` gives.
    """
    n = len(lab)
    major = rng.choice([1, 2, 3], n)
    minor = np.where(major > 1, rng.integers(0, 2, n), 1)
    mult = rng.integers(1, major + 1)
    denom = purity[None, :] * (major + minor)[:, None] + (1 - purity[None, :]) * 2
    vaf = purity[None, :] * mult[:, None] * ccf[lab] / denom
    d = rng.poisson(np.broadcast_to(depth[None, :], vaf.shape))
    alt = rng.binomial(d, vaf)
    ids = np.array([f"m{i}" for i in range(n)])
    table = pd.DataFrame({
        "mutation_id": np.repeat(ids, len(samples)), "sample_id": np.tile(samples, n),
        "ref_counts": (d - alt).ravel(), "alt_counts": alt.ravel(), "normal_cn": 2,
        "major_cn": np.repeat(major, len(samples)), "minor_cn": np.repeat(minor, len(samples)),
        "tumour_content": np.tile(purity, n),
    })
    return table, mult


def simulate_clones(n_mutations: int = 200, n_samples: int = 3, n_clones: int = 4, *, depth: float = 200.0,
                    purity: float = 0.7, min_gap: float = 0.2, random_state: int | None = 0) -> tuple[pd.DataFrame, ClonalTruth]:
    """Simulate a PyClone-VI input table of mutations from clones on a random tree.

    Clone 0 is truncal (CCF 1 in every sample); each other clone's parent is an earlier clone and
    the children of a clone share at most its CCF in every sample (the sum rule). Each mutation
    gets a clone, a copy-number state (major 1-3, minor 0-1), a multiplicity uniform in
    1..major, Poisson depth and binomial alt reads at the VAF that follows.

    Parameters
    ----------
    n_mutations, n_samples, n_clones
        Table size and number of clones.
    depth
        Mean read depth.
    purity
        Tumour content of every sample.
    min_gap
        Smallest largest-over-samples CCF difference between two clones (keeps them separable).
    random_state
        Seed.

    Returns
    -------
    tuple
        The tidy table (columns of :func:`oncoresist.io.read_pyclone`) and a :class:`ClonalTruth`.

    Examples
    --------
    >>> table, truth = simulate_clones(50, 2, 3, random_state=1)
    >>> table.shape, truth.ccf.shape, int(truth.parents.iloc[0])
    ((100, 8), (3, 2), -1)
    """
    if not 0 < purity <= 1 or n_clones < 1 or n_samples < 1 or n_mutations < n_clones:
        msg = f"simulate_clones: need 0 < purity <= 1 and n_mutations >= n_clones >= 1 (got {purity}, {n_mutations}, {n_clones})."
        raise InputError(msg)
    rng = np.random.default_rng(random_state)
    parents, ccf = _clone_tree(n_clones, n_samples, rng, min_gap)
    lab = np.concatenate([np.arange(n_clones), rng.integers(0, n_clones, n_mutations - n_clones)])
    samples = [f"S{s + 1}" for s in range(n_samples)]
    table, mult = read_table(ccf, lab, rng, np.full(n_samples, float(depth)), np.full(n_samples, float(purity)), samples)
    ids = pd.Index(table["mutation_id"].unique(), name="mutation_id")
    truth = ClonalTruth(pd.Series(lab, index=ids, name="clone"),
                        pd.DataFrame(ccf, columns=samples).rename_axis("clone"),
                        pd.Series(parents, name="parent").rename_axis("clone"), pd.Series(mult, index=ids.rename(None), name="multiplicity"))
    return table, truth

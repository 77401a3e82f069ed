"""Clone trees: every parent assignment of the clusters, ranked by how much it breaks the sum rule.

A clone's cancer cell fraction is at least the sum of its children's, in every sample (the sum
rule of ClonEvol, Dang et al. 2017, Ann Oncol, doi:10.1093/annonc/mdx517, and LICHeE, Popic et al.
2015, Genome Biol, doi:10.1186/s13059-015-0647-8). The root is the most clonal cluster (highest
mean CCF; its parent is the normal cells); every other cluster may have any cluster as parent:
the ``(K - 1)^(K - 1)`` parent vectors are decoded with integer arithmetic, the ``K^(K - 2)``
that are trees (262,144 for eight clusters) kept and scored at once with numpy.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..._core._errors import InputError
from ._longitudinal import crossing_matrix, order_samples, tree_crossings

__all__ = ["clone_trees", "sum_rule_violation"]

#: Largest number of clusters whose trees are enumerated ((K - 1)! trees).
MAX_TREE_CLUSTERS = 8


def sum_rule_violation(parents: np.ndarray, ccf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Total and largest sum-rule excess of each tree (the numerical kernel).

    Parameters
    ----------
    parents
        Trees x clusters parent indices (-1 for the root, whose parent is the normal cells).
    ccf
        Clusters x samples cancer cell fractions.

    Returns
    -------
    tuple of numpy.ndarray
        Per tree: the summed excess ``max(0, sum of children's CCF - parent's CCF)`` over
        clusters and samples (the root's parent has CCF 1), and the largest single excess.

    Examples
    --------
    >>> ccf = np.array([[1.0], [0.7], [0.6]])
    >>> total, worst = sum_rule_violation(np.array([[-1, 0, 0], [-1, 0, 1]]), ccf)
    >>> total.round(2).tolist(), worst.round(2).tolist()
    ([0.3, 0.0], [0.3, 0.0])
    """
    t, k = parents.shape
    node = (np.where(parents < 0, k, parents) + (k + 1) * np.arange(t)[:, None]).ravel()  # index k = normal
    sums = np.stack([np.bincount(node, weights=np.tile(ccf[:, s], t), minlength=t * (k + 1))
                     for s in range(ccf.shape[1])], axis=1).reshape(t, k + 1, ccf.shape[1])
    cap = np.vstack([ccf, np.ones((1, ccf.shape[1]))])
    excess = np.clip(sums - cap[None], 0.0, None)
    return excess.sum(axis=(1, 2)), excess.max(axis=(1, 2))


def _wide_ccf(clusters: pd.DataFrame) -> pd.DataFrame:
    """Clusters x samples CCF matrix from the per-(cluster, sample) table, checked."""
    need = {"cluster", "sample_id", "ccf"}
    if not need <= set(clusters.columns):
        msg = (f"clone_trees needs a clusters table with columns {', '.join(sorted(need))} "
               f"(ClonalClusters.clusters); found {', '.join(map(str, clusters.columns))}.")
        raise InputError(msg)
    wide = clusters.pivot_table(index="cluster", columns="sample_id", values="ccf", aggfunc="first")
    if wide.isna().any().any():
        msg = "clone_trees: some cluster lacks a CCF in some sample; give every cluster a CCF in every sample."
        raise InputError(msg)
    if len(wide) > MAX_TREE_CLUSTERS:
        msg = (f"clone_trees: {len(wide)} clusters; trees are enumerated for at most {MAX_TREE_CLUSTERS} "
               f"(({MAX_TREE_CLUSTERS} - 1)! trees). Merge small clusters or cluster with fewer max_clusters.")
        raise InputError(msg)
    return wide.loc[wide.mean(axis=1).sort_values(ascending=False, kind="stable").index]


def _all_trees(k: int) -> np.ndarray:
    """Every parent vector (trees x k) of a tree rooted at position 0 (parent -1)."""
    if k == 1:
        return np.array([[-1]])
    code = np.arange((k - 1) ** (k - 1), dtype=np.int64)
    par = np.empty((len(code), k), dtype=np.int64)
    par[:, 0] = -1
    for j in range(1, k):
        d = (code // (k - 1) ** (j - 1)) % (k - 1)
        par[:, j] = d + (d >= j)  # any position but itself
    walk = par.copy()
    for _ in range(k):  # follow parents k times: trees end at the root (-1), cycles never do
        walk = np.where(walk >= 0, par[np.arange(len(par))[:, None], np.maximum(walk, 0)], -1)
    return par[(walk < 0).all(axis=1)]


def clone_trees(
    clusters: pd.DataFrame, *, max_trees: int = 10, tolerance: float = 0.05, times: Sequence[str] | None = None,
    presence: float = 0.02,
) -> pd.DataFrame:
    r"""Enumerate the clone trees of at most eight clusters and rank them by sum-rule violation.

    With ``times`` (the samples are ordered time points) the crossing rule of time series
    (CALDER, :mod:`oncoresist.tl.clonal._longitudinal`) ranks first: a clone lives from its first
    to its last detection (it cannot reappear after vanishing), and along every edge the child
    is never alive while its parent is not nor exceeds it by more than ``tolerance``. Trees are
    then ordered by their number of crossings, and the sum rule breaks ties.

    Parameters
    ----------
    clusters
        Per (cluster, sample) CCFs: ``cluster``, ``sample_id``, ``ccf``
        (:attr:`ClonalClusters.clusters`).
    max_trees
        Number of best trees returned.
    tolerance
        Largest excess (CCF units) still called consistent with the sum rule (CCFs are
        estimates).
    times
        The samples in time order (each once): a time series. ``None``: unordered samples
        (regions), the sum rule alone.
    presence
        Smallest CCF at which a clone is detected at a time point (with ``times``).

    Returns
    -------
    pandas.DataFrame
        One row per (tree, cluster): ``tree`` (rank, 1 = best), ``cluster``, ``parent`` (-1 =
        the normal cells: the root), ``violation`` (summed excess over clusters and samples),
        ``max_violation``, ``consistent`` (``max_violation <= tolerance``) and ``n_consistent``
        (how many of all enumerated trees are consistent). Ties are broken by the parent
        vector, so the order is deterministic. With ``times`` also ``crossings`` (time points
        x edges breaking the crossing rule; 0 = a possible history) and ``consistent`` requires
        none.

    Raises
    ------
    InputError
        For a table without those columns, a missing CCF or more than eight clusters.

    Examples
    --------
    >>> cl = pd.DataFrame({"cluster": [0, 0, 1, 1, 2, 2], "sample_id": ["R1", "R2"] * 3,
    ...                    "ccf": [1.0, 1.0, 0.6, 0.1, 0.3, 0.8]})
    >>> best = clone_trees(cl).query("tree == 1")
    >>> best[["cluster", "parent"]].values.tolist()
    [[0, -1], [1, 0], [2, 0]]
    """
    wide = _wide_ccf(clusters)
    if times is not None:
        wide = order_samples(wide, times)
    k = len(wide)
    order = wide.index.to_numpy()
    parents = _all_trees(k)
    total, worst = sum_rule_violation(parents, wide.to_numpy(float))
    keys = [*(parents[:, j] for j in range(k - 1, 0, -1)), np.round(worst, 12), np.round(total, 12)]
    ok = worst <= tolerance
    cross = None
    if times is not None:
        cross = tree_crossings(parents, crossing_matrix(wide.to_numpy(float), presence=presence, tolerance=tolerance,
                                                               labels=list(order), times=list(wide.columns)))
        keys.append(cross)
        ok &= cross == 0
    rank = np.lexsort(keys)[: max(1, int(max_trees))]
    rows = [{"tree": r + 1, "cluster": int(order[j]), "parent": int(order[parents[t, j]]) if parents[t, j] >= 0 else -1,
             "violation": float(total[t]), "max_violation": float(worst[t]), "consistent": bool(ok[t]),
             "n_consistent": int(ok.sum())} | ({} if cross is None else {"crossings": int(cross[t])})
            for r, t in enumerate(rank) for j in range(k)]
    return pd.DataFrame(rows).sort_values(["tree", "cluster"], kind="stable").reset_index(drop=True)

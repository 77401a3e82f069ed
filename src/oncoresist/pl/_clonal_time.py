"""Clonal figures over time: the fish (Muller) plot of clone sizes and the clone tree."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from .._core._docs import DOC_AX, doc_params  # noqa: E402
from .._core._errors import InputError  # noqa: E402

__all__ = ["clone_tree", "fish_plot"]


def _parents(tree: pd.DataFrame) -> dict[int, int]:
    """``{cluster: parent}`` of one tree (the best-ranked when ``tree`` holds several), checked."""
    if not {"cluster", "parent"} <= set(tree.columns):
        msg = f"the tree needs columns cluster and parent (tl.clone_trees); found {', '.join(map(str, tree.columns))}."
        raise InputError(msg)
    if "tree" in tree.columns and len(tree):
        tree = tree[tree["tree"] == tree["tree"].min()]
    par = {int(c): int(p) for c, p in zip(tree["cluster"], tree["parent"], strict=True)}
    roots = [c for c, p in par.items() if p == -1]
    unknown = sorted({p for p in par.values() if p != -1 and p not in par})
    if len(roots) != 1 or unknown:
        msg = (f"the tree must have exactly one root (parent -1) and parents among its clusters; found roots {roots} "
               f"and unknown parents {unknown}. Pass one tree of tl.clone_trees.")
        raise InputError(msg)
    for c in par:  # every cluster reaches the root within len(par) steps
        walk = c
        for _ in range(len(par) + 1):
            walk = par.get(walk, -1) if walk != -1 else -1
        if walk != -1:
            msg = f"the tree has a cycle through cluster {c}; pass one tree of tl.clone_trees."
            raise InputError(msg)
    return par


def _children(par: dict[int, int]) -> dict[int, list[int]]:
    """Children of every node (-1 = the normal cells), in cluster order."""
    kids: dict[int, list[int]] = {c: [] for c in [-1, *par]}
    for c in sorted(par):
        kids[par[c]].append(c)
    return kids


def _nested_sizes(wide: pd.DataFrame, kids: dict[int, list[int]]) -> pd.DataFrame:
    """Clone sizes drawn: each child within its parent, children shrunk together when they exceed it."""
    size = wide.clip(0.0, 1.0).copy()
    stack = [(-1, pd.Series(1.0, index=wide.columns))]
    while stack:
        node, cap = stack.pop()
        if kids[node]:
            total = size.loc[kids[node]].sum(axis=0)
            shrink = np.minimum(1.0, cap / total.where(total > 0, 1.0))
            for c in kids[node]:
                size.loc[c] = size.loc[c] * shrink
                stack.append((c, size.loc[c]))
    return size


def _bands(size: pd.DataFrame, kids: dict[int, list[int]]) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Lower and upper edge of every clone's band per time: children spread within the parent with equal gaps."""
    out: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    stack = [(-1, np.zeros(size.shape[1]), np.ones(size.shape[1]))]
    while stack:
        node, lo, hi = stack.pop()
        ch = kids[node]
        if not ch:
            continue
        widths = size.loc[ch].to_numpy(float)
        gap = (hi - lo - widths.sum(axis=0)) / (len(ch) + 1)
        start = lo + gap
        for c, w in zip(ch, widths, strict=True):
            out[c] = (start, start + w)
            stack.append((c, start, start + w))
            start = start + w + gap
    return out


@doc_params(doc_ax=DOC_AX)
def fish_plot(clusters: pd.DataFrame, tree: pd.DataFrame, times: Sequence[str] | Mapping[str, float], *,
              ax: Any = None) -> Figure:
    """Fish (Muller) plot: each clone's cancer cell fraction over time, nested in its parent.

    Band heights are the CCFs, each child drawn inside its parent (children whose CCFs sum
    above the parent's are shrunk together to fit).

    Parameters
    ----------
    clusters
        Per (cluster, sample) CCFs (``cluster``, ``sample_id``, ``ccf``;
        :attr:`oncoresist.tl.ClonalClusters.clusters`).
    tree
        One clone tree (``cluster``, ``parent``; -1 = the normal cells), e.g. the rows of
        :func:`oncoresist.tl.clone_trees` with ``tree == 1`` (the best is taken when several).
    times
        The samples in time order (evenly spaced), or ``{sample: time}`` (e.g. days).
    {doc_ax}

    Examples
    --------
    >>> cl = pd.DataFrame({"cluster": [0, 0, 0, 1, 1, 1], "sample_id": ["T0", "T1", "T2"] * 2,
    ...                    "ccf": [1.0, 1.0, 1.0, 0.0, 0.4, 0.9]})
    >>> tree = pd.DataFrame({"cluster": [0, 1], "parent": [-1, 0]})
    >>> fig = fish_plot(cl, tree, ["T0", "T1", "T2"])
    """
    pos = {str(s): float(t) for s, t in times.items()} if isinstance(times, Mapping) else {str(s): float(i) for i, s in enumerate(times)}
    if len(pos) < 2:
        msg = f"fish_plot needs at least 2 time points; got {list(pos)}."
        raise InputError(msg)
    par = _parents(tree)
    wide = clusters.assign(sample_id=clusters["sample_id"].astype(str)).pivot_table(
        index="cluster", columns="sample_id", values="ccf", aggfunc="first")
    missing = sorted(set(pos) - set(wide.columns)) + sorted(set(par) - set(wide.index.astype(int)))
    if missing:
        msg = f"fish_plot: {missing} of the times / tree are not in the clusters table (cluster, sample_id, ccf)."
        raise InputError(msg)
    order = sorted(pos, key=lambda k: pos[k])
    wide = wide.loc[sorted(par), order].fillna(0.0)
    kids = _children(par)
    bands = _bands(_nested_sizes(wide, kids), kids)
    fig, ax = (plt.subplots(figsize=(7, 3.8)) if ax is None else (ax.figure, ax))
    x = np.array([pos[s] for s in order])
    cmap = plt.get_cmap("tab10")
    for c in _preorder(kids):
        lo, hi = bands[c]
        ax.fill_between(x, lo, hi, color=cmap(c % 10), alpha=0.9, linewidth=0.5, edgecolor="white", label=f"clone {c}")
    ax.set_xticks(x, order)
    ax.set(xlim=(x[0], x[-1]), ylim=(0, 1), yticks=[], xlabel="time point", title="Clones over time (fish plot)")
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    fig.tight_layout()
    return fig


def _preorder(kids: dict[int, list[int]]) -> list[int]:
    """Clusters parents first (drawing order: children on top of their parent)."""
    out: list[int] = []
    stack = list(reversed(kids[-1]))
    while stack:
        c = stack.pop()
        out.append(c)
        stack.extend(reversed(kids[c]))
    return out


def _layout(kids: dict[int, list[int]]) -> dict[int, tuple[float, float]]:
    """(x, depth) of every node: leaves at consecutive x, a parent over the mean of its children."""
    xy: dict[int, tuple[float, float]] = {}
    leaves = [0]

    def place(node: int, depth: int) -> float:
        """Place ``node`` and its subtree; return its x."""
        if not kids[node]:
            x = float(leaves[0])
            leaves[0] += 1
        else:
            x = float(np.mean([place(c, depth + 1) for c in kids[node]]))
        xy[node] = (x, float(depth))
        return x

    place(-1, 0)
    return xy


@doc_params(doc_ax=DOC_AX)
def clone_tree(tree: pd.DataFrame, clusters: pd.DataFrame | None = None, *, ax: Any = None) -> Figure:
    """Draw a clone tree: the normal cells on top, each clone under its parent.

    Parameters
    ----------
    tree
        One clone tree (``cluster``, ``parent``; -1 = the normal cells), e.g. the rows of
        :func:`oncoresist.tl.clone_trees` with ``tree == 1`` (the best is taken when several).
    clusters
        Per (cluster, sample) table with ``n_mutations`` (optional): written under each clone.
    {doc_ax}

    Examples
    --------
    >>> tree = pd.DataFrame({"cluster": [0, 1, 2], "parent": [-1, 0, 0]})
    >>> fig = clone_tree(tree)
    """
    kids = _children(_parents(tree))
    xy = _layout(kids)
    n_mut: dict[int, int] = {}
    if clusters is not None and {"cluster", "n_mutations"} <= set(clusters.columns):
        n_mut = {int(k): int(v) for k, v in clusters.groupby("cluster")["n_mutations"].first().items()}
    width = max(x for x, _ in xy.values()) + 1
    fig, ax = (plt.subplots(figsize=(max(3.0, 1.2 * width), 1.0 + 1.1 * max(d for _, d in xy.values()))) if ax is None else (ax.figure, ax))
    cmap = plt.get_cmap("tab10")
    for node, (x, d) in xy.items():
        for c in kids[node]:
            ax.plot([x, xy[c][0]], [-d, -xy[c][1]], color="#555555", linewidth=1.2, zorder=1)
        label = "normal" if node == -1 else f"{node}" + (f"\n{n_mut[node]} mut" if node in n_mut else "")
        ax.scatter([x], [-d], s=900, color="#dddddd" if node == -1 else cmap(node % 10), edgecolors="black", zorder=2)
        ax.annotate(label, (x, -d), ha="center", va="center", fontsize=7, zorder=3)
    ax.set_axis_off()
    ax.set(xlim=(-0.7, width - 0.3), ylim=(-max(d for _, d in xy.values()) - 0.6, 0.6), title="Clone tree")
    fig.tight_layout()
    return fig

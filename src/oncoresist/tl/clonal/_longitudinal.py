"""The crossing rule of time series (CALDER): clones over ordered time points.

With ordered time points (Myers, Satas and Raphael 2019, Cell Systems, "CALDER: Inferring
phylogenetic trees from longitudinal tumor samples", doi:10.1016/j.cels.2019.05.010) a clone
lives over one interval: from the first time point where it is detected to the last one (a
clone cannot reappear after vanishing; a clone below detection between two detections is
alive in between). Along every edge parent -> child, at every time point: the child is not
alive while its parent is not (it is neither born before its parent nor outlives it), and the
child does not exceed its parent by more than the tolerance.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..._core._errors import InputError

__all__ = ["alive_intervals", "crossing_matrix", "order_samples"]


def order_samples(wide: pd.DataFrame, times: Sequence[str]) -> pd.DataFrame:
    """Columns of the clusters x samples CCF matrix in the given time order (every sample listed once)."""
    order = [str(t) for t in times]
    have = [str(c) for c in wide.columns]
    if len(set(order)) != len(order) or set(order) != set(have):
        msg = (f"clone_trees: times must list every sample of the clusters table once, in time order; "
               f"got {order!r} for samples {sorted(have)!r}.")
        raise InputError(msg)
    wide = wide.copy()
    wide.columns = have
    return wide[order]


def alive_intervals(ccf: np.ndarray, presence: float) -> tuple[np.ndarray, np.ndarray]:
    """Clusters x times alive mask (first to last detection at ``ccf >= presence``) and, per cluster, whether it reappears."""
    seen = ccf >= presence
    after_first = np.maximum.accumulate(seen, axis=1)
    before_last = np.maximum.accumulate(seen[:, ::-1], axis=1)[:, ::-1]
    alive = after_first & before_last
    return alive, np.asarray((alive & ~seen).any(axis=1))


def crossing_matrix(ccf: np.ndarray, *, presence: float = 0.02, tolerance: float = 0.05,
                    labels: Sequence[object] | None = None, times: Sequence[object] | None = None) -> np.ndarray:
    """Number of time points at which the edge parent -> child breaks the crossing rule.

    Parameters
    ----------
    ccf
        Clusters x ordered time points cancer cell fractions.
    presence
        Smallest CCF at which a clone is detected.
    tolerance
        Largest excess of a child's CCF over its parent's still allowed.
    labels, times
        Cluster and time-point names of the rows and columns, for the warning about a clone
        that vanishes and reappears (default: their positions).

    Returns
    -------
    numpy.ndarray
        ``C[child, parent]``: time points where the child is alive and the parent is not, or
        the child's CCF exceeds the parent's by more than ``tolerance`` (the diagonal is 0).

    Examples
    --------
    >>> ccf = np.array([[1.0, 1.0, 1.0], [0.0, 0.3, 0.6], [0.04, 0.3, 0.55]])
    >>> crossing_matrix(ccf).astype(int).tolist()
    [[0, 3, 3], [0, 0, 0], [0, 1, 0]]
    """
    ccf = np.asarray(ccf, dtype=float)
    alive, back = alive_intervals(ccf, presence)
    for k in np.flatnonzero(back):
        gap = [times[int(g)] if times is not None else int(g) for g in np.flatnonzero(alive[k] & (ccf[k] < presence))]
        name = labels[int(k)] if labels is not None else k
        warnings.warn(f"clone_trees: cluster {name} is undetected at time point(s) {gap} between two "
                      "detections; a clone cannot vanish and reappear, so it is taken as alive (below detection) in between.",
                      UserWarning, stacklevel=3)
    orphan = alive[:, None, :] & ~alive[None, :, :]
    exceed = ccf[:, None, :] > ccf[None, :, :] + tolerance
    out = (orphan | exceed).sum(axis=2).astype(float)
    np.fill_diagonal(out, 0.0)
    return out


def tree_crossings(parents: np.ndarray, cross: np.ndarray) -> np.ndarray:
    """Per tree (rows of parent indices, -1 = the normal cells), the summed crossings of its edges."""
    t, k = parents.shape
    child = np.broadcast_to(np.arange(k), (t, k))
    vals = cross[child, np.maximum(parents, 0)]
    return np.where(parents >= 0, vals, 0.0).sum(axis=1)

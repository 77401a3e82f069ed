"""Choice of the number of clusters from several criteria, with a record of why.

One rule for both subtype methods (:func:`~oncoresist.tl.consensus_clustering`'s PAC and
SNF's eigengap): a k is *eligible* when every cluster has at least ``min_cluster_size``
samples (a stable cluster of three outliers is not a subtype); among eligible k, those whose
primary score is within ``tolerance`` of the best are equally good (resampling noise), and the
smallest of them is chosen (parsimony: a cluster cut into stable pieces costs little PAC). The
best k by every other criterion is recorded next to it; when one of them is not the chosen k a
:class:`KChoiceWarning` says which k was kept and why.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["KChoiceWarning", "choose_k", "default_min_cluster_size", "warn_disagreement"]


class KChoiceWarning(UserWarning):
    """The criteria for the number of clusters point to different k."""


def default_min_cluster_size(n_samples: int) -> int:
    """Smallest cluster accepted as a subtype by default: 5% of the samples, at least 3.

    Examples
    --------
    >>> default_min_cluster_size(40), default_min_cluster_size(200)
    (3, 10)
    """
    return max(3, math.ceil(0.05 * int(n_samples)))


def _eligible(ev: pd.DataFrame, min_cluster_size: int) -> tuple[pd.Series, str]:
    """K whose clusters are all large enough (and all found); all k, with a note, when none is."""
    ok = ev["min_size"] >= min_cluster_size
    if "n_clusters_found" in ev.columns:
        ok &= ev["n_clusters_found"] == ev["k"]
    if ok.any():
        return ok, ""
    note = f"no candidate k gives clusters of >= {min_cluster_size} samples; the size rule was not applied"
    return pd.Series(True, index=ev.index), note


def _best_k(ev: pd.DataFrame, column: str, lower_is_better: bool, among: pd.Series) -> int | None:
    """The k with the best finite value of ``column`` among ``among`` (smallest k on ties)."""
    vals = ev[column].where(among & np.isfinite(ev[column].astype(float)))
    if vals.isna().all():
        return None
    best = vals.min() if lower_is_better else vals.max()
    return int(ev.loc[vals == best, "k"].min())


def _break_tie(ev: pd.DataFrame, within: pd.Series, column: str | None, tolerance: float) -> int:
    """Among the k ``within`` noise, the smallest one within ``tolerance`` of the best ``column``."""
    cand = ev.loc[within]
    if column is None or column not in ev.columns or not np.isfinite(cand[column].astype(float)).any():
        return int(cand["k"].min())
    vals = cand[column].astype(float)
    return int(cand.loc[vals >= np.nanmax(vals) - float(tolerance), "k"].min())


def choose_k(
    ev: pd.DataFrame,
    *,
    primary: str,
    lower_is_better: bool,
    tolerance: float,
    min_cluster_size: int,
    secondary: Sequence[tuple[str, bool]] = (("silhouette", False),),
    tie_break: str | None = None,
    tie_tolerance: float = 0.02,
) -> tuple[int, pd.DataFrame, dict[str, Any]]:
    """Choose k from an evidence table (one row per k) and record every criterion's best k.

    Parameters
    ----------
    ev
        One row per k with columns ``k``, ``min_size`` (smallest cluster), ``primary`` and the
        ``secondary`` criteria (optionally ``n_clusters_found``).
    primary
        Column deciding k (e.g. ``"pac"``, ``"eigengap"``).
    lower_is_better
        Whether a lower ``primary`` is better.
    tolerance
        Absolute difference in ``primary`` treated as noise: every eligible k within it of the
        best counts as equally good, and the smallest is chosen.
    min_cluster_size
        Smallest cluster for a k to be eligible.
    secondary
        ``(column, lower_is_better)`` of the criteria recorded beside it (not deciding).
    tie_break
        Column (higher = better, e.g. the silhouette on the data) deciding among the k within
        noise: the smallest k within ``tie_tolerance`` of its best is kept. ``None``: the
        smallest k within noise.
    tie_tolerance
        Difference in ``tie_break`` treated as noise.

    Returns
    -------
    tuple
        The chosen k, the table with ``eligible``, ``within_noise`` and ``chosen`` columns and
        the record ``{"rule", "chosen", "best_by", "agree", "note"}``.

    Examples
    --------
    >>> ev = pd.DataFrame({"k": [2, 3, 4], "pac": [0.05, 0.04, 0.0], "silhouette": [0.5, 0.6, 0.7],
    ...                    "min_size": [40, 20, 1]})
    >>> k, table, rec = choose_k(ev, primary="pac", lower_is_better=True, tolerance=0.02, min_cluster_size=3)
    >>> k, rec["best_by"], rec["agree"]
    (2, {'pac': 3, 'silhouette': 3}, False)
    """
    ev = ev.reset_index(drop=True).copy()
    ok, note = _eligible(ev, int(min_cluster_size))
    best = _best_k(ev, primary, lower_is_better, ok)
    if best is None:
        best = int(ev.loc[ok, "k"].min())
        within = ok & (ev["k"] == best)
    else:
        ref = float(ev.loc[ev["k"] == best, primary].iloc[0])
        within = ok & ((ev[primary].astype(float) - ref).abs() <= float(tolerance))
    chosen = _break_tie(ev, within, tie_break, tie_tolerance)
    best_by = {primary: best}
    for column, lower in secondary:
        if column in ev.columns:
            kk = _best_k(ev, column, lower, ok)
            if kk is not None:
                best_by[column] = kk
    ev["eligible"] = ok.to_numpy()
    ev["within_noise"] = within.to_numpy()
    ev["chosen"] = (ev["k"] == chosen).to_numpy()
    way = "lowest" if lower_is_better else "highest"
    rule = (f"smallest k within {tolerance:.3g} of the {way} {primary}, among k whose clusters all have "
            f">= {int(min_cluster_size)} samples")
    if tie_break is not None:
        rule += f"; among those, the smallest k within {tie_tolerance:.3g} of the highest {tie_break}"
    # the primary's best agrees when the chosen k is within noise of it
    agree = all(kk == chosen for column, kk in best_by.items() if column != primary)
    record = {"rule": rule, "chosen": chosen, "best_by": best_by, "agree": agree, "note": note}
    return chosen, ev, record


def warn_disagreement(record: dict[str, Any], *, where: str, key: str | None = None, stacklevel: int = 3) -> None:
    """One :class:`KChoiceWarning` when the criteria of ``record`` (from :func:`choose_k`) disagree.

    Examples
    --------
    >>> warn_disagreement({"agree": True, "best_by": {"pac": 2}, "chosen": 2, "rule": "", "note": ""}, where="f")
    """
    if record["agree"] and not record["note"]:
        return
    best = ", ".join(f"{c} -> k={k}" for c, k in record["best_by"].items())
    slot = f"uns['{key}']['k_selection']" if key else "the evidence table"
    why = f"{record['note']}; " if record["note"] else ""
    msg = (f"{where}: the criteria for the number of clusters disagree ({best}); {why}kept k={record['chosen']} "
           f"({record['rule']}). See {slot}, or fix the number (n_subtypes= / --k) if you know it.")
    warnings.warn(msg, KChoiceWarning, stacklevel=stacklevel)

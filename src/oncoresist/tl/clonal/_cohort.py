"""One patient's clonal analysis stored in the cohort: ``mdata.uns[key_added][patient]``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from ..._core._errors import InputError
from ..._core._keys import claim_key
from ..._core._params import clean_params
from ._ccf import cancer_cell_fractions
from ._cluster import cluster_mutations
from ._trees import MAX_TREE_CLUSTERS, clone_trees

__all__ = ["clones"]


def clones(
    mdata: Any,
    table: pd.DataFrame,
    *,
    patient: str,
    max_clusters: int = 10,
    random_state: int | None = 0,
    density: str = "beta-binomial",
    max_trees: int = 10,
    times: Sequence[str] | None = None,
    key_added: str = "clonal",
    overwrite: bool = False,
) -> dict[str, pd.DataFrame]:
    """CCFs, clusters and clone trees of one patient, stored in ``mdata.uns[key_added][patient]``.

    Runs :func:`cancer_cell_fractions`, :func:`cluster_mutations` and (at most eight clusters)
    :func:`clone_trees`. Other patients' entries under ``key_added`` are kept; the patient's
    own earlier result is replaced. A ``uns[key_added]`` this function did not write is never
    replaced unless ``overwrite=True``.

    Parameters
    ----------
    mdata
        The cohort (:class:`mudata.MuData` or :class:`anndata.AnnData`).
    table
        The patient's tidy clonal table (:func:`oncoresist.io.read_clonal`).
    patient
        Patient ID (the key under ``uns[key_added]``).
    max_clusters, random_state, density
        Passed to :func:`cluster_mutations`.
    max_trees
        Best trees kept.
    times
        The samples in time order (a time series): the trees follow the crossing rule
        (:func:`clone_trees`); recorded in ``params['times']``.
    key_added
        ``uns`` key.
    overwrite
        Replace a ``uns[key_added]`` written by someone else.

    Returns
    -------
    dict
        The stored entry: ``ccf`` (per mutation and sample, with ``cluster``), ``clusters``,
        ``selection``, ``trees`` (empty above eight clusters) and ``params``.

    Raises
    ------
    InputError
        When ``uns[key_added]`` belongs to the user (pass another ``key_added`` or
        ``overwrite=True``), for an empty ``patient`` and every error of the steps.

    Examples
    --------
    >>> import anndata as ad, numpy as np
    >>> from oncoresist.ds import simulate_clones
    >>> table, _ = simulate_clones(60, 2, 2, random_state=0)
    >>> a = ad.AnnData(np.zeros((1, 1)))
    >>> res = clones(a, table, patient="P1", max_clusters=3)
    >>> sorted(a.uns["clonal"]["P1"]), int(res["clusters"]["cluster"].nunique())
    (['ccf', 'clusters', 'params', 'selection', 'trees'], 2)
    """
    if not str(patient).strip():
        msg = "clones: patient must be a non-empty ID (the key under uns[key_added])."
        raise InputError(msg)
    claim_key(mdata, "uns", key_added, by="tl.clones", overwrite=overwrite)
    ccf = cancer_cell_fractions(table)
    res = cluster_mutations(table, max_clusters=max_clusters, random_state=random_state, density=density)
    ccf = ccf.drop(columns=["cluster"], errors="ignore").merge(res.mutations[["mutation_id", "cluster"]], on="mutation_id", how="left")
    order = None if times is None else [str(t) for t in times]
    trees = clone_trees(res.clusters, max_trees=max_trees, times=order) if res.n_clusters <= MAX_TREE_CLUSTERS else pd.DataFrame()
    entry = {"ccf": ccf.reset_index(drop=True), "clusters": res.clusters, "selection": res.selection, "trees": trees,
             "params": clean_params({**res.params, "max_trees": int(max_trees), "n_clusters": res.n_clusters,
                                       "times": order})}
    store = mdata.uns.get(key_added)
    ours = isinstance(store, dict) and all(isinstance(v, dict) and "clusters" in v for v in store.values())
    store = dict(store) if ours else {}  # other patients' results kept; a replaced user's entry is not
    store[str(patient)] = entry
    mdata.uns[key_added] = store
    return entry

"""Clustering of mutations into clones: a PyClone-VI-style mixture fitted by variational inference.

Model (Gillis & Roth 2020, PyClone-VI, BMC Bioinformatics, doi:10.1186/s12859-020-03919-2):
cluster weights ``pi ~ Dirichlet(alpha)``; each cluster ``k`` has a CCF ``phi_ks`` per sample on a
grid of ``G`` values in [0, 1] (uniform prior); a mutation in cluster ``k`` has, in sample ``s``,
binomial (or beta-binomial) alt counts at the VAF ``phi_ks`` implies, its multiplicity
marginalised over ``1..major_cn``. Mean-field VI: categorical ``q(z_n)``, categorical ``q(phi_ks)``
on the grid, Dirichlet ``q(pi)``; coordinate ascent on the ELBO, all updates as matrix products.
The number of clusters is the one with the lowest BIC (Schwarz 1978) over ``1..max_clusters``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from ..._core._errors import InputError
from ..._core._stats import limit_threads
from ._likelihood import grid_log_likelihood, log_normalize

__all__ = ["ClonalClusters", "cluster_mutations", "fit_mixture_vi"]


@dataclass
class ClonalClusters:
    """Result of :func:`cluster_mutations`.

    Attributes
    ----------
    mutations
        One row per mutation: ``mutation_id``, ``cluster``, ``probability`` (posterior of that
        cluster).
    clusters
        One row per (cluster, sample): ``cluster``, ``sample_id``, ``ccf`` (posterior mean),
        ``ccf_low``, ``ccf_high`` (95% posterior interval), ``n_mutations``.
    selection
        One row per number of clusters tried: ``n_clusters``, ``n_nonempty``, ``log_likelihood``,
        ``bic``, ``elbo``; ``chosen`` marks the selected fit.
    n_clusters
        Number of clusters found (non-empty).
    params
        The arguments used.
    """

    mutations: pd.DataFrame
    clusters: pd.DataFrame
    selection: pd.DataFrame
    n_clusters: int
    params: dict[str, Any] = field(default_factory=dict)


def _kmeanspp(x: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Initial hard assignments from k-means++ seeding on the per-mutation point CCFs."""
    centres = [x[rng.integers(len(x))]]
    for _ in range(1, k):
        d2 = np.min([((x - c) ** 2).sum(axis=1) for c in centres], axis=0)
        prob = d2 / d2.sum() if d2.sum() > 0 else np.full(len(x), 1 / len(x))
        centres.append(x[rng.choice(len(x), p=prob)])
    d = np.stack([((x - c) ** 2).sum(axis=1) for c in centres], axis=1)
    return np.argmin(d, axis=1)


def _elbo(r: np.ndarray, fit: np.ndarray, w: np.ndarray, a: np.ndarray, alpha: float) -> float:
    """Evidence lower bound of the current variational distributions."""
    elogpi = special.digamma(a) - special.digamma(a.sum())
    k, g = len(a), w.shape[-1]
    kl_pi = (special.gammaln(a.sum()) - special.gammaln(a).sum() - special.gammaln(k * alpha)
             + k * special.gammaln(alpha) + ((a - alpha) * elogpi).sum())
    ent_r = -(special.xlogy(r, r)).sum()
    kl_phi = (special.xlogy(w, w) + w * np.log(g)).sum()
    return float((r * (elogpi + fit)).sum() + ent_r - kl_phi - kl_pi)


def fit_mixture_vi(ll: np.ndarray, k: int, *, rng: np.random.Generator, alpha: float = 1.0,
                   max_iter: int = 500, tol: float = 1e-6) -> dict[str, Any]:
    """Fit the K-cluster mixture to ``ll`` (mutations x samples x grid) by coordinate-ascent VI.

    Returns ``r`` (mutations x K responsibilities), ``w`` (K x samples x grid posterior of the
    cluster CCFs), ``a`` (Dirichlet parameters), ``elbo`` and ``n_iter``.

    Examples
    --------
    >>> ll = np.log(np.array([[[0.9, 0.1]], [[0.8, 0.2]], [[0.1, 0.9]]]))
    >>> res = fit_mixture_vi(ll, 2, rng=np.random.default_rng(0))
    >>> int(res["r"].argmax(1)[0] == res["r"].argmax(1)[1]), int(res["r"].argmax(1)[0] != res["r"].argmax(1)[2])
    (1, 1)
    """
    n, s, g = ll.shape
    flat = ll.reshape(n, s * g)
    point = ll.argmax(axis=2).astype(float) / max(g - 1, 1)
    z = _kmeanspp(point, k, rng)
    r = np.full((n, k), 0.1 / k)
    r[np.arange(n), z] += 0.9
    prev, elbo, n_iter = -np.inf, -np.inf, 0
    while n_iter < max_iter:
        n_iter += 1
        w = log_normalize((r.T @ flat).reshape(k, s, g), axis=2)
        a = alpha + r.sum(axis=0)
        fit = flat @ w.reshape(k, s * g).T
        r = log_normalize(special.digamma(a) - special.digamma(a.sum()) + fit, axis=1)
        elbo = _elbo(r, fit, w, a, alpha)
        if abs(elbo - prev) <= tol * abs(elbo):
            break
        prev = elbo
    return {"r": r, "w": w, "a": a, "elbo": elbo, "n_iter": n_iter}


def _hard_fit(ll: np.ndarray, res: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, float]:
    """Non-empty clusters (ordered by mean CCF, descending), labels and the MAP mixture log-likelihood."""
    z = res["r"].argmax(axis=1)
    keep = np.unique(z)
    grid = np.linspace(0, 1, ll.shape[2])
    mean_ccf = (res["w"][keep] * grid).sum(axis=2).mean(axis=1)
    keep = keep[np.argsort(-mean_ccf, kind="stable")]
    map_g = res["w"][keep].argmax(axis=2)  # K' x samples
    comp = ll[:, np.arange(ll.shape[1])[None, :], map_g].sum(axis=2)  # n x K'
    pi = np.array([(z == c).mean() for c in keep])
    loglik = float(special.logsumexp(comp + np.log(pi), axis=1).sum())
    return keep, z, loglik


def _select(ll: np.ndarray, max_clusters: int, n_init: int, rng: np.random.Generator, alpha: float) -> tuple[dict, pd.DataFrame]:
    """Fit K = 1..max_clusters (best ELBO of ``n_init`` starts each); choose the lowest BIC."""
    n, s, _ = ll.shape
    rows, fits = [], []
    for k in range(1, min(max_clusters, n) + 1):
        best = max((fit_mixture_vi(ll, k, rng=rng, alpha=alpha) for _ in range(n_init if k > 1 else 1)),
                   key=lambda f: f["elbo"])
        keep, z, loglik = _hard_fit(ll, best)
        kk = len(keep)
        bic = -2 * loglik + (kk * s + kk - 1) * np.log(n)
        rows.append({"n_clusters": k, "n_nonempty": kk, "log_likelihood": loglik, "bic": bic, "elbo": best["elbo"]})
        fits.append({**best, "keep": keep, "z": z})
    sel = pd.DataFrame(rows)
    chosen = int(sel["bic"].idxmin())
    sel["chosen"] = sel.index == chosen
    return fits[chosen], sel


def _cluster_tables(fit: dict, muts: pd.Index, samples: pd.Index, grid: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-mutation assignment table and per-(cluster, sample) CCF table, clusters numbered 0.."""
    keep, z = fit["keep"], fit["z"]
    relabel = {int(c): i for i, c in enumerate(keep)}
    r = fit["r"][:, keep]
    r = r / r.sum(axis=1, keepdims=True)
    labels = np.array([relabel[int(c)] for c in z])
    mutations = pd.DataFrame({"mutation_id": muts.to_numpy(), "cluster": labels, "probability": r[np.arange(len(z)), labels]})
    w = fit["w"][keep]
    cdf = np.cumsum(w, axis=2)
    rows = []
    last = len(grid) - 1
    for i in range(len(keep)):
        for j, s in enumerate(samples):
            lo, hi = (min(int(np.searchsorted(cdf[i, j], q)), last) for q in (0.025, 0.975))
            rows.append({"cluster": i, "sample_id": s, "ccf": float((w[i, j] * grid).sum()),
                         "ccf_low": float(grid[lo]), "ccf_high": float(grid[hi]), "n_mutations": int((labels == i).sum())})
    return mutations, pd.DataFrame(rows)


def cluster_mutations(
    table: pd.DataFrame,
    max_clusters: int = 10,
    random_state: int | None = 0,
    *,
    n_init: int = 3,
    density: str = "beta-binomial",
    precision: float = 200.0,
    grid_size: int = 101,
    alpha: float = 1.0,
) -> ClonalClusters:
    r"""Cluster mutations into clones from their read counts across samples (PyClone-VI-like).

    Fits the mixture of the module docstring by variational inference for every number of
    clusters from 1 to ``max_clusters`` (``n_init`` k-means++ starts each, best ELBO kept) and
    returns the fit with the lowest BIC, counting only non-empty clusters. A mutation absent from
    a sample contributes nothing for that sample. Deterministic under ``random_state``.

    Parameters
    ----------
    table
        Tidy clonal table with read counts (:func:`oncoresist.io.read_pyclone`); copy number and
        purity columns as for :func:`cancer_cell_fractions` (defaults with a warning).
    max_clusters
        Largest number of clusters tried.
    random_state
        Seed of the k-means++ starts.
    n_init
        Starts per number of clusters.
    density
        ``"beta-binomial"`` (default; real read counts are over-dispersed: on the deep ClonEvol
        AML1 table the binomial splits the truncal cluster in seven) or ``"binomial"``.
    precision
        Beta-binomial precision (larger = closer to binomial; PyClone-VI's default 200).
    grid_size
        Number of CCF grid points in [0, 1].
    alpha
        Dirichlet concentration of the cluster weights.

    Returns
    -------
    ClonalClusters
        Assignments, per-cluster CCFs per sample (clusters numbered from 0 by decreasing mean
        CCF, so cluster 0 is the most clonal), the model-selection table and the parameters.

    Raises
    ------
    InputError
        For a table without read counts, ``max_clusters < 1``, ``n_init < 1``, an unknown
        ``density`` or a too small ``grid_size``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> ccf = np.repeat([1.0, 0.3], 20)
    >>> alt = rng.binomial(200, ccf / 2)
    >>> t = pd.DataFrame({"mutation_id": [f"m{i}" for i in range(40)], "sample_id": "S1", "alt_counts": alt,
    ...                   "ref_counts": 200 - alt, "major_cn": 1, "minor_cn": 1, "normal_cn": 2, "tumour_content": 1.0})
    >>> res = cluster_mutations(t, max_clusters=4)
    >>> res.n_clusters, res.clusters["ccf"].round(1).tolist()
    (2, [1.0, 0.3])
    """
    for name, value in (("max_clusters", max_clusters), ("n_init", n_init)):
        if int(value) < 1:
            msg = f"{name}={value!r}: expected an integer >= 1."
            raise InputError(msg)
    ll, muts, samples, grid = grid_log_likelihood(table, grid_size=grid_size, density=density, precision=precision)
    rng = np.random.default_rng(random_state)
    with limit_threads(1):  # small matrix products: BLAS threads only contend
        fit, selection = _select(ll, int(max_clusters), int(n_init), rng, float(alpha))
    mutations, clusters = _cluster_tables(fit, muts, samples, grid)
    params = {"max_clusters": int(max_clusters), "random_state": random_state, "n_init": int(n_init), "density": density,
              "precision": float(precision), "grid_size": int(grid_size), "alpha": float(alpha)}
    return ClonalClusters(mutations, clusters, selection, int(len(fit["keep"])), params)

"""Reference PyClone-VI coordinate-ascent VI written as PyClone-VI's code runs it: explicit loops.

PyClone-VI (Gillis & Roth 2020, BMC Bioinformatics, doi:10.1186/s12859-020-03919-2;
``pyclone_vi/inference.py``) updates, in this order, ``q(pi)`` (Dirichlet: prior + summed
responsibilities), ``q(theta_kd)`` (categorical on the CCF grid: softmax over the grid of
``sum_n z_nk log p(x_nd | g)``) and ``q(z_n)`` (softmax over clusters of
``E[log pi_k] + sum_dg theta_kdg log p(x_nd | g)``); the two data sums are quadruple loops over
clusters, samples, grid points and mutations, compiled with numba. The ELBO is ``E[log p] - E[log q]``
and the fit stops when its relative gain falls below the threshold (a fall stops it too).

Here the same loops are written once in plain Python: run as they are (``jit=False``, the
"PyClone-VI-style loop", for tiny tests) or compiled with ``numba.njit`` (``jit=True``, as
PyClone-VI runs them). Given the same log-likelihood grid, the same k-means++ starts as
:func:`oncoresist.tl.cluster_mutations` and the same BIC over 1..K, a fit should reach the same
clusters and CCFs as oncoresist's matrix-product updates; ``benchmarks/bench_clones_speed.py``
times both and ``tests/tl/test_clonal_reference.py`` checks the agreement.

Differences from PyClone-VI kept on purpose (so both sides see equal inputs): k-means++ starts
instead of a random Dirichlet ``z`` (:func:`pyclonevi_protocol` runs PyClone-VI's own protocol:
random starts, one K, best ELBO), exact ``z log z`` instead of ``log(z + 1e-6)`` in the entropy,
no annealing (PyClone-VI's default too).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import special

from oncoresist.tl.clonal._cluster import _hard_fit, _kmeanspp


def theta_stats(ll: np.ndarray, z: np.ndarray) -> np.ndarray:
    """``out[k, d, g] = sum_n z[n, k] * ll[n, d, g]`` by explicit loops (PyClone-VI's order)."""
    n_mut, n_dim, n_grid = ll.shape
    n_k = z.shape[1]
    out = np.zeros((n_k, n_dim, n_grid))
    for k in range(n_k):
        for d in range(n_dim):
            for g in range(n_grid):
                for n in range(n_mut):
                    out[k, d, g] += ll[n, d, g] * z[n, k]
    return out


def z_stats(ll: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """``out[n, k] = sum_dg theta[k, d, g] * ll[n, d, g]`` by explicit loops (PyClone-VI's order)."""
    n_mut, n_dim, n_grid = ll.shape
    n_k = theta.shape[0]
    out = np.zeros((n_mut, n_k))
    for n in range(n_mut):
        for k in range(n_k):
            for d in range(n_dim):
                for g in range(n_grid):
                    out[n, k] += ll[n, d, g] * theta[k, d, g]
    return out


_KERNELS: dict[bool, tuple[Callable, Callable]] = {}


def kernels(jit: bool) -> tuple[Callable, Callable]:
    """The two loop kernels, plain Python or compiled by numba (compiled once, on first use)."""
    if jit not in _KERNELS:
        if jit:
            import numba

            _KERNELS[jit] = (numba.njit(cache=False)(theta_stats), numba.njit(cache=False)(z_stats))
        else:
            _KERNELS[jit] = (theta_stats, z_stats)
    return _KERNELS[jit]


def _softmax(x: np.ndarray, axis: int) -> np.ndarray:
    return np.exp(x - special.logsumexp(x, axis=axis, keepdims=True))


def _elbo(fit: np.ndarray, z: np.ndarray, theta: np.ndarray, pi: np.ndarray, alpha: float) -> float:
    """``E[log p] - E[log q]`` term by term as PyClone-VI writes it (uniform grid prior)."""
    k, g = len(pi), theta.shape[-1]
    elogpi = special.digamma(pi) - special.digamma(pi.sum())
    e_log_p = special.gammaln(k * alpha) - k * special.gammaln(alpha)
    e_log_p += ((alpha + z.sum(axis=0) - 1) * elogpi).sum()
    e_log_p += (theta * np.log(1.0 / g)).sum()
    e_log_p += (z * fit).sum()
    e_log_q = special.gammaln(pi.sum()) - special.gammaln(pi).sum() + ((pi - 1) * elogpi).sum()
    e_log_q += special.xlogy(theta, theta).sum() + special.xlogy(z, z).sum()
    return float(e_log_p - e_log_q)


def fit_loops(ll: np.ndarray, z: np.ndarray, *, alpha: float = 1.0, max_iter: int = 500, tol: float = 1e-6,
              jit: bool = True) -> dict[str, Any]:
    """Coordinate-ascent VI from responsibilities ``z`` (mutations x K): pi, theta, z per iteration.

    Returns ``r`` (responsibilities), ``w`` (theta), ``a`` (Dirichlet parameters), ``elbo``, ``n_iter``.
    """
    ll = np.ascontiguousarray(ll, dtype=float)
    k_theta, k_z = kernels(jit)
    prev, elbo, n_iter = -np.inf, -np.inf, 0
    while n_iter < max_iter:
        n_iter += 1
        pi = alpha + z.sum(axis=0)
        theta = _softmax(k_theta(ll, np.ascontiguousarray(z)), axis=2)
        fit = k_z(ll, theta)
        z = _softmax(fit + (special.digamma(pi) - special.digamma(pi.sum()))[None, :], axis=1)
        elbo = _elbo(fit, z, theta, pi, alpha)
        if np.isfinite(prev) and (elbo - prev) / abs(elbo) < tol:
            break
        prev = elbo
    return {"r": z, "w": theta, "a": pi, "elbo": elbo, "n_iter": n_iter}


def kmeanspp_start(ll: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """oncoresist's start: k-means++ on the per-mutation point CCFs, 0.9 on the seeded cluster."""
    n, _, g = ll.shape
    hard = _kmeanspp(ll.argmax(axis=2).astype(float) / max(g - 1, 1), k, rng)
    z = np.full((n, k), 0.1 / k)
    z[np.arange(n), hard] += 0.9
    return z


def select_loops(ll: np.ndarray, max_clusters: int = 10, n_init: int = 3, random_state: int | None = 0, *,
                 alpha: float = 1.0, jit: bool = True) -> dict[str, Any]:
    """oncoresist's protocol with the loop kernels: K = 1..max_clusters, best ELBO of ``n_init`` starts, lowest BIC.

    Returns the chosen fit with ``labels`` (clusters numbered 0.. by decreasing mean CCF, as
    :func:`oncoresist.tl.cluster_mutations`), ``ccf`` (clusters x samples posterior means),
    ``bic`` (per K) and ``n_iter`` (iterations summed over every start).
    """
    rng = np.random.default_rng(random_state)
    n, s, _ = ll.shape
    best_fit, best_bic, bics, total_iter = None, np.inf, [], 0
    for k in range(1, min(max_clusters, n) + 1):
        fits = [fit_loops(ll, kmeanspp_start(ll, k, rng), alpha=alpha, jit=jit) for _ in range(n_init if k > 1 else 1)]
        total_iter += sum(f["n_iter"] for f in fits)
        fit = max(fits, key=lambda f: f["elbo"])
        keep, z, loglik = _hard_fit(ll, fit)
        bic = -2 * loglik + (len(keep) * s + len(keep) - 1) * np.log(n)
        bics.append(bic)
        if bic < best_bic:
            best_fit, best_bic = {**fit, "keep": keep, "z": z}, bic
    assert best_fit is not None
    return _summary(ll, best_fit) | {"bic": bics, "n_iter": total_iter}


def pyclonevi_protocol(ll: np.ndarray, n_clusters: int = 10, n_restarts: int = 10, random_state: int | None = 0, *,
                       alpha: float = 1.0, jit: bool = True) -> dict[str, Any]:
    """PyClone-VI's own protocol: one K, ``n_restarts`` random Dirichlet(1) starts of ``z``, best ELBO, empty clusters dropped."""
    rng = np.random.default_rng(random_state)
    n = ll.shape[0]
    fits = [fit_loops(ll, rng.dirichlet(np.ones(n_clusters), size=n), alpha=alpha, jit=jit) for _ in range(n_restarts)]
    fit = max(fits, key=lambda f: f["elbo"])
    keep, z, _ = _hard_fit(ll, fit)
    return _summary(ll, {**fit, "keep": keep, "z": z}) | {"n_iter": sum(f["n_iter"] for f in fits)}


def _summary(ll: np.ndarray, fit: dict[str, Any]) -> dict[str, Any]:
    keep, z = fit["keep"], fit["z"]
    relabel = np.full(fit["r"].shape[1], -1)
    relabel[keep] = np.arange(len(keep))
    grid = np.linspace(0, 1, ll.shape[2])
    return {"labels": relabel[z], "ccf": (fit["w"][keep] * grid).sum(axis=2), "n_clusters": len(keep), "elbo": fit["elbo"]}

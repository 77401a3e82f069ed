"""Similarity network fusion on sparse k-nearest-neighbour networks, for cohorts too large for N x N.

The dense kernels of :mod:`._subtypes` hold every layer's N x N affinity and diffuse it with
dense matrix products: O(N^2) memory and O(N^3) time (800 MB per matrix at 10,000 samples).
Here each sample keeps only its ``n_neighbors`` nearest neighbours:

- :func:`knn_affinity`: the scaled exponential kernel of Wang et al. 2014 (Nat Methods
  11:333; SNFtool's ``affinityMatrix``) evaluated on the exact k-nearest-neighbour graph
  (a blocked, NaN-aware exact search, O(block x N) memory), symmetrised on the union of
  the neighbourhoods;
- :func:`snf_knn`: SNF's diffusion ``P_j <- S_j (mean of the other P) S_j'`` with sparse
  products, each product pruned back to the ``n_neighbors`` strongest entries per row (the
  entries the dense fusion would also leave largest), so memory stays O(N x n_neighbors);
- :func:`knn_spectral`: the smallest eigenpairs of the normalised Laplacian by Lanczos
  (``scipy.sparse.linalg.eigsh``) instead of a full dense eigendecomposition;
- :func:`knn_fused_network`: the cohort version (samples missing a layer completed from
  their other layers, as the dense path does).

Calls agree with the dense path on data with clear groups (see ``tests/tl/test_subtypes.py``
and ``benchmarks/bench_subtypes.py --cases scale``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse, stats

from ..._core._errors import InputError

__all__ = ["default_neighbors", "knn_affinity", "knn_fused_network", "knn_spectral", "snf_knn"]

_EPS = np.finfo(float).eps
#: Cells of one block of the distance search / of the padded top-k selection (32 / 16 MB).
_BLOCK_CELLS = 2**22
_TOPK_CELLS = 2**22


def default_neighbors(k: int) -> int:
    """Neighbours kept per sample by default: three times SNF's ``k`` (at least 30).

    Parameters
    ----------
    k
        SNF's neighbours of the local kernel.

    Returns
    -------
    int
        ``max(3 k, 30)``.

    Examples
    --------
    >>> default_neighbors(20)
    60
    """
    return max(3 * int(k), 30)


def _nearest(X: np.ndarray, n_keep: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact ``n_keep`` nearest rows of every row (itself included), by blocks; squared distances, NaN-aware."""
    n = X.shape[0]
    has_nan = bool(np.isnan(X).any())
    sq = None if has_nan else (X**2).sum(axis=1)
    step = max(1, _BLOCK_CELLS // max(n, 1))
    idx = np.empty((n, n_keep), dtype=np.int64)
    d2 = np.empty((n, n_keep))
    top = 0.0
    for s in range(0, n, step):
        Xb = X[s : s + step]
        if has_nan:
            from sklearn.metrics.pairwise import nan_euclidean_distances

            D = nan_euclidean_distances(Xb, X) ** 2
            finite = np.isfinite(D)
            if finite.any():
                top = max(top, float(D[finite].max()))
            D[~finite] = np.inf
        else:
            assert sq is not None
            D = Xb @ X.T  # in place below: one block-sized array
            D *= -2.0
            D += sq[s : s + step, None]
            D += sq[None, :]
            np.maximum(D, 0.0, out=D)
        rows = np.arange(len(Xb))
        D[rows, s + rows] = 0.0
        part = np.argpartition(D, n_keep - 1, axis=1)[:, :n_keep]
        dp = np.take_along_axis(D, part, axis=1)
        order = np.argsort(dp, axis=1, kind="stable")
        idx[s : s + step] = np.take_along_axis(part, order, axis=1)
        d2[s : s + step] = np.take_along_axis(dp, order, axis=1)
    d2[~np.isfinite(d2)] = top if top > 0 else 1.0  # no shared feature: the largest distance, as the dense path
    return idx, d2


def knn_affinity(X: np.ndarray, *, k: int = 20, mu: float = 0.5, n_neighbors: int | None = None) -> sparse.csr_matrix:
    """Scaled exponential similarity of one layer on its k-nearest-neighbour graph (sparse).

    The kernel of :func:`oncoresist.tl.affinity_matrix` (``sigma_ij = mu (m_i + m_j + D_ij) / 3``,
    ``m_i`` the mean squared distance to the ``k`` nearest neighbours), evaluated only for
    each sample's ``n_neighbors`` nearest neighbours (exact search) and on the diagonal.

    Parameters
    ----------
    X
        Samples x features (standardised; NaN allowed).
    k
        Neighbours of the local scale.
    mu
        Kernel width.
    n_neighbors
        Neighbours kept per sample (default :func:`default_neighbors`).

    Returns
    -------
    scipy.sparse.csr_matrix
        Symmetric samples x samples affinity.

    Examples
    --------
    >>> W = knn_affinity(np.random.default_rng(0).normal(size=(50, 3)), k=5, n_neighbors=10)
    >>> W.shape, bool(abs(W - W.T).max() < 1e-12), int(W.getnnz(axis=1).min()) >= 11
    ((50, 50), True, True)
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] < 2:
        msg = f"knn_affinity: X must be a samples x features matrix with at least 2 samples, got shape {X.shape}."
        raise InputError(msg)
    n = X.shape[0]
    kk = max(1, min(int(k), n - 1))
    keep = min(n, max(int(n_neighbors or default_neighbors(k)), kk) + 1)
    idx, d2 = _nearest(X, keep)
    means = d2[:, 1 : kk + 1].mean(axis=1) + _EPS
    rows = np.repeat(np.arange(n), keep)
    cols = idx.ravel()
    D = d2.ravel()
    sig = (means[rows] + means[cols]) / 3.0 + D / 3.0 + _EPS
    sig[sig <= _EPS] = _EPS
    W = sparse.csr_matrix((stats.norm.pdf(D, loc=0.0, scale=mu * sig), (rows, cols)), shape=(n, n))
    return W.maximum(W.T).tocsr()  # the kernel is symmetric: the union of both neighbourhoods


def _normalize(W: sparse.csr_matrix) -> sparse.csr_matrix:
    """SNFtool's normalisation: off-diagonal rows sum to 1/2, diagonal 1/2."""
    off = (W - sparse.diags(W.diagonal())).tocsr()
    off.eliminate_zeros()
    rs = np.asarray(off.sum(axis=1)).ravel()
    rs[rs == 0] = 1.0
    out = sparse.diags(1.0 / (2.0 * rs)) @ off + 0.5 * sparse.identity(W.shape[0], format="csr")
    return out.tocsr()


def _sym(W: sparse.csr_matrix) -> sparse.csr_matrix:
    return ((W + W.T) / 2.0).tocsr()


def _top_per_row(W: sparse.csr_matrix, k: int) -> sparse.csr_matrix:
    """Keep each row's ``k`` largest entries (rows of at most ``k`` entries kept whole; ties kept).

    ``W`` must have no duplicate entries (true of sparse products and sums). Blocks of rows are
    laid out side by side, padded, and cut at each row's k-th largest value (``np.partition``).
    """
    W = W.tocsr()
    n = W.shape[0]
    counts = np.diff(W.indptr)
    width = int(counts.max()) if n else 0
    if width <= k:
        return W
    keep = np.empty(W.nnz, dtype=bool)
    kept = np.empty(n, dtype=np.int64)
    step = max(1, _TOPK_CELLS // width)
    for a in range(0, n, step):
        b = min(n, a + step)
        lo, hi = W.indptr[a], W.indptr[b]
        row = np.repeat(np.arange(b - a), counts[a:b])
        vals = W.data[lo:hi].astype(np.float32)
        P = np.full((b - a, width), np.inf, dtype=np.float32)
        P.ravel()[row * width + np.arange(hi - lo) - (W.indptr[a:b] - lo)[row]] = -vals
        cut = -np.partition(P, k - 1, axis=1)[:, k - 1]  # -inf for rows of fewer than k entries
        keep[lo:hi] = vals >= cut[row]
        kept[a:b] = np.bincount(row[keep[lo:hi]], minlength=b - a)
    indptr = np.r_[0, np.cumsum(kept)]
    return sparse.csr_matrix((W.data[keep], W.indices[keep], indptr), shape=W.shape)


def _row_normalise(W: sparse.csr_matrix) -> sparse.csr_matrix:
    rs = np.asarray(W.sum(axis=1)).ravel()
    rs[rs == 0] = 1.0
    return (sparse.diags(1.0 / rs) @ W).tocsr()


def check_affinities(affinities: Sequence[Any], func: str) -> int:
    """The sample count of one or more square affinity matrices of the same size (else an :class:`InputError`)."""
    if not len(affinities):
        msg = f"{func}: give at least one affinity matrix."
        raise InputError(msg)
    n = affinities[0].shape[0]
    if any(W.shape != (n, n) for W in affinities):
        msg = f"{func}: all affinity matrices must be {n} x {n} (same samples in the same order)."
        raise InputError(msg)
    return int(n)


def snf_knn(affinities: Sequence[sparse.spmatrix], *, k: int = 20, t: int = 20,
            n_neighbors: int | None = None) -> sparse.csr_matrix:
    """Similarity network fusion with sparse networks (Wang et al. 2014; the updates of SNFtool's ``SNF``).

    Each network is diffused through the others' average with its own ``k``-nearest-neighbour
    kernel for ``t`` iterations, as :func:`oncoresist.tl.snf`; every product is pruned to its
    ``n_neighbors`` strongest entries per row (twice that between the two products), so the
    networks stay sparse.

    Parameters
    ----------
    affinities
        Sparse samples x samples affinities (e.g. from :func:`knn_affinity`).
    k
        Neighbours of the local kernels.
    t
        Iterations.
    n_neighbors
        Entries kept per row (default :func:`default_neighbors`).

    Returns
    -------
    scipy.sparse.csr_matrix
        The fused network (symmetric, diagonal about 1).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> Ws = [knn_affinity(rng.normal(size=(40, 4)), k=5, n_neighbors=10) for _ in range(2)]
    >>> snf_knn(Ws, k=5, n_neighbors=10).shape
    (40, 40)
    """
    n = check_affinities(affinities, "snf_knn")
    keep = max(int(n_neighbors or default_neighbors(k)), int(k)) + 1
    Ws = [_sym(_normalize(sparse.csr_matrix(W, dtype=float))) for W in affinities]
    if len(Ws) == 1:
        W = Ws[0]
    else:
        local = [_row_normalise(_top_per_row(W, max(1, min(int(k), n - 1)))) for W in Ws]
        cur, m = Ws, len(Ws)
        for _ in range(int(t)):
            total = sum(cur[1:], cur[0])
            nxt = []
            for j in range(m):
                Q = _top_per_row(local[j] @ ((total - cur[j]) / (m - 1)), 2 * keep)
                nxt.append(_sym(_normalize(_top_per_row((Q @ local[j].T).tocsr(), keep))))
            cur = nxt
        W = sum(cur[1:], cur[0]) / m
    W = _normalize(W.tocsr())
    return ((W + W.T + sparse.identity(n, format="csr")) / 2.0).tocsr()


def knn_spectral(W: sparse.spmatrix, n_vectors: int, *, random_state: int | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """Smallest eigenvalues / eigenvectors of the normalised Laplacian of a sparse network (Lanczos).

    Parameters
    ----------
    W
        Sparse symmetric affinity.
    n_vectors
        Eigenpairs wanted.
    random_state
        Seed of Lanczos' start vector (for reproducible vectors).

    Returns
    -------
    tuple
        Eigenvalues (ascending) and the samples x ``n_vectors`` eigenvectors.

    Examples
    --------
    >>> W = sparse.csr_matrix(np.kron(np.eye(2), np.ones((5, 5))) + 0.01)
    >>> vals, vecs = knn_spectral(W, 3)
    >>> vecs.shape, bool(vals[1] < 0.05 < vals[2])
    ((10, 3), True)
    """
    from scipy.sparse.linalg import eigsh

    W = sparse.csr_matrix(W, dtype=float)
    n = W.shape[0]
    d = np.asarray(W.sum(axis=1)).ravel()
    dinv = sparse.diags(1.0 / np.sqrt(np.maximum(d, _EPS)))
    M = dinv @ W @ dinv
    M = ((M + M.T) / 2.0).tocsr()
    if n_vectors >= n - 1 or n <= 200:
        vals, vecs = np.linalg.eigh(M.toarray())
        order = np.argsort(-vals)[:n_vectors]
    else:
        v0 = np.random.default_rng(random_state).uniform(0.5, 1.5, size=n)
        vals, vecs = eigsh(M, k=int(n_vectors), which="LA", v0=v0, tol=1e-10)
        order = np.argsort(-vals)
    return 1.0 - vals[order], vecs[:, order]


def _embed(W: sparse.csr_matrix, pos: np.ndarray, n: int) -> sparse.csr_matrix:
    """A layer's network on its own samples placed at ``pos`` of the ``n`` clustered samples."""
    C = W.tocoo()
    return sparse.csr_matrix((C.data, (pos[C.row], pos[C.col])), shape=(n, n))


def _complete(nets: list[sparse.csr_matrix], present: list[np.ndarray]) -> list[sparse.csr_matrix]:
    """Fill each layer's pairs with a sample missing from it by the pair's mean over the layers holding both."""
    if all(p.all() for p in present):
        return nets
    total = sum(nets[1:], nets[0]).tocoo()
    r, c = total.row, total.col
    count = sum(p[r] & p[c] for p in present).astype(float)
    fill = np.divide(total.data, count, out=np.zeros_like(total.data), where=count > 0)
    out = []
    for S, p in zip(nets, present):
        miss = ~(p[r] & p[c])
        out.append((S + sparse.csr_matrix((fill[miss], (r[miss], c[miss])), shape=S.shape)).tocsr())
    return out


def knn_fused_network(mats: Mapping[str, pd.DataFrame], samples: pd.Index, *, k: int, mu: float, t: int,
                      n_neighbors: int | None = None) -> sparse.csr_matrix:
    """Per-layer sparse affinities on each layer's samples, completed for missing layers, then fused.

    Parameters
    ----------
    mats
        Standardised samples x features matrix of each layer (rows: that layer's samples).
    samples
        The samples to cluster (the fused network's order).
    k, mu, t
        SNF's neighbours, kernel width and iterations.
    n_neighbors
        Neighbours kept per sample (default :func:`default_neighbors`).

    Returns
    -------
    scipy.sparse.csr_matrix
        The fused network on ``samples``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> ids = pd.Index([f"s{i}" for i in range(30)])
    >>> mats = {m: pd.DataFrame(rng.normal(size=(30, 4)), index=ids) for m in ("a", "b")}
    >>> knn_fused_network(mats, ids, k=5, mu=0.5, t=5, n_neighbors=10).shape
    (30, 30)
    """
    n = len(samples)
    nets, present = [], []
    for df in mats.values():
        df = df.reindex(samples).dropna(how="all")
        if len(df) < 3:
            continue
        W = _sym(_normalize(knn_affinity(df.to_numpy(), k=k, mu=mu, n_neighbors=n_neighbors)))
        pos = samples.get_indexer(df.index)
        nets.append(_embed(W, pos, n))
        p = np.zeros(n, dtype=bool)
        p[pos] = True
        present.append(p)
    if not nets:
        msg = "subtypes: no layer has 3 or more of the clustered samples."
        raise InputError(msg)
    return snf_knn(_complete(nets, present), k=k, t=t, n_neighbors=n_neighbors)

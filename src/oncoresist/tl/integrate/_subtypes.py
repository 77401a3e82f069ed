"""Multi-omics subtypes: similarity network fusion, consensus clustering, choice of k, associations.

Kernels (pure functions on arrays):

- :func:`affinity_matrix`: scaled exponential similarity of one layer (Wang et al. 2014, Nat
  Methods 11:333, SNFtool's ``affinityMatrix``);
- :func:`snf`: similarity network fusion of several affinity matrices (SNFtool's ``SNF``);
- :func:`spectral_labels`: spectral clustering of a fused network, with the eigengap evidence;
- :func:`consensus_clustering`: resampling-based consensus clustering (Monti et al. 2003,
  Mach Learn 52:91) with PAC, the proportion of ambiguous clustering (Senbabaoglu et al.
  2014, Sci Rep 4:6207), to choose k;
- :func:`logrank_test`: the k-group log-rank test (and, for a continuous covariate, the Cox
  score / log-rank trend test).

Cohort functions: :func:`subtypes` writes ``mdata.obs['subtype']`` and the evidence for k in
``mdata.uns['subtype']``; :func:`integration_associations` tests factors and subtypes against
clinical variables, survival (log-rank) and drug response.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..._core._docs import DOC_MU_COPY, doc_params
from ..._core._errors import InputError
from ..._core._keys import claim_key
from ..._core._params import clean_params
from ..._core._stats import bh_fdr, limit_threads, logrank_test
from ._factors import _check_mdata, _copy, _resolve_mods, get_factors, modality_matrix
from ._kselect import KChoiceWarning, choose_k, default_min_cluster_size, warn_disagreement
from ._snf_sparse import check_affinities, default_neighbors, knn_fused_network, knn_spectral

__all__ = [
    "ConsensusResult",
    "affinity_matrix",
    "consensus_clustering",
    "integration_associations",
    "logrank_test",
    "snf",
    "spectral_labels",
    "subtypes",
]

_EPS = np.finfo(float).eps


def _threads(n: int) -> Any:
    """One BLAS / OpenMP thread for small problems.

    Thread start-up and spinning cost more than they save below ~1,500 samples (and a lot on a
    busy machine).
    """
    import contextlib

    if n >= 1500:
        return contextlib.nullcontext()
    return limit_threads(1)


# --------------------------------------------------------------------------------------------
# similarity network fusion
# --------------------------------------------------------------------------------------------
def _sq_distances(X: np.ndarray) -> np.ndarray:
    """Squared Euclidean distances between rows, NaN-aware (scaled to all features)."""
    X = np.asarray(X, dtype=float)
    if np.isnan(X).any():
        from sklearn.metrics.pairwise import nan_euclidean_distances

        D = nan_euclidean_distances(X) ** 2
        D[~np.isfinite(D)] = np.nanmax(D[np.isfinite(D)]) if np.isfinite(D).any() else 1.0
    else:
        sq = (X**2).sum(axis=1)
        D = np.maximum(sq[:, None] + sq[None, :] - 2 * X @ X.T, 0.0)
    np.fill_diagonal(D, 0.0)
    return D


def affinity_matrix(X: np.ndarray, *, k: int = 20, mu: float = 0.5) -> np.ndarray:
    """Scaled exponential similarity kernel of one layer (SNFtool ``affinityMatrix``).

    With squared distances ``D`` between samples (rows of the standardised ``X``; NaN-aware)
    and ``m_i`` the mean of ``D`` to the ``k`` nearest neighbours of ``i`` (itself excluded,
    as in SNFtool), ``sigma_ij = mu (m_i + m_j + D_ij) / 3`` and
    ``W_ij = N(D_ij; 0, sigma_ij)`` (normal density), symmetrised.

    Parameters
    ----------
    X
        Samples x features (standardise features beforehand).
    k
        Neighbours used for the local scale.
    mu
        Kernel width (SNF recommends 0.3-0.8).

    Returns
    -------
    numpy.ndarray
        Samples x samples affinity.

    Examples
    --------
    >>> import numpy as np
    >>> W = affinity_matrix(np.random.default_rng(0).normal(size=(10, 3)), k=3)
    >>> W.shape, bool(np.allclose(W, W.T))
    ((10, 10), True)
    """
    with _threads(np.shape(X)[0]):
        D = _sq_distances(X)
        n = D.shape[0]
        kk = max(1, min(int(k), n - 1))
        srt = np.sort(D, axis=1)
        means = srt[:, 1 : kk + 1].mean(axis=1) + _EPS  # k nearest neighbours, self excluded
        sig = (means[:, None] + means[None, :]) / 2.0 / 3.0 * 2.0 + D / 3.0 + _EPS
        sig[sig <= _EPS] = _EPS
        W = stats.norm.pdf(D, loc=0.0, scale=mu * sig)
        return (W + W.T) / 2.0


def _snf_normalize(W: np.ndarray) -> np.ndarray:
    """SNFtool's normalisation: off-diagonal rows sum to 1/2, diagonal 1/2."""
    W = W.copy()
    rs = W.sum(axis=1) - np.diag(W)
    rs[rs == 0] = 1.0
    W = W / (2.0 * rs[:, None])
    np.fill_diagonal(W, 0.5)
    return W


def _dominate_set(W: np.ndarray, k: int) -> np.ndarray:
    """Keep each row's ``k`` largest entries, row-normalised (the sparse local kernel of SNF)."""
    n = W.shape[0]
    kk = max(1, min(k, n - 1))
    idx = np.argpartition(-W, kk - 1, axis=1)[:, :kk]
    S = np.zeros_like(W)
    rows = np.arange(n)[:, None]
    S[rows, idx] = W[rows, idx]
    rs = S.sum(axis=1, keepdims=True)
    rs[rs == 0] = 1.0
    return S / rs


def snf(affinities: Sequence[np.ndarray], *, k: int = 20, t: int = 20) -> np.ndarray:
    """Similarity network fusion (Wang et al. 2014; SNFtool's ``SNF``).

    Each network is diffused through the others' average, using its own ``k``-nearest-
    neighbour kernel, for ``t`` iterations; the fused network is their normalised mean.

    Parameters
    ----------
    affinities
        Samples x samples affinity matrices (same samples, same order).
    k
        Neighbours of the local kernels.
    t
        Iterations.

    Returns
    -------
    numpy.ndarray
        The fused network.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> Ws = [affinity_matrix(rng.normal(size=(12, 4)), k=4) for _ in range(2)]
    >>> snf(Ws, k=4).shape
    (12, 12)
    """
    with _threads(np.shape(affinities[0])[0] if len(affinities) else 0):
        Ws = [np.asarray(W, dtype=float) for W in affinities]
        n = check_affinities(Ws, "snf")
        Ws = [_snf_normalize(W) for W in Ws]
        Ws = [(W + W.T) / 2.0 for W in Ws]
        if len(Ws) == 1:
            W = Ws[0]
        else:
            local = [_dominate_set(W, k) for W in Ws]
            cur = Ws
            m = len(Ws)
            for _ in range(int(t)):
                total = sum(cur)
                nxt = [local[j] @ ((total - cur[j]) / (m - 1)) @ local[j].T for j in range(m)]
                cur = [_snf_normalize(W) for W in nxt]
                cur = [(W + W.T) / 2.0 for W in cur]
            W = sum(cur) / m
        W = _snf_normalize(W)
        return (W + W.T + np.eye(n)) / 2.0


def _laplacian_eigs(W: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Smallest eigenvalues / vectors of the normalised Laplacian of ``W``."""
    d = W.sum(axis=1)
    dinv = 1.0 / np.sqrt(np.maximum(d, _EPS))
    L = np.eye(W.shape[0]) - dinv[:, None] * W * dinv[None, :]
    vals, vecs = np.linalg.eigh((L + L.T) / 2.0)
    return vals[:n], vecs[:, :n]


def spectral_labels(W: np.ndarray, n_clusters: int, *, random_state: int | None = 0) -> np.ndarray:
    """Spectral clustering of an affinity network (normalised Laplacian embedding + k-means).

    Parameters
    ----------
    W
        Samples x samples affinity (e.g. from :func:`snf`).
    n_clusters
        Number of clusters.
    random_state
        Seed of k-means.

    Returns
    -------
    numpy.ndarray
        Integer labels 0..k-1, numbered by decreasing cluster size.

    Examples
    --------
    >>> import numpy as np
    >>> W = np.kron(np.eye(2), np.ones((5, 5))) + 0.01
    >>> lab = spectral_labels(W, 2)
    >>> len(set(lab[:5])), len(set(lab[5:])), bool(lab[0] != lab[5])
    (1, 1, True)
    """
    with _threads(np.shape(W)[0]):
        k = int(n_clusters)
        if k < 1 or k > W.shape[0]:
            msg = f"spectral_labels: n_clusters must be between 1 and the number of samples ({W.shape[0]}), got {n_clusters!r}."
            raise InputError(msg)
        if k == 1:
            return np.zeros(W.shape[0], dtype=int)
        _, vecs = _laplacian_eigs(W, k)
        return _labels_from_vectors(vecs, k, random_state)


def _labels_from_vectors(vecs: np.ndarray, k: int, random_state: int | None) -> np.ndarray:
    """k-means on the row-normalised first ``k`` Laplacian eigenvectors, labels by decreasing size."""
    from sklearn.cluster import KMeans

    U = vecs[:, :k] / np.maximum(np.linalg.norm(vecs[:, :k], axis=1, keepdims=True), _EPS)
    lab = KMeans(n_clusters=k, n_init=20, random_state=random_state).fit_predict(U)
    return _relabel_by_size(lab)


def _relabel_by_size(lab: np.ndarray) -> np.ndarray:
    vals, counts = np.unique(lab, return_counts=True)
    order = vals[np.argsort(-counts, kind="stable")]
    mapping = {v: i for i, v in enumerate(order)}
    return np.asarray([mapping[v] for v in lab], dtype=int)


def _eigengaps(W: np.ndarray, ks: Sequence[int]) -> dict[int, float]:
    vals, _ = _laplacian_eigs(W, max(ks) + 1)
    return {k: float(vals[k] - vals[k - 1]) for k in ks}


def _silhouette(D: np.ndarray, lab: np.ndarray) -> float:
    from sklearn.metrics import silhouette_score

    if len(np.unique(lab)) < 2 or len(np.unique(lab)) >= len(lab):
        return float("nan")
    return float(silhouette_score(D, lab, metric="precomputed"))


# --------------------------------------------------------------------------------------------
# consensus clustering
# --------------------------------------------------------------------------------------------
@dataclass
class ConsensusResult:
    """Result of :func:`consensus_clustering`.

    Attributes
    ----------
    labels
        ``{k: labels}`` (0..k-1 by decreasing size).
    consensus
        ``{k: samples x samples consensus matrix}`` (fraction of co-sampled runs in which two
        samples were clustered together).
    evidence
        One row per k: ``pac`` (proportion of ambiguous clustering: consensus values in
        (0.1, 0.9)), ``cdf_area``, ``delta_area``, ``silhouette`` (on 1 - consensus),
        ``consensus_eigengap`` (of the consensus matrix's Laplacian at k), ``min_size``,
        ``n_clusters_found``, ``eligible``, ``within_noise``, ``chosen``.
    best_k
        The chosen k (see :func:`consensus_clustering`).
    choice
        How k was chosen: ``rule``, ``chosen``, ``best_by`` (the best k by each criterion),
        ``agree``, ``note``.
    """

    labels: dict[int, np.ndarray]
    consensus: dict[int, np.ndarray]
    evidence: pd.DataFrame
    best_k: int
    params: dict[str, Any] = field(default_factory=dict)
    choice: dict[str, Any] = field(default_factory=dict)


#: Criteria recorded beside PAC: silhouette on 1 - consensus and on the data, consensus eigengap.
_CONSENSUS_SECONDARY = (("silhouette", False), ("silhouette_data", False), ("consensus_eigengap", False))


def _consensus_one_k(args: tuple[np.ndarray, int, int, float, float, int, str]) -> tuple[int, np.ndarray]:
    """Consensus matrix of one k: co-clustering counts of every run as one matrix product."""
    X, k, n_resamples, sub_samples, sub_features, seed, base = args
    from sklearn.cluster import AgglomerativeClustering, KMeans

    rng = np.random.default_rng(seed)
    n, p = X.shape
    n_sub = max(k + 1, int(round(sub_samples * n)))
    p_sub = max(1, int(round(sub_features * p)))
    # one-hot memberships of every run side by side: co-clustering counts are one matrix product
    H = np.zeros((n, n_resamples * k), dtype=np.float32)
    S = np.zeros((n, n_resamples), dtype=np.float32)
    for r in range(n_resamples):
        rows = np.sort(rng.choice(n, size=min(n_sub, n), replace=False))
        cols = np.sort(rng.choice(p, size=p_sub, replace=False)) if p_sub < p else np.arange(p)
        Xs = X[np.ix_(rows, cols)]
        if base == "kmeans":
            lab = KMeans(n_clusters=k, n_init=1, random_state=int(rng.integers(2**31 - 1))).fit_predict(Xs)
        else:
            lab = AgglomerativeClustering(n_clusters=k, linkage="average").fit_predict(Xs)
        H[rows, r * k + lab] = 1.0
        S[rows, r] = 1.0
    M = (H @ H.T).astype(float)
    Icount = (S @ S.T).astype(float)
    C = np.divide(M, Icount, out=np.zeros_like(M), where=Icount > 0)
    np.fill_diagonal(C, 1.0)
    return k, C


def _check_consensus_input(X: Any, ks: Sequence[int], base: str, subsample: float, feature_subsample: float) -> tuple[np.ndarray, list[int]]:
    """The finite 2-D matrix and the sorted candidate ks, or an InputError naming the problem."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or not np.isfinite(X).all():
        msg = "consensus_clustering: X must be a 2-D matrix without missing values (impute or drop samples first)."
        raise InputError(msg)
    ks = sorted({int(k) for k in ks})
    n = X.shape[0]
    if not ks or ks[0] < 2 or ks[-1] >= n:
        msg = f"consensus_clustering: every k must be between 2 and n_samples - 1 ({n - 1}); got {ks}."
        raise InputError(msg)
    if base not in ("kmeans", "hierarchical"):
        msg = f"consensus_clustering: base must be 'kmeans' or 'hierarchical', got {base!r}."
        raise InputError(msg)
    if not (0 < subsample <= 1 and 0 < feature_subsample <= 1):
        msg = "consensus_clustering: subsample and feature_subsample must be fractions in (0, 1]."
        raise InputError(msg)
    return X, ks


def consensus_evidence(consensus: Mapping[int, np.ndarray], *, X: np.ndarray | None = None,
                       random_state: int | None = 0) -> tuple[dict[int, np.ndarray], pd.DataFrame]:
    """Labels and the per-k criteria of consensus matrices (PAC, CDF area, silhouettes, eigengap, sizes).

    Parameters
    ----------
    consensus
        ``{k: samples x samples consensus matrix}``.
    X
        The clustered data (samples x features): adds ``silhouette_data``, the Euclidean
        silhouette of each k's labels on it.
    random_state
        Seed of the spectral clustering of each matrix.

    Returns
    -------
    tuple
        ``{k: labels}`` and one row per k: ``k, pac, cdf_area, silhouette, consensus_eigengap,
        min_size, n_clusters_found, delta_area`` (and ``silhouette_data`` with ``X``).

    Examples
    --------
    >>> C = np.kron(np.eye(2), np.ones((4, 4)))
    >>> labels, ev = consensus_evidence({2: C})
    >>> float(ev.loc[0, "pac"]), int(ev.loc[0, "min_size"])
    (0.0, 4)
    """
    ks = sorted(consensus)
    n = np.shape(consensus[ks[0]])[0]
    iu = np.triu_indices(n, 1)
    grid = np.linspace(0, 1, 101)
    labels, rows = {}, []
    for k in ks:
        C = np.asarray(consensus[k], dtype=float)
        vals = C[iu]
        cdf = np.searchsorted(np.sort(vals), grid, side="right") / len(vals)
        D = 1.0 - C
        np.fill_diagonal(D, 0.0)
        lab = spectral_labels(C, k, random_state=random_state)
        labels[k] = lab
        rows.append({"k": k, "pac": float(np.mean((vals > 0.1) & (vals < 0.9))), "cdf_area": float(np.trapezoid(cdf, grid)),
                     "silhouette": _silhouette(D, lab), "consensus_eigengap": _eigengaps(C, [k])[k],
                     "min_size": int(np.bincount(lab).min()), "n_clusters_found": int(len(np.unique(lab)))})
        if X is not None:
            rows[-1]["silhouette_data"] = _silhouette(_sq_distances(X) ** 0.5, lab)
    ev = pd.DataFrame(rows)
    area = ev["cdf_area"].to_numpy()
    ev["delta_area"] = np.r_[area[:1], (area[1:] - area[:-1]) / np.maximum(area[:-1], _EPS)]
    return labels, ev


def consensus_clustering(
    X: np.ndarray,
    *,
    ks: Sequence[int] = (2, 3, 4, 5, 6),
    n_resamples: int = 100,
    subsample: float = 0.8,
    feature_subsample: float = 1.0,
    base: str = "kmeans",
    pac_tolerance: float = 0.02,
    min_cluster_size: int | None = None,
    random_state: int | None = 0,
    n_jobs: int | None = 1,
) -> ConsensusResult:
    """Consensus clustering over resampled subsets of samples (Monti et al. 2003).

    For every ``k``, ``n_resamples`` random subsets (``subsample`` of the samples and
    ``feature_subsample`` of the features) are clustered (k-means or average-linkage
    hierarchical); the consensus of two samples is the fraction of runs containing both in
    which they fell in the same cluster. The final labels are a spectral clustering of the
    consensus matrix (more robust to single outlying samples than cutting an average-linkage
    tree of ``1 - consensus``). k is chosen by PAC (Senbabaoglu et al. 2014), robustly: only k
    whose clusters all have at least ``min_cluster_size`` samples are eligible (a handful of
    outliers is a perfectly stable, meaningless cluster), and among the eligible k within
    ``pac_tolerance`` of the lowest PAC the smallest is kept. The silhouette (on 1 - consensus)
    and the consensus eigengap are recorded beside it; when their best k differs, a
    :class:`~oncoresist.tl.integrate._kselect.KChoiceWarning` says which k was kept and why.

    Parameters
    ----------
    X
        Samples x features (no missing values), e.g. the factors.
    ks
        Candidate numbers of clusters (>= 2).
    n_resamples
        Resampling runs per k.
    subsample, feature_subsample
        Fractions resampled per run.
    base
        ``"kmeans"`` or ``"hierarchical"``.
    pac_tolerance
        PAC difference treated as noise when choosing k.
    min_cluster_size
        Smallest cluster of an eligible k (default: 5% of the samples, at least 3).
    random_state
        Seed.
    n_jobs
        Parallel workers over k (:func:`oncoresist.parallel.parallel_map`).

    Returns
    -------
    ConsensusResult
        Labels and consensus matrices per k, the evidence table, the chosen k and how.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(0, 1, (20, 2)), rng.normal(6, 1, (20, 2))])
    >>> consensus_clustering(X, ks=(2, 3), n_resamples=20).best_k
    2
    """
    with _threads(np.shape(X)[0]):
        from ...parallel import parallel_map

        X, ks = _check_consensus_input(X, ks, base, subsample, feature_subsample)
        seeds = np.random.default_rng(random_state).integers(2**31 - 1, size=len(ks))
        tasks = [(X, k, int(n_resamples), float(subsample), float(feature_subsample), int(s), base) for k, s in zip(ks, seeds)]
        res = dict(parallel_map(_consensus_one_k, tasks, n_jobs=n_jobs, quiet=True))
        labels, ev = consensus_evidence(res, X=X, random_state=random_state)
        m = default_min_cluster_size(X.shape[0]) if min_cluster_size is None else int(min_cluster_size)
        best, ev, choice = choose_k(ev, primary="pac", lower_is_better=True, tolerance=pac_tolerance, min_cluster_size=m,
                                    secondary=_CONSENSUS_SECONDARY, tie_break="silhouette_data")
        warn_disagreement(choice, where="consensus_clustering")
        return ConsensusResult(labels=labels, consensus=res, evidence=ev, best_k=best, choice=choice,
                               params={"ks": ks, "n_resamples": int(n_resamples), "subsample": float(subsample),
                                       "feature_subsample": float(feature_subsample), "base": base,
                                       "pac_tolerance": float(pac_tolerance), "min_cluster_size": m})


# --------------------------------------------------------------------------------------------
# cohort function
# --------------------------------------------------------------------------------------------
def _standardise(df: pd.DataFrame) -> pd.DataFrame:
    mu = df.mean(axis=0)
    sd = df.std(axis=0, ddof=1).replace(0, np.nan)
    out = (df - mu) / sd
    return out.loc[:, sd.notna()]


def _layer_matrices(mdata: Any, mods: list[str], layers: Mapping[str, str], *, use_selected: bool,
                    min_layers: int) -> tuple[dict[str, pd.DataFrame], pd.Index]:
    """Each layer's standardised samples x features matrix and the samples with ``min_layers`` layers."""
    mats = {m: modality_matrix(mdata, m, layer=layers.get(m), use_selected=use_selected) for m in mods}
    mats = {m: _standardise(df.dropna(how="all")) for m, df in mats.items()}
    count = pd.Series(0, index=pd.Index(mdata.obs_names.astype(str)))
    for df in mats.values():
        count.loc[df.index] += 1
    samples = count.index[count >= min_layers]
    if len(samples) < 5:
        msg = f"subtypes: only {len(samples)} sample(s) have at least {min_layers} of the layers {', '.join(mods)}: too few to cluster."
        raise InputError(msg)
    return mats, samples


def _fused_network(mats: Mapping[str, pd.DataFrame], samples: pd.Index, *, k: int, mu: float, t: int) -> np.ndarray:
    """Per-layer affinities on each layer's samples, completed for missing layers, then fused.

    A sample missing a layer has no similarity in it; those entries are filled with the mean
    of the (normalised) similarities the pair has in its other layers, so every sample with at
    least ``min_layers`` layers can be fused and clustered.
    """
    n = len(samples)
    stack = np.full((len(mats), n, n), np.nan)
    for i, m in enumerate(mats):
        df = mats[m].reindex(samples).dropna(how="all")
        if len(df) < 3:
            warnings.warn(f"subtypes: layer '{m}' has fewer than 3 samples among those clustered; it is ignored.",
                          UserWarning, stacklevel=3)
            continue
        W = _snf_normalize(affinity_matrix(df.to_numpy(), k=k, mu=mu))
        pos = samples.get_indexer(df.index)
        stack[i][np.ix_(pos, pos)] = (W + W.T) / 2.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        fill = np.nanmean(stack, axis=0)
    fill = np.where(np.isfinite(fill), fill, 0.0)
    Ws = [np.where(np.isfinite(S), S, fill) for S in stack if np.isfinite(S).any()]
    return snf(Ws, k=k, t=t)


@doc_params(doc_copy=DOC_MU_COPY)
def subtypes(
    mdata: Any,
    *,
    method: str = "snf",
    mods: Sequence[str] | None = None,
    layers: Mapping[str, str] | None = None,
    factors_key: str = "X_factors",
    n_subtypes: int | None = None,
    ks: Sequence[int] = (2, 3, 4, 5, 6, 7, 8),
    k_neighbors: int = 20,
    mu: float = 0.5,
    t: int = 20,
    affinity: str = "auto",
    n_resamples: int = 100,
    min_layers: int = 1,
    use_selected: bool = True,
    weight_factors: bool = True,
    min_cluster_size: int | None = None,
    random_state: int | None = 0,
    key_added: str = "subtype",
    overwrite: bool = False,
    copy: bool = False,
) -> Any:
    """Multi-omics subtypes: SNF + spectral clustering, or consensus clustering of the factors.

    ``method="snf"``: per-layer affinity networks (samples missing a layer completed from
    their other layers) fused by :func:`snf`, clustered by :func:`spectral_labels`, k by the
    eigengap; ``method="consensus"``: :func:`consensus_clustering` of ``obsm[factors_key]``, k by PAC.

    Only k whose clusters all have ``min_cluster_size`` samples are eligible; the smallest k
    within noise of the best score is kept (eigengap: within 10% of the largest; PAC: within
    0.02 of the lowest; then the data silhouette). When another criterion prefers another k a
    ``KChoiceWarning`` says which k was kept and why. Writes ``obs[key_added]`` (``C1``,
    ``C2``, ... by decreasing size; missing for samples not clustered) and ``uns[key_added]``:
    ``params``, ``k_selection`` (every criterion per k), ``k_choice`` (``rule``, ``chosen``,
    ``best_by``, ``agree``, ``note``), ``n_subtypes``, ``sizes``.

    Parameters
    ----------
    mdata, method
        The cohort; ``"snf"`` or ``"consensus"``.
    mods, layers, use_selected
        Layers for SNF (see :func:`oncoresist.tl.modality_matrix`).
    factors_key
        Factors used by the consensus method.
    n_subtypes, ks
        Fix k (``None``: choose among the candidates ``ks``).
    k_neighbors, mu, t, min_layers, affinity
        SNF: neighbours, kernel width, iterations, layers a sample needs; networks ``"dense"`` (N x N), ``"knn"`` (sparse, :mod:`._snf_sparse`) or ``"auto"`` (knn above :data:`DENSE_MAX_SAMPLES` samples, warned; ``params['affinity']``).
    n_resamples
        Consensus resampling runs per k.
    weight_factors
        Consensus: scale each factor by the square root of the mean variance it explains
        across layers (so that small tissue or batch factors do not dominate).
    min_cluster_size
        Smallest cluster of an eligible k (default: 5% of the clustered samples, at least 3).
    key_added, overwrite
        ``obs`` column and ``uns`` key; one there this function did not write (e.g. a
        PAM50 ``subtype`` column of the sample sheet) is an error unless ``overwrite``.
    random_state
        Seed.
    {doc_copy}

    Examples
    --------
    >>> import anndata as ad, mudata as md, numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> g = np.repeat([0, 3], 15)
    >>> ids = [f"s{i}" for i in range(30)]
    >>> layer = lambda p: ad.AnnData(g[:, None] + rng.normal(size=(30, 10)), obs=pd.DataFrame(index=ids),
    ...                              var=pd.DataFrame(index=[f"{p}{j}" for j in range(10)]))
    >>> m = md.MuData({"rna": layer("g"), "prot": layer("p")})
    >>> subtypes(m, k_neighbors=5, ks=(2, 3))
    >>> m.uns["subtype"]["n_subtypes"], m.uns["subtype"]["k_choice"]["agree"]
    (2, True)
    """
    with _threads(getattr(mdata, "n_obs", 0)):
        _check_mdata(mdata)
        ks = _candidate_ks(method, ks, n_subtypes)
        mdata = _copy(mdata) if copy else mdata
        for slot in ("obs", "uns"):
            claim_key(mdata, slot, key_added, by="tl.subtypes", overwrite=overwrite)
        params: dict[str, Any] = {"method": method, "n_subtypes": n_subtypes, "ks": ks, "random_state": random_state}
        if method == "snf":
            samples, labels, ev, more = _snf_evidence(mdata, mods, layers, ks, k_neighbors=k_neighbors, mu=mu, t=t, affinity=affinity,
                                                      use_selected=use_selected, min_layers=min_layers, random_state=random_state)
        else:
            samples, labels, ev, more = _factor_consensus_evidence(mdata, factors_key, ks, n_resamples=n_resamples,
                                                                   weight_factors=weight_factors, random_state=random_state)
        params.update(more)
        best, ev, choice = _decide_k(ev, method, n_subtypes, min_cluster_size, n_samples=len(samples))
        if n_subtypes is None:
            warn_disagreement(choice, where="subtypes", key=key_added, stacklevel=3)
        params.update({"rule": choice["rule"], "min_cluster_size": choice["min_cluster_size"]})
        _write_subtypes(mdata, key_added, pd.Series(labels[best], index=samples), best, ev, choice, params)
        return mdata if copy else None


def _candidate_ks(method: str, ks: Sequence[int], n_subtypes: int | None) -> list[int]:
    """The sorted candidate ks (with a fixed ``n_subtypes`` among them), or an InputError."""
    if method not in ("snf", "consensus"):
        msg = f"subtypes: method must be 'snf' or 'consensus', got {method!r}."
        raise InputError(msg)
    out = sorted({int(k) for k in ks})
    if n_subtypes is not None:
        if int(n_subtypes) < 2:
            msg = f"subtypes: n_subtypes must be >= 2, got {n_subtypes!r}."
            raise InputError(msg)
        out = sorted(set(out) | {int(n_subtypes)})
    if not out or out[0] < 2:
        msg = f"subtypes: candidate ks must be >= 2, got {out}."
        raise InputError(msg)
    return out


def _snf_evidence(mdata: Any, mods: Sequence[str] | None, layers: Mapping[str, str] | None, ks: list[int], *, k_neighbors: int,
                  mu: float, t: int, affinity: str, use_selected: bool, min_layers: int,
                  random_state: int | None) -> tuple[pd.Index, dict[int, np.ndarray], pd.DataFrame, dict[str, Any]]:
    """SNF of the layers (dense or sparse networks), spectral labels per k and the per-k evidence (eigengap, silhouette, sizes)."""
    mods_ = _resolve_mods(mdata, mods)
    mats, samples = _layer_matrices(mdata, mods_, dict(layers or {}), use_selected=use_selected, min_layers=min_layers)
    how = _choose_affinity(affinity, len(samples), k_neighbors)
    ks = [k for k in ks if k < len(samples)]
    if how["affinity"] == "knn":
        W = knn_fused_network(mats, samples, k=k_neighbors, mu=mu, t=t, n_neighbors=how["n_neighbors"])
        vals, vecs = knn_spectral(W, max(ks) + 1, random_state=random_state)
        sub = np.sort(np.random.default_rng(random_state).permutation(len(samples))[:_SILHOUETTE_MAX])
        D = 1.0 - W[sub][:, sub].toarray() / W.max()
    else:
        W = _fused_network(mats, samples, k=k_neighbors, mu=mu, t=t)
        vals, vecs = _laplacian_eigs(W, max(ks) + 1)
        sub = np.arange(len(samples))
        D = 1.0 - W / W.max()
    np.fill_diagonal(D, 0.0)
    rows, labels = [], {}
    for k in ks:
        lab = _labels_from_vectors(vecs, k, random_state)
        labels[k] = lab
        rows.append({"k": k, "eigengap": float(vals[k] - vals[k - 1]), "silhouette": _silhouette(D, lab[sub]),
                     "min_size": int(np.bincount(lab).min()), "n_clusters_found": int(len(np.unique(lab)))})
    params = {"mods": mods_, "k_neighbors": int(k_neighbors), "mu": float(mu), "t": int(t), "min_layers": int(min_layers),
              "n_samples_per_layer": {m: int(len(mats[m].index.intersection(samples))) for m in mods_}, **how}
    return samples, labels, pd.DataFrame(rows), params


#: Most clustered samples for which ``subtypes(affinity="auto")`` builds dense N x N SNF networks.
DENSE_MAX_SAMPLES = 2000
#: Samples above which ``subtypes(method="consensus")`` warns about its N x N consensus matrices.
CONSENSUS_WARN_SAMPLES = 5000
#: Samples of the silhouette of sparse (knn) networks: a seeded subsample beyond this.
_SILHOUETTE_MAX = 2000


def _choose_affinity(affinity: str, n: int, k_neighbors: int) -> dict[str, Any]:
    """Dense or knn SNF networks for ``n`` samples (``auto``: knn above DENSE_MAX_SAMPLES, with a warning); the record for uns."""
    if affinity not in ("auto", "dense", "knn"):
        msg = f"subtypes: affinity must be 'auto', 'dense' or 'knn', got {affinity!r}."
        raise InputError(msg)
    how = affinity
    if affinity == "auto":
        how = "knn" if n > DENSE_MAX_SAMPLES else "dense"
        if how == "knn":
            warnings.warn(f"subtypes: {n:,} samples > {DENSE_MAX_SAMPLES:,}: SNF on sparse {default_neighbors(k_neighbors)}-nearest-"
                          "neighbour networks (affinity='knn'); pass affinity='dense' (CLI --affinity dense) for dense "
                          "N x N networks.", UserWarning, stacklevel=4)
    return {"affinity": how, "affinity_requested": affinity, "dense_max_samples": DENSE_MAX_SAMPLES,
            "n_neighbors": default_neighbors(k_neighbors) if how == "knn" else None}


def _factor_consensus_evidence(mdata: Any, factors_key: str, ks: list[int], *, n_resamples: int, weight_factors: bool,
                               random_state: int | None) -> tuple[pd.Index, dict[int, np.ndarray], pd.DataFrame, dict[str, Any]]:
    """Consensus clustering of the (weighted) factors: labels per k and the per-k evidence."""
    F = get_factors(mdata, key=factors_key)
    if len(F) > CONSENSUS_WARN_SAMPLES:
        warnings.warn(f"subtypes: consensus clustering of {len(F):,} samples keeps one dense N x N consensus matrix per k "
                      f"(~{len(F) ** 2 * 8 * len(ks) / 1e9:.0f} GB); method='snf' uses sparse knn networks past "
                      f"{DENSE_MAX_SAMPLES:,} samples.", UserWarning, stacklevel=4)
    weights = _factor_weights(mdata, factors_key, list(F.columns)) if weight_factors else None
    X = F.to_numpy() * (weights if weights is not None else 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", KChoiceWarning)  # subtypes decides (and warns) itself
        res = consensus_clustering(X, ks=[k for k in ks if k < len(F)], n_resamples=n_resamples, random_state=random_state)
    ev = res.evidence.drop(columns=["eligible", "within_noise", "chosen"])
    params = {"factors_key": factors_key, "n_resamples": int(n_resamples), "weight_factors": bool(weight_factors)}
    return pd.Index(F.index), res.labels, ev, params


def _decide_k(ev: pd.DataFrame, method: str, n_subtypes: int | None, min_cluster_size: int | None, *,
              n_samples: int) -> tuple[int, pd.DataFrame, dict[str, Any]]:
    """The chosen k by the method's criteria (:func:`choose_k`), or the fixed ``n_subtypes`` with the same record."""
    m = default_min_cluster_size(n_samples) if min_cluster_size is None else int(min_cluster_size)
    if method == "snf":
        tol = 0.1 * float(np.nanmax(ev["eigengap"])) if len(ev) else 0.0
        best, ev, choice = choose_k(ev, primary="eigengap", lower_is_better=False, tolerance=tol, min_cluster_size=m)
        choice["rule"] = choice["rule"].replace(f"within {tol:.3g} of", "within 10% of")
    else:
        best, ev, choice = choose_k(ev, primary="pac", lower_is_better=True, tolerance=0.02, min_cluster_size=m,
                                    secondary=_CONSENSUS_SECONDARY, tie_break="silhouette_data")
    choice["min_cluster_size"] = m
    if method != "snf" and n_subtypes is None:
        _flag_edge(choice, best, ev)
    if n_subtypes is not None:
        best = int(n_subtypes)
        ev["chosen"] = (ev["k"] == best).to_numpy()
        choice.update({"rule": "fixed", "chosen": best, "note": "n_subtypes was given; the criteria are recorded only"})
    return best, ev, choice


def _flag_edge(choice: dict[str, Any], best: int, ev: pd.DataFrame) -> None:
    """Record (``choice['at_edge']``) and warn when consensus picks the largest k tried (or the smallest, above 2)."""
    ks = sorted(int(v) for v in ev["k"])
    edge = "upper" if len(ks) > 1 and best == ks[-1] else "lower" if len(ks) > 1 and best == ks[0] > 2 else None
    choice["at_edge"] = edge is not None
    choice["edge"] = edge
    if edge:
        warnings.warn(f"subtypes: consensus chose k={best}, the {'largest' if edge == 'upper' else 'smallest'} k tried "
                      f"({ks[0]}-{ks[-1]}); the best k may lie outside the range: widen ks (n_subtypes range) to check.",
                      KChoiceWarning, stacklevel=4)


def _write_subtypes(mdata: Any, key: str, labels: pd.Series, best: int, ev: pd.DataFrame, choice: dict[str, Any],
                    params: dict[str, Any]) -> None:
    """Store the labels (``C1`` ... by decreasing size) in ``obs[key]`` and the evidence in ``uns[key]``."""
    names = pd.Series([f"C{i + 1}" for i in labels.to_numpy()], index=labels.index, dtype=object)
    col = names.reindex(mdata.obs_names.astype(str))
    cats = [f"C{i + 1}" for i in range(best)]
    mdata.obs[key] = pd.Categorical(col.to_numpy(), categories=cats)
    sizes = col.value_counts().reindex(cats).fillna(0).astype(int)
    mdata.uns[key] = {
        "params": clean_params(params),
        "k_selection": ev.reset_index(drop=True),
        "k_choice": clean_params(choice),
        "n_subtypes": int(best),
        "sizes": {c: int(v) for c, v in sizes.items()},
        "n_unassigned": int(col.isna().sum()),
    }


def _factor_weights(mdata: Any, factors_key: str, names: list[str]) -> np.ndarray | None:
    """sqrt(mean variance explained over layers) per factor, from ``uns[key]['variance_explained']``."""
    key = factors_key[2:] if factors_key.startswith("X_") else factors_key
    u = mdata.uns.get(key)
    r2 = u.get("variance_explained") if isinstance(u, Mapping) else None
    if r2 is None:
        return None
    r2 = r2 if isinstance(r2, pd.DataFrame) else pd.DataFrame(r2)
    if not set(names) <= set(map(str, r2.columns)):
        return None
    w = np.sqrt(np.clip(r2[names].to_numpy(dtype=float), 0.0, None).mean(axis=0))
    return w if np.isfinite(w).all() and w.max() > 0 else None


# --------------------------------------------------------------------------------------------
# survival: log-rank
# --------------------------------------------------------------------------------------------
# --------------------------------------------------------------------------------------------
# associations
# --------------------------------------------------------------------------------------------
def _clinical_columns(obs: pd.DataFrame, exclude: set[str], max_levels: int) -> list[str]:
    cols = []
    for c in obs.columns:
        if c in exclude:
            continue
        s = obs[c]
        if s.notna().mean() < 0.5:
            continue
        nun = s.nunique(dropna=True)
        if pd.api.types.is_bool_dtype(s) or (not pd.api.types.is_numeric_dtype(s)):
            if 2 <= nun <= max_levels:
                cols.append(str(c))
        elif nun > 5 or nun == 2:
            cols.append(str(c))
    return cols


def _is_categorical(s: pd.Series) -> bool:
    return (not pd.api.types.is_numeric_dtype(s)) or pd.api.types.is_bool_dtype(s) or s.nunique(dropna=True) <= 2


def _test_numeric_vs(x: pd.Series, y: pd.Series, min_group: int) -> dict[str, Any] | None:
    """Test a numeric x (factor, drug response) against y (categorical or numeric)."""
    ok = x.notna() & y.notna()
    x, y = x[ok].astype(float), y[ok]
    if len(x) < 5:
        return None
    if _is_categorical(y):
        ys = y.astype(str)
        counts = ys.value_counts()
        keep = counts.index[counts >= min_group]
        if len(keep) < 2:
            return None
        groups = [x[ys == lv].to_numpy() for lv in keep]
        H, p = stats.kruskal(*groups)
        n = sum(len(g) for g in groups)
        eps2 = float((H - len(groups) + 1) / (n - len(groups))) if n > len(groups) else float("nan")
        top = max(keep, key=lambda lv: float(np.median(x[ys == lv])))
        return {"test": "kruskal", "statistic": float(H), "effect": eps2, "effect_name": "epsilon2",
                "p_value": float(p), "n": int(n), "detail": f"highest in {top}"}
    rho, p = stats.spearmanr(x, y.astype(float))
    return {"test": "spearman", "statistic": float(rho), "effect": float(rho), "effect_name": "rho",
            "p_value": float(p), "n": int(len(x)), "detail": ""}


def _test_groups_vs(g: pd.Series, y: pd.Series, min_group: int) -> dict[str, Any] | None:
    """Test subtype labels g against y (clinical or drug variable)."""
    ok = g.notna() & y.notna()
    g, y = g[ok].astype(str), y[ok]
    if len(g) < 5 or g.nunique() < 2:
        return None
    if _is_categorical(y):
        tab = pd.crosstab(g, y.astype(str))
        if tab.shape[0] < 2 or tab.shape[1] < 2:
            return None
        if tab.shape == (2, 2):
            _, p = stats.fisher_exact(tab.to_numpy())
            chi2 = stats.chi2_contingency(tab.to_numpy(), correction=False)[0]
            test = "fisher"
        else:
            chi2, p, _, _ = stats.chi2_contingency(tab.to_numpy(), correction=False)
            test = "chi2"
        n = int(tab.to_numpy().sum())
        v = float(np.sqrt(chi2 / (n * (min(tab.shape) - 1)))) if n > 0 else float("nan")
        return {"test": test, "statistic": float(chi2), "effect": v, "effect_name": "cramers_v", "p_value": float(p),
                "n": n, "detail": ""}
    return _test_numeric_vs(y.astype(float), g, min_group)


def integration_associations(
    mdata: Any,
    *,
    factors_key: str = "X_factors",
    subtype_key: str = "subtype",
    clinical: Sequence[str] | None = None,
    survival: tuple[str, str] | None = ("survival_time", "survival_event"),
    drug_mod: str | None = "drug",
    drug_layer: str | None = None,
    max_levels: int = 20,
    min_group: int = 3,
    key_added: str | None = "integration_associations",
    overwrite: bool = False,
) -> pd.DataFrame:
    """Test factors and subtypes against clinical variables, survival and drug response.

    For every factor (``obsm[factors_key]``) and the subtype labels (``obs[subtype_key]``),
    whichever exist:

    - clinical variables (``clinical``, default: ``obs`` columns with 2-``max_levels``
      categories or numeric ones): factor vs categorical -> Kruskal-Wallis (effect epsilon^2),
      factor vs numeric -> Spearman; subtype vs categorical -> chi-square / Fisher (Cramer's V),
      subtype vs numeric -> Kruskal-Wallis;
    - survival (``obs`` time / event columns): subtype -> k-group log-rank test; factor ->
      log-rank trend (Cox score) test, ``effect`` = its z (> 0: higher factor, higher hazard);
    - drug response (modality ``drug_mod``; ``X`` or ``drug_layer``, e.g. AUC, lower = more
      sensitive): factor -> Spearman per drug; subtype -> Kruskal-Wallis per drug.

    q-values are Benjamini-Hochberg within each family (kind x factor / subtype).

    Parameters
    ----------
    mdata
        The cohort.
    factors_key, subtype_key
        Where the factors and subtypes are.
    clinical
        Clinical columns to test (default: automatic choice, see above).
    survival
        ``(time, event)`` columns of ``obs``; ``None`` to skip.
    drug_mod, drug_layer
        Drug-response modality and layer; ``None`` to skip.
    max_levels
        Most categories of an automatically chosen categorical column.
    min_group
        Smallest group size for a group comparison.
    key_added
        ``uns`` key receiving the table (``None``: do not store); ``uns[key_added + "_params"]``
        records the survival columns used and their tests (``survival_tested``), so they are
        never tested as plain clinical variables.
    overwrite
        Replace ``uns[key_added]`` when another function (or the user) wrote it.

    Returns
    -------
    pandas.DataFrame
        One row per test: ``target`` (factor name or the subtype key), ``kind`` (clinical /
        survival / drug), ``variable``, ``test``, ``statistic``, ``effect``, ``effect_name``,
        ``p_value``, ``q_value``, ``n``, ``detail``; sorted by p-value.

    Examples
    --------
    >>> import anndata as ad, mudata as md, numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> ids = [f"s{i}" for i in range(40)]
    >>> m = md.MuData({"rna": ad.AnnData(rng.normal(size=(40, 3)), obs=pd.DataFrame(index=ids))})
    >>> m.obs["grade"] = np.repeat(["G1", "G3"], 20)
    >>> m.obsm["X_factors"] = np.c_[np.repeat([0.0, 2.0], 20) + rng.normal(size=40)]
    >>> res = integration_associations(m, survival=None, drug_mod=None)
    >>> res.loc[0, ["target", "variable", "test"]].tolist()
    ['Factor1', 'grade', 'kruskal']
    """
    _check_mdata(mdata)
    if key_added:
        claim_key(mdata, "uns", key_added, by="tl.integration_associations", overwrite=overwrite)
    obs = mdata.obs.copy()
    obs.index = obs.index.astype(str)
    targets = _association_targets(mdata, obs, factors_key, subtype_key)
    clin_cols = _chosen_clinical(obs, clinical, {subtype_key, *(survival or ())}, max_levels)
    drugs = _drug_frame(mdata, drug_mod, drug_layer, obs.index)
    rows: list[dict[str, Any]] = []
    for name, s in targets.items():
        is_sub = name == subtype_key
        rows += _clinical_rows(name, s, obs, clin_cols, is_sub, min_group)
        rows += _survival_rows(name, s, obs, survival, is_sub)
        rows += _drug_rows(name, s, drugs, is_sub, min_group)
    res = _association_table(rows)
    if key_added:
        mdata.uns[key_added] = res.copy()
        claim_key(mdata, "uns", f"{key_added}_params", by="tl.integration_associations", overwrite=overwrite)
        mdata.uns[f"{key_added}_params"] = _survival_params(obs, survival, res)
    return res


def _survival_params(obs: pd.DataFrame, survival: tuple[str, str] | None, res: pd.DataFrame) -> dict[str, Any]:
    """What was used as survival (time / event columns, tests) for ``uns``; warns when only one of the two columns exists."""
    present = [c for c in (survival or ()) if c in obs.columns]
    if survival and len(present) == 1:
        warnings.warn(f"integration_associations: survival column {present[0]!r} is in obs but {set(survival) - set(present)} "
                      "is not, so survival was not tested (and the column is not tested as a clinical variable); "
                      "pass survival=(time, event) naming both columns.", UserWarning, stacklevel=3)
    tested = bool(survival) and len(present) == 2
    return clean_params({"survival_time": survival[0] if survival else None,
                         "survival_event": survival[1] if survival else None, "survival_tested": tested,
                         "subtype_test": "logrank" if tested else None,
                         "factor_test": "logrank_trend (Cox score test per factor)" if tested else None,
                         "n_survival_tests": int((res["kind"] == "survival").sum()) if not res.empty else 0})


def _association_targets(mdata: Any, obs: pd.DataFrame, factors_key: str, subtype_key: str) -> dict[str, pd.Series]:
    """Every factor and the subtype labels, whichever exist (an InputError when neither does)."""
    targets: dict[str, pd.Series] = {}
    if factors_key in mdata.obsm:
        F = get_factors(mdata, key=factors_key, dropna=False)
        targets.update({str(c): F[c] for c in F.columns})
    if subtype_key in obs.columns:
        targets[subtype_key] = obs[subtype_key].astype("string").astype(object).where(obs[subtype_key].notna())
    if not targets:
        msg = (
            f"integration_associations: the cohort has neither obsm['{factors_key}'] nor obs['{subtype_key}']: "
            "run oncoresist.tl.factors and/or oncoresist.tl.subtypes first."
        )
        raise InputError(msg)
    return targets


def _chosen_clinical(obs: pd.DataFrame, clinical: Sequence[str] | None, exclude: set[str], max_levels: int) -> list[str]:
    """The clinical columns to test: the given ones (checked) or the automatic choice."""
    if clinical is None:
        return _clinical_columns(obs, exclude, max_levels)
    missing = [c for c in clinical if c not in obs.columns]
    if missing:
        msg = f"integration_associations: clinical column(s) {', '.join(missing)} not in mdata.obs; available: {', '.join(map(str, obs.columns[:15]))}."
        raise InputError(msg)
    return list(clinical)


def _drug_frame(mdata: Any, drug_mod: str | None, drug_layer: str | None, index: pd.Index) -> pd.DataFrame | None:
    """Samples x drugs response of ``drug_mod`` (``X`` or ``drug_layer``) on ``index``; None when absent."""
    if not drug_mod or drug_mod not in mdata.mod:
        return None
    a = mdata.mod[drug_mod]
    Xd = a.layers[drug_layer] if drug_layer else a.X
    return pd.DataFrame(np.asarray(Xd.toarray() if hasattr(Xd, "toarray") else Xd, dtype=float),
                        index=a.obs_names.astype(str), columns=a.var_names.astype(str)).reindex(index)


def _clinical_rows(name: str, s: pd.Series, obs: pd.DataFrame, cols: list[str], is_sub: bool, min_group: int) -> list[dict[str, Any]]:
    """Tests of one target against each clinical column."""
    rows = []
    for c in cols:
        r = _test_groups_vs(s, obs[c], min_group) if is_sub else _test_numeric_vs(s.astype(float), obs[c], min_group)
        if r:
            rows.append({"target": name, "kind": "clinical", "variable": c, **r})
    return rows


def _survival_rows(name: str, s: pd.Series, obs: pd.DataFrame, survival: tuple[str, str] | None, is_sub: bool) -> list[dict[str, Any]]:
    """The log-rank (subtypes) or log-rank trend (a factor) test of one target, when survival is there."""
    if not survival or not all(c in obs.columns for c in survival):
        return []
    tt = pd.to_numeric(obs[survival[0]], errors="coerce")
    ee = pd.to_numeric(obs[survival[1]], errors="coerce")
    r = logrank_test(tt.to_numpy(), ee.to_numpy(), s if is_sub else s.astype(float))
    if not np.isfinite(r["statistic"]):
        return []
    return [{"target": name, "kind": "survival", "variable": f"{survival[0]}/{survival[1]}",
             "test": "logrank" if is_sub else "logrank_trend", "statistic": r["statistic"],
             "effect": r.get("z", float("nan")), "effect_name": "" if is_sub else "z",
             "p_value": r["p_value"], "n": r["n"], "detail": f"{r['n_events']} events"}]


def _drug_rows(name: str, s: pd.Series, drugs: pd.DataFrame | None, is_sub: bool, min_group: int) -> list[dict[str, Any]]:
    """Tests of one target against every drug's response."""
    if drugs is None:
        return []
    rows = []
    for drug in drugs.columns:
        y = drugs[drug]
        r = _test_numeric_vs(y, s, min_group) if is_sub else _test_numeric_vs(s.astype(float), y, min_group)
        if r:
            rows.append({"target": name, "kind": "drug", "variable": drug, **r})
    return rows


def _association_table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The rows as the result table, q-values (BH) within each kind x target, sorted by p-value."""
    cols = ["target", "kind", "variable", "test", "statistic", "effect", "effect_name", "p_value", "q_value", "n", "detail"]
    res = pd.DataFrame(rows)
    if res.empty:
        return pd.DataFrame(columns=cols)
    res["q_value"] = np.nan
    for _, idx in res.groupby(["kind", "target"]).groups.items():
        res.loc[idx, "q_value"] = bh_fdr(res.loc[idx, "p_value"].to_numpy())
    return res[cols].sort_values(["p_value", "target", "variable"], kind="stable").reset_index(drop=True)

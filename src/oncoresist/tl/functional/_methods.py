"""Registry of activity-inference methods: one small kernel per method, vectorised over samples.

Every kernel takes ``mat`` (samples x features, finite unless the method says otherwise) and
``adj`` (features x sources; the edge weight, 0 = no edge) and returns ``(scores, pvalues)``, both
samples x sources. :data:`METHOD_REGISTRY` maps a method name to its :class:`ActivityMethod`.
The definitions follow decoupler (Badia-i-Mompel et al. 2022 Bioinform Adv,
doi:10.1093/bioadv/vbac016) so that the scores agree with it on the same inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats

from ..._core._errors import InputError

__all__ = ["METHOD_REGISTRY", "ActivityMethod", "area", "gsea", "ksea", "mlm", "ulm", "wmean", "wsum"]


def ulm(mat: np.ndarray, adj: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Univariate linear model: t-value of the slope of each sample's values on each source's weights.

    Badia-i-Mompel et al. 2022 Bioinform Adv, doi:10.1093/bioadv/vbac016.

    Parameters
    ----------
    mat
        Samples x features.
    adj
        Features x sources weights (0 = not a target).

    Returns
    -------
    tuple of ndarray
        t-values and two-sided p-values (t distribution, ``n_features - 2`` df).

    Examples
    --------
    >>> x = np.array([[3.0, 2.0, 0.0, -1.0]]); w = np.array([[1.0], [1.0], [0.0], [0.0]])
    >>> t, p = ulm(x, w)
    >>> round(float(t[0, 0]), 3)
    4.243
    """
    n = mat.shape[1]
    xc, yc = adj - adj.mean(0), mat - mat.mean(1, keepdims=True)
    r = (yc @ xc) / np.outer(np.linalg.norm(yc, axis=1), np.linalg.norm(xc, axis=0))
    r = np.clip(np.nan_to_num(r), -1 + 1e-15, 1 - 1e-15)
    t = r * np.sqrt((n - 2) / ((1 - r) * (1 + r)))
    return t, 2 * stats.t.sf(np.abs(t), n - 2)


def mlm(mat: np.ndarray, adj: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Multivariate linear model: t-values of all sources fitted jointly (with an intercept), as in decoupler.

    Parameters
    ----------
    mat, adj
        Samples x features; features x sources weights (the sources must not be collinear).

    Returns
    -------
    tuple of ndarray
        t-values and two-sided p-values (``n_features - n_sources - 1`` df).

    Examples
    --------
    >>> rng = np.random.default_rng(0); w = rng.normal(size=(50, 2)); x = (w @ [[2.0], [0.0]]).T
    >>> t, _ = mlm(x + rng.normal(size=(1, 50)) * 0.1, w)
    >>> bool(t[0, 0] > 10 > abs(t[0, 1]))
    True
    """
    n, k = adj.shape
    x = np.column_stack([np.ones(n), adj])
    df = n - k - 1
    gram = x.T @ x
    if df < 1 or np.linalg.matrix_rank(gram, hermitian=True) < k + 1:  # rank of the small Gram matrix: fast
        msg = (f"mlm: the {k} sources are collinear or outnumber the {n} shared features; "
               "use method='ulm', a larger tmin or fewer sources.")
        raise InputError(msg)
    inv = np.linalg.inv(gram)
    coef = inv @ x.T @ mat.T
    sse = ((mat.T - x @ coef) ** 2).sum(0) / df
    se = np.sqrt(np.outer(np.diag(inv)[1:], sse))
    t = (coef[1:] / se).T
    return t, 2 * stats.t.sf(np.abs(t), df)


def _permute(score: Callable[[np.ndarray], np.ndarray], mat: np.ndarray, times: int,
             rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Observed score, its z-score against ``times`` feature permutations and the empirical p-value."""
    es = score(mat)
    s1, s2, exceed = np.zeros_like(es), np.zeros_like(es), np.zeros_like(es)
    for _ in range(times):
        d = score(mat[:, rng.permutation(mat.shape[1])]) - es  # shifted by es: stable variance
        s1 += d
        s2 += d * d
        exceed += np.abs(d + es) > np.abs(es)
    sd = np.sqrt(np.maximum(s2 - s1 * s1 / times, 0) / (times - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(sd > 0, -(s1 / times) / sd, 0.0)
    return es, z, (exceed + 1) / (times + 1)


def _waggr(mat: np.ndarray, adj: np.ndarray, *, mean: bool, times: int, flavour: str,
           rng: np.random.Generator | int | None) -> tuple[np.ndarray, np.ndarray]:
    """Weighted sum / mean with permutation normalisation (raw, norm or corr)."""
    if flavour not in ("raw", "norm", "corr"):
        msg = f"flavour must be 'raw', 'norm' or 'corr', got {flavour!r}."
        raise InputError(msg)
    div = np.abs(adj).sum(0) if mean else 1.0
    score = lambda m: (m @ adj) / div  # noqa: E731
    if times < 2:
        if flavour != "raw":
            msg = f"flavour={flavour!r} needs times >= 2 permutations (got {times}); use flavour='raw'."
            raise InputError(msg)
        return score(mat), np.full((mat.shape[0], adj.shape[1]), np.nan)
    es, z, p = _permute(score, mat, int(times), np.random.default_rng(rng))
    return {"raw": es, "norm": z, "corr": es * -np.log10(p)}[flavour], p


def wmean(mat: np.ndarray, adj: np.ndarray, *, times: int = 1000, flavour: str = "norm",
          rng: np.random.Generator | int | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """Weighted mean ``x @ w / sum|w|``; ``norm``: z-score against feature permutations, ``corr``: score x -log10 p.

    Badia-i-Mompel et al. 2022 Bioinform Adv, doi:10.1093/bioadv/vbac016.

    Parameters
    ----------
    mat, adj
        Samples x features; features x sources weights.
    times
        Permutations (shuffling the features of each sample, the same shuffles for all samples).
    flavour
        ``"raw"`` (the weighted mean), ``"norm"`` or ``"corr"``.
    rng
        Seed or generator of the permutations.

    Returns
    -------
    tuple of ndarray
        Scores and empirical p-values ``(#|null| > |score| + 1) / (times + 1)`` (NaN for raw without permutations).

    Examples
    --------
    >>> s, _ = wmean(np.array([[2.0, 4.0, 9.0]]), np.array([[1.0], [-1.0], [0.0]]), times=0, flavour="raw")
    >>> float(s[0, 0])
    -1.0
    """
    return _waggr(mat, adj, mean=True, times=times, flavour=flavour, rng=rng)


def wsum(mat: np.ndarray, adj: np.ndarray, *, times: int = 1000, flavour: str = "norm",
         rng: np.random.Generator | int | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """Weighted sum ``x @ w`` with the permutation normalisations of :func:`wmean` (same reference).

    Parameters
    ----------
    mat
        Samples x features.
    adj
        Features x sources weights.
    times, flavour, rng
        Permutations, ``"raw"`` / ``"norm"`` / ``"corr"`` and their seed, as for :func:`wmean`.

    Returns
    -------
    tuple of ndarray
        Scores and empirical p-values (NaN for raw scores without permutations).

    Examples
    --------
    >>> x, w = np.array([[2.0, 4.0, 9.0]]), np.array([[1.0], [-1.0], [0.0]])
    >>> wsum(x, w, times=0, flavour="raw")[0].tolist()  # 2 - 4, not divided by sum |w|
    [[-2.0]]
    """
    return _waggr(mat, adj, mean=False, times=times, flavour=flavour, rng=rng)


def area(mat: np.ndarray, adj: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """VIPER's analytic rank-based enrichment (aREA), without the pleiotropy correction.

    Alvarez et al. 2016 Nat Genet, doi:10.1038/ng.3593. Two-tailed (signed rank) and one-tailed
    (absolute rank) enrichments are combined; the weights are the modes of regulation (expected
    in [-1, 1]).

    Parameters
    ----------
    mat, adj
        Samples x features; features x sources modes of regulation.

    Returns
    -------
    tuple of ndarray
        Normalised enrichment scores and two-sided normal p-values.

    Examples
    --------
    >>> x = np.array([[5.0, 4.0, 0.0, -3.0, 1.0]]); w = np.array([[1.0], [1.0], [0.0], [-1.0], [0.0]])
    >>> bool(area(x, w)[0][0, 0] > 0)
    True
    """
    wts = (adj != 0).astype(float)
    scale = np.sqrt((wts**2).sum(0))
    wts = wts / np.maximum(wts.sum(0), 1)
    q = stats.rankdata(mat, axis=1) / (mat.shape[1] + 1)
    t1 = np.abs(q - 0.5) * 2
    t1 = t1 + (1 - t1.max(axis=1, keepdims=True)) / 2
    keep = (adj != 0).any(1)
    t1, q, net, wts = stats.norm.ppf(t1[:, keep]), stats.norm.ppf(q[:, keep]), adj[keep], wts[keep]
    sum1 = q @ (wts * net)
    sum2 = t1 @ ((1 - np.abs(net)) * wts)
    nes = (np.abs(sum1) + sum2 * (sum2 > 0)) * np.sign(sum1) * scale
    return nes, 2 * stats.norm.sf(np.abs(nes))


def _es_sets(mat: np.ndarray, members: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Running-sum enrichment scores of every sample x set, read off at the hits only."""
    n = mat.shape[1]
    order = np.argsort(-mat, axis=1, kind="stable")
    pos = np.empty_like(order)
    np.put_along_axis(pos, order, np.arange(n)[None, :].repeat(len(mat), 0), axis=1)
    p = np.where(valid[None], pos[:, members], n)  # samples x sets x kmax (pads at the end)
    w = np.where(valid[None], np.abs(np.take_along_axis(mat, members.reshape(1, -1), axis=1)
                                     .reshape(p.shape)), 0.0)
    srt = np.argsort(p, axis=2)
    p, w = np.take_along_axis(p, srt, 2), np.take_along_axis(w, srt, 2)
    k = valid.sum(1)
    tot = w.sum(2, keepdims=True)
    cw = np.cumsum(w, 2) / np.where(tot > 0, tot, 1)
    dec = 1.0 / (n - k)[None, :, None]
    j = np.arange(members.shape[1])[None, None, :]
    after = np.where(valid[None], cw - dec * (p - j), -np.inf)
    before = np.where(valid[None], cw - w / np.where(tot > 0, tot, 1) - dec * (p - j), np.inf)
    hi, lo = np.maximum(after.max(2), 0), np.minimum(before.min(2), 0)
    return np.where(tot[..., 0] > 0, np.where(hi > -lo, hi, lo), 0.0)


def gsea(mat: np.ndarray, adj: np.ndarray, *, times: int = 1000,
         rng: np.random.Generator | int | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """Preranked GSEA per sample: weighted (|value|) Kolmogorov-Smirnov running sum, normalised by permutations.

    Subramanian et al. 2005 PNAS, doi:10.1073/pnas.0506580102. Chosen as the preranked
    enrichment because it needs no cohort-wide kernel density (GSVA) and no arbitrary
    top-n cut-off (ORA), so a sample's score does not depend on the other samples. Set
    membership is ``adj != 0``; with ``times >= 2`` the score is the NES (ES divided by the mean
    null ES of the same sign, feature labels permuted) and p the one-sided empirical p-value.

    Parameters
    ----------
    mat, adj
        Samples x features; features x sets membership.
    times
        Permutations (0: ES and NaN p-values).
    rng
        Seed or generator.

    Returns
    -------
    tuple of ndarray
        NES (or ES) and p-values.

    Examples
    --------
    >>> x = np.array([[5.0, 4.0, 3.0, 0.5, 0.1, -1.0]]); w = np.array([[1.0, 1.0, 0, 0, 0, 0]]).T
    >>> round(float(gsea(x, w, times=0)[0][0, 0]), 3)
    1.0
    """
    kmax = int((adj != 0).sum(0).max())
    members = np.zeros((adj.shape[1], kmax), dtype=int)
    valid = np.zeros_like(members, dtype=bool)
    for s in range(adj.shape[1]):
        idx = np.flatnonzero(adj[:, s])
        members[s, : len(idx)], valid[s, : len(idx)] = idx, True
    es = _es_sets(mat, members, valid)
    if times < 2:
        return es, np.full(es.shape, np.nan)
    gen = np.random.default_rng(rng)
    nulls = np.stack([_es_sets(mat, gen.permutation(adj.shape[0])[members], valid) for _ in range(int(times))])
    pos, neg = nulls >= 0, nulls < 0
    with np.errstate(divide="ignore", invalid="ignore"):
        mpos = np.where(pos, nulls, 0).sum(0) / pos.sum(0)
        mneg = np.where(neg, nulls, 0).sum(0) / neg.sum(0)
        nes = np.where(es >= 0, es / mpos, -es / mneg)
        pv = np.where(es >= 0, (pos & (nulls >= es)).sum(0) / pos.sum(0), (neg & (nulls <= es)).sum(0) / neg.sum(0))
    return np.nan_to_num(nes), np.where(np.isfinite(pv), pv, 1.0)


def ksea(mat: np.ndarray, adj: np.ndarray, *, tmin: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """KSEA z-score: ``(mean of substrates - mean of all sites) x sqrt(m) / sd of all sites``.

    Casado et al. 2013 Sci Signal, doi:10.1126/scisignal.2003573; Wiredja et al. 2017
    Bioinformatics, doi:10.1093/bioinformatics/btx415. Missing values (NaN) are allowed: each
    sample uses its measured sites; a kinase with fewer than ``tmin`` measured substrates in a
    sample gets NaN. Substrate values are signed by the edge weight (dephosphorylation -1).

    Parameters
    ----------
    mat, adj
        Samples x sites (NaN = not measured); sites x kinases weights.
    tmin
        Minimum measured substrates per sample and kinase.

    Returns
    -------
    tuple of ndarray
        z-scores and two-sided normal p-values.

    Examples
    --------
    >>> x = np.array([[2.0, 3.0, 0.0, -1.0, np.nan]]); w = np.array([[1.0, 1.0, 0, 0, 1.0]]).T
    >>> round(float(ksea(x, w)[0][0, 0]), 3)
    1.162
    """
    ok = np.isfinite(mat)
    x0 = np.where(ok, mat, 0.0)
    cnt = ok.sum(1, keepdims=True)
    mu = x0.sum(1, keepdims=True) / cnt
    sd = np.sqrt((np.where(ok, mat - mu, 0) ** 2).sum(1, keepdims=True) / (cnt - 1))
    if ok.all():  # complete data: the per-sample counts are the same for every sample
        m = np.broadcast_to((adj != 0).sum(0), (mat.shape[0], adj.shape[1]))
        wsum = np.broadcast_to(np.abs(adj).sum(0), m.shape)
    else:
        m, wsum = ok.astype(float) @ (adj != 0), ok.astype(float) @ np.abs(adj)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = (x0 @ adj) / wsum
        z = (mean - mu) * np.sqrt(m) / sd
    z = np.where(m >= max(tmin, 1), z, np.nan)
    return z, 2 * stats.norm.sf(np.abs(z))


@dataclass(frozen=True)
class ActivityMethod:
    """One activity method: its kernel, reference and whether it accepts missing values."""

    name: str
    kernel: Callable[..., tuple[np.ndarray, np.ndarray]]
    reference: str
    missing_ok: bool = False
    random: bool = False


METHOD_REGISTRY: dict[str, ActivityMethod] = {m.name: m for m in (
    ActivityMethod("ulm", ulm, "doi:10.1093/bioadv/vbac016"),
    ActivityMethod("mlm", mlm, "doi:10.1093/bioadv/vbac016"),
    ActivityMethod("wmean", wmean, "doi:10.1093/bioadv/vbac016", random=True),
    ActivityMethod("wsum", wsum, "doi:10.1093/bioadv/vbac016", random=True),
    ActivityMethod("viper", area, "doi:10.1038/ng.3593"),
    ActivityMethod("gsea", gsea, "doi:10.1073/pnas.0506580102", random=True),
    ActivityMethod("ksea", ksea, "doi:10.1126/scisignal.2003573", missing_ok=True),
)}

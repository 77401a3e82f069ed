"""Missing values: filter features by missingness; impute with missing-not-at-random awareness.

In mass-spectrometry proteomics a value is often missing *because* the peptide was below the
detection limit (missing not at random, MNAR); elsewhere (a failed run, a TMT plex that did
not pick the protein up) it is missing at random (MAR). Treating both the same biases
estimates: MAR imputation overestimates censored values, down-shifted draws underestimate
random gaps (Lazar et al. 2016, J Proteome Res 15:1116). :func:`impute` with
``method="mixed"`` decides per feature from the data.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .._core._docs import DOC_PP_COPY, DOC_PP_DATA, DOC_PP_LAYER, doc_params
from .._core._errors import InputError
from ._base import claim, finish, get_matrix, is_mudata, obs_column, record, replace_modality, start

__all__ = ["filter_missing", "impute", "lowrank_impute"]


@doc_params(doc_data=DOC_PP_DATA)
def filter_missing(
    data: Any,
    *,
    mod: str = "prot",
    max_missing: float = 0.5,
    groupby: str | None = None,
    layer: str | None = None,
    copy: bool = False,
) -> Any:
    """Remove features missing in more than ``max_missing`` of the samples.

    With ``groupby`` (a column of ``obs`` or of the cohort's ``obs``) a feature is kept when
    it passes in at least one group (e.g. detected in tumours though absent in normals). The
    names of the removed features are recorded in ``uns['pp']['filter_missing']['dropped']``
    and a warning says how many were removed.

    Parameters
    ----------
    {doc_data}
    max_missing
        Largest allowed fraction of missing values, in [0, 1].
    groupby
        Optional sample grouping.
    layer
        Matrix to assess (default ``X``).
    copy
        Return a changed copy.

    Returns
    -------
    MuData, AnnData or None
        The copy when ``copy=True``; for an AnnData changed in place, the filtered AnnData (a
        view cannot shrink in place).

    Examples
    --------
    >>> import anndata as ad, numpy as np
    >>> a = ad.AnnData(np.array([[1.0, np.nan], [2.0, np.nan], [3.0, 1.0]]))
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # it warns about the removed feature
    ...     filter_missing(a, max_missing=0.5, copy=True).n_vars
    1
    """
    func = "filter_missing"
    if not 0 <= max_missing <= 1:
        msg = f"{func}: max_missing must be a fraction in [0, 1], got {max_missing!r}."
        raise InputError(msg)
    container, a = start(data, mod, copy=copy, func=func)
    X = get_matrix(a, layer, func=func, mod=mod)
    miss = ~np.isfinite(X)
    if groupby is None:
        keep = miss.mean(axis=0) <= max_missing
    else:
        g = obs_column(container, a, groupby, func=func).astype("string").fillna("NA").to_numpy()
        keep = np.zeros(a.n_vars, dtype=bool)
        for level in np.unique(g):
            keep |= miss[g == level].mean(axis=0) <= max_missing
    dropped = a.var_names[~keep].tolist()
    if dropped:
        warnings.warn(
            f"{func}: removed {len(dropped)} of {a.n_vars} feature(s) of modality '{mod}' missing in more than "
            f"{max_missing:.0%} of samples (e.g. {dropped[0]!r}); names in uns['pp']['filter_missing'].",
            UserWarning,
            stacklevel=2,
        )
    new = a[:, keep].copy()
    record(new, "filter_missing", {"max_missing": float(max_missing), "groupby": groupby, "n_features_in": int(a.n_vars),
                                   "n_dropped": len(dropped), "dropped": dropped})
    if is_mudata(container):
        replace_modality(container, mod, new)
        return finish(container, copy)
    return new


def lowrank_impute(X: np.ndarray, *, rank: int = 10, max_iter: int = 200, tol: float = 1e-6,
                   ridge: float = 1e-3, random_state: int | None = 0) -> np.ndarray:
    """Fill NaNs with a rank-``rank`` reconstruction fitted to the observed entries only.

    Alternating least squares on ``X ~ mu + U V'`` over the observed entries (a small ridge
    ``ridge`` keeps the problem well posed; Hastie et al. 2015, JMLR 16:3367), started from the
    SVD of the mean-filled matrix; every row / column update is one batched solve. Observed
    entries are never changed.

    Parameters
    ----------
    X
        Samples x features with NaN for missing values.
    rank
        Rank of the reconstruction (capped by the matrix size).
    max_iter, tol
        Stop when the reconstruction changes by less than ``tol`` (relative) or after
        ``max_iter`` sweeps.
    ridge
        Ridge penalty, relative to the mean squared observed value.
    random_state
        Seed of the randomized SVD start.

    Returns
    -------
    numpy.ndarray
        The completed matrix.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(30, 2)) @ rng.normal(size=(2, 10))
    >>> Y = X.copy(); Y[0, 0] = np.nan
    >>> bool(abs(lowrank_impute(Y, rank=2)[0, 0] - X[0, 0]) < 0.05)
    True
    """
    from sklearn.utils.extmath import randomized_svd

    X = np.asarray(X, dtype=float)
    miss = ~np.isfinite(X)
    if not miss.any():
        return X.copy()
    O = (~miss).astype(float)  # noqa: E741 - observation mask
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mu = np.nanmean(X, axis=0)
    mu = np.where(np.isfinite(mu), mu, 0.0)
    R = np.where(miss, 0.0, X - mu)
    r = max(1, min(rank, min(X.shape) - 1))
    U, S, Vt = randomized_svd(R, n_components=r, n_iter=3, random_state=random_state)
    U = U * np.sqrt(S)
    V = Vt.T * np.sqrt(S)
    lam = ridge * max(float((R**2).sum() / max(O.sum(), 1.0)), 1e-12)
    eye = lam * np.eye(r)

    def solve(Om: np.ndarray, Rm: np.ndarray, F: np.ndarray) -> np.ndarray:
        outer = (F[:, :, None] * F[:, None, :]).reshape(F.shape[0], r * r)
        G = (Om @ outer).reshape(-1, r, r) + eye
        rhs = Rm @ F
        return np.linalg.solve(G, rhs[:, :, None])[:, :, 0]

    prev = U @ V.T
    for _ in range(max_iter):
        U = solve(O, R, V)
        V = solve(O.T, R.T, U)
        cur = U @ V.T
        if np.linalg.norm(cur - prev) <= tol * max(np.linalg.norm(prev), 1e-12):
            prev = cur
            break
        prev = cur
    out = X.copy()
    out[miss] = (prev + mu)[miss]
    return out


@doc_params(doc_data=DOC_PP_DATA, doc_layer=DOC_PP_LAYER, doc_copy=DOC_PP_COPY)
def impute(
    data: Any,
    *,
    mod: str = "prot",
    method: str = "mixed",
    rank: int = 10,
    shift: float = 1.8,
    width: float = 0.3,
    n_neighbors: int = 10,
    mnar_z: float = 2.0,
    layer: str | None = None,
    random_state: int | None = 0,
    copy: bool = False,
    overwrite: bool = False,
) -> Any:
    """Impute missing values of a layer, aware of missing-not-at-random (left-censored) values.

    The methods are:

    - ``"mixed"`` (default): first a MAR estimate by low-rank reconstruction
      (:func:`lowrank_impute`); a feature is then called MNAR when those estimates at its
      missing entries lie clearly below its observed values (their mean is more than
      ``mnar_z`` standard errors below the observed mean: the samples missing it look
      low in the correlated features, as censoring predicts). MNAR features get draws from a
      down-shifted normal, MAR features keep the low-rank estimates. ``var['mnar']`` flags them.
    - ``"lowrank"``: low-rank estimates everywhere (MAR).
    - ``"knn"``: :class:`sklearn.impute.KNNImputer` over samples (MAR).
    - ``"downshift"``: per feature, draws from ``N(mean - shift * sd, (width * sd)^2)`` of its
      observed values (Perseus-style; MNAR everywhere).
    - ``"min"``: the feature's minimum observed value (MNAR, deterministic).

    ``X`` receives the completed matrix; ``layers['missing']`` (1 = was missing) records
    which entries were imputed. Features or samples with no observed value cannot be imputed
    and stay NaN (counted in the record).

    Parameters
    ----------
    {doc_data}
    method
        ``"mixed"``, ``"lowrank"``, ``"knn"``, ``"downshift"`` or ``"min"``.
    rank
        Rank of the low-rank reconstruction.
    shift, width
        Down-shifted normal, in units of the feature's observed standard deviation.
    n_neighbors
        Neighbours for ``"knn"``.
    mnar_z
        Evidence threshold (standard errors) for calling a feature MNAR in ``"mixed"``.
    {doc_layer}
    random_state
        Seed of the random draws and of the randomized SVD.
    {doc_copy}

    Examples
    --------
    >>> import anndata as ad, numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(40, 2)) @ rng.normal(size=(2, 30)) + 20
    >>> X[X < 18.5] = np.nan   # left-censored
    >>> a = ad.AnnData(X)
    >>> impute(a)
    >>> bool(np.isfinite(a.X).all())
    True
    """
    func = "impute"
    methods = ("mixed", "lowrank", "knn", "downshift", "min")
    if method not in methods:
        msg = f"{func}: method must be one of {', '.join(methods)}, got {method!r}."
        raise InputError(msg)
    container, a = start(data, mod, copy=copy, func=func)
    claim(a, func, [("layers", "missing"), ("var", "mnar")], overwrite=overwrite)
    X = get_matrix(a, layer, func=func, mod=mod)
    mean, sd, n_obs = _feature_stats(X)
    empty_feat, empty_samp = n_obs == 0, np.isfinite(X).sum(axis=1) == 0
    fill, mnar = _fill_values(X, ~empty_feat, method, _Downshift(np.random.default_rng(random_state), mean, sd, shift, width),
                              rank=rank, random_state=random_state, mnar_z=mnar_z, n_neighbors=n_neighbors)
    _store_imputed(a, X, fill, mnar, empty_samp, {"method": method, "rank": int(rank), "shift": float(shift),
                                                  "width": float(width), "mnar_z": float(mnar_z), "random_state": random_state})
    if empty_feat.any() or empty_samp.any():
        warnings.warn(
            f"{func}: modality '{mod}' has {int(empty_feat.sum())} feature(s) and {int(empty_samp.sum())} sample(s) "
            "without any observed value; they stay missing (filter them with filter_missing).",
            UserWarning,
            stacklevel=2,
        )
    return finish(container, copy)


def _feature_stats(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-feature observed mean, sd (undefined / zero sd -> median positive sd, else 1) and count."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(X, axis=0)
        sd = np.nanstd(X, axis=0, ddof=1)
    n_obs = np.isfinite(X).sum(axis=0)
    ok = np.isfinite(sd) & (sd > 0)
    sd = np.where(ok, sd, np.nanmedian(sd[ok]) if np.any(ok) else 1.0)
    return mean, sd, n_obs


class _Downshift:
    """Draws from each feature's down-shifted normal ``N(mean - shift * sd, (width * sd)^2)``."""

    def __init__(self, rng: np.random.Generator, mean: np.ndarray, sd: np.ndarray, shift: float, width: float) -> None:
        self.rng, self.mean, self.sd, self.shift, self.width = rng, mean, sd, shift, width

    def __call__(self, shape: tuple[int, ...]) -> np.ndarray:
        """One draw per entry of a samples x features matrix."""
        return self.rng.normal(size=shape) * (self.width * self.sd)[None, :] + (self.mean - self.shift * self.sd)[None, :]


def _lowrank_fill(X: np.ndarray, usable: np.ndarray, *, rank: int, random_state: int | None,
                  mnar_z: float | None, draws: _Downshift) -> tuple[np.ndarray, np.ndarray]:
    """Low-rank estimates; with ``mnar_z``, features whose estimates sit clearly low get down-shifted draws."""
    miss = ~np.isfinite(X)
    est = np.full_like(X, np.nan)
    est[:, usable] = lowrank_impute(X[:, usable], rank=rank, random_state=random_state)
    if mnar_z is None:
        return est, np.zeros(X.shape[1], dtype=bool)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        est_missing_mean = np.nanmean(np.where(miss, est, np.nan), axis=0)
    n_miss = miss.sum(axis=0)
    n_obs = (~miss).sum(axis=0)
    se = draws.sd * np.sqrt(1.0 / np.maximum(n_miss, 1) + 1.0 / np.maximum(n_obs, 1))
    z = (est_missing_mean - draws.mean) / se
    mnar = usable & (n_miss > 0) & (z < -mnar_z)
    return np.where(mnar[None, :], draws(X.shape), est), mnar


def _knn_fill(X: np.ndarray, usable: np.ndarray, n_neighbors: int) -> np.ndarray:
    """K-nearest-neighbour estimates (over samples) of the usable features."""
    from sklearn.impute import KNNImputer

    fill = np.full_like(X, np.nan)
    fill[:, usable] = KNNImputer(n_neighbors=n_neighbors, keep_empty_features=True).fit_transform(X[:, usable])
    return fill


def _min_fill(X: np.ndarray) -> np.ndarray:
    """Each feature's minimum observed value, broadcast to the matrix."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.broadcast_to(np.nanmin(X, axis=0), X.shape)


def _fill_values(X: np.ndarray, usable: np.ndarray, method: str, draws: _Downshift, *, rank: int,
                 random_state: int | None, mnar_z: float, n_neighbors: int) -> tuple[np.ndarray, np.ndarray]:
    """Candidate values for every entry by ``method`` and the features treated as MNAR."""
    if method in ("mixed", "lowrank"):
        return _lowrank_fill(X, usable, rank=rank, random_state=random_state,
                             mnar_z=mnar_z if method == "mixed" else None, draws=draws)
    if method == "knn":
        return _knn_fill(X, usable, n_neighbors), np.zeros(X.shape[1], dtype=bool)
    fill = draws(X.shape) if method == "downshift" else _min_fill(X)
    return fill, usable & ~np.isfinite(X).all(axis=0)


def _store_imputed(a: Any, X: np.ndarray, fill: np.ndarray, mnar: np.ndarray, empty_samp: np.ndarray,
                   params: dict[str, Any]) -> None:
    """Write the completed matrix, ``layers['missing']``, ``var['mnar']`` and the record of :func:`impute`."""
    miss = ~np.isfinite(X)
    empty_feat = ~(~miss).any(axis=0)
    usable = ~empty_feat
    can = miss & usable[None, :] & ~empty_samp[:, None]
    out = X.copy()
    out[can] = fill[can]
    a.X = out
    a.layers["missing"] = miss.astype(np.uint8)
    a.var["mnar"] = mnar
    record(a, "impute", {
        **params, "n_imputed": int(can.sum()), "n_mnar_features": int(mnar.sum()),
        "n_mar_features": int((usable & miss.any(axis=0) & ~mnar).sum()),
        "n_left_missing": int((miss & ~can).sum()), "features_without_values": a.var_names[empty_feat].tolist()[:1000],
        "samples_without_values": a.obs_names[empty_samp].tolist(),
    })

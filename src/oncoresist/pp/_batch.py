"""Batch effects: ComBat empirical-Bayes correction (covariates kept) and how much variance batch explains.

:func:`combat_matrix` is the numerical kernel (samples x features, NaN allowed); :func:`combat`
the cohort function; :func:`batch_variance` measures the share of variance a batch variable
explains, before and after correction.

Reference: Johnson, Li & Rabinovic (2007), *Adjusting batch effects in microarray expression
data using empirical Bayes methods*, Biostatistics 8:118 (the parametric ComBat of the R
package ``sva``).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._core._docs import DOC_PP_COPY, DOC_PP_DATA, DOC_PP_LAYER, doc_params
from .._core._errors import InputError
from ._base import claim, finish, get_matrix, obs_column, record, start

__all__ = ["batch_r2", "batch_variance", "combat", "combat_matrix"]


def _design(batch: pd.Series, covariates: pd.DataFrame | None) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """Batch indicator matrix, covariate matrix (categoricals one-hot, first level dropped)."""
    levels = list(pd.unique(batch))
    B = np.column_stack([(batch.to_numpy() == lv).astype(float) for lv in levels])
    cov_cols: list[np.ndarray] = []
    names: list[str] = []
    if covariates is not None:
        for col in covariates.columns:
            s = covariates[col]
            if pd.api.types.is_numeric_dtype(s) and s.nunique(dropna=True) > 2:
                v = s.to_numpy(dtype=float)
                cov_cols.append(v - np.nanmean(v))
                names.append(str(col))
            else:
                cats = list(pd.unique(s.astype("string")))
                for c in cats[1:]:
                    cov_cols.append((s.astype("string") == c).to_numpy(dtype=float))
                    names.append(f"{col}={c}")
    C = np.column_stack(cov_cols) if cov_cols else np.zeros((len(batch), 0))
    return B, C, [str(x) for x in levels], names


def _solve_per_feature(D: np.ndarray, Y0: np.ndarray, obs_m: np.ndarray) -> np.ndarray:
    """Least squares per feature on its observed samples: solve (D' diag(o) D) beta = D' (o y)."""
    n, p = D.shape
    outer = (D[:, :, None] * D[:, None, :]).reshape(n, p * p)
    G = (obs_m.T @ outer).reshape(-1, p, p)
    rhs = (obs_m * Y0).T @ D
    G = G + 1e-10 * np.eye(p)
    return np.linalg.solve(G, rhs[:, :, None])[:, :, 0]  # features x p


def combat_matrix(
    X: np.ndarray,
    batch: Sequence[Any],
    covariates: pd.DataFrame | None = None,
    *,
    mean_only: bool = False,
    max_iter: int = 100,
    tol: float = 1e-4,
) -> tuple[np.ndarray, dict[str, Any]]:
    """ComBat (parametric empirical Bayes) on a samples x features matrix with missing values.

    Per feature: regress on batch indicators + covariates (observed values only), standardise
    by the pooled residual standard deviation, estimate each batch's location ``gamma`` and
    scale ``delta^2``, shrink them towards their across-feature priors (normal for ``gamma``,
    inverse gamma for ``delta^2``; iterated as in ``sva::it.sol``), and remove them. The
    covariate effects are kept. NaN stays NaN.

    Parameters
    ----------
    X
        Samples x features.
    batch
        Batch label per sample (no missing labels).
    covariates
        Per-sample covariates to preserve (numeric or categorical columns), aligned to ``X``.
    mean_only
        Correct locations only (``delta = 1``), e.g. for batches with very few samples.
    max_iter, tol
        Control of the empirical-Bayes iteration.

    Returns
    -------
    tuple
        The corrected matrix and a dict with ``gamma_star``, ``delta_star`` (batches x
        features), ``batches`` and the covariate design names.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(40, 50)); b = np.repeat(["a", "b"], 20); X[b == "b"] += 3
    >>> Y, info = combat_matrix(X, b)
    >>> bool(abs(Y[b == "a"].mean() - Y[b == "b"].mean()) < 0.2)
    True
    """
    X = np.asarray(X, dtype=float)
    batch_s, covariates = _check_labels(X.shape[0], batch, covariates)
    B, C, levels, cov_names = _design(batch_s, covariates)
    D, sizes = _check_design(B, C, levels, cov_names, mean_only=mean_only)
    S, sd, ok, stand_mean = _standardize(X, B, C, D)
    n_bd = B.T @ np.isfinite(X).astype(float)  # batches x features
    gamma_hat, delta_hat, est, gamma_bar, tau2 = _batch_estimates(S, B, n_bd, ok)
    if mean_only:
        gamma_star = (n_bd * tau2[:, None] * gamma_hat + gamma_bar[:, None]) / (n_bd * tau2[:, None] + 1.0)
        delta_star = np.ones_like(gamma_star)
    else:
        a_prior, b_prior = _inverse_gamma_priors(delta_hat, est, n_bd)
        gamma_star, delta_star = _eb_iterate(S, B, n_bd, gamma_hat, delta_hat, gamma_bar, tau2, a_prior, b_prior,
                                             max_iter=max_iter, tol=tol)
    gamma_star = np.where(est, gamma_star, 0.0)
    delta_star = np.where(est & (n_bd > 1), delta_star, 1.0)
    adj = (S - B @ gamma_star) / np.sqrt(B @ delta_star) * sd + stand_mean
    out = np.where(np.isfinite(X), adj, np.nan)
    out[:, ~ok] = X[:, ~ok]
    info = {
        "batches": levels,
        "batch_sizes": sizes.astype(int).tolist(),
        "covariate_design": cov_names,
        "gamma_star": gamma_star,
        "delta_star": delta_star,
        "n_features_uncorrected": int((~ok).sum()),
    }
    return out, info


def _check_labels(n: int, batch: Sequence[Any], covariates: pd.DataFrame | None) -> tuple[pd.Series, pd.DataFrame | None]:
    """Batch labels as a Series and covariates re-indexed 0..n-1; one complete value per sample required."""
    batch_s = pd.Series(list(batch), dtype=object)
    if len(batch_s) != n:
        msg = f"combat: {len(batch_s)} batch labels for {n} samples; give one label per sample."
        raise InputError(msg)
    if batch_s.isna().any():
        msg = f"combat: {int(batch_s.isna().sum())} sample(s) have no batch label: fill them (or remove those samples)."
        raise InputError(msg)
    if covariates is not None:
        covariates = covariates.reset_index(drop=True)
        if len(covariates) != n:
            msg = f"combat: covariates have {len(covariates)} rows for {n} samples."
            raise InputError(msg)
        if covariates.isna().any().any():
            col = covariates.columns[covariates.isna().any()].tolist()[0]
            msg = f"combat: covariate '{col}' has missing values: fill them or drop the covariate (ComBat needs complete covariates)."
            raise InputError(msg)
    return batch_s, covariates


def _check_design(B: np.ndarray, C: np.ndarray, levels: list[str], cov_names: list[str], *,
                  mean_only: bool) -> tuple[np.ndarray, np.ndarray]:
    """The full design ``[B C]`` and batch sizes; errors for one batch, lone samples, confounding."""
    if B.shape[1] < 2:
        msg = f"combat: only one batch ({levels[0]!r}): nothing to correct."
        raise InputError(msg)
    sizes = B.sum(axis=0)
    if not mean_only and (sizes < 2).any():
        lone = [levels[i] for i in np.flatnonzero(sizes < 2)]
        msg = f"combat: batch(es) {', '.join(map(repr, lone))} have a single sample: their scale cannot be estimated; use mean_only=True."
        raise InputError(msg)
    D = np.hstack([B, C])
    rank = np.linalg.matrix_rank(D)
    if rank < D.shape[1]:
        msg = (
            f"combat: the covariates ({', '.join(cov_names)}) are confounded with the batch (design rank {rank} < "
            f"{D.shape[1]}): a covariate that is constant within batches cannot be kept apart from them; drop it."
        )
        raise InputError(msg)
    return D, sizes


def _standardize(X: np.ndarray, B: np.ndarray, C: np.ndarray, D: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Standardised data ``S`` (0 where missing), pooled sd, features with variance, and the kept-effects mean."""
    nb = B.shape[1]
    obs_m = np.isfinite(X).astype(float)
    Y0 = np.where(obs_m > 0, X, 0.0)
    n_obs = obs_m.sum(axis=0)
    n_bd = B.T @ obs_m
    beta = _solve_per_feature(D, Y0, obs_m)  # features x p
    grand = (n_bd.T * beta[:, :nb]).sum(axis=1) / np.maximum(n_obs, 1)
    fitted = D @ beta.T  # samples x features
    resid = np.where(obs_m > 0, X - fitted, 0.0)
    var_pooled = (resid**2).sum(axis=0) / np.maximum(n_obs, 1)
    ok = var_pooled > 1e-12
    sd = np.sqrt(np.where(ok, var_pooled, 1.0))
    stand_mean = grand[None, :] + C @ beta[:, nb:].T
    S = np.where(obs_m > 0, (X - stand_mean) / sd, 0.0)
    return S, sd, ok, stand_mean


def _batch_estimates(S: np.ndarray, B: np.ndarray, n_bd: np.ndarray,
                     ok: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-batch location / scale estimates, which are estimable, and the normal prior of the locations."""
    nb = B.shape[1]
    cnt = np.maximum(n_bd, 1)
    gamma_hat = (B.T @ S) / cnt
    dev2 = B.T @ (S**2) - 2 * gamma_hat * (B.T @ S) + n_bd * gamma_hat**2
    delta_hat = np.where(n_bd > 1, dev2 / np.maximum(n_bd - 1, 1), 1.0)
    est = (n_bd > 0) & ok[None, :]
    gamma_bar = np.array([gamma_hat[i, est[i]].mean() if est[i].any() else 0.0 for i in range(nb)])
    tau2 = np.array([gamma_hat[i, est[i]].var(ddof=1) if est[i].sum() > 1 else 1.0 for i in range(nb)])
    tau2 = np.where(tau2 > 0, tau2, 1e-6)
    return gamma_hat, delta_hat, est, gamma_bar, tau2


def _inverse_gamma_priors(delta_hat: np.ndarray, est: np.ndarray, n_bd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Method-of-moments inverse-gamma prior ``(a, b)`` of each batch's scales."""
    nb = delta_hat.shape[0]
    a_prior = np.zeros(nb)
    b_prior = np.zeros(nb)
    for i in range(nb):
        dh = delta_hat[i, est[i] & (n_bd[i] > 1)]
        m, s2 = (dh.mean(), dh.var(ddof=1)) if dh.size > 1 else (1.0, 1.0)
        s2 = s2 if s2 > 0 else 1e-6
        a_prior[i] = (2 * s2 + m**2) / s2
        b_prior[i] = (m * s2 + m**3) / s2
    return a_prior, b_prior


def _eb_iterate(S: np.ndarray, B: np.ndarray, n_bd: np.ndarray, gamma_hat: np.ndarray, delta_hat: np.ndarray,
                gamma_bar: np.ndarray, tau2: np.ndarray, a_prior: np.ndarray, b_prior: np.ndarray, *,
                max_iter: int, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """Iterated empirical-Bayes posterior locations and scales (``sva::it.sol``)."""
    g_old, d_old = gamma_hat.copy(), delta_hat.copy()
    sum_s = B.T @ S
    sum_s2 = B.T @ (S**2)
    for _ in range(max_iter):
        g_new = (n_bd * tau2[:, None] * gamma_hat + d_old * gamma_bar[:, None]) / (n_bd * tau2[:, None] + d_old)
        sum2 = sum_s2 - 2 * g_new * sum_s + n_bd * g_new**2
        d_new = (0.5 * sum2 + b_prior[:, None]) / (n_bd / 2.0 + a_prior[:, None] - 1.0)
        change = max(np.nanmax(np.abs(g_new - g_old) / np.maximum(np.abs(g_old), 1e-12)),
                     np.nanmax(np.abs(d_new - d_old) / np.maximum(np.abs(d_old), 1e-12)))
        g_old, d_old = g_new, d_new
        if change < tol:
            break
    return g_old, d_old


@doc_params(doc_data=DOC_PP_DATA, doc_layer=DOC_PP_LAYER, doc_copy=DOC_PP_COPY)
def combat(
    data: Any,
    *,
    mod: str = "prot",
    batch_key: str = "batch",
    covariates: Sequence[str] | None = None,
    mean_only: bool = False,
    layer: str | None = None,
    copy: bool = False,
    overwrite: bool = False,
) -> Any:
    """Remove batch effects from a layer with ComBat, keeping the effects of ``covariates``.

    The batch and covariates are columns of the layer's ``obs`` or of the cohort's ``obs``
    (e.g. ``Proteomics_TMT_plex``). ``X`` receives the corrected values; the input goes to
    ``layers['uncorrected']``; the share of variance the batch explains before and after
    (:func:`batch_variance`) is recorded in ``uns['pp']['combat']``.

    Parameters
    ----------
    {doc_data}
    batch_key
        Column with the batch of each sample.
    covariates
        Columns whose effects must be preserved (e.g. tumour / normal, subtype).
    mean_only
        Correct only the batch means.
    {doc_layer}
    {doc_copy}

    Examples
    --------
    >>> import anndata as ad, numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> a = ad.AnnData(rng.normal(size=(30, 20)), obs=pd.DataFrame({"plex": np.repeat(["p1", "p2", "p3"], 10)}))
    >>> a.X[a.obs["plex"].to_numpy() == "p2"] += 2
    >>> combat(a, batch_key="plex")
    >>> a.uns["pp"]["combat"]["batch_r2_after"] < a.uns["pp"]["combat"]["batch_r2_before"]
    True
    """
    func = "combat"
    container, a = start(data, mod, copy=copy, func=func)
    claim(a, func, [("layers", "uncorrected")], overwrite=overwrite)
    X = get_matrix(a, layer, func=func, mod=mod)
    batch = obs_column(container, a, batch_key, func=func)
    if batch.isna().any():
        bad = a.obs_names[batch.isna().to_numpy()][:3].tolist()
        msg = (
            f"{func}: {int(batch.isna().sum())} sample(s) of modality '{mod}' have no '{batch_key}' value "
            f"(e.g. {', '.join(map(str, bad))}): fill the batch labels or subset the samples first."
        )
        raise InputError(msg)
    cov = None
    if covariates:
        cov = pd.DataFrame({c: obs_column(container, a, c, func=func).to_numpy() for c in covariates}, index=a.obs_names)
    lab = batch.astype(str).to_numpy()
    before = batch_r2(X, lab)
    out, info = combat_matrix(X, lab, cov, mean_only=mean_only)
    after = batch_r2(out, lab)
    a.layers["uncorrected"] = X
    a.X = out
    record(a, "combat", {
        "batch_key": batch_key, "covariates": list(covariates or []), "mean_only": bool(mean_only), "layer": layer,
        "batches": info["batches"], "batch_sizes": info["batch_sizes"], "covariate_design": info["covariate_design"],
        "batch_r2_before": float(np.nanmedian(before)), "batch_r2_after": float(np.nanmedian(after)),
        "batch_r2_adj_before": float(np.nanmedian(batch_r2(X, lab, adjusted=True))),
        "batch_r2_adj_after": float(np.nanmedian(batch_r2(out, lab, adjusted=True))),
        "n_features_uncorrected": info["n_features_uncorrected"],
    })
    return finish(container, copy)


def batch_r2(X: np.ndarray, batch: Sequence[Any], *, adjusted: bool = False) -> np.ndarray:
    """Per feature, the fraction of variance explained by batch (one-way ANOVA R2 on observed values).

    With many small batches R2 is large even without any batch effect (its expectation is
    ``(k - 1) / (n - 1)`` for ``k`` batches and ``n`` samples); ``adjusted=True`` returns the
    adjusted R2 ``1 - (1 - R2) (n - 1) / (n - k)``, which is about 0 without a batch effect
    (and can be negative).

    Parameters
    ----------
    X
        Samples x features (NaN = missing).
    batch
        Label per sample.
    adjusted
        Chance-corrected (adjusted) R2.

    Returns
    -------
    numpy.ndarray
        R2 per feature (NaN when fewer than 3 observed values or no variance).

    Examples
    --------
    >>> import numpy as np
    >>> batch_r2(np.array([[0.0], [0.0], [1.0], [1.0]]), ["a", "a", "b", "b"])
    array([1.])
    """
    X = np.asarray(X, dtype=float)
    lab = pd.Series(list(batch)).astype(str).to_numpy()
    levels = np.unique(lab)
    B = np.column_stack([(lab == lv).astype(float) for lv in levels])
    obs_m = np.isfinite(X).astype(float)
    Y0 = np.where(obs_m > 0, X, 0.0)
    n = obs_m.sum(axis=0)
    mean = Y0.sum(axis=0) / np.maximum(n, 1)
    sst = (Y0**2).sum(axis=0) - n * mean**2
    nb = B.T @ obs_m
    sb = B.T @ Y0
    ssb = (np.where(nb > 0, sb**2 / np.maximum(nb, 1), 0.0)).sum(axis=0) - n * mean**2
    with np.errstate(invalid="ignore", divide="ignore"):
        r2 = np.where((n >= 3) & (sst > 1e-12), ssb / sst, np.nan)
        r2 = np.clip(r2, 0.0, 1.0)
        if adjusted:
            k = (nb > 0).sum(axis=0)
            r2 = np.where(n - k > 0, 1 - (1 - r2) * (n - 1) / (n - k), np.nan)
    return r2


@doc_params(doc_data=DOC_PP_DATA)
def batch_variance(
    data: Any,
    *,
    mod: str = "prot",
    batch_key: str = "batch",
    layer: str | None = None,
    n_pcs: int = 10,
) -> pd.Series:
    """How much of a layer's variance a batch variable explains.

    Parameters
    ----------
    {doc_data}
    batch_key
        Column (layer or cohort ``obs``) with the batch labels.
    layer
        Matrix to assess (default ``X``; e.g. ``"uncorrected"`` for the values before ComBat).
    n_pcs
        Principal components used for the PCA-based summary.

    Returns
    -------
    pandas.Series
        ``median_feature_r2`` (median over features of the per-feature ANOVA R2),
        ``mean_feature_r2``, ``median_feature_r2_adj`` (chance-corrected, ~0 without batch
        effect), ``expected_r2_no_effect`` (``(k - 1) / (n - 1)``), ``pc_r2`` (batch R2 of the top ``n_pcs`` principal components,
        weighted by their variance; computed on features without missing values, or on
        feature-mean-imputed values when fewer than 50 such features exist),
        ``n_features``, ``n_samples``, ``n_batches``.

    Examples
    --------
    >>> import anndata as ad, numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> a = ad.AnnData(rng.normal(size=(20, 30)), obs=pd.DataFrame({"b": np.repeat(["x", "y"], 10)}))
    >>> float(batch_variance(a, batch_key="b")["median_feature_r2"]) < 0.2
    True
    """
    func = "batch_variance"
    container, a = start(data, mod, copy=False, func=func)
    X = get_matrix(a, layer, func=func, mod=mod)
    batch = obs_column(container, a, batch_key, func=func)
    keep = batch.notna().to_numpy()
    X = X[keep]
    lab = batch[keep].astype(str).to_numpy()
    r2 = batch_r2(X, lab)
    r2_adj = batch_r2(X, lab, adjusted=True)
    complete = np.isfinite(X).all(axis=0)
    if complete.sum() >= 50:
        M = X[:, complete]
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mu = np.nanmean(X, axis=0)
        M = np.where(np.isfinite(X), X, mu)[:, np.isfinite(mu)]
    M = M - M.mean(axis=0)
    k = max(1, min(n_pcs, min(M.shape) - 1))
    # principal components from the samples x samples Gram matrix (cheap when features >> samples)
    vals, vecs = np.linalg.eigh(M @ M.T)
    order = np.argsort(vals)[::-1][:k]
    S = np.sqrt(np.clip(vals[order], 0.0, None))
    pcs = vecs[:, order] * S
    pr2 = batch_r2(pcs, lab)
    w = S**2
    pc_r2 = float(np.nansum(pr2 * w) / w.sum())
    return pd.Series({
        "median_feature_r2": float(np.nanmedian(r2)),
        "mean_feature_r2": float(np.nanmean(r2)),
        "median_feature_r2_adj": float(np.nanmedian(r2_adj)),
        "expected_r2_no_effect": float((len(np.unique(lab)) - 1) / max(len(lab) - 1, 1)),
        "pc_r2": pc_r2,
        "n_features": int(np.isfinite(r2).sum()),
        "n_samples": int(keep.sum()),
        "n_batches": int(len(np.unique(lab))),
    })

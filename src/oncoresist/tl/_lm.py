"""Batched, bounded Levenberg-Marquardt for the 4-parameter log-logistic (Hill) model.

One numerical kernel fits thousands of curves at once: every array carries the curves on the
first axis, the (padded) points on the second; padding and missing values have weight 0.

Model (``lx`` = natural log of the dose)::

    f(lx) = einf + (e0 - einf) / (1 + exp(h * (lx - le)))

``e0`` is the response at dose -> 0 and ``einf`` at dose -> infinity when ``h > 0``; ``le`` is
the log of the inflection dose (EC50). For viability curves ``e0`` is the top and ``einf`` the
bottom plateau; for SynergyFinder-style inhibition curves ``e0 = 0`` and ``einf = 100``.

The solver:

1. starting values from a grid over ``(le, h)`` with ``e0`` / ``einf`` solved in closed form
   (the model is linear in them), clipped to the bounds;
2. Levenberg-Marquardt steps solved for all curves together (``numpy.linalg.solve`` on
   ``(n, 4, 4)`` stacks), each curve with its own damping; steps are projected on the box and a
   parameter sitting on a bound whose gradient points outward is held (active set);
3. robust losses (``soft_l1``, ``huber``, ``cauchy``, as in :func:`scipy.optimize.least_squares`)
   by iteratively re-weighted steps on the robust cost.

Checked against :func:`scipy.optimize.curve_fit` / ``least_squares`` in
``tests/tl/test_curves.py`` and ``benchmarks/bench_curves.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

#: Parameter order of every array in this module.
PARAMS = ("e0", "einf", "le", "h")
LOSSES = ("linear", "soft_l1", "huber", "cauchy")


@dataclass
class BatchFit:
    """Result of :func:`fit_batch` (arrays over curves)."""

    params: np.ndarray  # (n, 4)
    cost: np.ndarray  # (n,) robust cost 0.5 * sum w * f_scale^2 * rho(z)
    sse: np.ndarray  # (n,) plain weighted sum of squared residuals
    n_iter: np.ndarray  # (n,)
    converged: np.ndarray  # (n,) bool


def model(p: np.ndarray, lx: np.ndarray) -> np.ndarray:
    """Evaluate the log-logistic model; ``p`` is ``(n, 4)``, ``lx`` ``(n, m)`` (or broadcastable)."""
    e0, einf, le, h = (p[..., i : i + 1] for i in range(4))
    g = expit(-np.clip(h * (lx - le), -700.0, 700.0))
    return einf + (e0 - einf) * g


def _gate(p: np.ndarray, lx: np.ndarray) -> np.ndarray:
    """``g = 1 / (1 + exp(h (lx - le)))`` (the only transcendental part of the model)."""
    z = p[:, 3:4] * (lx - p[:, 2:3])
    np.clip(z, -700.0, 700.0, out=z)
    np.exp(z, out=z)
    z += 1.0
    return np.reciprocal(z, out=z)


def _jac(p: np.ndarray, lx: np.ndarray, g: np.ndarray) -> np.ndarray:
    amp = p[:, 0:1] - p[:, 1:2]
    gg = g * (1.0 - g)
    jac = np.empty(lx.shape + (4,))
    jac[..., 0] = g
    jac[..., 1] = 1.0 - g
    jac[..., 2] = (amp * p[:, 3:4]) * gg
    jac[..., 3] = -amp * gg * (lx - p[:, 2:3])
    return jac


def _solve_held(mat: np.ndarray, grad: np.ndarray, free: np.ndarray) -> np.ndarray:
    """Solve ``mat @ step = -grad`` per curve with the non-``free`` parameters held at 0."""
    eye = np.eye(mat.shape[-1])
    blk = ~free
    m = np.where(blk[:, :, None] | blk[:, None, :], 0.0, mat) + blk[:, :, None] * eye[None]
    rhs = np.where(free, -grad, 0.0)
    try:
        step = np.linalg.solve(m, rhs[..., None])[..., 0]
    except np.linalg.LinAlgError:
        step = np.stack([np.linalg.lstsq(mk, rk, rcond=None)[0] for mk, rk in zip(m, rhs)])
    return np.where(np.isfinite(step) & free, step, 0.0)


def _rho(z: np.ndarray, loss: str) -> tuple[np.ndarray, np.ndarray]:
    """Robust loss ``rho(z)`` and ``rho'(z)`` for ``z = (r / f_scale)^2``."""
    if loss == "linear":
        return z, np.ones_like(z)
    if loss == "soft_l1":
        t = np.sqrt(1.0 + z)
        return 2.0 * (t - 1.0), 1.0 / t
    if loss == "huber":
        small = z <= 1.0
        sz = np.sqrt(np.where(small, 1.0, z))
        return np.where(small, z, 2.0 * sz - 1.0), np.where(small, 1.0, 1.0 / sz)
    if loss == "cauchy":
        return np.log1p(z), 1.0 / (1.0 + z)
    msg = f"loss must be one of {', '.join(LOSSES)}, got {loss!r}."
    raise ValueError(msg)


def _cost(r: np.ndarray, w: np.ndarray, loss: str, f_scale: float) -> np.ndarray:
    if loss == "linear":
        return 0.5 * np.sum(w * r * r, axis=1)
    z = (r / f_scale) ** 2
    rho, _ = _rho(z, loss)
    return 0.5 * f_scale**2 * np.sum(w * rho, axis=1)


def grid_start(
    lx: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    free: np.ndarray,
    p_fixed: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    *,
    n_le: int = 9,
    h_grid: tuple[float, ...] = (0.7, 1.5, 4.0, 8.0),
    n_starts: int = 1,
) -> np.ndarray:
    """Starting values: best grid points over ``(le, h)`` with ``e0``/``einf`` in closed form.

    ``y`` must be 0 where ``w`` is 0. Returns ``(n, 4)`` for one start, else
    ``(n_starts, n, 4)``: the best grid point, then the best ones whose ``le`` lies at least a
    quarter of the tested range away from the starts already chosen.
    """
    n = y.shape[0]
    lo_x = np.where(w > 0, lx, np.inf).min(axis=1)
    hi_x = np.where(w > 0, lx, -np.inf).max(axis=1)
    ok = np.isfinite(lo_x) & np.isfinite(hi_x)
    lo_x = np.where(ok, lo_x, 0.0)
    hi_x = np.where(ok, hi_x, 1.0)
    span = np.maximum(hi_x - lo_x, 1e-6)
    t = np.linspace(-0.15, 1.15, n_le)
    h_vals = np.asarray(h_grid, dtype=float)
    le_c = np.repeat(lo_x[:, None] + span[:, None] * t[None, :], len(h_vals), axis=1)  # (n, G)
    h_sign = np.where(upper[:, 3] <= 0, -1.0, 1.0)
    h_c = np.tile(h_vals, n_le)[None, :] * h_sign[:, None]
    le_c = np.clip(np.where(free[:, 2:3], le_c, p_fixed[:, 2:3]), lower[:, 2:3], upper[:, 2:3])
    h_c = np.clip(np.where(free[:, 3:4], h_c, p_fixed[:, 3:4]), lower[:, 3:4], upper[:, 3:4])
    g = h_c[:, :, None] * (lx[:, None, :] - le_c[:, :, None])  # (n, G, m)
    np.clip(g, -700.0, 700.0, out=g)
    np.exp(g, out=g)
    g += 1.0
    np.reciprocal(g, out=g)
    gw = g * w[:, None, :]
    sw = np.sum(w, axis=1)[:, None]
    swy = np.sum(w * y, axis=1)[:, None]
    sgg = np.einsum("ngm,ngm->ng", gw, g)
    sg = gw.sum(axis=2)
    sgy = gw @ y[:, :, None]
    sgy = sgy[..., 0]
    # normal equations of y ~ e0 * g + einf * (1 - g)
    a11 = sgg
    a12 = sg - sgg
    a22 = sw - 2.0 * sg + sgg
    b1 = sgy
    b2 = swy - sgy
    ybar = swy / np.maximum(sw, 1e-300)
    det = a11 * a22 - a12 * a12
    good = np.abs(det) > 1e-12 * np.maximum(a11 * a22, 1e-300)
    e0_fix = p_fixed[:, 0:1]
    ei_fix = p_fixed[:, 1:2]
    with np.errstate(divide="ignore", invalid="ignore"):
        e0_both = np.where(good, (b1 * a22 - b2 * a12) / det, ybar)
        ei_both = np.where(good, (a11 * b2 - a12 * b1) / det, ybar)
        e0_only = np.where(a11 > 1e-300, (b1 - ei_fix * a12) / a11, ybar)
        ei_only = np.where(a22 > 1e-300, (b2 - e0_fix * a12) / a22, ybar)
    e0f = free[:, 0:1]
    eif = free[:, 1:2]
    e0 = np.where(e0f & eif, e0_both, np.where(e0f, e0_only, e0_fix))
    ei = np.where(e0f & eif, ei_both, np.where(eif, ei_only, ei_fix))
    e0 = np.clip(e0, lower[:, 0:1], upper[:, 0:1])
    ei = np.clip(ei, lower[:, 1:2], upper[:, 1:2])
    # weighted SSE of f = ei + (e0 - ei) g, expanded in the sums above
    amp = e0 - ei
    swyy = np.sum(w * y * y, axis=1)[:, None]
    sse = swyy - 2.0 * (ei * swy + amp * sgy) + ei * ei * sw + 2.0 * ei * amp * sg + amp * amp * sgg
    idx = np.arange(n)
    starts = []
    sse = np.where(np.isfinite(sse), sse, np.inf)
    for _ in range(max(1, n_starts)):
        best = np.argmin(sse, axis=1)
        starts.append(np.stack([e0[idx, best], ei[idx, best], le_c[idx, best], h_c[idx, best]], axis=1))
        far = np.abs(le_c - le_c[idx, best][:, None]) >= 0.25 * span[:, None]
        sse = np.where(far, sse, np.inf)
        # no candidate left: repeat the best start (harmless)
        sse = np.where(np.isinf(sse).all(axis=1, keepdims=True), np.where(np.arange(sse.shape[1]) == best[:, None], 0.0, np.inf), sse)
    return starts[0] if n_starts <= 1 else np.stack(starts)


def _best_of_starts(
    lx: np.ndarray, y: np.ndarray, w: np.ndarray, free: np.ndarray, p_fixed: np.ndarray, lower: np.ndarray,
    upper: np.ndarray, *, loss: str, f_scale: float, max_iter: int, tol: float, xtol: float, n_starts: int,
) -> BatchFit:  # fmt: skip
    """Fit every curve from ``n_starts`` distinct grid starts together; keep each curve's lowest cost."""
    n = y.shape[0]
    starts = grid_start(lx, y, w, free, p_fixed, lower, upper, n_starts=n_starts)
    k = starts.shape[0]
    res = fit_batch(
        np.tile(lx, (k, 1)), np.tile(y, (k, 1)), np.tile(w, (k, 1)), free=np.tile(free, (k, 1)),
        p_fixed=np.tile(p_fixed, (k, 1)), lower=np.tile(lower, (k, 1)), upper=np.tile(upper, (k, 1)),
        loss=loss, f_scale=f_scale, max_iter=max_iter, tol=tol, xtol=xtol, p0=starts.reshape(k * n, 4),
    )  # fmt: skip
    best = np.argmin(res.cost.reshape(k, n), axis=0)
    sel = best * n + np.arange(n)
    return BatchFit(params=res.params[sel], cost=res.cost[sel], sse=res.sse[sel], n_iter=res.n_iter.reshape(k, n).sum(axis=0),
                    converged=res.converged[sel])  # fmt: skip


def _normal_equations(
    p: np.ndarray, lx: np.ndarray, y: np.ndarray, w: np.ndarray, g: np.ndarray, loss: str, f_scale: float
) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Newton matrix ``J^T W J`` and gradient ``J^T W r`` (robust weights for a robust loss)."""
    r = p[:, 1:2] + (p[:, 0:1] - p[:, 1:2]) * g - y
    jac = _jac(p, lx, g)
    if loss == "linear":
        ww = w
    else:
        _, drho = _rho((r / f_scale) ** 2, loss)
        ww = w * drho
    jwt = (jac * ww[..., None]).transpose(0, 2, 1)
    return jwt @ jac, (jwt @ r[:, :, None])[..., 0]


def _bounded_step(
    a: np.ndarray, damped: np.ndarray, grad: np.ndarray, p: np.ndarray, lo: np.ndarray, hi: np.ndarray, fr: np.ndarray
) -> np.ndarray:
    """Damped step of the ``fr`` parameters; one the step would push through its bound is held there."""
    step = _solve_held(damped, grad, fr)
    # a parameter the step would push through its bound is held there and the step is
    # solved again for the others (projected steps alone stall next to a bound)
    hit = fr & (((p + step) < lo) | ((p + step) > hi))
    if hit.any():
        rows_hit = np.flatnonzero(hit.any(axis=1))
        fr2 = fr[rows_hit] & ~hit[rows_hit]
        p_at = np.where(hit[rows_hit], np.clip(p[rows_hit] + step[rows_hit], lo[rows_hit], hi[rows_hit]), p[rows_hit])
        # linearised residual after moving the held parameters to their bounds
        shift = p_at - p[rows_hit]
        grad2 = grad[rows_hit] + (a[rows_hit] @ shift[:, :, None])[..., 0]
        step2 = _solve_held(damped[rows_hit], grad2, fr2)
        step[rows_hit] = np.where(fr2, step2, shift)
    return step


def _lm_proposal(
    p: np.ndarray, lx: np.ndarray, y: np.ndarray, w: np.ndarray, g: np.ndarray, free: np.ndarray, lo: np.ndarray,
    hi: np.ndarray, lam: np.ndarray, loss: str, f_scale: float,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """One Levenberg-Marquardt proposal per curve: the projected new parameters and the free (unblocked) mask."""
    a, grad = _normal_equations(p, lx, y, w, g, loss, f_scale)
    eps = 1e-12 * (1.0 + np.abs(p))
    blocked = ((p <= lo + eps) & (grad > 0)) | ((p >= hi - eps) & (grad < 0))
    fr = free & ~blocked & (hi > lo)
    diag = np.diagonal(a, axis1=1, axis2=2)
    scale = np.maximum(diag, 1e-12 * np.maximum(diag.max(axis=1, keepdims=True), 1e-300))
    damped = a + lam[:, None, None] * (scale[:, :, None] * np.eye(4)[None])
    return np.clip(p + _bounded_step(a, damped, grad, p, lo, hi, fr), lo, hi), fr


def fit_batch(
    lx: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    *,
    free: np.ndarray,
    p_fixed: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    loss: str = "linear",
    f_scale: float = 0.1,
    max_iter: int = 200,
    tol: float = 1e-10,
    xtol: float = 1e-10,
    p0: np.ndarray | None = None,
    n_starts: int = 2,
) -> BatchFit:
    """Fit the model to every curve (row) at once.

    Parameters
    ----------
    lx, y, w
        ``(n, m)`` log doses, responses and weights (0 for padding / missing points; ``y`` may
        hold NaN where ``w`` is 0).
    free
        ``(n, 4)`` bool, True where the parameter is estimated.
    p_fixed
        ``(n, 4)`` values of the fixed parameters (ignored where ``free``).
    lower, upper
        ``(n, 4)`` box bounds (use +-inf for none).
    loss, f_scale
        Robust loss and its scale (as in :func:`scipy.optimize.least_squares`).
    max_iter, tol, xtol
        Iteration cap, relative cost-decrease and relative step tolerances.
    p0
        Optional starting values (``(n, 4)``); a grid search is used otherwise.
    n_starts
        Without ``p0``: local fits from this many distinct grid starts per curve, keeping the
        lowest cost (guards against a local minimum).
    """
    n, m = y.shape
    y = np.where(w > 0, y, 0.0)
    free = np.asarray(free, dtype=bool)
    lower = np.where(free, lower, p_fixed)
    upper = np.where(free, upper, p_fixed)
    if p0 is None and n_starts > 1:
        return _best_of_starts(lx, y, w, free, p_fixed, lower, upper, loss=loss, f_scale=f_scale, max_iter=max_iter,
                               tol=tol, xtol=xtol, n_starts=n_starts)  # fmt: skip
    p = grid_start(lx, y, w, free, p_fixed, lower, upper) if p0 is None else np.asarray(p0, dtype=float).copy()
    p = np.where(free, np.clip(p, lower, upper), p_fixed)
    g_cur = _gate(p, lx)
    cost = _cost(p[:, 1:2] + (p[:, 0:1] - p[:, 1:2]) * g_cur - y, w, loss, f_scale)
    lam = np.full(n, 1e-3)
    n_iter = np.zeros(n, dtype=int)
    converged = np.zeros(n, dtype=bool)
    has_data = np.sum(w > 0, axis=1) > 0
    active = np.flatnonzero(has_data)
    converged[~has_data] = True
    for _ in range(max_iter):
        if active.size == 0:
            break
        pa, lxa, ya, wa, lam_a = p[active], lx[active], y[active], w[active], lam[active]
        p_new, fr = _lm_proposal(pa, lxa, ya, wa, g_cur[active], free[active], lower[active], upper[active], lam_a, loss, f_scale)
        g_new = _gate(p_new, lxa)
        c_new = _cost(p_new[:, 1:2] + (p_new[:, 0:1] - p_new[:, 1:2]) * g_new - ya, wa, loss, f_scale)
        c_old = cost[active]
        better = np.isfinite(c_new) & (c_new < c_old)
        acc = active[better]
        p[acc] = p_new[better]
        g_cur[acc] = g_new[better]
        cost[acc] = c_new[better]
        lam[active] = np.where(better, np.maximum(lam_a / 3.0, 1e-12), lam_a * 4.0)
        n_iter[active] += 1
        dec = (c_old - np.where(better, c_new, c_old)) <= tol * np.maximum(c_old, 1e-30)
        tiny = np.all(np.abs(p_new - pa) <= xtol * (xtol + np.abs(pa)), axis=1)
        # converged (as in MINPACK / scipy): an accepted step that lowers the cost by less than
        # tol relative or moves every parameter by less than xtol relative; no free direction
        # left; the damping exhausted (no step lowers the cost); or a perfect fit
        done = (better & (dec | tiny)) | ~fr.any(axis=1) | (lam[active] > 1e10) | (c_old <= 1e-30)
        converged[active[done]] = True
        active = active[~done]
    f = p[:, 1:2] + (p[:, 0:1] - p[:, 1:2]) * g_cur
    sse = np.sum(w * (f - y) ** 2, axis=1)
    return BatchFit(params=p, cost=cost, sse=sse, n_iter=n_iter, converged=converged)

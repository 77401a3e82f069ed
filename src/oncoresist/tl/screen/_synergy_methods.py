"""Registry of the synergy reference models: one small pure kernel per method.

Each kernel works on one dose matrix or on a batch of them (leading axes broadcast) of %
inhibition; rows index drug1's concentrations, columns drug2's, with row 0 / column 0 the
single-agent margins (partner absent). :data:`METHOD_REGISTRY` maps a method name to a
:class:`SynergyMethod` that runs its kernel on the fitted dose grids of many blocks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .. import _lm

__all__ = [
    "METHOD_REGISTRY",
    "SynergyGrid",
    "SynergyMethod",
    "SynergyResult",
    "bliss_reference",
    "hsa_reference",
    "loewe_reference",
    "zip_fit",
    "zip_singles",
]

_LN10 = np.log(10.0)


def bliss_reference(y1: np.ndarray, y2: np.ndarray) -> np.ndarray:
    """Bliss independence reference ``y1 + y2 - y1 y2 / 100`` of every dose pair.

    Bliss CI (1939) The toxicity of poisons applied jointly. Ann Appl Biol 26:585-615,
    doi:10.1111/j.1744-7348.1939.tb06990.x.

    Parameters
    ----------
    y1, y2
        % inhibition of drug1 alone at its ``N1`` doses (``(..., N1)``) and of drug2 alone at
        its ``N2`` doses (``(..., N2)``).

    Returns
    -------
    ndarray
        ``(..., N1, N2)`` reference % inhibition.
    """
    a, b = y1[..., :, None], y2[..., None, :]
    return a + b - a * b / 100.0


def hsa_reference(y1: np.ndarray, y2: np.ndarray) -> np.ndarray:
    """Highest-single-agent (Gaddum's) reference ``max(y1, y2)`` of every dose pair.

    Berenbaum MC (1989) What is synergy? Pharmacol Rev 41:93-141, PMID 2692037 (no DOI).

    Parameters
    ----------
    y1, y2
        % inhibition of drug1 alone (``(..., N1)``) and of drug2 alone (``(..., N2)``).

    Returns
    -------
    ndarray
        ``(..., N1, N2)`` reference % inhibition.
    """
    return np.maximum(y1[..., :, None], y2[..., None, :])


def _ll4(p: np.ndarray, conc: np.ndarray) -> np.ndarray:
    """Evaluate fitted inhibition curves ``p`` (n, 4) at ``conc`` (n, m); conc 0 -> e0."""
    with np.errstate(divide="ignore"):
        lx = np.log(conc)
    z = np.clip(p[:, 3:4] * (lx - p[:, 2:3]), -700, 700)
    g = 1.0 / (1.0 + np.exp(z))
    return p[:, 1:2] + (p[:, 0:1] - p[:, 1:2]) * g


def _fit_curves_batch(
    conc: np.ndarray, resp: np.ndarray, e0: np.ndarray, einf: np.ndarray, *, free_e: bool | np.ndarray, max_iter: int,
    free_einf: bool | np.ndarray | None = None,
) -> np.ndarray:  # fmt: skip
    """Fit ``(n, m)`` inhibition curves (NaN = missing); e0 free if ``free_e``, einf if ``free_einf`` (per curve or all)."""
    n, m = resp.shape
    w = (np.isfinite(resp) & np.isfinite(conc) & (conc > 0)).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        lx = np.where(w > 0, np.log(np.where(w > 0, conc, 1.0)), 0.0)
    lo_x = np.where(w > 0, lx, np.inf).min(axis=1)
    hi_x = np.where(w > 0, lx, -np.inf).max(axis=1)
    lo_x = np.where(np.isfinite(lo_x), lo_x, 0.0)
    hi_x = np.where(np.isfinite(hi_x), hi_x, 1.0)
    margin = 5.0 * _LN10
    fe = np.broadcast_to(np.asarray(free_e, dtype=bool), (n,))
    fi = fe if free_einf is None else np.broadcast_to(np.asarray(free_einf, dtype=bool), (n,))
    free = np.column_stack([fe, fi, np.ones(n, dtype=bool), np.ones(n, dtype=bool)])
    p_fixed = np.column_stack([e0, einf, np.zeros(n), np.ones(n)])
    big = 1e3
    lower = np.column_stack([np.full(n, -big), np.full(n, -big), lo_x - margin, np.full(n, 0.01)])
    upper = np.column_stack([np.full(n, big), np.full(n, big), hi_x + margin, np.full(n, 20.0)])
    res = _lm.fit_batch(lx, np.where(w > 0, resp, 0.0), w, free=free, p_fixed=p_fixed, lower=lower, upper=upper, max_iter=max_iter)
    return res.params


def _pad(a: np.ndarray, m: int) -> np.ndarray:
    """Pad the columns of ``a`` (n, k) with NaN to ``m``."""
    return np.pad(a.astype(float), ((0, 0), (0, m - a.shape[1])), constant_values=np.nan)


def _fit_stacked(parts: list[tuple], *, max_iter: int) -> list[np.ndarray]:
    """Fit curve sets ``(conc, resp, e0, einf, free_e, free_einf)`` in one solver call (one fixed cost); params per set."""
    m = max(part[0].shape[1] for part in parts)
    sizes = [len(part[0]) for part in parts]

    def stack(k: int, dtype: type) -> np.ndarray:
        """Column ``k`` of every part, broadcast to its curves and concatenated."""
        return np.concatenate([np.broadcast_to(np.asarray(part[k], dtype=dtype), (nk,)) for part, nk in zip(parts, sizes, strict=True)])

    conc = np.vstack([_pad(part[0], m) for part in parts])
    resp = np.vstack([_pad(part[1], m) for part in parts])
    p = _fit_curves_batch(
        conc, resp, stack(2, float), stack(3, float), free_e=stack(4, bool), free_einf=stack(5, bool), max_iter=max_iter
    )
    return np.split(p, np.cumsum(sizes)[:-1])


def _loewe_excess(
    y: np.ndarray, x1: np.ndarray, x2: np.ndarray, p1: np.ndarray, p2: np.ndarray
) -> np.ndarray:
    """Loewe isobole excess ``x1 / X1(y) + x2 / X2(y) - 1`` (``+inf`` where undefined)."""
    e0_1, ei_1, le_1, h_1 = (p1[:, i] for i in range(4))
    e0_2, ei_2, le_2, h_2 = (p2[:, i] for i in range(4))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # dose of each drug alone giving y: log X = le + log((y - e0) / (einf - y)) / h
        lx1 = le_1 + np.log((y - e0_1) / (ei_1 - y)) / h_1
        lx2 = le_2 + np.log((y - e0_2) / (ei_2 - y)) / h_2
        t1 = np.where(x1 > 0, x1 * np.exp(-np.clip(lx1, -700, 700)), 0.0)
        t2 = np.where(x2 > 0, x2 * np.exp(-np.clip(lx2, -700, 700)), 0.0)
        return np.nan_to_num(t1, nan=np.inf) + np.nan_to_num(t2, nan=np.inf) - 1.0


def loewe_reference(
    x1: np.ndarray, x2: np.ndarray, p1: np.ndarray, p2: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Loewe additivity reference ``y`` solving ``x1 / X1(y) + x2 / X2(y) = 1``.

    ``Xk(y)`` is the dose of drug k alone giving ``y`` on its fitted curve; where no solution
    exists the reference is the larger of the two curves at dose ``x1 + x2``, capped at 100
    (SynergyFinder's fallback). Loewe S (1953) The problem of synergism and antagonism of
    combined drugs. Arzneimittelforschung 3:285-290, PMID 13081480 (no DOI); Greco WR, Bravo G,
    Parsons JC (1995) The search for synergy. Pharmacol Rev 47:331-385, PMID 7568331.

    Parameters
    ----------
    x1, x2
        ``(n,)`` doses of the two drugs in each well.
    p1, p2
        ``(n, 4)`` fitted curves ``e0, einf, log EC50, hill`` of each drug for that well.

    Returns
    -------
    y : ndarray
        ``(n,)`` reference % inhibition.
    fallback : ndarray
        ``(n,)`` bool, True where the fallback was used.
    """
    lo = np.maximum(p1[:, 0], p2[:, 0])
    hi = np.minimum(p1[:, 1], p2[:, 1])
    ok = (hi > lo) & (p1[:, 1] > p1[:, 0]) & (p2[:, 1] > p2[:, 0]) & np.isfinite(lo) & np.isfinite(hi)
    lo_s = np.where(ok, lo, 0.0)
    hi_s = np.where(ok, hi, 1.0)
    # bisection on a logit scale of (lo, hi): the excess falls from +inf to its value at hi
    a = np.full(x1.shape, -40.0)
    b = np.full(x1.shape, 40.0)
    for _ in range(64):
        mid = 0.5 * (a + b)
        y = lo_s + (hi_s - lo_s) / (1.0 + np.exp(-mid))
        pos = _loewe_excess(y, x1, x2, p1, p2) > 0
        a = np.where(pos, mid, a)
        b = np.where(pos, b, mid)
    y = lo_s + (hi_s - lo_s) / (1.0 + np.exp(-0.5 * (a + b)))
    solved = ok & (np.abs(_loewe_excess(y, x1, x2, p1, p2)) < 1e-6)
    xs = (x1 + x2)[:, None]
    fallback = np.minimum(np.maximum(_ll4(p1, xs)[:, 0], _ll4(p2, xs)[:, 0]), 100.0)
    return np.where(solved, y, fallback), ~solved


def zip_singles(
    conc: list[np.ndarray], resp: list[np.ndarray], *, max_iter: int
) -> list[np.ndarray]:
    """ZIP's single-drug curves: free 4-parameter log-logistic fits of the non-zero doses.

    As SynergyFinder's ``FitDoseResponse`` with ``Emin = Emax = NA`` (drc ``LL.4``, nothing
    fixed) whatever bounds the other methods use; the fitted responses at every dose (dose 0 ->
    the fitted bottom) feed the ZIP refits and the ZIP reference. All drugs are fitted in one
    solver call.

    Parameters
    ----------
    conc
        ``(B, N)`` dose arrays (one per drug), column 0 = 0 (drug absent).
    resp
        The matching ``(B, N)`` single-drug % inhibition (NaN = missing).
    max_iter
        Iteration cap of the fits.

    Returns
    -------
    list of ndarray
        ``(B, N)`` fitted responses at each ``conc``.

    Examples
    --------
    >>> import numpy as np
    >>> c = np.array([[0.0, 0.1, 1.0, 10.0, 100.0]])
    >>> y = 100 * c / (c + 1.0)
    >>> (f,) = zip_singles([c], [y], max_iter=200)
    >>> bool(np.abs(f - y).max() < 0.01)
    True
    """
    params = _fit_stacked(_zip_single_parts(conc, resp), max_iter=max_iter)
    return [_ll4(p, c) for p, c in zip(params, conc, strict=True)]


def _zip_single_parts(conc: list[np.ndarray], resp: list[np.ndarray]) -> list[tuple]:
    """:func:`_fit_stacked` curve sets of ZIP's free single-drug fits (non-zero doses)."""
    return [(c[:, 1:], r[:, 1:], 0.0, 100.0, True, True) for c, r in zip(conc, resp, strict=True)]


def zip_fit(
    resp: np.ndarray, c1: np.ndarray, c2: np.ndarray, fit1: np.ndarray, fit2: np.ndarray, *, top: float, max_iter: int
) -> np.ndarray:
    """ZIP combination surface: mean of the row and column refits of the combination wells.

    Along each column (drug1 varies at a fixed drug2 dose) the curve's bottom is drug2's fitted
    response at that dose, and vice versa along rows; the tops are estimated (started at
    ``top``), which agrees best with SynergyFinder 2's published results (see
    ``benchmarks/bench_synergy.py``). Yadav B, Wennerberg K, Aittokallio T, Tang J (2015)
    Searching for drug synergy in complex dose-response landscapes using an interaction
    potency model. Comput Struct Biotechnol J 13:504-513, doi:10.1016/j.csbj.2015.09.001.

    Parameters
    ----------
    resp
        ``(B, N1, N2)`` observed % inhibition (NaN = missing), margins included.
    c1, c2
        ``(B, N1)`` and ``(B, N2)`` doses, the first being 0.
    fit1, fit2
        ``(B, N1)`` and ``(B, N2)`` fitted single-agent responses at those doses.
    top
        Starting top of the refitted curves (% inhibition).
    max_iter
        Iteration cap of the refits.

    Returns
    -------
    ndarray
        ``(B, N1 - 1, N2 - 1)`` fitted combination responses of the non-margin wells.
    """
    nb, n1, n2 = resp.shape
    inner = resp[:, 1:, 1:]
    ycol = np.transpose(inner, (0, 2, 1)).reshape(nb * (n2 - 1), n1 - 1)
    xcol = np.repeat(c1[:, 1:], n2 - 1, axis=0)
    yrow = inner.reshape(nb * (n1 - 1), n2 - 1)
    xrow = np.repeat(c2[:, 1:], n1 - 1, axis=0)
    parts = [(xcol, ycol, fit2[:, 1:].reshape(-1), top, False, True), (xrow, yrow, fit1[:, 1:].reshape(-1), top, False, True)]
    pcol, prow = _fit_stacked(parts, max_iter=max_iter)
    ucol = np.where((np.isfinite(ycol).sum(axis=1) >= 2)[:, None], _ll4(pcol, xcol), ycol)
    urow = np.where((np.isfinite(yrow).sum(axis=1) >= 2)[:, None], _ll4(prow, xrow), yrow)
    ucol = np.transpose(ucol.reshape(nb, n2 - 1, n1 - 1), (0, 2, 1))
    return (ucol + urow.reshape(nb, n1 - 1, n2 - 1)) / 2.0


@dataclass(frozen=True)
class SynergyGrid:
    """Dose matrices of many blocks with their fitted single-agent curves (shared kernel input)."""

    resp: np.ndarray  # (B, N1, N2) % inhibition of scorable blocks, NaN elsewhere
    c1: np.ndarray  # (B, N1) drug1 doses, column 0 = 0
    c2: np.ndarray  # (B, N2)
    p1: np.ndarray  # (B, 4) fitted drug1 curves
    p2: np.ndarray  # (B, 4)
    fit1: np.ndarray  # (B, N1) fitted drug1 responses at c1
    fit2: np.ndarray  # (B, N2)
    top: float  # top of the ZIP refits
    max_iter: int
    zfit1: np.ndarray | None = None  # (B, N1) ZIP's free single-drug fits at c1 (None: fitted by ZIP)
    zfit2: np.ndarray | None = None

    @property
    def valid(self) -> np.ndarray:
        """Wells with a response."""
        return np.isfinite(self.resp)

    @property
    def margin(self) -> np.ndarray:
        """Single-agent wells (row 0 or column 0)."""
        m = np.zeros(self.resp.shape, dtype=bool)
        m[:, 0, :] = True
        m[:, :, 0] = True
        return m

    @property
    def combo(self) -> np.ndarray:
        """Combination wells with a response."""
        return self.valid & ~self.margin


@dataclass(frozen=True)
class SynergyResult:
    """A method's observed and reference surfaces, plus its optional fit / fallback surfaces."""

    obs: np.ndarray
    ref: np.ndarray
    fit: np.ndarray | None = None
    fallback: np.ndarray | None = None

    def score(self, valid: np.ndarray, margin: np.ndarray) -> np.ndarray:
        """Observed minus reference; 0 on single-agent wells, NaN on missing wells."""
        sc = np.where(margin & valid, 0.0, self.obs - self.ref)
        return np.where(valid, sc, np.nan)


@dataclass(frozen=True)
class SynergyMethod:
    """A registered synergy method: its name, literature reference and grid runner."""

    name: str
    reference: str
    run: Callable[[SynergyGrid], SynergyResult]


def _run_bliss(g: SynergyGrid) -> SynergyResult:
    """Bliss reference from the observed single-agent margins."""
    return SynergyResult(g.resp, np.where(g.margin, g.resp, bliss_reference(g.resp[:, :, 0], g.resp[:, 0, :])))


def _run_hsa(g: SynergyGrid) -> SynergyResult:
    """HSA reference from the observed single-agent margins."""
    return SynergyResult(g.resp, np.where(g.margin, g.resp, hsa_reference(g.resp[:, :, 0], g.resp[:, 0, :])))


def _run_loewe(g: SynergyGrid) -> SynergyResult:
    """Loewe reference of every combination well from the fitted single-agent curves."""
    kk, ii, jj = np.nonzero(g.combo)
    y, fb = loewe_reference(g.c1[kk, ii], g.c2[kk, jj], g.p1[kk], g.p2[kk])
    ref = np.where(g.margin, g.resp, np.nan)
    ref[kk, ii, jj] = y
    fallback = np.zeros(g.resp.shape, dtype=bool)
    fallback[kk, ii, jj] = fb
    return SynergyResult(g.resp, ref, fallback=fallback)


def _run_zip(g: SynergyGrid) -> SynergyResult:
    """ZIP delta: refitted combination surface minus the Bliss reference of ZIP's fitted singles."""
    fit = np.full(g.resp.shape, np.nan)
    if g.resp.shape[1] < 2 or g.resp.shape[2] < 2:
        return SynergyResult(fit, np.where(g.margin, g.resp, np.nan), fit=fit)
    valid, margin = g.valid, g.margin
    if g.zfit1 is None or g.zfit2 is None:
        f1, f2 = zip_singles([g.c1, g.c2], [g.resp[:, :, 0], g.resp[:, 0, :]], max_iter=g.max_iter)
    else:
        f1, f2 = g.zfit1, g.zfit2
    fit[:, 1:, 1:] = zip_fit(g.resp, g.c1, g.c2, f1, f2, top=g.top, max_iter=g.max_iter)
    fit = np.where(margin, g.resp, np.where(valid, fit, np.nan))
    # single-drug wells: reference = observed response (score 0, as SynergyFinder reports)
    ref = np.where(margin, g.resp, np.where(valid, bliss_reference(f1, f2), np.nan))
    return SynergyResult(fit, ref, fit=fit)


METHOD_REGISTRY: dict[str, SynergyMethod] = {
    "zip": SynergyMethod("zip", "Yadav et al. 2015, doi:10.1016/j.csbj.2015.09.001", _run_zip),
    "bliss": SynergyMethod("bliss", "Bliss 1939, doi:10.1111/j.1744-7348.1939.tb06990.x", _run_bliss),
    "hsa": SynergyMethod("hsa", "Berenbaum 1989, Pharmacol Rev 41:93, PMID 2692037", _run_hsa),
    "loewe": SynergyMethod("loewe", "Loewe 1953, PMID 13081480; Greco et al. 1995, PMID 7568331", _run_loewe),
}

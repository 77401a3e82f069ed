"""Drug response of the simulated cohort: true curve parameters, raw screen, combination matrices.

Curves are four-parameter Hill (log-logistic) curves with top = 1::

    viability(dose) = bottom + (1 - bottom) / (1 + (dose / ic50) ** hill)

``ic50`` is the inflection point (relative IC50 = EC50); the true normalised AUC is the mean
viability over the tested log10-dose range (closed form), so ``auc`` lies in [bottom, 1] and
lower means more sensitive.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_LN10 = np.log(10.0)
#: Cellular target-inhibition potency (log10 uM) of the combination partners: the fraction of
#: MET inhibited by capmatinib follows this, not the (much higher) viability IC50.
TARGET_LOG10_IC50 = {"capmatinib": -2.5}
_ROWS = np.array(list("ABCDEFGHIJKLMNOP"))


def viability(dose: np.ndarray, log10_ic50: np.ndarray, hill: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    """Four-parameter Hill viability (top = 1) at ``dose`` (uM); broadcasts its arguments."""
    with np.errstate(divide="ignore"):
        x = np.log10(dose)
    z = np.clip(hill * (x - log10_ic50) * _LN10, -700, 700)
    return bottom + (1.0 - bottom) / (1.0 + np.exp(z))


def normalised_auc(
    log10_ic50: np.ndarray, hill: np.ndarray, bottom: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> np.ndarray:
    """Mean viability of the 4PL curve over ``[lo, hi]`` (log10 uM), in closed form.

    Uses ``int 1 / (1 + 10^(h (x - c))) dx = x - log10(1 + 10^(h (x - c))) / h``.
    """

    def prim(x: np.ndarray) -> np.ndarray:
        return x - np.logaddexp(0.0, hill * (x - log10_ic50) * _LN10) / (_LN10 * hill)

    frac = (prim(hi) - prim(lo)) / (hi - lo)
    return bottom + (1.0 - bottom) * frac


def dose_grid(dmin: float, dmax: float, n: int) -> np.ndarray:
    """``n`` log-spaced doses from ``dmin`` to ``dmax`` (uM), rounded to 4 significant digits."""
    d = np.logspace(np.log10(dmin), np.log10(dmax), int(n))
    return np.array([float(f"{v:.4g}") for v in d])


def simulate_screen(
    samples: list[str],
    drugs: pd.DataFrame,
    log10_ic50: np.ndarray,
    hill: np.ndarray,
    bottom: np.ndarray,
    rng: np.random.Generator,
    *,
    n_replicates: int,
    noise: float,
) -> pd.DataFrame:
    """Raw long single-agent screen: one plate per (sample, replicate), randomised well layout.

    Observed viability = true viability x plate factor x multiplicative noise + additive
    noise (floored at 0). Arrays are samples x drugs for the given ``samples``.
    """
    n, n_drugs = log10_ic50.shape
    doses = [dose_grid(r.dose_min_uM, r.dose_max_uM, r.n_doses) for r in drugs.itertuples()]
    drug_idx = np.concatenate([np.full(len(d), j) for j, d in enumerate(doses)])
    dose_vec = np.concatenate(doses)
    n_wells = len(dose_vec)
    if n == 0:
        return pd.DataFrame(columns=["sample", "drug", "dose", "response", "replicate", "plate", "well"])
    n_plates = n * n_replicates
    # per plate: sample i, replicate r
    plate_sample = np.repeat(np.arange(n), n_replicates)
    plate_rep = np.tile(np.arange(1, n_replicates + 1), n)
    truth = viability(
        dose_vec[None, :],
        log10_ic50[plate_sample][:, drug_idx],
        hill[plate_sample][:, drug_idx],
        bottom[plate_sample][:, drug_idx],
    )
    plate_eff = np.exp(rng.normal(0, 0.04 * noise, size=(n_plates, 1)))
    obs = truth * plate_eff * np.exp(rng.normal(0, 0.05 * noise, size=truth.shape))
    obs = np.maximum(obs + rng.normal(0, 0.025 * noise, size=truth.shape), 0.0)
    # randomised layout on 384-well plates (16 x 24), skipping the outer ring used for controls
    inner = np.array([f"{r}{c:02d}" for r in _ROWS[1:-1] for c in range(2, 24)])
    if n_wells > len(inner):  # very large panels: use every well
        inner = np.array([f"{r}{c:02d}" for r in _ROWS for c in range(1, 25)])
    perm = np.argsort(rng.random((n_plates, len(inner))), axis=1)[:, :n_wells]
    wells = inner[perm]
    width = max(4, len(str(n_plates)))
    plate_ids = np.array([f"PL{k + 1:0{width}d}" for k in range(n_plates)])
    sample_arr = np.asarray(samples, dtype=object)
    drug_names = drugs.index.to_numpy(dtype=object)
    return pd.DataFrame(
        {
            "sample": np.repeat(sample_arr[plate_sample], n_wells),
            "drug": np.tile(drug_names[drug_idx], n_plates),
            "dose": np.tile(dose_vec, n_plates),
            "response": np.round(obs.ravel(), 5),
            "replicate": np.repeat(plate_rep, n_wells),
            "plate": np.repeat(plate_ids, n_wells),
            "well": wells.ravel(),
        }
    )


def simulate_combinations(
    blocks: pd.DataFrame,
    drugs: pd.DataFrame,
    params: dict[tuple[str, str], tuple[float, float, float]],
    synergy_shift: dict[tuple[str, str], float],
    rng: np.random.Generator,
    *,
    noise: float,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Raw 6 x 6 combination matrices (zero doses included) for each row of ``blocks``.

    ``blocks`` has ``block, sample, drug1, drug2``; ``params[(sample, drug)]`` is the true
    ``(log10_ic50, hill, bottom)``; ``synergy_shift[(sample, drug1)]`` is the log10-IC50 drop of
    drug1 when drug2 (the MET inhibitor) fully inhibits its target (0 = Bliss independence).
    The response model is ``v = v1'(c1) * v2(c2)`` where ``v1'`` uses
    ``log10_ic50_1 - shift * f2(c2)`` and ``f2`` is drug2's fractional target inhibition
    (Hill curve at its cellular target potency :data:`TARGET_LOG10_IC50`).

    Returns the long table and, per block, the mean true Bliss excess over wells with both
    drugs (``v1 * v2 - v``; > 0 means synergy).
    """
    rows = []
    excess = np.zeros(len(blocks))
    for k, b in enumerate(blocks.itertuples(index=False)):
        d1, d2 = drugs.loc[b.drug1], drugs.loc[b.drug2]
        c1 = np.concatenate([[0.0], dose_grid(d1.dose_min_uM * 3, d1.dose_max_uM * 0.3, 5)])
        c2 = np.concatenate([[0.0], dose_grid(d2.dose_min_uM * 3, d2.dose_max_uM * 0.3, 5)])
        g1, g2 = np.meshgrid(c1, c2, indexing="ij")
        ic1, h1, bt1 = params[(b.sample, b.drug1)]
        ic2, h2, bt2 = params[(b.sample, b.drug2)]
        shift = synergy_shift.get((b.sample, b.drug1), 0.0)
        v2 = viability(g2, ic2, h2, bt2)
        k2 = TARGET_LOG10_IC50.get(b.drug2, ic2)
        with np.errstate(divide="ignore"):
            f2 = 1.0 / (1.0 + np.exp(np.clip(h2 * (k2 - np.log10(g2)) * _LN10, -700, 700)))
        v1 = viability(g1, ic1, h1, bt1)
        v1_eff = viability(g1, ic1 - shift * f2, h1, bt1)
        v = v1_eff * v2
        both = (g1 > 0) & (g2 > 0)
        excess[k] = float(np.mean((v1 * v2 - v)[both]))
        obs = v * np.exp(rng.normal(0, 0.05 * noise, size=v.shape)) + rng.normal(0, 0.025 * noise, size=v.shape)
        rows.append(
            pd.DataFrame(
                {
                    "block": b.block,
                    "sample": b.sample,
                    "drug1": b.drug1,
                    "drug2": b.drug2,
                    "conc1": g1.ravel(),
                    "conc2": g2.ravel(),
                    "response": np.round(np.maximum(obs.ravel(), 0.0), 5),
                }
            )
        )
    cols = ["block", "sample", "drug1", "drug2", "conc1", "conc2", "response"]
    table = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=cols)
    return table[cols], excess

"""Speed of ``oncoresist.ds.simulate_cohort`` and visibility of the planted mechanisms.

Run by hand: ``python benchmarks/bench_simulate.py``. Writes ``results/simulate.md`` and
``results/simulate_mechanisms.csv``.

For every planted mechanism (flag x drug) the script compares carriers with non-carriers
(within the mechanism's context) on (a) the true log10 IC50 and (b) a naive raw-data summary
(trapezoid area under the replicate-median viability over log10 dose, no curve fitting), with a
Mann-Whitney test, so one can see that each planted effect is recoverable from the raw screen.
"""

from __future__ import annotations

import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import mannwhitneyu

from _stamp import write_stamped  # noqa: E402
from oncoresist.ds import simulate_cohort

RESULTS = Path(__file__).resolve().parent / "results"


CPU: dict[str, float] = {}


def _timed(func, repeat: int = 1, *, key: str = "") -> tuple[float, object]:
    """Best wall-clock time of ``repeat`` runs; the CPU time of that run goes to ``CPU[key]``."""
    best, out = np.inf, None
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        out = func()
        wall = time.perf_counter() - t0
        if wall < best:
            best, CPU[key] = wall, time.process_time() - c0
    return best, out


def _raw_area(dose_response: pd.DataFrame) -> pd.DataFrame:
    med = dose_response.groupby(["sample", "drug", "dose"], as_index=False)["response"].median()
    med["x"] = np.log10(med["dose"])

    def area(g: pd.DataFrame) -> float:
        g = g.sort_values("x")
        return float(np.trapezoid(g["response"], g["x"]) / (g["x"].iloc[-1] - g["x"].iloc[0]))

    return med.groupby(["sample", "drug"]).apply(area, include_groups=False).unstack()


def mechanism_visibility(sim) -> pd.DataFrame:
    truth = sim.truth
    flags = truth.flags
    tissue = truth.tissue
    ic50 = truth.curves.pivot(index="sample", columns="drug", values="log10_ic50")
    raw = _raw_area(sim.dose_response)
    rows = []
    for m in truth.mechanisms.itertuples(index=False):
        if m.context == "any":
            ctx = pd.Series(True, index=flags.index)
        elif m.context == "EGFR-activating":
            ctx = flags["egfr_activating"]
        else:
            ctx = tissue == m.context
        car = flags.index[flags[m.flag] & ctx]
        non = flags.index[~flags[m.flag] & ctx]
        t_c, t_n = ic50.loc[car, m.drug], ic50.loc[non, m.drug]
        r_c, r_n = raw[m.drug].reindex(car).dropna(), raw[m.drug].reindex(non).dropna()
        rows.append(
            {
                "flag": m.flag,
                "drug": m.drug,
                "direction": m.direction,
                "planted_delta_log10_ic50": m.delta_log10_ic50,
                "n_carriers": len(car),
                "n_non_carriers": len(non),
                "true_median_diff": float(t_c.median() - t_n.median()),
                "raw_area_median_diff": float(r_c.median() - r_n.median()) if len(r_c) and len(r_n) else np.nan,
                "raw_area_mwu_p": float(mannwhitneyu(r_c, r_n).pvalue) if len(r_c) and len(r_n) else np.nan,
            }
        )
    return pd.DataFrame(rows)


def main() -> None:
    RESULTS.mkdir(exist_ok=True)
    simulate_cohort(30, seed=0, n_genes=100)  # warm imports
    t150, sim150 = _timed(lambda: simulate_cohort(150, seed=0), repeat=3, key="s150")
    t1000, sim1000 = _timed(lambda: simulate_cohort(1000, seed=0), repeat=1, key="s1000")
    with tempfile.TemporaryDirectory() as tmp:
        tw150, _ = _timed(lambda: sim150.write(Path(tmp) / "n150"), repeat=1, key="w150")
        tw1000, _ = _timed(lambda: sim1000.write(Path(tmp) / "n1000"), repeat=1, key="w1000")
        size150 = sum(p.stat().st_size for p in (Path(tmp) / "n150").iterdir()) / 1e6
    vis = mechanism_visibility(sim150)
    vis.to_csv(RESULTS / "simulate_mechanisms.csv", index=False)

    def shapes(sim) -> str:
        return ", ".join(f"{k} {v.n_obs}x{v.n_vars}" for k, v in sim.mdata.mod.items())

    lines = [
        "# simulate_cohort benchmark",
        "",
        f"Machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}; "
        "times are wall-clock seconds (best of 3 for n=150, single run for n=1000); the box is shared, "
        f"so expect noise (1-min load average at the end of the run: {os.getloadavg()[0]:.1f}).",
        "",
        "| cohort | simulate wall (CPU) s | write wall (CPU) s | modalities | dose-response rows | variants |",
        "|---|---|---|---|---|---|",
        f"| n=150 (default) | {t150:.2f} ({CPU['s150']:.2f}) | {tw150:.2f} ({CPU['w150']:.2f}) | {shapes(sim150)} | {len(sim150.dose_response):,} | {len(sim150.variants):,} |",
        f"| n=1000 | {t1000:.2f} ({CPU['s1000']:.2f}) | {tw1000:.2f} ({CPU['w1000']:.2f}) | {shapes(sim1000)} | {len(sim1000.dose_response):,} | {len(sim1000.variants):,} |",
        "",
        f"Files written for n=150: {size150:.1f} MB.",
        "",
        "## Planted mechanisms in the default cohort (n=150, seed 0)",
        "",
        "Carriers vs non-carriers within the mechanism's context: median difference of the true log10 IC50 "
        "and of a naive raw-screen summary (area under the replicate-median viability over log10 dose, "
        "normalised to [0, 1]; higher = more resistant), Mann-Whitney p of the raw summary.",
        "",
        vis.to_markdown(index=False, floatfmt=".3g") if _has_tabulate() else vis.to_string(index=False),
        "",
        "Bliss excess of the planted combination blocks (true, mean over wells with both drugs): "
        + ", ".join(
            f"{r.sample} {r.drug1}: {r.bliss_excess:.3f}"
            for r in sim150.truth.combination_blocks.itertuples()
            if r.synergy_planted
        ),
        "",
    ]
    write_stamped(RESULTS / "simulate.md", "\n".join(lines))
    print("\n".join(lines))


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    main()

"""Synergy scores against SynergyFinder's own results, and throughput on many matrices.

1. SynergyFinder reference (``../shared/data/synergy``): the six 8 x 8 example matrices
   (``SF_exampleTable.csv``) scored by :func:`oncoresist.tl.synergy`; per-well ZIP and Loewe
   scores compared with SynergyFinder's (``sf_reference_results/result_{ZIP,Loewe}_2021-01-07_LL4.xlsx``):
   mean absolute difference, largest difference, Pearson and Spearman correlation, overall and
   per matrix. Bliss and HSA are checked against their formulas computed here directly from the
   observed responses (must agree to rounding).
2. Throughput: seeded synthetic 8 x 8 matrices (``--n-blocks``) scored with all four methods.

Usage: python benchmarks/bench_synergy.py [--n-blocks 2000]
Writes benchmarks/results/synergy.md and benchmarks/results/synergy.csv.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import pearsonr, spearmanr

from _stamp import write_stamped  # noqa: E402
from oncoresist._core._utils import write_csv
from oncoresist.io import read_combinations
from oncoresist.tl import synergy

HERE = Path(__file__).resolve().parent
DATA = Path(os.environ.get("ONCORESIST_SHARED_DATA", HERE.parents[1] / "shared" / "data")) / "synergy"


def reference_check() -> tuple[list[str], list[dict]]:
    combos = read_combinations(DATA / "SF_exampleTable.csv")
    synergy(combos)  # warm-up (imports, first calls)
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        summary, wells = synergy(combos)
        times.append(time.perf_counter() - t0)
    dt = float(np.median(times))
    wells = wells.assign(k1=(wells["conc1"] * 1000).round(6), k2=(wells["conc2"] * 1000).round(6))
    md = [
        "## SynergyFinder reference (6 example matrices, 8 x 8)",
        "",
        f"Scored (all four methods, one call) in {dt * 1000:.0f} ms median of 5 = {dt / 6 * 1000:.1f} ms per matrix. "
        f"Input read with `read_combinations` ({combos.attrs['response_conversion']}); Loewe's single-agent curves: "
        "4-parameter log-logistic with Emin = 0, Emax = 100 fixed; ZIP's: free 4-parameter fits (SynergyFinder's "
        "`FitDoseResponse` with Emin = Emax = NA), refits with the bottom fixed at the partner's fitted response.",
        "",
        "| method | wells | mean abs. difference | largest abs. difference | Pearson r | Spearman rho | MAD per matrix | r per matrix |",
        "|---|---|---|---|---|---|---|---|",
    ]
    rows = []
    close = {}
    for method, fname in (("zip", "ZIP"), ("loewe", "Loewe")):
        ref = pd.read_excel(DATA / "sf_reference_results" / f"result_{fname}_2021-01-07_LL4.xlsx")
        ref = ref.assign(block=ref["PairIndex"].astype(str), k1=ref["Conc1"].round(6), k2=ref["Conc2"].round(6))
        m = wells.merge(ref, on=["block", "k1", "k2"])
        m = m[(m["k1"] > 0) & (m["k2"] > 0)]
        diff = (m[method] - m["Synergy"]).abs()
        per = m.assign(d=diff).groupby("block")["d"].mean()
        per_r = m.groupby("block")[[method, "Synergy"]].apply(lambda d, col=method: d[col].corr(d["Synergy"]))
        close[method] = int((per < 0.01).sum())
        r = pearsonr(m[method], m["Synergy"])[0]
        rho = spearmanr(m[method], m["Synergy"])[0]
        md.append(f"| {fname} | {len(m)} | {diff.mean():.3f} | {diff.max():.2f} | {r:.4f} | {rho:.4f} | "
                  + ", ".join(f"{b}: {v:.2f}" for b, v in per.items()) + " | "
                  + ", ".join(f"{b}: {v:.3f}" for b, v in per_r.items()) + " |")  # fmt: skip
        rows += [
            {"check": f"sf_{method}", "metric": "mean_abs_diff", "value": diff.mean()},
            {"check": f"sf_{method}", "metric": "max_abs_diff", "value": diff.max()},
            {"check": f"sf_{method}", "metric": "pearson", "value": r},
            {"check": f"sf_{method}", "metric": "spearman", "value": rho},
            {"check": f"sf_{method}", "metric": "min_block_pearson", "value": float(per_r.min())},
        ]
    # Bliss / HSA against their formulas, straight from the observed matrix
    worst = {"bliss": 0.0, "hsa": 0.0}
    for _b, w in wells.groupby("block"):
        mat = w.pivot(index="conc1", columns="conc2", values="inhibition")
        y1 = mat.iloc[:, 0].to_numpy()[:, None]
        y2 = mat.iloc[0, :].to_numpy()[None, :]
        obs = mat.to_numpy()
        bliss = obs - (y1 + y2 - y1 * y2 / 100)
        hsa = obs - np.maximum(y1, y2)
        for name, ref in (("bliss", bliss), ("hsa", hsa)):
            got = w.pivot(index="conc1", columns="conc2", values=name).to_numpy()
            worst[name] = max(worst[name], float(np.abs(got[1:, 1:] - ref[1:, 1:]).max()))
    md += ["", f"Bliss and HSA against their formulas: largest abs. difference {worst['bliss']:.2e} (Bliss), {worst['hsa']:.2e} (HSA).", ""]
    rows += [{"check": f"formula_{k}", "metric": "max_abs_diff", "value": v} for k, v in worst.items()]
    md += [
        f"Loewe agrees with SynergyFinder within 0.01 (mean per well) on {close['loewe']} of the 6 matrices; the others "
        "differ where a single-agent curve is poorly determined (matrix 3: drug 1 reaches ~30 % inhibition at the top "
        "dose, its fitted EC50 lies two decades beyond the tested range), where drc and our solver stop at different "
        "points of a flat likelihood. ZIP differs more: SynergyFinder refits every row and column of the matrix with "
        "drc and keeps the raw responses when such a fit does not converge (see its `CalculateZIP`), while our "
        "batched refits always return the bounded least-squares optimum; the delta surfaces agree in shape "
        "(correlation above) but not to rounding. ZIP here follows SynergyFinder 2 (R package as of the 2021-01-07 "
        "reference run): free single-drug fits, refits of each row and column with the bottom at the partner's "
        "fitted response; estimating the refits' top (instead of SynergyFinder's documented Emax = 100) agrees best "
        "with the reference, which suggests a drc fallback we do not reproduce exactly.",
        "",
    ]
    rows.append({"check": "sf_example", "metric": "ms_per_matrix_6_matrix_call", "value": dt / 6 * 1000})
    return md, rows


def throughput(n_blocks: int, seed: int) -> tuple[list[str], list[dict]]:
    rng = np.random.default_rng(seed)
    c = np.r_[0.0, np.logspace(-3, 1, 7)]
    g1, g2 = np.meshgrid(c, c, indexing="ij")
    frames = []
    for b in range(n_blocks):
        e1, e2 = 10 ** rng.uniform(-2.5, 0.5, 2)
        h1, h2 = rng.uniform(0.7, 2.0, 2)
        shift = rng.uniform(0, 3)
        with np.errstate(divide="ignore"):
            v2 = 1 / (1 + (g2 / e2) ** h2)
            v1 = 1 / (1 + (g1 * (1 + shift * (1 - v2)) / e1) ** h1)
        v = v1 * v2 + rng.normal(0, 0.03, g1.shape)
        frames.append(pd.DataFrame({"block": f"B{b:05d}", "drug1": "A", "drug2": "B", "conc1": g1.ravel(), "conc2": g2.ravel(), "response": v.ravel()}))
    combos = pd.concat(frames, ignore_index=True)
    t0, c0 = time.perf_counter(), time.process_time()
    summary, _ = synergy(combos)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    md = [
        "## Throughput",
        "",
        f"{n_blocks} seeded synthetic 8 x 8 matrices (all four methods, {n_blocks * 14} ZIP refits + {2 * n_blocks} single-agent fits "
        f"in one batch): {wall:.1f} s wall / {cpu:.1f} s CPU = {n_blocks / wall:,.0f} matrices/s; "
        f"{int((summary['status'] == 'ok').sum())} scored.",
        "",
    ]
    return md, [{"check": "throughput", "metric": "matrices_per_s_wall", "value": n_blocks / wall},
                {"check": "throughput", "metric": "matrices_per_s_cpu", "value": n_blocks / cpu}]  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-blocks", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    md = [
        "# Synergy: SynergyFinder reference and throughput",
        "",
        f"`python benchmarks/bench_synergy.py --n-blocks {args.n_blocks}` on {platform.node()} ({os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}), {time.strftime('%Y-%m-%d %H:%M')}.",
        "",
    ]
    m1, r1 = reference_check()
    m2, r2 = throughput(args.n_blocks, args.seed)
    md += m1 + m2
    write_csv(pd.DataFrame(r1 + r2), HERE / "results" / "synergy.csv")
    write_stamped(HERE / "results" / "synergy.md", "\n".join(md) + "\n")
    print("\n".join(md))


if __name__ == "__main__":
    main()

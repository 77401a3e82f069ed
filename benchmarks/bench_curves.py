"""Curve-fitting speed and accuracy on the CCLE raw dose-response curves (PharmacoGx).

1. Speed: :func:`oncoresist.tl.fit_curves` on all 11,670 raw 8-dose curves against a plain
   per-curve :func:`scipy.optimize.curve_fit` loop of the same model, bounds and data (same
   machine, same run). The loop runs on a random subset (``--loop-curves``, 0 = all) and its
   throughput is reported per curve.
2. Residual error: on the loop's curves, the fraction where our residual sum of squares is no
   worse than the loop's (at several relative tolerances).
3. Agreement with PharmacoGx: Spearman correlation of our AAC (= PharmacoGx "auc", area above
   the curve) and IC50 with the published and recomputed values of
   ``sensitivity_profiles.csv.gz``.

Targets (issue 3): >= 50x the loop's throughput, residual no worse on >= 99 % of curves, AUC
Spearman >= 0.95 against the recomputed values.

Usage: python benchmarks/bench_curves.py [--loop-curves 1000] [--seed 0]
Writes benchmarks/results/curves.md and benchmarks/results/curves.csv.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import OptimizeWarning, curve_fit
from scipy.stats import spearmanr

from _stamp import write_stamped  # noqa: E402
from oncoresist._core._utils import write_csv
from oncoresist.io import read_dose_response
from oncoresist.tl import DEFAULT_BOUNDS, fit_curves

HERE = Path(__file__).resolve().parent
DATA = Path(os.environ.get("ONCORESIST_SHARED_DATA", HERE.parents[1] / "shared" / "data")) / "ccle_pharmacogx"
LN10 = np.log(10.0)


def hill_ln(lx, top, bottom, le, h):
    return bottom + (top - bottom) / (1.0 + np.exp(np.clip(h * (lx - le), -700, 700)))


def loop_fit(screen: pd.DataFrame, keys: list[tuple[str, str]], model: str) -> tuple[np.ndarray, float, float, int]:
    """Per-curve curve_fit with the same model and bounds as fit_curves; returns SSE per curve.

    The curves' arrays are extracted before the clock starts, so the loop times the fits alone
    (no pandas lookups), as fit_curves' own timing does not include reading the table either.
    """
    g = screen.loc[screen["dose"] > 0].groupby(["sample", "drug"])
    arrays = [(np.log(g.get_group(key)["dose"].to_numpy()), g.get_group(key)["response"].to_numpy()) for key in keys]
    b = DEFAULT_BOUNDS
    sse = np.full(len(keys), np.nan)
    fails = 0
    t0, c0 = time.perf_counter(), time.process_time()
    for k, (lx, y) in enumerate(arrays):
        lo_le, hi_le = lx.min() - 2 * LN10, lx.max() + 2 * LN10
        start_bottom = float(np.clip(y.min(), b["bottom"][0], b["bottom"][1]))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", OptimizeWarning)
                if model == "4p":
                    p, _ = curve_fit(hill_ln, lx, y, p0=[1.0, start_bottom, float(np.median(lx)), 1.0],
                                     bounds=([b["top"][0], b["bottom"][0], lo_le, b["hill"][0]], [b["top"][1], b["bottom"][1], hi_le, b["hill"][1]]))  # fmt: skip
                    f = hill_ln(lx, *p)
                else:
                    def f3(x, bottom, le, h):
                        return hill_ln(x, 1.0, bottom, le, h)

                    p, _ = curve_fit(f3, lx, y, p0=[start_bottom, float(np.median(lx)), 1.0],
                                     bounds=([b["bottom"][0], lo_le, b["hill"][0]], [b["bottom"][1], hi_le, b["hill"][1]]))  # fmt: skip
                    f = f3(lx, *p)
            sse[k] = float(np.sum((f - y) ** 2))
        except (RuntimeError, ValueError):
            fails += 1
    return sse, time.perf_counter() - t0, time.process_time() - c0, fails


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--loop-curves", type=int, default=1000, help="curves fitted by the scipy loop (0 = all)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    raw_path = DATA / "raw_dose_response.csv.gz"
    screen = read_dose_response(raw_path, columns={"sample": "sampleid", "drug": "treatmentid"})
    raw = pd.read_csv(raw_path)
    exp = raw.drop_duplicates(["sampleid", "treatmentid"]).set_index(["sampleid", "treatmentid"])["exp_id"]
    prof = pd.read_csv(DATA / "sensitivity_profiles.csv.gz", index_col=0)
    print(f"screen: {len(screen)} rows, response {screen.attrs['response_conversion']}")

    rows = []
    results = {}
    for model in ("4p", "3p"):
        fit_curves(screen.head(2000), model=model)  # warm-up (imports, caches)
        t0, c0 = time.perf_counter(), time.process_time()
        res = fit_curves(screen, model=model)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        results[model] = (res, wall, cpu)
        print(f"fit_curves {model}: {len(res)} curves in {wall:.2f} s wall / {cpu:.2f} s CPU")

    keys_all = list(results["4p"][0][["sample", "drug"]].itertuples(index=False, name=None))
    rng = np.random.default_rng(args.seed)
    n_loop = len(keys_all) if args.loop_curves <= 0 else min(args.loop_curves, len(keys_all))
    pick = np.sort(rng.choice(len(keys_all), size=n_loop, replace=False))
    keys = [keys_all[i] for i in pick]

    md = [
        "# Curve fitting: CCLE raw curves (PharmacoGx)",
        "",
        f"`python benchmarks/bench_curves.py --loop-curves {args.loop_curves} --seed {args.seed}` on "
        f"{platform.node()} ({os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end), "
        f"{time.strftime('%Y-%m-%d %H:%M')}.",
        "",
        f"{len(keys_all)} curves (504 cell lines x 24 drugs, 8 doses, viability in percent -> fraction). "
        f"The scipy loop (`curve_fit`, trf, same model, bounds {DEFAULT_BOUNDS}, EC50 within 2 decades of the "
        f"tested range, start top = 1, bottom = min(y), EC50 = median dose, Hill = 1) ran on {n_loop} random curves.",
        "",
        "## Speed and residual error",
        "",
        "| model | fit_curves curves/s (wall) | curves/s (CPU) | scipy loop curves/s (wall) | speed-up (wall) | speed-up (CPU) | loop failures | SSE no worse than loop: exact / 1e-6 / 1e-4 / 1e-3 rel. | ours better by > 1e-6 rel. |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for model in ("4p", "3p"):
        res, wall, cpu = results[model]
        sse_loop, lwall, lcpu, fails = loop_fit(screen, keys, model)
        ours = res.set_index(["sample", "drug"]).loc[keys]
        sse_ours = (ours["rmse"].to_numpy() ** 2) * ours["n_points"].to_numpy()
        ok = np.isfinite(sse_loop)
        rel = (sse_ours[ok] - sse_loop[ok]) / np.maximum(sse_loop[ok], 1e-12)
        fr = {tol: float(np.mean(rel <= tol)) for tol in (1e-9, 1e-6, 1e-4, 1e-3)}
        better = float(np.mean(rel < -1e-6))
        ours_cps, ours_cpu_cps = len(res) / wall, len(res) / cpu
        loop_cps, loop_cpu_cps = n_loop / lwall, n_loop / lcpu
        md.append(
            f"| {model} | {ours_cps:,.0f} | {ours_cpu_cps:,.0f} | {loop_cps:,.1f} | {ours_cps / loop_cps:,.0f}x | "
            f"{ours_cpu_cps / loop_cpu_cps:,.0f}x | {fails} | {fr[1e-9]:.1%} / {fr[1e-6]:.1%} / {fr[1e-4]:.1%} / {fr[1e-3]:.1%} | {better:.1%} |"
        )
        rows += [
            {"model": model, "metric": "fit_curves_curves_per_s_wall", "value": ours_cps},
            {"model": model, "metric": "fit_curves_curves_per_s_cpu", "value": ours_cpu_cps},
            {"model": model, "metric": "loop_curves_per_s_wall", "value": loop_cps},
            {"model": model, "metric": "loop_curves_per_s_cpu", "value": loop_cpu_cps},
            {"model": model, "metric": "speedup_wall", "value": ours_cps / loop_cps},
            {"model": model, "metric": "speedup_cpu", "value": ours_cpu_cps / loop_cpu_cps},
            {"model": model, "metric": "loop_failures", "value": fails},
            *[{"model": model, "metric": f"sse_no_worse_rel_{tol:g}", "value": v} for tol, v in fr.items()],
            {"model": model, "metric": "sse_better_rel_1e-6", "value": better},
            {"model": model, "metric": "converged_fraction", "value": float(res["converged"].mean())},
        ]
        print(f"loop {model}: {n_loop} curves in {lwall:.1f} s; no worse (1e-6): {fr[1e-6]:.3f}")

    md += [
        "",
        "## Agreement with PharmacoGx (Spearman)",
        "",
        "Our `aac` (= 1 - normalised AUC, PharmacoGx's \"auc\") and `ic50_uM` (absolute IC50 extrapolated from the "
        "fitted curve; curves that never reach 50 % are left out) against `sensitivity_profiles.csv.gz`. "
        "PharmacoGx recomputes with a 3-parameter Hill model (top = 1).",
        "",
        "| model | AAC vs auc_recomputed | AAC vs auc_published | IC50 vs ic50_recomputed (n) | IC50 vs ic50_published (n) |",
        "|---|---|---|---|---|",
    ]
    for model in ("4p", "3p"):
        res = results[model][0]
        m = res.assign(exp_id=[exp.get((s, d)) for s, d in zip(res["sample"], res["drug"])]).set_index("exp_id").join(prof)
        r_rec = spearmanr(m["aac"], m["auc_recomputed"], nan_policy="omit")[0]
        r_pub = spearmanr(m["aac"], m["auc_published"], nan_policy="omit")[0]
        fin = np.isfinite(m["ic50_uM"]) & (m["ic50_uM"] > 0)
        f1 = fin & np.isfinite(m["ic50_recomputed"])
        f2 = fin & np.isfinite(m["ic50_published"])
        i_rec = spearmanr(m.loc[f1, "ic50_uM"], m.loc[f1, "ic50_recomputed"])[0]
        i_pub = spearmanr(m.loc[f2, "ic50_uM"], m.loc[f2, "ic50_published"])[0]
        md.append(f"| {model} | {r_rec:.3f} | {r_pub:.3f} | {i_rec:.3f} ({int(f1.sum())}) | {i_pub:.3f} ({int(f2.sum())}) |")
        rows += [
            {"model": model, "metric": "spearman_aac_auc_recomputed", "value": r_rec},
            {"model": model, "metric": "spearman_aac_auc_published", "value": r_pub},
            {"model": model, "metric": "spearman_ic50_recomputed", "value": i_rec},
            {"model": model, "metric": "spearman_ic50_published", "value": i_pub},
        ]
    ref = spearmanr(prof["auc_recomputed"], prof["auc_published"], nan_policy="omit")[0]
    md += ["", f"For scale: PharmacoGx's own recomputed vs published AUC Spearman = {ref:.3f}.", ""]
    res4 = results["4p"][0]
    flags = pd.Series(";".join(res4["flags"]).split(";"))
    flags = flags[flags != ""].value_counts()
    md += ["## Flags (4p)", "", "| flag | curves |", "|---|---|"] + [f"| {k} | {v} |" for k, v in flags.items()]
    md += ["", f"IC50 status (4p): {res4['ic50_status'].value_counts().to_dict()}", ""]
    write_csv(pd.DataFrame(rows), HERE / "results" / "curves.csv")
    write_stamped(HERE / "results" / "curves.md", "\n".join(md) + "\n")
    print("\n".join(md))


if __name__ == "__main__":
    main()

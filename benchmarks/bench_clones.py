"""Clone clustering and trees on simulated truth, and on TRACERx CRUK0001 (speed).

1. Simulated truth (:func:`oncoresist.ds.simulate_clones`): for every seed x depth x purity x number
   of clones, :func:`oncoresist.tl.cluster_mutations` (defaults) is scored by the adjusted Rand
   index against the true clones, the mean absolute error of the cluster CCFs (each true clone
   matched to the cluster holding most of its mutations), whether the number of clones is right,
   whether the true tree is among the trees :func:`oncoresist.tl.clone_trees` calls consistent, and
   the tree edit distance of the best tree to the true one (parent-child distance: edges, child ->
   parent, of one tree missing from the other, each true clone mapped to its cluster; 0 = the true
   tree, counted as in Govek et al. 2018 / Dang et al. 2017 benchmarks).
2. Clonal evolution under therapy (:func:`oncoresist.ds.simulate_evolution`): serial biopsies at
   6 time points (ARI, whether the best time-ordered tree is the true one) and the plasma ctDNA
   panel followed by :func:`oncoresist.interpret.monitor_ctdna` (day the planted resistance
   mutation is flagged, lag after its emergence, other current-therapy alerts = false alerts).
3. Multi-region tumours (:func:`oncoresist.ds.simulate_multiregion`: a branching tree, subclones
   private to one region, each region with its own purity and depth): the scores of 1. for every
   seed x depth x purity x number of clones x number of regions; written to
   ``results/clones_multiregion.csv`` and plotted in ``results/clones_multiregion.png``.
4. Real data: time of reading, CCFs, clustering and trees on the TRACERx CRUK0001 PyClone-VI input.

Usage: python benchmarks/bench_clones.py [--seeds 3] [--evolution-only] [--multiregion-only]
Writes benchmarks/results/clones.md, clones.csv, clones_evolution.csv, clones_multiregion.{csv,png}.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

from _stamp import write_stamped  # noqa: E402
from oncoresist._core._utils import write_csv
from oncoresist.ds import (
    EVOLUTION_THERAPIES,
    simulate_clones,
    simulate_evolution,
    simulate_multiregion,
)
from oncoresist.interpret import monitor_ctdna
from oncoresist.io import read_pyclone
from oncoresist.tl import cancer_cell_fractions, clone_trees, cluster_mutations

HERE = Path(__file__).resolve().parent
DATA = Path(os.environ.get("ONCORESIST_SHARED_DATA", HERE.parents[1] / "shared" / "data")) / "clonal"


def tree_edit_distance(best: dict[int, int], truth: dict[int, int]) -> int:
    """Edges (child, parent) of the true tree missing from the best one plus the best's extra ones, halved (rounded up)."""
    a, b = set(best.items()), set(truth.items())
    return (len(a - b) + len(b - a) + 1) // 2


def true_edges(z: pd.Series, labels: pd.Series, parents: pd.Series) -> tuple[pd.Series, dict[int, int]]:
    """Cluster holding most of each true clone's mutations, and the true tree in cluster numbers."""
    to_cluster = z.groupby(labels).agg(lambda v: v.mode().iloc[0])
    return to_cluster, {int(to_cluster[c]): (int(to_cluster[p]) if p >= 0 else -1) for c, p in parents.items()}


def score_fit(table: pd.DataFrame, truth) -> dict:
    """Cluster ``table`` (defaults, K <= 8) and score clusters, CCFs and the best tree against ``truth``."""
    t0, c0 = time.perf_counter(), time.process_time()
    res = cluster_mutations(table, max_clusters=8, random_state=0)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    z = res.mutations.set_index("mutation_id")["cluster"].reindex(truth.labels.index)
    to_cluster, edges = true_edges(z, truth.labels, truth.parents)
    est = res.clusters.pivot(index="cluster", columns="sample_id", values="ccf")[truth.ccf.columns]
    err = float(np.abs(est.loc[to_cluster.to_numpy()].to_numpy() - truth.ccf.to_numpy()).mean())
    tree_ok, dist, n_ok = False, np.nan, np.nan
    if res.n_clusters <= 8:
        trees = clone_trees(res.clusters, max_trees=1000)
        best = trees[trees["tree"] == 1]
        dist = tree_edit_distance(dict(zip(best["cluster"], best["parent"], strict=True)), edges)
        n_ok = int(trees["n_consistent"].iloc[0])
    if res.n_clusters <= 8 and to_cluster.nunique() == len(truth.parents):
        found = [dict(zip(g["cluster"], g["parent"], strict=True)) for _, g in trees[trees["consistent"]].groupby("tree")]
        tree_ok = edges in found
    return {"n_found": res.n_clusters, "ari": adjusted_rand_score(truth.labels, z), "ccf_mae": err,
            "true_tree_consistent": tree_ok, "tree_distance": dist, "n_consistent": n_ok, "seconds": dt, "cpu_seconds": cpu}


def score(seed: int, depth: float, purity: float, n_clones: int) -> dict:
    table, truth = simulate_clones(300, 3, n_clones, depth=depth, purity=purity, random_state=seed)
    return {"seed": seed, "depth": depth, "purity": purity, "n_clones": n_clones} | score_fit(table, truth)


def summarise(df: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Medians of ARI / CCF error / time, fractions of seeds with K right, the true tree consistent or best."""
    return df.assign(k_right=df["n_found"] == df["n_clones"]).groupby(by).agg(
        ari=("ari", "median"), ccf_mae=("ccf_mae", "median"), k_right=("k_right", "mean"),
        true_tree=("true_tree_consistent", "mean"), tree_dist=("tree_distance", "mean"),
        exact_tree=("tree_distance", lambda d: float((d == 0).mean())), n_trees=("n_consistent", "median"),
        seconds=("seconds", "median"))


def multiregion(seeds: int) -> list[str]:
    """Multi-region rows -> results/clones_multiregion.{csv,png} and the markdown lines."""
    rows = []
    for seed in range(seeds):
        for depth in (50, 200, 1000):
            for purity in (0.3, 0.7):
                for k in (4, 6):
                    for n_regions in (3, 6):
                        table, truth = simulate_multiregion(300, n_regions, k, depth=depth, purity=purity, random_state=seed)
                        rows.append({"seed": seed, "depth": depth, "purity": purity, "n_clones": k, "n_regions": n_regions,
                                     "n_private": len(truth.private)} | score_fit(table, truth))
    df = pd.DataFrame(rows)
    write_csv(df, HERE / "results" / "clones_multiregion.csv")
    plot_multiregion(df, HERE / "results" / "clones_multiregion.png")
    summ = summarise(df, ["depth", "purity", "n_clones", "n_regions"])
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return ["## Multi-region tumours", "", f"`simulate_multiregion` (300 mutations; a branching tree; each leaf private to one "
            "region with probability 0.5; each region's purity U(p - 0.15, p + 0.15) and depth d x U(0.5, 1.5)), "
            f"{seeds} seeds per cell; columns as above. {int(df['n_private'].gt(0).sum())} of {len(df)} tumours have a "
            f"private clone. Clustering: median {df['seconds'].median():.2f} s wall, {df['cpu_seconds'].median():.2f} s CPU "
            f"per tumour (load average {load:.1f} on {os.cpu_count()} cores).", "",
            "![multi-region benchmark](clones_multiregion.png)", "", "```", summ.round(3).to_string(), "```", ""]


def plot_multiregion(df: pd.DataFrame, path: Path) -> None:
    """ARI, CCF error and tree edit distance against depth, one line per purity x clones x regions."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 3.8))
    for (purity, k, n_regions), g in df.groupby(["purity", "n_clones", "n_regions"]):
        m = g.groupby("depth").agg(ari=("ari", "median"), ccf_mae=("ccf_mae", "median"), tree_distance=("tree_distance", "mean"))
        style = dict(marker="o" if n_regions == 3 else "s", linestyle="-" if purity > 0.5 else "--",
                     color="tab:blue" if k == 4 else "tab:red", label=f"purity {purity}, {k} clones, {n_regions} regions")
        for ax, col in zip(axes, ["ari", "ccf_mae", "tree_distance"], strict=True):
            ax.plot(m.index, m[col], **style)
    for ax, title in zip(axes, ["adjusted Rand index (median)", "cluster CCF error (median)", "tree edit distance (mean)"], strict=True):
        ax.set_xscale("log")
        ax.set_xlabel("mean read depth")
        ax.set_title(title, fontsize=10)
    axes[2].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    fig.suptitle("Multi-region simulated tumours: clusters, CCFs and clone tree against the truth", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def score_evolution(seed: int, therapy: str, depth: float, kb: Path) -> dict:
    """One simulated patient under therapy: clustering, time-ordered tree and the ctDNA alert."""
    reads, plasma, truth = simulate_evolution(therapy=therapy, depth=depth, random_state=seed)
    res = cluster_mutations(reads, max_clusters=8, random_state=0)
    z = res.mutations.set_index("mutation_id")["cluster"].reindex(truth.labels.index)
    _, edges = true_edges(z, truth.labels, truth.parents)
    exact = False
    if res.n_clusters <= 8:
        best = clone_trees(res.clusters, times=list(truth.ccf.columns), max_trees=1).query("tree == 1")
        exact = dict(zip(best["cluster"], best["parent"], strict=True)) == edges
    tab = plasma.rename(columns={"mutation": "alteration"}).assign(kind="mutation", vaf=plasma["vaf"] / 100, copy_number=np.nan)
    alerts = monitor_ctdna(tab, therapy=therapy, kb=kb).alerts
    current = alerts[alerts["current"].astype(bool)]
    hit = current[current["alteration"] == truth.resistance_mutation]
    day = float(hit["first_detected_day"].min()) if len(hit) else np.nan
    return {"seed": seed, "therapy": therapy, "depth": depth, "n_found": res.n_clusters, "ari": adjusted_rand_score(truth.labels, z),
            "exact_tree": exact, "emergence_day": truth.emergence_day, "alert_day": day, "lag_days": day - truth.emergence_day,
            "false_alerts": int((current["alteration"] != truth.resistance_mutation).sum())}


def evolution(seeds: int) -> list[str]:
    """Evolution benchmark rows -> results/clones_evolution.csv and the markdown lines."""
    kb = Path(tempfile.mkdtemp()) / "kb.duckdb"
    df = pd.DataFrame([score_evolution(s, th, d, kb) for s in range(seeds) for th in sorted(EVOLUTION_THERAPIES) for d in (100, 300)])
    write_csv(df, HERE / "results" / "clones_evolution.csv")
    summ = df.groupby(["therapy", "depth"]).agg(ari=("ari", "median"), exact_tree=("exact_tree", "mean"),
                                                 alerted=("alert_day", lambda d: float(d.notna().mean())), lag_days=("lag_days", "median"),
                                                 false_alerts=("false_alerts", "sum"))
    return ["## Clonal evolution under therapy", "", f"`simulate_evolution` (160 mutations, biopsies and plasma on days 0, 60, ..., 300, "
            f"resistant clone from day 100), {seeds} seeds per cell: ARI (median), exact_tree and alerted (fractions of seeds), "
            "lag_days (median days from emergence to the first flagged plasma draw), false_alerts (other current-therapy alerts, summed).",
            "", "```", summ.round(3).to_string(), "```", ""]


def real_data() -> list[str]:
    path = DATA / "pyclonevi_tracerx_CRUK0001.tsv"
    if not path.exists():
        return [f"TRACERx: {path} absent, skipped."]
    t0 = time.perf_counter()
    table = read_pyclone(path)
    t1 = time.perf_counter()
    cancer_cell_fractions(table)
    t2 = time.perf_counter()
    res = cluster_mutations(table)
    t3 = time.perf_counter()
    trees = clone_trees(res.clusters) if res.n_clusters <= 8 else None
    t4 = time.perf_counter()
    wide = res.clusters.pivot(index="cluster", columns="sample_id", values="ccf").round(2)
    return [f"TRACERx CRUK0001 ({table['mutation_id'].nunique()} mutations x {table['sample_id'].nunique()} regions): "
            f"read {t1 - t0:.2f} s, CCFs {t2 - t1:.2f} s, clustering (K = 1..10, 3 starts each) {t3 - t2:.1f} s -> "
            f"{res.n_clusters} clusters, trees {t4 - t3:.1f} s"
            + (f" (best violation {trees['violation'].iloc[0]:.2f})" if trees is not None else ""), "",
            "```", wide.to_string(), "```"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--evolution-only", action="store_true", help="Only the evolution benchmark (printed, not written to clones.md).")
    ap.add_argument("--multiregion-only", action="store_true",
                    help="Only the multi-region benchmark (csv and png written, printed, not written to clones.md).")
    args = ap.parse_args()
    if args.multiregion_only:
        print("\n".join(multiregion(args.seeds)))
        return
    evo = evolution(args.seeds)
    if args.evolution_only:
        print("\n".join(evo))
        return
    rows = [score(seed, depth, purity, k) for seed in range(args.seeds) for depth in (50, 200, 1000)
            for purity in (0.4, 0.8) for k in (3, 5)]
    df = pd.DataFrame(rows)
    write_csv(df, HERE / "results" / "clones.csv")
    summ = summarise(df, ["depth", "purity", "n_clones"])
    text = ["# Clones (`bench_clones.py`)", "", f"Simulated: 300 mutations x 3 samples, {args.seeds} seeds per cell "
            "(medians; k_right, true_tree and exact_tree are fractions of seeds; tree_dist is the mean tree edit distance "
            "of the best tree to the truth, parent-child edges; n_trees the median number of trees consistent with the sum rule).", "", "```", summ.round(3).to_string(), "```", ""]
    text += multiregion(args.seeds) + evo + real_data()
    write_stamped(HERE / "results" / "clones.md", "\n".join(text))
    print("\n".join(text))


if __name__ == "__main__":
    main()

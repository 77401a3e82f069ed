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
3. Real data: time of reading, CCFs, clustering and trees on the TRACERx CRUK0001 PyClone-VI input.

Usage: python benchmarks/bench_clones.py [--seeds 3] [--evolution-only]
Writes benchmarks/results/clones.md and benchmarks/results/clones.csv.
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
from oncoresist.ds import EVOLUTION_THERAPIES, simulate_clones, simulate_evolution
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


def score(seed: int, depth: float, purity: float, n_clones: int) -> dict:
    table, truth = simulate_clones(300, 3, n_clones, depth=depth, purity=purity, random_state=seed)
    t0 = time.perf_counter()
    res = cluster_mutations(table, max_clusters=8, random_state=0)
    dt = time.perf_counter() - t0
    z = res.mutations.set_index("mutation_id")["cluster"].reindex(truth.labels.index)
    to_cluster, edges = true_edges(z, truth.labels, truth.parents)
    est = res.clusters.pivot(index="cluster", columns="sample_id", values="ccf")
    err = float(np.abs(est.loc[to_cluster.to_numpy()].to_numpy() - truth.ccf.to_numpy()).mean())
    tree_ok, dist = False, np.nan
    if res.n_clusters <= 8:
        trees = clone_trees(res.clusters, max_trees=1000)
        best = trees[trees["tree"] == 1]
        dist = tree_edit_distance(dict(zip(best["cluster"], best["parent"], strict=True)), edges)
    if res.n_clusters <= 8 and to_cluster.nunique() == n_clones:
        found = [dict(zip(g["cluster"], g["parent"], strict=True)) for _, g in trees[trees["consistent"]].groupby("tree")]
        tree_ok = edges in found
    return {"seed": seed, "depth": depth, "purity": purity, "n_clones": n_clones, "n_found": res.n_clusters,
            "ari": adjusted_rand_score(truth.labels, z), "ccf_mae": err, "true_tree_consistent": tree_ok, "tree_distance": dist, "seconds": dt}


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
    args = ap.parse_args()
    evo = evolution(args.seeds)
    if args.evolution_only:
        print("\n".join(evo))
        return
    rows = [score(seed, depth, purity, k) for seed in range(args.seeds) for depth in (50, 200, 1000)
            for purity in (0.4, 0.8) for k in (3, 5)]
    df = pd.DataFrame(rows)
    write_csv(df, HERE / "results" / "clones.csv")
    summ = df.assign(k_right=df["n_found"] == df["n_clones"]).groupby(["depth", "purity", "n_clones"]).agg(
        ari=("ari", "median"), ccf_mae=("ccf_mae", "median"), k_right=("k_right", "mean"),
        true_tree=("true_tree_consistent", "mean"), tree_dist=("tree_distance", "mean"), exact_tree=("tree_distance", lambda d: float((d == 0).mean())),
        seconds=("seconds", "median"))
    text = ["# Clones (`bench_clones.py`)", "", f"Simulated: 300 mutations x 3 samples, {args.seeds} seeds per cell "
            "(medians; k_right, true_tree and exact_tree are fractions of seeds; tree_dist is the mean tree edit distance "
            "of the best tree to the truth, parent-child edges).", "", "```", summ.round(3).to_string(), "```", ""] + evo + real_data()
    write_stamped(HERE / "results" / "clones.md", "\n".join(text))
    print("\n".join(text))


if __name__ == "__main__":
    main()

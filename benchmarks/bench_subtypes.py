"""Subtype recovery: SNF + spectral and consensus clustering of GFA factors vs simple baselines.

Cases:

- ``simulator``: ``oncoresist.ds.simulate_cohort`` (3 planted subtypes in factor space; RNA,
  proteomics with missing samples, methylation; batch effects), preprocessed with
  ``oncoresist.pp.preprocess`` (ComBat on batch, tissue kept). Adjusted Rand index (ARI) vs
  the planted subtypes, with k chosen from the data and with k fixed to the truth.
- ``weak_layers``: 3 layers each carrying a weak view of 3 clusters (plus 10% of samples
  missing a layer): fusion vs each layer alone vs k-means on the concatenated layers.
- ``cptac``: CPTAC UCEC tumours (proteomics after ComBat on the TMT plex, RNA, copy number
  with genes sharing a segment profile collapsed, gene-level mutations): agreement of multi-omics subtypes with the genomic subtypes of
  ``clinical.txt`` (CNV-low, CNV-high, MSI-H, POLE): ARI, normalised mutual information,
  chi-square p; plus the TMT-plex share of proteomics variance before / after ComBat.
- ``scale``: SNF with dense N x N networks vs sparse k-nearest-neighbour networks
  (``affinity='dense'`` / ``'knn'``) on a seeded cohort of 4 groups in 3 layers (300 features
  each, 5% of the samples missing a layer), one fresh process per run: wall and CPU time,
  peak RSS, ARI vs the truth and between the two paths (same k).

Usage: python benchmarks/bench_subtypes.py [--cases simulator,weak_layers,cptac,scale] [--sizes 300,1000]
       [--scale-dense 1000,2000] [--scale-knn 1000,2000,10000]
Writes benchmarks/results/subtypes.{csv,md} (scale: subtypes_scale.{csv,md}, subtypes_scale.png).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import warnings
from pathlib import Path

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from _stamp import write_stamped  # noqa: E402

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
SHARED = Path(os.environ.get("ONCORESIST_SHARED_DATA", HERE.parent.parent / "shared" / "data"))


def _quiet_mudata(mods: dict) -> md.MuData:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return md.MuData(mods)


def kmeans_concat(mdata: md.MuData, mods: list[str], k: int, seed: int) -> pd.Series:
    """Baseline: k-means on the first 20 principal components of the concatenated, standardised layers."""
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA

    from oncoresist.tl import modality_matrix

    blocks = []
    for m in mods:
        x = modality_matrix(mdata, m).reindex(mdata.obs_names.astype(str))
        x = (x - x.mean()) / x.std(ddof=0).replace(0, 1.0)
        blocks.append(x.fillna(0.0) / np.sqrt(x.shape[1]))
    X = pd.concat(blocks, axis=1).to_numpy()
    P = PCA(min(20, X.shape[1] - 1), random_state=seed).fit_transform(X)
    lab = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(P)
    return pd.Series(lab.astype(str), index=mdata.obs_names.astype(str))


def score(truth: pd.Series, pred: pd.Series) -> dict:
    from scipy import stats

    ok = truth.notna() & pred.notna()
    t, p = truth[ok].astype(str), pred[ok].astype(str)
    chi2_p = float(stats.chi2_contingency(pd.crosstab(t, p).to_numpy())[1]) if p.nunique() > 1 else float("nan")
    return {"ari": float(adjusted_rand_score(t, p)), "nmi": float(normalized_mutual_info_score(t, p)),
            "chi2_p": chi2_p, "n_scored": int(ok.sum()), "k_found": int(p.nunique())}


def run_methods(m: md.MuData, truth: pd.Series, mods: list[str], *, k_true: int, seed: int, case: str, n: int) -> list[dict]:
    from oncoresist.tl import factors, subtypes

    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        factors(m, mods=mods, n_factors=10, random_state=seed)
        t_f = time.perf_counter() - t0
        for method in ("snf", "consensus"):
            for k in (None, k_true):
                t0 = time.perf_counter()
                subtypes(m, method=method, mods=mods, n_subtypes=k, random_state=seed, n_resamples=50)
                dt = time.perf_counter() - t0 + (t_f if method == "consensus" else 0.0)
                rows.append({"case": case, "n_samples": n, "method": method, "k": "auto" if k is None else k,
                             "k_chosen": m.uns["subtype"]["n_subtypes"], "seconds": dt,
                             **score(truth, m.obs["subtype"].astype(object).where(m.obs["subtype"].notna()))})
                print(rows[-1], flush=True)
        t0 = time.perf_counter()
        lab = kmeans_concat(m, mods, k_true, seed)
        rows.append({"case": case, "n_samples": n, "method": "kmeans_concat_pca", "k": k_true, "k_chosen": k_true,
                     "seconds": time.perf_counter() - t0, **score(truth, lab)})
        print(rows[-1], flush=True)
    return rows


def case_simulator(n: int, seed: int) -> list[dict]:
    from oncoresist.ds import simulate_cohort
    from oncoresist.pp import preprocess

    sim = simulate_cohort(n, seed=seed)
    m = sim.mdata
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        preprocess(m, mods=["rna", "prot", "meth"], batch_key="batch", covariates=["tissue"], n_top=500)
    truth = sim.truth.subtype.reindex(m.obs_names.astype(str))
    return run_methods(m, truth, ["rna", "prot", "meth"], k_true=int(truth.nunique()), seed=seed, case="simulator", n=n)


def case_weak_layers(n: int, seed: int) -> list[dict]:
    from oncoresist.tl import affinity_matrix, spectral_labels

    rng = np.random.default_rng(seed)
    truth = np.repeat(np.arange(3), n // 3)
    ids = [f"s{i:04d}" for i in range(len(truth))]
    mods = {}
    for name in ("l1", "l2", "l3"):
        centers = rng.normal(scale=0.5, size=(3, 50))
        X = centers[truth] + rng.normal(size=(len(truth), 50))
        a = ad.AnnData(X, obs=pd.DataFrame(index=ids), var=pd.DataFrame(index=[f"{name}_{j}" for j in range(50)]))
        keep = rng.random(len(truth)) >= 0.1
        mods[name] = a[keep].copy()
    m = _quiet_mudata(mods)
    t = pd.Series(truth.astype(str), index=ids).reindex(m.obs_names.astype(str))
    rows = run_methods(m, t, ["l1", "l2", "l3"], k_true=3, seed=seed, case="weak_layers", n=len(truth))
    for name, a in mods.items():
        X = (a.X - a.X.mean(0)) / a.X.std(0)
        lab = spectral_labels(affinity_matrix(X, k=20), 3, random_state=seed)
        rows.append({"case": "weak_layers", "n_samples": len(truth), "method": f"spectral_{name}_only", "k": 3, "k_chosen": 3,
                     "seconds": float("nan"), **score(t.reindex(a.obs_names), pd.Series(lab.astype(str), index=a.obs_names))})
        print(rows[-1], flush=True)
    return rows


def case_cptac(seed: int) -> tuple[list[dict], dict]:
    from oncoresist._core._utils import read_table
    from oncoresist.pp import batch_variance, binarize_mutations, combat

    d = SHARED / "cptac_ucec"
    if not d.is_dir():
        print(f"skipping CPTAC: {d} is absent")
        return [], {}
    clin = read_table(d / "clinical.txt", index_col=0)
    clin.index = clin.index.astype(str)
    tumours = clin.index[(clin["Proteomics_Tumor_Normal"] == "Tumor") & clin["Genomics_subtype"].notna()]
    mods = {}
    for name, f in (("prot", "proteomics.cct.gz"), ("rna", "transcriptomics_linear.cct.gz"), ("cnv", "CNA.cct.gz"),
                    ("mut", "somatic_binary.cbt.gz")):
        df = read_table(d / f, index_col=0).T
        df.index = df.index.astype(str)
        df = df.reindex([s for s in tumours if s in df.index])
        mods[name] = ad.AnnData(df.to_numpy(dtype=float), obs=pd.DataFrame(index=df.index),
                                var=pd.DataFrame(index=df.columns.astype(str)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mods["mut"] = binarize_mutations(mods["mut"], sep="_", min_samples=5, copy=True)
        m = _quiet_mudata(mods)
    m.obs["plex"] = clin["Proteomics_TMT_plex"].reindex(m.obs_names).astype(str).to_numpy()
    m.obs["genomic_subtype"] = clin["Genomics_subtype"].reindex(m.obs_names).to_numpy()
    # proteomics: keep well-measured proteins, ComBat on the TMT plex
    prot = m.mod["prot"]
    keep = np.isfinite(prot.X).mean(axis=0) >= 0.8
    batch = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p2 = prot[:, keep].copy()
        p2.obs["plex"] = m.obs["plex"].reindex(p2.obs_names).to_numpy()
        before = batch_variance(p2, batch_key="plex")
        combat(p2, batch_key="plex")
        after = batch_variance(p2, batch_key="plex")
    batch = {"tumours": int(p2.n_obs), "proteins": int(p2.n_vars),
             **{f"{k}_before": float(v) for k, v in before.items()}, **{f"{k}_after": float(v) for k, v in after.items()}}
    print(batch, flush=True)
    mods["prot"] = p2
    # copy number: genes of one segment share one profile; keep distinct profiles before selecting
    # (otherwise the 2,000 most variable genes are one amplicon, mean pairwise r = 0.998)
    cnv = mods["cnv"].to_df()
    distinct = ~cnv.T.duplicated().to_numpy()
    mods["cnv"] = mods["cnv"][:, distinct].copy()
    for name in ("rna", "cnv"):
        a = mods[name]
        var = np.nanvar(a.X, axis=0)
        top = np.argsort(-np.where(np.isfinite(var), var, -1))[:2000]
        mods[name] = a[:, np.sort(top)].copy()
    mods["prot"] = mods["prot"][:, np.argsort(-np.nanvar(mods["prot"].X, axis=0))[:2000]].copy()
    m2 = _quiet_mudata(mods)
    truth = m.obs["genomic_subtype"].reindex(m2.obs_names.astype(str))
    rows = run_methods(m2, truth, ["prot", "rna", "cnv", "mut"], k_true=4, seed=seed, case="cptac_ucec", n=int(m2.n_obs))
    return rows, batch


def scale_cohort(n: int, seed: int) -> tuple[md.MuData, np.ndarray]:
    """4 groups (sizes 40/30/20/10%) seen by 3 layers of 300 features; 5% of the samples miss each layer (one at most)."""
    rng = np.random.default_rng(seed)
    truth = rng.choice(4, size=n, p=[0.4, 0.3, 0.2, 0.1])
    missing = rng.choice(4, size=n, p=[0.85, 0.05, 0.05, 0.05])  # 0: none, else the layer it misses
    ids = [f"s{i:06d}" for i in range(n)]
    mods = {}
    for i, name in enumerate(("l1", "l2", "l3"), start=1):
        centers = rng.normal(scale=0.3, size=(4, 300))
        X = (centers[truth] + rng.normal(size=(n, 300))).astype(np.float32)
        keep = missing != i
        mods[name] = ad.AnnData(X[keep], obs=pd.DataFrame(index=[i for i, k in zip(ids, keep) if k]),
                                var=pd.DataFrame(index=[f"{name}_{j}" for j in range(300)]))
    return _quiet_mudata(mods), truth


def scale_one(n: int, affinity: str, seed: int, out: Path) -> dict:
    """One SNF run (k fixed to 4) in this process: times, peak RSS, labels saved to ``out``."""
    import resource

    from oncoresist.tl import subtypes

    m, truth = scale_cohort(n, seed)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0, c0 = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        subtypes(m, method="snf", mods=["l1", "l2", "l3"], n_subtypes=4, affinity=affinity, random_state=seed)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    lab = m.obs["subtype"].astype(str).reindex([f"s{i:06d}" for i in range(n)]).to_numpy()
    np.save(out, lab.astype(str))
    return {"n_samples": n, "affinity": affinity, "seconds": wall, "cpu_seconds": cpu,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "rss_before_mb": rss0,
            "ari_truth": float(adjusted_rand_score(truth, lab)), "load_1min": os.getloadavg()[0]}


def case_scale(dense_sizes: list[int], knn_sizes: list[int], seed: int) -> pd.DataFrame:
    """Each (size, affinity) in a fresh process; ARI between the paths where both ran."""
    import json
    import subprocess
    import sys
    import tempfile

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for aff, sizes in (("dense", dense_sizes), ("knn", knn_sizes)):
            for n in sizes:
                f = Path(tmp) / f"{aff}_{n}.npy"
                cmd = [sys.executable, __file__, "--scale-one", f"{n},{aff},{f}", "--seed", str(seed)]
                res = subprocess.run(cmd, capture_output=True, text=True)
                if res.returncode:
                    msg = f"{' '.join(cmd)} failed ({res.returncode}):\n{res.stderr[-3000:]}"
                    raise RuntimeError(msg)
                rows.append(json.loads(res.stdout.strip().splitlines()[-1]))
                print(rows[-1], flush=True)
                pd.DataFrame(rows).to_csv(RESULTS / "subtypes_scale.csv", index=False)  # kept if a later run fails
        for r in rows:
            other = Path(tmp) / f"dense_{r['n_samples']}.npy"
            if r["affinity"] == "knn" and other.exists():
                r["ari_vs_dense"] = float(adjusted_rand_score(np.load(other), np.load(Path(tmp) / f"knn_{r['n_samples']}.npy")))
    return pd.DataFrame(rows)


def scale_figure(df: pd.DataFrame, path: Path) -> None:
    """Wall time and peak RSS against the number of samples, one line per affinity."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(8, 3.2))
    for aff, g in df.groupby("affinity"):
        g = g.sort_values("n_samples")
        axes[0].plot(g["n_samples"], g["seconds"], "o-", label=aff)
        axes[1].plot(g["n_samples"], g["peak_rss_mb"] / 1024, "o-", label=aff)
    for ax, lab in zip(axes, ("wall time (s)", "peak RSS (GB)")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("samples")
        ax.set_ylabel(lab)
        ax.legend(title="affinity")
    fig.suptitle("SNF subtypes (3 layers, k = 4): dense vs sparse kNN networks")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_scale(df: pd.DataFrame) -> None:
    df.to_csv(RESULTS / "subtypes_scale.csv", index=False)
    scale_figure(df, RESULTS / "subtypes_scale.png")
    lines = ["# Subtypes at scale: SNF with dense vs sparse k-nearest-neighbour networks", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} CPUs (shared; `load_1min` is the load average at the end "
             "of each run). One fresh process per run; `peak_rss_mb` is the process's peak resident memory "
             "(`rss_before_mb` after building the cohort). k fixed to 4 (the truth); `ari_vs_dense` compares the "
             "calls of the two paths on the same cohort.", "", md_table(df), "", "![scale](subtypes_scale.png)", ""]
    write_stamped(RESULTS / "subtypes_scale.md", "\n".join(lines))


def md_table(df: pd.DataFrame, floatfmt: str = ".3f") -> str:
    def fmt(v: object) -> str:
        if isinstance(v, (float, np.floating)):
            if not np.isfinite(v):
                return ""
            return format(float(v), ".2g") if 0 < abs(float(v)) < 1e-3 else format(float(v), floatfmt)
        return str(v)

    head = "| " + " | ".join(map(str, df.columns)) + " |"
    sep = "|" + "|".join("---" for _ in df.columns) + "|"
    body = ["| " + " | ".join(fmt(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([head, sep, *body])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cases", default="simulator,weak_layers,cptac")
    p.add_argument("--sizes", default="300,1000")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--scale-dense", default="1000,2000")
    p.add_argument("--scale-knn", default="1000,2000,10000")
    p.add_argument("--scale-one", default=None, help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.scale_one:
        import json

        n, aff, f = a.scale_one.split(",", 2)
        print(json.dumps(scale_one(int(n), aff, a.seed, Path(f))))
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    batch: dict = {}
    for case in a.cases.split(","):
        if case == "simulator":
            for n in [int(s) for s in a.sizes.split(",")]:
                rows += case_simulator(n, a.seed)
        elif case == "weak_layers":
            rows += case_weak_layers(300, a.seed)
        elif case == "cptac":
            r, batch = case_cptac(a.seed)
            rows += r
        elif case == "scale":
            write_scale(case_scale([int(s) for s in a.scale_dense.split(",") if s],
                                   [int(s) for s in a.scale_knn.split(",") if s], a.seed))
    if a.cases == "scale":
        return
    # keep the rows of cases not re-run this time
    csv = RESULTS / "subtypes.csv"
    new = pd.DataFrame(rows)
    old = pd.read_csv(csv) if csv.exists() else pd.DataFrame(columns=new.columns)
    ran = {"cptac_ucec" if c == "cptac" else c for c in a.cases.split(",")}
    df = pd.concat([old[~old["case"].isin(ran)], new], ignore_index=True) if len(old) else new
    df.to_csv(csv, index=False)
    bcsv = RESULTS / "subtypes_cptac_batch.csv"
    if batch:
        pd.DataFrame([batch]).to_csv(bcsv, index=False)
    elif bcsv.exists():
        batch = pd.read_csv(bcsv).iloc[0].to_dict()
    lines = ["# Subtypes: SNF + spectral, consensus clustering of GFA factors, baselines", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} CPUs (shared), Python {platform.python_version()}. "
             "ARI = adjusted Rand index vs the reference labels; k = 'auto' when chosen from the data (SNF: largest "
             "eigengap; consensus: lowest PAC). Consensus times include fitting the factors.", ""]
    if len(df):
        lines += [md_table(df), ""]
    if batch:
        lines += ["## CPTAC UCEC proteomics: TMT plex before / after ComBat (tumours)", "",
                  md_table(pd.DataFrame([{"measure": k.rsplit("_", 1)[0], "when": k.rsplit("_", 1)[1], "value": v}
                                         for k, v in batch.items() if k.endswith(("_before", "_after"))])), ""]
    write_stamped(RESULTS / "subtypes.md", "\n".join(lines))


if __name__ == "__main__":
    main()

"""Latent-factor recovery and speed: oncoresist GFA vs MOFA+ (mofapy2) vs scikit-learn FA + varimax.

Scenarios (seeded multi-view simulations with known factors Z; activity = which layers each
factor loads on, several factors active in one layer only):

- ``gaussian``: 4 Gaussian layers x 1,000 features, 6 factors, heteroscedastic noise, layers on
  different scales; no missing values (sklearn FA's home ground). Sizes 200 and 2,000.
- ``binary``: 3 Gaussian layers + a binary mutation layer (300 genes, ~10% mutated) with a
  factor that lives in the mutations only; ``sparse_binary``: the same with 100 genes ~4%
  mutated (closer to real mutation matrices).
- ``missing_layers``: 30% of samples lack layer 2 and (independently) 30% lack layer 3;
  5% of the remaining values missing.
- ``simulator``: ``oncoresist.ds.simulate_cohort`` (RNA counts, proteomics with missing
  samples and values, methylation betas, drug AUC; batch effects), preprocessed with
  ``oncoresist.pp.preprocess`` (ComBat on the batch, tissue kept).
- ``cll``: the real CLL MOFA views (drug response, mutations): correlation of the best factor
  with IGHV status and with trisomy 12.

Metric: factor recovery = mean over true factors of the best absolute Pearson correlation
with any estimated factor; wall and CPU time of the fit. sklearn FA gets the true number of
factors, features standardised, missing values mean-imputed, each layer weighted by
1/sqrt(features) (equal total variance per layer); GFA and MOFA+ start from true K + 4 factors
and prune. MOFA+ runs with its defaults (ARD + spike-and-slab weights, "fast" convergence).

- ``--sweep``: feature-level sparsity (issue 18): 5 factors active in every layer with sparse
  loadings (a share ``frac`` of features per layer) plus 3 active in some layers; one-at-a-time
  sweep around 4 views x 500 features, ``frac`` 0.15, no missing layer, over N (200, 2,000),
  views (2, 3), ``frac`` (0.05, 0.3, 1 = dense) and missing layers (30% of samples lack views 2
  and 3). Methods: ``native`` (the default, ``sparsity="feature"``), ``native_view`` (per-view
  ARD only, the model before feature sparsity), ``fa`` and, when mofapy2 is installed, ``mofa``.
  Writes ``results/factors_sparsity.{csv,md,png}``.

Usage: python benchmarks/bench_factors.py [--scenarios gaussian,binary,...] [--sizes 200,2000]
       [--methods native,mofa,fa] [--seed 0]
Appends rows to benchmarks/results/factors.csv and rewrites benchmarks/results/factors.md.
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

from _stamp import write_stamped  # noqa: E402

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
SHARED = Path(os.environ.get("ONCORESIST_SHARED_DATA", HERE.parent.parent / "shared" / "data"))

#: factor x layer activity of the controlled simulations (6 factors, 4 layers)
ACTIVITY = np.array([
    [1, 1, 1, 1],  # shared by every layer
    [1, 1, 0, 0],
    [0, 1, 1, 0],
    [1, 0, 0, 1],
    [1, 0, 0, 0],  # layer 1 only
    [0, 0, 0, 1],  # layer 4 only
])


def simulate(n: int, *, seed: int, scenario: str) -> tuple[dict[str, pd.DataFrame], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    ids = [f"s{i:05d}" for i in range(n)]
    if scenario in ("binary", "sparse_binary"):
        act = np.array([
            [1, 1, 1, 0],
            [1, 1, 0, 0],
            [0, 1, 1, 0],
            [1, 0, 0, 1],
            [0, 0, 1, 1],
            [0, 0, 0, 1],  # mutations only
        ])
        n_mut = 300 if scenario == "binary" else 100
        layers = [("l1", 1000, "gaussian"), ("l2", 1000, "gaussian"), ("l3", 1000, "gaussian"), ("mut", n_mut, "bernoulli")]
    else:
        act = ACTIVITY
        layers = [(f"l{i + 1}", 1000, "gaussian") for i in range(4)]
    k = act.shape[0]
    Z = rng.normal(size=(n, k))
    views = {}
    scales = [1.0, 5.0, 0.2, 2.0]
    for m, (name, d, lik) in enumerate(layers):
        W = rng.normal(size=(d, k)) * act[:, m][None, :]
        lin = Z @ W.T
        if lik == "bernoulli":
            # "binary": ~10% mutated on average; "sparse_binary": ~4%, as for most cancer genes
            base = -2.5 if scenario == "binary" else -3.5
            Y = (rng.random((n, d)) < 1.0 / (1.0 + np.exp(-(1.5 * lin / np.sqrt(max(1, act[:, m].sum())) + base)))).astype(float)
        else:
            noise_sd = rng.uniform(1.0, 3.0, size=d)
            Y = (lin + rng.normal(size=(n, d)) * noise_sd) * scales[m]
        df = pd.DataFrame(Y, index=ids, columns=[f"{name}_f{j}" for j in range(d)])
        if scenario == "missing_layers":
            if name in ("l2", "l3"):
                df = df.loc[rng.random(n) >= 0.3]
            vals = df.to_numpy()
            vals[rng.random(vals.shape) < 0.05] = np.nan
            df = pd.DataFrame(vals, index=df.index, columns=df.columns)
        views[name] = df
    return views, Z, act


def simulator_views(n: int, *, seed: int) -> tuple[dict[str, pd.DataFrame], np.ndarray, pd.Index]:
    from oncoresist.ds import simulate_cohort
    from oncoresist.pp import preprocess
    from oncoresist.tl import modality_matrix

    sim = simulate_cohort(n, seed=seed)
    m = sim.mdata
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        preprocess(m, mods=["rna", "prot", "meth"], batch_key="batch", covariates=["tissue"], n_top=None)
    views = {name: modality_matrix(m, name) for name in ("rna", "prot", "meth", "drug")}
    Z = sim.truth.factors.reindex(m.obs_names.astype(str))
    return views, Z.to_numpy(), Z.index


def recovery(Z_true: np.ndarray, Z_hat: np.ndarray) -> tuple[float, float]:
    k = Z_true.shape[1]
    ok = np.isfinite(Z_hat).all(axis=1) & np.isfinite(Z_true).all(axis=1)
    c = np.abs(np.corrcoef(Z_true[ok].T, Z_hat[ok].T)[:k, k:])
    c = np.nan_to_num(c)
    best = c.max(axis=1)
    return float(best.mean()), float(best.min())


START_EXTRA = 4  # GFA / MOFA+ start from true K + START_EXTRA factors (--start-factors overrides)
START_FACTORS: int | None = None


def fit_method(method: str, views: dict[str, pd.DataFrame], k_true: int, seed: int) -> tuple[pd.DataFrame, dict]:
    from oncoresist.tl import GroupFactorAnalysis

    samples = pd.Index(sorted(set().union(*(set(v.index) for v in views.values()))))
    t0, c0 = time.perf_counter(), time.process_time()
    info: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method in ("native", "native_view", "mofa"):
            k0 = START_FACTORS or k_true + START_EXTRA
            extra = {"sparsity": "view"} if method == "native_view" else {}
            est = GroupFactorAnalysis(n_factors=k0, method=method.split("_")[0], random_state=seed, **extra).fit(views)
            Z = pd.DataFrame(est.factors_, index=est.sample_names_).reindex(samples)
            info = {"start_factors": k0, "start": f"K+{START_EXTRA}" if START_FACTORS is None else str(START_FACTORS),
                    "n_factors": est.n_factors_, "n_iter": est.n_iter_, "converged": est.converged_}
        else:
            from sklearn.decomposition import FactorAnalysis

            blocks = []
            for v in views.values():
                x = v.reindex(samples)
                x = (x - x.mean()) / x.std(ddof=0).replace(0, 1.0)
                blocks.append(x.fillna(0.0) / np.sqrt(x.shape[1]))
            X = pd.concat(blocks, axis=1).to_numpy()
            fa = FactorAnalysis(n_components=k_true, rotation="varimax", random_state=seed).fit(X)
            Z = pd.DataFrame(fa.transform(X), index=samples)
            info = {"n_factors": k_true, "n_iter": int(fa.n_iter_), "converged": True}
    info["wall_s"] = time.perf_counter() - t0
    info["cpu_s"] = time.process_time() - c0
    return Z, info


def run_synthetic(scenario: str, n: int, methods: list[str], seed: int) -> list[dict]:
    views, Z, act = simulate(n, seed=seed, scenario=scenario)
    ids = views[next(iter(views))].index.union(pd.Index([f"s{i:05d}" for i in range(n)]))
    truth = pd.DataFrame(Z, index=[f"s{i:05d}" for i in range(n)]).reindex(ids)
    rows = []
    for method in methods:
        Zhat, info = fit_method(method, views, act.shape[0], seed)
        rec, worst = recovery(truth.to_numpy(), Zhat.reindex(truth.index).to_numpy())
        rows.append({"scenario": scenario, "n_samples": n, "n_features": sum(v.shape[1] for v in views.values()),
                     "method": method, "recovery": rec, "worst_factor": worst, **info})
        print(rows[-1], flush=True)
    return rows


def run_simulator(n: int, methods: list[str], seed: int) -> list[dict]:
    views, Z, ids = simulator_views(n, seed=seed)
    rows = []
    for method in methods:
        Zhat, info = fit_method(method, views, Z.shape[1], seed)
        rec, worst = recovery(Z, Zhat.reindex(ids).to_numpy())
        rows.append({"scenario": "simulator", "n_samples": n, "n_features": sum(v.shape[1] for v in views.values()),
                     "method": method, "recovery": rec, "worst_factor": worst, **info})
        print(rows[-1], flush=True)
    return rows


def run_cll(methods: list[str], seed: int) -> list[dict]:
    d = SHARED / "cll"
    if not d.is_dir():
        print(f"skipping CLL: {d} is absent")
        return []
    drugs = pd.read_csv(d / "cll_drugs.csv.gz", index_col=0).T
    mut = pd.read_csv(d / "cll_mutations.csv", index_col=0).T
    views = {"drugs": drugs, "mutations": mut}
    rows = []
    for method in [m for m in methods if m != "fa"] + (["fa"] if "fa" in methods else []):
        Zhat, info = fit_method(method, views, 10 if method != "fa" else 6, seed)
        out = {"scenario": "cll", "n_samples": len(Zhat), "n_features": drugs.shape[1] + mut.shape[1], "method": method, **info}
        for lab in ("IGHV", "trisomy12"):
            y = mut[lab].reindex(Zhat.index)
            ok = y.notna() & Zhat.notna().all(axis=1)
            r = Zhat[ok].corrwith(y[ok].astype(float)).abs()
            out[f"{lab}_best_r"] = float(r.max())
            out[f"{lab}_factor"] = int(np.argmax(r.to_numpy())) + 1
        rows.append(out)
        print(out, flush=True)
    return rows


SWEEP_BASE = {"n": 500, "n_views": 4, "frac": 0.15, "missing": 0.0}
SWEEP = [{"n": 200}, {"n": 500}, {"n": 2000}, {"n_views": 2}, {"n_views": 3}, {"frac": 0.05}, {"frac": 0.3}, {"frac": 1.0},
         {"missing": 0.3}]


def simulate_sparse(n: int, *, n_views: int, frac: float, missing: float, seed: int,
                    d: int = 500) -> tuple[dict[str, pd.DataFrame], np.ndarray]:
    """Views with 5 all-layer factors of sparse loadings plus 3 partial ones (known truth)."""
    rng = np.random.default_rng(seed)
    act = np.array([[1] * n_views] * 5 + [[1, 1] + [0] * (n_views - 2), [0] * (n_views - 2) + [1, 1],
                                          [1] + [0] * (n_views - 1)])
    k = act.shape[0]
    Z = rng.normal(size=(n, k))
    ids = [f"s{i:05d}" for i in range(n)]
    views = {}
    for m in range(n_views):
        W = rng.normal(size=(d, k)) * act[:, m] * (rng.random((d, k)) < frac)
        Y = (Z @ W.T + rng.normal(size=(n, d)) * rng.uniform(1.0, 2.0, size=d)) * [1.0, 5.0, 0.2, 2.0][m]
        df = pd.DataFrame(Y, index=ids, columns=[f"l{m + 1}_f{j}" for j in range(d)])
        if missing and m in (1, 2):
            df = df.loc[rng.random(n) >= missing]
        views[f"l{m + 1}"] = df
    return views, Z


def _has_mofapy2() -> bool:
    """Whether MOFA+ (mofapy2) can be imported here."""
    import importlib.util

    return importlib.util.find_spec("mofapy2") is not None


#: Methods of the sparsity sweep; MOFA+ joins when mofapy2 is installed (``pip install mofapy2``).
SWEEP_METHODS = ("native", "native_view", "fa", *(("mofa",) if _has_mofapy2() else ()))


def run_sweep(seed: int) -> pd.DataFrame:
    """The feature-sparsity sweep (see the module docstring)."""
    rows = []
    for change in SWEEP:
        cfg = {**SWEEP_BASE, **change}
        views, Z = simulate_sparse(cfg["n"], n_views=cfg["n_views"], frac=cfg["frac"], missing=cfg["missing"], seed=seed)
        truth = pd.DataFrame(Z, index=[f"s{i:05d}" for i in range(cfg["n"])])
        for method in SWEEP_METHODS:
            Zhat, info = fit_method(method, views, Z.shape[1], seed)
            rec, worst = recovery(truth.to_numpy(), Zhat.reindex(truth.index).to_numpy())
            rows.append({"varied": next(iter(change)), **cfg, "method": method, "recovery": rec, "worst_factor": worst,
                         "n_factors": info["n_factors"], "n_iter": info["n_iter"], "wall_s": info["wall_s"]})
            print(rows[-1], flush=True)
    return pd.DataFrame(rows)


def write_sweep(df: pd.DataFrame) -> None:
    """Markdown table and figure of the sparsity sweep."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    wide = df.pivot_table(index=["varied", "n", "n_views", "frac", "missing"], columns="method",
                          values=["recovery", "worst_factor", "wall_s"], aggfunc="last")
    wide.columns = [f"{a}_{b}" for a, b in wide.columns]
    lines = ["# Feature-level sparsity: GFA (sparsity='feature', default) vs per-view ARD only vs FA + varimax (vs MOFA+)", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} CPUs (shared). 5 all-layer factors with sparse loadings "
             "(share `frac` of features per layer) + 3 partial ones, 500 features per view; recovery = mean best |r| "
             "with the true factors; "
             + ("MOFA+ (mofapy2, its defaults) as `mofa`." if "mofa" in set(df["method"]) else "mofapy2 was not installed (no MOFA+ column)."), "",
             md_table(wide.reset_index()), ""]
    write_stamped(RESULTS / "factors_sparsity.md", "\n".join(lines))
    fig, axes = plt.subplots(1, 4, figsize=(13, 3.2), sharey=True)
    for ax, var in zip(axes, ("n", "n_views", "frac", "missing")):
        ref = (df["varied"] == "n") & (df["n"] == SWEEP_BASE["n"])  # the base configuration
        sub = df[(df["varied"] == var) | ref]
        for method, g in sub.groupby("method"):
            g = g.sort_values(var)
            ax.plot(g[var], g["recovery"], marker="o", label=method)
        ax.set_xlabel(var)
        if var == "n":
            ax.set_xscale("log")
            ax.minorticks_off()
        ax.set_xticks(sorted(sub[var].unique()))
        ax.set_xticklabels([f"{x:g}" for x in sorted(sub[var].unique())])
    axes[0].set_ylabel("factor recovery (mean best |r|)")
    axes[0].legend(fontsize=8)
    fig.suptitle("Feature sparsity sweep (one factor varied around 4 views x 500, frac 0.15, N 500)", fontsize=10)
    fig.tight_layout()
    fig.savefig(RESULTS / "factors_sparsity.png", dpi=110)
    plt.close(fig)


def md_table(df: pd.DataFrame, floatfmt: str = ".3f") -> str:
    """A GitHub markdown table (no tabulate dependency)."""
    def fmt(v: object) -> str:
        if isinstance(v, (float, np.floating)):
            return "" if not np.isfinite(v) else format(float(v), floatfmt)
        return str(v)

    head = "| " + " | ".join(map(str, df.columns)) + " |"
    sep = "|" + "|".join("---" for _ in df.columns) + "|"
    body = ["| " + " | ".join(fmt(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([head, sep, *body])


def write_markdown(df: pd.DataFrame) -> None:
    lines = [
        "# Latent factors: oncoresist GFA vs MOFA+ (mofapy2) vs sklearn FA + varimax",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs (shared), Python {platform.python_version()}. "
        "Recovery = mean over true factors of the best |r| with an estimated factor (worst = the least recovered "
        "factor). Times are wall-clock seconds of the fit (the box is shared: compare methods within a row group).",
        "",
    ]
    syn = df[df["scenario"] != "cll"]
    if len(syn):
        start = syn["start"] if "start" in syn else pd.Series(np.nan, index=syn.index)
        syn = syn.assign(start=np.where(syn["method"] == "fa", "", start.fillna(f"K+{START_EXTRA}").astype(str)))
        last = syn.drop_duplicates(["scenario", "n_samples", "method", "start"], keep="last")
        tab = last[last["method"] != "fa"].pivot_table(index=["scenario", "n_samples", "start"], columns="method",
                                                       values=["recovery", "worst_factor", "wall_s", "cpu_s"], aggfunc="last")
        fa = last[last["method"] == "fa"].drop_duplicates(["scenario", "n_samples"], keep="last").set_index(["scenario", "n_samples"])
        tab.columns = [f"{a}_{b}" for a, b in tab.columns]
        tab = tab.reset_index()
        tab["recovery_fa"] = [fa["recovery"].get((s_, n_), np.nan) for s_, n_ in zip(tab["scenario"], tab["n_samples"])]
        tab["worst_factor_fa"] = [fa["worst_factor"].get((s_, n_), np.nan) for s_, n_ in zip(tab["scenario"], tab["n_samples"])]
        tab["wall_s_fa"] = [fa["wall_s"].get((s_, n_), np.nan) for s_, n_ in zip(tab["scenario"], tab["n_samples"])]
        tab = tab.set_index(["scenario", "n_samples", "start"])
        if {"wall_s_native", "wall_s_mofa"} <= set(tab.columns):
            tab["speedup_wall"] = tab["wall_s_mofa"] / tab["wall_s_native"]
            tab["speedup_cpu"] = tab["cpu_s_mofa"] / tab["cpu_s_native"]
        order = [c for c in ["recovery_native", "recovery_native_view", "recovery_mofa", "recovery_fa", "worst_factor_native",
                             "worst_factor_native_view", "worst_factor_mofa",
                             "worst_factor_fa", "wall_s_native", "wall_s_native_view", "wall_s_mofa", "wall_s_fa", "cpu_s_native", "cpu_s_mofa",
                             "speedup_wall", "speedup_cpu"] if c in tab.columns]
        tab = tab[order]
        lines += ["## Simulated cohorts", "", md_table(tab.reset_index()), ""]
        lines += ["Full rows:", "", md_table(last), ""]
    cll = df[df["scenario"] == "cll"]
    if len(cll):
        cols = [c for c in ["method", "n_factors", "IGHV_best_r", "IGHV_factor", "trisomy12_best_r", "trisomy12_factor",
                            "wall_s", "n_iter"] if c in cll.columns]
        shown = cll.drop_duplicates("method", keep="last")[cols].copy()
        for c in ("n_factors", "IGHV_factor", "trisomy12_factor", "n_iter"):
            if c in shown:
                shown[c] = shown[c].astype("Int64")
        lines += ["## CLL (drug response + mutations, 200 patients)", "",
                  md_table(shown), ""]
    write_stamped(RESULTS / "factors.md", "\n".join(lines))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scenarios", default="gaussian,binary,sparse_binary,missing_layers,simulator,cll")
    p.add_argument("--sizes", default="200,2000")
    p.add_argument("--methods", default="native,mofa,fa")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--start-factors", type=int, default=None, help="Initial factors of GFA / MOFA+ (default: true K + 4).")
    p.add_argument("--report-only", action="store_true", help="Only rewrite factors.md from factors.csv.")
    p.add_argument("--sweep", action="store_true", help="Run only the feature-sparsity sweep (factors_sparsity.*).")
    a = p.parse_args()
    if a.sweep:
        RESULTS.mkdir(parents=True, exist_ok=True)
        if a.report_only:
            df = pd.read_csv(RESULTS / "factors_sparsity.csv")
        else:
            df = run_sweep(a.seed)
            df.to_csv(RESULTS / "factors_sparsity.csv", index=False)
        write_sweep(df)
        return
    global START_FACTORS
    START_FACTORS = a.start_factors
    RESULTS.mkdir(parents=True, exist_ok=True)
    csv = RESULTS / "factors.csv"
    if not a.report_only:
        methods = [m for m in a.methods.split(",") if m]
        sizes = [int(s) for s in a.sizes.split(",") if s]
        for scenario in a.scenarios.split(","):
            rows: list[dict] = []
            if scenario == "cll":
                rows = run_cll(methods, a.seed)
            elif scenario == "simulator":
                for n in sizes:
                    rows += run_simulator(n, methods, a.seed)
            else:
                for n in sizes if scenario == "gaussian" else [min(sizes[-1], 1000)]:
                    rows += run_synthetic(scenario, n, methods, a.seed)
            if rows:
                new = pd.DataFrame(rows)
                old = pd.read_csv(csv) if csv.exists() else pd.DataFrame()
                pd.concat([old, new], ignore_index=True).to_csv(csv, index=False)
    if csv.exists():
        write_markdown(pd.read_csv(csv))


if __name__ == "__main__":
    main()

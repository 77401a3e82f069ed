"""Activity inference (``oncoresist.tl.activity``) against decoupler: agreement, speed, recovery.

Run by hand: ``python benchmarks/bench_activity.py [--quick]``. Needs decoupler (the ``bench``
extra) and ``../shared/data`` (set ``ONCORESIST_SHARED_DATA``). Writes ``results/activity.md``
and ``results/activity.csv`` (one row per data set x method: Pearson r with decoupler over all
samples x sources, max |difference|, our and decoupler's wall time and their ratio).

1. Synthetic: 20,000 genes x 1,000 samples (seeded normal), a random signed network of 300
   sources x 15-60 targets. Every method, deterministic settings (``times=0``: raw weighted
   mean / sum, plain gsea ES) so that scores are comparable value for value.
2. CPTAC UCEC RNA (log2(x + 1) of ``transcriptomics_linear``) with PROGENy (ulm, mlm, viper,
   wmean) and CollecTRI (ulm, viper).
3. Planted mechanism: the simulator's RNA (``ds.simulate_cohort``) with its gene columns renamed
   to real symbols carrying a PROGENy pathway footprint; in a random half of the samples
   ("resistant") the MAPK footprint is shifted by ``effect`` SD x weight / max |weight| (a
   pathway-level state: the top target moves by ``effect`` SD, the others less). Held-out AUC of resistant vs sensitive for the
   MAPK activity (ulm) and for the best single MAPK target gene picked on the training half.
4. The simulator's own functional state (``simulate_cohort(functional=True)``, 300 samples,
   seeds 0-2): held-out AUC of the MAPK activity (ulm, ``ds.pathway_network()``) and of the
   best single MAPK target (picked on the training half) for the planted mutation-free
   ``mapk_reactivation`` state, KSEA MAPK1 AUC on the phosphosites, and Spearman rho of
   ``tl.tme`` scores with the true cell fractions (min / median over the cell types).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from _stamp import write_stamped  # noqa: E402
from oncoresist.tl.functional import METHOD_REGISTRY, network_matrix

RESULTS = Path(__file__).resolve().parent / "results"
SHARED = Path(os.environ.get("ONCORESIST_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
DC_NAME = {"ksea": "zscore", "wmean": "waggr", "wsum": "waggr"}
DC_KW = {"viper": {"pleiotropy": False}, "ksea": {"flavor": "RoKAI"}, "wmean": {"times": 0},
         "wsum": {"times": 0, "fun": "wsum"}, "gsea": {"times": 0}}
OUR_KW = {"wmean": {"times": 0, "flavour": "raw"}, "wsum": {"times": 0, "flavour": "raw"}, "gsea": {"times": 0}}


def _timed(func):
    """Wall time and result of one call."""
    t0 = time.perf_counter()
    out = func()
    return time.perf_counter() - t0, out


def compare(label: str, df: pd.DataFrame, net: pd.DataFrame, method: str, tmin: int = 5) -> dict:
    """One row: our kernel (incl. building the weight matrix) vs decoupler on the same data."""
    import decoupler as dc

    def ours():
        adj, src = network_matrix(net, pd.Index(df.columns), tmin=tmin)
        return METHOD_REGISTRY[method].kernel(df.to_numpy(), adj, **OUR_KW.get(method, {}))[0], src

    t_our, (mine, src) = _timed(ours)
    t_dc, res = _timed(lambda: getattr(dc.mt, DC_NAME.get(method, method))(df, net, tmin=tmin, **DC_KW.get(method, {})))
    ref = res[0][list(src)].to_numpy()
    ok = np.isfinite(ref) & np.isfinite(mine)
    r = float(np.corrcoef(ref[ok], mine[ok])[0, 1])
    row = {"data": label, "method": method, "samples": df.shape[0], "features": df.shape[1], "sources": len(src),
           "pearson_r": round(r, 6), "max_abs_diff": float(np.abs(ref[ok] - mine[ok]).max()),
           "oncoresist_s": round(t_our, 3), "decoupler_s": round(t_dc, 3), "speedup": round(t_dc / t_our, 2)}
    print(row, flush=True)
    return row


def synthetic(ng: int, ns: int, nsrc: int = 300) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Seeded genes-as-columns matrix and a random signed network."""
    rng = np.random.default_rng(0)
    genes = [f"G{i}" for i in range(ng)]
    df = pd.DataFrame(rng.normal(size=(ns, ng)), index=[f"s{i}" for i in range(ns)], columns=genes)
    rows = [(f"S{s}", genes[i], float(rng.choice([-1, 1]) * rng.uniform(0.2, 1)))
            for s in range(nsrc) for i in rng.choice(ng, int(rng.integers(15, 61)), replace=False)]
    return df, pd.DataFrame(rows, columns=["source", "target", "weight"])


def cptac_rna() -> pd.DataFrame:
    """CPTAC UCEC RNA, samples x genes, log2(x + 1)."""
    rna = pd.read_csv(SHARED / "cptac_ucec" / "transcriptomics_linear.cct.gz", sep="\t", index_col=0)
    rna = rna[~rna.index.duplicated()].dropna()
    x = np.log2(rna.T.clip(lower=0) + 1)
    return x.loc[:, x.std() > 0]  # decoupler drops constant (all-zero) genes: the same inputs for both


def planted(effect: float = 0.2, seed: int = 0) -> dict:
    """Held-out AUC of the MAPK activity vs the best single MAPK target on simulator RNA."""
    from oncoresist.ds import simulate_cohort
    from oncoresist.kb import load_resource
    from oncoresist.tl.functional._methods import ulm

    net = load_resource("progeny", path=SHARED / "prior")
    sim = simulate_cohort(n_samples=300, n_genes=1000, seed=seed, missing_layer_fraction=0.0, missing_value_fraction=0.0)
    x = np.asarray(sim.mdata["rna"].X, dtype=float)
    genes = pd.Index(net["target"].unique()[: x.shape[1]])
    x = x[:, : len(genes)]
    adj, src = network_matrix(net, genes, tmin=5)
    w = adj[:, src.get_loc("MAPK")]
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(len(x)) % 2)
    x = x + effect * np.outer(y, w / np.abs(w).max()) * x.std(0)  # top target shifted by effect SD
    train = rng.random(len(x)) < 0.5
    act = ulm(x, adj)[0][:, src.get_loc("MAPK")]
    targets = np.flatnonzero(w)
    tr_auc = [roc_auc_score(y[train], x[train, j] * np.sign(w[j])) for j in targets]
    best = targets[int(np.argmax(tr_auc))]
    return {"seed": seed, "samples": len(x), "effect_sd": effect, "mapk_targets": len(targets),
            "auc_activity": round(roc_auc_score(y[~train], act[~train]), 3),
            "auc_best_gene": round(roc_auc_score(y[~train], x[~train, best] * np.sign(w[best])), 3),
            "best_gene": str(genes[best])}


def planted_functional(seed: int = 0) -> dict:
    """The simulator's own functional state (``functional=True``): MAPK state, KSEA, microenvironment recovery."""
    from scipy.stats import spearmanr

    from oncoresist import tl
    from oncoresist.ds import kinase_network, pathway_network, simulate_cohort

    sim = simulate_cohort(n_samples=300, seed=seed, functional=True)
    m, fun = sim.mdata, sim.truth.functional
    tl.activity(m, resource=pathway_network(), method="ulm", key_added="act_simpathways")
    tl.activity(m, mod="phospho", resource=kinase_network(), method="ksea", key_added="act_kinase")
    tl.tme(m, method="mcp")
    act, kin, tme, rna = (m[k].to_df() for k in ("act_simpathways", "act_kinase", "tme", "rna"))
    y = fun["state"]["mapk_reactivation"]
    train = np.random.default_rng(seed).random(len(act)) < 0.5
    targets = pathway_network().query("source == 'MAPK'")["target"]
    best = max(targets, key=lambda g: roc_auc_score(y[train], rna.loc[train, g]))
    frac = fun["tme_fractions"].loc[tme.index]
    rho = {c: spearmanr(tme[c], frac[c])[0] for c in frac.columns if c in tme.columns}
    return {"seed": seed, "samples": len(act), "carriers": int(y.sum()),
            "auc_activity": round(roc_auc_score(y[~train], act.loc[~train, "MAPK"]), 3),
            "auc_best_gene": round(roc_auc_score(y[~train], rna.loc[~train, best]), 3), "best_gene": best,
            "auc_ksea_MAPK1": round(roc_auc_score(y.loc[kin.index], kin["MAPK1"]), 3),
            "tme_rho_min": round(min(rho.values()), 3), "tme_rho_median": round(float(np.median(list(rho.values()))), 3)}


def _table(rows: pd.DataFrame, cols: list[str]) -> str:
    """Markdown table of ``cols`` of the rows."""
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(f"{r[c]:.2g}" if c == "max_abs_diff" else str(r[c]) for c in cols) + " |"
              for _, r in rows.iterrows()]
    return "\n".join(lines)


def main(quick: bool = False) -> None:
    """Run the three parts and write the results."""
    from oncoresist.kb import load_resource

    ng, ns = (2000, 100) if quick else (20000, 1000)
    n_gsea = ns if quick else 100  # decoupler's gsea needs ~1 s per 20k-gene sample: 100 samples
    df, net = synthetic(ng, ns)
    for m in METHOD_REGISTRY:  # decoupler's numba compilation outside the timings
        compare("warm-up", df.iloc[:5, :500], net, m)
    rows = [compare(f"synthetic {ng}x{ns}", df if m != "gsea" else df.iloc[:n_gsea], net, m) for m in METHOD_REGISTRY]
    rna = cptac_rna()
    prog = load_resource("progeny", path=SHARED / "prior")
    coll = load_resource("collectri", path=SHARED / "prior")
    rows += [compare("CPTAC UCEC RNA / PROGENy", rna, prog, m) for m in ("ulm", "mlm", "viper", "wmean")]
    rows += [compare("CPTAC UCEC RNA / CollecTRI", rna, coll, m) for m in ("ulm", "viper")]
    res = pd.DataFrame(rows)
    RESULTS.mkdir(exist_ok=True)
    res.to_csv(RESULTS / "activity.csv", index=False)
    rec = [planted(e, s) for e in (0.1, 0.3, 0.5) for s in (0, 1, 2)]
    rec_df = pd.DataFrame(rec)
    print(rec_df, flush=True)
    fun_df = pd.DataFrame([planted_functional(s) for s in (0, 1, 2)])
    print(fun_df, flush=True)
    text = ("# Activity inference vs decoupler\n\n" + _table(res, list(res.columns))
            + "\n\n## Planted MAPK state on simulator RNA\n\n" + _table(rec_df, list(rec_df.columns))
            + "\n\n## The simulator's functional state (simulate_cohort(functional=True))\n\n"
            + _table(fun_df, list(fun_df.columns)) + "\n")
    write_stamped(RESULTS / "activity.md", text)


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)

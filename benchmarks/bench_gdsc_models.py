"""GDSC drug-response prediction from omics, evaluated cell-line-blind, with naive baselines.

Data: ``../shared/data/gdsc_tgsa/`` (TGSA release of GDSC): 580 cell lines, 170 drugs (ln IC50),
expression / copy number / mutation of 706 cancer-census genes (Entrez IDs). The cohort is a
MuData with layers ``rna``, ``cnv``, ``mut`` and ``drug`` (X = ln IC50).

Every model is scored by 5-fold cell-line-blind cross-validation (the same folds for every drug
and model; preprocessing, screening and penalties fitted inside the training folds) through
``oncoresist.tl.cross_validate_drugs`` (joblib, ``--n-jobs`` workers, or ``--scheduler``).
Per drug: Pearson r, Spearman rho, RMSE of the pooled out-of-fold predictions; the table gives
their distribution over drugs. Baselines: ``mean`` (per-drug training mean; beating it = lower
RMSE) and ``drug_sample`` (drug mean + the cell line's own mean z-score on the other drugs,
which uses responses the omics models never see). The strong simple baseline is ``enet_rna``
(per-drug elastic net on expression only).

Usage: python benchmarks/bench_gdsc_models.py [--models enet_rna,enet,late,...] [--n-jobs 2]
       [--max-drugs N | --drugs A,B] [--scheduler tcp://host:8786] [--tag NAME]
Biomarker-drug run of ``select`` (per-drug choice of enet_rna / late by inner CV):
       --models enet_rna,late,select --drugs PLX-4720,Dabrafenib,Trametinib,Erlotinib,Gefitinib,Lapatinib,Afatinib
       --n-jobs 1 --tag gdsc_models_select
Writes benchmarks/results/gdsc_models.md, gdsc_models_summary.csv, gdsc_models_per_drug.csv.
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

from _stamp import write_stamped  # noqa: E402
from oncoresist._core._utils import write_csv
from oncoresist.tl import cross_validate_drugs

HERE = Path(__file__).resolve().parent
DATA = Path(os.environ.get("ONCORESIST_SHARED_DATA", HERE.parents[1] / "shared" / "data")) / "gdsc_tgsa"
DEFAULT_MODELS = "enet_rna,ridge_rna,enet,ridge,late,rf,gbm,ensemble,pandrug"


def load_gdsc_tgsa(folder: Path = DATA) -> md.MuData:
    """The TGSA GDSC cohort as a MuData (samples = DepMap IDs, features = Entrez IDs)."""
    ic = pd.read_csv(folder / "tgsa_gdsc_lnic50_82833.csv.gz")
    Y = ic.pivot_table(index="DepMap_ID", columns="drug_name", values="ln_IC50", aggfunc="mean")
    mods = {}
    for layer, tag in (("rna", "exp"), ("cnv", "cn"), ("mut", "mu")):
        X = pd.read_csv(folder / f"tgsa_{tag}_580x706.csv.gz", index_col=0)
        X.columns = [c.strip("()") for c in X.columns]
        mods[layer] = ad.AnnData(X.to_numpy(float), obs=pd.DataFrame(index=X.index.astype(str)),
                                 var=pd.DataFrame(index=X.columns.astype(str)))
    mods["drug"] = ad.AnnData(Y.to_numpy(float), obs=pd.DataFrame(index=Y.index.astype(str)),
                              var=pd.DataFrame(index=Y.columns.astype(str)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return md.MuData(mods)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default=DEFAULT_MODELS)
    ap.add_argument("--n-jobs", type=int, default=2)
    ap.add_argument("--scheduler", default=None)
    ap.add_argument("--max-drugs", type=int, default=None, help="evaluate only every k-th drug to get N drugs")
    ap.add_argument("--drugs", default=None, help="comma-separated drug names (e.g. the 7 biomarker drugs)")
    ap.add_argument("--reference", default="enet_rna")
    ap.add_argument("--tag", default="gdsc_models")
    args = ap.parse_args()
    m = load_gdsc_tgsa()
    drugs = list(m.mod["drug"].var_names)
    if args.max_drugs:
        step = max(1, len(drugs) // args.max_drugs)
        drugs = drugs[::step][: args.max_drugs]
    if args.drugs:
        drugs = [d.strip() for d in args.drugs.split(",") if d.strip()]
    models = [s.strip() for s in args.models.split(",") if s.strip()]
    t0, c0 = time.perf_counter(), time.process_time()
    timings = {}
    results = []
    for model in models:  # one model at a time, to time each; same folds (random_state) for all
        t1 = time.perf_counter()
        res = cross_validate_drugs(m, drugs=drugs, models=[model], n_splits=5, random_state=0,
                                   baselines=("mean", "drug_sample") if model == models[0] else (),
                                   n_jobs=args.n_jobs, scheduler=args.scheduler, quiet=False)
        timings[model] = time.perf_counter() - t1
        results.append(res)
        print(f"{model}: {timings[model]:.0f} s, median r = {res.scores[res.scores['model'] == model]['pearson'].median():.3f}",
              flush=True)
    wall = time.perf_counter() - t0
    from oncoresist.tl import CVResult

    merged = CVResult(scores=pd.concat([r.scores for r in results], ignore_index=True),
                      predictions=pd.concat([r.predictions for r in results], ignore_index=True),
                      params=results[0].params)
    if args.reference not in models:  # e.g. --models late: no paired comparison
        args.reference = models[0]
    summary = merged.summary(reference=args.reference)
    summary["wall_time_s"] = summary["model"].map(timings)
    out = HERE / "results"
    write_csv(summary, out / f"{args.tag}_summary.csv")
    write_csv(merged.scores, out / f"{args.tag}_per_drug.csv")
    wide_r = merged.wide("pearson")
    best = merged.best_model()
    ref = args.reference
    lines = [
        "# GDSC (TGSA) drug-response models: 5-fold cell-line-blind CV",
        "",
        f"{m.mod['drug'].n_obs} cell lines with responses, {len(drugs)} drugs (ln IC50), layers rna / cnv / mut "
        f"({m.mod['rna'].n_vars} / {m.mod['cnv'].n_vars} / {m.mod['mut'].n_vars} genes). Same folds for every "
        f"model and drug; preprocessing fitted inside the training folds. {args.n_jobs} local workers"
        f"{' on ' + args.scheduler if args.scheduler else ''}.",
        "",
        "Per-drug metrics on the pooled out-of-fold predictions; distribution over drugs. `frac_beats_mean` = "
        "share of drugs with lower RMSE than the per-drug mean baseline; `frac_beats_reference` = share of drugs "
        f"with higher Pearson r than `{ref}`.",
        "",
        "| model | kind | drugs | median r | mean r | IQR r | median rho | median RMSE | beats mean (RMSE) | beats "
        f"{ref} (r) | wall time |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for _, r in summary.iterrows():
        wt = f"{r['wall_time_s']:.0f} s" if np.isfinite(r.get("wall_time_s", np.nan)) else "-"
        lines.append(
            f"| {r['model']} | {r['kind']} | {r['n_drugs']} | {r['median_pearson']:.3f} | {r['mean_pearson']:.3f} | "
            f"{r['q25_pearson']:.3f} - {r['q75_pearson']:.3f} | {r['median_spearman']:.3f} | {r['median_rmse']:.3f} | "
            f"{r['frac_beats_mean']:.2f} | {r['frac_beats_reference']:.2f} | {wt} |"
        )
    sm = summary.set_index("model")
    lines += [
        "",
        f"Best model by median per-drug r: **{best}** (median r {sm.loc[best, 'median_pearson']:.3f} vs "
        f"{sm.loc[ref, 'median_pearson']:.3f} for {ref}; beats the per-drug mean on "
        f"{100 * sm.loc[best, 'frac_beats_mean']:.0f}% of drugs by RMSE).",
        f"Paired over drugs, {best} - {ref} in r: median {float((wide_r[best] - wide_r[ref]).median()):+.3f}, "
        f"better on {int((wide_r[best] > wide_r[ref]).sum())} of {int(wide_r[[best, ref]].dropna().shape[0])} drugs."
        if best != ref and ref in wide_r.columns else "",
        "",
        "Note: the `mean` baseline predicts a constant per fold, so its per-drug correlation is meaningless "
        "(slightly negative by construction); compare with it on RMSE. The `drug_sample` baseline uses the "
        "cell line's measured responses to the other drugs, which a cell-line-blind model does not have.",
        "",
        f"Total wall time {wall:.0f} s, CPU time of the main process {time.process_time() - c0:.0f} s "
        f"({platform.machine()}, {os.cpu_count()} CPUs, shared machine).",
    ]
    write_stamped(out / f"{args.tag}.md", "\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

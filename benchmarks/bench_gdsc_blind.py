"""Sample-blind vs tissue-blind evaluation on GDSC1000: how much of a model's score is tissue?

Data: ``../shared/data/gdsc1000/`` (Iorio et al. 2016; loaded as in ``bench_gdsc_anova.py``):
988 cell lines x 265 screens (ln IC50), 677 binary genomic features (mutations, recurrent copy
number alterations), tissue of origin (27 levels).

The same models are scored twice through ``tl.cross_validate_drugs``: 5-fold cell-line-blind CV
(``cv="sample"``: lines of a tissue appear in training and test folds) and tissue-blind CV
(``cv="group"``, ``group_key="tissue"``: every line of a tissue is held out together, as for a
tumour type the model has never seen). Models: ridge and elastic net on the genomic features,
with and without the tissue one-hot as a feature (``obs_features``), and the baselines. The drop
from the first to the second scheme is the part of the score that only transfers within known
tissues.

Usage: python benchmarks/bench_gdsc_blind.py [--n-jobs 2] [--max-drugs N]
Writes benchmarks/results/gdsc_blind.md and gdsc_blind_summary.csv.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import warnings
from pathlib import Path

import pandas as pd

from _stamp import write_stamped  # noqa: E402
from bench_gdsc_anova import load_gdsc1000
from oncoresist._core._utils import write_csv
from oncoresist.tl import cross_validate_drugs

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n-jobs", type=int, default=2)
    ap.add_argument("--max-drugs", type=int, default=None)
    args = ap.parse_args()
    m = load_gdsc1000()
    drugs = list(m.mod["drug"].var_names)
    if args.max_drugs:
        drugs = drugs[:: max(1, len(drugs) // args.max_drugs)][: args.max_drugs]
    rows, lines = [], []
    t0 = time.perf_counter()
    for scheme in ("sample", "group"):
        for label, models, obs in (("genomics", ["ridge", "enet"], None), ("genomics + tissue", ["ridge"], ["tissue"])):
            t1 = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                res = cross_validate_drugs(m, drugs=drugs, models=models, layers=["mut", "cna"], obs_features=obs,
                                           cv=scheme, group_key="tissue", n_splits=5, random_state=0,
                                           n_jobs=args.n_jobs, baselines=("mean", "drug_sample"))
            sm = res.summary()
            sm["features"] = [label if k == "model" else "-" for k in sm["kind"]]
            sm["cv"] = "cell-line-blind" if scheme == "sample" else "tissue-blind"
            sm["wall_s"] = [round(time.perf_counter() - t1, 1) if k == "model" else float("nan") for k in sm["kind"]]
            rows.append(sm)
            print(f"{scheme} {label}: {time.perf_counter() - t1:.0f} s", flush=True)
    tab = pd.concat(rows, ignore_index=True)
    tab = tab[~((tab["kind"] == "baseline") & tab.duplicated(["model", "cv"]))]
    out = HERE / "results"
    write_csv(tab, out / "gdsc_blind_summary.csv")
    lines += [
        "# GDSC1000: cell-line-blind vs tissue-blind cross-validation",
        "",
        f"{m.mod['drug'].n_obs} cell lines, {len(drugs)} screens (ln IC50), {m.mod['mut'].n_vars} mutation + "
        f"{m.mod['cna'].n_vars} copy-number features, {m.obs['tissue'].nunique()} tissues. 5 folds; tissue-blind "
        "folds hold out whole tissues. Per-drug metrics on pooled out-of-fold predictions; distribution over drugs.",
        "",
        "| CV | model | features | drugs | median r | IQR r | median RMSE | beats mean (RMSE) | wall s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for _, r in tab.iterrows():
        lines.append(f"| {r['cv']} | {r['model']} | {r['features']} | {r['n_drugs']} | {r['median_pearson']:.3f} | "
                     f"{r['q25_pearson']:.2f} - {r['q75_pearson']:.2f} | {r['median_rmse']:.3f} | "
                     f"{r['frac_beats_mean']:.2f} | {'-' if pd.isna(r['wall_s']) else r['wall_s']} |")
    lines += ["", f"Total {time.perf_counter() - t0:.0f} s with {args.n_jobs} workers ({platform.machine()}, "
              f"{os.cpu_count()} CPUs, Python {platform.python_version()})."]
    write_stamped(out / "gdsc_blind.md", "\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

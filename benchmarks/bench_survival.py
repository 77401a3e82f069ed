"""Penalised Cox: oncoresist's pipeline vs scikit-survival's own Coxnet example, same folds.

Data: scikit-survival's bundled breast-cancer set (198 patients, 76 genes + 4 clinical
variables, distant-metastasis-free survival). Reference pipeline = the "Penalized Cox Models"
user guide of scikit-survival: one-hot encoding, ``StandardScaler`` + ``CoxnetSurvivalAnalysis(
l1_ratio=0.9, alpha_min_ratio=0.01)``, penalty chosen by ``GridSearchCV`` over the path's alphas
with ``KFold(5, shuffle=True, random_state=0)``. oncoresist = ``tl.PenalizedCox(l1_ratio=0.9)``
(penalty chosen by stratified inner CV of Harrell's C). Both are scored on the same outer
5-fold split (stratified by event, seeds 0..4): Harrell's and Uno's C-index of the held-out fold.

Usage: python benchmarks/bench_survival.py [--repeats 5]
Writes benchmarks/results/survival.md and benchmarks/results/survival.csv.
"""

from __future__ import annotations

import argparse
import platform
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sksurv.column import encode_categorical
from sksurv.datasets import load_breast_cancer
from sksurv.linear_model import CoxnetSurvivalAnalysis
from sksurv.metrics import concordance_index_censored, concordance_index_ipcw

from _stamp import write_stamped  # noqa: E402
from oncoresist._core._utils import write_csv
from oncoresist.tl import PenalizedCox

HERE = Path(__file__).resolve().parent


def sksurv_example(Xtr: pd.DataFrame, ytr: np.ndarray) -> object:
    """The scikit-survival user-guide pipeline, fitted on the training fold only."""
    coxnet = make_pipeline(StandardScaler(), CoxnetSurvivalAnalysis(l1_ratio=0.9, alpha_min_ratio=0.01, max_iter=100))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        coxnet.fit(Xtr, ytr)
    alphas = coxnet.named_steps["coxnetsurvivalanalysis"].alphas_
    gcv = GridSearchCV(
        make_pipeline(StandardScaler(), CoxnetSurvivalAnalysis(l1_ratio=0.9)),
        param_grid={"coxnetsurvivalanalysis__alphas": [[v] for v in alphas]},
        cv=KFold(n_splits=5, shuffle=True, random_state=0),
        error_score=0.5,
        n_jobs=1,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)
        warnings.simplefilter("ignore", UserWarning)
        gcv.fit(Xtr, ytr)
    return gcv.best_estimator_


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5, help="outer 5-fold splits with seeds 0..repeats-1")
    args = ap.parse_args()
    X, y = load_breast_cancer()
    Xt = encode_categorical(X).astype(float)
    rows = []
    t_ref = t_ours = 0.0
    for seed in range(args.repeats):
        folds = StratifiedKFold(5, shuffle=True, random_state=seed).split(Xt, y["e.tdm"])
        for k, (tr, te) in enumerate(folds):
            ytr, yte = y[tr], y[te]
            ev, tm = yte["e.tdm"], yte["t.tdm"]
            tau = float(np.max(ytr["t.tdm"][ytr["e.tdm"]])) if ytr["e.tdm"].any() else float(ytr["t.tdm"].max())
            tau = min(tau, float(ytr["t.tdm"].max()))
            t0 = time.perf_counter()
            ref = sksurv_example(Xt.iloc[tr], ytr)
            t_ref += time.perf_counter() - t0
            r_ref = ref.predict(Xt.iloc[te])
            t0 = time.perf_counter()
            ours = PenalizedCox(l1_ratio=0.9, random_state=0).fit(Xt.iloc[tr], np.array(
                list(zip(ytr["e.tdm"], ytr["t.tdm"])), dtype=[("event", bool), ("time", float)]))
            t_ours += time.perf_counter() - t0
            r_ours = ours.predict(Xt.iloc[te])
            ytr_s = np.array(list(zip(ytr["e.tdm"], ytr["t.tdm"])), dtype=[("event", bool), ("time", float)])
            yte_s = np.array(list(zip(ev, tm)), dtype=[("event", bool), ("time", float)])
            for name, r, n_nz in (("sksurv_example", r_ref, int(np.sum(ref.named_steps["coxnetsurvivalanalysis"].coef_ != 0))),
                                  ("oncoresist", r_ours, int((ours.coef_ != 0).sum()))):
                rows.append({
                    "seed": seed, "fold": k, "pipeline": name,
                    "harrell": concordance_index_censored(ev, tm, r)[0],
                    "uno": concordance_index_ipcw(ytr_s, yte_s, r, tau=tau)[0],
                    "n_nonzero": n_nz,
                })
    df = pd.DataFrame(rows)
    out = HERE / "results"
    write_csv(df, out / "survival.csv")
    summ = df.groupby("pipeline").agg(harrell_mean=("harrell", "mean"), harrell_sd=("harrell", "std"),
                                      uno_mean=("uno", "mean"), uno_sd=("uno", "std"),
                                      n_nonzero_median=("n_nonzero", "median"))
    paired = df.pivot_table(index=["seed", "fold"], columns="pipeline", values="harrell")
    diff = paired["oncoresist"] - paired["sksurv_example"]
    lines = [
        "# Penalised Cox: oncoresist vs scikit-survival's Coxnet example",
        "",
        f"Data: scikit-survival `load_breast_cancer` ({len(Xt)} patients, {Xt.shape[1]} one-hot features, "
        f"{int(y['e.tdm'].sum())} events). Outer split: stratified 5-fold x {args.repeats} seeds, identical for both "
        "pipelines; penalties chosen inside each training fold.",
        "",
        "| pipeline | Harrell C (mean +- sd) | Uno C (mean +- sd) | non-zero coefs (median) |",
        "|---|---|---|---|",
    ]
    for name, r in summ.iterrows():
        lines.append(f"| {name} | {r['harrell_mean']:.3f} +- {r['harrell_sd']:.3f} | {r['uno_mean']:.3f} +- {r['uno_sd']:.3f} | {r['n_nonzero_median']:.0f} |")
    lines += [
        "",
        f"Paired difference in Harrell C (oncoresist - example) over {len(diff)} folds: mean {diff.mean():+.3f}, "
        f"oncoresist better on {int((diff > 0).sum())}, worse on {int((diff < 0).sum())}.",
        f"Fit time per fold: example {t_ref / len(paired):.2f} s, oncoresist {t_ours / len(paired):.2f} s.",
        "",
        f"Machine: {platform.machine()}, Python {platform.python_version()}.",
    ]
    write_stamped(out / "survival.md", "\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

"""CLL ex vivo screen (Dietrich et al. 2018): biomarkers of BCR-inhibitor response, response models, survival.

Data: ``../shared/data/cll/``. Drug response = mean viability over the 5 concentrations of each
drug (``drpar_long_dose_response.csv.gz``; the concentrations are 4-5-fold spaced, so this is the
normalised area under the viability curve on the log-dose grid; lower = more sensitive).
Features (layer ``gen``): the 89 genetic features of ``mutCOM__binary.csv`` (mutations, copy
number, trisomy 12) plus ``IGHV_unmutated`` from ``patmeta.csv``. CLL patients only.

1. ``tl.associate``: every drug against every genetic feature; ranks of IGHV and trisomy 12 for
   the B-cell-receptor (BCR) inhibitors (pathway "B-cell receptor" in ``drugs.csv``).
2. ``tl.cross_validate_drugs``: 5-fold patient-blind CV of elastic net / random forest on the
   genetic features, with the naive baselines.
3. ``tl.cross_validate_survival``: penalised Cox on overall survival (``T6`` years, ``died``) from
   genetics, ex vivo drug response, or both (+ age), next to a clinical baseline (age + IGHV
   status, the strongest known prognostic marker), and with age + IGHV kept unpenalized so that
   the penalty selects molecular features on top of them; Harrell and Uno C-index, 5-fold x 5 seeds.

Usage: python benchmarks/bench_cll_models.py [--n-jobs 2] [--repeats 5]
Writes benchmarks/results/cll_models.md and cll_models_associations.csv.
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
from oncoresist.tl import (
    PenalizedCox,
    associate,
    cross_validate_drugs,
    cross_validate_survival,
    feature_frame,
    get_associations,
    survival_target,
)

HERE = Path(__file__).resolve().parent
DATA = Path(os.environ.get("ONCORESIST_SHARED_DATA", HERE.parents[1] / "shared" / "data")) / "cll"


def load_cll(folder: Path = DATA) -> md.MuData:
    """CLL patients: ``gen`` (genetics + IGHV) and ``drug`` (mean viability) layers; obs T6, died."""
    dr = pd.read_csv(folder / "drpar_long_dose_response.csv.gz")
    meta = pd.read_csv(folder / "patmeta.csv", index_col=0)
    gen = pd.read_csv(folder / "mutCOM__binary.csv", index_col=0)
    cll = meta.index[meta["Diagnosis"] == "CLL"]
    resp = dr.pivot_table(index="patient_id", columns="drug_name", values="viability", aggfunc="mean")
    resp = resp.loc[resp.index.intersection(cll)]
    g = gen.loc[gen.index.intersection(cll)].copy()
    g = g.loc[g.notna().any(axis=1)]
    ighv = meta.loc[g.index, "IGHV"]
    g["IGHV_unmutated"] = (ighv == "U").astype(float).where(ighv.notna())

    def mk(X: pd.DataFrame) -> ad.AnnData:
        return ad.AnnData(X.to_numpy(float), obs=pd.DataFrame(index=X.index.astype(str)),
                          var=pd.DataFrame(index=[str(c) for c in X.columns]))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        m = md.MuData({"gen": mk(g), "drug": mk(resp)})
    ids = m.obs_names.astype(str)
    m.obs["os_years"] = meta["T6"].reindex(ids).to_numpy()
    m.obs["age"] = pd.to_numeric(meta["Age4Main"].reindex(ids), errors="coerce").to_numpy()
    m.obs["died"] = meta["died"].reindex(ids).map({True: 1, False: 0, "TRUE": 1, "FALSE": 0}).to_numpy()
    drugs = pd.read_csv(folder / "drugs.csv").set_index("name")
    m.mod["drug"].var["pathway"] = drugs["pathway"].reindex(m.mod["drug"].var_names).astype(str).to_numpy()
    return m


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n-jobs", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    m = load_cll()
    out = HERE / "results"
    lines = ["# CLL (Dietrich et al. 2018): biomarkers, response models, survival", ""]
    bcr = [d for d, p in m.mod["drug"].var["pathway"].items() if p == "B-cell receptor"]
    # 1. associations
    t0 = time.perf_counter()
    associate(m, layers=["gen"], cross_layer=False, n_jobs=1)
    t_assoc = time.perf_counter() - t0
    res = get_associations(m)
    write_csv(res, out / "cll_models_associations.csv")
    lines += [
        f"{m.mod['drug'].n_obs} CLL patients screened, {m.mod['drug'].n_vars} drugs; {m.mod['gen'].n_obs} with genetics "
        f"({m.mod['gen'].n_vars} features incl. IGHV_unmutated). {len(res):,} tests in {t_assoc:.1f} s; "
        f"{int((res['fdr'] < 0.05).sum())} at FDR < 0.05.",
        "",
        "## 1. Biomarkers of BCR-inhibitor response (tl.associate)",
        "",
        "| drug | top feature | IGHV_unmutated rank / d / FDR | trisomy12 rank / d / FDR |",
        "|---|---|---|---|",
    ]
    for d in bcr:
        sub = res[res["target"] == d].reset_index(drop=True)
        if sub.empty:
            continue

        def cell(feat: str, sub: pd.DataFrame = sub) -> str:
            hit = sub[sub["feature"] == feat]
            if hit.empty:
                return "-"
            r = hit.iloc[0]
            return f"{hit.index[0] + 1} / {r['effect_size']:+.2f} / {r['fdr']:.2g} ({r['direction']})"

        lines.append(f"| {d} | {sub.iloc[0]['feature']} | {cell('IGHV_unmutated')} | {cell('trisomy12')} |")
    top = res.head(10)
    lines += ["", "Top 10 associations overall:", "", "| drug | feature | n altered / wt | Cohen's d | FDR |", "|---|---|---|---|---|"]
    lines += [f"| {r['target']} | {r['feature']} | {int(r['n_pos'])} / {int(r['n_neg'])} | {r['effect_size']:+.2f} | {r['fdr']:.2g} |"
              for _, r in top.iterrows()]
    # 2. response models from genetics
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        cv = cross_validate_drugs(m, models=["enet", "rf"], layers=["gen"], n_splits=5, random_state=0,
                                  n_jobs=args.n_jobs, quiet=True)
    t_cv = time.perf_counter() - t0
    sm = cv.summary()
    lines += ["", "## 2. Drug-response models from genetics (5-fold patient-blind CV, all drugs)", "",
              "| model | kind | drugs | median r | IQR r | median RMSE | beats mean (RMSE) |", "|---|---|---|---|---|---|---|"]
    for _, r in sm.iterrows():
        lines.append(f"| {r['model']} | {r['kind']} | {r['n_drugs']} | {r['median_pearson']:.3f} | {r['q25_pearson']:.2f} - "
                     f"{r['q75_pearson']:.2f} | {r['median_rmse']:.4f} | {r['frac_beats_mean']:.2f} |")
    wide = cv.wide("pearson")
    lines += ["", "BCR inhibitors (Pearson r, out of fold): " + ", ".join(
        f"{d} enet {wide.loc[d, 'enet']:.2f} / rf {wide.loc[d, 'rf']:.2f}" for d in bcr if d in wide.index),
        f"Wall time {t_cv:.0f} s ({args.n_jobs} workers)."]
    # 3. survival
    ok = m.obs["os_years"].notna() & m.obs["died"].notna() & (m.obs["os_years"] > 0)
    samples = m.obs_names[ok.to_numpy()]
    y = survival_target(m.obs.loc[samples, "os_years"], m.obs.loc[samples, "died"].astype(int))
    lines += ["", "## 3. Overall survival (penalised Cox, outer 5-fold CV, penalty by inner CV)", "",
              f"{len(samples)} CLL patients with follow-up, {int(y['event'].sum())} deaths; T6 in years.", "",
              "| features | n features | Harrell C (mean +- sd over folds x seeds) | Uno C | median non-zero coefs |",
              "|---|---|---|---|---|"]
    clinical = ["gen:IGHV_unmutated", "obs:age"]
    designs = (("baseline: age + IGHV status", ["gen"], clinical, None),
               ("genetics + IGHV", ["gen"], None, None),
               ("ex vivo drug response", ["drug"], None, None),
               ("genetics + drug response + age", ["gen", "drug"], "all", None),
               ("age + IGHV (unpenalized) + drug response", ["gen", "drug"], clinical + ["drug"], clinical),
               ("age + IGHV (unpenalized) + genetics + drug response", ["gen", "drug"], "all", clinical))
    for label, layers, cols, free in designs:
        X = feature_frame(m, layers=layers, samples=samples, obs_features=["age"] if cols else None)
        if isinstance(cols, list):
            X = X[[c for c in X.columns if c in cols or c.split(":", 1)[0] in cols]]
        rows = []
        for seed in range(args.repeats):
            est = PenalizedCox(l1_ratio=0.5, unpenalized=free, random_state=seed)
            r = cross_validate_survival(X, y, estimator=est, n_splits=5, random_state=seed, refit=False)
            rows.append(r.folds)
        f = pd.concat(rows)
        lines.append(f"| {label} | {X.shape[1]} | {f['harrell'].mean():.3f} +- {f['harrell'].std():.3f} | "
                     f"{f['uno'].mean():.3f} +- {f['uno'].std():.3f} | {f['n_nonzero'].median():.0f} |")
    lines += ["", f"Machine: {platform.machine()}, Python {platform.python_version()}."]
    write_stamped(out / "cll_models.md", "\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()

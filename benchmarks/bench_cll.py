"""Known biology from the CLL ex vivo screen (Dietrich et al. 2018): IGHV status and BCR inhibitors.

Fits every curve of ``../shared/data/cll/drpar_long_dose_response.csv.gz`` (249 patients x 64
drugs x 5 concentrations, viability fractions) with :func:`oncoresist.tl.fit_curves`, then, in
CLL samples, compares unmutated-IGHV (U-CLL) with mutated-IGHV (M-CLL) patients for every drug
of the B-cell-receptor pathway (``drugs.csv``: ibrutinib, idelalisib, ...) and, as a contrast,
for every other drug: median AUC / DSS2 per group and a one-sided Mann-Whitney test (BCR
inhibitors are expected to be more effective, i.e. lower AUC, in U-CLL).

Usage: python benchmarks/bench_cll.py
Writes benchmarks/results/cll.md and benchmarks/results/cll.csv.
"""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import mannwhitneyu

from _stamp import write_stamped  # noqa: E402
from oncoresist._core._utils import write_csv
from oncoresist.io import read_dose_response
from oncoresist.tl import fit_curves

HERE = Path(__file__).resolve().parent
DATA = Path(os.environ.get("ONCORESIST_SHARED_DATA", HERE.parents[1] / "shared" / "data")) / "cll"


def main() -> None:
    screen = read_dose_response(
        DATA / "drpar_long_dose_response.csv.gz",
        columns={"sample": "patient_id", "drug": "drug_name", "dose": "conc_uM", "response": "viability"},
    )
    meta = pd.read_csv(DATA / "patmeta.csv", index_col=0)
    drugs = pd.read_csv(DATA / "drugs.csv", index_col=0)
    t0, c0 = time.perf_counter(), time.process_time()
    curves = fit_curves(screen)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    bcr = set(drugs.loc[drugs["pathway"] == "B-cell receptor", "name"])
    res = curves.join(meta, on="sample")
    cll = res[(res["Diagnosis"] == "CLL") & res["IGHV"].isin(["U", "M"]) & (res["status"] == "ok")]
    rows = []
    for drug, s in cll.groupby("drug"):
        u, m = s[s["IGHV"] == "U"], s[s["IGHV"] == "M"]
        if len(u) < 5 or len(m) < 5:
            continue
        p = mannwhitneyu(u["auc"], m["auc"], alternative="less").pvalue
        rows.append(
            {
                "drug": drug,
                "bcr_pathway": drug in bcr,
                "n_U": len(u),
                "n_M": len(m),
                "median_auc_U": float(u["auc"].median()),
                "median_auc_M": float(m["auc"].median()),
                "median_dss2_U": float(u["dss2"].median()),
                "median_dss2_M": float(m["dss2"].median()),
                "p_U_more_sensitive": float(p),
            }
        )
    tab = pd.DataFrame(rows).sort_values("p_U_more_sensitive").reset_index(drop=True)
    tab["rank"] = np.arange(1, len(tab) + 1)
    write_csv(tab, HERE / "results" / "cll.csv")
    b = tab[tab["bcr_pathway"]]
    others = tab[~tab["bcr_pathway"]]
    md = [
        "# CLL ex vivo screen: IGHV status and B-cell-receptor inhibitors",
        "",
        f"`python benchmarks/bench_cll.py` on {platform.node()} ({os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f}), {time.strftime('%Y-%m-%d %H:%M')}.",
        "",
        f"{len(curves)} curves ({curves['sample'].nunique()} samples x {curves['drug'].nunique()} drugs, 5 doses) fitted in "
        f"{wall:.1f} s wall / {cpu:.1f} s CPU ({len(curves) / wall:,.0f} curves/s); "
        f"{int((curves['status'] == 'ok').sum())} fitted. CLL samples with known IGHV: "
        f"{cll.loc[cll['IGHV'] == 'U', 'sample'].nunique()} unmutated (U), {cll.loc[cll['IGHV'] == 'M', 'sample'].nunique()} mutated (M).",
        "",
        "Published: ex vivo response to ibrutinib and other BCR inhibitors is stronger in U-CLL than in M-CLL "
        "(Dietrich et al. 2018, J Clin Invest 128:427).",
        "",
        "| drug (BCR pathway) | n U / M | median AUC U | median AUC M | median DSS2 U | median DSS2 M | one-sided p (U more sensitive) | rank among all drugs |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in b.itertuples():
        md.append(f"| {r.drug} | {r.n_U} / {r.n_M} | {r.median_auc_U:.3f} | {r.median_auc_M:.3f} | {r.median_dss2_U:.1f} | "
                  f"{r.median_dss2_M:.1f} | {r.p_U_more_sensitive:.1e} | {r.rank} of {len(tab)} |")  # fmt: skip
    n_sig_other = int((others["p_U_more_sensitive"] < 1e-4).sum())
    md += [
        "",
        f"All {len(b)} BCR-pathway drugs: U-CLL more sensitive at p < {b['p_U_more_sensitive'].max():.1e}; "
        f"they take ranks {', '.join(map(str, b['rank']))} of {len(tab)} drugs. Other drugs with p < 1e-4: {n_sig_other} "
        f"({', '.join(others.loc[others['p_U_more_sensitive'] < 1e-4, 'drug'].head(8))}).",
        "",
    ]
    write_stamped(HERE / "results" / "cll.md", "\n".join(md) + "\n")
    print("\n".join(md))


if __name__ == "__main__":
    main()

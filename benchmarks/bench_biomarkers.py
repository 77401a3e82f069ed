"""Accuracy and speed of the genome-wide biomarkers (TMB, MSI, SBS-96 / signature fitting).

Run by hand: ``python benchmarks/bench_biomarkers.py``. Writes ``benchmarks/results/biomarkers.md``.

* CPTAC UCEC (``../shared/data/cptac_ucec``, set ``ONCORESIST_SHARED_DATA`` elsewhere): the MSI
  score from the calls vs the clinical MSI status (AUC, balanced accuracy of the MSIseq rule and
  of the logistic model in 5-fold CV), TMB of the POLE-subtype tumours, TMB vs the study's own
  mutation rate (Spearman).
* Planted truth (``ds.add_genome_phenotypes`` on seeded simulated cohorts): sensitivity and
  specificity of the TMB-high / MSI-high / HRD calls per phenotype, and the correlation of the
  fitted signature exposures (NNLS on the simulator's synthetic profiles) with the planted ones.
* Throughput on 1,000 seeded synthetic exomes (300 - 3,000 calls each, with reference context):
  TMB + MSI table, SBS-96 catalogues, NNLS fit to 10 signatures with 100 bootstrap resamples.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import spearmanr
from sklearn.metrics import balanced_accuracy_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold

from _stamp import write_stamped  # noqa: E402
from oncoresist.ds import add_genome_phenotypes, simulate_cohort, simulated_signatures
from oncoresist.io import read_clinical, read_maf
from oncoresist.tl import (
    SBS6_CLASSES,
    SBS96_CHANNELS,
    add_biomarkers,
    add_signatures,
    biomarker_table,
    fit_msi_classifier,
    fit_signatures,
    msi_features,
    sbs6_spectrum,
    sbs96_catalogue,
)

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ONCORESIST_SHARED_DATA", ROOT.parent / "shared" / "data"))
RESULTS = ROOT / "benchmarks" / "results"


def cptac() -> list[str]:
    """MSI AUC / balanced accuracy and POLE TMB on CPTAC UCEC."""
    folder = SHARED / "cptac_ucec"
    if not (folder / "somatic.maf.gz").exists():
        return [f"CPTAC UCEC not found under {SHARED}: skipped."]
    t0 = time.perf_counter()
    variants = read_maf(folder / "somatic.maf.gz")
    t1 = time.perf_counter()
    table = biomarker_table(variants)
    t2 = time.perf_counter()
    clin = read_clinical(folder / "clinical.txt")
    clin = clin[clin["Proteomics_Tumor_Normal"] == "Tumor"].set_index("Proteomics_Participant_ID")
    j = table.assign(pid=table["sample"].str.removesuffix("_T")).join(clin, on="pid")
    lab = j.dropna(subset=["MSI_status"])
    y = (lab["MSI_status"] == "MSI-H").to_numpy()
    feats = msi_features(variants).set_index("sample").loc[lab["sample"]].reset_index()
    prob = np.zeros(len(lab))
    for tr, te in StratifiedKFold(5, shuffle=True, random_state=0).split(feats, y):
        prob[te] = fit_msi_classifier(feats.iloc[tr], y[tr]).predict_proba(feats.iloc[te])
    pole = j[j["POLE_subtype"] == "Yes"]["tmb"].round(1).tolist()
    spectra = _cptac_spectra(variants, clin)
    rho = spearmanr(j["tmb"], j["Log2_variant_per_Mbp"], nan_policy="omit").statistic
    return [
        f"CPTAC UCEC: {len(lab)} tumours with a clinical MSI status ({int(y.sum())} MSI-H); read_maf {t1 - t0:.1f} s, biomarker_table {t2 - t1:.2f} s.",
        "",
        "| MSI call | AUC | balanced accuracy |", "|---|---|---|",
        f"| rule (indels / Mb >= 0.395, MSIseq) | {roc_auc_score(y, lab['msi_score']):.3f} | {balanced_accuracy_score(y, lab['msi_high']):.3f} |",
        f"| logistic, 5-fold CV | {roc_auc_score(y, prob):.3f} | {balanced_accuracy_score(y, prob >= 0.5):.3f} |",
        "",
        f"POLE-subtype TMB (non-synonymous / 30 Mb): {pole}; median by subtype: "
        + ", ".join(f"{k} {v:.1f}" for k, v in j.groupby("Genomics_subtype")["tmb"].median().items()),
        f"TMB vs the study's Log2_variant_per_Mbp: Spearman {rho:.3f}.",
        "",
        *spectra,
    ]


def _cptac_spectra(variants: pd.DataFrame, clin: pd.DataFrame) -> list[str]:
    """SBS-6 spectra from the MAF (it has no context: no SBS-96) vs the study's Mutation_signature_* columns."""
    six = sbs6_spectrum(variants)
    frac = six.div(six.sum(axis=1), axis=0)
    frac.index = frac.index.str.removesuffix("_T")
    study = clin[[f"Mutation_signature_{c}" for c in SBS6_CLASSES]].dropna() / 100
    both = frac.index.intersection(study.index)
    sure = both[six.sum(axis=1).to_numpy()[frac.index.get_indexer(both)] >= 50]
    r = {c: np.corrcoef(frac.loc[sure, c], study.loc[sure, f"Mutation_signature_{c}"])[0, 1] for c in SBS6_CLASSES}
    groups = {"POLE": clin.loc[both, "POLE_subtype"] == "Yes", "MSI-H": (clin.loc[both, "MSI_status"] == "MSI-H")
              & (clin.loc[both, "POLE_subtype"] != "Yes"), "MSS": (clin.loc[both, "MSI_status"] == "MSS") & (clin.loc[both, "POLE_subtype"] != "Yes")}  # fmt: skip
    rows = [f"| {g} | {int(m.sum())} | " + " | ".join(f"{frac.loc[both[m.to_numpy()], c].median():.2f}" for c in SBS6_CLASSES) + " |"
            for g, m in groups.items()]  # fmt: skip
    return [
        f"SBS-6 spectra (`tl.sbs6_spectrum`; the MAF has no sequence context, so no SBS-96) vs the study's own "
        f"`Mutation_signature_*` columns, {len(sure)} tumours with >= 50 SNVs: Pearson r "
        + ", ".join(f"{c} {v:.3f}" for c, v in r.items()) + ".",
        "",
        "| group | tumours | " + " | ".join(SBS6_CLASSES) + " |", "|---|---|" + "---|" * len(SBS6_CLASSES), *rows,
        "",
        "POLE tumours carry the C>A and T>G excess of SBS10a/b and SBS28, MSI-high ones the T>C of the MMR signatures (SBS26 / SBS44).",
    ]


def synthetic(n: int = 1000, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Seeded synthetic exomes with 11-bp reference context, and 10 random signatures."""
    rng = np.random.default_rng(seed)
    sigs = pd.DataFrame(rng.dirichlet(np.full(96, 0.3), size=10).T, index=list(SBS96_CHANNELS), columns=[f"S{i}" for i in range(10)])
    sizes = rng.integers(300, 3000, n)
    sample = np.repeat([f"P{i:04d}" for i in range(n)], sizes)
    chan = np.array(SBS96_CHANNELS)[rng.integers(0, 96, len(sample))]
    flank = rng.choice(list("ACGT"), (len(sample), 8))
    ctx = ["".join(f[:4]) + c[0] + c[2] + c[6] + "".join(f[4:]) for f, c in zip(flank, chan, strict=True)]
    variants = pd.DataFrame({"sample": sample, "ref": [c[2] for c in chan], "alt": [c[4] for c in chan], "variant_type": "SNP",
                             "variant_class": "Missense_Mutation", "CONTEXT": ctx, "vaf": 0.3})
    return variants, sigs


def _sens_spec(call: pd.Series, truth: pd.Series) -> str:
    c, t = call.to_numpy(dtype=bool), truth.to_numpy(dtype=bool)
    return f"{(c & t).sum()}/{t.sum()} = {(c & t).sum() / t.sum():.3f} | {(~c & ~t).sum()}/{(~t).sum()} = {(~c & ~t).sum() / (~t).sum():.3f}"


def planted(seeds: tuple[int, ...] = (0, 1), n: int = 200) -> list[str]:
    """Biomarker calls and signature exposures against the simulator's planted genome phenotypes."""
    t0 = time.perf_counter()
    obs, fitted, truth = [], [], []
    for seed in seeds:
        sim = simulate_cohort(n, seed=seed, n_genes=500)
        add_genome_phenotypes(sim, random_state=seed)
        add_biomarkers(sim.mdata, segments=sim.genome["allelic_segments"])
        add_signatures(sim.mdata, simulated_signatures(), n_bootstrap=0)
        sig = sim.mdata["signatures"]
        obs.append(sim.mdata.obs)
        fitted.append(pd.DataFrame(sig.X, index=sig.obs_names, columns=sig.var_names))
        truth.append(sim.genome["exposures"].reindex(sig.obs_names))
    o, fit, tru = pd.concat(obs), pd.concat(fitted), pd.concat(truth)
    counts = ", ".join(f"{k} {v}" for k, v in o["genome_phenotype"].value_counts().items())
    rows = [f"Planted truth: {len(seeds)} simulated cohorts x {n} tumours (seeds {seeds}; {counts}); {time.perf_counter() - t0:.1f} s.",
            "", "| call vs planted truth | sensitivity | specificity |", "|---|---|---|"]
    for label, call, t in (("TMB-high (>= 10 / Mb) vs planted TMB >= 10", "tmb_high", "true_tmb_high"),
                           ("MSI-high (MSIseq rule) vs MSI tumours", "msi_high", "true_msi"),
                           ("HRD (sum >= 42 or BRCA1/2) vs HRD tumours", "hrd_high", "true_hrd")):
        rows.append(f"| {label} | {_sens_spec(o[call], o[t])} |")
    rows += ["", f"TMB vs planted TMB: Pearson r of the logs {np.corrcoef(np.log(o['tmb']), np.log(o['true_tmb']))[0, 1]:.3f}. "
             "Median called TMB / MSI score / HRD sum by phenotype: "
             + "; ".join(f"{k} {g['tmb'].median():.1f} / {g['msi_score'].median():.2f} / {g['hrd_sum'].median():.0f}"
                         for k, g in o.groupby("genome_phenotype")), "",
             "| signature (group) | Pearson r, fitted vs planted exposure | planted / fitted mutations |", "|---|---|---|"]
    groups = {"MMR (SBS6+15+26-like)": ["SBS6-like", "SBS15-like", "SBS26-like"], "POLE (SBS10a+b-like)": ["SBS10a-like", "SBS10b-like"],
              "APOBEC (SBS2+13-like)": ["SBS2-like", "SBS13-like"], **{c: [c] for c in fit.columns}}
    for name, cols in groups.items():
        f, t = fit[cols].sum(axis=1), tru[cols].sum(axis=1)
        rows.append(f"| {name} | {np.corrcoef(f, t)[0, 1]:.3f} | {int(t.sum()):,} / {int(round(f.sum())):,} |")
    return rows


def throughput() -> list[str]:
    """Samples per second of each step on 1,000 synthetic exomes."""
    variants, sigs = synthetic()
    n = variants["sample"].nunique()
    rows = [f"Throughput on {n} synthetic exomes ({len(variants):,} calls):", "", "| step | seconds | samples / s |", "|---|---|---|"]
    t0 = time.perf_counter()
    biomarker_table(variants)
    t1 = time.perf_counter()
    cat = sbs96_catalogue(variants)
    t2 = time.perf_counter()
    fit_signatures(cat, sigs, n_bootstrap=100)
    t3 = time.perf_counter()
    for name, sec in (("TMB + MSI table", t1 - t0), ("SBS-96 catalogue", t2 - t1), ("NNLS fit, 10 signatures, 100 bootstraps", t3 - t2)):
        rows.append(f"| {name} | {sec:.2f} | {n / sec:,.0f} |")
    return rows


def main() -> None:
    """Run the three parts and write the markdown result."""
    lines = ["# Genome-wide biomarkers", "", *cptac(), "", *planted(), "", *throughput()]
    RESULTS.mkdir(parents=True, exist_ok=True)
    write_stamped(RESULTS / "biomarkers.md", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()

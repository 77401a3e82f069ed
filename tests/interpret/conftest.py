"""A small hand-built cohort with known alterations (seeded), and a KB in a temporary folder."""

from __future__ import annotations

import warnings
from pathlib import Path

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest

from oncoresist.kb import build_kb

N = 30
SAMPLES = [f"P{i}" for i in range(1, N + 1)]


def make_cohort(seed: int = 0) -> md.MuData:
    rng = np.random.default_rng(seed)
    # mutations: P1 EGFR L858R + T790M; P2 KRAS G12D; P3 BRCA1 frameshift; P4 silent TP53, an
    # unparseable PTEN change and a variant of an unassigned gene; P8 has no alteration at all
    variants = pd.DataFrame(
        {
            "sample": ["P1", "P1", "P2", "P3", "P4", "P4", "P4", "P9"],
            "gene": ["EGFR", "EGFR", "KRAS", "BRCA1", "TP53", "PTEN", "Unknown", "TP53"],
            "protein_change": ["p.L858R", "p.T790M", "p.G12D", "p.Q1756fs", "p.R175=", "p.?weird", "p.A1B", "p.R175H"],
            "hgvsp": ["p.Leu858Arg", "p.Thr790Met", "p.Gly12Asp", "p.Gln1756ProfsTer74", "", "", "", "p.Arg175His"],
            "hgvsc": ["c.2573T>G", "c.2369C>T", "c.35G>A", "c.5266dupC", "c.525C>T", "", "", "c.524G>A"],
            "variant_class": ["Missense_Mutation", "Missense_Mutation", "Missense_Mutation", "Frame_Shift_Ins", "Silent", "Missense_Mutation", "Missense_Mutation", "Missense_Mutation"],
            "vaf": [0.41, 0.22, 0.35, 0.48, 0.3, 0.2, 0.1, 0.5],
        }
    )  # fmt: skip
    mut_genes = ["EGFR", "KRAS", "BRCA1", "TP53", "PTEN", "MET"]
    mx = np.zeros((N, len(mut_genes)))
    for r in variants.itertuples(index=False):
        if r.gene in mut_genes and r.variant_class != "Silent":
            mx[SAMPLES.index(r.sample), mut_genes.index(r.gene)] = 1
    mut = ad.AnnData(mx, obs=pd.DataFrame(index=SAMPLES), var=pd.DataFrame(index=mut_genes))
    mut.uns["variants"] = variants
    cnv_genes = ["MET", "ERBB2", "CDKN2A", "PTEN"]
    cx = rng.normal(0, 0.15, (N, len(cnv_genes)))
    cx[0, 0] = 2.2  # P1 MET amplification
    cx[6, 2] = -1.8  # P7 CDKN2A deep deletion
    cnv = ad.AnnData(cx, obs=pd.DataFrame(index=SAMPLES), var=pd.DataFrame(index=cnv_genes))
    rna_genes = ["ABCB1", "ERCC1", "MGMT", "MET", "EGFR"]
    rx = rng.normal(5, 0.4, (N, len(rna_genes)))
    rx[4, 0] += 4.0  # P5 ABCB1 high
    rx[5, 2] -= 3.0  # P6 MGMT low
    rna = ad.AnnData(rx, obs=pd.DataFrame(index=SAMPLES), var=pd.DataFrame(index=rna_genes))
    meth_var = pd.DataFrame({"gene": ["MGMT", "MGMT", "ABCB1", ""]}, index=["cg12434587", "cg12981137", "cg00000001", "cg00000002"])
    bx = np.column_stack([rng.uniform(0.05, 0.15, N), rng.uniform(0.05, 0.15, N), rng.uniform(0.7, 0.8, N), rng.uniform(0, 1, N)])
    bx[5, :2] = 0.8  # P6 MGMT promoter methylated
    bx[4, 2] = 0.1  # P5 ABCB1 promoter hypomethylated
    meth = ad.AnnData(bx, obs=pd.DataFrame(index=SAMPLES), var=meth_var)
    drugs = ["gefitinib", "erlotinib", "osimertinib", "paclitaxel", "temozolomide", "gefitinib + capmatinib"]
    dx = rng.uniform(0.4, 0.9, (N, len(drugs)))
    dx[0, 1] = 0.99  # P1 erlotinib resistant
    dx[0, 2] = 0.05  # P1 osimertinib sensitive
    dx[4, 3] = 0.99  # P5 paclitaxel resistant
    drug = ad.AnnData(dx[:-2], obs=pd.DataFrame(index=SAMPLES[:-2]), var=pd.DataFrame(index=drugs))
    drug.layers["ic50_uM"] = np.exp(dx[:-2])
    with warnings.catch_warnings():  # gene names shared by layers: mudata warns it cannot join var columns
        warnings.simplefilter("ignore", UserWarning)
        mdata = md.MuData({"mut": mut, "cnv": cnv, "rna": rna, "meth": meth, "drug": drug})
    tissue = ["lung"] * N
    tissue[1] = "colorectal"
    tissue[2] = "ovarian"
    tissue[5] = "glioblastoma"
    mdata.obs["tissue"] = tissue
    mdata.obs["therapy"] = ["erlotinib"] + [""] * (N - 1)
    return mdata


@pytest.fixture(scope="session")
def cohort() -> md.MuData:
    return make_cohort()


@pytest.fixture(scope="session")
def kb_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_kb(tmp_path_factory.mktemp("kb") / "kb.duckdb")

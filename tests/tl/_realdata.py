"""Loaders of the public data in ../shared/data used by the real-data tests of ``tl``.

Each returns a MuData built from the files as they are; tests skip when the folder is absent
(the ``shared_data`` fixture).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd


def mudata(mods: dict[str, ad.AnnData]) -> md.MuData:
    """MuData without the warning about layers sharing feature names (genes)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return md.MuData(mods)


def anndata(X: np.ndarray, obs: Sequence[str], var: Sequence[str]) -> ad.AnnData:
    return ad.AnnData(np.asarray(X, dtype=float), obs=pd.DataFrame(index=[str(i) for i in obs]),
                      var=pd.DataFrame(index=[str(v) for v in var]))


def gdsc1000(folder: Path) -> md.MuData:
    """GDSC1000: ``mut`` / ``cna`` binary layers, ``drug`` = ln IC50 ("Name (id)"), obs tissue / msi."""
    ic50 = pd.read_csv(folder / "IC50_v17.csv.gz", index_col=0)
    feats = pd.read_csv(folder / "genomic_features_v17.csv.gz", index_col=0)
    drugs = pd.read_csv(folder / "gdsc_drug_list_2019-06-24.csv")
    name = dict(zip(drugs["drug_id"].astype(str), drugs["Name"]))
    ids = [c.split("_")[1] for c in ic50.columns]
    ic50.columns = [f"{name.get(i, 'Drug ' + i)} ({i})" for i in ids]
    common = ic50.index.intersection(feats.index)
    ic50, feats = ic50.loc[common], feats.loc[common]
    mut_cols = [c for c in feats.columns if c.endswith("_mut")]
    cna_cols = [c for c in feats.columns if "cna" in c]
    m = mudata({
        "mut": anndata(feats[mut_cols].to_numpy(), common, [c.removesuffix("_mut") for c in mut_cols]),
        "cna": anndata(feats[cna_cols].to_numpy(), common, [c.replace("\n", " ") for c in cna_cols]),
        "drug": anndata(ic50.to_numpy(), common, list(ic50.columns)),
    })
    m.obs["tissue"] = feats["TISSUE_FACTOR"].astype(str).to_numpy()
    m.obs["msi"] = feats["MSI_FACTOR"].astype(str).to_numpy()
    return m


def cll(folder: Path) -> md.MuData:
    """CLL patients: ``gen`` (genetics + IGHV_unmutated), ``drug`` (mean viability over the 5
    concentrations); obs ``age``, ``os_years`` (T6) and ``died`` (0/1)."""
    dr = pd.read_csv(folder / "drpar_long_dose_response.csv.gz")
    meta = pd.read_csv(folder / "patmeta.csv", index_col=0)
    gen = pd.read_csv(folder / "mutCOM__binary.csv", index_col=0)
    patients = meta.index[meta["Diagnosis"] == "CLL"]
    resp = dr.pivot_table(index="patient_id", columns="drug_name", values="viability", aggfunc="mean")
    resp = resp.loc[resp.index.intersection(patients)]
    g = gen.loc[gen.index.intersection(patients)].copy()
    ighv = meta.loc[g.index, "IGHV"]
    g["IGHV_unmutated"] = (ighv == "U").astype(float).where(ighv.notna())
    m = mudata({"gen": anndata(g.to_numpy(), g.index, g.columns), "drug": anndata(resp.to_numpy(), resp.index, resp.columns)})
    ids = m.obs_names.astype(str)
    m.obs["age"] = pd.to_numeric(meta["Age4Main"].reindex(ids), errors="coerce").to_numpy()
    m.obs["os_years"] = pd.to_numeric(meta["T6"].reindex(ids), errors="coerce").to_numpy()
    died = meta["died"].reindex(ids).map({True: 1.0, False: 0.0, "TRUE": 1.0, "FALSE": 0.0})
    m.obs["died"] = died.to_numpy(dtype=float)
    return m


def tgsa(folder: Path, drugs: Sequence[str] | None = None) -> md.MuData:
    """TGSA release of GDSC: ``rna`` / ``cnv`` / ``mut`` of 706 genes (Entrez IDs), ``drug`` = ln IC50."""
    ic = pd.read_csv(folder / "tgsa_gdsc_lnic50_82833.csv.gz")
    if drugs is not None:
        ic = ic[ic["drug_name"].isin(drugs)]
    Y = ic.pivot_table(index="DepMap_ID", columns="drug_name", values="ln_IC50", aggfunc="mean")
    mods = {}
    for layer, tag in (("rna", "exp"), ("cnv", "cn"), ("mut", "mu")):
        X = pd.read_csv(folder / f"tgsa_{tag}_580x706.csv.gz", index_col=0)
        mods[layer] = anndata(X.to_numpy(), X.index, [c.strip("()") for c in X.columns])
    mods["drug"] = anndata(Y.to_numpy(), Y.index, Y.columns)
    return mudata(mods)

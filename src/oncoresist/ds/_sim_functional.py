"""Functional state of the simulated tumours: pathway / kinase activities, a mutation-free MAPK resistance state, the microenvironment.

Planted with ``simulate_cohort(..., functional=True)`` on the structure of :mod:`._sim_network`:

- every sample gets a true activity per pathway (normal, SD 0.5) and per kinase; pathway
  activity moves its target genes by ``0.6 * sign * activity`` log2 units;
- a fraction (:data:`MAPK_STATE_FRACTION`) carries an activity-level resistance state with NO
  mutation: MAPK reactivation (MAPK activity + 2; Ercan et al. 2012 Cancer Discov, PMID 22961667)
  or a bypass receptor tyrosine kinase (AXL or MET RNA up 2.5 log2 and MAPK activity + 2;
  Zhang et al. 2012 Nat Genet, PMID 22751098; Engelman et al. 2007 Science, PMID 17463250); its
  carriers are more resistant to :data:`MAPK_DRUG` (log10 IC50 + 1.0 x ``effect_size``);
- a microenvironment composition per sample (Dirichlet): T cells (of which CD8 T cells), B
  cells, NK cells, monocytes / macrophages, fibroblasts, endothelial cells and the tumour cells;
  a marker gene of cell type c is expressed 32-fold in c, so bulk expression rises by
  ``log2(1 - f_c + 32 f_c)``;
- a phosphosite layer (``GENE_S123``, log2): site level = base + 0.8 x the activity of its kinases.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd

from ._sim_network import KINASE_SITES, PATHWAYS, TME_MARKERS
from ._sim_screen import normalised_auc
from ._sim_steps import Curves, Params, Rna, Samples

__all__ = ["MAPK_DRUG", "FunctionalState", "functional_modality", "plant_functional", "record_functional"]

#: The MAPK-pathway drug whose response the activity-level resistance state shifts (EGFR -> RAS -> MAPK).
MAPK_DRUG = "erlotinib"
#: Fraction of samples carrying the activity-level resistance state.
MAPK_STATE_FRACTION = 0.25
#: Log2 change of a target gene per unit of pathway activity.
TARGET_LOG2_PER_UNIT = 0.6
#: Dirichlet concentration of the compartments (non-CD8 T, CD8 T, B, NK, monocytic, fibroblasts, endothelial, tumour).
_TME_ALPHA = {"T cells": 1.0, "CD8 T cells": 0.6, "B lineage": 0.5, "NK cells": 0.6, "Monocytic lineage": 1.0,
              "Fibroblasts": 1.2, "Endothelial cells": 0.6, "tumour": 6.0}  # fmt: skip
_ROUTES = ("MAPK reactivation", "AXL bypass", "MET bypass")


@dataclass
class FunctionalState:
    """The planted functional truth: state, activities, microenvironment, phosphosites."""

    state: pd.DataFrame
    pathway_activity: pd.DataFrame
    kinase_activity: pd.DataFrame
    tme_fractions: pd.DataFrame
    phospho: pd.DataFrame
    mechanism: pd.DataFrame


def _draw_state(n: int, rng: np.random.Generator, min_carriers: int) -> pd.DataFrame:
    """Which samples carry the resistance state and by which route."""
    carrier = rng.random(n) < MAPK_STATE_FRACTION
    need = min(max(min_carriers, 2), n // 4) - int(carrier.sum())
    if need > 0:
        carrier[rng.choice(np.flatnonzero(~carrier), size=need, replace=False)] = True
    route = np.where(carrier, rng.choice(_ROUTES, size=n, p=[0.5, 0.25, 0.25]), "")
    return pd.DataFrame({"mapk_reactivation": carrier, "route": route})


def _activities(n: int, rng: np.random.Generator, carrier: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """True pathway (samples x pathways) and kinase (samples x kinases) activities."""
    path = rng.normal(0, 0.5, size=(n, len(PATHWAYS)))
    names = list(PATHWAYS)
    path[carrier, names.index("MAPK")] += 2.0
    kin = rng.normal(0, 0.3, size=(n, len(KINASE_SITES)))
    link = {"MAPK1": "MAPK", "MAPK3": "MAPK", "AKT1": "PI3K", "MTOR": "PI3K"}
    for j, k in enumerate(KINASE_SITES):
        if k in link:
            kin[:, j] += path[:, names.index(link[k])]
    return path, kin


def _tme(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Compartment fractions per sample (rows sum to 1; ``T cells`` here excludes CD8 T cells)."""
    f = rng.dirichlet(list(_TME_ALPHA.values()), size=n)
    return pd.DataFrame(f, columns=list(_TME_ALPHA))


def _rna_delta(genes: pd.Index, path: np.ndarray, comp: pd.DataFrame, route: np.ndarray) -> np.ndarray:
    """Log2 change of every gene: pathway footprints, bypass receptors, microenvironment markers."""
    delta = np.zeros((len(path), len(genes)))
    for j, (_, targets) in enumerate(PATHWAYS.values()):
        for g, w in targets.items():
            delta[:, genes.get_loc(g)] += TARGET_LOG2_PER_UNIT * w * path[:, j]
    delta[route == "AXL bypass", genes.get_loc("AXL")] += 2.5
    delta[route == "MET bypass", genes.get_loc("MET")] += 2.5
    for cell, (_, markers) in TME_MARKERS.items():
        f = comp[cell].to_numpy() + (comp["CD8 T cells"].to_numpy() if cell == "T cells" else 0.0)
        for g in markers:
            delta[:, genes.get_loc(g)] += np.log2(1.0 - f + 32.0 * f)
    return delta


def _phospho(n: int, rng: np.random.Generator, kin: np.ndarray) -> pd.DataFrame:
    """Log2 phosphosite levels: base + 0.8 x the activity of the site's kinases + noise."""
    sites = sorted({s for _, ss in KINASE_SITES.values() for s in ss})
    pos = {s: i for i, s in enumerate(sites)}
    x = rng.normal(20.0, 1.5, size=len(sites))[None, :] + rng.normal(0, 0.3, size=(n, len(sites)))
    for j, (_, ss) in enumerate(KINASE_SITES.values()):
        for s in ss:
            x[:, pos[s]] += 0.8 * kin[:, j]
    return pd.DataFrame(x, columns=sites)


def _mechanism_row(drugs: pd.DataFrame, effect_size: float, n_carriers: int) -> pd.DataFrame:
    """The answer-key row of the activity-level resistance state (columns of ``truth.mechanisms``)."""
    d = 1.0 * effect_size
    cite = ("Ercan et al. 2012 Cancer Discov 2:934 (ERK reactivation), PMID 22961667; Zhang et al. 2012 Nat Genet 44:852 "
            "(AXL bypass), PMID 22751098; Engelman et al. 2007 Science 316:1039 (MET bypass), PMID 17463250")
    return pd.DataFrame([{
        "mechanism": "MAPK reactivation / bypass RTK (activity state, no mutation)", "flag": "mapk_reactivation",
        "gene": "MAPK pathway targets;AXL;MET", "alteration": "activity state", "layer": "rna", "drug": MAPK_DRUG,
        "direction": "resistance", "delta_log10_ic50": d, "delta_bottom": 0.0, "context": "any",
        "expected_effect": f"higher IC50 in carriers ({abs(d):.2g} log10 units = {10 ** abs(d):.3g}-fold)",
        "pmid": "22961667;22751098;17463250", "citation": cite, "applies_to": "carriers", "n_carriers": n_carriers,
    }])  # fmt: skip


def plant_functional(p: Params, s: Samples, rna: Rna, cv: Curves, drugs: pd.DataFrame) -> tuple[Rna, Curves, FunctionalState]:
    """Plant the functional state into RNA and the drug curves; return them with the truth.

    Uses its own random stream (``SeedSequence([seed, 11])``), so the other layers do not change.
    """
    rng = np.random.default_rng(np.random.SeedSequence([p.seed, 11]))
    n = p.n_samples
    state = _draw_state(n, rng, p.min_carriers)
    carrier, route = state["mapk_reactivation"].to_numpy(), state["route"].to_numpy()
    path, kin = _activities(n, rng, carrier)
    comp = _tme(n, rng)
    delta = _rna_delta(rna.genes, path, comp, route)
    counts = rng.poisson(rna.counts * np.exp2(delta)).astype(np.int64)
    cpm = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1) * 1e6
    rna = replace(rna, eta_bio=rna.eta_bio + delta, counts=counts, x=np.log1p(cpm))
    j = drugs.index.get_loc(MAPK_DRUG)
    log10_ic50 = cv.log10_ic50.copy()
    log10_ic50[carrier, j] += 1.0 * p.effect_size
    lo, hi = np.log10(drugs["dose_min_uM"].to_numpy())[None, :], np.log10(drugs["dose_max_uM"].to_numpy())[None, :]
    mech = pd.concat([cv.mech, _mechanism_row(drugs, p.effect_size, int(carrier.sum()))], ignore_index=True)
    cv = replace(cv, log10_ic50=log10_ic50, auc=normalised_auc(log10_ic50, cv.hill, cv.bottom, lo, hi), mech=mech)
    fractions = comp.drop(columns="tumour").assign(tumour=comp["tumour"])
    fractions["T cells"] += fractions["CD8 T cells"]
    idx = s.index
    truth = FunctionalState(
        state=state.set_index(idx), pathway_activity=pd.DataFrame(path, index=idx, columns=list(PATHWAYS)),
        kinase_activity=pd.DataFrame(kin, index=idx, columns=list(KINASE_SITES)), tme_fractions=fractions.set_index(idx),
        phospho=_phospho(n, rng, kin).set_index(idx), mechanism=mech.iloc[[-1]].reset_index(drop=True),
    )  # fmt: skip
    return rna, cv, truth


def functional_modality(fun: FunctionalState, no_prot: np.ndarray) -> ad.AnnData:
    """The ``phospho`` modality (samples with proteomics only; ``var['gene']``, ``residue``, ``position``)."""
    x = fun.phospho.loc[~no_prot]
    var = pd.DataFrame(index=x.columns)
    var["gene"] = [c.split("_")[0] for c in x.columns]
    var["residue"] = [c.split("_")[1][0] for c in x.columns]
    var["position"] = [int(c.split("_")[1][1:]) for c in x.columns]
    return ad.AnnData(X=x.to_numpy(), obs=pd.DataFrame(index=x.index), var=var, uns={"phospho": {"scale": "log2"}})


def record_functional(mdata: md.MuData, truth: Any, fun: FunctionalState) -> None:
    """Put the planted state in ``obs['mapk_reactivation']`` and the answer key in ``truth.functional``."""
    mdata.obs["mapk_reactivation"] = fun.state["mapk_reactivation"].reindex(mdata.obs_names).fillna(False).astype(bool)
    mdata.uns["simulation"]["functional"] = {"drug": MAPK_DRUG, "state_fraction": MAPK_STATE_FRACTION,
                                             "target_log2_per_unit": TARGET_LOG2_PER_UNIT}  # fmt: skip
    truth.functional = {
        "state": fun.state, "pathway_activity": fun.pathway_activity, "kinase_activity": fun.kinase_activity,
        "tme_fractions": fun.tme_fractions, "drug": MAPK_DRUG,
    }  # fmt: skip

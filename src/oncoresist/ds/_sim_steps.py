"""Named steps of :func:`._simulate.simulate_cohort`: sample annotations, factors and the layers.

Each step draws from its own random streams (:class:`Streams`), in the order the orchestrator
calls them; the steps share state through small dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

from ._sim_biology import (
    BRCA_DEEP_DELETION,
    BRCA_TRUNCATING,
    EGFR_ACTIVATING_P,
    FLAG_FREQ,
    FLAGS,
    KRAS_ALLELE_P,
    MECH_OMICS,
    MET_AMP_DE_NOVO,
    MET_AMP_GIVEN_EGFR,
    OTHER_TISSUE_FREQ,
    T790M_GIVEN_EGFR,
    mechanism_table,
)
from ._sim_genes import PLANTED_GENES, TISSUE_MARKERS
from ._sim_omics import expit2, meth_features
from ._sim_screen import normalised_auc, simulate_combinations, simulate_screen

#: Layers of the factor model and the default pattern of factor activity (cycled for K > 7).
_FACTOR_LAYERS = ("rna", "prot", "meth", "drug")
_ACTIVITY_PATTERN = (
    ("rna", "prot", "meth", "drug"),
    ("rna", "prot", "drug"),
    ("rna", "meth"),
    ("rna",),
    ("prot",),
    ("meth", "prot"),
    ("rna", "drug"),
)
_LOADING_SCALE = {"rna": 0.8, "prot": 0.6, "meth": 0.8}
_SURVIVAL_TISSUE = {"glioma": 0.8, "lung": 0.3, "ovarian": 0.2, "colorectal": 0.0, "breast": -0.4}
_SEX_FEMALE = {"breast": 0.99, "ovarian": 1.0}


# --------------------------------------------------------------------------------------------
# state carried between the steps
# --------------------------------------------------------------------------------------------
@dataclass
class Params:
    """Checked arguments of :func:`simulate_cohort` (tissue fractions normalised)."""

    n_samples: int
    seed: int
    n_genes: int
    n_factors: int
    n_subtypes: int
    n_batches: int
    tissues: dict[str, float]
    missing_layer_fraction: float
    missing_value_fraction: float
    batch_effect: float
    noise: float
    effect_size: float
    n_replicates: int
    n_combination_controls: int
    min_carriers: int
    biology_seed: int

    def record(self) -> dict[str, Any]:
        """The arguments as a dictionary (recorded in the truth and ``uns``)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass
class Streams:
    """Independent random streams: ``seed`` ones for the cohort, ``biology_seed`` ones for the world."""

    samp: np.random.Generator
    flag: np.random.Generator
    fac: np.random.Generator
    cnv: np.random.Generator
    meth: np.random.Generator
    rna: np.random.Generator
    prot: np.random.Generator
    mut: np.random.Generator
    drug: np.random.Generator
    screen: np.random.Generator
    miss: np.random.Generator
    surv: np.random.Generator
    b_gene: np.random.Generator
    b_tissue: np.random.Generator
    b_load: np.random.Generator
    b_drug: np.random.Generator
    b_meth: np.random.Generator
    b_sub: np.random.Generator


def make_streams(seed: int, biology_seed: int) -> Streams:
    """Spawn the 12 cohort streams and the 6 biology streams."""
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(12)]
    bio = [np.random.default_rng(s) for s in np.random.SeedSequence([biology_seed, 7]).spawn(6)]
    return Streams(*streams, *bio)


@dataclass
class Samples:
    """Per-sample annotations and mechanism flags."""

    names: list[str]
    index: pd.Index
    tissue: np.ndarray
    tissue_codes: np.ndarray
    subtype_codes: np.ndarray
    subtype: np.ndarray
    batch: np.ndarray
    batch_codes: np.ndarray
    age: np.ndarray
    sex: np.ndarray
    purity: np.ndarray
    flags: pd.DataFrame


@dataclass
class Factors:
    """Latent factors, subtype centroids and the layer x factor activity."""

    names: list[str]
    centroids: np.ndarray
    z: np.ndarray
    activity: pd.DataFrame


@dataclass
class Meth:
    """Methylation probes, loadings, true and observed beta values."""

    features: pd.DataFrame
    base: np.ndarray
    loadings: np.ndarray
    beta_true: np.ndarray
    beta_obs: np.ndarray


@dataclass
class Rna:
    """RNA base levels, loadings, biological log expression, counts and log1p CPM."""

    genes: pd.Index
    base: np.ndarray
    planted_mask: np.ndarray
    loadings: np.ndarray
    eta_bio: np.ndarray
    counts: np.ndarray
    x: np.ndarray


@dataclass
class Prot:
    """Measured proteins, their loadings and observed log2 intensities."""

    mask: np.ndarray
    genes: pd.Index
    loadings: np.ndarray
    obs: np.ndarray


@dataclass
class Curves:
    """True 4-parameter curves (samples x drugs), drug factor loadings and the mechanisms."""

    d_load: np.ndarray
    log10_ic50: np.ndarray
    hill: np.ndarray
    bottom: np.ndarray
    auc: np.ndarray
    mech: pd.DataFrame


@dataclass
class Layers:
    """Which samples lack proteomics / methylation, and which are screened."""

    no_prot: np.ndarray
    no_meth: np.ndarray
    screened: np.ndarray


# --------------------------------------------------------------------------------------------
# steps
# --------------------------------------------------------------------------------------------
def sample_annotations(p: Params, rs: Streams) -> Samples:
    """Sample names, tissue, subtype, batch, age, sex, purity and mechanism flags."""
    n, n_sub, n_bat, tissue_p = p.n_samples, p.n_subtypes, p.n_batches, p.tissues
    r_samp = rs.samp
    width = max(4, len(str(n)))
    samples = [f"SIM-{i + 1:0{width}d}" for i in range(n)]
    sidx = pd.Index(samples)
    tissue = _allocate(list(tissue_p), np.array(list(tissue_p.values())), n, r_samp)
    subtype_codes = _allocate(list(range(n_sub)), np.full(n_sub, 1.0 / n_sub), n, r_samp).astype(int)
    subtype = np.array([f"S{c + 1}" for c in subtype_codes], dtype=object)
    batch = np.array([f"B{c + 1}" for c in _allocate(list(range(n_bat)), np.full(n_bat, 1 / n_bat), n, r_samp).astype(int)], dtype=object)
    age = np.clip(np.round(r_samp.normal(62, 11, size=n)), 25, 90).astype(int)
    p_f = np.array([_SEX_FEMALE.get(t, 0.5) for t in tissue])
    sex = np.where(r_samp.random(n) < p_f, "F", "M").astype(object)
    purity = np.round(r_samp.beta(7, 3, size=n), 3)
    flags = _simulate_flags(tissue, rs.flag, min_carriers=p.min_carriers)
    flags.index = sidx
    return Samples(
        names=samples, index=sidx, tissue=tissue, tissue_codes=_codes(tissue, list(tissue_p)),
        subtype_codes=subtype_codes, subtype=subtype, batch=batch,
        batch_codes=_codes(batch, [f"B{b + 1}" for b in range(n_bat)]), age=age, sex=sex,
        purity=purity, flags=flags,
    )  # fmt: skip


def latent_factors(p: Params, s: Samples, rs: Streams) -> Factors:
    """Subtype centroids in the first (up to) three factors, factors ``Z`` and their activity."""
    k_fac, n_sub = p.n_factors, p.n_subtypes
    fac_names = [f"F{k + 1}" for k in range(k_fac)]
    n_cluster_dims = min(k_fac, 3)
    centroids = np.zeros((n_sub, k_fac))
    if n_sub > 1:
        centroids[:, :n_cluster_dims] = rs.b_sub.normal(0, 1.0, size=(n_sub, n_cluster_dims))
    # within-subtype spread: 0.6 on the cluster dimensions, 1 on the others (each factor ~ unit scale)
    spread = np.where(np.arange(k_fac) < n_cluster_dims, 0.6 if n_sub > 1 else 1.0, 1.0)
    z = centroids[s.subtype_codes] + rs.fac.normal(0, 1.0, size=(p.n_samples, k_fac)) * spread[None, :]
    activity = pd.DataFrame(False, index=list(_FACTOR_LAYERS), columns=fac_names)
    for k in range(k_fac):
        for layer in _ACTIVITY_PATTERN[k % len(_ACTIVITY_PATTERN)]:
            activity.loc[layer, fac_names[k]] = True
    return Factors(names=fac_names, centroids=centroids, z=z, activity=activity)


def simulate_meth(p: Params, genes: pd.DataFrame, s: Samples, fac: Factors, rs: Streams) -> Meth:
    """Promoter CpG M-values (factors, tissue, MGMT / ABCB1 mechanisms) and beta values."""
    n, b_meth, r_meth = p.n_samples, rs.b_meth, rs.meth
    mfeat = meth_features(genes, b_meth)
    n_m = len(mfeat)
    m_base = np.where(b_meth.random(n_m) < 0.25, b_meth.normal(1.8, 0.8, n_m), b_meth.normal(-3.0, 0.8, n_m))
    is_mgmt = (mfeat["gene"] == "MGMT").to_numpy()
    is_abcb1 = (mfeat["gene"] == "ABCB1").to_numpy()
    m_base[is_mgmt] = MECH_OMICS["mgmt_promoter_m_low"]
    m_base[is_abcb1] = MECH_OMICS["abcb1_promoter_m_high"]
    w_meth = _loadings(mfeat.index, mfeat["gene"].isin(PLANTED_GENES).to_numpy(), fac.activity.loc["meth"], rs.b_load, _LOADING_SCALE["meth"])
    m_tissue = _tissue_effects(list(p.tissues), n_m, rs.b_tissue, sd=0.5, frac=0.2)
    m_true = m_base[None, :] + m_tissue[s.tissue_codes] + fac.z @ w_meth.T + r_meth.normal(0, 0.3, size=(n, n_m))
    mg = s.flags["mgmt_methylated"].to_numpy()
    m_true[np.ix_(mg, is_mgmt)] = float(MECH_OMICS["mgmt_promoter_m_high"]) + r_meth.normal(0, 0.4, size=(mg.sum(), is_mgmt.sum()))
    ab = s.flags["abcb1_high"].to_numpy()
    m_true[np.ix_(ab, is_abcb1)] = float(MECH_OMICS["abcb1_promoter_m_low"]) + r_meth.normal(0, 0.4, size=(ab.sum(), is_abcb1.sum()))
    beta_true = expit2(m_true)
    beta_obs = np.clip(expit2(m_true + r_meth.normal(0, 0.25 * p.noise, size=m_true.shape)), 0.001, 0.999)
    return Meth(features=mfeat, base=m_base, loadings=w_meth, beta_true=beta_true, beta_obs=beta_obs)


def _rna_eta(p: Params, gene_names: pd.Index, s: Samples, fac: Factors, gene_log2: np.ndarray, meth: Meth, rs: Streams) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Biological log2 expression: base, tissue, factors, dosage, promoter silencing, mechanisms."""
    n, g = p.n_samples, len(gene_names)
    base = rs.b_gene.normal(4.0, 2.0, size=g)
    t_eff = _tissue_effects(list(p.tissues), g, rs.b_tissue, sd=0.4, frac=0.3)
    for ti, t in enumerate(p.tissues):
        for marker, lfc in TISSUE_MARKERS.get(t, {}).items():
            if marker in gene_names:
                t_eff[ti, gene_names.get_loc(marker)] += lfc
    planted_mask = np.asarray(gene_names.isin(PLANTED_GENES))
    w_rna = _loadings(gene_names, planted_mask, fac.activity.loc["rna"], rs.b_load, _LOADING_SCALE["rna"])
    eta = base[None, :] + t_eff[s.tissue_codes] + fac.z @ w_rna.T + 0.7 * gene_log2
    # promoter methylation silences expression: per gene, mean probe beta relative to baseline
    probe_gene = meth.features["gene"].to_numpy()
    gene_pos = {name: i for i, name in enumerate(gene_names)}
    gcols = np.array([gene_pos[x] for x in probe_gene])
    delta_beta = meth.beta_true - expit2(meth.base)[None, :]
    sums = np.zeros((n, g))
    counts = np.zeros(g)
    np.add.at(sums.T, gcols, delta_beta.T)
    np.add.at(counts, gcols, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        eta -= 2.5 * np.where(counts > 0, sums / np.maximum(counts, 1), 0.0)
    col = gene_names.get_loc
    flags = s.flags
    eta[flags["abcb1_high"].to_numpy(), col("ABCB1")] += MECH_OMICS["abcb1_rna_log2fc"]
    eta[flags["mgmt_methylated"].to_numpy(), col("MGMT")] += MECH_OMICS["mgmt_rna_log2fc"]
    eta[flags["ercc1_high"].to_numpy(), col("ERCC1")] += MECH_OMICS["ercc1_rna_log2fc"]
    eta[flags["met_amp"].to_numpy(), col("MET")] += MECH_OMICS["met_rna_log2fc"]
    return base, planted_mask, w_rna, eta


def simulate_rna(p: Params, gene_names: pd.Index, s: Samples, fac: Factors, gene_log2: np.ndarray, meth: Meth, rs: Streams) -> Rna:
    """Negative-binomial RNA counts with batch shifts and library sizes; ``X`` = log1p CPM."""
    n, g, r_rna = p.n_samples, len(gene_names), rs.rna
    base, planted_mask, w_rna, eta = _rna_eta(p, gene_names, s, fac, gene_log2, meth, rs)
    eta += r_rna.normal(0, 0.3, size=eta.shape)  # biological (sample-to-sample) variation
    eta_bio = eta.copy()
    rna_shift = r_rna.normal(0, 0.4 * p.batch_effect, size=(p.n_batches, g))
    eta_obs = eta + rna_shift[s.batch_codes]
    lib = r_rna.lognormal(np.log(4e6), 0.3, size=n)
    prop = np.exp2(eta_obs - eta_obs.max(axis=1, keepdims=True))
    prop /= prop.sum(axis=1, keepdims=True)
    mu = lib[:, None] * prop
    phi = 0.08 * p.noise
    lam = mu * r_rna.gamma(1.0 / phi, phi, size=mu.shape) if phi > 0 else mu
    rna_counts = r_rna.poisson(lam).astype(np.int64)
    cpm = rna_counts / np.maximum(rna_counts.sum(axis=1, keepdims=True), 1) * 1e6
    return Rna(genes=gene_names, base=base, planted_mask=planted_mask, loadings=w_rna, eta_bio=eta_bio, counts=rna_counts, x=np.log1p(cpm))


def simulate_prot(p: Params, gene_names: pd.Index, s: Samples, fac: Factors, rna: Rna, rs: Streams) -> Prot:
    """Log2 protein intensities following RNA (planted genes plus ~40% of the others)."""
    planted_mask = rna.planted_mask
    p_mask = planted_mask | (rs.b_gene.random(len(gene_names)) < 0.4)
    p_genes = gene_names[p_mask]
    w_prot = _loadings(p_genes, planted_mask[p_mask], fac.activity.loc["prot"], rs.b_load, _LOADING_SCALE["prot"])
    eta_p = rna.eta_bio[:, p_mask]
    prot_true = 22.0 + 0.5 * (rna.base[p_mask] - 4.0) + 0.8 * (eta_p - eta_p.mean(axis=0, keepdims=True)) + fac.z @ w_prot.T
    prot_shift = rs.prot.normal(0, 0.3 * p.batch_effect, size=(p.n_batches, p_mask.sum()))
    prot_obs = prot_true + prot_shift[s.batch_codes] + rs.prot.normal(0, 0.3 * p.noise, size=prot_true.shape)
    return Prot(mask=p_mask, genes=p_genes, loadings=w_prot, obs=prot_obs)


def true_curves(p: Params, drugs: pd.DataFrame, s: Samples, fac: Factors, rs: Streams) -> Curves:
    """True log10 IC50, Hill slope, bottom and AUC per (sample, drug), mechanisms applied."""
    n, n_d, r_drug = p.n_samples, len(drugs), rs.drug
    role = drugs["role"].to_numpy()
    active_drug_factors = fac.activity.loc["drug"].to_numpy()
    beta_sd = np.where(role == "factor", 0.35, np.where(role == "biomarker", 0.12, 0.0))
    d_load = rs.b_drug.normal(0, 1, size=(n_d, p.n_factors)) * beta_sd[:, None] * active_drug_factors[None, :]
    d_tissue = _tissue_effects(list(p.tissues), n_d, rs.b_drug, sd=0.2, frac=1.0)
    d_tissue[:, role == "negative_control"] = 0.0
    general = r_drug.normal(0, 0.15, size=(n, 1))
    log10_ic50 = (
        drugs["base_log10_ic50"].to_numpy()[None, :]
        + d_tissue[s.tissue_codes]
        + fac.z @ d_load.T
        + general
        + r_drug.normal(0, 0.25, size=(n, n_d))
    )
    bottom = np.clip(drugs["bottom"].to_numpy()[None, :] + r_drug.normal(0, 0.03, size=(n, n_d)), 0.0, 0.95)
    hill = drugs["hill"].to_numpy()[None, :] * np.exp(r_drug.normal(0, 0.12, size=(n, n_d)))
    mech = mechanism_table(list(drugs.index), effect_size=p.effect_size)
    mech["applies_to"] = np.where(mech["flag"].eq("kras_mut"), "non_carriers", "carriers")
    mech["n_carriers"] = _apply_mechanisms(mech, drugs, s, log10_ic50, bottom)
    bottom = np.clip(bottom, 0.0, 0.95)
    lo = np.log10(drugs["dose_min_uM"].to_numpy())[None, :]
    hi = np.log10(drugs["dose_max_uM"].to_numpy())[None, :]
    auc = normalised_auc(log10_ic50, hill, bottom, lo, hi)
    return Curves(d_load=d_load, log10_ic50=log10_ic50, hill=hill, bottom=bottom, auc=auc, mech=mech)


def _apply_mechanisms(mech: pd.DataFrame, drugs: pd.DataFrame, s: Samples, log10_ic50: np.ndarray, bottom: np.ndarray) -> list[int]:
    """Shift the curves of carriers (or non-carriers) in place; return the carriers per mechanism."""
    flags, tissue, n = s.flags, s.tissue, len(s.names)
    n_carriers = []
    for row in mech.itertuples(index=False):
        carrier = flags[row.flag].to_numpy()
        if row.context == "EGFR-activating":
            ctx = flags["egfr_activating"].to_numpy()
        elif row.context == "any":
            ctx = np.ones(n, dtype=bool)
        else:
            ctx = tissue == row.context
        n_carriers.append(int((carrier & ctx).sum()))
        j = drugs.index.get_loc(row.drug)
        if row.applies_to == "carriers":
            target = carrier & ctx
            log10_ic50[target, j] += row.delta_log10_ic50
            bottom[target, j] += row.delta_bottom
        else:  # effect expressed as a benefit of non-carriers within the context
            target = ~carrier & ctx
            log10_ic50[target, j] -= row.delta_log10_ic50
            bottom[target, j] -= row.delta_bottom
    return n_carriers


def missing_layers(p: Params, flags: pd.DataFrame, r_miss: np.random.Generator) -> Layers:
    """Samples without proteomics, methylation (``f_layer`` each) or the screen (a third)."""
    n, f_layer = p.n_samples, p.missing_layer_fraction
    n_no_prot = int(round(f_layer * n))
    n_no_meth = int(round(f_layer * n))
    n_no_screen = int(round(f_layer * n / 3))
    no_prot = np.zeros(n, dtype=bool)
    no_prot[r_miss.choice(n, size=n_no_prot, replace=False)] = True
    no_meth = np.zeros(n, dtype=bool)
    no_meth[r_miss.choice(n, size=n_no_meth, replace=False)] = True
    # samples of the rarest mechanisms keep their screen so the combination arm is never empty
    keep_screen = flags["met_amp"].to_numpy() | flags["egfr_t790m"].to_numpy()
    cand = np.flatnonzero(~keep_screen)
    no_screen = np.zeros(n, dtype=bool)
    no_screen[r_miss.choice(cand, size=min(n_no_screen, len(cand)), replace=False)] = True
    return Layers(no_prot=no_prot, no_meth=no_meth, screened=~no_screen)


def missing_values(p: Params, prot_obs: np.ndarray, beta_obs: np.ndarray, no_prot: np.ndarray, r_miss: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Protein values missing not at random (low ones more often), methylation at random."""
    f_value = p.missing_value_fraction
    prot_x = prot_obs.copy()
    if f_value > 0:
        u = _percentile(prot_obs[~no_prot])
        p_miss = np.clip(f_value * (0.2 + 1.6 * (1.0 - u)), 0.0, 1.0)
        drop = r_miss.random(p_miss.shape) < p_miss
        sub = prot_x[~no_prot]
        sub[drop] = np.nan
        prot_x[~no_prot] = sub
    meth_x = beta_obs.copy()
    if f_value > 0:
        meth_x[r_miss.random(meth_x.shape) < f_value] = np.nan
    return prot_x, meth_x


def screen_and_combinations(p: Params, drugs: pd.DataFrame, s: Samples, cv: Curves, screened: np.ndarray, r_screen: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Raw single-agent screen, combination blocks and matrices (MET x EGFR synergy)."""
    samples, flags = s.names, s.flags
    log10_ic50, hill, bottom = cv.log10_ic50, cv.hill, cv.bottom
    scr_idx = np.flatnonzero(screened)
    dose_response = simulate_screen(
        [samples[i] for i in scr_idx], drugs, log10_ic50[scr_idx], hill[scr_idx], bottom[scr_idx],
        r_screen, n_replicates=p.n_replicates, noise=p.noise,
    )  # fmt: skip
    blocks = _combination_blocks(samples, flags, screened, p.n_combination_controls, r_screen)
    params_of = {
        (samples[i], d): (float(log10_ic50[i, j]), float(hill[i, j]), float(bottom[i, j]))
        for i in np.flatnonzero(screened) for j, d in enumerate(drugs.index)
        if d in ("gefitinib", "osimertinib", "capmatinib")
    }  # fmt: skip
    met_shift = {}
    mech = cv.mech
    met_rows = mech[(mech["flag"] == "met_amp") & (mech["direction"] == "resistance")].set_index("drug")
    t790m = flags["egfr_t790m"].to_numpy()
    for i in np.flatnonzero(flags["met_amp"].to_numpy() & flags["egfr_activating"].to_numpy()):
        for d in ("gefitinib", "osimertinib"):
            # MET inhibition restores EGFR-inhibitor activity only if the inhibitor still binds
            # the receptor: not gefitinib on T790M-mutant EGFR
            if d in met_rows.index and not (t790m[i] and d == "gefitinib"):
                met_shift[(samples[i], d)] = float(met_rows.at[d, "delta_log10_ic50"])
    combinations, excess = simulate_combinations(blocks, drugs, params_of, met_shift, r_screen, noise=p.noise)
    blocks = blocks.assign(
        synergy_planted=[(s_, d) in met_shift and met_shift[(s_, d)] > 0 for s_, d in zip(blocks["sample"], blocks["drug1"])],
        bliss_excess=np.round(excess, 5),
    )
    return dose_response, combinations, blocks


def simulate_survival(p: Params, s: Samples, z: np.ndarray, r_surv: np.random.Generator) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Weibull proportional-hazards survival with uniform censoring; times, events, coefficients."""
    n, n_sub = p.n_samples, p.n_subtypes
    sub_eff = np.linspace(-0.4, 0.6, n_sub) if n_sub > 1 else np.zeros(1)
    lp = 0.025 * (s.age - 62) + 0.5 * z[:, 0] + sub_eff[s.subtype_codes] + np.array([_SURVIVAL_TISSUE.get(t, 0.0) for t in s.tissue])
    shape, scale = 1.3, 3000.0
    t_event = scale * (r_surv.exponential(1.0, size=n) / np.exp(lp)) ** (1.0 / shape)
    t_cens = r_surv.uniform(365, 3650, size=n)
    surv_time = np.round(np.minimum(t_event, t_cens), 1)
    surv_event = (t_event <= t_cens).astype(int)
    survival = {
        "model": "Weibull proportional hazards, shape 1.3, scale 3000 days; censoring U(365, 3650) days",
        "log_hr_age_per_year": 0.025, "age_center": 62, "log_hr_F1": 0.5,
        "log_hr_subtype": {f"S{k + 1}": float(v) for k, v in enumerate(sub_eff)},
        "log_hr_tissue": {t: _SURVIVAL_TISSUE.get(t, 0.0) for t in p.tissues},
    }  # fmt: skip
    return surv_time, surv_event, survival


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------
def _allocate(levels: list, p: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Assign ``n`` items to ``levels`` with counts as close as possible to ``p * n``, shuffled."""
    raw = p * n
    counts = np.floor(raw).astype(int)
    rest = n - counts.sum()
    if rest > 0:
        counts[np.argsort(-(raw - counts), kind="stable")[:rest]] += 1
    out = np.concatenate([np.full(c, i) for i, c in enumerate(counts)])
    rng.shuffle(out)
    return np.array([levels[i] for i in out], dtype=object)


def _codes(values: np.ndarray, levels: list) -> np.ndarray:
    """Integer code of each value (its position in ``levels``)."""
    pos = {v: i for i, v in enumerate(levels)}
    return np.array([pos[v] for v in values], dtype=int)


def _tissue_effects(tissues: list[str], n_feat: int, rng: np.random.Generator, *, sd: float, frac: float) -> np.ndarray:
    """Sparse tissue x feature shifts: normal(0, ``sd``) on a fraction ``frac`` of the entries."""
    eff = rng.normal(0, sd, size=(len(tissues), n_feat))
    eff *= rng.random((len(tissues), n_feat)) < frac
    return eff


def _loadings(index: pd.Index, planted: np.ndarray, active: pd.Series, rng: np.random.Generator, scale: float) -> np.ndarray:
    """Sparse loadings (25% non-zero per active factor); planted features get none."""
    w = rng.normal(0, scale, size=(len(index), len(active)))
    w *= rng.random(w.shape) < 0.25
    w[:, ~active.to_numpy()] = 0.0
    w[planted] = 0.0
    return w


def _percentile(x: np.ndarray) -> np.ndarray:
    """Rank of every entry among all entries, scaled to [0, 1] (ties broken by position)."""
    flat = x.ravel()
    ranks = np.empty(len(flat))
    ranks[np.argsort(flat, kind="stable")] = np.arange(len(flat))
    return (ranks / max(len(flat) - 1, 1)).reshape(x.shape)


def _simulate_flags(tissue: np.ndarray, rng: np.random.Generator, *, min_carriers: int) -> pd.DataFrame:
    """Per-sample mechanism flags and alleles (see :data:`FLAG_FREQ`)."""
    n = len(tissue)

    def freq(name: str) -> np.ndarray:
        return np.array([FLAG_FREQ.get(t, OTHER_TISSUE_FREQ)[name] for t in tissue])

    def force(flag: np.ndarray, eligible: np.ndarray, weight: np.ndarray) -> None:
        need = min(min_carriers, n // 4) - int(flag.sum())
        cand = np.flatnonzero(eligible & ~flag)
        if need <= 0 or not len(cand) or not weight[cand].sum() > 0:
            return  # nothing to add, or the alteration does not occur in these tissues
        w = weight[cand]
        pick = rng.choice(cand, size=min(need, len(cand)), replace=False, p=w / w.sum())
        flag[pick] = True

    egfr = rng.random(n) < freq("egfr_activating")
    force(egfr, np.ones(n, dtype=bool), freq("egfr_activating"))
    t790m = egfr & (rng.random(n) < T790M_GIVEN_EGFR)
    met = np.where(egfr, rng.random(n) < MET_AMP_GIVEN_EGFR, rng.random(n) < MET_AMP_DE_NOVO)
    # at least min_carriers T790M and MET-amplified EGFR-mutant samples (when enough are mutant)
    force(t790m, egfr, np.ones(n))
    met_egfr = met & egfr
    force(met_egfr, egfr & ~t790m if (egfr & ~t790m).sum() >= min_carriers else egfr, np.ones(n))
    met = met | met_egfr
    kras = ~egfr & (rng.random(n) < freq("kras_mut"))
    colorectal = tissue == "colorectal"
    force(kras, ~egfr & (colorectal if colorectal.any() else np.ones(n, dtype=bool)), np.ones(n))
    out = {"egfr_activating": egfr, "egfr_t790m": t790m, "met_amp": met, "kras_mut": kras}
    for name in ("abcb1_high", "mgmt_methylated", "brca_loss", "ercc1_high"):
        f = rng.random(n) < freq(name)
        force(f, np.ones(n, dtype=bool), freq(name))
        out[name] = f
    flags = pd.DataFrame({k: out[k] for k in FLAGS})
    alleles = list(EGFR_ACTIVATING_P)
    flags["egfr_allele"] = np.where(egfr, rng.choice(alleles, size=n, p=list(EGFR_ACTIVATING_P.values())), "")
    kr = np.empty(n, dtype=object)
    for i in range(n):
        table = KRAS_ALLELE_P["lung" if tissue[i] == "lung" else "default"]
        kr[i] = str(rng.choice(list(table), p=list(table.values())))
    flags["kras_allele"] = np.where(kras, kr, "")
    brca = flags["brca_loss"].to_numpy()
    gene = np.where(rng.random(n) < 0.6, "BRCA1", "BRCA2")
    flags["brca_gene"] = np.where(brca, gene, "")
    deep = brca & (rng.random(n) < BRCA_DEEP_DELETION)
    flags["brca_deep_del"] = deep
    allele = np.array([str(rng.choice(list(BRCA_TRUNCATING[x]))) for x in gene], dtype=object)
    flags["brca_allele"] = np.where(brca & ~deep, allele, "")
    return flags


def null_pairs(mech: pd.DataFrame, drugs: pd.DataFrame) -> pd.DataFrame:
    """Every flag x drug pair without a planted effect (the drug's factor / noise terms remain)."""
    planted = set(zip(mech["flag"], mech["drug"]))
    # T790M only shifts the EGFR-mutant context; MET amplification and T790M co-occur with
    # EGFR-activating mutations, so pairs of those flags with EGFR inhibitors are confounded.
    egfr_drugs = {"gefitinib", "erlotinib", "afatinib", "osimertinib", "cetuximab", "panitumumab", "capmatinib"}
    linked = {"egfr_t790m", "met_amp", "egfr_activating", "kras_mut"}
    rows = []
    for f in FLAGS:
        for d in drugs.index:
            if (f, d) in planted or (f in linked and d in egfr_drugs):
                continue
            rows.append((f, d, str(drugs.at[d, "role"])))
    return pd.DataFrame(rows, columns=["flag", "drug", "drug_role"])


def _combination_blocks(
    samples: list[str], flags: pd.DataFrame, screened: np.ndarray, n_ctrl: int, rng: np.random.Generator
) -> pd.DataFrame:
    """Combination blocks: every screened MET-amplified sample plus EGFR-mutant / wild-type controls."""
    met = flags["met_amp"].to_numpy() & screened
    egfr = flags["egfr_activating"].to_numpy()
    chosen: list[Any] = list(np.flatnonzero(met))
    ctrl_mut = np.flatnonzero(screened & egfr & ~met)
    ctrl_wt = np.flatnonzero(screened & ~egfr & ~met)
    n_mut = min(len(ctrl_mut), (n_ctrl + 1) // 2)
    n_wt = min(len(ctrl_wt), n_ctrl - n_mut)
    chosen += list(rng.choice(ctrl_mut, size=n_mut, replace=False)) if n_mut else []
    chosen += list(rng.choice(ctrl_wt, size=n_wt, replace=False)) if n_wt else []
    chosen = sorted(int(i) for i in chosen)
    rows = []
    for i in chosen:
        for d1 in ("gefitinib", "osimertinib"):
            rows.append((samples[i], d1, "capmatinib"))
    width = max(3, len(str(len(rows))))
    return pd.DataFrame(
        [(f"CB{k + 1:0{width}d}", s, d1, d2) for k, (s, d1, d2) in enumerate(rows)],
        columns=["block", "sample", "drug1", "drug2"],
    )

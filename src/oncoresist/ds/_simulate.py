"""Simulated multi-omics + drug-response cohort with planted, published resistance biology.

:func:`simulate_cohort` is the project's ground truth: every later feature (curve fitting,
synergy, factor models, subtypes, biomarkers, predictive models, knowledge-base interpretation)
is tested against the answer key it returns in :attr:`SimulatedCohort.truth`.

Generative model
----------------
Samples (``SIM-0001`` ...) come from tissues (lung, colorectal, breast, glioma, ovarian by
default) with tissue-specific base expression (marker genes such as NKX2-1 / SFTPC in lung,
CDX2 in colorectal, ESR1 / GATA3 in breast, GFAP / OLIG2 in glioma, PAX8 / WT1 in ovarian) and
alteration frequencies. Latent factors ``Z`` (samples x K) are shared across layers with
group-sparse loadings (each factor is active in a subset of ``rna``, ``prot``, ``meth`` and the
drug-response layer; see ``truth.factor_activity``); subtypes are clusters in the space of the
first (up to) three factors. Batches shift RNA and protein per gene; proteomics values are
missing not at random (low abundance missing more often), methylation values completely at
random, and some samples lack whole layers (proteomics, methylation, the drug screen).

Copy number is simulated as segments (arm-level and focal events) mapped to genes (RNA
follows copy number with a dosage coefficient of 0.7); methylation as promoter CpG M-values
(beta = 2^M / (1 + 2^M)), where promoter methylation lowers the gene's expression; RNA as
negative-binomial counts (``X`` = log1p CPM); protein as log2 intensities following RNA.

Planted mechanisms (the drug effects act on the raw 4-parameter Hill curves; see
``truth.mechanisms`` for the effect sizes and :data:`._sim_biology.CITATIONS`):

- EGFR activating mutations (L858R, exon-19 deletion E746_A750del; enriched in lung) ->
  sensitivity to gefitinib, erlotinib, afatinib, osimertinib (Lynch 2004, PMID 15118073;
  Paez 2004, PMID 15118125).
- EGFR T790M (a fraction of EGFR-mutant tumours) -> resistance to gefitinib / erlotinib
  (and partly afatinib) while osimertinib keeps working (Kobayashi 2005, PMID 15728811;
  Pao 2005, PMID 15737014; Cross 2014, PMID 24893891).
- MET amplification (focal CNV gain + MET RNA / protein up; mostly in EGFR-mutant lung) ->
  EGFR-inhibitor resistance overcome by EGFR + MET inhibition (Engelman 2007, PMID 17463250):
  gefitinib / osimertinib x capmatinib 6 x 6 matrices show Bliss synergy only in MET-amplified
  EGFR-mutant samples; capmatinib alone is more active in MET-amplified samples (Wolf 2020,
  PMID 32877583).
- ABCB1 (P-glycoprotein) over-expression with ABCB1 promoter hypomethylation -> resistance to
  the P-gp substrates paclitaxel, doxorubicin (Gottesman 2002, PMID 11902585) and, weaker,
  olaparib (Rottenberg 2008, PMID 18971340); no effect on non-substrates.
- MGMT promoter methylation (probes cg12434587 / cg12981137 high, MGMT RNA low; enriched in
  glioma) -> temozolomide sensitivity (Esteller 2000, PMID 11070098; Hegi 2005, PMID 15758010).
- BRCA1/2 loss (truncating mutation with LOH, or homozygous deletion; ovarian / breast) ->
  olaparib sensitivity, milder platinum sensitivity (Farmer 2005, PMID 15829966; Bryant 2005,
  PMID 15829967).
- ERCC1 over-expression -> cisplatin / carboplatin resistance (Olaussen 2006, PMID 16957145).
- KRAS G12/G13 mutation -> resistance to cetuximab / panitumumab, which work modestly in
  KRAS-wild-type colorectal tumours (Lievre 2006, PMID 16618717; Amado 2008, PMID 18316791;
  Karapetis 2008, PMID 18946061).

Fluorouracil and gemcitabine follow the latent factors only; vorinostat, bortezomib and
navitoclax carry no planted signal (negative controls; ``truth.null_pairs`` lists
flag-drug pairs without an effect). ``biology_seed`` fixes the "world" (gene base levels,
tissue programmes, loadings, drug-factor effects), so cohorts simulated with different
``seed`` share one biology: train on one, test on another.
"""

from __future__ import annotations

import json
import numbers
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd

from .._core._errors import InputError
from .._core._utils import PathLike
from ._drugs import drug_panel
from ._sim_biology import (
    BRCA_DEEP_DELETION,
    BRCA_TRUNCATING,
    DEFAULT_TISSUES,
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
from ._sim_genes import PLANTED_GENES, TISSUE_MARKERS, gene_table
from ._sim_omics import expit2, meth_features, simulate_cnv
from ._sim_screen import normalised_auc, simulate_combinations, simulate_screen
from ._sim_variants import simulate_variants

__all__ = ["SimulatedCohort", "SimulationTruth", "simulate_cohort"]

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
_NON_SYNONYMOUS_EXCLUDED = {"Silent", "Intron", "3'UTR", "5'UTR", "3'Flank", "5'Flank", "IGR", "RNA"}
_SURVIVAL_TISSUE = {"glioma": 0.8, "lung": 0.3, "ovarian": 0.2, "colorectal": 0.0, "breast": -0.4}
_SEX_FEMALE = {"breast": 0.99, "ovarian": 1.0}


@dataclass
class SimulationTruth:
    """The answer key of a simulated cohort.

    Attributes
    ----------
    factors
        True latent factors ``Z`` (samples x K, columns ``F1``...).
    loadings
        Per layer (``rna``, ``prot``, ``meth``), the true loadings ``W`` (features x K).
    factor_activity
        Layers x factors, True where the factor has non-zero loadings in the layer.
    drug_factor_loadings
        Drugs x K: change of the true log10 IC50 per unit of each factor.
    subtype, batch, tissue
        Per-sample labels.
    subtype_centroids
        Subtypes x K centroids of the factor clusters.
    flags
        Per-sample mechanism flags (bool) plus alleles (``egfr_allele``, ``kras_allele``,
        ``brca_gene``, ``brca_allele``, ``brca_deep_del``), ``purity`` and ``msi``-free details.
    curves
        Long table, one row per (sample, drug): true ``log10_ic50``, ``ic50_uM`` (4PL
        inflection), ``hill``, ``bottom`` (lower viability plateau), ``emax`` (= 1 - bottom,
        maximal inhibition), ``auc`` (mean viability over the tested log-dose range), ``aac``
        (= 1 - auc) and ``screened`` (False for samples without a screen).
    mechanisms
        The planted mechanisms: ``mechanism, flag, gene, alteration, layer, drug, direction,
        delta_log10_ic50, delta_bottom, context, applies_to, expected_effect, pmid, citation,
        n_carriers``.
    null_pairs
        Flag-drug pairs with no planted effect (negative controls for association tests).
    combination_blocks
        One row per combination block: ``block, sample, drug1, drug2, synergy_planted,
        bliss_excess`` (true mean Bliss excess over wells with both drugs).
    cnv_events
        Planted focal copy-number events (sample, gene, event, chrom, start, end, log2).
    layer_samples
        Samples present in each modality.
    survival
        Coefficients of the survival model (log hazard ratios).
    params
        The arguments of :func:`simulate_cohort`.
    """

    factors: pd.DataFrame
    loadings: dict[str, pd.DataFrame]
    factor_activity: pd.DataFrame
    drug_factor_loadings: pd.DataFrame
    subtype: pd.Series
    subtype_centroids: pd.DataFrame
    batch: pd.Series
    tissue: pd.Series
    flags: pd.DataFrame
    curves: pd.DataFrame
    mechanisms: pd.DataFrame
    null_pairs: pd.DataFrame
    combination_blocks: pd.DataFrame
    cnv_events: pd.DataFrame
    layer_samples: dict[str, list[str]]
    survival: dict[str, Any]
    params: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        n, k = self.factors.shape
        carriers = ", ".join(f"{f}={int(self.flags[f].sum())}" for f in FLAGS)
        return (
            f"SimulationTruth({n} samples, {k} factors, {self.subtype.nunique()} subtypes, "
            f"{len(self.mechanisms)} planted flag-drug effects; carriers: {carriers})"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dictionary (tables as lists of records)."""

        def rec(df: pd.DataFrame, *, index: str | None = None) -> list[dict[str, Any]]:
            d = df.reset_index(names=index) if index else df
            return json.loads(d.to_json(orient="records", double_precision=6))

        return {
            "params": _jsonable(self.params),
            "mechanisms": rec(self.mechanisms),
            "flags": rec(self.flags, index="sample"),
            "curves": rec(self.curves),
            "factors": rec(self.factors, index="sample"),
            "factor_activity": {c: [str(i) for i in self.factor_activity.index[self.factor_activity[c]]]
                                for c in self.factor_activity.columns},  # fmt: skip
            "loadings": {k: rec(v, index="feature") for k, v in self.loadings.items()},
            "drug_factor_loadings": rec(self.drug_factor_loadings, index="drug"),
            "subtype": self.subtype.astype(str).to_dict(),
            "subtype_centroids": rec(self.subtype_centroids, index="subtype"),
            "batch": self.batch.astype(str).to_dict(),
            "tissue": self.tissue.astype(str).to_dict(),
            "null_pairs": rec(self.null_pairs),
            "combination_blocks": rec(self.combination_blocks),
            "cnv_events": rec(self.cnv_events),
            "layer_samples": {k: list(v) for k, v in self.layer_samples.items()},
            "survival": _jsonable(self.survival),
        }


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return obj


@dataclass
class SimulatedCohort:
    """A simulated cohort: the truth-side MuData, the raw tables and the answer key.

    Attributes
    ----------
    mdata
        :class:`mudata.MuData` with modalities ``mut``, ``cnv``, ``meth``, ``rna``, ``prot``,
        ``drug`` (slots of CONTRIBUTING.md) and clinical variables + mechanism flags in ``obs``.
    variants
        Tidy variant table (canonical columns + ``role``).
    dose_response
        Raw long single-agent screen (``sample, drug, dose`` in uM, ``response`` as viability
        fraction, ``replicate, plate, well``).
    combinations
        Raw long combination matrices (``block, sample, drug1, drug2, conc1, conc2, response``).
    clinical
        Clinical table indexed by sample.
    truth
        :class:`SimulationTruth`.
    drugs
        The drug panel (:func:`oncoresist.ds.drug_panel`).
    genes
        Gene coordinates (``chrom, start, end, strand``) used for the copy-number segments.
    segments
        Copy-number segments (``ID, chrom, loc.start, loc.end, num.mark, seg.mean``).
    """

    mdata: md.MuData
    variants: pd.DataFrame
    dose_response: pd.DataFrame
    combinations: pd.DataFrame
    clinical: pd.DataFrame
    truth: SimulationTruth
    drugs: pd.DataFrame
    genes: pd.DataFrame
    segments: pd.DataFrame

    def write(self, directory: PathLike, *, overwrite: bool = False) -> Path:
        """Write the raw files, ``study.toml`` and ``truth.json``; return the study file path.

        Files (each written atomically): ``mutations.maf`` (GDC-style MAF, tumour barcodes
        ``SIM-0001-T``), ``cnv_segments.seg`` + ``genes.bed``, ``rna_counts.tsv.gz``,
        ``methylation.tsv.gz`` (beta, probes x samples, a ``gene`` column), ``proteomics.tsv.gz``
        (log2, ``NaN`` = missing), ``drug_screen.csv`` (dose in nM, percent viability),
        ``combinations.csv``, ``clinical.tsv``, ``study.toml`` (for
        :func:`oncoresist.io.read_study`) and ``truth.json`` (:meth:`SimulationTruth.to_dict`
        plus the file list and drug panel). Samples without a layer are absent from its file.

        Parameters
        ----------
        directory
            Output folder (created when missing).
        overwrite
            Replace the files of a folder that already holds a ``study.toml``.

        Returns
        -------
        pathlib.Path
            The ``study.toml`` path.

        Raises
        ------
        InputError
            When ``directory`` is a file or already holds a study and ``overwrite`` is False.

        Examples
        --------
        >>> import tempfile
        >>> from oncoresist.ds import simulate_cohort
        >>> study = simulate_cohort(20, seed=0, n_genes=80).write(tempfile.mkdtemp())
        >>> study.name, (study.parent / "truth.json").exists()
        ('study.toml', True)
        """
        from ._sim_write import write_cohort

        return write_cohort(self, directory, overwrite=overwrite)

    def __repr__(self) -> str:
        mods = ", ".join(f"{k} {v.n_obs}x{v.n_vars}" for k, v in self.mdata.mod.items())
        return f"SimulatedCohort({self.mdata.n_obs} samples; {mods})"


# --------------------------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------------------------
def _check_int(name: str, value: Any, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        msg = f"simulate_cohort: {name} must be an integer in [{lo}, {hi}], got {value!r} ({type(value).__name__}); pass e.g. {name}={lo}."
        raise InputError(msg)
    if not lo <= int(value) <= hi:
        msg = f"simulate_cohort: {name} must be in [{lo}, {hi}], got {value}; choose a value in that range."
        raise InputError(msg)
    return int(value)


def _check_float(name: str, value: Any, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        msg = f"simulate_cohort: {name} must be a finite number in [{lo}, {hi}], got {value!r}; pass e.g. {name}={lo}."
        raise InputError(msg)
    if not lo <= float(value) <= hi:
        msg = f"simulate_cohort: {name} must be in [{lo}, {hi}], got {value}; choose a value in that range."
        raise InputError(msg)
    return float(value)


def _check_tissues(tissues: Mapping[str, float] | Sequence[str] | None) -> dict[str, float]:
    if tissues is None:
        return dict(DEFAULT_TISSUES)
    if isinstance(tissues, str):
        tissues = [tissues]
    if isinstance(tissues, Mapping):
        items = {str(k): v for k, v in tissues.items()}
    else:
        items = {str(t): 1.0 for t in tissues}
    if not items:
        msg = "simulate_cohort: tissues is empty; give tissue names (e.g. ['lung', 'glioma']) or a {tissue: fraction} mapping."
        raise InputError(msg)
    bad = [k for k, v in items.items() if isinstance(v, bool) or not isinstance(v, numbers.Real) or not v >= 0]
    if bad or sum(items.values()) <= 0:
        msg = f"simulate_cohort: tissues fractions must be non-negative numbers with a positive sum, got {dict(items)}; e.g. {{'lung': 0.5, 'glioma': 0.5}}."
        raise InputError(msg)
    total = float(sum(items.values()))
    return {k: float(v) / total for k, v in items.items() if v > 0}


# --------------------------------------------------------------------------------------------
# the simulator
# --------------------------------------------------------------------------------------------
def simulate_cohort(
    n_samples: int = 150,
    *,
    seed: int = 0,
    n_genes: int = 1000,
    n_factors: int = 5,
    n_subtypes: int = 3,
    n_batches: int = 3,
    tissues: Mapping[str, float] | Sequence[str] | None = None,
    missing_layer_fraction: float = 0.1,
    missing_value_fraction: float = 0.05,
    batch_effect: float = 1.0,
    noise: float = 1.0,
    effect_size: float = 1.0,
    n_replicates: int = 3,
    n_combination_controls: int = 6,
    min_carriers: int = 2,
    biology_seed: int = 0,
) -> SimulatedCohort:
    """Simulate a multi-omics + drug-response cohort with planted, published biology.

    See the module docstring (:mod:`oncoresist.ds._simulate`) for the generative model and the
    planted mechanisms with their citations.

    Parameters
    ----------
    n_samples
        Number of tumours (``SIM-0001`` ...), 10 to 100,000.
    seed
        Seed of the cohort's randomness (samples, alterations, noise, missingness).
    n_genes
        Genes in the universe (real HGNC symbols first, ``GENE0001``... padding), >= 60.
    n_factors
        Latent factors shared across layers (1-20).
    n_subtypes
        Clusters in factor space (1-10).
    n_batches
        Processing batches (1-20); per-gene batch shifts in RNA and protein.
    tissues
        Tissue mix: a ``{tissue: fraction}`` mapping or tissue names (equal fractions).
        Default: lung 35%, colorectal 20%, breast / glioma / ovarian 15% each. Unknown tissue
        names get generic alteration frequencies and no marker genes.
    missing_layer_fraction
        Fraction of samples without proteomics and (independently) without methylation; a
        third of it lacks the drug screen (0-0.5).
    missing_value_fraction
        Fraction of missing values in proteomics (not at random: low values more often) and
        methylation (at random), 0-0.5.
    batch_effect
        Scale of the batch shifts (0 = none; 1 = per-gene shifts with SD 0.4 log2 in RNA and
        0.3 in protein).
    noise
        Scale of all measurement noise (0 = noise-free measurements; biology keeps its
        sample-to-sample variation).
    effect_size
        Multiplier of every planted drug-response effect (0 = no planted mechanism effects).
    n_replicates
        Replicate plates per sample in the single-agent screen (1-6).
    n_combination_controls
        Combination blocks are simulated for every screened MET-amplified sample plus this many
        control samples (half EGFR-mutant, half EGFR-wild-type).
    min_carriers
        Minimum number of carriers of every mechanism: when the random draw gives fewer, extra
        carriers are drawn with probability proportional to the tissue frequency (never in a
        tissue where the alteration does not occur), so small cohorts still contain each
        mechanism; 0 disables. Capped at a quarter of the cohort.
    biology_seed
        Seed of the shared biology (gene base levels, tissue programmes, loadings, drug factor
        effects, subtype centroids).

    Returns
    -------
    SimulatedCohort
        ``.mdata``, ``.variants``, ``.dose_response``, ``.combinations``, ``.clinical``,
        ``.truth`` and ``.write(directory)``.

    Raises
    ------
    InputError
        On an argument of the wrong type or out of range.

    Examples
    --------
    >>> from oncoresist.ds import simulate_cohort
    >>> sim = simulate_cohort(60, seed=1, n_genes=200)
    >>> sorted(sim.mdata.mod)
    ['cnv', 'drug', 'meth', 'mut', 'prot', 'rna']
    >>> bool(sim.mdata.obs["egfr_activating"].any())
    True
    """
    n = _check_int("n_samples", n_samples, 10, 100_000)
    seed = _check_int("seed", seed, 0, 2**63 - 1)
    biology_seed = _check_int("biology_seed", biology_seed, 0, 2**63 - 1)
    n_genes = _check_int("n_genes", n_genes, 60, 50_000)
    k_fac = _check_int("n_factors", n_factors, 1, 20)
    n_sub = _check_int("n_subtypes", n_subtypes, 1, 10)
    n_bat = _check_int("n_batches", n_batches, 1, 20)
    n_rep = _check_int("n_replicates", n_replicates, 1, 6)
    n_ctrl = _check_int("n_combination_controls", n_combination_controls, 0, 1000)
    min_carriers = _check_int("min_carriers", min_carriers, 0, 1000)
    f_layer = _check_float("missing_layer_fraction", missing_layer_fraction, 0.0, 0.5)
    f_value = _check_float("missing_value_fraction", missing_value_fraction, 0.0, 0.5)
    batch_effect = _check_float("batch_effect", batch_effect, 0.0, 10.0)
    noise = _check_float("noise", noise, 0.0, 10.0)
    effect_size = _check_float("effect_size", effect_size, 0.0, 10.0)
    tissue_p = _check_tissues(tissues)
    params = {
        "n_samples": n, "seed": seed, "n_genes": n_genes, "n_factors": k_fac, "n_subtypes": n_sub,
        "n_batches": n_bat, "tissues": tissue_p, "missing_layer_fraction": f_layer,
        "missing_value_fraction": f_value, "batch_effect": batch_effect, "noise": noise,
        "effect_size": effect_size, "n_replicates": n_rep, "n_combination_controls": n_ctrl,
        "min_carriers": min_carriers, "biology_seed": biology_seed,
    }  # fmt: skip

    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(12)]
    r_samp, r_flag, r_fac, r_cnv, r_meth, r_rna, r_prot, r_mut, r_drug, r_screen, r_miss, r_surv = streams
    bio = [np.random.default_rng(s) for s in np.random.SeedSequence([biology_seed, 7]).spawn(6)]
    b_gene, b_tissue, b_load, b_drug, b_meth, b_sub = bio

    genes = gene_table(n_genes)
    gene_names = genes.index
    drugs = drug_panel()
    width = max(4, len(str(n)))
    samples = [f"SIM-{i + 1:0{width}d}" for i in range(n)]
    sidx = pd.Index(samples)

    # ---- sample annotations ------------------------------------------------------------------
    tissue = _allocate(list(tissue_p), np.array(list(tissue_p.values())), n, r_samp)
    subtype_codes = _allocate(list(range(n_sub)), np.full(n_sub, 1.0 / n_sub), n, r_samp).astype(int)
    subtype = np.array([f"S{c + 1}" for c in subtype_codes], dtype=object)
    batch = np.array([f"B{c + 1}" for c in _allocate(list(range(n_bat)), np.full(n_bat, 1 / n_bat), n, r_samp).astype(int)], dtype=object)
    age = np.clip(np.round(r_samp.normal(62, 11, size=n)), 25, 90).astype(int)
    p_f = np.array([_SEX_FEMALE.get(t, 0.5) for t in tissue])
    sex = np.where(r_samp.random(n) < p_f, "F", "M").astype(object)
    purity = np.round(r_samp.beta(7, 3, size=n), 3)

    flags = _simulate_flags(tissue, r_flag, min_carriers=min_carriers)
    flags.index = sidx

    # ---- latent factors ----------------------------------------------------------------------
    fac_names = [f"F{k + 1}" for k in range(k_fac)]
    n_cluster_dims = min(k_fac, 3)
    centroids = np.zeros((n_sub, k_fac))
    if n_sub > 1:
        centroids[:, :n_cluster_dims] = b_sub.normal(0, 1.0, size=(n_sub, n_cluster_dims))
    # within-subtype spread: 0.6 on the cluster dimensions, 1 on the others (each factor ~ unit scale)
    spread = np.where(np.arange(k_fac) < n_cluster_dims, 0.6 if n_sub > 1 else 1.0, 1.0)
    z = centroids[subtype_codes] + r_fac.normal(0, 1.0, size=(n, k_fac)) * spread[None, :]
    activity = pd.DataFrame(False, index=list(_FACTOR_LAYERS), columns=fac_names)
    for k in range(k_fac):
        for layer in _ACTIVITY_PATTERN[k % len(_ACTIVITY_PATTERN)]:
            activity.loc[layer, fac_names[k]] = True

    # ---- copy number -------------------------------------------------------------------------
    cnv = simulate_cnv(samples, tissue, genes, flags, r_cnv, noise=noise)

    # ---- methylation (promoter CpGs) ---------------------------------------------------------
    mfeat = meth_features(genes, b_meth)
    n_m = len(mfeat)
    m_base = np.where(b_meth.random(n_m) < 0.25, b_meth.normal(1.8, 0.8, n_m), b_meth.normal(-3.0, 0.8, n_m))
    is_mgmt = (mfeat["gene"] == "MGMT").to_numpy()
    is_abcb1 = (mfeat["gene"] == "ABCB1").to_numpy()
    m_base[is_mgmt] = MECH_OMICS["mgmt_promoter_m_low"]
    m_base[is_abcb1] = MECH_OMICS["abcb1_promoter_m_high"]
    w_meth = _loadings(mfeat.index, mfeat["gene"].isin(PLANTED_GENES).to_numpy(), activity.loc["meth"], b_load, _LOADING_SCALE["meth"])
    m_tissue = _tissue_effects(list(tissue_p), n_m, b_tissue, sd=0.5, frac=0.2)
    m_true = m_base[None, :] + m_tissue[_codes(tissue, list(tissue_p))] + z @ w_meth.T + r_meth.normal(0, 0.3, size=(n, n_m))
    mg = flags["mgmt_methylated"].to_numpy()
    m_true[np.ix_(mg, is_mgmt)] = MECH_OMICS["mgmt_promoter_m_high"] + r_meth.normal(0, 0.4, size=(mg.sum(), is_mgmt.sum()))
    ab = flags["abcb1_high"].to_numpy()
    m_true[np.ix_(ab, is_abcb1)] = MECH_OMICS["abcb1_promoter_m_low"] + r_meth.normal(0, 0.4, size=(ab.sum(), is_abcb1.sum()))
    beta_true = expit2(m_true)
    beta_obs = np.clip(expit2(m_true + r_meth.normal(0, 0.25 * noise, size=m_true.shape)), 0.001, 0.999)

    # ---- RNA ----------------------------------------------------------------------------------
    g = len(gene_names)
    base = b_gene.normal(4.0, 2.0, size=g)
    t_eff = _tissue_effects(list(tissue_p), g, b_tissue, sd=0.4, frac=0.3)
    for ti, t in enumerate(tissue_p):
        for marker, lfc in TISSUE_MARKERS.get(t, {}).items():
            if marker in gene_names:
                t_eff[ti, gene_names.get_loc(marker)] += lfc
    planted_mask = np.asarray(gene_names.isin(PLANTED_GENES))
    w_rna = _loadings(gene_names, planted_mask, activity.loc["rna"], b_load, _LOADING_SCALE["rna"])
    eta = base[None, :] + t_eff[_codes(tissue, list(tissue_p))] + z @ w_rna.T + 0.7 * cnv.gene_log2
    # promoter methylation silences expression: per gene, mean probe beta relative to baseline
    probe_gene = mfeat["gene"].to_numpy()
    gene_pos = {name: i for i, name in enumerate(gene_names)}
    gcols = np.array([gene_pos[x] for x in probe_gene])
    delta_beta = beta_true - expit2(m_base)[None, :]
    sums = np.zeros((n, g))
    counts = np.zeros(g)
    np.add.at(sums.T, gcols, delta_beta.T)
    np.add.at(counts, gcols, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        eta -= 2.5 * np.where(counts > 0, sums / np.maximum(counts, 1), 0.0)
    col = gene_names.get_loc
    eta[ab, col("ABCB1")] += MECH_OMICS["abcb1_rna_log2fc"]
    eta[mg, col("MGMT")] += MECH_OMICS["mgmt_rna_log2fc"]
    eta[flags["ercc1_high"].to_numpy(), col("ERCC1")] += MECH_OMICS["ercc1_rna_log2fc"]
    eta[flags["met_amp"].to_numpy(), col("MET")] += MECH_OMICS["met_rna_log2fc"]
    eta += r_rna.normal(0, 0.3, size=eta.shape)  # biological (sample-to-sample) variation
    eta_bio = eta.copy()
    batch_codes = _codes(batch, [f"B{b + 1}" for b in range(n_bat)])
    rna_shift = r_rna.normal(0, 0.4 * batch_effect, size=(n_bat, g))
    eta_obs = eta + rna_shift[batch_codes]
    lib = r_rna.lognormal(np.log(4e6), 0.3, size=n)
    prop = np.exp2(eta_obs - eta_obs.max(axis=1, keepdims=True))
    prop /= prop.sum(axis=1, keepdims=True)
    mu = lib[:, None] * prop
    phi = 0.08 * noise
    lam = mu * r_rna.gamma(1.0 / phi, phi, size=mu.shape) if phi > 0 else mu
    rna_counts = r_rna.poisson(lam).astype(np.int64)
    cpm = rna_counts / np.maximum(rna_counts.sum(axis=1, keepdims=True), 1) * 1e6
    rna_x = np.log1p(cpm)

    # ---- protein ------------------------------------------------------------------------------
    p_mask = planted_mask | (b_gene.random(g) < 0.4)
    p_genes = gene_names[p_mask]
    w_prot = _loadings(p_genes, planted_mask[p_mask], activity.loc["prot"], b_load, _LOADING_SCALE["prot"])
    eta_p = eta_bio[:, p_mask]
    prot_true = 22.0 + 0.5 * (base[p_mask] - 4.0) + 0.8 * (eta_p - eta_p.mean(axis=0, keepdims=True)) + z @ w_prot.T
    prot_shift = r_prot.normal(0, 0.3 * batch_effect, size=(n_bat, p_mask.sum()))
    prot_obs = prot_true + prot_shift[batch_codes] + r_prot.normal(0, 0.3 * noise, size=prot_true.shape)

    # ---- variants -----------------------------------------------------------------------------
    prot_len = pd.Series(
        np.clip(((genes["end"] - genes["start"]) / 120).astype(int), 150, 3500).to_numpy(), index=gene_names
    )
    variants = simulate_variants(samples, tissue, genes, flags, purity, r_mut, gene_prot_len=prot_len)

    # ---- drug response: true curves ----------------------------------------------------------
    n_d = len(drugs)
    role = drugs["role"].to_numpy()
    active_drug_factors = activity.loc["drug"].to_numpy()
    beta_sd = np.where(role == "factor", 0.35, np.where(role == "biomarker", 0.12, 0.0))
    d_load = b_drug.normal(0, 1, size=(n_d, k_fac)) * beta_sd[:, None] * active_drug_factors[None, :]
    d_tissue = _tissue_effects(list(tissue_p), n_d, b_drug, sd=0.2, frac=1.0)
    d_tissue[:, role == "negative_control"] = 0.0
    general = r_drug.normal(0, 0.15, size=(n, 1))
    log10_ic50 = (
        drugs["base_log10_ic50"].to_numpy()[None, :]
        + d_tissue[_codes(tissue, list(tissue_p))]
        + z @ d_load.T
        + general
        + r_drug.normal(0, 0.25, size=(n, n_d))
    )
    bottom = np.clip(drugs["bottom"].to_numpy()[None, :] + r_drug.normal(0, 0.03, size=(n, n_d)), 0.0, 0.95)
    hill = drugs["hill"].to_numpy()[None, :] * np.exp(r_drug.normal(0, 0.12, size=(n, n_d)))
    mech = mechanism_table(list(drugs.index), effect_size=effect_size)
    mech["applies_to"] = np.where(mech["flag"].eq("kras_mut"), "non_carriers", "carriers")
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
    mech["n_carriers"] = n_carriers
    bottom = np.clip(bottom, 0.0, 0.95)
    lo = np.log10(drugs["dose_min_uM"].to_numpy())[None, :]
    hi = np.log10(drugs["dose_max_uM"].to_numpy())[None, :]
    auc = normalised_auc(log10_ic50, hill, bottom, lo, hi)

    # ---- missing layers ----------------------------------------------------------------------
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
    screened = ~no_screen

    # ---- missing values ----------------------------------------------------------------------
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

    # ---- screen and combinations ------------------------------------------------------------
    scr_idx = np.flatnonzero(screened)
    dose_response = simulate_screen(
        [samples[i] for i in scr_idx], drugs, log10_ic50[scr_idx], hill[scr_idx], bottom[scr_idx],
        r_screen, n_replicates=n_rep, noise=noise,
    )  # fmt: skip
    blocks = _combination_blocks(samples, flags, screened, n_ctrl, r_screen)
    params_of = {
        (samples[i], d): (float(log10_ic50[i, j]), float(hill[i, j]), float(bottom[i, j]))
        for i in np.flatnonzero(screened) for j, d in enumerate(drugs.index)
        if d in ("gefitinib", "osimertinib", "capmatinib")
    }  # fmt: skip
    met_shift = {}
    met_rows = mech[(mech["flag"] == "met_amp") & (mech["direction"] == "resistance")].set_index("drug")
    t790m = flags["egfr_t790m"].to_numpy()
    for i in np.flatnonzero(flags["met_amp"].to_numpy() & flags["egfr_activating"].to_numpy()):
        for d in ("gefitinib", "osimertinib"):
            # MET inhibition restores EGFR-inhibitor activity only if the inhibitor still binds
            # the receptor: not gefitinib on T790M-mutant EGFR
            if d in met_rows.index and not (t790m[i] and d == "gefitinib"):
                met_shift[(samples[i], d)] = float(met_rows.at[d, "delta_log10_ic50"])
    combinations, excess = simulate_combinations(blocks, drugs, params_of, met_shift, r_screen, noise=noise)
    blocks = blocks.assign(
        synergy_planted=[(s, d) in met_shift and met_shift[(s, d)] > 0 for s, d in zip(blocks["sample"], blocks["drug1"])],
        bliss_excess=np.round(excess, 5),
    )

    # ---- survival ------------------------------------------------------------------------------
    sub_eff = np.linspace(-0.4, 0.6, n_sub) if n_sub > 1 else np.zeros(1)
    lp = 0.025 * (age - 62) + 0.5 * z[:, 0] + sub_eff[subtype_codes] + np.array([_SURVIVAL_TISSUE.get(t, 0.0) for t in tissue])
    shape, scale = 1.3, 3000.0
    t_event = scale * (r_surv.exponential(1.0, size=n) / np.exp(lp)) ** (1.0 / shape)
    t_cens = r_surv.uniform(365, 3650, size=n)
    surv_time = np.round(np.minimum(t_event, t_cens), 1)
    surv_event = (t_event <= t_cens).astype(int)
    survival = {
        "model": "Weibull proportional hazards, shape 1.3, scale 3000 days; censoring U(365, 3650) days",
        "log_hr_age_per_year": 0.025, "age_center": 62, "log_hr_F1": 0.5,
        "log_hr_subtype": {f"S{k + 1}": float(v) for k, v in enumerate(sub_eff)},
        "log_hr_tissue": {t: _SURVIVAL_TISSUE.get(t, 0.0) for t in tissue_p},
    }  # fmt: skip

    # ---- tables ------------------------------------------------------------------------------
    clinical = pd.DataFrame(
        {
            "tissue": tissue, "subtype": subtype, "batch": batch, "age": age, "sex": sex,
            "survival_time": surv_time, "survival_event": surv_event,
        },
        index=sidx,
    )  # fmt: skip
    clinical.index.name = "sample_id"
    flag_cols = list(FLAGS)
    truth_flags = flags.assign(purity=purity)
    curves = pd.DataFrame(
        {
            "sample": np.repeat(samples, n_d),
            "drug": np.tile(drugs.index.to_numpy(), n),
            "log10_ic50": log10_ic50.ravel(),
            "ic50_uM": 10.0 ** log10_ic50.ravel(),
            "hill": hill.ravel(),
            "bottom": bottom.ravel(),
            "emax": 1.0 - bottom.ravel(),
            "auc": auc.ravel(),
            "aac": 1.0 - auc.ravel(),
            "screened": np.repeat(screened, n_d),
        }
    )
    null_pairs = _null_pairs(mech, drugs)

    # ---- MuData --------------------------------------------------------------------------------
    mods: dict[str, ad.AnnData] = {}
    non_syn = variants[~variants["variant_class"].isin(_NON_SYNONYMOUS_EXCLUDED)]
    mutated = set(non_syn["gene"])
    mut_genes = [x for x in gene_names if x in mutated or x in ("EGFR", "KRAS", "BRCA1", "BRCA2", "TP53")]
    mut_x = np.zeros((n, len(mut_genes)))
    mut_vaf = np.zeros((n, len(mut_genes)))
    if len(non_syn):
        agg = non_syn.groupby(["sample", "gene"])["vaf"].max().reset_index()
        ri = sidx.get_indexer(agg["sample"])
        ci = pd.Index(mut_genes).get_indexer(agg["gene"])
        mut_x[ri, ci] = 1.0
        mut_vaf[ri, ci] = agg["vaf"].to_numpy()
    mods["mut"] = ad.AnnData(
        X=mut_x, obs=pd.DataFrame(index=sidx), var=genes.loc[mut_genes, ["chrom", "start", "end"]].copy(),
        layers={"vaf": mut_vaf}, uns={"variants": variants},
    )  # fmt: skip
    mods["cnv"] = ad.AnnData(
        X=cnv.gene_log2, obs=pd.DataFrame(index=sidx), var=genes[["chrom", "start", "end"]].copy(),
        uns={"cnv": {"values": "log2_ratio"}},
    )  # fmt: skip
    keep = ~no_meth
    mods["meth"] = ad.AnnData(
        X=meth_x[keep], obs=pd.DataFrame(index=sidx[keep]), var=mfeat.copy(), uns={"meth": {"scale": "beta"}}
    )
    gvar = genes[["chrom", "start", "end"]].copy()
    mods["rna"] = ad.AnnData(
        X=rna_x, obs=pd.DataFrame(index=sidx), var=gvar, layers={"counts": rna_counts},
        uns={"rna": {"X": "log1p_cpm"}},
    )  # fmt: skip
    keep = ~no_prot
    mods["prot"] = ad.AnnData(
        X=prot_x[keep], obs=pd.DataFrame(index=sidx[keep]), var=genes.loc[p_genes, ["chrom", "start", "end"]].copy(),
        uns={"prot": {"scale": "log2"}},
    )  # fmt: skip
    dvar = drugs[["drug_class", "targets", "pgp_substrate", "dose_min_uM", "dose_max_uM", "n_doses", "role"]].copy()
    s_idx = sidx[screened]
    mods["drug"] = ad.AnnData(
        X=auc[screened],
        obs=pd.DataFrame(index=s_idx),
        var=dvar,
        layers={
            "auc": auc[screened],
            "aac": 1.0 - auc[screened],
            "ic50_uM": 10.0 ** log10_ic50[screened],
            "log10_ic50": log10_ic50[screened],
            "ec50_uM": 10.0 ** log10_ic50[screened],
            "hill": hill[screened],
            "emax": 1.0 - bottom[screened],
            "bottom": bottom[screened],
        },
        uns={"drug": {"X": "auc", "source": "true curve parameters (simulation)"}},
    )
    for a in mods.values():
        a.var.index = a.var.index.astype(str)
    with warnings.catch_warnings():  # mudata's notes on shared var names / pull_on_update
        warnings.simplefilter("ignore")
        mdata = md.MuData(mods)
    obs = clinical.copy()
    obs.index.name = None
    for f in flag_cols:
        obs[f] = flags[f].astype(bool).to_numpy()
    mdata.obs = obs.reindex(mdata.obs_names)
    mdata.uns["dose_response"] = dose_response
    mdata.uns["combinations"] = combinations
    mdata.uns["simulation"] = {"params": _jsonable(params)}
    layer_samples = {name: list(a.obs_names) for name, a in mods.items()}

    truth = SimulationTruth(
        factors=pd.DataFrame(z, index=sidx, columns=fac_names),
        loadings={
            "rna": pd.DataFrame(w_rna, index=gene_names, columns=fac_names),
            "prot": pd.DataFrame(w_prot, index=p_genes, columns=fac_names),
            "meth": pd.DataFrame(w_meth, index=mfeat.index, columns=fac_names),
        },
        factor_activity=activity,
        drug_factor_loadings=pd.DataFrame(d_load, index=drugs.index, columns=fac_names),
        subtype=pd.Series(subtype, index=sidx, name="subtype"),
        subtype_centroids=pd.DataFrame(centroids, index=[f"S{k + 1}" for k in range(n_sub)], columns=fac_names),
        batch=pd.Series(batch, index=sidx, name="batch"),
        tissue=pd.Series(tissue, index=sidx, name="tissue"),
        flags=truth_flags,
        curves=curves,
        mechanisms=mech,
        null_pairs=null_pairs,
        combination_blocks=blocks,
        cnv_events=cnv.focal_events,
        layer_samples=layer_samples,
        survival=survival,
        params=params,
    )
    clinical_out = clinical.copy()
    return SimulatedCohort(
        mdata=mdata,
        variants=variants,
        dose_response=dose_response,
        combinations=combinations,
        clinical=clinical_out,
        truth=truth,
        drugs=drugs,
        genes=genes,
        segments=cnv.segments,
    )


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
    pos = {v: i for i, v in enumerate(levels)}
    return np.array([pos[v] for v in values], dtype=int)


def _tissue_effects(tissues: list[str], n_feat: int, rng: np.random.Generator, *, sd: float, frac: float) -> np.ndarray:
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


def _null_pairs(mech: pd.DataFrame, drugs: pd.DataFrame) -> pd.DataFrame:
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
    met = flags["met_amp"].to_numpy() & screened
    egfr = flags["egfr_activating"].to_numpy()
    chosen = list(np.flatnonzero(met))
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

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

With ``functional=True`` (:mod:`._sim_functional`, structure in :mod:`._sim_network`): pathway /
kinase activities, a mutation-free MAPK reactivation / AXL / MET bypass state making erlotinib
less active (Ercan 2012, PMID 22961667; Zhang 2012, PMID 22751098), microenvironment fractions
and a ``phospho`` modality.

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
from ._sim_biology import DEFAULT_TISSUES, FLAGS
from ._sim_functional import functional_modality, plant_functional, record_functional
from ._sim_genes import functional_prefix, gene_table
from ._sim_omics import CnvResult, simulate_cnv
from ._sim_steps import (
    Curves,
    Factors,
    Layers,
    Meth,
    Params,
    Prot,
    Rna,
    Samples,
    latent_factors,
    make_streams,
    missing_layers,
    missing_values,
    null_pairs,
    sample_annotations,
    screen_and_combinations,
    simulate_meth,
    simulate_prot,
    simulate_rna,
    simulate_survival,
    true_curves,
)
from ._sim_variants import simulate_variants

__all__ = ["SimulatedCohort", "SimulationTruth", "simulate_cohort"]

_NON_SYNONYMOUS_EXCLUDED = {"Silent", "Intron", "3'UTR", "5'UTR", "3'Flank", "5'Flank", "IGR", "RNA"}


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
    functional
        With ``functional=True``: ``state`` (per sample ``mapk_reactivation``, ``route``),
        ``pathway_activity`` and ``kinase_activity`` (samples x sources, true activities),
        ``tme_fractions`` (samples x cell types + ``tumour``; ``T cells`` includes the CD8 T
        cells), ``drug`` (the MAPK-pathway drug). Empty otherwise.
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
    functional: dict[str, Any] = field(default_factory=dict)

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
            **({"functional": {k: rec(v, index="sample") if isinstance(v, pd.DataFrame) else v
                               for k, v in self.functional.items()}} if self.functional else {}),
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
    evolution
        Patients with serial biopsies and plasma ctDNA (:func:`oncoresist.ds.add_evolution`;
        empty by default).
    genome
        Genome-wide phenotypes (MSI / POLE / HRD / APOBEC) with their truth, planted exposures and
        allele-specific segments (:func:`oncoresist.ds.add_genome_phenotypes`; empty by default).
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
    evolution: dict[str, Any] = field(default_factory=dict)
    genome: dict[str, Any] = field(default_factory=dict)

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
#: Type and allowed range of every numeric argument of :func:`simulate_cohort` (checked in this order).
_RANGES: dict[str, tuple[type, float, float]] = {
    "n_samples": (int, 10, 100_000),
    "seed": (int, 0, 2**63 - 1),
    "biology_seed": (int, 0, 2**63 - 1),
    "n_genes": (int, 60, 50_000),
    "n_factors": (int, 1, 20),
    "n_subtypes": (int, 1, 10),
    "n_batches": (int, 1, 20),
    "n_replicates": (int, 1, 6),
    "n_combination_controls": (int, 0, 1000),
    "min_carriers": (int, 0, 1000),
    "missing_layer_fraction": (float, 0.0, 0.5),
    "missing_value_fraction": (float, 0.0, 0.5),
    "batch_effect": (float, 0.0, 10.0),
    "noise": (float, 0.0, 10.0),
    "effect_size": (float, 0.0, 10.0),
}


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
    biology_seed: int = 0, functional: bool = False,
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
    functional
        Plant pathway / kinase activities, a mutation-free MAPK reactivation state
        (``obs['mapk_reactivation']``), a microenvironment and a ``phospho`` modality; truth in
        ``truth.functional`` (details: :mod:`oncoresist.ds._sim_functional`). Off by default.

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
    params = dict(locals())  # exactly the keyword arguments: nothing else is bound yet
    p = _check_params(**{k: v for k, v in params.items() if k != "functional"})
    _check_functional(functional, p.n_genes)
    return _simulate(p, functional=functional)


def _check_functional(functional: object, n_genes: int) -> None:
    """``functional`` is a bool, and the gene universe holds the functional genes when it is on."""
    if not isinstance(functional, bool):
        raise InputError(f"simulate_cohort: functional must be True or False, got {functional!r}.")
    if functional and n_genes < len(functional_prefix()):
        need = len(functional_prefix())
        raise InputError(f"simulate_cohort: functional=True needs n_genes >= {need} (the planted and functional genes), got {n_genes}; pass n_genes={need} or more.")


def _simulate(p: Params, *, functional: bool = False) -> SimulatedCohort:
    """Run the steps in their fixed order (each random stream is drawn in the same order)."""
    rs = make_streams(p.seed, p.biology_seed)
    genes = gene_table(p.n_genes, functional=functional)
    drugs = drug_panel()
    s = sample_annotations(p, rs)
    fac = latent_factors(p, s, rs)
    cnv = simulate_cnv(s.names, s.tissue, genes, s.flags, rs.cnv, noise=p.noise)
    meth = simulate_meth(p, genes, s, fac, rs)
    rna = simulate_rna(p, genes.index, s, fac, cnv.gene_log2, meth, rs)
    cv = true_curves(p, drugs, s, fac, rs)
    fun = None
    if functional:
        rna, cv, fun = plant_functional(p, s, rna, cv, drugs)
        s.flags["mapk_reactivation"] = fun.state["mapk_reactivation"].to_numpy()
    prot = simulate_prot(p, genes.index, s, fac, rna, rs)
    prot_len = pd.Series(
        np.clip(((genes["end"] - genes["start"]) / 120).astype(int), 150, 3500).to_numpy(), index=genes.index
    )
    variants = simulate_variants(s.names, s.tissue, genes, s.flags, s.purity, rs.mut, gene_prot_len=prot_len)
    layers = missing_layers(p, s.flags, rs.miss)
    prot_x, meth_x = missing_values(p, prot.obs, meth.beta_obs, layers.no_prot, rs.miss)
    dose_response, combinations, blocks = screen_and_combinations(p, drugs, s, cv, layers.screened, rs.screen)
    surv_time, surv_event, survival = simulate_survival(p, s, fac.z, rs.surv)
    clinical = pd.DataFrame(
        {
            "tissue": s.tissue, "subtype": s.subtype, "batch": s.batch, "age": s.age, "sex": s.sex,
            "survival_time": surv_time, "survival_event": surv_event,
        },
        index=s.index,
    )  # fmt: skip
    clinical.index.name = "sample_id"
    mods = {
        "mut": _mut_modality(genes, s.index, variants),
        **_omics_modalities(genes, s.index, cnv, meth, meth_x, rna, prot, prot_x, layers),
        "drug": _drug_modality(drugs, s.index, cv, layers.screened),
        **({"phospho": functional_modality(fun, layers.no_prot)} if fun is not None else {}),
    }
    mdata = _build_mudata(mods, clinical, s.flags, dose_response, combinations, p.record())
    truth = _truth(p, drugs, s, fac, meth, rna, prot, cv, layers.screened, blocks, cnv, mods, survival)
    if fun is not None:
        record_functional(mdata, truth, fun)
    return SimulatedCohort(
        mdata=mdata,
        variants=variants,
        dose_response=dose_response,
        combinations=combinations,
        clinical=clinical.copy(),
        truth=truth,
        drugs=drugs,
        genes=genes,
        segments=cnv.segments,
    )


def _check_params(**args: Any) -> Params:
    """Check every argument of :func:`simulate_cohort` (``InputError`` naming it and the range)."""
    checked: dict[str, Any] = {
        name: _check_int(name, args[name], int(lo), int(hi)) if kind is int else _check_float(name, args[name], lo, hi)
        for name, (kind, lo, hi) in _RANGES.items()
    }
    return Params(**checked, tissues=_check_tissues(args["tissues"]))


# --------------------------------------------------------------------------------------------
# MuData and answer key
# --------------------------------------------------------------------------------------------
def _mut_modality(genes: pd.DataFrame, sidx: pd.Index, variants: pd.DataFrame) -> ad.AnnData:
    """Binary non-synonymous mutation matrix (``X``) with the maximal VAF (layer ``vaf``)."""
    n = len(sidx)
    non_syn = variants[~variants["variant_class"].isin(_NON_SYNONYMOUS_EXCLUDED)]
    mutated = set(non_syn["gene"])
    mut_genes = [x for x in genes.index if x in mutated or x in ("EGFR", "KRAS", "BRCA1", "BRCA2", "TP53")]
    mut_x = np.zeros((n, len(mut_genes)))
    mut_vaf = np.zeros((n, len(mut_genes)))
    if len(non_syn):
        agg = non_syn.groupby(["sample", "gene"])["vaf"].max().reset_index()
        ri = sidx.get_indexer(agg["sample"])
        ci = pd.Index(mut_genes).get_indexer(agg["gene"])
        mut_x[ri, ci] = 1.0
        mut_vaf[ri, ci] = agg["vaf"].to_numpy()
    return ad.AnnData(
        X=mut_x, obs=pd.DataFrame(index=sidx), var=genes.loc[mut_genes, ["chrom", "start", "end"]].copy(),
        layers={"vaf": mut_vaf}, uns={"variants": variants},
    )  # fmt: skip


def _omics_modalities(
    genes: pd.DataFrame, sidx: pd.Index, cnv: CnvResult, meth: Meth, meth_x: np.ndarray, rna: Rna,
    prot: Prot, prot_x: np.ndarray, layers: Layers,
) -> dict[str, ad.AnnData]:  # fmt: skip
    """The ``cnv``, ``meth``, ``rna`` and ``prot`` modalities (samples without a layer left out)."""
    mods: dict[str, ad.AnnData] = {}
    mods["cnv"] = ad.AnnData(
        X=cnv.gene_log2, obs=pd.DataFrame(index=sidx), var=genes[["chrom", "start", "end"]].copy(),
        uns={"cnv": {"values": "log2_ratio"}},
    )  # fmt: skip
    keep = ~layers.no_meth
    mods["meth"] = ad.AnnData(
        X=meth_x[keep], obs=pd.DataFrame(index=sidx[keep]), var=meth.features.copy(), uns={"meth": {"scale": "beta"}}
    )
    gvar = genes[["chrom", "start", "end"]].copy()
    mods["rna"] = ad.AnnData(
        X=rna.x, obs=pd.DataFrame(index=sidx), var=gvar, layers={"counts": rna.counts},
        uns={"rna": {"X": "log1p_cpm"}},
    )  # fmt: skip
    keep = ~layers.no_prot
    mods["prot"] = ad.AnnData(
        X=prot_x[keep], obs=pd.DataFrame(index=sidx[keep]), var=genes.loc[prot.genes, ["chrom", "start", "end"]].copy(),
        uns={"prot": {"scale": "log2"}},
    )  # fmt: skip
    return mods


def _drug_modality(drugs: pd.DataFrame, sidx: pd.Index, cv: Curves, screened: np.ndarray) -> ad.AnnData:
    """True curve parameters of the screened samples (``X`` = AUC, layers per parameter)."""
    log10_ic50, hill, bottom, auc = cv.log10_ic50, cv.hill, cv.bottom, cv.auc
    dvar = drugs[["drug_class", "targets", "pgp_substrate", "dose_min_uM", "dose_max_uM", "n_doses", "role"]].copy()
    return ad.AnnData(
        X=auc[screened],
        obs=pd.DataFrame(index=sidx[screened]),
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


def _build_mudata(
    mods: dict[str, ad.AnnData], clinical: pd.DataFrame, flags: pd.DataFrame,
    dose_response: pd.DataFrame, combinations: pd.DataFrame, params: dict[str, Any],
) -> md.MuData:  # fmt: skip
    """Join the modalities; clinical variables and mechanism flags in ``obs``, raw screens in ``uns``."""
    for a in mods.values():
        a.var.index = a.var.index.astype(str)
    with warnings.catch_warnings():  # mudata's notes on shared var names / pull_on_update
        warnings.simplefilter("ignore")
        mdata = md.MuData(mods)
    obs = clinical.copy()
    obs.index.name = None
    for f in list(FLAGS):
        obs[f] = flags[f].astype(bool).to_numpy()
    mdata.obs = obs.reindex(mdata.obs_names)
    mdata.uns["dose_response"] = dose_response
    mdata.uns["combinations"] = combinations
    mdata.uns["simulation"] = {"params": _jsonable(params)}
    return mdata


def _curve_table(drugs: pd.DataFrame, s: Samples, cv: Curves, screened: np.ndarray) -> pd.DataFrame:
    """Long table of the true curves, one row per (sample, drug)."""
    n_d, n = len(drugs), len(s.names)
    log10_ic50, bottom, auc = cv.log10_ic50, cv.bottom, cv.auc
    return pd.DataFrame(
        {
            "sample": np.repeat(s.names, n_d),
            "drug": np.tile(drugs.index.to_numpy(), n),
            "log10_ic50": log10_ic50.ravel(),
            "ic50_uM": 10.0 ** log10_ic50.ravel(),
            "hill": cv.hill.ravel(),
            "bottom": bottom.ravel(),
            "emax": 1.0 - bottom.ravel(),
            "auc": auc.ravel(),
            "aac": 1.0 - auc.ravel(),
            "screened": np.repeat(screened, n_d),
        }
    )


def _truth(
    p: Params, drugs: pd.DataFrame, s: Samples, fac: Factors, meth: Meth, rna: Rna, prot: Prot,
    cv: Curves, screened: np.ndarray, blocks: pd.DataFrame, cnv: CnvResult,
    mods: dict[str, ad.AnnData], survival: dict[str, Any],
) -> SimulationTruth:  # fmt: skip
    """Assemble the answer key."""
    sidx, fac_names = s.index, fac.names
    return SimulationTruth(
        factors=pd.DataFrame(fac.z, index=sidx, columns=fac_names),
        loadings={
            "rna": pd.DataFrame(rna.loadings, index=rna.genes, columns=fac_names),
            "prot": pd.DataFrame(prot.loadings, index=prot.genes, columns=fac_names),
            "meth": pd.DataFrame(meth.loadings, index=meth.features.index, columns=fac_names),
        },
        factor_activity=fac.activity,
        drug_factor_loadings=pd.DataFrame(cv.d_load, index=drugs.index, columns=fac_names),
        subtype=pd.Series(s.subtype, index=sidx, name="subtype"),
        subtype_centroids=pd.DataFrame(fac.centroids, index=[f"S{k + 1}" for k in range(p.n_subtypes)], columns=fac_names),
        batch=pd.Series(s.batch, index=sidx, name="batch"),
        tissue=pd.Series(s.tissue, index=sidx, name="tissue"),
        flags=s.flags.assign(purity=s.purity),
        curves=_curve_table(drugs, s, cv, screened),
        mechanisms=cv.mech,
        null_pairs=null_pairs(cv.mech, drugs),
        combination_blocks=blocks,
        cnv_events=cnv.focal_events,
        layer_samples={name: list(a.obs_names) for name, a in mods.items()},
        survival=survival,
        params=p.record(),
    )

"""Genome-wide phenotypes planted in a simulated cohort: MSI, POLE, HRD and APOBEC tumours.

:func:`add_genome_phenotypes` gives every tumour of a :func:`simulate_cohort` cohort an
exome-scale set of somatic mutations (30 Mb of callable territory, the default of
:func:`oncoresist.tl.tumour_mutational_burden`) drawn from the synthetic signatures of
:mod:`._sim_signatures`, and allele-specific copy-number segments. A fraction of tumours carries
one genome-wide phenotype, with the burden, signatures and scars of its biology:

- **MSI** (mismatch-repair deficiency): about 30 coding mutations / Mb with SBS6 / SBS15 / SBS26-like
  profiles and about 3 / Mb 1-bp indels at mononucleotide runs (MSIseq: Huang et al. 2015, Sci Rep
  5:13321); a truncating MLH1 / MSH2 / MSH6 call in some, when the gene universe has them.
- **POLE** (exonuclease-domain mutation): ultra-high burden (about 150 / Mb) with SBS10a/b-like
  profiles and few indels (microsatellite stable); POLE P286R when POLE is in the gene universe.
- **HRD**: every BRCA1 / BRCA2-loss tumour of the cohort (``obs['brca_loss']``) plus a share of
  BRCA-wild-type ones; SBS3-like profile and 35-55 large (10-35 Mb) LOH / allelic-imbalance events, which give
  scarHRD sums above 42 (Telli et al. 2016), against 0-4 arm-scale events in other tumours.
- **APOBEC**: SBS2 / SBS13-like C>T / C>G at TpCpW, moderate burden.

Other tumours get SBS1 / SBS5-like clock mutations at 2 / Mb (4 / Mb in lung). Truth: ``obs``
columns ``genome_phenotype``, ``true_tmb`` (expected non-synonymous coding mutations / Mb: planted rate + the cohort's own calls),
``true_tmb_high`` (>= 10), ``true_msi``, ``true_pole``, ``true_hrd``, ``true_apobec``, and
``sim.genome`` (planted exposures, signatures, segments); :meth:`SimulatedCohort.write` writes
``allelic_segments.tsv``, the MAF's ``CONTEXT`` column and the truth under ``genome``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .._core._errors import InputError
from ._sim_biology import DRIVERS
from ._sim_genes import CHROM_LENGTHS, PLANTED_GENES
from ._sim_signatures import (
    indels_with_context,
    random_flanks,
    simulated_signatures,
    snvs_from_channels,
)
from ._sim_variants import _random_changes, _read_counts

__all__ = ["GENOME_PHENOTYPES", "add_genome_phenotypes"]

#: The planted genome-wide phenotypes.
GENOME_PHENOTYPES = ("MSI", "POLE", "HRD", "APOBEC")
#: Default share of tumours per phenotype (HRD: at least every BRCA-loss tumour).
DEFAULT_FRACTIONS = {"MSI": 0.08, "POLE": 0.03, "HRD": 0.10, "APOBEC": 0.10}
#: Callable territory (Mb) of the simulated exomes.
SIM_CALLABLE_MB = 30.0
_TISSUE_WEIGHT = {"MSI": {"colorectal": 4.0}, "POLE": {"colorectal": 2.0}, "HRD": {"breast": 3.0, "ovarian": 4.0},
                  "APOBEC": {"lung": 2.0, "breast": 2.0}}
#: phenotype -> (median non-synonymous SNVs / Mb, log-SD, signature mix)
_SNV = {
    "none": (2.0, 0.6, {"SBS1-like": 0.3, "SBS5-like": 0.7}),
    "MSI": (28.0, 0.35, {"SBS1-like": 0.15, "SBS5-like": 0.15, "SBS6-like": 0.3, "SBS15-like": 0.2, "SBS26-like": 0.2}),
    "POLE": (150.0, 0.3, {"SBS10a-like": 0.5, "SBS10b-like": 0.3, "SBS5-like": 0.1, "SBS1-like": 0.1}),
    "HRD": (3.0, 0.4, {"SBS3-like": 0.6, "SBS5-like": 0.25, "SBS1-like": 0.15}),
    "APOBEC": (6.0, 0.5, {"SBS2-like": 0.35, "SBS13-like": 0.25, "SBS5-like": 0.25, "SBS1-like": 0.15}),
}
#: phenotype -> (median 1-bp indels / Mb, log-SD, share at mononucleotide runs)
_INDEL = {"none": (0.12, 0.4, 0.2), "MSI": (3.5, 0.35, 0.85), "POLE": (0.3, 0.4, 0.2), "HRD": (0.3, 0.4, 0.15),
          "APOBEC": (0.15, 0.4, 0.2)}
_SNV_CLASSES = {"Missense_Mutation": 0.70, "Silent": 0.24, "Nonsense_Mutation": 0.045, "Splice_Site": 0.015}
_NONSYN_SHARE = 1.0 - _SNV_CLASSES["Silent"]
_MMR_GENES = ("MLH1", "MSH2", "MSH6")
_AUTOSOMES = [c for c in CHROM_LENGTHS if c != "X"]


def _check_fractions(fractions: Mapping[str, float] | None) -> dict[str, float]:
    """The phenotype fractions (defaults filled), each in 0..0.5 and summing to at most 0.8."""
    out = dict(DEFAULT_FRACTIONS)
    for key, value in (fractions or {}).items():
        if key not in out:
            raise InputError(f"add_genome_phenotypes: unknown phenotype {key!r} in fractions; use {', '.join(GENOME_PHENOTYPES)}.")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= float(value) <= 0.5:
            raise InputError(f"add_genome_phenotypes: fractions[{key!r}] must be a number in 0..0.5, got {value!r}.")
        out[key] = float(value)
    if sum(out.values()) > 0.8:
        raise InputError(f"add_genome_phenotypes: the fractions sum to {sum(out.values()):.2f}; keep them at most 0.8 in total.")
    return out


def _assign(tissue: np.ndarray, brca: np.ndarray, fractions: dict[str, float], rng: np.random.Generator) -> np.ndarray:
    """One phenotype per tumour (``none`` for most); HRD first (BRCA loss), then the others by tissue weight."""
    n = len(tissue)
    out = np.full(n, "none", dtype=object)
    out[brca] = "HRD"
    for ph in GENOME_PHENOTYPES:
        want = int(round(fractions[ph] * n)) - int((out == ph).sum())
        free = np.flatnonzero(out == "none")
        if want <= 0 or not len(free):
            continue
        w = np.array([_TISSUE_WEIGHT[ph].get(str(t), 1.0) for t in tissue[free]])
        out[rng.choice(free, size=min(want, len(free)), replace=False, p=w / w.sum())] = ph
    return out


def _gene_pool(genes: pd.DataFrame) -> tuple[pd.Index, np.ndarray]:
    """Genes that take background mutations (not the planted / driver genes) and their sampling weights."""
    excluded = set(PLANTED_GENES) | set(DRIVERS) | {"TP53", "CDKN2A", "POLE", *_MMR_GENES}
    pool = genes.index[~genes.index.isin(excluded)]
    length = (genes.loc[pool, "end"] - genes.loc[pool, "start"]).to_numpy(dtype=float)
    return pool, length / length.sum()


def _coding_rows(genes: pd.DataFrame, gene: np.ndarray, vclass: np.ndarray, ref: np.ndarray, alt: np.ndarray,
                 rng: np.random.Generator) -> dict[str, Any]:
    """Positions, protein / cDNA changes of coding variants with given genes, classes and alleles."""
    plen = np.clip(((genes.loc[gene, "end"] - genes.loc[gene, "start"]) / 120).astype(int), 150, 3500).to_numpy()
    short, hgvsp, hgvsc, _, _ = _random_changes(rng, vclass, plen)
    snv = (ref != "-") & (alt != "-")
    hgvsc = np.array([h[:-3] + f"{r}>{a}" if s else h[:h.rindex("del") + 3] + r if a == "-" else h[:h.rindex("dup") + 3] + a
                      for h, r, a, s in zip(hgvsc, ref, alt, snv, strict=True)], dtype=object)
    start = rng.integers(genes.loc[gene, "start"].to_numpy(np.int64), genes.loc[gene, "end"].to_numpy(np.int64))
    end = np.where(ref == "-", start + 1, start)
    vtype = np.where(ref == "-", "INS", np.where(alt == "-", "DEL", "SNP"))
    return {"gene": gene, "chrom": genes.loc[gene, "chrom"].astype(str).to_numpy(), "start": start, "end": end, "ref": ref,
            "alt": alt, "variant_class": vclass, "variant_type": vtype, "protein_change": short, "hgvsp": hgvsp, "hgvsc": hgvsc}


def _burdens(phen: np.ndarray, tissue: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Planted non-synonymous SNVs / Mb, indels / Mb and repeat share per tumour."""
    snv = np.array([_SNV[p][0] * (2.0 if p == "none" and t == "lung" else 1.0) for p, t in zip(phen, tissue, strict=True)])
    snv = snv * np.exp(rng.normal(0.0, [_SNV[p][1] for p in phen]))
    indel = np.array([_INDEL[p][0] for p in phen]) * np.exp(rng.normal(0.0, [_INDEL[p][1] for p in phen]))
    return snv, indel, np.array([_INDEL[p][2] for p in phen])


def _mutations(samples: np.ndarray, phen: np.ndarray, snv_rate: np.ndarray, indel_rate: np.ndarray, repeat_share: np.ndarray,
               genes: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The exome-wide variant rows and the planted SNVs per (sample, signature)."""
    sigs = simulated_signatures()
    n_snv = rng.poisson(snv_rate * SIM_CALLABLE_MB / _NONSYN_SHARE)
    exposures = pd.DataFrame(0, index=pd.Index(samples, name="sample"), columns=sigs.columns, dtype=np.int64)
    chans, owner = [], []
    for i, (p, k) in enumerate(zip(phen, n_snv, strict=True)):
        mix = _SNV[p][2]
        share = rng.dirichlet(40.0 * np.array(list(mix.values())))
        per_sig = rng.multinomial(int(k), share)
        for name, c in zip(mix, per_sig, strict=True):
            exposures.iat[i, sigs.columns.get_loc(name)] = int(c)
            chans.append(rng.choice(96, size=int(c), p=sigs[name].to_numpy()))
        owner.append(np.full(int(k), i))
    channel, who = np.concatenate([*chans, np.zeros(0, int)]).astype(np.int64), np.concatenate([*owner, np.zeros(0, int)])
    ref, alt, ctx = snvs_from_channels(channel, rng)
    classes = np.array(list(_SNV_CLASSES))
    vclass = classes[rng.choice(len(classes), size=len(channel), p=np.array(list(_SNV_CLASSES.values())))]
    n_indel = rng.poisson(indel_rate * SIM_CALLABLE_MB)
    iwho = np.repeat(np.arange(len(samples)), n_indel)
    ins = rng.random(len(iwho)) < 0.4
    iref, ialt, ictx = indels_with_context(ins, rng.random(len(iwho)) < repeat_share[iwho], rng)
    pool, weight = _gene_pool(genes)
    gene = pool.to_numpy()[rng.choice(len(pool), size=len(who) + len(iwho), p=weight)]
    rows = _coding_rows(genes, gene, np.r_[vclass, np.where(ins, "Frame_Shift_Ins", "Frame_Shift_Del")],
                        np.r_[ref, iref], np.r_[alt, ialt], rng)
    df = pd.DataFrame({"sample": samples[np.r_[who, iwho]], **rows, "role": "genome", "context": np.r_[ctx, ictx]})
    return df, exposures


def _add_context(variants: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """``variants`` with a reference ``context`` (5 random bases each side of the reference allele)."""
    left, right = random_flanks(rng, len(variants))
    ref = variants["ref"].astype(str).replace({"-": ""}).to_numpy(dtype=object)
    return variants.assign(context=left + ref + right)


def _driver_calls(samples: np.ndarray, phen: np.ndarray, genes: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """POLE P286R in POLE tumours and a truncating MMR-gene call in half the MSI tumours (genes in the universe)."""
    rows = []
    for i in np.flatnonzero(phen == "POLE") if "POLE" in genes.index else []:
        rows.append((samples[i], "POLE", "Missense_Mutation", "G", "C", "p.P286R", "p.Pro286Arg"))
    mmr = [g for g in _MMR_GENES if g in genes.index]
    for i in np.flatnonzero(phen == "MSI") if mmr else []:
        if rng.random() < 0.5:
            rows.append((samples[i], str(rng.choice(mmr)), "Nonsense_Mutation", "C", "T", "", ""))
    if not rows:
        return pd.DataFrame()
    s, g, vc, ref, alt, short, hgvsp = (np.array(c, dtype=object) for c in zip(*rows, strict=True))
    out = pd.DataFrame({"sample": s, **_coding_rows(genes, g, vc, ref, alt, rng), "role": "driver"})
    keep = short != ""
    out.loc[keep, "protein_change"], out.loc[keep, "hgvsp"] = short[keep], hgvsp[keep]
    left, right = random_flanks(rng, len(out))
    return out.assign(context=left + out["ref"].to_numpy(dtype=object) + right)


def _paint(cuts: list[int], states: list[tuple[int, int]], start: int, end: int, state: tuple[int, int]) -> None:
    """Give bases ``start..end`` (1-based, inclusive) of a chromosome ``state``; ``cuts[k]`` starts piece ``k``."""
    for pos in (start, end + 1):
        k = int(np.searchsorted(cuts, pos, side="right")) - 1
        if cuts[k] != pos:
            cuts.insert(k + 1, pos)
            states.insert(k + 1, states[k])
    for k, c in enumerate(cuts[:-1]):
        if start <= c <= end:
            states[k] = state


def _sample_segments(hrd: bool, rng: np.random.Generator) -> list[tuple[str, int, int, int, int]]:
    """Allele-specific segments of one tumour: (chrom, start, end, major, minor)."""
    length = np.array([CHROM_LENGTHS[c] for c in _AUTOSOMES], dtype=float)
    chroms: dict[str, tuple[list[int], list[tuple[int, int]]]] = {c: ([1, CHROM_LENGTHS[c] + 1], [(1, 1)]) for c in _AUTOSOMES}
    n_events = int(rng.integers(35, 56)) if hrd else int(rng.integers(0, 5))
    states = [(1, 0), (2, 0), (2, 1), (3, 1)]
    p_state = [0.45, 0.15, 0.3, 0.1] if hrd else [0.3, 0.3, 0.4, 0.0]
    for _ in range(n_events):
        c = _AUTOSOMES[int(rng.choice(len(_AUTOSOMES), p=length / length.sum()))]
        size = CHROM_LENGTHS[c]
        span = min(int(rng.uniform(10e6, 35e6)) if hrd else int(size * rng.uniform(0.3, 0.45)), size - 2)
        where = rng.random()  # arm-scale events reach a telomere; a third of HRD events do, the rest are interstitial
        telomeric = not hrd or where < 1 / 3
        first = (1 if where < 1 / 6 or (not hrd and where < 0.5) else size - span + 1) if telomeric else int(rng.integers(1, size - span))
        _paint(*chroms[c], first, first + span - 1, states[int(rng.choice(4, p=p_state))])
    out: list[tuple[str, int, int, int, int]] = []
    for c, (cuts, st) in chroms.items():
        out.extend((c, cuts[k], cuts[k + 1] - 1, st[k][0], st[k][1]) for k in range(len(st)))
    return out


def _allelic_segments(samples: np.ndarray, hrd: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """The cohort's allele-specific segments (``sample, chrom, start, end, total_cn, major_cn, minor_cn, ploidy``)."""
    frames = []
    for s, h in zip(samples, hrd, strict=True):
        seg = pd.DataFrame(_sample_segments(bool(h), rng), columns=["chrom", "start", "end", "major_cn", "minor_cn"])
        seg.insert(0, "sample", s)
        seg.insert(4, "total_cn", seg["major_cn"] + seg["minor_cn"])
        width = (seg["end"] - seg["start"] + 1).to_numpy(dtype=float)
        seg["ploidy"] = round(float(np.average(seg["total_cn"], weights=width)), 3)
        frames.append(seg)
    return pd.concat(frames, ignore_index=True)


def _rebuild_mut(sim: Any, variants: pd.DataFrame) -> None:
    """Replace the cohort's variant table and its ``mut`` modality (obs and other modalities kept)."""
    import mudata as md

    from ._simulate import _mut_modality

    obs, uns, obsm = sim.mdata.obs.copy(), dict(sim.mdata.uns), dict(sim.mdata.obsm)
    mods = dict(sim.mdata.mod)
    mods["mut"] = _mut_modality(sim.genes, pd.Index(sim.clinical.index), variants)
    with warnings.catch_warnings():  # mudata's notes on shared var names
        warnings.simplefilter("ignore")
        new = md.MuData(mods)
    new.obs = obs.reindex(new.obs_names)
    new.uns.update(uns)
    for k, v in obsm.items():
        if k not in new.obsm:
            new.obsm[k] = v
    sim.mdata, sim.variants = new, variants


def add_genome_phenotypes(sim: Any, *, fractions: Mapping[str, float] | None = None, background: bool = True,
                          random_state: int = 0) -> pd.DataFrame:
    """Plant exome-wide mutations, signatures and copy-number scars with MSI / POLE / HRD / APOBEC tumours.

    See the module docstring (:mod:`oncoresist.ds._sim_genome`) for the phenotypes and their
    burdens. Changes ``sim`` in place: ``sim.variants`` (and the ``mut`` modality) gain the
    exome-wide calls (``role = "genome"``) and a reference ``context`` column for every call,
    ``sim.mdata.obs`` the truth columns, ``sim.genome`` the answer key and the segments.

    Parameters
    ----------
    sim
        A :class:`SimulatedCohort` (:func:`simulate_cohort`), not yet given genome phenotypes.
    fractions
        Share of tumours per phenotype (``MSI``, ``POLE``, ``HRD``, ``APOBEC``; defaults
        :data:`DEFAULT_FRACTIONS`). HRD always includes every BRCA-loss tumour.
    background
        Give every tumour exome-wide calls (``False``: only the MSI, POLE and APOBEC tumours do; HRD
        tumours keep their copy-number scars; this keeps the cohort small, e.g. for the demo).
    random_state
        Seed (combined with the cohort's seed).

    Returns
    -------
    pandas.DataFrame
        The truth per sample: ``genome_phenotype, true_tmb, true_tmb_high, true_msi, true_pole,
        true_hrd, true_apobec, true_repeat_indels_per_mb`` (also ``sim.genome['truth']``).

    Raises
    ------
    InputError
        Unknown phenotypes or fractions out of range, or a cohort that already has them.

    Examples
    --------
    >>> from oncoresist.ds import simulate_cohort
    >>> sim = simulate_cohort(40, n_genes=200)
    >>> truth = add_genome_phenotypes(sim)
    >>> int(truth["true_msi"].sum()) >= 1, "context" in sim.variants.columns
    (True, True)
    """
    frac = _check_fractions(fractions)
    if not isinstance(background, bool):
        raise InputError(f"add_genome_phenotypes: background must be True or False, got {background!r}.")
    if getattr(sim, "genome", None):
        raise InputError("add_genome_phenotypes: this cohort already has genome phenotypes; simulate a new cohort.")
    rng = np.random.default_rng([int(sim.truth.params.get("seed", 0)), int(random_state), 15])
    samples = np.asarray(sim.clinical.index, dtype=object)
    tissue = sim.clinical["tissue"].astype(str).to_numpy()
    brca = sim.truth.flags["brca_loss"].reindex(samples).fillna(False).to_numpy(dtype=bool)
    phen = _assign(tissue, brca, frac, rng)
    snv_rate, indel_rate, share = _burdens(phen, tissue, rng)
    if not background:  # only the hypermutators (MSI, POLE, APOBEC) get exome-wide calls; HRD keeps its scars
        quiet = (phen == "none") | (phen == "HRD")
        snv_rate[quiet], indel_rate[quiet] = 0.0, 0.0
    coding = sim.variants.loc[sim.variants["variant_class"] != "Silent", "sample"].value_counts()
    true_tmb = snv_rate + indel_rate + coding.reindex(samples, fill_value=0).to_numpy(dtype=float) / SIM_CALLABLE_MB
    new, exposures = _mutations(samples, phen, snv_rate, indel_rate, share, sim.genes, rng)
    drivers = _driver_calls(samples, phen, sim.genes, rng)
    new = pd.concat([new, drivers], ignore_index=True) if len(drivers) else new
    _read_counts(new, list(samples), sim.truth.flags["purity"].reindex(samples).to_numpy(dtype=float), np.ones(len(new)), rng)
    old = _add_context(sim.variants, rng)
    order = {c: i for i, c in enumerate(CHROM_LENGTHS)}
    variants = pd.concat([old, new[old.columns]], ignore_index=True)
    variants = variants.assign(_o=variants["sample"].map({s: i for i, s in enumerate(samples)}), _c=variants["chrom"].map(order))
    variants = variants.sort_values(["_o", "_c", "start"], kind="stable").drop(columns=["_o", "_c"]).reset_index(drop=True)
    truth = pd.DataFrame({"genome_phenotype": phen, "true_tmb": true_tmb, "true_tmb_high": true_tmb >= 10.0,
                          "true_msi": phen == "MSI", "true_pole": phen == "POLE", "true_hrd": phen == "HRD",
                          "true_apobec": phen == "APOBEC", "true_repeat_indels_per_mb": indel_rate * share}, index=pd.Index(samples))
    _rebuild_mut(sim, variants)
    for col in truth.columns:
        sim.mdata.obs[col] = truth[col].reindex(sim.mdata.obs_names).to_numpy()
    sim.genome = {"truth": truth, "exposures": exposures, "signatures": simulated_signatures(),
                  "allelic_segments": _allelic_segments(samples, phen == "HRD", rng),
                  "params": {"fractions": frac, "background": background, "callable_mb": SIM_CALLABLE_MB,
                             "random_state": int(random_state)}}
    return truth


"""Simulated clonal evolution under therapy: serial biopsies' read counts and plasma ctDNA panels.

A founder clone carries the truncal driver; a sensitive subclone grows from it; under therapy
the sensitive cells shrink and a resistant subclone carrying a known resistance mutation (from
the curated KB) appears on a given day and expands. Tissue samples at every time point give
PyClone-VI read counts; plasma draws give a ctDNA panel (patient, day, gene, mutation, VAF %).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._core._errors import InputError
from .._core._utils import atomic_write_text, write_csv

__all__ = ["EVOLUTION_THERAPIES", "EvolutionTruth", "add_evolution", "simulate_evolution"]

#: Therapy -> (truncal driver, subclonal passenger driver, resistance mutation): all in the curated KB.
EVOLUTION_THERAPIES: dict[str, tuple[str, str, str]] = {
    "osimertinib": ("EGFR L858R", "TP53 R273H", "EGFR C797S"),
    "gefitinib": ("EGFR L858R", "TP53 R273H", "EGFR T790M"),
    "erlotinib": ("EGFR L858R", "TP53 R273H", "EGFR T790M"),
    "ibrutinib": ("TP53 R248Q", "SF3B1 K700E", "BTK C481S"),
}


@dataclass
class EvolutionTruth:
    """Ground truth of :func:`simulate_evolution`.

    Attributes
    ----------
    labels, ccf, parents, multiplicity
        As in :class:`ClonalTruth`: clone per mutation, clones x time points (``D<day>``) CCFs,
        parent per clone (-1 for the founder, clone 0) and mutant copies per mutation.
    resistant_clone
        The clone carrying the resistance mutation.
    resistance_mutation
        Its label (``"EGFR C797S"``).
    emergence_day
        The day the resistant clone appears (its first cell).
    therapy
        The drug given from day 0.
    drivers
        Named mutation (``"EGFR L858R"``) -> its clone.
    """

    labels: pd.Series
    ccf: pd.DataFrame
    parents: pd.Series
    multiplicity: pd.Series
    resistant_clone: int
    resistance_mutation: str
    emergence_day: float
    therapy: str
    drivers: dict[str, int]


def _populations(days: np.ndarray, emergence_day: float, kill: float, growth: float) -> np.ndarray:
    """Exclusive cells of founder-only, sensitive, late sensitive and resistant clones at each day."""
    t = days.astype(float)
    shrink = np.exp(-kill * np.clip(t, 0, None))
    resistant = np.where(t >= emergence_day, 1e-3 * np.exp(growth * (t - emergence_day)), 0.0)
    return np.vstack([0.25 * shrink, 0.45 * shrink, 0.30 * shrink, resistant])


def _ccf(pops: np.ndarray, parents: np.ndarray) -> np.ndarray:
    """Clone CCFs: cells of the clone's subtree over all tumour cells."""
    sub = pops.copy()
    for c in range(len(parents) - 1, 0, -1):
        sub[parents[c]] += sub[c]
    return sub / sub[0]


def _reads(ccf: np.ndarray, lab: np.ndarray, rng: np.random.Generator, depth: float, purity: float) -> tuple[np.ndarray, ...]:
    """Copy-number states, multiplicities, depths and alt reads of every mutation at every time point."""
    n = len(lab)
    major = rng.choice([1, 2], n)
    minor = np.ones(n, dtype=int)
    mult = rng.integers(1, major + 1)
    denom = purity * (major + minor) + (1 - purity) * 2
    vaf = purity * mult[:, None] * ccf[lab] / denom[:, None]
    d = rng.poisson(depth, vaf.shape)
    return major, minor, mult, d, rng.binomial(d, vaf)


def _plasma(ccf: np.ndarray, pops: np.ndarray, drivers: dict[str, int], days: np.ndarray, rng: np.random.Generator,
            patient: str, tumour_fraction: float, plasma_depth: int) -> pd.DataFrame:
    """Plasma panel: heterozygous driver VAF = tumour fraction(t) x CCF / 2, binomial at ``plasma_depth``."""
    burden = pops.sum(axis=0) / pops[:, 0].sum()
    tf = tumour_fraction * burden / (1 + tumour_fraction * (burden - 1))
    rows = []
    for label, clone in drivers.items():
        alt = rng.binomial(plasma_depth, np.clip(tf * ccf[clone] / 2, 0, 1))
        rows += [(patient, int(d), label.split()[0], label, round(100 * a / plasma_depth, 3)) for d, a in zip(days, alt, strict=True)]
    return pd.DataFrame(rows, columns=["patient", "day", "gene", "mutation", "vaf"])


def _check(therapy: str, days: np.ndarray, emergence_day: float, n_mutations: int, purity: float) -> None:
    """Reject an unknown therapy, unsorted days, an emergence outside the grid and a bad purity."""
    if therapy not in EVOLUTION_THERAPIES:
        msg = f"simulate_evolution: therapy {therapy!r} has no planted resistance; choose one of {sorted(EVOLUTION_THERAPIES)}."
        raise InputError(msg)
    if len(days) < 3 or days[0] != 0 or (np.diff(days) <= 0).any():
        msg = f"simulate_evolution: days must start at 0 and increase, with >= 3 time points (got {days.tolist()})."
        raise InputError(msg)
    if not 0 < emergence_day < days[-1] or not 0 < purity <= 1 or n_mutations < 8:
        msg = (f"simulate_evolution: need 0 < emergence_day < last day ({days[-1]}), 0 < purity <= 1 and "
               f"n_mutations >= 8 (got {emergence_day}, {purity}, {n_mutations}).")
        raise InputError(msg)


def simulate_evolution(n_mutations: int = 160, *, therapy: str = "osimertinib", days: tuple[float, ...] = (0, 60, 120, 180, 240, 300),
                       emergence_day: float = 100.0, kill: float = 0.02, growth: float = 0.06, depth: float = 300.0,
                       purity: float = 0.7, tumour_fraction: float = 0.05, plasma_depth: int = 5000,
                       patient: str = "P1", random_state: int | None = 0) -> tuple[pd.DataFrame, pd.DataFrame, EvolutionTruth]:
    """Simulate one patient's clonal evolution under therapy: serial biopsies and plasma ctDNA.

    Four clones: the founder 0 (truncal driver), sensitive subclone 1 (a second driver) and its
    child 2, and the resistant clone 3 (child of 1) carrying the therapy's resistance mutation
    (:data:`EVOLUTION_THERAPIES`, all recognised by the curated KB). Sensitive cells shrink as
    ``exp(-kill * day)`` from day 0; the resistant clone appears on ``emergence_day`` and grows
    as ``exp(growth * (day - emergence_day))``, so it takes over the tumour.

    Parameters
    ----------
    n_mutations
        Mutations (the named drivers are the first three).
    therapy
        Drug given from day 0 (a key of :data:`EVOLUTION_THERAPIES`).
    days
        Sampling days (tissue and plasma), starting at 0.
    emergence_day
        Day the resistant clone appears (strictly inside the grid).
    kill, growth
        Daily death rate of sensitive cells and growth rate of resistant ones.
    depth, purity
        Mean tissue read depth and tumour content of every biopsy.
    tumour_fraction, plasma_depth
        Plasma tumour fraction at day 0 and plasma panel depth.
    patient
        Patient ID of the ctDNA rows.
    random_state
        Seed.

    Returns
    -------
    tuple
        The tidy read-count table (columns of :func:`oncoresist.io.read_pyclone`, samples
        ``D<day>`` in time order), the ctDNA panel (``patient``, ``day``, ``gene``, ``mutation``,
        ``vaf`` in percent: the layout :func:`oncoresist.io.read_ctdna` reads) and an
        :class:`EvolutionTruth`.

    Examples
    --------
    >>> reads, plasma, truth = simulate_evolution(40, random_state=1)
    >>> truth.resistance_mutation, truth.parents.tolist(), reads["sample_id"].unique().tolist()[:2]
    ('EGFR C797S', [-1, 0, 1, 1], ['D0', 'D60'])
    """
    grid = np.asarray(days, dtype=float)
    _check(therapy, grid, emergence_day, n_mutations, purity)
    rng = np.random.default_rng(random_state)
    parents = np.array([-1, 0, 1, 1])
    pops = _populations(grid, emergence_day, kill, growth)
    ccf = _ccf(pops, parents)
    lab = np.concatenate([[0, 1, 3], rng.integers(0, 4, n_mutations - 3)])
    lab[3:7] = [0, 1, 2, 3]
    major, minor, mult, d, alt = _reads(ccf, lab, rng, depth, purity)
    truncal, second, resist = EVOLUTION_THERAPIES[therapy]
    ids = np.array([truncal, second, resist] + [f"m{i}" for i in range(3, n_mutations)])
    samples = [f"D{int(x)}" for x in grid]
    k = len(samples)
    reads = pd.DataFrame({
        "mutation_id": np.repeat(ids, k), "sample_id": np.tile(samples, n_mutations),
        "ref_counts": (d - alt).ravel(), "alt_counts": alt.ravel(), "normal_cn": 2,
        "major_cn": np.repeat(major, k), "minor_cn": np.repeat(minor, k), "tumour_content": purity,
    })
    drivers = {truncal: 0, second: 1, resist: 3}
    plasma = _plasma(ccf, pops, drivers, grid, rng, patient, tumour_fraction, plasma_depth)
    truth = EvolutionTruth(pd.Series(lab, index=pd.Index(ids, name="mutation_id"), name="clone"),
                           pd.DataFrame(ccf, columns=samples).rename_axis("clone"),
                           pd.Series(parents, name="parent").rename_axis("clone"), pd.Series(mult, index=ids, name="multiplicity"),
                           3, resist, float(emergence_day), therapy, drivers)
    return reads, plasma, truth


def add_evolution(sim: Any, n_patients: int = 2, *, therapies: tuple[str, ...] = ("osimertinib", "ibrutinib"),
                  random_state: int | None = 0) -> dict[str, tuple[pd.DataFrame, pd.DataFrame, EvolutionTruth]]:
    """Give the first ``n_patients`` samples of a simulated cohort serial biopsies and plasma ctDNA.

    Each patient gets :func:`simulate_evolution` under a therapy taken in turn from ``therapies``;
    the result is stored in ``sim.evolution`` (patient -> reads, plasma, truth) and
    :meth:`SimulatedCohort.write` then writes ``ctdna.csv``, ``clonal_<patient>.tsv``, the study
    file's ``[ctdna]`` and ``[clonal.<patient>]`` tables and the truth under ``evolution``.

    Parameters
    ----------
    sim
        A :class:`SimulatedCohort`.
    n_patients
        Patients given an evolution (at most the cohort size).
    therapies
        Therapies (keys of :data:`EVOLUTION_THERAPIES`), cycled over the patients.
    random_state
        Seed (patient ``i`` uses ``random_state + i``).

    Returns
    -------
    dict
        ``sim.evolution``.

    Examples
    --------
    >>> from oncoresist.ds import simulate_cohort
    >>> sim = simulate_cohort(20, n_genes=200)
    >>> sorted(add_evolution(sim, 1))
    ['SIM-0001']
    """
    ids = list(sim.clinical.index)
    if not 0 <= n_patients <= len(ids) or not therapies:
        msg = f"add_evolution: n_patients must be in 0..{len(ids)} (the cohort size) and therapies non-empty (got {n_patients}, {therapies})."
        raise InputError(msg)
    seed = 0 if random_state is None else random_state
    sim.evolution = {str(p): simulate_evolution(therapy=therapies[i % len(therapies)], patient=str(p), random_state=seed + i)
                     for i, p in enumerate(ids[:n_patients])}
    return sim.evolution


def write_evolution(evolution: dict[str, tuple[pd.DataFrame, pd.DataFrame, EvolutionTruth]], out: Path) -> tuple[str, dict[str, Any]]:
    """Write ``ctdna.csv`` and ``clonal_<patient>.tsv`` into ``out``; return the study-file tables and the truth."""
    if not evolution:
        return "", {}
    write_csv(pd.concat([v[1] for v in evolution.values()], ignore_index=True), out / "ctdna.csv")
    toml = ['\n[ctdna]\nfile = "ctdna.csv"\n']
    truth: dict[str, Any] = {}
    for patient, (reads, _, t) in evolution.items():
        name = f"clonal_{patient}.tsv"
        atomic_write_text(out / name, reads.to_csv(sep="\t", index=False))
        times = ", ".join(f'"{s}"' for s in t.ccf.columns)
        toml.append(f'\n[clonal."{patient}"]\nfile = "{name}"\ntimes = [{times}]\n')
        truth[patient] = {"therapy": t.therapy, "resistance_mutation": t.resistance_mutation, "resistant_clone": t.resistant_clone,
                          "emergence_day": t.emergence_day, "parents": t.parents.tolist(), "drivers": t.drivers,
                          "labels": t.labels.to_dict(), "ccf": t.ccf.round(6).to_dict(orient="index")}
    return "".join(toml), truth

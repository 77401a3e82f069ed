"""Omics layers of the simulated cohort: copy-number segments, methylation, RNA, protein.

Pure functions on numpy arrays / small frames; the orchestration is in :mod:`._simulate`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from ._sim_biology import FOCAL_CNV, MECH_OMICS
from ._sim_genes import CHROM_LENGTHS, PLANTED_GENES


# --------------------------------------------------------------------------------------------
# copy number
# --------------------------------------------------------------------------------------------
@dataclass
class CnvResult:
    """Segments (long table) and the gene-level log2 ratio matrix (samples x genes)."""

    segments: pd.DataFrame
    gene_log2: np.ndarray
    focal_events: pd.DataFrame


def _freq(table: dict[str, float], tissue: str) -> float:
    return table.get(tissue, table.get("_", 0.0))


def simulate_cnv(
    samples: list[str],
    tissues: np.ndarray,
    genes: pd.DataFrame,
    flags: pd.DataFrame,
    rng: np.random.Generator,
    *,
    noise: float,
) -> CnvResult:
    """Simulate per-sample copy-number segments and map them to genes (midpoint rule).

    Background: arm-level gains / losses (probability driven by a per-sample instability
    score) and a few random focal events; planted: MET amplification (``met_amp``), BRCA1/2
    homozygous deletion (``brca_deep_del``), a shallow loss (LOH) over the BRCA gene of
    truncating-mutation carriers, and tissue-typical focal drivers (:data:`FOCAL_CNV`).
    Segment means carry a small measurement noise (``0.03 * noise``) as a segmentation
    algorithm would report; the gene-level value is the reported mean of the segment holding the
    gene's midpoint (what a segment-to-gene reader recovers).
    """
    n = len(samples)
    chroms = list(CHROM_LENGTHS)
    instability = rng.gamma(2.0, 0.5, size=n)  # mean 1
    planned, focal_rows = _planned_events(samples, tissues, genes, flags, rng)
    gene_chrom = genes["chrom"].to_numpy()
    gene_log2 = np.zeros((n, len(genes)))
    gene_mid = ((genes["start"].to_numpy() + genes["end"].to_numpy()) // 2).astype(np.int64)
    gene_idx_by_chrom = {c: np.flatnonzero(gene_chrom == c) for c in chroms}
    n_c = len(chroms)
    p_arm = np.minimum(0.6, 0.12 * instability)
    arm_hit = rng.random((n, n_c, 2)) < p_arm[:, None, None]
    arm_gain = rng.random((n, n_c, 2)) < 0.5
    arm_val = np.where(arm_gain, rng.uniform(0.3, 0.6, (n, n_c, 2)), -rng.uniform(0.35, 0.7, (n, n_c, 2)))
    n_focal = rng.poisson(0.08 * instability[:, None], size=(n, n_c))
    any_arm = arm_hit.any(axis=2)
    flat_noise = np.round(rng.normal(0, 0.03 * noise, size=(n, n_c)), 4)
    planned_by: dict[tuple[int, str], list[tuple[int, int, float]]] = {}
    for i in range(n):
        for cc, s_, e_, v_, _ in planned[i]:
            planned_by.setdefault((i, cc), []).append((s_, e_, v_))
    # flat chromosomes (no event): one segment each, vectorised
    chrom_pos = {c: k for k, c in enumerate(chroms)}
    gene_ci = np.array([chrom_pos[c] for c in gene_chrom], dtype=int)
    gene_log2[:] = flat_noise[:, gene_ci]
    eventful = any_arm | (n_focal > 0)
    for i, c in planned_by:
        eventful[i, chrom_pos[c]] = True
    segs: tuple[list[int], list[int], list[int], list[int], list[float]] = ([], [], [], [], [])
    for i, ci in zip(*np.nonzero(eventful)):
        c = chroms[ci]
        length = CHROM_LENGTHS[c]
        gi = gene_idx_by_chrom[c]
        events = _chrom_events(arm_hit[i, ci], arm_val[i, ci], int(n_focal[i, ci]), length, rng)
        events.extend(planned_by.get((i, c), []))
        m_starts, m_ends, m_vals = _paint_segments(events, length, rng, noise=noise)
        if len(gi):
            pos = np.searchsorted(m_starts, gene_mid[gi], side="right") - 1
            gene_log2[i, gi] = m_vals[pos]
        for acc, vals in zip(segs, ([int(i)] * len(m_vals), [int(ci)] * len(m_vals), m_starts.tolist(), m_ends.tolist(), m_vals.tolist())):
            cast("list[Any]", acc).extend(vals)
    segments = _segment_table(samples, chroms, segs, eventful, flat_noise, rng)
    focal = pd.DataFrame(focal_rows, columns=["sample", "gene", "event", "chrom", "start", "end", "log2"])
    return CnvResult(segments=segments, gene_log2=gene_log2, focal_events=focal)


def _planned_events(
    samples: list[str], tissues: np.ndarray, genes: pd.DataFrame, flags: pd.DataFrame, rng: np.random.Generator
) -> tuple[list[list[tuple[str, int, int, float, str]]], list[tuple]]:
    """Planned focal events per sample (tissue drivers, MET amplification, BRCA deletion / LOH)."""
    n = len(samples)
    focal_rows = []
    # planned focal events per sample: list of (chrom, start, end, value, label)
    planned: list[list[tuple[str, int, int, float, str]]] = [[] for _ in range(n)]

    def _gene_event(i: int, gene: str, lo: float, hi: float, label: str, *, flank: tuple[float, float]) -> None:
        gi = gene_pos[gene]
        c, s, e = gene_chrom[gi], gene_start[gi], gene_end[gi]
        left = int(rng.uniform(*flank))
        right = int(rng.uniform(*flank))
        val = float(rng.uniform(lo, hi))
        start, end = max(1, int(s) - left), min(CHROM_LENGTHS[c], int(e) + right)
        planned[i].append((c, start, end, val, label))
        focal_rows.append((samples[i], gene, label, c, start, end, val))

    gene_pos = {g: i for i, g in enumerate(genes.index)}
    gene_chrom = genes["chrom"].to_numpy()
    gene_start = genes["start"].to_numpy()
    gene_end = genes["end"].to_numpy()
    met_lo, met_hi = MECH_OMICS["met_amp_log2"]
    del_lo, del_hi = MECH_OMICS["brca_deep_del_log2"]
    met_amp = flags["met_amp"].to_numpy()
    brca_gene = flags["brca_gene"].to_numpy()
    brca_loss = flags["brca_loss"].to_numpy()
    brca_deep = flags["brca_deep_del"].to_numpy()
    for i in range(n):
        t = tissues[i]
        for gene, (freq, (lo, hi)) in FOCAL_CNV.items():
            if gene in genes.index and rng.random() < _freq(freq, t):
                _gene_event(i, gene, lo, hi, "amplification" if lo > 0 else "deep_deletion", flank=(2e5, 3e6))
        if met_amp[i]:
            _gene_event(i, "MET", met_lo, met_hi, "amplification", flank=(3e5, 4e6))
        gene = brca_gene[i]
        if brca_loss[i]:
            if brca_deep[i]:
                _gene_event(i, gene, del_lo, del_hi, "deep_deletion", flank=(1e5, 1.5e6))
            else:  # loss of the wild-type allele (LOH) accompanies the truncating mutation
                _gene_event(i, gene, -0.55, -0.35, "shallow_deletion", flank=(3e6, 2e7))
    return planned, focal_rows


def _chrom_events(
    arm_hit: np.ndarray, arm_val: np.ndarray, n_focal: int, length: int, rng: np.random.Generator
) -> list[tuple[int, int, float]]:
    """Arm-level events and random focal events of one chromosome of one sample."""
    cen = length // 2
    events: list[tuple[int, int, float]] = []
    for k, (a, b) in enumerate(((1, cen), (cen + 1, length))):
        if arm_hit[k]:
            events.append((a, b, float(arm_val[k])))
    for _ in range(n_focal):
        w = int(rng.uniform(1e6, 1.5e7))
        a = int(rng.uniform(1, max(2, length - w)))
        val = rng.uniform(0.4, 1.0) if rng.random() < 0.5 else -rng.uniform(0.4, 1.0)
        events.append((a, a + w, float(val)))
    return events


def _paint_segments(
    events: list[tuple[int, int, float]], length: int, rng: np.random.Generator, *, noise: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Segments (starts, ends, noisy means) of one chromosome; later events paint over earlier."""
    # elementary intervals between all event boundaries
    bounds = sorted({1, length + 1, *(s_ for s_, _, _ in events), *(e_ + 1 for _, e_, _ in events)})
    m_starts_l: list[int] = []
    m_vals_l: list[float] = []
    for a, b in zip(bounds[:-1], bounds[1:]):
        v = 0.0
        for s_, e_, v_ in events:
            if s_ <= a and b - 1 <= e_:
                v = v_
        if not m_vals_l or v != m_vals_l[-1]:  # merge neighbours with the same value
            m_starts_l.append(a)
            m_vals_l.append(v)
    m_starts = np.asarray(m_starts_l, dtype=np.int64)
    m_ends = np.append(m_starts[1:] - 1, length)
    m_vals = np.round(np.asarray(m_vals_l) + rng.normal(0, 0.03 * noise, size=len(m_vals_l)), 4)
    return m_starts, m_ends, m_vals


def _segment_table(
    samples: list[str], chroms: list[str], segs: tuple[list[int], list[int], list[int], list[int], list[float]],
    eventful: np.ndarray, flat_noise: np.ndarray, rng: np.random.Generator,
) -> pd.DataFrame:  # fmt: skip
    """Segments of eventful chromosomes plus one per flat chromosome, sorted, with marker counts."""
    seg_i, seg_ci, seg_start, seg_end, seg_val = segs
    flat_i, flat_ci = np.nonzero(~eventful)
    lengths = np.array([CHROM_LENGTHS[c] for c in chroms], dtype=np.int64)
    all_i = np.concatenate([np.asarray(seg_i, dtype=int), flat_i])
    all_ci = np.concatenate([np.asarray(seg_ci, dtype=int), flat_ci])
    starts = np.concatenate([np.asarray(seg_start, dtype=np.int64), np.ones(len(flat_i), dtype=np.int64)])
    ends = np.concatenate([np.asarray(seg_end, dtype=np.int64), lengths[flat_ci]])
    vals = np.concatenate([np.asarray(seg_val, dtype=float), flat_noise[flat_i, flat_ci]])
    order = np.lexsort((starts, all_ci, all_i))
    all_i, all_ci, starts, ends, vals = all_i[order], all_ci[order], starts[order], ends[order], vals[order]
    seg_sample = list(np.asarray(samples, dtype=object)[all_i])
    seg_chrom = list(np.asarray(chroms, dtype=object)[all_ci])
    n_mark = np.maximum(3, ((ends - starts) / 25_000).astype(np.int64) + rng.integers(0, 5, size=len(starts)))
    return pd.DataFrame(
        {
            "ID": seg_sample,
            "chrom": seg_chrom,
            "loc.start": starts,
            "loc.end": ends,
            "num.mark": n_mark,
            "seg.mean": vals,
        }
    )


# --------------------------------------------------------------------------------------------
# methylation features
# --------------------------------------------------------------------------------------------
#: Real Illumina 450k probe IDs of the MGMT promoter (the two probes of the MGMT-STP27 model).
MGMT_PROBES = ("cg12434587", "cg12981137")


def meth_features(genes: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Promoter CpG probes: 3 for MGMT and ABCB1, 1-2 for about 60% of the other genes.

    Returns a table indexed by probe ID (``cg`` + 8 digits) with ``gene, chrom, pos``.
    """
    rows = []
    used: set[str] = set(MGMT_PROBES)

    def new_id() -> str:
        while True:
            pid = f"cg{int(rng.integers(0, 10**8)):08d}"
            if pid not in used:
                used.add(pid)
                return pid

    chrom_a, start_a, end_a, strand_a = (genes[c].to_numpy() for c in ("chrom", "start", "end", "strand"))
    for gi, g in enumerate(genes.index):
        if g == "MGMT":
            ids = [*MGMT_PROBES, new_id()]
        elif g == "ABCB1":
            ids = [new_id() for _ in range(3)]
        elif rng.random() < 0.6:
            ids = [new_id() for _ in range(int(rng.integers(1, 3)))]
        else:
            continue
        c, s, e, strand = chrom_a[gi], start_a[gi], end_a[gi], strand_a[gi]
        tss = int(s) if strand == "+" else int(e)
        for k, pid in enumerate(ids):
            rows.append((pid, g, c, tss + (-1 if strand == "+" else 1) * (150 + 90 * k)))
    feat = pd.DataFrame(rows, columns=["probe", "gene", "chrom", "pos"]).set_index("probe")
    feat.index.name = None
    return feat


def expit2(m: np.ndarray) -> np.ndarray:
    """Beta value from an M-value (log2 ratio methylated / unmethylated)."""
    return 1.0 / (1.0 + np.exp2(-m))


def planted_gene_mask(index: pd.Index) -> np.ndarray:
    """True for features of the planted genes (kept free of factor loadings)."""
    return np.asarray(index.isin(PLANTED_GENES))

"""Omics layers of the simulated cohort: copy-number segments, methylation, RNA, protein.

Pure functions on numpy arrays / small frames; the orchestration is in :mod:`._simulate`.
"""

from __future__ import annotations

from dataclasses import dataclass

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

    seg_sample, seg_chrom, seg_start, seg_end, seg_val = [], [], [], [], []
    gene_log2 = np.zeros((n, len(genes)))
    gene_mid = ((genes["start"].to_numpy() + genes["end"].to_numpy()) // 2).astype(np.int64)
    gene_idx_by_chrom = {c: np.flatnonzero(gene_chrom == c) for c in chroms}
    for i in range(n):
        p_arm = min(0.6, 0.12 * instability[i])
        for c in chroms:
            length = CHROM_LENGTHS[c]
            cen = length // 2
            events: list[tuple[int, int, float]] = []
            for a, b in ((1, cen), (cen + 1, length)):
                if rng.random() < p_arm:
                    val = rng.uniform(0.3, 0.6) if rng.random() < 0.5 else -rng.uniform(0.35, 0.7)
                    events.append((a, b, float(val)))
            for _ in range(rng.poisson(0.08 * instability[i])):
                w = int(rng.uniform(1e6, 1.5e7))
                a = int(rng.uniform(1, max(2, length - w)))
                val = rng.uniform(0.4, 1.0) if rng.random() < 0.5 else -rng.uniform(0.4, 1.0)
                events.append((a, a + w, float(val)))
            events.extend((s, e, v) for (cc, s, e, v, _) in planned[i] if cc == c)
            # elementary intervals between all event boundaries; later events paint over earlier
            bounds = sorted({1, length + 1, *(s for s, _, _ in events), *(e + 1 for _, e, _ in events)})
            starts = np.array(bounds[:-1], dtype=np.int64)
            ends = np.array(bounds[1:], dtype=np.int64) - 1
            vals = np.zeros(len(starts))
            for s, e, v in events:
                vals[(starts >= s) & (ends <= e)] = v
            # merge neighbours with the same value
            keep = np.ones(len(vals), dtype=bool)
            keep[1:] = vals[1:] != vals[:-1]
            first = np.flatnonzero(keep)
            m_starts = starts[first]
            m_ends = np.append(starts[first[1:]] - 1, ends[-1])
            m_vals = np.round(vals[first] + rng.normal(0, 0.03 * noise, size=len(first)), 4)
            gi = gene_idx_by_chrom[c]
            if len(gi):
                pos = np.searchsorted(m_starts, gene_mid[gi], side="right") - 1
                gene_log2[i, gi] = m_vals[pos]
            seg_sample.extend([samples[i]] * len(m_vals))
            seg_chrom.extend([c] * len(m_vals))
            seg_start.append(m_starts)
            seg_end.append(m_ends)
            seg_val.append(m_vals)
    starts = np.concatenate(seg_start)
    ends = np.concatenate(seg_end)
    n_mark = np.maximum(3, ((ends - starts) / 25_000).astype(np.int64) + rng.integers(0, 5, size=len(starts)))
    segments = pd.DataFrame(
        {
            "ID": seg_sample,
            "chrom": seg_chrom,
            "loc.start": starts,
            "loc.end": ends,
            "num.mark": n_mark,
            "seg.mean": np.concatenate(seg_val),
        }
    )
    focal = pd.DataFrame(focal_rows, columns=["sample", "gene", "event", "chrom", "start", "end", "log2"])
    return CnvResult(segments=segments, gene_log2=gene_log2, focal_events=focal)


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

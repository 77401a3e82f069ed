"""Simulated read counts of known clones, shared by the clonal tests (tl and cli)."""

from __future__ import annotations

import numpy as np
import pandas as pd

TRUE_CCF = np.array([[1.0, 1.0, 1.0], [0.6, 0.1, 0.8], [0.3, 0.7, 0.0], [0.15, 0.4, 0.4]])


def clonal_row(alt, ref, major=1, minor=1, normal=2, purity=0.5, mut="m", sample="S1"):
    return {"mutation_id": mut, "sample_id": sample, "alt_counts": alt, "ref_counts": ref, "major_cn": major,
            "minor_cn": minor, "normal_cn": normal, "tumour_content": purity}


def simulate_clones(n=200, depth=200, purity=0.7, seed=1):
    """Mutations of 4 clones in 3 samples; copy number 1..3 and multiplicity uniform in 1..major."""
    rng = np.random.default_rng(seed)
    lab = rng.integers(0, len(TRUE_CCF), n)
    rows = []
    for i in range(n):
        major = int(rng.choice([1, 2, 3]))
        minor = int(rng.choice([0, 1])) if major > 1 else 1
        mult = int(rng.integers(1, major + 1))
        denom = purity * (major + minor) + (1 - purity) * 2
        for s in range(TRUE_CCF.shape[1]):
            d = int(rng.poisson(depth))
            a = int(rng.binomial(d, purity * mult * TRUE_CCF[lab[i], s] / denom))
            rows.append(clonal_row(a, d - a, major, minor, 2, purity, f"m{i}", f"S{s}"))
    return pd.DataFrame(rows), lab

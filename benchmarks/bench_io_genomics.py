"""Speed (and a correctness spot-check) of the genomics readers: MAF, VCF, CNV segments -> genes.

Run by hand: ``python benchmarks/bench_io_genomics.py``. Writes
``benchmarks/results/io_genomics.md`` and ``benchmarks/results/io_genomics.csv``.

* segments -> genes: 100 samples x ~20k genes x 100 segments per sample (target: seconds).
  Gene coordinates are the real GRCh38 protein-coding table from ``../shared/data/prior`` when
  present, else 20k seeded synthetic genes; segments are seeded synthetic. A slow, obvious
  per-gene loop on 3 samples checks that the fast mapping gives the same numbers.
* read_maf on the CPTAC UCEC MAF (53k variants, 124 columns), when ``../shared/data`` is present.
* read_vcf on a seeded synthetic Mutect2 tumour/normal VCF with VEP CSQ (50k records).
"""

from __future__ import annotations

import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from _stamp import write_stamped  # noqa: E402
from oncoresist._core._utils import write_csv
from oncoresist.io import (
    read_cnv_segments,
    read_gene_coordinates,
    read_maf,
    read_vcf,
    variants_to_anndata,
)

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
RESULTS = ROOT / "benchmarks" / "results"


def timed(func, *args, repeat: int = 3, **kwargs):  # noqa: ANN001, ANN201
    best, out = np.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = func(*args, **kwargs)
        best = min(best, time.perf_counter() - t)
    return best, out


def gene_table(rng: np.random.Generator) -> tuple[pd.DataFrame, str]:
    path = SHARED / "prior" / "grch38_genes.tsv.gz"
    if path.exists():
        g = read_gene_coordinates(path)
        g = g.loc[~g["gene"].duplicated()].reset_index(drop=True)
        return g, f"real GRCh38 protein-coding genes ({len(g)})"
    chrom_len = {str(c): 250_000_000 - c * 5_000_000 for c in range(1, 23)}
    chroms = rng.choice(list(chrom_len), size=20_000)
    starts = np.array([rng.integers(1, chrom_len[c] - 200_000) for c in chroms])
    g = pd.DataFrame({"gene": [f"G{i}" for i in range(20_000)], "chrom": chroms, "start": starts,
                      "end": starts + rng.integers(1_000, 150_000, size=20_000)})  # fmt: skip
    return g, "20,000 synthetic genes"


def segments(rng: np.random.Generator, genes: pd.DataFrame, n_samples: int, per_sample: int) -> pd.DataFrame:
    chrom_end = genes.groupby("chrom")["end"].max() + 1_000_000
    chroms = chrom_end.index.to_numpy()
    weights = chrom_end.to_numpy(dtype=float) / chrom_end.sum()
    rows = []
    for s in range(n_samples):
        n_per = np.maximum(1, np.round(weights * per_sample).astype(int))
        for c, n, length in zip(chroms, n_per, chrom_end.to_numpy()):
            cuts = np.unique(rng.integers(2, int(length), size=n - 1)) if n > 1 else np.array([], dtype=np.int64)
            starts = np.concatenate([[1], cuts + 1])
            ends = np.concatenate([cuts, [int(length)]])
            for a, b in zip(starts, ends):
                rows.append((f"S{s:03d}", f"chr{c}", int(a), int(b), int(rng.integers(10, 2000)), round(float(rng.normal(0, 0.4)), 4)))
    return pd.DataFrame(rows, columns=["ID", "chrom", "loc.start", "loc.end", "num.mark", "seg.mean"])


def slow_map(seg: pd.DataFrame, genes: pd.DataFrame, sample: str) -> np.ndarray:
    ss = seg[seg["ID"] == sample]
    by_chrom = {c.removeprefix("chr"): d for c, d in ss.groupby("chrom")}
    out = np.full(len(genes), np.nan)
    for j, g in enumerate(genes.itertuples()):
        d = by_chrom.get(str(g.chrom))
        if d is None:
            continue
        best = 0
        for r in d.itertuples(index=False):
            ov = min(r[3], g.end) - max(r[2], g.start) + 1
            if ov > best:
                best, out[j] = ov, r[5]
    return out


CSQ = "Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|EXON|INTRON|HGVSc|HGVSp|CANONICAL"
AA = ["Ala", "Arg", "Asn", "Asp", "Cys", "Gln", "Glu", "Gly", "His", "Ile", "Leu", "Lys", "Met", "Phe", "Pro", "Ser", "Thr", "Trp", "Tyr", "Val"]


def synthetic_vcf(rng: np.random.Generator, n: int, path: Path) -> None:
    head = (
        "##fileformat=VCFv4.2\n"
        f'##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. Format: {CSQ}">\n'
        "##normal_sample=N\n##tumor_sample=T\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tN\tT\n"
    )
    bases = np.array(list("ACGT"))
    lines = [head]
    pos = np.sort(rng.integers(1, 240_000_000, size=n))
    for i in range(n):
        ref, alt = rng.choice(bases, size=2, replace=False)
        gene = f"GENE{i % 3000}"
        aa1, aa2 = rng.choice(AA, size=2)
        ann = [
            f"{alt}|missense_variant|MODERATE|{gene}|ENSG{i:011d}|Transcript|ENST{i:011d}|protein_coding|3/9||"
            f"ENST{i:011d}.1:c.{i % 900 + 1}{ref}>{alt}|ENSP{i:011d}.1:p.{aa1}{i % 300 + 1}{aa2}|YES",
            f"{alt}|intron_variant|MODIFIER|{gene}|ENSG{i:011d}|Transcript|ENST9{i:010d}|protein_coding||2/8|||",
        ]
        dp_t, alt_t = int(rng.integers(30, 200)), 0
        alt_t = int(rng.integers(3, dp_t))
        lines.append(
            f"chr{i % 22 + 1}\t{pos[i]}\t.\t{ref}\t{alt}\t.\tPASS\tCSQ={','.join(ann)}\tGT:AD:AF:DP\t"
            f"0/0:40,0:0.02:40\t0/1:{dp_t - alt_t},{alt_t}:{alt_t / dp_t:.3f}:{dp_t}\n"
        )
    path.write_text("".join(lines))


def main() -> None:
    rng = np.random.default_rng(20240601)
    rows = []
    notes = []

    # ---- segments -> genes ------------------------------------------------------------------
    genes, gene_desc = gene_table(rng)
    seg = segments(rng, genes, n_samples=100, per_sample=100)
    with tempfile.TemporaryDirectory() as d:
        seg_path = Path(d) / "cohort.seg"
        seg.to_csv(seg_path, sep="\t", index=False)
        for overlap in ("max_overlap", "weighted"):
            t, a = timed(read_cnv_segments, seg_path, genes=genes, overlap=overlap)
            rows.append({"task": f"read_cnv_segments ({overlap})", "size": f"{a.n_obs} samples x {a.n_vars} genes, {len(seg)} segments",
                         "seconds": round(t, 3)})  # fmt: skip
        a = read_cnv_segments(seg_path, genes=genes)
        worst = 0.0
        t0 = time.perf_counter()
        for s in ("S000", "S050", "S099"):
            ref = slow_map(seg, genes, s)
            got = a.to_df().loc[s].to_numpy()
            same_nan = bool(np.array_equal(np.isnan(ref), np.isnan(got)))
            worst = max(worst, float(np.nanmax(np.abs(ref - got))) if same_nan else np.inf)
        slow_t = (time.perf_counter() - t0) / 3
        notes.append(f"Segments mapped with {gene_desc}; slow per-gene loop on 3 samples: max |difference| = {worst:g} "
                     f"({slow_t:.1f} s per sample for the loop, i.e. ~{slow_t * 100 / 60:.0f} min for 100 samples).")  # fmt: skip
        rows.append({"task": "slow reference loop (per sample)", "size": f"{len(genes)} genes", "seconds": round(slow_t, 3)})

        # ---- VCF ------------------------------------------------------------------------------
        vcf_path = Path(d) / "tn.vcf"
        synthetic_vcf(rng, 50_000, vcf_path)
        t, v = timed(read_vcf, vcf_path, repeat=1)
        rows.append({"task": "read_vcf (Mutect2-like T/N, VEP CSQ, 2 transcripts)", "size": f"{len(v)} records", "seconds": round(t, 3)})

    # ---- MAF ------------------------------------------------------------------------------------
    maf = SHARED / "cptac_ucec" / "somatic.maf.gz"
    if maf.exists():
        t, df = timed(read_maf, maf, repeat=2)
        rows.append({"task": "read_maf (CPTAC UCEC, default columns)", "size": f"{len(df)} variants, {df['sample'].nunique()} samples",
                     "seconds": round(t, 3)})  # fmt: skip
        t, _ = timed(read_maf, maf, repeat=1, keep_columns="all")
        rows.append({"task": "read_maf (CPTAC UCEC, keep_columns='all')", "size": f"{len(df)} variants", "seconds": round(t, 3)})
        t, a = timed(variants_to_anndata, df, repeat=2)
        rows.append({"task": "variants_to_anndata (CPTAC UCEC)", "size": f"{a.n_obs} x {a.n_vars}", "seconds": round(t, 3)})
        frac = (a.var["n_mutated"] / a.n_obs).sort_values(ascending=False)
        notes.append("CPTAC UCEC most frequently mutated genes (non-synonymous): "
                     + ", ".join(f"{g} {f:.0%}" for g, f in frac.head(6).items()) + ".")  # fmt: skip
    else:
        notes.append("CPTAC MAF not found: read_maf not timed.")

    table = pd.DataFrame(rows)
    RESULTS.mkdir(parents=True, exist_ok=True)
    write_csv(table, RESULTS / "io_genomics.csv")
    md = [
        "# Genomics readers: speed",
        "",
        f"Python {platform.python_version()} on {platform.machine()}, {time.strftime('%Y-%m-%d')}; best of up to 3 runs "
        "(the machine is shared, so times are upper bounds).",
        "",
        "| task | size | seconds |",
        "|---|---|---|",
        *[f"| {r['task']} | {r['size']} | {r['seconds']} |" for r in rows],
        "",
        *[f"- {n}" for n in notes],
        "",
    ]
    write_stamped(RESULTS / "io_genomics.md", "\n".join(md))
    print("\n".join(md))
    sys.stdout.flush()


if __name__ == "__main__":
    main()

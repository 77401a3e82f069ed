"""Signature fitting: oncoresist's NNLS against SigProfilerAssignment on the same catalogues.

Run by hand::

    pip install sigprofilerassignment          # into this environment, or a separate one:
    python benchmarks/bench_signatures_spa.py [--spa-python /path/to/venv/bin/python]

Writes ``benchmarks/results/signatures_spa.md`` and ``signatures_spa.csv`` (per tumour: the
true fractions and each tool's).

No shared dataset has SBS-96 catalogues: the CPTAC UCEC MAF's ``flanking_bps`` column is empty and
no reference FASTA ships, so the catalogues are simulated from the reference itself, COSMIC v3.4
SBS GRCh38 exome signatures (the file shipped inside SigProfilerAssignment; COSMIC's licence does
not allow oncoresist to ship it). Each of 300 seeded tumours mixes the clock-like SBS1 / SBS5 with
0-3 process signatures of the phenotypes the biomarkers call (APOBEC SBS2/13, HRD SBS3, MMR
SBS6/15/26/44, POLE SBS10a/b, tobacco SBS4, UV SBS7a), at 50 - 3,000 SNVs (multinomial counts).
Both tools get the same catalogues and reference: SigProfilerAssignment runs
``Analyzer.cosmic_fit`` (its default penalised forward / backward NNLS, ``exome=True``) in a
subprocess with the given interpreter; oncoresist runs :func:`oncoresist.tl.fit_signatures`
(NNLS with backward signature selection, and plain NNLS). Reported: cosine of the exposure fractions per tumour between the tools and of each
against the truth, the error on the planted process signatures, and the sparsity of each fit.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from _stamp import write_stamped  # noqa: E402
from oncoresist.tl import fit_signatures, read_signatures

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
REFERENCE = "COSMIC_v3.4_SBS_GRCh38_exome.txt"
PROCESSES = {"APOBEC": ["SBS2", "SBS13"], "HRD": ["SBS3"], "MMR": ["SBS6", "SBS15", "SBS26", "SBS44"],
             "POLE": ["SBS10a", "SBS10b"], "tobacco": ["SBS4"], "UV": ["SBS7a"]}

_REF = """
import os, sys, SigProfilerAssignment as s
print(os.path.join(os.path.dirname(s.__file__), "data", "Reference_Signatures", "GRCh38", sys.argv[1]))
"""
_SPA = """
import sys
from SigProfilerAssignment import Analyzer
Analyzer.cosmic_fit(samples=sys.argv[1], output=sys.argv[2], input_type="matrix", context_type="96",
                    genome_build="GRCh38", cosmic_version=3.4, exome=True, make_plots=False,
                    export_probabilities=False, verbose=False, cpu=1)
"""


def _run(python: str, code: str, *args: str) -> str:
    """Run ``code`` with the SigProfilerAssignment interpreter; its stdout."""
    out = subprocess.run([python, "-c", code, *args], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"SigProfilerAssignment failed with {python} (pip install sigprofilerassignment):\n{out.stderr[-2000:]}")
    return out.stdout


def simulate(sigs: pd.DataFrame, n: int = 300, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Seeded catalogues (tumours x channels) and their true exposure fractions (tumours x signatures)."""
    rng = np.random.default_rng(seed)
    truth = pd.DataFrame(0.0, index=[f"T{i:03d}" for i in range(n)], columns=sigs.columns)
    names = list(PROCESSES)
    for t in truth.index:
        active = ["SBS1", "SBS5"]
        for p in rng.choice(names, size=rng.integers(0, 4), replace=False):
            active += list(PROCESSES[str(p)])
        truth.loc[t, active] = rng.dirichlet(np.full(len(active), 1.0))
    probs = truth.to_numpy() @ sigs.to_numpy().T
    probs /= probs.sum(axis=1, keepdims=True)
    counts = np.vstack([rng.multinomial(int(k), p) for k, p in zip(rng.integers(50, 3000, n), probs, strict=True)])
    return pd.DataFrame(counts, index=truth.index, columns=sigs.index), truth


def _spa(catalogue: pd.DataFrame, python: str, tmp: Path) -> tuple[pd.DataFrame, float]:
    """SigProfilerAssignment's activities (samples x signatures) and its seconds."""
    f = tmp / "catalogue.txt"
    catalogue.T.rename_axis("MutationType").to_csv(f, sep="\t")
    t0 = time.perf_counter()
    _run(python, _SPA, str(f), str(tmp / "spa"))
    sec = time.perf_counter() - t0
    act = next((tmp / "spa").rglob("Assignment_Solution_Activities.txt"))
    return pd.read_csv(act, sep="\t", index_col=0), sec


def _fractions(x: pd.DataFrame) -> pd.DataFrame:
    """Rows scaled to sum to 1 (zero rows stay zero)."""
    s = x.sum(axis=1).replace(0, np.nan)
    return x.div(s, axis=0).fillna(0.0)


def _cosine(a: pd.DataFrame, b: pd.DataFrame) -> pd.Series:
    """Row-wise cosine similarity."""
    return (a * b).sum(axis=1) / np.sqrt((a**2).sum(axis=1) * (b**2).sum(axis=1)).replace(0, np.nan)


def _iqr(x: pd.Series) -> str:
    return f"{x.median():.3f} ({x.quantile(0.25):.3f} - {x.quantile(0.75):.3f})"


def main() -> None:
    """Build the catalogues, run both fits and write the comparison."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--spa-python", default=sys.executable, help="interpreter that has sigprofilerassignment installed")
    args = ap.parse_args()
    ref = Path(_run(args.spa_python, _REF, REFERENCE).strip())
    sigs = read_signatures(ref)
    cat, truth = simulate(sigs)
    with tempfile.TemporaryDirectory() as tmp:
        spa, spa_sec = _spa(cat, args.spa_python, Path(tmp))
    t0 = time.perf_counter()
    fit = fit_signatures(cat, sigs, n_bootstrap=0)
    ours_sec = time.perf_counter() - t0
    plain = fit_signatures(cat, sigs, n_bootstrap=0, sparsity="none")
    ours = fit.pivot(index="sample", columns="signature", values="exposure").loc[cat.index, sigs.columns]
    spa = spa.rename(index=str).reindex(index=cat.index, columns=sigs.columns).fillna(0.0)
    fo, fs = _fractions(ours), _fractions(spa)
    fp = _fractions(plain.pivot(index="sample", columns="signature", values="exposure").loc[cat.index, sigs.columns])
    rows = []
    for proc, members in PROCESSES.items():
        planted = truth[members].sum(axis=1) > 0
        t, o, p = (x[members].sum(axis=1) for x in (truth, fo, fs))
        rows.append(f"| {proc} ({'/'.join(members)}) | {int(planted.sum())} | {(o - t).abs().mean():.3f} | {(p - t).abs().mean():.3f} "
                    f"| {o[~planted].mean():.3f} | {p[~planted].mean():.3f} |")
    long = pd.concat([x.stack().rename("fraction").reset_index().assign(tool=k)
                      for k, x in (("truth", truth), ("oncoresist", fo), ("SigProfilerAssignment", fs))])
    long.columns = ["sample", "signature", "fraction", "tool"]
    RESULTS.mkdir(parents=True, exist_ok=True)
    long[long["fraction"] > 0].to_csv(RESULTS / "signatures_spa.csv", index=False)
    lines = [
        "# Signature fitting vs SigProfilerAssignment",
        "",
        f"{len(cat)} simulated tumours ({int(cat.to_numpy().sum()):,} SNVs) from {REFERENCE} ({sigs.shape[1]} signatures); "
        "SigProfilerAssignment `cosmic_fit` (exome=True, default penalties) and oncoresist `fit_signatures` (default: NNLS with "
        "backward signature selection, max_delta 0.004; `sparsity='none'`: plain NNLS) on the same catalogues.",
        "",
        "| cosine of the exposure fractions per tumour, median (IQR) | value |",
        "|---|---|",
        f"| oncoresist vs SigProfilerAssignment | {_iqr(_cosine(fo, fs))} |",
        f"| oncoresist vs truth | {_iqr(_cosine(fo, truth))} |",
        f"| SigProfilerAssignment vs truth | {_iqr(_cosine(fs, truth))} |",
        f"| oncoresist plain NNLS vs truth | {_iqr(_cosine(fp, truth))} |",
        "",
        f"Signatures > 1 % per tumour, median: truth {(truth > 0.01).sum(axis=1).median():.0f}, oncoresist "
        f"{(fo > 0.01).sum(axis=1).median():.0f} (plain NNLS {(fp > 0.01).sum(axis=1).median():.0f}), "
        f"SigProfilerAssignment {(fs > 0.01).sum(axis=1).median():.0f}. "
        f"Seconds: oncoresist {ours_sec:.2f}, SigProfilerAssignment {spa_sec:.1f} (subprocess, with start-up).",
        "",
        "Planted processes: mean absolute error of the process's share, and the share found where it was not planted:",
        "",
        "| process | tumours | error, oncoresist | error, SPA | false share, oncoresist | false share, SPA |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
        "SigProfilerAssignment adds SBS1 / SBS5 to every sample (`add_background_signatures`), which the simulation",
        "always plants, and selects forward and backward; oncoresist only removes (backward). Plain NNLS over the whole",
        "reference spreads small exposures over many similar signatures.",
    ]
    write_stamped(RESULTS / "signatures_spa.md", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()

"""Speed and correctness of the table readers: matrices, MaxQuant, drug screens, clinical sheets.

Run by hand: ``python benchmarks/bench_io_tables.py``. Writes ``benchmarks/results/io_tables.md``
and ``benchmarks/results/io_tables.csv``.

* read_matrix / read_phospho_matrix on the real matrices in ``../shared/data`` (CPTAC UCEC
  proteomics and 73k phosphosites, CCLE RNA, TGSA expression, GDSC IC50): time, shape, the
  orientation chosen by ``orientation="auto"`` against the known one, and the time of a bare
  ``pandas.read_csv`` of the same file as a floor.
* read_dose_response / read_combinations / read_clinical on the real CLL, CCLE and SynergyFinder
  files: time, rows, and the unit / scale / kind assumed.
* read_maxquant / read_phosphosites on seeded synthetic MaxQuant tables (8,000 protein groups
  and 30,000 sites x 24 samples, MaxQuant column names), since no real MaxQuant output is shared.
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
from oncoresist._core._utils import read_text, sniff_sep, write_csv
from oncoresist.io import (
    read_clinical,
    read_combinations,
    read_dose_response,
    read_matrix,
    read_maxquant,
    read_phospho_matrix,
    read_phosphosites,
)

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
RESULTS = ROOT / "benchmarks" / "results"

MATRICES = [
    # file, reader, expected orientation
    ("cptac_ucec/proteomics.cct.gz", read_matrix, "features_x_samples"),
    ("cptac_ucec/phosphoproteomics_site.cct.gz", read_phospho_matrix, "features_x_samples"),
    ("cptac_ucec/CNA.cct.gz", read_matrix, "features_x_samples"),
    ("cptac_ucec/somatic_binary.cbt.gz", read_matrix, "features_x_samples"),
    ("cptac_ucec/miRNA.cct.gz", read_matrix, "features_x_samples"),
    ("ccle_pharmacogx/mp_rna_exprs.csv.gz", read_matrix, "features_x_samples"),
    ("ccle_pharmacogx/mp_rnaseq_exprs.csv", read_matrix, "features_x_samples"),
    ("ccle_pharmacogx/mp_cnv_exprs.csv", read_matrix, "features_x_samples"),
    ("gdsc_tgsa/tgsa_exp_580x706.csv.gz", read_matrix, "samples_x_features"),
    ("gdsc_tgsa/tgsa_cn_580x706.csv.gz", read_matrix, "samples_x_features"),
    ("gdsc1000/IC50_v17.csv.gz", read_matrix, "samples_x_features"),
    ("cll/lpdAll__exprs.csv.gz", read_matrix, "features_x_samples"),
    ("cll/mutCOM__binary.csv", read_matrix, "samples_x_features"),
]


def timed(func, *args, **kwargs):  # noqa: ANN001, ANN201
    t = time.perf_counter()
    out = func(*args, **kwargs)
    return time.perf_counter() - t, out


def bare_read(path: Path) -> float:
    t = time.perf_counter()
    text = read_text(path)
    import io

    pd.read_csv(io.StringIO(text), sep=sniff_sep(text[:200_000], path), low_memory=False)
    return time.perf_counter() - t


def synthetic_protein_groups(rng: np.random.Generator, n: int, samples: list[str]) -> pd.DataFrame:
    genes = [f"GENE{i}" for i in range(n)]
    df = pd.DataFrame(
        {
            "Protein IDs": [f"P{i:05d};P{i:05d}-2" for i in range(n)],
            "Majority protein IDs": [f"P{i:05d}" for i in range(n)],
            "Gene names": genes,
            "Peptides": rng.integers(1, 40, n),
            "Razor + unique peptides": rng.integers(1, 40, n),
            "Unique peptides": rng.integers(1, 40, n),
            "Q-value": rng.uniform(0, 0.01, n).round(5),
            "Score": rng.uniform(5, 300, n).round(2),
        }
    )
    for s in samples:
        v = (2.0 ** rng.uniform(18, 32, n)).round(0)
        v[rng.random(n) < 0.2] = 0
        df[f"Intensity {s}"] = v
        df[f"LFQ intensity {s}"] = v
    flags = rng.random(n)
    df["Only identified by site"] = np.where(flags < 0.01, "+", "")
    df["Reverse"] = np.where((flags >= 0.01) & (flags < 0.03), "+", "")
    df["Potential contaminant"] = np.where((flags >= 0.03) & (flags < 0.04), "+", "")
    df["id"] = np.arange(n)
    return df


def synthetic_sites(rng: np.random.Generator, n: int, samples: list[str]) -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "Proteins": [f"P{i // 5:05d}" for i in range(n)],
            "Positions within proteins": rng.integers(1, 2000, n),
            "Gene names": [f"GENE{i // 5}" for i in range(n)],
            "Localization prob": rng.uniform(0.3, 1.0, n).round(3),
            "Amino acid": rng.choice(["S", "T", "Y"], n, p=[0.85, 0.13, 0.02]),
            "Sequence window": ["AAAAAAAAAAAAAAASAAAAAAAAAAAAAAA"] * n,
        }
    )
    df["Position"] = df["Positions within proteins"]
    for s in samples:
        for m in (1, 2, 3):
            v = (2.0 ** rng.uniform(16, 30, n)).round(0)
            v[rng.random(n) < 0.4] = 0
            df[f"Intensity {s}___{m}"] = v
    df["Reverse"] = np.where(rng.random(n) < 0.02, "+", "")
    df["Potential contaminant"] = ""
    return df


def main() -> None:
    rows: list[dict] = []
    lines = [
        "# Table readers (read_matrix, MaxQuant, screens, clinical)",
        "",
        f"Python {sys.version.split()[0]}, pandas {pd.__version__}, {platform.machine()}, "
        f"{time.strftime('%Y-%m-%d')}. One run each (the machine is shared: times are upper bounds).",
        "",
    ]
    if SHARED.is_dir():
        lines += [
            "## read_matrix on real matrices",
            "",
            "| file | shape (samples x features) | orientation (auto) | expected | read (s) | bare pandas (s) |",
            "|---|---|---|---|---|---|",
        ]
        for rel, reader, expected in MATRICES:
            p = SHARED / rel
            if not p.exists():
                continue
            t, a = timed(reader, p)
            floor = bare_read(p)
            got = a.uns["read_matrix"]["orientation"]
            rows.append({"bench": "read_matrix", "file": rel, "n_obs": a.n_obs, "n_vars": a.n_vars, "seconds": round(t, 3),
                         "bare_pandas_seconds": round(floor, 3), "orientation": got, "expected": expected, "ok": got == expected})  # fmt: skip
            lines.append(f"| {rel} | {a.n_obs} x {a.n_vars} | {got} | {'ok' if got == expected else 'WRONG: ' + expected} | {t:.2f} | {floor:.2f} |")
        n_ok = sum(r["ok"] for r in rows if r["bench"] == "read_matrix")
        n_all = sum(1 for r in rows if r["bench"] == "read_matrix")
        lines += ["", f"Orientation detected correctly on {n_ok} of {n_all} real files.", ""]

        lines += ["## Screens and clinical sheets (real)", "", "| reader | file | rows | seconds | assumed |", "|---|---|---|---|---|"]
        for rel, reader in (
            ("cll/drpar_long_dose_response.csv.gz", read_dose_response),
            ("ccle_pharmacogx/raw_dose_response.csv.gz", read_dose_response),
            ("synergy/SF_exampleTable.csv", read_combinations),
            ("cll/patmeta.csv", read_clinical),
            ("cptac_ucec/clinical.txt", read_clinical),
        ):
            p = SHARED / rel
            if not p.exists():
                continue
            t, df = timed(reader, p)
            if reader is read_clinical:
                s = df.attrs["survival"]
                assumed = (
                    f"survival: {s.get('time_column')} / {s.get('event_column')}, {s.get('n_events')} events"
                    if s.get("how") != "not found" else "no survival columns"
                )  # fmt: skip
            else:
                a = df.attrs
                assumed = f"unit {a['unit']} ({a['unit_source']}); {a['response_scale']} {a['response_kind']} ({a['response_conversion']})"
            rows.append({"bench": reader.__name__, "file": rel, "n_obs": len(df), "seconds": round(t, 3), "assumed": assumed})
            lines.append(f"| {reader.__name__} | {rel} | {len(df):,} | {t:.2f} | {assumed} |")
        lines.append("")
    else:
        lines += [f"`{SHARED}` is absent: real-data rows skipped.", ""]

    rng = np.random.default_rng(0)
    samples = [f"Sample_{i:02d}" for i in range(24)]
    with tempfile.TemporaryDirectory() as tmp:
        pg = Path(tmp) / "proteinGroups.txt"
        synthetic_protein_groups(rng, 8000, samples).to_csv(pg, sep="\t", index=False)
        t, a = timed(read_maxquant, pg)
        info = a.uns["maxquant"]
        lines += ["## MaxQuant (seeded synthetic, MaxQuant column names)", "",
                  "| reader | input | kept | removed (reverse / contaminant / only by site / localisation) | seconds |",
                  "|---|---|---|---|---|"]  # fmt: skip
        lines.append(
            f"| read_maxquant (LFQ) | 8,000 groups x 24 samples | {a.n_vars:,} | {info['removed_reverse']} / "
            f"{info['removed_contaminant']} / {info['removed_only_by_site']} / - | {t:.2f} |"
        )
        rows.append({"bench": "read_maxquant", "file": "synthetic 8000 x 24", "n_obs": a.n_obs, "n_vars": a.n_vars, "seconds": round(t, 3)})
        ps = Path(tmp) / "Phospho (STY)Sites.txt"
        synthetic_sites(rng, 30000, samples).to_csv(ps, sep="\t", index=False)
        t, b = timed(read_phosphosites, ps)
        info = b.uns["maxquant"]
        lines.append(
            f"| read_phosphosites (___1) | 30,000 sites x 24 samples x 3 multiplicities | {b.n_vars:,} | "
            f"{info['removed_reverse']} / {info['removed_contaminant']} / - / {info['removed_localization']} | {t:.2f} |"
        )
        rows.append({"bench": "read_phosphosites", "file": "synthetic 30000 x 24 x 3", "n_obs": b.n_obs, "n_vars": b.n_vars, "seconds": round(t, 3)})
    lines.append("")
    RESULTS.mkdir(parents=True, exist_ok=True)
    write_stamped(RESULTS / "io_tables.md", "\n".join(lines))
    write_csv(pd.DataFrame(rows), RESULTS / "io_tables.csv")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

"""CLI verb ``biomarkers`` (cli._biomarkers)."""

from __future__ import annotations

import warnings
from pathlib import Path

import mudata as md
import numpy as np
import pandas as pd

from oncoresist.cli import main
from oncoresist.io import read_h5mu, read_maf, variants_to_anndata, write_h5mu
from oncoresist.tl import SBS96_CHANNELS

BASES = list("ACGT")


def _maf(path: Path, rng: np.random.Generator, *, context: bool = True) -> Path:
    """A small MAF: a hypermutated sample with many 1-bp deletions and a quiet one."""
    rows = []
    for sample, n_snv, n_del in (("HYPER", 400, 30), ("QUIET", 15, 1)):
        for i in range(n_snv):
            ref = BASES[i % 4]
            alt = BASES[(i + 1 + i // 4 % 3) % 4]
            ctx = "".join(rng.choice(BASES, 5)) + ref + "".join(rng.choice(BASES, 5))
            rows.append((sample, f"G{i % 50}", 1000 + i, 1000 + i, ref, alt, "Missense_Mutation", "SNP", ctx))
        for i in range(n_del):
            rows.append((sample, f"G{i % 50}", 5000 + i, 5000 + i, "A", "-", "Frame_Shift_Del", "DEL", "GCAAAAAAGCG"))
    df = pd.DataFrame(rows, columns=["Tumor_Sample_Barcode", "Hugo_Symbol", "Start_Position", "End_Position", "Reference_Allele",
                                     "Tumor_Seq_Allele2", "Variant_Classification", "Variant_Type", "CONTEXT"])
    df.insert(2, "Chromosome", "chr1")
    df["t_depth"], df["t_alt_count"] = 100, 30
    if not context:
        df = df.drop(columns="CONTEXT")
    df.to_csv(path, sep="\t", index=False)
    return path


def test_biomarkers_from_maf_writes_tables(tmp_path: Path, rng: np.random.Generator) -> None:
    maf = _maf(tmp_path / "calls.maf", rng)
    out = tmp_path / "bio"
    assert main(["biomarkers", str(maf), "--out", str(out), "--callable-mb", "20", "--quiet"]) == 0
    t = pd.read_csv(out / "biomarkers.csv").set_index("sample")
    assert list(t.reset_index().columns) == ["sample", "n_coding", "tmb", "tmb_high", "n_indel", "msi_score", "msi_probability", "msi_high"]
    assert t.loc["HYPER", "n_coding"] == 430 and t.loc["HYPER", "tmb"] == 21.5 and t.loc["HYPER", "tmb_high"]
    assert t.loc["HYPER", "msi_high"] and not t.loc["QUIET", "msi_high"] and t.loc["QUIET", "n_indel"] == 1
    assert t.loc["HYPER", "msi_score"] == 1.5  # 30 homopolymer deletions / 20 Mb
    cat = pd.read_csv(out / "sbs96.csv", index_col=0)
    assert list(cat.columns) == list(SBS96_CHANNELS) and cat.loc["HYPER"].sum() == 400
    # a second run into the same folder is refused, then allowed with --overwrite
    assert main(["biomarkers", str(maf), "--out", str(out), "--quiet"]) == 1
    assert main(["biomarkers", str(maf), "--out", str(out), "--overwrite", "--quiet"]) == 0
    assert pd.read_csv(out / "biomarkers.csv").set_index("sample").loc["HYPER", "tmb"] == 430 / 30


def test_biomarkers_signatures_and_no_context(tmp_path: Path, rng: np.random.Generator) -> None:
    maf = _maf(tmp_path / "calls.maf", rng)
    sig = tmp_path / "sigs.tsv"
    w = rng.dirichlet(np.ones(96), size=3).T
    pd.DataFrame(w, index=pd.Index(SBS96_CHANNELS, name="Type"), columns=["SBSa", "SBSb", "SBSc"]).to_csv(sig, sep="\t")
    out = tmp_path / "fit"
    assert main(["biomarkers", str(maf), "--out", str(out), "--signatures", str(sig), "-q"]) == 0
    fit = pd.read_csv(out / "signatures.csv")
    assert set(fit["sample"]) == {"HYPER", "QUIET"} and len(fit) == 6 and (fit["lower"] <= fit["upper"]).all()
    plain = _maf(tmp_path / "plain.maf", rng, context=False)
    assert main(["biomarkers", str(plain), "--out", str(tmp_path / "p"), "-q"]) == 0
    assert (tmp_path / "p" / "biomarkers.csv").exists() and not (tmp_path / "p" / "sbs96.csv").exists()
    six = pd.read_csv(tmp_path / "p" / "sbs6.csv", index_col=0)  # the spectrum needs no context
    assert list(six.columns) == ["C>A", "C>G", "C>T", "T>A", "T>C", "T>G"] and six.to_numpy().sum() > 0
    assert main(["biomarkers", str(plain), "--out", str(tmp_path / "q"), "--signatures", str(sig), "-q"]) == 1


def test_biomarkers_cohort_input_writes_obs_and_protects_columns(tmp_path: Path, rng: np.random.Generator) -> None:
    variants = read_maf(_maf(tmp_path / "calls.maf", rng))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = md.MuData({"mut": variants_to_anndata(variants)})
    m.obs["tmb"] = [5.0, 6.0]  # the user's own column
    write_h5mu(m, tmp_path / "cohort.h5mu")
    out = tmp_path / "bio"
    assert main(["biomarkers", str(tmp_path / "cohort.h5mu"), "--out", str(out), "-q"]) == 1
    assert not (out / "cohort.h5mu").exists()
    assert main(["biomarkers", str(tmp_path / "cohort.h5mu"), "--out", str(out), "--overwrite", "-q"]) == 0
    back = read_h5mu(out / "cohort.h5mu")
    assert back.obs.loc["HYPER", "tmb"] == 430 / 30 and back.obs.loc["HYPER", "msi_high"]
    assert {"tmb_high", "msi_score"} <= set(back.obs.columns)
    assert (out / "biomarkers.csv").exists() and (out / "sbs96.csv").exists()


def _segments(path: Path) -> Path:
    """FACETS-style segments: HYPER with 45 LSTs + 5 TAIs on chromosomes 1-5, QUIET balanced."""
    cens = {"1": 125.1, "2": 96.0, "3": 94.0, "4": 51.8, "5": 51.4}
    rows = [("QUIET", "2", 1, 242_000_000, 2, 1)]
    for chrom, cen in cens.items():
        rows.append(("HYPER", chrom, 1, int((cen - 4) * 1e6), 2, 1))
        rows += [("HYPER", chrom, int((cen + 11 * i) * 1e6) + 1, int((cen + 11 * (i + 1)) * 1e6), 2 + i % 2, 1) for i in range(10)]
    pd.DataFrame(rows, columns=["ID", "chrom", "start", "end", "tcn.em", "lcn.em"]).to_csv(path, sep="\t", index=False)
    return path


def test_biomarkers_segments_write_hrd(tmp_path: Path, rng: np.random.Generator) -> None:
    maf = _maf(tmp_path / "calls.maf", rng)
    seg = _segments(tmp_path / "facets.tsv")
    out = tmp_path / "bio"
    assert main(["biomarkers", str(maf), "--out", str(out), "--segments", str(seg), "-q"]) == 0
    hrd = pd.read_csv(out / "hrd.csv").set_index("sample")
    assert list(hrd.columns) == ["loh", "tai", "lst", "hrd_sum", "ploidy", "hrd_sum_adjusted", "brca_altered", "hrd_high"]
    assert hrd.loc["HYPER", "hrd_sum"] == 50 and hrd.loc["HYPER", "hrd_high"] and not hrd.loc["QUIET", "hrd_high"]
    assert not hrd["brca_altered"].any()
    variants = read_maf(maf)
    variants.loc[len(variants)] = variants.iloc[-1]
    variants.loc[len(variants) - 1, ["gene", "variant_class"]] = ["BRCA2", "Nonsense_Mutation"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = md.MuData({"mut": variants_to_anndata(variants)})
    m["mut"].uns["variants"] = variants
    write_h5mu(m, tmp_path / "cohort.h5mu")
    assert main(["biomarkers", str(tmp_path / "cohort.h5mu"), "--out", str(tmp_path / "c"), "--segments", str(seg), "-q"]) == 0
    back = read_h5mu(tmp_path / "c" / "cohort.h5mu")
    assert back.obs["hrd_high"].tolist() == [True, True] and back.obs.loc["QUIET", "hrd_sum"] == 0  # QUIET: BRCA2
    assert main(["biomarkers", str(maf), "--out", str(tmp_path / "bad"), "--segments", str(maf), "-q"]) == 1


def test_biomarkers_fasta_gives_sbs96_to_calls_without_context(tmp_path: Path, rng: np.random.Generator) -> None:
    plain = _maf(tmp_path / "plain.maf", rng, context=False)
    seq = list(rng.choice(list(BASES), 6000))
    for i in range(400):
        seq[1000 + i - 1] = BASES[i % 4]  # the MAF's reference bases (1-based positions 1000 + i)
    fa = tmp_path / "ref.fa"
    fa.write_text(">chr1\n" + "".join("".join(seq[j:j + 70]) + "\n" for j in range(0, 6000, 70)))
    out = tmp_path / "f"
    assert main(["biomarkers", str(plain), "--out", str(out), "--fasta", str(fa), "-q"]) == 0
    cat = pd.read_csv(out / "sbs96.csv", index_col=0)
    assert cat.loc["HYPER"].sum() == 400 and cat.loc["QUIET"].sum() == 15
    assert main(["biomarkers", str(plain), "--out", str(tmp_path / "g"), "--fasta", str(tmp_path / "nope.fa"), "-q"]) == 1

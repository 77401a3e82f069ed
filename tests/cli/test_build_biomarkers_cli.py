"""``oncoresist build`` computes the genome-wide biomarkers when the study has a mutation layer (tl._build)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from oncoresist.cli import main
from oncoresist.ds import add_genome_phenotypes, simulate_cohort
from oncoresist.io import read_h5mu

BASES = list("ACGT")


def _study(tmp: Path, *, sheet_extra: dict | None = None, mutations: bool = True, segments: bool = True) -> Path:
    """A two-sample study: a hypermutated tumour with 1-bp deletions at runs and a quiet one."""
    rng = np.random.default_rng(0)
    rows = []
    for sample, n_snv, n_del in (("HYPER", 400, 30), ("QUIET", 15, 0)):
        for i in range(n_snv):
            ref, alt = BASES[i % 4], BASES[(i + 1) % 4]
            ctx = "".join(rng.choice(BASES, 5)) + ref + "".join(rng.choice(BASES, 5))
            rows.append((f"{sample}-T", f"G{i % 50}", 1000 + i, ref, alt, "Missense_Mutation", "SNP", ctx))
        rows.extend((f"{sample}-T", "G1", 5000 + i, "A", "-", "Frame_Shift_Del", "DEL", "GCAAAAAAGCG") for i in range(n_del))
    maf = pd.DataFrame(rows, columns=["Tumor_Sample_Barcode", "Hugo_Symbol", "Start_Position", "Reference_Allele",
                                      "Tumor_Seq_Allele2", "Variant_Classification", "Variant_Type", "CONTEXT"])
    maf.insert(2, "Chromosome", "chr1")
    maf["End_Position"] = maf["Start_Position"]
    maf["t_depth"], maf["t_alt_count"] = 100, 30
    maf.to_csv(tmp / "mutations.maf", sep="\t", index=False)
    sheet = pd.DataFrame({"sample_id": ["HYPER", "QUIET"], "tissue": ["colorectal", "lung"], **(sheet_extra or {})})
    sheet.to_csv(tmp / "clinical.tsv", sep="\t", index=False)
    seg = pd.DataFrame({"sample": ["HYPER", "HYPER", "QUIET"], "chrom": "1", "start": [1, 20_000_001, 1],
                        "end": [20_000_000, 248_000_000, 248_000_000], "nMajor": [2, 1, 1], "nMinor": [0, 1, 1]})
    seg.to_csv(tmp / "segments.tsv", sep="\t", index=False)
    expr = pd.DataFrame({"gene": ["A", "B"], "HYPER": [1.0, 2.0], "QUIET": [3.0, 4.0]})
    expr.to_csv(tmp / "rna.tsv", sep="\t", index=False)
    toml = ['[samples]\nfile = "clinical.tsv"\nid_column = "sample_id"\n',
            '[layers.rna]\nkind = "matrix"\nfile = "rna.tsv"\norientation = "features_x_samples"\n']
    if mutations:
        toml.append('[layers.mut]\nkind = "maf"\nfile = "mutations.maf"\nsample_pattern = "^(.*)-T$"\n')
    if segments:
        toml.append('[allelic_segments]\nfile = "segments.tsv"\n')
    (tmp / "study.toml").write_text("\n".join(toml))
    return tmp / "study.toml"


def test_build_stores_biomarkers_as_the_biomarkers_verb_does(tmp_path: Path, capsys):
    study = _study(tmp_path)
    assert main(["build", str(study), "--out", str(tmp_path / "c.h5mu")]) == 0
    assert "biomarkers: TMB / MSI, HRD from mut" in capsys.readouterr().err
    m = read_h5mu(tmp_path / "c.h5mu")
    obs = m.obs
    for col in ("tmb", "tmb_high", "msi_score", "msi_high", "hrd_loh", "hrd_tai", "hrd_lst", "hrd_sum", "hrd_score", "hrd_high"):
        assert col in obs.columns, col
    assert obs.loc["HYPER", "tmb"] == pytest.approx(430 / 30) and bool(obs.loc["HYPER", "tmb_high"])
    assert bool(obs.loc["HYPER", "msi_high"]) and not bool(obs.loc["QUIET", "msi_high"])
    assert obs.loc["HYPER", "hrd_loh"] == 1 and obs.loc["QUIET", "hrd_sum"] == 0
    assert m.uns["biomarkers"]["params"]["callable_mb"] == 30.0 and m.uns["biomarkers"]["params"]["mod"] == "mut"
    assert set(m.uns["biomarkers"]["table"]["sample"]) == {"HYPER", "QUIET"}
    assert m.uns["build"]["biomarkers"]["computed"] == "TMB / MSI, HRD"
    assert "hrd" in m.uns
    # the biomarkers verb on the built cohort replaces the build's own columns without --overwrite
    assert main(["biomarkers", str(tmp_path / "c.h5mu"), "--out", str(tmp_path / "bio"), "--callable-mb", "1", "-q"]) == 0
    assert read_h5mu(tmp_path / "bio" / "cohort.h5mu").obs.loc["QUIET", "tmb"] == pytest.approx(15.0)


def test_callable_mb_and_no_biomarkers(tmp_path: Path, capsys):
    study = _study(tmp_path)
    assert main(["build", str(study), "--out", str(tmp_path / "a.h5mu"), "--callable-mb", "1", "-q"]) == 0
    assert read_h5mu(tmp_path / "a.h5mu").obs.loc["QUIET", "tmb"] == pytest.approx(15.0)
    assert main(["build", str(study), "--out", str(tmp_path / "b.h5mu"), "--no-biomarkers", "-q"]) == 0
    m = read_h5mu(tmp_path / "b.h5mu")
    assert "tmb" not in m.obs.columns and "biomarkers" not in m.uns
    main(["build", "--help"])
    assert "--no-biomarkers" in capsys.readouterr().out


def test_a_sheet_column_of_the_same_name_is_an_error_with_the_fix(tmp_path: Path, capsys):
    study = _study(tmp_path, sheet_extra={"tmb": [12.0, 1.0]})
    assert main(["build", str(study), "--out", str(tmp_path / "c.h5mu")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "'tmb'" in err and "--no-biomarkers" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "c.h5mu").exists()
    assert main(["build", str(study), "--out", str(tmp_path / "c.h5mu"), "--no-biomarkers", "-q"]) == 0
    assert read_h5mu(tmp_path / "c.h5mu").obs.loc["HYPER", "tmb"] == 12.0  # the user's column is kept


def test_without_a_mutation_layer_the_step_is_skipped_with_a_note(tmp_path: Path, capsys):
    study = _study(tmp_path, mutations=False, segments=False)
    # a gene x sample mutation matrix has no alleles and no territory: not a mutation layer for TMB / MSI
    pd.DataFrame({"gene": ["KRAS", "TP53"], "HYPER": ["G12D", "wt"], "QUIET": ["wt", "R175H"]}).to_csv(tmp_path / "mm.csv", index=False)
    study.write_text(study.read_text() + '\n[layers.mutmat]\nkind = "mutation_matrix"\nfile = "mm.csv"\n')
    assert main(["build", str(study), "--out", str(tmp_path / "c.h5mu")]) == 0
    notes = [ln for ln in capsys.readouterr().err.splitlines() if "biomarkers" in ln]
    assert len(notes) == 1 and "skipped" in notes[0]
    m = read_h5mu(tmp_path / "c.h5mu")
    assert "mutmat" in m.mod and "tmb" not in m.obs.columns and m.uns["build"]["biomarkers"]["computed"] == "none"


@pytest.mark.filterwarnings("ignore:segment file .* has segments on chromosome")  # a small gene universe misses some
def test_simulated_study_round_trip_recovers_the_planted_phenotypes(tmp_path: Path):
    sim = simulate_cohort(40, seed=5, n_genes=150)
    add_genome_phenotypes(sim, fractions={"MSI": 0.1, "POLE": 0.05, "HRD": 0.1, "APOBEC": 0.1})
    study = sim.write(tmp_path / "study")
    assert main(["build", str(study), "--out", str(tmp_path / "c.h5mu"), "--no-fit", "-q"]) == 0
    obs = read_h5mu(tmp_path / "c.h5mu").obs
    truth = pd.DataFrame(json.loads((tmp_path / "study" / "truth.json").read_text())["genome"]["truth"]).set_index("sample")
    truth = truth.reindex(obs.index)
    assert (obs["msi_high"].astype(bool) == truth["true_msi"].astype(bool)).mean() >= 0.95
    assert (obs["hrd_high"].astype(bool) == truth["true_hrd"].astype(bool)).mean() >= 0.95
    assert (obs["tmb_high"].astype(bool) == truth["true_tmb_high"].astype(bool)).mean() >= 0.9


def test_simulate_genome_writes_the_segments_and_the_truth(tmp_path: Path):
    assert main(["simulate", "--out", str(tmp_path / "sim"), "-n", "20", "--genome", "-q"]) == 0
    assert "[allelic_segments]" in (tmp_path / "sim" / "study.toml").read_text()
    truth = json.loads((tmp_path / "sim" / "truth.json").read_text())
    assert len(truth["genome"]["truth"]) == 20 and (tmp_path / "sim" / "allelic_segments.tsv").exists()
    assert main(["simulate", "--out", str(tmp_path / "plain"), "-n", "20", "-q"]) == 0
    assert not (tmp_path / "plain" / "allelic_segments.tsv").exists()

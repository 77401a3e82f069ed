from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from oncoresist import InputError
from oncoresist.io import build_summary, read_h5mu, read_study, write_h5mu

MAF_COLS = [
    "Hugo_Symbol", "Chromosome", "Start_Position", "End_Position", "Variant_Classification",
    "Variant_Type", "Reference_Allele", "Tumor_Seq_Allele1", "Tumor_Seq_Allele2",
    "Tumor_Sample_Barcode", "HGVSp_Short", "t_depth", "t_alt_count",
]


def _write_small_study(tmp_path: Path, *, extra: str = "") -> Path:
    rng = np.random.default_rng(1)
    samples = [f"P{i}" for i in range(6)]
    clin = pd.DataFrame(
        {"sample_id": samples, "patient": [f"PT-{i}" for i in range(6)], "tissue": ["lung"] * 3 + ["colon"] * 3,
         "os_days": [100, 200, 300, 400, 500, 600], "dead": [1, 0, 1, 0, 1, 0]}
    )
    clin.to_csv(tmp_path / "clinical.tsv", sep="\t", index=False)
    maf = pd.DataFrame(
        [
            ["EGFR", "7", 55249071, 55249071, "Missense_Mutation", "SNP", "C", "C", "T", "PT-0-T", "p.T790M", 100, 30],
            ["KRAS", "12", 25398284, 25398284, "Missense_Mutation", "SNP", "C", "C", "T", "P3_T", "p.G12D", 80, 40],
            ["TP53", "17", 7577120, 7577120, "Silent", "SNP", "C", "C", "T", "P4_T", "p.R273=", 50, 10],
        ],
        columns=MAF_COLS,
    )
    maf.to_csv(tmp_path / "mut.maf", sep="\t", index=False)
    rna = pd.DataFrame(rng.poisson(20, size=(4, 5)), index=["EGFR", "KRAS", "MET", "TP53"], columns=samples[:5])
    rna.index.name = "gene"
    rna.to_csv(tmp_path / "rna.tsv", sep="\t")
    prot = pd.DataFrame(rng.normal(size=(3, 4)), index=["P0", "P1", "XX9"], columns=["EGFR", "MET", "ABCB1", "MGMT"])
    prot.index.name = "sample"
    prot.to_csv(tmp_path / "prot.csv")
    study = tmp_path / "study.toml"
    study.write_text(
        textwrap.dedent(
            f"""
            [study]
            name = "tiny"

            [samples]
            file = "clinical.tsv"
            id_column = "sample_id"
            alias_columns = ["patient"]
            survival_time = "os_days"
            survival_event = "dead"

            [layers.mut]
            kind = "maf"
            file = "mut.maf"
            sample_pattern = "^(.*?)[-_]T$"

            [layers.rna]
            kind = "matrix"
            file = "rna.tsv"

            [layers.prot]
            kind = "matrix"
            file = "prot.csv"
            orientation = "samples_x_features"
            {extra}
            """
        )
    )
    return study


def test_read_study_small(tmp_path):
    study = _write_small_study(tmp_path)
    m = read_study(study)
    assert set(m.mod) == {"mut", "rna", "prot"}
    # alias PT-0 (from barcode PT-0-T) mapped onto sample P0
    assert "P0" in m["mut"].obs_names and "PT-0" not in m["mut"].obs_names
    assert m["mut"]["P0", "EGFR"].X.sum() == 1
    assert m["rna"].shape == (5, 4)
    assert m["prot"].shape == (3, 4)
    # unmatched sample kept and reported
    assert "XX9" in m.obs_names
    summ = build_summary(m)
    row = summ.set_index("layer").loc["prot"]
    assert row["unmatched"] == 1 and "XX9" in row["unmatched_ids"]
    assert m.obs.loc["P1", "tissue"] == "lung"
    assert m.obs.loc["P0", "survival_time"] == 100
    out = write_h5mu(m, tmp_path / "c.h5mu")
    back = read_h5mu(out)
    assert set(back.mod) == {"mut", "rna", "prot"}


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        ("[layers.bad]\nkind = \"nope\"\nfile = \"rna.tsv\"", "unknown kind 'nope'"),
        ("[layers.bad]\nkind = \"matrix\"\nfile = \"missing.tsv\"", r"\[layers.bad\] file .*does not exist"),
        ("[layers.bad]\nkind = \"matrix\"\nfile = \"rna.tsv\"\nsample_pattern = \"(\"", "not a valid regular expression"),
        ("[layers.bad]\nkind = \"matrix\"\nfile = \"rna.tsv\"\nno_such_option = 1", "option the 'matrix' reader does not take"),
        ("[extra]\nx = 1", "unknown table"),
        ("[screen]\nfile = \"rna.tsv\"\nbogus = 1", "option read_dose_response does not take"),
        ("[combinations]\nkind = \"x\"", r"\[combinations\] needs 'file'"),
    ],
)
def test_read_study_bad_input(tmp_path, extra, match):
    study = _write_small_study(tmp_path, extra=extra)
    with pytest.raises(InputError, match=match):
        read_study(study)


def test_read_study_invalid_toml(tmp_path):
    p = tmp_path / "s.toml"
    p.write_text("[layers\nkind=")
    with pytest.raises(InputError, match="not valid TOML"):
        read_study(p)


def test_read_study_refuses_to_fit(tmp_path):
    """io only reads: the old fit_screen=True names its replacement."""
    study = _write_small_study(tmp_path)
    with pytest.raises(InputError, match="build_study"):
        read_study(study, fit_screen=True)

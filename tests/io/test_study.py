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


# --- issue 17: declarations and reliability of the study file ------------------------------------
def test_scale_and_higher_is_are_stored(tmp_path):
    study = _write_small_study(tmp_path, extra='scale = "log"\nhigher_is = "sensitive"')
    m = read_study(study)
    assert m["prot"].uns["source"]["data_type"] == "log"
    assert m["prot"].uns["source"]["data_type_declared"]
    assert m["prot"].uns["higher_is"] == {"X": "sensitive"}
    assert "data_type" not in m["rna"].uns["source"] and "higher_is" not in m["rna"].uns
    from oncoresist.get import higher_is

    assert higher_is(m, "prot") == "sensitive"


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        ('scale = "zscore"', r"scale = 'zscore' is not allowed; expected one of: 'counts', 'log', 'tpm', 'rsem'"),
        ("scale = 3", r"scale = 3 is not allowed"),
        ('higher_is = "better"', r"higher_is = 'better' is not allowed; expected one of: 'resistant', 'sensitive'"),
    ],
)
def test_bad_declarations(tmp_path, extra, match):
    with pytest.raises(InputError, match=match):
        read_study(_write_small_study(tmp_path, extra=extra))


def test_file_must_be_a_string(tmp_path):
    study = _write_small_study(tmp_path)
    study.write_text(study.read_text().replace('file = "rna.tsv"', "file = 5"))
    with pytest.raises(InputError, match=r"\[layers.rna\] file = 5: expected a path as a quoted string"):
        read_study(study)


def test_misplaced_samples_key_is_an_error(tmp_path):
    study = _write_small_study(tmp_path)
    text = study.read_text().replace('name = "tiny"', 'name = "tiny"\nsamples = "clinical.tsv"')
    study.write_text(text)
    with pytest.raises(InputError, match=r"\[study\] has unknown key\(s\) 'samples'; allowed: description, name"):
        read_study(study)
    study.write_text(_write_small_study(tmp_path).read_text().replace("id_column", "id_col"))
    with pytest.raises(InputError, match=r"\[samples\] has unknown key\(s\) 'id_col'; allowed: alias_columns"):
        read_study(study)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_study_file_bom_and_utf16(tmp_path, encoding):
    study = _write_small_study(tmp_path)
    study.write_bytes(study.read_text().encode(encoding))
    assert set(read_study(study).mod) == {"mut", "rna", "prot"}


def _id_study(tmp_path: Path, layer_ids: list[str], sheet_ids: list[str]) -> Path:
    pd.DataFrame({"sample_id": sheet_ids, "age": range(len(sheet_ids))}).to_csv(tmp_path / "c.csv", index=False)
    pd.DataFrame(np.arange(2 * len(layer_ids)).reshape(2, -1), index=["EGFR", "KRAS"], columns=layer_ids).rename_axis(
        "gene").to_csv(tmp_path / "m.csv")
    study = tmp_path / "s.toml"
    study.write_text('[samples]\nfile = "c.csv"\n[layers.rna]\nkind = "matrix"\nfile = "m.csv"\n'
                     'orientation = "features_x_samples"\n')
    return study


def test_id_folding_keeps_accents_apart(tmp_path):
    m = read_study(_id_study(tmp_path, ["SIMé-0001", "sim_0002"], ["SIM-0001", "SIM-0002"]))
    assert sorted(m["rna"].obs_names) == ["SIM-0002", "SIMé-0001"]  # case/separator folded; é kept
    assert list(m.uns["build"]["unmatched"]["rna"]) == ["SIMé-0001"]


def test_id_folding_never_merges_two_ids(tmp_path):
    with pytest.raises(InputError, match=r"sample IDs 'SIM-0001' and 'sim_0001' both become 'SIM-0001'"):
        read_study(_id_study(tmp_path, ["SIM-0001", "sim_0001"], ["SIM-0001"]))


def test_poor_join_names_the_column_that_would_join(tmp_path):
    study = _write_small_study(tmp_path)
    rng = np.random.default_rng(3)
    rna = pd.DataFrame(rng.poisson(20, size=(3, 5)), index=["EGFR", "KRAS", "MET"], columns=[f"PT-{i}x" for i in range(5)])
    rna.columns = [f"PT-{i}" for i in range(4)] + ["ZZ"]  # patient IDs, not sample IDs
    rna.index.name = "gene"
    rna.to_csv(tmp_path / "rna.tsv", sep="\t")
    text = study.read_text().replace('alias_columns = ["patient"]\n', "")
    study.write_text(text)
    with pytest.warns(UserWarning, match=r"\[layers.rna\]: 5 of 5 sample IDs \(100%\).*alias_columns = \['patient'\]"):
        read_study(study)


@pytest.mark.filterwarnings("default")
def test_build_cli_shows_warnings_as_one_line(tmp_path, capsys):
    from oncoresist.cli import main

    study = _write_small_study(tmp_path)
    rna = pd.DataFrame(np.ones((2, 4), dtype=int), index=["EGFR", "KRAS"], columns=["A1", "A2", "A3", "A4"])
    rna.index.name = "gene"
    rna.to_csv(tmp_path / "rna.tsv", sep="\t")
    code = main(["build", str(study), "--out", str(tmp_path / "c.h5mu"), "-q"])
    err = capsys.readouterr().err
    assert code == 0, err
    line = next(x for x in err.splitlines() if "[layers.rna]" in x)
    assert line.startswith("warning: [layers.rna]: 4 of 4 sample IDs") and "no column of the sample sheet" in line


def test_ctdna_table_stored_with_mapped_patients(tmp_path):
    study = _write_small_study(tmp_path, extra="")
    (tmp_path / "plasma.csv").write_text("Patient.ID,Blood.Collection.Date,Gene,ctDNA,Copy.Number,Mutations\n"
                                         "PT-0,0,EGFR,2.0,,EGFR L858R\nPT-0,90,EGFR,1.0,,EGFR T790M\n")
    study.write_text(study.read_text() + '\n[ctdna]\nfile = "plasma.csv"\nunit = "percent"\n')
    m = read_study(study)
    ct = m.uns["ctdna"]
    assert set(ct["patient"]) == {"P0"} and ct["vaf"].tolist() == [0.02, 0.01]  # PT-0 -> P0 through alias_columns
    out = tmp_path / "c.h5mu"
    write_h5mu(m, out)
    assert read_h5mu(out).uns["ctdna"]["alteration"].tolist() == ["EGFR L858R", "EGFR T790M"]
    study.write_text(study.read_text().replace('unit = "percent"', 'units = "percent"'))
    with pytest.raises(InputError, match=r"\[ctdna\] has unknown key"):
        read_study(study)


def _clonal_file(path: Path, samples=("T0", "T1")) -> Path:
    rows = [{"mutation_id": f"m{i}", "sample_id": s, "ref_counts": 60, "alt_counts": 40 - 10 * j * (i % 2),
             "major_cn": 1, "minor_cn": 1, "normal_cn": 2, "tumour_content": 0.9} for i in range(6) for j, s in enumerate(samples)]
    pd.DataFrame(rows).to_csv(path, sep="\t", index=False)
    return path


def test_clonal_table_stored_per_patient_with_time_order(tmp_path):
    study = _write_small_study(tmp_path)
    _clonal_file(tmp_path / "pc.tsv")
    base = study.read_text()
    study.write_text(base + '\n[clonal]\nfile = "pc.tsv"\npatient = "PT-1"\ntimes = ["T1", "T0"]\n')
    m = read_study(study)
    ci = m.uns["clonal_input"]
    assert set(ci["patient"]) == {"P1"}  # PT-1 -> P1 through alias_columns
    assert ci.groupby("sample_id")["time"].first().to_dict() == {"T0": 1.0, "T1": 0.0}
    assert list(ci.columns[:3]) == ["patient", "mutation_id", "sample_id"] and len(ci) == 12
    out = tmp_path / "c.h5mu"
    write_h5mu(m, out)
    assert read_h5mu(out).uns["clonal_input"]["alt_counts"].sum() == ci["alt_counts"].sum()
    _clonal_file(tmp_path / "pc2.tsv", samples=("R1",))
    study.write_text(base + '\n[clonal.PT-1]\nfile = "pc.tsv"\n\n[clonal.P9]\nfile = "pc2.tsv"\n')
    ci = read_study(study).uns["clonal_input"]
    assert ci.groupby("patient")["sample_id"].nunique().to_dict() == {"P1": 2, "P9": 1} and ci["time"].isna().all()


@pytest.mark.parametrize(("extra", "match"), [
    ('[clonal]\nfile = "pc.tsv"\n', "needs patient"),
    ('[clonal]\nfile = "pc.tsv"\npatient = "P1"\ntime = ["T0"]\n', "unknown key"),
    ('[clonal]\nfile = "pc.tsv"\npatient = "P1"\ntimes = ["T0"]\n', "times lacks sample"),
    ('[clonal]\nfile = "pc.tsv"\npatient = "P1"\ntimes = ["T0", "T0", "T1"]\n', "each once"),
    ('[clonal]\npatient = "P1"\n', "no file"),
    ('[clonal.P1]\nfile = "pc.tsv"\n[clonal.P2]\nfile = "pc.tsv"\npatient = "P1"\n', "appears twice"),
])
def test_clonal_table_bad_spec_names_the_fix(tmp_path, extra, match):
    study = _write_small_study(tmp_path)
    _clonal_file(tmp_path / "pc.tsv")
    study.write_text(study.read_text() + "\n" + extra)
    with pytest.raises(InputError, match=match):
        read_study(study)

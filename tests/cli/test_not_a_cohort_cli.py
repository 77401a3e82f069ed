"""Every CLI verb that opens a cohort gives one line (no traceback) for a non-MuData or damaged HDF5;
`build` never replaces an existing --out / --summary without --overwrite."""

from __future__ import annotations

import h5py
import numpy as np
import pandas as pd
import pytest

from oncoresist.cli import main

VERBS = [
    ["report", "{c}", "--out", "{t}/r.html"],
    ["report", "{c}", "--patient", "S1", "--out", "{t}/p.html"],
    ["associate", "{c}", "--all", "--out", "{t}/a.csv"],
    ["train", "{c}", "--all", "--out", "{t}/models"],
    ["integrate", "{c}", "--out", "{t}/integration"],
    ["activity", "{c}", "--out", "{t}/act"],
    ["annotate", "{c}", "--patient", "S1", "--out", "{t}/ann"],
]


def _plain_hdf5(path):
    with h5py.File(path, "w") as f:
        f["matrix"] = np.arange(6).reshape(2, 3)
    return path


def _h5ad(path):
    import anndata as ad

    ad.AnnData(np.ones((2, 2))).write_h5ad(path)
    return path


def _damaged(path):
    import anndata as ad
    import mudata as md

    md.MuData({"rna": ad.AnnData(np.ones((3, 2)))}).write(path)
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])
    return path


@pytest.mark.parametrize("make", [_plain_hdf5, _h5ad, _damaged], ids=["plain_hdf5", "h5ad", "truncated_h5mu"])
@pytest.mark.parametrize("args", VERBS, ids=lambda a: "-".join(a[:3:2]))
def test_non_mudata_cohort_is_a_one_line_error(tmp_path, capsys, make, args) -> None:
    import warnings

    cohort = make(tmp_path / "cohort.h5mu")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = main([a.format(c=cohort, t=tmp_path) for a in args])
    err = capsys.readouterr().err.strip()
    assert code == 1, err
    assert err.startswith("error: ") and len(err.splitlines()) == 1, err
    assert "cohort" in err and str(cohort) in err, err
    assert "Traceback" not in err


def _study(tmp_path):
    pd.DataFrame({"gene": ["EGFR", "KRAS"], "S1": [1.0, 2.0], "S2": [3.0, 4.0], "S3": [0.5, 1.5]}).to_csv(
        tmp_path / "rna.tsv", sep="\t", index=False)
    study = tmp_path / "study.toml"
    study.write_text('[study]\nname = "t"\n[layers.rna]\nkind = "matrix"\nfile = "rna.tsv"\n')
    return study


def test_build_refuses_existing_out_and_summary_unless_overwrite(tmp_path, capsys) -> None:
    study = _study(tmp_path)
    out = tmp_path / "cohort.h5mu"
    out.write_text("my data")
    assert main(["build", str(study), "--out", str(out), "-q"]) == 1
    err = capsys.readouterr().err
    assert "--out" in err and "already exists" in err and "--overwrite" in err
    assert out.read_text() == "my data"
    summary = tmp_path / "summary.csv"
    summary.write_text("mine")
    new = tmp_path / "new.h5mu"
    assert main(["build", str(study), "--out", str(new), "--summary", str(summary), "-q"]) == 1
    assert "--summary" in capsys.readouterr().err and not new.exists() and summary.read_text() == "mine"
    assert main(["build", str(study), "--out", str(out), "--summary", str(summary), "--overwrite", "-q"]) == 0
    from oncoresist.io import read_h5mu

    assert read_h5mu(out).n_obs == 3 and "rna" in summary.read_text()
    # the same build again (the cohort now exists) still needs --overwrite
    assert main(["build", str(study), "--out", str(out), "-q"]) == 1


@pytest.mark.parametrize("args", [["activity", "{c}", "--out", "{t}/act"], ["annotate", "{c}", "--patient", "S1", "--out", "{t}/ann"]],
                         ids=["activity", "annotate"])
@pytest.mark.parametrize("name", ["data.h5", "data.h5ad"])
def test_hdf5_is_recognised_as_a_cohort_by_content_not_name(tmp_path, capsys, args, name) -> None:
    cohort = (_plain_hdf5 if name.endswith(".h5") else _h5ad)(tmp_path / name)
    assert main([a.format(c=cohort, t=tmp_path) for a in args]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "not a MuData cohort" in err and name in err, err


def test_is_hdf5_sees_the_signature_after_a_mudata_user_block(tmp_path) -> None:
    import anndata as ad
    import mudata as md

    from oncoresist._core._utils import is_hdf5

    p = tmp_path / "c.h5mu"
    md.MuData({"rna": ad.AnnData(np.ones((2, 2)))}).write(p)
    raw = p.read_bytes()
    assert raw[:6] == b"MuData" and raw[512:520] == b"\x89HDF\r\n\x1a\n"  # MuData's 512-byte user block
    assert is_hdf5(p) and is_hdf5(_plain_hdf5(tmp_path / "x.h5"))
    (tmp_path / "t.csv").write_text("gene,S1\nEGFR,1\n")
    assert not is_hdf5(tmp_path / "t.csv") and not is_hdf5(tmp_path / "missing.h5")

"""Pseudonymised reports: salted HMAC pseudonyms everywhere, the key kept apart, no real ID in any page."""

from __future__ import annotations

import hashlib
import hmac

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest

from oncoresist._core._errors import InputError
from oncoresist.cli import main
from oncoresist.report import (
    Pseudonymiser,
    pseudonym,
    pseudonymise_cohort,
    scrub_text,
    start_pseudonyms,
)

IDS = ["SIM-0001", "SIM-0002", "SIM-0010"]


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    p = tmp_path_factory.mktemp("kbps") / "kb.duckdb"
    assert main(["kb", "build", "--out", str(p), "--quiet"]) == 0
    return p


def _cohort(path=None):
    rng = np.random.default_rng(0)
    mut = ad.AnnData(np.ones((3, 1)), obs=pd.DataFrame(index=IDS), var=pd.DataFrame(index=["EGFR"]))
    mut.uns["variants"] = pd.DataFrame({"sample": IDS, "gene": ["EGFR"] * 3, "protein_change": ["p.L858R", "p.T790M", "p.L858R"]})
    rna = ad.AnnData(rng.normal(size=(2, 4)), obs=pd.DataFrame(index=IDS[:2]), var=pd.DataFrame(index=list("ABCD")))
    mdata = md.MuData({"mut": mut, "rna": rna})
    mdata.obs["patient"] = IDS  # a text column holding the IDs themselves
    mdata.obs["age"] = [50, 60, 70]
    mdata.uns["notes"] = {"SIM-0002": ["SIM-0001", "other"]}
    if path is not None:
        mdata.write(path)
    return mdata


def _all_text(folder):
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") + p.name for p in folder.rglob("*") if p.is_file())


def test_pseudonym_is_hmac_sha256_of_the_id_with_the_salt():
    ref = hmac.new(b"pepper", b"SIM-0001", hashlib.sha256).hexdigest()[:10]
    assert pseudonym("SIM-0001", "pepper") == f"PT-{ref}"
    a, b = Pseudonymiser("pepper").map(IDS), Pseudonymiser("pepper").map(IDS[::-1])
    assert a == b and len(set(a.values())) == 3
    assert Pseudonymiser("salt2").map(IDS) != a
    assert Pseudonymiser().salt != Pseudonymiser().salt  # random salt by default


def test_cohort_copy_renames_obs_layers_and_uns_but_leaves_the_input():
    mdata = _cohort()
    mp = Pseudonymiser("s").map(IDS)
    c = pseudonymise_cohort(mdata, mp)
    assert list(c.obs_names) == [mp[i] for i in IDS] and list(mdata.obs_names) == IDS
    assert list(c.mod["rna"].obs_names) == [mp[i] for i in IDS[:2]]
    assert list(c.mod["mut"].uns["variants"]["sample"]) == [mp[i] for i in IDS]
    assert list(c.obs["patient"]) == [mp[i] for i in IDS] and list(c.obs["age"]) == [50, 60, 70]
    assert c.uns["notes"] == {mp["SIM-0002"]: [mp["SIM-0001"], "other"]}


def test_scrub_replaces_whole_ids_only_and_leaves_inline_images():
    text, n = scrub_text("SIM-0001, SIM-00011 and <img src='data:image/png;base64,SIM-0001AAA='> SIM-0001.html", {"SIM-0001": "PT-x"})
    assert n == 2 and text == "PT-x, SIM-00011 and <img src='data:image/png;base64,SIM-0001AAA='> PT-x.html"


def test_key_file_is_refused_inside_the_report_folder_and_salt_must_match(tmp_path):
    with pytest.raises(InputError, match="inside the report folder"):
        start_pseudonyms(IDS, salt="s", key_file=tmp_path / "rep" / "key.csv", report_dir=tmp_path / "rep")
    p, key = start_pseudonyms(IDS[:1], salt="s", key_file=None, report_dir=tmp_path / "rep")
    assert key == tmp_path / "pseudonym_key.csv"
    p.write_key(key)
    with pytest.raises(InputError, match="another salt"):
        start_pseudonyms(IDS, salt="t", key_file=key, report_dir=tmp_path / "rep")
    again, _ = start_pseudonyms(IDS, salt=None, key_file=key, report_dir=tmp_path / "rep")  # salt of the key reused
    assert again.salt == "s" and again.mapping["SIM-0001"] == pseudonym("SIM-0001", "s")


def test_report_cli_pseudonymises_the_cohort_and_patient_pages(tmp_path, capsys):
    cohort = tmp_path / "c.h5mu"
    _cohort(cohort)
    rep = tmp_path / "board"
    code = main(["report", str(cohort), "--out", str(rep / "report.html"), "--pseudonymise", "--salt", "pepper", "-q"])
    assert code == 0, capsys.readouterr().err
    code = main(["report", str(cohort), "-p", "SIM-0001", "--out", str(rep / "SIM-0001.html"), "--pseudonymise", "-q"])
    assert code == 0, capsys.readouterr().err
    mp = Pseudonymiser("pepper").map(IDS)
    names = sorted(p.name for p in rep.iterdir())
    assert names == sorted(["report.html", f"{mp['SIM-0001']}.html", f"{mp['SIM-0001']}.evidence.csv"])  # no ID in a file name
    text = _all_text(rep)
    assert not any(i in text for i in IDS), "a real sample ID leaked into the report folder"
    assert mp["SIM-0001"] in text and f"Patient {mp['SIM-0001']}" in (rep / f"{mp['SIM-0001']}.html").read_text()
    key = pd.read_csv(tmp_path / "pseudonym_key.csv", dtype=str)
    assert list(key.columns) == ["pseudonym", "sample_id", "salt"] and set(key["salt"]) == {"pepper"}
    assert dict(zip(key["sample_id"], key["pseudonym"])) == mp  # second run reused the key's salt


def test_annotate_cli_pseudonymises_csv_exports_and_page(tmp_path, capsys, kb):
    cohort = tmp_path / "c.h5mu"
    _cohort(cohort)
    out = tmp_path / "ann"
    code = main(["annotate", str(cohort), "-p", "SIM-0002", "--tumour-type", "NSCLC", "--out", str(out), "--html", "--pseudonymise", "-q",
                 "--kb", str(kb)])
    err = capsys.readouterr()
    assert code == 0, err.err
    assert {"alterations.csv", "summary.json", "report.html"} <= {p.name for p in out.iterdir()}
    text = _all_text(out)
    assert not any(i in text for i in IDS) and "EGFR T790M" in text
    key = pd.read_csv(tmp_path / "pseudonym_key.csv", dtype=str)
    assert key.loc[key["sample_id"] == "SIM-0002", "pseudonym"].iloc[0] in text
    assert main(["annotate", str(cohort), "-p", "SIM-0002", "--kb", str(kb), "--out", str(tmp_path / "b"), "--pseudonymise", "--key-file", str(tmp_path / "b" / "k.csv")]) == 1
    assert "inside the report folder" in capsys.readouterr().err


def test_annotate_maf_pseudonymises_the_sample_column(tmp_path, kb):
    maf = tmp_path / "alts.csv"
    pd.DataFrame({"sample": ["SIM-0001"], "gene": ["EGFR"], "alteration": ["L858R"]}).to_csv(maf, index=False)
    out = tmp_path / "ann"
    assert main(["annotate", str(maf), "-t", "NSCLC", "--out", str(out), "--pseudonymise", "--salt", "s", "-q", "--kb", str(kb)]) == 0
    text = _all_text(out)
    assert "SIM-0001" not in text and pseudonym("SIM-0001", "s") in text and "alts" not in text.replace("alterations", "")

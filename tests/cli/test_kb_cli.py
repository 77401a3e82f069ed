from __future__ import annotations

import json
import warnings
from pathlib import Path

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest

from oncoresist.cli import main


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    p = tmp_path_factory.mktemp("kbcli") / "kb.duckdb"
    assert main(["kb", "build", "--out", str(p), "--quiet"]) == 0
    return p


def test_help_has_examples(capsys) -> None:
    for verb in (["annotate"], ["kb", "build"], ["kb", "import"], ["kb", "query"], ["kb", "info"]):
        assert main([*verb, "--help"]) == 0
        out = capsys.readouterr().out
        assert "Example" in out and "--out" in out and "--quiet" in out


def test_build_info_query(kb: Path, tmp_path: Path, capsys) -> None:
    assert main(["kb", "build", "--out", str(kb)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert main(["kb", "info", "--kb", str(kb), "--out", str(tmp_path / "info.json"), "-q"]) == 0
    info = json.loads((tmp_path / "info.json").read_text())
    assert info["n_evidence"] > 100 and "core" in info["sources"]
    out = tmp_path / "q.csv"
    assert main(["kb", "query", "--kb", str(kb), "--alteration", "EGFR T790M", "--drug", "gefitinib", "--out", str(out), "-q"]) == 0
    q = pd.read_csv(out)
    assert len(q) >= 2 and set(q["direction"]) == {"resistance"}
    assert "from KB" in capsys.readouterr().out


def test_query_bad_input_is_one_line_error(kb: Path, capsys) -> None:
    assert main(["kb", "query", "--kb", str(kb), "--gene", "EGFR", "--drug", "notadrug"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: unknown drug") and "\n" not in err


def test_import(tmp_path: Path, capsys) -> None:
    kbp = tmp_path / "kb.duckdb"
    civic = tmp_path / "ClinicalEvidenceSummaries.tsv"
    pd.DataFrame({
        "molecular_profile": ["EGFR T790M", "TP53 Mutation"], "disease": ["Lung Non-small Cell Carcinoma", "Breast Cancer"],
        "therapies": ["Erlotinib", None], "therapy_interaction_type": [None, None], "evidence_type": ["Predictive", "Prognostic"],
        "evidence_direction": ["Supports", "Supports"], "evidence_level": ["A", "B"], "significance": ["Resistance", "Poor Outcome"],
        "citation_id": ["15737014", "1"], "source_type": ["PubMed", "PubMed"], "evidence_id": [238, 3], "evidence_statement": ["a", "b"],
    }).to_csv(civic, sep="\t", index=False)  # fmt: skip
    rep = tmp_path / "import.json"
    assert main(["kb", "import", str(civic), "--kb", str(kbp), "--out", str(rep)]) == 0
    r = json.loads(rep.read_text())
    assert r["n_kept"] == 1 and r["n_dropped"] == 1
    assert "imported 1 evidence items" in capsys.readouterr().out
    bad = tmp_path / "bad.tsv"
    bad.write_text("a\tb\n1\t2\n")
    assert main(["kb", "import", str(bad), "--kb", str(kbp)]) == 1
    assert "not a CIViC evidence file" in capsys.readouterr().err


def test_annotate_table_and_cohort(kb: Path, tmp_path: Path, capsys) -> None:
    table = tmp_path / "alts.tsv"
    table.write_text("alteration\nEGFR L858R\nEGFR T790M\nMET amplification\nEGFR blah\n")
    out = tmp_path / "ann"
    assert main(["annotate", str(table), "--kb", str(kb), "--tumour-type", "NSCLC", "--therapy", "erlotinib", "--out", str(out), "--html", "-q"]) == 0
    alerts = pd.read_csv(out / "alerts.csv")
    assert {"EGFR T790M", "MET amplification"} <= set(alerts["alteration"])
    assert len(pd.read_csv(out / "not_understood.csv")) == 1 and (out / "report.html").exists()
    assert "1 not understood" in capsys.readouterr().out

    idx = ["A", "B", "C"]
    mut = ad.AnnData(np.ones((3, 1)), obs=pd.DataFrame(index=idx), var=pd.DataFrame(index=["KRAS"]))
    mut.uns["variants"] = pd.DataFrame({"sample": idx, "gene": ["KRAS"] * 3, "protein_change": ["p.G12D", "p.G13D", "p.G12V"], "variant_class": ["Missense_Mutation"] * 3})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        m = md.MuData({"mut": mut})
    m.obs["tissue"] = ["colorectal"] * 3
    from oncoresist.io import write_h5mu

    h5 = write_h5mu(m, tmp_path / "cohort.h5mu")
    assert main(["annotate", str(h5), "--kb", str(kb), "--out", str(tmp_path / "b"), "-q"]) == 1
    assert "--patient" in capsys.readouterr().err
    assert main(["annotate", str(h5), "--patient", "B", "--kb", str(kb), "--out", str(tmp_path / "b"), "-q"]) == 0
    a = pd.read_csv(tmp_path / "b" / "alerts.csv")
    assert "cetuximab" in set(a["drug"]) and set(a["alteration"]) == {"KRAS G13D"}

    multi = tmp_path / "multi.csv"
    pd.DataFrame({"sample": ["X", "Y"], "gene": ["KRAS", "BRAF"], "protein_change": ["G12D", "V600E"]}).to_csv(multi, index=False)
    assert main(["annotate", str(multi), "--kb", str(kb), "--out", str(tmp_path / "c"), "-q"]) == 1
    assert "choose one with --patient" in capsys.readouterr().err
    assert main(["annotate", str(multi), "--patient", "Y", "--tumour-type", "melanoma", "--kb", str(kb), "--out", str(tmp_path / "c"), "-q"]) == 0
    opts = pd.read_csv(tmp_path / "c" / "options.csv")
    assert opts["therapy"].iloc[0] in {"vemurafenib", "dabrafenib + trametinib"}

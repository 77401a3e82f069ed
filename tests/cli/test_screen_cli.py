from __future__ import annotations

import anndata as ad
import numpy as np
import pandas as pd
import pytest

from oncoresist.cli import main


def write_screen(path, *, percent=True):
    d = np.array([0.0, 1, 3, 10, 30, 100, 300, 1000])  # nM
    rows = []
    for s, ic in (("P1", 20.0), ("P2", 300.0)):
        for drug in ("ibrutinib", "venetoclax"):
            via = np.where(d > 0, 0.05 + 0.95 / (1 + (np.where(d > 0, d, 1) / ic) ** 1.2), 1.0)
            rows.append(pd.DataFrame({"patient_id": s, "drug_name": drug, "conc_nM": d, "viability_pct": 100 * via if percent else via}))
    pd.concat(rows).to_csv(path, index=False)


def test_curves_verb_writes_metrics_and_layer(tmp_path, capsys):
    src = tmp_path / "screen.csv"
    write_screen(src)
    out = tmp_path / "metrics.csv"
    layer = tmp_path / "drug.h5ad"
    code = main(["curves", str(src), "--out", str(out), "--layer", str(layer), "--quiet"])
    assert code == 0, capsys.readouterr().err
    res = pd.read_csv(out)
    assert len(res) == 4 and (res["status"] == "ok").all()
    assert (res["n_control"] == 1).all()
    ic = res.set_index(["sample", "drug"])["ec50_uM"]
    assert ic[("P1", "ibrutinib")] == pytest.approx(0.02, rel=1e-3)  # nM converted to uM
    adata = ad.read_h5ad(layer)
    assert adata.shape == (2, 2) and "dss2" in adata.layers
    assert "4 of 4 fitted" in capsys.readouterr().out


def test_synergy_verb_writes_summary_and_wells(tmp_path, capsys):
    c = np.array([0.0, 10, 100, 1000])
    g1, g2 = np.meshgrid(c, c, indexing="ij")
    inh = 100 * (1 - 1 / (1 + g1 / 100) / (1 + g2 / 300))
    src = tmp_path / "matrix.csv"
    pd.DataFrame({"PairIndex": 1, "Drug1": "A", "Drug2": "B", "Conc1": g1.ravel(), "Conc2": g2.ravel(),
                  "Response": inh.ravel(), "ConcUnit": "nM"}).to_csv(src, index=False)  # fmt: skip
    out = tmp_path / "scores.csv"
    code = main(["synergy", str(src), "--out", str(out), "--methods", "bliss,zip", "--quiet"])
    assert code == 0, capsys.readouterr().err
    summary = pd.read_csv(out)
    wells = pd.read_csv(tmp_path / "scores_wells.csv")
    assert len(summary) == 1 and summary.loc[0, "status"] == "ok"
    assert abs(summary.loc[0, "bliss"]) < 1e-6 and "loewe" not in summary.columns
    assert len(wells) == 16 and {"bliss", "bliss_ref", "zip", "zip_ref"} <= set(wells.columns)


def test_help_has_examples(capsys):
    for verb in ("curves", "synergy"):
        assert main([verb, "--help"]) == 0
        out = capsys.readouterr().out
        assert "Example: oncoresist " + verb in out and "--out" in out and "--quiet" in out


@pytest.mark.parametrize(
    ("content", "args", "needle"),
    [
        (None, ["curves", "{tmp}/missing.csv", "--out", "{tmp}/o.csv"], "does not exist"),
        ("sample,drug,dose\nA,B,1\n", ["curves", "{tmp}/in.csv", "--out", "{tmp}/o.csv"], "response"),
        ("sample,drug,conc_uM,viability\nA,B,-1,0.5\n", ["curves", "{tmp}/in.csv", "--out", "{tmp}/o.csv"], "negative dose"),
        ("sample,drug,conc_uM,viability\nA,B,1,0.5\n", ["curves", "{tmp}/in.csv", "--out", "{tmp}/o.csv", "--model", "9p"], "model"),
        ("block,drug1,drug2,conc1,conc2\n1,A,B,0,0\n", ["synergy", "{tmp}/in.csv", "--out", "{tmp}/o.csv", "--unit", "uM"], "response"),
        ("block,drug1,drug2,conc1,conc2,response\n1,A,B,0,0,0\n", ["synergy", "{tmp}/in.csv", "--out", "{tmp}/o.csv", "--unit", "uM", "--methods", "cI"], "methods"),
    ],
)
def test_bad_input_one_line_error(tmp_path, capsys, content, args, needle):
    if content is not None:
        (tmp_path / "in.csv").write_text(content)
    code = main([a.format(tmp=tmp_path) for a in args])
    err = capsys.readouterr().err.strip()
    assert code == 1
    assert err.startswith("error: ") and needle in err, err
    assert len(err.splitlines()) == 1
    assert not (tmp_path / "o.csv").exists()

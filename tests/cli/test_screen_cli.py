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
        assert "Example:\n    oncoresist " + verb in out and "--out" in out and "--quiet" in out


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


def write_timecourse(path, rng):
    """thunor-style counts: 2 cell lines x 1 drug x 6 doses x 4 times x 2 plates, with a plate effect on x0."""
    dose_m = np.array([0.0, 1e-9, 1e-8, 1e-7, 1e-6, 1e-5])
    rows = []
    for line, ec50 in (("A", 1e-8), ("B", 1e-6)):
        for plate, x0 in (("P1", 800.0), ("P2", 1500.0)):
            k = 1 / 24 * (-0.3 + 1.3 / (1 + (np.where(dose_m > 0, dose_m, 1e-30) / ec50) ** 1.2))
            for t in (0.0, 24.0, 48.0, 72.0):
                counts = x0 * 2 ** (k * t + 0.02 * rng.standard_normal(len(dose_m)))
                for d, c in zip(dose_m, counts):
                    rows.append({"cell.line": line, "drug1": "erlotinib" if d > 0 else "", "drug1.conc": d,
                                 "drug1.units": "M", "time": t, "cell.count": round(c, 1), "upid": plate})  # fmt: skip
    pd.DataFrame(rows).to_csv(path, index=False)


def test_curves_verb_on_a_time_course_writes_gr_per_time_and_dip_outputs(tmp_path, capsys, rng):
    from scipy import stats

    src = tmp_path / "tc.csv"
    write_timecourse(src, rng)
    out = tmp_path / "metrics.csv"
    code = main(["curves", str(src), "--out", str(out), "--quiet", "--delay", "24"])
    assert code == 0, capsys.readouterr().err
    res = pd.read_csv(out)
    assert sorted(set(res["time"])) == [24.0, 48.0, 72.0] and len(res) == 6  # per sample x drug x time
    assert {"gr50_uM", "grmax", "gr_aoc", "ec50_uM", "auc"} <= set(res.columns)
    assert (res["status"] == "ok").all() and res["grinf"].notna().all()
    g = res.set_index(["sample", "time"])["gec50_uM"]
    assert g[("A", 72.0)] < g[("B", 72.0)] / 10  # A is the sensitive line
    rates = pd.read_csv(tmp_path / "dip_rates.csv")
    assert list(rates.columns) == ["sample", "drug", "dose", "dip_rate", "dip_rate_se", "n_times", "n_points", "r2"]
    tc = pd.read_csv(src)
    sub = tc[(tc["cell.line"] == "B") & (tc["drug1.conc"] == 1e-6) & (tc["time"] >= 24)]
    ref = stats.linregress(sub["time"], np.log2(sub["cell.count"]))
    row = rates[(rates["sample"] == "B") & np.isclose(rates["dose"], 1.0)].iloc[0]
    assert row["dip_rate"] == pytest.approx(ref.slope, rel=1e-6) and row["n_times"] == 3
    dc = pd.read_csv(tmp_path / "dip_curves.csv").set_index("sample")
    assert dc.loc["A", "dip_ec50_uM"] == pytest.approx(0.01, rel=0.3)
    assert dc.loc["B", "dip_ec50_uM"] == pytest.approx(1.0, rel=0.3)
    assert dc.loc["A", "dip_einf"] == pytest.approx(-0.3, abs=0.1)


def test_curves_verb_no_timecourse_flag_reads_a_viability_table(tmp_path, capsys):
    src = tmp_path / "screen.csv"
    write_screen(src)
    code = main(["curves", str(src), "--out", str(tmp_path / "m.csv"), "--quiet", "--timecourse"])
    assert code != 0 and "time" in capsys.readouterr().err
    assert main(["curves", str(src), "--out", str(tmp_path / "m.csv"), "--quiet", "--no-timecourse"]) == 0
    assert not (tmp_path / "dip_rates.csv").exists()


def test_curves_verb_writes_parquet_and_refuses_it_without_pyarrow(tmp_path, capsys, monkeypatch):
    pytest.importorskip("pyarrow", reason="Parquet output needs pyarrow (optional)")
    src = tmp_path / "screen.csv"
    write_screen(src)
    code = main(["curves", str(src), "--out", str(tmp_path / "m.parquet"), "--quiet"])
    assert code == 0, capsys.readouterr().err
    code = main(["curves", str(src), "--out", str(tmp_path / "m.csv"), "--quiet"])
    assert code == 0, capsys.readouterr().err
    pq, csv = pd.read_parquet(tmp_path / "m.parquet"), pd.read_csv(tmp_path / "m.csv", keep_default_na=False, na_values=[""])
    assert list(pq.columns) == list(csv.columns) and len(pq) == 4
    np.testing.assert_allclose(pq["ec50_uM"].to_numpy(), csv["ec50_uM"].to_numpy(), rtol=1e-12)
    assert pq["sample"].tolist() == csv["sample"].tolist()
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pyarrow" else real(name, *a))
    code = main(["curves", str(src), "--out", str(tmp_path / "n.parquet"), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 1 and "needs pyarrow" in err and "pip install pyarrow" in err and len(err.splitlines()) == 1, err
    assert not (tmp_path / "n.parquet").exists()

"""CLI verbs associate / train / predict, through oncoresist.cli.main (returns the exit code)."""

from __future__ import annotations

import json
import warnings

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest

from oncoresist.cli import main
from oncoresist.io import write_h5mu


def _ad(X: np.ndarray, obs: list[str], var: list[str]) -> ad.AnnData:
    return ad.AnnData(np.asarray(X, dtype=float), obs=pd.DataFrame(index=obs), var=pd.DataFrame(index=var))


def _write(tmp_path, name: str, mods: dict[str, ad.AnnData], obs: dict | None = None):  # noqa: ANN001, ANN202
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        m = md.MuData(mods)
    for k, v in (obs or {}).items():
        m.obs[k] = v
    path = tmp_path / name
    write_h5mu(m, path)
    return path


@pytest.fixture
def cohort(tmp_path):
    rng = np.random.default_rng(0)
    n = 70
    ids = [f"S{i:02d}" for i in range(n)]
    mut = (rng.random((n, 5)) < 0.3).astype(float)
    rna = rng.normal(size=(n, 10))
    cnv = rng.normal(0, 0.5, size=(n, 6))
    Y = np.column_stack([
        0.6 - 0.3 * mut[:, 0] + rng.normal(0, 0.04, n),
        0.5 + 0.12 * rna[:, 2] + rng.normal(0, 0.03, n),
        np.r_[rng.random(4), np.full(n - 4, np.nan)],
    ])
    return _write(tmp_path, "cohort.h5mu", {
        "mut": _ad(mut, ids, ["EGFR", "KRAS", "TP53", "BRAF", "PTEN"]),
        "rna": _ad(rna, ids, [f"G{i}" for i in range(10)]),
        "cnv": _ad(cnv, ids, [f"G{i}" for i in range(6)]),
        "drug": _ad(Y, ids, ["gefitinib", "paclitaxel", "rarely_screened"]),
    }, {"tissue": np.where(np.arange(n) % 2, "lung", "colon")})


def test_associate_verb(cohort, tmp_path, capsys):
    out = tmp_path / "assoc.csv"
    code = main(["associate", str(cohort), "--all", "--layers", "mut,rna", "--covariates", "tissue",
                 "--out", str(out), "--plots", str(tmp_path / "plots"), "--quiet"])
    assert code == 0
    res = pd.read_csv(out)
    top = res[res["target"] == "gefitinib"].iloc[0]
    assert (top["layer"], top["feature"], top["direction"]) == ("mut", "EGFR", "sensitivity")
    assert {"n_pos", "n_neg", "glass_delta_pos", "fdr"} <= set(res.columns)
    assert (tmp_path / "plots" / "volcano.png").exists()
    assert len(list((tmp_path / "plots").glob("hit*.png"))) == 5
    assert "associations:" in capsys.readouterr().out


def test_associate_bad_input_is_one_line(cohort, tmp_path, capsys):
    assert main(["associate", str(cohort), "--out", str(tmp_path / "a.csv"), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: no drug chosen") and err.count("\n") == 1
    assert main(["associate", str(cohort), "--drug", "gefitnib", "--out", str(tmp_path / "a.csv"), "--quiet"]) == 1
    assert "Closest: gefitinib" in capsys.readouterr().err
    assert main(["associate", str(tmp_path / "missing.h5mu"), "--all", "--out", str(tmp_path / "a.csv")]) == 1


def test_train_and_predict_on_patient_missing_a_layer(cohort, tmp_path, capsys):
    model_dir = tmp_path / "model"
    code = main(["train", str(cohort), "--all", "--model", "late", "--folds", "3", "--out", str(model_dir),
                 "--n-jobs", "1", "--quiet"])
    assert code == 0
    card = json.loads((model_dir / "model_card.json").read_text())
    assert sorted(card["drugs"]) == ["gefitinib", "paclitaxel"]
    assert "rarely_screened" in card["skipped"]
    assert card["cv"]["cv"] == "sample" and card["cv"]["n_splits"] == 3
    assert card["scores"]["late"]["median_pearson"] > 0.7
    assert card["data"]["source"].endswith("cohort.h5mu")
    capsys.readouterr()
    # a new patient with mutations and RNA only (no cnv layer)
    rng = np.random.default_rng(3)
    new = _write(tmp_path, "patient.h5mu", {
        "mut": _ad([[1, 0, 0, 0, 0]], ["PAT1"], ["EGFR", "KRAS", "TP53", "BRAF", "PTEN"]),
        "rna": _ad(rng.normal(size=(1, 10)), ["PAT1"], [f"G{i}" for i in range(10)]),
    })
    pred_file = tmp_path / "pred.csv"
    assert main(["predict", str(model_dir), str(new), "--out", str(pred_file)]) == 0
    pred = pd.read_csv(pred_file, keep_default_na=False)
    assert list(pred["drug"]) == ["gefitinib", "paclitaxel"]
    assert np.isfinite(pred["predicted"].astype(float)).all()
    g = pred.set_index("drug").loc["gefitinib"]
    assert "mut" in g["layers_used"]
    assert float(g["predicted"]) < 0.5  # EGFR-mutant patient predicted sensitive
    captured = capsys.readouterr()
    assert "predictions:" in captured.out


def test_predict_mismatched_features_and_bad_model_dir(cohort, tmp_path, capsys):
    model_dir = tmp_path / "m"
    assert main(["train", str(cohort), "--drug", "gefitinib", "--model", "enet", "--cv", "none",
                 "--out", str(model_dir), "--n-jobs", "1", "--quiet"]) == 0
    other = _write(tmp_path, "other.h5mu", {"rna": _ad(np.ones((2, 3)), ["X1", "X2"], ["ENSG1", "ENSG2", "ENSG3"])})
    capsys.readouterr()
    assert main(["predict", str(model_dir), str(other), "--out", str(tmp_path / "p.csv")]) == 1
    err = capsys.readouterr().err
    assert "share none of the model's" in err and err.count("\n") == 1
    assert main(["predict", str(tmp_path), str(other), "--out", str(tmp_path / "p.csv")]) == 1
    assert "is not a model folder" in capsys.readouterr().err


def test_train_on_a_dask_scheduler_address(cohort, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        code = main(["train", str(cohort), "--drug", "gefitinib,paclitaxel", "--model", "enet", "--folds", "3",
                     "--scheduler", cluster.scheduler_address, "--out", str(tmp_path / "dask_model"), "--quiet"])
    assert code == 0
    card = json.loads((tmp_path / "dask_model" / "model_card.json").read_text())
    assert card["scores"]["enet"]["frac_beats_mean"] == 1.0


def test_train_survival_and_predict_risk_of_new_patients(tmp_path, capsys):
    rng = np.random.default_rng(4)
    n = 140
    ids = [f"P{i:03d}" for i in range(n)]
    prot = rng.normal(size=(n, 12))
    age = rng.normal(62, 9, n)
    lp = 0.9 * prot[:, 0] - 0.6 * prot[:, 1] + 0.03 * (age - 62)
    t_event = rng.exponential(np.exp(-lp))
    t_cens = rng.uniform(0.3, 3, n)
    path = _write(tmp_path, "surv.h5mu", {"prot": _ad(prot, ids, [f"P{i}" for i in range(12)])},
                  {"os_days": np.minimum(t_event, t_cens) * 365, "os_event": (t_event <= t_cens).astype(int), "age": age})
    out = tmp_path / "os_model"
    code = main(["train", str(path), "--survival", "--time-key", "os_days", "--event-key", "os_event",
                 "--obs-features", "age", "--unpenalized", "obs", "--folds", "4", "--out", str(out), "--quiet"])
    assert code == 0, capsys.readouterr().err
    assert "survival" in capsys.readouterr().out
    card = json.loads((out / "model_card.json").read_text())
    assert card["task"] == "survival" and card["cv"]["n_splits"] == 4
    assert card["scores"]["coxnet"]["harrell_mean"] > 0.65
    assert {"km.png", "cv_predictions.csv", "features.csv"} <= {p.name for p in out.iterdir()}
    feats = pd.read_csv(out / "features.csv")
    assert set(feats.head(2)["feature"]) == {"P0", "P1"} and "age" in set(feats["feature"])
    oof = pd.read_csv(out / "cv_predictions.csv")
    assert len(oof) == n and set(oof["group"]) == {"high", "low"}
    # new patients: one with the whole proteome, one without age, one with half the proteins
    new_prot = rng.normal(size=(3, 12))
    new_prot[0, :2] = [2.5, -2.5]   # high risk by the true model
    new_prot[1, :2] = [-2.5, 2.5]   # low risk
    new_prot[2, 6:] = np.nan
    new = _write(tmp_path, "new.h5mu", {"prot": _ad(new_prot, ["N1", "N2", "N3"], [f"P{i}" for i in range(12)])},
                 {"age": [60.0, np.nan, 70.0]})
    pred_path = tmp_path / "risk.csv"
    assert main(["predict", str(out), str(new), "--out", str(pred_path), "--quiet"]) == 0
    pred = pd.read_csv(pred_path).set_index("sample")
    assert list(pred.columns[:2]) == ["risk", "risk_group"]
    assert pred.loc["N1", "risk_group"] == "high" and pred.loc["N2", "risk_group"] == "low"
    assert pred.loc["N1", "risk"] > pred.loc["N2", "risk"]
    assert "obs" in str(pred.loc["N2", "layers_missing"])
    # options that do not fit a survival model are refused with one line
    assert main(["predict", str(out), str(new), "--drug", "x", "--out", str(pred_path)]) == 1
    assert "survival model" in capsys.readouterr().err
    assert main(["train", str(path), "--survival", "--all", "--out", str(tmp_path / "x")]) == 1
    assert main(["train", str(path), "--survival", "--time-key", "pfs", "--out", str(tmp_path / "x")]) == 1
    assert "pfs" in capsys.readouterr().err


def _clinical_cohort(tmp_path, n: int = 120):  # noqa: ANN001, ANN202
    """Survival driven by a protein and the clinical stage; a few invalid follow-ups."""
    rng = np.random.default_rng(7)
    ids = [f"P{i:03d}" for i in range(n)]
    prot = rng.normal(size=(n, 4))
    stage = rng.choice(["I", "II", "III"], n)
    lp = 0.8 * prot[:, 0] + 1.2 * (stage == "III")
    t_event = rng.exponential(np.exp(-lp))
    t_cens = rng.uniform(0.3, 3, n)
    time = np.minimum(t_event, t_cens) * 365
    time[:3] = [0.0, -5.0, np.nan]
    event = (t_event <= t_cens).astype(float)
    event[3] = 2.0
    return _write(tmp_path, "clin.h5mu", {"prot": _ad(prot, ids, ["A", "B", "C", "D"])},
                  {"os_days": time, "os_event": event, "stage": stage, "age": rng.normal(60, 8, n)})


def test_train_survival_on_covariates_only_drops_invalid_follow_up(tmp_path, capsys):
    path = _clinical_cohort(tmp_path)
    out = tmp_path / "clin_model"
    args = ["train", str(path), "--survival", "--time-key", "os_days", "--event-key", "os_event", "--folds", "3"]
    code = main([*args, "--layers", "none", "--covariates", "stage,age", "--exclude-samples", "P010,P011",
                 "--out", str(out), "--quiet"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "dropped 6 of 120 samples: " in captured.err
    assert "time = 0: 1 (P000)" in captured.err and "negative time: 1 (P001)" in captured.err
    assert "event not 0/1: 1 (P003)" in captured.err and "excluded (--exclude-samples): 2 (P010, P011)" in captured.err
    card = json.loads((out / "model_card.json").read_text())
    assert set(card["data"]["layers"]) == {"obs"} and card["data"]["n_samples"] == 114
    assert card["data"]["obs_features"] == ["stage", "age"]
    feats = set(pd.read_csv(out / "features.csv")["feature"])
    assert feats <= {"stage=I", "stage=II", "stage=III", "age"} and "stage=III" in feats
    new = _write(tmp_path, "new.h5mu", {"prot": _ad(np.zeros((2, 4)), ["N1", "N2"], ["A", "B", "C", "D"])},
                 {"stage": ["III", "I"], "age": [60.0, 60.0]})
    assert main(["predict", str(out), str(new), "--out", str(tmp_path / "risk.csv"), "--quiet"]) == 0
    pred = pd.read_csv(tmp_path / "risk.csv").set_index("sample")
    assert pred.loc["N1", "risk"] > pred.loc["N2", "risk"]  # stage III: higher risk


@pytest.mark.parametrize(("extra", "message"), [
    (["--layers", ""], "--layers is empty"),
    (["--layers", "none"], "--layers none leaves no features"),
    (["--layers", "none,prot"], "cannot be combined"),
    (["--model", "factor"], "--model is ignored by --survival"),
    (["--drug", "gefitinib"], "--drug is ignored by --survival"),
    (["--metric", "aac", "--cv", "group"], "--metric, --cv are ignored by --survival"),
    (["--exclude-samples", "NOPE"], "not in the cohort: NOPE"),
])  # fmt: skip
def test_train_survival_refuses_options_it_would_ignore(tmp_path, capsys, extra, message):
    path = _clinical_cohort(tmp_path)
    code = main(["train", str(path), "--survival", "--time-key", "os_days", "--event-key", "os_event",
                 *extra, "--out", str(tmp_path / "x")])
    assert code == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("extra", [["--covariates", "age"], ["--exclude-samples", "P001"], ["--time-key", "os_days"],
                                   ["--l1-ratio", "0.5"]])
def test_drug_training_refuses_survival_only_options(cohort, tmp_path, capsys, extra):
    assert main(["train", str(cohort), "--drug", "gefitinib", *extra, "--out", str(tmp_path / "x")]) == 1
    err = capsys.readouterr().err
    assert "ignored by drug-response training" in err and "add --survival" in err


def test_train_summary_shows_gain_over_the_drug_sample_baseline(cohort, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")  # the rich table must not wrap its headers
    out = tmp_path / "m"
    assert main(["train", str(cohort), "--drug", "gefitinib,paclitaxel", "--model", "enet", "--folds", "3",
                 "--out", str(out), "--n-jobs", "1"]) == 0
    err = capsys.readouterr().err
    assert "median_gain_over_baseline" in err and "frac_positive_gain" in err and "drug_sample baseline" in err
    sc = pd.read_csv(out / "cv_scores.csv")
    enet = sc[sc["model"] == "enet"].set_index("drug")
    assert (enet["gain_over_baseline"] > 0).all()  # each drug is driven by one feature
    card = json.loads((out / "model_card.json").read_text())
    assert card["scores"]["enet"]["frac_positive_gain"] == 1.0


def test_train_model_select_records_the_choice_per_drug(cohort, tmp_path, capsys):
    model_dir = tmp_path / "sel"
    code = main(["train", str(cohort), "--all", "--model", "select", "--folds", "3", "--out", str(model_dir),
                 "--n-jobs", "1", "--quiet"])
    assert code == 0, capsys.readouterr().err
    card = json.loads((model_dir / "model_card.json").read_text())
    assert card["model"]["name"] == "select" and card["model"]["integration"].startswith("select")
    for d in ("gefitinib", "paclitaxel"):
        assert card["drugs"][d]["selected"] in ("enet_rna", "late")
        assert {"inner_pearson_enet_rna", "inner_pearson_late"} <= set(card["drugs"][d])
    # gefitinib is driven by EGFR mutation, invisible to the RNA-only elastic net
    assert card["drugs"]["gefitinib"]["selected"] == "late"
    sc = pd.read_csv(model_dir / "cv_scores.csv")
    rows = sc[sc["kind"] == "model"].set_index("drug")
    assert rows.loc["gefitinib", "selected"] == "late"

"""``oncoresist train --task classify`` and ``predict`` with a classifier, through oncoresist.cli.main."""

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
from oncoresist.io import write_h5mu


def _write(path: Path, mods: dict[str, np.ndarray], ids: list[str], obs: dict | None = None) -> Path:
    layers = {k: ad.AnnData(v, obs=pd.DataFrame(index=ids), var=pd.DataFrame(index=[f"{k}{j}" for j in range(v.shape[1])]))
              for k, v in mods.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        m = md.MuData(layers)
    for k, v in (obs or {}).items():
        m.obs[k] = v
    write_h5mu(m, path)
    return path


def _layers(n: int, seed: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.array(["resp", "nonresp"] * (n // 2), dtype=object)
    code = (y == "resp").astype(float)
    rna, meth = rng.normal(size=(n, 12)), rng.normal(size=(n, 8))
    rna[:, :2] += 1.5 * code[:, None]
    meth[:, 0] -= 1.5 * code
    return {"rna": rna, "meth": meth}, y


@pytest.fixture
def cohort(tmp_path: Path) -> Path:
    mods, y = _layers(48, 0)
    y[:2] = None  # two samples without a label
    return _write(tmp_path / "cohort.h5mu", mods, [f"S{i:02d}" for i in range(48)], {"response": y})


def test_train_classify_writes_tables_and_predict_handles_a_missing_layer(cohort: Path, tmp_path: Path,
                                                                           capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "clf"
    assert main(["train", str(cohort), "--task", "classify", "--target", "response", "--model", "spls", "--folds", "4",
                 "--out", str(out)]) == 0
    said = capsys.readouterr()
    assert "CV balanced accuracy" in said.out and "2 sample(s) have no 'response' label" in said.err
    met = pd.read_csv(out / "classification_metrics.csv").set_index("model")
    for c in ("kind", "balanced_accuracy", "balanced_error", "accuracy", "macro_f1", "n"):
        assert c in met.columns
    assert met.loc["splsda", "kind"] == "model" and met.loc["majority", "kind"] == "baseline"
    assert met.loc["splsda", "n"] == 46 and met.loc["splsda", "balanced_accuracy"] > 0.8
    conf = pd.read_csv(out / "confusion_matrix.csv")
    assert list(conf.columns) == ["model", "observed", "nonresp", "resp"]
    assert conf.loc[conf["model"] == "splsda", ["nonresp", "resp"]].to_numpy().sum() == 46
    pred = pd.read_csv(out / "predictions.csv")
    assert list(pred.columns) == ["sample", "observed", "predicted", "p_nonresp", "p_resp", "fold"]
    assert sorted(pred["fold"].unique()) == [0, 1, 2, 3]
    card = json.loads((out / "model_card.json").read_text())
    assert card["task"] == "classify" and card["data"]["left_out"]["n_unlabelled"] == 2
    # new samples: two with both layers, one with RNA only (a separate cohort without meth)
    mods, y = _layers(4, 7)
    new = _write(tmp_path / "new.h5mu", mods, ["N1", "N2", "N3", "N4"])
    rna_only = _write(tmp_path / "rna_only.h5mu", {"rna": mods["rna"]}, ["N1", "N2", "N3", "N4"])
    for src, used in ((new, "meth,rna"), (rna_only, "rna")):
        pf = tmp_path / f"pred_{src.stem}.csv"
        assert main(["predict", str(out), str(src), "--out", str(pf), "--quiet"]) == 0
        p = pd.read_csv(pf, keep_default_na=False)
        assert list(p.columns[:4]) == ["sample", "predicted", "p_nonresp", "p_resp"]
        assert (p["layers_used"] == used).all()
        assert np.allclose(p[["p_nonresp", "p_resp"]].sum(axis=1), 1.0)
    assert "predictions:" in capsys.readouterr().out
    assert main(["predict", str(out), str(new), "--drug", "x", "--out", str(tmp_path / "p.csv")]) == 1
    assert "this is a classifier" in capsys.readouterr().err


@pytest.mark.parametrize(("extra", "message"), [
    (["--task", "classify"], "needs --target COLUMN"),
    (["--target", "response"], "--target applies to --task classify"),
    (["--task", "classify", "--target", "response", "--model", "enet"], "--model 'enet' is not a classifier"),
    (["--task", "classify", "--target", "response", "--survival"], "does not combine with --survival"),
    (["--task", "classify", "--target", "response", "--cv", "group"], "does not combine with --cv group"),
    (["--task", "classify", "--target", "nope"], "sample annotation 'nope' not found"),
    (["--task", "cluster"], "--task must be 'regress' or 'classify'"),
])
def test_train_classify_bad_options_are_one_line_errors(cohort: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        extra: list[str], message: str) -> None:
    assert main(["train", str(cohort), *extra, "--out", str(tmp_path / "m"), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert message in err and err.startswith("error:")
    assert not (tmp_path / "m").exists()


def test_train_help_documents_the_classify_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", "--help"]) == 0
    text = capsys.readouterr().out
    for word in ("--task", "--target", "classify", "spls", "balanced_accuracy", "confusion_matrix.csv"):
        assert word in text

import types
import warnings

import anndata as ad
import matplotlib.pyplot as plt
import mudata as md
import numpy as np
import pandas as pd
import pytest

from oncoresist import pl
from oncoresist._core._errors import InputError
from oncoresist.report._classify_section import classify_section, patient_classify_section
from oncoresist.report._cohort import analysis_sections
from oncoresist.tl import store_classification, train_classifier


def _cohort(n=40, seed=0):
    rng = np.random.default_rng(seed)
    idx = pd.Index([f"s{i}" for i in range(n)])
    x = rng.normal(size=(n, 5))
    x[n // 2:, 0] += 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        m = md.MuData({"rna": ad.AnnData(x, obs=pd.DataFrame(index=idx), var=pd.DataFrame(index=list("ABCDE")))})
    m.obs["subtype"] = np.repeat(["x", "y"], n // 2)
    return m


@pytest.fixture(scope="module")
def trained():
    m = _cohort()
    return m, train_classifier(m, target="subtype", n_splits=4)


def test_store_claims_key_and_replaces_its_own(trained):
    m, clf = trained
    m.uns["classify"] = {"mine": 1}
    with pytest.raises(InputError, match="classify"):
        store_classification(m, clf)
    assert m.uns["classify"] == {"mine": 1}
    del m.uns["classify"]
    store_classification(m, clf)
    store_classification(m, clf)  # its own result is replaced
    rec = m.uns["classify"]
    assert rec["params"]["target"] == "subtype" and rec["params"]["classes"] == ["x", "y"]
    assert len(rec["predictions"]) == 40


def test_store_refuses_non_classifier():
    with pytest.raises(InputError, match="not a classifier"):
        store_classification(_cohort(), types.SimpleNamespace(task="regress"))


def test_confusion_matrix_counts_in_cells():
    c = pd.DataFrame({"model": "late", "observed": ["x", "y"], "x": [9, 2], "y": [1, 8]})
    fig, ax = plt.subplots()
    assert pl.confusion_matrix(c, ax=ax) is fig
    assert [t.get_text() for t in ax.texts] == ["9\n90%", "1\n10%", "2\n20%", "8\n80%"]
    with pytest.raises(InputError, match="no model 'rf'"):
        pl.confusion_matrix(c, model="rf")
    plt.close("all")


def test_cohort_and_patient_sections(trained):
    m, clf = trained
    store_classification(m, clf, overwrite=True)
    s = classify_section(m)
    assert s is not None and "balanced_accuracy" in s.html and "<img" in s.html
    ba = float(clf.tables["classification_metrics"].query("kind == 'model'")["balanced_accuracy"].iloc[0])
    assert ba > 0.8 and f"{ba:.3f}" in s.summary
    assert "classification" in [x.id for x in analysis_sections(m)[0]]
    p = patient_classify_section(types.SimpleNamespace(patient="s39"), m)
    row = clf.tables["predictions"].set_index("sample").loc["s39"]
    assert p.meta["predicted"] == row["predicted"]
    assert p.meta["probability"] == pytest.approx(row[f"p_{row['predicted']}"])
    assert patient_classify_section(types.SimpleNamespace(patient="absent"), m) is None


def test_missing_classification_names_the_command():
    _, missing = analysis_sections(_cohort(10))
    assert any(line.startswith("Classification") and "--store-in" in line for line in missing)


def test_cli_store_in_writes_cohort(tmp_path):
    from oncoresist.cli import main
    from oncoresist.io import read_h5mu, write_h5mu

    m = _cohort()
    write_h5mu(m, tmp_path / "c.h5mu")
    assert main(["train", str(tmp_path / "c.h5mu"), "--task", "classify", "--target", "subtype", "--folds", "3", "--quiet",
          "--out", str(tmp_path / "mod"), "--store-in", str(tmp_path / "with.h5mu")]) == 0
    back = read_h5mu(tmp_path / "with.h5mu")
    assert classify_section(back) is not None
    assert set(back.uns["classify"]["predictions"]["sample"]) == set(m.obs_names)

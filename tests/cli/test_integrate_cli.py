"""CLI verb ``integrate`` (cli._integrate)."""

from __future__ import annotations

import warnings

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest

from oncoresist.cli import main
from oncoresist.io import read_h5mu, write_h5mu


def small_cohort(n=60, seed=0):
    rng = np.random.default_rng(seed)
    ids = [f"P{i:03d}" for i in range(n)]
    z = rng.normal(size=(n, 2))
    group = np.repeat(["A", "B"], n // 2)
    z[group == "B", 0] += 2.5
    counts = rng.poisson(np.exp(3 + 0.5 * z @ rng.normal(size=(2, 40)))).astype(float)
    rna = ad.AnnData(counts.copy(), obs=pd.DataFrame(index=ids), var=pd.DataFrame(index=[f"G{i}" for i in range(40)]))
    rna.layers["counts"] = counts
    prot = ad.AnnData(z @ rng.normal(size=(2, 25)) + rng.normal(size=(n, 25)), obs=pd.DataFrame(index=ids),
                      var=pd.DataFrame(index=[f"P{i}" for i in range(25)]))
    prot.uns["prot"] = {"scale": "log2"}
    mut = ad.AnnData((rng.random((n, 12)) < 0.15).astype(float), obs=pd.DataFrame(index=ids),
                     var=pd.DataFrame(index=[f"M{i}" for i in range(12)]))
    drug = ad.AnnData(np.c_[0.5 + 0.1 * z[:, 0] + rng.normal(scale=0.05, size=n)], obs=pd.DataFrame(index=ids),
                      var=pd.DataFrame(index=["drugX"]))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*names are intersecting.*")
        m = md.MuData({"rna": rna, "prot": prot[5:].copy(), "mut": mut, "drug": drug})
    m.obs["group"] = group
    m.obs["batch"] = np.tile(["b1", "b2", "b3"], n // 3)
    return m


def test_integrate_writes_outputs(tmp_path, capsys):
    cohort = tmp_path / "cohort.h5mu"
    write_h5mu(small_cohort(), cohort)
    out = tmp_path / "integration"
    code = main(["integrate", str(cohort), "--out", str(out), "--n-factors", "5", "--batch-key", "batch",
                 "--subtypes", "snf", "--quiet"])
    assert code == 0, capsys.readouterr().err
    assert "integration:" in capsys.readouterr().out
    for f in ("cohort.h5mu", "factors.csv", "loadings.csv", "variance_explained.csv", "subtypes.csv",
              "k_selection.csv", "associations.csv", "model/model.joblib", "model/model_card.json"):
        assert (out / f).exists(), f
    m = read_h5mu(out / "cohort.h5mu")
    assert "X_factors" in m.obsm and "subtype" in m.obs and "factors" in m.mod["prot"].varm
    assert m.uns["factors"]["params"]["mods"].tolist() == ["rna", "prot", "mut"]
    F = pd.read_csv(out / "factors.csv")
    assert F.shape[0] == 60 and F.columns[0] == "sample"
    assoc = pd.read_csv(out / "associations.csv")
    assert {"clinical", "drug"} <= set(assoc["kind"])
    # the group difference planted in factor space is found
    grp = assoc[(assoc["variable"] == "group") & (assoc["target"] == "subtype")]
    assert grp["p_value"].min() < 1e-4
    # project a new patient who only has RNA and mutations onto the saved model
    new = small_cohort(seed=1)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*names are intersecting.*")
        one = md.MuData({"rna": new.mod["rna"][:1].copy(), "mut": new.mod["mut"][:1].copy()})
    write_h5mu(one, tmp_path / "new.h5mu")
    code = main(["integrate", str(tmp_path / "new.h5mu"), "--model", str(out / "model"), "--out", str(tmp_path / "new"), "-q"])
    assert code == 0, capsys.readouterr().err
    Fn = pd.read_csv(tmp_path / "new" / "factors.csv")
    assert Fn.shape == (1, F.shape[1]) and np.isfinite(Fn.iloc[0, 1:].to_numpy(dtype=float)).all()


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--layers", "rna,nope"], "not in the cohort"),
        (["--method", "pca"], "--method must be"),
        (["--sparsity", "spike"], "--sparsity must be"),
        (["--subtypes", "kmeans"], "--subtypes must be"),
        (["--affinity", "sparse"], "--affinity must be"),
        (["--batch-key", "nope"], "column 'nope' not found"),
        (["--model", "{tmp}/nomodel"], "no factor model"),
        (["--data-type", "rna"], "not LAYER=TYPE"),
        (["--data-type", "rna=raw-ish"], "is not known"),
        (["--data-type", "mut=binary,rna=binary"], "declared 'binary'"),
        (["--data-type", "rna=counts", "--no-preprocess"], "drop --no-preprocess"),
        (["--time-key", "group"], "go together"),
        (["--time-key", "os_t", "--event-key", "os_e"], "not a sample column"),
    ],
)
def test_integrate_bad_input_one_line(tmp_path, capsys, extra, needle):
    cohort = tmp_path / "cohort.h5mu"
    write_h5mu(small_cohort(30), cohort)
    code = main(["integrate", str(cohort), "--out", str(tmp_path / "o"), "-q", *[e.format(tmp=tmp_path) for e in extra]])
    err = capsys.readouterr().err.strip()
    assert code == 1
    assert err.startswith("error: ") and needle in err, err
    assert len(err.splitlines()) == 1


def test_integrate_refuses_a_sample_sheet_subtype_column(tmp_path, capsys):
    m = small_cohort(30)
    m.obs["subtype"] = np.where(m.obs["group"] == "A", "LumA", "Basal")  # e.g. PAM50 from the sample sheet
    write_h5mu(m, tmp_path / "cohort.h5mu")
    code = main(["integrate", str(tmp_path / "cohort.h5mu"), "--out", str(tmp_path / "o"), "-q"])
    err = capsys.readouterr().err.strip()
    assert code == 1 and len(err.splitlines()) == 1
    assert "obs['subtype'] already exists" in err and "--subtype-key NAME" in err and "--overwrite" in err, err
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_integrate_subtype_key_keeps_the_users_column(tmp_path, capsys):
    m = small_cohort(48)
    m.obs["subtype"] = np.where(m.obs["group"] == "A", "LumA", "Basal")
    write_h5mu(m, tmp_path / "cohort.h5mu")
    out = tmp_path / "o"
    code = main(["integrate", str(tmp_path / "cohort.h5mu"), "--out", str(out), "--n-factors", "3", "--no-preprocess",
                 "--subtype-key", "mo_subtype", "--k", "2", "--sparsity", "view", "-q"])
    assert code == 0, capsys.readouterr().err
    back = read_h5mu(out / "cohort.h5mu")
    assert back.uns["factors"]["params"]["sparsity"] == "view"
    assert (back.obs["subtype"].astype(str).to_numpy() == m.obs["subtype"].to_numpy()).all()
    assert set(back.obs["mo_subtype"].dropna()) == {"C1", "C2"} and back.uns["mo_subtype"]["n_subtypes"] == 2
    assert list(pd.read_csv(out / "subtypes.csv").columns) == ["sample", "subtype"]
    assoc = pd.read_csv(out / "associations.csv")
    assert "subtype" in set(assoc.loc[assoc["target"] == "mo_subtype", "variable"])  # the user's PAM50 is tested
    # re-running into the same cohort replaces its own results; --overwrite replaces the user's column
    code = main(["integrate", str(out / "cohort.h5mu"), "--out", str(tmp_path / "o2"), "--n-factors", "3",
                 "--no-preprocess", "--k", "2", "--overwrite", "-q"])
    assert code == 0, capsys.readouterr().err
    assert set(read_h5mu(tmp_path / "o2" / "cohort.h5mu").obs["subtype"].dropna()) == {"C1", "C2"}


def test_integrate_missing_cohort(tmp_path, capsys):
    assert main(["integrate", str(tmp_path / "none.h5mu"), "--out", str(tmp_path / "o")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_integrate_help_has_example(capsys):
    main(["integrate", "--help"])
    out = capsys.readouterr().out
    assert "Example:\n    oncoresist integrate" in out and "--out" in out and "--quiet" in out


def test_integrate_prints_each_layers_data_type(tmp_path, capsys):
    cohort = tmp_path / "cohort.h5mu"
    write_h5mu(small_cohort(30), cohort)
    code = main(["integrate", str(cohort), "--out", str(tmp_path / "o"), "--subtypes", "none", "-k", "2",
                 "--data-type", "prot=zscore"])
    out = capsys.readouterr()
    assert code == 0, out.err
    text = out.out + out.err
    assert "prot: zscore (argument)" in text and "mut: binary (detected)" in text, text
    back = read_h5mu(tmp_path / "o" / "cohort.h5mu")
    assert back.uns["preprocess"]["data_types"]["prot"] == "zscore"


def test_integrate_time_event_keys_test_survival_not_clinical(tmp_path, capsys):
    m = small_cohort()
    rng = np.random.default_rng(4)
    hazard = np.exp(1.5 * (m.obs["group"].to_numpy() == "B"))
    m.obs["os_t"] = rng.exponential(1 / hazard)
    m.obs["os_e"] = (rng.random(m.n_obs) < 0.9).astype(int)
    cohort = tmp_path / "cohort.h5mu"
    write_h5mu(m, cohort)
    out = tmp_path / "o"
    code = main(["integrate", str(cohort), "--out", str(out), "--n-factors", "4", "--subtypes", "consensus",
                 "--time-key", "os_t", "--event-key", "os_e", "-q"])
    assert code == 0, capsys.readouterr().err
    assoc = pd.read_csv(out / "associations.csv")
    assert not ({"os_t", "os_e"} & set(assoc.loc[assoc["kind"] == "clinical", "variable"]))
    surv = assoc[assoc["kind"] == "survival"]
    assert set(surv["variable"]) == {"os_t/os_e"} and {"logrank", "logrank_trend"} <= set(surv["test"])
    assert surv["p_value"].min() < 0.01
    params = read_h5mu(out / "cohort.h5mu").uns["integration_associations_params"]
    assert params["survival_time"] == "os_t" and bool(params["survival_tested"])


def test_integrate_affinity_knn_is_used_and_recorded(tmp_path, capsys):
    cohort = tmp_path / "cohort.h5mu"
    write_h5mu(small_cohort(), cohort)
    out = tmp_path / "o"
    code = main(["integrate", str(cohort), "--out", str(out), "--n-factors", "4", "--sparsity", "view",
                 "--affinity", "knn", "--n-subtypes", "2", "-q"])
    assert code == 0, capsys.readouterr().err
    p = read_h5mu(out / "cohort.h5mu").uns["subtype"]["params"]
    assert p["affinity"] == "knn" and p["affinity_requested"] == "knn"
    assert set(pd.read_csv(out / "subtypes.csv")["subtype"].dropna()) == {"C1", "C2"}

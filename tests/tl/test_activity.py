import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest

from oncoresist._core._errors import InputError
from oncoresist.kb import install_resources, load_resource
from oncoresist.tl.functional import METHOD_REGISTRY, activity, network_matrix
from oncoresist.tl.functional._methods import gsea, ksea, mlm, ulm, wmean, wsum


def _toy(seed=0, ng=300, ns=12, nsrc=6, k=25):
    rng = np.random.default_rng(seed)
    mat = rng.normal(size=(ns, ng))
    rows = [(f"S{s}", f"G{i}", float(rng.choice([-1, 1]) * rng.uniform(0.3, 1)))
            for s in range(nsrc) for i in rng.choice(ng, k, replace=False)]
    net = pd.DataFrame(rows, columns=["source", "target", "weight"])
    genes = pd.Index([f"G{i}" for i in range(ng)])
    return mat, net, genes


def _cohort(mat, genes):
    rna = ad.AnnData(mat, obs=pd.DataFrame(index=[f"c{i}" for i in range(len(mat))]), var=pd.DataFrame(index=genes))
    return md.MuData({"rna": rna})


def test_ulm_matches_scipy_linregress():
    from scipy import stats
    mat, net, genes = _toy()
    adj, src = network_matrix(net, genes, tmin=5)
    t, p = ulm(mat, adj)
    r = stats.linregress(adj[:, 2], mat[3])
    assert t[3, 2] == pytest.approx(r.slope / r.stderr, rel=1e-8)
    assert p[3, 2] == pytest.approx(r.pvalue, rel=1e-6)


def test_mlm_matches_lstsq_and_rejects_collinear():
    mat, net, genes = _toy(1)
    adj, _ = network_matrix(net, genes, tmin=5)
    t, _ = mlm(mat, adj)
    x = np.column_stack([np.ones(len(adj)), adj])
    coef, res, *_ = np.linalg.lstsq(x, mat[0], rcond=None)
    se = np.sqrt(np.diag(np.linalg.inv(x.T @ x)) * res[0] / (len(adj) - adj.shape[1] - 1))
    assert np.allclose(t[0], coef[1:] / se[1:])
    with pytest.raises(InputError, match="collinear"):
        mlm(mat, np.column_stack([adj[:, 0], adj[:, 0]]))


def test_permutation_norm_matches_loop_and_planted_signal():
    mat, net, genes = _toy(2)
    adj, _ = network_matrix(net, genes, tmin=5)
    mat[0] += 2 * adj[:, 1]
    z, p = wmean(mat, adj, times=200, rng=3)
    rng = np.random.default_rng(3)
    div = np.abs(adj).sum(0)
    null = np.stack([(mat[:, rng.permutation(mat.shape[1])] @ adj) / div for _ in range(200)])
    ref = ((mat @ adj) / div - null.mean(0)) / null.std(0, ddof=1)
    assert np.allclose(z, ref)
    assert z[0, 1] > 5 and p[0, 1] < 0.01
    corr, _ = wsum(mat, adj, times=50, flavour="corr", rng=0)
    assert corr[0, 1] > 0
    with pytest.raises(InputError, match="flavour"):
        wsum(mat, adj, times=0, flavour="norm")


def test_gsea_es_matches_running_sum_loop():
    mat, net, genes = _toy(3, ng=80, ns=4, nsrc=3, k=10)
    adj, _ = network_matrix(net, genes, tmin=5)
    es, _ = gsea(mat, adj, times=0)
    for i in range(4):
        for s in range(3):
            order = np.argsort(-mat[i], kind="stable")
            hit = adj[order, s] != 0
            w = np.abs(mat[i, order]) * hit
            run = np.cumsum(np.where(hit, w / w.sum(), -1 / (80 - hit.sum())))
            ref = run.max() if run.max() > -run.min() else run.min()
            assert es[i, s] == pytest.approx(ref)


def test_ksea_hand_value_and_missing():
    x = np.array([[2.0, 3.0, 0.0, -1.0, np.nan]])
    w = np.array([[1.0, 1.0, 0, 0, 1.0]]).T
    z, _ = ksea(x, w)
    assert z[0, 0] == pytest.approx(1.5 * np.sqrt(2) / np.std([2, 3, 0, -1], ddof=1))
    assert np.isnan(ksea(x, w, tmin=3)[0][0, 0])


@pytest.mark.parametrize("method", ["ulm", "mlm", "viper", "ksea", "wmean", "wsum", "gsea"])
def test_agrees_with_decoupler(method):
    dc = pytest.importorskip("decoupler")
    mat, net, genes = _toy(4)
    adj, src = network_matrix(net, genes, tmin=5)
    df = pd.DataFrame(mat, columns=genes)
    kw = {"viper": {"pleiotropy": False}, "ksea": {"flavor": "RoKAI"}, "wmean": {"times": 0},
          "wsum": {"times": 0, "fun": "wsum"}, "gsea": {"times": 0}}.get(method, {})
    name = {"ksea": "zscore", "wmean": "waggr", "wsum": "waggr"}.get(method, method)
    ref = getattr(dc.mt, name)(df, net, tmin=5, **kw)[0][list(src)].to_numpy()
    opts = {"times": 0, "flavour": "raw"} if method in ("wmean", "wsum") else ({"times": 0} if method == "gsea" else {})
    mine = METHOD_REGISTRY[method].kernel(mat, adj, **opts)[0]
    assert np.corrcoef(ref.ravel(), mine.ravel())[0, 1] >= 0.99
    assert np.allclose(ref, mine, atol=1e-8)


def test_activity_writes_modality_and_never_overwrites_user_data():
    mat, net, genes = _toy(5)
    m = _cohort(mat, genes)
    activity(m, resource=net, method="ulm", key_added="act_toy")
    a = m["act_toy"]
    assert a.shape == (12, 6) and "pvalues" in a.layers and (a.var["n_targets"] >= 5).all()
    assert a.uns["activity"]["params"]["layer"] == "None"
    activity(m, resource=net, method="viper", key_added="act_toy")  # its own result: replaced
    assert m["act_toy"].uns["activity"]["params"]["method"] == "viper"
    m.mod["mine"] = ad.AnnData(np.zeros((12, 1)), obs=pd.DataFrame(index=m["rna"].obs_names))
    with pytest.raises(InputError, match="overwrite"):
        activity(m, resource=net, key_added="mine")
    activity(m, resource=net, key_added="mine", overwrite=True)
    with pytest.raises(InputError, match="method"):
        activity(m, resource=net, method="nope")


def test_site_matching_across_id_styles():
    net = pd.DataFrame({"source": ["EGFR"] * 6, "target": [f"G{i}_Y{10 + i}" for i in range(6)], "weight": 1.0,
                        "substrate": [f"G{i}" for i in range(6)], "residue": "Y", "position": [10 + i for i in range(6)],
                        "window": "", "accession": [f"P{i:05d}" for i in range(6)]})
    ids = ["G0-Y10", "G1_Y11", "G2 Y12", "P00003_Y13", "G4_pY14", "G5-Y15", "X_S1"]
    rng = np.random.default_rng(0)
    m = _cohort(rng.normal(size=(5, 7)), pd.Index(ids))
    activity(m, mod="rna", resource=net, method="ksea", tmin=5)
    p = m["act_kinase"].uns["activity"]["params"]
    assert p["n_matched"] == 6 and p["match_rate"] == pytest.approx(6 / 7)
    assert np.isfinite(m["act_kinase"].X).all()


def test_resources_user_files_and_offline_error(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("ONCORESIST_RESOURCES", raising=False)
    (tmp_path / "sets.gmt").write_text("SET1\tx\tA\tB\tC\n")
    assert load_resource(str(tmp_path / "sets.gmt"))["target"].tolist() == ["A", "B", "C"]
    with pytest.raises(InputError, match="install-resources"):
        load_resource("progeny")
    rep = install_resources(tmp_path, dest=tmp_path / "cache")
    assert set(rep["status"]) == {"missing"}


def test_real_resources_install_and_load(shared_data, tmp_path, monkeypatch):
    prior = shared_data / "prior"
    monkeypatch.setenv("HOME", str(tmp_path))
    rep = install_resources(prior)
    assert (rep["status"] == "installed").sum() >= 6
    net = load_resource("progeny")
    assert net["source"].nunique() == 14 and net.attrs["licence"] == "Apache-2.0"
    assert load_resource("signor")["residue"].isin(list("STYH")).all()


def test_real_progeny_collectri_on_cptac_rna(shared_data):
    rna = pd.read_csv(shared_data / "cptac_ucec" / "transcriptomics_linear.cct.gz", sep="\t", index_col=0)
    rna = rna[~rna.index.duplicated()]
    x = np.log2(rna.T.fillna(0).clip(lower=0) + 1)  # transcriptomics_linear is linear: log it
    m = _cohort(x.to_numpy(), pd.Index(x.columns.astype(str)))
    activity(m, resource="progeny", resource_path=shared_data / "prior", method="mlm")
    assert m["act_progeny"].shape == (x.shape[0], 14) and np.isfinite(m["act_progeny"].X).all()
    activity(m, resource="collectri", resource_path=shared_data / "prior", method="ulm")
    assert m["act_collectri"].n_vars > 200


def test_real_ksea_on_cptac_phosphosites(shared_data):
    ph = pd.read_csv(shared_data / "cptac_ucec" / "phosphoproteomics_site.cct.gz", sep="\t", index_col=0)
    ph = ph[~ph.index.duplicated()]
    m = _cohort(ph.T.to_numpy(dtype=float), pd.Index(ph.index.astype(str)))
    activity(m, mod="rna", resource="signor", resource_path=shared_data / "prior", method="ksea", tmin=5)
    a = m["act_kinase"]
    assert (np.isfinite(a.X).mean(0) > 0.5).sum() > 50
    assert 0 < a.uns["activity"]["params"]["match_rate"] < 1

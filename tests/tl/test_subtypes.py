"""Subtypes: SNF, spectral and consensus clustering, choice of k, log-rank, associations."""

from __future__ import annotations

import warnings

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.metrics import adjusted_rand_score

from oncoresist._core._errors import InputError
from oncoresist._core._utils import read_table
from oncoresist.tl import (
    affinity_matrix,
    consensus_clustering,
    factors,
    integration_associations,
    logrank_test,
    snf,
    spectral_labels,
    subtypes,
)
from oncoresist.tl.integrate._kselect import (
    KChoiceWarning,
    choose_k,
    default_min_cluster_size,
    warn_disagreement,
)


# --------------------------------------------------------------------------------------------
# slow transcriptions of SNFtool (R) as references
# --------------------------------------------------------------------------------------------
def slow_affinity(X, K, mu):
    n = X.shape[0]
    D = np.array([[((X[i] - X[j]) ** 2).sum() for j in range(n)] for i in range(n)])
    means = np.array([np.sort(D[:, i])[1 : K + 1].mean() for i in range(n)]) + np.finfo(float).eps
    W = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            sig = (means[i] + means[j]) / 3 + D[i, j] / 3 + np.finfo(float).eps
            W[i, j] = stats.norm.pdf(D[i, j], 0, mu * sig)
    return (W + W.T) / 2


def slow_snf(Ws, K, t):
    def normalize(X):
        X = X.copy()
        rs = X.sum(1) - np.diag(X)
        rs[rs == 0] = 1
        X = X / (2 * rs[:, None])
        np.fill_diagonal(X, 0.5)
        return X

    def dominate(W):
        out = np.zeros_like(W)
        for i in range(W.shape[0]):
            keep = np.argsort(W[i])[::-1][:K]
            out[i, keep] = W[i, keep]
        return out / out.sum(1, keepdims=True)

    Wall = [normalize(W) for W in Ws]
    Wall = [(W + W.T) / 2 for W in Wall]
    new = [dominate(W) for W in Wall]
    for _ in range(t):
        nxt = []
        for j in range(len(Wall)):
            s = sum(Wall[k] for k in range(len(Wall)) if k != j) / (len(Wall) - 1)
            nxt.append(new[j] @ s @ new[j].T)
        Wall = [normalize(W) for W in nxt]
        Wall = [(W + W.T) / 2 for W in Wall]
    W = normalize(sum(Wall) / len(Wall))
    return (W + W.T + np.eye(len(W))) / 2


def test_affinity_and_snf_match_snftool_transcription():
    rng = np.random.default_rng(0)
    X1, X2, X3 = rng.normal(size=(25, 4)), rng.normal(size=(25, 6)), rng.normal(size=(25, 3))
    for X in (X1, X2):
        np.testing.assert_allclose(affinity_matrix(X, k=6, mu=0.5), slow_affinity(X, 6, 0.5), rtol=1e-10)
    Ws = [slow_affinity(X, 6, 0.5) for X in (X1, X2, X3)]
    np.testing.assert_allclose(snf(Ws, k=6, t=10), slow_snf(Ws, 6, 10), rtol=1e-8, atol=1e-12)


def test_affinity_with_missing_values():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(20, 5))
    X[0, 1] = np.nan
    W = affinity_matrix(X, k=5)
    assert np.isfinite(W).all() and np.allclose(W, W.T)


# --------------------------------------------------------------------------------------------
# clustering
# --------------------------------------------------------------------------------------------
def clustered_views(seed=0, n_per=25, k=3, sep=2.0, n_views=3, d=30):
    rng = np.random.default_rng(seed)
    truth = np.repeat(np.arange(k), n_per)
    views = []
    for _ in range(n_views):
        centers = rng.normal(scale=sep, size=(k, d))
        views.append(centers[truth] + rng.normal(size=(len(truth), d)))
    return views, truth


def test_spectral_on_fused_network_recovers_clusters():
    views, truth = clustered_views(0, sep=0.6)  # each layer alone is weak
    Ws = [affinity_matrix((V - V.mean(0)) / V.std(0), k=15) for V in views]
    fused = snf(Ws, k=15, t=20)
    lab = spectral_labels(fused, 3, random_state=0)
    single = [adjusted_rand_score(truth, spectral_labels(W, 3, random_state=0)) for W in Ws]
    ari = adjusted_rand_score(truth, lab)
    assert ari > 0.8
    assert ari >= max(single)


def test_consensus_clustering_choice_of_k():
    views, truth = clustered_views(0, k=4, sep=3.0, n_views=1, d=10)
    res = consensus_clustering(views[0], ks=(2, 3, 4, 5, 6), n_resamples=40, random_state=0)
    assert res.best_k == 4
    assert adjusted_rand_score(truth, res.labels[4]) > 0.9
    ev = res.evidence.set_index("k")
    assert ev.loc[4, "pac"] == ev["pac"].min() and ev.loc[4, "chosen"]
    C = res.consensus[4]
    assert C.shape == (100, 100) and np.allclose(np.diag(C), 1) and C.min() >= 0 and C.max() <= 1
    again = consensus_clustering(views[0], ks=(2, 3, 4, 5, 6), n_resamples=40, random_state=0)
    np.testing.assert_array_equal(again.labels[4], res.labels[4])
    with pytest.raises(InputError, match="without missing"):
        consensus_clustering(np.array([[np.nan, 1.0]] * 5))
    with pytest.raises(InputError, match="every k"):
        consensus_clustering(views[0], ks=(1, 2))


def _cohort_with_subtypes(seed=0, n_per=30):
    views, truth = clustered_views(seed, n_per=n_per, sep=0.8, d=25)
    ids = [f"p{i:03d}" for i in range(len(truth))]
    mods = {}
    for name, V in zip(("rna", "prot", "meth"), views):
        mods[name] = ad.AnnData(V, obs=pd.DataFrame(index=ids), var=pd.DataFrame(index=[f"{name}{j}" for j in range(V.shape[1])]))
    # proteomics lacks 15 samples: they are clustered from their other layers
    mods["prot"] = mods["prot"][15:].copy()
    m = md.MuData(mods)
    m.obs["truth"] = pd.Categorical([f"T{t}" for t in truth])
    return m, truth


def test_subtypes_snf_cohort():
    m, truth = _cohort_with_subtypes()
    subtypes(m, k_neighbors=15, random_state=0)
    u = m.uns["subtype"]
    assert u["n_subtypes"] == 3
    ev = u["k_selection"]
    assert list(ev.columns[:3]) == ["k", "eigengap", "silhouette"] and ev.loc[ev["chosen"], "k"].item() == 3
    lab = m.obs["subtype"]
    assert lab.notna().all() and set(lab.cat.categories) == {"C1", "C2", "C3"}
    assert adjusted_rand_score(truth, lab.astype(str)) > 0.85
    # samples missing proteomics are assigned too, mostly correctly
    assert adjusted_rand_score(truth[:15], lab.astype(str).to_numpy()[:15]) > 0.7 or (
        (pd.crosstab(truth[:15], lab.astype(str).to_numpy()[:15]).max(axis=1) >= 4).all()
    )
    assert sum(u["sizes"].values()) == m.n_obs


def test_subtypes_consensus_on_factors():
    m, truth = _cohort_with_subtypes(1)
    factors(m, n_factors=5, random_state=0)
    out = subtypes(m, method="consensus", n_resamples=30, copy=True)
    assert "subtype" not in m.obs and "subtype" in out.obs
    assert adjusted_rand_score(truth, out.obs["subtype"].astype(str)) > 0.8
    assert "pac" in out.uns["subtype"]["k_selection"].columns
    fixed = subtypes(m, method="consensus", n_subtypes=4, n_resamples=10, copy=True)
    assert fixed.uns["subtype"]["n_subtypes"] == 4 and fixed.uns["subtype"]["params"]["rule"] == "fixed"


def test_subtypes_bad_input():
    m, _ = _cohort_with_subtypes(2, n_per=5)
    with pytest.raises(InputError, match="obsm\\['X_factors'\\]"):
        subtypes(m, method="consensus")
    with pytest.raises(InputError, match="method"):
        subtypes(m, method="kmeans")
    with pytest.raises(InputError, match="n_subtypes"):
        subtypes(m, n_subtypes=1)


# --------------------------------------------------------------------------------------------
# survival
# --------------------------------------------------------------------------------------------
def test_logrank_matches_scikit_survival():
    from sksurv.compare import compare_survival
    from sksurv.util import Surv

    rng = np.random.default_rng(0)
    n = 150
    g = rng.choice(["a", "b", "c"], n)
    t = np.round(rng.exponential(np.where(g == "a", 1.0, np.where(g == "b", 1.6, 2.5))), 1) + 0.1  # many ties
    e = rng.random(n) < 0.7
    ref_chi2, ref_p = compare_survival(Surv.from_arrays(e, t), g)
    r = logrank_test(t, e, g)
    assert r["statistic"] == pytest.approx(ref_chi2, rel=1e-10) and r["p_value"] == pytest.approx(ref_p, rel=1e-8)
    assert r["df"] == 2 and r["n"] == n and r["n_events"] == int(e.sum())
    # the trend test of a 0/1 covariate is the two-group log-rank test
    x = (g == "a").astype(float) + 0.0
    chi2_2, _ = compare_survival(Surv.from_arrays(e, t), g == "a")
    x_cont = x * 2.0 + rng.normal(scale=1e-9, size=n)  # numeric with many values
    r2 = logrank_test(t, e, x_cont)
    assert r2["statistic"] == pytest.approx(chi2_2, rel=1e-5)
    assert r2["z"] > 0  # group "a" (x high) dies faster


def test_logrank_ignores_missing():
    r = logrank_test([1, 2, np.nan, 4, 5, 6], [1, 1, 1, 1, 0, 1], ["a", "a", "b", None, "b", "b"])
    assert r["n"] == 4


# --------------------------------------------------------------------------------------------
# associations
# --------------------------------------------------------------------------------------------
def test_integration_associations():
    rng = np.random.default_rng(3)
    n = 80
    ids = [f"s{i}" for i in range(n)]
    grade = np.repeat(["G1", "G3"], n // 2)
    f1 = np.where(grade == "G3", 1.5, 0.0) + rng.normal(size=n)
    f2 = rng.normal(size=n)
    drug = ad.AnnData(np.c_[0.5 - 0.1 * f2 + rng.normal(scale=0.05, size=n), rng.uniform(size=n)],
                      obs=pd.DataFrame(index=ids), var=pd.DataFrame(index=["drugA", "drugB"]))
    m = md.MuData({"drug": drug})
    m.obs["grade"] = grade
    m.obs["age"] = rng.normal(60, 10, size=n)
    m.obs["patient_id"] = ids  # identifier, not tested
    hazard = np.exp(1.0 * f1)
    m.obs["survival_time"] = rng.exponential(1 / hazard)
    m.obs["survival_event"] = (rng.random(n) < 0.8).astype(int)
    m.obsm["X_factors"] = np.c_[f1, f2]
    m.obs["subtype"] = pd.Categorical(np.where(f1 > 0.75, "C1", "C2"))
    res = integration_associations(m)
    assert set(res["kind"]) == {"clinical", "survival", "drug"}
    assert "patient_id" not in set(res["variable"])
    top = res[(res.target == "Factor1") & (res.variable == "grade")].iloc[0]
    assert top.test == "kruskal" and top.q_value < 1e-4
    surv = res[(res.target == "Factor1") & (res.kind == "survival")].iloc[0]
    assert surv.test == "logrank_trend" and surv.effect > 0 and surv.p_value < 1e-3
    dr = res[(res.target == "Factor2") & (res.variable == "drugA")].iloc[0]
    assert dr.test == "spearman" and dr.effect < -0.8
    sub = res[(res.target == "subtype") & (res.kind == "survival")].iloc[0]
    assert sub.test == "logrank" and sub.p_value < 0.01
    null = res[(res.variable == "drugB")]
    assert (null.p_value > 0.001).all()
    assert m.uns["integration_associations"].shape == res.shape
    with pytest.raises(InputError, match="clinical column"):
        integration_associations(m, clinical=["nope"])


# --------------------------------------------------------------------------------------------
# choice of k (issue 17): a stable cluster of outliers is not a subtype; say when criteria disagree
# --------------------------------------------------------------------------------------------
def _two_groups_and_outliers(seed=0):
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(0, 1, (40, 5)), rng.normal(0, 1, (40, 5)) + 4,
                   rng.normal(0, 0.3, (3, 5)) + np.array([12, -12, 0, 0, 0])])
    return X, np.r_[np.repeat([0, 1], 40), [2, 2, 2]]


def test_consensus_k_ignores_a_stable_cluster_of_outliers():
    X, truth = _two_groups_and_outliers()
    res = consensus_clustering(X, ks=(2, 3, 4, 5, 6), n_resamples=40, random_state=0)
    ev = res.evidence.set_index("k")
    # the old rule (largest k within 0.02 of the lowest PAC) took k=3: the 3 outliers as a "subtype"
    assert ev.loc[3, "pac"] == ev["pac"].min() and ev.loc[3, "min_size"] == 3
    assert res.best_k == 2 and not ev.loc[3, "eligible"] and ev.loc[2, "chosen"]
    assert adjusted_rand_score(truth[:80], res.labels[2][:80]) == 1.0
    assert {"pac", "silhouette", "silhouette_data", "consensus_eigengap", "min_size", "within_noise"} <= set(ev.columns)
    assert res.choice["agree"] and res.choice["best_by"]["silhouette_data"] == 2
    assert res.params["min_cluster_size"] == 5
    # allowed tiny clusters, the outliers win again
    with pytest.warns(KChoiceWarning, match="silhouette -> k=2.*kept k=3"):
        small = consensus_clustering(X, ks=(2, 3), n_resamples=40, random_state=0, min_cluster_size=3)
    assert small.best_k == 3


def test_consensus_equally_stable_k_keeps_the_coarser_and_records_both():
    views, truth = clustered_views(1, k=4, sep=3.0, n_views=1, d=10)  # two of the four centres are close
    res = consensus_clustering(views[0], ks=(2, 3, 4, 5), n_resamples=40, random_state=0)
    ev = res.evidence.set_index("k")
    assert ev.loc[3, "within_noise"] and ev.loc[4, "within_noise"] and res.best_k == 3
    assert adjusted_rand_score(truth, res.labels[4]) == 1.0  # the finer partition is kept in labels


def test_choose_k_rules_and_disagreement_warning():
    ev = pd.DataFrame({"k": [2, 3, 4], "eigengap": [0.30, 0.32, 0.5], "silhouette": [0.6, 0.4, 0.7],
                       "min_size": [30, 12, 2]})
    k, table, rec = choose_k(ev, primary="eigengap", lower_is_better=False, tolerance=0.05, min_cluster_size=3)
    assert k == 2 and table["eligible"].tolist() == [True, True, False]
    assert table["within_noise"].tolist() == [True, True, False] and rec["agree"]
    k, _, rec = choose_k(ev.assign(silhouette=[0.4, 0.6, 0.7]), primary="eigengap", lower_is_better=False,
                         tolerance=0.0, min_cluster_size=3)
    assert k == 3 and rec["best_by"] == {"eigengap": 3, "silhouette": 3}
    k, _, rec = choose_k(ev, primary="eigengap", lower_is_better=False, tolerance=0.0, min_cluster_size=3)
    assert k == 3 and rec["best_by"]["silhouette"] == 2 and not rec["agree"]
    with pytest.warns(KChoiceWarning, match=r"eigengap -> k=3, silhouette -> k=2.*kept k=3.*uns\['subtype'\]"):
        warn_disagreement(rec, where="subtypes", key="subtype")
    # no k with large enough clusters: the size rule is dropped, and that is said
    k, _, rec = choose_k(ev, primary="eigengap", lower_is_better=False, tolerance=0.0, min_cluster_size=50)
    assert k == 4 and "size rule was not applied" in rec["note"]
    assert default_min_cluster_size(30) == 3 and default_min_cluster_size(101) == 6


def test_subtypes_records_k_choice_and_warns_when_criteria_disagree(monkeypatch):
    m, _ = _cohort_with_subtypes()
    subtypes(m, k_neighbors=15, random_state=0)
    u = m.uns["subtype"]
    assert u["k_choice"]["chosen"] == u["n_subtypes"] == 3 and u["k_choice"]["agree"]
    assert {"eigengap", "silhouette", "min_size", "eligible", "within_noise", "chosen"} <= set(u["k_selection"].columns)
    assert u["params"]["min_cluster_size"] == 5 and "smallest k" in u["params"]["rule"]
    # a silhouette that prefers another k: warned, recorded, the eigengap's k kept
    from oncoresist.tl.integrate import _subtypes as mod

    monkeypatch.setattr(mod, "_silhouette", lambda D, lab: float(len(np.unique(lab)) == 5))
    with pytest.warns(KChoiceWarning, match="silhouette -> k=5.*kept k=3"):
        subtypes(m, k_neighbors=15, random_state=0)
    assert m.uns["subtype"]["k_choice"]["best_by"]["silhouette"] == 5 and not m.uns["subtype"]["k_choice"]["agree"]
    # a fixed k: no warning, the criteria still recorded
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        subtypes(m, k_neighbors=15, n_subtypes=2, random_state=0)
    assert m.uns["subtype"]["k_choice"]["rule"] == "fixed" and m.uns["subtype"]["n_subtypes"] == 2


def test_subtypes_never_overwrite_a_users_column():
    m, truth = _cohort_with_subtypes()
    pam50 = pd.Categorical(np.where(truth == 0, "LumA", "Basal"))
    m.obs["subtype"] = pam50
    with pytest.raises(InputError, match=r"obs\['subtype'\] already exists.*key_added=.*overwrite=True"):
        subtypes(m, k_neighbors=15)
    pd.testing.assert_series_equal(m.obs["subtype"], pd.Series(pam50, index=m.obs_names, name="subtype"),
                                   check_categorical=False)
    assert "subtype" not in m.uns
    subtypes(m, k_neighbors=15, key_added="mo_subtype")
    first = m.obs["mo_subtype"].copy()
    subtypes(m, k_neighbors=15, n_subtypes=2, key_added="mo_subtype")  # its own result: replaced
    assert m.obs["mo_subtype"].nunique() == 2 and first.nunique() == 3
    assert (m.obs["subtype"].astype(str).to_numpy() == np.asarray(pam50).astype(str)).all()
    subtypes(m, k_neighbors=15, overwrite=True)
    assert set(m.obs["subtype"].cat.categories) == {"C1", "C2", "C3"}
    # associations test the user's PAM50 column as a clinical variable of the new subtypes
    m.obs["pam50"] = pam50
    res = integration_associations(m, subtype_key="mo_subtype", survival=None, drug_mod=None)
    assert "pam50" in set(res.loc[res["target"] == "mo_subtype", "variable"])


def test_integration_associations_never_overwrite_a_users_key():
    m, _ = _cohort_with_subtypes()
    subtypes(m, k_neighbors=15)
    m.uns["integration_associations"] = {"mine": 1}
    with pytest.raises(InputError, match="already exists"):
        integration_associations(m, survival=None, drug_mod=None)
    assert m.uns["integration_associations"] == {"mine": 1}
    res = integration_associations(m, survival=None, drug_mod=None, key_added="ia")
    again = integration_associations(m, survival=None, drug_mod=None, key_added="ia")
    pd.testing.assert_frame_equal(res, again)
    integration_associations(m, survival=None, drug_mod=None, overwrite=True)
    assert isinstance(m.uns["integration_associations"], pd.DataFrame)


# --------------------------------------------------------------------------------------------
# real data: CPTAC UCEC multi-omics subtypes vs genomic subtypes
# --------------------------------------------------------------------------------------------
@pytest.mark.realdata
def test_cptac_ucec_multiomics_subtypes_agree_with_genomic_subtypes(shared_data):
    d = shared_data / "cptac_ucec"
    clin = read_table(d / "clinical.txt", index_col=0)
    tumours = clin.index[(clin["Proteomics_Tumor_Normal"] == "Tumor") & clin["Genomics_subtype"].notna()].astype(str)
    mods = {}
    for name, f in (("prot", "proteomics.cct.gz"), ("rna", "transcriptomics_linear.cct.gz"), ("cnv", "CNA.cct.gz")):
        df = read_table(d / f, index_col=0).T
        df.index = df.index.astype(str)
        df = df.reindex([s for s in tumours if s in df.index])
        df = df.loc[:, df.notna().mean() > 0.8]
        df = df.loc[:, df.var().sort_values(ascending=False).index[:1000]]
        mods[name] = ad.AnnData(df.to_numpy(dtype=float), obs=pd.DataFrame(index=df.index),
                                var=pd.DataFrame(index=df.columns.astype(str)))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*names are intersecting.*")  # genes shared by layers
        m = md.MuData(mods)
    subtypes(m, n_subtypes=4, k_neighbors=15, random_state=0)
    g = clin["Genomics_subtype"].reindex(m.obs_names)
    ari = adjusted_rand_score(g.astype(str), m.obs["subtype"].astype(str))
    chi2, p, _, _ = stats.chi2_contingency(pd.crosstab(g, m.obs["subtype"]).to_numpy())
    print(f"CPTAC UCEC SNF subtypes vs genomic subtypes: ARI {ari:.3f}, chi2 p {p:.2g}")
    assert p < 1e-3, (ari, p)
    assert ari > 0.05


def _survival_cohort(n: int = 80, seed: int = 5) -> md.MuData:
    rng = np.random.default_rng(seed)
    ids = [f"s{i}" for i in range(n)]
    f1 = rng.normal(size=n)
    m = md.MuData({"rna": ad.AnnData(rng.normal(size=(n, 3)), obs=pd.DataFrame(index=ids))})
    m.obs["os_months"] = rng.exponential(1 / np.exp(1.2 * f1))
    m.obs["os_status"] = (rng.random(n) < 0.85).astype(int)
    m.obsm["X_factors"] = np.c_[f1, rng.normal(size=n)]
    return m


def test_integration_associations_named_survival_columns_are_survival_not_clinical():
    m = _survival_cohort()
    res = integration_associations(m, survival=("os_months", "os_status"), drug_mod=None)
    assert not ({"os_months", "os_status"} & set(res.loc[res.kind == "clinical", "variable"]))
    surv = res[(res.kind == "survival") & (res.target == "Factor1")].iloc[0]
    assert surv.test == "logrank_trend" and surv.effect > 0 and surv.p_value < 1e-3
    params = m.uns["integration_associations_params"]
    assert params["survival_time"] == "os_months" and params["survival_tested"]
    assert params["n_survival_tests"] == 2
    # without naming them, the columns are plain numeric clinical variables (and nothing says survival)
    m2 = _survival_cohort()
    res2 = integration_associations(m2, drug_mod=None)
    assert "os_months" in set(res2["variable"]) and "survival" not in set(res2["kind"])
    assert not m2.uns["integration_associations_params"]["survival_tested"]


def test_integration_associations_warns_when_only_one_survival_column_exists():
    m = _survival_cohort()
    with pytest.warns(UserWarning, match="survival was not tested"):
        integration_associations(m, survival=("os_months", "os_event"), drug_mod=None)
    assert m.uns["integration_associations_params"]["survival_tested"] is False


def _factor_clusters(n_clusters: int, n_per: int = 25, seed: int = 0) -> md.MuData:
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=6.0, size=(n_clusters, 3))
    F = np.repeat(centres, n_per, axis=0) + rng.normal(scale=0.5, size=(n_clusters * n_per, 3))
    ids = [f"s{i}" for i in range(len(F))]
    m = md.MuData({"rna": ad.AnnData(rng.normal(size=(len(F), 4)), obs=pd.DataFrame(index=ids))})
    m.obsm["X_factors"] = F
    return m


def test_subtypes_consensus_k_at_the_edge_of_its_range_is_said():
    m = _factor_clusters(5)
    with pytest.warns(UserWarning, match="largest k tried"):
        out = subtypes(m, method="consensus", ks=(2, 3), n_resamples=10, copy=True)
    choice = out.uns["subtype"]["k_choice"]
    assert choice["chosen"] == 3 and choice["at_edge"] and choice["edge"] == "upper"
    m3 = _factor_clusters(3, seed=1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        inside = subtypes(m3, method="consensus", ks=(2, 3, 4, 5), n_resamples=10, copy=True)
    assert not [w for w in caught if "k tried" in str(w.message)]
    assert inside.uns["subtype"]["n_subtypes"] == 3 and not inside.uns["subtype"]["k_choice"]["at_edge"]

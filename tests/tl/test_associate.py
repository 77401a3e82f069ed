"""Biomarker association tests: kernel against scipy / numpy OLS, cohort wrapper, real data."""

from __future__ import annotations

import warnings

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from oncoresist import InputError
from oncoresist.tl import associate, association_test, cross_layer_effects, get_associations

from ._realdata import cll, gdsc1000


def _mudata(mods: dict[str, ad.AnnData]) -> md.MuData:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # shared gene names across layers
        return md.MuData(mods)


def _ad(X: np.ndarray, obs: list[str], var: list[str]) -> ad.AnnData:
    return ad.AnnData(np.asarray(X, dtype=float), obs=pd.DataFrame(index=obs), var=pd.DataFrame(index=var))


def _cohort(n: int = 80, seed: int = 0) -> md.MuData:
    """mut: EGFR drives gefitinib sensitivity; rna: ABCB1 drives paclitaxel resistance; EGFR mut raises EGFR RNA."""
    rng = np.random.default_rng(seed)
    ids = [f"S{i:03d}" for i in range(n)]
    genes = ["EGFR", "KRAS", "TP53", "PIK3CA", "ABCB1"]
    mut = (rng.random((n, 5)) < [0.25, 0.2, 0.4, 0.15, 0.1]).astype(float)
    rna = rng.normal(size=(n, 5))
    rna[:, 0] += 1.5 * mut[:, 0]
    tissue = np.where(np.arange(n) % 2 == 0, "lung", "colon")
    gef = 0.6 - 0.25 * mut[:, 0] + rng.normal(0, 0.06, n)
    pac = 0.5 + 0.08 * rna[:, 4] + rng.normal(0, 0.05, n)
    few = np.full(n, np.nan)
    few[:4] = rng.random(4)
    flat = np.full(n, 0.5)
    drug = np.column_stack([gef, pac, few, flat])
    m = _mudata({
        "mut": _ad(mut, ids, genes),
        "rna": _ad(rna, ids, genes),
        "drug": _ad(drug, ids, ["gefitinib", "paclitaxel", "rare_drug", "flat_drug"]),
    })
    m.obs["tissue"] = tissue
    m.mod["drug"].uns["higher_is"] = {"X": "resistant"}  # AUC of viability
    return m


# ------------------------------------------------------------------------------------------
# kernel against references
# ------------------------------------------------------------------------------------------
def test_binary_feature_matches_student_t_test(rng):
    x = (rng.random(60) < 0.3).astype(float)
    y = rng.normal(size=60) + 0.8 * x
    res = association_test(y, x[:, None]).iloc[0]
    ref = stats.ttest_ind(y[x == 1], y[x == 0], equal_var=True)
    assert res["pvalue"] == pytest.approx(ref.pvalue, rel=1e-8)
    assert res["t"] == pytest.approx(ref.statistic, rel=1e-8)
    assert (res["n_pos"], res["n_neg"]) == (x.sum(), 60 - x.sum())
    diff = y[x == 1].mean() - y[x == 0].mean()
    assert res["coef"] == pytest.approx(diff)
    assert res["glass_delta_pos"] == pytest.approx(diff / y[x == 1].std(ddof=1))
    assert res["glass_delta_neg"] == pytest.approx(diff / y[x == 0].std(ddof=1))
    pooled = np.sqrt(((x.sum() - 1) * y[x == 1].var(ddof=1) + (60 - x.sum() - 1) * y[x == 0].var(ddof=1)) / 58)
    assert res["effect_size"] == pytest.approx(diff / pooled)
    assert res["effect_kind"] == "cohens_d"


def test_continuous_feature_matches_linregress(rng):
    x = rng.normal(size=50)
    y = 0.4 * x + rng.normal(size=50)
    res = association_test(y, x[:, None]).iloc[0]
    ref = stats.linregress(x, y)
    assert res["pvalue"] == pytest.approx(ref.pvalue, rel=1e-8)
    assert res["coef"] == pytest.approx(ref.slope)
    assert res["effect_size"] == pytest.approx(ref.rvalue)
    assert res["effect_kind"] == "partial_r"


def test_covariates_match_full_ols(rng):
    n = 70
    cov = np.column_stack([rng.normal(size=n), (rng.random(n) < 0.5).astype(float)])
    X = rng.normal(size=(n, 4)) + cov[:, :1]
    y = 1.0 + cov @ [0.5, -1.0] + 1.0 * X[:, 2] + rng.normal(size=n)
    res = association_test(y, X, covariates=cov)
    for j in range(4):
        D = np.column_stack([np.ones(n), cov, X[:, j]])
        beta, rss, *_ = np.linalg.lstsq(D, y, rcond=None)
        sigma2 = rss[0] / (n - D.shape[1])
        se = np.sqrt(sigma2 * np.linalg.inv(D.T @ D)[-1, -1])
        p = 2 * stats.t.sf(abs(beta[-1] / se), n - D.shape[1])
        assert res.loc[j, "coef"] == pytest.approx(beta[-1], rel=1e-7)
        assert res.loc[j, "se"] == pytest.approx(se, rel=1e-7)
        assert res.loc[j, "pvalue"] == pytest.approx(p, rel=1e-6)
    assert res["pvalue"].idxmin() == 2


def test_missing_values_use_observed_samples_only(rng):
    x = rng.normal(size=40)
    y = x + rng.normal(size=40)
    xm = x.copy()
    xm[:10] = np.nan
    both = association_test(y, np.column_stack([x, xm]))
    sub = association_test(y[10:], x[10:, None]).iloc[0]
    assert both.loc[1, "n"] == 30
    assert both.loc[1, "pvalue"] == pytest.approx(sub["pvalue"])
    assert both.loc[0, "n"] == 40


def test_untestable_features_are_nan(rng):
    y = rng.normal(size=30)
    rare = np.zeros(30)
    rare[:2] = 1
    const = np.ones(30)
    cov = np.repeat([0.0, 1.0], 15)[:, None]
    confounded = cov[:, 0].copy()  # identical to the covariate
    res = association_test(y, np.column_stack([rare, const, confounded]), covariates=cov)
    assert res["pvalue"].isna().all()


def test_kernel_rejects_bad_input(rng):
    with pytest.raises(InputError, match="one response value per sample"):
        association_test(np.ones(5), np.ones((6, 2)))
    with pytest.raises(InputError, match="missing"):
        association_test(np.array([1.0, np.nan, 2.0]), np.ones((3, 1)))


# ------------------------------------------------------------------------------------------
# cohort wrapper
# ------------------------------------------------------------------------------------------
def test_associate_finds_planted_hits_and_records_skips():
    m = _cohort()
    with pytest.warns(UserWarning, match="2 response\\(s\\) skipped"):
        associate(m, covariates=["tissue"])
    res = get_associations(m)
    top_gef = res[res["target"] == "gefitinib"].iloc[0]
    assert (top_gef["layer"], top_gef["feature"], top_gef["direction"]) == ("mut", "EGFR", "sensitivity")
    assert top_gef["fdr"] < 1e-6
    assert top_gef["n_pos"] + top_gef["n_neg"] == 80
    top_pac = res[res["target"] == "paclitaxel"].iloc[0]
    assert (top_pac["layer"], top_pac["feature"], top_pac["direction"]) == ("rna", "ABCB1", "resistance")
    # FDR is monotone in p and never below it
    assert (res["fdr"] >= res["pvalue"] - 1e-15).all()
    assert res["pvalue"].is_monotonic_increasing
    skipped = m.uns["associate"]["skipped"].set_index("target")["reason"]
    assert "min_samples" in skipped["rare_drug"]
    assert "no variance" in skipped["flat_drug"]
    assert m.uns["associate"]["params"]["covariates"] == ["tissue"]
    # cross-layer: the EGFR mutation raises EGFR RNA
    xl = m.uns["associate"]["cross_layer"]
    row = xl[(xl["gene"] == "EGFR") & (xl["layer"] == "rna")].iloc[0]
    assert row["effect_size"] > 1 and row["pvalue"] < 1e-4


def test_associate_copy_and_target_column():
    m = _cohort()
    m.obs["responder"] = np.where(m.mod["mut"].X[:, 0] > 0, "yes", "no")
    out = associate(m, target="responder", layers=["rna"], copy=True, key_added="resp")
    assert "resp" not in m.uns and "resp" in out.uns
    res = get_associations(out, key="resp")
    assert res.iloc[0]["feature"] == "EGFR" and res.iloc[0]["direction"] == "higher"
    assert out.uns["resp"]["params"]["target_levels"] == ["no", "yes"]


def test_associate_covariate_removes_confounded_signal(rng):
    n = 60
    ids = [f"S{i}" for i in range(n)]
    tissue = np.repeat(["a", "b"], n // 2)
    marker = (tissue == "a").astype(float)
    marker[[0, 1, 30, 31]] = 1 - marker[[0, 1, 30, 31]]  # mostly tissue a
    resp = np.where(tissue == "a", 0.3, 0.7) + rng.normal(0, 0.05, n)
    m = _mudata({"mut": _ad(marker[:, None], ids, ["M"]), "drug": _ad(resp[:, None], ids, ["d"])})
    m.obs["tissue"] = tissue
    associate(m, higher_is="resistant")
    p_raw = get_associations(m).iloc[0]["pvalue"]
    associate(m, covariates=["tissue"], higher_is="resistant")
    p_adj = get_associations(m).iloc[0]["pvalue"]
    assert p_raw < 1e-10 and p_adj > 1e-3


def test_associate_errors():
    m = _cohort()
    with pytest.raises(InputError, match="not in the cohort's 'drug' layer"):
        associate(m, drugs=["gefitnib"])
    with pytest.raises(InputError, match="no 'prot' layer"):
        associate(m, layers=["prot"])
    with pytest.raises(InputError, match="sample annotation 'tisue' not found.*did you mean 'tissue'"):
        associate(m, covariates=["tisue"])
    with pytest.raises(InputError, match="no association could be tested"):
        associate(m, drugs=["rare_drug", "flat_drug"])
    with pytest.raises(InputError, match="run oncoresist.tl.associate"):
        get_associations(_cohort())


def test_cross_layer_effects_direct():
    m = _cohort()
    xl = cross_layer_effects(m, genes=["EGFR", "KRAS"], targets=["rna", "prot"])
    assert set(xl["gene"]) <= {"EGFR", "KRAS"}
    assert xl.iloc[0]["gene"] == "EGFR"
    assert (xl["fdr"] >= xl["pvalue"] - 1e-15).all()


def test_associate_dask_matches_local():
    distributed = pytest.importorskip("distributed")
    m1, m2 = _cohort(), _cohort()
    with pytest.warns(UserWarning):
        associate(m1, drugs=["gefitinib", "paclitaxel", "rare_drug"], n_jobs=1)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client, pytest.warns(UserWarning):
        associate(m2, drugs=["gefitinib", "paclitaxel", "rare_drug"], scheduler=client)
    pd.testing.assert_frame_equal(get_associations(m1), get_associations(m2))


def test_planted_biomarkers_of_the_simulator_are_top_hits():
    ds = pytest.importorskip("oncoresist.ds")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sim = ds.simulate_cohort(200, seed=1)
    m = sim.mdata
    associate(m, metric="log10_ic50", drugs=["gefitinib", "paclitaxel", "cisplatin", "cetuximab"],
              layers=["mut", "rna"], covariates=["tissue"], cross_layer=False, higher_is="resistant")
    res = get_associations(m)

    def top(drug: str, n: int = 3) -> list[tuple[str, str, str]]:
        sub = res[res["target"] == drug].head(n)
        return list(zip(sub["layer"], sub["feature"], sub["direction"]))

    assert ("mut", "EGFR", "sensitivity") == top("gefitinib")[0]
    assert ("rna", "ABCB1", "resistance") in top("paclitaxel")
    assert ("rna", "ERCC1", "resistance") in top("cisplatin")
    assert ("mut", "KRAS", "resistance") in top("cetuximab")


# ------------------------------------------------------------------------------------------
# real data
# ------------------------------------------------------------------------------------------
@pytest.mark.realdata
def test_gdsc1000_anova_braf_and_egfr(shared_data):
    m = gdsc1000(shared_data / "gdsc1000")
    m.mod["drug"].uns["higher_is"] = {"X": "resistant"}  # ln IC50
    targets = [d for d in m.mod["drug"].var_names if d.split(" (")[0] in
               ("PLX-4720", "Dabrafenib", "SB590885", "Gefitinib", "Erlotinib", "Afatinib", "Lapatinib")]
    associate(m, drugs=targets, covariates=["tissue", "msi"], cross_layer=False)
    res = get_associations(m)
    for d in targets:
        sub = res[res["target"] == d].reset_index(drop=True)
        base = d.split(" (")[0]
        if base in ("PLX-4720", "Dabrafenib", "SB590885"):
            top = sub.iloc[0]
            assert (top["feature"], top["direction"]) == ("BRAF", "sensitivity"), d
            assert top["fdr"] < 1e-10 and top["effect_size"] < -1
        elif base in ("Gefitinib", "Afatinib"):
            # EGFR mutation or amplification (gain_cnaPANCAN124_(EGFR)) among the drug's top 5 of ~680
            # features; pan-cancer with tissue + MSI covariates the effect is modest (p ~ 1e-4 .. 3e-3)
            egfr = sub[sub["feature"].str.contains("EGFR")]
            assert len(egfr) and egfr.index[0] < 5, d
            assert egfr.iloc[0]["direction"] == "sensitivity" and egfr.iloc[0]["pvalue"] < 0.01


@pytest.mark.realdata
def test_cll_ighv_and_trisomy12_drive_bcr_inhibitor_response(shared_data):
    m = cll(shared_data / "cll")
    bcr = ["ibrutinib", "idelalisib", "PRT062607 HCl", "duvelisib", "spebrutinib"]
    associate(m, drugs=bcr, cross_layer=False, higher_is="resistant")  # viability
    res = get_associations(m)
    for d in bcr:
        sub = res[res["target"] == d].reset_index(drop=True)
        ighv = sub[sub["feature"] == "IGHV_unmutated"]
        assert ighv.index[0] < 3, d
        assert ighv.iloc[0]["direction"] == "sensitivity" and ighv.iloc[0]["fdr"] < 0.05
    tri = res[(res["feature"] == "trisomy12") & res["target"].isin(bcr)]
    assert (tri["fdr"] < 0.05).sum() >= 2


# ------------------------------------------------------------------------------------------
# orientation of the response (issue 17) and never overwriting a user's data (issue 11)
# ------------------------------------------------------------------------------------------
def _negated(m: md.MuData, declared: str | None) -> md.MuData:
    """The same cohort with the drug response negated (an activity-type metric, e.g. AAC)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # shared gene names across layers
        out = m.copy()
    out.mod["drug"].X = -np.asarray(out.mod["drug"].X)
    out.mod["drug"].uns.pop("higher_is", None)
    if declared is not None:
        out.mod["drug"].uns["higher_is"] = {"X": declared}
    return out


def test_direction_follows_declared_orientation():
    m = _cohort()
    associate(m, drugs=["gefitinib", "paclitaxel"])
    ref = get_associations(m)
    assert m.uns["associate"]["params"]["higher_is"] == "resistant"
    assert m.uns["associate"]["params"]["higher_is_source"] == "declared"
    assert set(ref["higher_is"]) == {"resistant"}
    neg = _negated(m, "sensitive")
    associate(neg, drugs=["gefitinib", "paclitaxel"], overwrite=True)
    res = get_associations(neg)
    # same hits, coefficients flipped, the same biological labels
    pd.testing.assert_series_equal(res["direction"], ref["direction"])
    np.testing.assert_allclose(res["coef"], -ref["coef"])
    assert set(res["higher_is"]) == {"sensitive"}
    top = res[res["target"] == "gefitinib"].iloc[0]
    assert (top["feature"], top["direction"]) == ("EGFR", "sensitivity")


def test_option_overrides_declared_and_unknown_warns_once():
    m = _cohort()
    wrong = _negated(m, "resistant")  # negated but declared wrongly: the option fixes it
    associate(wrong, drugs=["gefitinib"], higher_is="Sensitive", overwrite=True)
    top = get_associations(wrong).iloc[0]
    assert (top["feature"], top["direction"], top["higher_is"]) == ("EGFR", "sensitivity", "sensitive")
    assert wrong.uns["associate"]["params"]["higher_is_source"] == "option"
    unknown = _negated(m, None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        associate(unknown, drugs=["gefitinib", "paclitaxel"], overwrite=True)
    msgs = [str(w.message) for w in caught if "orientation" in str(w.message)]
    assert len(msgs) == 1 and "orientation of drug/X unknown; assuming higher = more resistant; declare higher_is" in msgs[0]
    top = get_associations(unknown).iloc[0]
    # assumed "resistant" on an activity metric: labelled backwards, but it says so
    assert top["direction"] == "resistance" and unknown.uns["associate"]["params"]["higher_is_source"] == "assumed"
    with pytest.raises(InputError, match="higher_is must be one of resistant, sensitive"):
        associate(m, higher_is="up")


def test_target_with_orientation_gets_response_labels():
    m = _cohort()
    m.obs["aac"] = -np.asarray(m.mod["drug"].X)[:, 0]
    associate(m, target="aac", layers=["mut"], higher_is="sensitive")
    top = get_associations(m).iloc[0]
    assert (top["feature"], top["direction"]) == ("EGFR", "sensitivity")
    associate(m, target="aac", layers=["mut"])
    top = get_associations(m).iloc[0]
    assert (top["direction"], top["higher_is"]) == ("higher", "None")


def test_associate_never_overwrites_a_users_uns_key():
    m = _cohort()
    m.uns["associate"] = {"notes": "my own"}
    with pytest.raises(InputError, match=r"uns\['associate'\] already exists.*key_added="):
        associate(m, drugs=["gefitinib"])
    assert m.uns["associate"] == {"notes": "my own"}
    associate(m, drugs=["gefitinib"], key_added="assoc")
    associate(m, drugs=["paclitaxel"], key_added="assoc")  # its own result: replaced
    assert set(get_associations(m, key="assoc")["target"]) == {"paclitaxel"}
    associate(m, drugs=["gefitinib"], overwrite=True)
    assert "results" in m.uns["associate"]


@pytest.mark.realdata
def test_gdsc1000_braf_label_does_not_depend_on_the_metric_sign(shared_data):
    m = gdsc1000(shared_data / "gdsc1000")
    plx = [d for d in m.mod["drug"].var_names if d.startswith("PLX-4720")]
    m.mod["drug"].uns["higher_is"] = {"X": "resistant"}  # ln IC50: higher = more resistant
    associate(m, drugs=plx, layers=["mut"], covariates=["tissue"], cross_layer=False)
    neg = _negated(m, "sensitive")  # -ln IC50, an activity-type metric
    associate(neg, drugs=plx, layers=["mut"], covariates=["tissue"], cross_layer=False, overwrite=True)
    for cohort in (m, neg):
        res = get_associations(cohort)
        braf = res[res["feature"] == "BRAF"].iloc[0]
        assert braf.name == 0 and braf["direction"] == "sensitivity" and braf["fdr"] < 1e-10
    assert get_associations(neg).loc[0, "coef"] == pytest.approx(-get_associations(m).loc[0, "coef"])

"""Figures of associations, response models and survival; and the report section."""

from __future__ import annotations

import re
import warnings

import anndata as ad
import matplotlib
import mudata as md
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from oncoresist import InputError  # noqa: E402
from oncoresist.pl import association, kaplan_meier, per_drug_scores, predicted_vs_observed, volcano  # noqa: E402
from oncoresist.report import Section, models_section  # noqa: E402
from oncoresist.tl import (  # noqa: E402
    associate,
    cross_validate_drugs,
    cross_validate_survival,
    make_model,
    survival_target,
)


@pytest.fixture(scope="module")
def cohort() -> md.MuData:
    rng = np.random.default_rng(0)
    n = 60
    ids = [f"S{i}" for i in range(n)]
    mut = (rng.random((n, 4)) < 0.3).astype(float)
    rna = rng.normal(size=(n, 4))
    drug = np.column_stack([0.6 - 0.3 * mut[:, 0] + rng.normal(0, 0.05, n), 0.5 + 0.1 * rna[:, 1] + rng.normal(0, 0.03, n)])
    mk = lambda X, var: ad.AnnData(X, obs=pd.DataFrame(index=ids), var=pd.DataFrame(index=var))  # noqa: E731
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        m = md.MuData({"mut": mk(mut, ["EGFR", "KRAS", "TP53", "BRAF"]), "rna": mk(rna, ["EGFR", "ABCB1", "MYC", "TP53"]),
                       "drug": mk(drug, ["gefitinib", "paclitaxel"])})
    m.obs["tissue"] = np.where(np.arange(n) % 2, "lung", "colon")
    associate(m, higher_is="resistant")  # AUC of viability
    return m


@pytest.fixture(scope="module")
def cv(cohort):
    return cross_validate_drugs(cohort, models={"enet": make_model("enet", n_alphas=8)}, n_splits=3, n_jobs=1)


@pytest.fixture(scope="module")
def surv():
    rng = np.random.default_rng(1)
    X = pd.DataFrame(rng.normal(size=(90, 3)), columns=["rna:a", "rna:b", "rna:c"])
    t = rng.exponential(np.exp(-X["rna:a"].to_numpy()))
    return cross_validate_survival(X, survival_target(t, rng.random(90) < 0.8), n_splits=3, refit=False)


def _texts(fig) -> str:  # noqa: ANN001
    return " ".join(t.get_text() for ax in fig.axes for t in [ax.title, ax.xaxis.label, ax.yaxis.label, *ax.texts])


def test_volcano_labels_top_hit_and_counts(cohort):
    fig = volcano(cohort, label_top=1)
    res = cohort.uns["associate"]["results"]
    assert f"{len(res)} tests" in fig.axes[0].get_title()
    assert res.iloc[0]["feature"] in _texts(fig)
    plt.close(fig)
    with pytest.raises(InputError, match="no association results"):
        volcano(res, target="nothing")
    with pytest.raises(InputError, match="run oncoresist.tl.associate"):
        volcano(object())


def test_association_box_and_scatter(cohort):
    fig = association(cohort, target="gefitinib", feature="mut:EGFR", group_by="tissue")
    n_pos = int(cohort.mod["mut"].X[:, 0].sum())
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert any(f"n={n_pos}" in s for s in labels)
    plt.close(fig)
    fig = association(cohort, target="paclitaxel", feature="rna:ABCB1")
    assert "r = " in fig.axes[0].get_xlabel()
    plt.close(fig)
    with pytest.raises(InputError, match="'<layer>:<feature>'"):
        association(cohort, target="gefitinib", feature="EGFR")
    with pytest.raises(InputError, match="not in the 'rna' layer"):
        association(cohort, target="gefitinib", feature="rna:NOPE")


def test_model_figures(cv):
    fig = predicted_vs_observed(cv, drug="gefitinib", model="enet")
    assert "gefitinib: enet" in fig.axes[0].get_title()
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    folds = sorted(cv.predictions["fold"].unique())
    assert legend == [f"CV fold {f}" for f in folds] + ["predicted = observed"]
    plt.close(fig)
    fig = per_drug_scores(cv)
    ticks = " ".join(t.get_text() for t in fig.axes[0].get_xticklabels())
    assert "enet" in ticks and "drug_sample" in ticks
    plt.close(fig)
    with pytest.raises(InputError, match="no out-of-fold predictions"):
        predicted_vs_observed(cv, drug="nope", model="enet")
    with pytest.raises(InputError, match="metric must be"):
        per_drug_scores(cv, metric="r2")


def test_kaplan_meier(surv):
    fig = kaplan_meier(surv.risk)
    ax = fig.axes[0]
    assert "log-rank p" in ax.get_title() and len(ax.get_lines()) == 2
    plt.close(fig)
    with pytest.raises(InputError, match="lacks column"):
        kaplan_meier(surv.risk.drop(columns=["group"]))


def test_models_section(cohort, cv, surv):
    sec = models_section(cohort, cv_result=cv, survival=surv, reference="enet")
    assert isinstance(sec, Section) and sec.id == "models"
    assert sec.html.count("data:image/png;base64") == 2  # per-drug r, KM
    assert sec.html.count('<svg ') == 2  # volcano and predicted vs observed, with a tooltip per point
    res = cohort.uns["associate"]["results"]
    n_tests = int((np.isfinite(res["effect_size"]) & np.isfinite(res["pvalue"])).sum())
    assert re.findall(r'data-points="(\d+)"', sec.html) == [str(n_tests), "60"]  # every test, every sample titled
    assert sec.html.count("<title>") == n_tests + 60
    assert re.search(r"<title>S\d+: observed [-\d.e]+, predicted [-\d.e]+ \(fold \d\)</title>", sec.html)
    assert re.search(r"<title>\w+ / (gefitinib|paclitaxel) \((mut|rna)\): effect ", sec.html)
    assert "drug_sample" in sec.html and "Survival model" in sec.html
    assert "associations at FDR" in sec.summary
    with pytest.raises(InputError, match="nothing to report"):
        models_section()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_km_greenwood_matches_scikit_survival_log_log(seed):
    from sksurv.nonparametric import kaplan_meier_estimator

    from oncoresist.pl import km_greenwood

    rng = np.random.default_rng(seed)
    t = np.round(rng.exponential(10, 60), 0) + 1  # ties on purpose
    e = rng.random(60) < 0.7
    times, s, lo, hi = km_greenwood(t, e)
    rt, rs, rci = kaplan_meier_estimator(e, t, conf_type="log-log")
    np.testing.assert_allclose(times, rt)
    np.testing.assert_allclose(s, rs, atol=1e-12)
    ok = (rs > 0) & (rs < 1)
    np.testing.assert_allclose(lo[ok], rci[0][ok], atol=1e-10)
    np.testing.assert_allclose(hi[ok], rci[1][ok], atol=1e-10)


def test_km_greenwood_hand_value():
    from oncoresist.pl import km_greenwood

    # 4 subjects: events at 1 and 2, censored at 3: S = 3/4, 1/2; Var(log S) at 2 = 1/(4*3) + 1/(3*2)
    _, s, lo, _ = km_greenwood(np.array([1.0, 2.0, 3.0]) .repeat([1, 1, 2]), np.array([1, 1, 0, 0], dtype=bool))
    se = np.sqrt(1 / 12 + 1 / 6) / abs(np.log(0.5))
    assert s[1] == 0.5 and np.isclose(lo[1], 0.5 ** np.exp(1.959963984540054 * se))


def test_kaplan_meier_draws_band_at_risk_table_and_unit_on_a_given_ax(surv):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2)
    out = kaplan_meier(surv.risk, time_unit="months", ax=axes[1])
    ax = axes[1]
    assert out is fig and ax.get_xlabel() == "time (months)"
    assert len(ax.collections) == surv.risk["group"].nunique()  # one band per group
    texts = [t.get_text() for t in ax.texts]
    assert "at risk" in texts
    n0 = str(len(surv.risk[surv.risk["group"] == sorted(surv.risk["group"].unique())[0]]))
    assert n0 in texts  # everyone is at risk at time 0
    plt.close(fig)


def test_km_greenwood_on_cll_overall_survival_matches_scikit_survival(shared_data):
    from sksurv.nonparametric import kaplan_meier_estimator

    from oncoresist.pl import km_greenwood

    meta = pd.read_csv(shared_data / "cll" / "patmeta.csv").dropna(subset=["T6", "died"])
    meta = meta[meta["T6"] > 0]
    assert len(meta) > 100
    e, t = meta["died"].astype(bool).to_numpy(), meta["T6"].astype(float).to_numpy()
    times, s, lo, hi = km_greenwood(t, e)
    _, rs, rci = kaplan_meier_estimator(e, t, conf_type="log-log")
    ok = (rs > 0) & (rs < 1)
    np.testing.assert_allclose(s, rs, atol=1e-12)
    np.testing.assert_allclose(lo[ok], rci[0][ok], atol=1e-10)
    np.testing.assert_allclose(hi[ok], rci[1][ok], atol=1e-10)
    df = pd.DataFrame({"time": t, "event": e.astype(int), "group": meta["IGHV"].fillna("unknown").to_numpy()})
    fig = kaplan_meier(df, time_unit="years")
    assert fig.axes[0].get_xlabel() == "time (years)" and "at risk" in [x.get_text() for x in fig.axes[0].texts]
    plt.close(fig)


def test_volcano_one_panel_per_effect_scale_labels_apart_legend_outside():
    from matplotlib.text import Text

    rng = np.random.default_rng(0)
    n = 200
    df = pd.DataFrame({"target": rng.choice(["d1", "d2"], n), "layer": "mut", "feature": [f"G{i}" for i in range(n)],
                       "effect_size": rng.normal(0, 1, n), "effect_kind": np.where(np.arange(n) % 2, "cohens_d", "partial_r")})  # fmt: skip
    df["pvalue"] = np.exp(-4 * np.abs(df["effect_size"])) * rng.uniform(0.5, 1, n)
    df["fdr"] = np.minimum(df["pvalue"] * 3, 1.0)
    df["direction"] = np.where(df["effect_size"] < 0, "sensitivity", "resistance")
    fig = volcano(df, label_top=20)
    binary, cont = fig.axes
    assert "Cohen's d" in binary.get_xlabel() and "partial r" in cont.get_xlabel()
    assert sum(len(c.get_offsets()) for c in binary.collections) == int((df["effect_kind"] == "cohens_d").sum())
    assert len(binary.texts) + len(cont.texts) == 20
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax in (binary, cont):
        boxes = [Text.get_window_extent(t, renderer) for t in ax.texts]  # the label text, without its leader line
        assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
        leg = cont.get_legend().get_window_extent(renderer)
        assert leg.x0 >= cont.get_window_extent(renderer).x1  # beside the panel, over no point
    plt.close(fig)
    f, ax = plt.subplots()
    assert volcano(df, ax=ax) is f and len(f.axes) == 1  # a given axes: both scales on it
    plt.close(f)

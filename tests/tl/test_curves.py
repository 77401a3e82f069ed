from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import integrate
from scipy.optimize import curve_fit
from scipy.stats import mannwhitneyu, spearmanr

from oncoresist import InputError
from oncoresist.tl import _lm, add_drug_layer, drug_layer, dss_scores, fit_curves, hill_response

LN10 = np.log(10.0)


def hill(dose, top, bottom, ec50, h):
    return bottom + (top - bottom) / (1.0 + (dose / ec50) ** h)


def make_screen(rng, n=30, n_doses=8, noise=0.03, replicates=1):
    dose = np.logspace(-3, 1, n_doses)
    rows = []
    truth = []
    for i in range(n):
        top = rng.uniform(0.9, 1.1)
        bottom = rng.uniform(0.0, 0.6)
        ec50 = 10 ** rng.uniform(-2.5, 0.5)
        h = rng.uniform(0.7, 2.5)
        truth.append((f"S{i:02d}", top, bottom, ec50, h))
        for r in range(replicates):
            y = hill(dose, top, bottom, ec50, h) + rng.normal(0, noise, size=dose.size)
            rows.append(pd.DataFrame({"sample": f"S{i:02d}", "drug": "D1", "dose": dose, "response": y, "replicate": r + 1}))
    return pd.concat(rows, ignore_index=True), pd.DataFrame(truth, columns=["sample", "top", "bottom", "ec50", "hill"])


# ------------------------------------------------------------------------------------------
# kernel
# ------------------------------------------------------------------------------------------
def test_kernel_matches_scipy_curve_fit(rng):
    screen, _ = make_screen(rng, n=25)
    res = fit_curves(screen)

    def f(lx, top, bottom, le, h):
        return bottom + (top - bottom) / (1.0 + np.exp(h * (lx - le)))

    for row in res.itertuples():
        d = screen[screen["sample"] == row.sample]
        lx = np.log(d["dose"].to_numpy())
        y = d["response"].to_numpy()
        lo = [0.5, 0.0, lx.min() - 2 * LN10, 0.1]
        hi = [1.5, 1.5, lx.max() + 2 * LN10, 10.0]
        p, _ = curve_fit(f, lx, y, p0=[1.0, 0.3, np.median(lx), 1.0], bounds=(lo, hi), maxfev=20000)
        sse_ref = float(np.sum((f(lx, *p) - y) ** 2))
        sse = row.rmse**2 * row.n_points
        assert sse <= sse_ref * (1 + 1e-6) + 1e-10
        if abs(p[0] - p[1]) > 0.3:  # well-determined curves: same optimum
            assert row.top == pytest.approx(p[0], abs=2e-3)
            assert row.bottom == pytest.approx(p[1], abs=2e-3)
            assert np.log(row.ec50_uM) == pytest.approx(p[2], abs=2e-2)


def test_kernel_robust_loss_matches_scipy_least_squares(rng):
    from scipy.optimize import least_squares

    lx = np.log(np.logspace(-2, 1, 9))
    y = hill(np.exp(lx), 1.0, 0.2, 0.3, 1.5) + rng.normal(0, 0.02, lx.size)
    y[3] += 0.5  # outlier
    n = 1
    free = np.ones((n, 4), bool)
    lower = np.array([[0.5, 0.0, lx.min() - 5, 0.1]])
    upper = np.array([[1.5, 1.5, lx.max() + 5, 10.0]])
    res = _lm.fit_batch(lx[None], y[None], np.ones((1, lx.size)), free=free, p_fixed=np.zeros((1, 4)),
                        lower=lower, upper=upper, loss="soft_l1", f_scale=0.05)  # fmt: skip
    ref = least_squares(lambda p: _lm.model(p[None], lx[None])[0] - y, [1.0, 0.5, float(np.median(lx)), 1.0],
                        bounds=(lower[0], upper[0]), loss="soft_l1", f_scale=0.05)  # fmt: skip
    assert res.cost[0] <= ref.cost * (1 + 1e-6) + 1e-12
    assert np.allclose(res.params[0], ref.x, atol=5e-3)


def test_noiseless_parameters_recovered_for_each_model():
    dose = np.logspace(-3, 1, 9)
    frames = []
    for name, top, bottom in (("four", 0.95, 0.15), ("three", 1.0, 0.3), ("two", 1.0, 0.0)):
        frames.append(pd.DataFrame({"sample": name, "drug": "D", "dose": dose, "response": hill(dose, top, bottom, 0.04, 1.3)}))
    screen = pd.concat(frames)
    for model, sample, top, bottom in (("4p", "four", 0.95, 0.15), ("3p", "three", 1.0, 0.3), ("2p", "two", 1.0, 0.0)):
        res = fit_curves(screen[screen["sample"] == sample], model=model).iloc[0]
        assert res["top"] == pytest.approx(top, abs=1e-6)
        assert res["bottom"] == pytest.approx(bottom, abs=1e-6)
        assert res["ec50_uM"] == pytest.approx(0.04, rel=1e-5)
        assert res["hill"] == pytest.approx(1.3, rel=1e-5)
        assert res["r2"] == pytest.approx(1.0)
        assert res["converged"]


def test_replicates_chunks_and_parallel_give_the_same_fit(rng):
    screen, _ = make_screen(rng, n=12, replicates=3)
    a = fit_curves(screen)
    b = fit_curves(screen, chunk_size=5)
    assert (a["n_points"] == 24).all()
    pd.testing.assert_frame_equal(a, b)
    c = fit_curves(screen, chunk_size=5, n_jobs=2)
    np.testing.assert_allclose(a["auc"], c["auc"])


def test_robust_loss_resists_an_outlier(rng):
    dose = np.logspace(-3, 1, 10)
    y = hill(dose, 1.0, 0.1, 0.05, 1.2) + rng.normal(0, 0.01, dose.size)
    y[6] = 1.0  # a failed well at a high dose
    screen = pd.DataFrame({"sample": "S", "drug": "D", "dose": dose, "response": y})
    plain = fit_curves(screen).iloc[0]
    robust = fit_curves(screen, loss="soft_l1", f_scale=0.05).iloc[0]
    assert abs(np.log10(robust["ec50_uM"] / 0.05)) < abs(np.log10(plain["ec50_uM"] / 0.05))
    assert abs(robust["bottom"] - 0.1) < abs(plain["bottom"] - 0.1)


# ------------------------------------------------------------------------------------------
# metrics against formulas
# ------------------------------------------------------------------------------------------
def test_auc_matches_numerical_integration(rng):
    screen, _ = make_screen(rng, n=10)
    res = fit_curves(screen, common_range=(0.01, 1.0))
    for row in res.itertuples():
        u = np.linspace(np.log10(row.dose_min_uM), np.log10(row.dose_max_uM), 20001)
        v = hill(10**u, row.top, row.bottom, row.ec50_uM, row.hill)
        assert row.auc == pytest.approx(np.trapezoid(v, u) / (u[-1] - u[0]), abs=1e-6)
        uc = np.linspace(-2, 0, 20001)
        vc = hill(10**uc, row.top, row.bottom, row.ec50_uM, row.hill)
        assert row.auc_common == pytest.approx(np.trapezoid(vc, uc) / 2.0, abs=1e-6)
        assert row.aac == pytest.approx(1 - row.auc)
        assert row.emax == pytest.approx(hill(row.dose_max_uM, row.top, row.bottom, row.ec50_uM, row.hill))
        np.testing.assert_allclose(hill_response(res.iloc[[row.Index]], [row.dose_max_uM])[0, 0], row.emax)


def dss_reference(ic50, b, a, min_conc, max_conc, y=10.0, dss_type=1):
    """Line-by-line port of the authors' DSS R function (6-column input, log scale)."""
    d = 0.0
    c = np.log10(ic50)
    xmin = np.log10(min_conc)
    x2 = np.log10(max_conc)
    if ic50 >= max_conc or b < 0 or a <= y:
        return 0.0
    x1 = c - (np.log(a - y) - np.log(y - d)) / (b * np.log(10))
    x1 = min(max(x1, xmin), x2)
    int_y = (((a - d) * np.log(1 + 10 ** (b * (c - x2)))) / (b * np.log(10)) + a * x2) - (
        ((a - d) * np.log(1 + 10 ** (b * (c - x1)))) / (b * np.log(10)) + a * x1
    ) - y * (x2 - x1)
    int_y = max(int_y, 0.0)
    total = (x2 - xmin) * (100 - y)
    if dss_type == 1:
        return int_y / total * 100
    if dss_type == 2:
        return int_y / total * 100 / np.log10(a)
    return int_y / total * 100 * (np.log10(100) / np.log10(a)) * ((x2 - x1) / (x2 - xmin))


@pytest.mark.parametrize(
    ("ec50", "h", "top", "bottom"),
    [(0.05, 1.2, 1.0, 0.1), (1.0, 0.8, 0.95, 0.4), (3e-4, 2.0, 1.0, 0.0), (20.0, 1.0, 1.0, 0.0), (0.1, 1.0, 1.0, 0.95)],
)
def test_dss_matches_the_published_formula(ec50, h, top, bottom):
    lo, hi = 1e-3, 10.0
    d1, d2, d3 = dss_scores(np.log10(ec50), h, top=top, bottom=bottom, log10_min=np.log10(lo), log10_max=np.log10(hi))
    a = 100 * (top - bottom)
    for got, kind in ((d1, 1), (d2, 2), (d3, 3)):
        assert float(got) == pytest.approx(dss_reference(ec50, h, a, lo, hi, dss_type=kind), abs=1e-9)
    if ec50 < hi and a > 10:
        # DSS1 is the area of the inhibition curve above 10 % over the tested log range, in %
        inh = lambda x: a / (1 + 10 ** (h * (np.log10(ec50) - x)))  # noqa: E731
        x1 = np.log10(ec50) - (np.log(a - 10) - np.log(10)) / (h * LN10)
        x1 = min(max(x1, np.log10(lo)), np.log10(hi))
        area = integrate.quad(lambda x: inh(x) - 10, x1, np.log10(hi))[0]
        assert float(d1) == pytest.approx(100 * area / ((np.log10(hi) - np.log10(lo)) * 90), rel=1e-6)


def test_ic50_beyond_range_is_explicit_not_snapped():
    dose = np.logspace(-3, 0, 7)
    screen = pd.concat(
        [
            pd.DataFrame({"sample": "inside", "drug": "D", "dose": dose, "response": hill(dose, 1, 0, 0.01, 1)}),
            pd.DataFrame({"sample": "above", "drug": "D", "dose": dose, "response": hill(dose, 1, 0.2, 3.0, 1.5)}),
            pd.DataFrame({"sample": "never", "drug": "D", "dose": dose, "response": hill(dose, 1, 0.7, 0.01, 1)}),
            pd.DataFrame({"sample": "below", "drug": "D", "dose": dose, "response": hill(dose, 0.4, 0.05, 0.01, 1)}),
        ]
    )
    res = fit_curves(screen).set_index("sample")
    assert res.loc["inside", "ic50_status"] == "in_range"
    assert res.loc["above", "ic50_status"] == "above_range"
    # extrapolated from the fitted curve, not the highest tested dose (1 uM)
    expected = 3.0 * ((1 - 0.5) / (0.5 - 0.2)) ** (1 / 1.5)
    assert res.loc["above", "ic50_uM"] == pytest.approx(expected, rel=1e-3)
    assert res.loc["never", "ic50_status"] == "not_reached"
    assert np.isinf(res.loc["never", "ic50_uM"])
    assert res.loc["below", "ic50_status"] == "always_below"
    assert res.loc["below", "ic50_uM"] == 0
    assert res.loc["above", "ec50_status"] == "above_range"
    assert "ic50_out_of_range" in res.loc["above", "flags"]
    assert res.loc["above", "out_of_range"]


def test_ic50_not_reached_is_a_result_not_a_flag():
    dose = np.logspace(-3, 0, 7)
    screen = pd.concat([
        pd.DataFrame({"sample": "never", "drug": "D", "dose": dose, "response": hill(dose, 1, 0.7, 0.01, 1)}),
        pd.DataFrame({"sample": "below", "drug": "D", "dose": dose, "response": hill(dose, 0.4, 0.05, 0.01, 1)}),
    ])  # fmt: skip
    res = fit_curves(screen).set_index("sample")
    assert res.loc["never", "ic50_status"] == "not_reached" and res.loc["below", "ic50_status"] == "always_below"
    for s in ("never", "below"):
        assert "ic50_out_of_range" not in res.loc[s, "flags"] and "not_converged" not in res.loc[s, "flags"]
    assert not res.loc["never", "out_of_range"]  # its EC50 (0.01 uM) is inside the tested range


def _scipy_sse(d):
    """SSE of scipy's bounded curve_fit on one curve (4p, the default bounds), a reference optimum."""

    def f(lx, top, bottom, le, h):
        return bottom + (top - bottom) / (1.0 + np.exp(h * (lx - le)))

    lx, y = np.log(d["dose"].to_numpy()), d["response"].to_numpy()
    lo, hi = [0.5, 0.0, lx.min() - 2 * LN10, 0.1], [1.5, 1.5, lx.max() + 2 * LN10, 10.0]
    p, _ = curve_fit(f, lx, y, p0=[1.0, 0.3, np.median(lx), 1.0], bounds=(lo, hi), maxfev=20000)
    return float(np.sum((f(lx, *p) - y) ** 2)), float(np.sum((y - y.mean()) ** 2))


def test_not_converged_only_when_worse_than_the_reference(rng):
    screen, _ = make_screen(rng, n=20, noise=0.05)
    dose = np.logspace(-3, 1, 8)
    plateau = [pd.DataFrame({"sample": f"N{i}", "drug": "D1", "dose": dose,  # IC50 never reached: flat valleys
                             "response": hill(dose, 1, 0.75, 0.05, 1) + rng.normal(0, 0.02, dose.size)}) for i in range(10)]
    screen = pd.concat([screen, *plateau], ignore_index=True)
    full = fit_curves(screen).set_index("sample")
    starved = fit_curves(screen, max_iter=2).set_index("sample")  # the cap stops the fits early
    flagged = starved["flags"].str.contains("not_converged")
    assert flagged.any() and not full["flags"].str.contains("not_converged").any()
    for sample in full.index:
        ref, sst = _scipy_sse(screen[screen["sample"] == sample])
        sse = full.loc[sample, "rmse"] ** 2 * full.loc[sample, "n_points"]
        assert sse <= ref + 1e-3 * sst  # an unflagged fit is never worse than scipy's
        if flagged[sample]:  # flagged: the capped fit was clearly worse and the continued one did not converge
            assert not starved.loc[sample, "converged"]


def test_flat_and_non_monotone_curves_are_flagged(rng):
    dose = np.logspace(-3, 1, 8)
    flat = 0.95 + rng.normal(0, 0.01, dose.size)
    bumpy = hill(dose, 1, 0.1, 0.01, 1.5)
    bumpy[5] = 0.8
    screen = pd.concat(
        [
            pd.DataFrame({"sample": "flat", "drug": "D", "dose": dose, "response": flat}),
            pd.DataFrame({"sample": "bumpy", "drug": "D", "dose": dose, "response": bumpy}),
        ]
    )
    res = fit_curves(screen).set_index("sample")
    assert res.loc["flat", "flat"] and "flat" in res.loc["flat", "flags"]
    assert np.isnan(res.loc["flat", "ec50_uM"]) and res.loc["flat", "ec50_status"] == "undefined_flat"
    assert res.loc["flat", "dss1"] == 0
    assert not res.loc["bumpy", "flat"]
    assert res.loc["bumpy", "non_monotone"]
    assert not res.loc["flat", "non_monotone"]


def test_gr_metrics_from_time_zero():
    dose = np.logspace(-3, 1, 9)
    r0 = 0.25  # two doublings of untreated cells over the assay
    grinf, gec50, h = -0.3, 0.05, 1.4
    gr = grinf + (1 - grinf) / (1 + (dose / gec50) ** h)
    viab = r0 * (gr + 1) ** 2  # x(c) / x_ctrl when log2(x_ctrl / x0) = 2
    screen = pd.DataFrame({"sample": "S", "drug": "D", "dose": dose, "response": viab, "time": 72.0})
    t0 = pd.DataFrame({"sample": "S", "drug": "none", "dose": [0.0, 0.0], "response": [r0, r0], "time": 0.0})
    with pytest.warns(UserWarning, match="matched by sample only"):
        res = fit_curves(pd.concat([screen, t0])).iloc[0]
    assert res["drug"] == "D"
    assert res["grinf"] == pytest.approx(grinf, abs=1e-5)
    assert res["gec50_uM"] == pytest.approx(gec50, rel=1e-4)
    assert res["gr_hill"] == pytest.approx(h, rel=1e-4)
    assert res["gr50_uM"] == pytest.approx(gec50 * ((1 - 0.5) / (0.5 - grinf)) ** (1 / h), rel=1e-4)
    assert res["gr50_status"] == "in_range"
    assert res["grmax"] == pytest.approx(gr[-1], abs=1e-4)


# ------------------------------------------------------------------------------------------
# bad input
# ------------------------------------------------------------------------------------------
def test_bad_curves_are_flagged_and_the_rest_still_fits(rng):
    good, _ = make_screen(rng, n=3)
    dose = np.logspace(-2, 1, 5)
    bad = pd.concat(
        [
            pd.DataFrame({"sample": "one_dose", "drug": "D1", "dose": [1.0, 1.0], "response": [0.5, 0.6]}),
            pd.DataFrame({"sample": "all_nan", "drug": "D1", "dose": dose, "response": np.nan}),
            pd.DataFrame({"sample": "neg_dose", "drug": "D1", "dose": np.r_[-1.0, dose], "response": np.r_[0.9, hill(dose, 1, 0, 1, 1)]}),
            pd.DataFrame({"sample": "controls", "drug": "D1", "dose": np.r_[0.0, 0.0, dose], "response": np.r_[1.0, 1.0, hill(dose, 1, 0, 1, 1)]}),
            pd.DataFrame({"sample": "percent", "drug": "D1", "dose": dose, "response": 100 * hill(dose, 1, 0, 1, 1)}),
        ]
    )
    with pytest.warns(UserWarning) as rec:
        res = fit_curves(pd.concat([good, bad]), response_scale="fraction")
    msgs = " ".join(str(w.message) for w in rec)
    assert "negative dose" in msgs and "not fitted" in msgs
    res = res.set_index("sample")
    assert res.loc["one_dose", "status"] == "too_few_doses"
    assert res.loc["all_nan", "status"] == "no_data"
    assert res.loc["percent", "status"] == "scale_mismatch"
    assert np.isnan(res.loc["percent", "auc"])
    assert res.loc["neg_dose", "status"] == "ok" and "invalid_dose" in res.loc["neg_dose", "flags"]
    assert res.loc["neg_dose", "n_dropped"] == 1
    assert res.loc["controls", "n_control"] == 2 and res.loc["controls", "n_dropped"] == 0
    assert res.loc["controls", "ec50_uM"] == pytest.approx(1.0, rel=1e-4)
    assert (res.loc[[s for s in res.index if s.startswith("S")], "status"] == "ok").all()


def test_percent_scale_is_detected_and_reported():
    dose = np.logspace(-2, 1, 6)
    screen = pd.DataFrame({"sample": "S", "drug": "D", "dose": dose, "response": 100 * hill(dose, 1, 0.1, 0.3, 1)})
    res = fit_curves(screen)
    assert res.attrs["response_scale"] == "percent"
    assert "percent assumed" in res.attrs["response_scale_reason"]
    assert res.loc[0, "ec50_uM"] == pytest.approx(0.3, rel=1e-4)
    ambiguous = screen.assign(response=np.linspace(0.2, 2.0, 6))
    with pytest.raises(InputError, match="response_scale"):
        fit_curves(ambiguous)
    assert fit_curves(ambiguous, response_scale="fraction").attrs["response_scale"] == "fraction"


@pytest.mark.parametrize(
    ("screen", "kwargs", "match"),
    [
        (pd.DataFrame({"sample": ["a"], "drug": ["d"], "dose": [1.0]}), {}, "response"),
        (pd.DataFrame({"sample": ["a"], "drug": ["d"], "dose": ["one"], "response": [0.5]}), {}, "non-numeric dose"),
        (pd.DataFrame({"sample": [None], "drug": ["d"], "dose": [1.0], "response": [0.5]}), {}, "missing sample"),
        (pd.DataFrame({"sample": ["a"], "drug": ["d"], "dose": [1.0], "response": [0.5]}), {"model": "5p"}, "model"),
        (pd.DataFrame({"sample": ["a"], "drug": ["d"], "dose": [1.0], "response": [0.5]}), {"bounds": {"slope": (0, 1)}}, "bounds"),
        ("not a frame", {}, "DataFrame"),
    ],
)
def test_bad_tables_raise_one_line_errors(screen, kwargs, match):
    with pytest.raises(InputError, match=match) as err:
        fit_curves(screen, **kwargs)
    assert "\n" not in str(err.value)


# ------------------------------------------------------------------------------------------
# drug layer
# ------------------------------------------------------------------------------------------
def test_drug_layer_and_cohort_slot(rng, tmp_path):
    import anndata as ad
    import mudata as md

    from oncoresist.io import read_h5mu, write_h5mu

    screen, _ = make_screen(rng, n=4)
    screen2 = screen.assign(drug="D2", response=screen["response"] * 0.9)
    screen = pd.concat([screen, screen2, pd.DataFrame({"sample": "S00", "drug": "D3", "dose": [1.0], "response": [0.5]})])
    with pytest.warns(UserWarning, match="not fitted"):
        curves = fit_curves(screen)
    adata = drug_layer(curves)
    assert adata.shape == (4, 3)
    for layer in ("auc", "aac", "ic50_uM", "log10_ic50", "ec50_uM", "emax", "hill", "dss1", "dss2", "dss3", "r2"):
        assert layer in adata.layers
    assert np.all((adata.X[np.isfinite(adata.X)] >= 0) & (adata.X[np.isfinite(adata.X)] <= 1))
    j = list(adata.var_names).index("D3")
    assert np.isnan(adata.X[:, j]).all()  # one dose: not fitted
    assert adata.var.loc["D3", "n_screened"] == 1 and adata.var.loc["D3", "n_fitted"] == 0
    assert len(adata.uns["drug"]["not_fitted"]) == 1

    rna = ad.AnnData(np.zeros((5, 2)), obs=pd.DataFrame(index=["S00", "S01", "S02", "S03", "X9"]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mdata = md.MuData({"rna": rna})
    with pytest.warns(UserWarning, match="not fitted"):
        add_drug_layer(mdata, screen)
    assert mdata["drug"].shape == (5, 3)
    assert list(mdata["drug"].obs_names) == list(mdata.obs_names)
    assert np.isnan(mdata["drug"].X[4]).all()  # X9 was not screened
    assert mdata.uns["curves"]["params"]["model"] == "4p"
    assert len(mdata.uns["dose_response"]) == len(screen)
    out = tmp_path / "cohort.h5mu"
    write_h5mu(mdata, out)
    back = read_h5mu(out)
    np.testing.assert_allclose(back["drug"].layers["auc"], mdata["drug"].layers["auc"])
    # fitted curves can be given directly; samples outside the cohort are reported
    other = curves.assign(sample=curves["sample"].replace({"S03": "ZZ"}))
    with pytest.warns(UserWarning, match="not in the cohort"):
        copy = add_drug_layer(mdata, other, copy=True)
    assert list(copy.uns["curves"]["samples_not_in_cohort"]) == ["ZZ"]
    assert np.isnan(copy["drug"].X[list(copy.obs_names).index("S03")]).all()
    assert not np.isnan(mdata["drug"].X[list(mdata.obs_names).index("S03")]).all()
    with pytest.raises(InputError, match="already fitted"):
        add_drug_layer(mdata, curves, model="3p")


def test_add_drug_layer_warns_about_samples_outside_the_cohort(rng):
    import anndata as ad
    import mudata as md

    screen, _ = make_screen(rng, n=3)
    rna = ad.AnnData(np.zeros((2, 1)), obs=pd.DataFrame(index=["S00", "S01"]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mdata = md.MuData({"rna": rna})
    with pytest.warns(UserWarning, match="not in the cohort"):
        new = add_drug_layer(mdata, screen, copy=True)
    assert list(new.uns["curves"]["samples_not_in_cohort"]) == ["S02"]
    assert "drug" not in mdata.mod


# ------------------------------------------------------------------------------------------
# simulated cohort: planted mechanisms come out of the fitted metrics
# ------------------------------------------------------------------------------------------
def test_simulated_screen_recovers_planted_biology():
    from oncoresist.ds import simulate_cohort

    cohort = simulate_cohort(seed=0)
    curves = fit_curves(cohort.dose_response)
    assert (curves["status"] == "ok").all()
    truth = cohort.truth.curves.set_index(["sample", "drug"])
    m = curves.set_index(["sample", "drug"]).join(truth, rsuffix="_true")
    assert spearmanr(m["auc"], m["auc_true"])[0] > 0.95
    flags = cohort.truth.flags
    gef = curves[curves["drug"] == "gefitinib"].set_index("sample")
    t790m = flags.index[flags["egfr_t790m"]]
    sens = flags.index[flags["egfr_activating"] & ~flags["egfr_t790m"]]
    t790m = [s for s in t790m if s in gef.index]
    sens = [s for s in sens if s in gef.index]
    assert len(t790m) >= 3 and len(sens) >= 3
    assert gef.loc[t790m, "log10_ic50"].median() > gef.loc[sens, "log10_ic50"].median()
    assert mannwhitneyu(gef.loc[t790m, "auc"], gef.loc[sens, "auc"], alternative="greater").pvalue < 0.05
    # osimertinib keeps working in T790M tumours
    osi = curves[curves["drug"] == "osimertinib"].set_index("sample")
    assert osi.loc[t790m, "auc"].median() < gef.loc[t790m, "auc"].median()


# ------------------------------------------------------------------------------------------
# real data
# ------------------------------------------------------------------------------------------
@pytest.mark.realdata
def test_ccle_auc_and_ic50_agree_with_pharmacogx(shared_data):
    raw = pd.read_csv(shared_data / "ccle_pharmacogx" / "raw_dose_response.csv.gz")
    prof = pd.read_csv(shared_data / "ccle_pharmacogx" / "sensitivity_profiles.csv.gz", index_col=0)
    keep = raw["treatmentid"].isin(sorted(raw["treatmentid"].unique())[:8])
    screen = raw.loc[keep].rename(columns={"exp_id": "sample", "treatmentid": "drug", "dose_uM": "dose", "viability_pct": "response"})
    res = fit_curves(screen[["sample", "drug", "dose", "response"]], model="3p")
    assert res.attrs["response_scale"] == "percent"
    m = res.set_index("sample").join(prof)
    assert len(m) > 3000
    rho = spearmanr(m["aac"], m["auc_recomputed"], nan_policy="omit")[0]
    assert rho >= 0.95
    fin = np.isfinite(m["ic50_uM"]) & np.isfinite(m["ic50_recomputed"]) & (m["ic50_uM"] > 0)
    assert spearmanr(m.loc[fin, "ic50_uM"], m.loc[fin, "ic50_recomputed"])[0] >= 0.9


@pytest.mark.realdata
@pytest.mark.slow
def test_ccle_flags_mean_something(shared_data):
    raw = pd.read_csv(shared_data / "ccle_pharmacogx" / "raw_dose_response.csv.gz")
    screen = raw.rename(columns={"exp_id": "sample", "treatmentid": "drug", "dose_uM": "dose", "viability_pct": "response"})
    res = fit_curves(screen[["sample", "drug", "dose", "response"]])
    assert len(res) == 11670
    never = res["ic50_status"].isin(["not_reached", "always_below"])
    assert never.mean() > 0.3  # CCLE: many lines never reach 50 % viability, a result
    assert not res.loc[never, "flags"].str.contains("ic50_out_of_range").any()
    # the iteration cap alone (8.7 % of curves before) is no longer a failure
    assert res["flags"].str.contains("not_converged").mean() < 0.005


@pytest.mark.realdata
def test_cll_bcr_inhibitors_work_better_in_unmutated_ighv(shared_data):
    d = pd.read_csv(shared_data / "cll" / "drpar_long_dose_response.csv.gz")
    meta = pd.read_csv(shared_data / "cll" / "patmeta.csv", index_col=0)
    drugs = pd.read_csv(shared_data / "cll" / "drugs.csv", index_col=0)
    bcr = drugs.loc[drugs["pathway"] == "B-cell receptor", "name"].tolist()
    assert "ibrutinib" in bcr
    screen = d[d["drug_name"].isin(bcr)].rename(columns={"patient_id": "sample", "drug_name": "drug", "conc_uM": "dose", "viability": "response"})
    res = fit_curves(screen[["sample", "drug", "dose", "response"]]).join(meta, on="sample")
    cll = res[res["Diagnosis"] == "CLL"]
    for drug in bcr:
        s = cll[cll["drug"] == drug]
        u, mm = s.loc[s["IGHV"] == "U", "auc"], s.loc[s["IGHV"] == "M", "auc"]
        assert len(u) > 30 and len(mm) > 30
        assert mannwhitneyu(u, mm, alternative="less").pvalue < 1e-4, drug


# ------------------------------------------------------------------------------------------
# the named steps of fit_curves, each on its own
# ------------------------------------------------------------------------------------------
def test_step_check_fit_args():
    from oncoresist.tl.screen._curves import _check_fit_args

    _check_fit_args("3p", "huber", 0.1)
    with pytest.raises(InputError, match="f_scale must be a positive number"):
        _check_fit_args("4p", "linear", 0.0)


def test_step_split_time_zero():
    from oncoresist.tl.screen._curves import _split_time_zero

    df = pd.DataFrame({"sample": ["a", "a", "a", "b"], "drug": "D", "dose": [0.1, 0.1, 1.0, 0.1],
                       "response": [0.4, 0.8, 0.6, 0.9], "time": [0.0, 72.0, 72.0, 72.0]})  # fmt: skip
    rest, keys, t0 = _split_time_zero(df)
    assert keys == ["sample", "drug"] and len(rest) == 3 and t0["response"].tolist() == [0.4]
    _, keys, r0 = _split_time_zero(df.assign(time=[24.0, 72.0, 72.0, 24.0]))
    assert keys == ["sample", "drug", "time"] and r0 is None
    with pytest.raises(InputError, match="no rows to fit"):
        _split_time_zero(df.assign(time=0.0))


def test_step_group_curves_counts_and_status():
    from oncoresist.tl.screen._curves import _group_curves

    df = pd.DataFrame({"sample": ["a"] * 5 + ["b"] * 2, "drug": "D",
                       "dose": [0.0, 0.1, 0.1, 1.0, -1.0, 0.1, 0.1], "response": [1.0, 0.9, 0.8, np.nan, 0.5, 0.7, 0.6]})  # fmt: skip
    with pytest.warns(UserWarning) as rec:
        c = _group_curves(df, ["sample", "drug"], "fraction")
    assert len(rec) == 2
    assert c.n == 2 and list(c.n_points) == [2, 2] and list(c.n_control) == [1, 0]
    assert list(c.n_bad_dose) == [1, 0] and list(c.n_missing) == [1, 0]
    assert list(c.status) == ["too_few_doses", "too_few_doses"] and len(c.ok) == 0


def test_step_fit_viability_and_curve_table(rng):
    from oncoresist.tl.screen._curves import (
        DEFAULT_BOUNDS,
        _curve_table,
        _fit_viability,
        _FitOptions,
        _group_curves,
    )

    screen, truth = make_screen(rng, n=4, noise=0.005)
    c = _group_curves(screen, ["sample", "drug"], "fraction")
    o = _FitOptions("4p", "linear", 0.1, dict(DEFAULT_BOUNDS), 2.0, None, 10.0, 0.1, 0.2, 0.7, 200, 3, 1, None, True)
    fit = _fit_viability(c, o)
    assert fit["params"].shape == (4, 4) and fit["converged"].all()
    np.testing.assert_allclose(np.exp(fit["params"][:, 2]), truth["ec50"], rtol=0.1)
    out = _curve_table(c, fit, o)
    assert (out["r2"] > 0.98).all() and list(out["sample"]) == list(truth["sample"])
    assert {"flags", "dss3", "auc_common", "amax", "ic50_status"} <= set(out.columns)


def test_step_observed_activity_rebound():
    from oncoresist.tl.screen._curves import _observed_activity

    per_dose = pd.DataFrame({"cid": [0, 0, 0, 1, 1], "dose": [0.1, 1, 10, 0.1, 1], "resp": [0.9, 0.3, 0.6, 1.0, 0.8]})
    amax, rebound = _observed_activity(per_dose, 2)
    np.testing.assert_allclose(amax, [0.7, 0.2])
    np.testing.assert_allclose(rebound, [0.3, -0.2])


# ---- drug_layer steps
def _tiny_curves():
    return pd.DataFrame({"sample": ["B", "A", "A"], "drug": ["D1", "D1", "D2"], "status": ["ok", "ok", "no_data"],
                         "auc": [0.4, 1.2, np.nan], "ic50_uM": [0.1, np.inf, np.nan],
                         "ic50_status": ["in_range", "not_reached", ""], "dose_min_uM": [0.01, 0.02, 0.01],
                         "dose_max_uM": [1.0, 2.0, 1.0]})  # fmt: skip


def test_step_checked_curves_and_obs_names():
    from oncoresist.tl.screen._drug_layer import _checked_curves, _obs_names

    c = _checked_curves(_tiny_curves())
    assert list(c["_var"]) == ["D1", "D1", "D2"]
    with pytest.raises(InputError, match="duplicated sample x drug"):
        _checked_curves(pd.concat([_tiny_curves(), _tiny_curves().iloc[:1]]))
    assert list(_obs_names(c, None)) == ["A", "B"]
    with pytest.warns(UserWarning, match="1 screened sample"):
        assert list(_obs_names(c, ["B", "C"])) == ["B", "C"]


def test_step_drug_layers_and_var():
    from oncoresist.tl.screen._drug_layer import _checked_curves, _drug_layers, _drug_var

    c = _checked_curves(_tiny_curves())
    ok = c["status"].to_numpy() == "ok"
    obs, var = pd.Index(["A", "B"], dtype=object), pd.Index(["D1", "D2"], dtype=object)
    layers = _drug_layers(c, ok, obs, var)
    assert set(layers) == {"auc", "ic50_uM", "ic50_censored"}
    np.testing.assert_array_equal(layers["auc"], [[1.2, np.nan], [0.4, np.nan]])
    np.testing.assert_array_equal(layers["ic50_censored"], [[1.0, np.nan], [0.0, np.nan]])
    vdf = _drug_var(c, ok, var, layers["auc"], pd.DataFrame({"target": ["T1"]}, index=["D1"]))
    assert list(vdf["n_screened"]) == [2, 1] and list(vdf["n_fitted"]) == [2, 0]
    assert vdf.loc["D1", "median_auc"] == pytest.approx(0.8) and vdf.loc["D1", "target"] == "T1"
    assert vdf.loc["D1", "dose_min_uM"] == 0.01 and vdf.loc["D1", "dose_max_uM"] == 2.0


# ---- fit_batch steps
def test_step_normal_equations_match_finite_differences(rng):
    p = np.array([[1.0, 0.2, np.log(0.1), 1.3]])
    lx = np.log(np.logspace(-3, 1, 6))[None]
    y = _lm.model(p, lx) + rng.normal(0, 0.02, lx.shape)
    w = np.ones_like(y)
    a, grad = _lm._normal_equations(p, lx, y, w, _lm._gate(p.copy(), lx), "linear", 0.1)

    def cost(q):
        return 0.5 * np.sum((_lm.model(q, lx) - y) ** 2)

    num = np.array([(cost(p + 1e-6 * e) - cost(p - 1e-6 * e)) / 2e-6 for e in np.eye(4)])
    np.testing.assert_allclose(grad[0], num, rtol=1e-5, atol=1e-8)
    assert a.shape == (1, 4, 4) and np.allclose(a[0], a[0].T)


def test_step_bounded_step_holds_a_parameter_at_its_bound():
    a = np.eye(4)[None] * 1.0
    grad = np.array([[-2.0, 0.0, 0.0, 0.0]])  # unconstrained step +2 on e0
    p = np.zeros((1, 4))
    lo, hi = np.full((1, 4), -1.0), np.full((1, 4), 1.0)
    step = _lm._bounded_step(a, a.copy(), grad, p, lo, hi, np.ones((1, 4), dtype=bool))
    np.testing.assert_allclose(step, [[1.0, 0.0, 0.0, 0.0]])


def test_step_lm_proposal_lowers_the_cost(rng):
    p_true = np.array([[1.0, 0.1, np.log(0.05), 1.5]])
    lx = np.log(np.logspace(-3, 1, 8))[None]
    y = _lm.model(p_true, lx)
    w = np.ones_like(y)
    p = np.array([[0.9, 0.3, np.log(0.2), 1.0]])
    lo, hi = np.array([[0.0, -1.0, -20.0, 0.1]]), np.array([[2.0, 1.0, 20.0, 10.0]])
    p_new, fr = _lm._lm_proposal(p, lx, y, w, _lm._gate(p.copy(), lx), np.ones((1, 4), dtype=bool), lo, hi,
                                 np.array([1e-3]), "linear", 0.1)  # fmt: skip
    assert fr.all()
    assert np.sum((_lm.model(p_new, lx) - y) ** 2) < np.sum((_lm.model(p, lx) - y) ** 2)


def test_step_best_of_starts_keeps_the_lowest_cost(rng):
    lx = np.tile(np.log(np.logspace(-3, 1, 8)), (3, 1))
    p_true = np.array([[1.0, 0.1, np.log(0.05), 1.5], [1.0, 0.5, np.log(1.0), 3.0], [0.9, 0.0, np.log(0.01), 0.8]])
    y = _lm.model(p_true, lx) + rng.normal(0, 0.01, lx.shape)
    w = np.ones_like(y)
    free = np.ones((3, 4), dtype=bool)
    lo, hi = np.tile([0.0, -1.0, -20.0, 0.1], (3, 1)), np.tile([2.0, 2.0, 20.0, 10.0], (3, 1))
    kw = {"loss": "linear", "f_scale": 0.1, "max_iter": 200, "tol": 1e-10, "xtol": 1e-10}
    best = _lm._best_of_starts(lx, y, w, free, np.zeros((3, 4)), lo, hi, n_starts=3, **kw)
    one = _lm.fit_batch(lx, y, w, free=free, p_fixed=np.zeros((3, 4)), lower=lo, upper=hi, n_starts=1, **kw)
    assert (best.cost <= one.cost + 1e-12).all() and best.converged.all()

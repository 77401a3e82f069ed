from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import brentq

from oncoresist import InputError
from oncoresist.tl import synergy

CONC = np.array([0.0, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0])


def inhibition(c, ec50, h):
    """SynergyFinder single-agent model with Emin = 0, Emax = 100 (% inhibition)."""
    c = np.asarray(c, dtype=float)
    safe = np.where(c > 0, c, 1.0)
    return np.where(c > 0, 100.0 / (1.0 + (ec50 / safe) ** h), 0.0)


def block_frame(name, resp_fn, conc1=CONC, conc2=CONC, **extra):
    g1, g2 = np.meshgrid(conc1, conc2, indexing="ij")
    df = pd.DataFrame({"block": name, "drug1": "A", "drug2": "B", "conc1": g1.ravel(), "conc2": g2.ravel()})
    df["response"] = resp_fn(g1, g2).ravel()
    for k, v in extra.items():
        df[k] = v
    return df


def bliss_independent(g1, g2, e1=0.1, e2=0.5, h1=1.0, h2=1.5):
    v1 = 1 - inhibition(g1, e1, h1) / 100
    v2 = 1 - inhibition(g2, e2, h2) / 100
    return v1 * v2


def test_bliss_and_hsa_equal_their_formulas(rng):
    noisy = lambda g1, g2: np.clip(bliss_independent(g1, g2) + rng.normal(0, 0.03, g1.shape), 0, None)  # noqa: E731
    summary, wells = synergy(block_frame("B1", noisy))
    w = wells.set_index(["conc1", "conc2"])
    y = w["inhibition"]
    for (c1, c2), row in w.iterrows():
        if c1 == 0 or c2 == 0:
            assert row["bliss"] == 0 and row["hsa"] == 0
            continue
        y1, y2 = y.loc[(c1, 0.0)], y.loc[(0.0, c2)]
        assert row["bliss"] == pytest.approx(row["inhibition"] - (y1 + y2 - y1 * y2 / 100), abs=1e-9)
        assert row["hsa"] == pytest.approx(row["inhibition"] - max(y1, y2), abs=1e-9)
    combo = w.loc[(w.index.get_level_values(0) > 0) & (w.index.get_level_values(1) > 0)]
    assert summary.loc[0, "bliss"] == pytest.approx(combo["bliss"].mean())
    assert summary.loc[0, "hsa"] == pytest.approx(combo["hsa"].mean())


def test_independent_drugs_score_near_zero_and_synergy_is_positive():
    frames = [
        block_frame("indep", bliss_independent),
        # drug B makes drug A 10x more potent: synergy
        block_frame("syn", lambda g1, g2: (1 - inhibition(g1, 0.1 / (1 + 9 * inhibition(g2, 0.5, 1.5) / 100), 1.0) / 100)
                    * (1 - inhibition(g2, 0.5, 1.5) / 100)),  # fmt: skip
    ]
    summary, _ = synergy(pd.concat(frames))
    summary = summary.set_index("block")
    for m in ("zip", "bliss"):
        assert abs(summary.loc["indep", m]) < 1.0
        assert summary.loc["syn", m] > 3.0
    assert summary.loc["syn", "zip_msa"] >= summary.loc["syn", "zip"]
    assert summary.loc["syn", "loewe"] > summary.loc["indep", "loewe"]
    assert (summary["status"] == "ok").all()


def test_loewe_matches_its_definition():
    # noiseless single agents: the fitted curves are exact, so the reference solves
    # x1 / X1(y) + x2 / X2(y) = 1 with Xk the inverse single-agent curves
    e1, h1, e2, h2 = 0.1, 1.0, 0.5, 1.5
    summary, wells = synergy(block_frame("B", lambda g1, g2: bliss_independent(g1, g2, e1, e2, h1, h2)))
    inv = lambda y, e, h: e * (y / (100 - y)) ** (1 / h)  # noqa: E731
    for row in wells[(wells["conc1"] > 0) & (wells["conc2"] > 0)].itertuples():
        x1, x2 = row.conc1, row.conc2
        y = brentq(lambda y, x1=x1, x2=x2: x1 / inv(y, e1, h1) + x2 / inv(y, e2, h2) - 1, 1e-9, 100 - 1e-9)
        assert row.loewe_ref == pytest.approx(y, abs=1e-5)
        assert row.loewe == pytest.approx(row.inhibition - y, abs=1e-5)
        assert not row.loewe_fallback
    assert summary.loc[0, "ec50_1_uM"] == pytest.approx(e1, rel=1e-5)
    assert summary.loc[0, "hill_2"] == pytest.approx(h2, rel=1e-5)


def test_zip_of_noiseless_independent_drugs_is_zero():
    _, wells = synergy(block_frame("B", bliss_independent), methods=["zip"])
    assert set(wells.columns) >= {"zip", "zip_ref", "zip_fit"}
    assert np.abs(wells["zip"]).max() < 0.5


def test_replicates_are_averaged_and_sample_kept(rng):
    base = block_frame("B", bliss_independent, sample="P1")
    reps = pd.concat([base.assign(response=base["response"] + e) for e in (-0.02, 0.02)])
    summary, wells = synergy(reps)
    assert (wells["n_replicates"] == 2).all()
    np.testing.assert_allclose(wells.sort_values(["conc1", "conc2"])["response"].to_numpy(),
                               base.sort_values(["conc1", "conc2"])["response"].to_numpy())  # fmt: skip
    assert summary.loc[0, "sample"] == "P1" and "sample" in wells.columns


def test_many_blocks_bad_blocks_flagged_rest_scored():
    good = block_frame("good", bliss_independent)
    holey = block_frame("holey", bliss_independent)
    holey = holey.drop(index=holey.index[10])
    no_single = block_frame("nosingle", bliss_independent, conc2=CONC[1:])
    mixed = pd.concat([block_frame("mixed", bliss_independent).iloc[:20], block_frame("mixed", bliss_independent).iloc[20:].assign(drug2="C")])
    tiny = block_frame("tiny", bliss_independent, conc1=CONC[:2])
    with pytest.warns(UserWarning) as rec:
        summary, wells = synergy(pd.concat([good, holey, no_single, mixed, tiny]))
    assert any("incomplete dose grid" in str(w.message) for w in rec)
    s = summary.set_index("block")
    assert s.loc["good", "status"] == "ok" and np.isfinite(s.loc["good", "zip"])
    assert s.loc["holey", "status"] == "ok" and "incomplete_grid" in s.loc["holey", "flags"]
    assert s.loc["holey", "n_missing_wells"] == 1 and np.isfinite(s.loc["holey", "bliss"])
    assert s.loc["nosingle", "status"].startswith("failed: no single-agent wells of drug1")
    assert s.loc["mixed", "status"].startswith("failed: several drug pairs")
    assert s.loc["tiny", "status"].startswith("failed: fewer than 2")
    assert s.loc[["nosingle", "mixed", "tiny"], "zip"].isna().all()


@pytest.mark.parametrize(
    ("frame", "kwargs", "match"),
    [
        (pd.DataFrame({"block": [1], "drug1": ["a"], "drug2": ["b"], "conc1": [0.0], "conc2": [0.0]}), {}, "response"),
        (pd.DataFrame({"block": [1], "drug1": ["a"], "drug2": ["b"], "conc1": [-1.0], "conc2": [0.0], "response": [1.0]}), {}, "invalid conc1"),
        (pd.DataFrame({"block": [1], "drug1": ["a"], "drug2": ["b"], "conc1": ["x"], "conc2": [0.0], "response": [1.0]}), {}, "non-numeric conc1"),
        (pd.DataFrame({"block": [1], "drug1": ["a"], "drug2": ["b"], "conc1": [0.0], "conc2": [0.0], "response": [1.0]}), {"methods": ["cI"]}, "methods"),
        (pd.DataFrame({"block": [1], "drug1": ["a"], "drug2": ["b"], "conc1": [0.0], "conc2": [0.0], "response": [1.0]}), {"emin": None}, "emin"),
    ],
)
def test_bad_tables_raise_one_line_errors(frame, kwargs, match):
    with pytest.raises(InputError, match=match) as err:
        synergy(frame, **kwargs)
    assert "\n" not in str(err.value)


def test_inhibition_input_in_percent():
    df = block_frame("B", bliss_independent)
    inh = df.assign(response=100 * (1 - df["response"]))
    a, wa = synergy(df)
    b, wb = synergy(inh, response_kind="inhibition")
    assert b.attrs["params"]["response_scale"] == "percent"
    np.testing.assert_allclose(wa["bliss"], wb["bliss"], atol=1e-9)
    np.testing.assert_allclose(a["zip"], b["zip"], atol=1e-6)


@pytest.mark.realdata
def test_synergyfinder_reference_scores(shared_data):
    pytest.importorskip("openpyxl")
    from oncoresist.io import read_combinations

    combos = read_combinations(shared_data / "synergy" / "SF_exampleTable.csv")
    summary, wells = synergy(combos)
    assert (summary["status"] == "ok").all() and len(summary) == 6
    wells = wells.assign(k1=(wells["conc1"] * 1000).round(6), k2=(wells["conc2"] * 1000).round(6))
    for method, max_mad, min_r in (("loewe", 0.5, 0.99), ("zip", 2.0, 0.92)):
        ref = pd.read_excel(shared_data / "synergy" / "sf_reference_results" / f"result_{method.upper() if method == 'zip' else 'Loewe'}_2021-01-07_LL4.xlsx")
        ref = ref.assign(block=ref["PairIndex"].astype(str), k1=ref["Conc1"].round(6), k2=ref["Conc2"].round(6))
        m = wells.merge(ref, on=["block", "k1", "k2"])
        m = m[(m["k1"] > 0) & (m["k2"] > 0)]
        assert len(m) == 6 * 49
        mad = float(np.abs(m[method] - m["Synergy"]).mean())
        r = float(np.corrcoef(m[method], m["Synergy"])[0, 1])
        assert mad < max_mad and r > min_r, (method, mad, r)
    # the responses SynergyFinder scored are the ones we read (percent inhibition)
    np.testing.assert_allclose(m["inhibition"], m["Relative_inhibition"], atol=0.006)


@pytest.mark.realdata
def test_zip_per_block_against_synergyfinder(shared_data):
    """Per-block ZIP agreement with SynergyFinder 2's own results (floor of what is reached today)."""
    pytest.importorskip("openpyxl")
    from oncoresist.io import read_combinations

    _, wells = synergy(read_combinations(shared_data / "synergy" / "SF_exampleTable.csv"), methods=["zip"])
    wells = wells.assign(k1=(wells["conc1"] * 1000).round(6), k2=(wells["conc2"] * 1000).round(6))
    ref = pd.read_excel(shared_data / "synergy" / "sf_reference_results" / "result_ZIP_2021-01-07_LL4.xlsx")
    ref = ref.assign(block=ref["PairIndex"].astype(str), k1=ref["Conc1"].round(6), k2=ref["Conc2"].round(6))
    m = wells.merge(ref, on=["block", "k1", "k2"])
    single = (m["k1"] == 0) | (m["k2"] == 0)
    # single-drug wells: a finite reference and score 0, as SynergyFinder reports
    assert np.isfinite(m.loc[single, "zip_ref"]).all() and (m.loc[single, "zip"] == 0).all()
    assert (m.loc[single, "Synergy"] == 0).all()
    combo = m[~single]
    per = combo.groupby("block").apply(lambda d: np.corrcoef(d["zip"], d["Synergy"])[0, 1], include_groups=False)
    assert len(per) == 6 and per.min() > 0.78 and per.median() > 0.89, per.round(3).to_dict()


def test_zip_singles_recover_a_free_curve():
    from oncoresist.tl.screen._synergy_methods import zip_singles

    c = np.array([[0.0, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]])
    # bottom 5, top 80 (not 0 / 100): ZIP's single fits are free 4-parameter fits
    y = 5.0 + 75.0 * c**1.3 / (c**1.3 + 0.5**1.3)
    (f,) = zip_singles([c], [y], max_iter=300)
    np.testing.assert_allclose(f, y, atol=0.05)
    # two drugs with different dose counts in one call (NaN-padded internally)
    c2 = c[:, :5]
    f1, f2 = zip_singles([c, c2], [y, y[:, :5]], max_iter=300)
    np.testing.assert_allclose(f1, y, atol=0.05)
    assert f2.shape == (1, 5) and np.isfinite(f2).all()


def test_zip_refit_top_is_estimated():
    from oncoresist.tl.screen._synergy_methods import zip_fit

    # 60 * Bliss of a = c1/(c1+1), b = c2/(c2+1): every column is a Hill curve in c1 from the
    # partner's response 60 b up to 60 (and every row likewise), so a refit with a free top
    # reproduces it exactly while a top fixed at 100 could not
    c = np.array([0.0, 0.1, 0.3, 1.0, 3.0, 10.0])
    a = c / (c + 1.0)
    surface = 60.0 * (1.0 - (1.0 - a[:, None]) * (1.0 - a[None, :]))
    fit = zip_fit(surface[None], c[None], c[None], 60.0 * a[None], 60.0 * a[None], top=100.0, max_iter=300)
    assert fit.shape == (1, 5, 5)
    np.testing.assert_allclose(fit[0], surface[1:, 1:], atol=0.01)


def test_simulated_met_synergy_is_recovered():
    from scipy.stats import mannwhitneyu

    from oncoresist.ds import simulate_cohort

    cohort = simulate_cohort(seed=0)
    summary, _ = synergy(cohort.combinations)
    truth = cohort.truth.combination_blocks.set_index("block")[["synergy_planted", "bliss_excess"]]
    s = summary.set_index("block").join(truth)
    assert (s["status"] == "ok").all() and s["synergy_planted"].any() and (~s["synergy_planted"]).any()
    for m in ("bliss", "zip", "loewe"):
        planted, other = s.loc[s["synergy_planted"], m], s.loc[~s["synergy_planted"], m]
        assert planted.min() > other.max(), m  # every planted block scores above every other block
        assert mannwhitneyu(planted, other, alternative="greater").pvalue < 1e-3
    assert np.corrcoef(s["bliss"], 100 * s["bliss_excess"])[0, 1] > 0.9


# ---- the method registry and its kernels, each on its own


def test_registry_keeps_the_public_method_names():
    from oncoresist.tl import SYNERGY_METHODS
    from oncoresist.tl.screen._synergy_methods import METHOD_REGISTRY

    assert SYNERGY_METHODS == ("zip", "bliss", "hsa", "loewe")
    assert all(METHOD_REGISTRY[m].name == m and METHOD_REGISTRY[m].reference for m in SYNERGY_METHODS)


def test_bliss_kernel_on_a_hand_computed_2x2():
    from oncoresist.tl.screen._synergy_methods import bliss_reference

    ref = bliss_reference(np.array([10.0, 50.0]), np.array([20.0, 40.0]))
    # 10 + 20 - 2 = 28; 10 + 40 - 4 = 46; 50 + 20 - 10 = 60; 50 + 40 - 20 = 70
    np.testing.assert_allclose(ref, [[28.0, 46.0], [60.0, 70.0]])
    batch = bliss_reference(np.array([[10.0, 50.0], [0.0, 100.0]]), np.array([[20.0, 40.0], [30.0, 30.0]]))
    np.testing.assert_allclose(batch[0], ref)
    np.testing.assert_allclose(batch[1], [[30.0, 30.0], [100.0, 100.0]])


def test_hsa_kernel_on_a_hand_computed_2x2():
    from oncoresist.tl.screen._synergy_methods import hsa_reference

    np.testing.assert_array_equal(hsa_reference(np.array([10.0, 50.0]), np.array([20.0, 40.0])), [[20.0, 40.0], [50.0, 50.0]])


def test_loewe_kernel_solves_the_isobole_and_falls_back():
    from oncoresist.tl.screen._synergy_methods import loewe_reference

    # the same drug twice (EC50 1, hill 1): Loewe additivity = the curve at the summed dose
    p = np.array([[0.0, 100.0, 0.0, 1.0]] * 2)
    x1, x2 = np.array([0.5, 1.0]), np.array([0.5, 3.0])
    y, fb = loewe_reference(x1, x2, p, p)
    np.testing.assert_allclose(y, 100.0 * (x1 + x2) / (1.0 + x1 + x2), atol=1e-6)
    assert not fb.any()
    # drug 2 cannot reach more than 30 %: no solution above it, the larger curve at x1 + x2 is used
    p2 = np.array([[0.0, 30.0, 0.0, 1.0]])
    y, fb = loewe_reference(np.array([10.0]), np.array([10.0]), p[:1], p2)
    assert fb.all()
    assert y[0] == pytest.approx(100.0 * 20.0 / 21.0)


def test_zip_kernel_recovers_an_independent_surface(rng):
    from oncoresist.tl.screen._synergy_methods import bliss_reference, zip_fit

    c = np.array([0.0, 0.1, 0.3, 1.0, 3.0])
    y1, y2 = inhibition(c, 0.3, 1.0), inhibition(c, 1.0, 1.5)
    surface = bliss_reference(y1, y2)[None]
    fit = zip_fit(surface, c[None], c[None], y1[None], y2[None], top=100.0, max_iter=200)
    assert fit.shape == (1, 4, 4)
    np.testing.assert_allclose(fit[0], surface[0, 1:, 1:], atol=1e-3)


def test_step_check_methods_lowercases_and_rejects():
    from oncoresist.tl.screen._synergy import _check_methods

    assert _check_methods(("Bliss", "ZIP"), 0.0, 100.0, 3) == ["bliss", "zip"]
    with pytest.raises(InputError, match="methods must be among"):
        _check_methods(["chou"], 0.0, 100.0, 3)
    with pytest.raises(InputError, match="together"):
        _check_methods(["bliss"], None, 100.0, 3)


def test_step_dose_grid_and_block_status(rng):
    from oncoresist.tl.screen._synergy import _block_status, _dose_grid, _prepare

    frame = block_frame("B1", bliss_independent, conc1=CONC[:4], conc2=CONC[:3])
    frame = pd.concat([frame, frame.iloc[[5]].assign(response=frame["response"].iloc[5] + 0.1)])  # a replicate
    df, _ = _prepare(frame, "auto", "viability")
    d = _dose_grid(df)
    assert d.resp.shape == (1, 4, 3)
    np.testing.assert_array_equal(d.c1[0], CONC[:4])
    assert d.n_rep[0, 1, 2] == 2 and d.n_rep.sum() == 13
    assert d.resp[0, 1, 2] == pytest.approx(df["inhibition"].iloc[[5, 12]].mean())
    status, flags = _block_status(d)
    assert list(status) == ["ok"] and flags == [[]]
    df2, _ = _prepare(frame.iloc[1:], "auto", "viability")
    with pytest.warns(UserWarning, match="incomplete dose grid"):
        _, flags = _block_status(_dose_grid(df2))
    assert flags == [["incomplete_grid (1 of 12 wells missing)"]]


def test_step_msa_columns_picks_the_best_window():
    from oncoresist.tl.screen._synergy import _msa_columns

    score = np.zeros((1, 4, 4))
    score[0, 2:, 2:] = 8.0
    c = np.array([[0.0, 0.1, 1.0, 10.0]])
    best, r1, r2 = _msa_columns(score, c, c, np.array([4]), np.array([4]), np.array([True]), 2)
    assert best[0] == 8.0 and r1 == ["1-10"] and r2 == ["1-10"]

"""Per-layer normalisation (pp._normalize)."""

from __future__ import annotations

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest

from oncoresist._core._errors import InputError
from oncoresist.pp import (
    binarize_mutations,
    cnv_calls,
    mvalues,
    normalize_counts,
    normalize_metabolomics,
    normalize_proteomics,
    size_factors,
    vst,
)


def nb_counts(rng, n=30, g=400, a0=0.1, a1=1.0):
    """Negative-binomial counts with dispersion trend a0 + a1 / mu and known size factors."""
    mu = np.exp(rng.uniform(np.log(2), np.log(2000), size=g))
    sf = np.exp(rng.normal(scale=0.3, size=n))
    m = sf[:, None] * mu[None, :]
    disp = a0 + a1 / mu
    r = 1.0 / disp
    C = rng.negative_binomial(r[None, :], r[None, :] / (r[None, :] + m))
    return C.astype(float), sf, mu


def test_size_factors_recover_truth(rng):
    C, sf, _ = nb_counts(rng)
    est = size_factors(C)
    truth = sf / np.exp(np.mean(np.log(sf)))
    assert np.corrcoef(np.log(est), np.log(truth))[0, 1] > 0.98
    assert np.exp(np.mean(np.log(est))) == pytest.approx(1.0)


def test_vst_fits_trend_and_stabilises_variance(rng):
    C, _, mu = nb_counts(rng, n=40, g=600, a0=0.1, a1=1.0)
    V, fit = vst(C)
    assert fit["a0"] == pytest.approx(0.1, rel=0.3)
    assert fit["a1"] == pytest.approx(1.0, rel=0.5)
    # log CPM: the SD of low-count genes is inflated (Poisson noise); VST flattens that trend
    L = np.log2(C / C.sum(1, keepdims=True) * 1e6 + 1)
    low, high = mu < 20, mu > 200
    ratio_log = L[:, low].std(0).mean() / L[:, high].std(0).mean()
    ratio_vst = V[:, low].std(0).mean() / V[:, high].std(0).mean()
    assert ratio_vst < ratio_log
    assert abs(np.log(ratio_vst)) < abs(np.log(ratio_log))
    # for large counts vst ~ log2 of normalised counts
    q = C / size_factors(C)[:, None]
    big = q > 1000
    assert np.abs(V[big] - np.log2(q[big])).max() < 0.5


def test_normalize_counts_logcpm_on_cohort(rng):
    C, _, _ = nb_counts(rng, n=10, g=50)
    rna = ad.AnnData(np.log1p(C))
    rna.layers["counts"] = C
    m = md.MuData({"rna": rna})
    normalize_counts(m)
    X = m.mod["rna"].X
    expect = np.log2(C / C.sum(1, keepdims=True) * 1e6 + 1)
    np.testing.assert_allclose(X, expect)
    assert "size_factor" in m.mod["rna"].obs
    assert m.mod["rna"].uns["pp"]["steps"] == ["normalize_counts"]
    assert m.mod["rna"].uns["rna"]["X"] == "log2_cpm"
    out = normalize_counts(m, method="vst", copy=True)
    assert out.mod["rna"].uns["pp"]["normalize_counts"]["method"] == "vst"
    assert m.mod["rna"].uns["pp"]["normalize_counts"]["method"] == "logcpm"


def test_normalize_counts_bad_input():
    a = ad.AnnData(np.array([[1.0, -2.0], [3.0, 4.0]]), obs=pd.DataFrame(index=["s1", "s2"]))
    with pytest.raises(InputError, match="negative count .* sample 's1'"):
        normalize_counts(a, layer=None)
    z = ad.AnnData(np.array([[0.0, 0.0], [3.0, 4.0]]), obs=pd.DataFrame(index=["s1", "s2"]))
    with pytest.raises(InputError, match="s1 .*library size 0"):
        normalize_counts(z, layer=None)
    with pytest.warns(UserWarning, match="non-integer"):
        normalize_counts(ad.AnnData(np.array([[1.5, 2.0], [3.0, 4.0]])), layer=None)
    with pytest.raises(InputError, match="method"):
        normalize_counts(z, method="tpm")


def test_mvalues():
    beta = np.array([[0.0, 0.5, 1.0, np.nan], [0.2, 0.8, 0.999, 0.01]])
    a = ad.AnnData(beta.copy())
    mvalues(a)
    M = a.layers["mvalue"]
    assert M[0, 1] == 0.0 and np.isfinite(M[0, 0]) and np.isfinite(M[0, 2]) and np.isnan(M[0, 3])
    assert M[1, 1] == pytest.approx(np.log2(4))
    np.testing.assert_allclose(a.X, beta)  # X keeps betas
    with pytest.raises(InputError, match="percentages"):
        mvalues(ad.AnnData(beta * 100))
    with pytest.raises(InputError, match="M-values already"):
        mvalues(ad.AnnData(np.array([[-3.0, 2.0]])))


def test_normalize_proteomics_linear_and_log():
    lin = np.array([[1000.0, 4000, 0, 2000], [2000, 8000, 500, 4000]])
    a = ad.AnnData(lin.copy())
    normalize_proteomics(a)
    assert np.isnan(a.X[0, 2])
    np.testing.assert_allclose(np.nanmedian(a.X, axis=1), 0.0)
    assert a.uns["pp"]["normalize_proteomics"]["log2_applied"] is True
    assert a.uns["pp"]["normalize_proteomics"]["zeros_to_missing"] == 1
    np.testing.assert_allclose(a.layers["raw"], lin)
    # declared log2: no log, only centring
    b = ad.AnnData(np.array([[20.0, 22, 24], [21, 23, 25]]))
    b.uns["prot"] = {"scale": "log2"}
    normalize_proteomics(b)
    np.testing.assert_allclose(b.X, [[-2, 0, 2], [-2, 0, 2]])
    with pytest.raises(InputError, match="negative values"):
        normalize_proteomics(ad.AnnData(np.array([[-1.0, 2.0]])), log=True)


def test_normalize_metabolomics_pareto():
    rng = np.random.default_rng(1)
    X = np.exp(rng.normal(5, 1, size=(50, 4)))
    X[0, 0] = 0.0
    a = ad.AnnData(X.copy())
    normalize_metabolomics(a)
    L = np.log2(np.where(X == 0, np.min(X[:, 0][X[:, 0] > 0]) / 2, X))
    expect = (L - L.mean(0)) / np.sqrt(L.std(0, ddof=1))
    np.testing.assert_allclose(a.X, expect)
    assert a.uns["pp"]["normalize_metabolomics"]["zeros_replaced"] == 1
    b = ad.AnnData(X.copy())
    normalize_metabolomics(b, scaling="auto")
    np.testing.assert_allclose(b.X.std(0, ddof=1), 1.0)


def test_binarize_mutations_collapses_sites_to_genes():
    X = np.array([[1.0, 0, 0, np.nan], [0, 1, 0, np.nan], [0, 0, 0, 1]])
    var = pd.DataFrame(index=["TP53_p.R273H", "TP53_p.R175H", "KRAS_p.G12D", "EGFR_p.L858R"])
    a = ad.AnnData(X, obs=pd.DataFrame(index=["s1", "s2", "s3"]), var=var)
    m = md.MuData({"mut": a})
    binarize_mutations(m, min_samples=1)
    g = m.mod["mut"].to_df()
    assert list(g.columns) == ["TP53", "EGFR"]  # KRAS never mutated -> dropped (recorded)
    assert g.loc["s1", "TP53"] == 1 and g.loc["s2", "TP53"] == 1 and g.loc["s3", "TP53"] == 0
    assert np.isnan(g.loc["s1", "EGFR"]) and g.loc["s3", "EGFR"] == 1
    rec = m.mod["mut"].uns["pp"]["binarize_mutations"]
    assert rec["dropped_rare"] == ["KRAS"] and rec["n_dropped_rare"] == 1


def test_binarize_mutations_from_variant_table():
    a = ad.AnnData(np.zeros((2, 1)), obs=pd.DataFrame(index=["s1", "s2"]), var=pd.DataFrame(index=["x"]))
    a.uns["variants"] = pd.DataFrame({
        "sample": ["s1", "s1", "s2"], "gene": ["TP53", "BRAF", "BRAF"],
        "variant_class": ["Missense_Mutation", "Silent", "Missense_Mutation"],
    })
    out = binarize_mutations(a, from_variants=True, copy=True)
    df = out.to_df()
    assert df.loc["s1", "TP53"] == 1 and df.loc["s1", "BRAF"] == 0 and df.loc["s2", "BRAF"] == 1
    with pytest.raises(InputError, match="uns\\['variants'\\]"):
        binarize_mutations(ad.AnnData(np.zeros((1, 1))), from_variants=True)


def test_cnv_calls_and_gene_level():
    X = np.array([[-1.5, -0.4, 0.1, 0.5, 1.2, np.nan]])
    a = ad.AnnData(X.copy(), var=pd.DataFrame({"gene": ["A", "A", "B", "C", "D", "E"]}, index=list("pqrstu")))
    cnv_calls(a)
    np.testing.assert_array_equal(a.layers["calls"][0, :5], [-2, -1, 0, 1, 2])
    assert np.isnan(a.layers["calls"][0, 5])
    g = cnv_calls(a, gene_key="gene", copy=True)
    assert list(g.var_names) == ["A", "B", "C", "D", "E"] and g.X[0, 0] == pytest.approx(-0.95)
    with pytest.raises(InputError, match="thresholds"):
        cnv_calls(a, loss=0.2)


def test_wrong_container_and_modality():
    with pytest.raises(InputError, match="expected a MuData cohort or an AnnData"):
        mvalues(np.zeros((2, 2)))
    m = md.MuData({"rna": ad.AnnData(np.ones((2, 2)))})
    with pytest.raises(InputError, match="no modality 'meth'"):
        mvalues(m)

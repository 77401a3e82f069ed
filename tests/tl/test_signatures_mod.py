import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest

from oncoresist._core._errors import InputError
from oncoresist.tl import add_signatures, associate
from oncoresist.tl.biomarkers._signatures import SBS96_CHANNELS


def _cohort(seed=0, n=12):
    rng = np.random.default_rng(seed)
    rows = []
    samples = [f"s{i}" for i in range(n)]
    for i, s in enumerate(samples):
        k = 5 + 4 * i  # sample i carries 5 + 4 i C>T at TCG
        rows += [(s, "C", "T", "ATCGA")] * k + [(s, "T", "G", "ATTTA")] * int(rng.integers(2, 6))
    v = pd.DataFrame(rows, columns=["sample", "ref", "alt", "CONTEXT"])
    obs = pd.DataFrame(index=samples)
    m = md.MuData({"mut": ad.AnnData(np.ones((n, 1)), obs=obs, uns={"variants": v})})
    return m, samples


def _sigs():
    ch = list(SBS96_CHANNELS)
    s1 = pd.Series(0.0, index=ch)
    s1[[c for c in ch if c.startswith("T[C>T]G")]] = 1.0
    s2 = pd.Series(0.0, index=ch)
    s2[[c for c in ch if c.startswith("T[T>G]T")]] = 1.0
    return pd.DataFrame({"S1": s1 / s1.sum(), "S2": s2 / s2.sum()})


def test_exposures_recover_counts_and_intervals_cover():
    m, samples = _cohort()
    add_signatures(m, _sigs(), n_bootstrap=50)
    a = m["signatures"]
    assert list(a.var_names) == ["S1", "S2"]
    s1 = a[:, "S1"].X.ravel()
    assert s1 == pytest.approx(5 + 4 * np.arange(12), rel=1e-6)  # pure signatures: exposure = its channel count
    lo, hi = a.layers["lower"][:, 0], a.layers["upper"][:, 0]
    assert (lo <= s1 + 1e-9).all() and (hi >= s1 - 1e-9).all()
    assert a.obsm["sbs96"].to_numpy().sum() == pytest.approx(sum(5 + 4 * i for i in range(12)) + m["mut"].uns["variants"]["ref"].eq("T").sum())


def test_claims_key_and_errors():
    m, _ = _cohort()
    m.mod["signatures"] = ad.AnnData(np.zeros((12, 1)), obs=pd.DataFrame(index=m.obs_names))
    with pytest.raises(InputError, match="signatures"):
        add_signatures(m, _sigs(), n_bootstrap=0)
    m2, _ = _cohort()
    add_signatures(m2, _sigs(), n_bootstrap=0)
    add_signatures(m2, _sigs(), n_bootstrap=0)  # its own result is replaced
    m2["mut"].uns["variants"] = m2["mut"].uns["variants"].drop(columns="CONTEXT")
    with pytest.raises(InputError, match="reference context"):
        add_signatures(m2, _sigs(), n_bootstrap=0, overwrite=True)


def test_usable_by_associate():
    m, samples = _cohort()
    add_signatures(m, _sigs(), n_bootstrap=0)
    m.obs["score"] = np.arange(12, dtype=float)
    associate(m, target="score", layers=["signatures"], cross_layer=False, higher_is="resistant")
    res = m.uns["associate"]["results"]
    top = res.sort_values("pvalue").iloc[0]
    assert top["feature"] == "S1" and top["pvalue"] < 1e-6

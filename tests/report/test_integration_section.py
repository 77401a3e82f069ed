"""Report section on integration (report._integration_section)."""

from __future__ import annotations

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest

from oncoresist._core._errors import InputError
from oncoresist.pp import combat
from oncoresist.report import Section, integration_section
from oncoresist.tl import factors, subtypes


def test_integration_section_contents():
    rng = np.random.default_rng(0)
    n = 60
    ids = [f"s{i}" for i in range(n)]
    g = np.repeat(["x", "y"], n // 2)
    z = rng.normal(size=(n, 2))
    z[g == "y", 0] += 2
    prot = ad.AnnData(z @ rng.normal(size=(2, 20)) + rng.normal(size=(n, 20)), obs=pd.DataFrame(index=ids),
                      var=pd.DataFrame(index=[f"P{i}" for i in range(20)]))
    rna = ad.AnnData(z @ rng.normal(size=(2, 30)) + rng.normal(size=(n, 30)), obs=pd.DataFrame(index=ids),
                     var=pd.DataFrame(index=[f"G{i}" for i in range(30)]))
    m = md.MuData({"rna": rna, "prot": prot})
    m.obs["grade"] = g
    m.obs["plex"] = np.tile(["p1", "p2", "p3"], n // 3)
    combat(m, mod="prot", batch_key="plex")
    factors(m, n_factors=4, random_state=0)
    subtypes(m, k_neighbors=10, ks=(2, 3), n_subtypes=2)  # k fixed: no warning that the criteria disagree
    sec = integration_section(m)
    assert isinstance(sec, Section) and sec.id == "integration"
    html = sec.html
    assert html.count("<img") >= 5  # batch, variance, scatter, loadings x2, k
    for needle in ("Batch correction", "Latent factors", "Subtypes", "Associations", "grade"):
        assert needle in html
    assert "strongest association" in sec.summary
    with pytest.raises(InputError, match="run oncoresist.tl.factors"):
        integration_section(md.MuData({"rna": ad.AnnData(np.ones((3, 2)))}))

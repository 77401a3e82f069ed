"""Activity report sections on CPTAC UCEC kinase activities (KSEA on SIGNOR phosphosites)."""

import types

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest

from oncoresist.report._activity_section import (
    activity_section,
    activity_zscores,
    patient_activity_section,
)
from oncoresist.tl.functional import activity

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ucec(shared_data):
    d = shared_data / "cptac_ucec"
    clin = pd.read_csv(d / "clinical.txt", sep="\t", index_col=0, encoding="latin-1")
    ph = pd.read_csv(d / "phosphoproteomics_site.cct.gz", sep="\t", index_col=0)
    ph = ph[~ph.index.duplicated()]
    tum = [s for s in clin.index[(clin["Proteomics_Tumor_Normal"] == "Tumor") & (clin["Case_excluded"] == "No")]
           if s in ph.columns]
    ph = ph[tum]
    ph = ph[ph.notna().mean(1) >= 0.5].T
    a = ad.AnnData(ph.to_numpy(dtype=float), obs=pd.DataFrame(index=ph.index), var=pd.DataFrame(index=ph.columns))
    m = md.MuData({"phospho": a})
    m.obs["subtype"] = clin["Genomics_subtype"].reindex(m.obs_names).astype(str).to_numpy()
    activity(m, mod="phospho", resource="signor", resource_path=shared_data / "prior", method="ksea", tmin=5)
    return m


def test_cohort_section_by_genomic_subtype(ucec):
    s = activity_section(ucec)
    assert s is not None and "act_kinase" in s.summary
    assert "<img" in s.html and "No drug response" in s.html  # CPTAC has no drug screen


def test_patient_with_top_erk_activity_links_mapk_reactivation(ucec):
    k = ucec["act_kinase"].to_df()
    kinase = "MAPK1" if "MAPK1" in k.columns else "MAPK3"
    sample = str(k[kinase].idxmax())
    z = activity_zscores(ucec, "act_kinase", sample)
    print(f"{sample}: {kinase} z = {z[kinase]:.2f} against {len(k) - 1} other UCEC tumours")
    assert z[kinase] > 1.5 and np.isfinite(z).mean() > 0.5
    s = patient_activity_section(types.SimpleNamespace(patient=sample), ucec)
    assert "MAPK reactivation" in s.html and "BRAF / MEK inhibitors" in s.html
    assert any(st.startswith(f"{kinase} up") for st in s.meta["states"])

"""Activity report sections on CPTAC UCEC kinase activities (KSEA on SIGNOR phosphosites)."""

import types

import numpy as np
import pytest

from oncoresist.report._activity_section import (
    activity_section,
    activity_zscores,
    patient_activity_section,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ucec(ucec_ksea):
    return ucec_ksea[0]


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

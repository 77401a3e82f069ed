"""Shared fixtures: tiny seeded data and the path to the real public data (../shared/data)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("ONCORESIST_SHARED_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Folder of real public data; skips the test with a reason when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real-data test: {SHARED_DATA} is absent (set ONCORESIST_SHARED_DATA to its location)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def ucec_ksea(shared_data: Path):
    """CPTAC UCEC tumours: KSEA kinase activities (SIGNOR) on phosphosites measured in >= half of them.

    Returns ``(mdata, clinical, tumours)``: a MuData with ``phospho`` and ``act_kinase`` and the
    genomic subtype in ``obs['subtype']``, the clinical table and the tumour sample ids.
    """
    import anndata as ad
    import mudata as md
    import pandas as pd

    from oncoresist.tl.functional import activity

    d = shared_data / "cptac_ucec"
    clin = pd.read_csv(d / "clinical.txt", sep="\t", index_col=0, encoding="latin-1")
    ph = pd.read_csv(d / "phosphoproteomics_site.cct.gz", sep="\t", index_col=0)
    ph = ph[~ph.index.duplicated()]
    tum = [s for s in clin.index[(clin["Proteomics_Tumor_Normal"] == "Tumor") & (clin["Case_excluded"] == "No")]
           if s in ph.columns]  # fmt: skip
    ph = ph[tum]
    ph = ph[ph.notna().mean(1) >= 0.5].T  # sites measured in at least half of the tumours
    a = ad.AnnData(ph.to_numpy(dtype=float), obs=pd.DataFrame(index=ph.index), var=pd.DataFrame(index=ph.columns))
    m = md.MuData({"phospho": a})
    m.obs["subtype"] = clin["Genomics_subtype"].reindex(m.obs_names).astype(str).to_numpy()
    activity(m, mod="phospho", resource="signor", resource_path=shared_data / "prior", method="ksea", tmin=5)
    return m, clin, tum


# tests that took more than ~4 s each on the 2-core CI box (pytest --durations); real-data tests are
# slow as well. `pytest -m "not slow"` is the fast lane.
_SLOW_TESTS = {
    "test_demo_writes_cohort_and_report",
    "test_every_planted_mechanism_in_its_carriers_reports",
    "test_replicates_chunks_and_parallel_give_the_same_fit",
    "test_train_survival_and_predict_risk_of_new_patients",
    "test_integrate_writes_outputs",
    "test_round_trip_fitted_drug_layer",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark real-data tests (they use ``shared_data``) and the listed slow files as ``slow``."""
    for item in items:
        uses_shared = "shared_data" in getattr(item, "fixturenames", ())
        if uses_shared or item.get_closest_marker("realdata") or getattr(item, "originalname", item.name) in _SLOW_TESTS:
            item.add_marker(pytest.mark.slow)

"""Real data: the response orientation decides the labels (issue 17, item 2).

CCLE (PharmacoGx): BRAF-mutant cell lines are sensitive to PLX4720 (a BRAF V600E inhibitor;
Barretina et al. 2012). With an activity-type metric (AAC, higher = more sensitive) and with a
potency metric (IC50, higher = more resistant) the association must say "sensitivity" both times,
although the effect sizes have opposite signs.
"""

import warnings

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ccle_plx(request):
    from tests.conftest import SHARED_DATA

    if not SHARED_DATA.is_dir():
        pytest.skip(f"real-data test: {SHARED_DATA} is absent (set ONCORESIST_SHARED_DATA to its location)")
    d = SHARED_DATA / "ccle_pharmacogx"
    raw = pd.read_csv(d / "raw_dose_response.csv.gz")
    raw = raw[raw["treatmentid"].isin(["PLX4720", "PD-0325901"])]
    screen = pd.DataFrame({"sample": raw["sampleid"].str.upper(), "drug": raw["treatmentid"],
                           "dose": raw["dose_uM"], "response": raw["viability_pct"] / 100})
    mut = pd.read_csv(d / "mp_mutation_exprs.csv.gz", index_col=0)
    braf = mut.loc["BRAF"].dropna()
    braf.index = braf.index.str.upper()
    calls = (~braf.astype(str).str.lower().isin(["wt", "nan", ""])).astype(float)
    samples = sorted(set(calls.index) & set(screen["sample"]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mdata = md.MuData({"mut": ad.AnnData(calls.loc[samples].to_frame("BRAF"))})
    return mdata, screen[screen["sample"].isin(samples)]


@pytest.mark.parametrize("metric", ["aac", "log10_ic50"])
def test_braf_mutant_is_sensitive_to_plx4720_whatever_the_metric(ccle_plx, metric):
    from oncoresist.tl import add_drug_layer, associate, fit_curves, get_associations

    mdata, screen = ccle_plx
    m = add_drug_layer(mdata, fit_curves(screen), copy=True)
    orientation = m["drug"].uns["higher_is"]
    assert orientation.get(metric) == ("sensitive" if metric == "aac" else "resistant")
    associate(m, metric=metric, layers=["mut"])
    res = get_associations(m).set_index("target")
    row = res.loc["PLX4720"]
    assert row["feature"] == "BRAF" and row["higher_is"] == orientation[metric]
    assert row["direction"] == "sensitivity", row.to_dict()
    assert row["pvalue"] < 1e-6
    # the sign of the effect follows the metric, the label does not
    assert np.sign(row["effect_size"]) == (1 if metric == "aac" else -1)

"""Response models on real GDSC data (TGSA release: 580 cell lines, rna / cnv / mut of 706 genes).

Skips when ``../shared/data/gdsc_tgsa`` is absent. Features are Entrez gene IDs (BRAF = 673).
"""

from __future__ import annotations

import numpy as np
import pytest

from oncoresist.tl import cross_validate_drugs, load_model, train_models

from ._realdata import mudata, tgsa

BRAF = "673"
DRUGS = ["Dabrafenib", "PLX-4720"]


@pytest.fixture(scope="module")
def gdsc(shared_data):
    folder = shared_data / "gdsc_tgsa"
    if not folder.is_dir():
        pytest.skip(f"real-data test: {folder} is absent")
    return tgsa(folder, DRUGS)


@pytest.mark.realdata
def test_braf_inhibitor_models_beat_baselines_cell_line_blind(gdsc):
    res = cross_validate_drugs(gdsc, drugs=DRUGS, models=["enet", "enet_rna"], n_splits=5, random_state=0, n_jobs=1)
    wide_r = res.wide("pearson")
    wide_rmse = res.wide("rmse")
    for drug in DRUGS:
        # BRAF-mutant lines are far more sensitive: integrated models predict these drugs well, and
        # better than the per-drug mean (lower RMSE) and than expression alone
        assert wide_r.loc[drug, "enet"] > 0.4, drug
        assert wide_rmse.loc[drug, "enet"] < 0.95 * wide_rmse.loc[drug, "mean"], drug
        assert wide_r.loc[drug, "enet"] > wide_r.loc[drug, "enet_rna"], drug
    # out-of-fold predictions: every measured cell line predicted exactly once per model
    pred = res.predictions[res.predictions["model"] == "enet"]
    assert not pred.duplicated(["sample", "drug"]).any()
    assert len(pred) == int(np.isfinite(gdsc.mod["drug"].X).sum())


@pytest.mark.realdata
def test_trained_model_finds_braf_and_predicts_new_lines_without_a_layer(gdsc, tmp_path):
    ids = np.asarray(gdsc.mod["drug"].obs_names)
    rng = np.random.default_rng(0)
    new_ids = set(rng.choice(ids, 60, replace=False))
    train = mudata({lay: a[[i for i in a.obs_names if i not in new_ids]].copy() for lay, a in gdsc.mod.items()})
    models = train_models(train, drugs=DRUGS, model="enet", evaluate=False, random_state=0, n_jobs=1)
    for drug in DRUGS:
        top = models.feature_importance(drug).head(3)
        assert ((top["layer"] == "mut") & (top["feature"] == BRAF)).any(), (drug, top)
    path = models.save(tmp_path / "braf_models")
    loaded = load_model(path)
    # unseen cell lines measured for rna and cnv only (no mutation calls)
    keep = sorted(new_ids)
    new = mudata({lay: gdsc.mod[lay][[i for i in keep if i in gdsc.mod[lay].obs_names]].copy()
                   for lay in ("rna", "cnv")})
    pred = loaded.predict(new)
    assert set(pred["drug"]) == set(DRUGS) and np.isfinite(pred["predicted"]).all()
    assert (pred["layers_missing"].astype(str).str.contains("mut")).all()
    # without the mutation layer the prediction still tracks the measured response
    y = gdsc.mod["drug"].to_df()
    for drug in DRUGS:
        p = pred[pred["drug"] == drug].set_index("sample")["predicted"]
        obs = y[drug].reindex(p.index)
        ok = obs.notna()
        assert np.corrcoef(p[ok], obs[ok])[0, 1] > 0.2, drug

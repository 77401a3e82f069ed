"""Per-drug model choice by inner CV (SelectRegressor, ``make_model("select")``, ``train --model select``)."""

from __future__ import annotations

import warnings

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest

from oncoresist import InputError
from oncoresist.tl import SelectRegressor, make_model, train_models


def _X(n: int = 80, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cols = [f"rna:g{i}" for i in range(6)] + [f"cnv:c{i}" for i in range(6)]
    return pd.DataFrame(rng.normal(size=(n, 12)), columns=cols, index=[f"S{i:03d}" for i in range(n)])


def test_select_picks_rna_enet_when_signal_is_in_rna():
    X = _X()
    y = 2.0 * X["rna:g0"].to_numpy() + np.random.default_rng(1).normal(0, 0.2, len(X))
    m = SelectRegressor(candidates=("enet_rna", "enet_cnv"), random_state=0).fit(X, y)
    assert m.selected_ == "enet_rna"
    assert m.inner_scores_["enet_rna"] > 0.9
    assert m.inner_scores_["enet_rna"] > m.inner_scores_["enet_cnv"]
    assert np.corrcoef(m.predict(X), y)[0, 1] > 0.95
    assert m.feature_importance().iloc[0]["feature"] == "g0"


def test_select_switches_to_the_candidate_that_sees_the_signal():
    X = _X(seed=2)
    y = 2.0 * X["cnv:c3"].to_numpy() + np.random.default_rng(3).normal(0, 0.2, len(X))
    m = make_model("select", candidates=("enet_rna", "enet_cnv"), random_state=0).fit(X, y)
    assert isinstance(m, SelectRegressor)
    assert m.selected_ == "enet_cnv"
    assert m.layers_ == ["cnv"]


def test_select_margin_keeps_the_earlier_candidate():
    X = _X(seed=4)
    y = 2.0 * X["cnv:c1"].to_numpy() + np.random.default_rng(5).normal(0, 0.2, len(X))
    m = SelectRegressor(candidates=("enet_rna", "enet_cnv"), margin=2.0, random_state=0).fit(X, y)
    assert m.selected_ == "enet_rna"


def test_select_errors_when_no_candidate_can_be_fitted():
    X = _X().filter(like="cnv:")
    y = np.random.default_rng(0).normal(size=len(X))
    with pytest.raises(InputError, match="enet_rna"):
        SelectRegressor(candidates=("enet_rna",), random_state=0).fit(X, y)
    with pytest.raises(InputError, match="cv >= 2"):
        SelectRegressor(cv=1).fit(X, y)


def test_train_models_select_records_choice_per_drug():
    X = _X(n=70, seed=6)
    rng = np.random.default_rng(7)
    Y = np.column_stack([X["rna:g0"] + rng.normal(0, 0.2, 70), X["cnv:c0"] + rng.normal(0, 0.2, 70)])
    ids = list(X.index)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        m = md.MuData({
            "rna": ad.AnnData(X.filter(like="rna:").to_numpy(), obs=pd.DataFrame(index=ids),
                              var=pd.DataFrame(index=[f"g{i}" for i in range(6)])),
            "cnv": ad.AnnData(X.filter(like="cnv:").to_numpy(), obs=pd.DataFrame(index=ids),
                              var=pd.DataFrame(index=[f"c{i}" for i in range(6)])),
            "drug": ad.AnnData(Y, obs=pd.DataFrame(index=ids), var=pd.DataFrame(index=["A", "B"])),
        })
    models = train_models(m, model=make_model("select", candidates=("enet_rna", "late"), random_state=0),
                          n_splits=3, n_jobs=1, random_state=0)
    card = models.card
    assert card["drugs"]["A"]["selected"] in ("enet_rna", "late")
    assert card["drugs"]["B"]["selected"] == "late"  # the cnv signal is invisible to enet_rna
    assert card["drugs"]["B"]["inner_pearson_late"] > card["drugs"]["B"]["inner_pearson_enet_rna"]
    assert card["model"]["integration"].startswith("select")
    sc = models.cv_scores
    rows = sc[sc["kind"] == "model"].set_index("drug")
    assert rows.loc["B", "selected"] == "late"
    assert sc.loc[sc["kind"] == "baseline", "selected"].isna().all()
    assert set(models.predict(m)["drug"]) == {"A", "B"}

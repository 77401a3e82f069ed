"""Response orientation recorded by the drug layer (uns['higher_is']) and read by associations, models, interpret."""

from __future__ import annotations

import warnings

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import pytest

from oncoresist import get
from oncoresist._core._errors import InputError
from oncoresist.tl import (
    add_drug_layer,
    associate,
    drug_layer,
    fit_curves,
    get_associations,
    metric_higher_is,
)


def _cohort(n: int = 16, seed: int = 0) -> tuple[md.MuData, pd.DataFrame]:
    """Samples whose mutation makes the drug 30x less potent, and their screen."""
    rng = np.random.default_rng(seed)
    ids = [f"S{i:02d}" for i in range(n)]
    mut = (np.arange(n) % 2).astype(float)
    dose = np.logspace(-3, 1, 8)
    rows = []
    for s, m in zip(ids, mut, strict=True):
        ec50 = (0.003 if m == 0 else 0.1) * np.exp(rng.normal(0, 0.2))
        y = 1.0 / (1.0 + dose / ec50) + rng.normal(0, 0.02, dose.size)
        rows.append(pd.DataFrame({"sample": s, "drug": "D1", "dose": dose, "response": y}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        mdata = md.MuData({"mut": ad.AnnData(mut[:, None], obs=pd.DataFrame(index=ids), var=pd.DataFrame(index=["KRAS"]))})
    return mdata, pd.concat(rows, ignore_index=True)


@pytest.mark.parametrize(("name", "expected"), [
    ("X", "resistant"), ("auc", "resistant"), ("auc_common", "resistant"), ("ic50_uM", "resistant"),
    ("log10_ic50", "resistant"), ("ln_IC50", "resistant"), ("ec50_uM", "resistant"), ("GI50", "resistant"),
    ("log10_gr50", "resistant"), ("emax", "resistant"), ("mean_viability", "resistant"),
    ("aac", "sensitive"), ("pGI50", "sensitive"), ("neg_log10_gi50", "sensitive"), ("-log GI50", "sensitive"),
    ("pct_inhibition", "sensitive"), ("gr_aoc", "sensitive"), ("GR_AOC", "sensitive"), ("dss2", "sensitive"),
    ("amax", "sensitive"), ("hill", None), ("r2", None), ("ic50_censored", None),
])  # fmt: skip
def test_metric_orientation_by_metric(name, expected):
    assert metric_higher_is(name) == expected


def test_unknown_metric_warns_and_guesses_nothing():
    with pytest.warns(UserWarning, match="orientation of drug metric 'zscore' unknown"):
        assert metric_higher_is("zscore") is None
    assert metric_higher_is("zscore", warn=False) is None


def test_add_drug_layer_records_orientation_and_declared_override(tmp_path):
    from oncoresist.io import read_h5mu, write_h5mu

    mdata, screen = _cohort()
    add_drug_layer(mdata, screen)
    write_h5mu(mdata, tmp_path / "c.h5mu")
    back = read_h5mu(tmp_path / "c.h5mu")
    assert back["drug"].uns["higher_is"] == mdata["drug"].uns["higher_is"]  # survives the file
    add_drug_layer(back, screen)  # its own modality, recorded in the file: replaced without overwrite
    drug = mdata["drug"]
    assert get.higher_is(mdata, "drug") == "resistant"
    assert get.higher_is(mdata, "drug", layer="log10_ic50") == "resistant"
    assert get.higher_is(mdata, "drug", layer="aac") == "sensitive"
    assert get.higher_is(mdata, "drug", layer="dss3") == "sensitive"
    assert get.higher_is(mdata, "drug", layer="hill") is None  # a curve shape, not a response
    assert set(drug.uns["higher_is"]) <= {"X", *drug.layers.keys()}
    # a declared orientation overrides the one decided from the metric
    new = add_drug_layer(mdata, screen, higher_is={"X": "sensitive", "auc": "sensitive"}, copy=True)
    assert get.higher_is(new, "drug") == "sensitive" and get.higher_is(new, "drug", layer="auc") == "sensitive"
    assert get.higher_is(new, "drug", layer="ic50_uM") == "resistant"
    assert get.higher_is(drug_layer(fit_curves(screen), higher_is="sensitive")) == "sensitive"
    with pytest.raises(InputError, match=r"higher_is\['X'\] must be one of resistant, sensitive"):
        add_drug_layer(mdata, screen, higher_is="higher")
    with pytest.raises(InputError, match="does not have"):
        add_drug_layer(mdata, screen, higher_is={"gi50_typo": "resistant"})


def test_add_drug_layer_keeps_a_users_drug_modality(tmp_path):
    mdata, screen = _cohort()
    ids = list(mdata.obs_names)
    own = ad.AnnData(np.ones((len(ids), 1)), obs=pd.DataFrame(index=ids), var=pd.DataFrame(index=["mine"]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        mdata.mod["drug"] = own
        mdata.update()
    with pytest.raises(InputError, match=r"mod\['drug'\] already exists and it was not written by oncoresist"):
        add_drug_layer(mdata, screen)
    assert list(mdata["drug"].var_names) == ["mine"]
    add_drug_layer(mdata, screen, key_added="drug_fit")  # keeps both
    assert list(mdata["drug"].var_names) == ["mine"] and list(mdata["drug_fit"].var_names) == ["D1"]
    add_drug_layer(mdata, screen, key_added="drug_fit")  # its own result: replaced
    add_drug_layer(mdata, screen, overwrite=True)
    assert list(mdata["drug"].var_names) == ["D1"]


def test_associate_reads_the_recorded_orientation():
    mdata, screen = _cohort()
    add_drug_layer(mdata, screen)
    # no "orientation unknown" warning (warnings are errors): both metrics were declared by the drug layer
    associate(mdata, drugs=["D1"], layers=["mut"], min_samples=8)
    res = get_associations(mdata).iloc[0]
    assert res["higher_is"] == "resistant" and res["direction"] == "resistance"  # mutants: higher AUC
    associate(mdata, drugs=["D1"], layers=["mut"], metric="aac", min_samples=8)
    res = get_associations(mdata).iloc[0]
    assert res["higher_is"] == "sensitive" and res["direction"] == "resistance"  # mutants: lower AAC, same biology


def test_model_card_records_the_orientation():
    from oncoresist.tl import train_models

    mdata, screen = _cohort(n=24)
    add_drug_layer(mdata, screen)
    models = train_models(mdata, drugs=["D1"], model="ridge", metric="aac", evaluate=False, min_samples=10, n_jobs=1)
    assert models.card["data"]["response"] == {"modality": "drug", "metric": "aac", "higher_is": "sensitive"}


def test_interpret_screen_percentile_follows_the_orientation():
    from oncoresist.interpret._interpret import _screen_table

    class _Vocab:
        def resolve_drug(self, name: str) -> None:
            return None

    class _KB:
        vocab = _Vocab()

    ids = ["A", "B", "C", "D", "E"]
    values = np.array([[0.1], [0.2], [0.3], [0.4], [0.5]])
    evidence = pd.DataFrame(columns=["interaction", "drugs", "direction", "tier"])
    calls = {}
    for orientation in ("resistant", "sensitive"):
        drug = ad.AnnData(values, obs=pd.DataFrame(index=ids), var=pd.DataFrame(index=["d1"]),
                          uns={"higher_is": {"X": orientation}})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            m = md.MuData({"drug": drug})
        tab = _screen_table(m, "E", _KB(), evidence, sensitive_pct=20, resistant_pct=80)
        calls[orientation] = (tab.loc[0, "call"], tab.loc[0, "percentile"])
    assert calls["resistant"] == ("resistant", pytest.approx(90.0))  # highest AUC = most resistant
    assert calls["sensitive"] == ("sensitive", pytest.approx(10.0))  # highest AAC = most sensitive


def test_heatmap_colour_bar_follows_the_declared_orientation():
    import matplotlib.pyplot as plt

    from oncoresist.pl import sensitivity_heatmap

    rng = np.random.default_rng(1)
    labels = {}
    for orientation in ("resistant", "sensitive", None):
        uns = {"higher_is": {"X": orientation}} if orientation else {}
        drug = ad.AnnData(rng.random((6, 3)), obs=pd.DataFrame(index=[f"s{i}" for i in range(6)]),
                          var=pd.DataFrame(index=["a", "b", "c"]), uns=uns)
        fig = sensitivity_heatmap(drug, value="X", cluster=False)
        labels[orientation] = fig.axes[-1].get_ylabel()
        plt.close(fig)
    assert labels == {"resistant": "X (lower = more sensitive)", "sensitive": "X (higher = more sensitive)", None: "X"}

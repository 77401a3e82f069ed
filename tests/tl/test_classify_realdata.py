"""Real data: IGHV status of CLL patients from ex vivo drug response + genetics (Dietrich et al. 2018).

The CLL folder of ../shared/data has no RNA or methylation; its two molecular views are the ex
vivo drug screen (viability per drug and concentration, 184 CLL patients) and mutations / copy
number (89 features, 200 patients). IGHV-unmutated CLL responds more strongly to B-cell-receptor
inhibitors (ibrutinib, idelalisib...), so the drug layer carries the label; the IGHV column itself
is not a feature. Samples lacking the drug screen are classified from genetics alone (late
integration).
"""

from __future__ import annotations

import types
import warnings
from pathlib import Path

import mudata as md
import numpy as np
import pandas as pd
import pytest

from oncoresist.tl import train_classifier

from ._realdata import anndata, mudata


def _cll_ighv(folder: Path) -> md.MuData:
    """CLL patients: ``viab`` (drug@concentration viability), ``gen`` (mutations / CNVs), obs ``IGHV`` (U / M)."""
    meta = pd.read_csv(folder / "patmeta.csv", index_col=0)
    cll = meta.index[meta["Diagnosis"] == "CLL"]
    dr = pd.read_csv(folder / "drpar_long_dose_response.csv.gz")
    dr["feature"] = dr["drug_name"] + "@" + dr["conc_index"].astype(str)
    viab = dr.pivot_table(index="patient_id", columns="feature", values="viability", aggfunc="mean")
    viab = viab.loc[viab.index.intersection(cll)]
    gen = pd.read_csv(folder / "mutCOM__binary.csv", index_col=0)
    gen = gen.loc[gen.index.intersection(cll)]
    m = mudata({"viab": anndata(viab.to_numpy(), viab.index, viab.columns), "gen": anndata(gen.to_numpy(), gen.index, gen.columns)})
    m.obs["IGHV"] = meta["IGHV"].reindex(m.obs_names.astype(str)).to_numpy()
    return m


@pytest.fixture(scope="module")
def cll(shared_data: Path) -> md.MuData:
    folder = shared_data / "cll"
    if not (folder / "patmeta.csv").exists():
        pytest.skip(f"real-data test: {folder} lacks patmeta.csv")
    return _cll_ighv(folder)


@pytest.mark.slow
@pytest.mark.parametrize("model", ["late", "splsda"])
def test_cll_ighv_status_beats_the_majority_baseline(cll: md.MuData, model: str) -> None:
    assert "IGHV" not in set(cll["gen"].var_names)
    with pytest.warns(UserWarning, match=r"12 sample\(s\) have no 'IGHV' label"):
        clf = train_classifier(cll, target="IGHV", model=model, n_splits=5, random_state=0)
    met = clf.tables["classification_metrics"].set_index("model")
    print(f"\nCLL IGHV (U vs M), 5-fold stratified CV, n = {int(met.loc[model, 'n'])}:")
    print(met[["kind", "balanced_accuracy", "accuracy", "macro_f1"]].round(3).to_string())
    assert clf.classes == ["M", "U"] and int(met.loc[model, "n"]) == 188
    assert met.loc["majority", "balanced_accuracy"] == pytest.approx(0.5)
    assert met.loc[model, "balanced_accuracy"] > met.loc["majority", "balanced_accuracy"] + 0.25
    assert met.loc[model, "balanced_accuracy"] > met.loc["logistic_gen", "balanced_accuracy"]
    # patients without the drug screen were classified out-of-fold from genetics alone
    no_screen = sorted(set(cll["gen"].obs_names) - set(cll["viab"].obs_names))
    pred = clf.tables["predictions"].set_index("sample")
    labelled = [s for s in no_screen if s in pred.index]
    assert labelled and np.isfinite(pred.loc[labelled, ["p_M", "p_U"]].to_numpy()).all()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        out = clf.predict(md.MuData({"gen": cll["gen"][no_screen].copy()}))
    assert (out["layers_used"] == "gen").all() and (out["layers_missing"] == "viab").all()


@pytest.mark.slow
def test_cll_ighv_classifier_reaches_the_cohort_report_and_patient_pages(cll: md.MuData) -> None:
    """The IGHV classifier's CV results land in uns, the cohort report section and a patient page."""
    from oncoresist.report._classify_section import classify_section, patient_classify_section
    from oncoresist.tl import store_classification

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # 12 patients without an IGHV label (tested above)
        clf = train_classifier(cll, target="IGHV", model="late", n_splits=5, random_state=0)
    m = cll.copy()
    store_classification(m, clf)
    met = m.uns["classify"]["metrics"].set_index("model")
    bacc = float(met.loc["late", "balanced_accuracy"])
    assert bacc > 0.75 and int(met.loc["late", "n"]) == 188
    s = classify_section(m)
    assert s is not None and f"balanced accuracy {bacc:.3f}" in s.summary and "obs['IGHV']" in s.summary
    assert "<img" in s.html or "<svg" in s.html  # the confusion matrix
    pred = m.uns["classify"]["predictions"]
    u = pred[pred["observed"] == "U"].sort_values("p_U").iloc[-1]  # the most confident IGHV-unmutated call
    page = patient_classify_section(types.SimpleNamespace(patient=u["sample"]), m)
    assert page is not None and page.meta["predicted"] == "U" and page.meta["probability"] > 0.5
    assert "recorded: U" in page.html

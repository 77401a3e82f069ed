"""TMB and MSI on CPTAC endometrial carcinoma (Dou et al. 2020): calls vs the clinical MSI / POLE status."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr
from sklearn.metrics import balanced_accuracy_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold

from oncoresist.io import read_clinical, read_maf
from oncoresist.tl import biomarker_table, fit_msi_classifier, has_sequence_context, msi_features


@pytest.fixture(scope="module")
def ucec(shared_data: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    folder = shared_data / "cptac_ucec"
    variants = read_maf(folder / "somatic.maf.gz")
    clinical = read_clinical(folder / "clinical.txt")
    clinical = clinical[clinical["Proteomics_Tumor_Normal"] == "Tumor"].set_index("Proteomics_Participant_ID")
    return variants, clinical


def _joined(table: pd.DataFrame, clinical: pd.DataFrame) -> pd.DataFrame:
    table = table.assign(pid=table["sample"].str.removesuffix("_T"))
    return table.join(clinical[["MSI_status", "POLE_subtype", "Genomics_subtype", "Log2_variant_per_Mbp"]], on="pid")


def test_cptac_msi_score_vs_clinical_msi_status(ucec: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    variants, clinical = ucec
    assert not has_sequence_context(variants)  # CPTAC's flanking_bps column is empty: no SBS-96 from this MAF
    j = _joined(biomarker_table(variants), clinical).dropna(subset=["MSI_status"])
    y = (j["MSI_status"] == "MSI-H").to_numpy()
    assert len(j) == 103 and y.sum() == 26
    auc = roc_auc_score(y, j["msi_score"])
    ba = balanced_accuracy_score(y, j["msi_high"])
    print(f"CPTAC UCEC default rule (indels / Mb >= 0.395): AUC {auc:.3f}, balanced accuracy {ba:.3f}")
    assert auc > 0.85
    assert j.loc[y, "msi_high"].all()  # every clinical MSI-H tumour is called
    # the logistic model (indel burden + 1-bp share), fitted and tested in 5-fold CV
    feats = msi_features(variants).set_index("sample").loc[j["sample"]].reset_index()
    prob = np.zeros(len(j))
    for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(feats, y):
        prob[test] = fit_msi_classifier(feats.iloc[train], y[train]).predict_proba(feats.iloc[test])
    cv_auc, cv_ba = roc_auc_score(y, prob), balanced_accuracy_score(y, prob >= 0.5)
    print(f"CPTAC UCEC logistic, 5-fold CV: AUC {cv_auc:.3f}, balanced accuracy {cv_ba:.3f}")
    assert cv_auc > 0.85 and cv_ba > ba


def test_cptac_pole_tumours_are_ultramutated(ucec: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    variants, clinical = ucec
    j = _joined(biomarker_table(variants), clinical)
    pole = j[j["POLE_subtype"] == "Yes"]
    print("CPTAC UCEC POLE TMB (nonsynonymous / 30 Mb):", pole["tmb"].round(1).tolist())
    assert len(pole) == 7 and pole["tmb_high"].all()
    by_subtype = j.groupby("Genomics_subtype")["tmb"].median()
    assert by_subtype["POLE"] > 100 and by_subtype["POLE"] > 5 * by_subtype["MSI-H"] > 50 * by_subtype["CNV_low"]
    # our TMB ranks tumours as the study's own mutation rate does
    rho = spearmanr(j["tmb"], j["Log2_variant_per_Mbp"], nan_policy="omit").statistic
    assert rho > 0.95


def test_cptac_cohort_gets_biomarker_columns(shared_data: Path, tmp_path: Path) -> None:
    from oncoresist.io import read_h5mu, read_study, write_h5mu
    from oncoresist.tl import add_biomarkers

    folder = shared_data / "cptac_ucec"
    study = tmp_path / "study.toml"
    study.write_text(
        f'[study]\nname = "UCEC mut"\n[samples]\nfile = "{folder / "clinical.txt"}"\nid_column = "idx"\n'
        'alias_columns = ["Proteomics_Participant_ID"]\nalias_where = { Proteomics_Tumor_Normal = "Tumor" }\n'
        f'[layers.mut]\nkind = "maf"\nfile = "{folder / "somatic.maf.gz"}"\nsample_pattern = "^(.*)_T$"\n'
    )
    mdata = read_study(study)
    add_biomarkers(mdata)
    write_h5mu(mdata, tmp_path / "ucec.h5mu")
    obs = read_h5mu(tmp_path / "ucec.h5mu").obs.dropna(subset=["MSI_status"])
    assert len(obs) == 103 and obs["tmb_high"].dtype == bool
    assert roc_auc_score(obs["MSI_status"] == "MSI-H", obs["msi_score"]) > 0.85
    assert obs.loc[obs["POLE_subtype"] == "Yes", "tmb_high"].all()

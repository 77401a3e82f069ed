"""Genome-wide biomarkers: TMB, MSI, SBS-96 catalogues and signature fitting."""

from __future__ import annotations

import warnings
from pathlib import Path

import mudata as md
import numpy as np
import pandas as pd
import pytest
from scipy.optimize import nnls

from oncoresist._core._errors import InputError
from oncoresist.io import variants_to_anndata
from oncoresist.tl import (
    SBS96_CHANNELS,
    biomarker_table,
    biomarkers,
    fit_msi_classifier,
    fit_signatures,
    has_sequence_context,
    msi_features,
    msi_status,
    nnls_batch,
    read_signatures,
    sbs96_catalogue,
    tumour_mutational_burden,
)

BASES = np.array(list("ACGT"))


def _calls(rng: np.random.Generator, n_snv: int, n_indel: int, sample: str, *, homopolymer: float = 0.0) -> pd.DataFrame:
    """Synthetic calls of one sample: SNVs (missense) and 1-bp deletions, some in A-homopolymers."""
    ref = rng.choice(BASES, n_snv)
    alt = np.array([rng.choice(BASES[BASES != r]) for r in ref])
    ctx = ["".join(rng.choice(BASES, 5)) + r + "".join(rng.choice(BASES, 5)) for r in ref]
    snv = pd.DataFrame({"ref": ref, "alt": alt, "variant_type": "SNP", "variant_class": "Missense_Mutation", "CONTEXT": ctx})
    in_run = rng.random(n_indel) < homopolymer
    ictx = ["GCAAA" + "A" + "AAGCG" if h else "CGCTG" + "A" + "CTGCG" for h in in_run]
    ind = pd.DataFrame({"ref": "A", "alt": "-", "variant_type": "DEL", "variant_class": "Frame_Shift_Del", "CONTEXT": ictx})
    out = pd.concat([snv, ind], ignore_index=True)
    out.insert(0, "sample", sample)
    out["gene"] = "G"
    out["vaf"], out["t_depth"] = 0.3, 100.0
    return out


# ----------------------------------------------------------------------------------------- TMB
def test_tmb_counts_nonsynonymous_per_mb_and_calls_high() -> None:
    v = pd.DataFrame({"sample": ["A"] * 4 + ["B"] * 2,
                      "variant_class": ["Missense_Mutation", "Nonsense_Mutation", "Silent", "Intron",
                                        "Frame_Shift_Ins", "3'UTR"]})
    t = tumour_mutational_burden(v, callable_mb=0.2, samples=["A", "B", "C"])
    assert t["n_coding"].tolist() == [2, 1, 0]
    np.testing.assert_allclose(t["tmb"], [10.0, 5.0, 0.0])
    assert t["tmb_high"].tolist() == [True, False, False]  # 10 / Mb is TMB-high (>=)
    allv = tumour_mutational_burden(v, callable_mb=0.2, count="all")
    assert allv["n_coding"].tolist() == [4, 2]
    assert t.attrs["territory"] == "declared" and tumour_mutational_burden(v).attrs["callable_mb"] == 30.0


def test_tmb_filters_vaf_depth_population_af() -> None:
    v = pd.DataFrame({"sample": ["A"] * 4, "variant_class": ["Missense_Mutation"] * 4, "vaf": [0.02, 0.3, 0.3, np.nan],
                      "t_depth": [100, 5, 100, 100], "gnomAD_AF": [0.0, 0.0, 0.2, 0.0]})
    assert tumour_mutational_burden(v, callable_mb=1, min_vaf=None, max_population_af=None)["n_coding"].item() == 4
    t = tumour_mutational_burden(v, callable_mb=1, min_depth=10)
    assert t["n_coding"].item() == 1  # only the row with missing VAF, depth 100 and AF 0 survives
    assert t.attrs["filters"] == {"min_vaf": 0.05, "min_depth": 10.0, "max_population_af": 0.01, "population_af_column": "gnomAD_AF"}


def test_tmb_territory_from_bed_merges_overlaps(tmp_path: Path) -> None:
    bed = tmp_path / "panel.bed"
    bed.write_text("track name=panel\nchr1\t0\t400000\nchr1\t300000\t500000\nchr2\t0\t500000\n")
    v = pd.DataFrame({"sample": ["A"] * 5, "variant_class": ["Missense_Mutation"] * 5})
    t = tumour_mutational_burden(v, target_bed=bed)
    assert t.attrs["callable_mb"] == pytest.approx(1.0) and t["tmb"].item() == pytest.approx(5.0)
    bad = tmp_path / "bad.bed"
    bad.write_text("chr1\t10\tx\n")
    with pytest.raises(InputError, match="chrom, start, end"):
        tumour_mutational_burden(v, target_bed=bad)
    with pytest.raises(InputError, match="not both"):
        tumour_mutational_burden(v, target_bed=bed, callable_mb=1)


def test_tmb_bad_input() -> None:
    with pytest.raises(InputError, match="variant_class"):
        tumour_mutational_burden(pd.DataFrame({"sample": ["A"]}))
    with pytest.raises(InputError, match="DataFrame"):
        tumour_mutational_burden([1, 2])  # type: ignore[arg-type]
    with pytest.raises(InputError, match="positive"):
        tumour_mutational_burden(pd.DataFrame({"sample": ["A"], "variant_class": ["Silent"]}), callable_mb=-1)


# ----------------------------------------------------------------------------------------- MSI
def test_msi_homopolymer_share_from_context(rng: np.random.Generator) -> None:
    v = pd.concat([_calls(rng, 50, 40, "msi", homopolymer=0.75), _calls(rng, 50, 4, "mss", homopolymer=0.0)])
    f = msi_features(v, callable_mb=10).set_index("sample")
    assert f.attrs["repeat_source"] == "context:CONTEXT"
    assert f.loc["msi", "n_indel"] == 40 and f.loc["mss", "repeat_share"] == 0.0
    n_run = int((v[v["sample"] == "msi"]["CONTEXT"] == "GCAAAAAAGCG").sum())
    assert f.loc["msi", "repeat_share"] == pytest.approx(n_run / 40)
    assert f.loc["msi", "repeat_indels_per_mb"] == pytest.approx(n_run / 10)


def test_msi_context_runs_by_hand() -> None:
    v = pd.DataFrame({"sample": ["A"] * 4, "ref": ["A", "-", "C", "T"], "alt": ["-", "T", "-", "-"],
                      "variant_type": ["DEL", "INS", "DEL", "DEL"],
                      "CONTEXT": ["GGAAAAAAGGG", "CCTTTTTGGG", "ACGTACGTACG", "GGCTTTCAGGG"]})
    # run of 6 A incl. the deleted base; insertion into TTTTT (5); no run; TTT only 3 (+1 deleted = 4 < 5)
    assert msi_features(v, callable_mb=1)["repeat_share"].item() == pytest.approx(2 / 4)


def test_msi_without_context_uses_indel_length_share() -> None:
    v = pd.DataFrame({"sample": ["A"] * 3, "ref": ["A", "-", "CTG"], "alt": ["-", "T", "-"], "variant_type": ["DEL", "INS", "DEL"]})
    f = msi_features(v, callable_mb=1)
    assert f.attrs["repeat_source"] == "indel_length" and f["repeat_share"].item() == pytest.approx(2 / 3)
    assert not has_sequence_context(v)


def test_msi_default_rule_threshold() -> None:
    v = pd.DataFrame({"sample": ["A"] * 4 + ["B"] * 3, "ref": ["A"] * 7, "alt": ["-"] * 7, "variant_type": ["DEL"] * 7})
    s = msi_status(v, callable_mb=10).set_index("sample")
    assert s["msi_score"].tolist() == pytest.approx([0.4, 0.3])
    assert s["msi_high"].tolist() == [True, False] and s["msi_probability"].isna().all()
    assert "MSIseq" in s.attrs["method"]


def test_fit_msi_classifier_separates_planted_cohort(rng: np.random.Generator) -> None:
    parts, labels = [], []
    for i in range(30):
        msi = i % 3 == 0
        parts.append(_calls(rng, int(rng.integers(30, 80)), int(rng.integers(30, 60) if msi else rng.integers(0, 6)),
                            f"S{i}", homopolymer=0.8 if msi else 0.2))
        labels.append("MSI-H" if msi else "MSS")
    v = pd.concat(parts, ignore_index=True)
    f = msi_features(v, callable_mb=30)
    clf = fit_msi_classifier(f, labels)
    assert clf.n_train == 30 and clf.n_positive == 10 and (clf.coef_ > 0).all()
    s = msi_status(v, classifier=clf, callable_mb=30)
    assert (s["msi_high"].to_numpy() == (np.array(labels) == "MSI-H")).all()
    assert s["msi_probability"].between(0, 1).all()
    np.testing.assert_allclose(s["msi_probability"], 1 / (1 + np.exp(-s["msi_score"])))
    nocontext = v.drop(columns="CONTEXT")
    with pytest.warns(UserWarning, match="miscalibrated"):
        msi_status(nocontext, classifier=clf, callable_mb=30)


def test_fit_msi_classifier_bad_labels() -> None:
    f = pd.DataFrame({"indels_per_mb": [0.1, 3.0], "repeat_share": [0.3, 0.9]})
    with pytest.raises(InputError, match="not an MSI status"):
        fit_msi_classifier(f, ["MSS", "unknown"])
    with pytest.raises(InputError, match="one class"):
        fit_msi_classifier(f, ["MSS", "MSI-L"])
    with pytest.raises(InputError, match="2 feature rows"):
        fit_msi_classifier(f, ["MSS"])
    with pytest.raises(InputError, match="msi_features"):
        fit_msi_classifier(f.drop(columns="repeat_share"), ["MSS", "MSI-H"])

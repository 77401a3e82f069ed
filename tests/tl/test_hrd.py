"""HRD genomic-scar scores (LOH, TAI, LST) on hand-built allele-specific segment tables."""

from __future__ import annotations

import mudata as md
import numpy as np
import pandas as pd
import pytest

from oncoresist._core._errors import InputError
from oncoresist.io import variants_to_anndata
from oncoresist.tl import HRD_COLUMNS, add_biomarkers, hrd_scores, hrd_status

M = 1_000_000


def _seg(sample: str, rows: list[tuple[str, float, float, int, int]]) -> pd.DataFrame:
    """Segments from (chrom, start Mb, end Mb, major, minor) rows; starts are +1 bp past the Mb mark."""
    return pd.DataFrame([{"sample": sample, "chrom": c, "start": int(s * M) + 1, "end": int(e * M), "nMajor": a, "nMinor": b}
                         for c, s, e, a, b in rows])


def test_loh_counts_long_partial_loh_only() -> None:
    seg = _seg("L", [
        ("2", 0, 30, 1, 1), ("2", 30, 50, 1, 0), ("2", 50, 242, 1, 1),  # 20 Mb LOH: counts
        ("9", 0, 60, 1, 1), ("9", 60, 70, 1, 0), ("9", 70, 138, 1, 1),  # 10 Mb LOH: too short
        ("3", 0, 100, 2, 0), ("3", 100, 198, 1, 0),  # LOH along the whole chromosome: not counted
        ("10", 0, 20, 1, 1), ("10", 20, 40, 0, 0), ("10", 40, 133, 1, 1),  # homozygous deletion: not LOH
        ("11", 0, 60, 1, 1), ("11", 60, 70, 2, 0), ("11", 70, 80, 3, 0), ("11", 80, 135, 1, 1),  # 2+0 and 3+0 join: 20 Mb
        ("X", 0, 40, 1, 0), ("X", 40, 156, 1, 1),  # sex chromosomes are left out
    ])
    out = hrd_scores(seg)
    assert list(out.columns) == list(HRD_COLUMNS)
    assert out.loc[0, "loh"] == 2


def test_tai_counts_telomeric_imbalance_not_crossing_the_centromere() -> None:
    seg = _seg("T", [
        ("1", 0, 50, 2, 1), ("1", 50, 248, 1, 1),  # p-telomere AI ending before the centromere (121.7 Mb): counts
        ("4", 0, 60, 2, 0), ("4", 60, 190, 1, 1),  # telomeric AI crossing the centromere (48.2 Mb): not counted
        ("5", 0, 181, 2, 1),  # whole-chromosome AI: not counted
        ("6", 0, 100, 1, 1), ("6", 100, 170, 3, 1),  # q-telomere AI starting after the centromere (62.6 Mb): counts
        ("7", 0, 0.5, 1, 0), ("7", 0.5, 159, 1, 1),  # < 1 Mb: ignored
        ("8", 0, 20, 3, 0), ("8", 20, 145, 2, 1),  # dominant total 3 (odd): 3+0 is AI, counts
        ("12", 0, 20, 2, 1), ("12", 20, 30, 1, 1), ("12", 30, 133, 2, 1),  # 2+1 at dominant total 3 is balanced: 0
    ])
    assert hrd_scores(seg).loc[0, "tai"] == 3


def test_lst_breaks_between_long_segments_after_smoothing() -> None:
    seg = _seg("S", [
        ("2", 0, 20, 1, 1), ("2", 20, 40, 2, 1), ("2", 40, 91, 1, 1), ("2", 97, 242, 1, 1),  # 2 LSTs on 2p
        ("3", 0, 87, 1, 1), ("3", 95, 120, 2, 1), ("3", 120, 122, 3, 1), ("3", 122, 198, 2, 2),  # 2 Mb smoothed: 1 LST
        ("4", 0, 48, 2, 1), ("4", 52, 100, 1, 1), ("4", 100, 102, 2, 1), ("4", 102, 190, 1, 1),  # smoothed, rejoined: 0
        ("5", 0, 46, 1, 1), ("5", 52, 60, 2, 1), ("5", 60, 181, 1, 1),  # an 8 Mb neighbour: 0
        ("6", 0, 58, 2, 1), ("6", 63, 100, 1, 1), ("6", 104, 170, 2, 1),  # 4 Mb apart: 0
    ])
    assert hrd_scores(seg).loc[0, "lst"] == 3


def test_one_chromosome_by_hand_and_sum() -> None:
    seg = _seg("T1", [("1", 0, 20, 2, 0), ("1", 20, 121, 1, 1), ("1", 130, 248, 1, 1)])
    row = hrd_scores(seg).iloc[0]
    # LOH 20 Mb; TAI: that LOH is telomeric; LST: 20 Mb | 20-121.7 Mb on 1p
    assert (row["loh"], row["tai"], row["lst"], row["hrd_sum"]) == (1, 1, 1, 3)
    assert np.isnan(row["ploidy"]) and np.isnan(row["hrd_sum_adjusted"])


def test_ploidy_adjustment_declared_or_from_table() -> None:
    seg = _seg("T1", [("1", 0, 20, 2, 0), ("1", 20, 248, 1, 1)])
    assert hrd_scores(seg, ploidy=2.0).loc[0, "hrd_sum_adjusted"] == pytest.approx(hrd_scores(seg).loc[0, "hrd_sum"] - 31.0)
    seg["ploidy"] = 3.7
    assert hrd_scores(seg).loc[0, "ploidy"] == pytest.approx(3.7)
    assert hrd_scores(seg, ploidy={"T1": 2.5}).loc[0, "ploidy"] == pytest.approx(2.5)
    with pytest.raises(InputError, match="ploidy must be a positive"):
        hrd_scores(seg, ploidy=-1)


def test_scores_are_per_sample_and_allele_order_free() -> None:
    a = _seg("A", [("2", 0, 30, 1, 1), ("2", 30, 50, 1, 0), ("2", 50, 242, 1, 1)])
    b = _seg("B", [("2", 0, 242, 1, 1)])
    both = pd.concat([b, a]).rename(columns={"nMajor": "B_cn", "nMinor": "A_cn"})
    both[["A_cn", "B_cn"]] = both[["B_cn", "A_cn"]].to_numpy()  # minor first, as scarHRD's example
    out = hrd_scores(both).set_index("sample")
    assert out.loc["A", "loh"] == 1 and out.loc["B", "hrd_sum"] == 0


def test_unknown_chromosome_warns_and_bad_input_errors() -> None:
    seg = _seg("A", [("2", 0, 30, 1, 1), ("2", 30, 50, 1, 0), ("2", 50, 242, 1, 1)])
    with pytest.warns(UserWarning, match="no centromere position for chromosome"):
        out = hrd_scores(seg, centromeres={"chr1": (121_700_000, 125_100_000)})
    assert out.loc[0, "loh"] == 1 and out.loc[0, "lst"] == 0
    with pytest.raises(InputError, match="minor-allele column"):
        hrd_scores(seg.drop(columns=["nMinor"]))


def test_hrd_status_score_or_brca() -> None:
    s = pd.DataFrame({"sample": ["A", "B", "C"], "hrd_sum": [42, 41, 3]})
    out = hrd_status(s)
    assert out["hrd_high"].tolist() == [True, False, False] and out["brca_altered"].isna().all()
    out = hrd_status(s, brca_altered={"C": True, "B": False})
    assert out["hrd_high"].tolist() == [True, False, True] and out["brca_altered"].tolist() == [False, False, True]
    with pytest.raises(InputError, match="hrd_sum"):
        hrd_status(s.drop(columns="hrd_sum"))


def _high_score_segments(sample: str) -> pd.DataFrame:
    """Ten alternating 11 Mb segments on the q arms of chromosomes 1-5: 9 LSTs and a q-telomeric 2+1 (TAI) each."""
    cens = {"1": 125.1, "2": 96.0, "3": 94.0, "4": 51.8, "5": 51.4}
    rows = []
    for chrom, cen in cens.items():
        rows.append((chrom, 0, cen - 4, 1, 1))
        rows += [(chrom, cen + 11 * i, cen + 11 * (i + 1), 1 + i % 2, 1) for i in range(10)]
    return _seg(sample, rows)


def _cohort() -> md.MuData:
    v = pd.DataFrame({"sample": ["hi", "brca", "wt"], "gene": ["TP53", "BRCA2", "KRAS"],
                      "variant_class": ["Missense_Mutation"] * 3, "ref": ["C"] * 3, "alt": ["T"] * 3, "variant_type": ["SNP"] * 3})
    return md.MuData({"mut": variants_to_anndata(v)})


def test_add_biomarkers_writes_hrd_columns_and_protects_user_columns() -> None:
    seg = pd.concat([_high_score_segments("hi"), _seg("brca", [("2", 0, 242, 1, 1)]), _seg("wt", [("2", 0, 242, 1, 1)])])
    m = _cohort()
    add_biomarkers(m, segments=seg)
    assert (m.obs.loc["hi", "hrd_lst"], m.obs.loc["hi", "hrd_tai"], m.obs.loc["hi", "hrd_loh"]) == (45, 5, 0)
    assert m.obs.loc["hi", "hrd_sum"] == m.obs.loc["hi", "hrd_score"] == 50
    assert m.obs["hrd_high"].tolist() == [True, True, False]  # score >= 42; BRCA2 mutation; neither
    assert m.uns["hrd"]["params"]["brca_mod"] == "mut" and "tmb" in m.obs
    add_biomarkers(m, segments=seg.loc[seg["sample"] != "wt"])  # re-running replaces its own result
    assert pd.isna(m.obs.loc["wt", "hrd_sum"]) and pd.isna(m.obs.loc["wt", "hrd_high"])
    user = _cohort()
    user.obs["hrd_sum"] = [1.0, 2.0, 3.0]
    with pytest.raises(InputError, match="already exists"):
        add_biomarkers(user, segments=seg)
    assert user.obs["hrd_sum"].tolist() == [1.0, 2.0, 3.0]
    add_biomarkers(user, segments=seg, overwrite=True)
    assert user.obs["hrd_sum"].tolist() == [50.0, 0.0, 0.0]


def test_add_biomarkers_segments_without_mutation_layer() -> None:
    import anndata as ad

    m = md.MuData({"rna": ad.AnnData(np.zeros((2, 1)), obs=pd.DataFrame(index=["hi", "other"]))})
    seg = pd.concat([_high_score_segments("hi"), _seg("stranger", [("2", 0, 242, 1, 1)])])
    with pytest.warns(UserWarning, match="not in the cohort"):
        add_biomarkers(m, segments=seg)
    assert "tmb" not in m.obs and m.uns["hrd"]["params"]["brca_mod"] == "None"
    assert bool(m.obs.loc["hi", "hrd_high"]) and pd.isna(m.obs.loc["other", "hrd_high"])
    with pytest.raises(InputError, match="no sample of the segments"):
        add_biomarkers(m, segments=_seg("x", [("2", 0, 242, 1, 1)]), overwrite=True)

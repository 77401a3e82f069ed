from __future__ import annotations

import pytest

from oncoresist.kb import match_biomarker, match_clause, parse_alteration, parse_profile

P = parse_alteration


@pytest.mark.parametrize(
    ("biomarker", "observed", "quality"),
    [
        ("EGFR T790M", "EGFR p.Thr790Met", "exact"),
        ("KRAS G12", "KRAS G12D", "codon"),
        ("KRAS mutation", "KRAS G13D", "gene"),
        ("EGFR exon 19 deletion", "EGFR E746_A750del", "exon"),
        ("EGFR exon 19 deletion", "EGFR L747_P753delinsS", "exon"),
        ("EGFR exon 20 insertion", "EGFR D770_N771insSVD", "exon"),
        ("PTEN loss", "PTEN R130fs", "class"),
        ("PTEN loss", "PTEN deletion", "exact"),
        ("PTEN loss", "PTEN promoter hypermethylation", "inferred"),
        ("BRCA1 loss-of-function", "BRCA1 deletion", "inferred"),
        ("ALK fusion", "EML4::ALK", "class"),
        ("EML4::ALK fusion", "EML4-ALK", "exact"),
        ("ABCB1 overexpression", "ABCB1 promoter hypomethylation", "inferred"),
        ("ERCC1 overexpression", "ERCC1 protein overexpression", "exact"),
        ("MET amplification", "MET amplification", "exact"),
    ],
)
def test_matches(biomarker: str, observed: str, quality: str) -> None:
    m = match_biomarker(P(biomarker), P(observed))
    assert m is not None and m.quality == quality


@pytest.mark.parametrize(
    ("biomarker", "observed"),
    [
        ("EGFR T790M", "EGFR L858R"),
        ("EGFR T790M", "ERBB2 T790M"),
        ("KRAS G12", "KRAS G13D"),
        ("EGFR exon 19 deletion", "EGFR L858R"),
        ("EGFR exon 20 insertion", "EGFR E746_A750del"),
        ("MET amplification", "MET overexpression"),
        ("PTEN loss", "PTEN R233Q"),
        ("KRAS mutation", "KRAS G12="),
        ("BCR::ABL1 fusion", "EML4::ALK"),
        ("MGMT promoter methylation", "MGMT underexpression"),
    ],
)
def test_non_matches(biomarker: str, observed: str) -> None:
    assert match_biomarker(P(biomarker), P(observed)) is None


def test_clause_all_components_and_implied_fusion() -> None:
    clause = parse_profile("BCR::ABL1 Fusion AND ABL1 T315I")[0]
    res = match_clause(clause, [P("ABL1 T315I")])
    assert res is not None and "assumes BCR::ABL1 fusion" in res[0].note
    assert match_clause(clause, [P("ABL1 E255K")]) is None
    both = parse_profile("EGFR L858R AND EGFR T790M")[0]
    assert match_clause(both, [P("EGFR T790M")]) is None
    m, used = match_clause(both, [P("EGFR L858R"), P("TP53 R175H"), P("EGFR T790M")])
    assert m.quality == "exact" and sorted(used) == [0, 2]


def test_cdna_biomarker_matches_hgvsc() -> None:
    b = P("VHL c.540_543delCGTC")
    assert match_biomarker(b, P("VHL P181fs"), hgvsc="ENST0001:c.540_543delCGTC").quality == "exact"
    assert match_biomarker(b, P("VHL P181fs"), hgvsc="c.1A>G") is None

from __future__ import annotations

import pytest

from oncoresist import InputError
from oncoresist.kb import (
    exon_of,
    normalize_gene,
    normalize_protein_change,
    parse_alteration,
    parse_profile,
)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("EGFR T790M", "EGFR|mutation|T790M|"),
        ("EGFR p.T790M", "EGFR|mutation|T790M|"),
        ("EGFR p.Thr790Met", "EGFR|mutation|T790M|"),
        ("EGFR:p.(Thr790Met)", "EGFR|mutation|T790M|"),
        ("egfr t790m mutation", "EGFR|mutation|T790M|"),
        ("EGFR exon 19 deletion", "EGFR|mutation|exon 19 deletion|"),
        ("EGFR ex19del", "EGFR|mutation|exon 19 deletion|"),
        ("EGFR Exon 20 Insertion", "EGFR|mutation|exon 20 insertion|"),
        ("MET exon 14 skipping", "MET|mutation|exon 14 skipping|"),
        ("EGFR p.Glu746_Ala750del", "EGFR|mutation|E746_A750del|"),
        ("PDGFRA I843DEL", "PDGFRA|mutation|I843del|"),
        ("BRCA1 p.Gln1756ProfsTer74", "BRCA1|mutation|Q1756fs|"),
        ("BRCA1 R1443X", "BRCA1|mutation|R1443*|"),
        ("KRAS G12", "KRAS|mutation|G12|"),
        ("EML4-ALK", "ALK|fusion|fusion|EML4"),
        ("EML4::ALK fusion", "ALK|fusion|fusion|EML4"),
        ("v::ALK Fusion", "ALK|fusion|fusion|"),
        ("BCR-ABL1", "ABL1|fusion|fusion|BCR"),
        ("HER2 amplification", "ERBB2|amplification|amplification|"),
        ("MET Amplification", "MET|amplification|amplification|"),
        ("CDKN2A deep deletion", "CDKN2A|deletion|deletion|"),
        ("PTEN loss", "PTEN|deletion|loss|"),
        ("BRCA2 truncating mutation", "BRCA2|mutation|loss-of-function|"),
        ("ABCB1 overexpression", "ABCB1|expression|overexpression|"),
        ("MDR1 high expression", "ABCB1|expression|overexpression|"),
        ("ERCC1 underexpression", "ERCC1|expression|underexpression|"),
        ("MGMT promoter methylation", "MGMT|methylation|promoter hypermethylation|"),
        ("ABCB1 promoter hypomethylation", "ABCB1|methylation|promoter hypomethylation|"),
        ("NKX2-1 amplification", "NKX2-1|amplification|amplification|"),
        ("H3-3A K27M", "H3-3A|mutation|K27M|"),
        ("BRAF V600E (c.1799T>A)", "BRAF|mutation|V600E|"),
        ("VHL c.540_543delCGTC", "VHL|mutation|c.540_543delCGTC|"),
    ],
)
def test_notations_normalise_to_one_key(text: str, key: str) -> None:
    assert parse_alteration(text).key == key


def test_gene_given_separately_and_exon_inferred() -> None:
    a = parse_alteration("p.Leu858Arg", gene="EGFR")
    assert (a.alteration, a.exon, a.mtype) == ("L858R", 21, "missense")
    assert parse_alteration("E746_A750del", gene="EGFR").exon == 19
    assert exon_of("EGFR", 790) == 20 and exon_of("KRAS", 12) is None


def test_effects() -> None:
    assert parse_alteration("PTEN R130fs").effect == "loss"
    assert parse_alteration("MET amplification").effect == "gain"
    assert parse_alteration("MGMT promoter methylation").effect == "loss"
    assert parse_alteration("EGFR L858R").effect == "unknown"


@pytest.mark.parametrize("text", ["EGFR blah", "EGFR", "", "  ", "KRAS rs61764370", "123 T790M"])
def test_not_understood_raises_one_line(text: str) -> None:
    with pytest.raises(InputError) as e:
        parse_alteration(text)
    assert "\n" not in str(e.value)


def test_protein_change_helpers() -> None:
    assert normalize_protein_change("p.Arg1443Ter") == "R1443*"
    assert normalize_protein_change("Q1756Pfs*74") == "Q1756fs"
    assert normalize_gene("c-Met") == "MET" and normalize_gene("her2") == "ERBB2"


def test_profiles_and_or_slash_parentheses() -> None:
    lab = lambda cs: [[a.label for a in c] for c in cs]  # noqa: E731
    assert lab(parse_profile("KRAS G12/G13")) == [["KRAS G12"], ["KRAS G13"]]
    assert lab(parse_profile("KRAS G12D/V")) == [["KRAS G12D"], ["KRAS G12V"]]
    assert lab(parse_profile("BCR::ABL1 Fusion AND ABL1 T315I")) == [["BCR::ABL1 fusion", "ABL1 T315I"]]
    assert lab(parse_profile("EGFR L858R OR EGFR Exon 19 Deletion")) == [["EGFR L858R"], ["EGFR exon 19 deletion"]]
    assert lab(parse_profile("RB1 Wildtype AND ( CDKN2A Loss OR CDKN2A Mutation )")) == [
        ["RB1 wildtype", "CDKN2A loss"],
        ["RB1 wildtype", "CDKN2A mutation"],
    ]
    assert lab(parse_profile("VHL R200W (c.598C>T)")) == [["VHL R200W"]]
    with pytest.raises(InputError, match="NOT"):
        parse_profile("MET Amplification AND NOT KRAS Mutation")
    with pytest.raises(InputError):
        parse_profile("EGFR L858R AND (EGFR T790M")

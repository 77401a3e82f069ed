"""Curated core 2025.5: secondary KIT mutations in GIST and Smoothened-inhibitor resistance."""

import pytest

from oncoresist.interpret import interpret_alterations
from oncoresist.kb import parse_alteration
from oncoresist.kb._alteration import exon_of


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    return tmp_path_factory.mktemp("kb") / "kb.duckdb"


def test_kit_and_pdgfra_codons_map_to_their_gist_exons():
    assert [exon_of("KIT", c) for c in (502, 557, 654, 670, 816, 822, 842)] == [9, 11, 13, 14, 17, 17, 18]
    assert exon_of("PDGFRA", 842) == 18 and exon_of("PDGFRA", 561) == 12 and exon_of("KIT", 530) is None
    assert parse_alteration("KIT exon 17 mutation").exon == 17


@pytest.mark.parametrize(("alts", "options", "resisted"), [
    (["KIT V560D"], {"imatinib"}, set()),  # primary exon 11: imatinib
    (["KIT V560D", "KIT V654A"], {"sunitinib"}, {"imatinib"}),  # secondary ATP pocket: sunitinib still works
    (["KIT W557_K558del", "KIT D820G"], set(), {"imatinib", "sunitinib"}),  # secondary activation loop
])
def test_secondary_kit_mutations_in_gist(kb, alts, options, resisted):
    res = interpret_alterations(alts, tumour_type="gastrointestinal stromal tumor", kb=kb)
    offered = set(res.options["therapy"])
    assert options <= offered and not (offered & resisted)
    assert resisted <= set(res.resistance_expected["drug"])


def test_smo_d473h_resists_vismodegib(kb):
    res = interpret_alterations(["SMO D473H"], tumour_type="medulloblastoma", kb=kb)
    assert "vismodegib" in set(res.resistance_expected["drug"]) and "vismodegib" not in set(res.options["therapy"])

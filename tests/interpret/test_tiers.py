from __future__ import annotations

import pytest

from oncoresist.interpret import TIERS, amp_tier, infer_mechanism


@pytest.mark.parametrize(
    ("level", "match", "tier"),
    [("A", True, "I-A"), ("B", True, "I-B"), ("C", True, "II-C"), ("D", True, "II-D"), ("E", True, "II-D"),
     ("A", False, "II-C"), ("B", False, "II-C"), ("C", False, "II-D"), ("D", False, "III"), ("E", False, "III")],
)  # fmt: skip
def test_tier_table(level: str, match: bool, tier: str) -> None:
    assert amp_tier(level, match) == tier


def test_inferred_one_step_down_and_floor() -> None:
    assert [amp_tier(x, True, inferred=True) for x in "ABCD"] == ["I-B", "II-C", "II-D", "III"]
    assert amp_tier("E", False, inferred=True) == "III"
    assert TIERS[0] == "I-A"


def test_mechanism_inference() -> None:
    kw = {"drug_classes": set()}
    assert infer_mechanism(direction="resistance", gene="EGFR", kind="mutation", drug_targets={"EGFR"}, role="oncogene", pathway="RTK signalling", **kw) == "on-target mutation"
    assert infer_mechanism(direction="resistance", gene="MET", kind="amplification", drug_targets={"EGFR"}, role="oncogene", pathway="RTK signalling", **kw) == "bypass signalling"
    assert infer_mechanism(direction="resistance", gene="KRAS", kind="mutation", drug_targets={"EGFR"}, role="oncogene", pathway="RAS-MAPK", **kw) == "downstream pathway activation"
    assert infer_mechanism(direction="resistance", gene="ABCB1", kind="expression", drug_targets={"TUBB"}, role="drug transporter", pathway="drug efflux", **kw) == "drug efflux"
    assert infer_mechanism(direction="sensitivity", gene="BRCA1", kind="mutation", drug_targets={"PARP1"}, role="DNA repair", pathway="", drug_classes={"PARP inhibitor"}) == "synthetic lethality"

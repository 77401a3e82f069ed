"""AMP/ASCO/CAP tiers and resistance-mechanism labels for matched evidence.

Tiers follow Li et al. 2017 (J Mol Diagn, DOI 10.1016/j.jmoldx.2016.10.002): Tier I level A =
approved / guideline evidence in this tumour type, level B = well-powered studies in this tumour
type; Tier II level C = evidence from another tumour type or small studies, level D =
preclinical or case evidence; Tier III = unknown clinical significance. The evidence levels of
the knowledge base (CIViC-style A-E) map as:

=================  ======================  ===========================
evidence level     tumour type matches     another / unknown tumour type
=================  ======================  ===========================
A (validated)      I-A                     II-C
B (clinical)       I-B                     II-C
C (case / small)   II-C                    II-D
D (preclinical)    II-D                    III
E (inferential)    II-D                    III
=================  ======================  ===========================

An evidence item matched only by inference (e.g. over-expression inferred from promoter
hypomethylation) is moved down one step (I-A -> I-B -> II-C -> II-D -> III).
"""

from __future__ import annotations

__all__ = ["TIERS", "amp_tier", "tier_rank", "infer_mechanism"]

#: Tiers, strongest first.
TIERS = ("I-A", "I-B", "II-C", "II-D", "III")


def amp_tier(level: str, disease_match: bool, *, inferred: bool = False) -> str:
    """AMP/ASCO/CAP tier of one evidence item for this patient.

    Parameters
    ----------
    level
        Evidence level A-E.
    disease_match
        The evidence's disease is the patient's tumour type (same, broader, subtype or
        pan-cancer).
    inferred
        The biomarker was matched only by inference: one step down.

    Examples
    --------
    >>> amp_tier("A", True), amp_tier("A", False), amp_tier("D", False), amp_tier("B", True, inferred=True)
    ('I-A', 'II-C', 'III', 'II-C')
    """
    lv = str(level).upper()[:1]
    table = {
        ("A", True): "I-A", ("B", True): "I-B", ("C", True): "II-C", ("D", True): "II-D", ("E", True): "II-D",
        ("A", False): "II-C", ("B", False): "II-C", ("C", False): "II-D", ("D", False): "III", ("E", False): "III",
    }  # fmt: skip
    t = table.get((lv, bool(disease_match)), "III")
    if inferred:
        t = TIERS[min(TIERS.index(t) + 1, len(TIERS) - 1)]
    return t


def tier_rank(tier: str) -> int:
    """0 for I-A ... 4 for III (unknown tiers last)."""
    return TIERS.index(tier) if tier in TIERS else len(TIERS)


_RTK_DRIVER_PATHWAYS = {"RTK signalling", "ABL kinase signalling"}
_DOWNSTREAM = {"RAS-MAPK", "PI3K-AKT-mTOR"}


def infer_mechanism(
    *,
    direction: str,
    gene: str,
    kind: str,
    drug_targets: set[str],
    drug_classes: set[str],
    role: str,
    pathway: str,
) -> str:
    """A mechanism label for evidence that carries none (imported items).

    Uses the gene's role / pathway (``genes.tsv``) and the drugs' targets: a mutation in the
    drug's own target is ``on-target mutation``; an activated kinase that is not the target is
    ``bypass signalling``; RAS/MAPK or PI3K alterations under an RTK inhibitor are
    ``downstream pathway activation``; ABC transporters ``drug efflux``; DNA-repair genes
    ``DNA repair`` (resistance) or ``DNA repair deficiency`` (sensitivity).

    Examples
    --------
    >>> infer_mechanism(direction="resistance", gene="EGFR", kind="mutation", drug_targets={"EGFR"},
    ...                 drug_classes=set(), role="oncogene", pathway="RTK signalling")
    'on-target mutation'
    """
    classes = {c.lower() for c in drug_classes}
    if direction == "resistance":
        if role == "drug transporter":
            return "drug efflux"
        if gene in drug_targets:
            return {"mutation": "on-target mutation", "amplification": "target amplification"}.get(kind, "target alteration")
        if role == "DNA repair":
            return "DNA repair"
        if pathway in _DOWNSTREAM and drug_targets & {"EGFR", "ERBB2", "MET", "ALK", "ROS1", "KIT", "BRAF"}:
            return "downstream pathway activation" if pathway != "RAS-MAPK" or "BRAF" not in drug_targets else "MAPK pathway reactivation"
        if pathway in _RTK_DRIVER_PATHWAYS or role == "oncogene":
            return "bypass signalling"
        if role == "tumour suppressor":
            return "loss of tumour suppressor"
        return "unspecified"
    if gene in drug_targets:
        return "target dependency"
    if role == "DNA repair" and (classes & {"parp inhibitor", "platinum compound", "alkylating agent"}):
        return "synthetic lethality" if "parp inhibitor" in classes else "DNA repair deficiency"
    if role == "DNA repair":
        return "DNA repair deficiency"
    return "sensitising alteration"

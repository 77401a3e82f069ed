"""Matching a knowledge-base biomarker against an observed alteration.

One function decides whether evidence written for biomarker ``B`` (e.g. ``KRAS G12``, ``EGFR
exon 19 deletion``, ``PTEN loss``) applies to an observed alteration ``O`` (``KRAS G12D``,
``EGFR E746_A750del``, a PTEN deep deletion) and how closely. The same rules serve KB queries
(``kb query --gene KRAS --alteration G12D``) and patient interpretation.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._alteration import Alteration

__all__ = ["Match", "MATCH_WEIGHT", "match_biomarker", "match_clause"]

#: Weight of each match quality when ranking evidence (exact variant best).
MATCH_WEIGHT = {
    "exact": 1.0,
    "codon": 0.9,
    "exon": 0.9,
    "class": 0.8,
    "gene": 0.6,
    "inferred": 0.5,
}

_NONSYN = {"missense", "nonsense", "frameshift", "inframe_del", "inframe_ins", "delins", "splice", "codon", "exon", "any", "loss_of_function", "itd", "cdna"}  # fmt: skip


@dataclass(frozen=True)
class Match:
    """Outcome of matching one biomarker to one observed alteration."""

    quality: str
    note: str = ""

    @property
    def weight(self) -> float:
        """Ranking weight of :attr:`quality`."""
        return MATCH_WEIGHT.get(self.quality, 0.3)


def _exon_event_ok(event: str, o: Alteration) -> bool:
    if event == "mutation":
        return o.mtype in _NONSYN
    if event == "deletion":
        if o.mtype == "inframe_del":
            return True
        if o.mtype == "delins" and o.pos is not None and o.end is not None:
            return len(o.alt) < (o.end - o.pos + 1)
        return False
    if event == "insertion":
        if o.mtype == "inframe_ins":
            return True
        if o.mtype == "delins" and o.pos is not None and o.end is not None:
            return len(o.alt) > (o.end - o.pos + 1)
        return False
    if event == "skipping":
        return o.mtype == "splice" or o.alteration.lower().startswith("exon")
    return False


def match_biomarker(b: Alteration, o: Alteration, *, hgvsc: str = "") -> Match | None:
    """Decide whether evidence for biomarker ``b`` applies to the observed alteration ``o``.

    Parameters
    ----------
    b
        Biomarker of the evidence item.
    o
        Observed alteration (patient or query).
    hgvsc
        The observed variant's cDNA change, for biomarkers written as ``c.`` changes.

    Returns
    -------
    Match or None
        ``quality`` is ``exact`` (same variant / event), ``codon`` (codon-level evidence),
        ``exon`` (exon-level event), ``class`` (a class such as loss-of-function or any fusion
        partner), ``gene`` (any mutation of the gene) or ``inferred`` (e.g. promoter
        hypermethylation taken as loss of expression); ``note`` explains non-exact matches.

    Examples
    --------
    >>> from oncoresist.kb import parse_alteration
    >>> match_biomarker(parse_alteration("KRAS G12"), parse_alteration("KRAS G12D")).quality
    'codon'
    >>> match_biomarker(parse_alteration("EGFR exon 19 deletion"), parse_alteration("EGFR E746_A750del")).quality
    'exon'
    >>> match_biomarker(parse_alteration("PTEN loss"), parse_alteration("PTEN R130fs")).quality
    'class'
    """
    # fusions: the biomarker gene may be either partner of the observed fusion
    if b.kind == "fusion":
        if o.kind != "fusion":
            return None
        genes = {o.gene, o.partner} - {""}
        if b.gene not in genes:
            return None
        if b.partner:
            if b.partner not in genes:
                return None
            return Match("exact")
        return Match("class", f"any {b.gene} fusion partner")
    if b.kind == "signature":
        return _match_signature(b, o)
    if b.gene != o.gene:
        return None
    if b.kind == "mutation":
        return _match_mutation(b, o, hgvsc)
    if b.kind == "amplification":
        return Match("exact") if o.kind == "amplification" else None
    if b.kind == "deletion":
        if o.kind == "deletion":
            return Match("exact") if b.alteration == o.alteration or b.alteration == "loss" else Match("class", "loss includes deletion")
        if b.alteration == "loss":
            if o.kind == "mutation" and o.effect == "loss":
                return Match("class", "loss by truncating mutation")
            if o.kind == "methylation" and o.alteration == "promoter hypermethylation":
                return Match("inferred", "loss inferred from promoter hypermethylation (silencing)")
            if o.kind in ("expression", "protein") and o.alteration == "underexpression":
                return Match("inferred", f"loss inferred from low {'protein' if o.kind == 'protein' else 'mRNA'}")
        return None
    if b.kind in ("expression", "protein"):
        if o.kind in ("expression", "protein") and o.alteration == b.alteration:
            if o.kind == b.kind:
                return Match("exact")
            return Match("exact", f"measured as {'protein' if o.kind == 'protein' else 'mRNA'}")
        if b.alteration == "overexpression":
            if o.kind == "methylation" and o.alteration == "promoter hypomethylation":
                return Match("inferred", "over-expression inferred from promoter hypomethylation")
            if o.kind == "amplification":
                return Match("inferred", "over-expression inferred from amplification")
        if b.alteration == "underexpression":
            if o.kind == "methylation" and o.alteration == "promoter hypermethylation":
                return Match("inferred", "under-expression inferred from promoter hypermethylation")
            if o.kind == "deletion":
                return Match("inferred", "under-expression inferred from deletion")
        return None
    if b.kind == "methylation":
        return Match("exact") if o.kind == "methylation" and o.alteration == b.alteration else None
    return None


def _match_signature(b: Alteration, o: Alteration) -> Match | None:
    """A genome-wide marker: the same value, or HRD inferred from mutational signature 3."""
    if o.kind != "signature":
        return None
    if o.gene == b.gene and o.alteration == b.alteration:
        return Match("exact")
    if b.alteration == "HRD-positive" and o.alteration == "SBS3":
        return Match("inferred", "HRD inferred from mutational signature 3 (SBS3)")
    return None


def _match_mutation(b: Alteration, o: Alteration, hgvsc: str) -> Match | None:
    if b.mtype == "wildtype":
        return None  # absence: decided by the caller, who knows which genes were measured
    if o.kind == "deletion" and b.mtype == "loss_of_function":
        return Match("inferred", "loss of function by deletion")
    if o.kind != "mutation":
        return None
    if o.mtype == "synonymous":
        return None
    if b.mtype == "any":
        return Match("exact") if o.mtype == "any" else Match("gene", f"any {b.gene} mutation")
    if b.mtype == "loss_of_function":
        if o.effect == "loss" or o.mtype == "loss_of_function":
            return Match("class", "truncating / loss-of-function")
        return None
    if b.mtype == "reversion":
        return Match("exact") if o.mtype == "reversion" else None
    if b.mtype == "cdna":
        h = hgvsc.split(":")[-1] if hgvsc else ""
        return Match("exact") if (h and h == b.alteration) or o.alteration == b.alteration else None
    if b.mtype == "codon":
        if o.pos == b.pos and (not b.ref or not o.ref or o.ref == b.ref) and o.mtype in ("missense", "nonsense", "codon", "delins"):
            return Match("exact") if o.mtype == "codon" else Match("codon", f"codon {b.ref}{b.pos}")
        return None
    if b.mtype == "exon":
        if o.mtype == "exon":
            return Match("exact") if o.exon == b.exon and o.exon_event == b.exon_event else None
        if o.exon == b.exon and _exon_event_ok(b.exon_event, o):
            return Match("exon")
        if b.exon_event == "skipping" and o.exon is None and o.mtype == "splice" and b.gene == "MET":
            return Match("inferred", "MET splice-site variant, exon not given: possible exon 14 skipping")
        return None
    if b.mtype == "itd":
        return Match("class", "in-frame insertion / duplication") if o.mtype == "inframe_ins" else None
    # specific variant
    if o.alteration == b.alteration:
        return Match("exact")
    if b.mtype == o.mtype and b.mtype in ("frameshift", "nonsense") and b.pos == o.pos:
        return Match("exact")
    return None


def match_clause(
    clause: list[Alteration],
    observed: list[Alteration],
    *,
    hgvsc: dict[str, str] | None = None,
) -> tuple[Match, list[int]] | None:
    """Match an AND-clause of biomarkers against a patient's alterations.

    Every biomarker of the clause must match one observed alteration. A fusion component is
    taken as implied when a kinase-domain mutation of its 3' gene matched (CIViC writes
    ``BCR::ABL1 Fusion AND ABL1 T315I``; variant calls rarely list the fusion itself).

    Returns
    -------
    (Match, indices) or None
        The weakest component match and the indices of the observed alterations used.
    """
    hgvsc = hgvsc or {}
    used: list[int] = []
    worst: Match | None = None
    notes: list[str] = []
    pending_fusions: list[Alteration] = []
    for b in clause:
        best: tuple[Match, int] | None = None
        for i, o in enumerate(observed):
            m = match_biomarker(b, o, hgvsc=hgvsc.get(o.key, ""))
            if m is not None and (best is None or m.weight > best[0].weight):
                best = (m, i)
        if best is None:
            if b.kind == "fusion":
                pending_fusions.append(b)
                continue
            return None
        used.append(best[1])
        if best[0].note:
            notes.append(best[0].note)
        if worst is None or best[0].weight < worst.weight:
            worst = best[0]
    for f in pending_fusions:
        mutated = {observed[i].gene for i in used if observed[i].kind == "mutation"}
        if f.gene not in mutated:
            return None
        notes.append(f"assumes {f.label} (kinase-domain mutation of {f.gene})")
        worst = Match("inferred") if worst is None or worst.weight > MATCH_WEIGHT["inferred"] else worst
    if worst is None:
        return None
    return Match(worst.quality, "; ".join(dict.fromkeys(notes))), used

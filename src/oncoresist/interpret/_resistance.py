"""Resistance reasoning: which drugs the patient's alterations make resistant, and why.

Rules (issue 14):

1. Evidence about a drug class applies to each member of the class, marked ``inferred from
   class: <class>`` and one tier lower than the class-level item (:data:`CLASS_TIER_STEP`).
   Resistance is never carried from one member to another by similarity: without class-level
   evidence, evidence for dasatinib says nothing about nilotinib.
2. Exact-variant evidence (match ``exact`` / ``codon`` / ``exon``) outranks gene-level
   evidence (match ``gene``: "any EGFR mutation") of the opposite direction on the same gene.
3. A secondary (acquired) resistance variant outranks the sensitivity evidence of a *different*
   alteration of the same gene, whatever their tiers: direct, specific (``exact`` / ``codon``)
   resistance evidence at levels A-D (not inferential) for ``ABL1 T315I``, ``ALK G1202R``,
   ``ROS1 G2032R`` or ``KRAS Y96D`` was gathered in patients / models carrying the sensitising
   driver (``BCR::ABL1``, ``ALK`` / ``ROS1`` fusions, ``KRAS G12C``), so the driver's sensitivity
   evidence does not speak against it.
4. A drug is *resistance expected* when its best resistance evidence is comparable to or
   stronger than its best sensitivity evidence (at most :data:`COMPARABLE_TIERS` tier below it),
   when rule 2 or 3 applies, or when it has resistance evidence and no sensitivity evidence. Such
   a drug is never a therapy option or an alternative.

Wild-type evidence (``KRAS wild type`` -> cetuximab) is not a resistance mechanism and is left
out; combination evidence is about the combination, not its single drugs.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..kb._vocab import Vocabulary
from ._tiers import TIERS, tier_rank

__all__ = ["CLASS_TIER_STEP", "COMPARABLE_TIERS", "RESISTANCE_COLUMNS", "drug_evidence", "resistance_expected"]

#: Tiers a class-level evidence item loses when applied to one member of the class.
CLASS_TIER_STEP = 1
#: Resistance at most this many tiers below the best sensitivity is "comparable".
COMPARABLE_TIERS = 1
_SPECIFIC = frozenset({"exact", "codon", "exon"})
#: Evidence levels of a secondary resistance variant that overrule its driver's sensitivity (rule 3).
_ACQUIRED_LEVELS = frozenset({"A", "B", "C", "D"})

RESISTANCE_COLUMNS = [
    "drug", "drug_class", "current", "alteration", "gene", "mechanism", "tier", "level", "how", "on_label",
    "disease", "outranks", "reason", "n_evidence", "citations", "evidence_ids",
]  # fmt: skip

_DRUG_EV_COLUMNS = [
    "drug", "direction", "tier", "rank", "how", "match", "alteration", "gene", "mechanism", "level",
    "disease", "disease_match", "citation", "evidence_id",
]  # fmt: skip


def _step(tier: str, n: int) -> str:
    """``tier`` moved ``n`` steps down (I-A -> I-B ...), III at the bottom."""
    i = tier_rank(tier)
    return TIERS[min(i + n, len(TIERS) - 1)]


def _citation(r: Any) -> str:
    """``label (citation)`` of one evidence row."""
    return f"{r['citation_label']} ({r['citation']})" if r["citation"] else str(r["citation_label"])


def _row_drugs(r: Any, vocab: Vocabulary) -> list[tuple[str, str, str]]:
    """(drug, how, tier) for each single drug one evidence row speaks about."""
    if r["interaction"] == "combination":
        return []
    out = [(d, "direct", r["tier"]) for d in r["drugs"]]
    direct = set(r["drugs"])
    for c in filter(None, str(r.get("drug_class") or "").split("|")):
        tier = _step(r["tier"], CLASS_TIER_STEP)
        out += [(d, f"inferred from class: {c}", tier) for d in vocab.drugs_of_class(c) if d not in direct]
    return out


def drug_evidence(evidence: pd.DataFrame, vocab: Vocabulary) -> pd.DataFrame:
    """One row per (single drug, evidence item): class evidence expanded to its members.

    Parameters
    ----------
    evidence
        Matched evidence (``drugs`` as lists), as built by the interpretation engine.
    vocab
        The KB vocabulary (class members).

    Returns
    -------
    pandas.DataFrame
        Columns ``drug, direction, tier, rank, how, match, alteration, gene, mechanism, level,
        disease, disease_match, citation, evidence_id``; wild-type-only items are left out.

    Examples
    --------
    >>> import pandas as pd
    >>> from oncoresist.kb._vocab import Vocabulary
    >>> ev = pd.DataFrame([{"drugs": ["gefitinib"], "interaction": "single", "drug_class": "", "direction": "resistance",
    ...     "tier": "I-B", "match": "exact", "alteration": "EGFR T790M", "gene": "EGFR", "mechanism": "on-target mutation",
    ...     "level": "B", "disease": "lung cancer", "disease_match": True, "citation": "PMID:1", "citation_label": "A",
    ...     "evidence_id": "e1", "wildtype_only": False}])
    >>> drug_evidence(ev, Vocabulary())[["drug", "how", "tier"]].values.tolist()
    [['gefitinib', 'direct', 'I-B']]
    """
    rows = []
    if not evidence.empty:
        for _, r in evidence.iterrows():
            if bool(r.get("wildtype_only", False)):
                continue
            for d, how, tier in _row_drugs(r, vocab):
                rows.append((d, r["direction"], tier, tier_rank(tier), how, r["match"], r["alteration"], r["gene"],
                             r["mechanism"], r["level"], r["disease"], bool(r["disease_match"]), _citation(r), r["evidence_id"]))  # fmt: skip
    out = pd.DataFrame(rows, columns=_DRUG_EV_COLUMNS)
    return out.sort_values(["drug", "rank", "evidence_id"]).reset_index(drop=True)


def _best(g: pd.DataFrame) -> pd.Series:
    """Strongest row: best tier, then the patient's tumour type, then the most specific match."""
    spec = g["match"].isin(_SPECIFIC).astype(int)
    key = g.assign(_s=-spec, _d=~g["disease_match"].astype(bool), _c=g["how"].ne("direct"))
    return key.sort_values(["rank", "_d", "_c", "_s", "evidence_id"]).iloc[0]


def _outranked(res: pd.DataFrame, sens: pd.DataFrame) -> pd.DataFrame:
    """Sensitivity rows that resistance rows overrule (comparable tier, or exact beats gene-level)."""
    if sens.empty or res.empty:
        return sens.iloc[0:0]
    best_res = int(res["rank"].min())
    specific = res[res["match"].isin(_SPECIFIC)]
    gene_level = sens["match"].eq("gene") & sens["gene"].isin(set(specific["gene"]))
    return sens[(best_res <= sens["rank"] + COMPARABLE_TIERS) | gene_level | _acquired(specific, sens)]


def _acquired(specific: pd.DataFrame, sens: pd.DataFrame) -> pd.Series:
    """Sensitivity rows of another alteration of a gene carrying a secondary resistance variant (rule 3)."""
    acq = specific[specific["how"].eq("direct") & specific["level"].isin(_ACQUIRED_LEVELS)]
    if acq.empty:
        return pd.Series(False, index=sens.index)
    variants = {(g, a) for g, a in zip(acq["gene"], acq["alteration"])}
    genes = {g for g, _ in variants}
    return pd.Series([g in genes and (g, a) not in variants for g, a in zip(sens["gene"], sens["alteration"])], index=sens.index, dtype=bool)


def _verdict(res: pd.DataFrame, sens: pd.DataFrame) -> tuple[bool, pd.DataFrame]:
    """Whether resistance is expected for one drug, and the sensitivity rows it outranks."""
    if res.empty:
        return False, sens.iloc[0:0]
    if sens.empty:
        return True, sens
    over = _outranked(res, sens)
    return len(over) == len(sens), over


def _reason(top: pd.Series, over: pd.DataFrame, n_sens: int) -> str:
    """One sentence: what makes the drug resistant, what it outranks, off-label marking."""
    where = "" if top["disease_match"] else f" (off-label: evidence in {top['disease']})"
    how = "" if top["how"] == "direct" else f", {top['how']}"
    txt = f"{top['alteration']}: {top['mechanism'] or 'resistance'} (tier {top['tier']}{how}){where}"
    if n_sens == 0:
        return f"{txt}; no sensitivity evidence for this patient."
    kinds = "gene-level " if over["match"].eq("gene").all() else ""
    best = over.iloc[0]
    return f"{txt}; outranks {kinds}sensitivity evidence {best['alteration']} (tier {best['tier']})."


def resistance_expected(drug_ev: pd.DataFrame, vocab: Vocabulary, therapy: list[str]) -> pd.DataFrame:
    """Drugs the patient's alterations make resistant (see the module rules), strongest first.

    Parameters
    ----------
    drug_ev
        :func:`drug_evidence` output.
    vocab
        KB vocabulary (class labels).
    therapy
        Current therapy (canonical names): ``current`` marks them and they come first.

    Returns
    -------
    pandas.DataFrame
        :data:`RESISTANCE_COLUMNS`; the patient's tumour type first (``on_label``), then by tier.

    Examples
    --------
    >>> import pandas as pd
    >>> from oncoresist.kb._vocab import Vocabulary
    >>> row = dict(drug="gefitinib", how="direct", gene="EGFR", mechanism="", level="A", disease="lung cancer",
    ...            disease_match=True, citation="PMID:1", evidence_id="e")
    >>> ev = pd.DataFrame([row | dict(direction="resistance", tier="I-B", rank=1, match="exact", alteration="EGFR T790M"),
    ...                    row | dict(direction="sensitivity", tier="I-A", rank=0, match="exact", alteration="EGFR L858R")])
    >>> resistance_expected(ev, Vocabulary(), [])[["drug", "alteration", "tier"]].values.tolist()
    [['gefitinib', 'EGFR T790M', 'I-B']]
    """
    rows = []
    for d, g in drug_ev.groupby("drug", sort=True):
        res, sens = g[g["direction"] == "resistance"], g[g["direction"] == "sensitivity"]
        hit, over = _verdict(res, sens)
        if not hit:
            continue
        top = _best(res)
        alts = list(dict.fromkeys(res.loc[res["rank"] == top["rank"], "alteration"]))
        rows.append({
            "drug": d, "drug_class": vocab.class_label(str(d)), "current": d in therapy, "alteration": "; ".join(alts),
            "gene": top["gene"], "mechanism": top["mechanism"] or "unspecified", "tier": top["tier"], "level": top["level"],
            "how": top["how"], "on_label": bool(top["disease_match"]), "disease": top["disease"],
            "outranks": "; ".join(dict.fromkeys(f"{r.alteration} sensitivity ({r.tier})" for r in over.itertuples(index=False))),
            "reason": _reason(top, over, len(sens)), "n_evidence": len(res),
            "citations": "; ".join(list(dict.fromkeys(res["citation"]))[:4]), "evidence_ids": ", ".join(dict.fromkeys(res["evidence_id"])),
        })  # fmt: skip
    out = pd.DataFrame(rows, columns=RESISTANCE_COLUMNS)
    if out.empty:
        return out
    out["_t"] = out["tier"].map(tier_rank)
    out = out.sort_values(["current", "on_label", "_t", "n_evidence", "drug"], ascending=[False, False, True, False, True])
    return out.drop(columns="_t").reset_index(drop=True)

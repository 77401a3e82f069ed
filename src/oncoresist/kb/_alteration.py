"""Alteration normalisation: any common notation -> one canonical :class:`Alteration`.

Protein changes are accepted as ``T790M``, ``p.T790M``, ``p.Thr790Met``, ``p.(Thr790Met)``,
``EGFR:p.T790M``; exon-level events as ``exon 19 deletion``, ``ex19del``, ``Exon 20 insertion``;
fusions as ``EML4-ALK``, ``EML4::ALK``, ``BCR-ABL1 fusion``, ``v::ALK`` (any partner); copy
number, expression and methylation as words (``amplification``, ``deep deletion``, ``loss``,
``overexpression``, ``promoter methylation``, ...). The same parser reads the knowledge base's
biomarkers and the patient's alterations, so both sides meet in one vocabulary.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace

from .._core._errors import InputError

__all__ = [
    "Alteration",
    "KINDS",
    "normalize_gene",
    "normalize_protein_change",
    "parse_alteration",
    "parse_profile",
    "parse_signature",
    "exon_of",
]

#: Biomarker kinds of the knowledge base.
KINDS = ("mutation", "amplification", "deletion", "fusion", "expression", "methylation", "protein", "signature")

#: Genome-wide markers (``kind='signature'``): the pseudo-gene they are stored under and the
#: canonical values. MSI-H and mismatch-repair deficiency are one biomarker (dMMR causes MSI).
SIGNATURE_GENES = ("MSI", "TMB", "HRD", "SIGNATURE")

_AA3 = {
    "Ala": "A", "Arg": "R", "Asn": "N", "Asp": "D", "Cys": "C", "Gln": "Q", "Glu": "E",
    "Gly": "G", "His": "H", "Ile": "I", "Leu": "L", "Lys": "K", "Met": "M", "Phe": "F",
    "Pro": "P", "Ser": "S", "Thr": "T", "Trp": "W", "Tyr": "Y", "Val": "V", "Sec": "U",
    "Pyl": "O", "Ter": "*", "Xaa": "X",
}  # fmt: skip
_AA3_RX = re.compile("|".join(_AA3), flags=re.IGNORECASE)
_AA1 = "ACDEFGHIKLMNPQRSTVWYUO"

#: Gene aliases every user meets (the shipped ``genes.tsv`` adds more; the KB adds imported ones).
_BUILTIN_ALIASES = {
    "HER2": "ERBB2", "HER-2": "ERBB2", "NEU": "ERBB2", "HER3": "ERBB3", "HER4": "ERBB4",
    "ABL": "ABL1", "C-ABL": "ABL1", "C-MET": "MET", "CMET": "MET", "C-KIT": "KIT",
    "MDR1": "ABCB1", "P-GP": "ABCB1", "PGP": "ABCB1", "MRP1": "ABCC1", "BCRP": "ABCG2",
    "ER": "ESR1", "ERA": "ESR1", "P16": "CDKN2A", "P53": "TP53", "MEK1": "MAP2K1",
    "MEK2": "MAP2K2", "BETA-III TUBULIN": "TUBB3", "BETAIII-TUBULIN": "TUBB3", "H3F3A": "H3-3A",
    "MLL": "KMT2A", "PD-L1": "CD274", "PDL1": "CD274",
}  # fmt: skip

#: Codon ranges of exons for genes where exon-level events are clinically named, as used in the
#: clinical literature: EGFR kinase-domain exons 18-21; KIT (NM_000222) and PDGFRA (NM_006206)
#: exons of the GIST literature (juxtamembrane, ATP pocket, activation loop; Corless et al. 2011
#: Nat Rev Cancer, doi:10.1038/nrc3143).
_EXON_CODONS: dict[str, dict[int, tuple[int, int]]] = {
    "EGFR": {18: (688, 728), 19: (729, 761), 20: (762, 823), 21: (824, 875)},
    "KIT": {9: (449, 514), 11: (550, 592), 13: (627, 664), 14: (665, 714), 17: (788, 828), 18: (829, 886)},
    "PDGFRA": {12: (552, 596), 14: (627, 666), 18: (814, 854)},
}

#: Genes whose clinically named splice isoforms (``AR-V7``) are read as isoform expression.
_SPLICE_ISOFORM_GENES = frozenset({"AR"})
_RX_ISOFORM = re.compile(
    r"^(?:[a-z0-9]+[- ]?)?(v\d+)(?:[ -](?:splice variant|variant|isoform))?"
    r"(?: (?:expression|overexpression|positive|detected|mrna(?: expression)?))?$"
)
_RX_ISOFORM_TOKEN = re.compile(r"^([A-Za-z0-9]+)-(V\d+)\b", flags=re.IGNORECASE)

_SYMBOL_RX = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*(?:orf\d+)?(?:\.\d+)?$", flags=re.IGNORECASE)


@dataclass(frozen=True)
class Alteration:
    """One normalised alteration of one gene.

    Parameters
    ----------
    gene
        HGNC symbol (the 3' gene of a fusion, e.g. ``ABL1`` for ``BCR::ABL1``).
    kind
        One of :data:`KINDS`.
    alteration
        Canonical text: ``T790M``, ``G12`` (codon), ``E746_A750del``, ``Q1756fs``,
        ``exon 19 deletion``, ``mutation`` (any), ``loss-of-function``, ``wildtype``,
        ``amplification``, ``deletion``, ``loss``, ``fusion``, ``overexpression``,
        ``underexpression``, ``promoter hypermethylation``, ``promoter hypomethylation``, ...
    partner
        The 5' partner of a fusion (empty = any partner).
    mtype
        Mutation type: ``missense``, ``nonsense``, ``frameshift``, ``inframe_del``,
        ``inframe_ins``, ``delins``, ``splice``, ``synonymous``, ``codon``, ``exon``, ``any``,
        ``loss_of_function``, ``wildtype``, ``cdna``, ``itd``, ``reversion`` (empty otherwise).
    pos, end
        First / last codon of a protein change.
    ref, alt
        Reference / alternative amino acids (one-letter).
    exon
        Exon number for exon-level events.
    exon_event
        ``deletion``, ``insertion``, ``skipping`` or ``mutation`` for exon-level events.

    Examples
    --------
    >>> a = parse_alteration("EGFR p.Thr790Met")
    >>> a.gene, a.kind, a.alteration, a.label
    ('EGFR', 'mutation', 'T790M', 'EGFR T790M')
    """

    gene: str
    kind: str
    alteration: str
    partner: str = ""
    mtype: str = ""
    pos: int | None = None
    end: int | None = None
    ref: str = ""
    alt: str = ""
    exon: int | None = None
    exon_event: str = ""

    @property
    def label(self) -> str:
        """Human-readable label, e.g. ``EGFR T790M``, ``BCR::ABL1 fusion``."""
        if self.kind == "signature":
            return self.alteration
        if self.kind == "fusion":
            left = self.partner or "v"
            return f"{left}::{self.gene} fusion" if self.partner else f"{self.gene} fusion"
        return f"{self.gene} {self.alteration}"

    @property
    def key(self) -> str:
        """Stable identifier ``gene|kind|alteration|partner`` (the KB's biomarker ID)."""
        return f"{self.gene}|{self.kind}|{self.alteration}|{self.partner}"

    @property
    def effect(self) -> str:
        """Expected functional effect: ``gain``, ``loss`` or ``unknown``."""
        if self.kind == "amplification" or self.alteration in ("overexpression", "promoter hypomethylation"):
            return "gain"
        if self.kind == "deletion" or self.alteration in ("underexpression", "promoter hypermethylation"):
            return "loss"
        if self.mtype in ("nonsense", "frameshift", "loss_of_function", "splice"):
            return "loss"
        return "unknown"


# --------------------------------------------------------------------------------------------
# genes
# --------------------------------------------------------------------------------------------
def normalize_gene(symbol: str, aliases: dict[str, str] | None = None) -> str:
    """Upper-case a gene symbol and resolve common aliases (``HER2`` -> ``ERBB2``).

    Parameters
    ----------
    symbol
        Gene symbol or alias.
    aliases
        Extra ``ALIAS -> SYMBOL`` mappings (upper-case keys), e.g. from the knowledge base.

    Examples
    --------
    >>> normalize_gene("her2"), normalize_gene("c-Met"), normalize_gene("EGFR")
    ('ERBB2', 'MET', 'EGFR')
    """
    if aliases:
        up = str(symbol).strip().strip("\"'").strip().upper()
        if up in aliases:
            return aliases[up]
    return _normalize_builtin(str(symbol))


@functools.lru_cache(maxsize=65536)
def _normalize_builtin(symbol: str) -> str:
    s = symbol.strip().strip("\"'").strip()
    up = s.upper()
    if up in _BUILTIN_ALIASES:
        return _BUILTIN_ALIASES[up]
    # Keep the orfs' lower-case letters (C9orf72) but upper-case the rest.
    if re.fullmatch(r"C\d+ORF\d+", up):
        return re.sub(r"ORF", "orf", up)
    return up


def _looks_like_symbol(s: str) -> bool:
    return bool(_SYMBOL_RX.match(s)) and len(s) <= 20 and not s.isdigit()


# --------------------------------------------------------------------------------------------
# protein changes
# --------------------------------------------------------------------------------------------
def _three_to_one(s: str) -> str:
    return _AA3_RX.sub(lambda m: _AA3[m.group(0).capitalize()], s)


def normalize_protein_change(text: str) -> str:
    """Short one-letter protein change without ``p.``: ``p.Thr790Met`` -> ``T790M``.

    Nonsense is written ``*`` (``X`` / ``Ter`` accepted), frameshifts are shortened to the first
    changed residue (``p.Gln1756ProfsTer74`` -> ``Q1756fs``).

    Examples
    --------
    >>> normalize_protein_change("p.(Thr790Met)"), normalize_protein_change("p.Arg1443Ter")
    ('T790M', 'R1443*')
    >>> normalize_protein_change("p.Glu746_Ala750del"), normalize_protein_change("Q1756Pfs*74")
    ('E746_A750del', 'Q1756fs')
    """
    s = str(text).strip()
    s = re.sub(r"^[A-Za-z0-9_.-]+:(?=p\.)", "", s)  # ENSP...:p. / NP_...:p.
    s = re.sub(r"^p\.", "", s, flags=re.IGNORECASE)
    s = s.strip("()[] ")
    s = _three_to_one(s)
    # lower-case one-letter codes: t790m -> T790M, e746_a750del -> E746_A750del
    s = re.sub(r"(^|_)([a-z])(?=\d)", lambda m: m.group(1) + m.group(2).upper(), s)
    s = re.sub(r"^([A-Z]\d+)([a-z])$", lambda m: m.group(1) + m.group(2).upper(), s)
    # upper-case keywords as some databases write them: I843DEL, Y772_A775DUP, M774DELINSWLV
    s = re.sub(r"^([A-Z]\d+(?:_[A-Z]\d+)?)(DELINS|DEL|INS|DUP|FS)", lambda m: m.group(1) + m.group(2).lower(), s)
    # frameshift with new amino acid and stop: Q1756Pfs*74 / Q1756PfsX74 / Q1756fsTer74 -> Q1756fs
    s = re.sub(r"^([A-Z\*])(\d+)[A-Z]?fs(?:\*|X|Ter)?\d*\??$", r"\1\2fs", s, flags=re.IGNORECASE)
    # nonsense written with X: R1443X -> R1443*
    s = re.sub(r"^([A-Z])(\d+)X$", r"\1\2*", s)
    return s


_RX_MISSENSE = re.compile(r"^([A-Z])(\d+)([A-Z\*=])$")
_RX_CODON = re.compile(r"^([A-Z])(\d+)$")
_RX_FS = re.compile(r"^([A-Z\*])(\d+)fs$")
_RX_DEL = re.compile(r"^([A-Z])(\d+)(?:_([A-Z])(\d+))?del([A-Z]*)$")
_RX_DELINS = re.compile(r"^([A-Z])(\d+)(?:_([A-Z])(\d+))?delins([A-Z\*]+)$")
_RX_INS = re.compile(r"^([A-Z])(\d+)_([A-Z])(\d+)ins([A-Z\*]+)$")
_RX_INS1 = re.compile(r"^([A-Z])(\d+)ins([A-Z\*]*)$")
_RX_DUP = re.compile(r"^([A-Z])(\d+)(?:_([A-Z])(\d+))?dup([A-Z]*)$")
_RX_SPLICE = re.compile(r"^(?:([A-Z\*])(\d+))?_?splice$", flags=re.IGNORECASE)
_RX_EXT = re.compile(r"^\*(\d+)([A-Z])ext\*?\??\d*$")


def exon_of(gene: str, pos: int | None) -> int | None:
    """Exon of codon ``pos`` of ``gene`` where the clinical exon map is known (EGFR, KIT, PDGFRA).

    Examples
    --------
    >>> exon_of("EGFR", 790), exon_of("EGFR", 746), exon_of("KIT", 816), exon_of("KRAS", 12)
    (20, 19, 17, None)
    """
    if pos is None:
        return None
    for exon, (lo, hi) in _EXON_CODONS.get(gene, {}).items():
        if lo <= pos <= hi:
            return exon
    return None


def _span(m: re.Match) -> tuple[str, int, int, str]:
    """First residue, start, end and the span text (``E746_A750`` or ``E746``) of a range match."""
    r1, p1, r2, p2 = m.group(1), int(m.group(2)), m.group(3), m.group(4)
    end = int(p2) if p2 else p1
    return r1, p1, end, (f"{r1}{p1}_{r2}{end}" if p2 else f"{r1}{p1}")


def _protein_alteration(gene: str, raw: str) -> Alteration | None:
    """Parse a (normalised) protein change; None when it is not one."""
    s = normalize_protein_change(raw)
    if m := _RX_MISSENSE.match(s):
        ref, pos, alt = m.group(1), int(m.group(2)), m.group(3)
        if alt == "=" or alt == ref:
            return Alteration(gene, "mutation", f"{ref}{pos}=", mtype="synonymous", pos=pos, end=pos, ref=ref, alt=ref)
        mtype = "nonsense" if alt == "*" else "missense"
        return Alteration(gene, "mutation", f"{ref}{pos}{alt}", mtype=mtype, pos=pos, end=pos, ref=ref, alt=alt)
    if m := _RX_CODON.match(s):
        ref, pos = m.group(1), int(m.group(2))
        return Alteration(gene, "mutation", f"{ref}{pos}", mtype="codon", pos=pos, end=pos, ref=ref)
    if m := _RX_FS.match(s):
        ref, pos = m.group(1), int(m.group(2))
        return Alteration(gene, "mutation", f"{ref}{pos}fs", mtype="frameshift", pos=pos, end=pos, ref=ref)
    if m := _RX_DELINS.match(s):
        r1, p1, end, span = _span(m)
        ins = m.group(5)
        return Alteration(gene, "mutation", f"{span}delins{ins}", mtype="delins", pos=p1, end=end, ref=r1, alt=ins)
    if m := _RX_DEL.match(s):
        r1, p1, end, span = _span(m)
        return Alteration(gene, "mutation", f"{span}del", mtype="inframe_del", pos=p1, end=end, ref=r1)
    if m := _RX_INS.match(s):
        r1, p1, r2, p2, ins = m.group(1), int(m.group(2)), m.group(3), int(m.group(4)), m.group(5)
        return Alteration(gene, "mutation", f"{r1}{p1}_{r2}{p2}ins{ins}", mtype="inframe_ins", pos=p1, end=p2, ref=r1, alt=ins)
    if m := _RX_INS1.match(s):
        r1, p1, ins = m.group(1), int(m.group(2)), m.group(3)
        return Alteration(gene, "mutation", f"{r1}{p1}ins{ins}", mtype="inframe_ins", pos=p1, end=p1, ref=r1, alt=ins)
    if m := _RX_DUP.match(s):
        r1, p1, end, span = _span(m)
        return Alteration(gene, "mutation", f"{span}dup", mtype="inframe_ins", pos=p1, end=end, ref=r1)
    if m := _RX_SPLICE.match(s):
        spos = int(m.group(2)) if m.group(2) else None
        label = f"{m.group(1)}{spos}_splice" if spos is not None else "splice"
        return Alteration(gene, "mutation", label, mtype="splice", pos=spos, end=spos, ref=m.group(1) or "")
    if m := _RX_EXT.match(s):
        pos = int(m.group(1))
        return Alteration(gene, "mutation", f"*{pos}ext", mtype="missense", pos=pos, end=pos, ref="*", alt=m.group(2))
    return None


# --------------------------------------------------------------------------------------------
# words
# --------------------------------------------------------------------------------------------
_WORDS: list[tuple[re.Pattern[str], str, str, str]] = [
    # (pattern on the lower-cased text, kind, alteration, mtype)
    (re.compile(r"^(?:wild[ -]?type|wt|non-?mutated|unmutated)$"), "mutation", "wildtype", "wildtype"),
    (re.compile(r"^(?:(?:any |somatic |activating |oncogenic |kinase domain |gain[- ]of[- ]function )?mut(?:ation|ations|ant|ated)?|variant|alteration|snv|missense|gain[- ]of[- ]function|activating)$"), "mutation", "mutation", "any"),
    (re.compile(r"^(?:loss[- ]of[- ]function(?: mutation)?|lof|truncating(?: mutation)?|inactivating(?: mutation)?|deleterious(?: mutation)?|biallelic inactivation|nonsense|frame ?shift|frameshift(?: mutation| truncation)?|protein truncating|truncation)$"), "mutation", "loss-of-function", "loss_of_function"),
    (re.compile(r"^(?:(?:secondary |somatic )?reversion(?: mutation)?s?|restoration of (?:the )?(?:open )?reading frame)$"), "mutation", "reversion", "reversion"),
    (re.compile(r"^(?:itd|internal (?:tandem )?duplication)$"), "mutation", "ITD", "itd"),
    (re.compile(r"^(?:splice[- ]site(?: mutation| variant)?|splice(?: mutation| variant)?|splicing(?: mutation)?)$"), "mutation", "splice", "splice"),
    (re.compile(r"^(?:amp|amplified|amplification|copy[- ]number (?:gain|amplification)|high[- ]level amplification|focal amplification|gain|cnv gain|copy gain)$"), "amplification", "amplification", ""),
    (re.compile(r"^(?:deep deletion|homozygous deletion|deletion|deleted|copy[- ]number loss|biallelic deletion|cnv loss|del|hom(?:o)?del)$"), "deletion", "deletion", ""),
    (re.compile(r"^(?:loss|bi-?allelic (?:loss|deletion of function)|two[- ]hit loss|complete loss|loss of (?:function|expression)?|null|inactivation|deficien(?:t|cy)|silencing|silenced)$"), "deletion", "loss", ""),
    (re.compile(r"^(?:fusion|fusions|rearrangement|rearranged|translocation|fusion gene|gene fusion)$"), "fusion", "fusion", ""),
    (re.compile(r"^(?:over[- ]?expression|overexpressed|high(?: expression)?|expression high|up[- ]?regulat(?:ion|ed)|elevated expression|increased expression|expression|positive|amplified expression|mrna overexpression|mrna expression|nuclear expression|cytoplasmic expression)$"), "expression", "overexpression", ""),
    (re.compile(r"^(?:under[- ]?expression|underexpressed|low(?: expression)?|expression low|down[- ]?regulat(?:ion|ed)|reduced expression|decreased expression|negative|absent expression|mrna underexpression)$"), "expression", "underexpression", ""),
    (re.compile(r"^(?:protein (?:over[- ]?expression|expression|high|positive)|ihc (?:positive|high|3\+)|protein overexpressed)$"), "protein", "overexpression", ""),
    (re.compile(r"^(?:protein (?:under[- ]?expression|loss|low|negative|absent)|ihc (?:negative|loss|low)|loss of protein(?: expression)?)$"), "protein", "underexpression", ""),
    (re.compile(r"^(?:promoter (?:hyper)?methylation|(?:promoter )?(?:hyper)?methylated(?: promoter)?|hypermethylation|methylation|methylated|cpg island methylation)$"), "methylation", "promoter hypermethylation", ""),
    (re.compile(r"^(?:promoter (?:hypo|de|un)methylation|(?:promoter )?(?:hypo|un|de)methylated(?: promoter)?|hypomethylation|demethylation|unmethylated)$"), "methylation", "promoter hypomethylation", ""),
]

_RX_EXON = re.compile(
    r"^(?:ex(?:on)?\s*(\d+)\s*(del(?:etion)?s?|ins(?:ertion)?s?|skip(?:ping)?(?: mutation)?|mut(?:ation)?s?|dup(?:lication)?|in[- ]frame deletion|in[- ]frame insertion)"
    r"|(del(?:etion)?|ins(?:ertion)?|skipping|mutation)\s+(?:in\s+)?ex(?:on)?\s*(\d+))$"
)


def _exon_alteration(gene: str, low: str) -> Alteration | None:
    low = low.replace("_", " ").strip()
    m = _RX_EXON.match(low)
    if not m:
        return None
    if m.group(1):
        exon, word = int(m.group(1)), m.group(2)
    else:
        exon, word = int(m.group(4)), m.group(3)
    if word.startswith(("del", "in-frame del", "in frame del")):
        event = "deletion"
    elif word.startswith(("ins", "dup", "in-frame ins", "in frame ins")):
        event = "insertion"
    elif word.startswith("skip"):
        event = "skipping"
    else:
        event = "mutation"
    return Alteration(gene, "mutation", f"exon {exon} {event}", mtype="exon", exon=exon, exon_event=event)


def _word_alteration(gene: str, low: str) -> Alteration | None:
    low = re.sub(r"\s+", " ", low.replace("_", " ")).strip()
    for rx, kind, alt, mtype in _WORDS:
        if rx.match(low):
            return Alteration(gene, kind, alt, mtype=mtype)
    return None


def _split_fusion(token: str, known: set[str] | None) -> tuple[str, str] | None:
    """``EML4-ALK`` / ``EML4::ALK`` / ``v::ALK`` -> (5' partner, 3' gene); None if a symbol."""
    if "::" in token:
        left, _, right = token.partition("::")
    elif "-" in token and not (known and token.upper() in known) and token.upper() not in _BUILTIN_ALIASES:
        left, _, right = token.partition("-")
        # NKX2-1, H3-3A, HLA-A: a digit-led or one-letter right part is part of the symbol.
        if not right or right[0].isdigit() or len(right) < 2 or len(left) < 2:
            return None
    else:
        return None
    left, right = left.strip(), right.strip()
    if left.lower() in ("v", "?", "", "any"):
        left = ""
    if right.lower() in ("v", "?", "", "any"):
        right = ""
    return left, right


_SIGNATURES: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(r"^(?:msi[- ]?h(?:igh)?|high[- ]level msi|microsatellite[- ]instability(?:[- ]high)?|microsatellite[- ]unstable|msi|d[- ]?mmr|mmr[- ]deficien(?:t|cy)|mismatch[- ]repair[- ]deficien(?:t|cy)|deficient mismatch repair)(?: status| tumou?r)?$"), "MSI", "MSI-high"),
    (re.compile(r"^(?:mss|msi[- ]?l(?:ow)?|microsatellite[- ]stable|p[- ]?mmr|mmr[- ]proficient|mismatch[- ]repair[- ]proficient)$"), "MSI", "MSS"),
    (re.compile(r"^(?:tmb[- ]?h(?:igh)?|high tmb|(?:high )?tumou?r mutation(?:al)? burden(?:[- ]high)?|hypermutat(?:ed|ion|or))$"), "TMB", "TMB-high"),
    (re.compile(r"^(?:tmb[- ]?l(?:ow)?|low tmb|tumou?r mutation(?:al)? burden[- ]low)$"), "TMB", "TMB-low"),
    (re.compile(r"^(?:hrd(?:[- ]positive|[- ]high|\+)?|homologous[- ]recombination[- ]deficien(?:t|cy)|hr[- ]deficien(?:t|cy)|(?:genomic instability|gis|loh) (?:score )?(?:high|positive)|brcaness)$"), "HRD", "HRD-positive"),
    (re.compile(r"^(?:hrd[- ](?:negative|low)|hr[- ]proficient|homologous[- ]recombination[- ]proficient)$"), "HRD", "HRD-negative"),
]


def parse_signature(text: str) -> Alteration | None:
    """A genome-wide marker (MSI-H / dMMR, MSS, TMB-high, HRD, a mutational signature), or None.

    Parameters
    ----------
    text
        ``"MSI-High"``, ``"MSI-H"``, ``"dMMR"``, ``"TMB-H"``, ``"HRD positive"``, ``"SBS3"``,
        ``"signature 3"``, ...

    Returns
    -------
    Alteration or None
        ``kind='signature'`` with gene ``MSI`` / ``TMB`` / ``HRD`` / ``SIGNATURE`` and a canonical
        value (``MSI-high``, ``MSS``, ``TMB-high``, ``TMB-low``, ``HRD-positive``,
        ``HRD-negative``, ``SBS3``); None when the text is not such a marker.

    Examples
    --------
    >>> parse_signature("MSI-High").label, parse_signature("tmb-h").label, parse_signature("Signature 3").label
    ('MSI-high', 'TMB-high', 'SBS3')
    >>> parse_signature("EGFR T790M") is None
    True
    """
    low = re.sub(r"\s+", " ", str(text).strip().lower().replace("_", " "))
    for rx, gene, value in _SIGNATURES:
        if rx.match(low):
            return Alteration(gene, "signature", value)
    if m := re.match(r"^(?:cosmic )?(?:mutational )?(?:signature|sig\.?|sbs) ?(\d+[a-d]?)$", low):
        return Alteration("SIGNATURE", "signature", f"SBS{m.group(1).upper()}")
    return None


def parse_alteration(
    text: str,
    *,
    gene: str | None = None,
    aliases: dict[str, str] | None = None,
    known_genes: set[str] | None = None,
) -> Alteration:
    """Parse one alteration in any common notation into an :class:`Alteration`.

    Parameters
    ----------
    text
        ``"EGFR T790M"``, ``"T790M"`` (with ``gene=``), ``"p.Thr790Met"``,
        ``"EGFR exon 19 deletion"``, ``"EML4-ALK"``, ``"BCR::ABL1 fusion"``,
        ``"MET amplification"``, ``"MGMT promoter methylation"``, ``"PTEN loss"``, ...
    gene
        The gene when ``text`` holds only the alteration.
    aliases
        Extra gene aliases (upper-case alias -> symbol).
    known_genes
        Symbols known to contain a hyphen (``NKX2-1``) so they are not read as fusions.

    Returns
    -------
    Alteration

    Raises
    ------
    InputError
        When the text cannot be understood (the message quotes it).

    Examples
    --------
    >>> parse_alteration("p.Thr790Met", gene="EGFR").alteration
    'T790M'
    >>> parse_alteration("EGFR ex19del").alteration
    'exon 19 deletion'
    >>> a = parse_alteration("BCR-ABL1")
    >>> a.gene, a.partner, a.kind
    ('ABL1', 'BCR', 'fusion')
    """
    raw = str(text).strip()
    if re.search(r"(?:^|\s)rs\d+$", raw, flags=re.IGNORECASE):
        msg = f"{raw!r} is a dbSNP identifier (germline polymorphism): it cannot be matched to tumour alterations."
        raise InputError(msg)
    if not raw or raw.lower() in ("nan", "none", "na"):
        msg = f"empty alteration text {text!r}: expected e.g. 'EGFR T790M', 'MET amplification' or 'EML4-ALK'."
        raise InputError(msg)
    s = re.sub(r"\s+", " ", raw)
    g = normalize_gene(gene, aliases) if gene else None
    if g in (None, *SIGNATURE_GENES) and (sig := parse_signature(s)) is not None:
        return sig
    if g is None:
        # "AR-V7 positive": a splice isoform, not a fusion of AR with a gene "V7"
        if (iso := _RX_ISOFORM_TOKEN.match(s)) and iso.group(1).upper() in _SPLICE_ISOFORM_GENES:
            s = f"{iso.group(1)} {s[iso.start(2):]}"
        # "GENE:p.X", "GENE p.X", "GENE-PARTNER fusion", "GENE"
        m = re.match(r"^([A-Za-z0-9][A-Za-z0-9.\-:?]*?)(?:\s*[: ]\s*|$)(.*)$", s)
        if m is None:  # pragma: no cover - the pattern always matches non-empty text
            msg = f"cannot read a gene symbol in alteration {raw!r}: expected '<GENE> <alteration>'."
            raise InputError(msg)
        token, rest = m.group(1), m.group(2).strip()
        if "::" in s.split(" ")[0]:
            token, rest = s.split(" ")[0], " ".join(s.split(" ")[1:])
        fus = _split_fusion(token, known_genes)
        if fus is not None:
            left, right = fus
            rest_low = rest.lower().strip()
            if rest_low in ("", "fusion", "fusions", "rearrangement", "translocation", "fusion gene") or re.match(r"^e\d+::e\d+$", rest_low):
                three = normalize_gene(right, aliases) if right else ""
                five = normalize_gene(left, aliases) if left else ""
                if not three and not five:
                    msg = f"fusion {raw!r} names no gene: expected e.g. 'EML4::ALK' or 'v::ALK'."
                    raise InputError(msg)
                if not three:  # "KMT2A::v": any 3' partner of a 5' gene
                    return Alteration(five, "fusion", "fusion")
                return Alteration(three, "fusion", "fusion", partner=five)
            # "BCR-ABL1 T315I": the mutation sits in the 3' kinase gene
            if right:
                return parse_alteration(rest, gene=right, aliases=aliases, known_genes=known_genes)
        if not _looks_like_symbol(token.rstrip(":")):
            msg = (
                f"cannot read a gene symbol in alteration {raw!r}: expected '<GENE> <alteration>' "
                "such as 'EGFR T790M' (or pass the gene separately)."
            )
            raise InputError(msg)
        g = normalize_gene(token.rstrip(":"), aliases)
        s = rest
        if not s:
            msg = f"alteration {raw!r} names only the gene {g}: add what changed (e.g. '{g} mutation', '{g} amplification')."
            raise InputError(msg)
    return _parse_rest(g, s, raw)


def _parse_rest(gene: str, s: str, raw: str) -> Alteration:
    s = s.strip().strip(",;")
    low = s.lower()
    if gene in _SPLICE_ISOFORM_GENES and (iso := _RX_ISOFORM.match(re.sub(r"\s+", " ", low))):
        return Alteration(gene, "expression", f"{iso.group(1).upper()} splice variant expression")
    if low.startswith("c.") or re.match(r"^[a-z0-9_.]+:c\.", low):
        cdna = s[s.lower().index("c.") :]
        return Alteration(gene, "mutation", cdna, mtype="cdna")
    # "T790M mutation", "V600E (c.1799T>A)"
    s2 = re.sub(r"\s*\(c\.[^)]*\)\s*$", "", s)
    s2 = re.sub(r"\s+(mutation|mutant|variant|substitution)$", "", s2, flags=re.IGNORECASE)
    if (a := _protein_alteration(gene, s2.replace(" ", ""))) is not None:
        return _with_exon(a)
    if (a := _exon_alteration(gene, low)) is not None:
        return a
    if (a := _word_alteration(gene, low)) is not None:
        return a
    # "G12/G13", "G12D/V" are alternatives: the caller splits them (parse_profile); here, refuse.
    msg = (
        f"cannot understand alteration {raw!r} of {gene}: expected a protein change (T790M, p.Thr790Met), "
        "an exon event (exon 19 deletion), a fusion (EML4::ALK) or a word such as amplification, "
        "deletion, loss, overexpression, promoter methylation."
    )
    raise InputError(msg)


def _with_exon(a: Alteration) -> Alteration:
    ex = exon_of(a.gene, a.pos)
    return replace(a, exon=ex) if ex is not None else a


_RX_RAS_WT = re.compile(r"^(?:all[- ])?RAS[ -](?:wild[ -]?type|wt|non-?mutated|unmutated)$", flags=re.IGNORECASE)


def parse_profile(
    text: str,
    *,
    aliases: dict[str, str] | None = None,
    known_genes: set[str] | None = None,
) -> list[list[Alteration]]:
    """Parse a molecular profile into clauses: OR of (AND of alterations).

    CIViC profiles (``"BCR::ABL1 Fusion AND ABL1 T315I"``, ``"EGFR L858R OR EGFR Exon 19
    Deletion"``) and slash lists (``"KRAS G12/G13"``, ``"G12D/V"``) are supported. ``NOT``
    is refused (absence of an alteration is not representable as a biomarker).

    Examples
    --------
    >>> [[a.label for a in c] for c in parse_profile("KRAS G12/G13")]
    [['KRAS G12'], ['KRAS G13']]
    >>> [[a.label for a in c] for c in parse_profile("BCR::ABL1 Fusion AND ABL1 T315I")]
    [['BCR::ABL1 fusion', 'ABL1 T315I']]
    """
    s = re.sub(r"\s+", " ", str(text)).strip()
    s = re.sub(r"\s*\((?:c|p|g)\.[^)]*\)", "", s)  # "R200W (c.598C>T)": keep the protein change
    if re.search(r"\bNOT\b", s):
        msg = f"profile {text!r} uses NOT: absence of an alteration cannot be matched; the item is skipped."
        raise InputError(msg)
    tokens = [t.strip() for t in re.split(r"(\(|\)|\bAND\b|\bOR\b)", s) if t.strip()]
    pos = 0

    def expr() -> list[list[Alteration]]:
        nonlocal pos
        out = term()
        while pos < len(tokens) and tokens[pos] == "OR":
            pos += 1
            out = out + term()
        return out

    def term() -> list[list[Alteration]]:
        nonlocal pos
        out = factor()
        while pos < len(tokens) and tokens[pos] == "AND":
            pos += 1
            right = factor()
            out = [a + b for a in out for b in right]
        return out

    def factor() -> list[list[Alteration]]:
        nonlocal pos
        if pos >= len(tokens):
            msg = f"profile {text!r} ends early: expected an alteration after AND / OR / '('."
            raise InputError(msg)
        tok = tokens[pos]
        pos += 1
        if tok == "(":
            inner = expr()
            if pos >= len(tokens) or tokens[pos] != ")":
                msg = f"profile {text!r} has an unclosed '(': balance the parentheses."
                raise InputError(msg)
            pos += 1
            return inner
        if tok in ("AND", "OR", ")"):
            msg = f"profile {text!r} has {tok!r} where an alteration was expected."
            raise InputError(msg)
        if _RX_RAS_WT.match(tok):
            # "RAS wild type" (anti-EGFR labels): KRAS and NRAS both not mutated
            return [[Alteration(g, "mutation", "wildtype", mtype="wildtype") for g in ("KRAS", "NRAS")]]
        return [[o] for o in _expand_slash(tok, aliases, known_genes)]

    clauses = expr()
    if pos != len(tokens):
        msg = f"profile {text!r} has unexpected text after position {pos}: check AND / OR / parentheses."
        raise InputError(msg)
    return clauses


def _expand_slash(part: str, aliases: dict[str, str] | None, known_genes: set[str] | None) -> list[Alteration]:
    """``KRAS G12/G13`` -> [KRAS G12, KRAS G13]; ``G12D/V`` -> [G12D, G12V]."""
    m = re.match(r"^(\S+)\s+(\S+/\S+)$", part)
    if not m or "::" in m.group(2):
        return [parse_alteration(part, aliases=aliases, known_genes=known_genes)]
    gene, alts = m.group(1), m.group(2).split("/")
    out: list[Alteration] = []
    first = alts[0]
    for i, alt in enumerate(alts):
        if i > 0 and re.fullmatch(r"[A-Z\*]", alt) and (mm := re.match(r"^(p\.)?([A-Z]\d+)", first)):
            alt = mm.group(2) + alt  # G12D/V -> G12V
        out.append(parse_alteration(f"{gene} {alt}", aliases=aliases, known_genes=known_genes))
    return out

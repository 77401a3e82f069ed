"""Vocabularies of the knowledge base: drug names and classes, the disease hierarchy, gene aliases.

:class:`Vocabulary` holds them in memory (a few hundred rows) so that resolving a name or
relating two diseases never needs a database round trip. The shipped tables live in
``kb/data/{drugs,diseases,genes}.tsv``; imports add the names they meet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources

import pandas as pd

__all__ = ["Vocabulary", "DISEASE_RELATIONS", "shipped_table"]

#: Relations of an evidence item's disease to the patient's, best first. The first four make the
#: evidence apply to the patient's tumour type ("disease match" for tiering).
DISEASE_RELATIONS = ("same", "broader", "subtype", "pan-cancer", "related", "other", "unknown")
MATCHING_RELATIONS = frozenset(DISEASE_RELATIONS[:4])
_ROOTS = frozenset({"cancer", "solid tumor", "hematologic cancer"})

#: Keyword rules placing a disease name that is not in the hierarchy (ordered: first hit wins).
_DISEASE_RULES: list[tuple[str, str]] = [
    (r"non[- ]?small[- ]cell|nsclc", "non-small cell lung cancer"),
    (r"lung adenocarcinoma|adenocarcinoma of (the )?lung", "lung adenocarcinoma"),
    (r"small[- ]cell lung|lung small cell|sclc", "small cell lung cancer"),
    (r"lung|pulmonary|bronch", "lung cancer"),
    (r"colorectal|colon|rect(al|um)|large intestin|bowel", "colorectal cancer"),
    (r"her2[- ](receptor )?positive breast|her2\+ breast", "HER2-positive breast cancer"),
    (r"triple[- ](receptor )?negative", "triple-negative breast cancer"),
    (r"estrogen[- ]receptor[- ]positive|er[- ]positive|hormone receptor[- ]positive", "estrogen receptor-positive breast cancer"),
    (r"breast", "breast cancer"),
    (r"serous ovar|ovarian serous", "high-grade serous ovarian cancer"),
    (r"ovar|fallopian|peritoneal", "ovarian cancer"),
    (r"glioblastoma|\bgbm\b", "glioblastoma"),
    (r"glioma|astrocytoma|oligodendroglioma|ependymoma", "glioma"),
    (r"brain|central nervous|\bcns\b|medulloblastoma|meningioma", "brain cancer"),
    (r"uveal|ocular melanoma", "uveal melanoma"),
    (r"melanoma", "melanoma"),
    (r"castration[- ]resistant", "castration-resistant prostate cancer"),
    (r"prostat", "prostate cancer"),
    (r"pancrea", "pancreatic cancer"),
    (r"gastric|stomach|gastroesophageal junction", "gastric cancer"),
    (r"esophag|oesophag", "esophageal cancer"),
    (r"head and neck|oral|laryn|pharyn|tongue", "head and neck cancer"),
    (r"bladder|urothelial|transitional cell", "bladder cancer"),
    (r"clear cell renal", "clear cell renal cell carcinoma"),
    (r"renal|kidney", "kidney cancer"),
    (r"hepato|liver", "liver cancer"),
    (r"thyroid", "thyroid cancer"),
    (r"endometri|uter", "endometrial cancer"),
    (r"cholangio|biliary|bile duct|gallbladder", "cholangiocarcinoma"),
    (r"gastrointestinal stromal", "gastrointestinal stromal tumor"),
    (r"sarcoma|fibromatosis|desmoid", "sarcoma"),
    (r"neuroblastoma", "neuroblastoma"),
    (r"chronic myel", "chronic myeloid leukemia"),
    (r"acute myel|\baml\b", "acute myeloid leukemia"),
    (r"chronic lymph", "chronic lymphocytic leukemia"),
    (r"lymphoblastic", "acute lymphoblastic leukemia"),
    (r"myeloma", "multiple myeloma"),
    (r"large b[- ]cell", "diffuse large B-cell lymphoma"),
    (r"lymphoma", "lymphoma"),
    (r"myelodysplastic", "myelodysplastic syndrome"),
    (r"myeloid|myeloprolif|myelofibrosis|mastocytosis|polycythemia|thrombocythemia", "myeloid leukemia"),
    (r"leuk", "leukemia"),
    (r"hematolog|haematolog", "hematologic cancer"),
    (r"solid tumou?r", "solid tumor"),
    (r"carcinoma|adenocarcinoma|blastoma|tumou?r|neoplasm|cancer", "solid tumor"),
]


def shipped_table(name: str) -> pd.DataFrame:
    """Read one of the TSV tables shipped in ``oncoresist/kb/data`` (``drugs``, ``diseases``, ...).

    Examples
    --------
    >>> "gefitinib" in set(shipped_table("drugs")["name"])
    True
    """
    text = resources.files("oncoresist.kb").joinpath("data", f"{name}.tsv").read_text(encoding="utf-8")
    from io import StringIO

    return pd.read_csv(StringIO(text), sep="\t", comment="#", dtype=str, keep_default_na=False)


def norm_text(s: str) -> str:
    """Lower-case, unify spelling (tumour -> tumor, leukaemia -> leukemia), squeeze spaces."""
    t = str(s).strip().lower().replace("_", " ")
    t = t.replace("tumour", "tumor").replace("leukaemia", "leukemia").replace("haemat", "hemat")
    t = t.replace("–", "-").replace("—", "-")
    return re.sub(r"\s+", " ", t)


@dataclass
class Vocabulary:
    """In-memory name resolution: drugs, drug classes, diseases (with hierarchy), gene aliases.

    Build it with :meth:`from_frames` (the KB does so from its tables).
    """

    drug_synonyms: dict[str, str] = field(default_factory=dict)  # lower synonym -> name
    drug_class: dict[str, str] = field(default_factory=dict)  # name -> class
    drug_targets: dict[str, list[str]] = field(default_factory=dict)
    drug_approval: dict[str, str] = field(default_factory=dict)
    classes: dict[str, str] = field(default_factory=dict)  # lower class -> class
    disease_parent: dict[str, str] = field(default_factory=dict)  # name -> parent ('' = root)
    disease_synonyms: dict[str, str] = field(default_factory=dict)  # normalised synonym -> name
    gene_aliases: dict[str, str] = field(default_factory=dict)  # UPPER alias -> symbol
    gene_role: dict[str, str] = field(default_factory=dict)
    gene_pathway: dict[str, str] = field(default_factory=dict)
    genes: set[str] = field(default_factory=set)

    @classmethod
    def from_frames(
        cls,
        drugs: pd.DataFrame,
        drug_synonyms: pd.DataFrame,
        diseases: pd.DataFrame,
        disease_synonyms: pd.DataFrame,
        genes: pd.DataFrame,
        gene_aliases: pd.DataFrame,
    ) -> Vocabulary:
        """Build from the KB's tables (column names as in the DuckDB schema)."""
        v = cls()
        for r in drugs.itertuples(index=False):
            name = str(r.name)
            v.drug_synonyms[name.lower()] = name
            v.drug_class[name] = str(r.drug_class or "")
            v.drug_targets[name] = [t for t in str(r.targets or "").split("|") if t]
            v.drug_approval[name] = str(r.approval or "")
            if r.drug_class:
                v.classes[str(r.drug_class).lower()] = str(r.drug_class)
        for r in drug_synonyms.itertuples(index=False):
            v.drug_synonyms.setdefault(str(r.synonym).lower(), str(r.name))
        for r in diseases.itertuples(index=False):
            v.disease_parent[str(r.name)] = str(r.parent or "")
            v.disease_synonyms[norm_text(r.name)] = str(r.name)
        for r in disease_synonyms.itertuples(index=False):
            v.disease_synonyms.setdefault(norm_text(r.synonym), str(r.name))
        for r in genes.itertuples(index=False):
            v.genes.add(str(r.symbol))
            v.gene_role[str(r.symbol)] = str(r.role or "")
            v.gene_pathway[str(r.symbol)] = str(r.pathway or "")
        for r in gene_aliases.itertuples(index=False):
            v.gene_aliases[str(r.alias).upper()] = str(r.symbol)
        return v

    # ---------------------------------------------------------------------------------- drugs
    def resolve_drug(self, name: str) -> str | None:
        """Canonical drug name for a name or synonym (case-insensitive); None if unknown."""
        key = str(name).strip().lower()
        if key in self.drug_synonyms:
            return self.drug_synonyms[key]
        key2 = re.sub(r"\s+(hydrochloride|mesylate|maleate|dimaleate|tosylate|sulfate|citrate|anhydrous|sodium|acetate)$", "", key)
        return self.drug_synonyms.get(key2)

    def resolve_class(self, name: str) -> str | None:
        """Canonical drug class for a class name (``platinum compound``), None if not a class."""
        key = str(name).strip().lower().removeprefix("class:").strip()
        aliases = {
            "platinum": "platinum compound", "platinum compounds": "platinum compound",
            "platinum-based chemotherapy": "platinum compound", "taxane compound": "taxane",
            "taxanes": "taxane", "anthracyclines": "anthracycline",
            "epidermal growth factor receptor tyrosine kinase inhibitor": "EGFR tyrosine kinase inhibitor",
            "egfr inhibitor": "EGFR tyrosine kinase inhibitor", "egfr tki": "EGFR tyrosine kinase inhibitor",
            "aromatase inhibitors": "aromatase inhibitor", "parp inhibitors": "PARP inhibitor",
            "cdk4/6 inhibitors": "CDK4/6 inhibitor", "mtor inhibitor": "mTOR inhibitor",
            "mek inhibitors": "MEK inhibitor", "braf inhibitors": "BRAF inhibitor",
        }  # fmt: skip
        key = aliases.get(key, key)
        return self.classes.get(key.lower())

    def drugs_of_class(self, drug_class: str) -> list[str]:
        """Drugs (canonical names) of a class."""
        return sorted(d for d, c in self.drug_class.items() if c and c.lower() == drug_class.lower())

    # ------------------------------------------------------------------------------- diseases
    def resolve_disease(self, name: str) -> tuple[str | None, str]:
        """Resolve a tumour type to a disease of the hierarchy.

        Returns
        -------
        (disease or None, how)
            ``how`` is ``exact``, ``synonym``, ``rule: <pattern>`` or ``unknown``.
        """
        t = norm_text(name)
        if not t or t in ("nan", "none", "na", "unknown"):
            return None, "unknown"
        if t in self.disease_synonyms:
            d = self.disease_synonyms[t]
            return d, "exact" if norm_text(d) == t else "synonym"
        for rx, target in _DISEASE_RULES:
            # the catch-all rules (-> solid tumor / hematologic cancer) only place imported names
            if target not in _ROOTS and re.search(rx, t) and target in self.disease_parent:
                return target, f"rule: {rx}"
        return None, "unknown"

    def place_disease(self, name: str) -> tuple[str, str]:
        """Parent for a new disease name (keyword rules), and the rule used."""
        t = norm_text(name)
        for rx, target in _DISEASE_RULES:
            if re.search(rx, t) and target in self.disease_parent and norm_text(target) != t:
                return target, rx
        return "cancer", "default"

    def ancestors(self, disease: str) -> list[str]:
        """Chain of parents of ``disease`` up to the root (nearest first)."""
        out: list[str] = []
        cur = self.disease_parent.get(disease, "")
        while cur and cur not in out:
            out.append(cur)
            cur = self.disease_parent.get(cur, "")
        return out

    def relation(self, patient: str | None, evidence: str | None) -> str:
        """How an evidence item's disease relates to the patient's (see :data:`DISEASE_RELATIONS`).

        ``broader``: the evidence disease contains the patient's (NSCLC evidence for a lung
        adenocarcinoma); ``subtype``: the evidence is for a subtype of the patient's disease;
        ``pan-cancer``: evidence for cancer / solid tumours in general; ``related``: same organ
        group, different subtype; ``other``: another tumour type.
        """
        if not patient or not evidence:
            return "unknown"
        if patient == evidence:
            return "same"
        anc_p = self.ancestors(patient)
        if evidence in anc_p:
            return "pan-cancer" if evidence in _ROOTS else "broader"
        if patient in _ROOTS:
            return "unknown"  # too unspecific to tell whether specific evidence applies
        anc_e = self.ancestors(evidence)
        if patient in anc_e:
            return "subtype"
        common = [a for a in anc_p if a in anc_e and a not in _ROOTS]
        return "related" if common else "other"

    # ---------------------------------------------------------------------------------- genes
    def gene(self, symbol: str) -> str:
        """Canonical symbol (aliases resolved)."""
        from ._alteration import normalize_gene

        return normalize_gene(symbol, self.gene_aliases)

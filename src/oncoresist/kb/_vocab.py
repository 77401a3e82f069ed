"""Vocabularies of the knowledge base: drug names and classes, the disease hierarchy, gene aliases.

:class:`Vocabulary` holds them in memory (a few hundred rows) so that resolving a name or
relating two diseases never needs a database round trip. The shipped tables live in
``kb/data/{drugs,diseases,genes}.tsv``; imports add the names they meet.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pandas as pd

__all__ = ["Vocabulary", "DISEASE_RELATIONS", "shipped_table", "read_dgidb"]

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


#: Class names as users and sources write them -> the class (or group) name of ``drugs.tsv``.
_CLASS_ALIASES = {
    "platinum": "platinum compound", "platinum compounds": "platinum compound",
    "platinum-based chemotherapy": "platinum compound", "platinum chemotherapy": "platinum compound",
    "taxane compound": "taxane", "taxanes": "taxane", "anthracyclines": "anthracycline",
    "epidermal growth factor receptor tyrosine kinase inhibitor": "EGFR tyrosine kinase inhibitor",
    "egfr tki": "EGFR tyrosine kinase inhibitor", "egfr tkis": "EGFR tyrosine kinase inhibitor",
    "egfr kinase inhibitor": "EGFR tyrosine kinase inhibitor", "egfr-tki": "EGFR tyrosine kinase inhibitor",
    "egfr inhibitor": "EGFR tyrosine kinase inhibitor", "egfr inhibitors": "EGFR tyrosine kinase inhibitor", "anti-egfr antibodies": "anti-EGFR antibody",
    "anti-egfr monoclonal antibody": "anti-EGFR antibody", "anti-egfr mab": "anti-EGFR antibody",
    "egfr antibody": "anti-EGFR antibody", "egfr monoclonal antibody": "anti-EGFR antibody",
    "alk inhibitor": "ALK tyrosine kinase inhibitor", "alk inhibitors": "ALK tyrosine kinase inhibitor",
    "alk tki": "ALK tyrosine kinase inhibitor", "alk tkis": "ALK tyrosine kinase inhibitor",
    "ros1 inhibitors": "ROS1 inhibitor", "ros1 tki": "ROS1 inhibitor",
    "bcr-abl1 tki": "BCR-ABL1 tyrosine kinase inhibitor", "bcr-abl tki": "BCR-ABL1 tyrosine kinase inhibitor",
    "bcr-abl inhibitor": "BCR-ABL1 tyrosine kinase inhibitor", "abl inhibitor": "BCR-ABL1 tyrosine kinase inhibitor",
    "bcr-abl1 inhibitors": "BCR-ABL1 inhibitor", "abl1 tki": "BCR-ABL1 tyrosine kinase inhibitor",
    "aromatase inhibitors": "aromatase inhibitor", "ai": "aromatase inhibitor",
    "serd": "selective estrogen receptor degrader", "serds": "selective estrogen receptor degrader",
    "serm": "selective estrogen receptor modulator", "antiandrogens": "antiandrogen",
    "anti-androgen": "antiandrogen", "ar inhibitor": "androgen receptor inhibitor", "arpi": "androgen receptor inhibitor",
    "hormone therapy": "endocrine therapy", "endocrine": "endocrine therapy",
    "parp inhibitors": "PARP inhibitor", "parpi": "PARP inhibitor", "cdk4/6 inhibitors": "CDK4/6 inhibitor",
    "cdk4/6i": "CDK4/6 inhibitor", "mtor inhibitors": "mTOR inhibitor", "mek inhibitors": "MEK inhibitor",
    "braf inhibitors": "BRAF inhibitor", "btk inhibitors": "BTK inhibitor", "flt3 inhibitors": "FLT3 inhibitor",
    "kit inhibitors": "KIT inhibitor", "met inhibitors": "MET inhibitor", "met tki": "MET tyrosine kinase inhibitor",
    "her2 inhibitors": "HER2 inhibitor", "anti-her2 therapy": "HER2 inhibitor", "pd-1 inhibitor": "anti-PD-1 antibody",
    "anti-pd-1": "anti-PD-1 antibody", "checkpoint inhibitor": "immune checkpoint inhibitor",
    "immune checkpoint inhibitors": "immune checkpoint inhibitor", "immunotherapy": "immune checkpoint inhibitor",
}  # fmt: skip

_GENERATION_RX = re.compile(r"[\s,(-]*\b(1st|first|2nd|second|3rd|third|4th|fourth)[- ]gen(?:eration)?\b[\s,)-]*", flags=re.IGNORECASE)
_GENERATION_WORDS = {"1st": "1", "first": "1", "2nd": "2", "second": "2", "3rd": "3", "third": "3", "4th": "4", "fourth": "4"}
_ORDINAL = {"1": "1st", "2": "2nd", "3": "3rd", "4": "4th"}


def split_generation(name: str) -> tuple[str, str]:
    """Split a class name into (base name, generation digit or ``""``).

    Examples
    --------
    >>> split_generation("EGFR TKI 1st generation"), split_generation("first-generation EGFR TKI")
    (('EGFR TKI', '1'), ('EGFR TKI', '1'))
    >>> split_generation("EGFR tyrosine kinase inhibitor (3rd generation)")
    ('EGFR tyrosine kinase inhibitor', '3')
    """
    text = str(name).strip()
    m = _GENERATION_RX.search(text)
    if m is None:
        return text, ""
    base = (text[: m.start()] + " " + text[m.end() :]).strip(" ,()-")
    return re.sub(r"\s+", " ", base), _GENERATION_WORDS[m.group(1).lower()]


def read_dgidb(path: str | Path) -> pd.DataFrame:
    r"""Read a DGIdb interactions TSV (``interactions.tsv``, optionally gzipped) as drug -> gene rows.

    Only rows with a drug name and a gene name are kept; the result has the columns ``drug``
    (lower case), ``gene``, ``interaction_types``, ``source`` and ``license``. The file is read
    where the user keeps it (it is never copied into the package).

    Raises
    ------
    InputError
        When the file is missing or lacks the ``gene_name`` / ``drug_name`` columns.

    Examples
    --------
    >>> from oncoresist import ds
    >>> read_dgidb(ds.example_file("dgidb"))[["drug", "gene"]].values.tolist()
    [['gefitinib', 'EGFR']]
    """
    from .._core._errors import InputError

    p = Path(path)
    if not p.is_file():
        msg = f"DGIdb file {str(p)!r} does not exist: give the path of a DGIdb interactions TSV (e.g. interactions.tsv)."
        raise InputError(msg)
    df = pd.read_csv(p, sep="\t", dtype=str, keep_default_na=False)
    missing = [c for c in ("gene_name", "drug_name") if c not in df.columns]
    if missing:
        msg = f"DGIdb file {str(p)!r} lacks column(s) {', '.join(missing)}: expected a DGIdb interactions TSV (found {', '.join(df.columns[:8])})."
        raise InputError(msg)
    df = df[(df["gene_name"].str.strip() != "") & (df["drug_name"].str.strip() != "")]
    get = lambda c: df[c] if c in df.columns else pd.Series("", index=df.index)  # noqa: E731
    out = pd.DataFrame({
        "drug": df["drug_name"].str.strip().str.lower(), "gene": df["gene_name"].str.strip().str.upper(),
        "interaction_types": get("interaction_types"), "source": get("interaction_claim_source"), "license": get("source_license"),
    })  # fmt: skip
    return out.drop_duplicates(["drug", "gene"]).reset_index(drop=True)


@functools.lru_cache(maxsize=1)
def _drug_extras() -> dict[str, tuple[str, list[str], str]]:
    """Generation, groups and source of each shipped drug (not stored in the KB's drug table)."""
    t = shipped_table("drugs")
    cols = [c for c in ("generation", "groups", "source") if c in t.columns]
    t = t.assign(**{c: "" for c in ("generation", "groups", "source") if c not in cols})
    return {str(r.name): (str(r.generation), [g for g in str(r.groups).split("|") if g], str(r.source)) for r in t.itertuples(index=False)}


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
    drug_generation: dict[str, str] = field(default_factory=dict)  # name -> '1' / '2' / '3' / ''
    drug_groups: dict[str, list[str]] = field(default_factory=dict)  # name -> further groups
    drug_source: dict[str, str] = field(default_factory=dict)  # name -> where class / generation come from
    target_source: dict[str, str] = field(default_factory=dict)  # "drug|gene" -> source of an added target

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
        v._add_extras()
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

    def _add_extras(self) -> None:
        """Generation, groups and source of the shipped drugs (groups become class names too)."""
        for name, (gen, groups, source) in _drug_extras().items():
            if name not in self.drug_class:
                continue
            self.drug_generation[name] = gen
            self.drug_groups[name] = groups
            self.drug_source[name] = source
            for g in groups:
                self.classes.setdefault(g.lower(), g)

    def resolve_class(self, name: str) -> str | None:
        """Canonical drug class for a class name, None if not a class.

        Accepts the classes and groups of ``drugs.tsv`` and common spellings (``EGFR TKI``,
        ``MEK inhibitors``, ``anti-EGFR antibodies``), with an optional generation
        (``EGFR TKI 1st generation``, ``first-generation ALK inhibitor``): that is returned as
        ``"<class> (1st generation)"``.

        Examples
        --------
        >>> from oncoresist.kb import open_kb
        >>> import tempfile, pathlib
        >>> with open_kb(pathlib.Path(tempfile.mkdtemp()) / "kb.duckdb") as kb:
        ...     kb.vocab.resolve_class("EGFR TKI 1st generation"), kb.vocab.resolve_class("MEK inhibitors")
        ('EGFR tyrosine kinase inhibitor (1st generation)', 'MEK inhibitor')
        """
        raw = str(name).strip().removeprefix("class:").removeprefix("Class:").strip()
        base, gen = split_generation(raw)
        key = re.sub(r"\s+", " ", base.lower().replace("_", " ")).strip()
        key = _CLASS_ALIASES.get(key, key)
        found = self.classes.get(key.lower())
        if found is None and key.endswith("s"):
            found = self.classes.get(_CLASS_ALIASES.get(key[:-1], key[:-1]).lower())
        if found is None:
            return None
        if gen:
            if not any(self.drug_generation.get(d) == gen for d in self._members(found)):
                return None
            return f"{found} ({_ORDINAL[gen]} generation)"
        return found

    def _members(self, cls: str) -> list[str]:
        """Drugs whose class or one of whose groups is ``cls`` (case-insensitive)."""
        c = cls.lower()
        return sorted(d for d, k in self.drug_class.items() if (k and k.lower() == c) or c in (g.lower() for g in self.drug_groups.get(d, [])))

    def drugs_of_class(self, drug_class: str) -> list[str]:
        """Drugs (canonical names) of a class, a group or a class generation.

        Examples
        --------
        >>> from oncoresist.kb import open_kb
        >>> import tempfile, pathlib
        >>> with open_kb(pathlib.Path(tempfile.mkdtemp()) / "kb.duckdb") as kb:
        ...     kb.vocab.drugs_of_class("EGFR TKI 2nd generation")
        ['afatinib', 'dacomitinib']
        """
        base, gen = split_generation(drug_class)
        cls = self.resolve_class(base) or base
        members = self._members(cls)
        return [d for d in members if self.drug_generation.get(d) == gen] if gen else members

    def resolve_therapy(self, name: str) -> tuple[list[str], str | None]:
        """Drugs meant by a therapy name: a drug (or synonym) or a class name (its members).

        Returns
        -------
        (drugs, class)
            ``([drug], None)`` for a drug, ``(members, class)`` for a class, ``([], None)``
            when the name is neither.

        Examples
        --------
        >>> from oncoresist.kb import open_kb
        >>> import tempfile, pathlib
        >>> with open_kb(pathlib.Path(tempfile.mkdtemp()) / "kb.duckdb") as kb:
        ...     vocab = kb.vocab  # in memory: it outlives the connection
        >>> vocab.resolve_therapy("Iressa"), vocab.resolve_therapy("anti-EGFR antibody")
        ((['gefitinib'], None), (['cetuximab', 'panitumumab'], 'anti-EGFR antibody'))
        """
        d = self.resolve_drug(name)
        if d is not None:
            return [d], None
        c = self.resolve_class(name)
        if c is None:
            return [], None
        return self.drugs_of_class(c), c

    def class_label(self, drug: str) -> str:
        """Class of a drug with its generation, e.g. ``EGFR tyrosine kinase inhibitor (1st generation)``."""
        cls = self.drug_class.get(drug, "")
        gen = self.drug_generation.get(drug, "")
        return f"{cls} ({_ORDINAL[gen]} generation)" if cls and gen in _ORDINAL else cls

    def add_interactions(self, interactions: pd.DataFrame) -> int:
        """Add drug -> gene targets (a :func:`read_dgidb` table) for the drugs the vocabulary knows.

        Returns the number of targets added; each is recorded in :attr:`target_source`.
        """
        n = 0
        for r in interactions.itertuples(index=False):
            d = self.resolve_drug(str(r.drug))
            if d is None or str(r.gene) in self.drug_targets.setdefault(d, []):
                continue
            self.drug_targets[d].append(str(r.gene))
            self.target_source[f"{d}|{r.gene}"] = f"DGIdb ({r.source or 'unknown source'}; {r.license or 'licence not given'})"
            n += 1
        return n

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

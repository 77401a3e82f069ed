"""The curated core shipped with the package: hand-written evidence with one citation per row."""

from __future__ import annotations

import re

import pandas as pd

from .._core._errors import InputError
from ._alteration import parse_profile
from ._vocab import shipped_table

__all__ = ["CORE_VERSION", "core_digest", "load_curated_core", "split_therapy"]

#: Version of ``kb/data/curated_core.tsv`` (its ``# version:`` header line). A KB reloads the
#: core whenever the shipped file's content changes (see :func:`core_digest`).
CORE_VERSION = "2025.5"

_LEVELS = ("A", "B", "C", "D", "E")
_CITATION_RX = re.compile(r"^(PMID:\d{5,9}|DOI:10\.\d{4,9}/\S+)$")


def core_digest() -> str:
    """SHA-256 of the shipped tables (core evidence, drugs, diseases, genes).

    The KB reloads them when it changes.

    Examples
    --------
    >>> len(core_digest())
    64
    """
    import hashlib
    from importlib import resources

    h = hashlib.sha256()
    for name in ("curated_core", "drugs", "diseases", "genes"):
        h.update(resources.files("oncoresist.kb").joinpath("data", f"{name}.tsv").read_bytes())
    return h.hexdigest()


def split_therapy(text: str) -> tuple[list[str], str]:
    """Split a therapy text into names and an interaction type.

    ``"gefitinib + capmatinib"`` -> (``["gefitinib", "capmatinib"]``, ``"combination"``);
    ``"class:platinum compound"`` -> (``["class:platinum compound"]``, ``"class"``);
    ``"erlotinib"`` -> (``["erlotinib"]``, ``"single"``).

    Examples
    --------
    >>> split_therapy("gefitinib + capmatinib")
    (['gefitinib', 'capmatinib'], 'combination')
    """
    t = str(text).strip()
    if t.lower().startswith("class:"):
        return [t], "class"
    parts = [p.strip() for p in re.split(r"\s*\+\s*", t) if p.strip()]
    return parts, "combination" if len(parts) > 1 else "single"


def load_curated_core() -> pd.DataFrame:
    """The curated core as evidence records ready for the knowledge base.

    Every row is validated: the biomarker parses, the level is A-E, the direction is
    sensitivity or resistance and the citation is a ``PMID:`` or ``DOI:``.

    Returns
    -------
    pandas.DataFrame
        One row per evidence item with ``evidence_id, source, source_id, profile, clauses,
        disease_raw, therapy_names, interaction, direction, level, evidence_type, mechanism,
        summary, citation, citation_label, url, variant_origin``.

    Examples
    --------
    >>> core = load_curated_core()
    >>> bool((core["citation"].str.match(r"^(PMID|DOI):")).all())
    True
    """
    df = shipped_table("curated_core")
    rows = []
    for r in df.itertuples(index=False):
        where = f"curated core row {r.id}"
        if r.level not in _LEVELS:
            msg = f"{where}: level {r.level!r} is not one of A-E."
            raise InputError(msg)
        if r.direction not in ("sensitivity", "resistance"):
            msg = f"{where}: direction {r.direction!r} is not sensitivity or resistance."
            raise InputError(msg)
        if not _CITATION_RX.match(r.citation):
            msg = f"{where}: citation {r.citation!r} is not 'PMID:<digits>' or 'DOI:10.<...>'."
            raise InputError(msg)
        names, interaction = split_therapy(r.therapy)
        cit = r.citation
        url = (
            f"https://pubmed.ncbi.nlm.nih.gov/{cit.split(':', 1)[1]}/"
            if cit.startswith("PMID:")
            else f"https://doi.org/{cit.split(':', 1)[1]}"
        )
        rows.append(
            {
                "evidence_id": f"core:{r.id}",
                "source": "core",
                "source_id": r.id,
                "profile": r.biomarker,
                "clauses": parse_profile(r.biomarker),
                "disease_raw": r.disease,
                "therapy_names": names,
                "interaction": interaction,
                "direction": r.direction,
                "level": r.level,
                "evidence_type": "predictive",
                "mechanism": r.mechanism,
                "summary": r.summary,
                "citation": cit,
                "citation_label": r.citation_label,
                "url": url,
                "variant_origin": "somatic",
            }
        )
    return pd.DataFrame(rows)

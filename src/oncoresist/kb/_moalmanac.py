"""Importer for the Molecular Oncology Almanac (MOAlmanac) released JSON.

The release (``molecular-oncology-almanac.json``, optionally gzipped) is a list of assertions,
one per biomarker x therapy x disease, each with a ``feature_type`` and the fields of that type.
Every biomarker kind is mapped onto the KB's evidence model:

=========================  ==============================================================
MOAlmanac ``feature_type``  KB biomarker
=========================  ==============================================================
Somatic Variant            protein change (``BRAF V600E``), else an exon event
                           (``EGFR exon 19 deletion``), else the variant class
                           (nonsense / frameshift -> ``loss-of-function``, splice site ->
                           ``splice``, otherwise ``mutation``); variant origin somatic
Germline Variant           as a somatic variant; without a protein change a pathogenic
                           variant is ``loss-of-function``; variant origin germline
Copy Number                ``amplification`` / ``deletion`` of the gene
Rearrangement              ``GENE1::GENE2 fusion`` (``GENE1 fusion`` when one gene is named)
Knockdown                  ``loss`` of the gene (shRNA / siRNA / CRISPR; always preclinical)
Microsatellite Stability   genome-wide marker ``MSI MSI-high``
Mutational Burden          genome-wide marker ``TMB TMB-high``
Mutational Signature       genome-wide marker ``COSMIC SBS3`` (the COSMIC signature)
Aneuploidy                 genome-wide marker ``GENOME whole genome doubling``
=========================  ==============================================================

Genome-wide markers have ``kind='signature'`` and a pseudo-gene naming the measurement.

Evidence levels (:data:`LEVELS`) map MOAlmanac's ``predictive_implication`` onto the KB's A-E
scale: FDA-Approved and Guideline -> A (validated), Clinical trial -> B (clinical),
Clinical evidence -> C (case reports, small series), Preclinical -> D, Inferential -> E.
Direction is ``therapy_resistance = 1`` -> resistance, ``therapy_sensitivity = 1`` ->
sensitivity; assertions with neither (prognostic or adverse-event only) or with
``therapy_sensitivity = 0`` are dropped with a reason. Sources: a PubMed ID becomes
``PMID:<id>``, else a DOI ``DOI:<doi>``; only ``http(s)`` URLs are kept.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd

from .._core._docs import DOC_IMPORT_RETURNS, doc_params
from .._core._errors import InputError
from .._core._utils import PathLike, read_bytes
from ._alteration import Alteration, parse_alteration
from ._core import split_therapy
from ._report import ImportReport

__all__ = ["LEVELS", "is_moalmanac", "read_moalmanac"]

#: MOAlmanac ``predictive_implication`` -> KB evidence level.
LEVELS = {
    "fda-approved": "A",
    "guideline": "A",
    "clinical trial": "B",
    "clinical evidence": "C",
    "preclinical": "D",
    "inferential": "E",
}

_REQUIRED = ("assertion_id", "feature_type", "therapy_name", "predictive_implication", "disease")

_COLUMNS = [
    "evidence_id", "source", "source_id", "profile", "clauses", "disease_raw", "therapy_names",
    "interaction", "direction", "level", "evidence_type", "mechanism", "summary", "citation",
    "citation_label", "url", "variant_origin",
]  # fmt: skip


def _text(r: dict[str, Any], key: str) -> str:
    """The field as stripped text ('' for missing / None)."""
    v = r.get(key)
    return "" if v is None else str(v).strip()


def is_moalmanac(path: PathLike) -> bool:
    """True when the file's content is JSON (a MOAlmanac release), False for a table.

    Parameters
    ----------
    path
        File to look at (gzip is decompressed).

    Returns
    -------
    bool

    Examples
    --------
    >>> from oncoresist import ds
    >>> is_moalmanac(ds.example_file("moalmanac"))
    True
    """
    head = read_bytes(path)[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1] in (b"[", b"{")


def _load(p: Path) -> list[dict[str, Any]]:
    """Parse and schema-check the JSON: a list of assertion objects with the required fields."""
    raw = read_bytes(p)
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        msg = f"'{p}' is not valid JSON ({e}): the file is damaged or truncated; download the MOAlmanac release again."
        raise InputError(msg) from e
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list) and v and isinstance(v[0], dict)]
        data = lists[0] if len(lists) == 1 else data
    if not isinstance(data, list) or not all(isinstance(x, dict) for x in data):
        msg = f"'{p}' is JSON but not a MOAlmanac release: expected a list of assertion objects."
        raise InputError(msg)
    for i, r in enumerate(data):
        missing = [k for k in _REQUIRED if k not in r]
        if missing:
            msg = (
                f"'{p}' assertion #{i} lacks {', '.join(missing)}: not a MOAlmanac release "
                f"(expected fields {', '.join(_REQUIRED)})."
            )
            raise InputError(msg)
    ids = [_text(r, "assertion_id") for r in data]
    if len(set(ids)) != len(ids) or "" in ids:
        msg = f"'{p}': assertion_id values are empty or repeated; the file is damaged."
        raise InputError(msg)
    return data


def _variant(r: dict[str, Any]) -> Alteration:
    """The biomarker of a somatic / germline variant assertion."""
    gene = _text(r, "gene")
    if not gene:
        msg = "variant assertion names no gene"
        raise InputError(msg)
    pc, vclass, exon = _text(r, "protein_change"), _text(r, "variant_annotation").lower(), _text(r, "exon")
    if pc:
        return parse_alteration(pc, gene=gene)
    if exon and vclass in ("deletion", "insertion"):
        return parse_alteration(f"exon {exon} {vclass}", gene=gene)
    if vclass in ("nonsense", "frameshift") or (r.get("feature_type") == "Germline Variant" and _text(r, "pathogenic") == "1"):
        return parse_alteration("loss-of-function", gene=gene)
    if vclass == "splice site":
        return parse_alteration("splice", gene=gene)
    if exon:
        return parse_alteration(f"exon {exon} mutation", gene=gene)
    return parse_alteration("mutation", gene=gene)


def _fusion(r: dict[str, Any]) -> Alteration:
    """``GENE1::GENE2 fusion`` (or ``GENE fusion`` with one gene)."""
    g1, g2 = _text(r, "gene1"), _text(r, "gene2")
    genes = [g for g in (g1, g2) if g]
    if not genes:
        msg = "rearrangement names no gene"
        raise InputError(msg)
    return parse_alteration(f"{'::'.join(genes)} fusion")


def _genome_wide(r: dict[str, Any], ft: str) -> Alteration:
    """MSI, TMB, mutational signature or aneuploidy as a genome-wide ``signature`` marker."""
    if ft == "Microsatellite Stability":
        status = _text(r, "status").lower()
        if "high" not in status and "msi-h" not in status:
            msg = f"microsatellite status {status!r} is not MSI-high"
            raise InputError(msg)
        return Alteration("MSI", "signature", "MSI-high")
    if ft == "Mutational Burden":
        if _text(r, "classification").lower() != "high":
            msg = f"mutational burden {_text(r, 'classification')!r} is not high"
            raise InputError(msg)
        return Alteration("TMB", "signature", "TMB-high")
    if ft == "Mutational Signature":
        sig = _text(r, "cosmic_signature")
        if not re.match(r"^(SBS|DBS|ID)?\d+[a-z]?$", sig, flags=re.IGNORECASE):
            msg = f"mutational signature {sig!r} is not a COSMIC signature name"
            raise InputError(msg)
        sig = sig.upper() if sig[:1].isalpha() else f"SBS{sig}"
        return Alteration("COSMIC", "signature", re.sub(r"([A-Z])$", lambda m: m.group(1).lower(), sig))
    event = _text(r, "event").lower()
    if not event:
        msg = "aneuploidy assertion names no event"
        raise InputError(msg)
    return Alteration("GENOME", "signature", event)


def _biomarker(r: dict[str, Any]) -> Alteration:
    """The one biomarker of an assertion, by its feature type."""
    ft = _text(r, "feature_type")
    if ft in ("Somatic Variant", "Germline Variant"):
        return _variant(r)
    if ft == "Copy Number":
        word = _text(r, "direction").lower()
        if word not in ("amplification", "deletion"):
            msg = f"copy-number direction {word!r} is not amplification or deletion"
            raise InputError(msg)
        return parse_alteration(word, gene=_text(r, "gene"))
    if ft == "Rearrangement":
        return _fusion(r)
    if ft == "Knockdown":
        return parse_alteration("loss", gene=_text(r, "gene"))
    if ft in ("Microsatellite Stability", "Mutational Burden", "Mutational Signature", "Aneuploidy"):
        return _genome_wide(r, ft)
    msg = f"unknown feature type {ft!r}"
    raise InputError(msg)


def _sources(r: dict[str, Any]) -> tuple[str, str]:
    """(citation ``PMID:`` / ``DOI:`` or '', an http(s) URL or '')."""
    pmid, doi, url, nct = _text(r, "pmid"), _text(r, "doi"), _text(r, "url"), _text(r, "nct")
    pmid = pmid[:-2] if pmid.endswith(".0") else pmid
    if pmid.isdigit():
        citation = f"PMID:{pmid}"
    elif re.match(r"^10\.\d{4,9}/\S+$", doi):
        citation = f"DOI:{doi}"
    else:
        citation = ""
    if not re.match(r"^https?://", url, flags=re.IGNORECASE):
        url = ""
    if not url and citation.startswith("PMID:"):
        url = f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"
    elif not url and citation.startswith("DOI:"):
        url = f"https://doi.org/{doi}"
    elif not url and re.match(r"^NCT\d{8}$", nct):
        url = f"https://clinicaltrials.gov/study/{nct}"
    return citation, url


def _direction(r: dict[str, Any]) -> str | None:
    """``resistance`` / ``sensitivity``, or None when the assertion claims neither."""
    if _text(r, "therapy_resistance") == "1":
        return "resistance"
    if _text(r, "therapy_sensitivity") == "1":
        return "sensitivity"
    return None


def _record(r: dict[str, Any], source: str, report: ImportReport) -> dict[str, Any] | None:
    """One evidence record, or None (counted in ``report`` under its reason)."""
    aid = f"MOA{_text(r, 'assertion_id')}"
    ft = _text(r, "feature_type")
    label = f"{aid} {ft} {_text(r, 'gene') or _text(r, 'gene1')}".strip()
    if r.get("_deprecated") is True:
        report.drop("deprecated assertion", label)
        return None
    therapy = _text(r, "therapy_name")
    if not therapy:
        report.drop("no therapy named (prognostic / diagnostic / adverse-event assertion)", label)
        return None
    direction = _direction(r)
    if direction is None:
        report.drop("neither sensitivity nor resistance asserted", f"{label} [{therapy}]")
        return None
    level = LEVELS.get(_text(r, "predictive_implication").lower(), "")
    if ft == "Knockdown" and level:
        level = "D"
    if not level:
        report.drop("unknown evidence level (predictive_implication)", f"{label} [{_text(r, 'predictive_implication')}]")
        return None
    try:
        alteration = _biomarker(r)
    except InputError as e:
        report.drop(f"biomarker not understood ({ft})", f"{label}: {str(e)[:80]}")
        return None
    return _assemble(r, source, aid, alteration, direction, level)


def _assemble(r: dict[str, Any], source: str, aid: str, a: Alteration, direction: str, level: str) -> dict[str, Any]:
    """The evidence record of one kept assertion."""
    names, interaction = split_therapy(_text(r, "therapy_name"))
    citation, url = _sources(r)
    ft = _text(r, "feature_type")
    strategy = "; ".join(x for x in (_text(r, "therapy_type"), _text(r, "therapy_strategy")) if x)
    context = _text(r, "context")
    summary = _text(r, "description") + (f" [therapy: {strategy}]" if strategy else "") + (f" [context: {context}]" if context else "")
    return {
        "evidence_id": f"{source}:{aid}",
        "source": source,
        "source_id": aid,
        "profile": a.label,
        "clauses": [[a]],
        "disease_raw": _text(r, "oncotree_term") or _text(r, "disease"),
        "therapy_names": names,
        "interaction": interaction,
        "direction": direction,
        "level": level,
        "evidence_type": "predictive",
        "mechanism": "knockdown" if ft == "Knockdown" else "",
        "summary": summary,
        "citation": citation,
        "citation_label": _text(r, "citation")[:300] or citation,
        "url": url,
        "variant_origin": "germline" if ft == "Germline Variant" else "somatic",
    }


@doc_params(doc_import_returns=DOC_IMPORT_RETURNS)
def read_moalmanac(path: PathLike, *, source: str = "moalmanac", version: str | None = None) -> tuple[pd.DataFrame, ImportReport]:
    """Read a MOAlmanac release (JSON, optionally gzipped) into evidence records.

    Parameters
    ----------
    path
        The released ``molecular-oncology-almanac.json`` (``.gz`` accepted).
    source
        Name the items are stored under.
    version
        Source version to record (e.g. the moalmanac-db commit); default
        ``updated-<latest last_updated date>`` read from the assertions.

    {doc_import_returns}

    Raises
    ------
    InputError
        When the file is truncated, not JSON or not a MOAlmanac release.

    Examples
    --------
    >>> from oncoresist import ds
    >>> p = ds.example_file("moalmanac")  # AR amplification -> resistance to enzalutamide
    >>> items, report = read_moalmanac(p)
    >>> items[["profile", "direction", "level", "citation"]].values.tolist()
    [['AR amplification', 'resistance', 'C', 'PMID:26000489']]
    """
    p = Path(path)
    data = _load(p)
    if version is None:
        dates = sorted(d for d in (_text(r, "last_updated") for r in data) if re.match(r"^\d{4}-\d{2}-\d{2}$", d))
        version = f"updated-{dates[-1]}" if dates else "undated"
    report = ImportReport(source, version, str(p), len(data), len(data))
    records = [rec for r in data if (rec := _record(r, source, report)) is not None]
    items = pd.DataFrame(records, columns=_COLUMNS)
    report.n_kept = len(items)
    return items, report

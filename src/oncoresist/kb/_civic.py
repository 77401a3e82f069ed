"""Importer for CIViC evidence dumps.

Three layouts are recognised from their columns:

- CIViC's nightly ``ClinicalEvidenceSummaries.tsv`` (2023-): ``molecular_profile``,
  ``therapies``, ``therapy_interaction_type``, ``significance``, ...;
- the older nightly layout (-2022): ``gene``, ``variant``, ``drugs``, ``drug_interaction_type``,
  ``clinical_significance``, ...;
- the pharmOncoX export (one row per evidence item x variant alias): ``evidence_id``,
  ``symbol``, ``variant``, ``alteration_type``, ``therapeutic_context``, ``cancer_type``, ...

Only predictive evidence naming a therapy, with significance sensitivity/response, resistance or
reduced sensitivity, that the curators marked ``Supports`` is kept; every other item is counted
under a named reason in the :class:`~oncoresist.kb.ImportReport`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from .._core._docs import DOC_IMPORT_RETURNS, doc_params
from .._core._errors import InputError
from .._core._utils import PathLike, find_column, read_table
from ._alteration import Alteration, parse_alteration, parse_profile
from ._moalmanac import is_moalmanac
from ._report import ImportReport

__all__ = ["read_civic"]

_SIGNIFICANCE = {
    "sensitivity/response": "sensitivity",
    "sensitivity": "sensitivity",
    "response": "sensitivity",
    "resistance": "resistance",
    "reduced sensitivity": "resistance",
}


def _level(x: object) -> str:
    s = str(x).strip().upper()
    return s[:1] if s[:1] in "ABCDE" and s else ""


def _version_from(path: Path, df: pd.DataFrame) -> str:
    m = re.search(r"(20\d{2})[-_]?(\d{2})[-_]?(\d{2})", path.name)
    if m:
        return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    col = find_column(df, ["last_review_date"])
    if col is not None:
        dates = pd.to_datetime(df[col], errors="coerce", utc=True).dropna()
        if len(dates):
            return "reviewed-to-" + dates.max().strftime("%Y-%m-%d")
    return "undated"


def _therapy_names(text: object) -> list[str]:
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return []
    return [t.strip() for t in re.split(r"\s*,\s*", str(text)) if t.strip()]


def _interaction(kind: object, n: int) -> str:
    if n <= 1:
        return "single"
    k = str(kind).strip().lower()
    if k in ("combination", "substitutes", "sequential"):
        return k
    return "unspecified"


def _pharmoncox_profile(sym: str, variant: object, atype: str, aliases: dict[str, str] | None) -> list[list[Alteration]]:
    """Clauses for one pharmOncoX row: ``BCR-ABL`` + ``T315I`` -> [[BCR::ABL1 fusion, ABL1 T315I]]."""
    var = "" if variant is None or (isinstance(variant, float) and pd.isna(variant)) else str(variant).strip()
    atype = str(atype or "").upper()
    fusion: Alteration | None = None
    gene = sym
    if "-" in sym and atype.startswith("TRANSLOCATION"):
        fusion = parse_alteration(f"{sym} fusion", aliases=aliases)
        gene = fusion.gene
    elif atype.startswith("TRANSLOCATION") and (not var or var.upper() in ("FUSION", "FUSIONS", "REARRANGEMENT", "TRANSLOCATION")):
        fusion = parse_alteration(f"{sym} fusion", aliases=aliases)
    if fusion is not None and (not var or var.upper() in ("FUSION", "FUSIONS", "REARRANGEMENT", "TRANSLOCATION") or re.match(r"^E\d+-E\d+$", var.upper())):
        return [[fusion]]
    if not var:
        msg = f"no variant given for {sym}"
        raise InputError(msg)
    if var.lower().startswith("rs") and var[2:].isdigit():
        msg = f"dbSNP identifier {var} (germline polymorphism) cannot be matched to tumour alterations"
        raise InputError(msg)
    # "V600E AND V600M", "S310F/Y", "E255K V299L": name the gene in every part, parse as a profile
    toks = var.split()
    if len(toks) > 1 and all(re.match(r"^(p\.)?[A-Z][a-z]{0,2}\d+[A-Za-z*]+$", t) for t in toks):
        var = " AND ".join(toks)
    parts = re.split(r"\s+(AND|OR)\s+", var)
    text = " ".join(p if p in ("AND", "OR") else f"{gene} {p}" for p in parts)
    clauses = parse_profile(text, aliases=aliases)
    if atype == "EXP_UNDER":
        clauses = [[Alteration(a.gene, "expression", "underexpression") if a.kind == "expression" else a for a in c] for c in clauses]
    return [([fusion] if fusion is not None else []) + c for c in clauses]


@doc_params(doc_import_returns=DOC_IMPORT_RETURNS)
def read_civic(path: PathLike, *, source: str = "civic") -> tuple[pd.DataFrame, ImportReport]:
    r"""Read a CIViC evidence dump into evidence records (without touching a KB).

    Parameters
    ----------
    path
        ``ClinicalEvidenceSummaries.tsv`` (CIViC nightly, any year) or the pharmOncoX CSV,
        optionally gzipped.
    source
        Name the items are stored under.

    {doc_import_returns}

    Raises
    ------
    InputError
        When the file is not a CIViC evidence table.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "civic.tsv"
    >>> pd.DataFrame({"molecular_profile": ["EGFR T790M"], "disease": ["Lung Non-small Cell Carcinoma"],
    ...     "therapies": ["Erlotinib"], "therapy_interaction_type": [None], "evidence_type": ["Predictive"],
    ...     "evidence_direction": ["Supports"], "evidence_level": ["A"], "significance": ["Resistance"],
    ...     "citation_id": ["15737014"], "source_type": ["PubMed"], "evidence_id": [238],
    ...     "evidence_statement": ["..."]}).to_csv(p, sep="\t", index=False)
    >>> items, report = read_civic(p)
    >>> items["direction"].tolist(), report.n_kept
    (['resistance'], 1)
    """
    p = Path(path)

    if is_moalmanac(p):
        msg = f"'{p}' is not a CIViC evidence file: it holds JSON (a MOAlmanac release?); import it with --format moalmanac (or auto)."
        raise InputError(msg)
    df = read_table(p, what="CIViC evidence file", dtype=str, keep_default_na=False, na_values=[""])
    cols = set(df.columns)
    if "molecular_profile" in cols:
        layout = "nightly"
    elif {"gene", "variant"} <= cols and ("drugs" in cols or "therapies" in cols):
        layout = "legacy"
    elif {"symbol", "variant", "therapeutic_context"} <= cols:
        layout = "pharmoncox"
    else:
        shown = ", ".join(list(df.columns)[:12])
        msg = (
            f"'{p}' is not a CIViC evidence file: expected columns molecular_profile/therapies (CIViC nightly "
            f"ClinicalEvidenceSummaries.tsv), gene/variant/drugs (older dump) or symbol/variant/therapeutic_context "
            f"(pharmOncoX); found {shown}. Download the evidence TSV from civicdb.org/releases."
        )
        raise InputError(msg)
    required = {
        "nightly": ["evidence_id", "molecular_profile", "evidence_type", "significance", "evidence_level", "disease"],
        "legacy": ["evidence_id", "gene", "variant", "evidence_type", "clinical_significance", "evidence_level", "disease"],
        "pharmoncox": ["evidence_id", "symbol", "variant", "evidence_type", "clinical_significance", "evidence_level", "cancer_type"],
    }[layout]
    from .._core._utils import require_columns

    require_columns(df, required, what="CIViC evidence file", path=p)
    version = _version_from(p, df)
    if layout == "pharmoncox":
        df = _collapse_pharmoncox(df)
    n_rows = int(getattr(df, "attrs", {}).get("n_rows", len(df)))
    report = ImportReport(source, version, str(p), n_rows, len(df))
    records = []
    for r in df.to_dict("records"):
        rec = _record(r, layout, source, report)
        if rec is not None:
            records.append(rec)
    items = pd.DataFrame(
        records,
        columns=[
            "evidence_id", "source", "source_id", "profile", "clauses", "disease_raw", "therapy_names",
            "interaction", "direction", "level", "evidence_type", "mechanism", "summary", "citation",
            "citation_label", "url", "variant_origin",
        ],
    )  # fmt: skip
    report.n_kept = len(items)
    return items, report


def _collapse_pharmoncox(df: pd.DataFrame) -> pd.DataFrame:
    """One row per evidence item: the first non-codon alias row of each ``evidence_id``."""
    n_rows = len(df)
    df = df.copy()
    df["_codon"] = df["alteration_type"].fillna("").str.upper().eq("CODON")
    df["_order"] = range(len(df))
    df = df.sort_values(["evidence_id", "_codon", "_order"]).drop_duplicates("evidence_id", keep="first")
    df = df.sort_values("_order").drop(columns=["_codon", "_order"])
    df.attrs["n_rows"] = n_rows
    return df


def _get(r: dict, *names: str) -> str:
    for n in names:
        v = r.get(n)
        if v is not None and not (isinstance(v, float) and pd.isna(v)) and str(v).strip() != "":
            return str(v).strip()
    return ""


def _record(r: dict, layout: str, source: str, report: ImportReport) -> dict | None:
    eid = _get(r, "evidence_id")
    if not eid:
        report.drop("no evidence ID", _get(r, "molecular_profile", "symbol", "gene") or "(empty row)")
        return None
    eid = eid if eid.upper().startswith("EID") else f"EID{eid}"
    if layout == "nightly":
        profile = _get(r, "molecular_profile")
        sig = _get(r, "significance")
        therapies = _get(r, "therapies")
        interaction_kind = _get(r, "therapy_interaction_type")
        disease = _get(r, "disease")
    elif layout == "legacy":
        profile = f"{_get(r, 'gene')} {_get(r, 'variant')}".strip()
        sig = _get(r, "clinical_significance")
        therapies = _get(r, "drugs", "therapies")
        interaction_kind = _get(r, "drug_interaction_type", "therapy_interaction_type")
        disease = _get(r, "disease")
    else:
        profile = f"{_get(r, 'symbol')} {_get(r, 'variant')}".strip()
        sig = _get(r, "clinical_significance")
        therapies = _get(r, "therapeutic_context")
        interaction_kind = ""
        disease = _get(r, "cancer_type")
    label = f"{eid} {profile}"
    status = _get(r, "evidence_status")
    if status and status.lower() != "accepted":
        report.drop(f"not accepted (status {status.lower()})", label)
        return None
    etype = _get(r, "evidence_type").lower()
    if etype != "predictive":
        report.drop("not predictive (diagnostic / prognostic / predisposing / oncogenic / functional)", f"{label} [{etype or 'none'}]")
        return None
    direction = _SIGNIFICANCE.get(sig.lower())
    if direction is None:
        report.drop("significance is not sensitivity or resistance", f"{label} [{sig or 'none'}]")
        return None
    if _get(r, "evidence_direction").lower() != "supports":
        report.drop("evidence does not support the significance", label)
        return None
    names = _therapy_names(therapies)
    if not names:
        report.drop("no therapy named", label)
        return None
    level = _level(_get(r, "evidence_level"))
    if not level:
        report.drop("no evidence level", label)
        return None
    try:
        if layout == "pharmoncox":
            clauses = _pharmoncox_profile(_get(r, "symbol"), r.get("variant"), _get(r, "alteration_type"), None)
        else:
            clauses = parse_profile(profile)
    except InputError as e:
        reason = str(e)
        if "NOT" in reason:
            report.drop("profile uses NOT (absence of an alteration)", label)
        elif "dbSNP" in reason or re.search(r"\brs\d+", profile, flags=re.IGNORECASE):
            report.drop("variant given as a dbSNP identifier (germline polymorphism)", label)
        else:
            report.drop("variant not understood", label)
        return None
    cid = _get(r, "citation_id")
    stype = _get(r, "source_type").lower()
    if cid and (stype in ("", "pubmed") and cid.isdigit()):
        citation, url = f"PMID:{cid}", f"https://pubmed.ncbi.nlm.nih.gov/{cid}/"
    elif cid:
        citation, url = f"{stype.upper() or 'SOURCE'}:{cid}", _get(r, "evidence_civic_url", "evidence_url")
    else:
        citation, url = "", _get(r, "evidence_civic_url", "evidence_url")
    if not url:
        url = f"https://civicdb.org/links/evidence_items/{eid[3:]}"
    origin = _get(r, "variant_origin").lower()
    note = " (reduced sensitivity)" if sig.lower() == "reduced sensitivity" else ""
    return {
        "evidence_id": f"{source}:{eid}",
        "source": source,
        "source_id": eid,
        "profile": profile,
        "clauses": clauses,
        "disease_raw": disease,
        "therapy_names": names,
        "interaction": _interaction(interaction_kind, len(names)),
        "direction": direction,
        "level": level,
        "evidence_type": "predictive",
        "mechanism": "",
        "summary": (_get(r, "evidence_statement", "evidence_description") + note).strip(),
        "citation": citation,
        "citation_label": _get(r, "citation") or citation,
        "url": url,
        "variant_origin": origin,
    }

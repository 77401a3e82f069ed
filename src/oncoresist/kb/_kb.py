"""The knowledge base: one DuckDB file of biomarkers, drugs, diseases and evidence.

Schema (every table is plain; the KB is small, a few MB with CIViC imported):

- ``meta(key, value)``: schema version, creation / update time, core version.
- ``source(name, version, kind, file, sha256, imported_at, n_read, n_kept, n_dropped, dropped)``
- ``gene(symbol, role, pathway, source)``, ``gene_alias(alias, symbol)``
- ``drug(name, drug_class, targets, approval, source)``, ``drug_synonym(synonym, name)``
- ``disease(name, parent, source, rule)``, ``disease_synonym(synonym, name)``
- ``biomarker(biomarker_id, gene, kind, alteration, partner, label, mtype, pos, end_pos, ref,
  alt, exon, exon_event)``
- ``evidence(evidence_id, source, source_id, profile, disease, disease_raw, therapy,
  interaction, drug_class, direction, level, evidence_type, mechanism, summary, citation,
  citation_label, url, variant_origin)``
- ``evidence_drug(evidence_id, drug)``, ``evidence_biomarker(evidence_id, clause, biomarker_id)``
  (an evidence item applies when every biomarker of one of its clauses is present).

The default file lives in the user's data directory (``$ONCORESIST_KB``, else
``$XDG_DATA_HOME/oncoresist/kb.duckdb``, else ``~/.local/share/oncoresist/kb.duckdb``) and is
built from the shipped curated core on first use.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import os
import re
import warnings
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from .._core._errors import InputError
from .._core._utils import PathLike, atomic_path, sha256_file
from ._alteration import Alteration, parse_alteration
from ._core import CORE_VERSION, core_digest, load_curated_core
from ._match import match_biomarker
from ._report import ImportReport
from ._vocab import MATCHING_RELATIONS, Vocabulary, shipped_table

__all__ = ["KnowledgeBase", "ImportReport", "SCHEMA_VERSION", "default_kb_path", "open_kb", "build_kb"]

#: Version of the table layout; a KB written with another layout must be rebuilt.
SCHEMA_VERSION = "1"

_LEVEL_ORDER = {"A": 0, "B": 1, "C": 2, "D": 3, "E": 4}

_DDL = """
CREATE TABLE meta(key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE source(name VARCHAR PRIMARY KEY, version VARCHAR, kind VARCHAR, file VARCHAR,
    sha256 VARCHAR, imported_at VARCHAR, n_read INTEGER, n_kept INTEGER, n_dropped INTEGER,
    dropped VARCHAR);
CREATE TABLE gene(symbol VARCHAR PRIMARY KEY, role VARCHAR, pathway VARCHAR, source VARCHAR);
CREATE TABLE gene_alias(alias VARCHAR PRIMARY KEY, symbol VARCHAR);
CREATE TABLE drug(name VARCHAR PRIMARY KEY, drug_class VARCHAR, targets VARCHAR,
    approval VARCHAR, source VARCHAR);
CREATE TABLE drug_synonym(synonym VARCHAR PRIMARY KEY, name VARCHAR);
CREATE TABLE disease(name VARCHAR PRIMARY KEY, parent VARCHAR, source VARCHAR, rule VARCHAR);
CREATE TABLE disease_synonym(synonym VARCHAR PRIMARY KEY, name VARCHAR);
CREATE TABLE biomarker(biomarker_id VARCHAR PRIMARY KEY, gene VARCHAR, kind VARCHAR,
    alteration VARCHAR, partner VARCHAR, label VARCHAR, mtype VARCHAR, pos INTEGER,
    end_pos INTEGER, ref VARCHAR, alt VARCHAR, exon INTEGER, exon_event VARCHAR);
CREATE TABLE evidence(evidence_id VARCHAR PRIMARY KEY, source VARCHAR, source_id VARCHAR,
    profile VARCHAR, disease VARCHAR, disease_raw VARCHAR, therapy VARCHAR, interaction VARCHAR,
    drug_class VARCHAR, direction VARCHAR, level VARCHAR, evidence_type VARCHAR,
    mechanism VARCHAR, summary VARCHAR, citation VARCHAR, citation_label VARCHAR, url VARCHAR,
    variant_origin VARCHAR);
CREATE TABLE evidence_drug(evidence_id VARCHAR, drug VARCHAR);
CREATE TABLE evidence_biomarker(evidence_id VARCHAR, clause INTEGER, biomarker_id VARCHAR);
"""

_INDEXES = """
CREATE INDEX IF NOT EXISTS ix_eb_bm ON evidence_biomarker(biomarker_id);
CREATE INDEX IF NOT EXISTS ix_eb_ev ON evidence_biomarker(evidence_id);
CREATE INDEX IF NOT EXISTS ix_bm_gene ON biomarker(gene);
CREATE INDEX IF NOT EXISTS ix_ed_drug ON evidence_drug(drug);
"""


def default_kb_path() -> Path:
    """Where the knowledge base lives unless a path is given.

    ``$ONCORESIST_KB`` when set, else ``$XDG_DATA_HOME/oncoresist/kb.duckdb``, else
    ``~/.local/share/oncoresist/kb.duckdb``.

    Examples
    --------
    >>> default_kb_path().name.endswith(".duckdb") or "ONCORESIST_KB" in __import__("os").environ
    True
    """
    env = os.environ.get("ONCORESIST_KB")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "oncoresist" / "kb.duckdb"


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------------------------
# building
# --------------------------------------------------------------------------------------------
def _insert(con: duckdb.DuckDBPyConnection, sql: str, **frames: pd.DataFrame) -> None:
    """Run ``sql`` with DataFrames registered under the given names (then unregistered)."""
    for name, df in frames.items():
        con.register(name, df)
    try:
        con.execute(sql)
    finally:
        for name in frames:
            con.unregister(name)


def _split(s: str) -> list[str]:
    return [x.strip() for x in str(s or "").split("|") if x.strip()]


def _create(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(_DDL)
    meta_df = pd.DataFrame(
        {"key": ["schema_version", "created", "updated"], "value": [SCHEMA_VERSION, _now(), _now()]}
    )
    _insert(con, "INSERT INTO meta SELECT key, value FROM meta_df", meta_df=meta_df)


def _load_shipped(con: duckdb.DuckDBPyConnection) -> None:
    """Insert or update the shipped vocabularies (genes, drugs, diseases and their synonyms)."""
    from ._vocab import norm_text

    genes = shipped_table("genes")
    _insert(con, "INSERT OR REPLACE INTO gene SELECT symbol, role, pathway, 'core' FROM genes", genes=genes)
    alias_rows = [(a.upper(), r.symbol) for r in genes.itertuples(index=False) for a in _split(r.aliases)]
    alias_rows += [(str(s).upper(), str(s)) for s in genes["symbol"]]
    aliases = pd.DataFrame(alias_rows, columns=["alias", "symbol"]).drop_duplicates("alias")
    _insert(con, "INSERT OR REPLACE INTO gene_alias SELECT alias, symbol FROM aliases", aliases=aliases)
    drugs = shipped_table("drugs")
    _insert(con, "INSERT OR REPLACE INTO drug SELECT name, drug_class, targets, approval, 'core' FROM drugs", drugs=drugs)
    syn = pd.DataFrame(
        [(s.lower(), r.name) for r in drugs.itertuples(index=False) for s in [r.name, *_split(r.synonyms)]],
        columns=["synonym", "name"],
    ).drop_duplicates("synonym")
    _insert(con, "INSERT OR REPLACE INTO drug_synonym SELECT synonym, name FROM syn", syn=syn)
    dis = shipped_table("diseases")
    _insert(con, "INSERT OR REPLACE INTO disease SELECT name, parent, 'core', '' FROM dis", dis=dis)
    dsyn = pd.DataFrame(
        [(norm_text(s), r.name) for r in dis.itertuples(index=False) for s in [r.name, *_split(r.synonyms)]],
        columns=["synonym", "name"],
    ).drop_duplicates("synonym")
    _insert(con, "INSERT OR REPLACE INTO disease_synonym SELECT synonym, name FROM dsyn", dsyn=dsyn)


def _load_core(con: duckdb.DuckDBPyConnection) -> None:
    _load_shipped(con)
    core = load_curated_core()
    rep = ImportReport("core", CORE_VERSION, "oncoresist/kb/data/curated_core.tsv", len(core), len(core))
    digest = core_digest()
    _ingest(con, core, rep, kind="curated", sha256=digest)
    con.execute("INSERT OR REPLACE INTO meta VALUES ('core_version', ?)", [CORE_VERSION])
    con.execute("INSERT OR REPLACE INTO meta VALUES ('core_sha256', ?)", [digest])


def build_kb(path: PathLike | None = None, *, overwrite: bool = False) -> Path:
    """Create a knowledge base file holding the shipped curated core.

    The file is written to a temporary name and renamed into place, so a reader never sees a
    half-built KB.

    Parameters
    ----------
    path
        Destination (default: :func:`default_kb_path`).
    overwrite
        Replace an existing file (its imports are lost).

    Returns
    -------
    pathlib.Path
        The KB file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = build_kb(pathlib.Path(tempfile.mkdtemp()) / "kb.duckdb")
    >>> with open_kb(p) as kb:
    ...     kb.info()["n_evidence"] > 100
    True
    """
    p = Path(path).expanduser() if path is not None else default_kb_path()
    if p.exists() and not overwrite:
        msg = f"knowledge base '{p}' already exists: pass overwrite=True (CLI: --force) to rebuild it from the curated core."
        raise InputError(msg)
    with atomic_path(p, suffix=".duckdb") as tmp:
        tmp.unlink()
        con = duckdb.connect(str(tmp))
        try:
            _create(con)
            _load_core(con)
            con.execute(_INDEXES)
            con.execute("CHECKPOINT")
        finally:
            con.close()
        wal = Path(str(tmp) + ".wal")
        if wal.exists():  # pragma: no cover - CHECKPOINT folds the WAL in
            wal.unlink()
    return p


# --------------------------------------------------------------------------------------------
# ingest (shared by the core loader and importers)
# --------------------------------------------------------------------------------------------
def _vocab_from(con: duckdb.DuckDBPyConnection) -> Vocabulary:
    return Vocabulary.from_frames(
        con.execute("SELECT name, drug_class, targets, approval FROM drug").df(),
        con.execute("SELECT synonym, name FROM drug_synonym").df(),
        con.execute("SELECT name, parent FROM disease").df(),
        con.execute("SELECT synonym, name FROM disease_synonym").df(),
        con.execute("SELECT symbol, role, pathway FROM gene").df(),
        con.execute("SELECT alias, symbol FROM gene_alias").df(),
    )


class _Resolver:
    """Maps therapy and disease names of imported items to KB names, collecting the new ones."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab
        self.new_drugs: dict[str, str] = {}
        self.new_diseases: dict[str, tuple[str, str]] = {}
        self.new_dsyn: dict[str, str] = {}

    def drug(self, name: str) -> tuple[str | None, str | None]:
        """The (drug, class) a therapy name resolves to; an unknown name becomes a new drug."""
        d = self.vocab.resolve_drug(name)
        if d is not None:
            return d, None
        c = self.vocab.resolve_class(name)
        if c is not None:
            return None, c
        key = name.strip().lower()
        if key in self.new_drugs:
            return self.new_drugs[key], None
        self.new_drugs[key] = key
        return key, None

    def disease(self, raw: str) -> str:
        """The KB disease name of a raw disease; an unknown one is placed in the tree as a new disease."""
        from ._vocab import norm_text

        t = norm_text(raw)
        if not t:
            return ""
        if t in self.vocab.disease_synonyms:
            return self.vocab.disease_synonyms[t]
        if t in self.new_dsyn:
            return self.new_dsyn[t]
        parent, rule = self.vocab.place_disease(raw)
        self.new_diseases[t] = (parent, rule)
        self.new_dsyn[t] = t
        return t

    def therapy(self, it: Any) -> tuple[list[str], list[str], str, str]:
        """Drugs, classes, interaction and therapy label of one imported item."""
        drugs: list[str] = []
        classes: list[str] = []
        for name in it.therapy_names:
            if str(name).lower().startswith("class:"):
                c = self.vocab.resolve_class(name) or str(name)[6:].strip()
                classes.append(c)
                continue
            d, c = self.drug(str(name))
            if d is not None:
                drugs.append(d)
            elif c is not None:
                classes.append(c)
        drugs = list(dict.fromkeys(drugs))
        interaction = it.interaction
        if not drugs and classes:
            interaction = "class"
        elif len(drugs) + len(classes) == 1:
            interaction = "single"
        sep = " + " if interaction == "combination" else ", "
        return drugs, classes, interaction, sep.join(drugs + [f"{c} (class)" for c in classes])


def _evidence_frames(items: pd.DataFrame, res: _Resolver, src: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, Alteration]]:
    """The evidence, evidence-drug and evidence-biomarker tables of imported items, and their biomarkers."""
    ev_rows, ed_rows, eb_rows = [], [], []
    biomarkers: dict[str, Alteration] = {}
    for it in items.itertuples(index=False):
        drugs, classes, interaction, therapy = res.therapy(it)
        disease = res.disease(it.disease_raw)
        ev_rows.append(
            (
                it.evidence_id, src, str(it.source_id), it.profile, disease, it.disease_raw, therapy,
                interaction, "|".join(classes), it.direction, it.level, it.evidence_type, it.mechanism,
                it.summary, it.citation, it.citation_label, it.url, it.variant_origin,
            )
        )  # fmt: skip
        ed_rows.extend((it.evidence_id, d) for d in drugs)
        for ci, clause in enumerate(it.clauses):
            for a in clause:
                biomarkers[a.key] = a
                eb_rows.append((it.evidence_id, ci, a.key))
    ev = pd.DataFrame(
        ev_rows,
        columns=[
            "evidence_id", "source", "source_id", "profile", "disease", "disease_raw", "therapy", "interaction",
            "drug_class", "direction", "level", "evidence_type", "mechanism", "summary", "citation",
            "citation_label", "url", "variant_origin",
        ],
    )  # fmt: skip
    ev = ev.drop_duplicates("evidence_id")
    ed = pd.DataFrame(ed_rows, columns=["evidence_id", "drug"]).drop_duplicates()
    eb = pd.DataFrame(eb_rows, columns=["evidence_id", "clause", "biomarker_id"]).drop_duplicates()
    return ev, ed, eb, biomarkers


def _new_biomarker_frame(con: duckdb.DuckDBPyConnection, biomarkers: dict[str, Alteration]) -> pd.DataFrame:
    """The biomarker rows not yet in the KB."""
    known_bm = set(con.execute("SELECT biomarker_id FROM biomarker").df()["biomarker_id"])
    bm = pd.DataFrame(
        [
            (a.key, a.gene, a.kind, a.alteration, a.partner, a.label, a.mtype, a.pos, a.end, a.ref, a.alt, a.exon, a.exon_event)
            for k, a in biomarkers.items()
            if k not in known_bm
        ],
        columns=["biomarker_id", "gene", "kind", "alteration", "partner", "label", "mtype", "pos", "end_pos", "ref", "alt", "exon", "exon_event"],
    )  # fmt: skip
    for c in ("pos", "end_pos", "exon"):
        bm[c] = bm[c].astype("Int64")
    return bm


def _replace_source(con: duckdb.DuckDBPyConnection, src: str, frames: dict[str, pd.DataFrame]) -> None:
    """Delete the rows of source ``src`` and insert ``frames`` in one transaction."""
    con.execute("BEGIN TRANSACTION")
    try:
        old = "SELECT evidence_id FROM evidence WHERE source = ?"
        con.execute(f"DELETE FROM evidence_drug WHERE evidence_id IN ({old})", [src])
        con.execute(f"DELETE FROM evidence_biomarker WHERE evidence_id IN ({old})", [src])
        con.execute("DELETE FROM evidence WHERE source = ?", [src])
        con.execute("DELETE FROM source WHERE name = ?", [src])
        for sql in (
            "INSERT INTO evidence SELECT * FROM ev",
            "INSERT INTO evidence_drug SELECT * FROM ed",
            "INSERT INTO evidence_biomarker SELECT * FROM eb",
            "INSERT INTO biomarker SELECT * FROM bm",
            "INSERT INTO drug SELECT * FROM nd WHERE name NOT IN (SELECT name FROM drug)",
            "INSERT INTO drug_synonym SELECT name, name FROM nd WHERE name NOT IN (SELECT synonym FROM drug_synonym)",
            "INSERT INTO disease SELECT * FROM ndis WHERE name NOT IN (SELECT name FROM disease)",
            "INSERT INTO disease_synonym SELECT * FROM ndsyn WHERE synonym NOT IN (SELECT synonym FROM disease_synonym)",
            "INSERT INTO source SELECT * FROM src_row",
        ):
            used = {k: v for k, v in frames.items() if re.search(rf"\b{k}\b", sql)}
            _insert(con, sql, **used)
        con.execute("INSERT OR REPLACE INTO meta VALUES ('updated', ?)", [_now()])
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def _ingest(
    con: duckdb.DuckDBPyConnection,
    items: pd.DataFrame,
    report: ImportReport,
    *,
    kind: str,
    sha256: str,
) -> None:
    """Replace the rows of ``report.source`` with ``items`` (one transaction)."""
    res = _Resolver(_vocab_from(con))
    src = report.source
    ev, ed, eb, biomarkers = _evidence_frames(items, res, src)
    bm = _new_biomarker_frame(con, biomarkers)
    nd = pd.DataFrame(
        [(n, "", "", "", src) for n in res.new_drugs.values()], columns=["name", "drug_class", "targets", "approval", "source"]
    )
    ndis = pd.DataFrame(
        [(n, p, src, r) for n, (p, r) in res.new_diseases.items()], columns=["name", "parent", "source", "rule"]
    )
    ndsyn = pd.DataFrame(list(res.new_dsyn.items()), columns=["synonym", "name"])
    report.n_kept = len(ev)
    report.n_new_drugs = len(nd)
    report.n_new_diseases = len(ndis)
    report.n_new_biomarkers = len(bm)
    src_row = pd.DataFrame(
        [
            (src, report.version, kind, report.file, sha256, _now(), report.n_items, report.n_kept, report.n_dropped, json.dumps(report.to_dict()))
        ],
        columns=["name", "version", "kind", "file", "sha256", "imported_at", "n_read", "n_kept", "n_dropped", "dropped"],
    )  # fmt: skip
    frames = {"ev": ev, "ed": ed, "eb": eb, "bm": bm, "nd": nd, "ndis": ndis, "ndsyn": ndsyn, "src_row": src_row}
    _replace_source(con, src, frames)


# --------------------------------------------------------------------------------------------
# the KB object
# --------------------------------------------------------------------------------------------
def _resolve_path(path: PathLike | None) -> Path:
    return Path(path).expanduser() if path is not None else default_kb_path()


def open_kb(path: PathLike | None = None, *, read_only: bool = True, create: bool = True) -> KnowledgeBase:
    """Open (and on first use build) the knowledge base.

    Parameters
    ----------
    path
        KB file; default :func:`default_kb_path` (``$ONCORESIST_KB`` overrides it).
    read_only
        Open read-only (several processes may read at once); imports need ``False``.
    create
        Build the KB from the shipped curated core when the file does not exist.

    Returns
    -------
    KnowledgeBase

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with open_kb(pathlib.Path(tempfile.mkdtemp()) / "kb.duckdb") as kb:
    ...     kb.query(gene="EGFR", alteration="T790M", drug="osimertinib")["direction"].iloc[0]
    'sensitivity'
    """
    p = _resolve_path(path)
    if not p.exists():
        if not create:
            msg = f"knowledge base '{p}' does not exist: run 'oncoresist kb info' once to build it, or pass create=True."
            raise InputError(msg)
        with contextlib.suppress(InputError):  # another process may have built it meanwhile
            build_kb(p)
    kb = KnowledgeBase(p, read_only=read_only)
    if kb.meta.get("core_sha256") != core_digest():
        kb._refresh_core()
    return kb


class KnowledgeBase:
    """A knowledge base of drug-response evidence (a DuckDB file).

    Open it with :func:`open_kb`; use it as a context manager or call :meth:`close`.

    Parameters
    ----------
    path
        The KB file (must exist: :func:`open_kb` builds it).
    read_only
        Open read-only.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with open_kb(pathlib.Path(tempfile.mkdtemp()) / "kb.duckdb") as kb:
    ...     sorted(kb.info()["sources"])
    ['core']
    """

    def __init__(self, path: PathLike, *, read_only: bool = True) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._con = self._connect(read_only)
        self._vocab: Vocabulary | None = None
        meta = dict(self._con.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("schema_version") != SCHEMA_VERSION:
            self.close()
            msg = (
                f"knowledge base '{self.path}' has table layout {meta.get('schema_version')!r}, this version of "
                f"oncoresist needs {SCHEMA_VERSION!r}: rebuild it with 'oncoresist kb build --force' and re-import your sources."
            )
            raise InputError(msg)
        self.meta = meta

    def _connect(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        try:
            return duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as e:
            msg = f"cannot open knowledge base '{self.path}': {str(e).splitlines()[0]}. Is another process writing it?"
            raise InputError(msg) from e
        except duckdb.Error as e:
            msg = f"'{self.path}' is not a readable knowledge base ({str(e).splitlines()[0]}): rebuild it with 'oncoresist kb build --force'."
            raise InputError(msg) from e

    # ------------------------------------------------------------------------- housekeeping
    def close(self) -> None:
        """Close the connection."""
        con = getattr(self, "_con", None)
        if con is not None:
            con.close()
            self._con = None  # type: ignore[assignment]

    def __enter__(self) -> KnowledgeBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"KnowledgeBase('{self.path}', version={self.version!r})"

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection (for ad-hoc SQL)."""
        if self._con is None:
            msg = f"knowledge base '{self.path}' is closed: open it again with open_kb()."
            raise InputError(msg)
        return self._con

    def _writable(self) -> None:
        if self.read_only:
            msg = f"knowledge base '{self.path}' is open read-only: open it with open_kb(path, read_only=False) to change it."
            raise InputError(msg)

    def _refresh_core(self) -> None:
        """Reload the shipped curated core (after a package update)."""
        was_ro = self.read_only
        if was_ro:
            self.close()
            try:
                self._con = self._connect(False)
            except InputError:
                self._con = self._connect(True)
                warnings.warn(
                    f"knowledge base '{self.path}' holds curated core {self.meta.get('core_version')}, the package ships "
                    f"{CORE_VERSION}; it could not be updated now (file busy).",
                    UserWarning,
                    stacklevel=3,
                )
                return
        _load_core(self.con)
        self._vocab = None
        self.meta = dict(self.con.execute("SELECT key, value FROM meta").fetchall())
        if was_ro:
            self.close()
            self._con = self._connect(True)

    @property
    def vocab(self) -> Vocabulary:
        """Name resolution (drugs, classes, diseases, gene aliases), cached in memory."""
        if self._vocab is None:
            self._vocab = _vocab_from(self.con)
        return self._vocab

    # ------------------------------------------------------------------------------ version
    def sources(self) -> pd.DataFrame:
        """The sources in the KB: name, version, kind, file, import time, items kept / dropped."""
        return self.con.execute(
            "SELECT name, version, kind, file, imported_at, n_read, n_kept, n_dropped FROM source ORDER BY name"
        ).df()

    @property
    def version(self) -> str:
        """KB version: ``<schema>.<digest of the sources' names, versions and checksums>``."""
        rows = self.con.execute("SELECT name, version, sha256 FROM source ORDER BY name").fetchall()
        digest = hashlib.sha256(json.dumps(rows).encode()).hexdigest()[:10]
        return f"{SCHEMA_VERSION}.{digest}"

    def provenance(self) -> dict[str, Any]:
        """Version and sources, attached to every answer (``DataFrame.attrs['kb']``)."""
        src = self.con.execute("SELECT name, version FROM source ORDER BY name").fetchall()
        return {"version": self.version, "path": str(self.path), "sources": {n: v for n, v in src}}

    def info(self) -> dict[str, Any]:
        """Sizes, version and sources of the KB.

        Returns
        -------
        dict
            ``version``, ``path``, ``sources`` (name -> version), ``n_biomarkers``,
            ``n_drugs``, ``n_diseases``, ``n_genes``, ``n_evidence``, ``by_source``
            (source -> evidence items), ``by_direction``, ``created``, ``updated``.
        """
        q = self.con.execute
        n = {t: q(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("biomarker", "drug", "disease", "gene", "evidence")}
        by_source = dict(q("SELECT source, count(*) FROM evidence GROUP BY source ORDER BY source").fetchall())
        by_dir = dict(q("SELECT direction, count(*) FROM evidence GROUP BY direction ORDER BY direction").fetchall())
        used_bm = q("SELECT count(DISTINCT biomarker_id) FROM evidence_biomarker").fetchone()[0]
        used_drugs = q("SELECT count(DISTINCT drug) FROM evidence_drug").fetchone()[0]
        out = self.provenance()
        out.update(
            {
                "n_biomarkers": n["biomarker"], "n_biomarkers_used": used_bm, "n_drugs": n["drug"],
                "n_drugs_used": used_drugs, "n_diseases": n["disease"], "n_genes": n["gene"],
                "n_evidence": n["evidence"], "by_source": by_source, "by_direction": by_dir,
                "created": self.meta.get("created"), "updated": self.meta.get("updated"),
                "core_version": self.meta.get("core_version"),
            }
        )  # fmt: skip
        return out

    def table(self, name: str) -> pd.DataFrame:
        """One table of the KB as a DataFrame (``evidence``, ``biomarker``, ``drug``, ...)."""
        allowed = {"meta", "source", "gene", "gene_alias", "drug", "drug_synonym", "disease", "disease_synonym", "biomarker", "evidence", "evidence_drug", "evidence_biomarker"}  # fmt: skip
        if name not in allowed:
            msg = f"unknown KB table {name!r}: expected one of {', '.join(sorted(allowed))}."
            raise InputError(msg)
        return self.con.execute(f"SELECT * FROM {name}").df()

    # ------------------------------------------------------------------------------ imports
    def import_civic(self, path: PathLike, *, name: str = "civic", force: bool = False) -> ImportReport:
        """Import a CIViC evidence dump; re-importing replaces the previous rows of ``name``.

        Reads CIViC's nightly ``ClinicalEvidenceSummaries.tsv`` or the pharmOncoX CSV. See
        :func:`oncoresist.kb.read_civic` for what is kept and dropped. A file giving no items,
        or more than 20% fewer than ``name`` holds now (unless ``force``), is refused and the KB
        is left unchanged; items another source name already holds (same CIViC evidence ID)
        are left out.
        """
        from ._civic import read_civic

        self._writable()
        items, report = read_civic(path, source=name)
        return self._import(items, report, path, provider="civic", force=force)

    def import_moalmanac(
        self, path: PathLike, *, name: str = "moalmanac", version: str | None = None, force: bool = False
    ) -> ImportReport:
        """Import a Molecular Oncology Almanac release (JSON); re-importing replaces ``name``.

        See :func:`oncoresist.kb.read_moalmanac` for the mapping of biomarkers and evidence
        levels; the same checks as :meth:`import_civic` apply.

        Examples
        --------
        >>> import json, tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (d / "moa.json").write_text(json.dumps([{"assertion_id": 7, "feature_type": "Copy Number",
        ...     "gene": "AR", "direction": "Amplification", "therapy_name": "Enzalutamide", "therapy_resistance": 1,
        ...     "predictive_implication": "Clinical evidence", "disease": "Prostate Adenocarcinoma"}]))
        >>> with open_kb(d / "kb.duckdb", read_only=False) as kb:
        ...     kb.import_moalmanac(d / "moa.json").n_kept
        1
        """
        from ._moalmanac import read_moalmanac

        self._writable()
        items, report = read_moalmanac(path, source=name, version=version)
        return self._import(items, report, path, provider="moalmanac", force=force)

    def import_file(self, path: PathLike, *, name: str | None = None, force: bool = False) -> ImportReport:
        """Import a CIViC table or a MOAlmanac JSON release, told apart by content.

        ``name`` defaults to ``civic`` or ``moalmanac``.

        Examples
        --------
        >>> import json, tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (d / "export.txt").write_text(json.dumps([{"assertion_id": 7, "feature_type": "Knockdown",
        ...     "gene": "CDK12", "therapy_name": "Olaparib", "therapy_sensitivity": 1,
        ...     "predictive_implication": "Preclinical", "disease": "Ovarian Cancer"}]))
        >>> with open_kb(d / "kb.duckdb", read_only=False) as kb:
        ...     kb.import_file(d / "export.txt").source
        'moalmanac'
        """
        from ._moalmanac import is_moalmanac

        if is_moalmanac(path):
            return self.import_moalmanac(path, name=name or "moalmanac", force=force)
        return self.import_civic(path, name=name or "civic", force=force)

    def _import(self, items: pd.DataFrame, report: ImportReport, path: PathLike, *, provider: str, force: bool) -> ImportReport:
        """Check the items against the stored version, then replace the source (one transaction)."""
        from ._guard import check_import

        name = report.source
        row = self.con.execute("SELECT kind FROM source WHERE name = ?", [name]).fetchone()
        kind = f"import:{provider}"
        if name == "core" or (row is not None and _provider(row[0]) != provider):
            held = "the shipped curated core" if name == "core" else f"items of {_provider(row[0])}"
            msg = f"source name {name!r} already holds {held}: choose another name (CLI: --name) for this {provider} file."
            raise InputError(msg)
        stored = self.con.execute("SELECT count(*) FROM evidence WHERE source = ?", [name]).fetchone()[0]
        others = self.con.execute(
            "SELECT e.source, e.source_id FROM evidence e JOIN source s ON s.name = e.source "
            "WHERE e.source <> ? AND (s.kind = ? OR (s.kind = 'import' AND ? = 'civic'))",
            [name, kind, provider],
        ).df()
        items = check_import(items, report, provider=provider, stored=int(stored), others=others, force=force)
        _ingest(self.con, items, report, kind=kind, sha256=sha256_file(path))
        self._vocab = None
        return report

    # ------------------------------------------------------------------------------ queries
    def evidence(self, genes: list[str] | None = None) -> pd.DataFrame:
        """Evidence items (with their biomarker clauses) touching ``genes`` (all when None).

        Returns a DataFrame with the ``evidence`` columns plus ``drugs`` (list) and
        ``clauses`` (list of lists of :class:`~oncoresist.kb.Alteration`).
        """
        q = self.con.execute
        if genes is None:
            eb = q(
                "SELECT eb.evidence_id, eb.clause, b.* FROM evidence_biomarker eb JOIN biomarker b USING (biomarker_id)"
            ).df()
        else:
            gl = sorted({self.vocab.gene(g) for g in genes})
            self.con.register("gdf", pd.DataFrame({"g": pd.Series(gl, dtype=object)}))
            eb = q(
                """
                SELECT eb.evidence_id, eb.clause, b.* FROM evidence_biomarker eb JOIN biomarker b USING (biomarker_id)
                WHERE eb.evidence_id IN (
                    SELECT eb2.evidence_id FROM evidence_biomarker eb2 JOIN biomarker b2 USING (biomarker_id)
                    WHERE b2.gene IN (SELECT CAST(g AS VARCHAR) FROM gdf)
                       OR b2.partner IN (SELECT CAST(g AS VARCHAR) FROM gdf))
                """
            ).df()
            self.con.unregister("gdf")
        ids = eb["evidence_id"].unique().tolist()
        self.con.register("idf", pd.DataFrame({"evidence_id": pd.Series(ids, dtype=object)}))
        sub = "SELECT CAST(evidence_id AS VARCHAR) FROM idf"
        try:
            ev = q(f"SELECT * FROM evidence WHERE evidence_id IN ({sub})").df()
            ed = q(f"SELECT * FROM evidence_drug WHERE evidence_id IN ({sub})").df()
        finally:
            self.con.unregister("idf")
        drugs = ed.groupby("evidence_id")["drug"].apply(list).to_dict()
        clauses: dict[str, dict[int, list[Alteration]]] = {}
        for r in eb.itertuples(index=False):
            a = Alteration(
                gene=r.gene, kind=r.kind, alteration=r.alteration, partner=r.partner or "", mtype=r.mtype or "",
                pos=None if pd.isna(r.pos) else int(r.pos), end=None if pd.isna(r.end_pos) else int(r.end_pos),
                ref=r.ref or "", alt=r.alt or "", exon=None if pd.isna(r.exon) else int(r.exon), exon_event=r.exon_event or "",
            )  # fmt: skip
            clauses.setdefault(r.evidence_id, {}).setdefault(int(r.clause), []).append(a)
        ev["drugs"] = [drugs.get(e, []) for e in ev["evidence_id"]]
        ev["clauses"] = [[c for _, c in sorted(clauses.get(e, {}).items())] for e in ev["evidence_id"]]
        ev.attrs["kb"] = self.provenance()
        return ev

    def drug_matches(self, drug: str) -> tuple[str | None, str | None]:
        """(canonical drug, its class) for a drug name or synonym; (None, class) for a class."""
        d = self.vocab.resolve_drug(drug)
        if d is not None:
            return d, self.vocab.drug_class.get(d) or None
        return None, self.vocab.resolve_class(drug)

    def query(
        self,
        *,
        gene: str | None = None,
        alteration: str | None = None,
        drug: str | None = None,
        disease: str | None = None,
        direction: str | None = None,
        level: str | None = None,
        source: str | None = None,
        disease_match: str = "applicable",
    ) -> pd.DataFrame:
        """Evidence matching a gene / alteration / drug / disease.

        Parameters
        ----------
        gene
            Gene symbol or alias (``HER2``); may be omitted when ``alteration`` names the gene.
        alteration
            Any notation (``T790M``, ``p.Thr790Met``, ``exon 19 deletion``, ``amplification``);
            evidence for broader biomarkers that cover it is included (``KRAS G12`` for
            ``G12D``), with the ``match`` column saying how.
        drug
            Drug name or synonym (evidence for its class counts), or a drug class.
        disease
            Tumour type; with ``disease_match='applicable'`` only evidence whose disease is the
            same, broader, a subtype or pan-cancer is returned; ``'any'`` keeps all and adds
            ``disease_relation``.
        direction
            ``sensitivity`` or ``resistance``.
        level
            Weakest level kept (``'B'`` keeps A and B).
        source
            Only this source (``core``, ``civic``).
        disease_match
            ``applicable`` or ``any``.

        Returns
        -------
        pandas.DataFrame
            One row per evidence item, best first; ``attrs['kb']`` holds the KB version and
            sources used.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> with open_kb(pathlib.Path(tempfile.mkdtemp()) / "kb.duckdb") as kb:
        ...     res = kb.query(alteration="KRAS G12D", drug="cetuximab")
        >>> sorted(set(res["direction"]))
        ['resistance']
        """
        v = self.vocab
        g, observed = _observed_alteration(v, gene, alteration)
        if g is None and drug is None and disease is None:
            msg = "query needs at least one of gene, alteration, drug or disease (e.g. gene='EGFR', drug='gefitinib')."
            raise InputError(msg)
        ev = self.evidence([g] if g else None)
        if observed is not None and observed.kind == "fusion" and observed.partner:
            ev = pd.concat([ev, self.evidence([observed.partner])]).drop_duplicates("evidence_id")
        out = ev.merge(_biomarker_hits(ev, g, observed), on="evidence_id", how="inner")
        if drug:
            out = self._filter_drug(out, drug)
        if disease:
            out = _filter_disease(v, out, disease, disease_match)
        out = _filter_attributes(out, direction=direction, level=level, source=source)
        out = _rank_evidence(out)
        out.attrs["kb"] = self.provenance()
        return out

    def _filter_drug(self, out: pd.DataFrame, drug: str) -> pd.DataFrame:
        """Evidence rows naming ``drug`` (or its class), with a ``drug_match`` column."""
        v = self.vocab
        d, cls = self.drug_matches(drug)
        if d is None and cls is None:
            msg = f"unknown drug {drug!r}: not a drug name, synonym or class in the knowledge base (see 'oncoresist kb info')."
            raise InputError(msg)
        in_drugs = out["drugs"].map(lambda ds: d in ds) if d else pd.Series(False, index=out.index)
        by_class = out["drug_class"].fillna("").str.lower().str.split("|").map(
            lambda cs: bool(cls) and cls.lower() in cs
        )
        if d is None:  # a class was asked: every member drug counts
            members = set(v.drugs_of_class(cls or ""))
            in_drugs = out["drugs"].map(lambda ds: bool(members & set(ds)))
        out = out[in_drugs | by_class].copy()
        out["drug_match"] = ["drug" if x else "class" for x in in_drugs[out.index]]
        return out


def _observed_alteration(v: Vocabulary, gene: str | None, alteration: str | None) -> tuple[str | None, Alteration | None]:
    """The canonical gene and the parsed alteration of a query (either may be ``None``)."""
    observed: Alteration | None = None
    g = v.gene(gene) if gene else None
    if alteration:
        try:
            observed = parse_alteration(alteration, gene=g, aliases=v.gene_aliases) if g else parse_alteration(alteration, aliases=v.gene_aliases)
        except InputError:
            if g is None:
                raise
            observed = parse_alteration(f"{g} {alteration}", aliases=v.gene_aliases)
        g = observed.gene
    return g, observed


def _biomarker_hits(ev: pd.DataFrame, g: str | None, observed: Alteration | None) -> pd.DataFrame:
    """Evidence IDs whose biomarker covers the queried gene / alteration, with match, note and co-requirements."""
    rows = []
    for r in ev.itertuples(index=False):
        match, note, requires = "", "", []
        if g is not None:
            best = None
            for clause in r.clauses:
                for a in clause:
                    if observed is not None:
                        m = match_biomarker(a, observed)
                        if m is not None and (best is None or m.weight > best[0].weight):
                            best = (m, clause, a)
                    elif a.gene == g or a.partner == g:
                        if best is None:
                            best = (None, clause, a)
            if best is None:
                continue
            m, clause, a = best
            match = m.quality if m is not None else "gene"
            note = m.note if m is not None else ""
            requires = [x.label for x in clause if x is not a]
        rows.append((r.evidence_id, match, note, "; ".join(requires)))
    return pd.DataFrame(rows, columns=["evidence_id", "match", "match_note", "requires"])


def _filter_disease(v: Vocabulary, out: pd.DataFrame, disease: str, disease_match: str) -> pd.DataFrame:
    """Add ``disease_relation`` and, with ``disease_match='applicable'``, keep the applicable rows."""
    pd_name, how = v.resolve_disease(disease)
    if pd_name is None:
        msg = f"unknown tumour type {disease!r}: use a name such as 'non-small cell lung cancer', 'NSCLC', 'colorectal cancer' (see the disease table)."
        raise InputError(msg)
    out["disease_relation"] = [v.relation(pd_name, e) for e in out["disease"]]
    if disease_match == "applicable":
        out = out[out["disease_relation"].isin(MATCHING_RELATIONS)]
    return out


def _filter_attributes(out: pd.DataFrame, *, direction: str | None, level: str | None, source: str | None) -> pd.DataFrame:
    """Keep the rows of the asked direction, at least the asked level and from the asked source."""
    if direction:
        if direction not in ("sensitivity", "resistance"):
            msg = f"direction must be 'sensitivity' or 'resistance', got {direction!r}."
            raise InputError(msg)
        out = out[out["direction"] == direction]
    if level:
        lv = _check_level(level)
        out = out[out["level"].map(lambda x: _LEVEL_ORDER.get(x, 9) <= _LEVEL_ORDER[lv])]
    if source:
        out = out[out["source"] == source]
    return out


def _rank_evidence(out: pd.DataFrame) -> pd.DataFrame:
    """Sort best match, then strongest level first; drop helper columns and join the drug lists."""
    from ._match import MATCH_WEIGHT

    out = out.assign(
        _lv=out["level"].map(lambda x: _LEVEL_ORDER.get(x, 9)),
        _mw=-out["match"].map(lambda m: MATCH_WEIGHT.get(m, 0.0)),
    ).sort_values(["_mw", "_lv", "source", "evidence_id"])
    out = out.drop(columns=["_lv", "_mw", "clauses"]).reset_index(drop=True)
    out["drugs"] = out["drugs"].map(lambda ds: ", ".join(ds))
    return out


def _check_level(level: str) -> str:
    """The level letter, or an :class:`InputError` listing the allowed levels."""
    lv = str(level).strip().upper()
    if lv not in _LEVEL_ORDER:
        msg = (
            f"level must be one of A, B, C, D, E (A validated / guideline, B clinical, C case reports, "
            f"D preclinical, E inferential; 'B' keeps A and B), got {level!r}."
        )
        raise InputError(msg)
    return lv


def _provider(kind: str) -> str:
    """The provider of a source from its stored kind (``import:civic`` -> ``civic``)."""
    if kind == "import":  # KBs written before providers were recorded held CIViC only
        return "civic"
    return kind.split(":", 1)[1] if kind.startswith("import:") else kind

"""Pseudonymised reports: stable salted pseudonyms replace sample IDs; the key is kept apart.

A pseudonym is ``PT-`` plus the first 10 hex digits of HMAC-SHA256(salt, sample ID): the same salt
always gives the same pseudonym, and without the salt a pseudonym cannot be traced back to an ID.
The cohort is pseudonymised *before* anything is drawn or rendered (figures carry pseudonyms too);
every written text file is then scrubbed once more for any ID that a free-text field kept.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._core._errors import InputError
from .._core._utils import PathLike, atomic_write_text, read_table, write_csv

__all__ = [
    "KEY_COLUMNS",
    "Pseudonymiser",
    "key_location",
    "pseudonym",
    "pseudonymise_cohort",
    "scrub_files",
    "scrub_text",
    "start_pseudonyms",
]

KEY_COLUMNS = ("pseudonym", "sample_id", "salt")
_DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+")


def pseudonym(sample_id: Any, salt: str, *, length: int = 10) -> str:
    """The pseudonym of one sample ID: ``PT-`` + HMAC-SHA256(salt, ID) hex digits.

    Parameters
    ----------
    sample_id
        The real sample ID.
    salt
        The secret salt (the same salt always gives the same pseudonym).
    length
        Hex digits kept.

    Returns
    -------
    str

    Examples
    --------
    >>> pseudonym("SIM-0001", "s3cret") == pseudonym("SIM-0001", "s3cret") != pseudonym("SIM-0001", "other")
    True
    >>> len(pseudonym("SIM-0001", "s3cret"))
    13
    """
    digest = hmac.new(str(salt).encode("utf-8"), str(sample_id).encode("utf-8"), hashlib.sha256).hexdigest()
    return f"PT-{digest[:length]}"


class Pseudonymiser:
    """Sample ID -> pseudonym for one salt, with the key file that maps them back.

    Parameters
    ----------
    salt
        Secret salt; None draws a random one (written with the key).

    Examples
    --------
    >>> p = Pseudonymiser("s3cret")
    >>> p.map(["P1", "P2"])["P1"] == pseudonym("P1", "s3cret")
    True
    """

    def __init__(self, salt: str | None = None) -> None:
        self.salt = str(salt) if salt is not None else secrets.token_hex(16)
        self.mapping: dict[str, str] = {}

    def map(self, ids: Iterable[Any]) -> dict[str, str]:
        """Add ``ids`` to the mapping (unique pseudonyms guaranteed) and return the whole mapping."""
        for i in map(str, ids):
            if i in self.mapping:
                continue
            length = 10
            name = pseudonym(i, self.salt, length=length)
            while name in self.mapping.values():  # a collision of 40 bits: take more digits
                length += 4
                name = pseudonym(i, self.salt, length=length)
            self.mapping[i] = name
        return self.mapping

    @classmethod
    def from_key(cls, path: PathLike, salt: str | None = None) -> Pseudonymiser:
        """Reuse the salt (and entries) of an existing key file, so pseudonyms stay stable across runs."""
        key = read_table(path, what="pseudonym key", dtype=str, keep_default_na=False)
        missing = [c for c in KEY_COLUMNS if c not in key.columns]
        if missing:
            msg = f"pseudonym key '{path}' lacks column(s) {', '.join(missing)}: expected {', '.join(KEY_COLUMNS)}; give another --key-file."
            raise InputError(msg)
        salts = sorted(set(key["salt"]))
        if len(salts) != 1 or (salt is not None and str(salt) != salts[0]):
            msg = (f"pseudonym key '{path}' was made with another salt than --salt: pseudonyms would not match; "
                   "give the salt of that key, leave --salt out to reuse it, or choose another --key-file.")  # fmt: skip
            raise InputError(msg)
        out = cls(salts[0])
        out.mapping = dict(zip(key["sample_id"], key["pseudonym"]))
        return out

    def write_key(self, path: PathLike) -> Path:
        """Write the key (pseudonym, sample_id, salt) atomically as CSV."""
        rows = pd.DataFrame({"pseudonym": list(self.mapping.values()), "sample_id": list(self.mapping), "salt": self.salt})
        write_csv(rows.sort_values("pseudonym"), path)
        return Path(path)


def key_location(key_file: PathLike | None, report_dir: PathLike) -> Path:
    """The key file: ``key_file`` or ``report_dir/../pseudonym_key.csv``; refused inside ``report_dir``.

    Examples
    --------
    >>> key_location(None, "out/report").as_posix()
    'out/pseudonym_key.csv'
    """
    rd = Path(report_dir).resolve()
    path = Path(key_file) if key_file is not None else Path(report_dir).parent / "pseudonym_key.csv"
    full = path.resolve()
    if full == rd or rd in full.parents:
        msg = (f"--key-file '{path}' is inside the report folder '{report_dir}': the key links pseudonyms to real sample IDs "
               "and must be kept apart; choose a path outside it (default: next to the report folder).")  # fmt: skip
        raise InputError(msg)
    return path


def _map_value(v: Any, mapping: Mapping[str, str]) -> Any:
    """A value that is exactly a sample ID becomes its pseudonym; anything else stays."""
    return mapping.get(v, v) if isinstance(v, str) else v


def _map_frame(df: pd.DataFrame, mapping: Mapping[str, str]) -> pd.DataFrame:
    """Index, column names and text cells that are sample IDs, replaced."""
    df = df.copy()
    df.index = pd.Index([_map_value(i, mapping) for i in df.index], name=df.index.name)
    df.columns = pd.Index([_map_value(c, mapping) for c in df.columns], name=df.columns.name)
    for c in df.columns:
        s = df[c]
        if (s.dtype == object or isinstance(s.dtype, pd.CategoricalDtype | pd.StringDtype)) and s.astype(str).isin(mapping.keys()).any():
            df[c] = pd.Series([_map_value(v, mapping) for v in s.astype(object)], index=df.index, dtype=object)
    return df


def _map_uns(obj: Any, mapping: Mapping[str, str]) -> Any:
    """Walk an ``.uns`` value: tables, dicts (keys too), lists and text arrays; exact IDs replaced."""
    if isinstance(obj, pd.DataFrame):
        return _map_frame(obj, mapping)
    if isinstance(obj, pd.Series):
        return pd.Series([_map_value(v, mapping) for v in obj], index=[_map_value(i, mapping) for i in obj.index], name=obj.name)
    if isinstance(obj, Mapping):
        return {_map_value(k, mapping): _map_uns(v, mapping) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return type(obj)(_map_uns(v, mapping) for v in obj)
    if isinstance(obj, np.ndarray) and obj.dtype.kind in "OUS":
        return np.array([_map_uns(v.decode() if isinstance(v, bytes) else v, mapping) for v in obj.ravel()], dtype=object).reshape(obj.shape)
    if isinstance(obj, str):
        return mapping.get(obj, obj)
    return obj


def _map_anndata(a: Any, mapping: Mapping[str, str]) -> None:
    """Rename one modality's samples in place (obs names, obs cells, uns)."""
    a.obs_names = [mapping.get(str(i), str(i)) for i in a.obs_names]
    a.obs = _map_frame(a.obs, mapping) if a.obs.shape[1] else a.obs
    for k in list(a.uns.keys()):
        a.uns[k] = _map_uns(a.uns[k], mapping)


def pseudonymise_cohort(mdata: Any, mapping: Mapping[str, str]) -> Any:
    """A copy of the cohort with every sample ID replaced by its pseudonym.

    Sample names of the cohort and of each layer, text cells of ``obs`` equal to an ID (e.g. a
    patient column) and ``.uns`` tables / lists / dict keys holding IDs are all renamed, so pages,
    figures and exports made from the copy show pseudonyms only.

    Parameters
    ----------
    mdata
        The cohort (left unchanged).
    mapping
        Sample ID -> pseudonym (e.g. :meth:`Pseudonymiser.map`).

    Returns
    -------
    mudata.MuData
        The pseudonymised copy.

    Examples
    --------
    >>> import anndata as ad, mudata as md, numpy as np, pandas as pd
    >>> a = ad.AnnData(np.ones((2, 1)), obs=pd.DataFrame(index=["P1", "P2"]))
    >>> a.uns["variants"] = pd.DataFrame({"sample": ["P1", "P2"], "gene": ["EGFR", "KRAS"]})
    >>> c = pseudonymise_cohort(md.MuData({"mut": a}), {"P1": "PT-a", "P2": "PT-b"})
    >>> list(c.obs_names), list(c.mod["mut"].uns["variants"]["sample"])
    (['PT-a', 'PT-b'], ['PT-a', 'PT-b'])
    """
    out = mdata.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # mudata's notes on shared feature names
        for a in out.mod.values():
            _map_anndata(a, mapping)
        out.obs_names = [mapping.get(str(i), str(i)) for i in out.obs_names]
        out.obs = _map_frame(out.obs, mapping) if out.obs.shape[1] else out.obs
        for k in list(out.uns.keys()):
            out.uns[k] = _map_uns(out.uns[k], mapping)
    return out


def _id_pattern(ids: Iterable[str]) -> re.Pattern[str] | None:
    """One regex matching any ID as a whole token (not inside a longer word or number), longest first."""
    ids = sorted({i for i in ids if i}, key=len, reverse=True)
    if not ids:
        return None
    return re.compile(r"(?<![A-Za-z0-9_])(?:" + "|".join(map(re.escape, ids)) + r")(?![A-Za-z0-9_])")


def scrub_text(text: str, mapping: Mapping[str, str]) -> tuple[str, int]:
    """Replace every sample ID left in ``text`` by its pseudonym (inline images are left alone).

    Parameters
    ----------
    text
        Page or table text.
    mapping
        Sample ID -> pseudonym.

    Returns
    -------
    tuple
        The scrubbed text and the number of replacements.

    Examples
    --------
    >>> scrub_text("P1 and P10 (P1)", {"P1": "PT-a"})
    ('PT-a and P10 (PT-a)', 2)
    """
    pat = _id_pattern(mapping)
    if pat is None:
        return text, 0
    n = 0

    def _sub(chunk: str) -> str:
        nonlocal n
        new, k = pat.subn(lambda m: mapping[m.group(0)], chunk)
        n += k
        return new

    parts, last = [], 0
    for m in _DATA_URI.finditer(text):
        parts += [_sub(text[last : m.start()]), m.group(0)]
        last = m.end()
    parts.append(_sub(text[last:]))
    return "".join(parts), n


def scrub_files(paths: Iterable[PathLike], mapping: Mapping[str, str]) -> dict[Path, Path]:
    """Scrub written text files (HTML, CSV, JSON, TXT) and rename those whose name holds an ID.

    Parameters
    ----------
    paths
        Written files (folders are walked).
    mapping
        Sample ID -> pseudonym.

    Returns
    -------
    dict
        Old path -> new path of every file (the same path when the name held no ID).
    """
    files: list[Path] = []
    for p in map(Path, paths):
        files.extend(sorted(q for q in p.rglob("*") if q.is_file()) if p.is_dir() else [p])
    moved = {}
    for f in files:
        if f.suffix.lower() in (".html", ".htm", ".csv", ".tsv", ".json", ".txt", ".md"):
            text, n = scrub_text(f.read_text(encoding="utf-8"), mapping)
            if n:
                atomic_write_text(f, text)
        new_name, n_name = scrub_text(f.name, mapping)
        target = f.with_name(new_name) if n_name else f
        if target != f:
            if target.exists():
                msg = f"cannot rename '{f}' to its pseudonymised name: '{target}' exists already; remove it or write elsewhere."
                raise InputError(msg)
            f.replace(target)
        moved[f] = target
    return moved


def start_pseudonyms(ids: Iterable[Any], *, salt: str | None, key_file: PathLike | None, report_dir: PathLike) -> tuple[Pseudonymiser, Path]:
    """The pseudonymiser of a run and where its key goes (an existing key's salt is reused).

    Parameters
    ----------
    ids
        Sample IDs to pseudonymise.
    salt
        ``--salt`` (None: the existing key's salt, else a random one).
    key_file
        ``--key-file`` (None: ``report_dir/../pseudonym_key.csv``).
    report_dir
        The folder the pages go to (the key is refused inside it).

    Returns
    -------
    tuple
        The :class:`Pseudonymiser` (IDs mapped) and the key path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> p, key = start_pseudonyms(["P1"], salt="s", key_file=None, report_dir=d / "report")
    >>> key == d / "pseudonym_key.csv", p.mapping["P1"] == pseudonym("P1", "s")
    (True, True)
    """
    key = key_location(key_file, report_dir)
    p = Pseudonymiser.from_key(key, salt) if key.is_file() else Pseudonymiser(salt)
    p.map(ids)
    return p, key

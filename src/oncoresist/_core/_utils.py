"""Small shared helpers: atomic writes, tolerant text-table reading, sample-ID cleaning, progress."""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any, TypeVar

import numpy as np
import pandas as pd

from ._errors import InputError

T = TypeVar("T")

PathLike = str | os.PathLike[str]

#: Encodings tried in order when a text file is not valid UTF-8 (clinical sheets exported from
#: Excel are often Windows-1252).
_ENCODINGS = ("utf-8", "cp1252", "latin-1")


# --------------------------------------------------------------------------------------------
# atomic writes
# --------------------------------------------------------------------------------------------
@contextlib.contextmanager
def atomic_path(path: PathLike, *, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only on success.

    A crash (or exception) inside the block removes the temporary file and leaves any existing
    ``path`` untouched, so a reader never sees a half-written cohort, model or report.

    Parameters
    ----------
    path
        Final destination.
    suffix
        Suffix of the temporary file (defaults to the destination's suffixes, so libraries that
        look at the extension, such as h5py or matplotlib, behave as for the real file).

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "table.csv"
    >>> with atomic_path(out) as tmp:
    ...     pd.DataFrame({"a": [1]}).to_csv(tmp, index=False)
    >>> out.exists()
    True
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix is None:
        suffix = "".join(path.suffixes) or ".tmp"
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=f".tmp{suffix}", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the file the usual permissions
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def atomic_write_text(path: PathLike, text: str, *, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` atomically (temp file + rename)."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding=encoding)


def write_csv(df: pd.DataFrame, path: PathLike, *, index: bool = False, **kwargs: Any) -> None:
    """Write a DataFrame as CSV (or TSV for ``.tsv``/``.txt``; gzip for ``.gz``) atomically."""
    path = Path(path)
    name = path.name.lower().removesuffix(".gz")
    sep = "\t" if name.endswith((".tsv", ".txt")) else ","
    with atomic_path(path) as tmp:
        df.to_csv(tmp, sep=sep, index=index, compression="gzip" if path.name.endswith(".gz") else None, **kwargs)


# --------------------------------------------------------------------------------------------
# reading text tables
# --------------------------------------------------------------------------------------------
def check_file(path: PathLike, *, what: str = "file") -> Path:
    """Return ``path`` as a :class:`~pathlib.Path`, raising a clear error if it cannot be read."""
    p = Path(path).expanduser()
    if not p.exists():
        msg = f"{what} '{p}' does not exist: check the path (relative paths are resolved from {Path.cwd()})."
        raise InputError(msg)
    if p.is_dir():
        msg = f"{what} '{p}' is a folder, expected a file."
        raise InputError(msg)
    if not os.access(p, os.R_OK):
        msg = f"{what} '{p}' is not readable: check its permissions."
        raise InputError(msg)
    return p


def read_bytes(path: PathLike) -> bytes:
    """Read a file's bytes, transparently gunzipping ``.gz`` (or gzip-magic) files."""
    p = check_file(path)
    try:
        raw = p.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
    except (OSError, EOFError) as e:
        msg = f"cannot read '{p}': {e}. Is it a complete (and, for .gz, valid gzip) file?"
        raise InputError(msg) from e
    return raw


def read_text(path: PathLike) -> str:
    """Read a (possibly gzipped) text file, trying UTF-8, then Windows-1252, then Latin-1."""
    raw = read_bytes(path)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    for enc in _ENCODINGS:
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1", errors="replace")  # pragma: no cover - latin-1 never fails


def open_text(path: PathLike) -> IO[str]:
    """Open a (possibly gzipped) text file as a text stream with tolerant decoding."""
    return io.StringIO(read_text(path))


def sniff_sep(text: str, path: PathLike | None = None) -> str:
    """Guess the column separator (tab, comma or semicolon) from a file's first lines."""
    name = str(path).lower().removesuffix(".gz") if path is not None else ""
    if name.endswith((".tsv", ".txt", ".maf", ".cct", ".cbt", ".seg", ".gct", ".bed")):
        return "\t"
    lines = [ln for ln in text.splitlines()[:20] if ln and not ln.startswith("#")]
    if not lines:
        return ","
    counts = {s: min(ln.count(s) for ln in lines[:5]) for s in ("\t", ",", ";")}
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] > 0 else ","


def read_table(
    path: PathLike,
    *,
    sep: str | None = None,
    comment: str | None = None,
    what: str = "table",
    **kwargs: Any,
) -> pd.DataFrame:
    """Read a CSV/TSV (optionally gzipped) with tolerant encoding and separator detection.

    Parameters
    ----------
    path
        File to read.
    sep
        Column separator; detected from the extension / content when ``None``.
    comment
        Lines starting with this character are skipped.
    what
        What the file is, for error messages (e.g. ``"MAF"``).
    **kwargs
        Passed to :func:`pandas.read_csv`.
    """
    text = read_text(path)
    if not text.strip():
        msg = f"{what} '{path}' is empty: expected a header line and at least one data row."
        raise InputError(msg)
    if sep is None:
        sep = sniff_sep(text, path)
    kwargs.setdefault("low_memory", False)
    try:
        return pd.read_csv(io.StringIO(text), sep=sep, comment=comment, **kwargs)
    except (pd.errors.ParserError, ValueError) as e:
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        msg = f"cannot parse {what} '{path}' as a {'tab' if sep == chr(9) else repr(sep)}-separated table: {first}."
        raise InputError(msg) from e


def require_columns(df: pd.DataFrame, columns: Sequence[str], *, what: str, path: PathLike | None = None) -> None:
    """Raise :class:`InputError` listing the required ``columns`` missing from ``df``."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        where = f" '{path}'" if path is not None else ""
        shown = ", ".join(map(str, list(df.columns)[:15]))
        more = ", ..." if df.shape[1] > 15 else ""
        msg = (
            f"{what}{where} lacks required column(s) {', '.join(map(repr, missing))}; "
            f"found: {shown}{more}. Rename the columns or pass the column names as options."
        )
        raise InputError(msg)


def find_column(df: pd.DataFrame, candidates: Iterable[str]) -> str | None:
    """Return the first column of ``df`` matching one of ``candidates`` (case-insensitive)."""
    lower = {str(c).lower(): c for c in df.columns}
    for c in candidates:
        if c in df.columns:
            return c
        if c.lower() in lower:
            return lower[c.lower()]
    return None


# --------------------------------------------------------------------------------------------
# sample IDs
# --------------------------------------------------------------------------------------------
def clean_ids(ids: Iterable[Any], *, pattern: str | None = None) -> pd.Index:
    """Clean sample IDs: strip whitespace and quotes and, with ``pattern``, keep a regex capture.

    Parameters
    ----------
    ids
        Raw identifiers.
    pattern
        Optional regular expression; the first capture group (or the whole match) becomes the
        ID, e.g. ``r"^(.*)_T$"`` turns ``C3L-00006_T`` into ``C3L-00006``. IDs that do not match
        are kept as they are.

    Examples
    --------
    >>> list(clean_ids([" S1 ", "'S2'", "C3L-00006_T"], pattern=r"^(.*)_T$"))
    ['S1', 'S2', 'C3L-00006']
    """
    out = [str(i).strip().strip("\"'").strip() for i in ids]
    if pattern:
        rx = re.compile(pattern)
        cleaned = []
        for s in out:
            m = rx.search(s)
            if m:
                cleaned.append(m.group(1) if m.groups() else m.group(0))
            else:
                cleaned.append(s)
        out = cleaned
    return pd.Index(out, dtype=object)


def check_unique(index: pd.Index, *, what: str, path: PathLike | None = None) -> None:
    """Raise :class:`InputError` naming duplicated IDs in ``index``."""
    dup = index[index.duplicated()].unique()
    if len(dup):
        where = f" in '{path}'" if path is not None else ""
        shown = ", ".join(map(str, dup[:5])) + (", ..." if len(dup) > 5 else "")
        msg = (
            f"duplicated {what} ID(s){where}: {shown} ({len(dup)} in all). "
            "Each ID must appear once: remove or rename the duplicates (or aggregate them first)."
        )
        raise InputError(msg)


def to_numeric_frame(df: pd.DataFrame, *, what: str, path: PathLike | None = None) -> pd.DataFrame:
    """Convert every column of ``df`` to float, naming the first non-numeric cell on failure.

    Empty cells and the usual missing-value spellings (NA, NaN, null, ., -) become NaN.
    """
    na_tokens = {"", "na", "nan", "n/a", "null", "none", ".", "-", "#n/a", "inf_missing"}
    out = {}
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_numeric_dtype(s):
            out[col] = s.astype(float)
            continue
        st = s.astype(str).str.strip()
        st = st.where(~st.str.lower().isin(na_tokens), np.nan)
        num = pd.to_numeric(st, errors="coerce")
        bad = num.isna() & st.notna()
        if bad.any():
            row = bad.idxmax()
            where = f" in '{path}'" if path is not None else ""
            msg = (
                f"non-numeric value {st[row]!r}{where} at feature/sample {row!r}, column {col!r} of the "
                f"{what} layer: expected numbers (empty / NA for missing). Fix or blank the cell."
            )
            raise InputError(msg)
        out[col] = num.astype(float)
    return pd.DataFrame(out, index=df.index)


# --------------------------------------------------------------------------------------------
# progress
# --------------------------------------------------------------------------------------------
def progress(iterable: Iterable[T], *, description: str = "", total: int | None = None, quiet: bool = False) -> Iterator[T]:
    """Iterate with a rich progress bar on stderr (nothing when ``quiet`` or not a terminal)."""
    import sys

    if quiet or not sys.stderr.isatty():
        yield from iterable
        return
    from rich.progress import track

    yield from track(iterable, description=description, total=total, transient=True, console=_stderr_console())


def _stderr_console():  # noqa: ANN202
    from rich.console import Console

    return Console(stderr=True)

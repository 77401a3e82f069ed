"""Small shared helpers: atomic writes, tolerant text-table reading, sample-ID cleaning, progress."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import os
import re
import tempfile
import zlib
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
    ``path`` untouched, so a reader never sees a half-written cohort, model or report. The
    temporary file's name carries the writing process's ID; temporary files of ``path`` left by
    a killed run (its process no longer exists) are removed when the same output is written again.

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
    remove_stale_temps(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.{_writer_tag()}.", suffix=f".tmp{suffix}", dir=path.parent)
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


#: Temporary files without a writer tag (older versions) older than this many seconds are stale.
_STALE_TEMP_SECONDS = 3600.0
#: Temporary files written from another machine (shared file system) older than this are stale.
_STALE_OTHER_HOST_SECONDS = 86400.0


def _host() -> str:
    """The name of this machine, reduced to characters safe in a file name."""
    import socket

    return re.sub(r"[^A-Za-z0-9_]", "_", socket.gethostname())[:40] or "host"


def _writer_tag() -> str:
    """``PID@HOST`` of this process, put in temporary file names to tell a killed writer's files."""
    return f"{os.getpid()}@{_host()}"


def _process_alive(pid: int) -> bool:
    """Whether a process with this ID exists on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, OverflowError):
        return True  # exists but belongs to someone else (or cannot be checked): keep its file
    return True


def _is_stale(tmp: Path, tag: str) -> bool:
    """Whether a temporary file with writer tag ``tag`` was left by a writer that is gone."""
    import time

    pid, _, host = tag.partition("@")
    if host == _host() and pid.isdigit():
        return not _process_alive(int(pid))
    age = time.time() - tmp.stat().st_mtime
    return age > (_STALE_OTHER_HOST_SECONDS if host else _STALE_TEMP_SECONDS)


def remove_stale_temps(path: PathLike) -> list[Path]:
    """Remove temporary files of ``path`` left by killed runs of :func:`atomic_path`; return them.

    A temporary file ``.NAME.PID@HOST.<random>.tmp...`` written on this machine is stale when
    process PID no longer exists; one written on another machine (a shared file system) when it
    is over a day old; one without a writer tag (older versions) when it is over an hour old.
    Files of running writers are kept, so two runs writing the same output do not disturb each
    other.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / f".c.h5mu.999999999@{_host()}.ab12.tmp.h5mu").write_text("half")
    >>> len(remove_stale_temps(d / "c.h5mu"))
    1
    """
    import glob

    path = Path(path)
    if not path.parent.is_dir():
        return []
    lead = f".{path.name}."
    removed = []
    for tmp in path.parent.glob(f"{glob.escape(lead)}*.tmp*"):
        tag = tmp.name[len(lead):].split(".", 1)[0]
        try:
            if _is_stale(tmp, tag if "@" in tag else "") and tmp.is_file():
                tmp.unlink()
                removed.append(tmp)
        except OSError:
            continue  # vanished meanwhile or not ours to remove
    return removed


_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def is_hdf5(path: PathLike) -> bool:
    r"""Whether ``path`` is an HDF5 file (``.h5mu``, ``.h5ad``, ``.h5``), judged by its content.

    The HDF5 signature sits at byte 0 or, after a user block (MuData writes one), at byte 512,
    1024, 2048, ...

    Examples
    --------
    >>> from oncoresist import ds
    >>> p = ds.example_file("matrix", name="table.h5mu")  # a text table, whatever its name
    >>> is_hdf5(p)
    False
    """
    try:
        with open(path, "rb") as f:
            head = f.read(65536 + 8)
    except OSError:
        return False
    offsets = [0] + [512 * 2**k for k in range(8)]
    return any(head[o:o + 8] == _HDF5_SIGNATURE for o in offsets)


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


#: Suffixes written as Parquet by :func:`write_table`.
PARQUET_SUFFIXES = (".parquet", ".pq")


def check_table_output(path: PathLike, *, parquet: bool | None = None) -> None:
    """Refuse a Parquet output (by suffix, or ``parquet=True``) when pyarrow is not installed.

    Call it before long work so that the error comes first.

    Parameters
    ----------
    path
        The output table.
    parquet
        Treat ``path`` as Parquet (default: by its suffix, :data:`PARQUET_SUFFIXES`).

    Examples
    --------
    >>> check_table_output("metrics.csv")
    """
    import importlib.util

    path = Path(path)
    is_parquet = path.suffix.lower() in PARQUET_SUFFIXES if parquet is None else parquet
    if is_parquet and importlib.util.find_spec("pyarrow") is None:
        msg = (f"writing '{path}' as Parquet needs pyarrow, which is not installed: pip install pyarrow, "
               "or give a .csv / .tsv output instead.")
        raise InputError(msg)


def _write_parquet(df: pd.DataFrame, path: Path, *, index: bool = False) -> None:
    """Parquet, atomically (``df.attrs`` kept in the metadata; values that are not JSON become strings)."""
    import json

    path = Path(path)
    check_table_output(path, parquet=True)
    out = df.copy(deep=False)
    out.attrs = json.loads(json.dumps(df.attrs, default=str))
    with atomic_path(path) as tmp:
        out.to_parquet(tmp, index=index, engine="pyarrow")


def write_table(df: pd.DataFrame, path: PathLike, *, index: bool = False) -> None:
    """Write a DataFrame atomically by its suffix: Parquet (``.parquet`` / ``.pq``), else :func:`write_csv`.

    Parquet needs pyarrow (optional, not a dependency of oncoresist: ``pip install pyarrow``);
    without it an :class:`InputError` says so (:func:`check_table_output`). ``df.attrs`` are
    kept in the Parquet metadata (values that are not JSON become strings).

    Parameters
    ----------
    df
        The table.
    path
        Destination: ``.parquet`` / ``.pq``, ``.csv``, ``.tsv`` / ``.txt`` (``.gz`` ok for text).
    index
        Write the index as a column.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "t.tsv"
    >>> write_table(pd.DataFrame({"a": [1]}), out)
    >>> out.read_text().splitlines()
    ['a', '1']
    """
    if Path(path).suffix.lower() in PARQUET_SUFFIXES:
        _write_parquet(df, Path(path), index=index)
    else:
        write_csv(df, path, index=index)


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
    except (OSError, EOFError, zlib.error) as e:
        msg = f"cannot read '{p}': {e}. Is it a complete (and, for .gz, valid gzip) file?"
        raise InputError(msg) from e
    return raw


def sha256_file(path: PathLike) -> str:
    """Hex SHA-256 of a file's bytes as stored (a ``.gz`` file is not decompressed).

    Read in 1 MiB chunks, so large files are never held in memory.

    Parameters
    ----------
    path
        File to hash.

    Returns
    -------
    str
        64 lowercase hex digits.

    Examples
    --------
    >>> _ = open("abc.txt", "w").write("abc")
    >>> sha256_file("abc.txt")[:16]
    'ba7816bf8f01cfea'
    """
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _utf16(raw: bytes) -> str | None:
    """``raw`` decoded as UTF-16 when it has a UTF-16 byte-order mark or looks like UTF-16 text."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        enc = "utf-16"
    elif len(raw) >= 4 and raw[1::2][:200].count(0) > 0.9 * len(raw[1::2][:200]):
        enc = "utf-16-le"  # ASCII text saved as UTF-16 without a BOM: every second byte is 0
    elif len(raw) >= 4 and raw[0::2][:200].count(0) > 0.9 * len(raw[0::2][:200]):
        enc = "utf-16-be"
    else:
        return None
    try:
        return raw.decode(enc)
    except UnicodeDecodeError:
        return None


def read_text(path: PathLike) -> str:
    """Read a (possibly gzipped) text file: UTF-8 (BOM or not), UTF-16, then Windows-1252, then Latin-1."""
    raw = read_bytes(path)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    text16 = _utf16(raw)
    if text16 is not None:
        return text16.removeprefix("\ufeff")
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


#: A number whose exponent has four or more digits (|exponent| >= 1000) lies far outside the float
#: range; pandas' C number parser crashes (segfault, pandas 2.x) on exponents beyond 2**31, which an
#: MD5-like identifier such as ``8e25696...`` also is. Such cells are read as text.
_HUGE_EXPONENT = re.compile(r"\d\.?[0-9]*[eE][+-]?0*[1-9][0-9]{3,}")
_HUGE_NUMBER_CELL = re.compile(r"^\s*[+-]?(?:\d+\.?\d*|\.\d+)[eE][+-]?0*[1-9][0-9]{3,}")


def to_numeric_safe(values: Any) -> pd.Series:
    """Convert to numbers like ``pd.to_numeric(..., errors="coerce")``, never crashing the parser.

    Cells with an exponent of four or more digits (``1e3080366667``, MD5-like ``8e25696...``) are
    not numbers here (they become NaN, so callers that name non-numeric cells name them), instead
    of reaching the pandas parser that crashes on them.

    Examples
    --------
    >>> to_numeric_safe(["1.5", "8e25696123", "x"]).tolist()
    [1.5, nan, nan]
    """
    s = values if isinstance(values, pd.Series) else pd.Series(list(values) if not np.isscalar(values) else [values])
    if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        return pd.to_numeric(s, errors="coerce")
    text = s.astype(str)
    huge = text.str.match(_HUGE_NUMBER_CELL) & s.notna()
    if huge.any():
        s = s.mask(huge)
    return pd.to_numeric(s, errors="coerce")


def _count_fields(lines: list[str], sep: str, quoted: bool) -> list[int]:
    """Number of fields of each line (CSV quoting honoured when ``quoted``)."""
    if quoted:
        import csv

        return [len(row) for row in csv.reader(lines, delimiter=sep)]
    return [ln.count(sep) + 1 for ln in lines]


def _short_rows(
    keep: list[tuple[int, str]], counts: list[int], expected: int | None, *, complete_end: bool
) -> tuple[list[tuple[int, int]], int]:
    """(line number, field count) of rows shorter than expected, and the expected count."""
    rows = list(zip((no for no, _ in keep), counts, strict=True))
    if expected is not None:
        return [(no, n) for no, n in rows if n < expected], expected
    data = [n for _, n in rows[1:]]
    if not data:
        return [], counts[0]
    tally = pd.Series(data).value_counts()
    mode = int(max(tally.index[tally == tally.max()]))
    if mode >= counts[0]:  # a rectangular table: every row as wide as the header
        return [(no, n) for no, n in rows[1:] if n < mode], mode
    # rows consistently narrower than the header (trailing empty fields left out, R-style row
    # names): only a last line cut mid-line is a sure sign of truncation
    last_no, last_n = rows[-1]
    return ([(last_no, last_n)] if last_n < mode and not complete_end else []), mode


def check_complete(
    text: str,
    *,
    sep: str,
    path: PathLike | None,
    what: str,
    comment: str | tuple[str, ...] | None = None,
    expected: int | None = None,
    quoted: bool = True,
) -> None:
    r"""Raise :class:`InputError` when a table looks truncated: a row with fewer fields than the others.

    The expected field count is ``expected`` when given (every row is checked), else the most
    common row width: when that is at least the header's, a narrower row anywhere is an error;
    when rows are consistently narrower than the header (trailing empty fields left out) or one
    wider (R's row-name style), only a narrower last line without a final newline is. A short last
    line without a final newline is a file cut mid-line; a complete last row without a final
    newline only warns, as its last value may still be cut.

    Examples
    --------
    >>> check_complete("a,b\n1,2\n", sep=",", path=None, what="table")
    >>> check_complete("a,b\n1,2\n3", sep=",", path=None, what="table")
    Traceback (most recent call last):
    ...
    oncoresist._core._errors.InputError: table: line 3 has 1 fields, expected 2 ...
    """
    raw = text.split("\n")
    keep = [(i + 1, ln.rstrip("\r")) for i, ln in enumerate(raw) if ln.strip() and not (comment and ln.startswith(comment))]
    if not keep:
        return
    if quoted and '"' not in text:
        quoted = False
    try:
        counts = _count_fields([ln for _, ln in keep], sep, quoted)
    except Exception:  # noqa: BLE001 - the csv module rejects what pandas reports better
        return
    if len(counts) != len(keep):  # quoted fields spanning lines: leave the check to the parser
        return
    short, want = _short_rows(keep, counts, expected, complete_end=text.endswith("\n"))
    where = f" '{path}'" if path is not None else ""
    if short:
        no, n = short[0]
        last = no == keep[-1][0]
        cut = " and the file does not end with a newline: it was cut mid-line" if last and not text.endswith("\n") else ""
        more = f" ({len(short)} such rows)" if len(short) > 1 else ""
        msg = (f"{what}{where}: line {no} has {n} fields, expected {want}{cut}{more}. The file looks truncated "
               "or a row lost cells: re-export or re-download the complete file.")
        raise InputError(msg)
    if not text.endswith("\n"):
        import warnings

        msg = (f"{what}{where} does not end with a newline: its last row (line {keep[-1][0]}) was read, but its last "
               "value may be cut; check that the file is complete.")
        warnings.warn(msg, UserWarning, stacklevel=3)


def _infer_column(s: pd.Series) -> pd.Series:
    """A text column as pandas would infer it: numbers when every present cell is one."""
    num = to_numeric_safe(s)
    if (num.notna() | s.isna()).all() and s.notna().any():
        return num.astype("int64") if not num.isna().any() and (num == num.round()).all() and s.str.fullmatch(r"\s*[+-]?\d+\s*").all() else num
    return s


def parse_csv(text: str, *, sep: str, path: PathLike | None, what: str, **kwargs: Any) -> pd.DataFrame:
    """:func:`pandas.read_csv` on ``text``, safe from numbers that crash pandas' parser.

    When a cell with a huge exponent is present, columns are read as text and converted with
    :func:`to_numeric_safe` (such cells keep their column as text). Parser errors become
    :class:`InputError` naming ``what`` and ``path``.
    """
    guard = _HUGE_EXPONENT.search(text) is not None and kwargs.get("dtype") is not str
    text_cols: set[Any] = set()
    if guard:
        dtype = kwargs.get("dtype")
        text_cols = {k for k, v in dtype.items() if v is str} if isinstance(dtype, dict) else set()
        text_cols |= set(kwargs.pop("converters", None) or {})
        kwargs = {**kwargs, "dtype": str}
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, **kwargs)
    except (pd.errors.ParserError, ValueError, IndexError, OverflowError) as e:
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        where = f" '{path}'" if path is not None else ""
        msg = f"cannot parse {what}{where} as a {'tab' if sep == chr(9) else repr(sep)}-separated table: {first}."
        raise InputError(msg) from e
    if guard:
        for pos, col in enumerate(df.columns):
            if col not in text_cols and pos not in text_cols:
                df[col] = _infer_column(df[col])
    return df


def read_table(
    path: PathLike,
    *,
    sep: str | None = None,
    comment: str | None = None,
    what: str = "table",
    **kwargs: Any,
) -> pd.DataFrame:
    r"""Read a CSV/TSV (optionally gzipped) with tolerant encoding and separator detection.

    A truncated file (a row with fewer fields than the header, a last line cut mid-line) is an
    :class:`InputError` naming the line (:func:`check_complete`); numbers that would crash pandas'
    parser are read as text (:func:`parse_csv`).

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

    Returns
    -------
    pandas.DataFrame
        The table.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("id,x\nS1,1e3080366667\n")
    >>> read_table(p).to_dict("records")
    [{'id': 'S1', 'x': '1e3080366667'}]
    """
    text = read_text(path)
    if not text.strip():
        msg = f"{what} '{path}' is empty: expected a header line and at least one data row."
        raise InputError(msg)
    if sep is None:
        sep = sniff_sep(text, path)
    kwargs.setdefault("low_memory", False)
    check_complete(text, sep=sep, path=path, what=what, comment=comment, quoted=kwargs.get("quoting") != 3)
    return parse_csv(text, sep=sep, path=path, what=what, comment=comment, **kwargs)


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
        num = to_numeric_safe(st)
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

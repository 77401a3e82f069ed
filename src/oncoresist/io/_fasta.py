"""Random access to an uncompressed reference FASTA through its ``.fai`` index (samtools faidx format).

No dependency: the index is read from ``<fasta>.fai`` when it exists (``samtools faidx ref.fa``
writes it) and built by one pass over the file otherwise (kept in memory, never written beside a
file the user brought). Sequence names match with or without a ``chr`` prefix (``chr7`` = ``7``;
``chrM`` = ``MT``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._core._errors import InputError
from .._core._utils import PathLike

__all__ = ["FastaReference"]


@dataclass(frozen=True)
class _Entry:
    length: int
    offset: int
    line_bases: int
    line_width: int


def _read_fai(fai: Path) -> dict[str, _Entry]:
    """The index of a ``.fai`` file (name, length, offset, bases per line, bytes per line)."""
    out: dict[str, _Entry] = {}
    for i, line in enumerate(fai.read_text().splitlines(), 1):
        f = line.split("\t")
        try:
            out[f[0]] = _Entry(int(f[1]), int(f[2]), int(f[3]), int(f[4]))
        except (IndexError, ValueError) as e:
            msg = f"{fai}: line {i} is not a faidx index line (name, length, offset, line bases, line width); re-create it with 'samtools faidx'."
            raise InputError(msg) from e
    return out


def _build_index(path: Path) -> dict[str, _Entry]:
    """Index a FASTA by one pass (every line of a record but its last must have the same width)."""
    out: dict[str, _Entry] = {}
    name, length, offset, bases, width, short = None, 0, 0, 0, 0, False
    pos = 0
    with open(path, "rb") as fh:
        for raw in fh:
            if raw.startswith(b">"):
                if name is not None:
                    out[name] = _Entry(length, offset, bases, width)
                name = raw[1:].split()[0].decode() if raw[1:].split() else ""
                length, offset, bases, width, short = 0, pos + len(raw), 0, 0, False
            elif name is not None:
                n = len(raw.rstrip(b"\r\n"))
                if short and n:
                    msg = f"{path}: record {name!r} has lines of different lengths; an indexed FASTA needs equal line widths (re-wrap it, e.g. 'samtools faidx')."
                    raise InputError(msg)
                if not bases:
                    bases, width = n, len(raw)
                elif n != bases:
                    short = True
                length += n
            pos += len(raw)
    if name is not None:
        out[name] = _Entry(length, offset, bases, width)
    return out


class FastaReference:
    r"""An uncompressed reference FASTA, read by position.

    Parameters
    ----------
    path
        The FASTA file (``.fa`` / ``.fasta``, not gzip-compressed); its ``.fai`` index is used
        when present.

    Raises
    ------
    InputError
        A missing or compressed file, or one that is not FASTA.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "ref.fa"
    >>> _ = p.write_text(">chr1\nACGTACGTAC\nGGTTA\n")
    >>> FastaReference(p).fetch("1", 9, 12)
    'ACGG'
    """

    def __init__(self, path: PathLike) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise InputError(f"reference FASTA {self.path} not found; give the genome the calls were made on (e.g. GRCh38.fa).")
        with open(self.path, "rb") as fh:
            head = fh.read(2)
        if head[:2] == b"\x1f\x8b":
            msg = (f"{self.path} is gzip-compressed; random access needs an uncompressed FASTA: 'gunzip -k {self.path.name}' "
                   "(and 'samtools faidx' for the index).")
            raise InputError(msg)
        if not head.startswith(b">"):
            raise InputError(f"{self.path} is not a FASTA file (it does not start with '>').")
        fai = Path(f"{self.path}.fai")
        self.index = _read_fai(fai) if fai.is_file() else _build_index(self.path)
        if not self.index:
            raise InputError(f"{self.path} holds no sequence record.")

    def name_of(self, chrom: str) -> str | None:
        """The FASTA's name for ``chrom`` (with or without ``chr``), or None."""
        c = str(chrom)
        bare = c[3:] if c.lower().startswith("chr") else c
        for cand in (c, bare, f"chr{bare}", {"M": "MT", "MT": "M"}.get(bare.upper(), bare), f"chr{'M' if bare.upper() == 'MT' else bare}"):
            if cand in self.index:
                return cand
        return None

    def _entry(self, chrom: str) -> _Entry:
        name = self.name_of(chrom)
        if name is None:
            shown = ", ".join(list(self.index)[:8])
            raise InputError(f"{self.path}: no sequence {chrom!r} (with or without 'chr'; the FASTA has {shown}, ...).")
        return self.index[name]

    @staticmethod
    def _read(fh: Any, e: _Entry, start: int, end: int) -> str:
        lo, hi = max(1, int(start)), min(e.length, int(end))
        if hi < lo:
            return ""
        first = e.offset + (lo - 1) // e.line_bases * e.line_width + (lo - 1) % e.line_bases
        last = e.offset + (hi - 1) // e.line_bases * e.line_width + (hi - 1) % e.line_bases
        fh.seek(first, os.SEEK_SET)
        return fh.read(last - first + 1).replace(b"\n", b"").replace(b"\r", b"").decode().upper()

    def fetch(self, chrom: str, start: int, end: int) -> str:
        """Bases ``start..end`` (1-based, inclusive) of ``chrom``, upper case; clipped at the ends."""
        e = self._entry(chrom)
        with open(self.path, "rb") as fh:
            return self._read(fh, e, start, end)

    def windows(self, chrom: str, positions: Sequence[int], flank: int) -> list[str]:
        """``2 * flank + 1`` bases centred on each 1-based position of ``chrom`` (one file handle); '' beyond the ends."""
        e = self._entry(chrom)
        with open(self.path, "rb") as fh:
            out = []
            for p in positions:
                p = int(p)
                out.append(self._read(fh, e, p - flank, p + flank) if flank < p <= e.length - flank else "")
            return out

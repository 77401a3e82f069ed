"""The account of one import: what was read, kept and dropped, and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["ImportReport"]


@dataclass
class ImportReport:
    """What an import read, kept and dropped (and why).

    Attributes
    ----------
    source, version, file
        Source name, version (e.g. dump date) and the file read.
    n_rows
        Rows in the file.
    n_items
        Distinct evidence items in the file.
    n_kept
        Evidence items stored.
    dropped
        Reason -> number of evidence items dropped for it.
    examples
        Reason -> a few example items (IDs and text) dropped for it.
    n_new_drugs, n_new_diseases, n_new_biomarkers
        Names the import added to the vocabularies.
    """

    source: str
    version: str
    file: str
    n_rows: int
    n_items: int
    n_kept: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)
    n_new_drugs: int = 0
    n_new_diseases: int = 0
    n_new_biomarkers: int = 0

    @property
    def n_dropped(self) -> int:
        """Evidence items dropped in all."""
        return int(sum(self.dropped.values()))

    def drop(self, reason: str, example: str) -> None:
        """Record one dropped item."""
        self.dropped[reason] = self.dropped.get(reason, 0) + 1
        ex = self.examples.setdefault(reason, [])
        if len(ex) < 5:
            ex.append(example)

    def summary(self) -> str:
        """Multi-line plain-text summary."""
        lines = [
            f"{self.source} {self.version} from {self.file}: {self.n_rows} rows, {self.n_items} evidence items; "
            f"kept {self.n_kept}, dropped {self.n_dropped}.",
        ]
        for reason, n in sorted(self.dropped.items(), key=lambda kv: -kv[1]):
            ex = "; ".join(self.examples.get(reason, [])[:3])
            lines.append(f"  dropped {n:>6}  {reason}" + (f"  (e.g. {ex})" if ex else ""))
        lines.append(
            f"  added {self.n_new_biomarkers} biomarkers, {self.n_new_drugs} drugs, {self.n_new_diseases} diseases"
        )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dictionary."""
        return {
            "source": self.source, "version": self.version, "file": self.file,
            "n_rows": self.n_rows, "n_items": self.n_items, "n_kept": self.n_kept,
            "n_dropped": self.n_dropped, "dropped": self.dropped, "examples": self.examples,
            "n_new_drugs": self.n_new_drugs, "n_new_diseases": self.n_new_diseases,
            "n_new_biomarkers": self.n_new_biomarkers,
        }  # fmt: skip

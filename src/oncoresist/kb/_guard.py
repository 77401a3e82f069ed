"""Checks an import passes before it may replace a source in the knowledge base.

An import replaces every stored item of its source name, so a damaged file would silently wipe
or shrink the KB. Before anything is written the new items are checked: there must be some, they
must not be far fewer than the stored version holds (unless forced), and items another source
name already holds from the same provider (same evidence ID) are left out instead of duplicated.
"""

from __future__ import annotations

import pandas as pd

from .._core._errors import InputError
from ._report import ImportReport

__all__ = ["MAX_DROP", "check_import"]

#: Largest accepted fraction of items lost versus the stored version without ``force``.
MAX_DROP = 0.2


def _refuse_empty(report: ImportReport, what: str) -> None:
    """Raise when nothing is left to import."""
    reasons = "; ".join(f"{n} {r}" for r, n in sorted(report.dropped.items(), key=lambda kv: -kv[1])[:4])
    msg = (
        f"'{report.file}' gives 0 evidence items for source '{report.source}' ({what}; read {report.n_items} "
        f"item(s){', dropped: ' + reasons if reasons else ''}). The knowledge base was not changed: check that the "
        "file is complete and is the right export."
    )
    raise InputError(msg)


def _drop_known(items: pd.DataFrame, report: ImportReport, others: pd.DataFrame, provider: str) -> pd.DataFrame:
    """Leave out items whose evidence ID another source name of the same provider holds."""
    if others.empty or items.empty:
        return items
    owner = dict(zip(others["source_id"].astype(str), others["source"], strict=False))
    dup = items["source_id"].astype(str).map(owner)
    for sid, name in zip(items["source_id"][dup.notna()], dup[dup.notna()], strict=False):
        report.drop(f"already in source '{name}' (same {provider} evidence ID)", str(sid))
    return items[dup.isna()].reset_index(drop=True)


def check_import(
    items: pd.DataFrame,
    report: ImportReport,
    *,
    provider: str,
    stored: int,
    others: pd.DataFrame,
    force: bool = False,
) -> pd.DataFrame:
    """The items that may replace source ``report.source``, or an :class:`InputError`.

    Parameters
    ----------
    items
        Evidence records read from the file (``source_id`` is the provider's evidence ID).
    report
        The import's report; duplicates are counted in it and ``n_kept`` is updated.
    provider
        Where the items come from (``civic``, ``moalmanac``): evidence IDs are compared only
        within one provider.
    stored
        Items the KB holds now under ``report.source`` (0 for a new source).
    others
        ``source, source_id`` of the items other source names of the same provider hold.
    force
        Accept a drop of more than :data:`MAX_DROP` of the stored items.

    Returns
    -------
    pandas.DataFrame
        ``items`` without the ones already held under another name.

    Raises
    ------
    InputError
        Zero items (empty, header-only or fully filtered file; or all already held under
        another name), or a sharp drop versus the stored version without ``force``.

    Examples
    --------
    >>> import pandas as pd
    >>> from oncoresist.kb import ImportReport
    >>> rep = ImportReport("civic2", "v1", "f.tsv", 2, 2)
    >>> items = pd.DataFrame({"source_id": ["EID1", "EID2"]})
    >>> others = pd.DataFrame({"source": ["civic"], "source_id": ["EID1"]})
    >>> check_import(items, rep, provider="civic", stored=0, others=others)["source_id"].tolist()
    ['EID2']
    """
    if items.empty:
        _refuse_empty(report, "the file is empty, header-only or holds nothing importable")
    items = _drop_known(items, report, others, provider)
    if items.empty:
        names = ", ".join(sorted(set(others["source"])))
        _refuse_empty(report, f"every item is already in source {names}: re-import under that --name to update it")
    if stored and len(items) < (1 - MAX_DROP) * stored and not force:
        loss = 1 - len(items) / stored
        msg = (
            f"'{report.file}' gives {len(items)} evidence items for source '{report.source}', which holds {stored} now: "
            f"{loss:.0%} fewer (more than {MAX_DROP:.0%}) looks like a truncated or partial file. The knowledge base "
            "was not changed; pass force=True (CLI: --force) if the source really shrank."
        )
        raise InputError(msg)
    report.n_kept = len(items)
    return items

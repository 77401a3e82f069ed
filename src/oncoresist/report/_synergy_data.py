"""The synergy results a cohort stores (``uns['synergy']``), checked, and their dose ranges in words.

Kept apart from the page module so that the cohort report can read them without importing the pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from .._core._errors import InputError

__all__ = ["cohort_synergy"]

_SUMMARY_COLS = ("block", "drug1", "drug2", "status")
_WELL_COLS = ("block", "drug1", "drug2", "conc1", "conc2", "inhibition")


def cohort_synergy(mdata: Any) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The synergy ``(summary, wells)`` stored in a cohort's ``uns['synergy']``, or None.

    Parameters
    ----------
    mdata
        The cohort; ``oncoresist synergy COHORT --store-in OUT`` (or the demo) stores the scores there.

    Returns
    -------
    tuple or None
        The two tables of :func:`oncoresist.tl.synergy`; None when the cohort holds none.

    Examples
    --------
    >>> import anndata as ad, mudata as md, numpy as np
    >>> cohort_synergy(md.MuData({"rna": ad.AnnData(np.ones((2, 2)))})) is None
    True
    """
    res = getattr(mdata, "uns", {}).get("synergy")
    if not isinstance(res, Mapping) or "summary" not in res or "wells" not in res:
        return None
    summary, wells = res["summary"], res["wells"]
    _check_tables(summary, wells, where="mdata.uns['synergy']")
    return summary, wells


def _check_tables(summary: Any, wells: Any, *, where: str = "synergy results") -> None:
    """Clear error when the tables are not those of ``tl.synergy``."""
    for name, tab, cols in (("summary", summary, _SUMMARY_COLS), ("wells", wells, _WELL_COLS)):
        if not isinstance(tab, pd.DataFrame) or not set(cols) <= set(tab.columns):
            have = ", ".join(map(str, getattr(tab, "columns", []))) or type(tab).__name__
            msg = (f"{where}: '{name}' must be the {name} table of oncoresist.tl.synergy with columns {', '.join(cols)} "
                   f"(found {have}); re-score the combinations with oncoresist.tl.synergy.")  # fmt: skip
            raise InputError(msg)


def _dose_text(text: Any) -> str:
    """``"0.09487-3"`` (a stored dose range) as ``"0.0949–3 µM"``."""
    from ..pl._synergy import _split_range

    r = _split_range(text)
    return "" if r is None else f"{r[0]:.3g}–{r[1]:.3g} µM"

"""oncoresist: multi-omics integration and drug-response analysis of cancer drug resistance.

The package follows the scanpy split of namespaces:

- :mod:`oncoresist.io` — readers for every omics layer and the study file -> :class:`mudata.MuData`
- :mod:`oncoresist.pp` — per-layer QC, normalisation, imputation, batch correction
- :mod:`oncoresist.tl` — dose-response curves, synergy, integration, biomarkers, models
- :mod:`oncoresist.pl` — figures (matplotlib, one function per figure)
- :mod:`oncoresist.kb` — knowledge base of resistance evidence (DuckDB)
- :mod:`oncoresist.interpret` — one patient: evidence, tiers, resistance alerts
- :mod:`oncoresist.report` — self-contained HTML reports
- :mod:`oncoresist.ds` — simulated cohorts with planted ground truth
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._core._errors import InputError
from ._core._version import __version__

_SUBMODULES = ("io", "pp", "tl", "pl", "kb", "interpret", "report", "ds", "get", "parallel")

__all__ = ["InputError", "__version__", *_SUBMODULES]

if TYPE_CHECKING:  # pragma: no cover
    from . import ds, get, interpret, io, kb, parallel, pl, pp, report, tl  # noqa: F401


def __getattr__(name: str) -> Any:
    # Lazy submodule import keeps ``import oncoresist`` (and the CLI's --help) fast.
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    msg = f"module 'oncoresist' has no attribute {name!r}"
    raise AttributeError(msg)

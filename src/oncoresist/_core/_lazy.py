"""Lazy package exports (PEP 562), shared by ``oncoresist.io`` and ``oncoresist.tl``."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, exports: Mapping[str, str], namespace: dict[str, Any]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Module ``__getattr__`` and ``__dir__`` that import each public name on first use.

    Parameters
    ----------
    package
        The package's ``__name__``.
    exports
        Public name -> module (relative to ``package``) that defines it.
    namespace
        The package's ``globals()``: a resolved name is cached there.

    Returns
    -------
    tuple
        ``(__getattr__, __dir__)`` to assign in the package.

    Examples
    --------
    >>> ns = {}
    >>> get, _ = lazy_exports("oncoresist._core", {"InputError": "._errors"}, ns)
    >>> get("InputError").__name__, "InputError" in ns
    ('InputError', True)
    """

    def __getattr__(name: str) -> Any:
        if name in exports:
            value = getattr(importlib.import_module(exports[name], package), name)
            namespace[name] = value
            return value
        msg = f"module {package!r} has no attribute {name!r}"
        raise AttributeError(msg)

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(exports))

    return __getattr__, __dir__

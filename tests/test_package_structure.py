"""Package-wide structure checks (scanpy-style): public functions keep at most 3 positional params."""

from __future__ import annotations

import importlib
import inspect

import pytest

NAMESPACES = ["io", "pp", "tl", "pl", "kb", "interpret", "report", "ds"]


@pytest.mark.parametrize("ns", NAMESPACES)
def test_namespace_imports(ns: str) -> None:
    mod = importlib.import_module(f"oncoresist.{ns}")
    for name in mod.__all__:
        assert hasattr(mod, name), f"oncoresist.{ns}.__all__ names {name!r} but it is missing"


@pytest.mark.parametrize("ns", NAMESPACES)
def test_public_functions_few_positional(ns: str) -> None:
    mod = importlib.import_module(f"oncoresist.{ns}")
    for name in mod.__all__:
        obj = getattr(mod, name)
        if not inspect.isfunction(obj):
            continue
        pos = [
            p
            for p in inspect.signature(obj).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
        assert len(pos) <= 3, f"oncoresist.{ns}.{name} takes {len(pos)} positional parameters (max 3)"
        assert obj.__doc__, f"oncoresist.{ns}.{name} has no docstring"

"""Run every docstring example of the installed package (numpydoc ``Examples`` sections).

Collected through the installed ``oncoresist`` (not ``src/``), so it works for editable and
regular installs alike.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import matplotlib
import pytest

import oncoresist

matplotlib.use("Agg")

MODULES = sorted(
    m.name for m in pkgutil.walk_packages(oncoresist.__path__, prefix="oncoresist.")
    if not m.name.endswith("__main__")
)
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def test_modules_found():
    assert len(MODULES) > 50 and "oncoresist.tl.models._models" in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    report: list[str] = []
    import matplotlib.pyplot as plt

    for test in finder.find(module, name):
        if test.examples:
            runner.run(test, out=report.append)  # only failures write to ``out``
            plt.close("all")  # examples that draw leave their pyplot figures open
    failed, attempted = runner.summarize(verbose=False)
    if failed:
        pytest.fail(f"{failed} of {attempted} docstring examples failed in {name}:\n" + "".join(report)[:4000])

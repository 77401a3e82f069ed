"""Import cost of every CLI verb: what ``oncoresist VERB`` imports before it starts working.

Each verb imports its heavy modules inside the command function. This script reads those
import statements from the source (``src/oncoresist/cli/_*.py``, every function registered with
``@<app>.command``; imports inside a branch, such as ``curves --layer``, are left out), then runs them in a fresh interpreter after ``import oncoresist.cli`` and
reports the wall time and which heavy third-party packages got loaded. It also times
``oncoresist --help`` and ``oncoresist curves --help`` as whole processes (best of 3).

Run: ``PYTHONPATH=src python benchmarks/bench_cli_imports.py``; writes ``results/cli_imports.md``.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import time

from _stamp import HERE, write_stamped

CLI = HERE.parent / "src" / "oncoresist" / "cli"
HEAVY = ("sklearn", "sksurv", "dask", "duckdb", "matplotlib", "anndata", "mudata", "jinja2", "scipy", "pandas")


def _is_command(dec: ast.expr) -> bool:
    """Whether a decorator is ``<something>.command(...)``."""
    func = dec.func if isinstance(dec, ast.Call) else dec
    return isinstance(func, ast.Attribute) and func.attr == "command"


def _verb_name(fn: ast.FunctionDef) -> str:
    """The verb's name: the decorator's first argument, else the function name with '-'."""
    for dec in fn.decorator_list:
        if _is_command(dec) and isinstance(dec, ast.Call) and dec.args and isinstance(dec.args[0], ast.Constant):
            return str(dec.args[0].value)
    return fn.name.strip("_").replace("_", "-")


def _imports(fn: ast.FunctionDef) -> list[str]:
    """The import statements at the top level of a function body (not in a branch), made absolute."""
    out = []
    for node in fn.body:
        if isinstance(node, ast.ImportFrom):
            base = "oncoresist.cli".split(".")
            mod = ".".join(base[: len(base) - node.level + 1] + ([node.module] if node.module else [])) if node.level else node.module
            out.append(f"from {mod} import {', '.join(a.name for a in node.names)}")
        elif isinstance(node, ast.Import):
            out.append("import " + ", ".join(a.name for a in node.names))
    return out


def verbs() -> list[tuple[str, str, list[str]]]:
    """(module, verb, imports) for every registered command."""
    rows = []
    for path in sorted(CLI.glob("_*.py")):
        tree = ast.parse(path.read_text())
        for fn in ast.walk(tree):
            if isinstance(fn, ast.FunctionDef) and any(_is_command(d) for d in fn.decorator_list):
                rows.append((path.stem, _verb_name(fn), _imports(fn)))
    return rows


def measure(imports: list[str]) -> tuple[float, list[str]]:
    """Seconds to import oncoresist.cli plus ``imports`` in a fresh process, and the heavy packages loaded."""
    code = ("import sys, time; t = time.perf_counter(); import oncoresist.cli\n" + "\n".join(imports)
            + f"\nprint(time.perf_counter() - t); print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    env = {**os.environ, "PYTHONPATH": str(HERE.parent / "src")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout.split("\n")
    return float(out[0]), [m for m in out[1].split(",") if m]


def whole_process(args: list[str], repeat: int = 3) -> float:
    """Best wall seconds of ``python -m oncoresist.cli ARGS``."""
    env = {**os.environ, "PYTHONPATH": str(HERE.parent / "src")}
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "oncoresist.cli", *args], capture_output=True, check=True, env=env)
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    """Measure every verb and write results/cli_imports.md."""
    load = os.getloadavg()[0]
    lines = ["# CLI import cost per verb", "",
             f"Load average at start: {load:.1f} on {os.cpu_count()} cores (the box is shared; times scale with load).", "",
             f"- `oncoresist --help`, whole process: {whole_process(['--help']):.2f} s",
             f"- `oncoresist curves --help`, whole process: {whole_process(['curves', '--help']):.2f} s", "",
             "| module | verb | import s | heavy packages loaded |", "|---|---|---|---|"]
    for module, verb, imports in verbs():
        secs, heavy = measure(imports)
        lines.append(f"| {module} | {verb} | {secs:.2f} | {', '.join(heavy) or '-'} |")
        print(lines[-1], flush=True)
    write_stamped(HERE / "results" / "cli_imports.md", "\n".join(lines))


if __name__ == "__main__":
    main()

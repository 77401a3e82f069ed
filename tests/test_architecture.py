"""The layers only look down: an AST check of every import inside ``src/oncoresist``.

Order (lower may never import higher; peers of one rank may not import each other):
``_core`` < ``io``, ``kb``, ``ds``, ``get``, ``parallel`` < ``pp`` < ``tl`` < ``pl`` < ``interpret``
< ``report`` < ``_demo`` < ``cli``. The package ``__init__`` is the lazy front door and is exempt.
See ARCHITECTURE.md.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PKG = SRC / "oncoresist"

RANK = {
    "_core": 0,
    "parallel": 1, "get": 1, "io": 1, "kb": 1, "ds": 1,
    "pp": 2,
    "tl": 3,
    "pl": 4,
    "interpret": 5,
    "report": 6,
    "_demo": 7, "cli": 8,
}


def _module(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    mod = _module(path)
    is_pkg = path.name == "__init__.py"
    out: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only = {id(n) for stmt in ast.walk(tree) if isinstance(stmt, ast.If) and "TYPE_CHECKING" in ast.unparse(stmt.test)
                 for n in ast.walk(stmt)}
    for node in ast.walk(tree):
        if id(node) in type_only:  # annotations only: not a runtime import
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = mod.split(".")
                if not is_pkg:
                    base = base[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("oncoresist"):
                out.add(target)
                if target == "oncoresist":  # ``from .. import tl`` names a layer
                    out.update(f"oncoresist.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("oncoresist"))
    return out


def _layer(dotted: str) -> str | None:
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 else None


def _graph() -> dict[str, set[str]]:
    return {_module(p): _imports(p) for p in PKG.rglob("*.py")}


def test_every_layer_is_ranked():
    layers = {p.relative_to(PKG).parts[0].removesuffix(".py") for p in PKG.iterdir()
              if (p.suffix == ".py" or p.is_dir()) and p.name not in ("__init__.py", "__pycache__", "py.typed")}
    assert layers <= set(RANK), f"unranked top-level modules {sorted(layers - set(RANK))}: add them to RANK"


def test_layers_only_import_downwards():
    bad = []
    for mod, targets in _graph().items():
        src = _layer(mod)
        if src is None:
            continue
        for t in targets:
            dst = _layer(t)
            if dst is None or dst == src or dst == "__version__":
                continue
            if dst not in RANK:
                continue  # a name imported from the front door, e.g. InputError
            if RANK[dst] >= RANK[src]:
                bad.append(f"{mod} ({src}, rank {RANK[src]}) imports {t} ({dst}, rank {RANK[dst]})")
    assert not bad, "upward or sideways imports:\n" + "\n".join(sorted(bad))


def test_core_imports_nothing_but_core():
    for mod, targets in _graph().items():
        if _layer(mod) == "_core":
            assert all(_layer(t) == "_core" for t in targets), (mod, targets)


def test_no_import_circles_between_modules():
    graph = _graph()
    known = set(graph)
    edges: dict[str, set[str]] = defaultdict(set)
    for mod, targets in graph.items():
        for t in targets:
            while t and t not in known:
                t = t.rpartition(".")[0]
            # a package __init__ re-exporting its children is not a circle
            if t and t != mod and not (mod.startswith(t + ".")) and not t.startswith(mod + "."):
                edges[mod].add(t)
    # Tarjan-free check: DFS with colours
    colour: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        colour[node] = 1
        stack.append(node)
        for nxt in edges.get(node, ()):
            if colour.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif colour.get(nxt) is None:
                visit(nxt, stack)
        stack.pop()
        colour[node] = 2

    for node in sorted(known):
        if node not in colour:
            visit(node, [])
    assert not cycles, "import circles:\n" + "\n".join(" -> ".join(c) for c in cycles)


@pytest.mark.parametrize("layer", sorted(RANK))
def test_layer_exists(layer):
    assert (PKG / layer).is_dir() or (PKG / f"{layer}.py").is_file()

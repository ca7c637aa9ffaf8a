"""No import cycles in the product (kiosk/, drivers/, screens/).

Why: a cycle means two modules cannot be understood, tested or moved apart; in the flow engine it was
how a step ended up holding its owner. Every ``import`` counts, wherever it is written — a lazy import
inside a function is still an edge (it only hides the cycle until that function runs). The one
exception is an import under ``if TYPE_CHECKING:``: it never runs, so it is not a run-time edge —
except in the flow engine (kiosk/flows), where even those must not loop: its cycles were exactly
such annotation-only back-imports of an owner.

Edges go to the module named (``from pkg import mod`` → ``pkg.mod`` when that is a module, else
``pkg``); importing ``a.b.c`` also runs ``a/__init__`` and ``a/b/__init__``, but those implicit
parent-package edges are left out (every submodule would otherwise form a cycle with an ``__init__``
that re-exports it). The simulators (sim/, kiosk/platform/emulator) are checked by their own test.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("kiosk", "drivers", "screens")
EXCLUDED = ("kiosk/platform/emulator", "sim")  # relative to ROOT, also any path segment named sim

Graph = Mapping[str, set[str]]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def product_modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT)
            if "sim" in rel.parts or any(rel.as_posix().startswith(prefix + "/") for prefix in EXCLUDED):
                continue
            found[module_name(path)] = path
    return found


def _type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imported_names(tree: ast.AST, module: str, is_package: bool, known: Iterable[str], *, type_checking: bool = False) -> set[str]:
    """Every module name ``tree`` imports at run time (function bodies included, TYPE_CHECKING blocks only if asked)."""
    known = set(known)
    names: set[str] = set()

    def walk(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking(child.test) and not type_checking:
                for stmt in child.orelse:  # the else branch does run
                    walk_one(stmt)
                continue
            walk_one(child)

    def walk_one(node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join(package + ([base] if base else []))
            for alias in node.names:
                sub = f"{base}.{alias.name}" if base else alias.name
                names.add(sub if sub in known else base)
        walk(node)

    walk(tree)
    return names


def import_graph(modules: Mapping[str, Path], *, type_checking: bool = False) -> dict[str, set[str]]:
    """module → the product modules it imports (an import of something outside resolves to its nearest product parent, or nothing)."""
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for imported in imported_names(tree, name, path.name == "__init__.py", modules, type_checking=type_checking):
            while imported and imported not in modules:
                imported = imported.rpartition(".")[0]
            if imported and imported != name:
                targets.add(imported)
        graph[name] = targets
    return graph


def cycles(graph: Graph) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work: list[tuple[str, Iterable[str]]] = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component: list[str] = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return sorted(found)


def describe(component: list[str], graph: Graph) -> str:
    members = set(component)
    return "; ".join(f"{m} → {', '.join(sorted(graph[m] & members))}" for m in component)


def test_no_import_cycles_in_the_product() -> None:
    graph = import_graph(product_modules())
    found = cycles(graph)
    assert not found, "import cycles:\n" + "\n".join(describe(c, graph) for c in found)


def test_no_cycles_in_the_flow_engine_even_for_type_checking() -> None:
    """The flow engine's cycles were all TYPE_CHECKING back-imports (a step naming its owner): its parts now
    get typed contexts (StepContext, SessionHost), so here even annotation-only imports must not loop."""
    flows = {name: path for name, path in product_modules().items() if name.startswith("kiosk.flows")}
    graph = import_graph(flows, type_checking=True)
    found = cycles(graph)
    assert not found, "flow engine cycles:\n" + "\n".join(describe(c, graph) for c in found)


def test_the_graph_sees_the_flow_engine() -> None:
    """The walk finds real edges (a broken resolver would find no cycles because it found no imports)."""
    graph = import_graph(product_modules())
    assert "kiosk.flows.itemflow" in graph["kiosk.flows.controller"]
    assert "kiosk.documents.certificate" in graph["kiosk.flows.capture"]  # imported inside a function


def test_a_cycle_is_found_and_named() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"e"}, "f": {"g"}, "g": {"f"}}
    assert cycles(graph) == [["a", "b", "c"], ["f", "g"]]
    assert describe(["a", "b", "c"], graph) == "a → b; b → c; c → a"


def test_lazy_imports_count_and_type_checking_ones_do_not() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from pkg import hidden\n"
        "def later():\n    from pkg.lazy import thing\n    from . import sibling\n"
    )
    known = {"pkg.lazy", "pkg.sibling", "pkg.hidden"}
    assert imported_names(ast.parse(source), "pkg.mod", False, known) == {"typing", "pkg.lazy", "pkg.sibling"}
    assert imported_names(ast.parse(source), "pkg.mod", False, known, type_checking=True) == {"typing", "pkg.lazy", "pkg.sibling", "pkg.hidden"}

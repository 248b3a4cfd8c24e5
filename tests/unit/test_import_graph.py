"""Imports run one way: `core` imports no domain, no module imports itself back through others.

The graph is read from the source with `ast` (nothing is imported, no side effect): every
`import portal…` / `from portal… import …` of a module, at its top or inside a function — an
import inside a function still ties the two modules together, it only hides the tie. Imports
under `if TYPE_CHECKING:` are left out (they never run).

Layers (see docs/architecture.md):
- core: `portal.core.*`, `portal.db`, `portal.extensions`, `portal.config`, `portal.logs` —
  imports only core;
- app: `portal`, `portal.app` (create_app), `portal.web`, `portal.cli`, `portal.worker`, `portal.navigation` —
  may import anything; no domain imports it;
- domains: the other packages of `portal/` — import core and the domains below them.
"""
from __future__ import annotations

import ast
from pathlib import Path

PORTAL = Path(__file__).resolve().parents[2] / "portal"
CORE = {"core", "db", "extensions", "config", "logs"}
APP = {"", "app", "web", "cli", "worker", "navigation"}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PORTAL.rglob("*.py"):
        parts = list(path.relative_to(PORTAL.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _type_checking_nodes(tree) -> set[int]:
    hidden = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            hidden.update(id(inner) for stmt in node.body for inner in ast.walk(stmt))
    return hidden


def import_graph() -> dict[str, dict[str, int]]:
    """{module: {imported portal module: line}}, names resolved to the module that holds them."""
    modules = _modules()

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, dict[str, int]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        hidden = _type_checking_nodes(tree)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges = graph.setdefault(name, {})
        for node in ast.walk(tree):
            if id(node) in hidden:
                continue
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join([*anchor, *([node.module] if node.module else [])])
                targets = [f"{base}.{alias.name}" for alias in node.names]
            else:
                continue
            for target in targets:
                if target == "portal" or target.startswith("portal."):
                    resolved = resolve(target)
                    if resolved and resolved != name:
                        edges.setdefault(resolved, node.lineno)
    return graph


def layer(module: str) -> str:
    """`core`, `app`, or the name of the domain package a module belongs to."""
    top = module.split(".")[1] if "." in module else ""
    if top in CORE:
        return "core"
    if top in APP:
        return "app"
    return top


def cycles(graph: dict[str, set[str] | dict[str, int]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph.get(root, ())))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph.get(child, ()))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def _where(graph, source: str, target: str) -> str:
    path = _modules()[source].relative_to(PORTAL.parent)
    return f"{path}:{graph[source][target]} imports {target}"


def test_no_module_imports_itself_back():
    graph = import_graph()
    found = cycles(graph)
    assert not found, "import cycles between modules: " + "; ".join(
        " ⇄ ".join(component) for component in found)


def test_domains_import_each_other_one_way():
    graph = import_graph()
    layers: dict[str, set[str]] = {}
    for source, targets in graph.items():
        for target in targets:
            if layer(source) != layer(target):
                layers.setdefault(layer(source), set()).add(layer(target))
    found = cycles(layers)
    assert not found, "domains that import each other: " + "; ".join(
        " ⇄ ".join(component) for component in found)


def test_core_imports_no_domain_and_no_domain_imports_the_app():
    graph = import_graph()
    wrong = [_where(graph, source, target)
             for source, targets in graph.items() for target in targets
             if (layer(source) == "core" and layer(target) != "core")
             or (layer(source) not in ("core", "app") and layer(target) == "app")]
    assert not wrong, "\n".join(wrong)


def test_the_graph_sees_a_cycle_and_a_core_import():
    """The checks above can fail: a made-up graph with a cycle and core → domain is caught."""
    graph = {"portal.deals.services": {"portal.conflicts.detection": 1},
             "portal.conflicts.detection": {"portal.deals.services": 1},
             "portal.core.permissions": {"portal.accounts.models": 1}}
    assert cycles(graph) == [["portal.conflicts.detection", "portal.deals.services"]]
    assert layer("portal.core.permissions") == "core" and layer("portal.accounts.models") == "accounts"
    assert layer("portal.web") == "app" and layer("portal") == "app"
    real = import_graph()
    assert "portal.deals.models" in real["portal.conflicts.services"]  # what a domain really imports

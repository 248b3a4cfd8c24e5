"""The structure's counts, read from the source (nothing of the portal is imported or run).

    python scripts/structure.py

prints the import cycles between modules and between domains, the imports inside function
bodies, the modules over 400 lines and the role checks in templates (docs/architecture.md).
"""
from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.unit.test_import_graph import cycles, import_graph, layer  # noqa: E402
from tests.unit.test_template_roles import role_lines  # noqa: E402

MAX_LINES = 400


def imports_in_functions() -> list[tuple[str, int, str]]:
    """(file, line, statement) of each import inside a function body (nested ones once)."""
    found = []
    for path in sorted((ROOT / "portal").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        seen = set()
        for func in ast.walk(tree):
            if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                for node in ast.walk(func):
                    if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in seen:
                        seen.add(id(node))
                        found.append((str(path.relative_to(ROOT)), node.lineno, ast.unparse(node)))
    return found


def main() -> None:
    graph = import_graph()
    module_cycles = cycles(graph)
    layers: dict[str, set[str]] = {}
    for source, targets in graph.items():
        for target in targets:
            if layer(source) != layer(target):
                layers.setdefault(layer(source), set()).add(layer(target))
    inside = imports_in_functions()
    own = [i for i in inside if re.match(r"(from|import) portal\b", i[2])]
    long = sorted((len(p.read_text(encoding="utf-8").splitlines()), str(p.relative_to(ROOT)))
                  for p in (ROOT / "portal").rglob("*.py"))
    long = [(n, p) for n, p in long if n > MAX_LINES]
    roles, names = role_lines()
    print(f"import cycles between modules: {len(module_cycles)}")
    for component in module_cycles:
        print("   ", " ⇄ ".join(component))
    print(f"import cycles between domains: {len(cycles(layers))}")
    for component in cycles(layers):
        print("   ", " ⇄ ".join(component))
    print(f"imports inside functions: {len(inside)} ({len(own)} of portal modules)")
    for path, line, statement in own:
        print(f"    {path}:{line} {statement}")
    print(f"modules over {MAX_LINES} lines: {len(long)}")
    for n, path in long:
        print(f"    {n:5d} {path}")
    print(f"role checks in templates: {len(roles)} in {len({p for p, _, _ in roles})} templates")
    for path, line, _ in roles:
        print(f"    templates/{path}:{line}")
    print(f"template lines that only show a role's name: {len(names)} "
          f"in {len({p for p, _, _ in names})} templates")


if __name__ == "__main__":
    main()

"""The code's shape, checked on every run (docs/ARCHITECTURE.md): no module of the project imports another in a
cycle, whether at module level or inside a function, and no application module outgrows the size limit.

import-linter checks the layers; a cycle inside one layer (a service importing a task that imports the service
back inside a function) is invisible to it, so the whole import graph is walked here with `ast`.
"""

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("accounts", "clients", "operations", "projects", "billing", "organizer_pm", "photos")
# The pure engines hold long, tightly related algorithms and are exempt, as are migrations.
SIZE_LIMIT = 450
SIZE_EXEMPT = ("projects/scheduling/", "operations/recurrence")


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Project modules `name` imports anywhere in its body (TYPE_CHECKING blocks included: they cost nothing at
    run time but still tie the two modules' designs together)."""
    is_package = path.name == "__init__.py"
    base = name if is_package else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        candidates: list[str] = []
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            package = node.module or ""
            if node.level:
                anchor = base
                for _ in range(node.level - 1):
                    anchor = anchor.rpartition(".")[0]
                package = f"{anchor}.{package}" if package else anchor
            candidates = [f"{package}.{alias.name}" for alias in node.names] + [package]
        for candidate in candidates:
            while candidate and candidate not in modules:
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != name:
                targets.add(candidate)
                break
    return targets


def test_no_module_imports_another_in_a_cycle():
    modules = _modules()
    graph = nx.DiGraph()
    for name, path in modules.items():
        graph.add_node(name)
        graph.add_edges_from((name, target) for target in _imports(name, path, modules))
    # A package's __init__ importing its own submodules is not a cycle of design, only of bookkeeping.
    graph.remove_edges_from([(a, b) for a, b in graph.edges if b.startswith(a + ".") or a.startswith(b + ".")])
    cycles = [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    assert cycles == []


@pytest.mark.parametrize("package", PACKAGES)
def test_no_application_module_over_the_size_limit(package):
    too_big = []
    for path in (ROOT / package).rglob("*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if "migrations" in path.parts or relative.startswith(SIZE_EXEMPT):
            continue
        lines = sum(1 for _ in path.open(encoding="utf-8"))
        if lines > SIZE_LIMIT:
            too_big.append(f"{relative}: {lines}")
    assert too_big == []

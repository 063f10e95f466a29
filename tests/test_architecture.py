"""The package's layers: imports only point down, and no module imports itself back in a cycle.

Top to bottom: cli → server | evaluate → mcp → service → graph → the parts (incidents, alerts,
cluster, diagnose, gitops, slack, store, config, policy, redact, models ...). Every import counts,
including those inside functions and under TYPE_CHECKING: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from tests.support.imports import import_statements

PACKAGE = Path(__file__).resolve().parents[1] / "agent" / "dr_kube"
UPPER = ("cli", "server", "evaluate", "mcp", "service", "graph")
# For each upper layer, the layers it must never import.
FORBIDDEN: dict[str, set[str]] = {
    "cli": set(),
    "server": {"cli", "evaluate"},
    "evaluate": {"cli", "server", "mcp"},
    "mcp": {"cli", "server", "evaluate"},
    "service": {"cli", "server", "evaluate", "mcp"},
    "graph": {"cli", "server", "evaluate", "mcp", "service"},
    "parts": {"cli", "server", "evaluate", "mcp", "service", "graph"},
}


def modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in PACKAGE.rglob("*.py"):
        parts = ["dr_kube", *path.relative_to(PACKAGE).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def resolve(name: str, known: dict[str, Path]) -> str | None:
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def import_graph() -> dict[str, set[str]]:
    known = modules()
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for base, members in import_statements(tree, name, path.name == "__init__.py"):
            subs = [f"{base}.{m}" for m in members if f"{base}.{m}" in known]
            # `from pkg import sub` depends on pkg.sub alone; any other name, on pkg itself
            targets = subs if members and len(subs) == len(members) else [base, *subs]
            for target in targets:
                if target.startswith("dr_kube"):
                    found = resolve(target, known)
                    if found and found != name:
                        graph[name].add(found)
    return graph


def layer(module: str) -> str:
    top = module.split(".")[1] if module.count(".") else ""
    return top if top in UPPER else "parts"


def test_the_walk_sees_the_package() -> None:
    graph = import_graph()
    assert "dr_kube.graph.graph" in graph["dr_kube.graph.runner"]
    assert len(modules()) > 80


def test_imports_point_down() -> None:
    upward = sorted(
        f"{source} imports {target}"
        for source, targets in import_graph().items()
        for target in targets
        if layer(target) in FORBIDDEN[layer(source)]
        if layer(source) in FORBIDDEN
    )
    assert upward == []


def test_no_import_cycles() -> None:
    graph = import_graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in modules():
        if module not in index:
            visit(module)
    assert cycles == []

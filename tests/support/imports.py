"""Reading a module's imports from its source: what the architecture and layout tests check."""

from __future__ import annotations

import ast
from collections.abc import Iterator


def import_statements(
    tree: ast.AST, importer: str, is_package: bool
) -> Iterator[tuple[str, list[str]]]:
    """Every import statement anywhere in `tree` (inside functions too) as (module, names):
    `import a.b` → ("a.b", []), `from .x import y` → (the resolved `pkg.x`, ["y"])."""
    package = importer if is_package else importer.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                anchor = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            yield base, [alias.name for alias in node.names]

"""The tests' own layout: a test module imports the code under test and tests.support, never another
test module or another folder's conftest (shared helpers, fakes and fixtures live in tests/support)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.imports import import_statements

TESTS = Path(__file__).resolve().parent
SUPPORT = "tests.support"


def module_name(path: Path) -> str:
    """The dotted name of a file under tests/ (tests/cli/test_fix.py → tests.cli.test_fix)."""
    parts = path.relative_to(TESTS.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(tree: ast.AST, importer: str, is_package: bool) -> list[str]:
    """Every module an import statement or pytest_plugins names, relative imports resolved."""
    names: list[str] = []
    for base, members in import_statements(tree, importer, is_package):
        # `from tests import service` imports the module tests.service
        names += [f"{base}.{m}" for m in members] if base == "tests" and members else [base]
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytest_plugins" for t in node.targets
        ):
            names += [
                c.value
                for c in ast.walk(node.value)
                if isinstance(c, ast.Constant) and isinstance(c.value, str)
            ]
    return names


def offenders(source: str, importer: str, is_package: bool = False) -> list[str]:
    """The test modules (anything under tests but tests.support) this source imports."""
    tree = ast.parse(source)
    return [
        name
        for name in imported(tree, importer, is_package)
        if (name == "tests" or name.startswith("tests."))
        and name != SUPPORT
        and not name.startswith(f"{SUPPORT}.")
    ]


def test_test_modules_import_only_tests_support() -> None:
    # the checker itself: what it must catch, and what it must let through
    assert offenders("from tests.service.helpers import alert", "tests.cli.test_x") == [
        "tests.service.helpers"
    ]
    assert offenders("from .stack_helpers import REPO", "tests.stack.test_x") == [
        "tests.stack.stack_helpers"
    ]
    assert offenders("def f():\n    from tests import conftest", "tests.x.test_y") == [
        "tests.conftest"
    ]
    assert offenders('pytest_plugins = ["tests.llm.conftest"]', "tests.conftest") == [
        "tests.llm.conftest"
    ]
    assert offenders("from tests.support.service import alert\nimport dr_kube", "tests.a") == []
    assert offenders("from . import net", "tests.support", is_package=True) == []

    files = sorted(p for p in TESTS.rglob("*.py") if "data" not in p.relative_to(TESTS).parts)
    assert TESTS / "cli" / "test_fix.py" in files and TESTS / "support" / "repos.py" in files
    found = {
        str(path.relative_to(TESTS.parent)): bad
        for path in files
        if (
            bad := offenders(
                path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py"
            )
        )
    }
    assert found == {}, f"test modules import other test modules (use tests.support): {found}"

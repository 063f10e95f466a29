"""Stores for the audit and memory tests: a SQLite file, and a throw-away PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dr_kube.store import Store, open_store


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    store = open_store(None, tmp_path / "dr-kube.db")
    yield store
    store.close()


@pytest.fixture(params=["sqlite", "postgres"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """The same test on the embedded store and on the server database."""
    if request.param == "sqlite":
        store = open_store(None, tmp_path / "dr-kube.db")
    else:
        store = open_store(request.getfixturevalue("postgres_url"), tmp_path / "unused.db")
    yield store
    store.close()

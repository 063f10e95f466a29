"""The LangGraph checkpointer next to the store: SQLite file or the same PostgreSQL."""

from __future__ import annotations

import inspect
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

from pydantic import BaseModel


def allowed_types(modules: Iterable[ModuleType]) -> list[tuple[str, str]]:
    """Every pydantic model of the given modules: deserialised by name, nothing else."""
    found: list[tuple[str, str]] = []
    for module in modules:
        for attr, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseModel)
                and value.__module__ == module.__name__
            ):
                found.append((module.__name__, attr))
    return found


def serializer(state_modules: Iterable[ModuleType]) -> Any:
    from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

    return JsonPlusSerializer(allowed_msgpack_modules=allowed_types(state_modules))


def make_checkpointer(url: str | None, db_path: Path, state_modules: Iterable[ModuleType]) -> Any:
    """The checkpointer; `state_modules` hold the models that travel in the graph's state."""
    if url and url.startswith(("postgresql://", "postgres://")):
        from langgraph.checkpoint.postgres import PostgresSaver
        from psycopg.rows import dict_row
        from psycopg_pool import ConnectionPool

        pool: Any = ConnectionPool(
            url,
            min_size=1,
            max_size=8,
            kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
            open=True,
        )
        saver = PostgresSaver(pool, serde=serializer(state_modules))
        setup_once(saver, pool)
        return saver
    from langgraph.checkpoint.sqlite import SqliteSaver

    path = db_path.with_name(db_path.stem + "-checkpoints.db")
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA busy_timeout=10000")
    sqlite_saver = SqliteSaver(conn, serde=serializer(state_modules))
    sqlite_saver.setup()
    return sqlite_saver


def setup_once(saver: Any, pool: Any) -> None:
    """Create the checkpoint tables while holding an advisory lock (replicas start together)."""
    with pool.connection() as conn:
        conn.execute("SELECT pg_advisory_lock(71002)")
        try:
            saver.setup()
        finally:
            conn.execute("SELECT pg_advisory_unlock(71002)")

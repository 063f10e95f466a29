"""One SQL database behind one small interface: SQLite (WAL) by default, PostgreSQL to scale out."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from dr_kube.config.store import StoreSettings

Row = dict[str, Any]


class Cursor(Protocol):
    """The few cursor operations the store uses, with `?` placeholders in both dialects."""

    def run(self, sql: str, params: Sequence[Any] = ()) -> int: ...
    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None: ...
    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...
    def insert(self, sql: str, params: Sequence[Any] = ()) -> int: ...
    def defer(self, work: Callable[[Cursor], None]) -> None: ...


class Deferred:
    """Work queued to run last in the transaction, just before it commits (audit appends)."""

    def __init__(self) -> None:
        self.queued: list[Callable[[Any], None]] = []

    def defer(self, work: Callable[[Any], None]) -> None:
        self.queued.append(work)

    def run_deferred(self) -> None:
        while self.queued:
            self.queued.pop(0)(self)


class Database(Protocol):
    dialect: str

    def tx(self, *, write: bool = True) -> Any: ...
    def close(self) -> None: ...


class SqliteCursor(Deferred):
    def __init__(self, conn: sqlite3.Connection) -> None:
        super().__init__()
        self.conn = conn

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self.conn.execute(sql, tuple(params)).rowcount

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        row = self.conn.execute(sql, tuple(params)).fetchone()
        return dict(row) if row is not None else None

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return [dict(r) for r in self.conn.execute(sql, tuple(params)).fetchall()]

    def insert(self, sql: str, params: Sequence[Any] = ()) -> int:
        cur = self.conn.execute(sql, tuple(params))
        return int(cur.lastrowid or 0)


class SqliteDatabase:
    """WAL mode, one connection per thread; writers serialise through BEGIN IMMEDIATE."""

    dialect = "sqlite"

    def __init__(self, path: Path, synchronous: str = "FULL") -> None:
        self.path = path
        self.synchronous = synchronous
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._guard = threading.Lock()
        self._generation = 0

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "generation", -1) != self._generation:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA synchronous={self.synchronous}")
            conn.execute("PRAGMA busy_timeout=10000")
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
            self._local.generation = self._generation
            with self._guard:
                self._all.append(conn)
        return conn

    @contextmanager
    def tx(self, *, write: bool = True) -> Iterator[Cursor]:
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        cursor = SqliteCursor(conn)
        try:
            yield cursor
            cursor.run_deferred()
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        with self._guard:
            self._generation += 1  # threads reconnect on their next use
            for conn in self._all:
                conn.close()
            self._all.clear()


class PgCursor(Deferred):
    def __init__(self, cur: Any) -> None:
        super().__init__()
        self.cur = cur

    @staticmethod
    def _sql(sql: str) -> str:
        return sql.replace("?", "%s")

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        self.cur.execute(self._sql(sql), tuple(params))
        return int(self.cur.rowcount)

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        self.cur.execute(self._sql(sql), tuple(params))
        row = self.cur.fetchone()
        return dict(row) if row is not None else None

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        self.cur.execute(self._sql(sql), tuple(params))
        return [dict(r) for r in self.cur.fetchall()]

    def insert(self, sql: str, params: Sequence[Any] = ()) -> int:
        self.cur.execute(self._sql(sql) + " RETURNING id", tuple(params))
        row = self.cur.fetchone()
        return int(row["id"]) if row else 0


class PostgresDatabase:
    """A psycopg connection pool; row locks and SKIP LOCKED do the work claiming."""

    dialect = "postgres"

    def __init__(self, url: str, max_size: int = 10) -> None:
        from psycopg.rows import dict_row
        from psycopg_pool import ConnectionPool

        self.url = url
        self.pool = ConnectionPool(
            url, min_size=1, max_size=max_size, kwargs={"row_factory": dict_row}, open=True
        )

    @contextmanager
    def tx(self, *, write: bool = True) -> Iterator[Cursor]:
        with self.pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
            cursor = PgCursor(cur)
            yield cursor
            cursor.run_deferred()

    def close(self) -> None:
        self.pool.close()


def open_database(url: str | None, path: Path) -> SqliteDatabase | PostgresDatabase:
    if url and url.startswith(("postgresql://", "postgres://")):
        return PostgresDatabase(url)
    sync = StoreSettings.load().sqlite_synchronous
    if url and url.startswith("sqlite:///"):
        return SqliteDatabase(Path(url.removeprefix("sqlite:///")), sync)
    return SqliteDatabase(path, sync)

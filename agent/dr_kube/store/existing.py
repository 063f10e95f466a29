"""Opening a store that must already exist (`dr-kube audit`, `dr-kube history`): checked first,
read-only, so that a wrong file is named and left untouched instead of given a schema."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from dr_kube.errors import InputError

SQLITE_MAGIC = b"SQLite format 3\x00"
TRAIL_TABLES = ("audit", "audit_head")


def check_sqlite_store(path: Path) -> None:
    """InputError unless PATH is a SQLite database holding DR-Kube's audit trail."""
    if not path.is_file():
        raise InputError(f"no store at {path} (set DRKUBE_DB or DRKUBE_DATABASE_URL)")
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if not head:
        raise InputError(f"{path}: empty file, not a DR-Kube store")
    if head != SQLITE_MAGIC:
        raise InputError(f"{path}: not a SQLite database")
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    except sqlite3.DatabaseError as exc:
        raise InputError(f"{path}: unreadable SQLite database: {exc}") from None
    finally:
        conn.close()
    missing_tables(path, {str(row[0]) for row in rows})


def check_postgres_store(url: str, redacted: str) -> None:
    """InputError unless the database at URL holds DR-Kube's audit trail (REDACTED names it)."""
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=10) as conn:
            names = {
                str(row[0])
                for row in conn.execute(
                    "SELECT table_name FROM information_schema.tables"
                    " WHERE table_schema = current_schema()"
                ).fetchall()
            }
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{redacted}: cannot read the store: {first}") from None
    missing_tables(redacted, names)


def missing_tables(where: object, names: set[str]) -> None:
    missing = [t for t in TRAIL_TABLES if t not in names]
    if missing:
        raise InputError(
            f"{where}: no DR-Kube audit trail in it (no table {', '.join(missing)}):"
            " not the service's store?"
        )

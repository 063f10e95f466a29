"""Durable state of the service: SQLite (WAL) by default, PostgreSQL for several replicas."""

from __future__ import annotations

from pathlib import Path

from dr_kube.store.db import open_database
from dr_kube.store.store import Claim, Ingested, Store

__all__ = ["Claim", "Ingested", "Store", "open_store"]


def open_store(url: str | None, path: Path, max_runs: int = 3) -> Store:
    store = Store(open_database(url, path), max_runs=max_runs)
    store.init()
    return store

"""A throw-away PostgreSQL cluster from Debian's `postgresql` package, on a free loopback port
(and the postgres_url fixture that starts one per test)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.net import free_port
from tests.support.paths import IN_CI

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def available() -> bool:
    return (PG_BIN / "initdb").exists() and shutil.which("runuser") is not None


@contextmanager
def temporary_postgres() -> Iterator[str]:
    """Start a cluster (trust auth, 127.0.0.1 only) and yield its URL; removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="dr-kube-pg-"))
    shutil.chown(folder, "postgres")
    port = free_port()
    as_pg = ["runuser", "-u", "postgres", "--"]
    data = f"{folder}/data"
    subprocess.run(
        [*as_pg, str(PG_BIN / "initdb"), "-D", data, "-A", "trust", "-U", "postgres"],
        check=True,
        capture_output=True,
    )
    options = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={folder}"
    pg_ctl = [*as_pg, str(PG_BIN / "pg_ctl"), "-D", data]
    subprocess.run(
        [*pg_ctl, "-l", f"{folder}/log", "-o", options, "-w", "start"],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*pg_ctl, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def missing(message: str) -> None:
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    if not available():
        missing("PostgreSQL 15 is not installed (apt-get install postgresql)")
    with temporary_postgres() as url:
        yield url

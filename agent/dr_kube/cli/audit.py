"""`dr-kube audit verify | export` and `dr-kube history NAMESPACE/WORKLOAD`, on the service's store.

The store is found like `serve` finds it: DRKUBE_DATABASE_URL (PostgreSQL) or DRKUBE_DB (SQLite).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import click

from dr_kube.cli.options import guarded
from dr_kube.config.duration import ACCEPTED, parse_duration
from dr_kube.errors import InputError

EXIT_BROKEN = 4  # the audit trail was changed or has a gap


def store_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option(
        "--database-url",
        envvar="DRKUBE_DATABASE_URL",
        help="PostgreSQL URL of the service's store. [env DRKUBE_DATABASE_URL]",
    )(func)
    return click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False, path_type=Path),
        envvar="DRKUBE_DB",
        default=".dr-kube/dr-kube.db",
        show_default=True,
        help="SQLite file of the service's store. [env DRKUBE_DB]",
    )(func)


def open_existing(db_path: Path, database_url: str | None) -> Any:
    """The service's store, once it is known to hold an audit trail (a wrong file stays as it is)."""
    from dr_kube.redact import redact
    from dr_kube.store import open_store
    from dr_kube.store.existing import check_postgres_store, check_sqlite_store

    if database_url and database_url.startswith(("postgresql://", "postgres://")):
        check_postgres_store(database_url, redact(database_url))
    elif database_url and database_url.startswith("sqlite:///"):
        check_sqlite_store(Path(database_url.removeprefix("sqlite:///")))
    else:
        check_sqlite_store(db_path)
    return open_store(database_url, db_path)


def parse_since(text: str | None, now: float | None = None) -> float | None:
    """An ISO date/time (UTC when no zone is given), or a duration ago: `30m`, `24h`, `7d`, `1w`."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            return (now or time.time()) - parse_duration(text)
        except ValueError:
            raise InputError(
                f"--since {text!r}: use an ISO date (2026-11-01) or a duration ago: {ACCEPTED}"
            ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


def stamp(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M")


@click.group()
def audit() -> None:
    """The audit trail: every action DR-Kube took, hash-chained (DRKUBE_DB / DRKUBE_DATABASE_URL)."""


@audit.command()
@store_options
def verify(db_path: Path, database_url: str | None) -> None:
    """Check the chain: exit 0 when intact, 4 naming the first changed or deleted record."""

    def body() -> int:
        from dr_kube.store.audit import verify_db

        store = open_existing(db_path, database_url)
        try:
            verdict = verify_db(store.db)
        finally:
            store.close()
        if verdict.ok:
            click.echo(f"audit trail intact: {verdict.records} record(s)")
            return 0
        click.echo(
            f"audit trail broken: {verdict.problem} ({verdict.records} record(s) before it verified)"
        )
        return EXIT_BROKEN

    guarded(body)


@audit.command()
@store_options
@click.option("--since", help="Only records from then on: 30m, 24h, 7d or an ISO date/time.")
@click.option("--incident", help="Only this incident's records.")
@click.option(
    "--output",
    "-o",
    type=click.File("w"),
    default="-",
    help="Where the JSON lines go (default: stdout).",
)
def export(
    db_path: Path,
    database_url: str | None,
    since: str | None,
    incident: str | None,
    output: TextIO,
) -> None:
    """Print the records as JSON lines (one object per line, in chain order)."""

    def body() -> int:
        from dr_kube.store.audit import records

        start = parse_since(since)
        store = open_existing(db_path, database_url)
        try:
            for record in records(store.db, incident=incident, since=start):
                output.write(record.model_dump_json() + "\n")
        finally:
            store.close()
        return 0

    guarded(body)


@click.command()
@click.argument("target", metavar="NAMESPACE/WORKLOAD")
@store_options
@click.option("--events", is_flag=True, help="Also list each incident's audit records.")
@click.option("--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def history(
    target: str, db_path: Path, database_url: str | None, events: bool, output: str
) -> None:
    """Print the timeline of one workload's incidents: diagnosis, fix, PR and outcome."""

    def body() -> int:
        from dr_kube.store.audit import records
        from dr_kube.store.history import StoreMemory

        namespace, _, workload = target.partition("/")
        if not namespace or not workload or "/" in workload:
            raise InputError(f"expected NAMESPACE/WORKLOAD, got {target!r}")
        store = open_existing(db_path, database_url)
        try:
            timeline = StoreMemory(store).timeline(namespace, workload)
            trail = {
                p.id: [r for r in records(store.db, incident=p.id)] if events else []
                for p in timeline
            }
        finally:
            store.close()
        if output == "json":
            for past in timeline:
                item = past.model_dump(mode="json", exclude={"same_workload", "score"})
                if events:
                    item["events"] = [r.model_dump(mode="json") for r in trail[past.id]]
                click.echo(json.dumps(item))
            return 0
        if not timeline:
            click.echo(f"{namespace}/{workload}: no incidents recorded")
            return 0
        click.echo(f"{namespace}/{workload}: {len(timeline)} incident(s)")
        for past in timeline:
            fix = "; ".join(f"{c.dotted()} {c.old} → {c.new}" for c in past.changes) or "no change"
            merged = f", merged {stamp(past.merged_at)}" if past.merged_at else ""
            click.echo(
                f"{stamp(past.created_at)}  {past.category:<17} {past.status:<15} {past.id}{merged}"
            )
            if past.root_cause:
                click.echo(f"    cause:   {past.root_cause}")
            click.echo(f"    fix:     {fix}" + (f"  ({past.pr_url})" if past.pr_url else ""))
            click.echo(f"    outcome: {past.outcome or 'none recorded'}")
            for record in trail[past.id]:
                click.echo(
                    f"      {stamp(record.ts)}  #{record.seq} {record.kind}: {record.message}"
                )
        return 0

    guarded(body)

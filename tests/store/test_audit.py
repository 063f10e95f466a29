"""The audit trail: hash chain, tamper detection (changed, deleted in the middle, deleted last) on
SQLite and PostgreSQL, no fork with two stores appending at once, and what intake records."""

from __future__ import annotations

import itertools
import sqlite3
import threading
from pathlib import Path
from typing import Any

from dr_kube.store import Store, open_store
from dr_kube.store.audit import GENESIS, records, verify_db
from tests.support.service import alert


def raw_sql(store: Store, sql: str, params: tuple[Any, ...] = ()) -> None:
    """What an intruder with database access does: a change outside DR-Kube's code."""
    with store.db.tx() as cur:
        cur.run(sql, params)


def fill(store: Store, n: int = 12) -> None:
    for i in range(n):
        store.event(f"inc-{i % 3}", "test", f"record {i}", actor="tester", data={"i": i})


def test_records_are_chained_and_verify(any_store: Store) -> None:
    fill(any_store)
    items = list(records(any_store.db))
    assert [r.seq for r in items] == list(range(1, 13))
    assert items[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(items))
    assert items[3].actor == "tester" and items[3].data == {"i": 3}
    assert [r.seq for r in records(any_store.db, incident="inc-1")] == [2, 5, 8, 11]
    verdict = verify_db(any_store.db)
    assert verdict.ok and verdict.records == 12


def test_a_changed_record_is_named(any_store: Store) -> None:
    fill(any_store)
    raw_sql(any_store, "UPDATE audit SET message = 'nothing happened' WHERE seq = 5")
    verdict = verify_db(any_store.db)
    assert not verdict.ok and verdict.first_bad == 5 and verdict.problem == "record 5 changed"


def test_a_changed_and_rehashed_record_is_named(any_store: Store) -> None:
    """Recomputing the changed record's own hash does not help: the next one no longer follows."""
    from dr_kube.store.audit import canonical, hashed_fields, record_hash

    fill(any_store)
    row = next(r for r in records(any_store.db) if r.seq == 7)
    digest = record_hash(
        row.prev_hash,
        hashed_fields(
            7, row.ts, row.incident_id, row.kind, "mallory", row.message, canonical(row.data)
        ),
    )
    raw_sql(any_store, "UPDATE audit SET actor = 'mallory', hash = ? WHERE seq = 7", (digest,))
    verdict = verify_db(any_store.db)
    assert not verdict.ok and verdict.first_bad == 7, verdict


def test_deleted_records_are_named(any_store: Store) -> None:
    fill(any_store)
    raw_sql(any_store, "DELETE FROM audit WHERE seq = 4")
    verdict = verify_db(any_store.db)
    assert not verdict.ok and verdict.first_bad == 4
    assert verdict.problem is not None and "record 4 deleted" in verdict.problem


def test_deleting_the_newest_record_is_found(any_store: Store) -> None:
    fill(any_store)
    raw_sql(any_store, "DELETE FROM audit WHERE seq = 12")
    verdict = verify_db(any_store.db)
    assert not verdict.ok and verdict.first_bad == 12
    assert verdict.problem is not None and "deleted" in verdict.problem


def test_an_altered_sqlite_file_fails(tmp_path: Path) -> None:
    """The issue's test: alter a row of the SQLite file with the sqlite3 tool's library."""
    store = open_store(None, tmp_path / "s.db")
    fill(store, 5)
    store.close()
    conn = sqlite3.connect(tmp_path / "s.db")
    conn.execute("UPDATE audit SET data = '{\"i\":99}' WHERE seq = 2")
    conn.commit()
    conn.close()
    store = open_store(None, tmp_path / "s.db")
    verdict = verify_db(store.db)
    store.close()
    assert verdict.first_bad == 2 and not verdict.ok


def test_two_stores_appending_at_once_never_fork_the_chain(
    postgres_url: str, tmp_path: Path
) -> None:
    """Two `serve` processes on one PostgreSQL: two pools, eight threads, one chain."""
    stores = [open_store(postgres_url, tmp_path / "x.db") for _ in range(2)]
    errors: list[BaseException] = []

    def work(store: Store, n: int) -> None:
        try:
            for i in range(25):
                store.event(f"i{n}", "test", f"{n}-{i}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(stores[n % 2], n)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    seqs = [r.seq for r in records(stores[0].db)]
    assert seqs == list(range(1, 201))
    assert verify_db(stores[1].db).ok
    for store in stores:
        store.close()


def test_intake_records_each_alert_and_the_incident(sqlite_store: Store) -> None:
    from dr_kube.alerts import parse_incidents

    firing = parse_incidents({"version": "4", "alerts": [alert(), alert(pod_suffix="x2")]})
    sqlite_store.ingest(firing)
    items = list(records(sqlite_store.db))
    kinds = [(r.kind, r.actor) for r in items]
    assert kinds == [("created", "dr-kube"), ("alert", "alertmanager"), ("alert", "alertmanager")]
    assert items[1].data["action"] == "created" and items[2].data["action"] == "joined"
    incident = items[0].incident_id
    sqlite_store.pr_closed(incident, merged=True, by="alice")
    last = list(records(sqlite_store.db))[-1]
    assert (last.kind, last.actor, last.message) == ("pr", "alice", "merged by alice")
    assert verify_db(sqlite_store.db).ok

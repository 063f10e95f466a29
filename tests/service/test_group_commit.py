"""Group commit: concurrent deliveries share transactions, and each gets exactly its own answer."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from dr_kube.alerts import parse_incidents
from dr_kube.service.intake import GroupCommit
from dr_kube.store import open_store
from tests.support.service import alert, payload


def test_concurrent_deliveries_are_all_stored_and_answered_with_their_own_incidents(
    tmp_path: Path,
) -> None:
    store = open_store(None, tmp_path / "dr-kube.db", 3)
    intake = GroupCommit(store)
    answers: dict[int, Any] = {}

    def deliver(n: int) -> None:
        incidents = parse_incidents(payload(alert(f"svc{n % 7}", pod_suffix=f"p{n}")))
        answers[n] = intake.ingest(incidents)

    threads = [threading.Thread(target=deliver, args=(n,)) for n in range(60)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    intake.close()
    assert len(answers) == 60
    for n, stored in answers.items():
        [one] = stored
        assert one.key.split("/")[2] == f"svc{n % 7}", (
            "every delivery is answered with its own alerts"
        )
    assert store.count("alerts") == 60
    assert len(store.list_incidents()) == 7  # alerts of one workload joined one incident


def test_a_failing_delivery_does_not_fail_the_others(tmp_path: Path) -> None:
    store = open_store(None, tmp_path / "dr-kube.db", 3)
    real = store.ingest
    poisoned = parse_incidents(payload(alert("poison")))[0]

    def ingest(incidents: Any) -> Any:
        if any(i.workload and i.workload.name == "poison" for i in incidents):
            raise RuntimeError("disk full")
        return real(incidents)

    store.ingest = ingest  # type: ignore[method-assign]
    intake = GroupCommit(store)
    results: dict[str, Any] = {}

    def deliver(name: str) -> None:
        try:
            incidents = [poisoned] if name == "poison" else parse_incidents(payload(alert(name)))
            results[name] = intake.ingest(incidents)
        except RuntimeError as exc:
            results[name] = exc

    threads = [threading.Thread(target=deliver, args=(n,)) for n in ("a", "poison", "b", "c")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    intake.close()
    assert isinstance(results["poison"], RuntimeError)
    assert all(len(results[n]) == 1 for n in ("a", "b", "c"))
    assert store.count("alerts") == 3


def test_repeats_are_answered_from_memory_and_counted_at_the_next_flush(tmp_path: Path) -> None:
    store = open_store(None, tmp_path / "dr-kube.db", 3)
    intake = GroupCommit(store)
    first = intake.ingest(parse_incidents(payload(alert("cartservice"))))
    again = [intake.ingest(parse_incidents(payload(alert("cartservice")))) for _ in range(4)]
    assert [a[0].action for a in again] == ["repeated"] * 4
    assert {a[0].incident_id for a in again} == {first[0].incident_id}
    assert store.count("alerts") == 1  # no write of their own
    # a new firing episode (new startsAt) and another pod are news: the full path
    episode = intake.ingest(
        parse_incidents(payload(alert("cartservice", starts_at="2026-11-25T08:00:00Z")))
    )
    other = intake.ingest(parse_incidents(payload(alert("cartservice", pod_suffix="zz9"))))
    assert episode[0].action != "repeated" and other[0].action == "joined"
    intake.close()  # flushes the counts
    [incident] = store.list_incidents()
    assert incident["alert_count"] == 7


def test_a_repeat_about_an_incident_closed_elsewhere_takes_the_full_path(tmp_path: Path) -> None:
    db = tmp_path / "dr-kube.db"
    here = GroupCommit(open_store(None, db, 3))
    there = GroupCommit(open_store(None, db, 3))  # another replica on the same database
    created = here.ingest(parse_incidents(payload(alert("adservice"))))[0]
    assert there.ingest(parse_incidents(payload(alert("adservice", status="resolved"))))[
        0
    ].action == ("resolved")
    late = here.ingest(parse_incidents(payload(alert("adservice"))))[0]
    assert late.action != "repeated" and late.incident_id != created.incident_id
    here.close()
    there.close()


def test_a_big_delivery_is_committed_in_chunks_and_a_small_one_gets_in_between(
    tmp_path: Path,
) -> None:
    store = open_store(None, tmp_path / "dr-kube.db", 3)
    real = store.ingest
    transactions: list[list[str]] = []
    first_chunk, small_queued = threading.Event(), threading.Event()

    def ingest(incidents: Any) -> Any:
        transactions.append([i.workload.name if i.workload else "" for i in incidents])
        if len(transactions) == 1:  # the big delivery's first chunk waits for the small one
            first_chunk.set()
            small_queued.wait(10)
        return real(incidents)

    store.ingest = ingest  # type: ignore[method-assign]
    intake = GroupCommit(store)
    big = parse_incidents(payload(*[alert("big", pod_suffix=f"p{n}") for n in range(1000)]))
    answers: dict[str, Any] = {}
    thread = threading.Thread(target=lambda: answers.setdefault("big", intake.ingest(big)))
    thread.start()
    assert first_chunk.wait(10)
    small = threading.Thread(
        target=lambda: answers.setdefault(
            "small", intake.ingest(parse_incidents(payload(alert("small"))))
        )
    )
    small.start()
    while intake._queue.qsize() == 0 and small.is_alive():  # the small delivery is queued
        threading.Event().wait(0.01)
    small_queued.set()
    thread.join(30)
    small.join(30)
    intake.close()
    assert len(answers["big"]) == 1000 and [a.action for a in answers["big"][:2]] == [
        "created",
        "joined",
    ]
    assert len(answers["small"]) == 1
    assert max(len(t) for t in transactions) <= 256
    where = next(n for n, t in enumerate(transactions) if "small" in t)
    assert where < len(transactions) - 1, "the small delivery waited for one chunk, not for all"
    assert store.count("alerts") == 1001

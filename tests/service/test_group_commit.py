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

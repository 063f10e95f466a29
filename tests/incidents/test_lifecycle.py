"""The lifecycle declares every status the store and the service write, and the store refuses a
step the lifecycle does not allow."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dr_kube.incidents import lifecycle
from dr_kube.incidents.lifecycle import CLOSED_STATUSES, STATUSES, IllegalTransitionError, is_open
from dr_kube.incidents.model import Incident, WorkloadRef
from dr_kube.store import Store
from dr_kube.store.db import SqliteDatabase

PACKAGE = Path(__file__).resolve().parents[2] / "agent" / "dr_kube"
MOVE = re.compile(r'_?move\(\s*(?:cur,\s*)?[\w\["\]]+,\s*"([a-z-]+)"')


def test_every_written_status_is_declared() -> None:
    written: set[str] = set()
    for path in [*PACKAGE.glob("store/*.py"), *PACKAGE.glob("service/*.py")]:
        text = path.read_text(encoding="utf-8")
        written |= set(re.findall(r"UPDATE incidents SET status = '([a-z-]+)'", text))
        written |= set(re.findall(r'"status": "([a-z-]+)"', text))
        written |= set(re.findall(r'fields\["status"\] = "([a-z-]+)"', text))
        written |= set(MOVE.findall(text))
    assert {"resolved", "merged", "joined", "running"} <= written, written
    assert written <= set(STATUSES), sorted(written - set(STATUSES))


def test_closed_statuses_are_not_open() -> None:
    assert all(not is_open(s) for s in CLOSED_STATUSES)
    assert is_open("awaiting-approval")


def test_transitions_name_only_declared_statuses() -> None:
    for old, news in lifecycle.TRANSITIONS.items():
        assert old in STATUSES and news <= set(STATUSES)
    assert set(lifecycle.TRANSITIONS) == set(STATUSES)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("resolved", "running"),
        ("closed", "queued"),
        ("joined", "awaiting-review"),
        ("queued", "merged"),
        ("merged", "running"),
    ],
)
def test_illegal_steps_raise(old: str, new: str) -> None:
    assert not lifecycle.allowed(old, new)
    with pytest.raises(IllegalTransitionError, match=f"from {old} to {new}"):
        lifecycle.require(old, new)


def test_require_knows_every_status() -> None:
    with pytest.raises(IllegalTransitionError, match="unknown"):
        lifecycle.require("queued", "sleeping")
    assert lifecycle.require("awaiting-review", "merged") == "merged"


def test_the_store_refuses_an_illegal_transition(tmp_path: Path) -> None:
    store = Store(SqliteDatabase(tmp_path / "db.sqlite"))
    store.init()
    incident = Incident(
        id="f1",
        alertname="ContainerOOMKilled",
        namespace="shop",
        category_hint="oom",
        workload=WorkloadRef(name="frontend"),
        fingerprint="f1",
    )
    [created] = store.ingest([incident])
    assert created.incident_id is not None
    store.ingest([incident.model_copy(update={"status": "resolved"})])
    assert store.get_incident(created.incident_id)["status"] == "resolved"  # type: ignore[index]
    assert store.move(created.incident_id, "running") is False
    detail = store.get_incident(created.incident_id)
    assert detail is not None and detail["status"] == "resolved"
    assert any("cannot go from resolved to running" in e["message"] for e in detail["events"])
    store.pr_closed(created.incident_id, merged=True, by="octocat")  # a late merge: refused too
    assert store.get_incident(created.incident_id)["status"] == "resolved"  # type: ignore[index]

"""A failed incident is not a dead end: a later alert re-opens it, and a new incident of the same
key takes its alerts over (the store on SQLite and on PostgreSQL)."""

from __future__ import annotations

from dr_kube.alerts import parse_incidents
from dr_kube.incidents.model import Incident
from dr_kube.store import Store
from tests.support.service import alert, payload

WORKER = "test-worker"


def incident(reason: str = "OOMKilled", **kw: str) -> Incident:
    body = alert(**kw)
    body["labels"]["reason"] = reason
    [one] = parse_incidents(payload(body))
    return one


def failed(store: Store, one: Incident) -> str:
    """`one` stored, claimed, diagnosed (oom), and its publication failed."""
    [stored] = store.ingest([one])
    assert stored.action == "created" and stored.incident_id is not None
    claim = store.claim(WORKER, 30)
    assert claim is not None and claim.id == stored.incident_id
    store.release(
        claim.id,
        WORKER,
        fields={
            "status": "failed",
            "needs_run": 0,
            "error": "push refused",
            "result": "{}",
            "category": "oom",
        },
    )
    return claim.id


def test_a_later_alert_reopens_a_failed_incident_as_a_new_generation(any_store: Store) -> None:
    first = incident()
    incident_id = failed(any_store, first)
    [again] = any_store.ingest([incident(starts_at="2026-11-24T21:30:00Z")])
    assert (again.incident_id, again.action) == (incident_id, "reopened")
    detail = any_store.get_incident(incident_id)
    assert detail is not None
    assert detail["status"] == "queued" and detail["needs_run"] == 1
    assert detail["generation"] == 2 and detail["error"] is None
    assert "re-opened by a later alert after: push refused" in detail["outcome"]
    claim = any_store.claim(WORKER, 30)
    assert claim is not None and claim.id == incident_id and claim.generation == 2


def test_a_resolved_alert_still_resolves_a_failed_incident(any_store: Store) -> None:
    incident_id = failed(any_store, incident())
    [done] = any_store.ingest([incident(status="resolved")])
    assert done.action == "resolved"
    detail = any_store.get_incident(incident_id)
    assert detail is not None and detail["status"] == "resolved"


def test_a_new_incident_of_the_same_key_takes_over_a_failed_one(any_store: Store) -> None:
    old = failed(any_store, incident())
    # another cause's alert about the same workload opens an incident of its own ...
    other = incident(reason="ImagePullBackOff", alertname="ContainerWaiting", pod_suffix="zz9")
    assert other.category_hint == "image-pull"
    [stored] = any_store.ingest([other])
    assert stored.action == "created" and stored.incident_id not in (None, old)
    new = str(stored.incident_id)
    # ... whose diagnosis finds the same key as the failed one: the failed one joins it
    assert any_store.settle_identity(new, other.subject(), "oom") == new
    dead = any_store.get_incident(old)
    live = any_store.get_incident(new)
    assert dead is not None and live is not None
    assert dead["status"] == "joined" and f"joined incident {new}" in dead["outcome"]
    assert live["status"] == "queued" and live["key"].endswith("/oom")
    assert len(any_store.alerts_of(new)) == 2

"""Incident memory in the store: ranking over a seeded history (SQLite FTS5 and PostgreSQL
full-text search), and outcomes read from the incidents table."""

from __future__ import annotations

from dr_kube.incidents.history import MemoryQuery
from dr_kube.store import Store
from dr_kube.store.history import BoundMemory, StoreMemory
from tests.support.history import add_incident, oom, seed_ranking_history

QUERY_TEXT = (
    "KubePodOOMKilled Container cart OOMKilled (exit code 137), killed at its memory limit, "
    "6 restarts"
)
VALUES = "values/online-boutique.yaml"
LIMIT = ["frontend", "resources", "limits", "memory"]


def test_same_workload_and_category_first_then_text_similarity(any_store: Store) -> None:
    seed_ranking_history(any_store)
    found = StoreMemory(any_store).similar(
        MemoryQuery(namespace="shop", workload="cart", category="oom", text=QUERY_TEXT)
    )
    ids = [p.id for p in found]
    assert len(ids) == 5
    assert ids[:3] == ["cart-oom-2", "cart-oom-1", "cart-oom-0"]  # newest first
    assert set(ids[3:]) == {"checkout-oom", "payment-oom"}  # the OOM look-alikes elsewhere
    assert all(p.same_workload for p in found[:3]) and not found[3].same_workload
    assert found[0].root_cause.startswith("Container cart is killed")


def test_text_similarity_alone_and_the_current_incident_left_out(any_store: Store) -> None:
    seed_ranking_history(any_store)
    memory = StoreMemory(any_store)
    probe = memory.similar(
        MemoryQuery(
            namespace="shop",
            workload="newcomer",
            category="probe-failure",
            text="Readiness probe failed: HTTP probe failed with statuscode 503 Unhealthy",
        )
    )
    assert len(probe) == 5
    assert all(p.category == "probe-failure" for p in probe)
    bound = BoundMemory(memory, "cart-oom-2")
    ids = [
        p.id
        for p in bound.similar(
            MemoryQuery(namespace="shop", workload="cart", category="oom", text=QUERY_TEXT)
        )
    ]
    assert "cart-oom-2" not in ids and ids[:2] == ["cart-oom-1", "cart-oom-0"]
    assert memory.similar(MemoryQuery(namespace="x", workload="y", text="")) == []


def test_outcomes_come_from_the_incidents_table(sqlite_store: Store) -> None:
    cause, evidence = oom("cart")
    add_incident(
        sqlite_store,
        "a",
        root_cause=cause,
        evidence=evidence,
        changes=[{"file": VALUES, "path": LIMIT, "old": "128Mi", "new": "256Mi"}],
        outcome="not enough: fired again after the merge",
        merged=True,
        pr_url="https://github.com/o/r/pull/7",
    )
    add_incident(sqlite_store, "b", root_cause=cause, outcome="verified: restarts stopped")
    add_incident(sqlite_store, "c", root_cause=cause, outcome="PR closed without merge by ann")
    found = {
        p.id: p
        for p in StoreMemory(sqlite_store).similar(
            MemoryQuery(namespace="shop", workload="cart", category="oom")
        )
    }
    assert found["a"].outcome_kind == "not-enough" and found["a"].merged
    assert found["a"].changes[0].new == "256Mi"
    assert found["b"].outcome_kind == "worked"
    assert found["c"].outcome_kind == "closed" and not found["c"].merged

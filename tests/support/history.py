"""A seeded incident history: rows written straight into the store, as the service leaves them."""

from __future__ import annotations

import json
import time
from typing import Any

from dr_kube.store import Store

DAY = 86400.0
NOW = time.time()


def result_json(root_cause: str, evidence: list[str], changes: list[dict[str, Any]]) -> str:
    return json.dumps(
        {
            "schema": "dr-kube/result@1",
            "diagnosis": {"category": "oom", "root_cause": root_cause, "evidence": evidence},
            "fix": {"status": "proposed" if changes else "no-fix", "changes": changes},
        }
    )


def memory_change(old: str, new: str, workload: str = "cart") -> dict[str, Any]:
    return {
        "file": "values/shop.yaml",
        "path": [workload, "resources", "limits", "memory"],
        "old": old,
        "new": new,
    }


def add_incident(store: Store, id: str, **fields: Any) -> None:
    """One incident row (`insert_incident`'s fields), in its own transaction."""
    add_incidents(store, [{"id": id, **fields}])


def add_incidents(store: Store, items: list[dict[str, Any]]) -> None:
    """Many incident rows in one transaction (the benchmarks seed thousands)."""
    with store.db.tx() as cur:
        for item in items:
            insert_incident(cur, **item)


def insert_incident(
    cur: Any,
    id: str,
    *,
    namespace: str = "shop",
    workload: str = "cart",
    category: str = "oom",
    days_ago: float = 1.0,
    root_cause: str = "",
    evidence: list[str] | None = None,
    changes: list[dict[str, Any]] | None = None,
    status: str = "resolved",
    outcome: str | None = None,
    merged: bool = False,
    pr_url: str | None = None,
) -> None:
    ts = NOW - days_ago * DAY
    cur.run(
        "INSERT INTO incidents (id, key, status, is_open, namespace, workload, category, "
        "incident, created_at, updated_at, needs_run, result, outcome, merged_at, pr_url) "
        "VALUES (?, ?, ?, 0, ?, ?, ?, '{}', ?, ?, 0, ?, ?, ?, ?)",
        (
            id,
            f"{namespace}/Deployment/{workload}/{category}",
            status,
            namespace,
            workload,
            category,
            ts,
            ts,
            result_json(root_cause, evidence or [], changes or []),
            outcome,
            ts + 3600 if merged else None,
            pr_url,
        ),
    )


OOM_CAUSE = "Container {w} is killed for using more memory than its {limit} limit (OOMKilled)."
OOM_EVIDENCE = [
    "Pod/{w}-7d9 container {w}: last terminated OOMKilled (exit code 137), {n} restarts",
    "Pod/{w}-7d9 container {w}: limits.memory {limit}",
]


def oom(w: str, limit: str = "256Mi", n: int = 4) -> tuple[str, list[str]]:
    return OOM_CAUSE.format(w=w, limit=limit), [
        e.format(w=w, limit=limit, n=n) for e in OOM_EVIDENCE
    ]


OTHER = {
    "probe-failure": (
        "Readiness probe of container {w} fails: HTTP probe failed with statuscode 503.",
        ["Warning Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 503"],
    ),
    "image-pull": (
        "Image of container {w} cannot be pulled: manifest for tag v9.9.9 not found.",
        ["Warning Failed: Failed to pull image: manifest unknown", "waiting ImagePullBackOff"],
    ),
    "cpu-throttling": (
        "Container {w} is throttled in 80% of its CPU periods at its 200m limit.",
        ["Prometheus: throttled periods ratio 0.8 over 30m"],
    ),
    "unschedulable": (
        "Pod {w} cannot be scheduled: 0/3 nodes are available: insufficient cpu.",
        ["Warning FailedScheduling: 0/3 nodes are available: 3 Insufficient cpu"],
    ),
    "crashloop": (
        "Container {w} exits with code 1 at start: configuration file missing.",
        ["log: panic: open /etc/{w}/config.yaml: no such file or directory"],
    ),
}


def seed_ranking_history(store: Store) -> None:
    """36 past incidents: 3 of shop/cart oom, 2 OOM look-alikes elsewhere, 31 unrelated ones."""
    for n, days in enumerate((20, 9, 3)):  # the same workload and category: newest first wins
        cause, evidence = oom("cart", limit=("128Mi", "256Mi", "512Mi")[n])
        add_incident(store, f"cart-oom-{n}", days_ago=days, root_cause=cause, evidence=evidence)
    cause, evidence = OTHER["crashloop"]
    add_incident(
        store,
        "cart-crash",
        category="crashloop",
        days_ago=2,
        root_cause=cause.format(w="cart"),
        evidence=[e.format(w="cart") for e in evidence],
    )
    for w, days in (("checkout", 30), ("payment", 40)):
        cause, evidence = oom(w, n=12)
        add_incident(
            store, f"{w}-oom", workload=w, days_ago=days, root_cause=cause, evidence=evidence
        )
    k = 0
    for category, (cause, evidence) in OTHER.items():
        for w in ("ads", "email", "currency", "frontend", "shipping", "catalog"):
            k += 1
            add_incident(
                store,
                f"{w}-{category}",
                workload=w,
                category=category,
                days_ago=1 + k % 17,
                root_cause=cause.format(w=w),
                evidence=[e.format(w=w) for e in evidence],
            )

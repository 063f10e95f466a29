"""Finding incidents by namespace, workload, status and category, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from dr_kube.alerts import parse_incidents
from dr_kube.store import Store
from dr_kube.store.find import find_incidents
from tests.support.service import alert, payload


def test_filters_match_exactly_and_the_total_counts_every_match(any_store: Store) -> None:
    alerts = [alert(w) for w in ("frontend", "cartservice", "adservice")]
    staging = alert("frontend", pod_suffix="zz999")
    staging["labels"]["namespace"] = "staging"
    alerts.append(staging)
    any_store.ingest(parse_incidents(payload(*alerts)))

    rows, total = find_incidents(any_store)
    assert total == len(rows) == 4
    assert [r["created_at"] for r in rows] == sorted((r["created_at"] for r in rows), reverse=True)

    rows, total = find_incidents(any_store, workload="frontend")
    assert total == 2 and {r["workload"] for r in rows} == {"frontend"}
    assert {r["namespace"] for r in rows} == {"online-boutique", "staging"}
    assert all(r["alertnames"] == ["ContainerOOMKilled"] and r["firing"] == 1 for r in rows)
    rows, total = find_incidents(any_store, limit=1, namespace="online-boutique", category="oom")
    assert total == 3 and len(rows) == 1 and rows[0]["category"] == "oom"
    assert find_incidents(any_store, namespace="kube-system") == ([], 0)
    assert find_incidents(any_store, status="no-such-status")[1] == 0


def test_an_unknown_filter_is_refused(sqlite_store: Store) -> None:
    with pytest.raises(ValueError, match="unknown incident filter"):
        find_incidents(sqlite_store, owner="alice")

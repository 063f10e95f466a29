"""`GET /api/v1/audit`: auth, one incident's trail through the whole review loop, chain intact;
and the second incident of a workload sees the first in its memory (PR body "Related incidents")."""

from __future__ import annotations

import json
from typing import Any

from dr_kube.store.audit import verify_db
from tests.support.service import (
    BRANCH,
    alert,
    am_headers,
    deliver,
    issue_comment,
    only_incident,
    payload,
    pr_closed,
    wait_for,
)


def audit(client: Any, **params: Any) -> Any:
    return client.get("/api/v1/audit", params=params, headers=am_headers())


def test_audit_endpoint_needs_credentials_and_lists_every_action(
    make_client: Any, fake_github: Any
) -> None:
    client, store, _ = make_client(github_repo="acme/gitops")
    assert client.get("/api/v1/audit").status_code == 401
    assert client.get("/api/v1/audit", headers={"Authorization": "Bearer no"}).status_code == 401
    client.post(
        "/webhooks/alertmanager",
        content=json.dumps(payload(alert("adservice"))),
        headers=am_headers(),
    )
    first = wait_for(lambda: (d := only_incident(client))["status"] == "awaiting-review" and d)
    deliver(client, "issue_comment", issue_comment(1, "alice", "use 700Mi"))
    wait_for(
        lambda: any(
            r["kind"] == "comment" for r in audit(client, incident=first["id"]).json()["items"]
        )
    )
    deliver(client, "pull_request", pr_closed(1, BRANCH, merged=True, login="bob"))
    client.post(
        "/webhooks/alertmanager",
        content=json.dumps(payload(alert("adservice", status="resolved"))),
        headers=am_headers(),
    )
    r = audit(client, incident=first["id"])
    assert r.status_code == 200
    items = r.json()["items"]
    kinds = [i["kind"] for i in items]
    for kind in (
        "alert",
        "created",
        "evidence",
        "diagnosis",
        "validation",
        "branch",
        "pr",
        "review",
        "comment",
        "resolved",
    ):
        assert kind in kinds, (kind, kinds)
    assert (
        kinds.index("created")
        < kinds.index("evidence")
        < kinds.index("validation")
        < kinds.index("pr")
    )
    review = next(i for i in items if i["kind"] == "review")
    assert review["actor"] == "alice" and review["data"]["where"] == "github"
    merged = next(i for i in items if i["message"] == "merged by bob")
    assert merged["actor"] == "bob"
    resolved = next(i for i in items if i["kind"] == "resolved")
    assert "fixed" in resolved["data"]["outcome"]
    assert [i["seq"] for i in items] == sorted(i["seq"] for i in items)
    everything = audit(client, limit=3).json()
    assert (
        len(everything["items"]) == 3 and everything["next_after"] == everything["items"][-1]["seq"]
    )
    assert audit(client, incident="no-such").json()["items"] == []
    assert audit(client, limit=0).status_code == 422
    assert verify_db(store.db).ok
    # the incident detail reads its events from the same trail
    assert any(e["kind"] == "validation" for e in only_incident(client)["events"])


def test_a_second_incident_remembers_the_first(make_client: Any, fake_github: Any) -> None:
    client, _, _ = make_client(github_repo="acme/gitops")
    client.post(
        "/webhooks/alertmanager",
        content=json.dumps(payload(alert("adservice"))),
        headers=am_headers(),
    )
    first = wait_for(lambda: (d := only_incident(client))["status"] == "awaiting-review" and d)
    deliver(client, "issue_comment", issue_comment(1, "alice", "/dr-kube close"))
    wait_for(lambda: only_incident(client)["status"] == "closed")
    client.post(
        "/webhooks/alertmanager",
        content=json.dumps(payload(alert("adservice", starts_at="2026-11-25T01:00:00Z"))),
        headers=am_headers(),
    )

    def second() -> dict[str, Any] | None:
        items = client.get("/api/v1/incidents", headers=am_headers()).json()["items"]
        fresh = [i for i in items if i["id"] != first["id"] and i["status"] == "awaiting-review"]
        return fresh[0] if fresh else None

    again = wait_for(second)
    detail = client.get(f"/api/v1/incidents/{again['id']}", headers=am_headers()).json()
    body = detail["pr"]["body"]
    assert "### Related incidents" in body and "PR closed without merge by alice" in body
    evidence = next(
        e for e in audit(client, incident=again["id"]).json()["items"] if e["kind"] == "evidence"
    )
    assert "1 related incident(s)" in evidence["message"]

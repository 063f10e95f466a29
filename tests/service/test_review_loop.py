"""The review loop over GitHub: signed deliveries in GitHub's shapes, PyGithub against a fake."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.repos import git
from tests.support.service import (
    BRANCH,
    alert,
    am_headers,
    deliver,
    issue_comment,
    only_incident,
    payload,
    pr_closed,
    review_submitted,
    signed,
    wait_for,
)


def values_on_branch(origin: Path) -> str:
    return git(origin, "show", f"{BRANCH}:values/online-boutique.yaml")


def test_review_comment_resumes_the_run_and_pushes_to_the_same_pr(
    make_client: Any, fake_github: Any, gitops_with_origin: tuple[Path, Path]
) -> None:
    _, origin = gitops_with_origin
    client, _, _ = make_client(github_repo="acme/gitops")
    r = client.post(
        "/webhooks/alertmanager",
        content=json.dumps(payload(alert("adservice"))),
        headers=am_headers(),
    )
    assert r.status_code == 202
    first = wait_for(lambda: (d := only_incident(client))["status"] == "awaiting-review" and d)
    assert first["pr_number"] == 1 and first["branch"] == BRANCH
    assert len(fake_github.calls("POST", r"/pulls$")) == 1
    assert "memory: 600Mi" in values_on_branch(origin)

    # someone without write permission, and the bot itself: ignored, nothing runs
    assert (
        deliver(client, "issue_comment", issue_comment(1, "mallory", "use 999Mi")).json()["status"]
        == "ignored"
    )
    assert (
        deliver(
            client, "issue_comment", issue_comment(1, "dr-kube[bot]", "use 1Gi", kind="Bot")
        ).json()["reason"]
        == "the bot's own comment"
    )

    # a permitted reviewer: guidance → analyze + validate → new commit on the same branch
    r = deliver(client, "issue_comment", issue_comment(1, "alice", "use 384Mi, raise requests too"))
    assert r.status_code == 202 and r.json()["status"] == "queued"
    wait_for(lambda: "memory: 384Mi" in values_on_branch(origin))
    done = wait_for(lambda: (d := only_incident(client))["status"] == "awaiting-review" and d)
    text = values_on_branch(origin)
    assert "memory: 231Mi" in text  # the matching request was raised too
    assert len(git(origin, "rev-list", f"main..{BRANCH}").split()) == 2
    assert len(fake_github.calls("POST", r"/pulls$")) == 1  # the same PR, updated
    assert any("pushed a new commit" in c["body"] for c in fake_github.comments)
    assert [rv["action"] for rv in done["reviews"]] == ["ignored", "ignored", "queued"]

    # guidance it cannot apply: a reply saying why, no new commit
    deliver(client, "pull_request_review", review_submitted(1, BRANCH, "alice", "make it prettier"))
    wait_for(lambda: any("did not understand" in c["body"] for c in fake_github.comments))
    assert len(git(origin, "rev-list", f"main..{BRANCH}").split()) == 2

    # guidance the policy rejects: a reply with the validation errors
    deliver(client, "issue_comment", issue_comment(1, "alice", "use 4Gi"))
    wait_for(lambda: any("step-too-large" in c["body"] for c in fake_github.comments))
    assert "could not apply" in fake_github.comments[-1]["body"]

    # merged, then the alert resolves: the fix worked
    deliver(client, "pull_request", pr_closed(1, BRANCH, merged=True))
    assert only_incident(client)["status"] == "merged"
    client.post(
        "/webhooks/alertmanager",
        content=json.dumps(payload(alert("adservice", status="resolved"))),
        headers=am_headers(),
    )
    final = only_incident(client)
    assert final["status"] == "resolved"
    assert final["outcome"].startswith("fixed")


def test_close_command_closes_the_pr(make_client: Any, fake_github: Any) -> None:
    client, _, _ = make_client(github_repo="acme/gitops")
    client.post(
        "/webhooks/alertmanager",
        content=json.dumps(payload(alert("adservice"))),
        headers=am_headers(),
    )
    wait_for(lambda: only_incident(client)["status"] == "awaiting-review")
    r = deliver(client, "issue_comment", issue_comment(1, "alice", "/dr-kube close"))
    assert r.status_code == 202 and r.json()["status"] == "closed"
    wait_for(lambda: fake_github.pulls[1]["state"] == "closed")
    assert only_incident(client)["status"] == "closed"


def test_refire_after_merge_starts_a_new_attempt(
    make_client: Any, fake_github: Any, gitops_with_origin: tuple[Path, Path]
) -> None:
    _, origin = gitops_with_origin
    client, _, _ = make_client(github_repo="acme/gitops")
    client.post(
        "/webhooks/alertmanager",
        content=json.dumps(payload(alert("adservice"))),
        headers=am_headers(),
    )
    wait_for(lambda: only_incident(client)["status"] == "awaiting-review")
    git(origin, "update-ref", "refs/heads/main", f"refs/heads/{BRANCH}")  # the merge, fast-forward
    deliver(client, "pull_request", pr_closed(1, BRANCH, merged=True))
    # a repeat notification of the same firing is not a new firing
    client.post(
        "/webhooks/alertmanager",
        content=json.dumps(payload(alert("adservice"))),
        headers=am_headers(),
    )
    assert only_incident(client)["status"] == "merged"
    client.post(
        "/webhooks/alertmanager",
        content=json.dumps(payload(alert("adservice", starts_at="2099-01-01T00:00:00Z"))),
        headers=am_headers(),
    )
    again = wait_for(lambda: (d := only_incident(client))["status"] == "awaiting-review" and d)
    assert again["generation"] == 2
    assert "not enough" in again["outcome"] or any(
        "not enough" in e["message"] for e in again["events"]
    )
    # the next attempt starts from the merged value: it never repeats the change that was not enough
    assert [c["old"] for c in again["changes"]] == ["600Mi"]


def test_a_redelivered_github_event_is_handled_once(make_client: Any, fake_github: Any) -> None:
    client, _, _ = make_client(github_repo="acme/gitops")
    client.post(
        "/webhooks/alertmanager",
        content=json.dumps(payload(alert("adservice"))),
        headers=am_headers(),
    )
    wait_for(lambda: only_incident(client)["status"] == "awaiting-review")
    raw, headers = signed("issue_comment", issue_comment(1, "alice", "use 384Mi"))
    first = client.post("/webhooks/github", content=raw, headers=headers)
    again = client.post("/webhooks/github", content=raw, headers=headers)  # GitHub's "Redeliver"
    assert first.json()["status"] == "queued"
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert [r["action"] for r in only_incident(client)["reviews"]] == ["queued"]

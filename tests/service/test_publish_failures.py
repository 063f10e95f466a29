"""A real `dr-kube serve`: a push that cannot land fails the incident (the API, /metrics), and a
later alert re-opens the work once the origin is back; a push refused once by a hook is retried;
a review whose push is refused gets a reply saying so (the app in-process)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytest_httpserver import HTTPServer

from tests.support.repos import pushes_seen, refuse_pushes
from tests.support.service import (
    TOKEN,
    Serve,
    ServiceGitHub,
    alert,
    am_headers,
    branches,
    deliver,
    issue_comment,
    only_incident,
    payload,
    wait_for,
)

pytestmark = pytest.mark.slow

BRANCH = "dr-kube/online-boutique/frontend/oom"
FAST = {"DRKUBE_PUBLISH_ATTEMPTS": "2", "DRKUBE_PUBLISH_BACKOFF_SECONDS": "0"}


def serve_with_github(clone: Path, db: Path, github: ServiceGitHub) -> Serve:
    env = {"GITHUB_TOKEN": "test-token", "DRKUBE_GITHUB_API_URL": github.api, **FAST}
    return Serve(clone, db, env=env, args=["--github-repo", "acme/gitops"]).start()


def post(serve: Serve, body: dict[str, Any]) -> list[dict[str, Any]]:
    r = httpx.post(f"{serve.url}/webhooks/alertmanager", json=body, headers=am_headers())
    assert r.status_code == 202, r.text
    incidents: list[dict[str, Any]] = r.json()["incidents"]
    return incidents


def metrics(serve: Serve) -> str:
    return httpx.get(f"{serve.url}/metrics", timeout=10).text


def detail(serve: Serve, incident_id: str) -> dict[str, Any]:
    r = httpx.get(
        f"{serve.url}/api/v1/incidents/{incident_id}",
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    )
    r.raise_for_status()
    found: dict[str, Any] = r.json()
    return found


def test_origin_down_fails_the_incident_and_a_later_alert_reopens_it(
    tmp_path: Path, gitops_with_origin: tuple[Path, Path], httpserver: HTTPServer
) -> None:
    clone, origin = gitops_with_origin
    github = ServiceGitHub(httpserver).install()
    away = tmp_path / "origin-away.git"
    shutil.move(origin, away)  # the origin is down
    serve = serve_with_github(clone, tmp_path / "db" / "dr-kube.db", github)
    try:
        [first] = post(serve, payload(alert("frontend")))
        assert first["action"] == "created"
        incident_id = first["id"]

        [failed] = wait_for(lambda: [i for i in serve.incidents() if i["status"] == "failed"])
        assert failed["id"] == incident_id
        assert failed["error"].startswith("publication failed (push, origin-unreachable, 2 tries)")
        assert "does not appear to be a git repository" in failed["error"]
        assert "\n" not in failed["error"]
        assert failed["pr_number"] is None
        assert (
            'drkube_publish_failures_total{reason="origin-unreachable",stage="push"} 1.0'
            in metrics(serve)
        )
        assert 'drkube_runs_total{outcome="publish-failed"} 1.0' in metrics(serve)
        assert github.calls("POST", r"/pulls$") == []

        shutil.move(away, origin)  # the origin is back; Alertmanager sends the alert again
        [again] = post(serve, payload(alert("frontend", starts_at="2026-11-24T21:05:00Z")))
        assert (again["id"], again["action"]) == (incident_id, "reopened")

        [done] = wait_for(
            lambda: [i for i in serve.incidents() if i["status"] == "awaiting-review"]
        )
        assert done["id"] == incident_id and done["pr_number"] == 1
        assert done["error"] is None and done["branch"] == BRANCH
        assert branches(origin) == [BRANCH]
        assert len(github.pulls) == 1
        runs = detail(serve, incident_id)["attempts"]
        assert [(a["generation"], a["status"]) for a in runs] == [(1, "done"), (2, "paused")]
        assert len(serve.incidents()) == 1, "the later alert joined no dead incident"
    finally:
        serve.stop()


def test_a_push_refused_once_by_a_hook_is_retried_and_the_pr_opens(
    tmp_path: Path, gitops_with_origin: tuple[Path, Path], httpserver: HTTPServer
) -> None:
    clone, origin = gitops_with_origin
    counter = refuse_pushes(origin, times=1)
    github = ServiceGitHub(httpserver).install()
    serve = serve_with_github(clone, tmp_path / "db" / "dr-kube.db", github)
    try:
        post(serve, payload(alert("frontend")))
        [done] = wait_for(
            lambda: [i for i in serve.incidents() if i["status"] == "awaiting-review"]
        )
        assert done["pr_number"] == 1 and done["error"] is None
        assert pushes_seen(counter) == 2
        assert branches(origin) == [BRANCH]
        assert "drkube_publish_failures_total{" not in metrics(serve)
    finally:
        serve.stop()


def test_a_review_whose_push_is_refused_gets_a_reply_and_fails_the_incident(
    make_client: Any,
    fake_github: ServiceGitHub,
    gitops_with_origin: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in FAST.items():
        monkeypatch.setenv(name, value)
    _, origin = gitops_with_origin
    client, _, _ = make_client(github_repo="acme/gitops")
    r = client.post(
        "/webhooks/alertmanager", json=payload(alert("adservice")), headers=am_headers()
    )
    assert r.status_code == 202
    wait_for(lambda: only_incident(client)["status"] == "awaiting-review")
    counter = refuse_pushes(origin, times=1000)

    r = deliver(client, "issue_comment", issue_comment(1, "alice", "use 384Mi"))
    assert r.json()["status"] == "queued"
    failed = wait_for(lambda: (d := only_incident(client))["status"] == "failed" and d)
    assert failed["error"].startswith("publication failed (push, push-rejected, 2 tries)")
    assert pushes_seen(counter) == 2
    reply = wait_for(lambda: [c for c in fake_github.comments if "could not publish" in c["body"]])
    assert "@alice: I made the change but could not publish it" in reply[0]["body"]
    assert "pre-receive hook declined" in reply[0]["body"]
    assert fake_github.pulls[1]["state"] == "open"  # the PR keeps what it carried

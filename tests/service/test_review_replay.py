"""Review comments are deduplicated by what GitHub says they are (comment id and edit time), not
by the delivery id the sender chooses: through a real `dr-kube serve` process."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer

from tests.support.service import (
    TOKEN,
    Serve,
    ServiceGitHub,
    alert,
    am_headers,
    issue_comment,
    payload,
    review_submitted,
    signed,
    wait_for,
)

pytestmark = pytest.mark.slow


def test_one_comment_under_two_delivery_ids_is_applied_once_an_edit_again(
    tmp_path: Path, gitops_with_origin: tuple[Path, Path], httpserver: HTTPServer
) -> None:
    clone, _ = gitops_with_origin
    fake = ServiceGitHub(httpserver)
    httpserver.expect_request(re.compile(r"^/.*")).respond_with_handler(fake.handle)
    env = {"GITHUB_TOKEN": "test-token", "DRKUBE_GITHUB_API_URL": fake.api}
    serve = Serve(
        clone, tmp_path / "db" / "dr-kube.db", env=env, args=["--github-repo", "acme/gitops"]
    )
    serve.start()
    auth = {"Authorization": f"Bearer {TOKEN}"}

    def post(event: str, body: dict[str, object]) -> dict[str, str]:
        raw, headers = signed(event, body)  # a fresh X-GitHub-Delivery each time
        r = httpx.post(f"{serve.url}/webhooks/github", content=raw, headers=headers)
        assert r.status_code in (200, 202), r.text
        answer: dict[str, str] = r.json()
        return answer

    try:
        r = httpx.post(
            f"{serve.url}/webhooks/alertmanager",
            content=json.dumps(payload(alert("adservice"))),
            headers=am_headers(),
        )
        assert r.status_code == 202
        items = wait_for(
            lambda: [i for i in serve.incidents() if i["status"] == "awaiting-review"], 60
        )
        comment = issue_comment(1, "alice", "use 384Mi", comment_id=4242)
        first = post("issue_comment", comment)
        replayed = post("issue_comment", comment)  # the same signed comment, another delivery id
        edited = post(
            "issue_comment",
            issue_comment(
                1,
                "alice",
                "use 512Mi",
                comment_id=4242,
                updated_at="2026-11-24T21:40:00Z",
                action="edited",
            ),
        )
        review = review_submitted(1, "dr-kube/online-boutique/adservice/oom", "alice", "ok, 1Gi")
        review_first, review_again = (
            post("pull_request_review", review),
            post("pull_request_review", review),
        )
        detail = httpx.get(f"{serve.url}/api/v1/incidents/{items[0]['id']}", headers=auth).json()
    finally:
        serve.stop()
    assert first["status"] == "queued"
    assert replayed["status"] == "duplicate" and "4242" in replayed["reason"]
    assert edited["status"] == "queued", "an edited comment is a new request"
    assert (review_first["status"], review_again["status"]) == ("queued", "duplicate")
    assert [r["body"] for r in detail["reviews"]] == ["use 384Mi", "use 512Mi", "ok, 1Gi"]

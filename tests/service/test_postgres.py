"""Two `dr-kube serve` replicas on one real PostgreSQL: every incident is handled exactly once."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer

from tests.support.repos import git
from tests.support.service import (
    WORKLOADS,
    Serve,
    ServiceGitHub,
    alert,
    am_headers,
    block_first_pr_lookup,
    branches,
    payload,
    wait_for,
)

pytestmark = pytest.mark.slow


def test_two_replicas_share_the_work_each_incident_once(
    tmp_path: Path, gitops_with_origin: tuple[Path, Path], postgres_url: str
) -> None:
    _, origin = gitops_with_origin
    env = {"DRKUBE_DATABASE_URL": postgres_url, "DRKUBE_WORKERS": "2"}
    replicas = []
    for n in range(2):  # each replica has its own clone, as separate pods would
        clone = tmp_path / f"replica{n}"
        git(tmp_path, "clone", "--quiet", str(origin), str(clone))
        replicas.append(Serve(clone, tmp_path / f"db{n}" / "unused.db", env=env).start())
    try:

        def send(serve: Serve, start: int) -> None:
            with httpx.Client(timeout=30) as client:
                for n in range(start, 200, 2):
                    body = json.dumps(payload(alert(WORKLOADS[n % 10], pod_suffix=f"p{n}")))
                    r = client.post(
                        f"{serve.url}/webhooks/alertmanager", content=body, headers=am_headers()
                    )
                    assert r.status_code == 202, r.text

        threads = [threading.Thread(target=send, args=(s, i)) for i, s in enumerate(replicas)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        items = wait_for(
            lambda: (
                (i := [x for x in replicas[0].incidents() if x["status"] == "pushed"])
                and len(i) == 10
                and i
            ),
            90,
        )
        assert sum(i["alert_count"] for i in items) == 200
        assert all(i["runs"] == 1 for i in items)  # exactly one run per incident
        workers = set()
        for item in items:
            detail = httpx.get(
                f"{replicas[1].url}/api/v1/incidents/{item['id']}", headers=am_headers()
            ).json()
            assert len(detail["attempts"]) == 1
            workers.add(detail["attempts"][0]["worker"].rsplit(":", 2)[1])
        assert len(workers) == 2, "both replicas should have taken work"
        assert len(branches(origin)) == 10
    finally:
        for serve in replicas:
            serve.stop()


def test_a_replica_killed_mid_run_leaves_its_incident_to_the_other(
    tmp_path: Path,
    gitops_with_origin: tuple[Path, Path],
    postgres_url: str,
    httpserver: HTTPServer,
) -> None:
    """kill -9 of the replica running an incident: the other one takes it over when the lease
    runs out and finishes it from the PostgreSQL checkpoint — one branch, one PR."""
    _, origin = gitops_with_origin
    fake = ServiceGitHub(httpserver)
    # Replica A's first PR look-up blocks: its branch is pushed, its PR not yet opened.
    handler, reached, release = block_first_pr_lookup(fake)
    httpserver.expect_request(re.compile(r"^/.*")).respond_with_handler(handler)
    env = {
        "DRKUBE_DATABASE_URL": postgres_url,
        "GITHUB_TOKEN": "test-token",
        "DRKUBE_GITHUB_API_URL": fake.api,
    }
    args = ["--github-repo", "acme/gitops"]
    clones = []
    for n in range(2):
        clone = tmp_path / f"replica{n}"
        git(tmp_path, "clone", "--quiet", str(origin), str(clone))
        clones.append(clone)
    first = Serve(clones[0], tmp_path / "a" / "unused.db", env=env, args=args).start()
    second: Serve | None = None
    try:
        r = httpx.post(
            f"{first.url}/webhooks/alertmanager",
            content=json.dumps(payload(alert("cartservice"))),
            headers=am_headers(),
        )
        assert r.status_code == 202
        assert reached.wait(30), "replica A never reached the PR step"
        second = Serve(clones[1], tmp_path / "b" / "unused.db", env=env, args=args).start()
        first.kill()  # kill -9 while it holds the incident's lease
        release.set()
        [item] = wait_for(
            lambda: [i for i in second.incidents() if i["status"] == "awaiting-review"], 60
        )
        assert item["pr_number"] == 1
        assert branches(origin) == ["dr-kube/online-boutique/cartservice/oom"]
        assert len(fake.calls("POST", r"/pulls$")) == 1
        detail = httpx.get(
            f"{second.url}/api/v1/incidents/{item['id']}", headers=am_headers()
        ).json()
        workers = {a["worker"].rsplit(":", 2)[1] for a in detail["attempts"]}
        assert len(workers) == 2, "the second replica finished what the first began"
    finally:
        release.set()
        first.stop()
        if second is not None:
            second.stop()

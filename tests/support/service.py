"""Helpers for the service and server tests: alerts, signed GitHub deliveries, `dr-kube serve` processes."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from werkzeug import Request, Response

from tests.support.github_fake import USER, FakeGitHub
from tests.support.net import free_port
from tests.support.paths import REPO_ROOT
from tests.support.repos import git

TOKEN = "am-token-for-tests"
SECRET = "gh-webhook-secret-for-tests"
# DRKUBE_CHECKPOINT_KEY of the tests' servers: base64 of 32 bytes
CHECKPOINT_KEY = "ZHIta3ViZS10ZXN0cy1jaGVja3BvaW50LWtleS0zMmI="
WORKLOADS = (
    "frontend",
    "adservice",
    "cartservice",
    "checkoutservice",
    "currencyservice",
    "emailservice",
    "paymentservice",
    "productcatalogservice",
    "recommendationservice",
    "shippingservice",
)
DRKUBE = str(Path(sys.executable).with_name("dr-kube"))


def alert(
    workload: str = "frontend",
    status: str = "firing",
    pod_suffix: str = "abc12",
    starts_at: str = "2026-11-24T21:00:00Z",
    alertname: str = "ContainerOOMKilled",
) -> dict[str, Any]:
    return {
        "status": status,
        "labels": {
            "alertname": alertname,
            "namespace": "online-boutique",
            "deployment": workload,
            "pod": f"{workload}-7d9c-{pod_suffix}",
            "container": "server",
            "reason": "OOMKilled",
            "severity": "warning",
        },
        "annotations": {"summary": f"{workload} was OOMKilled"},
        "startsAt": starts_at,
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus/graph",
        "fingerprint": hashlib.sha256(f"{workload}{pod_suffix}".encode()).hexdigest()[:16],
    }


def payload(*alerts: dict[str, Any]) -> dict[str, Any]:
    """An Alertmanager webhook body, version 4, as Alertmanager 0.25 sends it."""
    status = "firing" if any(a["status"] == "firing" for a in alerts) else "resolved"
    return {
        "receiver": "dr-kube",
        "status": status,
        "alerts": list(alerts),
        "groupLabels": {"alertname": alerts[0]["labels"].get("alertname", "")},
        "commonLabels": {"namespace": "online-boutique"},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093",
        "version": "4",
        "groupKey": '{}:{alertname="ContainerOOMKilled"}',
        "truncatedAlerts": 0,
    }


def am_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}


def signed(event: str, body: dict[str, Any], secret: str = SECRET) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body).encode()
    signature = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return raw, {
        "Content-Type": "application/json",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": f"d-{time.monotonic_ns()}",
        "X-Hub-Signature-256": signature,
        "User-Agent": "GitHub-Hookshot/abc123",
    }


# The branch of the adservice OOM fix, the incident the review-loop tests drive.
BRANCH = "dr-kube/online-boutique/adservice/oom"


def deliver(client: Any, event: str, body: dict[str, Any]) -> Any:
    """A signed GitHub delivery posted to an in-process service."""
    raw, headers = signed(event, body)
    return client.post("/webhooks/github", content=raw, headers=headers)


def gh_user(login: str, kind: str = "User") -> dict[str, Any]:
    return {"login": login, "id": abs(hash(login)) % 10**6, "type": kind, "site_admin": False}


def repo_doc() -> dict[str, Any]:
    return {"id": 4242, "name": "gitops", "full_name": "acme/gitops", "private": True}


# GitHub numbers every comment and review: each one the helpers make gets an id of its own.
COMMENT_IDS = itertools.count(7001)


def issue_comment(
    number: int,
    login: str,
    text: str,
    kind: str = "User",
    comment_id: int | None = None,
    updated_at: str = "2026-11-24T21:30:00Z",
    action: str = "created",
) -> dict[str, Any]:
    """`issue_comment` `created` (or `edited`) on a pull request, in GitHub's documented shape."""
    return {
        "action": action,
        "issue": {
            "number": number,
            "title": "fix",
            "state": "open",
            "user": USER,
            "pull_request": {"url": f"https://api.github.com/repos/acme/gitops/pulls/{number}"},
        },
        "comment": {
            "id": next(COMMENT_IDS) if comment_id is None else comment_id,
            "body": text,
            "user": gh_user(login, kind),
            "author_association": "MEMBER",
            "created_at": "2026-11-24T21:30:00Z",
            "updated_at": updated_at,
        },
        "repository": repo_doc(),
        "sender": gh_user(login, kind),
    }


def review_submitted(number: int, branch: str, login: str, text: str) -> dict[str, Any]:
    return {
        "action": "submitted",
        "review": {
            "id": next(COMMENT_IDS),
            "body": text,
            "state": "commented",
            "user": gh_user(login),
            "submitted_at": "2026-11-24T21:31:00Z",
        },
        "pull_request": {
            "number": number,
            "state": "open",
            "head": {"ref": branch},
            "merged": False,
        },
        "repository": repo_doc(),
        "sender": gh_user(login),
    }


def pr_closed(number: int, branch: str, merged: bool, login: str = "alice") -> dict[str, Any]:
    return {
        "action": "closed",
        "number": number,
        "pull_request": {
            "number": number,
            "state": "closed",
            "merged": merged,
            "head": {"ref": branch},
            "merged_by": gh_user(login) if merged else None,
        },
        "repository": repo_doc(),
        "sender": gh_user(login),
    }


@dataclass
class ServiceGitHub(FakeGitHub):
    """FakeGitHub plus the calls of the review loop: a PR by number, collaborator permission."""

    writers: set[str] = field(default_factory=lambda: {"alice"})

    def handle(self, request: Request) -> Response:
        base = f"/repos/{self.owner}/{self.repo}"
        path = request.path
        if request.method == "GET" and path.startswith(f"{base}/pulls/") and path[-1].isdigit():
            self.requests.append((request.method, path, None))
            number = int(path.rsplit("/", 1)[1])
            if number in self.pulls:
                return self.json(self.pulls[number])
        if request.method == "GET" and path.startswith(f"{base}/collaborators/"):
            self.requests.append((request.method, path, None))
            login = path.split("/")[-2]
            permission = "write" if login in self.writers else "read"
            return self.json(
                {"permission": permission, "role_name": permission, "user": gh_user(login)}
            )
        return super().handle(request)


@dataclass
class Serve:
    """A `dr-kube serve` process on a free loopback port."""

    repo: Path
    db: Path
    env: dict[str, str] = field(default_factory=dict)
    args: list[str] = field(default_factory=list)
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> Serve:
        env = {
            **os.environ,
            "DRKUBE_ALERTMANAGER_TOKEN": TOKEN,
            "DRKUBE_GITHUB_WEBHOOK_SECRET": SECRET,
            "DRKUBE_CHECKPOINT_KEY": CHECKPOINT_KEY,
            "DRKUBE_DB": str(self.db),
            "DRKUBE_POLL_SECONDS": "0.1",
            "DRKUBE_LEASE_SECONDS": "3",
            **self.env,
        }
        env.pop("GITHUB_TOKEN", None) if "GITHUB_TOKEN" not in self.env else None
        self.db.parent.mkdir(parents=True, exist_ok=True)
        self.log = self.db.with_suffix(f".{self.port}.log")
        out = self.log.open("ab")
        self.proc = subprocess.Popen(
            [
                DRKUBE,
                "serve",
                "--gitops-repo",
                str(self.repo),
                "--port",
                str(self.port),
                *self.args,
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=REPO_ROOT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"dr-kube serve exited: {self.log.read_text()}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"dr-kube serve did not become ready: {self.log.read_text()}")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def incidents(self) -> list[dict[str, Any]]:
        r = httpx.get(
            f"{self.url}/api/v1/incidents?limit=1000",
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=10,
        )
        r.raise_for_status()
        items: list[dict[str, Any]] = r.json()["items"]
        return items


def only_incident(client: Any) -> dict[str, Any]:
    """The one incident the in-process service holds, in full (`GET /api/v1/incidents/{id}`)."""
    items = client.get("/api/v1/incidents", headers=am_headers()).json()["items"]
    assert len(items) == 1
    detail: dict[str, Any] = client.get(
        f"/api/v1/incidents/{items[0]['id']}", headers=am_headers()
    ).json()
    return detail


def block_first_pr_lookup(fake: FakeGitHub) -> tuple[Any, threading.Event, threading.Event]:
    """A GitHub handler whose first PR look-up waits: the branch is pushed, the PR not yet opened.
    Returns (handler, reached, release): `reached` is set once it waits, `release` lets it go."""
    reached, release = threading.Event(), threading.Event()
    blocked = {"done": False}

    def handler(request: Request) -> Response:
        if request.method == "GET" and request.path.endswith("/pulls") and not blocked["done"]:
            blocked["done"] = True
            reached.set()
            release.wait(30)
        return fake.handle(request)

    return handler, reached, release


def branches(origin: Path) -> list[str]:
    out = git(origin, "for-each-ref", "--format=%(refname:short)", "refs/heads/dr-kube")
    return [b for b in out.splitlines() if b]


def wait_for(predicate: Any, timeout: float = 60, interval: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out waiting; last value: {last!r}")

"""Verification after sync: Argo CD notifications as its webhook service sends them (the
values/argocd.yaml template), a real Prometheus over series backfilled with promtool."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from dr_kube.config.operators import OperatorSettings
from tests.support.repos import git
from tests.support.service import alert, am_headers, payload, pr_closed, signed, wait_for

NS = "online-boutique"
ARGO_TOKEN = "argocd-notifications-token"
MI = 1024 * 1024


def need(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        msg = f"`{tool}` is not installed (apt-get install prometheus)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    return found


def series(now: float) -> str:
    """20 minutes before and 5 after now, at 15 s (the tests' windows end in the next
    minutes): adservice is quiet after its fix; cartservice keeps being OOM-killed."""
    stamps = [now - 20 * 60 + i * 15 for i in range(25 * 4 + 1)]
    out: list[str] = []

    def metric(name: str, kind: str, rows: list[tuple[str, Any]]) -> None:
        out.append(f"# TYPE {name} {kind}")
        for workload, value in rows:
            labels = f'namespace="{NS}",pod="{workload}-7d9c-abc12",container="server"'
            sample = f"{name}_total" if kind == "counter" else name
            out.extend(f"{sample}{{{labels}}} {value(t)} {t:.3f}" for t in stamps)

    metric(
        "kube_pod_container_status_restarts_total",
        "gauge",
        [("adservice", lambda t: 4), ("cartservice", lambda t: int((t - stamps[0]) // 120))],
    )
    metric(
        "container_oom_events",
        "counter",
        [("adservice", lambda t: 4), ("cartservice", lambda t: int((t - stamps[0]) // 120))],
    )
    metric(
        "container_memory_working_set_bytes",
        "gauge",
        [("adservice", lambda t: 310 * MI), ("cartservice", lambda t: 2048 * MI)],
    )
    out.append("# EOF")
    return "\n".join(out) + "\n"


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    promtool, binary = need("promtool"), need("prometheus")
    tmp = tmp_path_factory.mktemp("prometheus")
    source, data = tmp / "series.om", tmp / "data"
    source.write_text(series(time.time()))
    done = subprocess.run(
        [promtool, "tsdb", "create-blocks-from", "openmetrics", str(source), str(data)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (tmp / "prometheus.yml").write_text("global: {}\n")
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = (tmp / "prometheus.log").open("wb")
    proc = subprocess.Popen(
        [
            binary,
            f"--config.file={tmp / 'prometheus.yml'}",
            f"--storage.tsdb.path={data}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _ready(url), timeout=20, interval=0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/-/ready", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def operators(prometheus: str | None = None, **extra: Any) -> OperatorSettings:
    values: dict[str, Any] = {
        "argocd_token": SecretStr(ARGO_TOKEN),
        "verify_window": 1.0,
        "verify_poll": 0.2,
        "prometheus_url": prometheus,
        **extra,
    }
    return OperatorSettings(**values)


def argo(
    revision: str, event: str = "sync-succeeded", app: str = "online-boutique"
) -> dict[str, Any]:
    """The body of values/argocd.yaml's app-sync-succeeded template for a single-source app."""
    return {
        "event": event,
        "app": app,
        "namespace": NS,
        "revision": revision,
        "revisions": None,  # {{.app.status.sync.revisions | toJson}} of a single-source app
        "syncStatus": "Synced",
        "healthStatus": "Healthy",
        "operationPhase": "Succeeded",
        "finishedAt": "2026-11-24T21:40:02Z",
    }


def post_argo(client: Any, body: dict[str, Any], token: str | None = ARGO_TOKEN) -> Any:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return client.post("/webhooks/argocd", content=json.dumps(body), headers=headers)


def incidents(client: Any) -> list[dict[str, Any]]:
    items = client.get("/api/v1/incidents", headers=am_headers()).json()["items"]
    out: list[dict[str, Any]] = [
        client.get(f"/api/v1/incidents/{i['id']}", headers=am_headers()).json() for i in items
    ]
    return out


def open_and_merge(
    client: Any, fake_github: Any, origin: Path, workload: str
) -> tuple[dict[str, Any], str]:
    r = client.post(
        "/webhooks/alertmanager", content=json.dumps(payload(alert(workload))), headers=am_headers()
    )
    assert r.status_code == 202
    inc = wait_for(lambda: (d := incidents(client)[0])["status"] == "awaiting-review" and d)
    sha = git(origin, "rev-parse", inc["branch"]).strip()
    git(origin, "update-ref", "refs/heads/main", sha)  # merged (a fast-forward)
    fake_github.pulls[inc["pr_number"]].update(state="closed", merged=True)
    body = pr_closed(inc["pr_number"], inc["branch"], merged=True)
    body["pull_request"]["merge_commit_sha"] = sha
    raw, headers = signed("pull_request", body)
    assert client.post("/webhooks/github", content=raw, headers=headers).status_code == 200
    return inc, sha


def test_argocd_sync_starts_the_window_and_prometheus_verifies_the_fix(
    make_client: Any, fake_github: Any, prometheus: str, gitops_with_origin: tuple[Path, Path]
) -> None:
    _, origin = gitops_with_origin
    client, _, _ = make_client(
        github_repo="acme/gitops", operators=operators(prometheus, verify_window=4.0)
    )
    inc, sha = open_and_merge(client, fake_github, origin, "adservice")
    assert incidents(client)[0]["status"] == "merged"

    # bad calls: no token, a wrong token, an unknown application → 4xx, nothing changes
    assert post_argo(client, argo(sha), token=None).status_code == 401
    assert post_argo(client, argo(sha), token="wrong").status_code == 401
    assert post_argo(client, argo(sha, app="no-such-app")).status_code == 404
    assert post_argo(client, {"event": "sync-succeeded"}).status_code == 422
    # another revision of the right application: not this fix
    r = post_argo(client, argo("0" * 40))
    assert r.status_code == 200 and r.json()["status"] == "ignored"
    assert incidents(client)[0]["status"] == "merged"

    # the fix's revision Synced + Healthy: the window (4 s here) starts, then Prometheus says
    r = post_argo(client, argo(sha))
    assert r.status_code == 202 and r.json()["incidents"] == [inc["id"]]
    assert post_argo(client, argo(sha)).json()["status"] == "ignored"  # repeated: once
    done = wait_for(lambda: (d := incidents(client)[0])["status"] == "resolved" and d, timeout=20)
    assert done["outcome"].startswith("verified: over")
    assert "restarts = 0" in done["outcome"] and "oom_kills = 0" in done["outcome"]
    assert "working_set_bytes = 3.25059e+08" in done["outcome"]
    kinds = [e["message"] for e in done["events"] if e["kind"] == "verify"]
    assert any("Argo CD synced online-boutique" in m for m in kinds)
    assert any(m.startswith("verified:") for m in kinds)
    ops = done["operations"]  # the same numbers, as data
    assert ops["app"] == "online-boutique" and ops["revision"] == sha
    assert ops["verification"]["outcome"] == "verified"
    checks = {c["name"]: c for c in ops["verification"]["checks"]}
    assert checks["restarts"]["value"] == 0 and checks["restarts"]["ok"] is True
    wait_for(lambda: any("Verified" in c["body"] for c in fake_github.comments))


def test_without_argocd_the_merge_time_plus_window_verifies_and_not_enough_retries(
    make_client: Any, fake_github: Any, prometheus: str, gitops_with_origin: tuple[Path, Path]
) -> None:
    _, origin = gitops_with_origin
    client, _, _ = make_client(github_repo="acme/gitops", operators=operators(prometheus))
    first, _ = open_and_merge(client, fake_github, origin, "cartservice")
    # no Argo CD notification: merge + 1 s → Prometheus: still restarting and OOM-killed
    again = wait_for(
        lambda: (
            (d := incidents(client)[0])["pr_number"] == 2 and d["status"] == "awaiting-review" and d
        ),
        timeout=30,
    )
    assert again["id"] == first["id"] and again["generation"] == 2
    notes = [e["message"] for e in again["events"] if e["kind"] == "verify"]
    failed = next(m for m in notes if m.startswith("not-enough:"))
    assert (
        "restarts = " in failed
        and "FAILED" in failed
        and "working_set_bytes = 2.14748e+09" in failed
    )
    assert any("Not enough" in c["body"] for c in fake_github.comments)
    assert (
        len(fake_github.calls("POST", r"/pulls$")) == 2
    )  # the next attempt, from the merged state


def test_not_enough_at_the_cap_escalates_to_a_human(
    make_client: Any, fake_github: Any, prometheus: str, gitops_with_origin: tuple[Path, Path]
) -> None:
    _, origin = gitops_with_origin
    client, _, _ = make_client(
        github_repo="acme/gitops", operators=operators(prometheus), max_runs=1
    )
    open_and_merge(client, fake_github, origin, "cartservice")
    done = wait_for(
        lambda: (d := incidents(client)[0])["status"] == "needs-human" and d, timeout=20
    )
    assert done["outcome"].startswith("not enough: over")
    assert "attempt cap reached" in done["limit_hit"]
    assert len(fake_github.calls("POST", r"/pulls$")) == 1

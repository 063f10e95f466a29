"""Real processes: Alertmanager → dr-kube serve → pushed branch; kill -9 and restart; a storm."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytest_httpserver import HTTPServer

from tests.support.net import free_port
from tests.support.service import (
    TOKEN,
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
from tests.support.tools import require_binary

pytestmark = pytest.mark.slow


def test_real_alertmanager_delivers_to_serve_and_a_branch_is_pushed(
    tmp_path: Path, gitops_with_origin: tuple[Path, Path]
) -> None:
    binary = shutil.which("prometheus-alertmanager") or require_binary("prometheus-alertmanager")
    clone, origin = gitops_with_origin
    serve = Serve(clone, tmp_path / "db" / "dr-kube.db").start()
    am_port = free_port()
    config = tmp_path / "am.yml"
    config.write_text(
        f"""
route:
  receiver: dr-kube
  group_by: [alertname, namespace]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: dr-kube
    webhook_configs:
      - url: {serve.url}/webhooks/alertmanager
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: {TOKEN}
"""
    )
    am = subprocess.Popen(
        [
            binary,
            f"--config.file={config}",
            f"--storage.path={tmp_path / 'am-data'}",
            f"--web.listen-address=127.0.0.1:{am_port}",
            "--cluster.listen-address=",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        api = f"http://127.0.0.1:{am_port}/api/v2"
        wait_for(lambda: _ok(f"{api}/status"), timeout=20)
        one = alert("frontend")
        body = [{"labels": one["labels"], "annotations": one["annotations"]}]
        assert httpx.post(f"{api}/alerts", json=body, timeout=5).status_code == 200
        wait_for(lambda: branches(origin) == ["dr-kube/online-boutique/frontend/oom"], 30)
        items = wait_for(lambda: [i for i in serve.incidents() if i["status"] == "pushed"])
        assert items[0]["key"] == "online-boutique/Deployment/frontend/oom"
    finally:
        am.terminate()
        am.wait(10)
        serve.stop()


def _ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def test_kill_9_mid_run_then_restart_completes_with_one_branch_and_one_pr(
    tmp_path: Path, gitops_with_origin: tuple[Path, Path], httpserver: HTTPServer
) -> None:
    clone, origin = gitops_with_origin
    fake = ServiceGitHub(httpserver)
    handler, reached, release = block_first_pr_lookup(fake)
    httpserver.expect_request(__import__("re").compile(r"^/.*")).respond_with_handler(handler)
    env = {"GITHUB_TOKEN": "test-token", "DRKUBE_GITHUB_API_URL": fake.api}
    args = ["--github-repo", "acme/gitops"]
    db = tmp_path / "db" / "dr-kube.db"
    serve = Serve(clone, db, env=env, args=args).start()
    try:
        r = httpx.post(
            f"{serve.url}/webhooks/alertmanager",
            content=json.dumps(payload(alert("cartservice"))),
            headers=am_headers(),
        )
        assert r.status_code == 202
        assert reached.wait(30), "the run never reached the PR step"
        serve.kill()  # kill -9 in the middle of the publish node
    finally:
        release.set()
    assert branches(origin) == ["dr-kube/online-boutique/cartservice/oom"]
    assert fake.pulls == {}
    serve2 = Serve(clone, db, env=env, args=args, port=serve.port).start()
    try:
        items = wait_for(
            lambda: [i for i in serve2.incidents() if i["status"] == "awaiting-review"], 40
        )
        assert len(items) == 1 and items[0]["pr_number"] == 1
        assert branches(origin) == ["dr-kube/online-boutique/cartservice/oom"]
        assert len(fake.pulls) == 1
        assert len(fake.calls("POST", r"/pulls$")) == 1
    finally:
        serve2.stop()


def test_a_storm_of_1000_alerts_over_10_workloads_gives_10_incidents(
    tmp_path: Path, gitops_with_origin: tuple[Path, Path]
) -> None:
    clone, origin = gitops_with_origin
    serve = Serve(clone, tmp_path / "db" / "dr-kube.db", env={"DRKUBE_WORKERS": "3"}).start()
    try:
        bodies = [
            json.dumps(payload(alert(WORKLOADS[n % 10], pod_suffix=f"p{n}"))) for n in range(1000)
        ]
        errors: list[Any] = []

        def send(chunk: list[str]) -> None:
            with httpx.Client(timeout=30) as client:
                for body in chunk:
                    r = client.post(
                        f"{serve.url}/webhooks/alertmanager", content=body, headers=am_headers()
                    )
                    if r.status_code != 202:
                        errors.append((r.status_code, r.text))

        threads = [threading.Thread(target=send, args=(bodies[i::8],)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        done = wait_for(
            lambda: (
                (items := [i for i in serve.incidents() if i["status"] == "pushed"])
                and len(items) == 10
                and items
            ),
            90,
        )
        assert sum(i["alert_count"] for i in done) == 1000  # none lost
        assert all(i["runs"] == 1 for i in done)
        assert len(branches(origin)) == 10
    finally:
        serve.stop()
    _ = time

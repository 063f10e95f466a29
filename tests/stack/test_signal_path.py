"""End to end: backfilled series -> real Prometheus -> real Alertmanager -> DR-Kube webhook.

The OOM rule and the routing are the ones in values/prometheus.yaml. Only what must
change on a laptop changes: the receivers' URLs point at loopback (a recording endpoint that
checks the payload, then a real `dr-kube serve`), the bearer token comes from a temp file, and
the group waits are 1 s so the test ends in seconds.
"""

from __future__ import annotations

import copy
import json
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.request import urlopen

import pytest

from tests.support.net import free_port
from tests.support.stack import alertmanager_config, require_tool, rule_groups, write_yaml

TOKEN = "e2e-test-token-not-a-secret"
NS = "online-boutique"
POD = "frontend-7d9c6b5f4-x2x7q"
SAMPLE_POD = "frontend-7d9c8b6f5b-x2x9k"  # the OOMKilled pod of agent/issues/cluster


class Recorder:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def add(self, item: dict[str, Any]) -> None:
        with self.lock:
            self.requests.append(item)

    def find(self, path: str) -> list[dict[str, Any]]:
        with self.lock:
            return [r for r in self.requests if r["path"] == path]


@pytest.fixture
def recorder() -> Iterator[tuple[Recorder, int]]:
    rec = Recorder()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            auth = self.headers.get("Authorization", "")
            ok = self.path != "/webhooks/alertmanager" or auth == f"Bearer {TOKEN}"
            rec.add({"path": self.path, "auth": auth, "ok": ok, "body": json.loads(body or b"{}")})
            self.send_response(200 if ok else 401)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield rec, int(server.server_address[1])
    server.shutdown()
    server.server_close()


def openmetrics(now: float, pod: str = POD) -> str:
    """15 minutes of kube-state-metrics series: frontend's container is OOM-killed 3 minutes ago."""
    start, step = now - 15 * 60, 15
    stamps = [start + i * step for i in range(int((now - start) // step) + 1)]
    oom_at = now - 3 * 60
    base = f'namespace="{NS}",pod="{pod}"'
    ksm = f'job="kube-state-metrics",{base},container="server"'
    lines = ["# TYPE kube_pod_container_status_restarts_total gauge"]
    lines += [
        f"kube_pod_container_status_restarts_total{{{ksm}}} {1 if t >= oom_at else 0} {t:.3f}"
        for t in stamps
    ]
    lines.append("# TYPE kube_pod_container_status_last_terminated_reason gauge")
    lines += [
        f'kube_pod_container_status_last_terminated_reason{{{ksm},reason="OOMKilled"}} 1 {t:.3f}'
        for t in stamps
        if t >= oom_at
    ]
    lines.append("# TYPE namespace_workload_pod:kube_pod_owner:relabel gauge")
    lines += [
        f'namespace_workload_pod:kube_pod_owner:relabel{{{base},workload="frontend",'
        f'workload_type="deployment"}} 1 {t:.3f}'
        for t in stamps
    ]
    lines.append("# EOF")
    return "\n".join(lines) + "\n"


def local_alertmanager_config(
    port: int, tmp: Path, slack_port: int | None = None
) -> dict[str, Any]:
    config = copy.deepcopy(alertmanager_config())
    token_file = tmp / "token"
    token_file.write_text(TOKEN)
    slack_url = tmp / "slack-url"
    slack_url.write_text(f"http://127.0.0.1:{slack_port or port}/slack")
    config["global"]["slack_api_url_file"] = str(slack_url)

    def fast(route: dict[str, Any]) -> None:
        for key in ("group_wait", "group_interval"):
            route[key] = "1s"
        for child in route.get("routes", []):
            fast(child)

    fast(config["route"])
    for receiver in config["receivers"]:
        for hook in receiver.get("webhook_configs", []):
            assert hook["url"].endswith("/webhooks/alertmanager")
            hook["url"] = f"http://127.0.0.1:{port}/webhooks/alertmanager"
            hook["http_config"]["authorization"] = {
                "type": "Bearer",
                "credentials_file": str(token_file),
            }
    return config


def wait_http(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{url} exited early:\n{log.read_text()[-3000:]}")
        try:
            with urlopen(url, timeout=1) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} not ready:\n{log.read_text()[-3000:]}")


@contextmanager
def signal_path(
    tmp_path: Path, hook_port: int, slack_port: int, pod: str = POD
) -> Iterator[tuple[Path, Path]]:
    """Backfilled series, a real Prometheus with the OOM rule, a real Alertmanager with the repo's
    routing: yields (prometheus log, alertmanager log) while both run."""
    promtool = require_tool("promtool")
    prometheus = require_tool("prometheus")
    alertmanager = require_tool("prometheus-alertmanager", "alertmanager")

    # 1. Backfill the series with promtool.
    data = tmp_path / "data"
    source = tmp_path / "series.om"
    source.write_text(openmetrics(time.time(), pod))
    proc = subprocess.run(
        [promtool, "tsdb", "create-blocks-from", "openmetrics", str(source), str(data)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr

    # 2. Alertmanager with the repository's routing.
    am_port = free_port()
    am_file = write_yaml(
        tmp_path / "alertmanager.yaml", local_alertmanager_config(hook_port, tmp_path, slack_port)
    )
    am_log = tmp_path / "alertmanager.log"
    # 3. Prometheus evaluating only the OOM rule every second.
    oom_rule = next(
        r for g in rule_groups() for r in g["rules"] if r.get("alert") == "ContainerOOMKilled"
    )
    write_yaml(
        tmp_path / "rules.yaml",
        {"groups": [{"name": "oom", "interval": "1s", "rules": [oom_rule]}]},
    )
    write_yaml(
        tmp_path / "prometheus.yaml",
        {
            "global": {"evaluation_interval": "1s"},
            "rule_files": ["rules.yaml"],
            "alerting": {
                "alertmanagers": [
                    {"api_version": "v2", "static_configs": [{"targets": [f"127.0.0.1:{am_port}"]}]}
                ]
            },
        },
    )
    prom_port = free_port()
    prom_log = tmp_path / "prometheus.log"

    procs: list[subprocess.Popen[bytes]] = []
    try:
        with am_log.open("wb") as log:
            procs.append(
                subprocess.Popen(
                    [
                        alertmanager,
                        f"--config.file={am_file}",
                        f"--storage.path={tmp_path / 'am'}",
                        f"--web.listen-address=127.0.0.1:{am_port}",
                        "--cluster.listen-address=",
                    ],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        wait_http(f"http://127.0.0.1:{am_port}/-/ready", procs[0], am_log)
        with prom_log.open("wb") as log:
            procs.append(
                subprocess.Popen(
                    [
                        prometheus,
                        f"--config.file={tmp_path / 'prometheus.yaml'}",
                        f"--storage.tsdb.path={data}",
                        f"--web.listen-address=127.0.0.1:{prom_port}",
                        # The first notification may go out before the Alertmanager is discovered:
                        # resend within seconds, not the default minute.
                        "--rules.alert.resend-delay=1s",
                    ],
                    cwd=tmp_path,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        wait_http(f"http://127.0.0.1:{prom_port}/-/ready", procs[1], prom_log)
        yield prom_log, am_log
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


@pytest.mark.slow
@pytest.mark.timeout(90)
def test_oom_alert_reaches_drkube(tmp_path: Path, recorder: tuple[Recorder, int]) -> None:
    rec, hook_port = recorder
    with signal_path(tmp_path, hook_port, hook_port) as (prom_log, am_log):
        # 4. The alert arrives at the DR-Kube webhook, authenticated, with the agent's labels.
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline and not (
            rec.find("/webhooks/alertmanager") and rec.find("/slack")
        ):
            time.sleep(0.25)
        hooks = rec.find("/webhooks/alertmanager")
        assert hooks, (
            f"nothing reached the webhook\n--- prometheus\n{prom_log.read_text()[-3000:]}"
            f"\n--- alertmanager\n{am_log.read_text()[-3000:]}"
        )
        first = hooks[0]
        assert first["ok"], f"bad Authorization header: {first['auth']!r}"
        payload = first["body"]
        assert payload["version"] == "4"
        assert payload["receiver"] == "dr-kube"
        assert payload["status"] == "firing"
        assert payload["groupLabels"] == {"namespace": NS, "workload": "frontend"}
        (alert,) = payload["alerts"]
        labels = alert["labels"]
        assert labels["alertname"] == "ContainerOOMKilled"
        assert labels["severity"] == "critical"
        assert (labels["namespace"], labels["pod"], labels["container"]) == (NS, POD, "server")
        assert (labels["workload"], labels["workload_type"]) == ("frontend", "deployment")
        assert alert["annotations"]["summary"] == f"Container server in {NS}/{POD} was OOM-killed"
        assert alert["generatorURL"].startswith("http")
        # The same alert also reached people (the Slack receiver, continue: true).
        assert rec.find("/slack"), "the Slack receiver got nothing"


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_oom_alert_becomes_a_pushed_fix_through_dr_kube_serve(
    tmp_path: Path, recorder: tuple[Recorder, int], gitops_with_origin: tuple[Path, Path]
) -> None:
    """The whole signal path with real programs: Prometheus rule → Alertmanager → `dr-kube serve`
    (bearer token) → diagnosis on the sample cluster dump → a fix branch pushed to origin."""
    import httpx

    from tests.support.paths import SAMPLE_CHARTS, SAMPLE_CLUSTER
    from tests.support.repos import git
    from tests.support.service import Serve, branches, wait_for

    _, slack_port = recorder
    clone, origin = gitops_with_origin
    serve = Serve(
        repo=clone,
        db=tmp_path / "state" / "dr-kube.db",
        env={"DRKUBE_ALERTMANAGER_TOKEN": TOKEN},
        args=["--cluster", str(SAMPLE_CLUSTER), "--charts", str(SAMPLE_CHARTS)],
    ).start()
    try:
        with signal_path(tmp_path, serve.port, slack_port, pod=SAMPLE_POD):
            wait_for(lambda: "dr-kube/online-boutique/frontend/oom" in branches(origin), timeout=60)
        listing = httpx.get(
            f"{serve.url}/api/v1/incidents",
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=10,
        )
        [incident] = listing.json()["items"]
        assert incident["key"] == "online-boutique/Deployment/frontend/oom"
        values = git(
            origin, "show", "dr-kube/online-boutique/frontend/oom:values/online-boutique.yaml"
        )
        assert "      memory: 256Mi" in values
    finally:
        serve.stop()

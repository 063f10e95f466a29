"""The PR path with and without Slack, against a Slack test server that answers after 1 s.

Runs the service in-process (workers on, local forge, a throw-away GitOps repository with a bare
origin) and times each incident from the Alertmanager POST to `awaiting-review` (branch pushed,
PR recorded), first with Slack off, then with Slack on (thread root + replies through the outbox),
alternating rounds. Slack is sent by its own loop: the two medians should be equal within noise.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "agent"))
sys.path.insert(0, str(ROOT))

from pydantic import SecretStr  # noqa: E402

from dr_kube.config.operators import OperatorSettings  # noqa: E402
from dr_kube.config.service import Settings  # noqa: E402

TOKEN = "bench-token"
WORKLOADS = ("adservice", "cartservice", "checkoutservice", "currencyservice", "emailservice")
ROUNDS = int(os.environ.get("BENCH_SLACK_ROUNDS", "3"))
DELAY = 1.0


class SlowSlack(BaseHTTPRequestHandler):
    calls = 0

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        time.sleep(DELAY)
        SlowSlack.calls += 1
        body = json.dumps({"ok": True, "channel": "C0BENCH", "ts": f"{time.time():.6f}"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def gitops(tmp: Path) -> Path:
    seed = tmp / "seed"
    seed.mkdir()
    for folder in ("applications", "values"):
        shutil.copytree(ROOT / folder, seed / folder)
    git(seed, "init", "--quiet", "--initial-branch=main")
    git(seed, "-c", "user.name=b", "-c", "user.email=b@x", "add", ".")
    git(seed, "-c", "user.name=b", "-c", "user.email=b@x", "commit", "--quiet", "-m", "base")
    git(tmp, "clone", "--quiet", "--bare", str(seed), str(tmp / "origin.git"))
    git(tmp, "clone", "--quiet", str(tmp / "origin.git"), str(tmp / "clone"))
    return tmp / "clone"


def alert(workload: str, n: int) -> bytes:
    return json.dumps(
        {
            "version": "4",
            "status": "firing",
            "receiver": "dr-kube",
            "alerts": [
                {
                    "status": "firing",
                    "labels": {
                        "alertname": "ContainerOOMKilled",
                        "namespace": "online-boutique",
                        "deployment": workload,
                        "pod": f"{workload}-7d9c-b{n}",
                        "container": "server",
                        "reason": "OOMKilled",
                    },
                    "annotations": {"summary": f"{workload} was OOMKilled"},
                    "startsAt": "2026-11-24T21:00:00Z",
                    "fingerprint": f"{workload}{n}",
                }
            ],
        }
    ).encode()


def one_round(operators: OperatorSettings, n: int) -> list[float]:
    from fastapi.testclient import TestClient

    from dr_kube.server.app import build_app

    with tempfile.TemporaryDirectory(prefix="dr-kube-slack-bench-") as d:
        tmp = Path(d)
        repo = gitops(tmp)
        settings = Settings(
            alertmanager_token=SecretStr(TOKEN),
            github_secret=SecretStr("s"),
            db_path=tmp / "state" / "db.sqlite",
            poll_seconds=0.02,
            workers=2,
            operators=operators,
        )
        args = {
            "cluster_dir": None,
            "kubeconfig": None,
            "kube_context": None,
            "prometheus_url": None,
            "gitops_repo": repo,
            "chart_dirs": (),
            "policy_file": None,
            "provider": "rules",
            "max_attempts": None,
        }
        app, _, _ = build_app(settings, args)
        headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
        times: list[float] = []
        with TestClient(app) as client:
            for workload in WORKLOADS:
                started = time.monotonic()
                r = client.post(
                    "/webhooks/alertmanager", content=alert(workload, n), headers=headers
                )
                incident = r.json()["incidents"][0]["id"]
                while True:
                    got = client.get(f"/api/v1/incidents/{incident}", headers=headers).json()
                    if got["status"] in ("awaiting-review", "needs-human", "failed"):
                        break
                    time.sleep(0.005)
                assert got["status"] == "awaiting-review", got["status"]
                times.append(time.monotonic() - started)
        return times


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowSlack)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    slack = OperatorSettings(
        slack_token=SecretStr("xoxb-bench"),
        slack_channel="C0BENCH",
        slack_api_url=f"http://127.0.0.1:{server.server_address[1]}/api/",
    )
    off: list[float] = []
    on: list[float] = []
    one_round(OperatorSettings(), 0)  # warm-up: imports, first graph compile
    for n in range(ROUNDS):
        off += one_round(OperatorSettings(), 2 * n + 1)
        on += one_round(slack, 2 * n + 2)
    server.shutdown()

    def fmt(xs: list[float]) -> str:
        q = statistics.quantiles(xs, n=20)
        return f"median {statistics.median(xs) * 1000:7.1f} ms  p95 {q[18] * 1000:7.1f} ms  (n={len(xs)})"

    print("PR path (alert → branch pushed, PR recorded), Slack test server answering after 1 s")
    print(f"  Slack off: {fmt(off)}")
    print(f"  Slack on : {fmt(on)}")
    ratio = statistics.median(on) / statistics.median(off)
    print(f"  on/off median ratio {ratio:.2f}; Slack calls answered: {SlowSlack.calls}")


if __name__ == "__main__":
    main()

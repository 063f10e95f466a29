"""The web console with 10,000 incidents: server time of the list, a filtered list, the polled rows
and an incident page holding a 5,000-line log.

Seeds a SQLite store (the rows the service leaves: statuses, namespaces, categories, PR links),
serves the app in-process (workers off) and times each page end to end through the ASGI app, from
request to the last byte of HTML (no network, no browser): that is the server's time.
Target: the list under 200 ms with 10,000 incidents (it is paged: 50 rows and the counts).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "agent"))
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402
from pydantic import SecretStr  # noqa: E402

from dr_kube.config.console import ConsoleSettings  # noqa: E402
from dr_kube.config.service import Settings  # noqa: E402
from dr_kube.server.app import build_app  # noqa: E402
from dr_kube.store import open_store  # noqa: E402
from tests.support.history import add_incidents  # noqa: E402
from tests.support.service_fixtures import context_args  # noqa: E402

TOKEN = "bench-token-0123456789"
N = int(os.environ.get("BENCH_CONSOLE_INCIDENTS", "10000"))
ROUNDS = int(os.environ.get("BENCH_CONSOLE_ROUNDS", "30"))
STATUSES = ("resolved", "closed", "awaiting-review", "awaiting-approval", "needs-human", "failed")
CATEGORIES = ("oom", "crashloop", "probe", "image-pull", "cpu-throttle", "unschedulable")


def seed(settings: Settings) -> str:
    store = open_store(None, settings.db_path)
    add_incidents(
        store,
        [
            {
                "id": f"inc-{n:05d}",
                "namespace": f"team-{n % 20}",
                "workload": f"svc-{n % 300}",
                "category": CATEGORIES[n % len(CATEGORIES)],
                "status": STATUSES[n % len(STATUSES)],
                "days_ago": n / 100,
                "root_cause": "Container app is killed for using more memory than its limit.",
                "evidence": ["Pod/app container app: last terminated OOMKilled"],
                "pr_url": f"https://github.com/acme/gitops/pull/{n}" if n % 3 == 0 else None,
            }
            for n in range(N)
        ],
    )
    big = "inc-00001"
    lines = [
        f"2026-11-24T21:{n // 60 % 60:02d}:{n % 60:02d}Z INFO request {n} served"
        for n in range(5000)
    ]
    with store.db.tx() as cur:
        cur.run(
            "UPDATE incidents SET incident = ? WHERE id = ?", (json.dumps({"logs": lines}), big)
        )
    store.close()
    return big


def timed(client: TestClient, path: str) -> tuple[float, float, int]:
    samples = []
    size = 0
    for _ in range(ROUNDS):
        start = time.perf_counter()
        r = client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
        assert r.status_code == 200, (path, r.status_code, r.text[:200])
        size = len(r.content)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1], size


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="dr-kube-console-bench-"))
    subprocess.run(["git", "init", "-q", str(tmp / "gitops")], check=True)
    settings = Settings(
        alertmanager_token=SecretStr(TOKEN),
        db_path=tmp / "dr-kube.db",
        console=ConsoleSettings(secret=SecretStr("b" * 40)),
    )
    start = time.perf_counter()
    big = seed(settings)
    print(f"seeded {N} incidents in {time.perf_counter() - start:.1f} s")
    app, _, _ = build_app(settings, context_args(tmp / "gitops"), start_workers=False)
    with TestClient(app, base_url="http://bench.test", follow_redirects=False) as client:
        r = client.post(
            "/ui/login", data={"secret": TOKEN}, headers={"Origin": "http://bench.test"}
        )
        assert r.status_code == 303, r.text
        pages = {
            "list (first page)": "/ui",
            "list, page 100": "/ui?offset=4950",
            "list filtered (ns, status)": "/ui?namespace=team-3&status=failed",
            "polled rows": "/ui/rows?category=oom",
            "incident, 5,000-line log": f"/ui/incidents/{big}",
            "log page (500 lines)": f"/ui/incidents/{big}/log?offset=2500",
        }
        worst_list = 0.0
        print(f"{'page':<30} {'p50 ms':>8} {'p95 ms':>8} {'KiB':>6}   ({ROUNDS} requests each)")
        for name, path in pages.items():
            p50, p95, size = timed(client, path)
            if name.startswith("list"):
                worst_list = max(worst_list, p95)
            print(f"{name:<30} {p50:8.1f} {p95:8.1f} {size / 1024:6.1f}")
    verdict = "ok" if worst_list < 200 else "OVER"
    print(f"list p95 with {N} incidents: {worst_list:.1f} ms (target < 200 ms): {verdict}")
    return 0 if worst_list < 200 else 1


if __name__ == "__main__":
    raise SystemExit(main())

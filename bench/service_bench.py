"""Webhook intake benchmark: 5,000 deliveries from a second process on loopback.

Starts `dr-kube serve` (SQLite WAL, synchronous=FULL: every 202 is durable) over a throw-away GitOps
repository, with the workers off so only intake is measured, then posts from a client process.
Prints throughput, p50/p99 latency and the server's resident memory before and after.
Targets on 2 cores: >= 500 deliveries/s, p99 < 50 ms, memory flat.

Then a big delivery (10,000 alerts, about 930 KB, `BENCH_BIG_ALERTS`) while normal deliveries keep
coming one after another: how long the big one takes and how long a normal one waits meanwhile,
once with `DRKUBE_MAX_ALERTS` at its default (the first 1,000 are stored) and once with a second
server that reads all 10,000 (target there: max < 1 s; before the intake committed big deliveries in
chunks off the event loop a normal delivery waited 4.7-6.8 s behind it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from _procinfo import memory_mib

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.net import free_port  # noqa: E402
from tests.support.service import CHECKPOINT_KEY  # noqa: E402

TOKEN = "bench-token"
N = int(os.environ.get("BENCH_DELIVERIES", "5000"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "4"))
BIG = int(os.environ.get("BENCH_BIG_ALERTS", "10000"))


def body(n: int) -> bytes:
    workload = f"svc{n % 50}"
    alert = {
        "status": "firing",
        "labels": {
            "alertname": "ContainerOOMKilled",
            "namespace": "bench",
            "deployment": workload,
            "pod": f"{workload}-{n}",
            "container": "app",
        },
        "annotations": {"summary": "OOMKilled"},
        "startsAt": "2026-11-24T21:00:00Z",
        "fingerprint": f"{n:016x}",
    }
    return json.dumps(
        {"version": "4", "status": "firing", "receiver": "dr-kube", "alerts": [alert]}
    ).encode()


def client(url: str) -> None:
    """The load generator (runs in its own process)."""
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    bodies = [body(n) for n in range(N)]
    latencies: list[float] = []
    errors = 0

    with httpx.Client(timeout=10, limits=httpx.Limits(max_connections=CONCURRENCY)) as http:

        def one(b: bytes) -> float:
            t = time.perf_counter()
            r = http.post(url, content=b, headers=headers)
            if r.status_code != 202:
                raise RuntimeError(f"{r.status_code} {r.text}")
            return time.perf_counter() - t

        for b in bodies[:50]:  # warm-up
            one(b)
        start = time.perf_counter()
        with ThreadPoolExecutor(CONCURRENCY) as pool:
            for result in pool.map(one, bodies[50:]):
                latencies.append(result)
        elapsed = time.perf_counter() - start
    latencies.sort()
    print(
        json.dumps(
            {
                "deliveries": len(latencies),
                "errors": errors,
                "per_second": round(len(latencies) / elapsed, 1),
                "p50_ms": round(latencies[len(latencies) // 2] * 1000, 2),
                "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 2),
            }
        )
    )


def big_body() -> bytes:
    """A 10,000-alert delivery in the issue's shape (about 92 bytes an alert)."""
    alerts = [
        {
            "status": "firing",
            "labels": {"alertname": "PodOOM", "namespace": "big", "pod": f"p{n}"},
        }
        for n in range(BIG)
    ]
    return json.dumps({"version": "4", "status": "firing", "alerts": alerts}).encode()


def client_big(url: str) -> None:
    """Normal deliveries, one after another, while one big delivery is taken in."""
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    big = big_body()
    answer: dict[str, float] = {}
    with httpx.Client(timeout=120) as http:

        def post_big() -> None:
            t = time.perf_counter()
            r = http.post(url, content=big, headers=headers)
            answer["seconds"] = time.perf_counter() - t
            reply = r.json() if r.status_code == 202 else {"accepted": -r.status_code}
            answer["accepted"] = reply["accepted"]
            answer["dropped"] = reply.get("dropped", 0)

        with ThreadPoolExecutor(1) as pool:
            running = pool.submit(post_big)
            time.sleep(0.05)
            waits = []
            n = N
            while not running.done():
                t = time.perf_counter()
                r = http.post(url, content=body(n), headers=headers)
                if r.status_code != 202:
                    raise RuntimeError(f"{r.status_code} {r.text}")
                waits.append(time.perf_counter() - t)
                n += 1
            running.result()
    waits.sort()
    print(
        json.dumps(
            {
                "big_alerts": BIG,
                "big_bytes": len(big),
                "big_accepted": answer["accepted"],
                "big_dropped": answer["dropped"],
                "big_seconds": round(answer["seconds"], 2),
                "normal_during_big": len(waits),
                "normal_p50_ms": round(waits[len(waits) // 2] * 1000, 1) if waits else None,
                "normal_max_ms": round(waits[-1] * 1000, 1) if waits else None,
            }
        )
    )


def start(work: Path, repo: Path, name: str, **extra: str) -> tuple[subprocess.Popen[bytes], str]:
    """`dr-kube serve` (intake only) on a free port, once it answers /readyz."""
    port = free_port()
    env = {
        **os.environ,
        "DRKUBE_ALERTMANAGER_TOKEN": TOKEN,
        "DRKUBE_GITHUB_WEBHOOK_SECRET": "x",
        "DRKUBE_CHECKPOINT_KEY": CHECKPOINT_KEY,
        "DRKUBE_DB": str(work / f"{name}.db"),
        "DRKUBE_INTAKE_ONLY": "1",
        **extra,
    }
    dr_kube = str(Path(sys.executable).with_name("dr-kube"))
    server = subprocess.Popen(
        [dr_kube, "serve", "--gitops-repo", str(repo), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    return server, base


def run_client(mode: str, base: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, __file__, mode, f"{base}/webhooks/alertmanager"],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(out.stdout)
    return result


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--client":
        client(sys.argv[2])
        return 0
    if len(sys.argv) > 2 and sys.argv[1] == "--client-big":
        client_big(sys.argv[2])
        return 0
    work = Path(tempfile.mkdtemp(prefix="dr-kube-bench-"))
    repo = work / "gitops"
    repo.mkdir()
    for folder in ("applications", "values"):
        shutil.copytree(ROOT / folder, repo / folder)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    servers: list[subprocess.Popen[bytes]] = []
    try:
        server, base = start(work, repo, "intake")
        servers.append(server)
        before = memory_mib(server.pid)
        result = run_client("--client", base)
        result["rss_before_mib"] = round(before, 1)
        result["rss_after_mib"] = round(memory_mib(server.pid), 1)
        result["targets"] = {"per_second": ">= 500", "p99_ms": "< 50"}
        print("service intake:", json.dumps(result))
        capped = run_client("--client-big", base)  # DRKUBE_MAX_ALERTS at its default
        print("big delivery (default DRKUBE_MAX_ALERTS):", json.dumps(capped))
        server, base = start(work, repo, "big", DRKUBE_MAX_ALERTS=str(BIG))
        servers.append(server)
        whole = run_client("--client-big", base)
        whole["targets"] = {"normal_max_ms": "< 1000"}
        print(f"big delivery (DRKUBE_MAX_ALERTS={BIG}):", json.dumps(whole))
    finally:
        for server in servers:
            server.terminate()
            server.wait(10)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

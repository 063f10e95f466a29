"""Alert storm benchmark: 1,000 deliveries about 10 Deployments x 10 pods, through the real path.

`dr-kube serve` (SQLite, 2 workers, rules provider) reads a `kubectl cluster-info dump` folder of
10 Online Boutique Deployments with 10 OOMKilled replicas each and works on a GitOps clone whose
origin is a local bare repository. A client posts 1,000 Alertmanager deliveries, each one
`ContainerOOMKilled` alert with a pod label only (every pod ten times, as repeat_interval
re-sends), over four keep-alive connections as Alertmanager would. Settled means every incident
has left queued/running.

Two shapes: the webhooks on an intake-only server (`DRKUBE_INTAKE_ONLY=1`) beside a server that
runs the workers on the same store (what README recommends for storms: the intake never shares an
interpreter with the runs), and one `dr-kube serve` doing both. For each it prints incidents, runs
and branches (goal: exactly 10 of each), the time to settle, and its ratio to 10 deliveries about
the same 10 Deployments in the same shape (goal ≤ 1.5).
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


from tests.support import replicas  # noqa: E402  (the tests' dump and alert shapes)
from tests.support.net import free_port  # noqa: E402
from tests.support.service import CHECKPOINT_KEY, WORKLOADS  # noqa: E402  (the shop's ten Deployments)

TOKEN = "bench-token"
PODS = 10
DELIVERIES = int(os.environ.get("BENCH_STORM_DELIVERIES", "1000"))
ROUNDS = int(os.environ.get("BENCH_STORM_ROUNDS", "3"))
BUSY = ("queued", "running")
HEADERS = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}


def git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.com",
    }
    done = subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=env
    )
    return done.stdout.strip()


def gitops(work: Path) -> tuple[Path, Path]:
    seed = work / "seed"
    seed.mkdir()
    for folder in ("applications", "values"):
        shutil.copytree(ROOT / folder, seed / folder)
    git(seed, "init", "-q", "-b", "main")
    git(seed, "add", ".")
    git(seed, "commit", "-q", "-m", "baseline")
    origin = work / "origin.git"
    git(work, "clone", "-q", "--bare", str(seed), str(origin))
    git(work, "clone", "-q", str(origin), str(work / "clone"))
    return work / "clone", origin


def start(work: Path, clone: Path, dump: Path, **extra: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        **extra,
        "DRKUBE_ALERTMANAGER_TOKEN": TOKEN,
        "DRKUBE_GITHUB_WEBHOOK_SECRET": "x",
        "DRKUBE_CHECKPOINT_KEY": CHECKPOINT_KEY,
        "DRKUBE_DB": str(work / "dr-kube.db"),
        "DRKUBE_POLL_SECONDS": "0.1",
        "DRKUBE_CLUSTER_DUMP": str(dump),
        "DRKUBE_PROVIDER": "rules",
        "DRKUBE_CHART_OFFLINE": "1",
        "DRKUBE_CHART_CACHE": str(work / "charts"),
    }
    env.pop("GITHUB_TOKEN", None)
    dr_kube = str(Path(sys.executable).with_name("dr-kube"))
    server = subprocess.Popen(
        [dr_kube, "serve", "--gitops-repo", str(clone), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(work / f"serve-{port}.log").open("wb"),
        cwd=work,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return server, base
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("dr-kube serve did not start: " + (work / f"serve-{port}.log").read_text())


def bodies(count: int) -> list[bytes]:
    """`count` deliveries, round-robin over workloads then pods, each one alert."""
    out = []
    for n in range(count):
        workload, pod = WORKLOADS[n % len(WORKLOADS)], (n // len(WORKLOADS)) % PODS
        out.append(json.dumps(replicas.payload(replicas.oom_killed(workload, pod))).encode())
    return out


def post_all(base: str, payloads: list[bytes], connections: int = 4) -> list[int]:
    """Post like Alertmanager does: a few keep-alive connections, little client CPU (a Go sender
    costs next to nothing; httpx's per-request cost would compete with the server for 2 cores)."""
    url = urlsplit(base)
    codes: list[int] = [0] * len(payloads)

    def sender(first: int) -> None:
        conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=30)
        try:
            for n in range(first, len(payloads), connections):
                conn.request("POST", "/webhooks/alertmanager", body=payloads[n], headers=HEADERS)
                response = conn.getresponse()
                response.read()
                codes[n] = response.status
        finally:
            conn.close()

    with ThreadPoolExecutor(connections) as pool:
        list(pool.map(sender, range(connections)))
    return codes


def incidents(base: str) -> list[dict[str, Any]]:
    r = httpx.get(f"{base}/api/v1/incidents?limit=1000", headers=HEADERS, timeout=10)
    r.raise_for_status()
    items: list[dict[str, Any]] = r.json()["items"]
    return items


def storm(count: int, split: bool) -> dict[str, Any]:
    """`split`: the webhooks go to an intake-only server (DRKUBE_INTAKE_ONLY) and a second
    server on the same store runs the workers, so intake and runs do not share one interpreter."""
    work = Path(tempfile.mkdtemp(prefix="dr-kube-storm-"))
    clone, origin = gitops(work)
    dump = replicas.write_dump(work / "dump", {w: PODS for w in WORKLOADS})
    server, base = start(work, clone, dump)
    servers = [server]
    if split:  # the webhooks and the API go to the intake server
        intake, base = start(work, clone, dump, DRKUBE_INTAKE_ONLY="1")
        servers.append(intake)
    try:
        payloads = bodies(count)
        started = time.perf_counter()
        codes = post_all(base, payloads)
        posted = time.perf_counter() - started
        while True:
            items = incidents(base)
            if items and all(i["status"] not in BUSY for i in items):
                break
            if time.perf_counter() - started > 600:
                raise RuntimeError("the storm did not settle in 10 minutes")
            time.sleep(0.05)
        settled = time.perf_counter() - started
        runs = sum(
            len(
                httpx.get(f"{base}/api/v1/incidents/{i['id']}", headers=HEADERS, timeout=10).json()[
                    "attempts"
                ]
            )
            for i in items
        )
        branches = [
            b
            for b in git(
                origin, "for-each-ref", "--format=%(refname:short)", "refs/heads/dr-kube"
            ).splitlines()
            if b
        ]
        return {
            "deliveries": count,
            "rejected": sum(c != 202 for c in codes),
            "incidents": len(items),
            "runs": runs,
            "branches": len(branches),
            "statuses": sorted({i["status"] for i in items}),
            "post_s": round(posted, 2),
            "settle_s": round(settled, 2),
        }
    finally:
        for server in servers:
            server.terminate()
            server.wait(15)
        shutil.rmtree(work, ignore_errors=True)


def rounds(split: bool) -> None:
    """Baseline and storm alternate, ROUNDS times each (two shared cores swing by a third from
    one run to the next); the ratio is of the medians, the range is printed too."""
    baselines, storms = [], []
    for _ in range(ROUNDS):
        baselines.append(storm(len(WORKLOADS), split))
        storms.append(storm(DELIVERIES, split))
    shape = "intake server + worker server" if split else "one server"
    print(f"storm baseline ({shape}, 10 deliveries, 10 Deployments):", json.dumps(baselines[-1]))
    print(
        f"storm ({shape}, {DELIVERIES} deliveries, 10 Deployments x {PODS} pods):",
        json.dumps(storms[-1]),
    )
    base = statistics.median(b["settle_s"] for b in baselines)
    settle = statistics.median(r["settle_s"] for r in storms)
    ratios = sorted(r["settle_s"] / b["settle_s"] for r, b in zip(storms, baselines, strict=True))
    exact = all(r[k] == len(WORKLOADS) for r in storms for k in ("incidents", "runs", "branches"))
    worst = max(storms, key=lambda r: max(r[k] for k in ("incidents", "runs", "branches")))
    print(
        f"storm ({shape}): {worst['incidents']} incidents, {worst['runs']} runs, "
        f"{worst['branches']} branches at most over {ROUNDS} rounds (goal 10 each: "
        f"{'ok' if exact else 'OVER'}); settle median {settle:.2f} s vs {base:.2f} s, ratio "
        f"{settle / base:.2f} (rounds {ratios[0]:.2f}-{ratios[-1]:.2f}; goal <= 1.5: "
        f"{'ok' if settle / base <= 1.5 else 'OVER'})"
    )


def main() -> int:
    rounds(split=True)  # the shape README recommends for alert storms
    rounds(split=False)  # the default: one `dr-kube serve`
    return 0


if __name__ == "__main__":
    sys.exit(main())

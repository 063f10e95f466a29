"""Cluster size benchmark: a dump namespace of 5,000 pods and 100,000 events, and a 1 MB pod log.

1. `dr-kube run` on the sample OOM incident against the 12-pod sample dump and against the same
   dump with its namespace grown to 5,000 pods and 100,000 events (generated here, about 190 MB,
   in kubectl's layout): CPU seconds (user + system) of the whole process, as a ratio, and its
   peak RSS. Targets: ratio <= 1.5, RSS <= 250 MB.
2. `dr-kube serve --cluster BIG` with two workers: webhook deliveries at a steady rate, each an
   alert about another workload of the big dump, so the workers read the dump while intake is
   measured. Prints p50/p99 of the deliveries and the server's peak RSS. Target: p99 < 100 ms.
3. A 1 MB log in the incident's pod: evidence collection with it against without it. Target: it
   adds <= 50 ms.

BENCH_PODS, BENCH_EVENTS, BENCH_DELIVERIES and BENCH_RATE change the sizes.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.support.bigdump: the generated dump
sys.path.insert(0, str(ROOT / "agent"))

from _procinfo import memory_mib  # noqa: E402

from tests.support.bigdump import FOCUS_POD, NAMESPACE, write_big_dump  # noqa: E402
from tests.support.net import free_port  # noqa: E402
from tests.support.paths import SAMPLE_CHARTS, SAMPLE_CLUSTER, SAMPLES  # noqa: E402
from tests.support.service import CHECKPOINT_KEY  # noqa: E402

PODS = int(os.environ.get("BENCH_PODS", "5000"))
EVENTS = int(os.environ.get("BENCH_EVENTS", "100000"))
DELIVERIES = int(os.environ.get("BENCH_DELIVERIES", "600"))
RATE = float(os.environ.get("BENCH_RATE", "40"))  # deliveries per second
TOKEN = "bench-token"
DR_KUBE = str(Path(sys.executable).with_name("dr-kube"))
# the processes measured run this checkout's code, whatever the virtualenv has installed
CHILD_ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "agent"), str(ROOT)])}


def run_process(cluster: Path) -> tuple[float, float]:
    """CPU seconds and peak RSS (MB) of one `dr-kube run` process."""
    command = [DR_KUBE, "run", str(SAMPLES / "sample_oom.json"), "--cluster", str(cluster)]
    command += ["--charts", str(SAMPLE_CHARTS), "--gitops-repo", str(ROOT), "-o", "json"]
    child = subprocess.Popen(
        command, env=CHILD_ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"dr-kube run --cluster {cluster} exited {child.returncode}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def bench_run(big: Path) -> None:
    small = [run_process(SAMPLE_CLUSTER) for _ in range(3)]
    large = [run_process(big) for _ in range(3)]
    small_cpu = statistics.median(c for c, _ in small)
    large_cpu = statistics.median(c for c, _ in large)
    rss = max(r for _, r in large)
    ratio = large_cpu / small_cpu
    print(
        f"`dr-kube run`, 12-pod sample: CPU {small_cpu:.2f} s, RSS {max(r for _, r in small):.0f} MB"
    )
    print(
        f"`dr-kube run`, {PODS:,} pods / {EVENTS:,} events: CPU {large_cpu:.2f} s, RSS {rss:.0f} MB"
    )
    print(
        f"cluster size: CPU ratio {ratio:.2f} (target <= 1.5: {'ok' if ratio <= 1.5 else 'MISSED'}),"
        f" peak RSS {rss:.0f} MB (target <= 250 MB: {'ok' if rss <= 250 else 'MISSED'})"
    )


def delivery(n: int, pods: list[str]) -> bytes:
    pod = pods[n % len(pods)]
    alert = {
        "status": "firing",
        "labels": {
            "alertname": "ContainerOOMKilled",
            "namespace": NAMESPACE,
            "pod": pod,
            "container": "server",
        },
        "annotations": {"summary": f"{pod} OOMKilled"},
        "startsAt": "2026-11-24T21:00:00Z",
        "fingerprint": f"{n:016x}",
    }
    payload = {"version": "4", "status": "firing", "receiver": "dr-kube", "alerts": [alert]}
    return json.dumps(payload).encode()


def client(url: str, pods_file: str) -> None:
    """The load generator (its own process): steady deliveries, each timed."""
    pods = json.loads(Path(pods_file).read_text())
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    latencies: list[float] = []
    with httpx.Client(timeout=30) as http:
        start = time.perf_counter()
        for n in range(DELIVERIES):
            time.sleep(max(0.0, start + n / RATE - time.perf_counter()))
            sent = time.perf_counter()
            answer = http.post(url, content=delivery(n, pods), headers=headers)
            if answer.status_code != 202:
                raise RuntimeError(f"{answer.status_code} {answer.text}")
            latencies.append(time.perf_counter() - sent)
    latencies.sort()
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[int(len(latencies) * 0.99)] * 1000
    print(
        json.dumps(
            {"p50_ms": round(p50, 1), "p99_ms": round(p99, 1), "max_ms": 1000 * max(latencies)}
        )
    )


def gitops_repo(work: Path) -> Path:
    repo = work / "gitops"
    repo.mkdir()
    for folder in ("applications", "values"):
        shutil.copytree(ROOT / folder, repo / folder)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    return repo


def bench_intake(big: Path, work: Path, workers: bool = True) -> None:
    pods_all = json.loads((big / NAMESPACE / "pods.json").read_text())["items"]
    pods = [p["metadata"]["name"] for p in pods_all][:: max(1, len(pods_all) // 200)]
    del pods_all
    pods_file = work / "pods.json"
    (work / "dr-kube.db").unlink(missing_ok=True)
    for leftover in work.glob("dr-kube.db-*"):
        leftover.unlink()
    shutil.rmtree(work / "gitops", ignore_errors=True)
    pods_file.write_text(json.dumps([FOCUS_POD, *random.Random(3).sample(pods, len(pods))]))
    port = free_port()
    env = {
        **CHILD_ENV,
        "DRKUBE_ALERTMANAGER_TOKEN": TOKEN,
        "DRKUBE_GITHUB_WEBHOOK_SECRET": "x",
        "DRKUBE_CHECKPOINT_KEY": CHECKPOINT_KEY,
        "DRKUBE_DB": str(work / "dr-kube.db"),
        "DRKUBE_WORKERS": "2",
        "DRKUBE_POLL_SECONDS": "0.1",
        **({} if workers else {"DRKUBE_INTAKE_ONLY": "1"}),
    }
    command = [DR_KUBE, "serve", "--cluster", str(big), "--gitops-repo", str(gitops_repo(work))]
    command += ["--charts", str(SAMPLE_CHARTS), "--port", str(port)]
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        out = subprocess.run(
            [sys.executable, __file__, "--client", f"{base}/webhooks/alertmanager", str(pods_file)],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(out.stdout)
        metrics = httpx.get(f"{base}/metrics", timeout=5).text
        runs = sum(
            float(line.rsplit(" ", 1)[1])
            for line in metrics.splitlines()
            if line.startswith("drkube_runs_total{")
        )
        p99 = figures["p99_ms"]
        label = "while 2 workers read the big dump" if workers else "alone (workers off)"
        verdict = f" (target p99 < 100 ms: {'ok' if p99 < 100 else 'MISSED'})" if workers else ""
        print(
            f"intake {label}: {DELIVERIES} deliveries at {RATE:.0f}/s,"
            f" p50 {figures['p50_ms']} ms, p99 {p99} ms, max {figures['max_ms']:.0f} ms{verdict};"
            f" {runs:.0f} runs done meanwhile; server peak RSS {memory_mib(server.pid, 'VmHWM'):.0f} MB"
        )
    finally:
        server.terminate()
        server.wait(20)


def bench_log(work: Path) -> None:
    from dr_kube.alerts import load_incidents
    from dr_kube.cluster.collect import collect_evidence
    from dr_kube.cluster.dump import DumpSource

    dump = work / "log-dump"
    shutil.copytree(SAMPLE_CLUSTER, dump)
    incident = load_incidents(SAMPLES / "sample_oom.json")[0]
    log_file = dump / NAMESPACE / FOCUS_POD / "logs.txt"
    rng = random.Random(9)
    lines = []
    while sum(map(len, lines)) < 1_000_000:
        lines.append(
            f'{{"severity":"info","timestamp":"2026-11-24T21:0{rng.randrange(10)}:00Z",'
            f'"message":"request complete","http.req.path":"/product/{rng.getrandbits(32):x}",'
            f'"http.resp.status":200,"http.resp.took_ms":{rng.randrange(100)},'
            f'"session":"{rng.getrandbits(64):x}","peer":"http://cartservice:7070/"}}\n'
        )
    original = log_file.read_text()
    start, _, rest = original.partition("\n")
    big_log = f"{start}\n{''.join(lines)}{rest}"

    def timed() -> float:
        collect_evidence(DumpSource(dump), incident)  # warm: list files cached, as in a server
        times = []
        for _ in range(7):
            os.utime(log_file)  # a new log each time: nothing of it cached
            started = time.perf_counter()
            collect_evidence(DumpSource(dump), incident)
            times.append(time.perf_counter() - started)
        return statistics.median(times) * 1000

    without = timed()
    log_file.write_text(big_log)
    with_log = timed()
    added = with_log - without
    print(
        f"evidence collection: {without:.1f} ms, with a 1 MB pod log {with_log:.1f} ms:"
        f" the log adds {added:.1f} ms (target <= 50 ms: {'ok' if added <= 50 else 'MISSED'})"
    )


def main() -> int:
    if len(sys.argv) > 3 and sys.argv[1] == "--client":
        client(sys.argv[2], sys.argv[3])
        return 0
    with tempfile.TemporaryDirectory(prefix="dr-kube-cluster-bench-") as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        big = write_big_dump(work / "dump", pods=PODS, events=EVENTS)
        size = sum(f.stat().st_size for f in (big.root / NAMESPACE).glob("*.json")) / 2**20
        print(
            f"generated a dump namespace of {big.pods:,} pods and {big.events:,} events"
            f" ({size:.0f} MB) in {time.perf_counter() - started:.1f} s"
        )
        bench_log(work)
        bench_run(big.root)
        bench_intake(big.root, work, workers=False)
        bench_intake(big.root, work)
    return 0


if __name__ == "__main__":
    sys.exit(main())

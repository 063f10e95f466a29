"""Incident memory and audit trail benchmark.

1. Similar-incident lookup over a store seeded with 100,000 past incidents (2,000 workloads, every
   category, root causes and evidence in DR-Kube's own wording): p50 / p95 / max of
   `StoreMemory.similar` for 300 queries, on SQLite (FTS5 kept by the store's triggers) and, when
   Debian's PostgreSQL 15 can be started here, on PostgreSQL (a generated tsvector column with a
   GIN index). Target: p95 < 20 ms on both.
2. Audit append: `Store.event` one record per transaction (synchronous=FULL, as `serve` runs), and
   records appended inside one transaction (as intake does for an Alertmanager payload), then
   `verify` over the whole chain. Target: < 1 ms per record.

BENCH_INCIDENTS and BENCH_AUDIT change the sizes.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "agent"))
sys.path.insert(0, str(ROOT))  # tests.support.postgres: the throw-away PostgreSQL cluster

from dr_kube.incidents.history import MemoryQuery  # noqa: E402
from dr_kube.store import Store, open_store  # noqa: E402
from dr_kube.store.audit import append, verify_db  # noqa: E402
from dr_kube.store.history import StoreMemory  # noqa: E402

INCIDENTS = int(os.environ.get("BENCH_INCIDENTS", "100000"))
AUDIT = int(os.environ.get("BENCH_AUDIT", "2000"))
QUERIES = 300
WORKLOADS = [f"svc-{n}" for n in range(2000)]
NAMESPACES = ["shop", "payments", "search", "platform", "data"]
CAUSES = {
    "oom": (
        "Container {w} is killed for using more memory than its {m} limit (OOMKilled).",
        "Pod/{w}-{h} container {w}: last terminated OOMKilled (exit code 137), {n} restarts",
    ),
    "cpu-throttling": (
        "Container {w} is throttled in {n}0% of its CPU periods at its {c} limit.",
        "Prometheus: throttled periods ratio 0.{n} over 30m; p99 latency up",
    ),
    "probe-failure": (
        "Liveness probe of container {w} times out after 1s while the JVM warms up.",
        "Warning Unhealthy: Liveness probe failed: context deadline exceeded ({n} times)",
    ),
    "image-pull": (
        "Image tag v{n}.{h} of container {w} does not exist in the registry.",
        "Warning Failed: Failed to pull image registry/{w}:v{n}: manifest unknown",
    ),
    "crashloop": (
        "Container {w} exits with code 1 at start: missing environment variable DB_URL.",
        "log: panic: DB_URL not set; Back-off restarting failed container {w}",
    ),
    "unschedulable": (
        "Pod {w}-{h} cannot be scheduled: 0/{n} nodes have enough memory for its requests.",
        "Warning FailedScheduling: 0/{n} nodes are available: Insufficient memory",
    ),
    "memory-pressure": (
        "Node memory pressure evicts {w}: its requests are far below its working set.",
        "Warning Evicted: The node was low on resource: memory; container {w} was using {m}",
    ),
    "replicas-mismatch": (
        "Deployment {w} has {n} of 3 replicas available after a rollout stalled.",
        "condition Available=False MinimumReplicasUnavailable",
    ),
}
QUERY_TEXTS = [
    "ContainerOOMKilled {w} OOMKilled exit code 137 memory limit restarts",
    "CPUThrottlingHigh {w} throttled periods ratio latency cpu limit",
    "KubePodCrashLooping {w} Back-off restarting failed container panic environment variable",
    "ImagePullBackOff {w} Failed to pull image manifest unknown registry",
    "Liveness probe failed context deadline exceeded {w} Unhealthy",
]


def past_incidents() -> Iterator[tuple[object, ...]]:
    """The seeded rows: (id, key, namespace, workload, category, created, updated, result, outcome)."""
    rng = random.Random(7)
    now = time.time()
    for i in range(INCIDENTS):
        w = rng.choice(WORKLOADS)
        category = rng.choice(list(CAUSES))
        cause, line = CAUSES[category]
        fill = {
            "w": w,
            "h": f"{rng.randrange(16**5):05x}",
            "n": rng.randrange(2, 9),
            "m": rng.choice(["128Mi", "256Mi", "512Mi", "1Gi"]),
            "c": rng.choice(["100m", "250m", "500m"]),
        }
        result = {
            "diagnosis": {
                "category": category,
                "root_cause": cause.format(**fill),
                "evidence": [line.format(**fill)],
            },
            "fix": {"status": "proposed", "changes": []},
        }
        created = now - rng.uniform(0, 365 * 86400)
        yield (
            f"p{i:06d}",
            f"{NAMESPACES[i % 5]}/Deployment/{w}/{category}",
            NAMESPACES[i % 5],
            w,
            category,
            created,
            created,
            json.dumps(result),
            rng.choice(["fixed: the alert resolved after the merge", "not-enough", None]),
        )


COLUMNS = (
    "id, key, namespace, workload, category, created_at, updated_at, result, outcome, "
    "status, is_open, incident, needs_run"
)
FIXED = ("resolved", 0, "{}", 0)


def seed_sqlite(db_path: Path) -> float:
    """Write the past incidents straight into the store's file, as the service leaves them."""
    import sqlite3

    conn = sqlite3.connect(db_path, isolation_level=None)
    started = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(
        f"INSERT INTO incidents ({COLUMNS}) VALUES ({', '.join('?' * 13)})",
        (row + FIXED for row in past_incidents()),
    )
    conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - started


def seed_postgres(url: str) -> float:
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        with cur.copy(f"COPY incidents ({COLUMNS}) FROM STDIN") as copy:
            for row in past_incidents():
                copy.write_row(row + FIXED)
        conn.commit()
        conn.execute("ANALYZE incidents")
    return time.perf_counter() - started


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def bench_lookup(store: Store, label: str, seeded_in: float) -> None:
    memory = StoreMemory(store)
    rng = random.Random(11)
    timings: list[float] = []
    found = 0
    for n in range(QUERIES):
        w = rng.choice(WORKLOADS)
        query = MemoryQuery(
            namespace=NAMESPACES[n % 5],
            workload=w,
            category=rng.choice(list(CAUSES)),
            text=QUERY_TEXTS[n % len(QUERY_TEXTS)].format(w=w),
        )
        started = time.perf_counter()
        found += len(memory.similar(query))
        timings.append((time.perf_counter() - started) * 1000)
    store.close()
    p95 = percentile(timings, 95)
    print(f"{label}: seeded {INCIDENTS:,} past incidents in {seeded_in:.1f} s")
    print(
        f"{label}: similar-incident lookup, {QUERIES} queries: p50 "
        f"{statistics.median(timings):.2f} ms, p95 {p95:.2f} ms, max {max(timings):.2f} ms, "
        f"{found / QUERIES:.1f} results each (target p95 < 20 ms: {'ok' if p95 < 20 else 'MISSED'})"
    )


def bench_lookup_sqlite(folder: Path) -> None:
    db = folder / "memory.db"
    open_store(None, db).close()  # the schema, with the FTS5 table and its triggers
    seconds = seed_sqlite(db)
    bench_lookup(open_store(None, db), "SQLite (FTS5)", seconds)


def bench_lookup_postgres(folder: Path) -> None:
    from tests.support.postgres import available, temporary_postgres

    if not available() or os.geteuid() != 0:
        print("PostgreSQL: skipped (needs Debian's postgresql 15 and root to start a cluster)")
        return
    with temporary_postgres() as url:
        open_store(url, folder / "unused.db").close()  # the schema, tsvector column and GIN index
        seconds = seed_postgres(url)
        bench_lookup(open_store(url, folder / "unused.db"), "PostgreSQL (tsvector + GIN)", seconds)


def bench_audit(folder: Path) -> None:
    store = open_store(None, folder / "audit.db")
    started = time.perf_counter()
    for i in range(AUDIT):
        store.event(f"inc-{i % 50}", "bench", f"record {i}", data={"i": i})
    single = (time.perf_counter() - started) * 1000 / AUDIT
    started = time.perf_counter()
    with store.db.tx() as cur:
        for i in range(AUDIT):
            append(cur, "sqlite", f"inc-{i % 50}", "bench", f"batched {i}", data={"i": i})
    batched = (time.perf_counter() - started) * 1000 / AUDIT
    started = time.perf_counter()
    verdict = verify_db(store.db)
    verify_ms = (time.perf_counter() - started) * 1000
    store.close()
    print(
        f"audit append, one transaction per record (synchronous=FULL): {single:.3f} ms/record "
        f"(target < 1 ms: {'ok' if single < 1 else 'MISSED'})"
    )
    print(f"audit append, {AUDIT} records in one transaction: {batched:.3f} ms/record")
    print(f"audit verify over {verdict.records:,} records: {verify_ms:.0f} ms, intact={verdict.ok}")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="dr-kube-memory-bench-") as tmp:
        folder = Path(tmp)
        bench_audit(folder)
        bench_lookup_sqlite(folder)
        bench_lookup_postgres(folder)


if __name__ == "__main__":
    main()

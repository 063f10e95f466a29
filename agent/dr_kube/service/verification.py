"""Did the merged fix work? Ask Prometheus for the incident's signal over the verification window.

Each check is one PromQL instant query at the window's end over the window's length. A check
without data is skipped; `verified` needs at least one check with data and every such check to
pass, `not-enough` means one failed, `unknown` that Prometheus had nothing to say.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field

from dr_kube.cluster.promql import Prometheus
from dr_kube.quantity import QuantityError, parse_quantity

Outcome = Literal["verified", "not-enough", "unknown"]
THROTTLING_MAX = 0.25


class CheckResult(BaseModel):
    name: str
    query: str
    value: float | None = None
    threshold: str
    ok: bool | None = None  # None: no data

    def line(self) -> str:
        shown = "no data" if self.value is None else f"{self.value:g}"
        mark = {True: "ok", False: "FAILED", None: "skipped"}[self.ok]
        return f"{self.name} = {shown} (want {self.threshold}): {mark}"


class Report(BaseModel):
    outcome: Outcome
    start: float
    end: float
    checks: list[CheckResult] = Field(default_factory=list)

    def summary(self) -> str:
        minutes = max(self.end - self.start, 0) / 60
        parts = [c.line() for c in self.checks]
        return f"over {minutes:.0f} min after the sync: " + "; ".join(parts or ["no checks"])


class Target(BaseModel):
    namespace: str
    workload: str
    container: str | None = None
    category: str
    changes: list[dict[str, Any]] = Field(default_factory=list)


def selector(t: Target) -> str:
    parts = [f'namespace="{t.namespace}"', f'pod=~"{t.workload}-.*"']
    if t.container:
        parts.append(f'container="{t.container}"')
    return ",".join(parts)


def new_memory_limit(changes: list[dict[str, Any]]) -> Decimal | None:
    for change in changes:
        path = [str(k) for k in change.get("path", [])]
        if path[-2:] == ["limits", "memory"]:
            try:
                return parse_quantity(change.get("new"))
            except QuantityError:
                return None
    return None


def plan(t: Target, window: int) -> list[tuple[str, str, str, Any]]:
    """(name, query, threshold text, predicate) for the incident's category."""
    sel, w = selector(t), f"{window}s"
    restarts = (
        "restarts",
        f"max(max_over_time(kube_pod_container_status_restarts_total{{{sel}}}[{w}])"
        f" - min_over_time(kube_pod_container_status_restarts_total{{{sel}}}[{w}]))",
        "0 new restarts",
        lambda v: v < 1,
    )
    oom = (
        "oom_kills",
        f"sum(increase(container_oom_events_total{{{sel}}}[{w}]))",
        "0 OOM kills",
        lambda v: v < 1,
    )
    checks: list[tuple[str, str, str, Any]] = []
    if t.category in ("oom", "memory-pressure"):
        checks += [restarts, oom]
        limit = new_memory_limit(t.changes)
        if limit is not None:
            checks.append(
                (
                    "working_set_bytes",
                    f"max(max_over_time(container_memory_working_set_bytes{{{sel}}}[{w}]))",
                    f"< new limit {int(limit)} bytes",
                    lambda v, limit=limit: Decimal(str(v)) < limit,
                )
            )
    elif t.category == "cpu-throttling":
        checks.append(
            (
                "throttled_ratio",
                f"sum(increase(container_cpu_cfs_throttled_periods_total{{{sel}}}[{w}]))"
                f" / sum(increase(container_cpu_cfs_periods_total{{{sel}}}[{w}]))",
                f"< {THROTTLING_MAX}",
                lambda v: v < THROTTLING_MAX,
            )
        )
    elif t.category in ("replicas-mismatch", "unschedulable", "image-pull"):
        dep = f'namespace="{t.namespace}",deployment="{t.workload}"'
        checks.append(
            (
                "replicas_missing",
                f"max(kube_deployment_spec_replicas{{{dep}}})"
                f" - min(kube_deployment_status_replicas_available{{{dep}}})",
                "0 missing replicas",
                lambda v: v <= 0,
            )
        )
        if t.category == "image-pull":
            checks.append(restarts)
    elif t.category == "probe-failure":
        checks += [
            (
                "probe_failures",
                f'sum(increase(prober_probe_total{{{sel},result="failed"}}[{w}]))',
                "0 failed probes",
                lambda v: v < 1,
            ),
            restarts,
        ]
    else:
        checks.append(restarts)
    return checks


def verify(prometheus: Prometheus, target: Target, start: float, end: float) -> Report:
    """Run the category's checks over [start, end]; raises when Prometheus cannot be asked."""
    window = max(int(end - start), 60)
    results: list[CheckResult] = []
    for name, query, threshold, ok in plan(target, window):
        value = prometheus.value(query, end)
        results.append(
            CheckResult(
                name=name,
                query=query,
                value=value,
                threshold=threshold,
                ok=None if value is None else bool(ok(value)),
            )
        )
    with_data = [r for r in results if r.ok is not None]
    outcome: Outcome
    if not with_data:
        outcome = "unknown"
    elif all(r.ok for r in with_data):
        outcome = "verified"
    else:
        outcome = "not-enough"
    return Report(outcome=outcome, start=start, end=end, checks=results)

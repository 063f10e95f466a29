"""CPU throttling: the CFS quota (the CPU limit) stalls the container."""

from __future__ import annotations

import re

from dr_kube.diagnose.context import AnalysisContext, quote
from dr_kube.diagnose.findings import Finding, FixIntent

THRESHOLD = 0.25


def analyze(ctx: AnalysisContext) -> Finding | None:
    ratio_metric = ctx.evidence.metric("cpu_throttled_ratio")
    ratio = ratio_metric.value if ratio_metric is not None else None
    if ctx.hint != "cpu-throttling" and (ratio is None or ratio < THRESHOLD):
        return None
    limit = ctx.resource("limits", "cpu")
    if limit is None and ctx.container is not None:
        return Finding(
            category="cpu-throttling",
            root_cause=f"Container {ctx.container_name} has no CPU limit, so the throttling comes from the node being busy.",
            evidence=[f"{ctx.container_ref()}: no limits.cpu"],
            confidence=0.6,
            container=ctx.container_name,
            human_action="Check the node's CPU pressure and the workload's CPU requests.",
        )
    evidence = []
    if ctx.incident.description or ctx.incident.summary:
        evidence.append(
            f"alert {ctx.incident.alertname}: {(ctx.incident.description or ctx.incident.summary).strip()}"
        )
    if limit:
        evidence.append(f"{ctx.container_ref()}: limits.cpu {limit}")
    if ratio is not None:
        evidence.append(f"Prometheus: {ratio:.0%} of CFS periods throttled over 30m")
    usage = ctx.evidence.metric("cpu_usage_cores")
    at_least = None
    if usage is not None:
        evidence.append(f"Prometheus: CPU usage {usage.value * 1000:.0f}m")
        at_least = str(round(usage.value * 1.3, 3))
    evidence += [
        e.line() for e in ctx.events(r"probe failed.*timeout|timed out", reasons=("Unhealthy",))[:1]
    ]
    evidence += [f"log: {line}" for line in slowest_requests(ctx, 2)]
    return Finding(
        category="cpu-throttling",
        root_cause=(
            f"Container {ctx.container_name} is throttled by its {limit} CPU limit"
            + (f" ({ratio:.0%} of periods)" if ratio is not None else "")
            + ", which slows its requests."
        ),
        evidence=evidence,
        confidence=0.85 if ratio is not None and ratio >= THRESHOLD else 0.75,
        container=ctx.container_name,
        fix=FixIntent(
            kind="raise-cpu-limit", container=ctx.container_name, factor=2.0, at_least=at_least
        ),
    )


LATENCY = re.compile(r"\b(\d+(?:\.\d+)?)\s*ms\b")


def slowest_requests(ctx: AnalysisContext, count: int) -> list[str]:
    """The log lines reporting the longest request times (at least 100 ms)."""
    timed = []
    for line in ctx.log_text():
        match = LATENCY.search(line)
        if match and float(match.group(1)) >= 100:
            timed.append((float(match.group(1)), quote(line)))
    return [line for _, line in sorted(timed, reverse=True)[:count]]

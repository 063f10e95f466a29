"""OOMKilled containers: the kernel killed the process at its memory limit."""

from __future__ import annotations

import itertools
import re

from dr_kube.diagnose.context import AnalysisContext
from dr_kube.diagnose.findings import Finding, FixIntent

HEAP_ERRORS = (
    r"java\.lang\.OutOfMemoryError|JavaScript heap out of memory|FATAL ERROR: .*heap|"
    r"fatal error: runtime: out of memory|MemoryError|Cannot allocate memory|out of memory"
)


def analyze(ctx: AnalysisContext) -> Finding | None:
    container = ctx.container
    killed = container is not None and "OOMKilled" in (
        container.last_termination_reason,
        container.terminated_reason,
    )
    heap_lines = ctx.log_lines(HEAP_ERRORS)
    oom_events = ctx.events(
        r"OOMKill|out of memory", reasons=("OOMKilling", "OOMKilled", "BackOff")
    )
    oom_events = [e for e in oom_events if "oom" in (e.reason + e.message).lower()]
    if not killed and not oom_events and not (ctx.hint == "oom" and (heap_lines or not container)):
        return None
    limit = ctx.resource("limits", "memory")
    evidence: list[str] = []
    if container is not None and killed:
        evidence.append(
            f"{ctx.container_ref()}: last terminated OOMKilled "
            f"(exit code {container.last_exit_code}), {container.restart_count} restarts"
        )
    evidence += [e.line() for e in oom_events[:2]]
    evidence += [f"log: {line}" for line in heap_lines[:2]]
    if limit:
        evidence.append(f"{ctx.container_ref()}: limits.memory {limit}")
    peak = ctx.evidence.metric("memory_working_set_peak_bytes")
    if peak is not None:
        evidence.append(f"Prometheus: peak working set {peak.value / 2**20:.0f}Mi over 30m")
    if (
        not killed
        and not oom_events
        and heap_lines
        and any("java" in line.lower() for line in heap_lines)
    ):
        return Finding(
            category="oom",
            root_cause=(
                f"Container {ctx.container_name} ran out of heap inside the runtime, not at its "
                "container memory limit: raising the limit alone will not help."
            ),
            evidence=evidence,
            confidence=0.7,
            container=ctx.container_name,
            human_action="Raise the runtime heap setting (-Xmx / MaxRAMPercentage, --max-old-space-size) or fix the leak.",
        )
    leak = steady_growth(ctx.log_text())
    if leak is not None and container is not None and container.restart_count >= LEAK_RESTARTS:
        first, last, samples = leak
        evidence.append(
            f"log: memory grew steadily from {first:g} to {last:g} MB over {samples} samples "
            "before the kill, at a steady load"
        )
        return Finding(
            category="oom",
            root_cause=(
                f"Container {ctx.container_name} leaks memory: it grows steadily until the "
                f"{limit or 'configured'} limit kills it ({container.restart_count} restarts); "
                "a larger limit would only delay the next kill."
            ),
            evidence=evidence,
            confidence=0.8,
            container=ctx.container_name,
            human_action="Profile the heap and fix the leak (a scheduled restart buys time); do not raise the limit.",
        )
    at_least = None
    if peak is not None:
        at_least = str(int(peak.value * 1.25))
    return Finding(
        category="oom",
        root_cause=(
            f"Container {ctx.container_name} is killed for using more memory than its "
            f"{limit or 'configured'} limit (OOMKilled)."
        ),
        evidence=evidence or [f"alert {ctx.incident.alertname}: {ctx.alert_text().strip()}"],
        confidence=0.95 if killed else 0.8,
        container=ctx.container_name,
        fix=FixIntent(
            kind="raise-memory-limit", container=ctx.container_name, factor=2.0, at_least=at_least
        ),
    )


LEAK_RESTARTS = 5
MEMORY_SAMPLE = re.compile(
    r"(?i)\b(?:rss|resident|heap_used|heap|mem(?:ory)?_used|memory)[_a-z]*\W{0,3}(\d+(?:\.\d+)?)\s*(?:mb|mib)?\b"
)


def steady_growth(lines: list[str]) -> tuple[float, float, int] | None:
    """(first, last, samples) when the log's memory readings rise almost every time by 50%+.

    A leak climbs at a steady load; a spike jumps with the traffic and levels off.
    """
    values = [float(m.group(1)) for line in lines if (m := MEMORY_SAMPLE.search(line))]
    if len(values) < 6 or values[0] <= 0:
        return None
    rises = sum(b > a for a, b in itertools.pairwise(values))
    if rises / (len(values) - 1) >= 0.85 and values[-1] >= values[0] * 1.5:
        return values[0], values[-1], len(values)
    return None

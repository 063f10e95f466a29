"""Working set close to the memory limit, not yet killed."""

from __future__ import annotations

from dr_kube.diagnose.context import AnalysisContext
from dr_kube.diagnose.findings import Finding, FixIntent
from dr_kube.quantity import QuantityError, parse_quantity

THRESHOLD = 0.85


def analyze(ctx: AnalysisContext) -> Finding | None:
    limit = ctx.resource("limits", "memory")
    peak = ctx.evidence.metric("memory_working_set_peak_bytes")
    ratio = None
    if peak is not None and limit:
        try:
            ratio = peak.value / float(parse_quantity(limit))
        except QuantityError:
            ratio = None
    if ratio is None and ctx.hint != "memory-pressure":
        return None
    if ratio is not None and ratio < THRESHOLD and ctx.hint != "memory-pressure":
        return None
    evidence = []
    if ctx.incident.description or ctx.incident.summary:
        evidence.append(
            f"alert {ctx.incident.alertname}: {(ctx.incident.description or ctx.incident.summary).strip()}"
        )
    if limit:
        evidence.append(f"{ctx.container_ref()}: limits.memory {limit}")
    if ratio is not None and peak is not None:
        evidence.append(
            f"Prometheus: peak working set {peak.value / 2**20:.0f}Mi = {ratio:.0%} of the limit"
        )
    at_least = str(int(peak.value / 0.7)) if peak is not None else None
    return Finding(
        category="memory-pressure",
        root_cause=(
            f"Container {ctx.container_name} runs close to its {limit or 'configured'} memory "
            "limit and will be OOMKilled at the next peak."
        ),
        evidence=evidence,
        confidence=0.85 if ratio is not None and ratio >= THRESHOLD else 0.7,
        container=ctx.container_name,
        fix=FixIntent(
            kind="raise-memory-limit", container=ctx.container_name, factor=1.5, at_least=at_least
        ),
    )

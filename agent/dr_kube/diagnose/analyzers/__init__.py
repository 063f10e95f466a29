"""One analyzer per failure class, all behind `analyze(ctx) -> Finding | None`.

Adding a failure class is adding a module here and one line in ANALYZERS.
"""

from __future__ import annotations

from collections.abc import Callable

from dr_kube.diagnose.analyzers import (
    cpu,
    crashloop,
    eviction,
    image_pull,
    memory_pressure,
    node,
    oom,
    probes,
    quota,
    replicas,
    unschedulable,
    volume,
)
from dr_kube.diagnose.context import AnalysisContext
from dr_kube.diagnose.findings import Finding

Analyzer = Callable[[AnalysisContext], Finding | None]

ANALYZERS: dict[str, Analyzer] = {
    "oom": oom.analyze,
    "image-pull": image_pull.analyze,
    "unschedulable": unschedulable.analyze,
    "probe-failure": probes.analyze,
    "crashloop": crashloop.analyze,
    "memory-pressure": memory_pressure.analyze,
    "cpu-throttling": cpu.analyze,
    "replicas-mismatch": replicas.analyze,
    "node": node.analyze,
    "eviction": eviction.analyze,
    "quota": quota.analyze,
    "volume": volume.analyze,
}


# The alert's own class is evidence too (a metric crossed its threshold): it breaks near-ties,
# so a symptom (a probe timing out under throttling) does not outrank its cause.
HINT_BONUS = 0.15


def run_analyzers(ctx: AnalysisContext) -> list[Finding]:
    """Every finding, best first: confidence, raised when it agrees with the alert's class."""
    findings = [f for analyze in ANALYZERS.values() if (f := analyze(ctx)) is not None]
    return sorted(
        findings,
        key=lambda f: f.confidence + (HINT_BONUS if f.category == ctx.hint else 0.0),
        reverse=True,
    )

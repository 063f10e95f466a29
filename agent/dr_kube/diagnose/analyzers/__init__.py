"""One analyzer per failure class, all behind `analyze(ctx) -> Finding | None`.

Adding a failure class is adding a module here and one line in ANALYZERS.
"""

from __future__ import annotations

from collections.abc import Callable

from dr_kube.diagnose.analyzers import (
    cpu,
    crashloop,
    image_pull,
    memory_pressure,
    oom,
    probes,
    replicas,
    unschedulable,
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
}


def run_analyzers(ctx: AnalysisContext) -> list[Finding]:
    """Every finding, best first: confidence, then agreement with the alert's own category."""
    findings = [f for analyze in ANALYZERS.values() if (f := analyze(ctx)) is not None]
    return sorted(findings, key=lambda f: (f.confidence, f.category == ctx.hint), reverse=True)

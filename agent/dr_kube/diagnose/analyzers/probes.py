"""Probe failures: a slow start killed by its liveness probe, or probes that time out."""

from __future__ import annotations

from dr_kube.diagnose.context import AnalysisContext
from dr_kube.diagnose.findings import Finding, FixIntent

PROBES = {"Liveness": "livenessProbe", "Readiness": "readinessProbe", "Startup": "startupProbe"}
TIMEOUT = r"context deadline exceeded|Client\.Timeout|timed out|timeout"
REFUSED = r"connection refused|connect: connection reset|no route|EOF"


def analyze(ctx: AnalysisContext) -> Finding | None:
    container = ctx.container
    failures = ctx.events(
        r"probe failed|probe errored|failed (liveness|readiness|startup) probe",
        reasons=("Unhealthy", "Killing", "ProbeWarning"),
    )
    if not failures:
        return None
    kinds = [
        k
        for k in PROBES
        if any(f"{k} probe" in e.message or f"{k.lower()} probe" in e.message for e in failures)
    ]
    probe_kind = "Liveness" if "Liveness" in kinds else (kinds[0] if kinds else "Liveness")
    probe_key = PROBES[probe_kind]
    relevant = [e for e in failures if probe_kind.lower() in e.message.lower()]
    messages = " ".join(e.message for e in relevant)
    evidence = [e.line() for e in relevant[:2]]
    restarts = container.restart_count if container else 0
    if container is not None:
        evidence.insert(
            0, f"{ctx.container_ref()}: {restarts} restarts, ready={str(container.ready).lower()}"
        )
        spec = getattr(container, probe_key.replace("Probe", "_probe"), None)
        if spec:
            timing = ", ".join(
                f"{k} {spec[k]}"
                for k in (
                    "initialDelaySeconds",
                    "timeoutSeconds",
                    "periodSeconds",
                    "failureThreshold",
                )
                if k in spec
            )
            evidence.append(f"{ctx.container_ref()}: {probe_key} {timing}")
    import re

    if re.search(TIMEOUT, messages, re.IGNORECASE):
        intent = FixIntent(
            kind="raise-probe-timeout", container=ctx.container_name, probe=probe_key
        )
        cause = f"The {probe_kind.lower()} probe of container {ctx.container_name} times out before the application answers"
    elif re.search(REFUSED, messages, re.IGNORECASE) and probe_kind != "Readiness":
        intent = FixIntent(kind="raise-probe-delay", container=ctx.container_name, probe=probe_key)
        cause = (
            f"Container {ctx.container_name} is still starting when its {probe_kind.lower()} probe begins, "
            "so the kubelet kills it before it listens"
        )
        startup = ctx.log_lines(r"migrat|starting|initializ|loading", limit=2)
        evidence += [f"log: {line}" for line in startup]
    else:
        return Finding(
            category="probe-failure",
            root_cause=f"The {probe_kind.lower()} probe of container {ctx.container_name} fails: the application reports itself unhealthy.",
            evidence=evidence,
            confidence=0.6,
            container=ctx.container_name,
            human_action="Check the health endpoint's dependencies; loosening the probe would hide a real failure.",
        )
    return Finding(
        category="probe-failure",
        root_cause=cause + (f" ({restarts} restarts)." if restarts else "."),
        evidence=evidence,
        confidence=0.85 if restarts or probe_kind == "Readiness" else 0.7,
        container=ctx.container_name,
        fix=intent,
    )

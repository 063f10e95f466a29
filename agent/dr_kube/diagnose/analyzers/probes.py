"""Probe failures: a slow start killed by its liveness probe, or probes that time out."""

from __future__ import annotations

import re

from dr_kube.cluster.evidence import ContainerEvidence
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
    if container is not None:
        evidence += port_lines(ctx, container, probe_kind)
    wrong_port = misaimed_port(ctx, container, probe_kind) if container is not None else None
    if wrong_port is not None and re.search(REFUSED, messages, re.IGNORECASE):
        return Finding(
            category="probe-failure",
            root_cause=(
                f"The {probe_kind.lower()} probe of container {ctx.container_name} targets port "
                f"{wrong_port[0]}, but the container listens on {wrong_port[1]}: the probe is refused "
                "however long it waits."
            ),
            evidence=evidence,
            confidence=0.9,
            container=ctx.container_name,
            human_action=(
                f"Point {probe_key} at port {wrong_port[1]} (or make the application listen on "
                f"{wrong_port[0]}); a longer delay cannot help a probe aimed at the wrong port."
            ),
        )
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


def port_lines(ctx: AnalysisContext, container: ContainerEvidence, kind: str) -> list[str]:
    """The probe's target beside the container's ports and the ports its logs announce."""
    target = container.probe_target(kind.lower())
    if target is None:
        return []
    ports = ", ".join(map(str, container.ports)) or "none declared"
    line = f"{ctx.container_ref()}: {PROBES[kind]} {target}; containerPorts {ports}"
    announced = ctx.announced_ports()
    if announced:
        line += "; logs announce " + ", ".join(f":{p}" for p in announced)
    return [line]


def misaimed_port(
    ctx: AnalysisContext, container: ContainerEvidence, kind: str
) -> tuple[int, str] | None:
    """(probe port, where the container listens) when the probe aims elsewhere, else None."""
    port = container.probe_port(kind.lower())
    if port is None:
        return None
    announced = ctx.announced_ports()
    # Declared ports decide when there are any: a sidecar-ish log line about another port
    # (metrics on :9090) must not make a well-aimed probe look wrong.
    known = container.ports or announced
    if not known or port in known:
        return None
    listens = [p for p in announced if p in container.ports] or announced or container.ports
    return port, ", ".join(map(str, listens))

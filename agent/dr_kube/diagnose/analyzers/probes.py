"""Probe failures: a slow start killed by its liveness probe, or probes that time out."""

from __future__ import annotations

import re

from dr_kube.cluster.evidence import ContainerEvidence, EventEvidence
from dr_kube.diagnose.analyzers.startup import (
    DEPENDENCY,
    dependency_failure,
    probe_budget,
    read_start,
    serving,
)
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
    evidence = probe_evidence(ctx, container, probe_kind, relevant)
    restarts = container.restart_count if container else 0
    wrong_port = misaimed_port(ctx, container, probe_kind) if container is not None else None
    if wrong_port is not None and re.search(REFUSED, messages, re.IGNORECASE):
        return wrong_port_finding(ctx, probe_kind, wrong_port, evidence)
    if container is None:
        return unhealthy(ctx, probe_kind, evidence, None)
    dependency = dependency_failure(ctx, container.ports)
    if re.search(TIMEOUT, messages, re.IGNORECASE):
        if dependency is not None:
            return dependency_finding(ctx, probe_kind, dependency, evidence)
        if not serving(ctx):
            return never_answers(ctx, probe_kind, container, evidence)
        intent = FixIntent(
            kind="raise-probe-timeout", container=ctx.container_name, probe=probe_key
        )
        cause = f"The {probe_kind.lower()} probe of container {ctx.container_name} times out before the application answers"
    elif re.search(REFUSED, messages, re.IGNORECASE) and probe_kind != "Readiness":
        slow = slow_start(ctx, container, probe_kind)
        if slow is None:
            if dependency is not None:
                return dependency_finding(ctx, probe_kind, dependency, evidence)
            return no_slow_start(ctx, probe_kind, container, evidence)
        lines, at_least = slow
        evidence += lines
        intent = FixIntent(
            kind="raise-probe-delay",
            container=ctx.container_name,
            probe=probe_key,
            at_least=at_least,
        )
        cause = (
            f"Container {ctx.container_name} is still starting when its {probe_kind.lower()} probe begins, "
            "so the kubelet kills it before it listens"
        )
    else:
        return unhealthy(ctx, probe_kind, evidence, dependency, container)
    return Finding(
        category="probe-failure",
        root_cause=cause + (f" ({restarts} restarts)." if restarts else "."),
        evidence=evidence,
        confidence=0.85 if restarts or probe_kind == "Readiness" else 0.7,
        container=ctx.container_name,
        fix=intent,
    )


def probe_evidence(
    ctx: AnalysisContext,
    container: ContainerEvidence | None,
    kind: str,
    relevant: list[EventEvidence],
) -> list[str]:
    """The failures, the restarts, the probe's timing and its target against the ports."""
    evidence = [e.line() for e in relevant[:2]]
    if container is None:
        return evidence
    key = PROBES[kind]
    evidence.insert(
        0,
        f"{ctx.container_ref()}: {container.restart_count} restarts, "
        f"ready={str(container.ready).lower()}",
    )
    spec = container.probe(kind.lower())
    if spec:
        timing = ", ".join(
            f"{k} {spec[k]}"
            for k in ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "failureThreshold")
            if k in spec
        )
        evidence.append(f"{ctx.container_ref()}: {key} {timing}")
    return evidence + port_lines(ctx, container, kind)


def wrong_port_finding(
    ctx: AnalysisContext, kind: str, wrong_port: tuple[int, str], evidence: list[str]
) -> Finding:
    return Finding(
        category="probe-failure",
        root_cause=(
            f"The {kind.lower()} probe of container {ctx.container_name} targets port "
            f"{wrong_port[0]}, but the container listens on {wrong_port[1]}: the probe is refused "
            "however long it waits."
        ),
        evidence=evidence,
        confidence=0.9,
        container=ctx.container_name,
        human_action=(
            f"Point {PROBES[kind]} at port {wrong_port[1]} (or make the application listen on "
            f"{wrong_port[0]}); a longer delay cannot help a probe aimed at the wrong port."
        ),
    )


def slow_start(
    ctx: AnalysisContext, container: ContainerEvidence, kind: str
) -> tuple[list[str], str | None] | None:
    """Evidence lines and the delay the start needs, when the logs show a start slower than the
    probe allows; None when nothing does (then a longer delay is a guess)."""
    probe = container.probe(kind.lower()) or {}
    budget = probe_budget(probe, container.startup_probe if kind != "Startup" else None)
    log = ctx.evidence.log()
    allowance = f"the {kind.lower()} budget is {budget.seconds} s ({budget.words})"
    for label, text in (
        ("previous", log.previous if log else None),
        ("current", log.current if log else None),
    ):
        start = read_start(text)
        if start is None:
            continue
        quoted = [f"log: {line}" for line in start.lines]
        if start.finished and start.seconds is not None and start.seconds > budget.seconds:
            after = int(probe.get("periodSeconds", 10)) * int(probe.get("failureThreshold", 3))
            needed = max(
                int(start.seconds * 1.2) - after, int(probe.get("initialDelaySeconds", 0)) + 1
            )
            return (
                [*quoted, f"the {label} instance took {start.seconds:g} s to start; {allowance}"],
                str(needed),
            )
        if label == "previous" and not start.finished and start.lines:
            ran = f" after {start.seconds:g} s" if start.seconds is not None else ""
            return (
                [
                    *quoted,
                    f"the previous instance was killed while starting{ran}, before it logged that it was ready; {allowance}",
                ],
                None,
            )
        if label == "current" and start.finished and container.ready and container.restart_count:
            took = f" after {start.seconds:g} s" if start.seconds is not None else ""
            return (
                [
                    *quoted,
                    f"the current instance became ready{took} and the failures stopped; {allowance}",
                ],
                None,
            )
    return None


def no_slow_start(
    ctx: AnalysisContext, kind: str, container: ContainerEvidence, evidence: list[str]
) -> Finding:
    target = container.probe_target(kind.lower()) or "its target"
    return Finding(
        category="probe-failure",
        root_cause=(
            f"The {kind.lower()} probe of container {ctx.container_name} ({target}) is refused, and "
            "nothing shows a slow start: no start-up lines cut short in its log, no start slower "
            "than the probe allows."
        ),
        evidence=evidence,
        confidence=0.7,
        container=ctx.container_name,
        human_action=(
            f"Find out why nothing answers {target} (the port or path the application serves, a "
            "crash right after start); a longer delay would only hide it."
        ),
    )


def never_answers(
    ctx: AnalysisContext, kind: str, container: ContainerEvidence, evidence: list[str]
) -> Finding:
    target = container.probe_target(kind.lower()) or "its target"
    return Finding(
        category="probe-failure",
        root_cause=(
            f"The {kind.lower()} probe of container {ctx.container_name} ({target}) times out, and "
            "nothing shows the application up: it was never ready and its log shows no start or "
            "request served."
        ),
        evidence=evidence,
        confidence=0.65,
        container=ctx.container_name,
        human_action=(
            f"Check that the application starts and serves {target}; a longer timeout would "
            "only hide an application that does not answer."
        ),
    )


def dependency_finding(
    ctx: AnalysisContext, kind: str, dependency: str, evidence: list[str]
) -> Finding:
    lines = ctx.log_lines(
        re.escape(dependency) if ":" in dependency else DEPENDENCY.pattern, limit=2
    )
    return Finding(
        category="probe-failure",
        root_cause=(
            f"Container {ctx.container_name} cannot reach {dependency}, so its {kind.lower()} "
            "probe fails: the missing dependency, not the probe, is the problem."
        ),
        evidence=[*evidence, *(f"log: {line}" for line in lines)],
        confidence=0.85,
        container=ctx.container_name,
        human_action=(
            f"Bring {dependency} back (or fix the address the application is given); a longer "
            "probe delay or timeout cannot help."
        ),
    )


def unhealthy(
    ctx: AnalysisContext,
    kind: str,
    evidence: list[str],
    dependency: str | None,
    container: ContainerEvidence | None = None,
) -> Finding:
    """The probe gets an answer, and the answer is a failure."""
    if dependency is not None:
        return dependency_finding(ctx, kind, dependency, evidence)
    probe = container.probe(kind.lower()) if container else None
    command = (
        (probe or {}).get("exec", {}).get("command")
        if isinstance((probe or {}).get("exec"), dict)
        else None
    )
    if command:
        shown = " ".join(str(a) for a in command)
        return Finding(
            category="probe-failure",
            root_cause=(
                f"The {kind.lower()} probe command `{shown}` of container {ctx.container_name} fails."
            ),
            evidence=evidence,
            confidence=0.75,
            container=ctx.container_name,
            human_action=(
                f"Fix the probe command `{shown}` (or what it checks) in the chart; its output "
                "is in the events above. Loosening the probe would hide a real failure."
            ),
        )
    return Finding(
        category="probe-failure",
        root_cause=f"The {kind.lower()} probe of container {ctx.container_name} fails: the application reports itself unhealthy.",
        evidence=evidence,
        confidence=0.6,
        container=ctx.container_name,
        human_action="Check the health endpoint's dependencies; loosening the probe would hide a real failure.",
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

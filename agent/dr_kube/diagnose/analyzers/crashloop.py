"""Containers that exit and restart: missing configuration or a bug — rarely a values fix."""

from __future__ import annotations

import re

from dr_kube.diagnose.context import AnalysisContext
from dr_kube.diagnose.findings import Finding

MISSING_CONFIG = (
    r"(?:missing|required|not set|undefined|unset|must be set|no value)[^\n]{0,60}"
    r"(?:env(?:ironment)?(?: variable)?|config(?:uration)?|variable|setting)"
    r"|(?:env(?:ironment)? variable|variable)[^\n]{0,40}(?:missing|not set|required|undefined)"
    r"|KeyError: '[A-Z_][A-Z0-9_]+'|no such file or directory|ConfigurationError|config file"
)
EXCEPTION = (
    r"Traceback \(most recent call last\)|Exception|Error:|panic:|FATAL|fatal error|Unhandled"
)
ENV_NAME = re.compile(r"\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b")


def analyze(ctx: AnalysisContext) -> Finding | None:
    container = ctx.container
    if container is None:
        return None
    crashing = container.waiting_reason == "CrashLoopBackOff" or (
        container.restart_count > 0
        and container.last_termination_reason not in (None, "OOMKilled", "Completed")
    )
    if not crashing:
        return None
    if container.last_termination_reason == "OOMKilled":
        return None
    killed_by_probe = ctx.events(
        r"failed (liveness|startup) probe|probe failed", reasons=("Killing", "Unhealthy")
    )
    evidence = [
        f"{ctx.container_ref()}: {container.waiting_reason or container.state}, "
        f"{container.restart_count} restarts, last exit code {container.last_exit_code} "
        f"({container.last_termination_reason or 'unknown'})"
    ]
    config_lines = ctx.log_lines(MISSING_CONFIG)
    if config_lines:
        names = [n for line in config_lines for n in ENV_NAME.findall(line)]
        missing = next((n for n in names if n not in container.env_names), None)
        evidence += [f"log: {line}" for line in config_lines[:2]]
        if missing:
            evidence.append(f"{ctx.container_ref()}: env has no {missing}")
        what = f"environment variable {missing}" if missing else "configuration"
        return Finding(
            category="crashloop",
            root_cause=f"Container {ctx.container_name} exits at start-up because its {what} is missing.",
            evidence=evidence,
            confidence=0.9,
            container=ctx.container_name,
            human_action=f"Provide the missing {what} (chart values, ConfigMap or Secret); DR-Kube does not invent configuration.",
        )
    if killed_by_probe:
        return None  # the probe analyzer owns restarts caused by the kubelet
    exception_lines = ctx.log_lines(EXCEPTION)
    evidence += [f"log: {line}" for line in exception_lines[:3]]
    return Finding(
        category="crashloop",
        root_cause=(
            f"Container {ctx.container_name} keeps crashing with exit code {container.last_exit_code}"
            + (" on an error in the application" if exception_lines else "")
            + "; no resource or probe setting explains it."
        ),
        evidence=evidence,
        confidence=0.75 if exception_lines else 0.6,
        container=ctx.container_name,
        human_action="Read the stack trace and fix the application or its configuration; roll back the last release if it started with it.",
    )

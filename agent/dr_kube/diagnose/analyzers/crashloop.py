"""Containers that exit and restart: missing configuration or a bug — rarely a values fix."""

from __future__ import annotations

import re

from dr_kube.cluster.evidence import ContainerEvidence
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
# The runtime could not exec the command: the message names it (exit 126/127/128 with StartError)
CANNOT_EXEC = re.compile(
    r"executable file not found|no such file or directory|permission denied|exec format error",
    re.IGNORECASE,
)
# CreateContainerConfigError: `couldn't find key DB_PASSWORD in Secret shop/web-db`,
# `secret "web-db" not found`, `configmap "web-config" not found`
MISSING_KEY = re.compile(
    r"couldn't find key (?P<key>\S+) in (?P<kind>Secret|ConfigMap) (?P<name>\S+)", re.IGNORECASE
)
MISSING_OBJECT = re.compile(
    r"(?P<kind>secret|configmap)s? \"(?P<name>[^\"]+)\" not found", re.IGNORECASE
)


def start_failure(ctx: AnalysisContext, container: ContainerEvidence) -> Finding | None:
    """A container whose command the runtime cannot exec: no setting changes that."""
    message = container.last_termination_message or ""
    exec_failed = container.last_exit_code in (126, 127, 128) and CANNOT_EXEC.search(message)
    if container.last_termination_reason != "StartError" and not exec_failed:
        return None
    command = " ".join(container.command) or "(the image's entrypoint)"
    kind = "init container" if container.init else "container"
    evidence = [
        f"{ctx.container_ref()}: {container.waiting_reason or container.state}, "
        f"{container.restart_count} restarts, last exit code {container.last_exit_code} "
        f"({container.last_termination_reason or 'unknown'}): {message}".rstrip(": "),
        f"{ctx.container_ref()}: command {command}",
    ]
    return Finding(
        category="crashloop",
        root_cause=(
            f"The {kind} {ctx.container_name} cannot start: the runtime fails to run its command "
            f"`{command}`" + (f" ({message})" if message else "") + "."
        ),
        evidence=evidence,
        confidence=0.95,
        container=ctx.container_name,
        human_action=(
            f"Fix the command `{command}` of {kind} {ctx.container_name} (a typo, or a binary the "
            "image does not ship) in the chart or the image; no resource or probe change helps."
        ),
    )


def config_error(ctx: AnalysisContext, container: ContainerEvidence) -> Finding | None:
    """CreateContainerConfigError: a Secret or ConfigMap (or a key of one) the pod refers to is missing."""
    if container.waiting_reason != "CreateContainerConfigError":
        return None
    message = container.waiting_message or ""
    key = MISSING_KEY.search(message)
    obj = MISSING_OBJECT.search(message)
    if key:
        what = f"key {key['key']} in {key['kind']} {key['name']}"
    elif obj:
        what = f"{'Secret' if obj['kind'].lower() == 'secret' else 'ConfigMap'} {obj['name']}"
    else:
        what = "a Secret or ConfigMap it refers to"
    return Finding(
        category="crashloop",
        root_cause=f"Container {ctx.container_name} cannot be created: {what} does not exist.",
        evidence=[
            f"{ctx.container_ref()}: waiting CreateContainerConfigError: {message}".rstrip(": ")
        ],
        confidence=0.95,
        container=ctx.container_name,
        human_action=f"Create {what} (or correct the reference in the chart); DR-Kube does not invent configuration.",
    )


def analyze(ctx: AnalysisContext) -> Finding | None:
    container = ctx.container
    if container is None:
        return None
    if (found := config_error(ctx, container)) is not None:
        return found
    crashing = container.waiting_reason in ("CrashLoopBackOff", "RunContainerError") or (
        container.restart_count > 0
        and container.last_termination_reason not in (None, "OOMKilled", "Completed")
    )
    if not crashing:
        return None
    if container.last_termination_reason == "OOMKilled":
        return None
    if (found := start_failure(ctx, container)) is not None:
        return found
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

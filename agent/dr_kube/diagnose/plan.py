"""Turn a finding's fix intent into path-level changes on the workload's values file.

The planner proposes candidates in order of preference and skips any candidate an earlier
attempt already tried, so a retry after a validation error always proposes something different.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from dr_kube.cluster.evidence import WorkloadEvidence
from dr_kube.diagnose.findings import FixIntent
from dr_kube.models import Change, PathKey
from dr_kube.policy import Policy
from dr_kube.quantity import (
    QuantityError,
    format_cpu,
    format_memory,
    parse_quantity,
    round_cpu_up,
    round_memory_up,
)
from dr_kube.values_model import Location, get_path, normalize


class PlanError(ValueError):
    """No change can carry out the intent (limit already at the cap, no such key...)."""


# Containers injected at admission, which no chart renders, and the knob that sizes each.
INJECTOR_KNOBS = {
    "istio-proxy": ("Istio", "sidecar.istio.io/proxyMemoryLimit", "sidecar.istio.io/proxyCPULimit"),
    "linkerd-proxy": (
        "Linkerd",
        "config.linkerd.io/proxy-memory-limit",
        "config.linkerd.io/proxy-cpu-limit",
    ),
    "vault-agent": (
        "Vault Agent Injector",
        "vault.hashicorp.com/agent-limits-mem",
        "vault.hashicorp.com/agent-limits-cpu",
    ),
}


def injected_container(location: Location, container: str, chart: str) -> PlanError:
    """A container the render does not have: its injector's knob, never another container."""
    injector = INJECTOR_KNOBS.get(container)
    if injector is None:
        return PlanError(
            f"container {container} is not in chart {chart}'s render of "
            f"{location.target.ref() if location.target else 'the workload'}: it is added at "
            "admission, so no values change reaches it; size it where it is injected"
        )
    name, memory, cpu = injector
    return PlanError(
        f"container {container} is injected by {name} and is not in chart {chart}'s render: no "
        f"values change reaches it; set the pod annotation {memory} (CPU: {cpu}) on the workload's "
        "pod template, or raise the injector's default"
    )


@dataclass
class PlanInput:
    location: Location
    values: Any
    workload: WorkloadEvidence
    policy: Policy
    tried: list[list[Change]] = field(default_factory=list)

    @property
    def defaults(self) -> Any:
        return self.location.chart.defaults if self.location.chart else None

    def current(self, path: list[PathKey]) -> tuple[bool, Any]:
        """(present, value) in the values file, else in the chart's defaults."""
        found, value = get_path(self.values, path)
        if found:
            return True, value
        return get_path(self.defaults, path) if self.defaults is not None else (False, None)


def rendered_path(inp: PlanInput, container: str | None, field: str) -> list[PathKey] | None:
    """The values path rendering found for `field` of `container`; PlanError when the render has
    the container but nothing moves the field (hard-coded), or lacks the container (injected)."""
    location = inp.location
    target = location.target
    if target is None or not location.by_render:
        return None  # not located by rendering (or the annotation decides): name heuristics
    chart = location.chart.name if location.chart else "?"
    name = container or (target.containers[0] if target.containers else None)
    if name is not None and field != "replicas" and name not in target.containers:
        raise injected_container(location, name, chart)
    control = location.control(name, field)
    if control is not None:
        return list(control.path)
    if field in target.hard_coded.get(name or "", []):
        raise PlanError(
            f"container {name}'s {field} is hard-coded in chart {chart}'s template "
            f"{target.template}: no values change moves it; change the chart (or override the "
            "whole container) by hand"
        )
    raise PlanError(f"no values path of chart {chart} moves {target.ref()} {name or ''} {field}")


def start_value(inp: PlanInput, container: str | None, field: str, path: list[PathKey]) -> Any:
    """What a change starts from: the running value when it drifted from Git, else the file's
    (or the chart's default, or what the render shows)."""
    control = inp.location.control(container, field) if inp.location.by_render else None
    if control is not None and control.live is not None:
        return control.live
    present, value = inp.current(path)
    if present and value is not None:
        return value
    return control.rendered if control is not None else None


def file_value(inp: PlanInput, path: list[PathKey], start: Any) -> Any:
    """A change's `old`: the file's (or the chart's) value at `path`, else where it started."""
    present, value = inp.current(path)
    return value if present and value is not None else start


def container_base(inp: PlanInput, container: str | None) -> list[PathKey] | None:
    """The key path whose `resources` configure this container, None when the values don't."""
    base = inp.location.base_path
    spec = inp.workload.containers
    regular = [c for c in spec if not c.init]
    if container is None or not spec or (regular and container == regular[0].name):
        return base
    if all(c.name != container for c in spec):
        return None  # injected at admission (a service-mesh proxy): not in the chart's template
    for scope in (base, []):
        for data in (inp.values, inp.defaults):
            found, block = get_path(data, scope)
            if not found or not isinstance(block, dict):
                continue
            for key, value in block.items():
                if not isinstance(key, str):
                    continue
                if isinstance(value, dict) and normalize(key) == normalize(container):
                    return [*scope, key]
                if isinstance(value, list):  # initContainers: [{name: migrate, resources: ...}]
                    for index, item in enumerate(value):
                        if isinstance(item, dict) and item.get("name") == container:
                            return [*scope, key, index]
    if len(regular) == 1 and all(c.name != container or not c.init for c in spec):
        return base
    return None


def live_value(inp: PlanInput, container: str | None, section: str, resource: str) -> str | None:
    for spec in inp.workload.containers:
        if spec.name == container or container is None:
            values = spec.limits if section == "limits" else spec.requests
            return values.get(resource)
    return None


def _scaled(resource: str, old: Any, intent: FixIntent, policy: Policy, up: bool) -> Any:
    old_q = parse_quantity(old)
    step = Decimal(str(policy.max_step_factor))
    cap = parse_quantity(policy.caps.memory if resource == "memory" else policy.caps.cpu)
    if up:
        target = old_q * Decimal(str(intent.factor))
        if intent.at_least:
            target = max(target, parse_quantity(intent.at_least))
        target = round_memory_up(target) if resource == "memory" else round_cpu_up(target)
        target = min(target, old_q * step, cap)
        if target <= old_q:
            raise PlanError(
                f"{resource} is already at the most the policy allows ({old}; cap {cap if resource == 'cpu' else policy.caps.memory})"
            )
    else:
        # `at_most` must be met (the node's allocatable); aim lower, for what else runs there.
        ceiling = parse_quantity(intent.at_most) if intent.at_most else old_q / 2
        preferred = ceiling * Decimal("0.8") if intent.at_most else ceiling
        target = max(min(preferred, old_q), old_q / step)
        target = (target / (2**20 if resource == "memory" else Decimal("0.01"))).to_integral_value(
            rounding="ROUND_FLOOR"
        ) * (2**20 if resource == "memory" else Decimal("0.01"))
        if target >= old_q:
            raise PlanError(f"requests.{resource} {old} cannot be lowered further")
        if target > ceiling:
            raise PlanError(
                f"requests.{resource} would have to drop from {old} below {_fmt(resource, ceiling)}, "
                f"more than the policy's x{policy.max_step_factor} per step: lower it by hand"
            )
    return format_memory(target, like=old) if resource == "memory" else _cpu_like(target, old)


def _fmt(resource: str, value: Decimal) -> str:
    return format_memory(value) if resource == "memory" else format_cpu(value)


def _cpu_like(cores: Decimal, old: Any) -> Any:
    text = format_cpu(cores, like=old)
    if isinstance(old, int | float) and not isinstance(old, bool) and not text.endswith("m"):
        return int(text)
    return text


def candidates(intent: FixIntent, inp: PlanInput) -> list[list[Change]]:
    file = inp.location.values_file
    by_render = inp.location.by_render
    base = container_base(inp, intent.container) if not by_render else inp.location.base_path
    if base is None:
        raise PlanError(
            f"container {intent.container}'s settings are not in {file}: only the main container's are"
        )
    options: list[list[Change]] = []

    def change(path: list[PathKey], old: Any, new: Any) -> Change:
        return Change(file=file, path=path, old=old, new=new)

    if intent.kind in (
        "raise-memory-limit",
        "raise-cpu-limit",
        "lower-memory-request",
        "raise-memory-request",
        "lower-cpu-request",
    ):
        resource = "memory" if "memory" in intent.kind else "cpu"
        section = "limits" if "limit" in intent.kind else "requests"
        field = f"resources.{section}.{resource}"
        path = rendered_path(inp, intent.container, field) or [
            *base,
            "resources",
            section,
            resource,
        ]
        old = start_value(inp, intent.container, field, path)
        if old is None:
            old = live_value(inp, intent.container, section, resource)
        if old is None:
            raise PlanError(
                f"no current {section}.{resource} to start from for container {intent.container}"
            )
        try:
            new = _scaled(resource, old, intent, inp.policy, up=intent.kind.startswith("raise"))
        except QuantityError as exc:
            raise PlanError(str(exc)) from None
        changes = [change(path, file_value(inp, path, old), new)]
        if section == "requests":
            limit_path = (
                rendered_path(inp, intent.container, f"resources.limits.{resource}")
                if by_render
                else None
            ) or [*base, "resources", "limits", resource]
            has_limit, limit = inp.current(limit_path)
            if has_limit and limit is not None and parse_quantity(limit) < parse_quantity(new):
                changes.append(change(limit_path, limit, new))
        options.append(changes)
    elif intent.kind == "raise-replicas" and by_render:
        path = rendered_path(inp, None, "replicas") or []
        old = start_value(inp, None, "replicas", path)
        old = old if isinstance(old, int) else 1
        options.append([change(path, file_value(inp, path, old), max(old + 1, 2))])
    elif intent.kind == "raise-replicas":
        for rest in (["replicaCount"], ["replicas"], ["autoscaling", "minReplicas"]):
            path = [*base, *rest]
            present, old = inp.current(path)
            if present and isinstance(old, int):
                options.append([change(path, old, max(old + 1, 2))])
        if not options:
            options.append([change([*base, "replicaCount"], 1, 2)])
    elif intent.kind in ("raise-probe-delay", "raise-probe-timeout"):
        probe = intent.probe or "livenessProbe"
        live = next((c for c in inp.workload.containers if c.name == intent.container), None)
        live_probe: dict[str, Any] = (
            (getattr(live, probe.replace("Probe", "_probe"), None) or {}) if live else {}
        )
        fields = (
            ["initialDelaySeconds", "failureThreshold"]
            if intent.kind == "raise-probe-delay"
            else ["timeoutSeconds", "failureThreshold"]
        )
        fallback = {
            "initialDelaySeconds": 0,
            "timeoutSeconds": 1,
            "failureThreshold": 3,
            "periodSeconds": 10,
        }
        for name in fields:
            field = f"{probe}.{name}"
            try:
                found = rendered_path(inp, intent.container, field)
            except PlanError:
                if name != fields[0]:
                    continue  # failureThreshold may be fixed while the delay is not
                raise
            path = found or [*base, probe, name]
            old = start_value(inp, intent.container, field, path)
            if not isinstance(old, int):
                old = live_probe.get(name, fallback[name])
            target = max(old * 2, 10 if name == "initialDelaySeconds" else old + 1)
            # the start-up time the logs measured, when the analyzer had one
            needed = int(intent.at_least) if intent.at_least and intent.at_least.isdigit() else 0
            if name == "initialDelaySeconds":
                target = max(target, needed)
            new = min(target, int(old * inp.policy.max_step_factor) or max(10, needed))
            options.append([change(path, file_value(inp, path, old), new)])
    elif intent.kind == "set-image-tag" and by_render:
        path = rendered_path(inp, intent.container, "image") or []
        options.append([change(path, inp.current(path)[1], intent.value)])
    elif intent.kind == "set-image-tag":
        image_paths: list[list[PathKey]] = [
            [*base, "image", "tag"],
            ["image", "tag"],
            ["images", "tag"],
        ]
        for path in image_paths:
            present, old = inp.current(path)
            if present:
                options.append([change(path, old, intent.value)])
                break
    tried = [[(tuple(c.path), str(c.new)) for c in attempt] for attempt in inp.tried]
    fresh = [o for o in options if [(tuple(c.path), str(c.new)) for c in o] not in tried]
    if not fresh:
        raise PlanError("every change DR-Kube knows for this finding was tried and rejected")
    return fresh

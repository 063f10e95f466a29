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
    base = container_base(inp, intent.container)
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
        "lower-cpu-request",
    ):
        resource = "memory" if "memory" in intent.kind else "cpu"
        section = "limits" if "limit" in intent.kind else "requests"
        path = [*base, "resources", section, resource]
        present, old = inp.current(path)
        if not present or old is None:
            old = live_value(inp, intent.container, section, resource)
        if old is None:
            raise PlanError(
                f"no current {section}.{resource} to start from for container {intent.container}"
            )
        try:
            new = _scaled(resource, old, intent, inp.policy, up=intent.kind.startswith("raise"))
        except QuantityError as exc:
            raise PlanError(str(exc)) from None
        changes = [change(path, old, new)]
        if section == "requests":
            limit_path = [*base, "resources", "limits", resource]
            has_limit, limit = inp.current(limit_path)
            if has_limit and limit is not None and parse_quantity(limit) < parse_quantity(new):
                changes.append(change(limit_path, limit, new))
        options.append(changes)
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
            path = [*base, probe, name]
            present, old = inp.current(path)
            if not present or not isinstance(old, int):
                old = live_probe.get(name, fallback[name])
            new = min(
                max(old * 2, 10 if name == "initialDelaySeconds" else old + 1),
                int(old * inp.policy.max_step_factor) or 10,
            )
            options.append([change(path, old, new)])
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

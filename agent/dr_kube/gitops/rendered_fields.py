"""Fields of rendered workloads: the pod template's containers, a field of one container
(`resources.limits.memory`, `livenessProbe.timeoutSeconds`, `image`), the workload's `replicas`,
and the same fields on a custom resource an operator turns into the workload."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dr_kube.gitops.operators import operator_kind, resource_field
from dr_kube.models import PathKey
from dr_kube.values_model import get_path

RESOURCE_FIELDS = tuple(
    f"resources.{section}.{name}"
    for section in ("limits", "requests")
    for name in ("memory", "cpu")
)
PROBE_TIMINGS = ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "failureThreshold")
PROBE_FIELDS = tuple(
    f"{probe}.{timing}"
    for probe in ("livenessProbe", "readinessProbe", "startupProbe")
    for timing in PROBE_TIMINGS
)
CONTAINER_FIELDS = (*RESOURCE_FIELDS, *PROBE_FIELDS, "image")
WORKLOAD_FIELDS = ("replicas",)
WORKLOAD_KINDS = frozenset(
    {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"}
)


def pod_spec(body: dict[str, Any]) -> dict[str, Any]:
    spec = body.get("spec") or {}
    if body.get("kind") == "Pod":
        return spec if isinstance(spec, dict) else {}
    if body.get("kind") == "CronJob":
        spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    template = (spec.get("template") or {}).get("spec") if isinstance(spec, dict) else None
    return template if isinstance(template, dict) else {}


def containers_of(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The pod template's containers (init containers too) by name."""
    spec = pod_spec(body)
    found: dict[str, dict[str, Any]] = {}
    for key in ("containers", "initContainers"):
        for container in spec.get(key) or []:
            if isinstance(container, dict) and container.get("name"):
                found[str(container["name"])] = container
    return found


def image_tag(image: Any) -> str | None:
    """`repo/app:v1` → `v1` (a digest is no tag)."""
    if not isinstance(image, str):
        return None
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None


def read_field(body: dict[str, Any], container: str | None, field: str) -> Any:
    """The value a rendered object gives `field` of `container` (None: unset)."""
    operator = operator_kind(str(body.get("kind", "")))
    if operator is not None:
        where = resource_field(operator, container, field)
        return get_path(body, list(where))[1] if where is not None else None
    if field == "replicas":
        return (body.get("spec") or {}).get("replicas")
    spec = containers_of(body).get(container or "")
    if spec is None:
        return None
    if field == "image":
        return image_tag(spec.get("image"))
    keys: list[PathKey] = list(field.split("."))
    return get_path(spec, keys)[1]


def flatten(node: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted path, scalar) for every leaf; list items of named things keyed by their name."""
    if isinstance(node, dict):
        if not node and prefix:
            yield prefix, {}
        for key, value in node.items():
            yield from flatten(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(node, list):
        if not node and prefix:
            yield prefix, []
        for index, item in enumerate(node):
            name = item.get("name") if isinstance(item, dict) else None
            yield from flatten(item, f"{prefix}[{name if isinstance(name, str) else index}]")
    else:
        yield prefix, node


def field_changes(
    before: dict[str, Any] | None, after: dict[str, Any] | None
) -> list[tuple[str | None, str, Any, Any]]:
    """(container, field, old, new) for every leaf that differs between two renders of one object;
    fields inside a container are named relative to it (`resources.limits.memory`)."""
    old = dict(_leaves(before or {}))
    new = dict(_leaves(after or {}))
    changed = []
    for key in sorted(set(old) | set(new), key=lambda k: (k[0] or "", k[1])):
        if old.get(key) != new.get(key):
            changed.append((key[0], key[1], old.get(key), new.get(key)))
    return changed


def _leaves(body: dict[str, Any]) -> Iterator[tuple[tuple[str | None, str], Any]]:
    containers = containers_of(body)
    for dotted, value in flatten(body):
        owner, field = _container_field(dotted, containers)
        if owner is not None and field == "image":
            yield (owner, "image"), image_tag(value) if image_tag(value) is not None else value
            continue
        yield (owner, field), value


def _container_field(dotted: str, containers: dict[str, dict[str, Any]]) -> tuple[str | None, str]:
    for marker in ("containers[", "initContainers["):
        at = dotted.find(marker)
        if at < 0:
            continue
        rest = dotted[at + len(marker) :]
        name, _, field = rest.partition("].")
        if name in containers:
            return name, field
    return None, dotted

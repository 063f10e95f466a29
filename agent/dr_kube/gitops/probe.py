"""Find by rendering which values path controls each field a fix may change.

Every candidate path (from the user's values, the chart's and its sub-charts' defaults, and "add
the block" spots) gets a distinct sentinel value; one render with all of them shows, for each field
of each container of the workload, which sentinel arrived there. A template a sentinel breaks is
retried with fewer candidates per render.
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from dr_kube.gitops.render import (
    RENDERER,
    Rendered,
    RenderedObject,
    RenderError,
    chart_identity,
    values_digest,
)
from dr_kube.gitops.rendered_fields import (
    CONTAINER_FIELDS,
    WORKLOAD_FIELDS,
    containers_of,
    flatten,
    image_tag,
    read_field,
)
from dr_kube.models import PathKey
from dr_kube.values_model import (
    Chart,
    FieldControl,
    RenderInputs,
    get_path,
    merge_values,
    normalize,
)

log = logging.getLogger(__name__)

SENTINEL_BASE = 700001
MAX_DEPTH = 6
MAX_CANDIDATES = 5000
MAX_PROBE_RENDERS = 12
PROBE_CACHE_SIZE = 64
_PROBED: dict[tuple[str, ...], ProbeResult] = {}
_PROBED_LOCK = threading.Lock()
# Keys that mark a values block as configuring pods: "add the block" candidates go there.
COMPONENT_KEYS = frozenset(
    {
        "resources",
        "replicaCount",
        "replicas",
        "image",
        "livenessProbe",
        "readinessProbe",
        "startupProbe",
        "probes",
        "podAnnotations",
        "nodeSelector",
        "tolerations",
        "affinity",
        "securityContext",
        "containerSecurityContext",
        "extraEnvVars",
        "env",
        "persistence",
        "autoscaling",
        "enabled",
    }
)


@dataclass
class Candidate:
    path: list[PathKey]
    sentinel: Any

    @property
    def text(self) -> str:
        return str(self.sentinel)


@dataclass
class ProbeResult:
    controls: list[FieldControl] = field(default_factory=list)
    renders: int = 0
    notes: list[str] = field(default_factory=list)


def defaults_tree(chart: Chart) -> dict[str, Any]:
    """The chart's defaults with its sub-charts' defaults under the keys Helm reads them from
    (gathered when the chart's dependencies were assembled, gitops/chart_deps.py)."""
    return copy.deepcopy(chart.defaults)


def dict_nodes(
    tree: Any, prefix: list[PathKey] | None = None
) -> Iterator[tuple[list[PathKey], dict[str, Any]]]:
    path = prefix or []
    if not isinstance(tree, dict) or len(path) > MAX_DEPTH:
        return
    yield path, tree
    for key, value in tree.items():
        if isinstance(key, str) and isinstance(value, dict):
            yield from dict_nodes(value, [*path, key])


def settable(tree: Any, path: list[PathKey]) -> bool:
    """Every existing step of `path` is a mapping (or unset), so a sentinel can be put there."""
    node = tree
    for key in path[:-1]:
        if node is None:
            return True
        if not isinstance(node, dict):
            return False
        node = node.get(key)
    return node is None or isinstance(node, dict)


def _paths_at(
    path: list[PathKey], node: dict[str, Any], component: bool
) -> Iterator[list[PathKey]]:
    for name in CONTAINER_FIELDS:
        if name == "image":
            if isinstance(node.get("image"), dict) or (component and "image" not in node):
                yield [*path, "image", "tag"]
            continue
        keys = name.split(".")
        if keys[0] in node or component:
            yield [*path, *keys]
        leaf = keys[-1]
        parent_ok = leaf not in ("memory", "cpu") or (path and path[-1] == keys[-2])
        if leaf in node and not isinstance(node[leaf], dict | list) and parent_ok:
            yield [*path, leaf]
    for key in ("replicaCount", "replicas"):
        if isinstance(node.get(key), int) or (component and key == "replicaCount"):
            yield [*path, key]
    if "tag" in node and not isinstance(node["tag"], dict | list):
        yield [*path, "tag"]


def candidate_paths(tree: dict[str, Any], names: set[str]) -> list[list[PathKey]]:
    wanted = {normalize(n) for n in names}
    found: dict[tuple[PathKey, ...], list[PathKey]] = {}
    for path, node in dict_nodes(tree):
        component = (
            not path
            or bool(COMPONENT_KEYS & set(node))
            or (isinstance(path[-1], str) and normalize(path[-1]) in wanted)
        )
        for candidate in _paths_at(path, node, component):
            if settable(tree, candidate):
                found.setdefault(tuple(candidate), candidate)
        if len(found) >= MAX_CANDIDATES:
            break
    return list(found.values())


def sentinel_for(path: list[PathKey], index: int) -> Any:
    number = SENTINEL_BASE + index
    leaf = path[-1]
    if leaf == "memory":
        return f"{number}Mi"
    if leaf == "cpu":
        return f"{number}m"
    if leaf == "tag":
        return f"drkube-probe-{number}"
    return number


def with_sentinels(values: dict[str, Any], candidates: list[Candidate]) -> dict[str, Any]:
    probed = copy.deepcopy(values)
    for candidate in candidates:
        node: Any = probed
        for key in candidate.path[:-1]:
            if not isinstance(node.get(key), dict):
                node[key] = {}
            node = node[key]
        node[candidate.path[-1]] = candidate.sentinel
    return probed


def sentinels_in(body: dict[str, Any]) -> set[str]:
    """Every scalar of a rendered object as text (image tags on their own too)."""
    found: set[str] = set()
    for _, value in flatten(body):
        found.add(str(value))
        tag = image_tag(value)
        if tag:
            found.add(tag)
    return found


@dataclass
class _Seen:
    """What the probe renders showed: the candidates that reached each field, and where else
    each sentinel landed."""

    winners: dict[tuple[str | None, str], list[Candidate]] = field(default_factory=dict)
    elsewhere: dict[str, set[str]] = field(default_factory=dict)
    renders: int = 0


def fields_of(target: RenderedObject) -> list[tuple[str | None, str]]:
    from dr_kube.gitops.operators import operator_kind

    operator = operator_kind(target.key.kind)
    if operator is not None:
        return [(operator.container, f) for f in CONTAINER_FIELDS if f.startswith("resources.")] + [
            (None, "replicas")
        ]
    names = list(containers_of(target.body))
    return [(c, f) for c in names for f in CONTAINER_FIELDS] + [(None, f) for f in WORKLOAD_FIELDS]


def _record(
    seen: _Seen, rendered: Rendered, target: RenderedObject, chunk: list[Candidate]
) -> bool:
    body = rendered.objects.get(target.key)
    if body is None:
        return False  # a sentinel switched the workload off: probe with fewer at once
    by_text = {c.text: c for c in chunk}
    for container, name in fields_of(target):
        value = read_field(body.body, container, name)
        if value is not None and str(value) in by_text:
            seen.winners.setdefault((container, name), []).append(by_text[str(value)])
    for key, obj in rendered.objects.items():
        if key != target.key:
            for text in sentinels_in(obj.body) & by_text.keys():
                seen.elsewhere.setdefault(text, set()).add(str(key))
    for container, spec in containers_of(body.body).items():
        for text in sentinels_in(spec) & by_text.keys():
            seen.elsewhere.setdefault(text, set()).add(f"{target.key} container {container}")
    return True


def _probe(
    chart: Chart,
    values: dict[str, Any],
    target: RenderedObject,
    candidates: list[Candidate],
    inputs: RenderInputs,
) -> _Seen:
    seen = _Seen()
    queue = [candidates] if candidates else []
    while queue and seen.renders < MAX_PROBE_RENDERS:
        chunk = queue.pop(0)
        seen.renders += 1
        try:
            rendered = RENDERER.render_for(chart, inputs, with_sentinels(values, chunk))
            if _record(seen, rendered, target, chunk):
                continue
        except RenderError as exc:
            log.debug("probe render with %d sentinels failed: %s", len(chunk), exc)
        if len(chunk) > 1:
            half = len(chunk) // 2
            queue += [chunk[:half], chunk[half:]]
    return seen


def probe_controls(
    chart: Chart,
    inputs: RenderInputs,
    *,
    target: RenderedObject,
    names: set[str],
    file_values: Any,
) -> ProbeResult:
    """For each field of each container of `target`, the values path that moves it (remembered per
    inputs: a warm run, or the approval's re-locate, probes nothing again)."""
    values = inputs.merged()
    key = (
        chart_identity(chart),
        values_digest(values),
        values_digest({"file": file_values, "names": sorted(names)}),
        inputs.release,
        inputs.namespace,
        inputs.kube_version or "",
        ",".join(inputs.api_versions),
        str(target.key),
    )
    with _PROBED_LOCK:
        if key in _PROBED:
            return copy.deepcopy(_PROBED[key])
    result = _probe_controls(chart, values, inputs, target, names, file_values)
    with _PROBED_LOCK:
        _PROBED[key] = copy.deepcopy(result)
        while len(_PROBED) > PROBE_CACHE_SIZE:
            _PROBED.pop(next(iter(_PROBED)))
    return result


def _probe_controls(
    chart: Chart,
    values: dict[str, Any],
    inputs: RenderInputs,
    target: RenderedObject,
    names: set[str],
    file_values: Any,
) -> ProbeResult:
    tree = merge_values(defaults_tree(chart), values)
    paths = candidate_paths(tree, names)
    candidates = [Candidate(p, sentinel_for(p, i)) for i, p in enumerate(paths)]
    seen = _probe(chart, values, target, candidates, inputs)
    result = ProbeResult(renders=seen.renders)
    for (container, name), found in seen.winners.items():
        best = min(
            found,
            key=lambda c: (
                not get_path(file_values, c.path)[0],
                len(seen.elsewhere.get(c.text, set()) - {f"{target.key} container {container}"}),
                -len(c.path),
            ),
        )
        result.controls.append(
            FieldControl(
                container=container,
                field=name,
                path=best.path,
                in_file=get_path(file_values, best.path)[0],
                rendered=read_field(target.body, container, name),
                shared_with=sorted(
                    seen.elsewhere.get(best.text, set()) - {f"{target.key} container {container}"}
                ),
            )
        )
    if seen.renders >= MAX_PROBE_RENDERS:
        result.notes.append(f"probing stopped after {MAX_PROBE_RENDERS} renders")
    return result

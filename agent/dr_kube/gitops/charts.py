"""Find the chart an Application deploys (its defaults and schema), and tell whether a values key
takes effect. Seeds in `--charts` (folders or .tgz) are looked up first, then the chart cache, then
the chart's Helm repository or OCI registry (gitops/chart_fetch.py)."""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

from dr_kube.config.charts import ChartSettings
from dr_kube.gitops.apps import Application
from dr_kube.gitops.chart_archive import (
    ChartError,
    chart_from_dir,
    chart_from_files,
    read_archive_file,
)
from dr_kube.gitops.chart_deps import DependencyBuilder
from dr_kube.gitops.chart_fetch import ChartFetcher, chart_ref
from dr_kube.gitops.chart_versions import pick_version
from dr_kube.models import PathKey
from dr_kube.paths import contained, links_inside
from dr_kube.values_model import Chart

log = logging.getLogger(__name__)

# Mappings a chart hands to Kubernetes as a whole (`toYaml`): any Kubernetes field inside counts.
RESOURCE_NAMES = {"cpu", "memory", "ephemeral-storage"}
PROBE_FIELDS = {
    "initialDelaySeconds",
    "timeoutSeconds",
    "periodSeconds",
    "failureThreshold",
    "successThreshold",
    "terminationGracePeriodSeconds",
}


def _read_tgz(archive: Path) -> Chart | None:
    """A seed archive, read with the same checks as a downloaded one; an unsafe one is skipped."""
    try:
        return chart_from_files(read_archive_file(archive), str(archive))
    except ChartError as exc:
        log.warning("skipping chart archive: %s", exc)
        return None


@lru_cache(maxsize=64)
def _scan(folder: Path) -> tuple[Chart, ...]:
    found: list[Chart] = []
    if not folder.is_dir():
        return ()
    for entry in sorted(folder.iterdir()):
        chart = None
        if entry.is_dir():
            chart = chart_from_dir(entry)
        elif entry.name.endswith(".tgz"):
            chart = _read_tgz(entry)
        if chart is not None:
            found.append(chart)
    return tuple(found)


def _seed(name: str, revision: str | None, seeds: list[Chart]) -> Chart | None:
    """The seed `revision` selects (exact, or the highest in a range)."""
    by_version = {c.version: c for c in seeds if c.version is not None}
    try:
        picked = pick_version(revision, by_version) if revision else None
    except ValueError:
        return None
    return by_version[picked] if picked is not None else None


def locate_chart(
    app: Application, repo: Path, chart_dirs: list[Path], settings: ChartSettings | None = None
) -> tuple[Chart | None, str | None]:
    """(the chart an Application deploys with its dependencies, why it could not be had): its path
    source in the repo, a seed in --charts, the chart cache, or its Helm repository or OCI
    registry; dependencies as Helm resolves them (gitops/chart_deps.py)."""
    chart, why = _find(app, repo, chart_dirs, settings)
    if chart is None:
        return None, why
    try:
        return DependencyBuilder(ChartFetcher(settings or ChartSettings.load())).build(chart), None
    except ChartError as exc:
        log.warning("chart dependencies not had: %s", exc)
        return None, str(exc)


def _find(
    app: Application, repo: Path, chart_dirs: list[Path], settings: ChartSettings | None
) -> tuple[Chart | None, str | None]:
    source = app.chart_source
    if source is None:
        return None, "the Application has no chart source"
    if source.path and not source.chart:
        what = f"Application {app.name}: chart path {source.path}"
        found = chart_from_dir(
            links_inside(repo, contained(repo, source.path, what=what), what=what)
        )
        return found, None if found else f"{source.path} holds no Chart.yaml"
    name, version = source.chart, source.target_revision
    seeds = [c for folder in chart_dirs for c in _scan(folder.resolve()) if c.name == name]
    exact = [c for c in seeds if c.version == version]
    chosen = exact[0] if exact else _seed(str(name), version, seeds)
    if chosen is not None:
        return chosen, None
    ref = chart_ref(source)
    reason = f"chart {name} is not in --charts"
    if ref is not None:
        try:
            return ChartFetcher(settings or ChartSettings.load()).fetch(ref), None
        except ChartError as exc:
            reason = str(exc)
            log.warning("chart not fetched: %s", reason)
    # As before fetching existed: a seed of another version beats no chart at all.
    return (seeds[0], None) if seeds else (None, reason)


def find_chart(
    app: Application, repo: Path, chart_dirs: list[Path], settings: ChartSettings | None = None
) -> Chart | None:
    """The chart an Application deploys, or None (see `locate_chart` for why)."""
    return locate_chart(app, repo, chart_dirs, settings)[0]


def _schema_node(
    schema: dict[str, Any], root: dict[str, Any], key: PathKey
) -> tuple[bool, dict[str, Any] | None]:
    """(allowed, child schema) for `key` under `schema`."""
    while "$ref" in schema and isinstance(schema["$ref"], str) and schema["$ref"].startswith("#/"):
        target: Any = root
        for part in schema["$ref"][2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        schema = target
    props = schema.get("properties") or {}
    if key in props:
        return True, props[key]
    extra = schema.get("additionalProperties", True)
    if extra is False:
        return False, None
    return True, extra if isinstance(extra, dict) else None


def schema_allows(schema: dict[str, Any], path: list[PathKey]) -> bool:
    node: dict[str, Any] | None = schema
    for key in path:
        if node is None:
            return True
        if isinstance(key, int):
            items = node.get("items")
            node = items if isinstance(items, dict) else None
            continue
        allowed, node = _schema_node(node, schema, key)
        if not allowed:
            return False
    return True


def passes_through(parent: PathKey | None, rest: list[PathKey]) -> bool:
    """Keys a chart hands to Kubernetes whole: resource names in resources, probe timings."""
    if not isinstance(parent, str) or not rest:
        return False
    key = rest[0]
    if parent == "resources" and key in ("limits", "requests"):
        return len(rest) == 1 or rest[1] in RESOURCE_NAMES
    if parent in ("limits", "requests"):
        return key in RESOURCE_NAMES
    return parent.lower().endswith("probe") and key in PROBE_FIELDS


def takes_effect(chart: Chart, path: list[PathKey]) -> tuple[bool, str]:
    """Whether the chart reads `path`: present in its defaults, a field of a mapping it passes
    through whole (resources, probes), or allowed by its values.schema.json."""
    if chart.schema_ is not None and not schema_allows(chart.schema_, path):
        return (
            False,
            f"{'.'.join(map(str, path))} is not allowed by {chart.name}'s values.schema.json",
        )
    node: Any = chart.defaults
    for depth, key in enumerate(path):
        if isinstance(node, dict) and key in node:
            node = node[key]
            continue
        if isinstance(node, list) and isinstance(key, int):
            return True, ""
        parent = path[depth - 1] if depth else None
        if isinstance(node, dict | type(None)) and passes_through(parent, path[depth:]):
            return True, ""
        if chart.schema_ is not None and (chart.schema_.get("properties") or {}):
            return True, ""  # the schema admitted the whole path
        where = ".".join(map(str, path[:depth])) or "the top level"
        return (
            False,
            f"{chart.name} {chart.version or ''} has no key {key!r} under {where}".replace(
                "  ", " "
            ),
        )
    return True, ""

"""Find a chart's default values and schema, and tell whether a values key takes effect."""

from __future__ import annotations

import json
import tarfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from dr_kube.gitops.apps import Application
from dr_kube.models import PathKey
from dr_kube.values_model import Chart
from dr_kube.yamlio import load_file, load_one

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


def _read_dir(folder: Path) -> Chart | None:
    chart_yaml = folder / "Chart.yaml"
    if not chart_yaml.is_file():
        return None
    meta = load_file(chart_yaml) or {}
    values_path = folder / "values.yaml"
    defaults = load_file(values_path) if values_path.is_file() else {}
    schema_path = folder / "values.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8")) if schema_path.is_file() else None
    return Chart(
        name=str(meta.get("name", folder.name)),
        version=str(meta["version"]) if meta.get("version") is not None else None,
        where=str(folder),
        defaults=defaults or {},
        schema_=schema,
    )


def _read_tgz(archive: Path) -> Chart | None:
    with tarfile.open(archive, "r:gz") as tar:
        members = {m.name: m for m in tar.getmembers() if m.isfile()}

        def read(name: str) -> str | None:
            for member_name, member in members.items():
                parts = member_name.split("/")
                if len(parts) == 2 and parts[1] == name:
                    handle = tar.extractfile(member)
                    return handle.read().decode("utf-8") if handle else None
            return None

        chart_text = read("Chart.yaml")
        if chart_text is None:
            return None
        meta = load_one(chart_text) or {}
        values_text = read("values.yaml")
        schema_text = read("values.schema.json")
    return Chart(
        name=str(meta.get("name", "")),
        version=str(meta["version"]) if meta.get("version") is not None else None,
        where=str(archive),
        defaults=(load_one(values_text) if values_text else {}) or {},
        schema_=json.loads(schema_text) if schema_text else None,
    )


@lru_cache(maxsize=64)
def _scan(folder: Path) -> tuple[Chart, ...]:
    found: list[Chart] = []
    if not folder.is_dir():
        return ()
    for entry in sorted(folder.iterdir()):
        chart = None
        if entry.is_dir():
            chart = _read_dir(entry)
        elif entry.name.endswith(".tgz"):
            chart = _read_tgz(entry)
        if chart is not None:
            found.append(chart)
    return tuple(found)


def find_chart(app: Application, repo: Path, chart_dirs: list[Path]) -> Chart | None:
    """The chart an Application deploys: its path source in the repo, or one in --charts."""
    source = app.chart_source
    if source is None:
        return None
    if source.path and not source.chart:
        return _read_dir(repo / source.path)
    name, version = source.chart, source.target_revision
    candidates = [c for folder in chart_dirs for c in _scan(folder.resolve()) if c.name == name]
    exact = [c for c in candidates if c.version == version]
    found = exact or candidates
    return found[0] if found else None


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

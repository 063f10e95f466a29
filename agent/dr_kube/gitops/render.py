"""Render a chart with Helm's own engine (helm-python-sdk), as Argo CD's repo-server does.

Renders are cached per (chart identity, values digest, release, namespace): locating a field and
verifying a change render the same inputs more than once.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.error import YAMLError

from dr_kube.gitops.chart_archive import ChartError
from dr_kube.values_model import Chart
from dr_kube.yamlio import load_all

RENDER_CACHE_SIZE = 64
# Kinds that are never namespaced: Argo CD does not give them the destination namespace.
CLUSTER_KINDS = frozenset(
    {
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "Namespace",
        "PersistentVolume",
        "StorageClass",
        "PriorityClass",
        "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration",
        "IngressClass",
        "APIService",
    }
)


class RenderError(ChartError):
    """The chart could not be rendered with these values (one line)."""


@dataclass(frozen=True)
class ObjectKey:
    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind}/{self.name}"


@dataclass
class RenderedObject:
    key: ObjectKey
    template: str
    body: dict[str, Any]


@dataclass
class Rendered:
    """The manifests one render produced, by object."""

    chart: Chart
    release: str
    namespace: str
    objects: dict[ObjectKey, RenderedObject] = field(default_factory=dict)

    def get(self, kind: str, namespace: str, name: str) -> RenderedObject | None:
        return self.objects.get(ObjectKey(kind, namespace, name))


def values_digest(values: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()


def chart_identity(chart: Chart) -> str:
    """The archive digest when known; else the chart's files (a folder in the GitOps repo may change
    between runs of one process)."""
    if chart.digest:
        return chart.digest
    where = Path(chart.where)
    digest = hashlib.sha256(str(where).encode())
    files = sorted(p for p in where.rglob("*") if p.is_file()) if where.is_dir() else [where]
    for path in files:
        stat = path.stat()
        digest.update(f"{path}:{stat.st_mtime_ns}:{stat.st_size}".encode())
    return digest.hexdigest()


def parse_manifests(
    manifests: dict[str, str], chart: Chart, release: str, namespace: str
) -> Rendered:
    rendered = Rendered(chart=chart, release=release, namespace=namespace)
    for template in sorted(manifests):
        if not template.endswith((".yaml", ".yml", ".tpl", ".json")) or "/NOTES.txt" in template:
            continue
        try:
            docs = load_all(manifests[template])
        except YAMLError as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise RenderError(f"{chart.name}: {template} renders invalid YAML ({first})") from None
        for doc in docs:
            if not isinstance(doc, dict) or not doc.get("kind"):
                continue
            meta = doc.get("metadata") or {}
            kind = str(doc["kind"])
            ns = "" if kind in CLUSTER_KINDS else str(meta.get("namespace") or namespace)
            key = ObjectKey(kind, ns, str(meta.get("name", "")))
            rendered.objects[key] = RenderedObject(key=key, template=template, body=doc)
    return rendered


class Renderer:
    """Helm renders, cached; one loaded chart per chart identity."""

    def __init__(self, cache_size: int = RENDER_CACHE_SIZE) -> None:
        self._renders: OrderedDict[tuple[str, str, str, str], Rendered] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self.renders = 0  # how many times Helm itself ran (for the benchmark)

    def render(
        self, chart: Chart, values: dict[str, Any], *, release: str, namespace: str
    ) -> Rendered:
        key = (chart_identity(chart), values_digest(values), release, namespace)
        with self._lock:
            if key in self._renders:
                self._renders.move_to_end(key)
                return self._renders[key]
        rendered = parse_manifests(
            self._helm_render(chart, values, release, namespace), chart, release, namespace
        )
        with self._lock:
            self.renders += 1
            self._renders[key] = rendered
            while len(self._renders) > self._cache_size:
                self._renders.popitem(last=False)
        return rendered

    @staticmethod
    def _helm_render(
        chart: Chart, values: dict[str, Any], release: str, namespace: str
    ) -> dict[str, str]:
        from helm_python import chart as helm_chart
        from helm_python.errors import HelmError

        try:
            with helm_chart.Chart.load(chart.where) as loaded:
                manifests: dict[str, str] = loaded.render(
                    values, name=release, namespace=namespace, is_install=True
                )
                return manifests
        except HelmError as exc:
            first = next((line for line in str(exc).splitlines() if line.strip()), str(exc))
            raise RenderError(f"{chart.name} {chart.version or ''}: {first}".strip()) from None


RENDERER = Renderer()

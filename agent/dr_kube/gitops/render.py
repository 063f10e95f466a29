"""Render a chart with Helm's own engine (helm-python-sdk), as Argo CD's repo-server does.

Renders are cached per (chart identity, values digest, release, namespace): locating a field and
verifying a change render the same inputs more than once. Helm runs in a worker process
(gitops/render_process.py) so that a render that never finishes, or eats all memory, is stopped
with a one-line error (DRKUBE_RENDER_TIMEOUT, DRKUBE_RENDER_MEMORY).
"""

from __future__ import annotations

import hashlib
import json
import threading
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ruamel.yaml.error import YAMLError

from dr_kube.gitops.chart_archive import ChartError
from dr_kube.gitops.render_process import HelmRenderError, RenderProcess
from dr_kube.values_model import Chart, RenderInputs
from dr_kube.yamlio import load_all

if TYPE_CHECKING:
    from dr_kube.config.charts import ChartSettings

RENDER_CACHE_SIZE = 64
MANIFEST_SUFFIXES = (".yaml", ".yml", ".tpl", ".json")
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
    between runs of one process). `chart.identity`, when set, was computed so earlier."""
    if chart.identity:
        return chart.identity
    if chart.digest:
        # The same archive assembled with its dependencies elsewhere is another chart to render.
        return f"{chart.digest}:{chart.where}"
    where = Path(chart.where)
    digest = hashlib.sha256(str(where).encode())
    files = sorted(p for p in where.rglob("*") if p.is_file()) if where.is_dir() else [where]
    for path in files:
        stat = path.stat()
        digest.update(f"{path}:{stat.st_mtime_ns}:{stat.st_size}".encode())
    return digest.hexdigest()


def _is_manifest(template: str) -> bool:
    return template.endswith(MANIFEST_SUFFIXES) and not template.endswith("/NOTES.txt")


def _load_text(text: str, chart: Chart, template: str) -> list[Any]:
    try:
        return load_all(text)
    except YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise RenderError(f"{chart.name}: {template} renders invalid YAML ({first})") from None


def _add(rendered: Rendered, template: str, doc: Any) -> None:
    if not isinstance(doc, dict) or not doc.get("kind"):
        return
    meta = doc.get("metadata") or {}
    kind = str(doc["kind"])
    ns = "" if kind in CLUSTER_KINDS else str(meta.get("namespace") or rendered.namespace)
    key = ObjectKey(kind, ns, str(meta.get("name", "")))
    rendered.objects[key] = RenderedObject(key=key, template=template, body=doc)


def parse_manifests(
    manifests: dict[str, str], chart: Chart, release: str, namespace: str
) -> Rendered:
    """Objects from Helm's rendered text (parsed here)."""
    rendered = Rendered(chart=chart, release=release, namespace=namespace)
    for template in sorted(manifests):
        if _is_manifest(template):
            for doc in _load_text(manifests[template], chart, template):
                _add(rendered, template, doc)
    return rendered


def from_documents(
    documents: dict[str, list[list[Any]]], chart: Chart, release: str, namespace: str
) -> Rendered:
    """Objects from the documents the worker parsed ([True, object] or [False, text] when Go's
    parser took no mapping from it: those are read here, for a precise error or to be skipped)."""
    rendered = Rendered(chart=chart, release=release, namespace=namespace)
    for template in sorted(documents):
        for parsed, doc in documents[template]:
            for body in [doc] if parsed else _load_text(doc, chart, template):
                _add(rendered, template, body)
    return rendered


def one_line(message: str, limit: int = 300) -> str:
    """Helm's message as one short line: a recursive `include` nests the same text a thousand
    times, so repeats are dropped and the line is cut."""
    first = next((line for line in message.splitlines() if line.strip()), message).strip()
    parts = first.split(": error calling include: ")
    if len(parts) > 2:
        first = f"{parts[0]}: error calling include (nested {len(parts) - 1} times): {parts[-1]}"
    return first if len(first) <= limit else first[: limit - 1] + "…"


class Renderer:
    """Helm renders, cached, run in a worker process bounded in time and memory."""

    def __init__(
        self, cache_size: int = RENDER_CACHE_SIZE, settings: ChartSettings | None = None
    ) -> None:
        self._renders: OrderedDict[tuple[str, str, str, str, str], Rendered] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._settings = settings
        self._process: RenderProcess | None = None
        self.renders = 0  # how many times Helm itself ran (for the benchmark)

    def configure(self, settings: ChartSettings) -> None:
        """Use these limits from the next render on (the worker restarts with them)."""
        with self._lock:
            self._settings = settings
            if self._process is not None:
                self._process.close()
                self._process = None

    def warm_up(self, wait: bool = False) -> None:
        """Start the render worker now, so its start-up overlaps the caller's own work (`wait`:
        return once it is ready)."""
        self._worker().start(wait)

    def close(self) -> None:
        with self._lock:
            if self._process is not None:
                self._process.close()

    def render(
        self,
        chart: Chart,
        values: dict[str, Any],
        *,
        release: str,
        namespace: str,
        kube_version: str | None = None,
        api_versions: Sequence[str] = (),
    ) -> Rendered:
        """The chart rendered as Argo CD would; `kube_version` (`v1.29.4`) and `api_versions`
        (`monitoring.coreos.com/v1`, ...) are what `.Capabilities` reports, Helm's defaults when
        not given (Kubernetes v1.36.0, built-in API groups only)."""
        capabilities = (kube_version, tuple(sorted(api_versions)))
        key = (
            chart_identity(chart),
            values_digest(values),
            release,
            namespace,
            values_digest({"capabilities": capabilities}),
        )
        with self._lock:
            if key in self._renders:
                self._renders.move_to_end(key)
                return self._renders[key]
        rendered = from_documents(
            self._helm_render(chart, values, release, namespace, capabilities),
            chart,
            release,
            namespace,
        )
        with self._lock:
            self.renders += 1
            self._renders[key] = rendered
            while len(self._renders) > self._cache_size:
                self._renders.popitem(last=False)
        return rendered

    def render_for(
        self, chart: Chart, inputs: RenderInputs, values: dict[str, Any] | None = None
    ) -> Rendered:
        """`chart` rendered as Argo CD renders the Application `inputs` describe: its release,
        namespace, cluster version and API groups, and its merged values (or `values`)."""
        return self.render(
            chart,
            inputs.merged() if values is None else values,
            release=inputs.release,
            namespace=inputs.namespace,
            kube_version=inputs.kube_version,
            api_versions=inputs.api_versions,
        )

    def _worker(self) -> RenderProcess:
        with self._lock:
            if self._process is None:
                from dr_kube.config.charts import ChartSettings

                settings = self._settings or ChartSettings.load()
                self._process = RenderProcess(
                    settings.render_timeout, settings.render_memory * 1024 * 1024
                )
                # The worker ends with this renderer (or at exit); it also ends on its own when
                # this process dies, as its stdin closes.
                weakref.finalize(self, self._process.close)
            return self._process

    def _helm_render(
        self,
        chart: Chart,
        values: dict[str, Any],
        release: str,
        namespace: str,
        capabilities: tuple[str | None, tuple[str, ...]],
    ) -> dict[str, list[list[Any]]]:
        label = f"{chart.name} {chart.version or ''}".strip()
        try:
            documents: dict[str, list[list[Any]]] = self._worker().render(
                chart.where, values, release, namespace, capabilities
            )
            return documents
        except HelmRenderError as exc:
            raise RenderError(f"{label}: {one_line(str(exc))}") from None
        except ChartError as exc:
            raise RenderError(f"{label}: {exc}") from None


RENDERER = Renderer()

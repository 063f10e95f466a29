"""Helm values as data: where a workload's values live (Location), the chart that reads them, and
plain path access. Diagnosis reads these; only gitops/ reads or writes files."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field

from dr_kube.models import PathKey


class Chart(BaseModel):
    name: str
    version: str | None = None
    where: str
    defaults: dict[str, Any]
    schema_: dict[str, Any] | None = None
    digest: str | None = None  # sha256 of the archive, when fetched from a repository
    source: str | None = None  # the repository or registry it was fetched from
    # What its renders are cached by, taken once when the chart is located (a folder's files change
    # between runs of a long-lived server, not within one run).
    identity: str | None = None


class ValueLayer(BaseModel):
    """One source of user values, in Helm's order: a values file (repo-relative path), the
    Application's inline `helm.values`/`valuesObject`, or its `parameters`."""

    origin: str
    values: dict[str, Any] = Field(default_factory=dict)
    file: str | None = None  # set when the layer is a file of the GitOps repository


class RenderInputs(BaseModel):
    """What Argo CD hands Helm for one Application: release, namespace and value layers."""

    release: str
    namespace: str
    layers: list[ValueLayer] = Field(default_factory=list)
    notes: list[str] = Field(
        default_factory=list
    )  # what the render cannot reproduce, one line each
    # What `.Capabilities` reports: the cluster's Kubernetes version (`v1.29.4`) and the API
    # versions beyond the built-in ones (`monitoring.coreos.com/v1`); Helm's defaults when unknown.
    kube_version: str | None = None
    api_versions: list[str] = Field(default_factory=list)

    def merged(self) -> dict[str, Any]:
        """The user values Helm receives: layers merged in order, the later winning."""
        merged: dict[str, Any] = {}
        for layer in self.layers:
            merged = merge_values(merged, layer.values)
        return merged

    def with_file(self, file: str, values: dict[str, Any]) -> RenderInputs:
        """The same inputs with one file's layer replaced (the patched values file)."""
        layers = [
            layer.model_copy(update={"values": values}) if layer.file == file else layer
            for layer in self.layers
        ]
        return self.model_copy(update={"layers": layers})

    @property
    def values_files(self) -> list[str]:
        return [layer.file for layer in self.layers if layer.file]


def merge_values(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Helm's merge of user values files: maps merge key by key, anything else is replaced."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_values(merged[key], value)
        else:
            merged[key] = value
    return merged


class Location(BaseModel):
    app: str | None = None
    app_file: str | None = None
    values_file: str
    base_path: list[PathKey] = Field(default_factory=list)
    release_name: str | None = None
    chart: Chart | None = None
    chart_missing: str | None = None  # why no chart could be had, one line
    render: RenderInputs | None = None  # how Argo CD renders the chart (None: no Application)
    how: list[str] = Field(default_factory=list)
    # Found by rendering (gitops/probe.py); empty when the chart could not be rendered.
    target: RenderedTarget | None = None
    controls: list[FieldControl] = Field(default_factory=list)
    drift: list[str] = Field(default_factory=list)
    path_from_annotation: bool = False  # dr-kube.io/values-path decides over the controls

    @property
    def by_render(self) -> bool:
        """Paths come from rendering (not from the annotation or the name heuristics)."""
        return self.target is not None and not self.path_from_annotation

    def path_for(self, *rest: PathKey) -> list[PathKey]:
        return [*self.base_path, *rest]

    @property
    def rendered(self) -> bool:
        """Located by rendering the chart: controls and verification come from Helm."""
        return self.target is not None

    def control(self, container: str | None, field: str) -> FieldControl | None:
        """The values path that moves `field` (`resources.limits.memory`, `replicas`...) of
        `container` in the rendered workload; None when no path does."""
        for found in self.controls:
            if found.field == field and (found.container == container or found.container is None):
                return found
        return None


def normalize(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def get_path(data: Any, path: list[str | int]) -> tuple[bool, Any]:
    """(found, value) at `path` in plain YAML data."""
    node = data
    for key in path:
        if isinstance(key, int):
            if isinstance(node, list) and -len(node) <= key < len(node):
                node = node[key]
                continue
            return False, None
        if isinstance(node, dict) and key in node:
            node = node[key]
            continue
        return False, None
    return True, node


class RenderedTarget(BaseModel):
    """The rendered object that is the live workload (or the custom resource an operator turns
    into it), and what the render says about its containers."""

    kind: str
    namespace: str
    name: str
    template: str = ""
    via: str | None = None  # `Prometheus/main (Prometheus Operator)` for an operator-made workload
    containers: list[str] = Field(default_factory=list)  # the containers the chart renders
    hard_coded: dict[str, list[str]] = Field(default_factory=dict)  # container -> unmovable fields

    def ref(self) -> str:
        return f"{self.kind}/{self.name}"


class FieldControl(BaseModel):
    """The values path that moves one field of one container (None: the workload itself)."""

    container: str | None = None
    field: str  # `resources.limits.memory`, `livenessProbe.timeoutSeconds`, `replicas`, `image`
    path: list[PathKey]
    in_file: bool = False  # already a key of the values file DR-Kube patches
    rendered: Any = None  # the field's value in the render before any change
    live: Any = None  # the value really running, when it differs from the render (drift)
    shared_with: list[str] = Field(default_factory=list)  # other objects the path also moves


Location.model_rebuild()

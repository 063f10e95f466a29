"""What Argo CD hands Helm for an Application: release name, destination namespace and the value
layers in Helm's order (valueFiles, then inline values, then parameters)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml.error import YAMLError

from dr_kube.errors import InputError, NotFoundError
from dr_kube.gitops.apps import Application, AppSource, HelmParameter
from dr_kube.paths import contained
from dr_kube.values_model import Chart, RenderInputs, ValueLayer, merge_values
from dr_kube.yamlio import load_file, load_one

DEFAULT_NAMESPACE = "default"  # what Helm uses when the Application names no destination namespace
KUBE_VERSION_NOTE = (
    "rendered for Helm's default Kubernetes version (v1.36.0): the cluster's version is not known "
    "(a dump's nodes.json or the live API gives it)"
)
API_VERSIONS_NOTE = (
    "rendered with the built-in API groups only: the cluster's are not known (live discovery, or "
    "a dump's api-versions.txt from `kubectl api-versions`), so templates gated on "
    ".Capabilities.APIVersions (monitoring.coreos.com/v1, ...) may differ from Argo CD's render"
)


def _ref_file(app: Application, entry: str) -> str:
    """`$values/values/x.yaml` → `values/x.yaml` when a source has `ref: values`."""
    ref, _, rest = entry[1:].partition("/")
    if not any(s.ref == ref for s in app.sources):
        raise NotFoundError(
            f"Application {app.name}: valueFiles entry {entry} names ref {ref!r}, "
            "but no source has that ref"
        )
    return rest


def _file_layer(
    app: Application, source: AppSource, entry: str, repo: Path, chart: Chart | None
) -> ValueLayer | None:
    """One valueFiles entry as a layer; None when it is missing and the Application ignores that."""
    if entry.startswith(("http://", "https://")):
        raise NotFoundError(
            f"Application {app.name}: valueFiles entry {entry} is a URL; DR-Kube reads values "
            "only from the GitOps repository and the chart"
        )
    if entry.startswith("$"):
        file: str | None = _ref_file(app, entry)
    elif source.path:
        file = str(Path(source.path) / entry)
    else:  # a chart from a repository: a plain entry is a file inside the chart
        file = None
    what = f"Application {app.name}: values file {entry}"
    if file is not None:
        path = contained(repo, file, what=what)
    elif chart is not None:
        path = contained(Path(chart.where), entry, what=what)
    else:
        raise NotFoundError(f"{what} names a file in the chart, and the chart is not known")
    if not path.is_file():
        if source.ignore_missing_value_files:
            return None
        where = file or f"chart {chart.name if chart else source.chart}"
        raise NotFoundError(
            f"Application {app.name}: values file {entry} not found ({where}); "
            "set helm.ignoreMissingValueFiles to skip it"
        )
    values = load_file(path)
    if values is not None and not isinstance(values, dict):
        raise InputError(f"{file or entry}: a values file must hold a mapping")
    return ValueLayer(origin=file or f"{entry} (in the chart)", values=values or {}, file=file)


def _inline_layer(app: Application, source: AppSource) -> ValueLayer | None:
    if source.values_object is not None:
        return ValueLayer(origin="helm.valuesObject", values=source.values_object)
    if not source.values:
        return None
    try:
        values = load_one(source.values)
    except YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "invalid YAML"
        raise InputError(f"Application {app.name}: helm.values is not YAML ({first})") from None
    if values is not None and not isinstance(values, dict):
        raise InputError(f"Application {app.name}: helm.values must be a mapping")
    return ValueLayer(origin="helm.values", values=values or {})


def _parameter_values(parameter: HelmParameter) -> dict[str, Any]:
    """One parameter as Argo CD passes it: `--set` (or `--set-string`), commas escaped."""
    import helm_python

    expression = f"{parameter.name}={parameter.value.replace(',', chr(92) + ',')}"
    if parameter.force_string:
        return helm_python.parse_set_string_values(expression)
    return helm_python.parse_set_string(expression)


def _parameters_layer(app: Application, source: AppSource) -> ValueLayer | None:
    if not source.parameters:
        return None
    from helm_python.errors import HelmError

    values: dict[str, Any] = {}
    for parameter in source.parameters:
        try:
            values = merge_values(values, _parameter_values(parameter))
        except HelmError as exc:
            raise InputError(
                f"Application {app.name}: parameter {parameter.name!r} is not valid ({exc})"
            ) from None
    return ValueLayer(origin="helm.parameters", values=values)


def capability_notes(kube_version: str | None, api_versions: list[str]) -> list[str]:
    """What the render cannot reproduce of the cluster, one line each."""
    return [
        note
        for note, missing in (
            (KUBE_VERSION_NOTE, not kube_version),
            (API_VERSIONS_NOTE, not api_versions),
        )
        if missing
    ]


def render_inputs(
    app: Application,
    repo: Path,
    chart: Chart | None = None,
    *,
    kube_version: str | None = None,
    api_versions: list[str] | None = None,
) -> RenderInputs:
    """The release, namespace and value layers Argo CD renders `app` with, and the cluster's
    Kubernetes version and API groups when known (Argo CD passes both to Helm)."""
    source = app.chart_source
    layers: list[ValueLayer] = []
    if source is not None:
        for entry in source.value_files:
            layer = _file_layer(app, source, entry, repo, chart)
            if layer is not None:
                layers.append(layer)
        layers += [
            layer
            for layer in (_inline_layer(app, source), _parameters_layer(app, source))
            if layer is not None
        ]
    return RenderInputs(
        release=app.release_name,
        namespace=app.namespace or DEFAULT_NAMESPACE,
        layers=layers,
        notes=capability_notes(kube_version, api_versions or []),
        kube_version=kube_version,
        api_versions=api_versions or [],
    )

"""From a live workload to the values file and key path that configure it.

Workload → Argo CD Application (tracking annotation, instance label, destination namespace) →
its values file → the key path for this workload (a per-service block such as `cartService`,
a nested component such as `controller` or `master`, or the top level of a single-workload chart).
Annotations `dr-kube.io/values-file` and `dr-kube.io/values-path` on the workload override.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from dr_kube.cluster.evidence import PodEvidence, WorkloadEvidence
from dr_kube.errors import InputError, NotFoundError, PathEscapeError
from dr_kube.gitops.apps import Application, load_applications, value_files
from dr_kube.gitops.charts import locate_chart
from dr_kube.gitops.render import chart_identity
from dr_kube.gitops.render_inputs import render_inputs
from dr_kube.gitops.render_locate import drift_notes, locate_by_rendering
from dr_kube.models import PathKey
from dr_kube.paths import contained
from dr_kube.values_model import Location, RenderInputs, normalize
from dr_kube.yamlio import load_file

TRACKING_ANNOTATION = "argocd.argoproj.io/tracking-id"
INSTANCE_LABEL = "app.kubernetes.io/instance"
VALUES_FILE_ANNOTATION = "dr-kube.io/values-file"
VALUES_PATH_ANNOTATION = "dr-kube.io/values-path"
SINGLE_WORKLOAD_KEYS = ("resources", "replicaCount", "replicas", "image")
WORKLOAD_BLOCK_KEYS = (
    *SINGLE_WORKLOAD_KEYS,
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
    "autoscaling",
    "podAnnotations",
    "nodeSelector",
    "containerSecurityContext",
    "extraEnvVars",
    "env",
    "persistence",
)
COMPONENT_LABEL = "app.kubernetes.io/component"


def parse_dotted(path: str) -> list[PathKey]:
    """`master.resources` or `services[0].resources` → ['master', 'resources'] / [..., 0, ...]."""
    keys: list[PathKey] = []
    for part in path.split("."):
        if not part:
            continue
        for name, index in re.findall(r"([^\[\]]+)|\[(\d+)\]", part):
            keys.append(int(index) if index else name)
    return keys


def find_application(
    apps: list[Application], workload: WorkloadEvidence
) -> tuple[Application | None, str]:
    by_name = {a.name: a for a in apps}
    tracking = workload.annotations.get(TRACKING_ANNOTATION, "")
    if tracking:
        name = tracking.split(":", 1)[0]
        if name in by_name:
            return by_name[name], f"tracking annotation {TRACKING_ANNOTATION}={tracking}"
    instance = workload.labels.get(INSTANCE_LABEL)
    if instance and instance in by_name:
        return by_name[instance], f"label {INSTANCE_LABEL}={instance}"
    same_ns = [a for a in apps if a.namespace == workload.namespace]
    if len(same_ns) == 1:
        return same_ns[0], f"the only Application deploying to namespace {workload.namespace}"
    for app in same_ns:
        if normalize(app.name) in normalize(workload.name) or normalize(workload.name) in normalize(
            app.name
        ):
            return app, f"Application {app.name} deploys to namespace {workload.namespace}"
    return None, ""


def component_names(workload: str, release: str | None) -> list[str]:
    """Names the workload's block may have: itself, and without the release prefix."""
    names = [workload]
    if release and workload.startswith(release + "-") and len(workload) > len(release) + 1:
        names.append(workload[len(release) + 1 :])
    return names


def looks_like_workload(*blocks: Any) -> bool:
    """A block that configures pods (resources, replicas, image, probes...), not e.g. `service:`."""
    return any(isinstance(b, dict) and any(k in b for k in WORKLOAD_BLOCK_KEYS) for b in blocks)


def find_block(
    values: Any,
    chart_defaults: Any,
    workload: str,
    release: str | None,
    component: str | None = None,
) -> tuple[list[PathKey], str] | None:
    """The key path of the workload's block in the values (or the chart's defaults)."""
    names = component_names(workload, release) + ([component] if component else [])
    wanted = {normalize(n) for n in names}
    defaults = chart_defaults if isinstance(chart_defaults, dict) else {}
    for data, origin in ((values, "values file"), (chart_defaults, "chart defaults")):
        if not isinstance(data, dict):
            continue
        for key, block in data.items():
            if not isinstance(block, dict) or not isinstance(key, str):
                continue
            named = isinstance(block.get("name"), str) and block["name"] == workload
            if normalize(key) not in wanted and not named:
                continue
            if not looks_like_workload(block, defaults.get(key)) and normalize(key) != normalize(
                workload
            ):
                continue  # `ledger-service` must not land in the chart's `service:` block
            why = (
                f"block {key!r} has name: {workload}"
                if named
                else f"key {key!r} matches workload {workload!r}"
            )
            return [key], f"{why} ({origin})"
    single = workload == release or (
        release is not None and normalize(workload) == normalize(release)
    )
    for data in (values, chart_defaults):
        if not isinstance(data, dict) or not any(k in data for k in SINGLE_WORKLOAD_KEYS):
            continue
        blocks_with_resources = any(isinstance(v, dict) and "resources" in v for v in data.values())
        if single or not blocks_with_resources:
            return [], "top-level keys of a single-workload chart"
    return None


def locate(
    repo: Path,
    workload: WorkloadEvidence,
    chart_dirs: list[Path],
    values_file_hint: str | None = None,
    pods: list[PodEvidence] | None = None,
    kube_version: str | None = None,
    api_versions: list[str] | None = None,
) -> Location:
    """Find where in the GitOps repository this workload is configured."""
    how: list[str] = []
    apps = load_applications(repo)
    app, reason = find_application(apps, workload)
    if app is not None:
        how.append(f"Application {app.name} ({app.file}) via {reason}")
    annotated = workload.annotations.get(VALUES_FILE_ANNOTATION)
    override_file = annotated or values_file_hint
    named_by = f"annotation {VALUES_FILE_ANNOTATION}" if annotated else "the alert"
    if override_file:
        values_file = override_file
        contained(repo, values_file, what=f"values file named by {named_by}")
        how.append(f"values file {values_file} named by {named_by}")
    elif app is not None:
        listed = value_files(app)
        what = f"Application {app.name} ({app.file}): values file"
        files = [f for f in listed if contained(repo, f, what=what).is_file()]
        if not files:
            raise NotFoundError(
                f"Application {app.name} lists no values file present in {repo} "
                f"(valueFiles: {', '.join(listed) or 'none'})"
            )
        values_file = files[-1]  # the last file wins in Helm, so changes belong there
        how.append(f"values file {values_file} from helm.valueFiles")
    else:
        raise NotFoundError(
            f"no Argo CD Application in {repo} deploys {workload.kind} "
            f"{workload.namespace}/{workload.name} (looked for annotation {TRACKING_ANNOTATION}, "
            f"label {INSTANCE_LABEL}, destination namespace {workload.namespace})"
        )
    values_path = contained(repo, values_file, what="values file")
    if not values_path.is_file():
        raise NotFoundError(f"values file {values_file} not found in {repo}")
    chart, chart_missing = locate_chart(app, repo, chart_dirs) if app is not None else (None, None)
    if chart is not None:  # walked once here, not at every render of this run
        chart = chart.model_copy(update={"identity": chart_identity(chart)})
    release = app.release_name if app else None
    render: RenderInputs | None = None
    if app is not None:
        try:
            render = render_inputs(
                app, repo, chart, kube_version=kube_version, api_versions=api_versions
            )
        except PathEscapeError:
            raise  # a refusal, not a chart that cannot be rendered
        except (NotFoundError, InputError) as exc:
            how.append(f"not rendered: {exc}")
    located = Location(
        app=app.name if app else None,
        app_file=app.file if app else None,
        values_file=values_file,
        release_name=release,
        chart=chart,
        chart_missing=chart_missing,
        render=render,
        how=how,
    )
    values = load_file(values_path)
    if chart is not None:
        located = locate_by_rendering(
            located,
            workload,
            values if isinstance(values, dict) else {},
            block_names(workload, release),
        )
        located.drift = drift_notes(located, workload, pods or [])
    return located.model_copy(update={"base_path": base_path(located, workload, values, release)})


def block_names(workload: WorkloadEvidence, release: str | None) -> set[str]:
    """Names a values block for this workload may carry (for "add the block" candidates)."""
    names = set(component_names(workload.name, release)) | {c.name for c in workload.containers}
    component = workload.labels.get(COMPONENT_LABEL)
    return names | ({component} if component else set())


def base_path(
    location: Location, workload: WorkloadEvidence, values: Any, release: str | None
) -> list[PathKey]:
    """The workload's block: the annotation's, the one rendering found, or the name heuristics'."""
    override_path = workload.annotations.get(VALUES_PATH_ANNOTATION)
    if override_path is not None:
        location.path_from_annotation = True  # the annotation wins over what probing found
        location.how.append(
            f"key path {override_path or '(top level)'} from annotation {VALUES_PATH_ANNOTATION}"
        )
        return parse_dotted(override_path)
    main = location.target.containers[0] if location.target and location.target.containers else None
    control = location.control(main, "resources.limits.memory")
    if control is not None:
        location.how.append(
            f"the render shows {'.'.join(map(str, control.path))} moves container {main}'s memory limit"
        )
        return list(control.path[:-3])
    found = find_block(
        values,
        location.chart.defaults if location.chart else None,
        workload.name,
        release,
        workload.labels.get(COMPONENT_LABEL),
    )
    if found is None:
        if location.controls:
            return []
        raise NotFoundError(
            f"{location.values_file} has no block for {workload.kind} {workload.name} "
            f"(tried keys like {', '.join(component_names(workload.name, release))}); "
            f"set annotation {VALUES_PATH_ANNOTATION} on the workload"
        )
    base, why = found
    location.how.append(why)
    return base

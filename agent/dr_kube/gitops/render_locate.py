"""Locate by rendering: the rendered object that is the live workload, the values path that moves
each of its fields (gitops/probe.py), and where the live workload differs from the render (drift)."""

from __future__ import annotations

import logging
from typing import Any

from dr_kube.cluster.evidence import PodEvidence, WorkloadEvidence
from dr_kube.gitops.operators import OPERATOR_KINDS
from dr_kube.gitops.probe import probe_controls
from dr_kube.gitops.render import RENDERER, Rendered, RenderedObject, RenderError
from dr_kube.gitops.rendered_fields import PROBE_FIELDS, RESOURCE_FIELDS, containers_of, read_field
from dr_kube.quantity import QuantityError, parse_quantity
from dr_kube.values_model import (
    FieldControl,
    Location,
    RenderedTarget,
    RenderInputs,
    ValueLayer,
)

log = logging.getLogger(__name__)


def inputs_for(location: Location, namespace: str, file_values: dict[str, Any]) -> RenderInputs:
    """The Application's render inputs, with the values file DR-Kube patches among its layers."""
    inputs = location.render or RenderInputs(
        release=location.release_name or "release", namespace=namespace
    )
    if location.values_file not in inputs.values_files:
        layer = ValueLayer(
            origin=location.values_file, values=file_values, file=location.values_file
        )
        inputs = inputs.model_copy(update={"layers": [*inputs.layers, layer]})
    return inputs


def find_target(
    rendered: Rendered, workload: WorkloadEvidence
) -> tuple[RenderedObject | None, str | None]:
    """(the rendered object, the operator it goes through) for the live workload."""
    exact = rendered.get(workload.kind, workload.namespace, workload.name)
    if exact is not None:
        return exact, None
    for key, obj in rendered.objects.items():
        if key.kind == workload.kind and key.name == workload.name:
            return obj, None
    owners = {entry.partition("/")[0]: entry.partition("/")[2] for entry in workload.owner_chain}
    for operator in OPERATOR_KINDS:
        if operator.workload_kind != workload.kind:
            continue
        name = owners.get(operator.kind) or operator.resource_name(workload.name)
        for key, obj in rendered.objects.items():
            if key.kind == operator.kind and key.name == name:
                return obj, f"{operator.kind}/{name} ({operator.operator})"
    return None, None


# What the API server fills in when a manifest leaves a field out: not drift.
API_DEFAULTS = {
    "initialDelaySeconds": 0,
    "timeoutSeconds": 1,
    "periodSeconds": 10,
    "failureThreshold": 3,
    "replicas": 1,
}


def _differs(field: str, rendered: Any, live: Any) -> bool:
    if rendered is None and live == API_DEFAULTS.get(field.rsplit(".", 1)[-1]):
        return False
    if field in RESOURCE_FIELDS and rendered is not None and live is not None:
        try:
            return parse_quantity(rendered) != parse_quantity(live)
        except QuantityError:
            pass
    return str(rendered) != str(live) if live is not None else False


def live_value(workload: WorkloadEvidence, pods: list[PodEvidence], control: FieldControl) -> Any:
    """What really runs: a pod's container (LimitRange defaults included), else the workload."""
    if control.field == "replicas":
        return workload.desired_replicas
    containers = [c for pod in pods for c in (pod.containers + pod.init_containers)]
    containers += workload.containers
    for spec in containers:
        if spec.name != control.container:
            continue
        if control.field.startswith("resources."):
            _, section, name = control.field.split(".")
            return (spec.limits if section == "limits" else spec.requests).get(name)
        if control.field in PROBE_FIELDS:
            probe, _, timing = control.field.partition(".")
            return (getattr(spec, probe.replace("Probe", "_probe"), None) or {}).get(timing)
        return None
    return None


def drift_notes(
    location: Location, workload: WorkloadEvidence, pods: list[PodEvidence]
) -> list[str]:
    """Fields where the cluster runs something else than the chart renders from Git."""
    notes: list[str] = []
    ranger = " ".join(p.limit_ranger for p in pods if p.limit_ranger)
    for control in location.controls:
        if control.field == "replicas" and workload.has_hpa:
            continue  # an autoscaler owns the live replica count
        live = live_value(workload, pods, control)
        if not _differs(control.field, control.rendered, live):
            continue
        control.live = live
        who = f"container {control.container} " if control.container else ""
        section = control.field.split(".")
        limit_ranged = (
            control.rendered is None
            and len(section) == 3
            and f"{section[2]} {section[1][:-1]} for container {control.container}" in ranger
        )
        why = (
            "defaulted by a LimitRange (pod annotation kubernetes.io/limit-ranger)"
            if limit_ranged
            else "out of sync with Git (not synced yet, or changed by hand)"
        )
        notes.append(
            f"drift: {who}{control.field} runs {live}, the chart renders "
            f"{control.rendered if control.rendered is not None else '(unset)'}: {why}; "
            f"starting from the running {live}"
        )
    return notes


def locate_by_rendering(
    location: Location,
    workload: WorkloadEvidence,
    file_values: dict[str, Any],
    names: set[str],
) -> Location:
    """`location` with the rendered target and the controls found by probing, or unchanged (and a
    line in `how`) when the chart cannot be rendered or does not render this workload."""
    chart = location.chart
    if chart is None:
        return location
    inputs = inputs_for(location, workload.namespace, file_values)
    try:
        base = RENDERER.render_for(chart, inputs)
    except RenderError as exc:
        location.how.append(f"not rendered: {exc}")
        return location
    if not base.objects:
        location.how.append(f"chart {chart.name} renders no objects (no templates): not rendered")
        return location
    target, via = find_target(base, workload)
    if target is None:
        location.how.append(
            f"chart {chart.name} does not render {workload.kind}/{workload.name}: not rendered"
        )
        return location
    probed = probe_controls(
        chart,
        inputs,
        target=target,
        names=names,
        file_values=file_values,
    )
    rendered_target = RenderedTarget(
        kind=target.key.kind,
        namespace=target.key.namespace,
        name=target.key.name,
        template=target.template,
        via=via,
        containers=sorted(_containers(target, via)),
        hard_coded=hard_coded(target, probed.controls, via),
    )
    how = f"rendered {rendered_target.ref()} from {target.template}" + (
        f" via {via}" if via else ""
    )
    return location.model_copy(
        update={
            "render": inputs,
            "target": rendered_target,
            "controls": probed.controls,
            "how": [*location.how, how, *probed.notes],
        }
    )


def _containers(target: RenderedObject, via: str | None) -> list[str]:
    if via is not None:
        from dr_kube.gitops.operators import operator_kind

        operator = operator_kind(target.key.kind)
        return [operator.container] if operator else []
    return list(containers_of(target.body))


def hard_coded(
    target: RenderedObject, controls: list[FieldControl], via: str | None
) -> dict[str, list[str]]:
    """Per container, the fields the render sets that no values path moves (the template's own)."""
    found: dict[str, list[str]] = {}
    moved = {(c.container, c.field) for c in controls}
    for container in _containers(target, via):
        for field in (*RESOURCE_FIELDS, *PROBE_FIELDS):
            value = read_field(target.body, container, field)
            if value is not None and (container, field) not in moved:
                found.setdefault(container, []).append(field)
    return found

"""Workloads an operator makes from a custom resource the chart renders: the Prometheus Operator
turns `Prometheus/<name>` into StatefulSet `prometheus-<name>` (container `prometheus`) and
`Alertmanager/<name>` into `alertmanager-<name>` (container `alertmanager`). A fix then changes the
custom resource's fields, which the operator copies into the workload."""

from __future__ import annotations

from dataclasses import dataclass

from dr_kube.models import PathKey


@dataclass(frozen=True)
class OperatorKind:
    kind: str  # the custom resource's kind
    api_group: str
    operator: str
    workload_kind: str
    prefix: str  # the workload's name is prefix + the resource's name
    container: str  # the container the resource's spec configures

    def workload_name(self, resource: str) -> str:
        return self.prefix + resource

    def resource_name(self, workload: str) -> str | None:
        """The custom resource a workload of this operator was made from, by its name."""
        if workload.startswith(self.prefix) and len(workload) > len(self.prefix):
            return workload[len(self.prefix) :]
        return None


OPERATOR_KINDS: tuple[OperatorKind, ...] = (
    OperatorKind(
        "Prometheus",
        "monitoring.coreos.com",
        "Prometheus Operator",
        "StatefulSet",
        "prometheus-",
        "prometheus",
    ),
    OperatorKind(
        "Alertmanager",
        "monitoring.coreos.com",
        "Prometheus Operator",
        "StatefulSet",
        "alertmanager-",
        "alertmanager",
    ),
)


def operator_kind(kind: str) -> OperatorKind | None:
    return next((o for o in OPERATOR_KINDS if o.kind == kind), None)


def resource_field(
    operator: OperatorKind, container: str | None, field: str
) -> list[PathKey] | None:
    """Where in the custom resource's body a field of the made workload is set; None when the
    resource does not configure it (another container, a field the operator fixes itself)."""
    if field == "replicas":
        return ["spec", "replicas"]
    if container not in (None, operator.container):
        return None
    if field.startswith("resources."):
        return ["spec", *field.split(".")]
    return None

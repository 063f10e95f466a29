"""What an alert is about, read from its labels without taking the exporter for the subject.

kube-state-metrics is scraped with `honorLabels: true` in kube-prometheus-stack: a metric's own
`namespace`/`pod`/`container` win, and the labels it lacks come from the scrape target, i.e. the
exporter itself (`pod="<release>-kube-state-metrics-…"`, `container="kube-state-metrics"`, `job`,
`instance`, `endpoint`, `service`, and `namespace` for cluster-scoped objects such as nodes).
With `honorLabels: false` the metric's labels are renamed `exported_*` and the plain ones are the
exporter's. So a workload or node alert never names its pod through `pod`/`container` when those
belong to the exporter; a pod alert (`kube_pod_*`) does.
"""

from __future__ import annotations

from dataclasses import dataclass

from dr_kube.alerts.labels import workload_from_labels
from dr_kube.incidents.identity import NODE_CATEGORIES
from dr_kube.incidents.model import WorkloadRef

EXPORTER = "kube-state-metrics"


@dataclass(frozen=True)
class Subject:
    """The namespace, pod, container and workload (or node) an alert's labels name."""

    namespace: str | None
    pod: str | None
    container: str | None
    workload: WorkloadRef | None


def from_exporter(labels: dict[str, str]) -> bool:
    """Whether the alert's series came from kube-state-metrics (its `job` or `service`)."""
    return EXPORTER in labels.get("job", "") or EXPORTER in labels.get("service", "")


def exporter_target(labels: dict[str, str]) -> bool:
    """Whether `pod`/`container` are kube-state-metrics' own scrape-target labels."""
    return labels.get("container") == EXPORTER or EXPORTER in labels.get("pod", "")


def subject_from_labels(labels: dict[str, str], category: str | None) -> Subject:
    namespace = labels.get("exported_namespace") or labels.get("namespace") or None
    pod = labels.get("exported_pod") or labels.get("pod") or None
    container = labels.get("exported_container") or labels.get("container") or None
    node = labels.get("exported_node") or labels.get("node") or None
    workload = workload_from_labels(labels, pod)
    node_level = category in NODE_CATEGORIES and node is not None
    renamed = "exported_pod" in labels
    above_pod = workload is not None or node_level
    if above_pod and not renamed and from_exporter(labels) and exporter_target(labels):
        pod = container = None  # the exporter's own pod, not the subject's
    if node_level:
        assert node is not None
        if "exported_namespace" not in labels and (from_exporter(labels) or pod is None):
            namespace = None  # a node has no namespace: this one is the exporter's
        return Subject(
            namespace=namespace,
            pod=pod,
            container=container,
            workload=WorkloadRef(kind="Node", name=node),
        )
    return Subject(namespace=namespace, pod=pod, container=container, workload=workload)

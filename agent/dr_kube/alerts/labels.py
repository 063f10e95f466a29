"""What alert labels say: the failure class, the workload, a stable fingerprint."""

from __future__ import annotations

import hashlib
import json
import re

from dr_kube.errors import InputError
from dr_kube.incidents.model import WorkloadRef
from dr_kube.k8s_names import dns1123_label, dns1123_subdomain

# Alert names (ours and kube-prometheus-stack's) → the failure class they announce.
ALERT_CATEGORIES: dict[str, str] = {
    "containeroomkilled": "oom",
    "kubepodoomkilled": "oom",
    "podoomkilled": "oom",
    "highmemoryusage": "memory-pressure",
    "containermemorynearlimit": "memory-pressure",
    "kubecontainermemorynearlimit": "memory-pressure",
    "cputhrottling": "cpu-throttling",
    "cputhrottlinghigh": "cpu-throttling",
    "podcrashlooping": "crashloop",
    "kubepodcrashlooping": "crashloop",
    "deploymentreplicasmismatch": "replicas-mismatch",
    "kubedeploymentreplicasmismatch": "replicas-mismatch",
    "kubestatefulsetreplicasmismatch": "replicas-mismatch",
    "kubepodpending": "unschedulable",
    "podpending": "unschedulable",
    "podunschedulable": "unschedulable",
    "kubepodnotready": "not-ready",
    "podnotready": "not-ready",
    "kubedeploymentrolloutstuck": "replicas-mismatch",
    "kubedaemonsetrolloutstuck": "replicas-mismatch",
    "kubedaemonsetnotscheduled": "replicas-mismatch",
    "kubestatefulsetupdatenotrolledout": "replicas-mismatch",
    "kubejobfailed": "job-failed",
    "kubejobnotcompleted": "job-failed",
    # node-level causes: one incident about the node
    "kubenodenotready": "node-not-ready",
    "kubenodeunreachable": "node-not-ready",
    "nodenotready": "node-not-ready",
    "kubenodepressure": "node-pressure",
    "nodememorypressure": "node-pressure",
    "nodediskpressure": "node-pressure",
    "kubenodeeviction": "node-pressure",
}


WAITING_REASON_CATEGORIES: dict[str, str] = {
    "imagepullbackoff": "image-pull",
    "errimagepull": "image-pull",
    "invalidimagename": "image-pull",
    "crashloopbackoff": "crashloop",
}


# Labels that name the owning workload directly, most specific first (kube-state-metrics'
# names: `job_name` for a Job, `cronjob`, `replicaset`, `horizontalpodautoscaler` is not a workload).
WORKLOAD_LABELS: tuple[tuple[str, str], ...] = (
    ("deployment", "Deployment"),
    ("statefulset", "StatefulSet"),
    ("daemonset", "DaemonSet"),
    ("cronjob", "CronJob"),
    ("job_name", "Job"),
    ("replicaset", "ReplicaSet"),
)


WORKLOAD_TYPES = {
    "deployment": "Deployment",
    "statefulset": "StatefulSet",
    "daemonset": "DaemonSet",
    "replicaset": "ReplicaSet",
    "job": "Job",
    "cronjob": "CronJob",
}


KIND_PREFIXES = {
    "deployment": "Deployment",
    "deploy": "Deployment",
    "statefulset": "StatefulSet",
    "sts": "StatefulSet",
    "daemonset": "DaemonSet",
    "ds": "DaemonSet",
    "pod": "Pod",
    "po": "Pod",
}


def split_resource(resource: str) -> tuple[str, str]:
    """`deployment/frontend` → (Deployment, frontend); a bare name is a Deployment."""
    resource = resource.strip()
    if "/" in resource:
        prefix, _, name = resource.partition("/")
        kind = KIND_PREFIXES.get(prefix.lower().split(".")[0])
        if kind is None:
            raise InputError(f"resource {resource!r}: unknown kind {prefix!r}")
        return kind, name
    if not resource:
        raise InputError("resource is empty")
    return "Deployment", resource


def workload_from_labels(labels: dict[str, str], pod: str | None) -> WorkloadRef | None:
    for label, kind in WORKLOAD_LABELS:
        if labels.get(label):
            return WorkloadRef(kind=kind, name=labels[label])
    workload = labels.get("workload")
    if workload:
        kind = WORKLOAD_TYPES.get(labels.get("workload_type", "deployment").lower(), "Deployment")
        return WorkloadRef(kind=kind, name=workload)
    return None


def category_for(alertname: str, labels: dict[str, str]) -> str | None:
    reason = labels.get("reason", "").lower()
    if reason in WAITING_REASON_CATEGORIES:
        return WAITING_REASON_CATEGORIES[reason]
    if reason == "oomkilled":
        return "oom"
    return ALERT_CATEGORIES.get(re.sub(r"[^a-z]", "", alertname.lower()))


def stable_fingerprint(labels: dict[str, str]) -> str:
    """Alertmanager-like 16-hex fingerprint over sorted labels, for inputs that carry none."""
    canonical = json.dumps(labels, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


# Labels that carry a Kubernetes name DR-Kube acts on, and the rule each name follows.
LABEL_NAMES = ("namespace", "exported_namespace", "container", "exported_container")
SUBDOMAIN_NAMES = (
    "pod",
    "exported_pod",
    "node",
    "exported_node",
    "workload",
    *(label for label, _ in WORKLOAD_LABELS),
)


def check_name_labels(labels: dict[str, str]) -> dict[str, str]:
    """`labels` when every name label holds a valid Kubernetes name (empty means absent); else
    InvalidNameError (a ValueError) naming the label."""
    for label in (*LABEL_NAMES, *SUBDOMAIN_NAMES):
        value = labels.get(label)
        if not value:
            continue
        check = dns1123_label if label in LABEL_NAMES else dns1123_subdomain
        check(value, f"label {label}:")
    return labels

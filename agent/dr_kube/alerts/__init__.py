"""Parse every input form (Alertmanager webhook, single alert, legacy sample) into Incidents."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dr_kube.errors import InputError, read_input_file
from dr_kube.models import Incident, WorkloadRef

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
}
WAITING_REASON_CATEGORIES: dict[str, str] = {
    "imagepullbackoff": "image-pull",
    "errimagepull": "image-pull",
    "invalidimagename": "image-pull",
    "crashloopbackoff": "crashloop",
}
LEGACY_TYPES: dict[str, str] = {
    "oom": "oom",
    "oomkilled": "oom",
    "memory": "memory-pressure",
    "memory-pressure": "memory-pressure",
    "cpu": "cpu-throttling",
    "cpu-throttling": "cpu-throttling",
    "cpu_throttling": "cpu-throttling",
    "crashloop": "crashloop",
    "crashloopbackoff": "crashloop",
    "image-pull": "image-pull",
    "image_pull": "image-pull",
    "imagepullbackoff": "image-pull",
    "probe-failure": "probe-failure",
    "probe_failure": "probe-failure",
    "unschedulable": "unschedulable",
    "pending": "unschedulable",
    "replicas-mismatch": "replicas-mismatch",
    "replicas_mismatch": "replicas-mismatch",
}
# Labels that name the owning workload directly, most specific first.
WORKLOAD_LABELS: tuple[tuple[str, str], ...] = (
    ("deployment", "Deployment"),
    ("statefulset", "StatefulSet"),
    ("daemonset", "DaemonSet"),
)
WORKLOAD_TYPES = {
    "deployment": "Deployment",
    "statefulset": "StatefulSet",
    "daemonset": "DaemonSet",
    "replicaset": "ReplicaSet",
}
ZERO_TIME = "0001-01-01T00:00:00Z"


class AlertmanagerAlert(BaseModel):
    """One alert as Alertmanager sends it (webhook `alerts[]`) or as its API returns it."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    status: str = "firing"
    labels: dict[str, str]
    annotations: dict[str, str] = Field(default_factory=dict)
    starts_at: datetime | None = Field(default=None, alias="startsAt")
    ends_at: str | None = Field(default=None, alias="endsAt")
    generator_url: str | None = Field(default=None, alias="generatorURL")
    fingerprint: str | None = None


class WebhookPayload(BaseModel):
    """Alertmanager's webhook body, version 4."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    version: str
    status: str = "firing"
    receiver: str = ""
    group_key: str = Field(default="", alias="groupKey")
    alerts: list[AlertmanagerAlert]
    truncated_alerts: int = Field(default=0, alias="truncatedAlerts")


class LegacyIssue(BaseModel):
    """The sample-issue form `{id, type, namespace, resource, error_message, logs[], ...}`."""

    model_config = ConfigDict(extra="allow")

    id: str
    type: str
    namespace: str
    resource: str
    error_message: str = ""
    logs: list[str] = Field(default_factory=list)
    timestamp: datetime | None = None
    values_file: str | None = None
    container: str | None = None


def load_incidents(path: Path) -> list[Incident]:
    """Read an alert file and return one Incident per alert it holds."""
    text = read_input_file(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON: {exc.msg} at line {exc.lineno}") from None
    try:
        return parse_incidents(data)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None


def parse_incidents(data: Any) -> list[Incident]:
    """Turn any accepted input form (already decoded JSON) into Incidents."""
    if not isinstance(data, dict):
        raise InputError(f"expected a JSON object, got {type(data).__name__}")
    try:
        if "alerts" in data:
            payload = WebhookPayload.model_validate(data)
            if not payload.alerts:
                raise InputError("the webhook payload has no alerts")
            return [incident_from_alert(alert) for alert in payload.alerts]
        if "labels" in data:
            return [incident_from_alert(AlertmanagerAlert.model_validate(data))]
        if "type" in data and "resource" in data:
            return [incident_from_legacy(LegacyIssue.model_validate(data))]
    except ValidationError as exc:
        raise InputError(describe_validation_error(exc)) from None
    raise InputError(
        "not an alert: expected an Alertmanager webhook payload (alerts[]), "
        "an alert object (labels, annotations) or a sample issue (type, resource)"
    )


def describe_validation_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "document"
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {first['msg']}{more}"


def incident_from_alert(alert: AlertmanagerAlert) -> Incident:
    labels = alert.labels
    alertname = labels.get("alertname")
    if not alertname:
        raise InputError("alert has no 'alertname' label")
    namespace = labels.get("namespace") or labels.get("exported_namespace")
    if not namespace:
        raise InputError(f"alert {alertname} has no 'namespace' label")
    pod = labels.get("pod") or labels.get("exported_pod")
    container = labels.get("container") or labels.get("exported_container")
    status = "resolved" if alert.status == "resolved" else "firing"
    fingerprint = alert.fingerprint or stable_fingerprint(labels)
    return Incident(
        id=fingerprint,
        alertname=alertname,
        status=status,
        namespace=namespace,
        workload=workload_from_labels(labels, pod),
        pod=pod,
        container=container or None,
        category_hint=category_for(alertname, labels),
        severity=labels.get("severity"),
        summary=alert.annotations.get("summary", ""),
        description=alert.annotations.get("description", "")
        or alert.annotations.get("message", ""),
        starts_at=alert.starts_at,
        labels=labels,
        annotations=alert.annotations,
        fingerprint=fingerprint,
    )


def incident_from_legacy(issue: LegacyIssue) -> Incident:
    kind, name = split_resource(issue.resource)
    category = LEGACY_TYPES.get(issue.type.lower().strip())
    return Incident(
        id=issue.id,
        alertname=f"legacy:{issue.type}",
        namespace=issue.namespace,
        workload=WorkloadRef(kind=kind, name=name) if kind != "Pod" else None,
        pod=name if kind == "Pod" else None,
        container=issue.container,
        category_hint=category,
        summary=issue.error_message,
        description=issue.error_message,
        logs=issue.logs,
        starts_at=issue.timestamp,
        values_file=issue.values_file,
        fingerprint=stable_fingerprint({"id": issue.id}),
    )


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

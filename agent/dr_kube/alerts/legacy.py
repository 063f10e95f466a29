"""The legacy sample-issue form `{id, type, namespace, resource, error_message, logs[], ...}`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from dr_kube.alerts.labels import split_resource, stable_fingerprint
from dr_kube.incidents.model import Incident, WorkloadRef

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


class LegacySource:
    describe = "a sample issue (type, resource)"

    def accepts(self, data: dict[str, Any]) -> bool:
        return "type" in data and "resource" in data

    def parse(self, data: dict[str, Any]) -> list[Incident]:
        return [incident_from_legacy(LegacyIssue.model_validate(data))]

"""The legacy sample-issue form `{id, type, namespace, resource, error_message, logs[], ...}`."""

from __future__ import annotations

from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from dr_kube.alerts.labels import split_resource, stable_fingerprint
from dr_kube.errors import InputError
from dr_kube.incidents.model import Incident, WorkloadRef
from dr_kube.k8s_names import dns1123_label, dns1123_subdomain

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

    @field_validator("namespace")
    @classmethod
    def _namespace(cls, value: str) -> str:
        return dns1123_label(value, "namespace")

    @field_validator("container")
    @classmethod
    def _container(cls, value: str | None) -> str | None:
        return dns1123_label(value, "container") if value else None

    @field_validator("resource")
    @classmethod
    def _resource(cls, value: str) -> str:
        try:
            kind, name = split_resource(value)
        except InputError as exc:
            raise ValueError(str(exc)) from None
        dns1123_subdomain(name, f"resource {kind} name")
        return value

    @field_validator("values_file")
    @classmethod
    def _values_file(cls, value: str | None) -> str | None:
        """A path inside the GitOps repository: relative, never climbing out with `..`."""
        if value is None:
            return None
        path = PurePosixPath(value)
        if not value or path.is_absolute() or ".." in path.parts or "\\" in value or "\0" in value:
            raise ValueError(
                f"values_file {value!r} must be a path relative to the GitOps repository, "
                "without '..'"
            )
        return value


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
    item_path = ""

    def accepts(self, data: dict[str, Any]) -> bool:
        return "type" in data and "resource" in data

    def items(self, data: dict[str, Any]) -> list[Any]:
        return [data]

    def parse_item(self, item: Any) -> Incident:
        return incident_from_legacy(LegacyIssue.model_validate(item))

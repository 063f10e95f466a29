"""The Incident: one problem with one workload, parsed from any input form, and its identity."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from dr_kube.incidents.identity import incident_key, subject_key


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class WorkloadRef(Frozen):
    kind: str = "Deployment"
    name: str


class AlertRef(BaseModel):
    """One alert an incident holds: what it is called and which pod it came from."""

    model_config = ConfigDict(extra="forbid")

    alertname: str
    fingerprint: str
    status: Literal["firing", "resolved"] = "firing"
    pod: str | None = None
    container: str | None = None
    workload: str | None = None  # `Kind/name`, for a node incident the workload it hit
    starts_at: datetime | None = None

    def line(self) -> str:
        where = (
            f" {self.pod}" + (f" ({self.container})" if self.container else "") if self.pod else ""
        )
        owner = f" of {self.workload}" if self.workload else ""
        return f"{self.alertname}{where}{owner} [{self.status}]"


class Incident(BaseModel):
    """One problem with one workload (or node), parsed from any input form.

    It is made from one alert; `alerts` lists every alert the incident holds (itself first) once
    alerts about the same subject and cause have joined it."""

    model_config = ConfigDict(extra="forbid")

    id: str
    alertname: str
    status: Literal["firing", "resolved"] = "firing"
    namespace: str
    workload: WorkloadRef | None = None
    pod: str | None = None
    container: str | None = None
    category_hint: str | None = None
    severity: str | None = None
    summary: str = ""
    description: str = ""
    logs: list[str] = Field(default_factory=list)
    starts_at: datetime | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    fingerprint: str | None = None
    values_file: str | None = None
    alerts: list[AlertRef] = Field(default_factory=list)

    def subject(self) -> str:
        """`ns/Kind/name` of the workload (or `_cluster/Node/name`); a bare pod stands for itself."""
        workload = self.workload or WorkloadRef(kind="Pod", name=self.pod or "unknown")
        return subject_key(self.namespace, workload.kind, workload.name)

    def key(self, category: str | None = None) -> str:
        """`ns/Kind/name/category`: one incident, one branch, one PR."""
        return incident_key(self.subject(), category or self.category_hint)

    def alert_ref(self) -> AlertRef:
        workload = f"{self.workload.kind}/{self.workload.name}" if self.workload else None
        return AlertRef(
            alertname=self.alertname,
            fingerprint=self.fingerprint or self.id,
            status=self.status,
            pod=self.pod,
            container=self.container,
            workload=workload,
            starts_at=self.starts_at,
        )

    def all_alerts(self) -> list[AlertRef]:
        """The alerts this incident holds: `alerts` once joined, else the one it was made from."""
        return self.alerts or [self.alert_ref()]

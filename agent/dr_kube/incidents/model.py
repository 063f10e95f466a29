"""The Incident: one problem with one workload, parsed from any input form, and its identity."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class WorkloadRef(Frozen):
    kind: str = "Deployment"
    name: str


class Incident(BaseModel):
    """One problem with one workload, parsed from any input form."""

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

    def key(self, category: str | None = None) -> str:
        """`ns/Kind/name/category`: one incident, one branch, one PR."""
        workload = self.workload or WorkloadRef(kind="Pod", name=self.pod or "unknown")
        cat = category or self.category_hint or "unknown"
        return f"{self.namespace}/{workload.kind}/{workload.name}/{cat}"

"""What the MCP tools return: one pydantic model per tool, published as its output schema."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from dr_kube.models import Diagnosis, FixResult, PathKey, PullRequestInfo, Result
from dr_kube.store.audit import AuditRecord
from dr_kube.values_model import FieldControl


class IncidentItem(BaseModel):
    """One incident as the list shows it."""

    id: str
    key: str = Field(description="ns/Kind/name/category: one incident, one branch, one PR")
    status: str
    namespace: str
    workload: str
    category: str
    created_at: float = Field(description="Unix time")
    updated_at: float = Field(description="Unix time")
    alert_count: int
    alertnames: list[str] = Field(default_factory=list)
    firing: int = Field(default=0, description="How many of its alerts still fire")
    pr_number: int | None = None
    pr_url: str | None = None
    branch: str | None = None
    outcome: str | None = None
    error: str | None = None


class IncidentList(BaseModel):
    items: list[IncidentItem]
    total: int = Field(description="Incidents matching the filters (the list holds at most limit)")


class IncidentView(IncidentItem):
    """One incident in full: what fired, what was found, what was proposed and what happened."""

    diagnosis: Diagnosis | None = None
    fix: FixResult | None = None
    pr: PullRequestInfo | None = None
    subjects: list[str] = Field(default_factory=list, description="ns/Kind/name it is about")
    held_alerts: list[dict[str, Any]] = Field(
        default_factory=list, description="Every alert it holds, with its status"
    )
    alerts: list[dict[str, Any]] = Field(
        default_factory=list, description="Deliveries, newest first"
    )
    attempts: list[dict[str, Any]] = Field(default_factory=list)
    reviews: list[dict[str, Any]] = Field(default_factory=list)
    events: list[dict[str, Any]] = Field(
        default_factory=list, description="Its audit records (seq, ts, kind, actor, message)"
    )
    operations: dict[str, Any] | None = Field(
        default=None, description="Mode, Slack thread, sync and verification"
    )


class Diagnoses(BaseModel):
    """A dry run: what `dr-kube run` would print (dr-kube/result@1 per incident); nothing written."""

    results: list[Result]
    errors: list[str] = Field(default_factory=list, description="Incidents that could not be run")


class ChartRef(BaseModel):
    name: str
    version: str | None = None
    source: str | None = None


class FieldExplanation(BaseModel):
    """Where one field of a workload is set in the GitOps repository, and how that is known."""

    workload: str = Field(description="ns/Kind/name")
    field: str = Field(description="resources.limits.memory, livenessProbe.timeoutSeconds, ...")
    container: str | None = None
    app: str | None = Field(default=None, description="The Argo CD Application deploying it")
    app_file: str | None = None
    values_file: str
    key_path: list[PathKey] | None = Field(
        default=None, description="The values key that sets the field (None: no key does)"
    )
    dotted: str | None = Field(default=None, description="key_path as a.b[0].c")
    in_values_file: bool = Field(default=False, description="The key is already in values_file")
    value_in_file: Any = None
    rendered_value: Any = Field(default=None, description="The field's value in the chart's render")
    live_value: Any = Field(default=None, description="What runs, when it differs from the render")
    proven_by_render: bool = Field(
        default=False, description="Helm rendered the chart and changing the key moves the field"
    )
    hard_coded: bool = Field(default=False, description="The template sets it; no key moves it")
    shared_with: list[str] = Field(default_factory=list, description="Other objects the key moves")
    chart: ChartRef | None = None
    chart_missing: str | None = None
    rendered_object: str | None = Field(default=None, description="Kind/name in the render")
    template: str | None = Field(default=None, description="The chart template rendering it")
    values_files: list[str] = Field(default_factory=list, description="As Argo CD layers them")
    how: list[str] = Field(default_factory=list, description="How each step was decided")
    drift: list[str] = Field(default_factory=list)
    controls: list[FieldControl] = Field(
        default_factory=list, description="Every field rendering found a key for"
    )


class AuditTrail(BaseModel):
    items: list[AuditRecord]
    next_after: int | None = Field(default=None, description="Pass as after for the next page")


class AuditVerdict(BaseModel):
    ok: bool
    records: int = Field(description="Records verified before the first problem (all when ok)")
    first_bad: int | None = None
    problem: str | None = None

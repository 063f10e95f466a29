"""Pydantic models of the HTTP API, and the OpenAPI request bodies of the webhooks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, computed_field


def iso(ts: float | None) -> str | None:
    """Unix seconds as ISO 8601 in UTC (`2026-11-24T21:00:00.000Z`)."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def with_iso(item: dict[str, Any]) -> dict[str, Any]:
    """A nested record with `<name>_iso` beside each of its Unix-time numbers (`*_at`, `ts`)."""
    out = dict(item)
    for key, value in item.items():
        stamp = key.endswith("_at") or key == "ts"
        if stamp and isinstance(value, int | float) and not isinstance(value, bool):
            out[f"{key}_iso"] = iso(float(value))
    return out


class Problem(BaseModel):
    detail: str


class RejectedAlert(BaseModel):
    index: int = Field(description="Position of the alert in the delivery's alerts[]")
    reason: str


class Accepted(BaseModel):
    accepted: int = Field(description="Alerts stored")
    incidents: list[dict[str, Any]] = Field(default_factory=list)
    rejected: list[RejectedAlert] = Field(
        default_factory=list, description="Bad alerts of the delivery, not stored, and why"
    )
    dropped: int = Field(
        default=0, description="Alerts beyond DRKUBE_MAX_ALERTS, not read and not stored"
    )


class GitHubAck(BaseModel):
    status: str = Field(description="queued | closed | recorded | ignored | pong")
    reason: str | None = None
    incident: str | None = None


class IncidentSummary(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    key: str
    status: str
    namespace: str
    workload: str
    category: str
    created_at: float
    updated_at: float
    alert_count: int
    pr_number: int | None = None
    pr_url: str | None = None
    branch: str | None = None
    outcome: str | None = None
    limit_hit: str | None = None
    error: str | None = None
    alertnames: list[str] = Field(
        default_factory=list, description="The distinct alert names this incident holds"
    )
    firing: int = Field(default=0, description="How many of its alerts still fire")

    # ISO 8601 (UTC) beside the Unix-time numbers, which stay for the clients that read them
    @computed_field  # type: ignore[prop-decorator]
    @property
    def created_at_iso(self) -> str | None:
        return iso(self.created_at)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def updated_at_iso(self) -> str | None:
        return iso(self.updated_at)


class IncidentList(BaseModel):
    items: list[IncidentSummary]


class Operations(BaseModel):
    """Where an incident stands with its operators: mode, Slack thread, sync and verification."""

    mode: str
    slack_channel: str | None = None
    slack_thread: str | None = Field(default=None, description="ts of the thread's root message")
    app: str | None = Field(default=None, description="Argo CD Application holding the fix")
    revision: str | None = Field(default=None, description="Merged commit of the fix")
    merged_at: float | None = None
    synced_at: float | None = None
    verify_at: float | None = Field(default=None, description="When verification is due")
    verification: dict[str, Any] | None = Field(
        default=None, description="The last verification: outcome and the numbers behind it"
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def merged_at_iso(self) -> str | None:
        return iso(self.merged_at)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def synced_at_iso(self) -> str | None:
        return iso(self.synced_at)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def verify_at_iso(self) -> str | None:
        return iso(self.verify_at)


class IncidentDetail(IncidentSummary):
    diagnosis: dict[str, Any] | None = None
    fix: dict[str, Any] | None = None
    pr: dict[str, Any] | None = None
    pr_disabled: str | None = Field(
        default=None,
        description="Pull requests are off: why, and what to set (the fix is a pushed branch)",
    )
    changes: list[dict[str, Any]] = Field(default_factory=list)
    alerts: list[dict[str, Any]] = Field(
        default_factory=list, description="Deliveries, newest first"
    )
    held_alerts: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Every alert the incident holds (same workload, or node, and cause), with its status",
    )
    subjects: list[str] = Field(
        default_factory=list, description="The workloads (ns/Kind/name) or node it is about"
    )
    attempts: list[dict[str, Any]] = Field(default_factory=list)
    reviews: list[dict[str, Any]] = Field(default_factory=list)
    replies: list[dict[str, Any]] = Field(default_factory=list)
    events: list[dict[str, Any]] = Field(default_factory=list)
    operations: Operations | None = None


STRING_MAP = {"type": "object", "additionalProperties": {"type": "string"}}
ALERT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["labels"],
    "properties": {
        "status": {"type": "string", "enum": ["firing", "resolved"]},
        "labels": STRING_MAP,
        "annotations": STRING_MAP,
        "startsAt": {"type": "string", "format": "date-time"},
        "endsAt": {"type": "string"},
        "generatorURL": {"type": "string"},
        "fingerprint": {"type": "string"},
    },
}
ALERTMANAGER_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "Alertmanager webhook payload (version 4), or a single alert object.",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["version", "alerts"],
                    "properties": {
                        "version": {"type": "string", "example": "4"},
                        "status": {"type": "string"},
                        "receiver": {"type": "string"},
                        "groupKey": {"type": "string"},
                        "truncatedAlerts": {"type": "integer"},
                        "groupLabels": STRING_MAP,
                        "commonLabels": STRING_MAP,
                        "commonAnnotations": STRING_MAP,
                        "externalURL": {"type": "string"},
                        "alerts": {"type": "array", "items": ALERT_SCHEMA},
                    },
                }
            }
        },
    }
}
GITHUB_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "A GitHub webhook delivery (issue_comment, pull_request_review, "
        "pull_request_review_comment, pull_request, ping), signed with X-Hub-Signature-256.",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}

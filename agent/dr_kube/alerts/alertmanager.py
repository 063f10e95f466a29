"""Alertmanager's forms: the version-4 webhook payload and a single alert object."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from dr_kube.alerts.labels import category_for, check_name_labels, stable_fingerprint
from dr_kube.alerts.subject import Subject, subject_from_labels
from dr_kube.errors import InputError
from dr_kube.incidents.model import Incident

ZERO_TIME = "0001-01-01T00:00:00Z"


class AlertmanagerAlert(BaseModel):
    """One alert as Alertmanager sends it (webhook `alerts[]`) or as its API returns it."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    status: Literal["firing", "resolved"] = "firing"
    labels: dict[str, str]
    annotations: dict[str, str] = Field(default_factory=dict)
    starts_at: datetime | None = Field(default=None, alias="startsAt")
    ends_at: str | None = Field(default=None, alias="endsAt")
    generator_url: str | None = Field(default=None, alias="generatorURL")
    fingerprint: str | None = None

    @field_validator("labels")
    @classmethod
    def _names(cls, labels: dict[str, str]) -> dict[str, str]:
        return check_name_labels(labels)

    @model_validator(mode="after")
    def _subject(self) -> AlertmanagerAlert:
        """An alert DR-Kube can act on names itself and a namespace (or a node): one
        ValidationError per alert that does not, like any other malformed field."""
        alertname = self.labels.get("alertname")
        if not alertname:
            raise ValueError("alert has no 'alertname' label")
        subject = self.subject()
        node = subject.workload is not None and subject.workload.kind == "Node"
        if not subject.namespace and not node:
            raise ValueError(f"alert {alertname} has no 'namespace' label")
        return self

    def subject(self) -> Subject:
        return subject_from_labels(self.labels, self.category())

    def category(self) -> str | None:
        return category_for(self.labels.get("alertname", ""), self.labels)


class WebhookPayload(BaseModel):
    """Alertmanager's webhook body, version 4. Its alerts are validated one by one
    (`AlertmanagerAlert`), so that one bad alert does not cost the others."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    version: str
    status: Literal["firing", "resolved"] = "firing"
    receiver: str = ""
    group_key: str = Field(default="", alias="groupKey")
    alerts: list[Any]
    truncated_alerts: int = Field(default=0, alias="truncatedAlerts")


def incident_from_alert(alert: AlertmanagerAlert) -> Incident:
    labels = alert.labels
    alertname = labels["alertname"]  # the model checked it, and the subject
    category = alert.category()
    subject = alert.subject()
    status = alert.status
    fingerprint = alert.fingerprint or stable_fingerprint(labels)
    return Incident(
        id=fingerprint,
        alertname=alertname,
        status=status,
        namespace=subject.namespace or "",
        workload=subject.workload,
        pod=subject.pod,
        container=subject.container,
        category_hint=category,
        severity=labels.get("severity"),
        summary=alert.annotations.get("summary", ""),
        description=alert.annotations.get("description", "")
        or alert.annotations.get("message", ""),
        starts_at=alert.starts_at,
        labels=labels,
        annotations=alert.annotations,
        fingerprint=fingerprint,
    )


class WebhookSource:
    describe = "an Alertmanager webhook payload (alerts[])"
    item_path = "alerts"

    def accepts(self, data: dict[str, Any]) -> bool:
        return "alerts" in data

    def items(self, data: dict[str, Any]) -> list[Any]:
        payload = WebhookPayload.model_validate(data)
        if not payload.alerts:
            raise InputError("the webhook payload has no alerts")
        return payload.alerts

    def parse_item(self, item: Any) -> Incident:
        return incident_from_alert(AlertmanagerAlert.model_validate(item))


class SingleAlertSource:
    describe = "an alert object (labels, annotations)"
    item_path = ""

    def accepts(self, data: dict[str, Any]) -> bool:
        return "labels" in data

    def items(self, data: dict[str, Any]) -> list[Any]:
        return [data]

    def parse_item(self, item: Any) -> Incident:
        return incident_from_alert(AlertmanagerAlert.model_validate(item))

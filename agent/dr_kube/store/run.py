"""Bind a service run to the store: its audit records and its memory belong to one incident."""

from __future__ import annotations

from typing import Any

from dr_kube.incidents.model import AlertRef, Incident
from dr_kube.store.history import BoundMemory, StoreMemory
from dr_kube.store.store import Store


class StoreAudit:
    """The audit sink of one incident's run: every record goes to the store's chain."""

    def __init__(self, store: Store, incident_id: str) -> None:
        self.store = store
        self.incident_id = incident_id

    def record(
        self, kind: str, message: str, data: dict[str, Any] | None = None, actor: str | None = None
    ) -> None:
        self.store.event(self.incident_id, kind, message, actor=actor, data=data)


class StoreAlerts:
    """The alerts the incident holds in the store now (more may have joined since the claim)."""

    def __init__(self, store: Store, incident_id: str) -> None:
        self.store = store
        self.incident_id = incident_id

    def alerts(self, incident: Incident) -> list[AlertRef]:
        return self.store.alerts_of(self.incident_id) or incident.all_alerts()


def bind_store(ctx: Any, store: Store, incident_id: str) -> None:
    """Give a run context (`RunContext`) the store's audit trail, memory and alerts for this
    incident."""
    ctx.audit = StoreAudit(store, incident_id)
    ctx.memory = BoundMemory(StoreMemory(store), incident_id)
    ctx.alerts = StoreAlerts(store, incident_id)

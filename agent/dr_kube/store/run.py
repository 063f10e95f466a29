"""Bind a service run to the store: its audit records and its memory belong to one incident."""

from __future__ import annotations

from typing import Any

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


def bind_store(ctx: Any, store: Store, incident_id: str) -> None:
    """Give a run context (`RunContext`) the store's audit trail and memory for this incident."""
    ctx.audit = StoreAudit(store, incident_id)
    ctx.memory = BoundMemory(StoreMemory(store), incident_id)

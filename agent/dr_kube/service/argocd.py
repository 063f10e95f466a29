"""Argo CD notifications (values/argocd.yaml's `dr-kube` webhook): a synced fix starts verification."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from dr_kube.config.operators import OperatorSettings
from dr_kube.slack.outbox import SlackNotifier
from dr_kube.store import Store
from dr_kube.store.ops import OpsStore

log = logging.getLogger(__name__)


class ArgoNotification(BaseModel):
    """The body the notifications templates send (`sync-succeeded`, `sync-failed`,
    `health-degraded`); unknown fields are kept, missing optional ones are empty strings or null."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    event: str = Field(min_length=1, max_length=64)
    app: str = Field(min_length=1, max_length=253)
    namespace: str | None = Field(default=None, max_length=253)
    revision: str | None = Field(default=None, max_length=200)
    revisions: list[str] | None = None
    sync_status: str | None = Field(default=None, alias="syncStatus", max_length=64)
    health_status: str | None = Field(default=None, alias="healthStatus", max_length=64)
    operation_phase: str | None = Field(default=None, alias="operationPhase", max_length=64)
    finished_at: str | None = Field(default=None, alias="finishedAt", max_length=64)
    message: str | None = Field(default=None, max_length=10_000)

    def all_revisions(self) -> set[str]:
        return {r for r in [self.revision, *(self.revisions or [])] if r}


@dataclass
class ArgoOutcome:
    code: int
    status: str
    reason: str | None = None
    incidents: list[str] = field(default_factory=list)


def clock(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%H:%M:%S UTC")


class ArgoCDHandler:
    def __init__(
        self,
        store: Store,
        ops: OpsStore,
        notify: SlackNotifier,
        settings: OperatorSettings,
        known_apps: Callable[[], set[str]] = set,
        is_ancestor: Callable[[str, str], bool] | None = None,
    ) -> None:
        self.store = store
        self.ops = ops
        self.notify = notify
        self.settings = settings
        self.known_apps = known_apps
        self.is_ancestor = is_ancestor

    def _known(self, app: str) -> bool:
        if self.ops.app_known(app):
            return True
        try:
            return app in self.known_apps()
        except Exception as exc:
            log.warning("could not list the GitOps repository's applications: %s", exc)
            return False

    def _holds_fix(self, fix: str | None, n: ArgoNotification) -> bool:
        """The synced revision is the fix's merge commit, or a later commit that contains it."""
        synced = n.all_revisions()
        if fix is None:
            return bool(synced)  # merge commit unknown: any revision synced after the merge
        if fix in synced:
            return True
        if self.is_ancestor is None:
            return False
        return any(self.is_ancestor(fix, rev) for rev in synced)

    def handle(self, n: ArgoNotification) -> ArgoOutcome:
        if not self._known(n.app):
            return ArgoOutcome(404, "unknown", f"no application {n.app!r} is known to DR-Kube")
        waiting = self.ops.waiting_for_sync(n.app)
        if not waiting:
            return ArgoOutcome(200, "ignored", f"no merged fix waits for {n.app}")
        touched: list[str] = []
        for row in waiting:
            incident_id = row["incident_id"]
            if not self._holds_fix(row["revision"], n):
                continue
            if (
                n.event == "sync-succeeded"
                and n.sync_status == "Synced"
                and n.health_status == "Healthy"
            ):
                if row["synced_at"] is not None:
                    continue  # a repeated notification: the window already runs
                until = self.ops.synced(incident_id, self.settings.verify_window)
                rev = (n.revision or "")[:12]
                self.store.event(
                    incident_id,
                    "verify",
                    f"Argo CD synced {n.app} at {rev}, Healthy: verification window until {clock(until)}",
                )
                self.notify.reply(
                    incident_id,
                    f"Argo CD synced `{n.app}` at `{rev}` (Synced, Healthy). "
                    f"Verifying until {clock(until)}.",
                )
                touched.append(incident_id)
            elif n.event in ("sync-failed", "health-degraded") or n.sync_status or n.health_status:
                what = {
                    "sync-failed": "failed to sync",
                    "health-degraded": "is Degraded",
                }.get(n.event, f"is {n.sync_status or '?'} / {n.health_status or '?'}")
                detail = f": {n.message[:300]}" if n.message else ""
                self.store.event(incident_id, "argocd", f"{n.app} {what}{detail}")
                self.notify.reply(incident_id, f"Argo CD: `{n.app}` {what}{detail}")
                touched.append(incident_id)
        if not touched:
            return ArgoOutcome(200, "ignored", "no waiting fix in this revision")
        return ArgoOutcome(202, "recorded", n.event, touched)

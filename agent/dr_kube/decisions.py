"""A person's decision on a proposal: open the PR, ask for a change, or ignore the incident.

Slack's buttons and the web console both come here, so the rules (which status allows what) and
the records (the audit event, the queued review, the PR comment, the Slack thread) are the same
whichever channel the decision came through. Who may decide is the caller's check: each channel
has its own allow-list (`DRKUBE_SLACK_APPROVERS`, `DRKUBE_CONSOLE_APPROVERS`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from dr_kube.slack.outbox import SlackNotifier
from dr_kube.store import Store
from dr_kube.store.ops import OpsStore

log = logging.getLogger(__name__)

Action = Literal["open", "change", "ignore"]
WHAT: dict[Action, str] = {
    "open": "open the PR",
    "change": "request a change",
    "ignore": "ignore the incident",
}
Outcome = Literal["queued", "ignored", "stale", "unknown", "invalid", "refused"]


@dataclass(frozen=True)
class Decider:
    """Who decides and through which channel, as the records name them."""

    user: str  # the channel's id of the person: a Slack user id, a console user name
    channel: Literal["slack", "console"]
    mention: str  # how Slack messages name them: `<@U…>` or the plain name
    where: str  # "Slack channel C…", "Slack", "the web console"
    via: str  # "Slack", "the web console"
    data: dict[str, Any] = field(default_factory=dict)  # extra fields of the audit record

    @property
    def actor(self) -> str:
        return f"{self.channel}:{self.user}"


@dataclass
class Decision:
    outcome: Outcome
    message: str = ""


class Decisions:
    def __init__(
        self,
        store: Store,
        ops: OpsStore,
        notify: SlackNotifier,
        wake: Callable[[], None] = lambda: None,
    ) -> None:
        self.store = store
        self.ops = ops
        self.notify = notify
        self.wake = wake

    def refuse(self, incident_id: str, who: Decider, action: Action) -> Decision:
        """Someone not on the channel's allow-list tried: recorded, nothing else changes."""
        what = WHAT[action]
        log.warning(
            "%s user %s may not %s on incident %s: refused", who.via, who.user, what, incident_id
        )
        if self.ops.incident(incident_id) is not None:
            label = "Slack user" if who.channel == "slack" else "console user"
            self.store.event(
                incident_id,
                who.channel,
                f"refused {what} from {label} {who.user}: not an approver",
                actor=who.actor,
                data={"action": what, **who.data, "refused": True},
            )
        return Decision("refused", f"only DR-Kube approvers may {what}")

    def approve(self, incident_id: str, who: Decider) -> Decision:
        row = self.ops.incident(incident_id)
        if row is None:
            return Decision("unknown", f"No incident {incident_id!r}.")
        if row["status"] != "awaiting-approval":
            return Decision("stale", f"Nothing to approve: the incident is {row['status']}.")
        self.ops.queue_action(incident_id, who.actor, "open", "", who.channel)
        self.store.event(
            incident_id,
            "approval",
            f"Open PR approved by {who.user} in {who.where}",
            actor=who.actor,
            data={"action": "open-pr", **who.data},
        )
        self.notify.settle(incident_id, f"✅ Approved by {who.mention}: opening the PR")
        self.notify.reply(
            incident_id,
            f"{who.mention} approved: opening the PR (validated again on a fresh base).",
        )
        self.wake()
        return Decision("queued", "Approved: opening the PR (validated again on a fresh base).")

    def _explained(self, incident_id: str, text: str) -> tuple[dict[str, Any], str] | Decision:
        """The incident and the person's words, or why the decision cannot be taken."""
        row = self.ops.incident(incident_id)
        if row is None:
            return Decision("unknown", f"No incident {incident_id!r}.")
        if not text.strip():
            return Decision("invalid", "Please write something.")
        return row, text.strip()

    def request_change(self, incident_id: str, who: Decider, text: str) -> Decision:
        found = self._explained(incident_id, text)
        if isinstance(found, Decision):
            return found
        row, text = found
        if row["status"] not in ("awaiting-approval", "awaiting-review"):
            return Decision("invalid", f"The incident is {row['status']}; nothing to change now.")
        self.ops.queue_action(incident_id, who.actor, "change", text, who.channel)
        self.store.event(
            incident_id,
            "approval",
            f"change requested by {who.user} in {who.via}: {text[:200]}",
            actor=who.actor,
            data={"action": "request-change", **who.data},
        )
        self.notify.settle(incident_id, f"✏️ Change requested by {who.mention}: “{text}”")
        self.notify.reply(
            incident_id, f"{who.mention} asked for a change: “{text}”. Working on it."
        )
        self.wake()
        return Decision("queued", "Change requested: the proposal is being reworked.")

    def ignore(self, incident_id: str, who: Decider, text: str) -> Decision:
        found = self._explained(incident_id, text)
        if isinstance(found, Decision):
            return found
        row, text = found
        if row["status"] in ("closed", "resolved"):
            return Decision("invalid", f"The incident is already {row['status']}.")
        self.ops.ignore(incident_id, who.actor, text, who.channel)
        self.store.event(
            incident_id,
            "approval",
            f"ignored by {who.user} in {who.via}: {text[:200]}",
            actor=who.actor,
            data={"action": "ignore", **who.data},
        )
        if row["pr_number"]:
            self.store.outbox_add(
                incident_id, row["pr_number"], "comment", f"Ignored in {who.via}: {text}"
            )
            self.store.outbox_add(incident_id, row["pr_number"], "close", "")
        self.notify.settle(incident_id, f"🚫 Ignored by {who.mention}: “{text}”")
        self.notify.reply(incident_id, f"{who.mention} ignored this incident: “{text}”. Closed.")
        return Decision("ignored", "Ignored: the incident is closed.")

"""Slack interactivity: buttons (`block_actions`) and modal submissions (`view_submission`)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from dr_kube.slack import blocks
from dr_kube.slack.client import Approvers, SlackClient
from dr_kube.slack.outbox import SlackNotifier
from dr_kube.store import Store
from dr_kube.store.ops import OpsStore

log = logging.getLogger(__name__)


class SlackUser(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str = Field(min_length=1, max_length=64)
    username: str | None = None
    name: str | None = None


class SlackChannel(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str = Field(min_length=1, max_length=64)
    name: str | None = None


class SlackAction(BaseModel):
    model_config = ConfigDict(extra="allow")
    action_id: str = Field(max_length=255)
    value: str | None = Field(default=None, max_length=2000)


class BlockActions(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: Literal["block_actions"]
    user: SlackUser
    actions: list[SlackAction] = Field(min_length=1)
    trigger_id: str | None = None
    channel: SlackChannel | None = None
    container: dict[str, Any] = Field(default_factory=dict)


class InputValue(BaseModel):
    model_config = ConfigDict(extra="allow")
    value: str | None = None


class ViewState(BaseModel):
    model_config = ConfigDict(extra="allow")
    values: dict[str, dict[str, InputValue]] = Field(default_factory=dict)


class View(BaseModel):
    model_config = ConfigDict(extra="allow")
    callback_id: str = ""
    private_metadata: str = ""
    state: ViewState = Field(default_factory=ViewState)


class ViewSubmission(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: Literal["view_submission"]
    user: SlackUser
    view: View


@dataclass
class Answer:
    """What `POST /webhooks/slack` answers: Slack wants a 200 within 3 seconds."""

    status: str
    body: dict[str, Any] = field(default_factory=dict)
    incident: str | None = None


class SlackActions:
    def __init__(
        self,
        store: Store,
        ops: OpsStore,
        client: SlackClient | None,
        approvers: Approvers,
        notify: SlackNotifier,
        wake: Callable[[], None] = lambda: None,
    ) -> None:
        self.store = store
        self.ops = ops
        self.client = client
        self.approvers = approvers
        self.notify = notify
        self.wake = wake

    # ---- entry ---------------------------------------------------------------------------------
    def handle(self, payload: BlockActions | ViewSubmission) -> Answer:
        if isinstance(payload, BlockActions):
            return self._button(payload)
        return self._submit(payload)

    def _permitted(self, user: str) -> bool:
        try:
            return self.approvers.allowed(user)
        except Exception as exc:  # usergroups.users.list failed: refuse, do not guess
            log.warning("could not resolve Slack approver groups: %s", exc)
            return False

    def _refuse(self, incident_id: str, user: str, what: str, channel: str | None) -> Answer:
        log.warning("Slack user %s may not %s on incident %s: refused", user, what, incident_id)
        if self.ops.incident(incident_id) is not None:
            self.store.event(
                incident_id,
                "slack",
                f"refused {what} from Slack user {user}: not an approver",
                actor=f"slack:{user}",
                data={"action": what, "channel": channel, "refused": True},
            )
        if self.client is not None and channel:
            try:
                self.client.ephemeral(
                    channel, user, f"Sorry <@{user}>, only DR-Kube approvers may {what}."
                )
            except Exception as exc:
                log.warning("ephemeral refusal to %s failed: %s", user, exc)
        return Answer("refused", incident=incident_id)

    # ---- buttons -------------------------------------------------------------------------------
    def _button(self, p: BlockActions) -> Answer:
        action = p.actions[0]
        incident_id = action.value or ""
        channel = p.channel.id if p.channel else None
        what = {
            blocks.OPEN_PR: "open the PR",
            blocks.REQUEST_CHANGE: "request a change",
            blocks.IGNORE: "ignore the incident",
        }.get(action.action_id)
        if what is None:
            return Answer("ignored", {"reason": f"unknown action {action.action_id!r}"})
        if not self._permitted(p.user.id):
            return self._refuse(incident_id, p.user.id, what, channel)
        row = self.ops.incident(incident_id)
        if row is None:
            return self._tell(channel, p.user.id, f"No incident {incident_id!r}.", "unknown")
        if action.action_id == blocks.OPEN_PR:
            if row["status"] != "awaiting-approval":
                return self._tell(
                    channel,
                    p.user.id,
                    f"Nothing to approve: the incident is {row['status']}.",
                    "stale",
                )
            self.ops.queue_action(incident_id, f"slack:{p.user.id}", "open", "")
            where = f"Slack channel {channel}" if channel else "Slack"
            self.store.event(
                incident_id,
                "approval",
                f"Open PR approved by {p.user.id} in {where}",
                actor=f"slack:{p.user.id}",
                data={"action": "open-pr", "channel": channel},
            )
            self.notify.settle(incident_id, f"✅ Approved by <@{p.user.id}>: opening the PR")
            self.notify.reply(
                incident_id,
                f"<@{p.user.id}> approved: opening the PR (validated again on a fresh base).",
            )
            self.wake()
            return Answer("queued", incident=incident_id)
        kind = (
            blocks.CHANGE_VIEW if action.action_id == blocks.REQUEST_CHANGE else blocks.IGNORE_VIEW
        )
        if self.client is None or not p.trigger_id:
            return Answer("ignored", {"reason": "no trigger_id to open a modal"}, incident_id)
        try:
            self.client.open_modal(p.trigger_id, blocks.modal(kind, incident_id))
        except Exception as exc:
            log.warning("views.open failed for incident %s: %s", incident_id, exc)
            return self._tell(channel, p.user.id, "Could not open the form; try again.", "failed")
        return Answer("modal", incident=incident_id)

    def _tell(self, channel: str | None, user: str, text: str, status: str) -> Answer:
        if self.client is not None and channel:
            try:
                self.client.ephemeral(channel, user, text)
            except Exception as exc:
                log.warning("ephemeral message to %s failed: %s", user, exc)
        return Answer(status, {"reason": text})

    # ---- modal submissions ---------------------------------------------------------------------
    def _submit(self, p: ViewSubmission) -> Answer:
        view = p.view
        incident_id = view.private_metadata
        value = view.state.values.get(blocks.TEXT_BLOCK, {}).get(blocks.TEXT_ACTION)
        text = ((value.value if value else None) or "").strip()

        def error(message: str) -> Answer:
            return Answer(
                "invalid",
                {"response_action": "errors", "errors": {blocks.TEXT_BLOCK: message}},
                incident_id,
            )

        if view.callback_id not in (blocks.CHANGE_VIEW, blocks.IGNORE_VIEW):
            return Answer("ignored", {}, None)
        what = (
            "request a change" if view.callback_id == blocks.CHANGE_VIEW else "ignore the incident"
        )
        if not self._permitted(p.user.id):
            self._refuse(incident_id, p.user.id, what, None)
            return error("Only DR-Kube approvers may do this.")
        row = self.ops.incident(incident_id)
        if row is None:
            return error(f"No incident {incident_id!r}.")
        if not text:
            return error("Please write something.")
        author = f"slack:{p.user.id}"
        if view.callback_id == blocks.CHANGE_VIEW:
            if row["status"] not in ("awaiting-approval", "awaiting-review"):
                return error(f"The incident is {row['status']}; nothing to change now.")
            self.ops.queue_action(incident_id, author, "change", text)
            self.store.event(
                incident_id,
                "approval",
                f"change requested by {p.user.id} in Slack: {text[:200]}",
                actor=f"slack:{p.user.id}",
                data={"action": "request-change"},
            )
            self.notify.settle(incident_id, f"✏️ Change requested by <@{p.user.id}>: “{text}”")
            self.notify.reply(
                incident_id, f"<@{p.user.id}> asked for a change: “{text}”. Working on it."
            )
            self.wake()
            return Answer("queued", {}, incident_id)
        if row["status"] in ("closed", "resolved"):
            return error(f"The incident is already {row['status']}.")
        self.ops.ignore(incident_id, author, text)
        self.store.event(
            incident_id,
            "approval",
            f"ignored by {p.user.id} in Slack: {text[:200]}",
            actor=f"slack:{p.user.id}",
            data={"action": "ignore"},
        )
        if row["pr_number"]:
            self.store.outbox_add(
                incident_id, row["pr_number"], "comment", f"Ignored in Slack: {text}"
            )
            self.store.outbox_add(incident_id, row["pr_number"], "close", "")
        self.notify.settle(incident_id, f"🚫 Ignored by <@{p.user.id}>: “{text}”")
        self.notify.reply(incident_id, f"<@{p.user.id}> ignored this incident: “{text}”. Closed.")
        return Answer("ignored", {}, incident_id)

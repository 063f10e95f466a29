"""Slack interactivity: buttons (`block_actions`) and modal submissions (`view_submission`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from dr_kube.decisions import WHAT, Action, Decider, Decisions
from dr_kube.slack import blocks
from dr_kube.slack.client import Approvers, SlackClient

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
        client: SlackClient | None,
        approvers: Approvers,
        decisions: Decisions,
    ) -> None:
        self.client = client
        self.approvers = approvers
        self.decisions = decisions

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

    @staticmethod
    def _decider(user: str, channel: str | None, in_channel: bool) -> Decider:
        return Decider(
            user=user,
            channel="slack",
            mention=f"<@{user}>",
            where=f"Slack channel {channel}" if channel else "Slack",
            via="Slack",
            data={"channel": channel} if in_channel else {},
        )

    def _refuse(self, incident_id: str, user: str, action: Action, channel: str | None) -> Answer:
        self.decisions.refuse(incident_id, self._decider(user, channel, True), action)
        if self.client is not None and channel:
            try:
                self.client.ephemeral(
                    channel, user, f"Sorry <@{user}>, only DR-Kube approvers may {WHAT[action]}."
                )
            except Exception as exc:
                log.warning("ephemeral refusal to %s failed: %s", user, exc)
        return Answer("refused", incident=incident_id)

    # ---- buttons -------------------------------------------------------------------------------
    def _button(self, p: BlockActions) -> Answer:
        action = p.actions[0]
        incident_id = action.value or ""
        channel = p.channel.id if p.channel else None
        kind: Action | None = {
            blocks.OPEN_PR: "open",
            blocks.REQUEST_CHANGE: "change",
            blocks.IGNORE: "ignore",
        }.get(action.action_id)  # type: ignore[assignment]
        if kind is None:
            return Answer("ignored", {"reason": f"unknown action {action.action_id!r}"})
        if not self._permitted(p.user.id):
            return self._refuse(incident_id, p.user.id, kind, channel)
        if self.decisions.ops.incident(incident_id) is None:
            return self._tell(channel, p.user.id, f"No incident {incident_id!r}.", "unknown")
        if kind == "open":
            decided = self.decisions.approve(
                incident_id, self._decider(p.user.id, channel, in_channel=True)
            )
            if decided.outcome != "queued":
                return self._tell(channel, p.user.id, decided.message, decided.outcome)
            return Answer("queued", incident=incident_id)
        view = blocks.CHANGE_VIEW if kind == "change" else blocks.IGNORE_VIEW
        if self.client is None or not p.trigger_id:
            return Answer("ignored", {"reason": "no trigger_id to open a modal"}, incident_id)
        try:
            self.client.open_modal(p.trigger_id, blocks.modal(view, incident_id))
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
        kind: Action = "change" if view.callback_id == blocks.CHANGE_VIEW else "ignore"
        if not self._permitted(p.user.id):
            self._refuse(incident_id, p.user.id, kind, None)
            return error("Only DR-Kube approvers may do this.")
        who = self._decider(p.user.id, None, in_channel=False)
        if kind == "change":
            decided = self.decisions.request_change(incident_id, who, text)
        else:
            decided = self.decisions.ignore(incident_id, who, text)
        if decided.outcome in ("unknown", "invalid"):
            return error(decided.message)
        return Answer(decided.outcome, {}, incident_id)

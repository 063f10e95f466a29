"""Slack messages go through a durable outbox: queued in the store, sent by a background loop
with retries and backoff. A slow or unreachable Slack never blocks a run or a webhook; a message
that cannot be sent is recorded on the incident."""

from __future__ import annotations

import json
import logging
from typing import Any

from dr_kube.config.operators import OperatorSettings
from dr_kube.slack import blocks
from dr_kube.slack.client import SlackClient
from dr_kube.store import Store
from dr_kube.store.ops import OpsStore

log = logging.getLogger(__name__)


class SlackNotifier:
    """Queue messages for an incident's thread (nothing is sent here)."""

    def __init__(self, ops: OpsStore, settings: OperatorSettings) -> None:
        self.ops = ops
        self.settings = settings
        self.enabled = settings.slack_enabled

    def root(self, incident_id: str, text: str, blocks: list[dict[str, Any]]) -> None:
        """The thread's first message; once one exists, later proposals go into the thread."""
        if not self.enabled:
            return
        kind = "reply" if self.ops.slack_has_root(incident_id) else "root"
        self.ops.slack_add(incident_id, kind, {"text": text, "blocks": blocks})

    def reply(
        self, incident_id: str, text: str, blocks: list[dict[str, Any]] | None = None
    ) -> None:
        if not self.enabled:
            return
        body: dict[str, Any] = {"text": text}
        if blocks:
            body["blocks"] = blocks
        self.ops.slack_add(incident_id, "reply", body)

    def settle(self, incident_id: str, decision: str) -> None:
        """Take the buttons off the incident's proposals and say who decided what."""
        if not self.enabled:
            return
        self.ops.slack_add(incident_id, "settle", {"text": decision})


class SlackSender:
    """Send what the outbox holds; one call per message, in order per incident."""

    def __init__(
        self, ops: OpsStore, store: Store, client: SlackClient, settings: OperatorSettings
    ) -> None:
        self.ops = ops
        self.store = store
        self.client = client
        self.settings = settings

    def run_once(self) -> int:
        items = self.ops.slack_claim()
        for item in items:
            self._send(item)
        return len(items)

    def _send(self, item: dict[str, Any]) -> None:
        incident_id = item["incident_id"]
        body = json.loads(item["body"])
        ops = self.ops.get(incident_id) or {}
        channel = ops.get("slack_channel") or self.settings.slack_channel
        thread = ops.get("slack_ts")
        if not channel:
            self.ops.slack_done(item["id"], "recorded only: no Slack channel", failed=True)
            return
        if item["kind"] == "settle":
            self._settle(item, channel, body["text"])
            return
        if item["kind"] == "reply" and thread is None and self.ops.slack_root_pending(incident_id):
            self.ops.slack_retry(item["id"], 0.5, "waiting for the thread's root", count=False)
            return
        root = item["kind"] == "root" and thread is None
        try:
            ts = self.client.post(
                channel, body["text"], body.get("blocks"), thread_ts=None if root else thread
            )
        except Exception as exc:
            self._failed(item, exc)
            return
        if root:
            self.ops.set(incident_id, slack_ts=ts, slack_channel=channel)
        self.ops.slack_done(item["id"], f"posted {ts}", posted_ts=ts)
        where = f"{channel} (thread {ts})" if root else f"{channel} thread {thread or '-'}"
        self.store.event(incident_id, "slack", f"posted {item['kind']} message to {where}")

    def _settle(self, item: dict[str, Any], channel: str, decision: str) -> None:
        incident_id = item["incident_id"]
        if self.ops.slack_unsent_before(incident_id, item["id"]):
            self.ops.slack_retry(item["id"], 0.5, "waiting for earlier messages", count=False)
            return
        settled = 0
        for message in self.ops.slack_with_buttons(incident_id):
            body = json.loads(message["body"])
            body["blocks"] = blocks.settled(body["blocks"], decision)
            try:
                self.client.update(channel, message["posted_ts"], body["text"], body["blocks"])
            except Exception as exc:
                self._failed(item, exc)
                return
            # what Slack shows now: a retry or a later decision leaves this message alone
            self.ops.slack_replace_body(message["id"], body)
            settled += 1
        self.ops.slack_done(item["id"], f"settled {settled} message(s)")

    def _failed(self, item: dict[str, Any], exc: Exception) -> None:
        tries = int(item["tries"]) + 1
        reason = f"{type(exc).__name__}: {str(exc)[:200]}"
        if tries >= self.settings.slack_max_tries:
            log.warning("giving up on a Slack message for %s: %s", item["incident_id"], reason)
            self.ops.slack_done(item["id"], f"failed after {tries} tries: {reason}", failed=True)
            self.store.event(
                item["incident_id"],
                "slack",
                f"Slack unreachable: {item['kind']} message not sent after {tries} tries ({reason})",
            )
            return
        delay = min(self.settings.slack_backoff * 2 ** (tries - 1), 300.0)
        log.info(
            "Slack message for %s failed (%s); retry in %.1fs", item["incident_id"], reason, delay
        )
        self.ops.slack_retry(item["id"], delay, f"try {tries} failed: {reason}")

"""The Slack Web API calls DR-Kube makes, through slack-sdk's WebClient."""

from __future__ import annotations

import threading
import time
from typing import Any

from slack_sdk import WebClient


class SlackClient:
    def __init__(self, token: str, base_url: str | None = None, timeout: float = 5.0) -> None:
        kwargs: dict[str, Any] = {"token": token, "timeout": max(1, round(timeout))}
        if base_url:
            kwargs["base_url"] = base_url.rstrip("/") + "/"
        self.web = WebClient(**kwargs)

    def post(
        self,
        channel: str,
        text: str,
        blocks: list[dict[str, Any]] | None = None,
        thread_ts: str | None = None,
    ) -> str:
        """chat.postMessage; the message's `ts` (a thread root's ts is the thread id)."""
        response = self.web.chat_postMessage(
            channel=channel, text=text, blocks=blocks, thread_ts=thread_ts, unfurl_links=False
        )
        return str(response["ts"])

    def update(self, channel: str, ts: str, text: str, blocks: list[dict[str, Any]]) -> None:
        self.web.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)

    def ephemeral(self, channel: str, user: str, text: str, thread_ts: str | None = None) -> None:
        self.web.chat_postEphemeral(channel=channel, user=user, text=text, thread_ts=thread_ts)

    def open_modal(self, trigger_id: str, view: dict[str, Any]) -> None:
        self.web.views_open(trigger_id=trigger_id, view=view)

    def group_members(self, group: str) -> set[str]:
        response = self.web.usergroups_users_list(usergroup=group)
        return {str(u) for u in response.get("users") or []}


class Approvers:
    """Who may press the buttons: user ids, and members of user groups (`S...`) resolved by
    usergroups.users.list, cached for a few minutes."""

    def __init__(self, ids: frozenset[str], client: SlackClient | None, ttl: float = 300) -> None:
        self.users = {i for i in ids if not i.startswith("S")}
        self.groups = sorted(i for i in ids if i.startswith("S"))
        self.client = client
        self.ttl = ttl
        self._members: set[str] = set()
        self._loaded = 0.0
        self._lock = threading.Lock()

    def allowed(self, user: str) -> bool:
        if user in self.users:
            return True
        if not self.groups or self.client is None:
            return False
        with self._lock:
            if time.monotonic() - self._loaded > self.ttl:
                members: set[str] = set()
                for group in self.groups:
                    members |= self.client.group_members(group)
                self._members, self._loaded = members, time.monotonic()
            return user in self._members

"""A Slack Web API stand-in for slack-sdk's WebClient, answering in Slack's documented shapes,
and signed interactivity requests as Slack sends them (form-encoded `payload`, v0 signature)."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from dr_kube.slack.signature import sign

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
CHANNEL = "C0DRKUBE01"
APPROVER, STRANGER, GROUP_MEMBER = "U0APPROVER", "U0STRANGER", "U0GROUPMEM"
GROUP = "S0SREGROUP"


@dataclass
class FakeSlack:
    server: HTTPServer
    delay: float = 0.0
    calls: list[dict[str, Any]] = field(default_factory=list)
    groups: dict[str, list[str]] = field(default_factory=lambda: {GROUP: [GROUP_MEMBER]})
    _n: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return self.server.url_for("/api/")

    def install(self) -> FakeSlack:
        self.server.expect_request(re.compile(r"/api/.+")).respond_with_handler(self.handle)
        return self

    def handle(self, request: Request) -> Response:
        if self.delay:
            time.sleep(self.delay)
        name = request.path.rsplit("/", 1)[-1]
        if request.is_json:
            body = request.get_json()
        elif request.method == "GET":
            body = dict(request.args)
        else:
            body = {k: v[0] for k, v in parse_qs(request.get_data(as_text=True)).items()}
        with self._lock:
            self._n += 1
            n = self._n
            ts = f"1764018000.{n:06d}"  # what a message posted by this call is answered with
            auth = request.headers.get("Authorization")
            self.calls.append({"method": name, "auth": auth, "body": body, "ts": ts})
        if name == "chat.postMessage":
            answer = {
                "ok": True,
                "channel": body.get("channel"),
                "ts": ts,
                "message": {
                    "type": "message",
                    "subtype": "bot_message",
                    "text": body.get("text"),
                    "ts": ts,
                    "bot_id": "B0DRKUBE",
                    **({"thread_ts": body["thread_ts"]} if body.get("thread_ts") else {}),
                },
            }
        elif name == "chat.postEphemeral":
            answer = {"ok": True, "message_ts": ts}
        elif name == "chat.update":
            answer = {"ok": True, "channel": body.get("channel"), "ts": body.get("ts")}
        elif name == "views.open":
            answer = {"ok": True, "view": {"id": f"V0{n:08d}", **(body.get("view") or {})}}
        elif name == "usergroups.users.list":
            users = self.groups.get(str(body.get("usergroup")))
            answer = (
                {"ok": True, "users": users}
                if users is not None
                else {
                    "ok": False,
                    "error": "no_such_subteam",
                }
            )
        else:
            answer = {"ok": False, "error": "unknown_method"}
        return Response(json.dumps(answer), content_type="application/json; charset=utf-8")

    def posted_ts(self, message: dict[str, Any]) -> str:
        """The ts this fake answered for a message `find("chat.postMessage")` returned."""
        with self._lock:
            return str(next(c["ts"] for c in self.calls if c["body"] is message))

    def find(self, method: str) -> list[dict[str, Any]]:
        with self._lock:
            return [c["body"] for c in self.calls if c["method"] == method]


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    try:
        yield FakeSlack(server).install()
    finally:
        server.clear()
        if server.is_running():
            server.stop()


def slack_request(
    payload: dict[str, Any], secret: str = SIGNING_SECRET, age: float = 0, signed: bool = True
) -> tuple[bytes, dict[str, str]]:
    """An interactivity POST: `payload=<json>` form-encoded, with Slack's v0 signature headers."""
    body = urlencode({"payload": json.dumps(payload)}).encode()
    ts = str(int(time.time() - age))
    headers = {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "Slackbot 1.0"}
    if signed:
        headers["X-Slack-Request-Timestamp"] = ts
        headers["X-Slack-Signature"] = sign(secret, ts, body)
    return body, headers


def block_actions(user: str, action_id: str, incident_id: str) -> dict[str, Any]:
    """A `block_actions` payload as Slack sends it when a button in a message is pressed."""
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": "T0ACME"},
        "api_app_id": "A0DRKUBE",
        "token": "verification-token-unused",
        "container": {
            "type": "message",
            "message_ts": "1764018000.000001",
            "channel_id": CHANNEL,
            "is_ephemeral": False,
        },
        "trigger_id": f"{int(time.time())}.1234.abcdef{action_id[-4:]}",
        "team": {"id": "T0ACME", "domain": "acme"},
        "channel": {"id": CHANNEL, "name": "dr-kube"},
        "message": {"type": "message", "ts": "1764018000.000001", "text": "DR-Kube"},
        "response_url": "https://hooks.slack.com/actions/T0ACME/1/abc",
        "actions": [
            {
                "action_id": action_id,
                "block_id": f"drkube_actions_{incident_id}",
                "text": {"type": "plain_text", "text": action_id},
                "value": incident_id,
                "type": "button",
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


def view_submission(user: str, callback_id: str, incident_id: str, text: str) -> dict[str, Any]:
    """A `view_submission` payload for one of DR-Kube's modals."""
    return {
        "type": "view_submission",
        "team": {"id": "T0ACME", "domain": "acme"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": "T0ACME"},
        "api_app_id": "A0DRKUBE",
        "trigger_id": "12466734323.1395872398.abcdef",
        "view": {
            "id": "V0MODAL01",
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": incident_id,
            "state": {
                "values": {
                    "drkube_text": {
                        "drkube_text_input": {"type": "plain_text_input", "value": text}
                    }
                }
            },
            "hash": "156772938.1827394",
        },
    }

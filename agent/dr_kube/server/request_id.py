"""Request ids: a caller's `X-Request-ID` (when it is a sane token) or a new one, echoed in the
response and set for every log line written while the request is handled (uvicorn's access
line included). Pure ASGI, so the id reaches the route's thread pool and uvicorn's logger."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from dr_kube.logs import REQUEST_ID

HEADER = "X-Request-ID"
_HEADER = HEADER.lower().encode()
# What an id may be: what proxies and meshes send (UUIDs, hex, Envoy's, ...); anything else is
# replaced, so a log line never carries a caller's arbitrary text.
VALID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def request_id(given: str | None) -> str:
    if given is not None and VALID.fullmatch(given):
        return given
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next(
            (v.decode("latin-1") for k, v in scope.get("headers", []) if k.lower() == _HEADER),
            None,
        )
        rid = request_id(given)
        token = REQUEST_ID.set(rid)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != _HEADER]
                message["headers"] = [*headers, (_HEADER, rid.encode("latin-1"))]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            REQUEST_ID.reset(token)

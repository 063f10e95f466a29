"""`/mcp`: the MCP tools over streamable HTTP, behind the API's credentials.

Stateless (each request stands alone, so any replica behind a Service answers it) with JSON
responses. The bearer token (or basic user) of the incident API is checked before the SDK sees
the request: without it the answer is 401, as for `/api/v1/*`.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any

from mcp.server.transport_security import TransportSecuritySettings
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from dr_kube.config.service import Settings
from dr_kube.mcp.server import build_server
from dr_kube.mcp.tools import Tools
from dr_kube.server.auth import bearer_or_basic_ok

PATH = "/mcp"
METHODS = ["GET", "POST", "DELETE"]


class McpEndpoint:
    """An ASGI app: credentials first, then the SDK's streamable-HTTP session manager."""

    def __init__(self, settings: Settings, tools: Tools) -> None:
        self.settings = settings
        server = build_server(tools)
        # The bearer token guards the endpoint, whatever Host a client (or a proxy) sends.
        server.streamable_http_app(
            streamable_http_path=PATH,
            stateless_http=True,
            json_response=True,
            max_request_body_size=settings.max_body,
            transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
        )
        self.manager = server.session_manager

    def running(self) -> AbstractAsyncContextManager[Any]:
        """The session manager's task group: entered once, for the app's lifespan."""
        return self.manager.run()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        authorization = next(
            (v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"authorization"),
            None,
        )
        if not bearer_or_basic_ok(self.settings, authorization):
            refused = JSONResponse(
                {"detail": "missing or wrong credentials"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
            await refused(scope, receive, send)
            return
        await self.manager.handle_request(scope, receive, send)

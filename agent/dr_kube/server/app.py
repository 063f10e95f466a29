"""The FastAPI application over a `Service`: its routers, its error shape and its lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from starlette.routing import Route

from dr_kube.config.service import Settings
from dr_kube.mcp.tools import Tools
from dr_kube.server import console
from dr_kube.server.request_id import RequestIdMiddleware
from dr_kube.server.routes import alertmanager, argocd, audit, github, health, incidents, slack
from dr_kube.service.context import ContextArgs
from dr_kube.service.wiring import Service, build_service
from dr_kube.service.worker import Worker
from dr_kube.store import Store

ROUTERS = (
    alertmanager.router,
    github.router,
    slack.router,
    argocd.router,
    health.router,
    incidents.router,
    audit.router,
)


def create_app(service: Service, mcp_tools: Tools | None = None) -> FastAPI:
    """The app; its lifespan starts the service's loops and stops them (and the store) after.
    With `mcp_tools`, the MCP tools are served at /mcp (streamable HTTP, the API's credentials)."""
    from dr_kube.server.mcp_http import METHODS, PATH, McpEndpoint

    endpoint = McpEndpoint(service.settings, mcp_tools) if mcp_tools is not None else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            if endpoint is not None:
                await stack.enter_async_context(endpoint.running())
            service.start()
            try:
                yield
            finally:
                service.stop()

    # /docs and /redoc from the Swagger UI and ReDoc files fastapi-offline ships: no CDN, so the
    # pages work in an air-gapped cluster
    app = FastAPIOffline(
        title="DR-Kube",
        version="1",
        description="Alertmanager and GitHub webhooks, and the incidents DR-Kube works on.",
        lifespan=lifespan,
    )
    app.state.service = service

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        source = request.url.path.rsplit("/", 1)[-1]
        if request.url.path.startswith("/webhooks/"):
            service.metrics.deliveries.labels(source, str(exc.status_code)).inc()
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)

    for router in ROUTERS:
        app.include_router(router)
    if endpoint is not None:
        # an ASGI app as the endpoint: the SDK answers the request itself
        app.router.routes.append(Route(PATH, endpoint, methods=METHODS, include_in_schema=False))
    if service.settings.console.enabled:
        console.mount(app, service)
    app.add_middleware(RequestIdMiddleware)
    return app


def build_app(
    settings: Settings, context_args: ContextArgs, start_workers: bool = True
) -> tuple[FastAPI, Worker, Store]:
    """The service and its app in one call (`dr-kube serve`, the tests, the benchmarks)."""
    service = build_service(settings, context_args, start_workers)
    return create_app(service), service.worker, service.store

"""The FastAPI application: webhooks, health, metrics and the incident API."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import FastAPI, Header, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from dr_kube.alerts import parse_incidents
from dr_kube.config.service import Settings
from dr_kube.errors import InputError
from dr_kube.server.auth import bearer_or_basic_ok, github_signature_ok
from dr_kube.server.schemas import (
    ALERTMANAGER_BODY,
    GITHUB_BODY,
    Accepted,
    GitHubAck,
    IncidentDetail,
    IncidentList,
    IncidentSummary,
    Operations,
    Problem,
)
from dr_kube.service.github_events import Delivery, GitHubHandler
from dr_kube.service.intake import GroupCommit
from dr_kube.service.telemetry import Metrics
from dr_kube.store import Store

log = logging.getLogger(__name__)
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem} for code in (400, 401, 404, 413, 415, 422)
}


class Services:
    """What the app holds: store, metrics, settings, the GitHub handler and the workers."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        metrics: Metrics,
        github: GitHubHandler,
        on_intake: Callable[[], None] = lambda: None,
        ready: Callable[[], bool] = lambda: True,
        operators: Any = None,
    ) -> None:
        self.operators = operators  # dr_kube.operators.Operators: Slack, Argo CD, verification
        self.store = store
        self.intake = GroupCommit(store)  # concurrent deliveries share one durable commit
        self.settings = settings
        self.metrics = metrics
        self.github = github
        self.on_intake = on_intake
        self.ready = ready


def problem(code: int, detail: str) -> HTTPException:
    return HTTPException(status_code=code, detail=detail)


async def read_json(request: Request, max_body: int) -> Any:
    """The body as JSON: 415 for another content type, 413 when too large, 400 when invalid."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json" and not ctype.endswith("+json"):
        raise problem(415, f"content type must be application/json, not {ctype or 'missing'!r}")
    length = request.headers.get("content-length")
    if length is not None:
        try:
            if int(length) > max_body:
                raise problem(413, f"body of {length} bytes is over the {max_body}-byte limit")
        except ValueError:
            raise problem(400, "invalid Content-Length") from None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_body:
            raise problem(413, f"body is over the {max_body}-byte limit")
    return bytes(body)


def decode(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise problem(400, f"body is not valid JSON: {exc}") from None


def create_app(services: Services, lifespan: Any = None) -> FastAPI:
    app = FastAPI(
        title="DR-Kube",
        version="1",
        description="Alertmanager and GitHub webhooks, and the incidents DR-Kube works on.",
        lifespan=lifespan,
    )
    s = services

    def require_token(authorization: str | None) -> None:
        if not bearer_or_basic_ok(s.settings, authorization):
            raise problem(401, "missing or wrong credentials")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        source = request.url.path.rsplit("/", 1)[-1]
        if request.url.path.startswith("/webhooks/"):
            s.metrics.deliveries.labels(source, str(exc.status_code)).inc()
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)

    @app.post(
        "/webhooks/alertmanager",
        status_code=202,
        response_model=Accepted,
        responses=ERRORS,
        openapi_extra=ALERTMANAGER_BODY,
        summary="Receive an Alertmanager webhook (stored before 202)",
    )
    async def alertmanager(
        request: Request, authorization: Annotated[str | None, Header()] = None
    ) -> Accepted:
        require_token(authorization)
        data = decode(await read_json(request, s.settings.max_body))
        try:
            incidents = parse_incidents(data)
        except InputError as exc:
            raise problem(422, str(exc)) from None
        stored = await run_in_threadpool(s.intake.ingest, incidents)
        for incident in incidents:
            s.metrics.alerts.labels(incident.status).inc()
        if s.operators is not None:
            for i in stored:
                if i.incident_id and i.action in ("resolved", "refired"):
                    s.operators.hooks.alert_event(i.incident_id, i.action)
        s.metrics.deliveries.labels("alertmanager", "202").inc()
        s.on_intake()
        return Accepted(
            accepted=len(stored),
            incidents=[{"id": i.incident_id, "key": i.key, "action": i.action} for i in stored],
        )

    @app.post(
        "/webhooks/github",
        response_model=GitHubAck,
        responses={**ERRORS, 202: {"model": GitHubAck}},
        openapi_extra=GITHUB_BODY,
        summary="Receive a signed GitHub webhook (reviews, comments, PR closed)",
    )
    async def github(
        request: Request,
        x_hub_signature_256: Annotated[str | None, Header()] = None,
        x_github_event: Annotated[str | None, Header()] = None,
        x_github_delivery: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        body = await read_json(request, s.settings.max_body)
        if not github_signature_ok(s.settings, body, x_hub_signature_256):
            raise problem(401, "missing or wrong X-Hub-Signature-256")
        if not x_github_event:
            raise problem(400, "missing X-GitHub-Event header")
        data = decode(body)
        if not isinstance(data, dict):
            raise problem(422, "expected a JSON object")
        try:
            delivery = Delivery.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise problem(422, f"{where}: {first['msg']}") from None
        outcome = await run_in_threadpool(
            s.github.handle, x_github_event, x_github_delivery, delivery
        )
        s.metrics.deliveries.labels("github", str(outcome.code)).inc()
        if outcome.code == 202:
            s.on_intake()
        ack = GitHubAck(status=outcome.status, reason=outcome.reason, incident=outcome.incident)
        return JSONResponse(ack.model_dump(), status_code=outcome.code)

    from dr_kube.server.operator_routes import operator_router

    app.include_router(operator_router(s))

    @app.get("/healthz", summary="Liveness")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", summary="Readiness: the store answers and the workers run")
    async def readyz(response: Response) -> dict[str, str]:
        try:
            await run_in_threadpool(s.store.ping)
        except Exception as exc:
            response.status_code = 503
            return {"status": f"store unavailable: {type(exc).__name__}"}
        if not s.ready():
            response.status_code = 503
            return {"status": "workers not running"}
        return {"status": "ready"}

    @app.get("/metrics", summary="Prometheus metrics", response_class=Response)
    async def metrics() -> Response:
        body = await run_in_threadpool(s.metrics.render)
        return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")

    @app.get(
        "/api/v1/incidents",
        response_model=IncidentList,
        responses={401: {"model": Problem}},
        summary="Incidents, newest first",
    )
    async def incidents(
        authorization: Annotated[str | None, Header()] = None,
        status: Annotated[str | None, Query(max_length=40)] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> IncidentList:
        require_token(authorization)
        rows = await run_in_threadpool(s.store.list_incidents, status, limit)
        return IncidentList(items=[IncidentSummary.model_validate(r) for r in rows])

    @app.get(
        "/api/v1/incidents/{incident_id}",
        response_model=IncidentDetail,
        responses={401: {"model": Problem}, 404: {"model": Problem}},
        summary="One incident: alerts, diagnosis, attempts, changes, PR, reviews, outcome",
    )
    async def incident(
        incident_id: str, authorization: Annotated[str | None, Header()] = None
    ) -> IncidentDetail:
        require_token(authorization)
        row = await run_in_threadpool(s.store.get_incident, incident_id)
        if row is None:
            raise problem(404, f"no incident {incident_id!r}")
        ops = None
        if s.operators is not None:
            ops = await run_in_threadpool(s.operators.ops.get, incident_id)
        return detail(row, ops)

    from dr_kube.server.audit_routes import audit_router

    app.include_router(audit_router(s))
    return app


def detail(row: dict[str, Any], ops: dict[str, Any] | None = None) -> IncidentDetail:
    result = json.loads(row.pop("result") or "null") or {}
    row.pop("pending", None)
    fix = result.get("fix")
    operations = None
    if ops is not None:
        operations = Operations.model_validate(
            {
                **ops,
                "slack_thread": ops.get("slack_ts"),
                "verification": json.loads(ops["verification"]) if ops["verification"] else None,
            }
        )
    return IncidentDetail.model_validate(
        {
            **row,
            "diagnosis": result.get("diagnosis"),
            "fix": fix,
            "pr": result.get("pr"),
            "changes": (fix or {}).get("changes", []),
            "operations": operations,
        }
    )


@asynccontextmanager
async def no_lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield

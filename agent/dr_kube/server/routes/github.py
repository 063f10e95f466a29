"""`POST /webhooks/github`: signed deliveries (reviews, comments, PR closed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from dr_kube.server.auth import github_signature_ok
from dr_kube.server.deps import ServiceDep
from dr_kube.server.http import ERRORS, decode, first_error, problem, read_json
from dr_kube.server.schemas import GITHUB_BODY, GitHubAck
from dr_kube.service.github_events import Delivery

router = APIRouter()


async def signed_body(
    request: Request,
    s: ServiceDep,
    x_hub_signature_256: Annotated[str | None, Header()] = None,
) -> bytes:
    """The delivery's bytes once X-Hub-Signature-256 matches them (401 otherwise)."""
    body = await read_json(request, s.settings.max_body)
    if not github_signature_ok(s.settings, body, x_hub_signature_256):
        raise problem(401, "missing or wrong X-Hub-Signature-256")
    return body


@dataclass
class EventHeaders:
    event: str
    delivery: str | None


def event_headers(
    x_github_event: Annotated[str | None, Header()] = None,
    x_github_delivery: Annotated[str | None, Header()] = None,
) -> EventHeaders:
    """Which event the delivery is (400 without X-GitHub-Event), and its id for deduplication."""
    if not x_github_event:
        raise problem(400, "missing X-GitHub-Event header")
    return EventHeaders(x_github_event, x_github_delivery)


@router.post(
    "/webhooks/github",
    response_model=GitHubAck,
    responses={**ERRORS, 202: {"model": GitHubAck}},
    openapi_extra=GITHUB_BODY,
    summary="Receive a signed GitHub webhook (reviews, comments, PR closed)",
)
async def github(
    s: ServiceDep,
    body: Annotated[bytes, Depends(signed_body)],
    headers: Annotated[EventHeaders, Depends(event_headers)],
) -> JSONResponse:
    data = decode(body)
    if not isinstance(data, dict):
        raise problem(422, "expected a JSON object")
    try:
        delivery = Delivery.model_validate(data)
    except ValidationError as exc:
        raise problem(422, first_error(exc)) from None
    outcome = await run_in_threadpool(s.github.handle, headers.event, headers.delivery, delivery)
    s.metrics.deliveries.labels("github", str(outcome.code)).inc()
    if outcome.code == 202:
        s.on_intake()
    ack = GitHubAck(status=outcome.status, reason=outcome.reason, incident=outcome.incident)
    return JSONResponse(ack.model_dump(), status_code=outcome.code)

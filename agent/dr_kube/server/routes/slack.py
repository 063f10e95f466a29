"""`POST /webhooks/slack`: Slack interactivity (buttons, modals), signed with v0 signatures."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import TypeAdapter, ValidationError

from dr_kube.server.deps import ServiceDep
from dr_kube.server.http import ERRORS, decode, first_error, problem, read_body
from dr_kube.slack import signature
from dr_kube.slack.interactivity import BlockActions, ViewSubmission

SLACK_TYPES = ("block_actions", "view_submission")
PAYLOAD = TypeAdapter(BlockActions | ViewSubmission)
SLACK_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {"payload": {"type": "string"}},
                    "required": ["payload"],
                }
            }
        },
    }
}

router = APIRouter()


async def signed_body(
    request: Request,
    s: ServiceDep,
    x_slack_signature: Annotated[str | None, Header()] = None,
    x_slack_request_timestamp: Annotated[str | None, Header()] = None,
) -> bytes:
    """The request's bytes once their signature is Slack's and not a replay (401 otherwise)."""
    secret = s.followup.settings.slack_signing_secret
    body = await read_body(request, s.settings.max_body)
    if secret is None:
        raise problem(401, "Slack interactivity is not configured (DRKUBE_SLACK_SIGNING_SECRET)")
    refused = signature.check(
        secret.get_secret_value(), body, x_slack_request_timestamp, x_slack_signature
    )
    if refused:
        raise problem(401, refused)
    assert x_slack_signature is not None
    if await run_in_threadpool(s.followup.ops.seen_signature, x_slack_signature.strip()):
        raise problem(401, "replayed request (this signature was already used)")
    return body


@router.post(
    "/webhooks/slack",
    responses=ERRORS,
    openapi_extra=SLACK_BODY,
    summary="Slack interactivity (buttons, modals), signed with X-Slack-Signature v0",
)
async def slack(
    request: Request, s: ServiceDep, body: Annotated[bytes, Depends(signed_body)]
) -> JSONResponse:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/x-www-form-urlencoded":
        raise problem(415, "content type must be application/x-www-form-urlencoded")
    try:
        form = parse_qs(body.decode(), strict_parsing=False)
    except UnicodeDecodeError:
        raise problem(400, "body is not UTF-8") from None
    raw = next(iter(form.get("payload") or []), None)
    if raw is None:
        raise problem(400, "missing the `payload` form field")
    data = decode(raw.encode())
    if not isinstance(data, dict):
        raise problem(422, "payload must be a JSON object")
    if data.get("type") not in SLACK_TYPES:
        return JSONResponse({"status": "ignored", "reason": f"type {data.get('type')!r}"})
    try:
        payload = PAYLOAD.validate_python(data)
    except ValidationError as exc:
        raise problem(422, first_error(exc)) from None
    answer = await run_in_threadpool(s.followup.slack.handle, payload)
    s.metrics.deliveries.labels("slack", "200").inc()
    if answer.body.get("response_action"):
        return JSONResponse(answer.body)
    return JSONResponse({"status": answer.status, "incident": answer.incident, **answer.body})

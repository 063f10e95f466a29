"""`POST /webhooks/slack` (signed interactivity) and `POST /webhooks/argocd` (bearer token)."""

from __future__ import annotations

import hmac
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Header, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import TypeAdapter, ValidationError

from dr_kube.service.argocd import ArgoNotification
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
ARGOCD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": ArgoNotification.model_json_schema()}},
    }
}


def first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    return f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"


def operator_router(s: Any) -> APIRouter:
    """Routes over the app's `Services` (`s.operators` may be None: then both answer 404/401)."""
    from dr_kube.server.app import ERRORS, decode, problem, read_json

    router = APIRouter()

    @router.post(
        "/webhooks/slack",
        responses=ERRORS,
        openapi_extra=SLACK_BODY,
        summary="Slack interactivity (buttons, modals), signed with X-Slack-Signature v0",
    )
    async def slack(
        request: Request,
        x_slack_signature: Annotated[str | None, Header()] = None,
        x_slack_request_timestamp: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        ops = s.operators
        secret = ops.settings.slack_signing_secret if ops is not None else None
        body = await read_body(request, s.settings.max_body)
        if secret is None:
            raise problem(
                401, "Slack interactivity is not configured (DRKUBE_SLACK_SIGNING_SECRET)"
            )
        refused = signature.check(
            secret.get_secret_value(), body, x_slack_request_timestamp, x_slack_signature
        )
        if refused:
            raise problem(401, refused)
        assert x_slack_signature is not None
        if await run_in_threadpool(ops.ops.seen_signature, x_slack_signature.strip()):
            raise problem(401, "replayed request (this signature was already used)")
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
        answer = await run_in_threadpool(ops.slack.handle, payload)
        s.metrics.deliveries.labels("slack", "200").inc()
        if answer.body.get("response_action"):
            return JSONResponse(answer.body)
        return JSONResponse({"status": answer.status, "incident": answer.incident, **answer.body})

    @router.post(
        "/webhooks/argocd",
        status_code=202,
        responses={**ERRORS, 200: {"description": "ignored"}},
        openapi_extra=ARGOCD_BODY,
        summary="Argo CD notification (bearer token): a synced fix starts its verification window",
    )
    async def argocd(
        request: Request, authorization: Annotated[str | None, Header()] = None
    ) -> JSONResponse:
        ops = s.operators
        token = ops.settings.argocd_token if ops is not None else None
        if not s.settings.insecure_no_auth:
            scheme, _, given = (authorization or "").strip().partition(" ")
            if (
                token is None
                or scheme.lower() != "bearer"
                or not hmac.compare_digest(
                    given.strip().encode(), token.get_secret_value().encode()
                )
            ):
                raise problem(401, "missing or wrong bearer token")
        if ops is None:
            raise problem(404, "Argo CD notifications are not enabled")
        data = decode(await read_json(request, s.settings.max_body))
        if not isinstance(data, dict):
            raise problem(422, "expected a JSON object")
        try:
            note = ArgoNotification.model_validate(data)
        except ValidationError as exc:
            raise problem(422, first_error(exc)) from None
        outcome = await run_in_threadpool(ops.argocd.handle, note)
        if outcome.code >= 400:
            raise problem(outcome.code, outcome.reason or outcome.status)
        s.metrics.deliveries.labels("argocd", str(outcome.code)).inc()
        return JSONResponse(
            {"status": outcome.status, "reason": outcome.reason, "incidents": outcome.incidents},
            status_code=outcome.code,
        )

    return router


async def read_body(request: Request, max_body: int) -> bytes:
    """The raw body (the signature covers the exact bytes), bounded by the body limit."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_body:
            raise HTTPException(status_code=413, detail=f"body is over the {max_body}-byte limit")
    return bytes(body)

"""`POST /webhooks/argocd`: Argo CD notifications; a synced fix starts its verification window."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from dr_kube.server.deps import ArgoCDToken, ServiceDep
from dr_kube.server.http import ERRORS, decode, first_error, problem, read_json
from dr_kube.service.argocd import ArgoNotification

ARGOCD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": ArgoNotification.model_json_schema()}},
    }
}

router = APIRouter()


@router.post(
    "/webhooks/argocd",
    status_code=202,
    responses={**ERRORS, 200: {"description": "ignored"}},
    openapi_extra=ARGOCD_BODY,
    summary="Argo CD notification (bearer token): a synced fix starts its verification window",
    dependencies=[ArgoCDToken],
)
async def argocd(request: Request, s: ServiceDep) -> JSONResponse:
    data = decode(await read_json(request, s.settings.max_body))
    if not isinstance(data, dict):
        raise problem(422, "expected a JSON object")
    try:
        note = ArgoNotification.model_validate(data)
    except ValidationError as exc:
        raise problem(422, first_error(exc)) from None
    outcome = await run_in_threadpool(s.followup.argocd.handle, note)
    if outcome.code >= 400:
        raise problem(outcome.code, outcome.reason or outcome.status)
    s.metrics.deliveries.labels("argocd", str(outcome.code)).inc()
    return JSONResponse(
        {"status": outcome.status, "reason": outcome.reason, "incidents": outcome.incidents},
        status_code=outcome.code,
    )

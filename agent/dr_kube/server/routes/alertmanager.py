"""`POST /webhooks/alertmanager`: alerts are stored (durably) before the 202."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from dr_kube.alerts import parse_incidents
from dr_kube.errors import InputError
from dr_kube.server.deps import Credentials, ServiceDep
from dr_kube.server.http import ERRORS, decode, problem, read_json
from dr_kube.server.schemas import ALERTMANAGER_BODY, Accepted

router = APIRouter()


@router.post(
    "/webhooks/alertmanager",
    status_code=202,
    response_model=Accepted,
    responses=ERRORS,
    openapi_extra=ALERTMANAGER_BODY,
    summary="Receive an Alertmanager webhook (stored before 202)",
    dependencies=[Credentials],
)
async def alertmanager(request: Request, s: ServiceDep) -> Accepted:
    data = decode(await read_json(request, s.settings.max_body))
    try:
        incidents = parse_incidents(data)
    except InputError as exc:
        raise problem(422, str(exc)) from None
    stored = await run_in_threadpool(s.intake.ingest, incidents)
    for incident in incidents:
        s.metrics.alerts.labels(incident.status).inc()
    for i in stored:
        s.metrics.intake.labels(i.action).inc()
        if i.incident_id and i.action in ("resolved", "refired"):
            s.followup.hooks.alert_event(i.incident_id, i.action)
    s.metrics.deliveries.labels("alertmanager", "202").inc()
    s.on_intake()
    return Accepted(
        accepted=len(stored),
        incidents=[{"id": i.incident_id, "key": i.key, "action": i.action} for i in stored],
    )

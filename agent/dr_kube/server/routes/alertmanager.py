"""`POST /webhooks/alertmanager`: alerts are stored (durably) before the 202.

A delivery is read alert by alert: the good ones are stored and acknowledged, each bad one is
named in the reply (`rejected`), and alerts beyond `DRKUBE_MAX_ALERTS` are counted (`dropped`).
Only a body that is not JSON within the limits (400) or holds no good alert (422) is refused
whole. Decoding and parsing run off the event loop, so a big delivery never holds up others."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from dr_kube.alerts import Parsed, parse_delivery
from dr_kube.config.limits import limits
from dr_kube.errors import InputError
from dr_kube.server.deps import Credentials, ServiceDep
from dr_kube.server.http import ERRORS, decode, problem, read_json
from dr_kube.server.schemas import ALERTMANAGER_BODY, Accepted, RejectedAlert
from dr_kube.store.store import Ingested

log = logging.getLogger(__name__)
router = APIRouter()
log = logging.getLogger("dr_kube.server.alertmanager")


def read_delivery(body: bytes) -> Parsed:
    data = decode(body, check_text=False)  # a lone surrogate or a NUL costs only its alert
    try:
        return parse_delivery(data, limits().alerts)
    except InputError as exc:
        raise problem(422, str(exc)) from None


@router.post(
    "/webhooks/alertmanager",
    status_code=202,
    response_model=Accepted,
    responses=ERRORS,
    openapi_extra=ALERTMANAGER_BODY,
    summary="Receive an Alertmanager webhook (stored before 202; bad alerts named, not stored)",
    dependencies=[Credentials],
)
async def alertmanager(request: Request, s: ServiceDep) -> Accepted:
    body = await read_json(request, s.settings.max_body)

    def receive() -> tuple[Parsed, list[Ingested]]:  # one hop off the event loop, not two
        parsed = read_delivery(body)
        return parsed, s.intake.ingest(parsed.incidents)

    parsed, stored = await run_in_threadpool(receive)
    incidents = parsed.incidents
    for incident in incidents:
        s.metrics.alerts.labels(incident.status).inc()
    if parsed.rejected:
        s.metrics.alerts.labels("rejected").inc(len(parsed.rejected))
        log.warning(
            "stored %d alerts, rejected %d: %s",
            len(stored),
            len(parsed.rejected),
            parsed.rejected[0].reason,
        )
    if parsed.dropped:
        s.metrics.limits.labels("alerts-per-delivery").inc()
        log.warning("delivery over DRKUBE_MAX_ALERTS: %d alerts not stored", parsed.dropped)
    for i in stored:
        s.metrics.intake.labels(i.action).inc()
        if i.incident_id and i.action in ("resolved", "refired"):
            s.followup.hooks.alert_event(i.incident_id, i.action)
    s.metrics.deliveries.labels("alertmanager", "202").inc()
    for i in stored:
        log.info("alert stored: incident %s (%s) %s", i.incident_id, i.key, i.action)
    s.on_intake()
    return Accepted(
        accepted=len(stored),
        incidents=[{"id": i.incident_id, "key": i.key, "action": i.action} for i in stored],
        rejected=[RejectedAlert(index=r.index, reason=r.reason) for r in parsed.rejected],
        dropped=parsed.dropped,
    )

"""`GET /api/v1/incidents` and `GET /api/v1/incidents/{incident_id}`."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool

from dr_kube.server.deps import Credentials, ServiceDep
from dr_kube.server.http import problem
from dr_kube.server.schemas import (
    IncidentDetail,
    IncidentList,
    IncidentSummary,
    Operations,
    Problem,
    with_iso,
)

router = APIRouter()


@router.get(
    "/api/v1/incidents",
    response_model=IncidentList,
    responses={401: {"model": Problem}},
    summary="Incidents, newest first",
    dependencies=[Credentials],
)
async def incidents(
    s: ServiceDep,
    status: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> IncidentList:
    rows = await run_in_threadpool(s.store.list_incidents, status, limit)
    return IncidentList(items=[IncidentSummary.model_validate(r) for r in rows])


@router.get(
    "/api/v1/incidents/{incident_id}",
    response_model=IncidentDetail,
    responses={401: {"model": Problem}, 404: {"model": Problem}},
    summary="One incident: alerts, diagnosis, attempts, changes, PR, reviews, outcome",
    dependencies=[Credentials],
)
async def incident(incident_id: str, s: ServiceDep) -> IncidentDetail:
    row = await run_in_threadpool(s.store.get_incident, incident_id)
    if row is None:
        raise problem(404, f"no incident {incident_id!r}")
    ops = await run_in_threadpool(s.followup.ops.get, incident_id)
    return detail(row, ops)


# The detail's lists of records whose Unix times get an ISO 8601 twin (`received_at_iso`, ...)
NESTED = ("alerts", "held_alerts", "attempts", "reviews", "replies", "events")


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
    for name in NESTED:
        if isinstance(row.get(name), list):
            row[name] = [with_iso(i) if isinstance(i, dict) else i for i in row[name]]
    return IncidentDetail.model_validate(
        {
            **row,
            "diagnosis": result.get("diagnosis"),
            "fix": fix,
            "pr": result.get("pr"),
            "pr_disabled": (result.get("pr") or {}).get("disabled"),
            "changes": (fix or {}).get("changes", []),
            "operations": operations,
        }
    )

"""`GET /api/v1/audit`: the audit trail for a security team to read or ship elsewhere."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, computed_field

from dr_kube.server.deps import Credentials, ServiceDep
from dr_kube.server.schemas import Problem, iso
from dr_kube.store.audit import AuditRecord, records


class AuditItem(AuditRecord):
    @computed_field  # type: ignore[prop-decorator]
    @property
    def ts_iso(self) -> str | None:
        """`ts` as ISO 8601 (UTC)."""
        return iso(self.ts)


class AuditList(BaseModel):
    items: list[AuditItem]
    next_after: int | None = None  # pass as `after` for the next page


router = APIRouter()


@router.get(
    "/api/v1/audit",
    response_model=AuditList,
    responses={401: {"model": Problem}},
    summary="Audit records (hash-chained), in chain order; one incident's with ?incident=ID",
    dependencies=[Credentials],
)
async def audit(
    s: ServiceDep,
    incident: Annotated[str | None, Query(max_length=200)] = None,
    since: Annotated[float | None, Query(ge=0, le=1e11, description="Unix time")] = None,
    after: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> AuditList:
    def read() -> list[AuditItem]:
        found = records(s.store.db, incident=incident, since=since, after=after, limit=limit)
        return [AuditItem.model_validate(r.model_dump()) for r in found]

    items = await run_in_threadpool(read)
    return AuditList(items=items, next_after=items[-1].seq if len(items) == limit else None)

"""`GET /healthz`, `GET /readyz` and the Prometheus `GET /metrics`."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.concurrency import run_in_threadpool

from dr_kube.server.deps import ServiceDep

router = APIRouter()


@router.get("/healthz", summary="Liveness")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness: the store answers and the workers run")
async def readyz(response: Response, s: ServiceDep) -> dict[str, str]:
    try:
        await run_in_threadpool(s.store.ping)
    except Exception as exc:
        response.status_code = 503
        return {"status": f"store unavailable: {type(exc).__name__}"}
    if not s.ready():
        response.status_code = 503
        return {"status": "workers not running"}
    return {"status": "ready"}


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(s: ServiceDep) -> Response:
    body = await run_in_threadpool(s.metrics.render)
    return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")

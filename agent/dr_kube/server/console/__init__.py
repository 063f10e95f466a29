"""The web console at `/ui`: server-rendered pages over the incident store, in the service's
process, behind a proxy's sign-in or the API token."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from dr_kube.server.console.auth import Gate
from dr_kube.server.console.pages import STATIC
from dr_kube.server.console.routes import router
from dr_kube.service.wiring import Service


def mount(app: FastAPI, service: Service) -> None:
    app.state.console = Gate(service.settings)
    app.mount("/ui/static", StaticFiles(directory=STATIC), name="console-static")
    app.include_router(router)

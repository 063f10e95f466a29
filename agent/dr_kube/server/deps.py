"""FastAPI dependencies: the service behind the app, and the credentials each route asks for."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header, Request

from dr_kube.server.auth import bearer_or_basic_ok
from dr_kube.server.http import problem
from dr_kube.service.wiring import Service


def get_service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


ServiceDep = Annotated[Service, Depends(get_service)]


def require_credentials(
    service: ServiceDep, authorization: Annotated[str | None, Header()] = None
) -> None:
    """Alertmanager and the API: the bearer token or basic user (DRKUBE_ALERTMANAGER_*)."""
    if not bearer_or_basic_ok(service.settings, authorization):
        raise problem(401, "missing or wrong credentials")


def require_argocd_token(
    service: ServiceDep, authorization: Annotated[str | None, Header()] = None
) -> None:
    """Argo CD notifications: their own bearer token (DRKUBE_ARGOCD_TOKEN)."""
    if service.settings.insecure_no_auth:
        return
    token = service.followup.settings.argocd_token
    scheme, _, given = (authorization or "").strip().partition(" ")
    if (
        token is None
        or scheme.lower() != "bearer"
        or not hmac.compare_digest(given.strip().encode(), token.get_secret_value().encode())
    ):
        raise problem(401, "missing or wrong bearer token")


Credentials = Depends(require_credentials)
ArgoCDToken = Depends(require_argocd_token)

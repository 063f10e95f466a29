"""schemathesis against the OpenAPI spec: no input makes the service answer 5xx."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from dr_kube.server.app import build_app
from tests.support.repos import init_gitops_repo
from tests.support.service import TOKEN
from tests.support.service_fixtures import context_args, settings_for

_tmp = Path(__import__("tempfile").mkdtemp(prefix="dr-kube-fuzz-"))
_app, _worker, _store = build_app(
    settings_for(_tmp), context_args(init_gitops_repo(_tmp / "gitops")), start_workers=False
)
schema = schemathesis.openapi.from_asgi("/openapi.json", _app)


@pytest.fixture(scope="module", autouse=True)
def _lifespan() -> Any:
    with TestClient(_app):
        yield


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_gives_a_server_error(case: Any) -> None:
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {TOKEN}"}
    response = case.call()
    assert response.status_code < 500, (case.path, response.status_code, response.text)
    case.validate_response(response, checks=(schemathesis.checks.not_a_server_error,))

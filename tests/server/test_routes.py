"""The app's route table: every webhook and API path, its method and its documented statuses."""

from __future__ import annotations

from pathlib import Path

from dr_kube.server.app import build_app
from tests.support.repos import init_gitops_repo
from tests.support.service_fixtures import context_args, settings_for

# recorded from create_app before the routes moved into server/routes/
ROUTES = {
    ("GET", "/api/v1/audit"): ["200", "401", "422"],
    ("GET", "/api/v1/incidents"): ["200", "401", "422"],
    ("GET", "/api/v1/incidents/{incident_id}"): ["200", "401", "404", "422"],
    ("GET", "/healthz"): ["200"],
    ("GET", "/metrics"): ["200"],
    ("GET", "/readyz"): ["200"],
    ("POST", "/webhooks/alertmanager"): ["202", "400", "401", "404", "413", "415", "422"],
    ("POST", "/webhooks/argocd"): ["200", "202", "400", "401", "404", "413", "415", "422"],
    ("POST", "/webhooks/github"): ["200", "202", "400", "401", "404", "413", "415", "422"],
    ("POST", "/webhooks/slack"): ["200", "400", "401", "404", "413", "415", "422"],
}
HEADERS = {
    ("POST", "/webhooks/github"): ["x-hub-signature-256", "x-github-event", "x-github-delivery"],
    ("POST", "/webhooks/slack"): ["x-slack-signature", "x-slack-request-timestamp"],
    ("POST", "/webhooks/alertmanager"): ["authorization"],
    ("POST", "/webhooks/argocd"): ["authorization"],
    ("GET", "/api/v1/incidents"): ["authorization"],
    ("GET", "/api/v1/incidents/{incident_id}"): ["authorization"],
    ("GET", "/api/v1/audit"): ["authorization"],
}


def test_the_app_exposes_the_same_routes_statuses_and_headers(tmp_path: Path) -> None:
    app, _, store = build_app(
        settings_for(tmp_path), context_args(init_gitops_repo(tmp_path / "gitops")), False
    )
    try:
        paths = app.openapi()["paths"]
    finally:
        store.close()
    operations = {
        (method.upper(), path): op for path, ops in paths.items() for method, op in ops.items()
    }
    assert {key: sorted(op["responses"]) for key, op in operations.items()} == ROUTES
    headers = {
        key: [p["name"] for p in op.get("parameters", []) if p["in"] == "header"]
        for key, op in operations.items()
    }
    assert {key: names for key, names in headers.items() if names} == HEADERS

"""A `dr-kube serve` for the console tests: copilot mode, the sample dump and charts, a GitOps
repository in tmp and the fake GitHub; incidents made by real runs of posted webhooks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from tests.support.paths import SAMPLE_CHARTS, SAMPLE_CLUSTER
from tests.support.service import Serve, alert, am_headers, payload, wait_for

CONSOLE_SECRET = "console-secret-for-tests-0123456789abcdef"
VIEWER, VIEWER_PASSWORD = "viewer", "viewer-password-for-tests"
TOKEN_USER = "token"  # who signs in with the API token, as DRKUBE_CONSOLE_APPROVERS names them


def console_serve(tmp_path: Path, clone: Path, github_api: str | None = None, **env: str) -> Serve:
    extra = {
        "DRKUBE_MODE": "copilot",
        "DRKUBE_CONSOLE_SECRET": CONSOLE_SECRET,
        "DRKUBE_CONSOLE_APPROVERS": TOKEN_USER,
        "DRKUBE_ALERTMANAGER_BASIC_USER": VIEWER,
        "DRKUBE_ALERTMANAGER_BASIC_PASSWORD": VIEWER_PASSWORD,
        **env,
    }
    args = ["--cluster", str(SAMPLE_CLUSTER), "--charts", str(SAMPLE_CHARTS)]
    if github_api:
        extra |= {"GITHUB_TOKEN": "test-token", "DRKUBE_GITHUB_API_URL": github_api}
        args += ["--github-repo", "acme/gitops"]
    return Serve(clone, tmp_path / "db" / "dr-kube.db", env=extra, args=args).start()


def fire(serve: Serve, workload: str, suffix: str = "abc12") -> str:
    body = payload(alert(workload, pod_suffix=suffix))
    r = httpx.post(
        f"{serve.url}/webhooks/alertmanager", content=json.dumps(body), headers=am_headers()
    )
    assert r.status_code == 202, r.text
    incident_id: str = r.json()["incidents"][0]["id"]
    return incident_id


def settled(serve: Serve, incident_id: str, *statuses: str) -> dict[str, Any]:
    """The incident once its run has brought it to one of `statuses`."""
    found: dict[str, Any] = wait_for(
        lambda: next(
            (i for i in serve.incidents() if i["id"] == incident_id and i["status"] in statuses),
            None,
        ),
        90,
    )
    return found


def audit_of(serve: Serve, incident_id: str) -> list[dict[str, Any]]:
    r = httpx.get(
        f"{serve.url}/api/v1/audit",
        params={"incident": incident_id},
        headers={"Authorization": am_headers()["Authorization"]},
    )
    r.raise_for_status()
    items: list[dict[str, Any]] = r.json()["items"]
    return items

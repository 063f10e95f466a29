"""The MCP tools over streamable HTTP, mounted at /mcp in a real `dr-kube serve`, through the MCP
SDK's own client; the cluster is a live API server answering with recorded objects.

Unauthenticated requests are refused with 401 like the API's; a tool call only ever reads the
cluster (GET requests alone) and writes neither the repository nor the store."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from mcp import MCPError
from pytest_httpserver import HTTPServer

from tests.support.kube_api import RecordedApiServer, kubeconfig, serve
from tests.support.mcp_client import everything, http, session, structured, tree_state
from tests.support.paths import SAMPLE_CHARTS, SAMPLE_CLUSTER
from tests.support.repos import git, init_gitops_repo
from tests.support.service import TOKEN, Serve, alert, am_headers, payload, wait_for

pytestmark = pytest.mark.slow

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "curl", "version": "1"},
    },
}


@pytest.fixture
def api(httpserver: HTTPServer, tmp_path: Path) -> RecordedApiServer:
    """The live cluster: the sample dump, with the service's own token in a crashing pod's log."""
    root = tmp_path / "cluster"
    shutil.copytree(SAMPLE_CLUSTER, root)
    log = root / "online-boutique/paymentservice-6f7d8c9b5-h4k8n/server/logs.previous.txt"
    line = "Error: Missing required environment variable PAYMENT_GATEWAY_URL"
    log.write_text(log.read_text().replace(line, f"{line} (called with {TOKEN})"))
    return serve(httpserver, root)


@pytest.fixture
def server(tmp_path: Path, httpserver: HTTPServer, api: RecordedApiServer) -> Iterator[Serve]:
    repo = init_gitops_repo(tmp_path / "gitops")
    config = kubeconfig(tmp_path, httpserver.url_for("").rstrip("/"))
    proc = Serve(
        repo=repo,
        db=tmp_path / "store" / "dr-kube.db",
        # intake only: no worker publishes, so whatever changes could only be a tool's doing
        env={"DRKUBE_INTAKE_ONLY": "1", "DRKUBE_PROVIDER": "rules"},
        args=[
            "--kubeconfig",
            str(config),
            "--context",
            "kind-dr-kube",
            "--charts",
            str(SAMPLE_CHARTS),
        ],
    ).start()
    yield proc
    proc.stop()


def test_unauthenticated_requests_are_refused(server: Serve) -> None:
    url = f"{server.url}/mcp"
    headers = {"Accept": "application/json, text/event-stream"}
    for auth in ({}, {"Authorization": "Bearer wrong-token"}, {"Authorization": "Basic eDp5"}):
        refused = httpx.post(url, json=INITIALIZE, headers={**headers, **auth}, timeout=10)
        assert refused.status_code == 401, auth
        assert refused.json() == {"detail": "missing or wrong credentials"}
        assert refused.headers["www-authenticate"] == "Bearer"
    assert httpx.get(url, timeout=10).status_code == 401
    with pytest.raises(BaseExceptionGroup) as caught:  # the SDK's client cannot start a session
        session(http(url, "wrong-token"))
    assert caught.value.subgroup(MCPError) is not None
    accepted = httpx.post(
        url, json=INITIALIZE, headers={**headers, "Authorization": f"Bearer {TOKEN}"}, timeout=10
    )
    assert accepted.status_code == 200 and accepted.json()["result"]["serverInfo"]["name"] == (
        "dr-kube"
    )


def test_tools_over_http_read_the_live_cluster_and_write_nothing(
    server: Serve, api: RecordedApiServer
) -> None:
    delivered = httpx.post(
        f"{server.url}/webhooks/alertmanager",
        json=payload(alert("frontend")),
        headers=am_headers(),
        timeout=10,
    )
    assert delivered.status_code == 202
    stored = server.incidents()
    git_before = (git(server.repo, "status", "--porcelain"), git(server.repo, "for-each-ref"))
    files_before = tree_state(server.repo)
    api.requests.clear()

    listed, (incidents, oom, crash, where) = session(
        http(f"{server.url}/mcp", TOKEN),
        ("list_incidents", {"namespace": "online-boutique"}),
        ("diagnose_workload", {"namespace": "online-boutique", "workload": "frontend"}),
        ("diagnose_workload", {"namespace": "online-boutique", "workload": "paymentservice"}),
        (
            "explain_field",
            {
                "namespace": "online-boutique",
                "workload": "cartservice",
                "field": "resources.limits.cpu",
            },
        ),
    )
    assert {t.name for t in listed.tools} >= {"diagnose_workload", "explain_field", "get_incident"}
    assert [i["id"] for i in structured(incidents)["items"]] == [stored[0]["id"]]

    (result,) = structured(oom)["results"]
    assert result["diagnosis"]["category"] == "oom" and result["fix"]["status"] == "proposed"
    assert result["fix"]["changes"][0]["new"] == "256Mi" and result["pr"] is None
    (paid,) = structured(crash)["results"]
    assert paid["diagnosis"]["category"] == "crashloop"
    assert TOKEN not in everything(crash) and "[REDACTED:" in everything(crash)
    explained = structured(where)
    assert explained["key_path"] == ["cartService", "resources", "limits", "cpu"]
    assert explained["proven_by_render"] and explained["value_in_file"] == "300m"

    # the cluster was read, and only read
    assert api.requests and {method for method, _ in api.requests} == {"GET"}
    # neither the repository nor the store changed
    assert tree_state(server.repo) == files_before
    assert (git(server.repo, "status", "--porcelain"), git(server.repo, "for-each-ref")) == (
        git_before
    )
    assert server.incidents() == stored


def test_an_incident_the_service_ran_reads_the_same_over_mcp_as_over_the_api(
    tmp_path: Path,
) -> None:
    proc = Serve(
        repo=init_gitops_repo(tmp_path / "gitops"),
        db=tmp_path / "store" / "dr-kube.db",
        env={"DRKUBE_PROVIDER": "rules"},
        args=["--cluster", str(SAMPLE_CLUSTER), "--charts", str(SAMPLE_CHARTS)],
    ).start()
    try:
        delivered = httpx.post(
            f"{proc.url}/webhooks/alertmanager",
            json=payload(alert("frontend", pod_suffix="x2x9k")),
            headers=am_headers(),
            timeout=10,
        )
        assert delivered.status_code == 202
        (ran,) = wait_for(
            lambda: [i for i in proc.incidents() if i["status"] not in ("queued", "running")]
        )
        api = httpx.get(
            f"{proc.url}/api/v1/incidents/{ran['id']}",
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=10,
        ).json()
        _, (listed, got, trail, verdict) = session(
            http(f"{proc.url}/mcp", TOKEN),
            ("list_incidents", {"status": ran["status"], "workload": "frontend"}),
            ("get_incident", {"incident_id": ran["id"]}),
            ("audit_trail", {"incident_id": ran["id"]}),
            ("verify_audit", {}),
        )
    finally:
        proc.stop()
    assert [i["id"] for i in structured(listed)["items"]] == [ran["id"]]
    incident = structured(got)
    assert incident["status"] == api["status"] and incident["key"] == api["key"]
    assert incident["diagnosis"] == api["diagnosis"]
    assert incident["held_alerts"] == api["held_alerts"] and incident["held_alerts"]
    assert incident["diagnosis"]["category"] == "oom"
    assert incident["fix"]["changes"] == api["fix"]["changes"] == api["changes"]
    assert incident["fix"]["changes"][0]["new"] == "256Mi"
    assert [e["seq"] for e in incident["events"]] == [e["seq"] for e in api["events"]]
    kinds = [r["kind"] for r in structured(trail)["items"]]
    assert kinds[:2] == ["created", "alert"] and "diagnosis" in kinds and "validation" in kinds
    assert structured(verdict)["ok"] is True

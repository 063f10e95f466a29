"""`dr-kube mcp` over stdio, through the MCP SDK's own client: a real subprocess, the sample dump,
a real git repository and a real store. Every tool only reads: the repository's files, refs and
worktrees, and the store, are the same after the calls as before them; results are redacted."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dr_kube.alerts import parse_incidents
from dr_kube.store import Store, open_store
from dr_kube.store.audit import records
from dr_kube.store.ops import OpsStore
from tests.support.mcp_client import (
    everything,
    file_state,
    session,
    stdio,
    structured,
    text,
    tree_state,
)
from tests.support.paths import SAMPLE_CHARTS, SAMPLE_CLUSTER
from tests.support.repos import git, init_gitops_repo
from tests.support.service import alert, payload

pytestmark = pytest.mark.slow

# A secret DR-Kube is configured with (the API's token): masked wherever it shows up.
KNOWN = "am-token-planted-9f8e7d6c"
# A token of a recognised shape, left in a crashing container's log.
GITHUB_TOKEN = "ghp_" + "A1b2C3d4E5f6G7h8I9j0" * 2
TOOLS = {
    "list_incidents",
    "get_incident",
    "diagnose_workload",
    "diagnose_alert",
    "explain_field",
    "audit_trail",
    "verify_audit",
}


@pytest.fixture
def dump(tmp_path: Path) -> Path:
    """The sample dump, with both secrets in the crashing payment service's previous log."""
    root = tmp_path / "cluster"
    shutil.copytree(SAMPLE_CLUSTER, root)
    log = root / "online-boutique/paymentservice-6f7d8c9b5-h4k8n/server/logs.previous.txt"
    text = log.read_text()
    line = "Error: Missing required environment variable PAYMENT_GATEWAY_URL"
    assert line in text
    log.write_text(text.replace(line, f"{line} (gateway {GITHUB_TOKEN}, client {KNOWN})"))
    return root


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """A store holding two incidents (frontend, cartservice) and an audit record with a secret."""
    path = tmp_path / "store" / "dr-kube.db"
    store: Store = open_store(None, path)
    try:
        OpsStore(store).init()
        ingested = store.ingest(parse_incidents(payload(alert("frontend"), alert("cartservice"))))
        store.event(ingested[0].incident_id, "note", f"operator pasted {KNOWN} here")
    finally:
        store.close()
    return path


def flags(repo: Path, cluster: Path, db: Path) -> list[str]:
    return [
        "--cluster",
        str(cluster),
        "--charts",
        str(SAMPLE_CHARTS),
        "--gitops-repo",
        str(repo),
        "--provider",
        "rules",
        "--db",
        str(db),
    ]


def repo_state(repo: Path) -> tuple[str, str, str]:
    return (
        git(repo, "status", "--porcelain", "--ignored"),
        git(repo, "for-each-ref"),
        git(repo, "worktree", "list", "--porcelain"),
    )


def test_every_tool_reads_and_nothing_is_written(
    tmp_path: Path, dump: Path, store_path: Path
) -> None:
    repo = init_gitops_repo(tmp_path / "gitops")
    git_before = repo_state(repo)
    files_before, store_before = tree_state(repo), file_state(store_path)
    server = stdio(*flags(repo, dump, store_path), env={"DRKUBE_ALERTMANAGER_TOKEN": KNOWN})
    listed, results = session(
        server,
        ("diagnose_workload", {"namespace": "online-boutique", "workload": "frontend"}),
        ("diagnose_workload", {"namespace": "online-boutique", "workload": "paymentservice"}),
        ("explain_field", {"namespace": "online-boutique", "workload": "frontend"}),
        ("list_incidents", {}),
        ("list_incidents", {"workload": "cartservice"}),
        ("audit_trail", {}),
        ("verify_audit", {}),
    )
    oom, crash, explained, incidents, carts, trail, verdict = results

    tools = {t.name: t for t in listed.tools}
    assert set(tools) == TOOLS
    assert all(t.annotations and t.annotations.read_only_hint for t in tools.values())
    assert all(t.output_schema for t in tools.values())  # each result is a typed model

    # the dry run is `dr-kube run`'s result: the OOM fix, validated by rendering the chart
    (result,) = structured(oom)["results"]
    assert result["schema"] == "dr-kube/result@1"
    assert result["diagnosis"]["category"] == "oom"
    assert result["fix"]["status"] == "proposed"
    assert [(c["path"], c["old"], c["new"]) for c in result["fix"]["changes"]] == [
        (["frontend", "resources", "limits", "memory"], "128Mi", "256Mi")
    ]
    assert result["fix"]["validation"]["ok"] and result["pr"] is None

    # where the memory limit is set, proven by Helm
    where = structured(explained)
    assert (
        where["app"] == "online-boutique" and where["values_file"] == "values/online-boutique.yaml"
    )
    assert where["key_path"] == ["frontend", "resources", "limits", "memory"]
    assert where["value_in_file"] == where["rendered_value"] == "128Mi"
    assert where["proven_by_render"] and where["template"].endswith("templates/frontend.yaml")
    assert where["chart"]["name"] == "onlineboutique"

    # incidents and the audit trail come from the store, filters apply
    assert structured(incidents)["total"] == 2
    assert [i["workload"] for i in structured(carts)["items"]] == ["cartservice"]
    assert structured(verdict)["ok"] is True
    assert structured(trail)["items"]

    # redacted: the configured secret and the token in the log reach no client
    (paid,) = structured(crash)["results"]
    assert paid["diagnosis"]["category"] == "crashloop"
    for leaked in (crash, trail):
        assert KNOWN not in everything(leaked) and GITHUB_TOKEN not in everything(leaked)
        assert "[REDACTED:" in everything(leaked)

    # nothing written: files, refs, worktrees and the store are as they were
    assert tree_state(repo) == files_before
    assert repo_state(repo) == git_before
    assert file_state(store_path) == store_before  # (SQLite's -wal and -shm come and go)


def test_one_incident_in_full_and_a_tampered_trail(tmp_path: Path, store_path: Path) -> None:
    repo = init_gitops_repo(tmp_path / "gitops")
    store = open_store(None, store_path)
    try:
        first = next(iter(records(store.db)))
        with store.db.tx() as cur:  # an intruder rewrites history outside DR-Kube
            cur.run("UPDATE audit SET message = 'nothing happened' WHERE seq = ?", (first.seq,))
        incident_id = first.incident_id
    finally:
        store.close()
    server = stdio(
        *flags(repo, SAMPLE_CLUSTER, store_path), env={"DRKUBE_ALERTMANAGER_TOKEN": KNOWN}
    )
    _, (got, missing, verdict, trail) = session(
        server,
        ("get_incident", {"incident_id": incident_id}),
        ("get_incident", {"incident_id": "no-such-incident"}),
        ("verify_audit", {}),
        ("audit_trail", {"incident_id": incident_id}),
    )
    incident = structured(got)
    assert incident["id"] == incident_id and incident["alert_count"] == 1
    assert incident["alerts"][0]["labels"]["alertname"] == "ContainerOOMKilled"
    assert {e["kind"] for e in incident["events"]} >= {"note"}
    assert KNOWN not in everything(got)
    assert missing.is_error and "no incident 'no-such-incident'" in text(missing)
    assert structured(verdict) == {
        "ok": False,
        "records": first.seq - 1,
        "first_bad": first.seq,
        "problem": f"record {first.seq} changed",
    }
    assert all(r["incident_id"] == incident_id for r in structured(trail)["items"])


def test_bad_input_is_a_one_line_tool_error(tmp_path: Path) -> None:
    repo = init_gitops_repo(tmp_path / "gitops")
    server = stdio(*flags(repo, SAMPLE_CLUSTER, tmp_path / "absent.db"))
    _, (bad_name, unknown, no_store, not_alert, no_field) = session(
        server,
        ("diagnose_workload", {"namespace": "Online_Boutique", "workload": "frontend"}),
        ("diagnose_workload", {"namespace": "online-boutique", "workload": "no-such-app"}),
        ("list_incidents", {}),
        ("diagnose_alert", {"alert": {"hello": "world"}}),
        ("explain_field", {"namespace": "online-boutique", "workload": "frontend", "field": "x"}),
    )
    assert bad_name.is_error and "namespace" in text(bad_name)
    assert unknown.is_error and "no-such-app" in text(unknown)
    assert no_store.is_error and f"no store at {tmp_path / 'absent.db'}" in text(no_store)
    assert not_alert.is_error and "not an alert" in text(not_alert)
    assert no_field.is_error and "field 'x': expected one of resources.limits.memory" in text(
        no_field
    )
    for result in (unknown, no_store, not_alert, no_field):
        assert "Traceback" not in text(result) and len(text(result).splitlines()) == 1
    assert not (tmp_path / "absent.db").exists()  # a missing store is not created

"""The live source against an API server that answers with recorded objects in the API's JSON.

The API server (tests/support/kube_api.py) serves the sample cluster's own objects at the REST paths
the official client calls; the test checks that DR-Kube only ever reads.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from pytest_httpserver import HTTPServer

from dr_kube.cli.main import main
from dr_kube.cluster.dump import LIST_FILES, DumpSource
from dr_kube.cluster.live import LiveSource
from tests.support.kube_api import PLURALS, kubeconfig, serve
from tests.support.paths import REPO_ROOT, SAMPLE_CHARTS, SAMPLE_CLUSTER, SAMPLES


def test_live_source_reads_objects_lists_and_logs(httpserver: HTTPServer, tmp_path: Path) -> None:
    api = serve(httpserver)
    source = LiveSource(
        str(kubeconfig(tmp_path, httpserver.url_for("").rstrip("/"))), "kind-dr-kube"
    )
    pod = source.get("Pod", "online-boutique", "frontend-7d9c8b6f5b-x2x9k")
    assert (
        pod is not None
        and pod["status"]["containerStatuses"][0]["lastState"]["terminated"]["reason"]
        == "OOMKilled"
    )
    assert source.get("Deployment", "online-boutique", "missing") is None
    assert {p["metadata"]["name"] for p in source.list_objects("Pod", "online-boutique")} >= {
        "frontend-7d9c8b6f5b-x2x9k"
    }
    assert source.nodes()[0]["metadata"]["name"] == "dr-kube-control-plane"
    log = source.logs("online-boutique", "frontend-7d9c8b6f5b-x2x9k", "server", previous=True)
    assert log and "==== START" not in log
    assert source.logs("online-boutique", "recommendationservice-8d5f9c7b4-m9r2d", "nope") is None
    assert {method for method, _ in api.requests} == {"GET"}
    assert any("previous=true" in path for _, path in api.requests)
    assert source.api_versions() == [
        "apps/v1",
        "autoscaling/v1",
        "autoscaling/v2",
        "monitoring.coreos.com/v1",
        "monitoring.coreos.com/v1alpha1",
        "v1",
    ]


def without_render_notes(fix: dict[str, Any]) -> dict[str, Any]:
    rendered = fix.get("rendered")
    if not isinstance(rendered, dict):
        return fix
    return {**fix, "rendered": {k: v for k, v in rendered.items() if k != "notes"}}


def test_events_about_a_few_objects_are_asked_with_field_selectors(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    api = serve(httpserver)
    source = LiveSource(
        str(kubeconfig(tmp_path, httpserver.url_for("").rstrip("/"))), "kind-dr-kube"
    )
    objects = {("Pod", "frontend-7d9c8b6f5b-x2x9k"), ("ReplicaSet", "paymentservice-6f7d8c9b5")}
    events = source.events_about("online-boutique", objects)
    assert events == DumpSource(SAMPLE_CLUSTER).events_about("online-boutique", objects)
    assert {e["reason"] for e in events} == {
        "BackOff",
        "Pulled",
        "Started",
        "Created",
        "SuccessfulCreate",
    }
    asked = [path for _, path in api.requests if "/events" in path]
    assert len(asked) == 2 and all("fieldSelector=involvedObject.name" in path for path in asked)
    pods = source.owned_by("Pod", "online-boutique", [("ReplicaSet", "frontend-7d9c8b6f5b")])
    assert [p["metadata"]["name"] for p in pods] == ["frontend-7d9c8b6f5b-x2x9k"]


def test_run_against_the_live_api_matches_the_dump(httpserver: HTTPServer, tmp_path: Path) -> None:
    api = serve(httpserver)
    config = kubeconfig(tmp_path, httpserver.url_for("").rstrip("/"))
    common = [
        str(SAMPLES / "sample_oom.json"),
        "--charts",
        str(SAMPLE_CHARTS),
        "--gitops-repo",
        str(REPO_ROOT),
        "-o",
        "json",
    ]
    live = CliRunner().invoke(main, ["run", *common, "--kubeconfig", str(config)])
    dump = CliRunner().invoke(main, ["run", *common, "--cluster", str(SAMPLE_CLUSTER)])
    assert live.exit_code == 0, live.output
    live_doc, dump_doc = json.loads(live.stdout), json.loads(dump.stdout)
    # The live API answers discovery; the dump has no api-versions.txt: only the render notes
    # (what the render could not know of the cluster) may differ.
    assert without_render_notes(live_doc["fix"]) == without_render_notes(dump_doc["fix"])
    assert live_doc["diagnosis"]["root_cause"] == dump_doc["diagnosis"]["root_cause"]
    assert all(method == "GET" for method, _ in api.requests)


def test_an_unauthorised_api_is_a_clear_error(httpserver: HTTPServer, tmp_path: Path) -> None:
    serve(httpserver)
    config = kubeconfig(tmp_path, httpserver.url_for("").rstrip("/"))
    config.write_text(config.read_text().replace("recorded-token", "wrong"))
    result = CliRunner().invoke(
        main,
        [
            "run",
            str(SAMPLES / "sample_oom.json"),
            "--kubeconfig",
            str(config),
            "--gitops-repo",
            str(REPO_ROOT),
        ],
    )
    assert result.exit_code == 2
    assert "Kubernetes API" in result.stderr and "401" in result.stderr
    assert "Traceback" not in result.output


def test_list_files_cover_every_kind_the_live_source_reads() -> None:
    assert set(LIST_FILES) >= {kind for kind, _ in PLURALS.values()}


def test_live_source_follows_jobs_to_cronjobs_and_lists_a_nodes_pods(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    from dr_kube.cluster.owners import OwnerResolver
    from dr_kube.incidents.model import WorkloadRef
    from tests.support import replicas as r

    dump = r.write_dump(
        tmp_path / "dump",
        {"checkoutservice": 2},
        pods=[r.stranded_pod("cartservice", 0, "worker-2")],
    )
    ns = dump / r.NAMESPACE
    r.write_list(
        ns / "cronjobs.json",
        "CronJobList",
        [{"kind": "CronJob", "metadata": {"name": "backup", "namespace": r.NAMESPACE}}],
    )
    r.write_list(
        ns / "jobs.json",
        "JobList",
        [
            {
                "kind": "Job",
                "metadata": {
                    "name": "backup-28912345",
                    "namespace": r.NAMESPACE,
                    "ownerReferences": [{"kind": "CronJob", "name": "backup", "controller": True}],
                },
            }
        ],
    )
    api = serve(httpserver, dump)
    source = LiveSource(str(kubeconfig(tmp_path, httpserver.url_for("").rstrip("/"))))
    owners = OwnerResolver(source)
    assert owners.owner(r.NAMESPACE, "Job", "backup-28912345") == WorkloadRef(
        kind="CronJob", name="backup"
    )
    assert owners.owner(r.NAMESPACE, "Pod", r.pod_name("checkoutservice", 1)) == WorkloadRef(
        kind="Deployment", name="checkoutservice"
    )
    assert [p["metadata"]["name"] for p in source.pods_on_node("worker-2")] == [
        r.pod_name("cartservice", 0)
    ]
    assert any("fieldSelector=spec.nodeName" in path for _, path in api.requests)
    assert any(path.startswith("/apis/batch/v1/") for _, path in api.requests)
    assert {method for method, _ in api.requests} == {"GET"}


def test_live_source_reads_claims_quotas_storage_classes_and_node_pods(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    corpus = REPO_ROOT / "eval" / "scenarios"
    api = serve(httpserver, corpus / "dev" / "unschedulable-nodes-full-memory" / "cluster")
    source = LiveSource(
        str(kubeconfig(tmp_path, httpserver.url_for("").rstrip("/"))), "kind-dr-kube"
    )
    node = source.nodes()[0]["metadata"]["name"]
    held = source.pods_on_node(node)
    assert {p["metadata"]["namespace"] for p in held} == {"batch"}
    assert any("fieldSelector=spec.nodeName" in path for _, path in api.requests)
    assert source.storage_classes() is None  # forbidden or absent: unknown, not empty
    assert source.list_objects("ResourceQuota", "data") == []
    assert {method for method, _ in api.requests} == {"GET"}


def test_live_and_dump_collect_the_same_claims_and_quotas(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    from dr_kube.alerts import parse_incidents
    from dr_kube.cluster.collect import collect_evidence

    corpus = REPO_ROOT / "eval" / "scenarios"
    for name in ("dev/volume-pvc-storageclass-missing", "dev/quota-memory-limits-exhausted"):
        cluster = corpus / name / "cluster"
        httpserver.clear()
        serve(httpserver, cluster)
        live = LiveSource(
            str(kubeconfig(tmp_path, httpserver.url_for("").rstrip("/"))), "kind-dr-kube"
        )
        incident = parse_incidents(json.loads((corpus / name / "alert.json").read_text()))[0]
        from_live = collect_evidence(live, incident)
        from_dump = collect_evidence(DumpSource(cluster), incident)
        assert from_live.claims == from_dump.claims and from_live.quotas == from_dump.quotas
        assert from_live.claims or from_live.quotas

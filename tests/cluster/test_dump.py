"""The kubectl cluster-info dump source and evidence collection on real dump files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dr_kube.alerts import parse_incidents
from dr_kube.cluster.collect import collect_evidence, resolve_workload
from dr_kube.cluster.dump import DumpSource, split_pod_logs
from dr_kube.errors import InputError, NotFoundError
from tests.support.paths import DATA, SAMPLE_CLUSTER

STS_DUMP = DATA / "dump-statefulset"


def alert(namespace: str, **labels: str):  # type: ignore[no-untyped-def]
    return parse_incidents({"labels": {"alertname": "Test", "namespace": namespace, **labels}})[0]


def test_logs_are_split_per_container() -> None:
    sections = split_pod_logs(STS_DUMP / "data" / "redis-master-0" / "logs.txt")
    assert set(sections) == {"redis", "metrics"}
    assert all("==== START" not in text and "==== END" not in text for text in sections.values())


def test_previous_container_logs_come_from_the_extra_file() -> None:
    source = DumpSource(STS_DUMP)
    previous = source.logs("data", "redis-master-0", "metrics", previous=True)
    assert previous and "==== START" not in previous
    assert source.logs("data", "redis-master-0", "redis", previous=True) is None


def test_owner_chain_pod_replicaset_deployment() -> None:
    source = DumpSource(SAMPLE_CLUSTER)
    workload, chain, pod = resolve_workload(
        source, alert("online-boutique", pod="frontend-7d9c8b6f5b-x2x9k")
    )
    assert workload["metadata"]["name"] == "frontend"
    assert chain == [
        "Pod/frontend-7d9c8b6f5b-x2x9k",
        "ReplicaSet/frontend-7d9c8b6f5b",
        "Deployment/frontend",
    ]
    assert pod is not None


def test_owner_chain_statefulset_and_daemonset() -> None:
    source = DumpSource(STS_DUMP)
    workload, chain, _ = resolve_workload(source, alert("data", pod="redis-master-0"))
    assert chain == ["Pod/redis-master-0", "StatefulSet/redis-master"]
    assert "kind" not in workload  # list items in a dump carry no kind: the chain says it
    pod_name = next(
        p["metadata"]["name"]
        for p in source.list_objects("Pod", "data")
        if p["metadata"]["name"].startswith("node-exporter")
    )
    workload, chain, _ = resolve_workload(source, alert("data", pod=pod_name))
    assert chain[-1] == "DaemonSet/node-exporter"


def test_evidence_looks_at_the_container_the_alert_names() -> None:
    source = DumpSource(STS_DUMP)
    evidence = collect_evidence(source, alert("data", pod="redis-master-0", container="metrics"))
    container = evidence.container()
    assert container is not None and container.name == "metrics"
    assert container.last_termination_reason == "OOMKilled" and container.restart_count == 3
    log = evidence.log()
    assert log is not None and log.container == "metrics" and log.previous


def test_evidence_picks_the_troubled_container_when_the_alert_names_none() -> None:
    evidence = collect_evidence(DumpSource(STS_DUMP), alert("data", statefulset="redis-master"))
    assert evidence.focus_container == "metrics"


def test_evidence_from_the_sample_cluster() -> None:
    evidence = collect_evidence(
        DumpSource(SAMPLE_CLUSTER),
        alert("online-boutique", pod="frontend-7d9c8b6f5b-x2x9k", container="server"),
    )
    assert evidence.workload.kind == "Deployment" and evidence.workload.name == "frontend"
    assert evidence.workload.annotations["argocd.argoproj.io/tracking-id"].startswith(
        "online-boutique:"
    )
    container = evidence.container()
    assert container is not None
    assert container.limits == {"cpu": "200m", "memory": "128Mi"}
    assert container.waiting_reason == "CrashLoopBackOff"
    assert any(e.reason == "BackOff" and e.count > 1 for e in evidence.events)
    assert evidence.nodes and evidence.nodes[0].allocatable_memory
    # What Helm's .Capabilities.KubeVersion is rendered with (issue 12).
    assert evidence.kube_version() == "v1.31.2"


def test_scheduler_events_count_their_series() -> None:
    evidence = collect_evidence(
        DumpSource(SAMPLE_CLUSTER),
        alert("online-boutique", pod="recommendationservice-8d5f9c7b4-m9r2d"),
    )
    scheduling = [e for e in evidence.events if e.reason == "FailedScheduling"]
    assert scheduling and scheduling[0].count > 1


def test_a_gone_pod_falls_back_to_its_workload() -> None:
    evidence = collect_evidence(
        DumpSource(SAMPLE_CLUSTER),
        alert(
            "online-boutique",
            pod="frontend-7d9c8b6f5b-gone1",
            workload="frontend",
            workload_type="deployment",
        ),
    )
    assert evidence.workload.name == "frontend"
    assert any("gone" in note for note in evidence.notes)


def test_missing_workload_names_what_was_looked_for() -> None:
    with pytest.raises(NotFoundError, match="Deployment online-boutique/nope"):
        collect_evidence(DumpSource(SAMPLE_CLUSTER), alert("online-boutique", deployment="nope"))


def test_unreadable_dump_files_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a directory"):
        DumpSource(tmp_path / "missing")
    (tmp_path / "ns").mkdir()
    (tmp_path / "ns" / "pods.json").write_text("{broken")
    with pytest.raises(InputError, match=r"pods\.json"):
        DumpSource(tmp_path).list_objects("Pod", "ns")


def test_secret_env_values_are_masked_in_logs(tmp_path: Path) -> None:
    import json
    import shutil

    dump = tmp_path / "dump"
    shutil.copytree(STS_DUMP, dump)
    pods_file = dump / "data" / "pods.json"
    pods = json.loads(pods_file.read_text())
    redis = next(p for p in pods["items"] if p["metadata"]["name"] == "redis-master-0")
    metrics = next(c for c in redis["spec"]["containers"] if c["name"] == "metrics")
    metrics.setdefault("env", []).append(
        {"name": "REDIS_PASSWORD", "value": "hunter2-redis-secret"}
    )
    pods_file.write_text(json.dumps(pods))
    previous = dump / "data" / "redis-master-0" / "metrics" / "logs.previous.txt"
    previous.write_text(previous.read_text() + "connecting with password hunter2-redis-secret\n")
    evidence = collect_evidence(
        DumpSource(dump), alert("data", pod="redis-master-0", container="metrics")
    )
    text = evidence.model_dump_json()
    assert "hunter2-redis-secret" not in text
    assert "[REDACTED:secret:" in text


def test_a_dump_may_carry_kubectl_api_versions(tmp_path: Path) -> None:
    dump = tmp_path / "dump"
    shutil.copytree(SAMPLE_CLUSTER, dump)
    assert DumpSource(dump).api_versions() == []
    (dump / "api-versions.txt").write_text(
        "apps/v1\nmonitoring.coreos.com/v1\nv1\n\nnot a version!\n"
    )
    evidence = collect_evidence(
        DumpSource(dump),
        alert("online-boutique", pod="frontend-7d9c8b6f5b-x2x9k", container="server"),
    )
    assert evidence.api_versions == ["apps/v1", "monitoring.coreos.com/v1", "v1"]

"""Incident identity: what an alert is about (never the exporter), which owner a pod resolves to,
and which alerts one incident holds."""

from __future__ import annotations

import json
from pathlib import Path

from dr_kube.alerts import parse_incidents
from dr_kube.cluster.dump import DumpSource
from dr_kube.cluster.owners import OwnerResolver, owner_from_name
from dr_kube.incidents.grouping import group_incidents
from dr_kube.incidents.identity import OpenIncident, incident_to_join
from dr_kube.incidents.model import WorkloadRef
from tests.support import replicas as r


def one(alert: dict[str, object]):  # type: ignore[no-untyped-def]
    [incident] = parse_incidents(r.payload(alert))
    return incident


def test_a_workload_alert_from_kube_state_metrics_is_not_about_the_exporter() -> None:
    incident = one(r.replicas_mismatch("checkoutservice"))
    assert incident.labels["pod"] == r.KSM_POD  # the exporter's own target label is there...
    assert incident.pod is None and incident.container is None  # ...and not taken for the subject
    assert incident.workload == WorkloadRef(kind="Deployment", name="checkoutservice")
    assert incident.key() == "online-boutique/Deployment/checkoutservice/replicas-mismatch"


def test_a_pod_alert_from_kube_state_metrics_keeps_its_pod() -> None:
    incident = one(r.crash_looping("checkoutservice", 3))
    assert incident.pod == r.pod_name("checkoutservice", 3)
    assert incident.container == "server"
    assert incident.workload is None  # resolved to its owner at intake, not from labels


def test_exported_labels_win_over_the_target_labels() -> None:
    """With honorLabels: false the metric's own labels are renamed exported_*."""
    labels = {
        "alertname": "KubePodCrashLooping",
        "exported_namespace": "online-boutique",
        "exported_pod": "cartservice-7c9d8f6b5d-x2k4p",
        "exported_container": "server",
        **r.KSM_TARGET,
        "namespace": "monitoring",
    }
    incident = one(r.alert(labels))
    assert (incident.namespace, incident.pod, incident.container) == (
        "online-boutique",
        "cartservice-7c9d8f6b5d-x2k4p",
        "server",
    )


def test_a_node_alert_is_about_the_node_not_the_exporters_namespace() -> None:
    incident = one(r.node_not_ready("worker-2"))
    assert incident.workload == WorkloadRef(kind="Node", name="worker-2")
    assert incident.namespace == "" and incident.pod is None
    assert incident.key() == "_cluster/Node/worker-2/node-not-ready"
    eviction = {
        "alertname": "KubeNodeEviction",
        "node": "worker-2",
        "eviction_signal": "memory.available",
        "instance": "172.18.0.3:10250",
    }
    assert one(r.alert(eviction)).key() == "_cluster/Node/worker-2/node-pressure"


def test_symptoms_join_any_open_incident_and_causes_their_own() -> None:
    diagnosed_oom = OpenIncident(id="a", category="oom", diagnosed=True)
    undiagnosed = OpenIncident(id="b", category="replicas-mismatch", diagnosed=False)
    assert incident_to_join([diagnosed_oom], "crashloop") == "a"
    assert incident_to_join([diagnosed_oom], None) == "a"
    assert incident_to_join([diagnosed_oom], "oom") == "a"
    assert incident_to_join([diagnosed_oom], "image-pull") is None  # another cause
    assert incident_to_join([diagnosed_oom, undiagnosed], "image-pull") == "b"
    assert incident_to_join([], "oom") is None


def test_pods_resolve_to_their_owners_through_the_dump(tmp_path: Path) -> None:
    dump = r.write_dump(tmp_path / "dump", {"checkoutservice": 3})
    ns = dump / r.NAMESPACE
    r.write_list(
        ns / "cronjobs.json",
        "CronJobList",
        [{"kind": "CronJob", "metadata": {"name": "backup", "namespace": r.NAMESPACE}}],
    )
    job = {
        "kind": "Job",
        "metadata": {
            "name": "backup-28912345",
            "namespace": r.NAMESPACE,
            "ownerReferences": [{"kind": "CronJob", "name": "backup", "controller": True}],
        },
    }
    r.write_list(ns / "jobs.json", "JobList", [job])
    pods = json.loads((ns / "pods.json").read_text())
    pods["items"].append(
        {
            "kind": "Pod",
            "metadata": {
                "name": "backup-28912345-q7x2d",
                "namespace": r.NAMESPACE,
                "ownerReferences": [{"kind": "Job", "name": "backup-28912345", "controller": True}],
            },
        }
    )
    (ns / "pods.json").write_text(json.dumps(pods))
    owners = OwnerResolver(DumpSource(dump))
    assert owners.owner(r.NAMESPACE, "Pod", r.pod_name("checkoutservice", 2)) == WorkloadRef(
        kind="Deployment", name="checkoutservice"
    )
    assert owners.owner(r.NAMESPACE, "Pod", "backup-28912345-q7x2d") == WorkloadRef(
        kind="CronJob", name="backup"
    )
    job_alert = one(
        r.alert(
            {
                "alertname": "KubeJobFailed",
                "namespace": r.NAMESPACE,
                "job_name": "backup-28912345",
                **r.KSM_TARGET,
            }
        )
    )
    assert job_alert.pod is None
    assert owners.resolve(job_alert).workload == WorkloadRef(kind="CronJob", name="backup")
    assert owners.owner(r.NAMESPACE, "Pod", "gone-pod") is None


def test_a_pod_the_cluster_does_not_know_falls_back_to_its_name() -> None:
    assert owner_from_name("checkoutservice-5fd8b8c6c7-lq2zd") == WorkloadRef(
        kind="Deployment", name="checkoutservice"
    )
    assert owner_from_name("redis-0") is None  # a StatefulSet's? a bare pod's? not from the name
    incident = one(r.oom_killed("checkoutservice", 4))
    assert OwnerResolver(None).resolve(incident).workload == WorkloadRef(
        kind="Deployment", name="checkoutservice"
    )


def test_ten_replicas_and_three_symptoms_are_one_incident_led_by_the_cause(tmp_path: Path) -> None:
    owners = OwnerResolver(DumpSource(r.write_dump(tmp_path / "d", {"checkoutservice": 10})))
    alerts = [r.replicas_mismatch("checkoutservice"), r.crash_looping("checkoutservice", 0)]
    alerts += [r.oom_killed("checkoutservice", n) for n in range(10)]
    incidents = [owners.resolve(i) for i in parse_incidents(r.payload(*alerts))]
    [incident] = group_incidents(incidents)
    assert incident.alertname == "ContainerOOMKilled"
    assert len(incident.alerts) == 12
    assert {a.workload for a in incident.alerts} == {"Deployment/checkoutservice"}

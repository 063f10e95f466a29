"""Evidence for a node incident: the node's conditions and taints, its events, and the pods (with
their workloads) bound to it, from every namespace."""

from __future__ import annotations

from dr_kube.cluster.collect import event_count, node_evidence, parse_time, pod_evidence
from dr_kube.cluster.evidence import EventEvidence, Evidence, PodEvidence, WorkloadEvidence
from dr_kube.cluster.owners import OwnerResolver
from dr_kube.cluster.source import ClusterSource, K8sObject, meta
from dr_kube.errors import NotFoundError
from dr_kube.incidents.model import Incident
from dr_kube.redact import redact

MAX_PODS = 50
EVENT_NAMESPACES = ("default",)  # the kubelet and the node controller post node events here


def collect_node_evidence(source: ClusterSource, incident: Incident) -> Evidence:
    assert incident.workload is not None and incident.workload.kind == "Node"
    name = incident.workload.name
    found = next((n for n in source.nodes() if meta(n).get("name") == name), None)
    if found is None:
        raise NotFoundError(f"node {name} not found in {source.description}")
    node = node_evidence(found)
    owners = OwnerResolver(source)
    pods = [owned(owners, p) for p in source.pods_on_node(name)[:MAX_PODS]]
    workload = WorkloadEvidence(
        kind="Node", name=name, namespace="", labels=node.labels, conditions=node.conditions
    )
    hit = sorted({p.owner for p in pods if p.owner})
    notes = [f"pods on node {name}: {len(pods)}; workloads: {', '.join(hit) or 'none'}"]
    return Evidence(
        source=source.description,
        workload=workload,
        pods=pods,
        events=node_events(source, name),
        nodes=[node],
        alert_logs=[redact(line) for line in incident.logs],
        notes=notes,
    )


def owned(owners: OwnerResolver, pod: K8sObject) -> PodEvidence:
    evidence = pod_evidence(pod)
    namespace = meta(pod).get("namespace", "")
    owner = owners.owner(namespace, "Pod", evidence.name)
    if owner is not None:
        evidence.owner = f"{namespace}/{owner.kind}/{owner.name}"
    return evidence


def node_events(source: ClusterSource, name: str) -> list[EventEvidence]:
    events: list[EventEvidence] = []
    for namespace in EVENT_NAMESPACES:
        for event in source.events(namespace):
            ref = event.get("involvedObject") or {}
            if ref.get("kind") == "Node" and ref.get("name") == name:
                events.append(
                    EventEvidence(
                        type=event.get("type") or "Normal",
                        reason=event.get("reason") or "",
                        message=redact(event.get("message") or ""),
                        count=event_count(event),
                        object=f"Node/{name}",
                        last_seen=parse_time(event.get("lastTimestamp") or event.get("eventTime")),
                    )
                )
    return events

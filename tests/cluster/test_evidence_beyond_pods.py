"""Evidence beyond the pod, from kubectl-shaped dumps of the eval corpus: evictions, node
conditions, claims and their StorageClass, quotas, limit ranges, what nodes already hold. Each
item reaches the rules provider (the Evidence it reads) and the LLM prompt, short and redacted."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from dr_kube.alerts import parse_incidents
from dr_kube.cluster.collect import MAX_ITEM_CHARS, collect_evidence, pod_evidence
from dr_kube.cluster.dump import DumpSource
from dr_kube.cluster.evidence import Evidence
from dr_kube.cluster.source import K8sObject
from dr_kube.diagnose.analyzers import ANALYZERS, run_analyzers
from dr_kube.diagnose.context import AnalysisContext
from dr_kube.diagnose.findings import Finding
from dr_kube.diagnose.llm.prompt import event_lines, evidence_section
from tests.support.paths import REPO_ROOT

CORPUS = REPO_ROOT / "eval" / "scenarios"


class CountingSource(DumpSource):
    """A dump that remembers which extra reads were made."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.listed: list[str] = []
        self.node_reads: list[str] = []

    def list_objects(self, kind: str, namespace: str) -> list[K8sObject]:
        self.listed.append(kind)
        return super().list_objects(kind, namespace)

    def pods_on_node(self, node: str) -> list[K8sObject]:
        self.node_reads.append(node)
        return super().pods_on_node(node)


def scenario(name: str, cluster: Path | None = None) -> tuple[AnalysisContext, CountingSource]:
    root = CORPUS / name
    alert = json.loads((root / "alert.json").read_text())
    incident = parse_incidents(alert)[0]
    source = CountingSource(cluster or root / "cluster")
    evidence = collect_evidence(source, incident)
    return AnalysisContext(incident=incident, evidence=evidence), source


def prompt_text(evidence: Evidence) -> str:
    return "\n".join(evidence_section(evidence))


def best(ctx: AnalysisContext) -> Finding:
    findings = run_analyzers(ctx)
    assert findings
    return findings[0]


def test_an_evicted_pod_and_its_message_reach_rules_and_prompt() -> None:
    ctx, _ = scenario("dev/eviction-memory-far-over-request")
    evicted = [p for p in ctx.evidence.pods if p.evicted]
    assert len(evicted) == 1 and evicted[0].phase == "Failed"
    assert "Container catalog-indexer was using 1843200Ki, request is 256Mi" in (
        evicted[0].message or ""
    )
    assert f"pod {evicted[0].name} Failed Evicted: The node was low on resource: memory" in (
        prompt_text(ctx.evidence)
    )
    finding = best(ctx)
    assert finding.category == "node-pressure" and finding.fix is not None
    assert finding.fix.kind == "raise-memory-request" and finding.fix.container == "catalog-indexer"
    assert finding.fix.at_least == "2160Mi"  # what it used, and a fifth more


def test_an_eviction_within_the_request_is_the_node_not_the_pod() -> None:
    ctx, _ = scenario("dev/eviction-node-pressure-not-this-pod")
    finding = best(ctx)  # the node's incident, since the node still reports MemoryPressure
    assert finding.category == "node-pressure" and finding.fix is None and finding.node
    assert "MemoryPressure" in finding.root_cause
    eviction = ANALYZERS["eviction"](ctx)
    assert eviction is not None and eviction.fix is None and "low on memory" in eviction.root_cause
    assert eviction.node == finding.node  # both point at the same node: one incident


def test_node_conditions_of_the_pods_node_are_read_and_named() -> None:
    ctx, _ = scenario("test/node-memory-pressure-pod-not-ready")
    pod = ctx.evidence.pod()
    assert pod is not None
    node = ctx.evidence.node(pod.node)
    assert node is not None and node.problem_names() == ["MemoryPressure"]
    assert "MemoryPressure (kubelet has insufficient memory available)" in prompt_text(ctx.evidence)
    finding = best(ctx)
    assert finding.category == "node-pressure" and finding.fix is None
    assert f"Node {node.name} is under MemoryPressure" in finding.root_cause


def test_a_not_ready_node_is_named() -> None:
    ctx, _ = scenario("dev/node-not-ready-pod-stuck")
    finding = best(ctx)
    assert finding.category == "node-not-ready" and "is not ready" in finding.root_cause


def test_a_claim_whose_storage_class_does_not_exist() -> None:
    ctx, _ = scenario("dev/volume-pvc-storageclass-missing")
    (claim,) = ctx.evidence.claims
    assert (claim.name, claim.phase, claim.storage_class) == (
        "invoice-store-data",
        "Pending",
        "fast-ssd",
    )
    assert claim.storage_class_found is False and claim.requested == "10Gi"
    assert any(e.object == "PersistentVolumeClaim/invoice-store-data" for e in ctx.evidence.events)
    assert (
        "PersistentVolumeClaim invoice-store-data: phase Pending, storageClass fast-ssd "
        "(no such StorageClass), requests 10Gi, access ReadWriteOnce"
    ) in prompt_text(ctx.evidence)
    finding = best(ctx)
    assert finding.category == "volume" and finding.fix is None
    assert "invoice-store-data" in finding.root_cause and "fast-ssd" in finding.root_cause
    assert "Create StorageClass fast-ssd" in (finding.human_action or "")


def test_without_storage_classes_in_the_dump_the_class_is_unknown(tmp_path: Path) -> None:
    copy = tmp_path / "cluster"
    shutil.copytree(CORPUS / "dev/volume-pvc-storageclass-missing/cluster", copy)
    (copy / "storageclasses.json").unlink()
    ctx, _ = scenario("dev/volume-pvc-storageclass-missing", copy)
    assert ctx.evidence.claims[0].storage_class_found is None
    finding = best(ctx)  # the event still says the class is missing
    assert finding.category == "volume" and "fast-ssd does not exist" in finding.root_cause
    (copy / "billing" / "persistentvolumeclaims.json").unlink()
    ctx, _ = scenario("dev/volume-pvc-storageclass-missing", copy)
    assert ctx.evidence.claims == []  # kubectl's dump has no claims: unknown, never "missing"


def test_a_multi_attach_names_the_volume_and_the_pod_holding_it() -> None:
    ctx, _ = scenario("test/volume-multi-attach-rolling-update")
    finding = best(ctx)
    assert finding.category == "volume" and "ReadWriteOnce" in finding.root_cause
    old = [p.name for p in ctx.evidence.pods if p.name != ctx.evidence.focus_pod]
    assert old and old[0] in finding.root_cause
    events = "\n".join(event_lines(ctx.evidence))
    assert "FailedAttachVolume: Multi-Attach error for volume" in events
    assert "FailedMount: Unable to attach or mount volumes" in events


def test_a_quota_refusal_names_the_quota_and_the_numbers() -> None:
    ctx, source = scenario("dev/quota-memory-limits-exhausted")
    (quota,) = ctx.evidence.quotas
    assert quota.line() == "ResourceQuota/team-quota: limits.memory 15872Mi/16Gi, requests.cpu 3/8"
    assert quota.line() in prompt_text(ctx.evidence)
    assert "ResourceQuota" in source.listed
    finding = best(ctx)
    assert finding.category == "quota" and finding.fix is None
    assert "limits.memory: requests 1Gi, 15872Mi of 16Gi used" in finding.root_cause
    assert "Raise ResourceQuota team-quota (limits.memory 16Gi)" in (finding.human_action or "")


def test_a_limit_range_refusal_names_the_bound() -> None:
    ctx, _ = scenario("test/limitrange-max-memory-per-container")
    (bound,) = ctx.evidence.limit_ranges
    assert bound.line() == (
        "LimitRange/container-bounds (Container): max cpu=2, memory=1Gi; min cpu=50m, memory=64Mi"
    )
    assert bound.line() in prompt_text(ctx.evidence)
    finding = best(ctx)
    assert finding.category == "quota" and finding.fix is None
    assert "maximum memory per Container is 1Gi, its limit is 2Gi" in finding.root_cause


def test_quotas_and_node_capacity_are_read_only_when_an_event_asks() -> None:
    _, source = scenario("dev/eviction-memory-far-over-request")
    assert "ResourceQuota" not in source.listed and "LimitRange" not in source.listed
    assert source.node_reads == []


def test_a_full_cluster_is_read_against_what_every_namespace_requests_on_each_node() -> None:
    ctx, source = scenario("dev/unschedulable-nodes-full-memory")
    assert len(source.node_reads) == 3
    node = ctx.evidence.nodes[0]
    assert (node.requested_cpu, node.requested_memory) == ("1", "11Gi")  # namespace batch's pods
    assert "requested by its pods cpu 1, memory 11Gi" in prompt_text(ctx.evidence)
    finding = best(ctx)
    assert finding.category == "unschedulable" and finding.fix is None
    assert "requests 4Gi, and the most any node has free is 2011Mi" in finding.root_cause


def test_cordoned_nodes_are_named() -> None:
    ctx, _ = scenario("dev/unschedulable-nodes-cordoned")
    assert all(n.unschedulable for n in ctx.evidence.nodes)
    assert "cordoned" in best(ctx).root_cause and "cordoned" in prompt_text(ctx.evidence)


def test_a_pod_message_is_one_short_redacted_line() -> None:
    message = "The node was low on resource: memory. " + "x" * 400 + " password=hunter2hunter2"
    pod: dict[str, Any] = {
        "metadata": {"name": "p"},
        "status": {"phase": "Failed", "reason": "Evicted", "message": message},
    }
    evidence = pod_evidence(pod)
    assert evidence.message is not None and len(evidence.message) <= MAX_ITEM_CHARS
    short = pod_evidence({**pod, "status": {**pod["status"], "message": "token: hunter2hunter2"}})
    assert "hunter2hunter2" not in (short.message or "")

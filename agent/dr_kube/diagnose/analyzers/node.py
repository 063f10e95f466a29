"""Node-level causes: a node not ready (or unreachable), under memory, disk or PID pressure, or
evicting pods. The incident is about the node, whichever workload's alert found it."""

from __future__ import annotations

from dr_kube.cluster.evidence import NodeEvidence, PodCondition
from dr_kube.diagnose.context import AnalysisContext
from dr_kube.diagnose.findings import Finding

PRESSURES = ("MemoryPressure", "DiskPressure", "PIDPressure")
ACTION_NOT_READY = (
    "Look at the node: kubelet and container runtime running, network reachable, resources "
    "free; cordon and drain it if it does not come back. No values change fixes a node."
)
ACTION_PRESSURE = (
    "Free the node (drain it or move heavy pods away), and set memory and ephemeral-storage "
    "requests and limits on the pods that use the most; no single workload's values fix it."
)


def bad_conditions(node: NodeEvidence) -> list[PodCondition]:
    ready = [c for c in node.conditions if c.type == "Ready" and c.status != "True"]
    pressure = [c for c in node.conditions if c.type in PRESSURES and c.status == "True"]
    return ready + pressure


def analyze(ctx: AnalysisContext) -> Finding | None:
    evidence = ctx.evidence
    if evidence.workload.kind == "Node":
        node = next((n for n in evidence.nodes if n.name == evidence.workload.name), None)
        return node_finding(ctx, node, subject=True) if node is not None else None
    by_name = {n.name: n for n in evidence.nodes}
    hit = [p for p in evidence.pods if p.node in by_name and bad_conditions(by_name[p.node])]
    evicted = [p for p in evidence.pods if p.reason == "Evicted"]
    if not hit and not evicted:
        return None
    name = (hit or evicted)[0].node
    node = by_name.get(name or "")
    if node is None:
        return None
    finding = node_finding(ctx, node, subject=False)
    if finding is not None:
        finding.evidence += [
            f"Pod/{p.name}: evicted: {p.message or ''}".rstrip() for p in evicted[:2]
        ]
    return finding


def node_finding(ctx: AnalysisContext, node: NodeEvidence, subject: bool) -> Finding | None:
    bad = bad_conditions(node)
    if not bad:
        return None
    lines = [
        f"Node/{node.name}: {c.type}={c.status}"
        + (f" ({c.reason})" if c.reason else "")
        + (f": {c.message}" if c.message else "")
        for c in bad
    ]
    taints = [f"{t.key}:{t.effect}" for t in node.taints if t.key.startswith("node.kubernetes.io/")]
    if taints:
        lines.append(f"Node/{node.name}: taints {', '.join(taints)}")
    owners = sorted({p.owner for p in ctx.evidence.pods if p.owner})
    if owners:
        lines.append(f"workloads on it: {', '.join(owners[:10])}")
    not_ready = bad[0].type == "Ready"
    category = "node-not-ready" if not_ready else "node-pressure"
    what = "is not ready" if not_ready else f"is under {bad[0].type}"
    who = (
        ""
        if subject
        else f" (found through {ctx.evidence.workload.kind} {ctx.evidence.workload.name})"
    )
    return Finding(
        category=category,
        root_cause=f"Node {node.name} {what}: the pods bound to it fail because of the node{who}.",
        evidence=lines,
        confidence=0.9,
        human_action=ACTION_NOT_READY if not_ready else ACTION_PRESSURE,
        node=node.name,
    )

"""Pods that stay Pending: requests no node can hold, or a cluster that is full."""

from __future__ import annotations

import re
from decimal import Decimal

from dr_kube.cluster.evidence import NodeEvidence, PodEvidence
from dr_kube.diagnose.analyzers.volume import SCHEDULING as VOLUME_SCHEDULING
from dr_kube.diagnose.context import AnalysisContext
from dr_kube.diagnose.findings import Finding, FixIntent
from dr_kube.quantity import QuantityError, format_cpu, parse_quantity


def analyze(ctx: AnalysisContext) -> Finding | None:
    pod = ctx.evidence.pod()
    pending = pod is not None and pod.phase == "Pending" and not pod.node
    events = ctx.events(r".", reasons=("FailedScheduling",))
    if not pending and not (ctx.hint == "unschedulable" and events):
        return None
    if not events:
        return None
    message = events[-1].message
    evidence = [f"Pod/{pod.name if pod else '?'}: Pending, not scheduled"] + [
        e.line() for e in events[-1:]
    ]
    insufficient = re.findall(r"Insufficient (cpu|memory)", message)
    if not insufficient and VOLUME_SCHEDULING.search(message):
        return None  # the volume analyzer reads the claims
    if not insufficient:
        unmet = unmet_constraints(ctx, pod, message)
        evidence += unmet
        cause = "; ".join(unmet) if unmet else message.split(".")[0]
        return Finding(
            category="unschedulable",
            root_cause="The scheduler finds no node that matches the pod's constraints: "
            + cause
            + ".",
            evidence=evidence,
            confidence=0.9 if unmet else 0.8,
            container=ctx.container_name,
            human_action=(
                "Correct the pod's nodeSelector/tolerations in the chart or label/taint the nodes: "
                + "; ".join(unmet)
                + ". This is not a resource-size problem."
                if unmet
                else "Check node selectors, affinity, taints and volumes; these are not a resource-size problem."
            ),
        )
    resource = insufficient[0]
    request = ctx.resource("requests", resource)
    allocatable = [
        n.allocatable_memory if resource == "memory" else n.allocatable_cpu
        for n in ctx.evidence.nodes
        if n.ready
    ]
    try:
        largest = max(parse_quantity(a) for a in allocatable if a) if allocatable else None
        wanted = parse_quantity(request) if request else None
    except QuantityError:
        largest = wanted = None
    if request:
        evidence.append(f"{ctx.container_ref()}: requests.{resource} {request}")
    if largest is not None:
        evidence.append(f"largest node allocatable {resource}: {max(a for a in allocatable if a)}")
    if wanted is not None and largest is not None and wanted > largest:
        return Finding(
            category="unschedulable",
            root_cause=f"Container {ctx.container_name} requests {request} of {resource}, more than any node can allocate.",
            evidence=evidence,
            confidence=0.9,
            container=ctx.container_name,
            fix=FixIntent(
                kind="lower-memory-request" if resource == "memory" else "lower-cpu-request",
                container=ctx.container_name,
                at_most=str(int(largest)) if resource == "memory" else str(largest),
            ),
        )
    rooms = free_room(ctx, resource)
    if rooms and wanted is not None:
        return full_cluster(ctx, resource, request or "?", wanted, rooms, evidence)
    return Finding(
        category="unschedulable",
        root_cause=(
            f"The cluster has no free {resource}: the pod's request ({request or 'unknown'}) would fit a node, "
            "but the nodes' capacity is already requested by other pods."
        ),
        evidence=evidence,
        confidence=0.85,
        container=ctx.container_name,
        human_action=f"Add node capacity or lower other workloads' {resource} requests; shrinking this pod would hide the shortage.",
    )


def free_room(ctx: AnalysisContext, resource: str) -> list[tuple[NodeEvidence, Decimal, str]]:
    """(node, free, allocatable) of each ready, schedulable node whose requests are known."""
    rooms = []
    for node in ctx.evidence.nodes:
        allocatable = node.allocatable_memory if resource == "memory" else node.allocatable_cpu
        requested = node.requested_memory if resource == "memory" else node.requested_cpu
        if not node.ready or node.unschedulable or allocatable is None or requested is None:
            continue
        try:
            rooms.append(
                (node, parse_quantity(allocatable) - parse_quantity(requested), allocatable)
            )
        except QuantityError:
            continue
    return sorted(rooms, key=lambda room: room[1], reverse=True)


def amount(resource: str, value: Decimal) -> str:
    value = max(value, Decimal(0))
    if resource == "memory":
        return f"{int(value / 2**20)}Mi"  # rounded down: what is free, not more
    return format_cpu(value, "m")


def full_cluster(
    ctx: AnalysisContext,
    resource: str,
    request: str,
    wanted: Decimal,
    rooms: list[tuple[NodeEvidence, Decimal, str]],
    evidence: list[str],
) -> Finding:
    evidence += [
        f"node {node.name}: {resource} {amount(resource, free)} free of {allocatable} allocatable"
        for node, free, allocatable in rooms[:3]
    ]
    node, free, _ = rooms[0]
    if free >= wanted:
        return Finding(
            category="unschedulable",
            root_cause=(
                f"The scheduler reported too little {resource}, but node {node.name} now has "
                f"{amount(resource, free)} free for the pod's {request}: the shortage has passed "
                "or another constraint decides."
            ),
            evidence=evidence,
            confidence=0.6,
            container=ctx.container_name,
            human_action="Check whether the pod schedules now; if not, read the newest FailedScheduling event.",
        )
    return Finding(
        category="unschedulable",
        root_cause=(
            f"The cluster has no free {resource}: container {ctx.container_name} requests "
            f"{request}, and the most any node has free is {amount(resource, free)} (node "
            f"{node.name}); the rest is requested by the pods already there."
        ),
        evidence=evidence,
        confidence=0.9,
        container=ctx.container_name,
        human_action=(
            f"Add node capacity (or let the cluster autoscaler add a node) or lower other "
            f"workloads' {resource} requests; shrinking this pod below what it needs would hide "
            "the shortage."
        ),
    )


def unmet_constraints(ctx: AnalysisContext, pod: PodEvidence | None, message: str) -> list[str]:
    """The FailedScheduling message's reasons matched against the nodes, in a human's words."""
    if pod is None or not ctx.evidence.nodes:
        return []
    nodes = ctx.evidence.nodes
    unmet: list[str] = []
    if re.search(r"node affinity/selector|node selector|didn't match", message, re.IGNORECASE):
        for key, value in sorted(pod.node_selector.items()):
            if not any(n.labels.get(key) == value for n in nodes):
                seen = sorted({n.labels[key] for n in nodes if key in n.labels})
                others = f" (nodes have {key}={', '.join(seen)})" if seen else ""
                unmet.append(f"nodeSelector {key}={value} matches no node{others}")
    if re.search(r"were unschedulable", message, re.IGNORECASE):
        cordoned = [n.name for n in nodes if n.unschedulable]
        if cordoned:
            unmet.append(f"node(s) {', '.join(cordoned)} are cordoned (spec.unschedulable)")
    if re.search(r"untolerated taint|had taint", message, re.IGNORECASE):
        for node in nodes:
            taints = node.untolerated_taints(pod.tolerations)
            if taints:
                names = ", ".join(t.line() for t in taints)
                unmet.append(f"node {node.name} has taint {names}, not tolerated by the pod")
    return unmet

"""Pods that stay Pending: requests no node can hold, or a cluster that is full."""

from __future__ import annotations

import re

from dr_kube.diagnose.context import AnalysisContext
from dr_kube.diagnose.findings import Finding, FixIntent
from dr_kube.quantity import QuantityError, parse_quantity


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
    if not insufficient:
        return Finding(
            category="unschedulable",
            root_cause="The scheduler finds no node that matches the pod's constraints: "
            + message.split(".")[0]
            + ".",
            evidence=evidence,
            confidence=0.8,
            container=ctx.container_name,
            human_action="Check node selectors, affinity, taints and volumes; these are not a resource-size problem.",
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

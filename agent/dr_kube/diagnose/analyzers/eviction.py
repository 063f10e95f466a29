"""Evicted pods: the kubelet's message names the resource and who used it.

The node analyzer owns node conditions (the incident about the node); this one reads the eviction
message, and proposes the one supported values fix: a memory request far below what the
container used, which is why the kubelet picked it first."""

from __future__ import annotations

import re
from decimal import Decimal

from dr_kube.cluster.evidence import NodeEvidence, PodEvidence
from dr_kube.diagnose.context import AnalysisContext
from dr_kube.diagnose.findings import Finding, FixIntent
from dr_kube.quantity import QuantityError, format_memory, parse_quantity

# kubelet: `The node was low on resource: memory. Threshold quantity: 100Mi, available: 67232Ki.
# Container api was using 1534112Ki, request is 256Mi, has larger consumption of its request.`
LOW_ON = re.compile(r"low on resource: (?P<resource>[\w-]+)")
USING = re.compile(
    r"Container (?P<container>[\w.-]+) was using (?P<used>\w+), request is (?P<request>\w+)"
)
HAD_CONDITION = re.compile(r"node had condition: \[(?P<conditions>[^\]]+)\]")
HEADROOM = 1.2  # the new request covers what was used, and a little more


def evicted(ctx: AnalysisContext) -> list[PodEvidence]:
    return [p for p in ctx.evidence.pods if p.evicted]


def memory_over_request(ctx: AnalysisContext, message: str) -> tuple[str, str, str] | None:
    """(container, used, request) when the message blames one of our containers' memory."""
    low = LOW_ON.search(message)
    using = USING.search(message)
    if low is None or using is None or low["resource"] != "memory":
        return None
    names = {c.name for c in ctx.evidence.workload.containers}
    if using["container"] not in names:
        return None
    try:
        if parse_quantity(using["used"]) <= parse_quantity(using["request"]):
            return None
    except QuantityError:
        return None
    return using["container"], using["used"], using["request"]


def eviction_finding(ctx: AnalysisContext, pods: list[PodEvidence]) -> Finding:
    pod = pods[0]
    message = pod.message or ""
    node = ctx.evidence.node(pod.node)
    evidence = [
        f"Pod/{p.name}: {p.phase} {p.reason}: {p.message or ''}".rstrip(": ") for p in pods[:2]
    ]
    evidence += node_lines(node)
    where = f"node {pod.node}" if pod.node else "its node"
    count = (
        f"{len(pods)} pods of {ctx.evidence.workload.name} were"
        if len(pods) > 1
        else f"Pod {pod.name} was"
    )
    over = memory_over_request(ctx, message)
    if over is not None:
        container, used, request = over
        at_least = format_memory(parse_quantity(used) * Decimal(str(HEADROOM)), request)
        return Finding(
            category="node-pressure",
            root_cause=(
                f"{count} evicted from {where} under memory pressure: container {container} used "
                f"{used} against a request of {request}, and the kubelet evicts the pods furthest "
                "over their requests first. A request that covers what it uses places it on a "
                "node with room."
            ),
            evidence=evidence,
            confidence=0.92 if eviction_confidence(ctx, pods) > 0.6 else 0.6,
            container=container,
            fix=FixIntent(kind="raise-memory-request", container=container, at_least=at_least),
        )
    low = LOW_ON.search(message)
    what = pressure_words(message, node)
    using = USING.search(message)
    blame = (
        f"; container {using['container']} used {using['used']} (request {using['request']})"
        if using and low and low["resource"] != "memory"
        else ""
    )
    return Finding(
        category="node-pressure",
        node=pod.node,
        root_cause=f"{count} evicted from {where}: the node {what}{blame}.",
        evidence=evidence,
        confidence=eviction_confidence(ctx, pods),
        container=ctx.container_name,
        human_action=(
            f"Free or replace {where} (what fills its "
            f"{low['resource'] if low else 'memory or disk'}: other pods, images, logs); "
            "a change to this workload's values would not stop the node's pressure."
        ),
    )


def eviction_confidence(ctx: AnalysisContext, pods: list[PodEvidence]) -> float:
    """Lower when the alert names a pod that was not evicted: evicted pods linger until
    garbage-collected, and the named pod's own failure is the likelier subject."""
    named = ctx.incident.pod
    return 0.6 if named and named not in {p.name for p in pods} else 0.85


def pressure_words(message: str, node: NodeEvidence | None) -> str:
    """`low on memory`, `had [DiskPressure]`, or the node's own conditions."""
    if low := LOW_ON.search(message):
        return f"was low on {low['resource']}"
    if had := HAD_CONDITION.search(message):
        return f"had {had['conditions']}"
    if node is not None and node.problems:
        return "reported " + ", ".join(node.problem_names())
    return "was short of resources"


def node_lines(node: NodeEvidence | None) -> list[str]:
    if node is None or not node.problems:
        return []
    return [
        f"Node/{node.name}: {name} ({c.reason or ''}: {c.message or ''})".replace(" (: )", "")
        for name, c in zip(node.problem_names(), node.problems, strict=True)
    ]


def analyze(ctx: AnalysisContext) -> Finding | None:
    pods = evicted(ctx)
    return eviction_finding(ctx, pods) if pods else None

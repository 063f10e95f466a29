"""What the pods bound to each node already request: the free room a scheduler saw."""

from __future__ import annotations

from decimal import Decimal

from dr_kube.cluster.evidence import NodeEvidence
from dr_kube.cluster.source import ClusterSource, K8sObject
from dr_kube.errors import InputError
from dr_kube.quantity import QuantityError, format_cpu, format_memory, parse_quantity

MAX_NODES = 20  # a scheduling failure is read against this many nodes at most
FINISHED = ("Succeeded", "Failed")


def pod_request(pod: K8sObject, resource: str) -> Decimal:
    """The scheduler's view: the sum of the containers' requests, or the largest init request."""
    spec = pod.get("spec") or {}

    def request(container: dict[str, object]) -> Decimal:
        resources = container.get("resources") or {}
        value = (
            (resources.get("requests") or {}).get(resource) if isinstance(resources, dict) else None
        )
        try:
            return parse_quantity(value) if value is not None else Decimal(0)
        except QuantityError:
            return Decimal(0)

    running = sum((request(c) for c in spec.get("containers") or []), Decimal(0))
    init = max((request(c) for c in spec.get("initContainers") or []), default=Decimal(0))
    return max(running, init)


def requested_on(pods: list[K8sObject], resource: str) -> Decimal:
    return sum(
        (
            pod_request(p, resource)
            for p in pods
            if (p.get("status") or {}).get("phase") not in FINISHED
        ),
        Decimal(0),
    )


def with_requests(source: ClusterSource, nodes: list[NodeEvidence]) -> list[NodeEvidence]:
    """The nodes with `requested_cpu`/`requested_memory` filled in from the pods bound to them."""
    out = []
    for index, node in enumerate(nodes):
        if index >= MAX_NODES:
            out.append(node)
            continue
        try:
            pods = source.pods_on_node(node.name)
        except InputError:
            return nodes  # cannot list pods cluster-wide: leave the capacity unknown
        out.append(
            node.model_copy(
                update={
                    "requested_cpu": format_cpu(requested_on(pods, "cpu"), "m"),
                    "requested_memory": format_memory(requested_on(pods, "memory"), "Mi"),
                }
            )
        )
    return out

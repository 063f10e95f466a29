"""Node-level causes: one incident about the node, whichever workloads' alerts found it."""

from __future__ import annotations

from typing import Any

from common import Spec, boutique_files, boutique_workload, not_ready_alert
from kube import NODES, Pod, alert, node_object, webhook

BAD_NODE = "gke-prod-pool-1-8f3a2c1d-m3p9"
# kube-state-metrics' own scrape-target labels, attached to series that lack them (honorLabels)
KSM = {
    "container": "kube-state-metrics",
    "endpoint": "http",
    "instance": "10.52.1.7:8080",
    "job": "kube-state-metrics",
    "namespace": "monitoring",
    "pod": "kube-prometheus-stack-kube-state-metrics-6d4b7c8f9d-2xq7w",
    "service": "kube-prometheus-stack-kube-state-metrics",
}


def unreachable(name: str) -> dict[str, Any]:
    node = node_object(name, ready=False)
    for condition in node["status"]["conditions"]:
        condition.update(
            status="Unknown",
            reason="NodeStatusUnknown",
            message="Kubelet stopped posting node status.",
        )
    node["spec"]["taints"] = [
        {"key": "node.kubernetes.io/unreachable", "effect": "NoSchedule"},
        {
            "key": "node.kubernetes.io/unreachable",
            "effect": "NoExecute",
            "timeAdded": "2026-11-30T09:55:00Z",
        },
    ]
    return node


def under_memory_pressure(name: str) -> dict[str, Any]:
    node = node_object(name)
    for condition in node["status"]["conditions"]:
        if condition["type"] == "MemoryPressure":
            condition.update(
                status="True",
                reason="KubeletHasInsufficientMemory",
                message="kubelet has insufficient memory available",
            )
    node["spec"]["taints"] = [{"key": "node.kubernetes.io/memory-pressure", "effect": "NoSchedule"}]
    return node


def node_not_ready() -> Spec:
    stranded = Pod(node=BAD_NODE, overrides={"server": {"ready": False}})
    cart = boutique_workload("cartService")
    currency = boutique_workload("currencyService")
    cart.pods, currency.pods = [stranded], [stranded]
    node_alert = alert(
        "KubeNodeNotReady",
        {"node": BAD_NODE, "condition": "Ready", "status": "true", **KSM},
        "Node is not ready.",
        f"{BAD_NODE} has been unready for more than 15 minutes on cluster .",
        runbook="https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubenodenotready",
    )
    alerts = [
        not_ready_alert(cart, cart.pod_names()[0]),
        not_ready_alert(currency, currency.pod_names()[0]),
        node_alert,
    ]
    return Spec(
        name="node-not-ready-two-workloads",
        split="test",
        description="A node stopped reporting: two workloads' pods on it are not ready. One incident "
        "about the node, listing both; no values change.",
        workloads=[cart, currency],
        alert=webhook(alerts, {"severity": "warning"}),
        files=boutique_files(),
        charts=["onlineboutique"],
        nodes=[node_object(n) for n in NODES] + [unreachable(BAD_NODE)],
        expect={"incidents_count": 1, "categories": ["node-not-ready"], "exit_codes": [3]},
    )


def node_memory_pressure() -> Spec:
    w = boutique_workload("frontend")
    w.pods = [Pod(node=BAD_NODE)]
    node_alert = alert(
        "KubeNodePressure",
        {"node": BAD_NODE, "condition": "MemoryPressure", "status": "true", **KSM},
        "Node has as active Condition.",
        f"{BAD_NODE} on cluster  has active Condition MemoryPressure. This is caused by resource "
        "usage exceeding eviction thresholds.",
        severity="info",
    )
    return Spec(
        name="node-memory-pressure",
        split="dev",
        description="KubeNodePressure (MemoryPressure) from kube-state-metrics: about the node, not "
        "the exporter's pod; a human frees the node.",
        workloads=[w],
        alert=node_alert,
        files=boutique_files(),
        charts=["onlineboutique"],
        nodes=[node_object(n) for n in NODES] + [under_memory_pressure(BAD_NODE)],
        expect={"categories": ["node-pressure"], "exit_codes": [3]},
    )


SPECS = [node_not_ready, node_memory_pressure]

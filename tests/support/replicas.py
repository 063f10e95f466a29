"""A `kubectl cluster-info dump` folder of Online Boutique Deployments with many replicas, and the
alerts kube-prometheus-stack sends about them (the tests and the storm benchmark share both).

Objects are in the API's JSON shape as kubectl writes them: Deployment → ReplicaSet (pod-template
hash) → Pods named `<deployment>-<hash>-<suffix>`, OOMKilled containers (exit 137, restarts),
kubelet events, nodes with conditions and taints.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

NAMESPACE = "online-boutique"
SAFE = "bcdfghjklmnpqrstvwxz2456789"
KSM_POD = "kube-prometheus-stack-kube-state-metrics-5b9f8c7d6b-t8lqz"
KSM_TARGET = {  # the exporter's scrape-target labels (honorLabels: true keeps the metric's own)
    "container": "kube-state-metrics",
    "endpoint": "http",
    "instance": "10.244.0.17:8080",
    "job": "kube-state-metrics",
    "pod": KSM_POD,
    "prometheus": "monitoring/kube-prometheus-stack-prometheus",
    "service": "kube-prometheus-stack-kube-state-metrics",
}


def token(seed: str, length: int) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(SAFE[b % len(SAFE)] for b in digest[:length])


def rs_name(deployment: str) -> str:
    return f"{deployment}-{token(deployment, 10)}"


def pod_name(deployment: str, n: int) -> str:
    return f"{rs_name(deployment)}-{token(f'{deployment}/{n}', 5)}"


def deployment(name: str, replicas: int, available: int) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": name,
            "namespace": NAMESPACE,
            "uid": f"uid-deploy-{name}",
            "generation": 1,
            "labels": {"app": name},
            "annotations": {
                "deployment.kubernetes.io/revision": "1",
                "argocd.argoproj.io/tracking-id": (
                    f"online-boutique:apps/Deployment:online-boutique/{name}"
                ),
            },
        },
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": pod_spec(name, None)},
        },
        "status": {
            "observedGeneration": 1,
            "replicas": replicas,
            "updatedReplicas": replicas,
            "readyReplicas": available,
            "availableReplicas": available,
            "unavailableReplicas": replicas - available,
            "conditions": [
                {
                    "type": "Available",
                    "status": "False" if available < replicas else "True",
                    "reason": "MinimumReplicasUnavailable",
                    "message": "Deployment does not have minimum availability.",
                }
            ],
        },
    }


def replicaset(name: str, replicas: int) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "name": rs_name(name),
            "namespace": NAMESPACE,
            "uid": f"uid-rs-{name}",
            "labels": {"app": name, "pod-template-hash": token(name, 10)},
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "Deployment",
                    "name": name,
                    "uid": f"uid-deploy-{name}",
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "spec": {"replicas": replicas},
        "status": {"replicas": replicas, "readyReplicas": 0, "availableReplicas": 0},
    }


def pod_spec(name: str, node: str | None) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "containers": [
            {
                "name": "server",
                "image": f"us-central1-docker.pkg.dev/google-samples/microservices-demo/{name}:v0.10.2",
                "ports": [{"containerPort": 5050, "protocol": "TCP"}],
                "resources": {
                    "limits": {"cpu": "200m", "memory": "128Mi"},
                    "requests": {"cpu": "100m", "memory": "64Mi"},
                },
            }
        ],
        "restartPolicy": "Always",
    }
    if node:
        spec["nodeName"] = node
    return spec


def oom_pod(name: str, n: int, node: str) -> dict[str, Any]:
    pod = pod_name(name, n)
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": pod,
            "namespace": NAMESPACE,
            "uid": f"uid-pod-{pod}",
            "labels": {"app": name, "pod-template-hash": token(name, 10)},
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "ReplicaSet",
                    "name": rs_name(name),
                    "uid": f"uid-rs-{name}",
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "spec": pod_spec(name, node),
        "status": {
            "phase": "Running",
            "startTime": "2026-11-30T10:00:00Z",
            "conditions": [{"type": "Ready", "status": "False", "reason": "ContainersNotReady"}],
            "containerStatuses": [
                {
                    "name": "server",
                    "image": f"us-central1-docker.pkg.dev/google-samples/microservices-demo/{name}:v0.10.2",
                    "ready": False,
                    "restartCount": 5 + n % 3,
                    "state": {
                        "waiting": {
                            "reason": "CrashLoopBackOff",
                            "message": f"back-off 2m40s restarting failed container=server pod={pod}",
                        }
                    },
                    "lastState": {
                        "terminated": {
                            "exitCode": 137,
                            "reason": "OOMKilled",
                            "startedAt": "2026-11-30T10:04:00Z",
                            "finishedAt": "2026-11-30T10:05:12Z",
                        }
                    },
                }
            ],
        },
    }


def backoff_event(pod: str, n: int) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": f"{pod}.{n:016x}", "namespace": NAMESPACE},
        "involvedObject": {
            "kind": "Pod",
            "namespace": NAMESPACE,
            "name": pod,
            "fieldPath": "spec.containers{server}",
        },
        "reason": "BackOff",
        "message": "Back-off restarting failed container server in pod " + pod,
        "type": "Warning",
        "count": 12,
        "firstTimestamp": "2026-11-30T10:01:00Z",
        "lastTimestamp": "2026-11-30T10:05:30Z",
        "source": {"component": "kubelet", "host": "worker-1"},
    }


def node(name: str, ready: bool = True, memory_pressure: bool = False) -> dict[str, Any]:
    conditions = [
        {
            "type": "MemoryPressure",
            "status": "True" if memory_pressure else "False",
            "reason": "KubeletHasInsufficientMemory"
            if memory_pressure
            else "KubeletHasSufficientMemory",
        },
        {"type": "DiskPressure", "status": "False", "reason": "KubeletHasNoDiskPressure"},
        {
            "type": "Ready",
            "status": "True" if ready else "Unknown",
            "reason": "KubeletReady" if ready else "NodeStatusUnknown",
            "message": "kubelet is posting ready status"
            if ready
            else "Kubelet stopped posting node status.",
        },
    ]
    taints = (
        []
        if ready
        else [
            {"key": "node.kubernetes.io/unreachable", "effect": "NoSchedule"},
            {"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"},
        ]
    )
    return {
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
        "spec": {"taints": taints} if taints else {},
        "status": {
            "allocatable": {"cpu": "4", "memory": "8025424Ki", "pods": "110"},
            "conditions": conditions,
        },
    }


def write_list(path: Path, kind: str, items: list[dict[str, Any]]) -> None:
    path.write_text(
        json.dumps({"kind": kind, "apiVersion": "v1", "metadata": {}, "items": items}, indent=1),
        encoding="utf-8",
    )


def write_dump(
    root: Path,
    workloads: dict[str, int],
    nodes: list[dict[str, Any]] | None = None,
    pods: list[dict[str, Any]] | None = None,
) -> Path:
    """A dump where every replica of every workload is OOMKilled (CrashLoopBackOff)."""
    ns = root / NAMESPACE
    ns.mkdir(parents=True, exist_ok=True)
    all_pods = [oom_pod(w, n, "worker-1") for w, count in workloads.items() for n in range(count)]
    all_pods += pods or []
    write_list(
        ns / "deployments.json",
        "DeploymentList",
        [deployment(w, c, 0) for w, c in workloads.items()],
    )
    write_list(
        ns / "replicasets.json", "ReplicaSetList", [replicaset(w, c) for w, c in workloads.items()]
    )
    write_list(ns / "pods.json", "PodList", all_pods)
    write_list(
        ns / "events.json",
        "EventList",
        [backoff_event(p["metadata"]["name"], n) for n, p in enumerate(all_pods)],
    )
    for name in ("daemonsets", "services", "replication-controllers"):
        write_list(ns / f"{name}.json", "List", [])
    write_list(root / "nodes.json", "NodeList", nodes or [node("worker-1")])
    return root


def alert(
    labels: dict[str, str],
    status: str = "firing",
    summary: str = "",
    starts_at: str = "2026-11-30T10:05:30Z",
) -> dict[str, Any]:
    """One alert as Alertmanager 0.25 puts it in a webhook payload."""
    fingerprint = hashlib.sha256(json.dumps(labels, sort_keys=True).encode()).hexdigest()[:16]
    return {
        "status": status,
        "labels": labels,
        "annotations": {"summary": summary, "description": summary},
        "startsAt": starts_at,
        "endsAt": "0001-01-01T00:00:00Z" if status == "firing" else "2026-11-30T10:30:00Z",
        "generatorURL": "http://prometheus:9090/graph?g0.expr=...",
        "fingerprint": fingerprint,
    }


def oom_killed(workload: str, n: int, status: str = "firing") -> dict[str, Any]:
    """DR-Kube's own `ContainerOOMKilled` (values/prometheus.yaml) from a KSM series; the pod's
    owner join may be missing (a pod label only), as with a bare `kube_pod_*` rule."""
    labels = {
        "alertname": "ContainerOOMKilled",
        "namespace": NAMESPACE,
        "pod": pod_name(workload, n),
        "container": "server",
        "reason": "OOMKilled",
        "severity": "critical",
        "uid": f"uid-pod-{pod_name(workload, n)}",
        **{k: v for k, v in KSM_TARGET.items() if k not in ("pod", "container")},
    }
    return alert(labels, status, f"Container server in {pod_name(workload, n)} was OOMKilled")


def crash_looping(workload: str, n: int) -> dict[str, Any]:
    """kube-prometheus-stack's `KubePodCrashLooping` (`kube_pod_container_status_waiting_reason`)."""
    labels = {
        "alertname": "KubePodCrashLooping",
        "namespace": NAMESPACE,
        "pod": pod_name(workload, n),
        "container": "server",
        "reason": "CrashLoopBackOff",
        "severity": "warning",
        "uid": f"uid-pod-{pod_name(workload, n)}",
        **{k: v for k, v in KSM_TARGET.items() if k not in ("pod", "container")},
    }
    return alert(labels, summary="Pod is crash looping.")


def replicas_mismatch(workload: str) -> dict[str, Any]:
    """`KubeDeploymentReplicasMismatch`: a deployment-level series, so `pod` and `container` are
    the exporter's own target labels."""
    labels = {
        "alertname": "KubeDeploymentReplicasMismatch",
        "namespace": NAMESPACE,
        "deployment": workload,
        "severity": "warning",
        **KSM_TARGET,
    }
    return alert(labels, summary="Deployment has not matched the expected number of replicas.")


def node_not_ready(name: str, status: str = "firing") -> dict[str, Any]:
    """`KubeNodeNotReady` from `kube_node_status_condition`: no namespace of its own, so the
    exporter's (`monitoring`) is attached with its pod and container."""
    labels = {
        "alertname": "KubeNodeNotReady",
        "node": name,
        "condition": "Ready",
        "status": "true",
        "severity": "warning",
        "namespace": "monitoring",
        **KSM_TARGET,
    }
    return alert(labels, status, summary="Node is not ready.")


def payload(*alerts: dict[str, Any]) -> dict[str, Any]:
    status = "firing" if any(a["status"] == "firing" for a in alerts) else "resolved"
    return {
        "receiver": "dr-kube",
        "status": status,
        "alerts": list(alerts),
        "groupLabels": {"namespace": NAMESPACE},
        "commonLabels": {"namespace": NAMESPACE},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093",
        "version": "4",
        "groupKey": '{}/{severity=~"critical|warning"}:{namespace="online-boutique"}',
        "truncatedAlerts": 0,
    }


def stranded_pod(name: str, n: int, node_name: str) -> dict[str, Any]:
    """A pod on a node that stopped reporting: the node controller marked it not ready."""
    pod = oom_pod(name, n, node_name)
    pod["status"] = {
        "phase": "Running",
        "startTime": "2026-11-30T09:00:00Z",
        "conditions": [
            {"type": "Ready", "status": "False", "reason": "NodeStatusUnknown"},
            {"type": "ContainersReady", "status": "True"},
        ],
        "containerStatuses": [
            {
                "name": "server",
                "ready": True,
                "restartCount": 0,
                "image": pod["spec"]["containers"][0]["image"],
                "state": {"running": {"startedAt": "2026-11-30T09:00:05Z"}},
            }
        ],
    }
    return pod


def pod_not_ready(workload: str, n: int, status: str = "firing") -> dict[str, Any]:
    """kube-prometheus-stack's `KubePodNotReady` (`sum by (namespace, pod, job, cluster)`)."""
    labels = {
        "alertname": "KubePodNotReady",
        "namespace": NAMESPACE,
        "pod": pod_name(workload, n),
        "job": "kube-state-metrics",
        "severity": "warning",
    }
    return alert(
        labels, status, summary="Pod has been in a non-ready state for more than 15 minutes."
    )

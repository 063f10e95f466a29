"""Builders for the JSON `kubectl cluster-info dump` writes, in the API's real shapes.

Everything is deterministic (uids from names, times from one clock) so the generator's output
is stable and reviewable.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

NOW = datetime(2025, 11, 18, 9, 42, 7, tzinfo=UTC)
NODE_IMAGE = "Container-Optimized OS from Google"


def t(minutes: float) -> str:
    """A timestamp `minutes` from NOW (negative: in the past)."""
    return (NOW + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def uid(*parts: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join(parts)))


def short_hash(*parts: str, length: int = 10) -> str:
    alphabet = "bcdfghjklmnpqrstvwxz2456789"
    digest = hashlib.sha256("/".join(parts).encode()).digest()
    return "".join(alphabet[b % len(alphabet)] for b in digest[:length])


def rv(*parts: str) -> str:
    return str(100000 + int(hashlib.sha256("/".join(parts).encode()).hexdigest()[:6], 16) % 900000)


@dataclass
class Container:
    name: str
    image: str
    requests: dict[str, str] = field(default_factory=dict)
    limits: dict[str, str] = field(default_factory=dict)
    env: list[dict[str, Any]] = field(default_factory=list)
    ports: list[tuple[str, int]] = field(default_factory=list)
    args: list[str] = field(default_factory=list)
    liveness: dict[str, Any] | None = None
    readiness: dict[str, Any] | None = None
    startup: dict[str, Any] | None = None
    # status of this container in a pod (a Pod's overrides replace these per pod)
    state: str = "running"  # running | waiting | terminated
    reason: str | None = None
    message: str | None = None
    exit_code: int | None = None
    last: tuple[str, int, float, float] | None = None  # reason, exit code, started, finished (min)
    restarts: int = 0
    ready: bool | None = None
    started_min: float = -300.0
    log: str = ""
    previous: str | None = None

    def spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"name": self.name, "image": self.image}
        if self.args:
            spec["args"] = self.args
        if self.ports:
            spec["ports"] = [
                {"name": n, "containerPort": p, "protocol": "TCP"}
                if n
                else {"containerPort": p, "protocol": "TCP"}
                for n, p in self.ports
            ]
        if self.env:
            spec["env"] = self.env
        resources: dict[str, Any] = {}
        if self.limits:
            resources["limits"] = dict(self.limits)
        if self.requests:
            resources["requests"] = dict(self.requests)
        spec["resources"] = resources
        for key, probe in (
            ("livenessProbe", self.liveness),
            ("readinessProbe", self.readiness),
            ("startupProbe", self.startup),
        ):
            if probe is not None:
                spec[key] = probe
        spec["terminationMessagePath"] = "/dev/termination-log"
        spec["terminationMessagePolicy"] = "File"
        spec["imagePullPolicy"] = "IfNotPresent"
        return spec

    def is_ready(self) -> bool:
        return self.ready if self.ready is not None else self.state == "running"

    def status(self, pod: str, ns: str, init: bool = False) -> dict[str, Any]:
        cid = (
            "containerd://"
            + hashlib.sha256(f"{ns}/{pod}/{self.name}/{self.restarts}".encode()).hexdigest()
        )
        image_id = (
            self.image.split(":")[0] + "@sha256:" + hashlib.sha256(self.image.encode()).hexdigest()
        )
        state: dict[str, Any]
        if self.state == "running":
            state = {"running": {"startedAt": t(self.started_min)}}
        elif self.state == "waiting":
            state = {"waiting": {"reason": self.reason or "ContainerCreating"}}
            if self.message:
                state["waiting"]["message"] = self.message
        else:
            state = {
                "terminated": {
                    "exitCode": self.exit_code if self.exit_code is not None else 1,
                    "reason": self.reason or "Error",
                    "startedAt": t(self.started_min),
                    "finishedAt": t(self.started_min + 1),
                    "containerID": cid,
                }
            }
        last: dict[str, Any] = {}
        if self.last is not None:
            reason, code, started, finished = self.last
            last = {
                "terminated": {
                    "exitCode": code,
                    "reason": reason,
                    "startedAt": t(started),
                    "finishedAt": t(finished),
                    "containerID": cid[:-8] + "0" * 8,
                }
            }
        status: dict[str, Any] = {
            "name": self.name,
            "state": state,
            "lastState": last,
            "ready": self.is_ready(),
            "restartCount": self.restarts,
            "image": self.image,
            "imageID": image_id if self.state != "waiting" or self.restarts else "",
            "started": self.state == "running",
        }
        if self.state != "waiting" or self.restarts:
            status["containerID"] = cid
        if init:
            status.pop("started")
        return status


@dataclass
class Pod:
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    name: str | None = None
    node: str | None = "gke-prod-pool-1-8f3a2c1d-x7k2"
    unschedulable: str | None = None  # the scheduler's message: the pod stays Pending
    evicted: str | None = None  # the kubelet's eviction message: the pod is Failed/Evicted
    old: bool = False  # belongs to the previous ReplicaSet (rollout in progress)
    created_min: float = -300.0


@dataclass
class Workload:
    kind: str  # Deployment | StatefulSet | DaemonSet
    name: str
    namespace: str
    instance: str  # app.kubernetes.io/instance (the Argo CD Application / Helm release)
    containers: list[Container]
    init: list[Container] = field(default_factory=list)
    replicas: int = 1
    pods: list[Pod] = field(default_factory=lambda: [Pod()])
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    selector: dict[str, str] = field(default_factory=dict)
    chart: str = ""
    generation: int = 3
    injected: list[str] = field(default_factory=list)  # containers a webhook adds to the pods only
    volumes: list[dict[str, Any]] = field(default_factory=list)  # beside the service-account token

    @property
    def match_labels(self) -> dict[str, str]:
        return self.selector or {
            "app.kubernetes.io/instance": self.instance,
            "app.kubernetes.io/name": self.name,
        }

    def rs_hash(self, old: bool = False) -> str:
        return short_hash(self.namespace, self.name, "old" if old else "new", length=10)

    def pod_names(self) -> list[str]:
        names = []
        for index, pod in enumerate(self.pods):
            if pod.name:
                names.append(pod.name)
            elif self.kind == "Deployment":
                names.append(
                    f"{self.name}-{self.rs_hash(pod.old)}-{short_hash(self.name, str(index), length=5)}"
                )
            elif self.kind == "StatefulSet":
                names.append(f"{self.name}-{index}")
            else:
                names.append(f"{self.name}-{short_hash(self.name, str(index), length=5)}")
        return names


def metadata(kind: str, ns: str, name: str, created: float, **extra: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "name": name,
        "namespace": ns,
        "uid": uid(ns, kind, name),
        "resourceVersion": rv(ns, kind, name),
        "creationTimestamp": t(created),
    }
    meta.update({k: v for k, v in extra.items() if v})
    return meta


def owner(kind: str, ns: str, name: str) -> dict[str, Any]:
    api = "apps/v1"
    return {
        "apiVersion": api,
        "kind": kind,
        "name": name,
        "uid": uid(ns, kind, name),
        "controller": True,
        "blockOwnerDeletion": True,
    }


def pod_spec(
    w: Workload, containers: list[Container], init: list[Container], node: str | None
) -> dict[str, Any]:
    token_volume = "kube-api-access-" + short_hash(w.name, "token", length=5)
    spec: dict[str, Any] = {
        "volumes": [
            {
                "name": token_volume,
                "projected": {
                    "sources": [
                        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                        {
                            "configMap": {
                                "name": "kube-root-ca.crt",
                                "items": [{"key": "ca.crt", "path": "ca.crt"}],
                            }
                        },
                        {
                            "downwardAPI": {
                                "items": [
                                    {
                                        "path": "namespace",
                                        "fieldRef": {
                                            "apiVersion": "v1",
                                            "fieldPath": "metadata.namespace",
                                        },
                                    }
                                ]
                            }
                        },
                    ],
                    "defaultMode": 420,
                },
            }
        ],
    }
    spec["volumes"] += w.volumes
    if init:
        spec["initContainers"] = [c.spec() for c in init]
    spec["containers"] = [c.spec() for c in containers]
    spec.update(
        {
            "restartPolicy": "Always",
            "terminationGracePeriodSeconds": 30,
            "dnsPolicy": "ClusterFirst",
            "serviceAccountName": w.instance if w.kind != "DaemonSet" else w.name,
            "serviceAccount": w.instance if w.kind != "DaemonSet" else w.name,
            "securityContext": {},
            "schedulerName": "default-scheduler",
            "tolerations": [
                {
                    "key": "node.kubernetes.io/not-ready",
                    "operator": "Exists",
                    "effect": "NoExecute",
                    "tolerationSeconds": 300,
                },
                {
                    "key": "node.kubernetes.io/unreachable",
                    "operator": "Exists",
                    "effect": "NoExecute",
                    "tolerationSeconds": 300,
                },
            ],
            "priority": 0,
            "enableServiceLinks": True,
            "preemptionPolicy": "PreemptLowerPriority",
        }
    )
    if node:
        spec["nodeName"] = node
    return spec


def template_spec(w: Workload) -> dict[str, Any]:
    containers = [c for c in w.containers if c.name not in w.injected]
    spec = pod_spec(w, containers, w.init, None)
    spec.pop("volumes")
    if w.volumes:
        spec["volumes"] = list(w.volumes)
    spec.pop("nodeName", None)
    spec.pop("serviceAccount", None)
    spec.pop("tolerations")
    spec.pop("priority")
    spec.pop("enableServiceLinks")
    spec.pop("preemptionPolicy")
    return spec


def workload_labels(w: Workload) -> dict[str, str]:
    labels = {
        "app.kubernetes.io/instance": w.instance,
        "app.kubernetes.io/managed-by": "Helm",
        "app.kubernetes.io/name": w.name,
    }
    if w.chart:
        labels["helm.sh/chart"] = w.chart
    labels.update(w.labels)
    return labels


def pod_objects(w: Workload) -> list[dict[str, Any]]:
    pods = []
    for pod, name in zip(w.pods, w.pod_names(), strict=True):
        containers = [replace(c, **pod.overrides.get(c.name, {})) for c in w.containers]
        init = [replace(c, **pod.overrides.get(c.name, {})) for c in w.init]
        labels = dict(w.match_labels)
        if w.kind == "Deployment":
            labels["pod-template-hash"] = w.rs_hash(pod.old)
            owner_ref = owner("ReplicaSet", w.namespace, f"{w.name}-{w.rs_hash(pod.old)}")
        elif w.kind == "StatefulSet":
            labels["controller-revision-hash"] = f"{w.name}-{w.rs_hash()}"
            labels["statefulset.kubernetes.io/pod-name"] = name
            labels["apps.kubernetes.io/pod-index"] = name.rsplit("-", 1)[-1]
            owner_ref = owner("StatefulSet", w.namespace, w.name)
        else:
            labels["controller-revision-hash"] = w.rs_hash()[:9]
            labels["pod-template-generation"] = str(w.generation)
            owner_ref = owner("DaemonSet", w.namespace, w.name)
        node = None if pod.unschedulable else pod.node
        meta = metadata(
            "Pod",
            w.namespace,
            name,
            pod.created_min,
            labels=labels,
            ownerReferences=[owner_ref],
        )
        if w.kind != "StatefulSet":
            meta = {
                "name": name,
                "generateName": name.rsplit("-", 1)[0] + "-",
                **{k: v for k, v in meta.items() if k != "name"},
            }
        obj: dict[str, Any] = {"metadata": meta, "spec": pod_spec(w, containers, init, node)}
        if pod.unschedulable:
            obj["status"] = {
                "phase": "Pending",
                "conditions": [
                    {
                        "type": "PodScheduled",
                        "status": "False",
                        "lastProbeTime": None,
                        "lastTransitionTime": t(pod.created_min),
                        "reason": "Unschedulable",
                        "message": pod.unschedulable,
                    }
                ],
                "qosClass": qos(containers),
            }
            pods.append(obj)
            continue
        if pod.evicted:
            obj["status"] = evicted_status(containers, pod, name, w.namespace)
            pods.append(obj)
            continue
        init_done = all(c.state == "terminated" and c.exit_code == 0 for c in init)
        ready = init_done and all(c.is_ready() for c in containers)
        not_ready = [c.name for c in containers if not c.is_ready()]
        phase = (
            "Running" if init_done and any(c.state == "running" for c in containers) else "Pending"
        )
        conditions = [
            {"type": "PodReadyToStartContainers", "status": "True"},
            {
                "type": "Initialized",
                "status": "True" if init_done else "False",
                **(
                    {}
                    if init_done
                    else {
                        "reason": "ContainersNotInitialized",
                        "message": "containers with incomplete status: ["
                        + " ".join(
                            c.name
                            for c in init
                            if not (c.state == "terminated" and c.exit_code == 0)
                        )
                        + "]",
                    }
                ),
            },
            {
                "type": "Ready",
                "status": "True" if ready else "False",
                **(
                    {}
                    if ready
                    else {
                        "reason": "ContainersNotReady",
                        "message": f"containers with unready status: [{' '.join(not_ready)}]",
                    }
                ),
            },
            {
                "type": "ContainersReady",
                "status": "True" if ready else "False",
                **(
                    {}
                    if ready
                    else {
                        "reason": "ContainersNotReady",
                        "message": f"containers with unready status: [{' '.join(not_ready)}]",
                    }
                ),
            },
            {"type": "PodScheduled", "status": "True"},
        ]
        for condition in conditions:
            condition.setdefault("lastProbeTime", None)
            condition["lastTransitionTime"] = t(pod.created_min + 0.2)
            condition.update({k: condition.pop(k) for k in ("reason", "message") if k in condition})
        host_ip = "10.128.0." + str(10 + int(short_hash(str(node), length=2).encode()[0]) % 40)
        pod_ip = (
            "10.52."
            + str(int(hashlib.sha256(name.encode()).hexdigest()[:2], 16) % 8)
            + "."
            + str(int(hashlib.sha256(name.encode()).hexdigest()[2:4], 16) % 250 + 2)
        )
        status: dict[str, Any] = {
            "phase": phase,
            "conditions": conditions,
            "hostIP": host_ip,
            "hostIPs": [{"ip": host_ip}],
            "podIP": pod_ip,
            "podIPs": [{"ip": pod_ip}],
            "startTime": t(pod.created_min),
        }
        if init:
            status["initContainerStatuses"] = [c.status(name, w.namespace, init=True) for c in init]
        status["containerStatuses"] = [c.status(name, w.namespace) for c in containers]
        status["qosClass"] = qos(containers)
        obj["status"] = status
        pods.append(obj)
    return pods


def evicted_status(containers: list[Container], pod: Pod, name: str, ns: str) -> dict[str, Any]:
    """What the API shows for a pod the kubelet evicted: Failed, reason Evicted, the message."""
    statuses = []
    for c in containers:
        status = c.status(name, ns)
        status["state"] = {
            "terminated": {
                "exitCode": 137,
                "reason": "ContainerStatusUnknown",
                "message": "The container could not be located when the pod was terminated",
                "startedAt": None,
                "finishedAt": None,
            }
        }
        status.update({"ready": False, "started": False})
        statuses.append(status)
    return {
        "phase": "Failed",
        "conditions": [
            {
                "type": "DisruptionTarget",
                "status": "True",
                "lastProbeTime": None,
                "lastTransitionTime": t(pod.created_min + 60),
                "reason": "TerminationByKubelet",
                "message": pod.evicted,
            }
        ],
        "message": pod.evicted,
        "reason": "Evicted",
        "startTime": t(pod.created_min),
        "containerStatuses": statuses,
        "qosClass": qos(containers),
    }


def qos(containers: list[Container]) -> str:
    if all(
        c.requests and c.requests == c.limits and set(c.limits) >= {"cpu", "memory"}
        for c in containers
    ):
        return "Guaranteed"
    if any(c.requests or c.limits for c in containers):
        return "Burstable"
    return "BestEffort"


def pod_logs(w: Workload) -> dict[str, dict[str, Any]]:
    """pod name -> {"logs.txt": text, "<container>/logs.previous.txt": text}."""
    files: dict[str, dict[str, Any]] = {}
    for pod, name in zip(w.pods, w.pod_names(), strict=True):
        if pod.unschedulable:
            continue
        text = ""
        extra: dict[str, Any] = {}
        for c in [*w.init, *w.containers]:
            c = replace(c, **pod.overrides.get(c.name, {}))
            body = c.log if c.log.endswith("\n") or not c.log else c.log + "\n"
            text += f"==== START logs for container {c.name} of pod {w.namespace}/{name} ====\n"
            text += body
            text += f"==== END logs for container {c.name} of pod {w.namespace}/{name} ====\n"
            if c.previous:
                extra[f"{c.name}/logs.previous.txt"] = (
                    c.previous if c.previous.endswith("\n") else c.previous + "\n"
                )
        files[name] = {"logs.txt": text, **extra}
    return files


def deployment_objects(w: Workload) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    pods = [p for p in w.pods if not p.unschedulable]
    names = w.pod_names()
    objs = pod_objects(w)
    ready = sum(
        1
        for o in objs
        if any(c["type"] == "Ready" and c["status"] == "True" for c in o["status"]["conditions"])
    )
    updated = sum(1 for p in w.pods if not p.old)
    annotations = {"deployment.kubernetes.io/revision": str(w.generation), **w.annotations}
    status: dict[str, Any] = {
        "observedGeneration": w.generation,
        "replicas": len(w.pods),
        "updatedReplicas": updated,
        "readyReplicas": ready,
        "availableReplicas": ready,
    }
    if ready < w.replicas:
        status["unavailableReplicas"] = max(len(w.pods), w.replicas) - ready
    status = {k: v for k, v in status.items() if v}
    status["conditions"] = [
        {
            "type": "Available",
            "status": "True" if ready >= w.replicas else "False",
            "lastUpdateTime": t(-40),
            "lastTransitionTime": t(-40),
            "reason": "MinimumReplicasAvailable"
            if ready >= w.replicas
            else "MinimumReplicasUnavailable",
            "message": "Deployment has minimum availability."
            if ready >= w.replicas
            else "Deployment does not have minimum availability.",
        },
        {
            "type": "Progressing",
            "status": "True",
            "lastUpdateTime": t(-45),
            "lastTransitionTime": t(-2000),
            "reason": "NewReplicaSetAvailable" if ready >= w.replicas else "ReplicaSetUpdated",
            "message": f'ReplicaSet "{w.name}-{w.rs_hash()}" has successfully progressed.'
            if ready >= w.replicas
            else f'ReplicaSet "{w.name}-{w.rs_hash()}" is progressing.',
        },
    ]
    deploy = {
        "metadata": metadata(
            "Deployment",
            w.namespace,
            w.name,
            -2000,
            generation=w.generation,
            labels=workload_labels(w),
            annotations=annotations,
        ),
        "spec": {
            "replicas": w.replicas,
            "selector": {"matchLabels": w.match_labels},
            "template": {
                "metadata": {"creationTimestamp": None, "labels": dict(w.match_labels)},
                "spec": template_spec(w),
            },
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"},
            },
            "revisionHistoryLimit": 10,
            "progressDeadlineSeconds": 600,
        },
        "status": status,
    }
    del pods, names
    replicasets = []
    for old in (False, True):
        members = [p for p in w.pods if p.old == old]
        if old and not members:
            continue
        rs_name = f"{w.name}-{w.rs_hash(old)}"
        rs_ready = sum(
            1
            for o, p in zip(objs, w.pods, strict=True)
            if p.old == old
            and any(
                c["type"] == "Ready" and c["status"] == "True" for c in o["status"]["conditions"]
            )
        )
        labels = {**w.match_labels, "pod-template-hash": w.rs_hash(old)}
        rs_status: dict[str, Any] = {
            "replicas": len(members),
            "fullyLabeledReplicas": len(members),
            "readyReplicas": rs_ready,
            "availableReplicas": rs_ready,
            "observedGeneration": 1,
        }
        replicasets.append(
            {
                "metadata": metadata(
                    "ReplicaSet",
                    w.namespace,
                    rs_name,
                    -1500 if old else -300,
                    labels=labels,
                    annotations={
                        "deployment.kubernetes.io/desired-replicas": str(w.replicas),
                        "deployment.kubernetes.io/max-replicas": str(w.replicas + 1),
                        "deployment.kubernetes.io/revision": str(
                            w.generation - 1 if old else w.generation
                        ),
                    },
                    ownerReferences=[owner("Deployment", w.namespace, w.name)],
                    generation=1,
                ),
                "spec": {
                    "replicas": len(members),
                    "selector": {"matchLabels": labels},
                    "template": {
                        "metadata": {"creationTimestamp": None, "labels": labels},
                        "spec": template_spec(w),
                    },
                },
                "status": {k: v for k, v in rs_status.items() if v or k == "replicas"},
            }
        )
    return deploy, replicasets


def statefulset_object(w: Workload) -> dict[str, Any]:
    objs = pod_objects(w)
    ready = sum(
        1
        for o in objs
        if any(c["type"] == "Ready" and c["status"] == "True" for c in o["status"]["conditions"])
    )
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": metadata(
            "StatefulSet",
            w.namespace,
            w.name,
            -5000,
            generation=w.generation,
            labels=workload_labels(w),
            annotations=w.annotations,
        ),
        "spec": {
            "replicas": w.replicas,
            "selector": {"matchLabels": w.match_labels},
            "template": {
                "metadata": {"creationTimestamp": None, "labels": dict(w.match_labels)},
                "spec": template_spec(w),
            },
            "serviceName": f"{w.name}-headless",
            "podManagementPolicy": "OrderedReady",
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
            "revisionHistoryLimit": 10,
            "persistentVolumeClaimRetentionPolicy": {
                "whenDeleted": "Retain",
                "whenScaled": "Retain",
            },
        },
        "status": {
            "observedGeneration": w.generation,
            "replicas": len(w.pods),
            "readyReplicas": ready,
            "currentReplicas": len(w.pods),
            "updatedReplicas": len(w.pods),
            "currentRevision": f"{w.name}-{w.rs_hash()}",
            "updateRevision": f"{w.name}-{w.rs_hash()}",
            "collisionCount": 0,
            "availableReplicas": ready,
        },
    }


def daemonset_object(w: Workload) -> dict[str, Any]:
    objs = pod_objects(w)
    ready = sum(
        1
        for o in objs
        if any(c["type"] == "Ready" and c["status"] == "True" for c in o["status"]["conditions"])
    )
    desired = len(w.pods)
    status = {
        "currentNumberScheduled": desired,
        "numberMisscheduled": 0,
        "desiredNumberScheduled": desired,
        "numberReady": ready,
        "observedGeneration": w.generation,
        "updatedNumberScheduled": desired,
        "numberAvailable": ready,
    }
    if ready < desired:
        status["numberUnavailable"] = desired - ready
    return {
        "metadata": metadata(
            "DaemonSet",
            w.namespace,
            w.name,
            -9000,
            generation=w.generation,
            labels=workload_labels(w),
            annotations={
                "deprecated.daemonset.template.generation": str(w.generation),
                **w.annotations,
            },
        ),
        "spec": {
            "selector": {"matchLabels": w.match_labels},
            "template": {
                "metadata": {"creationTimestamp": None, "labels": dict(w.match_labels)},
                "spec": template_spec(w),
            },
            "updateStrategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0},
            },
            "revisionHistoryLimit": 10,
        },
        "status": {k: v for k, v in status.items() if v or k in ("numberMisscheduled",)},
    }


@dataclass
class Event:
    kind: str
    name: str
    reason: str
    message: str
    type: str = "Warning"
    count: int = 1
    first: float = -30.0
    last: float = -1.0
    field_path: str | None = None
    component: str = "kubelet"
    host: str | None = "gke-prod-pool-1-8f3a2c1d-x7k2"


def event_object(ns: str, e: Event) -> dict[str, Any]:
    name = f"{e.name}.{short_hash(e.name, e.reason, e.message, length=16)}"
    involved: dict[str, Any] = {
        "kind": e.kind,
        "namespace": ns,
        "name": e.name,
        "uid": uid(ns, e.kind, e.name),
        "apiVersion": "apps/v1"
        if e.kind in ("ReplicaSet", "Deployment", "StatefulSet", "DaemonSet")
        else "v1",
        "resourceVersion": rv(ns, e.kind, e.name),
    }
    if e.field_path:
        involved["fieldPath"] = e.field_path
    source: dict[str, Any] = {"component": e.component}
    if e.host and e.component == "kubelet":
        source["host"] = e.host
    return {
        "metadata": metadata("Event", ns, name, e.first),
        "involvedObject": involved,
        "reason": e.reason,
        "message": e.message,
        "source": source,
        "firstTimestamp": t(e.first),
        "lastTimestamp": t(e.last),
        "count": e.count,
        "type": e.type,
        "eventTime": None,
        "reportingComponent": e.component,
        "reportingInstance": e.host if e.component == "kubelet" and e.host else "",
    }


def node_object(
    name: str,
    cpu: str = "4",
    memory: str = "16393232Ki",
    alloc_cpu: str = "3920m",
    alloc_memory: str = "13594384Ki",
    ready: bool = True,
    problems: dict[str, tuple[str, str]] | None = None,  # condition -> (reason, message)
    taints: list[dict[str, str]] | None = None,
    labels: dict[str, str] | None = None,
    cordoned: bool = False,
) -> dict[str, Any]:
    node = plain_node(name, cpu, memory, alloc_cpu, alloc_memory, ready)
    for condition in node["status"]["conditions"]:
        reason, message = (problems or {}).get(condition["type"], (None, None))
        if reason is not None:
            condition["status"] = "False" if condition["type"] == "Ready" else "True"
            condition["reason"], condition["message"] = reason, message
            condition["lastTransitionTime"] = t(-25)
    if taints:
        node["spec"]["taints"] = taints
    if cordoned:
        node["spec"]["unschedulable"] = True
    node["metadata"]["labels"].update(labels or {})
    return node


def plain_node(
    name: str, cpu: str, memory: str, alloc_cpu: str, alloc_memory: str, ready: bool
) -> dict[str, Any]:
    zone = "europe-west1-b"
    return {
        "metadata": {
            "name": name,
            "uid": uid("node", name),
            "resourceVersion": rv("node", name),
            "creationTimestamp": t(-60 * 24 * 12),
            "labels": {
                "beta.kubernetes.io/arch": "amd64",
                "beta.kubernetes.io/instance-type": "e2-standard-4",
                "beta.kubernetes.io/os": "linux",
                "cloud.google.com/gke-nodepool": "pool-1",
                "kubernetes.io/arch": "amd64",
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
                "node.kubernetes.io/instance-type": "e2-standard-4",
                "topology.kubernetes.io/region": "europe-west1",
                "topology.kubernetes.io/zone": zone,
            },
            "annotations": {
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
            },
        },
        "spec": {
            "podCIDR": "10.52.0.0/24",
            "podCIDRs": ["10.52.0.0/24"],
            "providerID": f"gce://acme-prod/{zone}/{name}",
        },
        "status": {
            "capacity": {
                "cpu": cpu,
                "ephemeral-storage": "98831908Ki",
                "hugepages-1Gi": "0",
                "hugepages-2Mi": "0",
                "memory": memory,
                "pods": "110",
            },
            "allocatable": {
                "cpu": alloc_cpu,
                "ephemeral-storage": "47060071478",
                "hugepages-1Gi": "0",
                "hugepages-2Mi": "0",
                "memory": alloc_memory,
                "pods": "110",
            },
            "conditions": [
                {
                    "type": "MemoryPressure",
                    "status": "False",
                    "lastHeartbeatTime": t(-1),
                    "lastTransitionTime": t(-17000),
                    "reason": "KubeletHasSufficientMemory",
                    "message": "kubelet has sufficient memory available",
                },
                {
                    "type": "DiskPressure",
                    "status": "False",
                    "lastHeartbeatTime": t(-1),
                    "lastTransitionTime": t(-17000),
                    "reason": "KubeletHasNoDiskPressure",
                    "message": "kubelet has no disk pressure",
                },
                {
                    "type": "PIDPressure",
                    "status": "False",
                    "lastHeartbeatTime": t(-1),
                    "lastTransitionTime": t(-17000),
                    "reason": "KubeletHasSufficientPID",
                    "message": "kubelet has sufficient PID available",
                },
                {
                    "type": "Ready",
                    "status": "True" if ready else "False",
                    "lastHeartbeatTime": t(-1),
                    "lastTransitionTime": t(-17000),
                    "reason": "KubeletReady",
                    "message": "kubelet is posting ready status. AppArmor enabled",
                },
            ],
            "addresses": [
                {"type": "InternalIP", "address": "10.128.0.12"},
                {"type": "Hostname", "address": name},
            ],
            "nodeInfo": {
                "architecture": "amd64",
                "containerRuntimeVersion": "containerd://1.7.13",
                "kernelVersion": "6.1.75+",
                "kubeProxyVersion": "v1.29.4-gke.1043002",
                "kubeletVersion": "v1.29.4-gke.1043002",
                "operatingSystem": "linux",
                "osImage": NODE_IMAGE,
            },
        },
    }


NODES = [
    "gke-prod-pool-1-8f3a2c1d-x7k2",
    "gke-prod-pool-1-8f3a2c1d-q9wm",
    "gke-prod-pool-1-8f3a2c1d-h4zc",
]


def service_object(w: Workload, port: int) -> dict[str, Any]:
    ip = (
        "10.56."
        + str(int(hashlib.sha256(w.name.encode()).hexdigest()[:2], 16) % 200)
        + "."
        + str(int(hashlib.sha256(w.name.encode()).hexdigest()[2:4], 16) % 250 + 2)
    )
    return {
        "metadata": metadata("Service", w.namespace, w.name, -2000, labels=workload_labels(w)),
        "spec": {
            "ports": [{"name": "http", "protocol": "TCP", "port": port, "targetPort": port}],
            "selector": dict(w.match_labels),
            "clusterIP": ip,
            "clusterIPs": [ip],
            "type": "ClusterIP",
            "sessionAffinity": "None",
            "ipFamilies": ["IPv4"],
            "ipFamilyPolicy": "SingleStack",
            "internalTrafficPolicy": "Cluster",
        },
        "status": {"loadBalancer": {}},
    }


def item_list(kind: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    api = "apps/v1" if kind in ("Deployment", "ReplicaSet", "DaemonSet", "StatefulSet") else "v1"
    api = "storage.k8s.io/v1" if kind == "StorageClass" else api
    for item in items:
        item.setdefault("kind", kind)
        item.setdefault("apiVersion", api)
        # kubectl prints kind/apiVersion first
        item_keys = ["kind", "apiVersion", *[k for k in item if k not in ("kind", "apiVersion")]]
        ordered = {k: item[k] for k in item_keys}
        item.clear()
        item.update(ordered)
    return {
        "kind": f"{kind}List",
        "apiVersion": api,
        "metadata": {"resourceVersion": "2718281"},
        "items": items,
    }


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=4, ensure_ascii=False) + "\n", encoding="utf-8")


def write_dump(
    root: Path,
    workloads: list[Workload],
    events: dict[str, list[Event]],
    nodes: list[dict[str, Any]] | None = None,
    ports: dict[str, int] | None = None,
    extras: dict[str, dict[str, list[dict[str, Any]]]] | None = None,
    storage_classes: list[dict[str, Any]] | None = None,
) -> None:
    """Write the cluster-info dump folder: nodes.json and each namespace's lists and logs.

    `extras` (namespace -> kind -> objects) are the lists kubectl's dump leaves out
    (PersistentVolumeClaims, ResourceQuotas, LimitRanges), written in the same style."""
    if storage_classes is not None:
        write_json(root / "storageclasses.json", item_list("StorageClass", storage_classes))
    write_json(
        root / "nodes.json",
        item_list("Node", nodes if nodes is not None else [node_object(n) for n in NODES]),
    )
    namespaces = sorted({w.namespace for w in workloads} | set(events) | set(extras or {}))
    for ns in namespaces:
        mine = [w for w in workloads if w.namespace == ns]
        pods: list[dict[str, Any]] = []
        deployments: list[dict[str, Any]] = []
        replicasets: list[dict[str, Any]] = []
        statefulsets: list[dict[str, Any]] = []
        daemonsets: list[dict[str, Any]] = []
        services: list[dict[str, Any]] = []
        for w in mine:
            pods += pod_objects(w)
            if w.kind == "Deployment":
                deploy, rss = deployment_objects(w)
                deployments.append(deploy)
                replicasets += rss
            elif w.kind == "StatefulSet":
                statefulsets.append(statefulset_object(w))
            else:
                daemonsets.append(daemonset_object(w))
            if ports and w.name in ports:
                services.append(service_object(w, ports[w.name]))
            for pod_name, files in pod_logs(w).items():
                for rel, text in files.items():
                    path = root / ns / pod_name / rel
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(text, encoding="utf-8")
        base = root / ns
        write_json(
            base / "events.json",
            item_list("Event", [event_object(ns, e) for e in events.get(ns, [])]),
        )
        write_json(base / "replication-controllers.json", item_list("ReplicationController", []))
        write_json(base / "services.json", item_list("Service", services))
        write_json(base / "daemonsets.json", item_list("DaemonSet", daemonsets))
        write_json(base / "deployments.json", item_list("Deployment", deployments))
        write_json(base / "replicasets.json", item_list("ReplicaSet", replicasets))
        write_json(base / "pods.json", item_list("Pod", pods))
        if statefulsets:
            write_json(base / "statefulsets.json", item_list("StatefulSet", statefulsets))
        for kind, items in (extras or {}).get(ns, {}).items():
            write_json(base / EXTRA_FILES[kind], item_list(kind, items))


EXTRA_FILES = {
    "PersistentVolumeClaim": "persistentvolumeclaims.json",
    "ResourceQuota": "resourcequotas.json",
    "LimitRange": "limitranges.json",
}


# ---- Alerts -------------------------------------------------------------------------------------

PROMETHEUS = "monitoring/kube-prometheus-stack-prometheus"


def alert(
    name: str,
    labels: dict[str, str],
    summary: str,
    description: str,
    *,
    starts: float = -6,
    status: str = "firing",
    runbook: str | None = None,
    severity: str = "warning",
) -> dict[str, Any]:
    all_labels = {"alertname": name, **labels, "prometheus": PROMETHEUS, "severity": severity}
    annotations = {"description": description, "summary": summary}
    if runbook:
        annotations["runbook_url"] = runbook
    fingerprint = hashlib.sha256(json.dumps(all_labels, sort_keys=True).encode()).hexdigest()[:16]
    return {
        "status": status,
        "labels": all_labels,
        "annotations": annotations,
        "startsAt": t(starts).replace("Z", ".512Z"),
        "endsAt": t(starts + 9).replace("Z", ".512Z")
        if status == "resolved"
        else "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus.monitoring.svc:9090/graph?g0.expr=" + name + "&g0.tab=1",
        "fingerprint": fingerprint,
    }


def webhook(
    alerts: list[dict[str, Any]], group: dict[str, str], receiver: str = "dr-kube"
) -> dict[str, Any]:
    firing = any(a["status"] == "firing" for a in alerts)
    common = {
        k: v for k, v in alerts[0]["labels"].items() if all(a["labels"].get(k) == v for a in alerts)
    }
    common_ann = {
        k: v
        for k, v in alerts[0]["annotations"].items()
        if all(a["annotations"].get(k) == v for a in alerts)
    }
    return {
        "receiver": receiver,
        "status": "firing" if firing else "resolved",
        "alerts": alerts,
        "groupLabels": group,
        "commonLabels": common,
        "commonAnnotations": common_ann,
        "externalURL": "http://alertmanager.monitoring.svc:9093",
        "version": "4",
        "groupKey": "{}/{}:{" + ", ".join(f'{k}="{v}"' for k, v in group.items()) + "}",
        "truncatedAlerts": 0,
    }

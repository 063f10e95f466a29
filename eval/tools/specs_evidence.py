"""Scenarios whose answer sits in evidence beyond the pod: volumes, quotas, nodes, probe timing.

Public facts behind them (our own scenarios, not copies): k8sgpt's analyzers read PVC
ProvisioningFailed events, a StatefulSet's StorageClass that does not exist, ReplicaSet
FailedCreate conditions and node conditions (Ready, Memory/Disk/PIDPressure); HolmesGPT's
evaluation asks for a PVC with a missing StorageClass, a ConfigMap volume that does not exist,
a ResourceQuota that refuses pods or demands limits.cpu, and a liveness probe on the wrong port.
"""

from __future__ import annotations

from typing import Any

from common import (
    Spec,
    crashloop_alert,
    not_ready_alert,
    pending_alert,
    replicas_alert,
    waiting_alert,
)
from inhouse import http_probe, live_probe, service_files, service_values, service_workload
from kube import NODES, Container, Event, Pod, Workload, node_object, t, uid

NO_CHANGE: dict[str, Any] = {"exit_codes": [3], "no_changes": True}
SCHEDULER = {"component": "default-scheduler", "host": None}


def app(
    name: str,
    ns: str,
    *,
    tag: str = "2.4.1",
    requests: dict[str, str] | None = None,
    limits: dict[str, str] | None = None,
    replicas: int = 1,
    pods: list[Pod] | None = None,
    **container: Any,
) -> tuple[Workload, Container]:
    requests = requests or {"cpu": "200m", "memory": "256Mi"}
    limits = limits or {"memory": "512Mi"}
    c = Container(
        name=name,
        image=f"ghcr.io/acme/{name}:{tag}",
        requests=requests,
        limits=limits,
        ports=[("http", 8080)],
        **container,
    )
    w = service_workload(name, ns, c, replicas=replicas, pods=pods)
    return w, c


def app_files(w: Workload, c: Container, tag: str = "2.4.1", **values: Any) -> dict[str, str]:
    resources = {"requests": dict(c.requests), "limits": dict(c.limits)}
    text = service_values(w.instance, tag=tag, resources=resources, replicas=w.replicas, **values)
    return service_files(w.instance, w.namespace, text)


def spec(
    name: str,
    split: str,
    description: str,
    w: Workload,
    c: Container,
    alert: dict[str, Any],
    events: list[Event],
    expect: dict[str, Any],
    **extra: Any,
) -> Spec:
    values = extra.pop("values", {})
    return Spec(
        name=name,
        split=split,
        description=description,
        workloads=[w, *extra.pop("others", [])],
        alert=alert,
        events={w.namespace: events},
        files=extra.pop("files", None) or app_files(w, c, **values),
        charts=["service"],
        expect=expect,
        **extra,
    )


def meta(kind: str, ns: str | None, name: str, **more: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": name,
        "uid": uid(ns or "", kind, name),
        "resourceVersion": "48211",
    }
    if ns:
        data["namespace"] = ns
    data["creationTimestamp"] = t(-60)
    data.update(more)
    return data


def pvc(
    ns: str,
    name: str,
    storage_class: str | None,
    size: str = "10Gi",
    phase: str = "Pending",
    access: str = "ReadWriteOnce",
    volume: str | None = None,
) -> dict[str, Any]:
    spec_: dict[str, Any] = {
        "accessModes": [access],
        "resources": {"requests": {"storage": size}},
        "volumeMode": "Filesystem",
    }
    if storage_class:
        spec_["storageClassName"] = storage_class
    if volume:
        spec_["volumeName"] = volume
    status: dict[str, Any] = {"phase": phase}
    if phase == "Bound":
        status.update({"accessModes": [access], "capacity": {"storage": size}})
    return {"metadata": meta("PersistentVolumeClaim", ns, name), "spec": spec_, "status": status}


def storage_class(
    name: str, provisioner: str = "pd.csi.storage.gke.io", default: bool = False
) -> dict[str, Any]:
    annotations = {"storageclass.kubernetes.io/is-default-class": "true"} if default else {}
    return {
        "metadata": meta("StorageClass", None, name, annotations=annotations),
        "provisioner": provisioner,
        "parameters": {"type": "pd-balanced"},
        "reclaimPolicy": "Delete",
        "volumeBindingMode": "WaitForFirstConsumer",
        "allowVolumeExpansion": True,
    }


GKE_CLASSES = [
    storage_class("premium-rwo"),
    storage_class("standard"),
    storage_class("standard-rwo", default=True),
]


def claim_volume(volume: str, claim: str) -> dict[str, Any]:
    return {"name": volume, "persistentVolumeClaim": {"claimName": claim}}


def quota(ns: str, name: str, hard: dict[str, str], used: dict[str, str]) -> dict[str, Any]:
    return {
        "metadata": meta("ResourceQuota", ns, name),
        "spec": {"hard": hard},
        "status": {"hard": hard, "used": used},
    }


def limit_range(ns: str, name: str, **bounds: dict[str, str]) -> dict[str, Any]:
    return {
        "metadata": meta("LimitRange", ns, name),
        "spec": {"limits": [{"type": "Container", **bounds}]},
    }


def creating(c: Container) -> None:
    c.state, c.reason, c.ready = "waiting", "ContainerCreating", False


# ---- volumes -------------------------------------------------------------------------------------


def pending_on_claim(
    name: str,
    ns: str,
    claim: str,
    storage: str | None,
    message: str,
    split: str,
    description: str,
    **kw: Any,
) -> Spec:
    scheduling = (
        "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: "
        "0/3 nodes are available: 3 Preemption is not helpful for scheduling."
    )
    w, c = app(name, ns, pods=[Pod(unschedulable=scheduling, created_min=-30)])
    w.volumes = [claim_volume("data", claim)]
    pod = w.pod_names()[0]
    events = [
        Event("Pod", pod, "FailedScheduling", scheduling, count=8, first=-30, **SCHEDULER),
        Event(
            "PersistentVolumeClaim",
            claim,
            kw.pop("claim_reason", "ProvisioningFailed"),
            message,
            count=42,
            first=-30,
            component="persistentvolume-controller",
            host=None,
        ),
    ]
    return spec(
        name=kw.pop("scenario"),
        split=split,
        description=description,
        w=w,
        c=c,
        alert=pending_alert(w, pod),
        events=events,
        expect={
            "categories": ["volume"],
            **NO_CHANGE,
            "forbidden_changes": [{"path": "resources"}],
        },
        extras={ns: {"PersistentVolumeClaim": [pvc(ns, claim, storage)]}},
        storage_classes=kw.pop("classes", GKE_CLASSES),
    )


def pvc_class_missing() -> Spec:
    return pending_on_claim(
        "invoice-store",
        "billing",
        "invoice-store-data",
        "fast-ssd",
        'storageclass.storage.k8s.io "fast-ssd" not found',
        "dev",
        "The claim asks for StorageClass fast-ssd; the cluster has premium-rwo, standard and standard-rwo. Nothing binds, the pod stays Pending.",
        scenario="volume-pvc-storageclass-missing",
    )


def pvc_no_class_no_pv() -> Spec:
    return pending_on_claim(
        "legacy-ftp",
        "partners",
        "legacy-ftp-spool",
        None,
        "no persistent volumes available for this claim and no storage class is set",
        "test",
        "A claim with no StorageClass on a cluster without a default class: it waits for a hand-made PersistentVolume that nobody created.",
        scenario="volume-pvc-no-class-no-volume",
        claim_reason="FailedBinding",
        classes=[storage_class("premium-rwo"), storage_class("standard")],
    )


def pvc_provisioner_quota() -> Spec:
    return pending_on_claim(
        "search-index",
        "search",
        "search-index-data",
        "premium-rwo",
        "failed to provision volume with StorageClass \"premium-rwo\": rpc error: code = ResourceExhausted desc = googleapi: Error 403: Quota 'SSD_TOTAL_GB' exceeded. Limit: 500.0 in region europe-west1., quotaExceeded",
        "dev",
        "The CSI provisioner cannot create the disk: the project's SSD quota in the region is used up. A cloud quota, not a values change.",
        scenario="volume-provisioner-cloud-quota",
    )


def sts_class_missing() -> Spec:
    pg = Container(
        name="postgresql",
        image="docker.io/bitnami/postgresql:16.2.0-debian-12-r6",
        requests={"cpu": "250m", "memory": "512Mi"},
        limits={"memory": "1Gi"},
        ports=[("tcp-postgresql", 5432)],
    )
    scheduling = (
        "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: "
        "0/3 nodes are available: 3 Preemption is not helpful for scheduling."
    )
    w = Workload(
        kind="StatefulSet",
        name="ledger-db-postgresql",
        namespace="ledger",
        instance="ledger-db",
        containers=[pg],
        pods=[Pod(unschedulable=scheduling, created_min=-45)],
        selector={
            "app.kubernetes.io/instance": "ledger-db",
            "app.kubernetes.io/name": "postgresql",
        },
        chart="postgresql-15.5.0",
    )
    pod = w.pod_names()[0]
    claim = f"data-{pod}"
    w.volumes = [claim_volume("data", claim)]
    events = [
        Event("Pod", pod, "FailedScheduling", scheduling, count=11, first=-45, **SCHEDULER),
        Event(
            "PersistentVolumeClaim",
            claim,
            "ProvisioningFailed",
            'storageclass.storage.k8s.io "gp3" not found',
            count=57,
            first=-45,
            component="persistentvolume-controller",
            host=None,
        ),
    ]
    values = {"primary": {"persistence": {"storageClass": "gp3", "size": "20Gi"}}}
    from common import application, dump_values

    return Spec(
        name="volume-statefulset-storageclass-from-another-cloud",
        split="test",
        description="The values were copied from an EKS cluster: storageClass gp3 does not exist on GKE. The claim template cannot be edited in place.",
        workloads=[w],
        alert=pending_alert(w, pod),
        events={"ledger": events},
        files={
            "applications/ledger-db.yaml": application(
                "ledger-db",
                "ledger",
                "postgresql",
                "registry-1.docker.io/bitnamicharts",
                "15.5.0",
                "values/ledger-db.yaml",
            ),
            "values/ledger-db.yaml": dump_values("ledger-db: bitnami/postgresql 15.5.0.", values),
        },
        charts=["postgresql"],
        expect={"categories": ["volume"], **NO_CHANGE},
        extras={"ledger": {"PersistentVolumeClaim": [pvc("ledger", claim, "gp3", "20Gi")]}},
        storage_classes=GKE_CLASSES,
    )


def pvc_claim_missing() -> Spec:
    scheduling = (
        '0/3 nodes are available: persistentvolumeclaim "uploads-shared" not found. preemption: '
        "0/3 nodes are available: 3 Preemption is not helpful for scheduling."
    )
    w, c = app("media-api", "media", pods=[Pod(unschedulable=scheduling, created_min=-20)])
    w.volumes = [claim_volume("uploads", "uploads-shared")]
    pod = w.pod_names()[0]
    return spec(
        "volume-claim-does-not-exist",
        "dev",
        "The pod mounts claim uploads-shared, which was never created in namespace media.",
        w,
        c,
        pending_alert(w, pod),
        [Event("Pod", pod, "FailedScheduling", scheduling, count=6, first=-20, **SCHEDULER)],
        {"categories": ["volume"], **NO_CHANGE},
        extras={"media": {"PersistentVolumeClaim": []}},
        storage_classes=GKE_CLASSES,
    )


def multi_attach() -> Spec:
    w, c = app(
        "report-builder",
        "reports",
        pods=[Pod(created_min=-12), Pod(old=True, node=NODES[1], created_min=-900)],
    )
    creating(c)
    w.pods[1].overrides = {"report-builder": {"state": "running", "ready": True, "reason": None}}
    w.volumes = [claim_volume("work", "report-builder-work")]
    pod, old = w.pod_names()
    volume = "pvc-6b1d2e7a-93c4-4f0a-8e11-3a2f5c7d9b10"
    events = [
        Event(
            "Pod",
            pod,
            "FailedAttachVolume",
            f'Multi-Attach error for volume "{volume}" Volume is already used by pod(s) {old}',
            count=7,
            first=-12,
            component="attachdetach-controller",
            host=None,
        ),
        Event(
            "Pod",
            pod,
            "FailedMount",
            "Unable to attach or mount volumes: unmounted volumes=[work], unattached volumes=[work kube-api-access-x]: timed out waiting for the condition",
            count=5,
            first=-10,
        ),
    ]
    return spec(
        "volume-multi-attach-rolling-update",
        "test",
        "A rolling update starts the new pod on another node while the old one still holds the ReadWriteOnce disk: Multi-Attach error.",
        w,
        c,
        not_ready_alert(w, pod),
        events,
        {"categories": ["volume"], **NO_CHANGE},
        extras={
            "reports": {
                "PersistentVolumeClaim": [
                    pvc(
                        "reports",
                        "report-builder-work",
                        "standard-rwo",
                        phase="Bound",
                        volume=volume,
                    )
                ]
            }
        },
        storage_classes=GKE_CLASSES,
    )


def object_volume_missing(
    kind: str, volume: str, obj: str, name: str, ns: str, split: str, scenario: str
) -> Spec:
    w, c = app(name, ns)
    creating(c)
    source = (
        {"configMap": {"name": obj}} if kind == "configmap" else {"secret": {"secretName": obj}}
    )
    w.volumes = [{"name": volume, **source}]
    pod = w.pod_names()[0]
    events = [
        Event(
            "Pod",
            pod,
            "FailedMount",
            f'MountVolume.SetUp failed for volume "{volume}" : {kind} "{obj}" not found',
            count=14,
            first=-16,
        ),
    ]
    return spec(
        scenario,
        split,
        f"{name} is stuck in ContainerCreating: volume {volume} mounts {kind} {obj}, which does not exist.",
        w,
        c,
        waiting_alert(w, pod, name, "ContainerCreating"),
        events,
        {"categories": ["volume"], **NO_CHANGE},
    )


def configmap_volume() -> Spec:
    return object_volume_missing(
        "configmap",
        "config",
        "notifier-config",
        "notifier",
        "comms",
        "dev",
        "volume-configmap-mount-missing",
    )


def secret_volume() -> Spec:
    return object_volume_missing(
        "secret",
        "tls",
        "partner-api-tls",
        "partner-gateway",
        "partners",
        "test",
        "volume-secret-mount-missing",
    )


def volume_zone_conflict() -> Spec:
    message = (
        "0/3 nodes are available: 3 node(s) had volume node affinity conflict. preemption: "
        "0/3 nodes are available: 3 Preemption is not helpful for scheduling."
    )
    w, c = app("geo-cache", "maps", pods=[Pod(unschedulable=message, created_min=-35)])
    w.volumes = [claim_volume("tiles", "geo-cache-tiles")]
    pod = w.pod_names()[0]
    return spec(
        "volume-node-affinity-zone-conflict",
        "test",
        "The disk was created in europe-west1-c; after a node-pool migration every node is in europe-west1-b.",
        w,
        c,
        pending_alert(w, pod),
        [Event("Pod", pod, "FailedScheduling", message, count=9, first=-35, **SCHEDULER)],
        {"categories": ["volume"], **NO_CHANGE, "forbidden_changes": [{"path": "resources"}]},
        extras={
            "maps": {
                "PersistentVolumeClaim": [
                    pvc(
                        "maps",
                        "geo-cache-tiles",
                        "standard-rwo",
                        phase="Bound",
                        volume="pvc-0c5e2a9d-7f41-4b8e-a1c3-5d9e2f6b8a04",
                    )
                ]
            }
        },
        storage_classes=GKE_CLASSES,
    )


# ---- quotas and limit ranges -------------------------------------------------------------------


def refused(
    scenario: str,
    split: str,
    description: str,
    name: str,
    ns: str,
    message: str,
    extras: dict[str, list[dict[str, Any]]],
    requests: dict[str, str] | None = None,
    limits: dict[str, str] | None = None,
    replicas: int = 3,
    running: int = 2,
) -> Spec:
    w, c = app(
        name,
        ns,
        requests=requests,
        limits=limits,
        replicas=replicas,
        pods=[Pod() for _ in range(running)],
    )
    rs = f"{name}-{w.rs_hash()}"
    text = f'Error creating: pods "{rs}-x8k2p" is forbidden: {message}'
    event = Event(
        "ReplicaSet",
        rs,
        "FailedCreate",
        text,
        count=31,
        first=-40,
        component="replicaset-controller",
        host=None,
    )
    return spec(
        scenario,
        split,
        description,
        w,
        c,
        replicas_alert(w),
        [event],
        {
            "categories": ["quota"],
            **NO_CHANGE,
            "forbidden_changes": [{"path": "replicaCount"}, {"path": "resources"}],
        },
        extras={ns: extras},
    )


def quota_memory() -> Spec:
    return refused(
        "quota-memory-limits-exhausted",
        "dev",
        "Namespace quota team-quota allows limits.memory 16Gi; 15872Mi is used, the fourth replica asks 1Gi.",
        "fulfillment",
        "warehouse",
        "exceeded quota: team-quota, requested: limits.memory=1Gi, used: limits.memory=15872Mi, limited: limits.memory=16Gi",
        {
            "ResourceQuota": [
                quota(
                    "warehouse",
                    "team-quota",
                    {"limits.memory": "16Gi", "requests.cpu": "8"},
                    {"limits.memory": "15872Mi", "requests.cpu": "3"},
                )
            ]
        },
        limits={"memory": "1Gi"},
        replicas=4,
        running=3,
    )


def quota_cpu() -> Spec:
    return refused(
        "quota-cpu-requests-exhausted",
        "test",
        "requests.cpu quota of 2 cores: two replicas at 750m and a third refused (its 750m would make 2250m).",
        "pricing-engine",
        "pricing",
        "exceeded quota: compute-resources, requested: requests.cpu=750m, used: requests.cpu=1500m, limited: requests.cpu=2",
        {
            "ResourceQuota": [
                quota(
                    "pricing",
                    "compute-resources",
                    {"requests.cpu": "2", "requests.memory": "8Gi"},
                    {"requests.cpu": "1500m", "requests.memory": "1Gi"},
                )
            ]
        },
        requests={"cpu": "750m", "memory": "512Mi"},
    )


def quota_pods() -> Spec:
    return refused(
        "quota-pod-count-exhausted",
        "test",
        "The namespace may run 10 pods and runs 10 (jobs included); the new replica is refused.",
        "ingest-worker",
        "ingest",
        "exceeded quota: pod-count, requested: pods=1, used: pods=10, limited: pods=10",
        {"ResourceQuota": [quota("ingest", "pod-count", {"pods": "10"}, {"pods": "10"})]},
    )


def quota_must_specify() -> Spec:
    return refused(
        "quota-requires-cpu-limits",
        "dev",
        "ResourceQuota compute-quota sets limits.cpu, so every pod must declare limits.cpu; the chart's values give none.",
        "api-server",
        "platform",
        "failed quota: compute-quota: must specify limits.cpu for: api-server",
        {
            "ResourceQuota": [
                quota(
                    "platform",
                    "compute-quota",
                    {"limits.cpu": "4", "limits.memory": "8Gi"},
                    {"limits.cpu": "0", "limits.memory": "0"},
                )
            ]
        },
        replicas=2,
        running=0,
    )


def limitrange_max_memory() -> Spec:
    return refused(
        "limitrange-max-memory-per-container",
        "test",
        "A LimitRange caps containers at 1Gi; the values raised the limit to 2Gi after an OOM and every new pod is refused.",
        "thumbnailer",
        "media",
        "maximum memory usage per Container is 1Gi, but limit is 2Gi",
        {
            "LimitRange": [
                limit_range(
                    "media",
                    "container-bounds",
                    max={"cpu": "2", "memory": "1Gi"},
                    min={"cpu": "50m", "memory": "64Mi"},
                )
            ]
        },
        requests={"cpu": "250m", "memory": "1Gi"},
        limits={"memory": "2Gi"},
        replicas=2,
        running=0,
    )


def limitrange_min_cpu() -> Spec:
    return refused(
        "limitrange-min-cpu-per-container",
        "dev",
        "The LimitRange wants at least 100m per container; the chart requests 50m.",
        "audit-shipper",
        "security",
        "minimum cpu usage per Container is 100m, but request is 50m",
        {
            "LimitRange": [
                limit_range(
                    "security",
                    "defaults",
                    min={"cpu": "100m"},
                    default={"cpu": "200m", "memory": "256Mi"},
                )
            ]
        },
        requests={"cpu": "50m", "memory": "128Mi"},
        limits={"memory": "256Mi"},
        replicas=1,
        running=0,
    )


def limitrange_two_bounds() -> Spec:
    return refused(
        "limitrange-cpu-and-memory-above-max",
        "test",
        "Two bounds at once: limit cpu 4 over a max of 2 and memory 8Gi over 4Gi.",
        "ml-batch",
        "ml",
        "[maximum cpu usage per Container is 2, but limit is 4, maximum memory usage per Container is 4Gi, but limit is 8Gi]",
        {"LimitRange": [limit_range("ml", "ml-bounds", max={"cpu": "2", "memory": "4Gi"})]},
        requests={"cpu": "1", "memory": "4Gi"},
        limits={"cpu": "4", "memory": "8Gi"},
        replicas=1,
        running=0,
    )


def quota_statefulset() -> Spec:
    redis = Container(
        name="redis",
        image="docker.io/bitnami/redis:7.2.4-debian-12-r9",
        requests={"cpu": "250m", "memory": "1Gi"},
        limits={"memory": "1Gi"},
        ports=[("redis", 6379)],
    )
    w = Workload(
        kind="StatefulSet",
        name="session-redis-replicas",
        namespace="identity",
        instance="session-redis",
        containers=[redis],
        replicas=3,
        pods=[Pod(), Pod()],
        selector={
            "app.kubernetes.io/instance": "session-redis",
            "app.kubernetes.io/component": "replica",
        },
        chart="redis-18.19.2",
    )
    message = (
        "create Pod session-redis-replicas-2 in StatefulSet session-redis-replicas failed error: "
        'pods "session-redis-replicas-2" is forbidden: exceeded quota: identity-quota, requested: '
        "requests.memory=1Gi, used: requests.memory=2560Mi, limited: requests.memory=3Gi"
    )
    from common import application, dump_values

    values = {
        "replica": {
            "replicaCount": 3,
            "resources": {
                "requests": {"cpu": "250m", "memory": "1Gi"},
                "limits": {"memory": "1Gi"},
            },
        }
    }
    return Spec(
        name="quota-statefulset-replica-refused",
        split="test",
        description="The third redis replica of a StatefulSet is refused by the namespace quota on requests.memory.",
        workloads=[w],
        alert=replicas_alert(w),
        events={
            "identity": [
                Event(
                    "StatefulSet",
                    w.name,
                    "FailedCreate",
                    message,
                    count=19,
                    component="statefulset-controller",
                    host=None,
                )
            ]
        },
        files={
            "applications/session-redis.yaml": application(
                "session-redis",
                "identity",
                "redis",
                "registry-1.docker.io/bitnamicharts",
                "18.19.2",
                "values/session-redis.yaml",
            ),
            "values/session-redis.yaml": dump_values(
                "session-redis: bitnami/redis 18.19.2, replication.", values
            ),
        },
        charts=["redis"],
        expect={"categories": ["quota"], **NO_CHANGE, "forbidden_changes": [{"path": "replica"}]},
        extras={
            "identity": {
                "ResourceQuota": [
                    quota(
                        "identity",
                        "identity-quota",
                        {"requests.memory": "3Gi"},
                        {"requests.memory": "2560Mi"},
                    )
                ]
            }
        },
    )


# ---- evictions and node conditions -----------------------------------------------------------

LOW_MEMORY = (
    "The node was low on resource: memory. Threshold quantity: 100Mi, available: 86212Ki. "
    "Container {c} was using {used}, request is {request}, has larger consumption of its request. "
)


def evicted_app(
    scenario: str,
    split: str,
    description: str,
    name: str,
    ns: str,
    message: str,
    expect: dict[str, Any],
    **kw: Any,
) -> Spec:
    node = kw.pop("node", NODES[0])
    w, c = app(
        name,
        ns,
        replicas=3,
        pods=[Pod(evicted=message, node=node, created_min=-200), Pod(), Pod()],
        **kw.pop("app", {}),
    )
    pod = w.pod_names()[0]
    events = [
        Event("Pod", pod, "Evicted", message.strip(), count=1, first=-120, last=-120, host=node),
        Event(
            "Pod",
            pod,
            "Killing",
            f"Stopping container {name}",
            type="Normal",
            first=-120,
            last=-120,
            field_path=f"spec.containers{{{name}}}",
            host=node,
        ),
    ]
    return spec(
        scenario,
        split,
        description,
        w,
        c,
        kw.pop("alert", None) or replicas_alert(w),
        events,
        expect,
        **kw,
    )


def evicted_over_request() -> Spec:
    return evicted_app(
        "eviction-memory-far-over-request",
        "dev",
        "Under node memory pressure the kubelet evicts catalog-indexer first: it uses ~1.8Gi against a 256Mi request. A request near its use places it where there is room.",
        "catalog-indexer",
        "catalog",
        LOW_MEMORY.format(c="catalog-indexer", used="1843200Ki", request="256Mi"),
        {
            "categories": ["node-pressure"],
            "exit_codes": [0],
            "required_changes": [
                {
                    "path": "resources.requests.memory",
                    "direction": "up",
                    "min": "384Mi",
                    "max": "2Gi",
                }
            ],
            "forbidden_changes": [{"path": "resources.limits.cpu"}, {"path": "replicaCount"}],
            "max_attempts": 1,
        },
        app={"limits": {"memory": "2Gi"}},
    )


def evicted_over_request_jvm() -> Spec:
    return evicted_app(
        "eviction-jvm-over-request",
        "test",
        "A JVM with -Xmx1g and a 512Mi request is the pod furthest over its request when the node runs short.",
        "quote-service",
        "sales",
        LOW_MEMORY.format(c="quote-service", used="1325648Ki", request="512Mi"),
        {
            "categories": ["node-pressure"],
            "exit_codes": [0],
            "required_changes": [
                {
                    "path": "resources.requests.memory",
                    "direction": "up",
                    "min": "768Mi",
                    "max": "2Gi",
                }
            ],
            "forbidden_changes": [{"path": "replicaCount"}],
            "max_attempts": 1,
        },
        app={"requests": {"cpu": "500m", "memory": "512Mi"}, "limits": {"memory": "1536Mi"}},
    )


def evicted_within_request() -> Spec:
    return evicted_app(
        "eviction-node-pressure-not-this-pod",
        "dev",
        "The pod used less than its request when the node ran out of memory: another workload filled the node. Nothing to change here.",
        "status-page",
        "web",
        LOW_MEMORY.format(c="status-page", used="98304Ki", request="256Mi").replace(
            ", has larger consumption of its request", ""
        ),
        {"categories": ["node-pressure"], **NO_CHANGE},
        nodes=[
            node_object(
                NODES[0],
                problems={
                    "MemoryPressure": (
                        "KubeletHasInsufficientMemory",
                        "kubelet has insufficient memory available",
                    )
                },
            ),
            node_object(NODES[1]),
            node_object(NODES[2]),
        ],
    )


def evicted_disk() -> Spec:
    return evicted_app(
        "eviction-ephemeral-storage",
        "test",
        "export-worker writes 14Gi of temp files to the node's disk; the kubelet evicts it under DiskPressure. A volume or a cleanup, not a values size.",
        "export-worker",
        "exports",
        "The node was low on resource: ephemeral-storage. Threshold quantity: 10120387Ki, available: 9362340Ki. Container export-worker was using 14326720Ki, request is 0, has larger consumption of its request. ",
        {"categories": ["node-pressure"], **NO_CHANGE},
        nodes=[
            node_object(
                NODES[0],
                problems={"DiskPressure": ("KubeletHasDiskPressure", "kubelet has disk pressure")},
            ),
            node_object(NODES[1]),
            node_object(NODES[2]),
        ],
    )


def rejected_disk_pressure() -> Spec:
    return evicted_app(
        "eviction-node-had-disk-pressure",
        "test",
        "The pod was admitted to a node that had DiskPressure and was rejected at once.",
        "thumbs-api",
        "media",
        "Pod was rejected: The node had condition: [DiskPressure]. ",
        {"categories": ["node-pressure"], **NO_CHANGE},
        node=NODES[2],
        nodes=[
            node_object(NODES[0]),
            node_object(NODES[1]),
            node_object(
                NODES[2],
                problems={"DiskPressure": ("KubeletHasDiskPressure", "kubelet has disk pressure")},
            ),
        ],
    )


def on_sick_node(
    scenario: str,
    split: str,
    description: str,
    name: str,
    ns: str,
    problems: dict[str, tuple[str, str]],
    ready: bool = True,
) -> Spec:
    category = "node-pressure" if ready else "node-not-ready"
    w, c = app(name, ns)
    c.ready = False
    pod = w.pod_names()[0]
    nodes = [
        node_object(NODES[0], ready=ready, problems=problems),
        node_object(NODES[1]),
        node_object(NODES[2]),
    ]
    events = []
    if not ready:
        events.append(
            Event(
                "Pod",
                pod,
                "NodeNotReady",
                "Node is not ready",
                first=-14,
                component="node-controller",
                host=None,
            )
        )
    return spec(
        scenario,
        split,
        description,
        w,
        c,
        not_ready_alert(w, pod),
        events,
        {"categories": [category], **NO_CHANGE},
        nodes=nodes,
    )


def node_not_ready() -> Spec:
    return on_sick_node(
        "node-not-ready-pod-stuck",
        "dev",
        "The kubelet of the pod's node stopped posting status; the pod is not ready because its node is not.",
        "checkout-api",
        "shop",
        {"Ready": ("NodeStatusUnknown", "Kubelet stopped posting node status.")},
        ready=False,
    )


def node_memory_pressure() -> Spec:
    return on_sick_node(
        "node-memory-pressure-pod-not-ready",
        "test",
        "The node reports MemoryPressure; the pod on it is not ready and nothing in the pod explains it.",
        "ledger-api",
        "ledger",
        {
            "MemoryPressure": (
                "KubeletHasInsufficientMemory",
                "kubelet has insufficient memory available",
            )
        },
    )


def node_pid_pressure() -> Spec:
    return on_sick_node(
        "node-pid-pressure",
        "test",
        "A fork bomb in another pod exhausted the node's PIDs: PIDPressure.",
        "mailer",
        "comms",
        {"PIDPressure": ("KubeletHasInsufficientPID", "kubelet has insufficient PID available")},
    )


# ---- scheduling against what the nodes hold ------------------------------------------------------


def filler(ns: str, name: str, node: str, cpu: str, memory: str) -> Workload:
    c = Container(
        name=name,
        image=f"ghcr.io/acme/{name}:1.0.0",
        requests={"cpu": cpu, "memory": memory},
        limits={"memory": memory},
    )
    return service_workload(name, ns, c, pods=[Pod(node=node)])


def full_cluster(
    scenario: str,
    split: str,
    resource: str,
    request: dict[str, str],
    fill: tuple[str, str],
    description: str,
) -> Spec:
    message = f"0/3 nodes are available: 3 Insufficient {resource}. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod."
    w, c = app(
        "nightly-etl",
        "data",
        requests=request,
        limits={"memory": request["memory"]},
        pods=[Pod(unschedulable=message, created_min=-25)],
    )
    pod = w.pod_names()[0]
    others = [filler("batch", f"spark-executor-{i}", node, *fill) for i, node in enumerate(NODES)]
    return spec(
        scenario,
        split,
        description,
        w,
        c,
        pending_alert(w, pod),
        [Event("Pod", pod, "FailedScheduling", message, count=12, first=-25, **SCHEDULER)],
        {"categories": ["unschedulable"], **NO_CHANGE},
        others=others,
    )


def full_memory() -> Spec:
    return full_cluster(
        "unschedulable-nodes-full-memory",
        "dev",
        "memory",
        {"cpu": "500m", "memory": "4Gi"},
        ("1", "11Gi"),
        "Spark executors in namespace batch hold 11Gi on each 13Gi node; nightly-etl's 4Gi fits no node's free room. Add capacity.",
    )


def full_cpu() -> Spec:
    return full_cluster(
        "unschedulable-nodes-full-cpu",
        "test",
        "cpu",
        {"cpu": "1500m", "memory": "2Gi"},
        ("3", "4Gi"),
        "Every node has 920m of 3920m free; the pod asks 1500m.",
    )


def taint_not_tolerated() -> Spec:
    message = "0/3 nodes are available: 3 node(s) had untolerated taint {dedicated: batch}. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
    w, c = app("report-api", "reports", pods=[Pod(unschedulable=message, created_min=-18)])
    pod = w.pod_names()[0]
    taint = [{"key": "dedicated", "value": "batch", "effect": "NoSchedule"}]
    return spec(
        "unschedulable-taint-not-tolerated",
        "test",
        "The cluster's only pool is tainted dedicated=batch:NoSchedule; the pod tolerates nothing of the kind.",
        w,
        c,
        pending_alert(w, pod),
        [Event("Pod", pod, "FailedScheduling", message, count=7, first=-18, **SCHEDULER)],
        {"categories": ["unschedulable"], **NO_CHANGE},
        nodes=[node_object(n, taints=taint) for n in NODES],
    )


def all_cordoned() -> Spec:
    message = "0/3 nodes are available: 3 node(s) were unschedulable. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
    w, c = app("webhooks", "integrations", pods=[Pod(unschedulable=message, created_min=-10)])
    pod = w.pod_names()[0]
    cordon = [{"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}]
    return spec(
        "unschedulable-nodes-cordoned",
        "dev",
        "An upgrade cordoned every node at once; nothing new schedules.",
        w,
        c,
        pending_alert(w, pod),
        [Event("Pod", pod, "FailedScheduling", message, count=4, first=-10, **SCHEDULER)],
        {"categories": ["unschedulable"], **NO_CHANGE},
        nodes=[node_object(n, cordoned=True, taints=cordon) for n in NODES],
    )


# ---- probes: timing only with evidence of a slow start ------------------------------------------


def probe_events(
    pod: str, name: str, kind: str, message: str, count: int, kills: int
) -> list[Event]:
    fp = f"spec.containers{{{name}}}"
    events = [
        Event(
            "Pod", pod, "Unhealthy", f"{kind} probe failed: {message}", count=count, field_path=fp
        )
    ]
    if kills:
        events.append(
            Event(
                "Pod",
                pod,
                "Killing",
                f"Container {name} failed {kind.lower()} probe, will be restarted",
                type="Normal",
                count=kills,
                field_path=fp,
            )
        )
    return events


def refused_msg(path: str, port: int = 8080) -> str:
    return f'Get "http://10.52.2.19:{port}{path}": dial tcp 10.52.2.19:{port}: connect: connection refused'


TIMEOUT_MSG = 'Get "http://10.52.2.19:8080{path}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)'


def probed(
    scenario: str,
    split: str,
    description: str,
    name: str,
    ns: str,
    kind: str,
    message: str,
    expect: dict[str, Any],
    probe: dict[str, Any],
    *,
    restarts: int = 6,
    ready: bool = False,
    previous: str | None = None,
    log: str = "",
    alert: str = "crashloop",
) -> Spec:
    key = "liveness" if kind == "Liveness" else "readiness"
    timing = {k: v for k, v in probe.items() if k != "path"}
    w, c = app(name, ns, **{key: live_probe(probe["path"], 8080, **timing)})
    pod = w.pod_names()[0]
    c.restarts, c.ready, c.previous, c.log = restarts, ready, previous, log
    if restarts:
        c.last = ("Error", 137, -4.0, -3.2)
        c.started_min = -3.0
    if not ready and restarts and alert == "crashloop":
        c.state, c.reason = "waiting", "CrashLoopBackOff"
        c.message = f"back-off 2m40s restarting failed container={name} pod={pod}"
    events = probe_events(
        pod,
        name,
        kind,
        message,
        count=max(restarts * 3, 12),
        kills=restarts if kind == "Liveness" else 0,
    )
    values = {key: http_probe(probe["path"], **timing)}
    the_alert = crashloop_alert(w, pod, name) if alert == "crashloop" else not_ready_alert(w, pod)
    return spec(scenario, split, description, w, c, the_alert, events, expect, values=values)


def delay_fix(minimum: int, maximum: int = 300) -> dict[str, Any]:
    return {
        "categories": ["probe-failure"],
        "exit_codes": [0],
        "required_changes": [
            {
                "path": "livenessProbe.initialDelaySeconds",
                "direction": "up",
                "min": minimum,
                "max": maximum,
            }
        ],
        "forbidden_changes": [{"path": "resources"}, {"path": "livenessProbe.httpGet"}],
        "max_attempts": 1,
    }


PROBE_NO_FIX = {
    "categories": ["probe-failure"],
    **NO_CHANGE,
    "forbidden_changes": [{"path": "livenessProbe"}, {"path": "readinessProbe"}],
}


def spring(stamp_min: float, msg: str, ms: int = 0) -> str:
    return f"{t(stamp_min).replace('Z', f'.{ms:03d}Z')}  INFO 1 --- [           main] c.a.billing.BillingApplication           : {msg}"


def slow_start_measured() -> Spec:
    previous = "\n".join(
        [
            spring(-4.5, "Starting BillingApplication v5.2.0 using Java 21.0.2 with PID 1"),
            spring(-4.4, "Initializing Spring embedded WebApplicationContext"),
            spring(-3.85, "Commencing graceful shutdown. Waiting for active requests to complete"),
        ]
    )
    log = "\n".join(
        [
            spring(-3.0, "Starting BillingApplication v5.2.0 using Java 21.0.2 with PID 1"),
            spring(-2.2, "Started BillingApplication in 48.2 seconds (process running for 49.1)"),
        ]
    )
    return probed(
        "probe-slow-start-measured-longer-than-budget",
        "dev",
        "billing-api logs `Started BillingApplication in 48.2 seconds`; its liveness probe gives it 10 s + 10 s x 3 = 40 s. The current instance got lucky and is up; earlier ones were killed.",
        "billing-api",
        "billing",
        "Liveness",
        refused_msg("/actuator/health/liveness"),
        delay_fix(20),
        {
            "path": "/actuator/health/liveness",
            "initialDelaySeconds": 10,
            "periodSeconds": 10,
            "failureThreshold": 3,
        },
        ready=True,
        previous=previous,
        log=log,
        alert="not-ready",
    )


def node_app_killed_starting() -> Spec:
    previous = "\n".join(
        [
            '{"level":30,"time":"2025-11-18T09:37:01.204Z","msg":"starting catalog-sync","version":"4.1.0"}',
            '{"level":30,"time":"2025-11-18T09:37:02.911Z","msg":"loading product catalog snapshot","items":418233}',
            '{"level":30,"time":"2025-11-18T09:37:26.400Z","msg":"received SIGTERM, shutting down"}',
        ]
    )
    return probed(
        "probe-slow-start-node-killed-while-loading",
        "test",
        "catalog-sync loads a 400k-item snapshot before it listens; the liveness probe (5 s + 10 s x 2) kills it after ~25 s, mid-load.",
        "catalog-sync",
        "catalog",
        "Liveness",
        refused_msg("/healthz"),
        delay_fix(10),
        {"path": "/healthz", "initialDelaySeconds": 5, "periodSeconds": 10, "failureThreshold": 2},
        restarts=9,
        previous=previous,
        log='{"level":30,"time":"2025-11-18T09:41:01.204Z","msg":"starting catalog-sync","version":"4.1.0"}',
    )


def bound_to_localhost() -> Spec:
    previous = "\n".join(
        [
            "2025/11/18 09:36:11 config: loaded /etc/notes/config.yaml",
            "2025/11/18 09:36:11 Listening on http://127.0.0.1:8080",
            "2025/11/18 09:36:52 signal: terminated, shutting down",
        ]
    )
    return probed(
        "probe-refused-app-bound-to-localhost",
        "test",
        "notes-api listens on 127.0.0.1:8080 only; the kubelet probes the pod IP and is refused from the first second. No slow start anywhere: a delay cannot help.",
        "notes-api",
        "notes",
        "Liveness",
        refused_msg("/healthz"),
        PROBE_NO_FIX,
        {"path": "/healthz", "initialDelaySeconds": 10, "periodSeconds": 10, "failureThreshold": 3},
        restarts=11,
        previous=previous,
    )


def dependency_503() -> Spec:
    previous = "\n".join(
        [
            '{"level":"info","ts":"2025-11-18T09:38:00.102Z","msg":"listening on :8080"}',
            '{"level":"error","ts":"2025-11-18T09:38:05.511Z","msg":"health check failed","check":"db","error":"dial tcp orders-db-postgresql:5432: connect: connection refused"}',
        ]
    )
    return probed(
        "probe-liveness-fails-database-down",
        "dev",
        "The liveness endpoint checks the database; orders-db-postgresql:5432 refuses connections, so the kubelet restarts a healthy process again and again.",
        "order-history",
        "orders",
        "Liveness",
        "HTTP probe failed with statuscode: 503",
        PROBE_NO_FIX,
        {"path": "/healthz", "initialDelaySeconds": 15, "periodSeconds": 10, "failureThreshold": 3},
        restarts=8,
        previous=previous,
    )


def dependency_timeout() -> Spec:
    log = "\n".join(
        [
            "INFO:     Application startup complete.",
            "WARNING:  cart health: redis ping failed: Error connecting to redis-cart:6379. Timeout connecting to server.",
            "ERROR:    failed to connect to redis-cart:6379: i/o timeout",
        ]
    )
    return probed(
        "probe-readiness-timeout-redis-unreachable",
        "test",
        "The readiness handler waits on redis-cart:6379, which times out; a longer probe timeout would just wait longer for the same dead dependency.",
        "cart-api",
        "shop",
        "Readiness",
        TIMEOUT_MSG.format(path="/ready"),
        PROBE_NO_FIX,
        {"path": "/ready", "periodSeconds": 10, "timeoutSeconds": 1, "failureThreshold": 3},
        restarts=0,
        log=log,
        alert="not-ready",
    )


def timeout_never_answers() -> Spec:
    return probed(
        "probe-liveness-timeout-app-never-answers",
        "dev",
        "The process hangs before it serves anything (a deadlock at start): the probe times out, no log line shows it ready. A longer timeout is a guess.",
        "geo-resolver",
        "maps",
        "Liveness",
        TIMEOUT_MSG.format(path="/healthz"),
        PROBE_NO_FIX,
        {
            "path": "/healthz",
            "initialDelaySeconds": 10,
            "periodSeconds": 10,
            "timeoutSeconds": 2,
            "failureThreshold": 3,
        },
        restarts=7,
        previous="",
    )


def readiness_timeout_serving() -> Spec:
    log = "\n".join(
        f'10.52.0.{i} - - [18/Nov/2025:09:4{i % 2}:{10 + i}:02 +0000] "GET /api/recommendations?u={9000 + i} HTTP/1.1" 200 5124 {1400 + 120 * i}ms'
        for i in range(8)
    )
    return probed(
        "probe-readiness-timeout-slow-but-serving",
        "test",
        "The service answers real requests in 1.4-2.2 s under load; the readiness probe's 1 s timeout flips it out of the Service. A longer timeout matches how it answers.",
        "recommender",
        "shop",
        "Readiness",
        TIMEOUT_MSG.format(path="/ready"),
        {
            "categories": ["probe-failure"],
            "exit_codes": [0],
            "required_changes": [
                {"path": "readinessProbe.timeoutSeconds", "direction": "up", "min": 2, "max": 10}
            ],
            "forbidden_changes": [{"path": "resources"}, {"path": "livenessProbe"}],
            "max_attempts": 1,
        },
        {"path": "/ready", "periodSeconds": 10, "timeoutSeconds": 1, "failureThreshold": 3},
        restarts=0,
        log=log,
        alert="not-ready",
    )


def exec_probe_failing() -> Spec:
    probe = {
        "exec": {"command": ["sh", "-c", "test -f /tmp/worker.ready"]},
        "periodSeconds": 10,
        "timeoutSeconds": 1,
        "successThreshold": 1,
        "failureThreshold": 3,
    }
    w, c = app("queue-worker", "jobs", readiness=probe)
    pod = w.pod_names()[0]
    c.ready = False
    c.log = 'level=info msg="consumer started" queue=emails\nlevel=info msg="ready file disabled by READY_FILE=\\"\\""'
    events = [
        Event(
            "Pod",
            pod,
            "Unhealthy",
            "Readiness probe failed: ",
            count=90,
            field_path="spec.containers{queue-worker}",
        ),
    ]
    return spec(
        "probe-readiness-exec-command-fails",
        "test",
        "The readiness command tests for /tmp/worker.ready, a file the worker no longer writes since READY_FILE was emptied. Fix the command or the setting, not the timing.",
        w,
        c,
        not_ready_alert(w, pod),
        events,
        PROBE_NO_FIX,
        values={"readiness": {"exec": {"command": ["sh", "-c", "test -f /tmp/worker.ready"]}}},
    )


# ---- crash loops and pulls, more shapes -----------------------------------------------------------


def init_command_typo() -> Spec:
    init = Container(
        name="migrate",
        image="ghcr.io/acme/ledger-migrations:7.0.3",
        args=["migrate-db", "--to", "latest"],
        requests={"cpu": "100m", "memory": "128Mi"},
    )
    init.state, init.reason, init.message = (
        "waiting",
        "CrashLoopBackOff",
        "back-off 5m0s restarting failed container=migrate",
    )
    init.last, init.restarts, init.ready = ("StartError", 128, -3.0, -3.0), 12, False
    init.exit_code = 128
    w, c = app("ledger-api", "ledger")
    w.init = [init]
    c.state, c.reason, c.ready = "waiting", "PodInitializing", False
    pod = w.pod_names()[0]
    w.pods[0].overrides = {}
    events = [
        Event(
            "Pod",
            pod,
            "Failed",
            'Error: failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "migrate-db": executable file not found in $PATH: unknown',
            count=12,
            field_path="spec.initContainers{migrate}",
        )
    ]
    return spec(
        "crashloop-init-command-not-in-image",
        "test",
        "The migrations image renamed its binary; the init container's command `migrate-db` does not exist (StartError, exit 128).",
        w,
        c,
        crashloop_alert(w, pod, "migrate"),
        events,
        {"categories": ["crashloop"], **NO_CHANGE},
    )


def config_key_missing() -> Spec:
    w, c = app("search-gateway", "search")
    c.state, c.reason, c.ready = "waiting", "CreateContainerConfigError", False
    c.message = "couldn't find key OPENSEARCH_URL in ConfigMap search/search-gateway-env"
    pod = w.pod_names()[0]
    events = [
        Event(
            "Pod",
            pod,
            "Failed",
            f"Error: {c.message}",
            count=22,
            field_path="spec.containers{search-gateway}",
        )
    ]
    return spec(
        "crashloop-configmap-key-missing",
        "dev",
        "The ConfigMap search-gateway-env lost its OPENSEARCH_URL key; the container cannot be created.",
        w,
        c,
        waiting_alert(w, pod, "search-gateway", "CreateContainerConfigError"),
        events,
        {"categories": ["crashloop"], **NO_CHANGE},
    )


def secret_missing() -> Spec:
    w, c = app("payouts", "payments")
    c.state, c.reason, c.ready = "waiting", "CreateContainerConfigError", False
    c.message = 'secret "payouts-bank-credentials" not found'
    pod = w.pod_names()[0]
    events = [
        Event(
            "Pod",
            pod,
            "Failed",
            f"Error: {c.message}",
            count=17,
            field_path="spec.containers{payouts}",
        )
    ]
    return spec(
        "crashloop-secret-not-found",
        "test",
        "The Secret the pod's env refers to was never created in this cluster (it lives in the old one).",
        w,
        c,
        waiting_alert(w, pod, "payouts", "CreateContainerConfigError"),
        events,
        {"categories": ["crashloop"], **NO_CHANGE},
    )


def command_typo() -> Spec:
    w, c = app("pdf-render", "docs", args=["pdf-renderr", "--port", "8080"])
    c.state, c.reason, c.message = (
        "waiting",
        "CrashLoopBackOff",
        "back-off 5m0s restarting failed container=pdf-render",
    )
    c.last, c.restarts, c.ready = ("StartError", 128, -2.0, -2.0), 9, False
    pod = w.pod_names()[0]
    events = [
        Event(
            "Pod",
            pod,
            "Failed",
            'Error: failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "pdf-renderr": executable file not found in $PATH: unknown',
            count=9,
            field_path="spec.containers{pdf-render}",
        )
    ]
    return spec(
        "crashloop-command-typo",
        "dev",
        "A typo in the chart's args: `pdf-renderr`. The runtime cannot exec it.",
        w,
        c,
        crashloop_alert(w, pod, "pdf-render"),
        events,
        {"categories": ["crashloop"], **NO_CHANGE},
    )


def pull_rate_limit() -> Spec:
    from specs_pods import pull_events, pulling

    w, c = app("docs-site", "docs")
    image = "docker.io/library/nginx:1.27.2"
    pulling(c, image)
    pod = w.pod_names()[0]
    reason = (
        'rpc error: code = Unknown desc = failed to pull and unpack image "docker.io/library/nginx:1.27.2": failed to copy: httpReadSeeker: failed open: unexpected status code '
        "https://registry-1.docker.io/v2/library/nginx/manifests/sha256:2d194184b067db3598771b4cf326cfe6ad5051937ba1132b8b7d4b0184e0d0a6: 429 Too Many Requests - Server message: toomanyrequests: "
        "You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit"
    )
    return spec(
        "image-pull-docker-hub-rate-limit",
        "test",
        "Anonymous pulls from Docker Hub hit the rate limit (429). The tag is fine; the fix is a pull secret or a mirror.",
        w,
        c,
        waiting_alert(w, pod, "docs-site", "ImagePullBackOff"),
        pull_events(pod, "docs-site", image, reason),
        {"categories": ["image-pull"], **NO_CHANGE},
    )


SPECS = [
    pvc_class_missing,
    pvc_no_class_no_pv,
    pvc_provisioner_quota,
    sts_class_missing,
    pvc_claim_missing,
    multi_attach,
    configmap_volume,
    secret_volume,
    volume_zone_conflict,
    quota_memory,
    quota_cpu,
    quota_pods,
    quota_must_specify,
    limitrange_max_memory,
    limitrange_min_cpu,
    limitrange_two_bounds,
    quota_statefulset,
    evicted_over_request,
    evicted_over_request_jvm,
    evicted_within_request,
    evicted_disk,
    rejected_disk_pressure,
    node_not_ready,
    node_memory_pressure,
    node_pid_pressure,
    full_memory,
    full_cpu,
    taint_not_tolerated,
    all_cordoned,
    slow_start_measured,
    node_app_killed_starting,
    bound_to_localhost,
    dependency_503,
    dependency_timeout,
    timeout_never_answers,
    readiness_timeout_serving,
    exec_probe_failing,
    init_command_typo,
    config_key_missing,
    secret_missing,
    command_typo,
    pull_rate_limit,
]

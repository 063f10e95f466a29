"""What DR-Kube knows about a workload when it diagnoses: plain models, built by `collect`."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class ContainerEvidence(BaseModel):
    name: str
    image: str = ""
    init: bool = False
    ready: bool = False
    restart_count: int = 0
    state: str = "unknown"  # running | waiting | terminated | unknown
    waiting_reason: str | None = None
    waiting_message: str | None = None
    terminated_reason: str | None = None
    last_termination_reason: str | None = None
    last_exit_code: int | None = None
    last_termination_message: str | None = None  # e.g. `exec: "curlx": executable file not found`
    last_finished_at: datetime | None = None
    command: list[str] = Field(default_factory=list)  # command + args, redacted
    container_ports: dict[str, int] = Field(default_factory=dict)  # name (or port) -> port
    requests: dict[str, str] = Field(default_factory=dict)
    limits: dict[str, str] = Field(default_factory=dict)
    liveness_probe: dict[str, Any] | None = None
    readiness_probe: dict[str, Any] | None = None
    startup_probe: dict[str, Any] | None = None
    env_names: list[str] = Field(default_factory=list)
    host_ports: list[int] = Field(default_factory=list)

    def probe(self, kind: str) -> dict[str, Any] | None:
        """`liveness`, `readiness` or `startup`."""
        value: dict[str, Any] | None = getattr(self, f"{kind}_probe", None)
        return value

    def probe_port(self, kind: str) -> int | None:
        """The port a probe targets, a named port resolved against the container's ports."""
        probe = self.probe(kind) or {}
        handler = probe.get("httpGet") or probe.get("tcpSocket") or probe.get("grpc") or {}
        port = handler.get("port") if isinstance(handler, dict) else None
        if isinstance(port, int):
            return port
        if isinstance(port, str):
            return int(port) if port.isdigit() else self.container_ports.get(port)
        return None

    def probe_target(self, kind: str) -> str | None:
        """A probe in a human's words: `httpGet /healthz on port 8081`."""
        probe = self.probe(kind) or {}
        for handler in ("httpGet", "tcpSocket", "grpc"):
            if isinstance(probe.get(handler), dict):
                path = probe[handler].get("path", "")
                port = self.probe_port(kind)
                return f"{handler} {path} on port {port}".replace("  ", " ")
        if isinstance(probe.get("exec"), dict):
            return "exec " + " ".join(str(a) for a in probe["exec"].get("command") or [])
        return None

    @property
    def ports(self) -> list[int]:
        return sorted(set(self.container_ports.values()))

    @property
    def troubled(self) -> bool:
        return bool(
            self.restart_count
            or self.waiting_reason
            or self.last_termination_reason
            or self.terminated_reason
        )


class PodCondition(BaseModel):
    type: str
    status: str
    reason: str | None = None
    message: str | None = None


class PodEvidence(BaseModel):
    name: str
    phase: str = "Unknown"
    node: str | None = None
    start_time: datetime | None = None
    conditions: list[PodCondition] = Field(default_factory=list)
    containers: list[ContainerEvidence] = Field(default_factory=list)
    init_containers: list[ContainerEvidence] = Field(default_factory=list)
    node_selector: dict[str, str] = Field(default_factory=dict)
    tolerations: list[dict[str, Any]] = Field(default_factory=list)
    # `kubernetes.io/limit-ranger`: which resources a LimitRange defaulted at admission.
    limit_ranger: str | None = None
    reason: str | None = None  # status.reason: `Evicted`, `NodeLost`, ...
    message: str | None = None  # status.message: "The node was low on resource: memory. ..."
    owner: str | None = None  # `Kind/name` of its workload (the pods a node incident lists)
    claims: list[str] = Field(default_factory=list)  # PersistentVolumeClaims its volumes name

    @property
    def evicted(self) -> bool:
        return self.reason == "Evicted"

    def container(self, name: str) -> ContainerEvidence | None:
        for container in [*self.containers, *self.init_containers]:
            if container.name == name:
                return container
        return None

    def condition(self, kind: str) -> PodCondition | None:
        return next((c for c in self.conditions if c.type == kind), None)


class EventEvidence(BaseModel):
    type: str = "Normal"
    reason: str = ""
    message: str = ""
    count: int = 1
    object: str = ""  # Kind/name
    field_path: str | None = None
    last_seen: datetime | None = None

    def line(self) -> str:
        times = f" (x{self.count})" if self.count > 1 else ""
        return f"{self.object} {self.type} {self.reason}: {self.message}{times}"


class LogEvidence(BaseModel):
    pod: str
    container: str
    current: str | None = None
    previous: str | None = None


class NodeTaint(BaseModel):
    key: str
    value: str | None = None
    effect: str = "NoSchedule"

    def tolerated(self, toleration: dict[str, Any]) -> bool:
        """Kubernetes' toleration matching: empty key with Exists tolerates everything."""
        effect = toleration.get("effect")
        if effect and effect != self.effect:
            return False
        key = toleration.get("key")
        if toleration.get("operator") == "Exists":
            return not key or key == self.key
        return key == self.key and (toleration.get("value") or None) == (self.value or None)

    def line(self) -> str:
        value = f"={self.value}" if self.value else ""
        return f"{self.key}{value}:{self.effect}"


def _version_order(version: str) -> tuple[int, ...]:
    """`v1.29.4+k3s1` → (1, 29, 4)."""
    core = re.split(r"[-+]", version.strip().removeprefix("v"), maxsplit=1)[0]
    return tuple(int(p) if p.isdigit() else 0 for p in core.split("."))


PRESSURES = ("MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable")


class NodeEvidence(BaseModel):
    name: str
    allocatable_cpu: str | None = None
    allocatable_memory: str | None = None
    ready: bool = True
    kubelet_version: str | None = None  # status.nodeInfo.kubeletVersion, e.g. v1.29.4
    unschedulable: bool = False  # cordoned
    labels: dict[str, str] = Field(default_factory=dict)
    taints: list[NodeTaint] = Field(default_factory=list)
    conditions: list[PodCondition] = Field(default_factory=list)  # Ready, MemoryPressure, ...
    # What the pods bound to the node request (set only when a scheduling failure needs it)
    requested_cpu: str | None = None
    requested_memory: str | None = None

    @property
    def problems(self) -> list[PodCondition]:
        """Pressure conditions that hold, and Ready when it does not."""
        return [
            c
            for c in self.conditions
            if (c.type in PRESSURES and c.status == "True")
            or (c.type == "Ready" and c.status != "True")
        ]

    def problem_names(self) -> list[str]:
        return ["NotReady" if c.type == "Ready" else c.type for c in self.problems]

    def untolerated_taints(self, tolerations: list[dict[str, Any]]) -> list[NodeTaint]:
        """The node's scheduling taints that none of `tolerations` tolerates."""
        return [
            taint
            for taint in self.taints
            if taint.effect in ("NoSchedule", "NoExecute")
            and not any(taint.tolerated(t) for t in tolerations)
        ]


class ClaimEvidence(BaseModel):
    """A PersistentVolumeClaim a pod mounts, and whether its StorageClass exists."""

    name: str
    phase: str = "Unknown"  # Pending | Bound | Lost
    storage_class: str | None = None
    storage_class_found: bool | None = None  # None: the source could not list StorageClasses
    requested: str | None = None
    access_modes: list[str] = Field(default_factory=list)
    volume: str | None = None


class QuotaEvidence(BaseModel):
    """A namespace ResourceQuota: what it allows and what is used."""

    name: str
    hard: dict[str, str] = Field(default_factory=dict)
    used: dict[str, str] = Field(default_factory=dict)

    def line(self) -> str:
        parts = [f"{k} {self.used.get(k, '?')}/{v}" for k, v in sorted(self.hard.items())]
        return f"ResourceQuota/{self.name}: " + (", ".join(parts) or "no limits")


class LimitRangeEvidence(BaseModel):
    """One `Container` (or `Pod`) item of a LimitRange."""

    name: str
    type: str = "Container"
    max: dict[str, str] = Field(default_factory=dict)
    min: dict[str, str] = Field(default_factory=dict)
    default: dict[str, str] = Field(default_factory=dict)

    def line(self) -> str:
        parts = [
            f"{label} " + ", ".join(f"{k}={v}" for k, v in sorted(values.items()))
            for label, values in (("max", self.max), ("min", self.min), ("default", self.default))
            if values
        ]
        return f"LimitRange/{self.name} ({self.type}): " + ("; ".join(parts) or "no bounds")


class WorkloadEvidence(BaseModel):
    kind: str
    name: str
    namespace: str
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    desired_replicas: int | None = None
    ready_replicas: int = 0
    available_replicas: int = 0
    unavailable_replicas: int = 0
    conditions: list[PodCondition] = Field(default_factory=list)
    owner_chain: list[str] = Field(default_factory=list)
    containers: list[ContainerEvidence] = Field(default_factory=list)
    has_hpa: bool = False


class MetricSample(BaseModel):
    name: str
    value: float
    unit: str = ""
    query: str = ""


class Evidence(BaseModel):
    source: str
    workload: WorkloadEvidence
    pods: list[PodEvidence] = Field(default_factory=list)
    focus_pod: str | None = None
    focus_container: str | None = None
    events: list[EventEvidence] = Field(default_factory=list)
    logs: list[LogEvidence] = Field(default_factory=list)
    nodes: list[NodeEvidence] = Field(default_factory=list)
    api_versions: list[str] = Field(default_factory=list)  # what the cluster serves (discovery)
    claims: list[ClaimEvidence] = Field(default_factory=list)
    quotas: list[QuotaEvidence] = Field(default_factory=list)
    limit_ranges: list[LimitRangeEvidence] = Field(default_factory=list)
    metrics: list[MetricSample] = Field(default_factory=list)
    alert_logs: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    def kube_version(self) -> str | None:
        """The cluster's Kubernetes version as its newest kubelet reports it (kubelets never run
        ahead of the API server), what Helm's `.Capabilities.KubeVersion` should say."""
        versions = [n.kubelet_version for n in self.nodes if n.kubelet_version]
        return max(versions, key=_version_order) if versions else None

    def pod(self, name: str | None = None) -> PodEvidence | None:
        wanted = name or self.focus_pod
        for pod in self.pods:
            if pod.name == wanted:
                return pod
        return self.pods[0] if self.pods and name is None else None

    def container(self) -> ContainerEvidence | None:
        """The container the incident is about, in the focus pod (or the workload spec)."""
        pod = self.pod()
        if pod is not None and self.focus_container:
            found = pod.container(self.focus_container)
            if found is not None:
                return found
        for spec in self.workload.containers:
            if spec.name == self.focus_container:
                return spec
        return None

    def log(self, container: str | None = None, pod: str | None = None) -> LogEvidence | None:
        container = container or self.focus_container
        pod = pod or self.focus_pod
        return next((lg for lg in self.logs if lg.pod == pod and lg.container == container), None)

    def node(self, name: str | None) -> NodeEvidence | None:
        return next((n for n in self.nodes if n.name == name), None) if name else None

    def metric(self, name: str) -> MetricSample | None:
        return next((m for m in self.metrics if m.name == name), None)

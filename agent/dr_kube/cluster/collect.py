"""Gather evidence for an incident from a cluster source: owner chain, pods, events, logs, nodes."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from dr_kube.cluster.claims import claim_names
from dr_kube.cluster.enrich import enrich
from dr_kube.cluster.evidence import (
    ContainerEvidence,
    EventEvidence,
    Evidence,
    LogEvidence,
    NodeEvidence,
    NodeTaint,
    PodCondition,
    PodEvidence,
    WorkloadEvidence,
)
from dr_kube.cluster.source import ClusterSource, K8sObject, controller_of, meta
from dr_kube.errors import InputError, NotFoundError
from dr_kube.incidents.model import Incident
from dr_kube.redact import looks_secret_name, redact, redact_data
from dr_kube.secret_values import env_value_is_secret

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "CronJob", "Job")
MAX_LOG_PODS = 3
MAX_LOG_CHARS = 200_000
MAX_ITEM_CHARS = 300  # one evidence item (a message, a command): short enough to read
# `<deploy>-<rs hash>-<pod hash>` or `<sts>-<ordinal>`
LIMIT_RANGER_ANNOTATION = "kubernetes.io/limit-ranger"
POD_SUFFIX = re.compile(r"^(?P<base>.+?)-(?:[a-z0-9]{8,10}-[a-z0-9]{5}|[a-z0-9]{5}|\d+)$")


def owner_chain(
    source: ClusterSource, namespace: str, obj: K8sObject, kind: str
) -> list[tuple[str, str, K8sObject]]:
    """Follow controller owner references up from `obj`: [(kind, name, obj), ...], obj first."""
    chain = [(kind, meta(obj).get("name", ""), obj)]
    seen = {(kind, chain[0][1])}
    current = obj
    while (owner := controller_of(current)) is not None and owner not in seen:
        seen.add(owner)
        found = source.get(owner[0], namespace, owner[1])
        if found is None:
            chain.append((owner[0], owner[1], {}))
            break
        chain.append((owner[0], owner[1], found))
        current = found
    return chain


def resolve_workload(
    source: ClusterSource, incident: Incident
) -> tuple[K8sObject, list[str], K8sObject | None]:
    """Find the workload object an incident is about; returns (workload, chain, alert pod)."""
    namespace = incident.namespace
    looked_for: list[str] = []
    pod_obj: K8sObject | None = None
    if incident.pod:
        pod_obj = source.get("Pod", namespace, incident.pod)
        looked_for.append(f"Pod {namespace}/{incident.pod}")
    if pod_obj is not None:
        chain = owner_chain(source, namespace, pod_obj, "Pod")
        for kind, _name, obj in reversed(chain):
            if kind in WORKLOAD_KINDS and obj:
                return obj, [f"{k}/{n}" for k, n, _ in chain], pod_obj
    candidates: list[tuple[str, str]] = []
    if incident.workload is not None:
        kind, name = incident.workload.kind, incident.workload.name
        if kind == "ReplicaSet":
            rs = source.get("ReplicaSet", namespace, name)
            owner = controller_of(rs) if rs else None
            if owner:
                candidates.append(owner)
        candidates.append((kind, name))
        candidates += [(k, name) for k in WORKLOAD_KINDS if k != kind]
    elif incident.pod:
        match = POD_SUFFIX.match(incident.pod)
        if match:
            candidates += [(k, match.group("base")) for k in WORKLOAD_KINDS]
    for kind, name in candidates:
        found = source.get(kind, namespace, name)
        looked_for.append(f"{kind} {namespace}/{name}")
        if found is not None:
            return found, [f"{kind}/{name}"], pod_obj
    wanted = ", ".join(dict.fromkeys(looked_for)) or f"a workload in namespace {namespace}"
    raise NotFoundError(f"workload not found in {source.description}: looked for {wanted}")


# The controller between a workload and its pods: a Deployment's ReplicaSets, a CronJob's Jobs.
MIDDLE_KIND = {"Deployment": "ReplicaSet", "CronJob": "Job"}


def middles_of(
    source: ClusterSource, namespace: str, kind: str, name: str
) -> list[tuple[str, str]]:
    """(kind, name) of the objects a workload controls between it and its pods."""
    middle = MIDDLE_KIND.get(kind)
    if middle is None:
        return []
    return [
        (middle, meta(o).get("name", ""))
        for o in source.owned_by(middle, namespace, [(kind, name)])
    ]


def pods_of(
    source: ClusterSource, namespace: str, kind: str, name: str, middles: list[tuple[str, str]]
) -> list[K8sObject]:
    """The workload's pods: controlled by it, or by one of its ReplicaSets or Jobs."""
    return source.owned_by("Pod", namespace, [(kind, name), *middles])


def parse_time(value: Any) -> datetime | None:
    if not value or not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def short(text: str, secrets: list[str] | tuple[str, ...] = ()) -> str:
    """One evidence item: redacted, one line, at most MAX_ITEM_CHARS."""
    flat = " ".join(redact(text, secrets).split())
    return flat if len(flat) <= MAX_ITEM_CHARS else flat[: MAX_ITEM_CHARS - 1] + "…"


def container_ports(spec: dict[str, Any]) -> dict[str, int]:
    ports: dict[str, int] = {}
    for port in spec.get("ports") or []:
        number = port.get("containerPort")
        if isinstance(number, int):
            ports[str(port.get("name") or number)] = number
    return ports


def container_spec(
    spec: dict[str, Any], init: bool = False, secrets: list[str] | tuple[str, ...] = ()
) -> ContainerEvidence:
    resources = spec.get("resources") or {}
    command = [str(a) for a in [*(spec.get("command") or []), *(spec.get("args") or [])]]
    return ContainerEvidence(
        name=spec.get("name", ""),
        image=spec.get("image", ""),
        init=init,
        requests={k: str(v) for k, v in (resources.get("requests") or {}).items()},
        limits={k: str(v) for k, v in (resources.get("limits") or {}).items()},
        liveness_probe=spec.get("livenessProbe"),
        readiness_probe=spec.get("readinessProbe"),
        startup_probe=spec.get("startupProbe"),
        env_names=[e.get("name", "") for e in spec.get("env") or []],
        host_ports=[
            int(port["hostPort"]) for port in spec.get("ports") or [] if port.get("hostPort")
        ],
        command=[short(a, secrets) for a in command[:12]],
        container_ports=container_ports(spec),
    )


def apply_status(
    container: ContainerEvidence, status: dict[str, Any], secrets: list[str] | tuple[str, ...] = ()
) -> ContainerEvidence:
    state = status.get("state") or {}
    last = (status.get("lastState") or {}).get("terminated") or {}
    updates: dict[str, Any] = {
        "ready": bool(status.get("ready")),
        "restart_count": int(status.get("restartCount") or 0),
        "image": status.get("image") or container.image,
    }
    if "running" in state:
        updates["state"] = "running"
    elif "waiting" in state:
        updates.update(
            state="waiting",
            waiting_reason=state["waiting"].get("reason"),
            waiting_message=short(state["waiting"]["message"], secrets)
            if state["waiting"].get("message")
            else None,
        )
    elif "terminated" in state:
        updates.update(state="terminated", terminated_reason=state["terminated"].get("reason"))
        if not last:
            last = state["terminated"]
    if last:
        updates.update(
            last_termination_reason=last.get("reason"),
            last_exit_code=last.get("exitCode"),
            last_termination_message=short(last["message"], secrets)
            if last.get("message")
            else None,
            last_finished_at=parse_time(last.get("finishedAt")),
        )
    return container.model_copy(update=updates)


def conditions_of(status: dict[str, Any]) -> list[PodCondition]:
    return [
        PodCondition(
            type=c.get("type", ""),
            status=c.get("status", ""),
            reason=c.get("reason"),
            message=c.get("message"),
        )
        for c in status.get("conditions") or []
    ]


def pod_evidence(pod: K8sObject, secrets: list[str] | tuple[str, ...] = ()) -> PodEvidence:
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    statuses = {s.get("name"): s for s in status.get("containerStatuses") or []}
    init_statuses = {s.get("name"): s for s in status.get("initContainerStatuses") or []}
    containers = [
        apply_status(container_spec(c, secrets=secrets), statuses.get(c.get("name"), {}), secrets)
        for c in spec.get("containers") or []
    ]
    init_containers = [
        apply_status(
            container_spec(c, init=True, secrets=secrets),
            init_statuses.get(c.get("name"), {}),
            secrets,
        )
        for c in spec.get("initContainers") or []
    ]
    return PodEvidence(
        name=meta(pod).get("name", ""),
        phase=status.get("phase", "Unknown"),
        node=spec.get("nodeName"),
        start_time=parse_time(status.get("startTime")),
        conditions=conditions_of(status),
        containers=containers,
        init_containers=init_containers,
        node_selector={str(k): str(v) for k, v in (spec.get("nodeSelector") or {}).items()},
        tolerations=[t for t in spec.get("tolerations") or [] if isinstance(t, dict)],
        limit_ranger=(meta(pod).get("annotations") or {}).get(LIMIT_RANGER_ANNOTATION),
        reason=status.get("reason"),
        message=short(status["message"], secrets) if status.get("message") else None,
        claims=claim_names(pod),
    )


def workload_evidence(
    obj: K8sObject, kind: str, chain: list[str], secrets: list[str] | tuple[str, ...] = ()
) -> WorkloadEvidence:
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    template = (spec.get("template") or {}).get("spec") or {}
    if kind == "DaemonSet":
        desired = status.get("desiredNumberScheduled")
        ready = status.get("numberReady", 0)
        available = status.get("numberAvailable", 0)
        unavailable = status.get("numberUnavailable", 0)
    else:
        desired = spec.get("replicas", 1)
        ready = status.get("readyReplicas", 0)
        available = status.get("availableReplicas", 0)
        unavailable = status.get("unavailableReplicas", max(0, (desired or 0) - available))
    metadata = meta(obj)
    return WorkloadEvidence(
        kind=kind,
        name=metadata.get("name", ""),
        namespace=metadata.get("namespace", ""),
        labels=redact_data(metadata.get("labels") or {}, secrets),
        annotations=redact_data(metadata.get("annotations") or {}, secrets),
        desired_replicas=desired,
        ready_replicas=ready or 0,
        available_replicas=available or 0,
        unavailable_replicas=unavailable or 0,
        conditions=conditions_of(status),
        owner_chain=chain,
        containers=[container_spec(c, secrets=secrets) for c in template.get("containers") or []]
        + [
            container_spec(c, init=True, secrets=secrets)
            for c in template.get("initContainers") or []
        ],
    )


def secret_env_values(pods: list[K8sObject]) -> list[str]:
    """Literal env values that are secret by their name, or by their value unless it is clearly
    not one (a number, a boolean, a host, ...: `dr_kube.secret_values`): masked wherever they
    appear in logs, commands and messages."""
    values: list[str] = []
    for pod in pods:
        spec = pod.get("spec") or {}
        spec = (spec.get("template") or {}).get("spec") or spec  # a workload: its pod template
        for container in [*(spec.get("containers") or []), *(spec.get("initContainers") or [])]:
            for env in container.get("env") or []:
                value = env.get("value")
                if isinstance(value, str) and (
                    looks_secret_name(env.get("name", "")) or env_value_is_secret(value)
                ):
                    values.append(value)
    return values


def pick_focus_container(
    pod: PodEvidence | None, wanted: str | None, workload: WorkloadEvidence
) -> str | None:
    if wanted:
        return wanted
    containers = pod.containers + pod.init_containers if pod else workload.containers
    troubled = [c for c in containers if c.troubled]
    if troubled:
        return max(troubled, key=lambda c: (c.waiting_reason is not None, c.restart_count)).name
    return containers[0].name if containers else None


def collect_evidence(source: ClusterSource, incident: Incident) -> Evidence:
    """Everything the analyzers need about the incident's workload, secrets masked."""
    obj, chain, alert_pod = resolve_workload(source, incident)
    kind = obj.get("kind") or chain[-1].split("/")[0]
    name = meta(obj).get("name", "")
    namespace = incident.namespace
    middles = middles_of(source, namespace, kind, name)
    pod_objs = pods_of(source, namespace, kind, name, middles)
    if alert_pod is not None and all(
        meta(p).get("name") != meta(alert_pod).get("name") for p in pod_objs
    ):
        pod_objs.insert(0, alert_pod)
    secrets = secret_env_values([obj, *pod_objs])
    workload = workload_evidence(obj, kind, chain, secrets)
    pods = [pod_evidence(p, secrets) for p in pod_objs]
    notes: list[str] = []
    focus_pod = incident.pod if any(p.name == incident.pod for p in pods) else None
    if incident.pod and focus_pod is None:
        notes.append(
            f"pod {incident.pod} named by the alert is gone; looked at its workload's pods"
        )
    if focus_pod is None and pods:
        troubled = [p for p in pods if any(c.troubled for c in p.containers + p.init_containers)]
        unscheduled = [p for p in pods if p.phase == "Pending"]
        focus_pod = (troubled or unscheduled or pods)[0].name
    focus = next((p for p in pods if p.name == focus_pod), None)
    focus_container = pick_focus_container(focus, incident.container, workload)

    involved = {("Pod", p.name) for p in pods} | {(kind, name)}
    involved |= {tuple(link.split("/", 1)) for link in chain}  # type: ignore[misc]
    involved |= set(middles)
    involved |= {("PersistentVolumeClaim", n) for p in pod_objs for n in claim_names(p)}
    events = []
    for event in source.events_about(namespace, involved):
        ref = event.get("involvedObject") or {}
        if (ref.get("kind"), ref.get("name")) in involved:
            events.append(
                EventEvidence(
                    type=event.get("type") or "Normal",
                    reason=event.get("reason") or "",
                    message=redact(event.get("message") or "", secrets),
                    count=event_count(event),
                    object=f"{ref.get('kind')}/{ref.get('name')}",
                    field_path=ref.get("fieldPath"),
                    last_seen=parse_time(
                        event.get("lastTimestamp")
                        or (event.get("series") or {}).get("lastObservedTime")
                        or event.get("eventTime")
                    ),
                )
            )
    events.sort(
        key=lambda e: (e.last_seen is None, e.last_seen or datetime.min.replace(tzinfo=None)),
        reverse=False,
    )

    logs: list[LogEvidence] = []
    log_pods = [p for p in pods if p.name == focus_pod] + [p for p in pods if p.name != focus_pod]
    for pod in log_pods[:MAX_LOG_PODS]:
        for container in pod.containers + pod.init_containers:
            current = source.logs(namespace, pod.name, container.name)
            previous = source.logs(namespace, pod.name, container.name, previous=True)
            if current or previous:
                logs.append(
                    LogEvidence(
                        pod=pod.name,
                        container=container.name,
                        current=redact(current[-MAX_LOG_CHARS:], secrets) if current else None,
                        previous=redact(previous[-MAX_LOG_CHARS:], secrets) if previous else None,
                    )
                )
    nodes = [node_evidence(n) for n in source.nodes()]
    evidence = Evidence(
        api_versions=served_api_versions(source, notes),
        source=source.description,
        workload=workload,
        pods=pods,
        focus_pod=focus_pod,
        focus_container=focus_container,
        events=events,
        logs=logs,
        nodes=nodes,
        alert_logs=[redact(line, secrets) for line in incident.logs],
        notes=notes,
    )
    return enrich(source, evidence, pod_objs)


def served_api_versions(source: ClusterSource, notes: list[str]) -> list[str]:
    """What the cluster serves, for Helm's .Capabilities.APIVersions; a failed discovery is a note."""
    try:
        return source.api_versions()
    except InputError as exc:
        notes.append(f"API discovery failed: {exc}")
        return []


def event_count(event: K8sObject) -> int:
    """Occurrences of an event: core/v1 `count`, or `series.count` from the events.k8s.io API."""
    series = event.get("series") or {}
    return int(event.get("count") or series.get("count") or 1)


def node_evidence(node: K8sObject) -> NodeEvidence:
    status = node.get("status") or {}
    allocatable = status.get("allocatable") or {}
    ready = any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in status.get("conditions") or []
    )
    return NodeEvidence(
        name=meta(node).get("name", ""),
        allocatable_cpu=allocatable.get("cpu"),
        allocatable_memory=allocatable.get("memory"),
        ready=ready,
        kubelet_version=(status.get("nodeInfo") or {}).get("kubeletVersion"),
        unschedulable=bool((node.get("spec") or {}).get("unschedulable")),
        labels={str(k): str(v) for k, v in (meta(node).get("labels") or {}).items()},
        taints=[
            NodeTaint(key=t.get("key", ""), value=t.get("value"), effect=t.get("effect", ""))
            for t in (node.get("spec") or {}).get("taints") or []
            if isinstance(t, dict)
        ],
        conditions=[
            c.model_copy(update={"message": short(c.message) if c.message else None})
            for c in conditions_of(status)
        ],
    )


def evidence_from_alert(incident: Incident) -> Evidence:
    """Evidence when no cluster source is configured: only what the alert itself says."""
    if incident.workload is None:
        raise NotFoundError(
            f"no cluster source given and the alert names no workload (pod {incident.pod}); "
            "pass --cluster DIR or --kubeconfig"
        )
    workload = WorkloadEvidence(
        kind=incident.workload.kind, name=incident.workload.name, namespace=incident.namespace
    )
    return Evidence(
        source="alert only",
        workload=workload,
        focus_pod=incident.pod,
        focus_container=incident.container,
        alert_logs=[redact(line) for line in incident.logs],
        notes=["no cluster source: diagnosed from the alert alone"],
    )

"""Each analyzer on realistic evidence: the class, the quoted evidence, the fix or the human action."""

from __future__ import annotations

from typing import Any

from dr_kube.alerts import parse_incidents
from dr_kube.cluster.collect import collect_evidence
from dr_kube.cluster.dump import DumpSource
from dr_kube.cluster.evidence import (
    ContainerEvidence,
    EventEvidence,
    Evidence,
    LogEvidence,
    MetricSample,
    NodeEvidence,
    PodEvidence,
    WorkloadEvidence,
)
from dr_kube.diagnose.analyzers import ANALYZERS, run_analyzers
from dr_kube.diagnose.context import AnalysisContext
from tests.support.paths import DATA

POD = "web-6d8f7c9b5-abcde"


def context(
    *,
    alertname: str = "Test",
    container: dict[str, Any] | None = None,
    events: list[EventEvidence] | None = None,
    previous: str | None = None,
    current: str | None = None,
    metrics: list[MetricSample] | None = None,
    phase: str = "Running",
    node: str | None = "node-1",
    workload: dict[str, Any] | None = None,
    nodes: list[NodeEvidence] | None = None,
    history: list[tuple[str, str]] | None = None,
    description: str = "",
) -> AnalysisContext:
    fields: dict[str, Any] = {
        "name": "app",
        "image": "ghcr.io/acme/web:1.4.2",
        "limits": {"memory": "256Mi", "cpu": "500m"},
        "requests": {"memory": "128Mi", "cpu": "250m"},
        **(container or {}),
    }
    spec = ContainerEvidence(**fields)
    labels = {"alertname": alertname, "namespace": "shop", "pod": POD, "container": "app"}
    incident = parse_incidents({"labels": labels, "annotations": {"description": description}})[0]
    evidence = Evidence(
        source="test",
        workload=WorkloadEvidence(
            kind="Deployment", name="web", namespace="shop", containers=[spec], **(workload or {})
        ),
        pods=[PodEvidence(name=POD, phase=phase, node=node, containers=[spec])],
        focus_pod=POD,
        focus_container="app",
        events=events or [],
        logs=[LogEvidence(pod=POD, container="app", current=current, previous=previous)]
        if (current or previous)
        else [],
        metrics=metrics or [],
        nodes=nodes
        or [NodeEvidence(name="node-1", allocatable_cpu="4", allocatable_memory="16Gi")],
    )
    return AnalysisContext(incident=incident, evidence=evidence, values_history=history or [])


def event(
    reason: str,
    message: str,
    type_: str = "Warning",
    count: int = 1,
    obj: str = f"Pod/{POD}",
    field_path: str | None = "spec.containers{app}",
) -> EventEvidence:
    return EventEvidence(
        type=type_, reason=reason, message=message, count=count, object=obj, field_path=field_path
    )


def test_oom_killed_container_gets_a_memory_limit_raise() -> None:
    finding = ANALYZERS["oom"](
        context(
            container={
                "last_termination_reason": "OOMKilled",
                "last_exit_code": 137,
                "restart_count": 4,
                "waiting_reason": "CrashLoopBackOff",
            }
        )
    )
    assert finding is not None and finding.category == "oom"
    assert finding.fix is not None and finding.fix.kind == "raise-memory-limit"
    assert any("OOMKilled (exit code 137), 4 restarts" in line for line in finding.evidence)
    assert any("limits.memory 256Mi" in line for line in finding.evidence)


def test_oom_uses_the_observed_peak() -> None:
    peak = MetricSample(name="memory_working_set_peak_bytes", value=600 * 2**20, unit="bytes")
    finding = ANALYZERS["oom"](
        context(container={"last_termination_reason": "OOMKilled"}, metrics=[peak])
    )
    assert finding is not None and finding.fix is not None
    assert finding.fix.at_least == str(int(600 * 2**20 * 1.25))


def test_jvm_heap_exhaustion_is_not_a_container_limit_problem() -> None:
    log = 'Exception in thread "main" java.lang.OutOfMemoryError: Java heap space\n\tat java.util.Arrays.copyOf(Arrays.java:3512)\n'
    finding = ANALYZERS["oom"](
        context(
            alertname="ContainerOOMKilled",
            previous=log,
            container={"last_termination_reason": "Error", "last_exit_code": 1, "restart_count": 2},
        )
    )
    assert finding is not None and finding.fix is None
    assert finding.human_action and "-Xmx" in finding.human_action


def test_memory_pressure_from_prometheus() -> None:
    peak = MetricSample(name="memory_working_set_peak_bytes", value=0.93 * 256 * 2**20)
    finding = ANALYZERS["memory-pressure"](context(metrics=[peak]))
    assert finding is not None and finding.fix is not None and finding.fix.factor == 1.5
    assert any("93% of the limit" in line for line in finding.evidence)
    assert (
        ANALYZERS["memory-pressure"](
            context(
                metrics=[
                    MetricSample(name="memory_working_set_peak_bytes", value=0.4 * 256 * 2**20)
                ]
            )
        )
        is None
    )


def test_cpu_throttling_raises_the_cpu_limit() -> None:
    ratio = MetricSample(name="cpu_throttled_ratio", value=0.62)
    finding = ANALYZERS["cpu-throttling"](context(metrics=[ratio]))
    assert finding is not None and finding.fix is not None and finding.fix.kind == "raise-cpu-limit"
    assert "62%" in finding.root_cause


def test_cpu_throttling_without_a_limit_is_not_a_values_fix() -> None:
    finding = ANALYZERS["cpu-throttling"](
        context(alertname="CPUThrottling", container={"limits": {"memory": "256Mi"}})
    )
    assert finding is not None and finding.fix is None


def test_image_pull_denied_is_for_a_human() -> None:
    ctx = context(
        container={
            "waiting_reason": "ImagePullBackOff",
            "waiting_message": 'Back-off pulling image "ghcr.io/acme/web:1.4.2"',
        },
        events=[
            event(
                "Failed",
                'Failed to pull image "ghcr.io/acme/web:1.4.2": failed to authorize: 401 Unauthorized',
            )
        ],
    )
    finding = ANALYZERS["image-pull"](ctx)
    assert (
        finding is not None
        and finding.fix is None
        and "imagePullSecrets" in (finding.human_action or "")
    )


def test_image_tag_typo_returns_to_the_last_good_tag() -> None:
    events = [
        event(
            "Failed",
            'Failed to pull image "ghcr.io/acme/web:1.4.22": rpc error: code = NotFound desc = failed to pull and unpack image "ghcr.io/acme/web:1.4.22": not found',
        )
    ]
    ctx = context(
        container={"image": "ghcr.io/acme/web:1.4.22", "waiting_reason": "ErrImagePull"},
        events=events,
        history=[("abc123", "1.4.2")],
    )
    finding = ANALYZERS["image-pull"](ctx)
    assert finding is not None and finding.fix is not None
    assert finding.fix.kind == "set-image-tag" and finding.fix.value == "1.4.2"
    no_history = context(
        container={"image": "ghcr.io/acme/web:1.4.22", "waiting_reason": "ErrImagePull"},
        events=events,
    )
    finding = ANALYZERS["image-pull"](no_history)
    assert finding is not None and finding.fix is None


def test_crash_loop_on_missing_configuration_names_the_variable() -> None:
    log = "Traceback (most recent call last):\n  File \"/app/main.py\", line 8, in <module>\n    DSN = os.environ['DATABASE_URL']\nKeyError: 'DATABASE_URL'\n"
    finding = ANALYZERS["crashloop"](
        context(
            previous=log,
            container={
                "waiting_reason": "CrashLoopBackOff",
                "restart_count": 6,
                "last_termination_reason": "Error",
                "last_exit_code": 1,
            },
        )
    )
    assert finding is not None and finding.fix is None
    assert "DATABASE_URL" in finding.root_cause


def test_crash_loop_with_an_application_error() -> None:
    log = "panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation]\n"
    finding = ANALYZERS["crashloop"](
        context(
            previous=log,
            container={
                "waiting_reason": "CrashLoopBackOff",
                "restart_count": 3,
                "last_termination_reason": "Error",
                "last_exit_code": 2,
            },
        )
    )
    assert finding is not None and finding.fix is None
    assert any("panic:" in line for line in finding.evidence)


REFUSED_EVENTS = [
    event(
        "Unhealthy",
        'Liveness probe failed: Get "http://10.0.0.5:8080/healthz": dial tcp 10.0.0.5:8080: connect: connection refused',
        count=9,
    ),
    event(
        "Killing",
        "Container app failed liveness probe, will be restarted",
        type_="Normal",
        count=3,
    ),
]
LIVENESS = {"initialDelaySeconds": 10, "periodSeconds": 10, "failureThreshold": 1}
KILLED_WHILE_STARTING = "\n".join(
    [
        "2025-11-18T09:40:01.100Z INFO Starting ShopApplication v2.1.0",
        "2025-11-18T09:40:03.412Z INFO Migrating schema to version 41",
        "2025-11-18T09:40:20.902Z INFO Commencing graceful shutdown",
    ]
)


def refused(previous: str | None = None, current: str | None = None, **container: Any) -> Any:
    fields = {"restart_count": 3, "liveness_probe": LIVENESS, **container}
    return ANALYZERS["probe-failure"](
        context(events=REFUSED_EVENTS, container=fields, previous=previous, current=current)
    )


def test_slow_start_killed_by_liveness_probe_gets_a_longer_delay() -> None:
    finding = refused(previous=KILLED_WHILE_STARTING)
    assert finding is not None and finding.fix is not None
    assert finding.fix.kind == "raise-probe-delay" and finding.fix.probe == "livenessProbe"
    assert any("killed while starting after 19.802 s" in e for e in finding.evidence)
    assert any(
        "budget is 20 s (initialDelaySeconds 10 + periodSeconds 10" in e for e in finding.evidence
    )


def test_a_start_measured_longer_than_the_budget_asks_for_that_delay() -> None:
    log = "2025-11-18T09:40:01Z INFO Started ShopApplication in 48.2 seconds (process running for 49.0)"
    finding = refused(current=log, ready=True)
    assert finding is not None and finding.fix is not None
    assert finding.fix.kind == "raise-probe-delay" and finding.fix.at_least == "47"
    assert any("took 48.2 s to start" in e for e in finding.evidence)


def test_a_refused_probe_without_a_slow_start_is_no_fix() -> None:
    quick = 'level=info msg="config loaded"\nlevel=info msg="listening on :8080"'
    for logs in ({}, {"current": quick}):
        finding = refused(**logs)
        assert finding is not None and finding.fix is None, logs
        assert "nothing shows a slow start" in finding.root_cause
        assert "httpGet" not in (finding.human_action or "") or "a longer delay" in (
            finding.human_action or ""
        )


def test_a_missing_dependency_is_named_instead_of_a_longer_delay() -> None:
    log = (
        "2025-11-18T09:40:01Z ERROR could not connect to server: dial tcp orders-db:5432: "
        "connect: connection refused"
    )
    finding = refused(previous=log)
    assert finding is not None and finding.fix is None
    assert "cannot reach orders-db:5432" in finding.root_cause
    assert "Bring orders-db:5432 back" in (finding.human_action or "")


TIMEOUT_EVENTS = [
    event(
        "Unhealthy",
        'Readiness probe failed: Get "http://10.0.0.5:8080/ready": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
        count=20,
    )
]


def test_probe_timeouts_of_a_serving_app_get_a_longer_timeout() -> None:
    served = '10.52.0.1 - "GET /api/cart HTTP/1.1" 200 1840ms'
    for ctx in (
        context(events=TIMEOUT_EVENTS, container={"ready": True}),
        context(events=TIMEOUT_EVENTS, current=served),
    ):
        finding = ANALYZERS["probe-failure"](ctx)
        assert finding is not None and finding.fix is not None
        assert finding.fix.kind == "raise-probe-timeout" and finding.fix.probe == "readinessProbe"


def test_probe_timeouts_of_an_app_that_never_answered_are_no_fix() -> None:
    finding = ANALYZERS["probe-failure"](context(events=TIMEOUT_EVENTS))
    assert finding is not None and finding.fix is None
    assert "nothing shows the application up" in finding.root_cause


def test_a_failing_exec_probe_names_its_command() -> None:
    events = [
        event(
            "Unhealthy",
            "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory",
        )
    ]
    probe = {"exec": {"command": ["cat", "/tmp/healthy"]}, "periodSeconds": 5}
    finding = ANALYZERS["probe-failure"](
        context(events=events, container={"liveness_probe": probe})
    )
    assert finding is not None and finding.fix is None
    assert "`cat /tmp/healthy`" in finding.root_cause


def test_probe_events_of_another_container_are_ignored() -> None:
    events = [
        event(
            "Unhealthy",
            "Liveness probe failed: connection refused",
            field_path="spec.containers{istio-proxy}",
        )
    ]
    assert ANALYZERS["probe-failure"](context(events=events)) is None


def test_requests_above_every_node_are_lowered() -> None:
    events = [
        event(
            "FailedScheduling",
            "0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
            field_path=None,
        )
    ]
    ctx = context(
        phase="Pending",
        node=None,
        events=events,
        container={"requests": {"memory": "24Gi", "cpu": "1"}, "limits": {"memory": "32Gi"}},
    )
    finding = ANALYZERS["unschedulable"](ctx)
    assert finding is not None and finding.fix is not None
    assert finding.fix.kind == "lower-memory-request"
    assert "more than any node can allocate" in finding.root_cause


def test_a_full_cluster_is_not_fixed_by_shrinking_the_pod() -> None:
    events = [
        event("FailedScheduling", "0/3 nodes are available: 3 Insufficient cpu.", field_path=None)
    ]
    finding = ANALYZERS["unschedulable"](context(phase="Pending", node=None, events=events))
    assert finding is not None and finding.fix is None


def test_scheduling_constraints_are_for_a_human() -> None:
    events = [
        event(
            "FailedScheduling",
            "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.",
            field_path=None,
        )
    ]
    finding = ANALYZERS["unschedulable"](context(phase="Pending", node=None, events=events))
    assert finding is not None and finding.fix is None and "affinity" in finding.root_cause


def test_single_replica_that_keeps_being_replaced() -> None:
    events = [
        event(
            "SuccessfulCreate",
            f"Created pod: web-6d8f7c9b5-{i}",
            type_="Normal",
            obj="ReplicaSet/web-6d8f7c9b5",
            field_path=None,
        )
        for i in range(4)
    ]
    finding = ANALYZERS["replicas-mismatch"](
        context(events=events, workload={"desired_replicas": 1, "available_replicas": 0})
    )
    assert finding is not None and finding.fix is not None and finding.fix.kind == "raise-replicas"


def test_quota_blocks_replicas() -> None:
    events = [
        event(
            "FailedCreate",
            'Error creating: pods "web-6d8f7c9b5-x" is forbidden: exceeded quota: compute, requested: memory=256Mi',
            obj="ReplicaSet/web-6d8f7c9b5",
            field_path=None,
        )
    ]
    ctx = context(events=events, workload={"desired_replicas": 3, "available_replicas": 2})
    assert ANALYZERS["replicas-mismatch"](ctx) is None  # the quota analyzer owns it
    finding = run_analyzers(ctx)[0]
    assert finding.category == "quota" and finding.fix is None
    assert (
        "ResourceQuota compute" in finding.root_cause
        and "memory: requests 256Mi" in finding.root_cause
    )
    assert "Raise ResourceQuota compute" in (finding.human_action or "")


def test_the_alert_named_container_is_the_one_analyzed() -> None:
    """The metrics sidecar is OOMKilled; an alert about the redis container must not claim OOM."""
    source = DumpSource(DATA / "dump-statefulset")
    incident = parse_incidents(
        {
            "labels": {
                "alertname": "PodNotReady",
                "namespace": "data",
                "pod": "redis-master-0",
                "container": "redis",
            }
        }
    )[0]
    ctx = AnalysisContext(incident=incident, evidence=collect_evidence(source, incident))
    assert ANALYZERS["oom"](ctx) is None
    sidecar = parse_incidents(
        {
            "labels": {
                "alertname": "ContainerOOMKilled",
                "namespace": "data",
                "pod": "redis-master-0",
                "container": "metrics",
            }
        }
    )[0]
    ctx = AnalysisContext(incident=sidecar, evidence=collect_evidence(source, sidecar))
    [best, *_] = run_analyzers(ctx)
    assert best.category == "oom" and best.container == "metrics"


def test_a_second_replica_needs_a_node_of_its_own_with_host_ports() -> None:
    events = [
        event(
            "SuccessfulCreate",
            f"Created pod: web-6d8f7c9b5-{i}",
            type_="Normal",
            obj="ReplicaSet/web-6d8f7c9b5",
            field_path=None,
        )
        for i in range(4)
    ]
    one_node = context(
        events=events,
        workload={"desired_replicas": 1, "available_replicas": 0},
        container={"host_ports": [80, 443]},
    )
    finding = ANALYZERS["replicas-mismatch"](one_node)
    assert finding is not None and finding.fix is None
    assert "hostPort 80, 443" in finding.root_cause and "Add a node" in (finding.human_action or "")
    three_nodes = context(
        events=events,
        workload={"desired_replicas": 1, "available_replicas": 0},
        container={"host_ports": [80, 443]},
        nodes=[
            NodeEvidence(name=f"node-{i}", allocatable_cpu="4", allocatable_memory="16Gi")
            for i in range(3)
        ],
    )
    finding = ANALYZERS["replicas-mismatch"](three_nodes)
    assert finding is not None and finding.fix is not None and finding.fix.kind == "raise-replicas"


def test_a_lingering_evicted_pod_does_not_outrank_the_named_pods_crash() -> None:
    """An old evicted replica stays until garbage-collected; the alert's pod crashes on its own."""
    ctx = context(
        alertname="KubePodCrashLooping",
        container={
            "restart_count": 6,
            "waiting_reason": "CrashLoopBackOff",
            "last_termination_reason": "Error",
            "last_exit_code": 1,
        },
        previous="Traceback (most recent call last):\nValueError: bad row",
    )
    ctx.evidence.pods.append(
        PodEvidence(
            name="web-6d8f7c9b5-old11",
            phase="Failed",
            reason="Evicted",
            message="The node was low on resource: memory. Container app was using 900Mi, request is 128Mi.",
        )
    )
    eviction = ANALYZERS["eviction"](ctx)
    assert eviction is not None and eviction.confidence == 0.6
    assert run_analyzers(ctx)[0].category == "crashloop"

"""Evidence a human would read, from a dump in kubectl's shapes, and the fix it rules out.

`tests/support/data/dump-evidence/shop` holds one Deployment per case: a liveness probe on the wrong port
(api), an init container whose command does not exist (worker), a missing Secret key (billing),
Docker Hub's pull rate limit (thumbs), a nodeSelector no node has and a taint not tolerated
(search), and a readiness probe answering 503 (web).
"""

from __future__ import annotations

from dr_kube.alerts import parse_incidents
from dr_kube.cluster.collect import MAX_ITEM_CHARS, collect_evidence, short
from dr_kube.cluster.dump import DumpSource
from dr_kube.cluster.evidence import Evidence, NodeTaint
from dr_kube.diagnose.analyzers import run_analyzers
from dr_kube.diagnose.context import AnalysisContext
from dr_kube.diagnose.findings import Finding
from dr_kube.diagnose.llm.prompt import evidence_section
from tests.support.paths import DATA

DUMP = DATA / "dump-evidence"


def gather(alertname: str, pod: str, container: str | None = None) -> AnalysisContext:
    labels = {"alertname": alertname, "namespace": "shop", "pod": pod}
    if container:
        labels["container"] = container
    incident = parse_incidents({"labels": labels})[0]
    return AnalysisContext(incident=incident, evidence=collect_evidence(DumpSource(DUMP), incident))


def best(ctx: AnalysisContext) -> Finding:
    findings = run_analyzers(ctx)
    assert findings, "every case in the dump has a diagnosis"
    return findings[0]


def prompt_text(evidence: Evidence) -> str:
    return "\n".join(evidence_section(evidence))


def test_a_liveness_probe_on_the_wrong_port_is_not_given_a_longer_delay() -> None:
    ctx = gather("KubePodCrashLooping", "api-7c9d8f6b5d-x2k4p", "api")
    container = ctx.container
    assert container is not None
    assert container.container_ports == {"http": 8080}
    assert container.probe_port("liveness") == 8081 and container.probe_port("readiness") == 8080
    assert ctx.announced_ports() == [8080]
    finding = best(ctx)
    assert finding.category == "probe-failure" and finding.fix is None
    assert "port 8081" in finding.root_cause and "8080" in finding.root_cause
    assert "livenessProbe at port 8080" in (finding.human_action or "")
    assert any(
        "livenessProbe httpGet /healthz on port 8081; containerPorts 8080; logs announce :8080" in e
        for e in finding.evidence
    )
    assert "liveness probe httpGet /healthz on port 8081" in prompt_text(ctx.evidence)


def test_a_probe_on_the_declared_port_gets_a_delay_only_with_a_slow_start() -> None:
    """The same dump with the probe aimed at `http`: the app logs that it listens at once, so a
    longer delay is a guess (no-fix); with a previous instance killed mid-start it is the fix."""
    ctx = gather("KubePodCrashLooping", "api-7c9d8f6b5d-x2k4p", "api")
    container = ctx.container
    assert container is not None and container.liveness_probe is not None
    aimed = {**container.liveness_probe, "httpGet": {"path": "/healthz", "port": "http"}}
    pod = ctx.evidence.pod()
    assert pod is not None
    pod.containers[0] = container.model_copy(update={"liveness_probe": aimed})
    finding = best(ctx)
    assert finding.fix is None and "nothing shows a slow start" in finding.root_cause
    log = ctx.evidence.log()
    assert log is not None
    log.previous = (
        '{"ts":"2025-11-18T09:30:00Z","level":"info","msg":"loading catalog index"}\n'
        '{"ts":"2025-11-18T09:30:41Z","level":"info","msg":"shutting down"}'
    )
    finding = best(ctx)
    assert finding.fix is not None and finding.fix.kind == "raise-probe-delay"


def test_an_init_container_whose_command_is_missing_names_the_command() -> None:
    ctx = gather("KubePodCrashLooping", "worker-5f6b7c8d9e-q7w2z")
    assert ctx.container_name == "wait-for-db"
    container = ctx.container
    assert container is not None and container.init
    assert container.last_termination_reason == "StartError" and container.last_exit_code == 128
    assert 'exec: "curlx": executable file not found in $PATH' in (
        container.last_termination_message or ""
    )
    finding = best(ctx)
    assert finding.category == "crashloop" and finding.fix is None
    assert "init container wait-for-db" in finding.root_cause
    assert "`curlx -sf http://db.shop:5432`" in (finding.human_action or "")
    assert any("executable file not found" in e for e in finding.evidence)
    text = prompt_text(ctx.evidence)
    assert "last terminated StartError exit code 128: " in text
    assert "command curlx -sf http://db.shop:5432" in text


def test_a_first_start_error_is_diagnosed_before_any_restart() -> None:
    """RunContainerError on the first attempt: no restart yet, the same command to name."""
    ctx = gather("KubePodNotReady", "worker-5f6b7c8d9e-q7w2z")
    pod, container = ctx.evidence.pod(), ctx.container
    assert pod is not None and container is not None
    pod.init_containers[0] = container.model_copy(
        update={"waiting_reason": "RunContainerError", "restart_count": 0}
    )
    finding = best(ctx)
    assert finding.category == "crashloop" and finding.fix is None
    assert "`curlx -sf http://db.shop:5432`" in finding.root_cause


def test_a_missing_secret_key_is_named() -> None:
    ctx = gather("KubePodNotReady", "billing-6d7f8b9c4a-m3n8d")
    finding = best(ctx)
    assert finding.fix is None
    assert "key DB_PASSWORD in Secret shop/billing-db" in finding.root_cause
    assert "Create key DB_PASSWORD in Secret shop/billing-db" in (finding.human_action or "")
    assert "waiting CreateContainerConfigError: couldn't find key DB_PASSWORD" in prompt_text(
        ctx.evidence
    )


def test_a_pull_rate_limit_is_told_from_a_missing_image_and_from_denied_access() -> None:
    ctx = gather("KubePodNotReady", "thumbs-84c6d5f7b9-z9y8x")
    finding = best(ctx)
    assert finding.category == "image-pull" and finding.fix is None
    assert "rate-limits" in finding.root_cause
    assert "registry mirror" in (finding.human_action or "")


def test_failed_scheduling_names_the_label_no_node_has_and_the_taint_not_tolerated() -> None:
    ctx = gather("KubePodNotScheduled", "search-9b8c7d6f5e-k5j4h")
    pod = ctx.evidence.pod()
    assert pod is not None and pod.node_selector == {"disktype": "ssd"}
    node_b = next(n for n in ctx.evidence.nodes if n.name == "node-b")
    assert node_b.taints == [NodeTaint(key="dedicated", value="gpu", effect="NoSchedule")]
    finding = best(ctx)
    assert finding.category == "unschedulable" and finding.fix is None
    assert "nodeSelector disktype=ssd matches no node (nodes have disktype=hdd)" in (
        finding.root_cause
    )
    assert "node node-b has taint dedicated=gpu:NoSchedule, not tolerated" in finding.root_cause
    assert "disktype=ssd" in (finding.human_action or "")
    text = prompt_text(ctx.evidence)
    assert "pod nodeSelector disktype=ssd" in text and "taints dedicated=gpu:NoSchedule" in text


def test_a_readiness_probe_answering_503_quotes_the_probe_and_its_output() -> None:
    ctx = gather("KubePodNotReady", "web-7f8d9c6b4a-p2q3r")
    finding = best(ctx)
    assert finding.category == "probe-failure" and finding.fix is None
    assert any("HTTP probe failed with statuscode: 503" in e for e in finding.evidence)
    assert any(
        "readinessProbe httpGet /ready on port 8080; containerPorts 8080" in e
        for e in finding.evidence
    )


def test_a_toleration_tolerates_the_taint_it_names() -> None:
    taint = NodeTaint(key="dedicated", value="gpu", effect="NoSchedule")
    assert taint.tolerated({"key": "dedicated", "operator": "Equal", "value": "gpu"})
    assert taint.tolerated({"key": "dedicated", "operator": "Exists", "effect": "NoSchedule"})
    assert taint.tolerated({"operator": "Exists"})
    assert not taint.tolerated({"key": "dedicated", "value": "cpu"})
    assert not taint.tolerated({"key": "dedicated", "operator": "Exists", "effect": "NoExecute"})


def test_an_evidence_item_is_one_short_redacted_line() -> None:
    item = short("exec failed\n  --db-password=hunter2hunter2 " + "x" * 500)
    assert "hunter2hunter2" not in item and "\n" not in item
    assert len(item) <= MAX_ITEM_CHARS and item.endswith("…")
    assert short("token is abcd", ["abcd"]) != "token is abcd"


def test_the_clusters_version_is_its_newest_kubelet() -> None:
    from dr_kube.cluster.evidence import Evidence, NodeEvidence, WorkloadEvidence

    nodes = [
        NodeEvidence(name="a", kubelet_version="v1.29.10+k3s1"),
        NodeEvidence(name="b", kubelet_version="v1.30.2"),
        NodeEvidence(name="c"),
    ]
    workload = WorkloadEvidence(kind="Deployment", name="web", namespace="shop")
    assert Evidence(source="t", workload=workload, nodes=nodes).kube_version() == "v1.30.2"
    assert Evidence(source="t", workload=workload).kube_version() is None

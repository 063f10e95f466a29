"""Fewer available replicas than desired, when no pod-level failure explains it."""

from __future__ import annotations

from dr_kube.diagnose.context import AnalysisContext
from dr_kube.diagnose.findings import Finding, FixIntent

RECREATED = 3


def analyze(ctx: AnalysisContext) -> Finding | None:
    workload = ctx.evidence.workload
    desired = workload.desired_replicas
    if desired is None:
        return None
    short = workload.available_replicas < desired
    if not short and ctx.hint != "replicas-mismatch":
        return None
    evidence = [
        f"{workload.kind}/{workload.name}: {workload.available_replicas}/{desired} available, "
        f"{workload.ready_replicas} ready"
    ]
    if ctx.events(r"forbidden", reasons=("FailedCreate",)):
        return None  # refused at admission: the quota analyzer names the quota or LimitRange
    recreated = [
        e
        for e in ctx.evidence.events
        if e.reason == "SuccessfulCreate" and e.object.startswith("ReplicaSet/")
    ]
    kills = [e for e in ctx.evidence.events if e.reason == "Killing"]
    created = sum(e.count for e in recreated)
    if desired <= 1 and (created >= RECREATED or len(kills) >= 2):
        evidence += [e.line() for e in recreated[:1]] + [e.line() for e in kills[:1]]
        host_ports = sorted({p for c in workload.containers for p in c.host_ports})
        nodes = [n for n in ctx.evidence.nodes if n.ready]
        if host_ports and nodes and len(nodes) <= desired:
            ports = ", ".join(map(str, host_ports))
            evidence.append(
                f"{workload.kind}/{workload.name}: hostPort {ports}; {len(nodes)} ready node(s)"
            )
            return Finding(
                category="replicas-mismatch",
                root_cause=(
                    f"{workload.kind} {workload.name} runs a single replica, so every time its pod "
                    f"is replaced ({created} pods created recently) the service has none available; "
                    f"a second replica would need a node of its own (hostPort {ports}) and the "
                    f"cluster has {len(nodes)}."
                ),
                evidence=evidence,
                confidence=0.75,
                human_action=(
                    f"Add a node (each replica binds host port {ports}) or stop using hostPort "
                    "(a LoadBalancer/NodePort Service), then raise the replicas."
                ),
            )
        return Finding(
            category="replicas-mismatch",
            root_cause=(
                f"{workload.kind} {workload.name} runs a single replica, so every time its pod is "
                f"replaced ({created} pods created recently) the service has none available."
            ),
            evidence=evidence,
            confidence=0.75,
            fix=FixIntent(kind="raise-replicas"),
        )
    return Finding(
        category="replicas-mismatch",
        root_cause=f"{workload.kind} {workload.name} has {workload.available_replicas} of {desired} replicas available.",
        evidence=evidence,
        confidence=0.5,
        human_action="Look at why its pods are not ready (rollout in progress, node drain, disruption).",
    )

"""Pods a controller cannot create: a ResourceQuota or a LimitRange refuses them."""

from __future__ import annotations

import re

from dr_kube.cluster.evidence import EventEvidence, QuotaEvidence
from dr_kube.diagnose.context import AnalysisContext
from dr_kube.diagnose.findings import Finding

# `exceeded quota: compute-resources, requested: limits.memory=1Gi, used: limits.memory=7680Mi,
# limited: limits.memory=8Gi`
PAIRS = r"[\w./-]+=[^\s,]+(?:,[\w./-]+=[^\s,]+)*"
EXCEEDED = re.compile(
    rf"exceeded quota: (?P<name>[\w.-]+)(?:, requested: (?P<requested>{PAIRS}))?"
    rf"(?:, used: (?P<used>{PAIRS}))?(?:, limited: (?P<limited>{PAIRS}))?"
)
# `failed quota: compute-resources: must specify limits.cpu for: app; requests.cpu for: app`
MUST_SPECIFY = re.compile(r"failed quota: (?P<name>[\w.-]+): must specify (?P<what>[^\n]+)")
# `maximum memory usage per Container is 512Mi, but limit is 1Gi`
LIMIT_RANGE = re.compile(
    r"(?P<bound>maximum|minimum) (?P<resource>[\w-]+) usage per (?P<scope>Container|Pod) is "
    r"(?P<allowed>[^,\s]+), but (?P<field>limit|request) is (?P<actual>[^,\s\]]+)"
)
OWNERS = ("ReplicaSet/", "StatefulSet/", "DaemonSet/", "Job/")


def failed_creates(ctx: AnalysisContext) -> list[EventEvidence]:
    return [
        e
        for e in ctx.evidence.events
        if e.reason == "FailedCreate" and e.object.startswith(OWNERS) and "forbidden" in e.message
    ]


def pairs(text: str) -> dict[str, str]:
    return dict(p.split("=", 1) for p in text.split(",") if "=" in p)


def quota_finding(ctx: AnalysisContext, event: EventEvidence) -> Finding | None:
    workload = ctx.evidence.workload
    owner = f"{workload.kind} {workload.name}"
    exceeded = EXCEEDED.search(event.message)
    if exceeded:
        name = exceeded["name"]
        requested, used, limited = (
            pairs(exceeded[k] or "") for k in ("requested", "used", "limited")
        )
        numbers = (
            "; ".join(
                f"{key}: requests {requested[key]}, {used.get(key, '?')} of {limited.get(key, '?')} used"
                for key in requested
            )
            or "its limits are used up"
        )
        quota = next((q for q in ctx.evidence.quotas if q.name == name), None)
        return Finding(
            category="quota",
            root_cause=(
                f"ResourceQuota {name} of namespace {workload.namespace} refuses new pods of "
                f"{owner}: {numbers}."
            ),
            evidence=evidence_lines(event, quota),
            confidence=0.95,
            human_action=(
                f"Raise ResourceQuota {name}"
                + (f" ({', '.join(f'{k} {v}' for k, v in limited.items())})" if limited else "")
                + " "
                "or free quota in the namespace; shrinking or scaling this workload to fit "
                "would hide the shortage."
            ),
        )
    missing = MUST_SPECIFY.search(event.message)
    if missing:
        name = missing["name"]
        return Finding(
            category="quota",
            root_cause=(
                f"ResourceQuota {name} requires every pod to declare {missing['what'].rstrip('.')}, "
                f"and the pods of {owner} do not."
            ),
            evidence=evidence_lines(
                event, next((q for q in ctx.evidence.quotas if q.name == name), None)
            ),
            confidence=0.9,
            human_action=(
                f"Set the missing requests/limits in the chart values of {workload.name} to what "
                "the containers need (DR-Kube does not invent sizes), or add a LimitRange default."
            ),
        )
    return None


def limit_range_finding(ctx: AnalysisContext, event: EventEvidence) -> Finding | None:
    found = list(LIMIT_RANGE.finditer(event.message))
    if not found:
        return None
    workload = ctx.evidence.workload
    bounds = "; ".join(
        f"{m['bound']} {m['resource']} per {m['scope']} is {m['allowed']}, its {m['field']} is {m['actual']}"
        for m in found
    )
    names = ", ".join(f"LimitRange {lr.name}" for lr in ctx.evidence.limit_ranges) or "a LimitRange"
    return Finding(
        category="quota",
        root_cause=(
            f"{names} of namespace {workload.namespace} refuses the pods of {workload.kind} "
            f"{workload.name}: {bounds}."
        ),
        evidence=[event.line(), *(lr.line() for lr in ctx.evidence.limit_ranges[:2])],
        confidence=0.95,
        human_action=(
            f"Either the namespace's {names} or the container's size is wrong: ask the namespace "
            "owner to raise the bound, or size the container within it if it really needs less; "
            "the evidence does not tell which."
        ),
    )


def evidence_lines(event: EventEvidence, quota: QuotaEvidence | None) -> list[str]:
    return [event.line(), *([quota.line()] if quota else [])]


def analyze(ctx: AnalysisContext) -> Finding | None:
    for event in reversed(failed_creates(ctx)):
        found = quota_finding(ctx, event) or limit_range_finding(ctx, event)
        if found is not None:
            workload = ctx.evidence.workload
            found.evidence.insert(
                0,
                f"{workload.kind}/{workload.name}: {workload.available_replicas}/"
                f"{workload.desired_replicas} available",
            )
            return found
    return None

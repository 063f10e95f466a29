"""The run's final state as the `dr-kube/result@1` contract."""

from __future__ import annotations

from typing import Any

from dr_kube.gitops.validate import Checked
from dr_kube.incidents.identity import incident_key, subject_key
from dr_kube.incidents.model import AlertRef, Incident, WorkloadRef
from dr_kube.models import (
    Diagnosis,
    FixResult,
    Proposal,
    Result,
    ResultIncident,
    Usage,
    Validation,
)


def result_incident(incident: Incident, diagnosis: Diagnosis | None) -> ResultIncident:
    """The incident as the result names it: a node-level cause makes it the node's incident."""
    category = diagnosis.category if diagnosis else None
    alerts = incident.all_alerts()
    if diagnosis is not None and diagnosis.node:
        node = WorkloadRef(kind="Node", name=diagnosis.node)
        hit = [a.workload for a in alerts if a.workload and not a.workload.startswith("Node/")]
        if incident.workload is not None and incident.workload.kind != "Node":
            hit.insert(0, f"{incident.workload.kind}/{incident.workload.name}")
        return ResultIncident(
            id=incident.id,
            key=incident_key(subject_key(None, "Node", diagnosis.node), category),
            alertname=incident.alertname,
            namespace="",
            workload=node,
            alerts=alerts,
            workloads=list(dict.fromkeys(hit)),
        )
    return ResultIncident(
        id=incident.id,
        key=incident.key(category),
        alertname=incident.alertname,
        namespace=incident.namespace,
        workload=incident.workload,
        alerts=alerts,
        workloads=hit_workloads(incident, alerts),
    )


def hit_workloads(incident: Incident, alerts: list[AlertRef]) -> list[str]:
    """For a node incident, the workloads whose alerts joined it."""
    if incident.workload is None or incident.workload.kind != "Node":
        return []
    return list(
        dict.fromkeys(
            a.workload
            for a in alerts
            if a.workload and a.workload != "Node/" + incident.workload.name
        )
    )


def build_result(state: dict[str, Any], usage: Usage) -> Result:
    incident: Incident = state["incident"]
    proposal: Proposal | None = state.get("proposal")
    checked: Checked | None = state.get("checked")
    diagnosis = proposal.diagnosis if proposal else None
    attempts = int(state.get("attempts", 0))
    rejected = list(state.get("rejected_reasons", []))
    if (proposal is None or not proposal.changes) and not rejected:
        fix = FixResult(
            status="no-fix",
            attempts=attempts,
            reason=(proposal.no_fix_reason if proposal else None)
            or (diagnosis.human_action if diagnosis else None),
            rejected_reasons=rejected,
            validation=Validation(ok=False, errors=rejected),
        )
    elif checked is not None and checked.ok:
        fix = FixResult(
            status="proposed",
            changes=checked.changes,
            diff=checked.diff,
            risk=checked.risk,
            attempts=attempts,
            unverified=checked.unverified,
            rendered=checked.rendered,
            validation=Validation(
                ok=True, errors=[], warnings=checked.warnings, verified=not checked.unverified
            ),
        )
    else:
        fix = FixResult(
            status="rejected",
            changes=checked.changes if checked else (proposal.changes if proposal else []),
            diff=checked.diff if checked else "",
            risk=checked.risk if checked else None,
            attempts=attempts,
            reason=f"no proposal passed validation in {attempts} attempt(s)"
            + (f"; {proposal.no_fix_reason}" if proposal and proposal.no_fix_reason else ""),
            rejected_reasons=rejected,
            rendered=checked.rendered if checked else None,
            validation=Validation(
                ok=False,
                errors=[str(i) for i in checked.issues] if checked else rejected,
                warnings=checked.warnings if checked else [],
            ),
        )
    return Result(
        incident=result_incident(incident, diagnosis),
        diagnosis=diagnosis,
        fix=fix,
        pr=state.get("pr"),
        usage=usage,
        publish_failure=state.get("publish_failure"),
    )


def merge_results(results: list[Result]) -> list[Result]:
    """One result per incident key: runs whose diagnoses found the same subject and cause (a
    node-level cause seen through several workloads) are one incident holding all their alerts."""
    merged: dict[str, Result] = {}
    for result in results:
        key = result.incident.key
        if key not in merged:
            merged[key] = result
            continue
        first = merged[key].incident
        alerts = {a.fingerprint: a for a in [*first.alerts, *result.incident.alerts]}
        workloads = list(dict.fromkeys([*first.workloads, *result.incident.workloads]))
        first.alerts, first.workloads = list(alerts.values()), workloads
    return list(merged.values())

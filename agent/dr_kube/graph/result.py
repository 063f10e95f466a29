"""The run's final state as the `dr-kube/result@1` contract."""

from __future__ import annotations

from typing import Any

from dr_kube.gitops.validate import Checked
from dr_kube.incidents.model import Incident
from dr_kube.models import FixResult, Proposal, Result, ResultIncident, Usage, Validation


def build_result(state: dict[str, Any], usage: Usage) -> Result:
    incident: Incident = state["incident"]
    proposal: Proposal | None = state.get("proposal")
    checked: Checked | None = state.get("checked")
    diagnosis = proposal.diagnosis if proposal else None
    category = diagnosis.category if diagnosis else None
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
        incident=ResultIncident(
            id=incident.id,
            key=incident.key(category),
            alertname=incident.alertname,
            namespace=incident.namespace,
            workload=incident.workload,
        ),
        diagnosis=diagnosis,
        fix=fix,
        pr=state.get("pr"),
        usage=usage,
    )

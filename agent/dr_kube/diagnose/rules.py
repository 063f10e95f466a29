"""The embedded default provider: deterministic analyzers and a planner; no key, no network."""

from __future__ import annotations

import time

from dr_kube.diagnose.analyzers import run_analyzers
from dr_kube.diagnose.context import AnalysisContext
from dr_kube.diagnose.guidance import apply_guidance
from dr_kube.diagnose.plan import PlanError, PlanInput, candidates
from dr_kube.diagnose.provider import ProposalRequest
from dr_kube.diagnose.recall import drop_not_enough, probable_leak
from dr_kube.models import Diagnosis, Proposal, Usage


class RulesProvider:
    """The embedded default: deterministic analyzers and a planner; no key, no network."""

    name = "rules"

    def __init__(self) -> None:
        self.usage = Usage()

    def propose(self, request: ProposalRequest) -> Proposal:
        ctx = AnalysisContext(
            incident=request.incident,
            evidence=request.evidence,
            values_history=request.values_history,
        )
        findings = run_analyzers(ctx)
        if not findings:
            category = request.incident.category_hint or "unknown"
            return Proposal(
                diagnosis=Diagnosis(
                    category=category,
                    root_cause="No analyzer recognised this failure from the evidence collected.",
                    evidence=[f"alert {request.incident.alertname}: {ctx.alert_text().strip()}"],
                    confidence=0.2,
                    provider=self.name,
                    container=ctx.container_name,
                    human_action="Look at the workload by hand; try an LLM provider for a wider diagnosis.",
                ),
                no_fix_reason="no known failure class matched the evidence",
            )
        best = findings[0]
        diagnosis = Diagnosis(
            category=best.category,
            root_cause=best.root_cause,
            evidence=best.evidence,
            confidence=best.confidence,
            provider=self.name,
            container=best.container,
            human_action=best.human_action,
            node=best.node,
        )
        leak = (
            probable_leak(request.history, history_now(request))
            if best.fix is not None and best.fix.kind == "raise-memory-limit"
            else None
        )
        if leak is not None:
            reason, lines = leak
            diagnosis.root_cause = (
                f"Container {best.container or 'of this workload'} probably leaks memory: "
                + reason.removeprefix("probable memory leak: ")
                + "."
            )
            diagnosis.evidence = [*diagnosis.evidence, *lines]
            diagnosis.human_action = "Look at the code: profile the heap and fix the leak."
            return Proposal(diagnosis=diagnosis, no_fix_reason=reason)
        if best.fix is None:
            return Proposal(
                diagnosis=diagnosis,
                no_fix_reason=best.human_action or "no values change can fix this",
            )
        if request.location is None:
            return Proposal(
                diagnosis=diagnosis,
                no_fix_reason=request.locate_error
                or "the values file for this workload was not found",
            )
        try:
            options = candidates(
                best.fix,
                PlanInput(
                    location=request.location,
                    values=request.values,
                    workload=request.evidence.workload,
                    policy=request.policy,
                    tried=request.tried,
                ),
            )
        except PlanError as exc:
            diagnosis.human_action = diagnosis.human_action or str(exc)
            return Proposal(diagnosis=diagnosis, no_fix_reason=str(exc))
        options, refused = drop_not_enough(options, request.history)
        if refused is not None:
            diagnosis.human_action = diagnosis.human_action or refused
            return Proposal(diagnosis=diagnosis, no_fix_reason=refused)
        proposal = Proposal(diagnosis=diagnosis, changes=options[0])
        return apply_guidance(proposal, request.guidance, request.values)


def history_now(request: ProposalRequest) -> float:
    """The time the leak window ends: now, or the alert's start when that is later (replays)."""
    started = request.incident.starts_at
    return max(started.timestamp(), time.time()) if started is not None else time.time()

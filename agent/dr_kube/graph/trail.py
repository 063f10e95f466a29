"""What a run writes to the audit trail: evidence, LLM calls, proposals, validation, branch and PR.

The steps call these with the run context's `audit` sink: the store's in service mode, a sink
that drops everything in the CLI. Records carry short messages and small data, never evidence
text or (unless DRKUBE_AUDIT_PROMPTS=1) the prompt itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dr_kube.cluster.evidence import Evidence
from dr_kube.gitops.validate import Checked
from dr_kube.incidents.history import PastIncident
from dr_kube.models import Proposal, PublishFailure, PullRequestInfo, Usage
from dr_kube.store.audit import AuditSink, llm_call_data


def evidence_collected(
    audit: AuditSink, evidence: Evidence, related: Sequence[PastIncident]
) -> None:
    logs = sum(1 for log in evidence.logs if log.current or log.previous)
    audit.record(
        "evidence",
        f"evidence collected: {len(evidence.pods)} pod(s), {len(evidence.events)} event(s), "
        f"{logs} log(s), {len(evidence.metrics)} metric(s); {len(related)} related incident(s)",
        {
            "workload": f"{evidence.workload.namespace}/{evidence.workload.name}",
            "pods": len(evidence.pods),
            "events": len(evidence.events),
            "logs": logs,
            "metrics": [m.name for m in evidence.metrics],
            "related": [p.id for p in related],
        },
    )


@dataclass
class LLMWatch:
    """Usage and prompts of a provider before a proposal, to record the calls it made."""

    usage: Usage
    usage_copy: Usage
    trace: Any
    prompts: int

    @classmethod
    def start(cls, provider: Any) -> LLMWatch:
        trace = getattr(provider, "trace", None)
        return cls(
            provider.usage,
            provider.usage.model_copy(),
            trace,
            len(getattr(trace, "prompts", []) or []),
        )

    def record(self, audit: AuditSink, provider: Any) -> None:
        usage: Usage = provider.usage
        base = self.usage_copy if usage is self.usage else Usage()  # a new incident resets usage
        calls = usage.llm_calls - base.llm_calls
        trace = getattr(provider, "trace", None)
        prompts = list(getattr(trace, "prompts", []) or [])
        new = prompts if trace is not self.trace else prompts[self.prompts :]
        if calls <= 0 and not new:
            return
        llm = getattr(provider, "llm", None)
        model = str(getattr(llm, "model", "") or "")
        name = str(getattr(provider, "name", "llm"))
        text = "\n\n".join(f"{p.system}\n\n{p.user}" for p in new)
        version = new[-1].version if new else ""
        tokens_in = usage.tokens_in - base.tokens_in
        tokens_out = usage.tokens_out - base.tokens_out
        audit.record(
            "llm",
            f"LLM call: {name} {model}, {calls} call(s), {tokens_in} tokens in, {tokens_out} out",
            llm_call_data(
                provider=name,
                model=model,
                prompt_text=text,
                prompt_version=version,
                calls=calls,
                tokens_in=tokens_in,
                tokens_out=tokens_out,
            ),
        )


def proposed(audit: AuditSink, proposal: Proposal, attempt: int) -> None:
    d = proposal.diagnosis
    what = (
        "; ".join(f"{c.dotted()} {c.old} → {c.new}" for c in proposal.changes)
        or f"no change ({proposal.no_fix_reason or 'no reason given'})"
    )
    audit.record(
        "diagnosis",
        f"attempt {attempt}: {d.category} by {d.provider} (confidence {d.confidence:.2f}): {what}",
        {
            "attempt": attempt,
            "category": d.category,
            "provider": d.provider,
            "changes": [c.model_dump(mode="json") for c in proposal.changes],
            "no_fix_reason": proposal.no_fix_reason,
        },
    )


def validated(audit: AuditSink, checked: Checked) -> None:
    errors = [str(i) for i in checked.issues]
    audit.record(
        "validation",
        "validation passed" + (f" (risk {checked.risk})" if checked.risk else "")
        if checked.ok
        else f"validation failed: {'; '.join(errors)[:400]}",
        {"ok": checked.ok, "errors": errors, "warnings": list(checked.warnings)},
    )


def publish_failed(audit: AuditSink, failure: PublishFailure) -> None:
    audit.record(
        "publish",
        f"publication failed ({failure.stage}, {failure.attempts} tries): {failure.reason}",
        failure.model_dump(mode="json"),
    )


def published(audit: AuditSink, pr: PullRequestInfo) -> None:
    if pr.pushed:
        audit.record(
            "branch",
            f"branch {pr.branch} pushed at {pr.commit or '?'}",
            {"branch": pr.branch, "base": pr.base, "commit": pr.commit},
        )
    where = f"#{pr.number}" if pr.number is not None else "(local)"
    audit.record(
        "pr",
        f"pull request {where} {pr.action}: {pr.title}",
        {"action": pr.action, "number": pr.number, "url": pr.url, "branch": pr.branch},
    )

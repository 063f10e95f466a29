"""The pipeline's steps as plain functions; the graph's nodes only move state between them."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from dr_kube.cluster.collect import collect_evidence, evidence_from_alert
from dr_kube.cluster.evidence import Evidence
from dr_kube.cluster.source import ClusterSource
from dr_kube.diagnose.providers import ProposalRequest, Provider
from dr_kube.errors import DrKubeError, NotFoundError
from dr_kube.gitops.forges.base import Forge, PullRequestSpec
from dr_kube.gitops.forges.local import LocalForge
from dr_kube.gitops.locate import Location, locate
from dr_kube.gitops.patch import apply_changes, to_plain
from dr_kube.gitops.pr import pr_body, pr_title, update_comment
from dr_kube.gitops.repo import GitRepo, branch_name, write_lock
from dr_kube.gitops.validate import Checked, validate_changes
from dr_kube.gitops.yamlio import get_path, load_one
from dr_kube.graph.trail import LLMWatch, evidence_collected, proposed, published, validated
from dr_kube.incidents.history import Memory, MemoryQuery, NoMemory, PastIncident, query_text
from dr_kube.models import (
    Change,
    FixResult,
    Incident,
    PathKey,
    Proposal,
    PullRequestInfo,
    Result,
    ResultIncident,
    Usage,
    Validation,
)
from dr_kube.policy import Policy
from dr_kube.store.audit import AuditSink, NoAudit

log = logging.getLogger(__name__)


@dataclass
class RunContext:
    """What a run needs besides its state: sources, repository, policy, provider, forge."""

    repo: Path
    policy: Policy
    provider: Provider
    source: ClusterSource | None = None
    chart_dirs: list[Path] = field(default_factory=list)
    prometheus_url: str | None = None
    max_attempts: int = 3
    publish: bool = False
    push: bool = True
    base_branch: str | None = None
    forge: Forge = field(default_factory=LocalForge)
    audit: AuditSink = field(default_factory=NoAudit)  # the service binds the store's trail
    memory: Memory = field(default_factory=NoMemory)  # the service binds the store's memory
    # Service mode: after a PR the run pauses for review; `copilot` pauses before publishing
    # until an approver answers, `observe` never publishes. The CLI keeps the defaults.
    await_review: bool = False
    mode: Literal["auto", "copilot", "observe"] = "auto"


def gather(ctx: RunContext, incident: Incident) -> Evidence:
    evidence = (
        collect_evidence(ctx.source, incident) if ctx.source else evidence_from_alert(incident)
    )
    if ctx.prometheus_url:
        from dr_kube.cluster.prometheus import query_metrics

        evidence.metrics = query_metrics(ctx.prometheus_url, evidence, incident.starts_at)
    evidence_collected(ctx.audit, evidence, related(ctx, incident, evidence))
    return evidence


def related(ctx: RunContext, incident: Incident, evidence: Evidence | None) -> list[PastIncident]:
    """Similar past incidents from the run's memory (none in the CLI)."""
    workload = incident.workload.name if incident.workload else (incident.pod or "unknown")
    return ctx.memory.similar(
        MemoryQuery(
            namespace=incident.namespace,
            workload=workload,
            category=incident.category_hint,
            text=query_text(incident, evidence),
        )
    )


def find_values(
    ctx: RunContext, incident: Incident, evidence: Evidence
) -> tuple[Location | None, str | None, str | None]:
    """(location, values text, error): a workload DR-Kube cannot place is diagnosed, not fixed."""
    try:
        location = locate(ctx.repo, evidence.workload, ctx.chart_dirs, incident.values_file)
    except NotFoundError as exc:
        return None, None, str(exc)
    return location, (ctx.repo / location.values_file).read_text(encoding="utf-8"), None


def may_need_image_history(incident: Incident, evidence: Evidence) -> bool:
    """Git history is read only for image-pull failures (it costs a git call per commit)."""
    pulling = any(
        c.waiting_reason in ("ErrImagePull", "ImagePullBackOff", "InvalidImageName")
        for pod in evidence.pods
        for c in pod.containers + pod.init_containers
    )
    return pulling or incident.category_hint == "image-pull"


def image_tag_history(ctx: RunContext, location: Location | None) -> list[tuple[str, str]]:
    """Earlier image tags of this workload in the values file's Git history, newest first."""
    if location is None:
        return []
    try:
        history = GitRepo(ctx.repo).file_history(location.values_file)
    except DrKubeError:
        return []
    tags: list[tuple[str, str]] = []
    for commit, text in history:
        data = load_one(text)
        image_paths: list[list[PathKey]] = [
            [*location.base_path, "image", "tag"],
            ["image", "tag"],
            ["images", "tag"],
        ]
        for path in image_paths:
            found, tag = get_path(data, path)
            if found and tag:
                if not tags or tags[-1][1] != str(tag):
                    tags.append((commit, str(tag)))
                break
    return tags[1:] if tags else []  # the newest entry is the current (failing) tag


def propose(ctx: RunContext, request: ProposalRequest) -> Proposal:
    watch = LLMWatch.start(ctx.provider)
    proposal = ctx.provider.propose(request)
    watch.record(ctx.audit, ctx.provider)
    proposed(ctx.audit, proposal, request.attempt)
    return proposal


def check(
    ctx: RunContext,
    incident: Incident,
    evidence: Evidence,
    location: Location,
    values_text: str,
    proposal: Proposal,
) -> Checked:
    checked = validate_changes(
        proposal.changes,
        text=values_text,
        location=location,
        policy=ctx.policy,
        namespace=incident.namespace,
        category=proposal.diagnosis.category,
        containers=[c.name for c in evidence.workload.containers],
    )
    validated(ctx.audit, checked)
    return checked


def validation_lines(checked: Checked, location: Location) -> list[str]:
    chart = location.chart
    lines = ["✅ the patched file parses and reads back with exactly the intended values"]
    if chart is not None:
        lines.append(
            f"✅ every changed key is read by chart `{chart.name}` {chart.version or ''}".rstrip()
        )
    else:
        lines.append("⚠️ unverified: chart not found, key effect not checked")
    lines.append("✅ policy: allowed keys, quantities, step ≤ ×2, caps, protected namespaces")
    lines += [f"⚠️ {w}" for w in checked.warnings if "unverified" not in w]
    return lines


def publish(
    ctx: RunContext,
    incident: Incident,
    proposal: Proposal,
    checked: Checked,
    location: Location,
    attempts: int,
) -> PullRequestInfo:
    """Commit the validated change on the incident's branch (fresh base) and open/update its PR."""
    repo = GitRepo(ctx.repo)
    category = proposal.diagnosis.category
    workload = incident.workload.name if incident.workload else (incident.pod or "unknown")
    key = incident.key(category)
    branch = branch_name(incident.namespace, workload, category)
    base = ctx.base_branch or repo.default_base()
    title = pr_title(workload, checked.changes)
    changes = checked.changes
    with write_lock(ctx.repo):
        outcome = repo.commit_fix(
            branch=branch,
            base=base,
            file=location.values_file,
            transform=lambda fresh: apply_changes(fresh, changes),
            message=f"{title}\n\n{proposal.diagnosis.root_cause}\n\nDR-Kube incident: {key}",
            push=ctx.push,
        )
    spec = PullRequestSpec(
        branch=branch,
        base=base,
        title=title,
        body=pr_body(
            incident=incident,
            key=key,
            diagnosis=proposal.diagnosis,
            changes=changes,
            diff=checked.diff,
            risk=checked.risk,
            validation_lines=validation_lines(checked, location),
            unverified=checked.unverified,
            attempts=attempts,
            app=location.app,
            related=related(ctx, incident, None),
        ),
        labels=["dr-kube", f"risk/{checked.risk or 'medium'}"],
        update_comment=update_comment(proposal.diagnosis, outcome.changed, changes),
    )
    pr = ctx.forge.publish(spec, outcome.commit, outcome.changed, outcome.pushed)
    published(ctx.audit, pr)
    return pr


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


def proposal_request(state: dict[str, Any], ctx: RunContext) -> ProposalRequest:
    values_text = state.get("values_text")
    return ProposalRequest(
        incident=state["incident"],
        evidence=state["evidence"],
        location=state.get("location"),
        locate_error=state.get("locate_error"),
        values=to_plain(load_one(values_text)) if values_text else None,
        policy=ctx.policy,
        attempt=int(state.get("attempts", 0)) + 1,
        feedback=list(state.get("feedback", [])),
        guidance=list(state.get("guidance", [])),
        tried=list(state.get("tried", [])),
        values_history=list(state.get("values_history", [])),
        history=related(ctx, state["incident"], state.get("evidence")),
    )


def tried_changes(state: dict[str, Any], changes: list[Change]) -> list[list[Change]]:
    return [*state.get("tried", []), changes]

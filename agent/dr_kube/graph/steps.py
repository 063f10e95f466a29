"""The pipeline's steps as plain functions; the graph's nodes only move state between them."""

from __future__ import annotations

import logging
from typing import Any, Literal

from dr_kube.cluster.collect import collect_evidence, evidence_from_alert
from dr_kube.cluster.evidence import Evidence
from dr_kube.cluster.node_evidence import collect_node_evidence
from dr_kube.diagnose.provider import ProposalRequest
from dr_kube.errors import NotFoundError
from dr_kube.gitops.forges.base import ForgeError, PullRequestSpec
from dr_kube.gitops.locate import locate
from dr_kube.gitops.patch import apply_changes, to_plain
from dr_kube.gitops.pr import pr_body, pr_title, update_comment
from dr_kube.gitops.repo import GitRemoteError, GitRepo, branch_name, write_lock
from dr_kube.gitops.validate import Checked, validate_changes
from dr_kube.graph.context import RunContext
from dr_kube.graph.trail import (
    LLMWatch,
    evidence_collected,
    proposed,
    publish_failed,
    published,
    validated,
)
from dr_kube.incidents.history import MemoryQuery, PastIncident, query_text
from dr_kube.incidents.model import Incident
from dr_kube.models import Change, Proposal, PublishFailure, PullRequestInfo
from dr_kube.paths import contained
from dr_kube.values_model import Location
from dr_kube.yamlio import load_one

log = logging.getLogger(__name__)


def gather(ctx: RunContext, incident: Incident) -> Evidence:
    node = incident.workload is not None and incident.workload.kind == "Node"
    if ctx.source is None:
        evidence = evidence_from_alert(incident)
    elif node:
        evidence = collect_node_evidence(ctx.source, incident)
    else:
        evidence = collect_evidence(ctx.source, incident)
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
        location = locate(
            ctx.repo,
            evidence.workload,
            ctx.chart_dirs,
            incident.values_file,
            evidence.pods,
            kube_version=evidence.kube_version(),
            api_versions=evidence.api_versions,
        )
    except NotFoundError as exc:
        return None, None, str(exc)
    values = contained(ctx.repo, location.values_file, what="values file")
    return location, values.read_text(encoding="utf-8"), None


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
        # a node incident has no namespace of its own: the workload it fixes has one
        namespace=incident.namespace or evidence.workload.namespace,
        category=proposal.diagnosis.category,
        containers=[c.name for c in evidence.workload.containers],
        container=proposal.diagnosis.container,
    )
    validated(ctx.audit, checked)
    return checked


def validation_lines(checked: Checked, location: Location) -> list[str]:
    chart = location.chart
    lines = ["✅ the patched file parses and reads back with exactly the intended values"]
    if checked.rendered is not None:
        moved = "; ".join(e.line() for e in checked.rendered.changed)
        lines.append(f"✅ rendered with Helm (chart `{chart.name if chart else '?'}`): {moved}")
        if checked.rendered.blast_radius:
            lines.append(
                f"⚠️ blast radius: {len(checked.rendered.blast_radius)} other field(s) change "
                "(see Rendered change)"
            )
    elif chart is not None and not checked.unverified:
        lines.append(
            f"✅ every changed key is read by chart `{chart.name}` {chart.version or ''}".rstrip()
        )
    elif chart is not None:
        lines.append(f"⚠️ unverified: chart `{chart.name}` could not be rendered for this workload")
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
) -> PullRequestInfo | PublishFailure:
    """Commit the validated change on the incident's branch (fresh base) and open/update its PR.

    A push or a forge call that still fails after its retries is the returned PublishFailure:
    the work (diagnosis, validated diff) stands, its publication did not happen."""
    repo = GitRepo(ctx.repo)
    category = proposal.diagnosis.category
    workload = incident.workload.name if incident.workload else (incident.pod or "unknown")
    key = incident.key(category)
    branch = branch_name(incident.namespace, workload, category)
    base = ctx.base_branch or repo.default_base()
    title = pr_title(workload, checked.changes)
    changes = checked.changes
    try:
        with write_lock(ctx.repo):
            outcome = repo.commit_fix(
                branch=branch,
                base=base,
                file=location.values_file,
                transform=lambda fresh: apply_changes(fresh, changes),
                message=f"{title}\n\n{proposal.diagnosis.root_cause}\n\nDR-Kube incident: {key}",
                push=ctx.push,
                retry=ctx.publish_retry,
            )
    except GitRemoteError as exc:
        return failed_publication(ctx, "push", exc, branch, pushed=False)
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
            rendered=checked.rendered,
            alerts=ctx.alerts.alerts(incident),
        ),
        labels=["dr-kube", f"risk/{checked.risk or 'medium'}"],
        update_comment=update_comment(proposal.diagnosis, outcome.changed, changes),
    )
    try:
        pr = ctx.forge.publish(spec, outcome.commit, outcome.changed, outcome.pushed)
    except ForgeError as exc:
        return failed_publication(ctx, "pull-request", exc, branch, pushed=outcome.pushed)
    published(ctx.audit, pr)
    return pr


def failed_publication(
    ctx: RunContext,
    stage: Literal["push", "pull-request"],
    exc: GitRemoteError | ForgeError,
    branch: str,
    pushed: bool,
) -> PublishFailure:
    failure = PublishFailure(
        stage=stage,
        code=exc.code,
        reason=str(exc),
        attempts=exc.attempts,
        transient=exc.transient,
        branch=branch,
        pushed=pushed,
    )
    log.info("publication of %s failed after %d tries: %s", branch, exc.attempts, exc)
    publish_failed(ctx.audit, failure)
    return failure


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

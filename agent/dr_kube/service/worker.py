"""Background workers: claim incidents from the store, run or resume their graph, post replies."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, Protocol

from dr_kube.cluster.evidence import Evidence
from dr_kube.config.service import Settings
from dr_kube.diagnose.guidance import describe, interpret
from dr_kube.errors import DrKubeError
from dr_kube.gitops.forges.base import Forge
from dr_kube.gitops.pr import with_alerts
from dr_kube.gitops.repo import write_lock
from dr_kube.graph.context import RunContext
from dr_kube.graph.runner import ServiceRun, paused_round, run_checkpointed, thread_evidence
from dr_kube.incidents.identity import subject_of_key
from dr_kube.models import Result
from dr_kube.service.branches import BranchJanitor
from dr_kube.service.telemetry import Metrics
from dr_kube.store import Claim, Store
from dr_kube.store.run import bind_store

log = logging.getLogger(__name__)


@dataclasses.dataclass
class ServiceContext(RunContext):
    """The run context in service mode: after a PR the run pauses for review."""

    await_review: bool = True


class RunHooks(Protocol):
    """What the operator features do around a run (Slack thread, mode, the fix's application)."""

    def before_run(self, claim: Claim, ctx: ServiceContext) -> None: ...
    def after_run(self, claim: Claim, run: ServiceRun, review: dict[str, Any] | None) -> None: ...


def thread_id(incident_id: str, generation: int) -> str:
    return incident_id if generation <= 1 else f"{incident_id}-g{generation}"


class Worker:
    def __init__(
        self,
        store: Store,
        graph: Any,
        make_context: Callable[[], RunContext],
        settings: Settings,
        metrics: Metrics,
        reviews: Forge | None = None,
        hooks: RunHooks | None = None,
        branches: BranchJanitor | None = None,
    ) -> None:
        self.hooks = hooks
        self.branches = branches
        self.store = store
        self.graph = graph
        self.make_context = make_context
        self.settings = settings
        self.metrics = metrics
        self.reviews = reviews
        self.name = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.stop = threading.Event()
        self.wake = threading.Event()
        self.threads: list[threading.Thread] = []

    # ---- lifecycle ----------------------------------------------------------------------------
    def start(self) -> None:
        for n in range(self.settings.workers):
            t = threading.Thread(target=self._loop, name=f"dr-kube-worker-{n}", daemon=True)
            t.start()
            self.threads.append(t)
        t = threading.Thread(target=self._outbox_loop, name="dr-kube-outbox", daemon=True)
        t.start()
        self.threads.append(t)

    def shutdown(self, timeout: float = 10.0) -> None:
        self.stop.set()
        self.wake.set()
        for t in self.threads:
            t.join(timeout)

    def evidence(self, incident_id: str, generation: int) -> Evidence | None:
        """What the incident's current run collected, read from its checkpoint (the console)."""
        return thread_evidence(self.graph, thread_id(incident_id, generation))

    def _loop(self) -> None:
        while not self.stop.is_set():
            try:
                claim = self.store.claim(self.name, self.settings.lease_seconds)
            except Exception:
                log.exception("claiming work failed")
                claim = None
            if claim is None:
                self.wake.wait(self.settings.poll_seconds)
                self.wake.clear()
                continue
            self.process(claim)

    # ---- one claimed incident -----------------------------------------------------------------
    def process(self, claim: Claim) -> None:
        stop_beat = threading.Event()
        beat = threading.Thread(target=self._heartbeat, args=(claim.id, stop_beat), daemon=True)
        beat.start()
        try:
            if self._over_budget(claim):
                return
            self._run(claim)
        finally:
            stop_beat.set()
            beat.join(5)

    def _heartbeat(self, incident_id: str, stop: threading.Event) -> None:
        interval = max(self.settings.lease_seconds / 3, 0.2)
        while not stop.wait(interval):
            try:
                if not self.store.heartbeat(incident_id, self.name, self.settings.lease_seconds):
                    log.debug("no longer holding the lease on incident %s", incident_id)
            except Exception:
                log.exception("heartbeat failed for incident %s", incident_id)

    def _over_budget(self, claim: Claim) -> bool:
        s = self.settings
        reason = None
        if s.llm_calls_per_incident and claim.llm_calls >= s.llm_calls_per_incident:
            reason = f"LLM budget per incident reached ({claim.llm_calls} calls)"
        elif s.llm_tokens_per_incident and claim.llm_tokens >= s.llm_tokens_per_incident:
            reason = f"LLM token budget per incident reached ({claim.llm_tokens} tokens)"
        if reason:
            self.metrics.limits.labels("llm-per-incident").inc()
            self.store.release(
                claim.id,
                self.name,
                fields={"status": "needs-human", "needs_run": 0, "limit_hit": reason},
                event=f"budget hit: {reason}; a human is needed",
            )
            return True
        if s.llm_calls_per_hour:
            used = self.store.llm_calls_since(time.time() - 3600)
            if used >= s.llm_calls_per_hour:
                reason = (
                    f"hourly LLM budget reached ({used} calls in the last hour); retrying later"
                )
                self.metrics.limits.labels("llm-per-hour").inc()
                self.store.release(
                    claim.id,
                    self.name,
                    fields={
                        "status": "queued",
                        "not_before": time.time() + 60,
                        "limit_hit": reason,
                    },
                    event=f"budget hit: {reason}",
                )
                return True
        return False

    def _run(self, claim: Claim) -> None:
        thread = thread_id(claim.id, claim.generation)
        paused = paused_round(self.graph, thread)
        review: dict[str, Any] | None = None
        if claim.pending and paused is not None:
            review = claim.pending[0]
            if (
                paused > claim.reviews_applied
            ):  # applied before a crash; only the bookkeeping is left
                self.store.take_pending(claim.id, 1)
                self.store.release(claim.id, self.name, fields=self._after_fields(claim.id))
                return
        elif claim.pending and paused is None and claim.status != "running":
            self._drop_pending(claim)
        kind = "resume" if review else "continue" if claim.runs and paused is None else "run"
        attempt = self.store.start_attempt(claim.id, claim.generation, kind, self.name)
        ctx = self.make_context()
        bind_store(ctx, self.store, claim.id)  # audit trail and memory of this incident
        if self.hooks is not None and isinstance(ctx, ServiceContext):
            self.hooks.before_run(claim, ctx)
        before = ctx.provider.usage.model_copy()
        self._refresh(ctx)
        started = time.monotonic()
        try:
            run = run_checkpointed(self.graph, claim.incident, ctx, thread, resume=review)
        except Exception as exc:
            self._failed(claim, attempt, exc)
            return
        finally:
            self.metrics.run_duration.observe(time.monotonic() - started)
        usage = ctx.provider.usage
        calls = usage.llm_calls - before.llm_calls
        tokens_in, tokens_out = (
            usage.tokens_in - before.tokens_in,
            usage.tokens_out - before.tokens_out,
        )
        self.metrics.llm_calls.inc(calls)
        self.metrics.llm_tokens.labels("in").inc(tokens_in)
        self.metrics.llm_tokens.labels("out").inc(tokens_out)
        self._record(claim, attempt, run, calls, tokens_in + tokens_out)
        if review is not None:
            self.store.take_pending(claim.id, 1)
            if review.get("action") in (None, "change"):  # Slack's *Open PR* needs no PR reply
                self._reply(claim, review, run)
        if self.hooks is not None:
            try:
                self.hooks.after_run(claim, run, review)
            except Exception:  # Slack and friends never block the PR path
                log.exception("operator hooks failed after the run of incident %s", claim.id)
        fields = self._after_fields(claim.id, run)
        if self._settle(claim, run) != claim.id:
            fields.pop("status", None)  # it joined an older incident of the same key: stays so
        self.store.release(claim.id, self.name, fields=fields)

    def _settle(self, claim: Claim, run: ServiceRun) -> str:
        """The diagnosis fixes the incident's key (workload, or node, and cause); the id that
        holds its alerts now (another one when that key was already open)."""
        result = run.result
        if result is None or result.diagnosis is None:
            return claim.id
        subject = subject_of_key(result.incident.key)
        return self.store.settle_identity(claim.id, subject, result.diagnosis.category)

    def _drop_pending(self, claim: Claim) -> None:
        for item in claim.pending:
            self.store.event(
                claim.id, "review", f"guidance from {item.get('author')} dropped: no paused run"
            )
        self.store.take_pending(claim.id, len(claim.pending))

    def _refresh(self, ctx: RunContext) -> None:
        """Bring the working copy to the fresh base so analysis reads today's values."""
        from dr_kube.gitops.repo import GitRepo

        try:
            with write_lock(ctx.repo):
                repo = GitRepo(ctx.repo)
                if repo.has_remote():
                    repo.refresh(ctx.base_branch or repo.default_base())
        except DrKubeError as exc:
            log.warning("could not refresh the GitOps working copy: %s", exc)

    def _record(self, claim: Claim, attempt: int, run: ServiceRun, calls: int, tokens: int) -> None:
        result = run.result
        fix = result.fix if result else None
        pr = result.pr if result else None
        if pr is not None and pr.action in ("opened", "updated", "draft"):
            self.metrics.prs.labels(pr.action).inc()
        for reason in fix.rejected_reasons if fix else []:
            code = reason.split(": ", 1)[-1].split(" ", 1)[0].split(":", 1)[0]
            self.metrics.validation_failures.labels(code or "other").inc()
        failure = result.publish_failure if result else None
        if failure is not None:
            self.metrics.publish_failures.labels(failure.stage, failure.code).inc()
            log.warning(
                "incident %s not published (%s after %d tries): %s",
                claim.id,
                failure.stage,
                failure.attempts,
                failure.reason,
            )
        outcome = "publish-failed" if failure else fix.status if fix else "unknown"
        self.metrics.runs.labels(outcome).inc()
        self.store.finish_attempt(
            attempt,
            status="paused" if run.paused else "done",
            fix_status=fix.status if fix else None,
            changes=json.dumps([c.model_dump(mode="json") for c in fix.changes]) if fix else None,
            validation_errors=json.dumps(fix.rejected_reasons) if fix else None,
            pr_action=pr.action if pr else None,
            llm_calls=calls,
            llm_tokens=tokens,
        )
        if calls or tokens:
            self.store.update(
                claim.id,
                llm_calls=claim.llm_calls + calls,
                llm_tokens=claim.llm_tokens + tokens,
            )

    def _after_fields(self, incident_id: str, run: ServiceRun | None = None) -> dict[str, Any]:
        detail = self.store.get_incident(incident_id) or {}
        pending = json.loads(detail.get("pending") or "[]")
        fields: dict[str, Any] = {"needs_run": 1 if pending else 0, "error": None, "failures": 0}
        if run is None:
            fields["status"] = "queued" if pending else detail.get("status", "awaiting-review")
            return fields
        result = run.result
        if result is not None:
            fields["result"] = json.dumps(result.to_json_dict())
            fields["category"] = result.diagnosis.category if result.diagnosis else "unknown"
        pr = result.pr if result else None
        if pr is not None:
            fields["branch"] = pr.branch
            if pr.number is not None:
                fields["pr_number"] = pr.number
                fields["pr_url"] = pr.url
        failure = result.publish_failure if result else None
        if failure is not None:  # the work stands; a later alert re-opens it (a new run)
            fields["status"] = "failed"
            fields["error"] = (
                f"publication failed ({failure.stage}, {failure.code}, "
                f"{failure.attempts} tries): {failure.reason}"
            )
            fields["outcome"] = "not published: a later alert for it tries again"
            if failure.pushed:
                fields["branch"] = failure.branch
        elif pending:
            fields["status"] = "queued"
        elif run.paused and pr is None:
            fields["status"] = "awaiting-approval"  # copilot mode: an approver answers in Slack
        elif run.paused:
            fields["status"] = "awaiting-review"
        elif pr is not None and pr.disabled is not None and pr.pushed:
            fields["status"] = "pushed"  # pull requests are off: the pushed branch is the end
            fields["outcome"] = f"branch {pr.branch} pushed, no PR: {pr.disabled}"
        elif result is not None and result.fix.status == "proposed" and pr is None:
            fields["status"] = "observed"
            fields["outcome"] = "observe mode: proposal posted, no PR opened"
        else:
            fields["status"] = "needs-human"
            if result is not None and result.fix.reason:
                fields["outcome"] = f"no PR: {result.fix.reason}"
        return fields

    def _failed(self, claim: Claim, attempt: int, exc: Exception) -> None:
        failures = self.store.get_incident(claim.id) or {}
        count = int(failures.get("failures") or 0) + 1
        message = f"{type(exc).__name__}: {exc}"
        log.warning("run of incident %s failed (%d): %s", claim.id, count, message)
        self.store.finish_attempt(attempt, status="failed", error=message)
        self.metrics.runs.labels("error").inc()
        give_up = count >= self.settings.max_failures or isinstance(exc, DrKubeError)
        self.store.release(
            claim.id,
            self.name,
            fields={
                "failures": count,
                "error": message,
                "status": "failed" if give_up else "queued",
                "needs_run": 0 if give_up else 1,
                "not_before": time.time() + min(2**count, 60),
            },
            event=f"run failed: {message}" + ("; giving up" if give_up else "; will retry"),
        )

    # ---- replies ------------------------------------------------------------------------------
    def _reply(self, claim: Claim, review: dict[str, Any], run: ServiceRun) -> None:
        text = reply_text(review, run.result)
        detail = self.store.get_incident(claim.id) or {}
        number = detail.get("pr_number")
        if text is None:
            self.store.event(claim.id, "review", f"applied guidance from {review.get('author')}")
            return
        self.store.outbox_add(claim.id, number, "comment", text)
        self.wake.set()

    def _outbox_loop(self) -> None:
        while not self.stop.is_set():
            try:
                items = self.store.outbox_pending()
            except Exception:
                log.exception("reading the outbox failed")
                items = []
            for item in items:
                self._send(item)
            self.stop.wait(self.settings.poll_seconds)

    def _send(self, item: dict[str, Any]) -> None:
        if item["kind"] == "delete-branch":
            self._delete_branch(item)
            return
        number = item.get("pr_number")
        if self.reviews is None or number is None:
            self.store.outbox_done(item["id"], "recorded only: no GitHub pull request")
            return
        try:
            if item["kind"] == "close":
                self.reviews.close(int(number))
            elif item["kind"] == "alerts":
                alerts = self.store.alerts_of(item["incident_id"])
                if not self.reviews.update_body(int(number), lambda b: with_alerts(b, alerts)):
                    self.store.outbox_done(item["id"], "unchanged")
                    return
            else:
                self.reviews.comment(int(number), item["body"])
        except Exception as exc:
            log.warning("posting to PR #%s failed: %s", number, exc)
            self.store.outbox_done(item["id"], f"failed: {type(exc).__name__}", ok=False)
            return
        self.store.outbox_done(item["id"], "posted")
        self.store.event(item["incident_id"], "comment", f"posted {item['kind']} to PR #{number}")

    def _delete_branch(self, item: dict[str, Any]) -> None:
        branch = str(item["body"])
        if self.branches is None:
            self.store.outbox_done(item["id"], "kept: no working copy to delete it from")
            return
        detail = self.store.get_incident(item["incident_id"]) or {}
        pr = (json.loads(detail.get("result") or "null") or {}).get("pr") or {}
        note = self.branches.delete(branch, pr.get("commit"))
        # once: a branch left behind is harmless, git against an unreachable origin in a loop is not
        self.store.outbox_done(item["id"], note)
        self.store.event(item["incident_id"], "cleanup", f"resolved without a merge: {note}")


def reply_text(review: dict[str, Any], result: Result | None) -> str | None:
    """The agent's answer to a review; None when the pushed commit's own comment says it all."""
    author = review.get("author", "reviewer")
    guidance = str(review.get("guidance", ""))
    found = interpret([guidance])
    pr = result.pr if result else None
    pushed = pr is not None and pr.action in ("updated", "draft", "opened") and result is not None
    pushed = pushed and result is not None and result.fix.status == "proposed"
    lines: list[str] = []
    if result is not None and result.publish_failure is not None:
        failure = result.publish_failure
        lines.append(
            f"@{author}: I made the change but could not publish it ({failure.stage} failed "
            f"after {failure.attempts} tries: {failure.reason}). The PR is unchanged; the next "
            "alert for this incident tries again."
        )
    elif result is not None and result.fix.status != "proposed":
        lines.append(f"@{author}: I could not apply your guidance; the PR is unchanged.")
        reasons = result.fix.rejected_reasons or [result.fix.reason or "no proposal"]
        lines += ["", "Why:"] + [f"- {r}" for r in reasons[:8]]
    elif found.unknown and not found.understood:
        lines.append(
            f"@{author}: I could not apply your guidance: I did not understand "
            + "; ".join(f"“{u}”" for u in found.unknown)
            + ". I understand e.g. “use 384Mi”, “raise requests too”, “don't touch cpu”."
        )
    elif found.unknown:
        lines.append(
            f"@{author}: I applied: {', '.join(describe(found))}; I did not understand "
            + "; ".join(f"“{u}”" for u in found.unknown)
            + "."
        )
    elif not pushed or (pr is not None and pr.action == "draft"):
        done = ", ".join(describe(found)) or "your guidance"
        changes = result.fix.changes if result else []
        lines.append(f"@{author}: applied {done}. The PR now changes:")
        lines += [f"- `{c.dotted()}`: {c.old} → {c.new}" for c in changes]
    else:
        return None
    return "\n".join(lines)

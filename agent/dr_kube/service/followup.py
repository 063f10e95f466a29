"""The follow-up around a run and after its merge: the incident's Slack thread, copilot mode,
Argo CD's sync and the verification window.

`FollowUp` holds the parts and their two background loops (Slack outbox, verification); its
`hooks` are what the worker, the GitHub handler and the intake call. Nothing here blocks the PR
path: Slack calls happen only in the outbox loop, and every hook only writes to the store.
"""

from __future__ import annotations

import json
import logging
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dr_kube.cluster.promql import Prometheus
from dr_kube.config.operators import OperatorSettings
from dr_kube.decisions import Decisions
from dr_kube.graph.runner import ServiceRun
from dr_kube.service.argocd import ArgoCDHandler
from dr_kube.service.verification import Target, verify
from dr_kube.slack import blocks
from dr_kube.slack.client import Approvers, SlackClient
from dr_kube.slack.interactivity import SlackActions
from dr_kube.slack.outbox import SlackNotifier, SlackSender
from dr_kube.store import Claim, Store
from dr_kube.store.ops import OpsStore

log = logging.getLogger(__name__)


def clock(ts: float) -> str:
    return time.strftime("%H:%M:%S UTC", time.gmtime(ts))


class FollowUpHooks:
    def __init__(
        self, store: Store, ops: OpsStore, notify: SlackNotifier, settings: OperatorSettings
    ) -> None:
        self.store = store
        self.ops = ops
        self.notify = notify
        self.settings = settings

    # ---- around a run (worker) ----------------------------------------------------------------
    def before_run(self, claim: Claim, ctx: Any) -> None:
        ns = claim.incident.namespace
        try:
            row = self.ops.ensure(
                claim.id,
                ctx.policy.mode_for(ns, self.settings.mode),
                ctx.policy.slack_channel_for(ns, self.settings.slack_channel),
            )
            ctx.mode = row["mode"]
        except Exception:
            log.exception(
                "operator state of incident %s unavailable; mode %s", claim.id, self.settings.mode
            )
            ctx.mode = self.settings.mode

    def after_run(self, claim: Claim, run: ServiceRun, review: dict[str, Any] | None) -> None:
        location = run.values.get("location")
        app = getattr(location, "app", None) or (
            location.get("app") if isinstance(location, dict) else None
        )
        if app:
            self.ops.set(claim.id, app=app)
        result = run.result
        if result is None:
            return
        data = result.to_json_dict()
        row = self.ops.get(claim.id) or {}
        mode = str(row.get("mode") or self.settings.mode)
        incident = {
            "id": claim.id,
            "namespace": claim.incident.namespace,
            "workload": claim.incident.workload.name
            if claim.incident.workload
            else claim.incident.pod,
            "category": result.diagnosis.category if result.diagnosis else "unknown",
        }
        awaiting = run.paused and result.pr is None
        links = {"grafana": self.settings.grafana_url, "prometheus": self.settings.prometheus_url}
        if not self.ops.slack_has_root(claim.id):
            text, body = blocks.proposal(incident, data, mode, buttons=awaiting, **links)
            self.notify.root(claim.id, text, body)
            return
        pr = result.pr
        who = str(review.get("author")) if review else None
        if awaiting:
            text, body = blocks.proposal(
                incident, data, mode, buttons=True, title="Updated proposal", **links
            )
            self.notify.settle(claim.id, "Superseded by the updated proposal in this thread.")
            self.notify.reply(claim.id, text, body)
        elif pr is not None and pr.action == "opened" and claim.pr_number is None:
            where = f"<{pr.url}|PR #{pr.number}>" if pr.url else f"branch `{pr.branch}`"
            self.notify.reply(claim.id, f"Opened {where}.")
        elif review is not None and result.fix.status != "proposed":
            reasons = result.fix.rejected_reasons or [result.fix.reason or "no proposal"]
            self.notify.reply(
                claim.id,
                f"Could not apply the guidance from {who}; nothing changed:\n"
                + "\n".join(f"• {r}" for r in reasons[:5]),
            )
        elif review is not None and pr is not None:
            table = blocks.change_table([c.model_dump(mode="json") for c in result.fix.changes])
            self.notify.reply(
                claim.id, f"Applied the review comment from {who}; PR updated:\n{table}"
            )

    # ---- PR closed (GitHub handler) -----------------------------------------------------------
    def pr_closed(self, incident_id: str, merged: bool, by: str, sha: str | None) -> None:
        if not merged:
            self.notify.reply(incident_id, f"PR closed without merge by {by}.")
            return
        window = self.settings.verify_window
        self.ops.merged(incident_id, sha, window)
        until = time.time() + window
        self.store.event(
            incident_id,
            "verify",
            f"merged ({(sha or 'unknown commit')[:12]}); verification at {clock(until)} "
            "unless Argo CD reports the sync first",
        )
        self.notify.reply(
            incident_id,
            f"Merged by {by}. Waiting for Argo CD to sync; without its notification the "
            f"verification runs at {clock(until)} (merge + {window / 60:g} min).",
        )

    # ---- intake (resolved / fired again) ------------------------------------------------------
    def alert_event(self, incident_id: str, action: str) -> None:
        if action == "resolved":
            self.notify.settle(
                incident_id, "The alert resolved before a decision: nothing to approve."
            )
            self.notify.reply(incident_id, "The alert resolved.")
        elif action == "refired":
            self.notify.reply(incident_id, "The alert fired again after the merge: not enough.")


class Verifier:
    """Runs due verifications: `verify_at` lives in the store, so a restart loses none."""

    def __init__(
        self,
        store: Store,
        ops: OpsStore,
        notify: SlackNotifier,
        prometheus_url: str | None,
        wake: Callable[[], None] = lambda: None,
    ) -> None:
        self.store = store
        self.ops = ops
        self.notify = notify
        self.prometheus_url = prometheus_url
        self.wake = wake

    def run_once(self) -> bool:
        row = self.ops.claim_verification()
        if row is None:
            return False
        incident_id = row["incident_id"]
        try:
            self._verify(incident_id, row)
        except Exception as exc:
            log.warning("verification of incident %s failed: %s; retrying", incident_id, exc)
            self.ops.set(incident_id, verify_at=time.time() + 30, verify_lease=0)
            self.store.event(
                incident_id, "verify", f"Prometheus unavailable ({type(exc).__name__}); retrying"
            )
        return True

    def _verify(self, incident_id: str, row: dict[str, Any]) -> None:
        inc = self.ops.incident(incident_id)
        assert inc is not None
        if not self.prometheus_url:
            self.ops.set(incident_id, verify_at=None, verify_lease=0)
            self.store.event(
                incident_id, "verify", "no Prometheus configured: waiting for the alert"
            )
            return
        result = json.loads(inc["result"] or "{}")
        labels = json.loads(inc["incident"] or "{}").get("labels") or {}
        target = Target(
            namespace=inc["namespace"],
            workload=inc["workload"],
            container=labels.get("container"),
            category=inc["category"],
            changes=(result.get("fix") or {}).get("changes") or [],
        )
        start = float(row["verify_from"] or row["merged_at"] or row["verify_at"])
        report = verify(Prometheus(self.prometheus_url), target, start, float(row["verify_at"]))
        summary = report.summary()
        data = report.model_dump(mode="json")
        pr = inc["pr_number"]
        if report.outcome == "verified":
            self.ops.verified(incident_id, summary, data, pr)
            self.notify.reply(incident_id, f"✅ Verified {summary}")
        elif report.outcome == "not-enough":
            again = self.ops.not_enough(incident_id, summary, data, pr)
            follow = (
                "Starting the next attempt from the merged values."
                if again
                else "Attempt cap reached: a human is needed (history in the incident)."
            )
            self.notify.reply(incident_id, f"⚠️ Not enough {summary}\n{follow}")
            if again:
                self.wake()
        else:
            self.ops.set(incident_id, verify_at=None, verify_lease=0, verification=json.dumps(data))
            self.store.event(incident_id, "verify", f"unknown: {summary}; waiting for the alert")
            self.notify.reply(incident_id, f"Could not verify: Prometheus has no data ({summary}).")


def git_is_ancestor(repo: Path) -> Callable[[str, str], bool]:
    def check(ancestor: str, revision: str) -> bool:
        subprocess.run(
            ["git", "-C", str(repo), "fetch", "--quiet", "origin"],
            check=False,
            timeout=30,
            capture_output=True,
        )
        done = subprocess.run(
            ["git", "-C", str(repo), "merge-base", "--is-ancestor", ancestor, revision],
            check=False,
            timeout=30,
            capture_output=True,
        )
        return done.returncode == 0

    return check


def gitops_apps(repo: Path) -> Callable[[], set[str]]:
    def names() -> set[str]:
        from dr_kube.gitops.apps import load_applications

        return {a.name for a in load_applications(repo)}

    return names


class FollowUp:
    """The follow-up, wired: operator state in the store, Slack, Argo CD, verification loops."""

    def __init__(
        self,
        store: Store,
        settings: OperatorSettings,
        repo: Path | None = None,
        prometheus_url: str | None = None,
        poll: float = 0.5,
    ) -> None:
        self.settings = settings
        self.store = store
        self.ops = OpsStore(store)
        self.ops.init()
        self.notify = SlackNotifier(self.ops, settings)
        self.client: SlackClient | None = None
        if settings.slack_token is not None:
            self.client = SlackClient(
                settings.slack_token.get_secret_value(),
                settings.slack_api_url,
                settings.slack_timeout,
            )
        self.hooks = FollowUpHooks(store, self.ops, self.notify, settings)
        self.wake: Callable[[], None] = lambda: None
        # Slack's buttons and the web console decide through the same rules and records
        self.decisions = Decisions(store, self.ops, self.notify, wake=lambda: self.wake())
        self.slack = SlackActions(
            self.client, Approvers(settings.slack_approvers, self.client), self.decisions
        )
        self.argocd = ArgoCDHandler(
            store,
            self.ops,
            self.notify,
            settings,
            known_apps=gitops_apps(repo) if repo else set,
            is_ancestor=git_is_ancestor(repo) if repo else None,
        )
        self.sender = (
            SlackSender(self.ops, store, self.client, settings)
            if self.client is not None and settings.slack_enabled
            else None
        )
        self.verifier = Verifier(
            store,
            self.ops,
            self.notify,
            settings.prometheus_url or prometheus_url,
            wake=lambda: self.wake(),
        )
        self.poll = poll
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        loops: list[tuple[str, Callable[[], Any]]] = [("dr-kube-verify", self._verify_loop)]
        if self.sender is not None:
            loops.append(("dr-kube-slack", self._slack_loop))
        for name, target in loops:
            t = threading.Thread(target=target, name=name, daemon=True)
            t.start()
            self.threads.append(t)

    def shutdown(self, timeout: float = 10.0) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout)

    def _slack_loop(self) -> None:
        assert self.sender is not None
        while not self.stop.is_set():
            try:
                sent = self.sender.run_once()
            except Exception:
                log.exception("the Slack outbox failed")
                sent = 0
            if not sent:
                self.stop.wait(self.poll)

    def _verify_loop(self) -> None:
        while not self.stop.is_set():
            try:
                busy = self.verifier.run_once()
            except Exception:
                log.exception("the verification loop failed")
                busy = False
            if not busy:
                self.stop.wait(max(self.poll, self.settings.verify_poll))

"""GitHub webhook deliveries: review comments resume runs, PR closes record outcomes."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from dr_kube.config.service import Settings
from dr_kube.gitops.forges.base import REPLY_MARKER, Forge
from dr_kube.incidents.lifecycle import is_open
from dr_kube.service.telemetry import Metrics
from dr_kube.store import Store

log = logging.getLogger(__name__)
REVIEW_EVENTS = ("issue_comment", "pull_request_review", "pull_request_review_comment")


class GitHubUser(BaseModel):
    model_config = ConfigDict(extra="allow")
    login: str
    type: str = "User"


class Ref(BaseModel):
    model_config = ConfigDict(extra="allow")
    ref: str = ""


class PullRequest(BaseModel):
    model_config = ConfigDict(extra="allow")
    number: int
    merged: bool | None = False
    head: Ref = Field(default_factory=Ref)
    merged_by: GitHubUser | None = None
    merge_commit_sha: str | None = None


class Issue(BaseModel):
    model_config = ConfigDict(extra="allow")
    number: int
    pull_request: dict[str, Any] | None = None


class Comment(BaseModel):
    """A comment or a review: its id and edit time tell one edit of it from another."""

    model_config = ConfigDict(extra="allow")
    id: int | None = None
    body: str | None = ""
    user: GitHubUser
    updated_at: str | None = None
    submitted_at: str | None = None

    def key(self, event: str) -> str | None:
        """`event:id:edit time`: every delivery of one edit of a comment has the same key."""
        if self.id is None:
            return None
        return f"{event}:{self.id}:{self.updated_at or self.submitted_at or ''}"


class Delivery(BaseModel):
    """The fields DR-Kube reads from the events it subscribes to."""

    model_config = ConfigDict(extra="allow")
    action: str | None = None
    issue: Issue | None = None
    comment: Comment | None = None
    review: Comment | None = None
    pull_request: PullRequest | None = None
    sender: GitHubUser | None = None


@dataclass
class Outcome:
    code: int
    status: str
    reason: str | None = None
    incident: str | None = None


@dataclass
class ReviewEvent:
    number: int
    branch: str | None
    author: GitHubUser
    body: str
    comment: str | None = None  # Comment.key: the same comment in the same edit is one request


# `edited`: a comment changed after it was posted is a new request (its edit time tells it apart).
COMMENT_ACTIONS = ("created", "edited")
REVIEW_ACTIONS = ("submitted", "edited")


def review_event(event: str, d: Delivery) -> ReviewEvent | str:
    """The comment a review event carries, or why it is not one DR-Kube acts on."""
    if event == "issue_comment":
        if d.action not in COMMENT_ACTIONS or d.issue is None or d.comment is None:
            return f"issue_comment action {d.action}"
        if d.issue.pull_request is None:
            return "a comment on an issue, not a pull request"
        c = d.comment
        return ReviewEvent(d.issue.number, None, c.user, c.body or "", c.key(event))
    if event == "pull_request_review":
        if d.action not in REVIEW_ACTIONS or d.review is None or d.pull_request is None:
            return f"pull_request_review action {d.action}"
        pr, r = d.pull_request, d.review
        return ReviewEvent(pr.number, pr.head.ref, r.user, r.body or "", r.key(event))
    if d.action not in COMMENT_ACTIONS or d.comment is None or d.pull_request is None:
        return f"pull_request_review_comment action {d.action}"
    pr, c = d.pull_request, d.comment
    return ReviewEvent(pr.number, pr.head.ref, c.user, c.body or "", c.key(event))


class GitHubHandler:
    def __init__(
        self,
        store: Store,
        settings: Settings,
        metrics: Metrics,
        reviews: Forge | None,
        on_closed: Callable[[str, bool, str, str | None], None] | None = None,
    ) -> None:
        self.on_closed = on_closed  # (incident, merged, by, merge sha): Slack, verification
        self.store = store
        self.settings = settings
        self.metrics = metrics
        self.reviews = reviews

    def handle(self, event: str, delivery_id: str | None, data: Delivery) -> Outcome:
        if event == "ping":
            return Outcome(200, "pong")
        if event == "pull_request":
            return self._pull_request(data)
        if event in REVIEW_EVENTS:
            return self._review(event, delivery_id, data)
        return Outcome(200, "ignored", f"event {event!r} is not used")

    def _pull_request(self, d: Delivery) -> Outcome:
        if d.action != "closed" or d.pull_request is None:
            return Outcome(200, "ignored", f"pull_request action {d.action}")
        pr = d.pull_request
        row = self.store.find_by_pr(pr.number, pr.head.ref or None)
        if row is None:
            return Outcome(200, "ignored", "not a DR-Kube pull request")
        if not is_open(row["status"]):
            return Outcome(200, "ignored", "incident already closed", row["id"])
        by = (pr.merged_by or d.sender or GitHubUser(login="unknown")).login
        self.store.pr_closed(row["id"], bool(pr.merged), by)
        if self.on_closed is not None:
            try:
                self.on_closed(row["id"], bool(pr.merged), by, pr.merge_commit_sha)
            except Exception:
                log.exception("follow-up of the PR close of incident %s failed", row["id"])
        self.metrics.reviews.labels("merged" if pr.merged else "closed").inc()
        return Outcome(200, "recorded", "merged" if pr.merged else "closed", row["id"])

    def _review(self, event: str, delivery_id: str | None, d: Delivery) -> Outcome:
        found = review_event(event, d)
        if isinstance(found, str):
            return Outcome(200, "ignored", found)
        if delivery_id and self.store.seen_delivery(delivery_id):
            return Outcome(200, "duplicate", f"delivery {delivery_id} was already handled")
        # The delivery id is the sender's to choose: the comment's id and edit time are GitHub's.
        if found.comment and self.store.seen_comment(found.comment):
            return Outcome(200, "duplicate", f"comment {found.comment} was already handled")
        row = self.store.find_by_pr(found.number, found.branch)
        if row is None:
            return Outcome(200, "ignored", "not a DR-Kube pull request")
        body = found.body.strip()
        login = found.author.login
        record: dict[str, Any] = {
            "delivery": delivery_id,
            "event": event,
            "author": login,
            "comment": found.comment,
        }
        duplicate = Outcome(200, "duplicate", f"comment {found.comment} was already handled")

        def ignore(reason: str) -> Outcome:
            log.info("ignored %s from %s on PR #%s: %s", event, login, found.number, reason)
            if (
                self.store.add_review(
                    row["id"], body=body, action="ignored", reason=reason, **record
                )
                is None
            ):
                return duplicate
            self.metrics.reviews.labels("ignored").inc()
            return Outcome(200, "ignored", reason, row["id"])

        if (
            found.author.type == "Bot"
            or login.lower() in self.settings.bot_logins
            or REPLY_MARKER in body
            or "<!-- dr-kube" in body
        ):
            return ignore("the bot's own comment")
        if not body:
            return ignore("empty comment")
        if not is_open(row["status"]):
            return ignore(f"the incident is {row['status']}")
        if not self._permitted(login):
            return ignore(f"{login} has no write permission on the repository")
        if body.lower().startswith("/dr-kube close"):
            if self.store.add_review(row["id"], body=body, action="close", **record) is None:
                return duplicate
            self.store.outbox_add(
                row["id"], row["pr_number"], "comment", f"Closing at @{login}'s request."
            )
            self.store.outbox_add(row["id"], row["pr_number"], "close", "")
            self.store.pr_closed(row["id"], False, login)
            self.metrics.reviews.labels("close").inc()
            return Outcome(202, "closed", None, row["id"])
        if body.startswith("/"):
            return ignore(f"unknown command {body.split()[0]!r}")
        if row["status"] == "merged":
            return ignore("the PR is merged; waiting for the alert to resolve")
        if self.store.add_review(row["id"], body=body, action="queued", **record) is None:
            return duplicate
        self.metrics.reviews.labels("queued").inc()
        return Outcome(202, "queued", None, row["id"])

    def _permitted(self, login: str) -> bool:
        if login.lower() in self.settings.reviewers:
            return True
        if self.reviews is None:
            return False
        try:
            return self.reviews.can_write(login)
        except Exception as exc:
            log.warning("permission check for %s failed: %s", login, exc)
            return False

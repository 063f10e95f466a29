"""No forge configured: the result carries the PR's title and body and the branch that was pushed."""

from __future__ import annotations

import logging
from collections.abc import Callable

from dr_kube.gitops.forges.base import PullRequestSpec
from dr_kube.models import PullRequestInfo

log = logging.getLogger(__name__)


class LocalForge:
    """No token: the result carries the PR's title and body and the branch that was pushed."""

    takes_reviews = False

    def __init__(self, disabled: str | None = None) -> None:
        self.disabled = disabled

    def publish(
        self, spec: PullRequestSpec, commit: str | None, changed: bool, pushed: bool
    ) -> PullRequestInfo:
        return PullRequestInfo(
            action="draft",
            branch=spec.branch,
            base=spec.base,
            commit=commit,
            pushed=pushed,
            title=spec.title,
            body=spec.body,
            disabled=self.disabled,
        )

    def can_write(self, login: str) -> bool:
        return False  # no forge, no reviews to take

    def comment(self, number: int, body: str) -> None:
        log.info("no forge configured: comment on #%s not posted", number)

    def update_body(self, number: int, edit: Callable[[str], str]) -> bool:
        log.info("no forge configured: #%s not updated", number)
        return False

    def close(self, number: int) -> None:
        log.info("no forge configured: #%s not closed", number)

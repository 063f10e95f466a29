"""The forge interface: where a fix becomes a pull request, and where its review is answered."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from dr_kube.gitops.retry import RemoteError
from dr_kube.models import PullRequestInfo

REPLY_MARKER = "<!-- dr-kube:reply -->"  # marks our own comments, so they are not read as reviews


class ForgeError(RemoteError):
    """The forge refused or failed a call (classified: see RemoteError)."""

    def __init__(
        self,
        message: str,
        *,
        code: str = "forge-error",
        transient: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, code=code, transient=transient, retry_after=retry_after)


@dataclass
class PullRequestSpec:
    branch: str
    base: str
    title: str
    body: str
    labels: list[str] = field(default_factory=list)
    update_comment: str = ""


class Forge(Protocol):
    """One per hosting service (GitHub today): open or update the PR, answer on it, close it."""

    # whether its PRs get reviews that come back to DR-Kube (the local draft has none)
    takes_reviews: bool
    # why no pull request is opened, with what to set; None when this forge opens them
    disabled: str | None

    def publish(
        self, spec: PullRequestSpec, commit: str | None, changed: bool, pushed: bool
    ) -> PullRequestInfo: ...

    def can_write(self, login: str) -> bool:
        """Whether a reviewer may steer the fix (write access to the repository)."""
        ...

    def comment(self, number: int, body: str) -> None: ...

    def update_body(self, number: int, edit: Callable[[str], str]) -> bool:
        """Rewrite the PR's description with `edit`; whether it changed."""
        ...

    def close(self, number: int) -> None: ...

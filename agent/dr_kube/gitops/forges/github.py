"""GitHub through PyGithub: one PR per branch, review replies, closing; one client.

Every call is tried again on a 5xx, a network error or a rate limit (waiting as `Retry-After` or
`x-ratelimit-reset` says), as the forge's RetryPolicy allows; other answers fail at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from http import HTTPStatus
from typing import Any, Literal, TypeVar

from dr_kube.gitops.forges.base import REPLY_MARKER, ForgeError, PullRequestSpec
from dr_kube.gitops.retry import NO_RETRY, RetryPolicy, retrying
from dr_kube.models import PullRequestInfo

WRITE_PERMISSIONS = {"admin", "maintain", "write"}
PERMANENT_CODES = {401: "github-auth", 403: "github-forbidden", 404: "github-not-found"}

T = TypeVar("T")


def rate_limit_wait(status: int, headers: dict[str, str], now: float) -> float | None:
    """Seconds GitHub asks to wait before the next call, when the answer is a rate limit."""
    if status not in (403, 429):
        return None
    retry_after = headers.get("retry-after", "")
    if retry_after.strip().isdigit():
        return float(retry_after)
    reset = headers.get("x-ratelimit-reset", "")
    if headers.get("x-ratelimit-remaining") == "0" and reset.strip().isdigit():
        return max(float(reset) - now, 0.0) + 1.0
    return 60.0 if status == 429 else None


def status_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "error"


def forge_error(repo: str, exc: Exception) -> ForgeError:
    """PyGithub's exception (or the transport's) as a ForgeError classified for retries."""
    from github import GithubException
    from requests import RequestException

    if isinstance(exc, RequestException):
        reason = str(exc).split("(Caused by", 1)[0].strip() or type(exc).__name__
        return ForgeError(f"GitHub {repo}: {reason}", code="github-network", transient=True)
    assert isinstance(exc, GithubException)
    message = exc.data.get("message") if isinstance(exc.data, dict) else exc.data
    if not isinstance(message, str) or not message.strip():  # a proxy's HTML page, no body
        message = status_phrase(exc.status)
    text = f"GitHub {repo}: {exc.status} {' '.join(message.split())[:200]}"
    headers = {k.lower(): str(v) for k, v in (exc.headers or {}).items()}
    wait = rate_limit_wait(exc.status, headers, time.time())
    if wait is not None:
        return ForgeError(
            f"{text} (rate limited: retry in {wait:.0f} s)",
            code="github-rate-limit",
            transient=True,
            retry_after=wait,
        )
    if exc.status >= 500:
        return ForgeError(text, code="github-5xx", transient=True)
    code = PERMANENT_CODES.get(exc.status, "github-4xx")
    return ForgeError(text, code=code, transient=False)


class GitHubForge:
    """Opens one PR per branch and updates it afterwards; never a second one."""

    takes_reviews = True
    disabled: str | None = None

    def __init__(
        self,
        token: str,
        repo: str,
        base_url: str | None = None,
        retry: RetryPolicy = NO_RETRY,
    ) -> None:
        from github import Auth, Github

        options: dict[str, Any] = {"base_url": base_url} if base_url else {}
        self._gh = Github(auth=Auth.Token(token), retry=None, timeout=30, lazy=True, **options)
        self.repo_name = repo
        self.retry = retry

    def _call(self, what: str, call: Callable[[], T], retry: RetryPolicy | None = None) -> T:
        """`call()` with PyGithub's and the transport's errors as ForgeErrors, tried again while
        they are transient (as `retry` says, the forge's policy by default)."""
        from github import GithubException
        from requests import RequestException

        def once() -> T:
            try:
                return call()
            except (GithubException, RequestException) as exc:
                raise forge_error(self.repo_name, exc) from None

        return retrying(retry or self.retry, f"GitHub {self.repo_name}: {what}", once)

    def publish(
        self, spec: PullRequestSpec, commit: str | None, changed: bool, pushed: bool
    ) -> PullRequestInfo:
        """Open the branch's PR or update the open one; tried again as a whole (the look-up
        comes first, so a PR opened by a try that failed afterwards is updated, not doubled)."""
        return self._call(
            f"pull request for {spec.branch}", lambda: self._publish(spec, commit, changed, pushed)
        )

    def _publish(
        self, spec: PullRequestSpec, commit: str | None, changed: bool, pushed: bool
    ) -> PullRequestInfo:
        repo = self._gh.get_repo(self.repo_name)
        owner = self.repo_name.split("/", 1)[0]
        existing = next(
            iter(repo.get_pulls(state="open", head=f"{owner}:{spec.branch}", base=spec.base)),
            None,
        )
        if existing is not None:
            existing.edit(title=spec.title, body=spec.body)
            if spec.update_comment:
                existing.create_issue_comment(spec.update_comment)
            action: Literal["opened", "updated", "unchanged"] = (
                "updated" if changed else "unchanged"
            )
            pr = existing
        else:
            pr = repo.create_pull(
                base=spec.base, head=spec.branch, title=spec.title, body=spec.body
            )
            action = "opened"
        if spec.labels:
            pr.add_to_labels(*spec.labels)
        return PullRequestInfo(
            action=action,
            branch=spec.branch,
            base=spec.base,
            commit=commit,
            pushed=pushed,
            number=pr.number,
            url=pr.html_url,
            title=spec.title,
            body=spec.body,
        )

    def can_write(self, login: str) -> bool:
        repo = self._gh.get_repo(self.repo_name)
        # asked while a webhook waits for its answer: one try (GitHub redelivers on failure)
        permission = self._call(
            f"permission of {login}", lambda: repo.get_collaborator_permission(login), NO_RETRY
        )
        return str(permission) in WRITE_PERMISSIONS

    def comment(self, number: int, body: str) -> None:
        repo = self._gh.get_repo(self.repo_name)
        self._call(
            f"comment on #{number}",
            lambda: repo.get_pull(number).create_issue_comment(f"{body}\n\n{REPLY_MARKER}"),
        )

    def update_body(self, number: int, edit: Callable[[str], str]) -> bool:
        repo = self._gh.get_repo(self.repo_name)
        pr = self._call(f"read #{number}", lambda: repo.get_pull(number))
        body = pr.body or ""
        new = edit(body)
        if new == body:
            return False
        self._call(f"edit #{number}", lambda: pr.edit(body=new))
        return True

    def close(self, number: int) -> None:
        repo = self._gh.get_repo(self.repo_name)
        self._call(f"close #{number}", lambda: repo.get_pull(number).edit(state="closed"))

"""GitHub through PyGithub: one PR per branch, review replies, closing; one client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from dr_kube.gitops.forges.base import REPLY_MARKER, ForgeError, PullRequestSpec
from dr_kube.models import PullRequestInfo

WRITE_PERMISSIONS = {"admin", "maintain", "write"}


class GitHubForge:
    """Opens one PR per branch and updates it afterwards; never a second one."""

    takes_reviews = True

    def __init__(self, token: str, repo: str, base_url: str | None = None) -> None:
        from github import Auth, Github

        options: dict[str, Any] = {"base_url": base_url} if base_url else {}
        self._gh = Github(auth=Auth.Token(token), retry=None, timeout=30, lazy=True, **options)
        self.repo_name = repo

    def publish(
        self, spec: PullRequestSpec, commit: str | None, changed: bool, pushed: bool
    ) -> PullRequestInfo:
        from github import GithubException

        try:
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
        except GithubException as exc:
            message = exc.data.get("message") if isinstance(exc.data, dict) else exc.data
            raise ForgeError(f"GitHub {self.repo_name}: {exc.status} {message}") from None
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
        return str(repo.get_collaborator_permission(login)) in WRITE_PERMISSIONS

    def comment(self, number: int, body: str) -> None:
        repo = self._gh.get_repo(self.repo_name)
        repo.get_pull(number).create_issue_comment(f"{body}\n\n{REPLY_MARKER}")

    def update_body(self, number: int, edit: Callable[[str], str]) -> bool:
        pr = self._gh.get_repo(self.repo_name).get_pull(number)
        body = pr.body or ""
        new = edit(body)
        if new == body:
            return False
        pr.edit(body=new)
        return True

    def close(self, number: int) -> None:
        repo = self._gh.get_repo(self.repo_name)
        repo.get_pull(number).edit(state="closed")

"""The GitHub calls of the review loop: permission checks, replies, closing a PR."""

from __future__ import annotations

import logging
from typing import Protocol

log = logging.getLogger(__name__)
WRITE_PERMISSIONS = {"admin", "maintain", "write"}
REPLY_MARKER = "<!-- dr-kube:reply -->"


class ReviewForge(Protocol):
    def can_write(self, login: str) -> bool: ...
    def comment(self, number: int, body: str) -> None: ...
    def close(self, number: int) -> None: ...


class GitHubReviews:
    def __init__(self, token: str, repo: str, base_url: str | None = None) -> None:
        from github import Auth, Github

        if base_url:
            self._gh = Github(
                auth=Auth.Token(token), retry=None, timeout=30, base_url=base_url, lazy=True
            )
        else:
            self._gh = Github(auth=Auth.Token(token), retry=None, timeout=30, lazy=True)
        self.repo_name = repo

    def can_write(self, login: str) -> bool:
        repo = self._gh.get_repo(self.repo_name)
        permission = str(repo.get_collaborator_permission(login))
        return permission in WRITE_PERMISSIONS

    def comment(self, number: int, body: str) -> None:
        repo = self._gh.get_repo(self.repo_name)
        repo.get_pull(number).create_issue_comment(f"{body}\n\n{REPLY_MARKER}")

    def close(self, number: int) -> None:
        repo = self._gh.get_repo(self.repo_name)
        repo.get_pull(number).edit(state="closed")

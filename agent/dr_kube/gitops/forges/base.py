"""Pull requests: GitHub through PyGithub, or a local draft when no token is configured."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Literal, Protocol

from dr_kube.errors import DrKubeError
from dr_kube.models import PullRequestInfo

log = logging.getLogger(__name__)
LABEL_COLOURS = {
    "dr-kube": "5319e7",
    "risk/low": "0e8a16",
    "risk/medium": "fbca04",
    "risk/high": "d93f0b",
}


class ForgeError(DrKubeError):
    pass


@dataclass
class PullRequestSpec:
    branch: str
    base: str
    title: str
    body: str
    labels: list[str] = field(default_factory=list)
    update_comment: str = ""


class Forge(Protocol):
    def publish(
        self, spec: PullRequestSpec, commit: str | None, changed: bool, pushed: bool
    ) -> PullRequestInfo: ...


class LocalForge:
    """No token: the result carries the PR's title and body and the branch that was pushed."""

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
        )


class GitHubForge:
    """Opens one PR per branch and updates it afterwards; never a second one."""

    def __init__(self, token: str, repo: str, base_url: str | None = None) -> None:
        from github import Auth, Github

        auth = Auth.Token(token)
        if base_url:
            self._gh = Github(auth=auth, base_url=base_url, retry=None, timeout=30)
        else:
            self._gh = Github(auth=auth, retry=None, timeout=30)
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

"""The run context from the command-line options: sources, repository, policy, provider, forge."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import NotRequired, TypedDict

from dr_kube.cluster.source import ClusterSource
from dr_kube.config.cli import ClusterSettings
from dr_kube.config.github import GitHubSettings
from dr_kube.config.publish import PublishSettings
from dr_kube.diagnose.factory import make_provider
from dr_kube.errors import InputError
from dr_kube.gitops.forges.base import Forge
from dr_kube.gitops.forges.github import GitHubForge
from dr_kube.gitops.forges.local import LocalForge
from dr_kube.gitops.repo import GitRepo, github_repo_from_url
from dr_kube.gitops.retry import NO_RETRY, RetryPolicy
from dr_kube.graph.context import RunContext
from dr_kube.policy import load_policy

log = logging.getLogger("dr_kube")

# Why no pull request is opened, and what to set (`pr.disabled`, the incident's `pr_disabled`).
NO_TOKEN = (
    "GITHUB_TOKEN is not set: set GITHUB_TOKEN (and DRKUBE_GITHUB_WEBHOOK_SECRET for the "
    "reviews) to open pull requests"
)
NO_REPOSITORY = (
    "the GitHub repository is unknown: set DRKUBE_GITHUB_REPO (owner/name) or use an origin on "
    "github.com"
)


class ContextArgs(TypedDict):
    """The CLI's source and pull-request options, as `build_context` takes them."""

    cluster_dir: Path | None
    kubeconfig: str | None
    kube_context: str | None
    prometheus_url: str | None
    gitops_repo: Path
    chart_dirs: tuple[Path, ...]
    policy_file: Path | None
    provider: str
    max_attempts: int | None
    base_branch: NotRequired[str | None]
    github_repo: NotRequired[str | None]


def build_context(
    *,
    cluster_dir: Path | None,
    kubeconfig: str | None,
    kube_context: str | None,
    prometheus_url: str | None,
    gitops_repo: Path,
    chart_dirs: tuple[Path, ...],
    policy_file: Path | None,
    provider: str,
    max_attempts: int | None,
    publish: bool = False,
    push: bool = True,
    base_branch: str | None = None,
    github_repo: str | None = None,
) -> RunContext:
    """The run context from the CLI's source and pull-request options (shared by `run`, `fix`
    and `serve`)."""
    repo = gitops_repo.resolve()
    if not repo.is_dir():
        raise InputError(f"--gitops-repo {gitops_repo}: not a directory")
    source: ClusterSource | None = None
    if cluster_dir is not None:
        from dr_kube.cluster.dump import DumpSource

        source = DumpSource(cluster_dir)
    elif kubeconfig or kube_context or ClusterSettings.load().in_cluster:
        from dr_kube.cluster.live import LiveSource

        source = LiveSource(kubeconfig, kube_context)
    policy = load_policy(repo, policy_file)
    dirs: list[Path] = []
    for entry in chart_dirs:
        dirs += [Path(p) for p in str(entry).split(os.pathsep) if p]
    forge: Forge = LocalForge()
    retry = NO_RETRY
    if publish:
        retry = RetryPolicy.from_settings(PublishSettings.load())
        github = GitHubSettings.load()
        token = github.token_value
        git_repo = GitRepo(repo)
        name = github_repo or github_repo_from_url(git_repo.remote_url())
        if token and name:
            forge = GitHubForge(token, name, github.api_url, retry=retry)
        elif token:
            forge = LocalForge(disabled=NO_REPOSITORY)
            log.warning("pull requests are off: %s", NO_REPOSITORY)
        else:
            forge = LocalForge(disabled=NO_TOKEN)
    return RunContext(
        repo=repo,
        policy=policy,
        provider=make_provider(provider),
        source=source,
        chart_dirs=dirs,
        prometheus_url=prometheus_url,
        max_attempts=max_attempts or policy.max_attempts,
        publish=publish,
        push=push,
        base_branch=base_branch,
        forge=forge,
        publish_retry=retry,
    )

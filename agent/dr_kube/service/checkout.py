"""The GitOps working copy at start: with DRKUBE_GITOPS_URL the service clones (or fetches) it into
`--gitops-repo` itself, so a pod needs only a writable folder and credentials from a Secret."""

from __future__ import annotations

from pathlib import Path

from dr_kube.config.github import GitHubSettings
from dr_kube.config.gitops import GitOpsSettings
from dr_kube.gitops.clone import Checkout, Prepared, prepare


def prepare_checkout(gitops_repo: Path, base_branch: str | None) -> tuple[Prepared, str] | None:
    """(the clone, its URL) when DRKUBE_GITOPS_URL is set; None leaves `--gitops-repo` as it is."""
    settings = GitOpsSettings.load()
    if settings.url is None:
        return None
    tokens = [settings.git_token, GitHubSettings.load().token]
    checkout = Checkout(
        url=settings.url,
        path=gitops_repo.absolute(),
        base=base_branch,
        ssh_key=settings.ssh_key,
        known_hosts=settings.known_hosts,
        secrets=tuple(t.get_secret_value() for t in tokens if t is not None),
    )
    return prepare(checkout), settings.url

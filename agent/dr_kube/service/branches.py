"""The pushed branches of incidents that ended without a merge and without a PR (pull requests
off): deleted from the origin when their incident resolves, unless DRKUBE_DELETE_RESOLVED_BRANCHES=0.

The store queues the deletion in its outbox in the transaction that resolves the incident; the
worker's outbox loop calls `delete` here, so the intake never waits for git."""

from __future__ import annotations

import logging
from pathlib import Path

from dr_kube.errors import DrKubeError
from dr_kube.gitops.repo import GitRepo, write_lock

log = logging.getLogger(__name__)


class BranchJanitor:
    def __init__(self, repo: Path, base: str | None, enabled: bool = True) -> None:
        self.repo = repo
        self.base = base
        self.enabled = enabled

    def delete(self, branch: str, commit: str | None) -> str:
        """What happened to `branch` (`commit`: what DR-Kube last pushed there)."""
        if not self.enabled:
            return f"kept {branch}: DRKUBE_DELETE_RESOLVED_BRANCHES=0"
        try:
            with write_lock(self.repo):
                done = GitRepo(self.repo).delete_remote_branch(branch, commit, self.base)
        except DrKubeError as exc:
            log.warning("could not delete branch %s: %s", branch, exc)
            return f"{branch}: kept, could not delete it ({exc}); delete it by hand"
        return f"{branch}: {done}"

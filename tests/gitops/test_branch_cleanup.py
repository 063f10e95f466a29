"""Deleting the pushed branch of an incident that resolved without a merge: only DR-Kube's own,
unmerged commit goes; anyone else's work stays."""

from __future__ import annotations

from pathlib import Path

from dr_kube.gitops.repo import GitRepo
from dr_kube.service.branches import BranchJanitor
from tests.support.repos import git
from tests.support.service import branches

BRANCH = "dr-kube/online-boutique/frontend/oom"


def push_fix(clone: Path) -> str:
    outcome = GitRepo(clone).commit_fix(
        branch=BRANCH,
        base="main",
        file="values/online-boutique.yaml",
        transform=lambda text: text + "\n# fix\n",
        message="fix",
    )
    assert outcome.pushed and outcome.commit
    return outcome.commit


def test_an_unmerged_branch_of_dr_kube_is_deleted(gitops_with_origin: tuple[Path, Path]) -> None:
    clone, origin = gitops_with_origin
    commit = push_fix(clone)
    assert branches(origin) == [BRANCH]
    assert BranchJanitor(clone, "main").delete(BRANCH, commit) == f"{BRANCH}: deleted from origin"
    assert branches(origin) == []
    assert BranchJanitor(clone, "main").delete(BRANCH, commit).endswith("already gone from origin")


def test_a_moved_or_merged_branch_stays(
    gitops_with_origin: tuple[Path, Path], tmp_path: Path
) -> None:
    clone, origin = gitops_with_origin
    commit = push_fix(clone)
    other = tmp_path / "colleague"
    git(tmp_path, "clone", "--quiet", "--branch", BRANCH, str(origin), str(other))
    (other / "values" / "more.yaml").write_text("x: 1\n")
    git(other, "add", ".")
    git(other, "commit", "--quiet", "-m", "a colleague builds on the fix")
    git(other, "push", "--quiet", "origin", BRANCH)
    assert "moved since DR-Kube pushed it" in BranchJanitor(clone, "main").delete(BRANCH, commit)
    assert branches(origin) == [BRANCH]
    # merged into main by hand (no PR): the branch is history, not clutter
    head = git(other, "rev-parse", "HEAD")
    git(other, "push", "--quiet", "origin", f"{head}:refs/heads/main")
    assert "merged into main" in BranchJanitor(clone, "main").delete(BRANCH, head)
    assert branches(origin) == [BRANCH]
    assert "DRKUBE_DELETE_RESOLVED_BRANCHES=0" in BranchJanitor(clone, "main", False).delete(
        BRANCH, head
    )

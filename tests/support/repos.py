"""Real git repositories in temporary folders, built from this repo's GitOps files (and their fixtures)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.paths import REPO_ROOT


def git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
    }
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=env
    ).stdout.strip()


def init_gitops_repo(path: Path) -> Path:
    """A fresh GitOps repository holding this project's applications/ and values/."""
    path.mkdir(parents=True, exist_ok=True)
    for folder in ("applications", "values"):
        shutil.copytree(REPO_ROOT / folder, path / folder)
    git(path, "init", "--quiet", "--initial-branch=main")
    git(path, "add", ".")
    git(path, "commit", "--quiet", "-m", "GitOps baseline")
    return path


@pytest.fixture
def gitops_repo(tmp_path: Path) -> Path:
    return init_gitops_repo(tmp_path / "gitops")


@pytest.fixture
def gitops_with_origin(tmp_path: Path) -> tuple[Path, Path]:
    """(working clone, bare origin): pushes from DR-Kube land in the bare repository."""
    seed = init_gitops_repo(tmp_path / "seed")
    origin = tmp_path / "origin.git"
    git(tmp_path, "clone", "--quiet", "--bare", str(seed), str(origin))
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", str(origin), str(clone))
    return clone, origin


def refuse_pushes(origin: Path, times: int) -> Path:
    """A `pre-receive` hook on the bare `origin` that refuses the first `times` pushes, then
    accepts; returns the file counting the pushes it saw."""
    counter = origin / "pushes-seen"
    hook = origin / "hooks" / "pre-receive"
    hook.write_text(
        "#!/bin/sh\n"
        f'n=$(cat "{counter}" 2>/dev/null || echo 0)\n'
        "n=$((n + 1))\n"
        f'echo "$n" > "{counter}"\n'
        f'if [ "$n" -le {times} ]; then echo "push $n refused by the test hook" >&2; exit 1; fi\n'
    )
    hook.chmod(0o755)
    return counter


def pushes_seen(counter: Path) -> int:
    return int(counter.read_text()) if counter.exists() else 0

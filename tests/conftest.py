"""Shared fixtures: real git repositories in temporary folders, built from this repo's GitOps files."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLES = REPO_ROOT / "agent" / "issues"
SAMPLE_CLUSTER = SAMPLES / "cluster"
SAMPLE_CHARTS = SAMPLES / "charts"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# Hermetic charts: no test reaches a public Helm repository (the sample Applications name some) or
# the user's chart cache; the chart-fetch tests switch fetching back on against their own servers.
os.environ["DRKUBE_CHART_OFFLINE"] = "1"
os.environ["DRKUBE_CHART_CACHE"] = tempfile.mkdtemp(prefix="dr-kube-test-charts-")


def free_port() -> int:
    """A free TCP port on 127.0.0.1 for a server a test starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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


def require_binary(name: str) -> str:
    """The path of a real program a test needs; missing is a failure in CI, a skip elsewhere."""
    found = shutil.which(name)
    if found is None:
        message = f"{name} is not installed (make test installs it: scripts/test-deps.sh)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return found

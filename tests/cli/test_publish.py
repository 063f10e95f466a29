"""`dr-kube fix` when publishing fails: real git against bare origins that refuse pushes (a
`pre-receive` hook) or are not there, and GitHub answering 5xx (the recorded fake)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from dr_kube.cli.main import main
from tests.support.github_fake import FakeGitHub
from tests.support.paths import SAMPLE_CHARTS, SAMPLE_CLUSTER, SAMPLES
from tests.support.repos import git, pushes_seen, refuse_pushes

BRANCH = "dr-kube/online-boutique/frontend/oom"
FAST = {"DRKUBE_PUBLISH_BACKOFF_SECONDS": "0", "DRKUBE_PUBLISH_ATTEMPTS": "3"}


def fix(repo: Path, *extra: str, env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(
        main,
        [
            "fix",
            str(SAMPLES / "sample_oom.json"),
            "--cluster",
            str(SAMPLE_CLUSTER),
            "--charts",
            str(SAMPLE_CHARTS),
            "--gitops-repo",
            str(repo),
            *extra,
        ],
        env={"GITHUB_TOKEN": "", **FAST, **(env or {})},
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def as_json(result: Result) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def local_fix_branches(clone: Path) -> list[str]:
    out = git(clone, "for-each-ref", "--format=%(refname:short)", "refs/heads/dr-kube")
    return out.splitlines()


@pytest.fixture
def on_a_work_branch(gitops_with_origin: tuple[Path, Path]) -> tuple[Path, Path]:
    """The clone checked out on a branch of its own, so "back where it was" means something."""
    clone, origin = gitops_with_origin
    git(clone, "checkout", "--quiet", "-b", "ops-work")
    return clone, origin


def test_a_push_refused_once_is_tried_again_and_lands(
    gitops_with_origin: tuple[Path, Path],
) -> None:
    clone, origin = gitops_with_origin
    counter = refuse_pushes(origin, times=1)
    result = fix(clone, "--output", "json")
    assert result.exit_code == 0, result.stderr
    assert pushes_seen(counter) == 2
    assert as_json(result)["pr"]["pushed"] is True
    assert as_json(result)["publish_failure"] is None
    assert "memory: 256Mi" in git(origin, "show", f"{BRANCH}:values/online-boutique.yaml")


def test_a_push_always_refused_exits_3_with_the_result_and_one_line(
    on_a_work_branch: tuple[Path, Path],
) -> None:
    clone, origin = on_a_work_branch
    counter = refuse_pushes(origin, times=1000)
    result = fix(clone, "--output", "json")
    assert result.exit_code == 3
    doc = as_json(result)
    assert doc["fix"]["status"] == "proposed"
    assert "+      memory: 256Mi" in doc["fix"]["diff"]
    assert doc["diagnosis"]["category"] == "oom"
    assert doc["pr"] is None
    failure = doc["publish_failure"]
    assert failure["stage"] == "push" and failure["code"] == "push-rejected"
    assert failure["attempts"] == 3 and failure["transient"] is True
    assert failure["pushed"] is False and failure["branch"] == BRANCH
    assert pushes_seen(counter) == 3
    [line] = result.stderr.splitlines()
    assert line.startswith("dr-kube: publication failed: git push origin: refused by origin")
    assert "pre-receive hook declined" in line and "refused by the test hook" in line
    assert "To " not in line and "error: failed to push" not in line
    assert local_fix_branches(clone) == []
    assert git(origin, "for-each-ref", "refs/heads/dr-kube") == ""
    assert git(clone, "branch", "--show-current") == "ops-work"
    assert git(clone, "status", "--porcelain") == ""


def test_text_output_still_shows_the_diagnosis_and_the_diff(
    gitops_with_origin: tuple[Path, Path],
) -> None:
    clone, origin = gitops_with_origin
    refuse_pushes(origin, times=1000)
    result = fix(clone)
    assert result.exit_code == 3
    assert "Root cause" in result.stdout and "memory: 256Mi" in result.stdout
    assert "Not published: the push failed after 3 tries" in result.stdout
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize("where", ["missing-path", "file-url"])
def test_an_unreachable_origin_exits_3_and_leaves_no_branch(
    on_a_work_branch: tuple[Path, Path], tmp_path: Path, where: str
) -> None:
    clone, _ = on_a_work_branch
    nowhere = tmp_path / "gone" / "origin.git"
    url = str(nowhere) if where == "missing-path" else f"file://{nowhere}"
    git(clone, "remote", "set-url", "origin", url)
    result = fix(clone, "--output", "json")
    assert result.exit_code == 3, result.stderr
    doc = as_json(result)
    assert doc["fix"]["status"] == "proposed" and doc["fix"]["diff"]
    failure = doc["publish_failure"]
    assert failure["code"] == "origin-unreachable" and failure["attempts"] == 3
    [line] = result.stderr.splitlines()
    assert "does not appear to be a git repository" in line, line
    assert local_fix_branches(clone) == []
    assert git(clone, "branch", "--show-current") == "ops-work"


def test_the_last_try_that_lands_leaves_the_local_branch_at_the_pushed_commit(
    gitops_with_origin: tuple[Path, Path],
) -> None:
    clone, origin = gitops_with_origin
    counter = refuse_pushes(origin, times=2)
    result = fix(clone, "--output", "json")
    assert result.exit_code == 0
    assert pushes_seen(counter) == 3
    assert local_fix_branches(clone) == [BRANCH]
    assert git(clone, "rev-parse", BRANCH) == git(origin, "rev-parse", BRANCH)


def failing_then(fake: FakeGitHub, failures: int, status: int = 502) -> Any:
    """GitHub answers the first `failures` calls with `status` (GitHub's JSON error shape)."""
    left = {"n": failures}

    def handler(request: Request) -> Response:
        if left["n"] > 0:
            left["n"] -= 1
            fake.requests.append((request.method, request.path, "failed"))
            return FakeGitHub.json({"message": "Server Error"}, status)
        return fake.handle(request)

    return handler


def github_fix(clone: Path, github: FakeGitHub) -> Result:
    env = {"GITHUB_TOKEN": "test-token", "DRKUBE_GITHUB_API_URL": github.api}
    return fix(clone, "--github-repo", "acme/gitops", "--output", "json", env=env)


def test_github_5xx_twice_then_the_pull_request_opens_once(
    gitops_with_origin: tuple[Path, Path], httpserver: HTTPServer
) -> None:
    clone, _ = gitops_with_origin
    github = FakeGitHub(httpserver)
    httpserver.expect_request(re.compile(r"^/.*")).respond_with_handler(failing_then(github, 2))
    result = github_fix(clone, github)
    assert result.exit_code == 0, result.stderr
    assert as_json(result)["pr"]["action"] == "opened"
    assert len(github.calls("POST", r"/pulls$")) == 1
    assert len(github.pulls) == 1


def test_github_5xx_at_every_try_exits_3_with_the_branch_pushed(
    gitops_with_origin: tuple[Path, Path], httpserver: HTTPServer
) -> None:
    clone, origin = gitops_with_origin
    github = FakeGitHub(httpserver)
    httpserver.expect_request(re.compile(r"^/.*")).respond_with_handler(
        failing_then(github, 1000, status=503)
    )
    result = github_fix(clone, github)
    assert result.exit_code == 3
    failure = as_json(result)["publish_failure"]
    assert failure["stage"] == "pull-request" and failure["code"] == "github-5xx"
    assert failure["attempts"] == 3 and failure["pushed"] is True
    assert len(github.requests) == 3
    # (the in-process fake's own werkzeug access lines share the test's stderr)
    ours = [line for line in result.stderr.splitlines() if " werkzeug: " not in line]
    assert ours == ["dr-kube: publication failed: GitHub acme/gitops: 503 Server Error"]
    assert git(origin, "for-each-ref", "--format=%(refname:short)", "refs/heads/dr-kube") == (
        BRANCH
    )


def test_a_missing_origin_is_restored_and_the_next_fix_publishes(
    gitops_with_origin: tuple[Path, Path], tmp_path: Path
) -> None:
    clone, origin = gitops_with_origin
    away = tmp_path / "away.git"
    shutil.move(origin, away)
    assert fix(clone).exit_code == 3
    shutil.move(away, origin)
    result = fix(clone, "--output", "json")
    assert result.exit_code == 0
    assert as_json(result)["pr"]["pushed"] is True

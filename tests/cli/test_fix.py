"""`dr-kube fix` against real git repositories: fresh base, one branch per incident, one PR."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer

from dr_kube.cli.main import main
from tests.support.github_fake import FakeGitHub
from tests.support.paths import SAMPLE_CHARTS, SAMPLE_CLUSTER, SAMPLES
from tests.support.repos import git

BRANCH = "dr-kube/online-boutique/frontend/oom"
VALUES = "values/online-boutique.yaml"


def fix(repo: Path, *extra: str, env: dict[str, str] | None = None) -> tuple[int, dict]:
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
            "--output",
            "json",
            *extra,
        ],
        env={"GITHUB_TOKEN": "", **(env or {})},
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)


def test_fix_pushes_a_branch_with_the_patch_and_leaves_the_checkout_alone(
    gitops_with_origin: tuple[Path, Path],
) -> None:
    clone, origin = gitops_with_origin
    code, result = fix(clone)
    assert code == 0
    assert result["fix"]["status"] == "proposed"
    pr = result["pr"]
    assert pr["branch"] == BRANCH and pr["pushed"] is True and pr["action"] == "draft"
    assert pr["disabled"].startswith("GITHUB_TOKEN is not set: set GITHUB_TOKEN")
    assert pr["title"] == "fix(frontend): raise memory limit 128Mi → 256Mi"
    assert (
        "Root cause" in pr["body"]
        and "| `values/online-boutique.yaml` | `frontend.resources.limits.memory` | `128Mi` | `256Mi` |"
        in pr["body"]
    )
    pushed = git(origin, "show", f"{BRANCH}:{VALUES}")
    assert "      memory: 256Mi" in pushed
    assert (
        git(origin, "log", "-1", "--format=%an <%ae>", BRANCH)
        == "DR-Kube <dr-kube@users.noreply.github.com>"
    )
    assert git(origin, "rev-parse", f"{BRANCH}^") == git(origin, "rev-parse", "main")
    assert git(clone, "status", "--porcelain") == ""
    assert git(clone, "branch", "--show-current") == "main"
    assert (
        "memory: 128Mi" in (clone / VALUES).read_text().split("frontend:")[1].split("adService")[0]
    )


def test_second_fix_updates_nothing_and_opens_nothing(
    gitops_with_origin: tuple[Path, Path],
) -> None:
    clone, origin = gitops_with_origin
    fix(clone)
    first = git(origin, "rev-parse", BRANCH)
    code, result = fix(clone)
    assert code == 0
    assert git(origin, "rev-parse", BRANCH) == first
    assert git(origin, "branch", "--list", "dr-kube/*").split() == [BRANCH]
    assert result["pr"]["commit"] == first


def test_fix_applies_the_patch_on_a_fresh_base(
    gitops_with_origin: tuple[Path, Path], tmp_path: Path
) -> None:
    clone, origin = gitops_with_origin
    other = tmp_path / "teammate"
    git(tmp_path, "clone", "--quiet", str(origin), str(other))
    text = (
        (other / VALUES)
        .read_text()
        .replace("  name: adservice\n", "  name: adservice\n  # tuned by a teammate\n")
    )
    (other / VALUES).write_text(text)
    git(other, "commit", "--quiet", "-am", "teammate change")
    git(other, "push", "--quiet", "origin", "main")
    code, _ = fix(clone)  # the clone has not pulled the teammate's commit
    assert code == 0
    assert git(origin, "rev-parse", f"{BRANCH}^") == git(origin, "rev-parse", "main")
    branch_file = git(origin, "show", f"{BRANCH}:{VALUES}")
    assert "# tuned by a teammate" in branch_file and "      memory: 256Mi" in branch_file


def test_fix_without_a_remote_makes_a_local_branch(gitops_repo: Path) -> None:
    code, result = fix(gitops_repo)
    assert code == 0
    assert result["pr"]["pushed"] is False
    assert "      memory: 256Mi" in git(gitops_repo, "show", f"{BRANCH}:{VALUES}")
    assert git(gitops_repo, "status", "--porcelain") == ""
    assert git(gitops_repo, "branch", "--show-current") == "main"
    body = result["pr"]["body"]
    assert "<details><summary>Rendered change (chart onlineboutique 0.10.2)</summary>" in body
    assert "- Deployment/frontend container server limits.memory 128Mi → 256Mi" in body
    assert "+              memory: 256Mi" in body
    assert "✅ rendered with Helm (chart `onlineboutique`)" in body


def test_run_never_writes_to_the_repo(gitops_with_origin: tuple[Path, Path]) -> None:
    clone, origin = gitops_with_origin
    before = (git(clone, "for-each-ref"), git(origin, "for-each-ref"), (clone / VALUES).read_text())
    result = CliRunner().invoke(
        main,
        [
            "run",
            str(SAMPLES / "sample_oom.json"),
            "--cluster",
            str(SAMPLE_CLUSTER),
            "--gitops-repo",
            str(clone),
            "-o",
            "json",
        ],
    )
    assert result.exit_code == 0
    assert (
        git(clone, "for-each-ref"),
        git(origin, "for-each-ref"),
        (clone / VALUES).read_text(),
    ) == before
    assert git(clone, "status", "--porcelain") == ""


@pytest.fixture
def github(httpserver: HTTPServer) -> FakeGitHub:
    return FakeGitHub(httpserver).install()


def test_fix_opens_one_pull_request_and_updates_it_afterwards(
    gitops_with_origin: tuple[Path, Path], github: FakeGitHub
) -> None:
    clone, _ = gitops_with_origin
    env = {"GITHUB_TOKEN": "test-token", "DRKUBE_GITHUB_API_URL": github.api}
    code, first = fix(clone, "--github-repo", "acme/gitops", env=env)
    assert code == 0, first
    assert first["pr"]["action"] == "opened" and first["pr"]["number"] == 1
    assert first["pr"]["url"] == "https://github.com/acme/gitops/pull/1"
    [created] = github.calls("POST", r"/pulls$")
    assert created["head"] == BRANCH and created["base"] == "main"
    assert created["title"] == "fix(frontend): raise memory limit 128Mi → 256Mi"
    assert "### Roll back" in created["body"] and "```diff" in created["body"]
    assert github.calls("POST", r"/issues/1/labels$") == [["dr-kube", "risk/low"]]

    code, second = fix(clone, "--github-repo", "acme/gitops", env=env)
    assert code == 0
    assert second["pr"]["action"] == "unchanged" and second["pr"]["number"] == 1
    assert len(github.calls("POST", r"/pulls$")) == 1, "a second PR must never be opened"
    assert len(github.calls("PATCH", r"/pulls/1$")) == 1
    [comment] = github.comments
    assert "unchanged" in comment["body"] and "New evidence" in comment["body"]


def test_github_errors_are_reported_not_raised(
    gitops_with_origin: tuple[Path, Path], github: FakeGitHub
) -> None:
    clone, _ = gitops_with_origin
    env = {"GITHUB_TOKEN": "wrong", "DRKUBE_GITHUB_API_URL": github.api}
    result = CliRunner().invoke(
        main,
        [
            "fix",
            str(SAMPLES / "sample_oom.json"),
            "--cluster",
            str(SAMPLE_CLUSTER),
            "--gitops-repo",
            str(clone),
            "--github-repo",
            "acme/gitops",
        ],
        env=env,
    )
    # the work was done, its publication failed: exit 3, the result printed, one line why
    assert result.exit_code == 3
    assert "dr-kube: publication failed: GitHub acme/gitops: 401 Bad credentials" in result.stderr
    assert "Root cause" in result.stdout and "Not published" in result.stdout
    assert len(github.calls("GET", r"/pulls$")) == 1, "bad credentials are not tried again"
    assert "Traceback" not in result.output


def test_fix_without_a_token_says_pull_requests_are_disabled_and_what_to_set(
    gitops_with_origin: tuple[Path, Path],
) -> None:
    clone, _ = gitops_with_origin
    args = ["fix", str(SAMPLES / "sample_oom.json"), "--cluster", str(SAMPLE_CLUSTER)]
    args += ["--charts", str(SAMPLE_CHARTS), "--gitops-repo", str(clone)]
    result = CliRunner().invoke(main, args, env={"GITHUB_TOKEN": ""})
    assert result.exit_code == 0, result.output
    assert "pr: disabled: GITHUB_TOKEN is not set: set GITHUB_TOKEN" in result.stdout

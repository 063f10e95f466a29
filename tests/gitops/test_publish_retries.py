"""Retries of the publication's remote calls: GitHub's 5xx, rate limits (primary and secondary,
in the shapes and headers GitHub sends) and network errors through PyGithub against the recorded
fake; git's own failure lines reduced to one. Waits are recorded, not slept."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from dr_kube.gitops.forges.base import ForgeError, PullRequestSpec
from dr_kube.gitops.forges.github import GitHubForge
from dr_kube.gitops.repo import git_reason, remote_error
from dr_kube.gitops.retry import RetryPolicy
from tests.support.github_fake import FakeGitHub
from tests.support.net import free_port

SPEC = PullRequestSpec(
    branch="dr-kube/ns/frontend/oom", base="main", title="fix", body="body", labels=["dr-kube"]
)
DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"


def primary_rate_limit(reset_in: float) -> Response:
    """403 of an exhausted REST quota, as GitHub answers it."""
    reset = int(time.time() + reset_in)
    return Response(
        '{"message": "API rate limit exceeded for user ID 1001.", "documentation_url": "'
        + DOCS
        + '"}',
        status=403,
        content_type="application/json; charset=utf-8",
        headers={
            "x-ratelimit-limit": "5000",
            "x-ratelimit-remaining": "0",
            "x-ratelimit-used": "5000",
            "x-ratelimit-reset": str(reset),
            "x-ratelimit-resource": "core",
        },
    )


def secondary_rate_limit(status: int, retry_after: int) -> Response:
    """A secondary rate limit: 403 (or 429) with `retry-after`."""
    return Response(
        '{"message": "You have exceeded a secondary rate limit. Please wait a few minutes '
        'before you try again.", "documentation_url": "' + DOCS + '"}',
        status=status,
        content_type="application/json; charset=utf-8",
        headers={"retry-after": str(retry_after), "x-ratelimit-remaining": "4000"},
    )


def server_error(status: int = 502) -> Response:
    return FakeGitHub.json({"message": "Server Error"}, status)


class Script:
    """The fake GitHub behind a script: the first answers come from `first`, then the fake."""

    def __init__(self, fake: FakeGitHub, *first: Response) -> None:
        self.fake = fake
        self.first = list(first)
        self.failed = 0

    def __call__(self, request: Request) -> Response:
        if self.first:
            self.failed += 1
            return self.first.pop(0)
        return self.fake.handle(request)


@pytest.fixture
def github(httpserver: HTTPServer) -> FakeGitHub:
    return FakeGitHub(httpserver)


def forge(github: FakeGitHub, waits: list[float], attempts: int = 4, **kw: Any) -> GitHubForge:
    policy = RetryPolicy(attempts=attempts, wait=0.5, max_wait=60, sleep=waits.append, **kw)
    return GitHubForge("test-token", "acme/gitops", github.api, retry=policy)


def script(httpserver: HTTPServer, github: FakeGitHub, *first: Response) -> Script:
    handler = Script(github, *first)
    httpserver.expect_request(re.compile(r"^/.*")).respond_with_handler(handler)
    return handler


def test_a_primary_rate_limit_waits_until_the_reset(
    httpserver: HTTPServer, github: FakeGitHub
) -> None:
    script(httpserver, github, primary_rate_limit(reset_in=30))
    waits: list[float] = []
    pr = forge(github, waits).publish(SPEC, "abc", changed=True, pushed=True)
    assert pr.action == "opened" and pr.number == 1
    [wait] = waits
    assert 29 <= wait <= 32, wait


@pytest.mark.parametrize("status", [403, 429])
def test_a_secondary_rate_limit_waits_as_retry_after_says(
    httpserver: HTTPServer, github: FakeGitHub, status: int
) -> None:
    script(httpserver, github, secondary_rate_limit(status, retry_after=7))
    waits: list[float] = []
    forge(github, waits).publish(SPEC, "abc", changed=True, pushed=True)
    assert waits == [7.0]
    assert len(github.pulls) == 1


def test_a_reset_beyond_the_longest_wait_gives_up_at_once(
    httpserver: HTTPServer, github: FakeGitHub
) -> None:
    script(httpserver, github, primary_rate_limit(reset_in=7200))
    waits: list[float] = []
    with pytest.raises(ForgeError) as caught:
        forge(github, waits).publish(SPEC, "abc", changed=True, pushed=True)
    assert waits == []
    assert caught.value.code == "github-rate-limit" and caught.value.attempts == 1
    assert "403 API rate limit exceeded" in str(caught.value)


def test_5xx_backs_off_exponentially_then_gives_up(
    httpserver: HTTPServer, github: FakeGitHub
) -> None:
    handler = script(httpserver, github, *(server_error(s) for s in (500, 502, 503, 504, 502)))
    waits: list[float] = []
    with pytest.raises(ForgeError) as caught:
        forge(github, waits).publish(SPEC, "abc", changed=True, pushed=True)
    assert caught.value.code == "github-5xx" and caught.value.transient
    assert caught.value.attempts == 4 and handler.failed == 4
    assert len(waits) == 3
    # 0.5 s doubling, with up to 0.5 s of jitter
    for wait, low in zip(waits, (0.5, 1.0, 2.0), strict=True):
        assert low <= wait <= low + 0.5, waits


def test_a_pull_request_opened_by_a_try_that_failed_later_is_not_opened_twice(
    httpserver: HTTPServer, github: FakeGitHub
) -> None:
    """The PR is created, then adding its labels gets a 502: the next try finds and updates it."""
    failed = {"done": False}

    def handler(request: Request) -> Response:
        if request.path.endswith("/labels") and not failed["done"]:
            failed["done"] = True
            return server_error(502)
        return github.handle(request)

    httpserver.expect_request(re.compile(r"^/.*")).respond_with_handler(handler)
    waits: list[float] = []
    pr = forge(github, waits).publish(SPEC, "abc", changed=True, pushed=True)
    assert len(github.calls("POST", r"/pulls$")) == 1 and len(github.pulls) == 1
    assert pr.number == 1 and len(waits) == 1
    assert github.calls("POST", r"/issues/1/labels$") == [["dr-kube"]]


def test_a_proxy_page_instead_of_json_is_a_5xx_in_one_line(
    httpserver: HTTPServer, github: FakeGitHub
) -> None:
    html = Response("<html>\n<h1>502 Bad Gateway</h1>\n</html>\n", 502, content_type="text/html")
    script(httpserver, github, html, html)
    waits: list[float] = []
    with pytest.raises(ForgeError) as caught:
        forge(github, waits, attempts=2).publish(SPEC, "abc", changed=True, pushed=True)
    assert str(caught.value) == "GitHub acme/gitops: 502 Bad Gateway"
    assert caught.value.code == "github-5xx" and len(waits) == 1


def test_bad_credentials_are_not_tried_again(httpserver: HTTPServer, github: FakeGitHub) -> None:
    github.install()
    waits: list[float] = []
    bad = GitHubForge(
        "wrong", "acme/gitops", github.api, retry=RetryPolicy(4, 0.5, 60, sleep=waits.append)
    )
    with pytest.raises(ForgeError) as caught:
        bad.publish(SPEC, "abc", changed=True, pushed=True)
    assert caught.value.code == "github-auth" and not caught.value.transient
    assert waits == [] and len(github.requests) == 1


def test_an_unreachable_github_is_a_network_error_tried_every_time() -> None:
    waits: list[float] = []
    policy = RetryPolicy(attempts=3, wait=0, max_wait=0, sleep=waits.append)
    gh = GitHubForge("t", "acme/gitops", f"http://127.0.0.1:{free_port()}", retry=policy)
    with pytest.raises(ForgeError) as caught:
        gh.publish(SPEC, "abc", changed=True, pushed=True)
    assert caught.value.code == "github-network" and caught.value.attempts == 3
    assert waits == [0.0, 0.0]
    assert "\n" not in str(caught.value)


def test_replies_on_the_pull_request_are_retried_too(
    httpserver: HTTPServer, github: FakeGitHub
) -> None:
    from tests.support.service import ServiceGitHub

    fake = ServiceGitHub(httpserver)
    fake.pulls[1] = fake.pull(1, SPEC.branch, "main", "fix", "body")
    script(httpserver, fake, server_error(502), server_error(503))
    waits: list[float] = []
    forge(fake, waits).comment(1, "@alice: applied")
    assert len(waits) == 2
    [comment] = fake.comments
    assert comment["body"].startswith("@alice: applied")


@pytest.mark.parametrize(
    ("operation", "stderr", "code", "transient", "reason"),
    [
        (
            "push",
            "remote: push 1 refused by the test hook\nTo /srv/origin.git\n"
            " ! [remote rejected] 1f2e3d -> dr-kube/ns/frontend/oom (pre-receive hook declined)\n"
            "error: failed to push some refs to '/srv/origin.git'\n",
            "push-rejected",
            True,
            "refused by origin: pre-receive hook declined (push 1 refused by the test hook)",
        ),
        (
            "push",
            "To /srv/origin.git\n ! [rejected]        1f2e3d -> dr-kube/ns/a/oom (fetch first)\n"
            "error: failed to push some refs to '/srv/origin.git'\n"
            "hint: Updates were rejected because the remote contains work that you do not\n",
            "push-rejected",
            True,
            "refused by origin: fetch first",
        ),
        (
            "fetch",
            "fatal: '/srv/gone.git' does not appear to be a git repository\n"
            "fatal: Could not read from remote repository.\n\n"
            "Please make sure you have the correct access rights\nand the repository exists.\n",
            "origin-unreachable",
            True,
            "'/srv/gone.git' does not appear to be a git repository",
        ),
        (
            "fetch",
            "fatal: unable to access 'https://bob:hunter2@git.example.com/a.git/': "
            "Could not resolve host: git.example.com\n",
            "origin-unreachable",
            True,
            "unable to access 'https://***@git.example.com/a.git/': "
            "Could not resolve host: git.example.com",
        ),
        (
            "push",
            "remote: Invalid username or password.\n"
            "fatal: Authentication failed for 'https://github.com/acme/gitops.git/'\n",
            "git-auth",
            False,
            "Authentication failed for 'https://github.com/acme/gitops.git/'",
        ),
    ],
)
def test_git_failures_are_one_classified_line(
    operation: str, stderr: str, code: str, transient: bool, reason: str
) -> None:
    assert git_reason(stderr) == reason
    error = remote_error(operation, stderr)
    assert (error.code, error.transient) == (code, transient)
    assert str(error) == f"git {operation} origin: {reason}"

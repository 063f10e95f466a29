"""In-cluster start-up with real `dr-kube serve` processes: the service clones the GitOps repository
itself (DRKUBE_GITOPS_URL) over file:// and over HTTP (`git http-backend` with a token), fetches
before every fix, and without a GitHub token says so, ends incidents as pushed branches and
deletes the branch of an incident that resolved without a merge."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.git_http import GitHttp, git_http
from tests.support.net import free_port
from tests.support.paths import REPO_ROOT
from tests.support.repos import git, init_gitops_repo
from tests.support.service import (
    CHECKPOINT_KEY,
    DRKUBE,
    SECRET,
    TOKEN,
    Serve,
    alert,
    am_headers,
    branches,
    payload,
    wait_for,
)

pytestmark = pytest.mark.slow

GIT_TOKEN = "git-token-4f1c9e-for-tests"
BRANCH = "dr-kube/online-boutique/frontend/oom"


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    """A bare origin under srv/ (the folder `git http-backend` serves)."""
    seed = init_gitops_repo(tmp_path / "seed")
    bare = tmp_path / "srv" / "gitops.git"
    bare.parent.mkdir()
    git(tmp_path, "clone", "--quiet", "--bare", str(seed), str(bare))
    return bare


@pytest.fixture
def http_origin(origin: Path) -> Iterator[GitHttp]:
    with git_http(origin.parent, token=GIT_TOKEN) as server:
        yield server


def post(serve: Serve, *alerts: dict[str, object]) -> None:
    r = httpx.post(
        f"{serve.url}/webhooks/alertmanager",
        content=json.dumps(payload(*alerts)),
        headers=am_headers(),
        timeout=10,
    )
    assert r.status_code == 202, r.text


def detail(serve: Serve, incident_id: str) -> dict[str, object]:
    r = httpx.get(
        f"{serve.url}/api/v1/incidents/{incident_id}",
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    )
    r.raise_for_status()
    found: dict[str, object] = r.json()
    return found


def advance_origin(tmp_path: Path, origin_url: str, env: dict[str, str] | None = None) -> str:
    """Someone merges a commit into main after DR-Kube cloned: its next fix must build on it."""
    other = tmp_path / "colleague"
    run = dict(os.environ, **(env or {}))
    subprocess.run(["git", "clone", "--quiet", origin_url, str(other)], check=True, env=run)
    (other / "values" / "team-notes.yaml").write_text("owner: platform\n")
    git(other, "add", ".")
    git(other, "commit", "--quiet", "-m", "a colleague's change")
    subprocess.run(
        ["git", "-C", str(other), "push", "--quiet", "origin", "main"], check=True, env=run
    )
    return git(other, "rev-parse", "HEAD")


def log_of(serve: Serve) -> str:
    assert serve.log is not None
    return serve.log.read_text()


def test_serve_clones_a_file_origin_fetches_before_the_fix_and_ends_as_a_pushed_branch(
    tmp_path: Path, origin: Path
) -> None:
    checkout = tmp_path / "pod" / "gitops"  # an empty volume: nothing there yet
    url = f"file://{origin}"
    serve = Serve(checkout, tmp_path / "db" / "dr-kube.db", env={"DRKUBE_GITOPS_URL": url}).start()
    try:
        assert git(checkout, "remote", "get-url", "origin") == url
        started = log_of(serve)
        assert f"GitOps repository {url} cloned into {checkout}" in started
        prs_off = [ln for ln in started.splitlines() if "pull requests are off" in ln]
        assert len(prs_off) == 1 and "set GITHUB_TOKEN" in prs_off[0], started

        merged = advance_origin(tmp_path, url)
        post(serve, alert("frontend"))
        wait_for(lambda: branches(origin) == [BRANCH], 60)
        item = wait_for(lambda: [i for i in serve.incidents() if i["status"] == "pushed"], 60)[0]
        # fetched before the fix: the working copy and the fix branch both build on the new main
        assert git(checkout, "rev-parse", "main") == merged
        fix = git(origin, "rev-parse", BRANCH)
        assert git(origin, "rev-parse", f"{fix}^") == merged

        assert "GITHUB_TOKEN" in item["outcome"] and item["pr_number"] is None
        full = detail(serve, item["id"])
        assert isinstance(full["pr_disabled"], str) and "set GITHUB_TOKEN" in full["pr_disabled"]
        pr = full["pr"]
        assert isinstance(pr, dict) and pr["pushed"] is True and pr["disabled"]

        # the alert resolves on its own, nobody merged: the branch leaves the origin
        post(serve, alert("frontend", status="resolved"))
        wait_for(lambda: branches(origin) == [], 30)
        wait_for(lambda: serve.incidents()[0]["status"] == "resolved")
        events = wait_for(
            lambda: [e for e in detail(serve, item["id"])["events"] if e["kind"] == "cleanup"]
        )  # type: ignore[union-attr]
        assert "deleted from origin" in events[0]["message"]
    finally:
        serve.stop()

    # a restart finds its clone of the same origin and fetches it
    again = Serve(checkout, tmp_path / "db" / "dr-kube.db", env={"DRKUBE_GITOPS_URL": url})
    again.start()
    again.stop()
    assert f"GitOps repository {url} fetched into {checkout}" in log_of(again)


def test_serve_clones_over_http_with_a_token_that_is_never_written_down(
    tmp_path: Path, origin: Path, http_origin: GitHttp
) -> None:
    checkout = tmp_path / "pod" / "gitops"
    url = http_origin.url("gitops.git")
    env = {
        "DRKUBE_GITOPS_URL": url,
        "DRKUBE_GIT_TOKEN": GIT_TOKEN,
        "DRKUBE_DELETE_RESOLVED_BRANCHES": "0",
    }
    serve = Serve(checkout, tmp_path / "db" / "dr-kube.db", env=env).start()
    try:
        assert "cloned into" in log_of(serve)
        merged = advance_origin(tmp_path, url, {"DRKUBE_GIT_TOKEN": GIT_TOKEN, **_helper_env(url)})
        post(serve, alert("frontend"))
        wait_for(lambda: branches(origin) == [BRANCH], 60)
        item = wait_for(lambda: [i for i in serve.incidents() if i["status"] == "pushed"], 60)[0]
        assert git(origin, "rev-parse", f"{BRANCH}^") == merged
        pushes = [r for r in http_origin.requests if r[1].endswith("/git-receive-pack")]
        assert pushes and all(r[2] is not None for r in pushes), "pushed with the token"
        assert any(r[2] is None for r in http_origin.requests), "asked for by a 401 first"

        # opted out: the resolved incident's branch stays
        post(serve, alert("frontend", status="resolved"))
        events = wait_for(
            lambda: [e for e in detail(serve, item["id"])["events"] if e["kind"] == "cleanup"]
        )  # type: ignore[union-attr]
        assert "DRKUBE_DELETE_RESOLVED_BRANCHES=0" in events[0]["message"]
        assert branches(origin) == [BRANCH]
    finally:
        serve.stop()
    # the token is in no URL, no file of the clone, no `git remote -v` and no log line
    assert GIT_TOKEN not in git(checkout, "remote", "-v")
    for path in (checkout / ".git").rglob("*"):
        if path.is_file():
            assert GIT_TOKEN.encode() not in path.read_bytes(), path
    assert GIT_TOKEN not in log_of(serve)


def _helper_env(url: str) -> dict[str, str]:
    """The colleague's git answers the 401 with the same credential helper as DR-Kube."""
    from dr_kube.gitops.clone import CREDENTIAL_HELPER, credential_scope

    return {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"credential.{credential_scope(url)}.helper",
        "GIT_CONFIG_VALUE_0": CREDENTIAL_HELPER,
    }


def start_refused(env: dict[str, str], checkout: Path) -> subprocess.CompletedProcess[str]:
    full = {
        **{k: v for k, v in os.environ.items() if k != "GITHUB_TOKEN"},
        "DRKUBE_ALERTMANAGER_TOKEN": TOKEN,
        "DRKUBE_GITHUB_WEBHOOK_SECRET": SECRET,
        "DRKUBE_CHECKPOINT_KEY": CHECKPOINT_KEY,
        "DRKUBE_DB": str(checkout.parent / "db" / "dr-kube.db"),
        **env,
    }
    return subprocess.run(
        [DRKUBE, "serve", "--gitops-repo", str(checkout), "--port", str(free_port())],
        env=full,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, done.stderr
    lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("dr-kube: error: "), done.stderr
    return lines[0]


def test_a_wrong_token_stops_serve_with_one_line_and_no_clone(
    tmp_path: Path, http_origin: GitHttp
) -> None:
    checkout = tmp_path / "pod" / "gitops"
    env = {"DRKUBE_GITOPS_URL": http_origin.url("gitops.git"), "DRKUBE_GIT_TOKEN": "wrong-9d2e"}
    line = one_line_error(start_refused(env, checkout))
    assert "Authentication failed" in line and "wrong-9d2e" not in line
    assert not checkout.exists()
    missing = one_line_error(
        start_refused({"DRKUBE_GITOPS_URL": http_origin.url("nope.git")}, checkout)
    )
    assert "cannot clone" in missing


def test_a_password_in_the_url_or_a_foreign_clone_is_refused(
    tmp_path: Path, origin: Path, http_origin: GitHttp
) -> None:
    checkout = tmp_path / "pod" / "gitops"
    with_password = f"http://x-access-token:{GIT_TOKEN}@127.0.0.1:{http_origin.port}/gitops.git"
    line = one_line_error(start_refused({"DRKUBE_GITOPS_URL": with_password}, checkout))
    assert "DRKUBE_GITOPS_URL" in line and "DRKUBE_GIT_TOKEN" in line
    assert GIT_TOKEN not in line
    assert http_origin.requests == [], "nothing was sent with it"
    # a folder holding a clone of another origin is not silently reused
    other = init_gitops_repo(tmp_path / "elsewhere")
    git(tmp_path, "clone", "--quiet", str(other), str(checkout))
    line = one_line_error(start_refused({"DRKUBE_GITOPS_URL": f"file://{origin}"}, checkout))
    assert "holds a clone of" in line


def test_serve_clones_over_ssh_with_a_deploy_key_and_checks_the_host_key(
    tmp_path: Path, origin: Path
) -> None:
    from tests.support.git_ssh import git_ssh, keygen

    with git_ssh(tmp_path / "ssh") as server:
        key = server.deploy_key
        key.chmod(0o440)  # as a Secret volume with fsGroup mounts it: ssh alone would refuse it
        checkout = tmp_path / "pod" / "gitops"
        env = {
            "DRKUBE_GITOPS_URL": server.url(origin),
            "DRKUBE_GIT_SSH_KEY": str(key),
            "DRKUBE_GIT_KNOWN_HOSTS": str(server.known_hosts),
        }
        keygen(tmp_path / "ssh" / "other-host-key")
        kind, blob = (tmp_path / "ssh" / "other-host-key.pub").read_text().split()[:2]
        stranger = tmp_path / "stranger_hosts"  # another host's key under this address
        stranger.write_text(f"[127.0.0.1]:{server.port} {kind} {blob}\n")
        line = one_line_error(
            start_refused({**env, "DRKUBE_GIT_KNOWN_HOSTS": str(stranger)}, checkout)
        )
        assert "Host key verification failed" in line and not checkout.exists()

        serve = Serve(checkout, tmp_path / "db" / "dr-kube.db", env=env).start()
        try:
            assert "cloned into" in log_of(serve)
            post(serve, alert("frontend"))
            wait_for(lambda: branches(origin) == [BRANCH], 60)
            wait_for(lambda: [i for i in serve.incidents() if i["status"] == "pushed"], 60)
        finally:
            serve.stop()
        assert "ssh -i" in git(checkout, "config", "core.sshCommand")

"""`dr-kube serve` refuses to start without the secrets that guard its webhooks."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import httpx

from tests.support.net import free_port
from tests.support.paths import REPO_ROOT
from tests.support.service import CHECKPOINT_KEY, DRKUBE, SECRET, TOKEN, signed

SECRET_VARS = (
    "DRKUBE_ALERTMANAGER_TOKEN",
    "DRKUBE_ALERTMANAGER_BASIC_USER",
    "DRKUBE_ALERTMANAGER_BASIC_PASSWORD",
    "DRKUBE_GITHUB_WEBHOOK_SECRET",
    "GITHUB_TOKEN",
    "DRKUBE_CHECKPOINT_KEY",
    "DRKUBE_CHECKPOINT_OLD_KEYS",
)


def serve_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SECRET_VARS}
    return {
        **env,
        "DRKUBE_DB": str(tmp_path / "db" / "dr-kube.db"),
        "DRKUBE_CHECKPOINT_KEY": CHECKPOINT_KEY,
        **extra,
    }


def refused(gitops_repo: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [DRKUBE, "serve", "--gitops-repo", str(gitops_repo), "--port", str(free_port())],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_no_secrets_at_all_refuses_and_names_what_to_set(gitops_repo: Path, tmp_path: Path) -> None:
    done = refused(gitops_repo, serve_env(tmp_path))
    assert done.returncode == 2
    assert "refusing to start without secrets" in done.stderr
    assert "DRKUBE_ALERTMANAGER_TOKEN" in done.stderr
    assert "--insecure-no-auth" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "db").exists(), "nothing stored before the refusal"


def test_pull_requests_without_the_github_webhook_secret_refuse(
    gitops_repo: Path, tmp_path: Path
) -> None:
    # reviews of the PRs it opens could not be verified: the review loop would be dead
    env = serve_env(tmp_path, DRKUBE_ALERTMANAGER_TOKEN=TOKEN, GITHUB_TOKEN="ghp_for_tests")
    done = refused(gitops_repo, env)
    assert done.returncode == 2
    assert "DRKUBE_GITHUB_WEBHOOK_SECRET" in done.stderr
    assert "DRKUBE_ALERTMANAGER_TOKEN" not in done.stderr
    assert "ghp_for_tests" not in done.stderr + done.stdout


def start(gitops_repo: Path, env: dict[str, str], *args: str) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    proc = subprocess.Popen(
        [DRKUBE, "serve", "--gitops-repo", str(gitops_repo), "--port", str(port), *args],
        env={**env, "DRKUBE_INTAKE_ONLY": "1"},
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"serve exited: {proc.stderr.read() if proc.stderr else ''}"
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise AssertionError("serve did not become ready")


def stop(proc: subprocess.Popen[str]) -> str:
    proc.terminate()
    _, err = proc.communicate(timeout=15)
    return err


def test_without_pull_requests_it_starts_and_refuses_github_deliveries(
    gitops_repo: Path, tmp_path: Path
) -> None:
    proc, url = start(gitops_repo, serve_env(tmp_path, DRKUBE_ALERTMANAGER_TOKEN=TOKEN))
    try:
        raw, headers = signed("ping", {"zen": "hi"}, secret=SECRET)
        assert httpx.post(f"{url}/webhooks/github", content=raw, headers=headers).status_code == 401
        am = httpx.post(
            f"{url}/webhooks/alertmanager",
            content=b"{}",
            headers={"Content-Type": "application/json"},
        )
        assert am.status_code == 401
    finally:
        err = stop(proc)
    assert "DRKUBE_GITHUB_WEBHOOK_SECRET is not set" in err


def test_insecure_no_auth_starts_and_warns(gitops_repo: Path, tmp_path: Path) -> None:
    proc, url = start(gitops_repo, serve_env(tmp_path), "--insecure-no-auth")
    try:
        assert httpx.get(f"{url}/api/v1/incidents").status_code == 200
    finally:
        err = stop(proc)
    assert "running with --insecure-no-auth" in err


def test_a_store_without_a_checkpoint_key_refuses(gitops_repo: Path, tmp_path: Path) -> None:
    env = serve_env(tmp_path, DRKUBE_ALERTMANAGER_TOKEN=TOKEN)
    env.pop("DRKUBE_CHECKPOINT_KEY")
    done = refused(gitops_repo, env)
    assert done.returncode == 2
    assert "refusing to store checkpoints unencrypted" in done.stderr
    assert "DRKUBE_CHECKPOINT_KEY" in done.stderr and "--insecure-no-encryption" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "db").exists(), "nothing stored before the refusal"


def test_insecure_no_encryption_starts_without_a_key_and_warns(
    gitops_repo: Path, tmp_path: Path
) -> None:
    env = serve_env(tmp_path, DRKUBE_ALERTMANAGER_TOKEN=TOKEN)
    env.pop("DRKUBE_CHECKPOINT_KEY")
    proc, url = start(gitops_repo, env, "--insecure-no-encryption")
    try:
        assert httpx.get(f"{url}/readyz").status_code == 200
    finally:
        err = stop(proc)
    assert "checkpoints are stored unencrypted" in err


def test_a_malformed_checkpoint_key_is_named_without_its_value(
    gitops_repo: Path, tmp_path: Path
) -> None:
    bad = "c2hvcnQta2V5"  # base64 of 9 bytes
    env = serve_env(tmp_path, DRKUBE_ALERTMANAGER_TOKEN=TOKEN, DRKUBE_CHECKPOINT_KEY=bad)
    done = refused(gitops_repo, env)
    assert done.returncode == 2
    assert "DRKUBE_CHECKPOINT_KEY: an AES key is 16, 24 or 32 bytes, this one is 9" in done.stderr
    assert bad not in done.stderr and "Traceback" not in done.stderr

"""The clone's own git config: how it authenticates, without a secret in it."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from dr_kube.config.gitops import GitOpsSettings
from dr_kube.errors import ConfigError
from dr_kube.gitops.clone import (
    Checkout,
    CloneError,
    config_pairs,
    credential_scope,
    display_url,
    git_reason,
)


def test_the_credential_helper_answers_for_the_origin_host_only() -> None:
    (pair,) = config_pairs(Checkout("https://git.example.test:8443/acme/gitops.git", Path("/x")))
    assert pair[0] == "credential.https://git.example.test:8443.helper"
    assert "DRKUBE_GIT_TOKEN" in pair[1] and "GITHUB_TOKEN" in pair[1]
    assert credential_scope("file:///srv/gitops.git") is None
    assert credential_scope("git@github.com:acme/gitops.git") is None


def test_an_ssh_key_needs_known_hosts_and_a_private_copy(tmp_path: Path) -> None:
    key = tmp_path / "deploy-key"
    key.write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-real-key\n")
    key.chmod(0o440)  # a Secret volume with fsGroup: group-readable, which ssh refuses
    url = "git@github.com:acme/gitops.git"
    with pytest.raises(CloneError, match="needs DRKUBE_GIT_KNOWN_HOSTS"):
        config_pairs(Checkout(url, tmp_path / "c", ssh_key=key))
    with pytest.raises(CloneError, match="no such file"):
        config_pairs(Checkout(url, tmp_path / "c", ssh_key=key, known_hosts=tmp_path / "none"))
    hosts = tmp_path / "known_hosts"
    hosts.write_text("github.com ssh-ed25519 AAAA\n")
    ((name, command),) = config_pairs(Checkout(url, tmp_path / "c", ssh_key=key, known_hosts=hosts))
    assert name == "core.sshCommand"
    assert "StrictHostKeyChecking=yes" in command and f"UserKnownHostsFile={hosts}" in command
    used = Path(command.split(" -i ", 1)[1].split(" ", 1)[0])
    assert used != key and stat.S_IMODE(used.stat().st_mode) == 0o600
    assert used.read_bytes() == key.read_bytes()


def test_urls_are_shown_without_credentials() -> None:
    assert (
        display_url("https://bot@github.com/acme/gitops.git")
        == "https://github.com/acme/gitops.git"
    )
    assert display_url("git@github.com:acme/gitops.git") == "git@github.com:acme/gitops.git"
    assert (
        git_reason(
            "Host key verification failed.\r\nfatal: Could not read from remote repository.\n\n"
            "Please make sure you have the correct access rights\nand the repository exists.\n"
        )
        == "Host key verification failed.; Could not read from remote repository."
    )


def test_a_password_in_the_url_is_refused_without_showing_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DRKUBE_GITOPS_URL", "https://bot:ghp_s3cr3t@github.com/acme/gitops.git")
    with pytest.raises(ConfigError) as caught:
        GitOpsSettings.load()
    assert "ghp_s3cr3t" not in str(caught.value)
    assert "DRKUBE_GIT_TOKEN" in str(caught.value)
    monkeypatch.setenv("DRKUBE_GITOPS_URL", "/srv/gitops")
    with pytest.raises(ConfigError, match="not a git URL"):
        GitOpsSettings.load()

"""Where the GitOps repository comes from when the service clones it itself (in a cluster), and
with which credentials."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr, field_validator

from dr_kube.config.env import EnvSection, env


class GitOpsSettings(EnvSection):
    url: str | None = env(
        "DRKUBE_GITOPS_URL",
        "clone the GitOps repository from this URL into `--gitops-repo` at start "
        "(`https://`, `ssh://`, `git@host:path` or `file://`; never with a password in it)",
        default=None,
    )
    git_token: SecretStr | None = env(
        "DRKUBE_GIT_TOKEN",
        "password for an https `DRKUBE_GITOPS_URL`, given to git by a credential helper "
        "(never in the URL, the clone's config or a log line)",
        default=None,
        shown="`GITHUB_TOKEN`",
    )
    git_username: str = env(
        "DRKUBE_GIT_USERNAME",
        "user name sent with `DRKUBE_GIT_TOKEN`",
        default="x-access-token",
    )
    ssh_key: Path | None = env(
        "DRKUBE_GIT_SSH_KEY",
        "private key file (a deploy key) for an ssh `DRKUBE_GITOPS_URL`",
        default=None,
    )
    known_hosts: Path | None = env(
        "DRKUBE_GIT_KNOWN_HOSTS",
        "known_hosts file the ssh host key is checked against (required with `DRKUBE_GIT_SSH_KEY`)",
        default=None,
    )

    @field_validator("url")
    @classmethod
    def _no_password_in_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        scheme, sep, rest = value.partition("://")
        if sep and scheme.lower() in ("http", "https") and "@" in rest.split("/", 1)[0]:
            host = rest.split("/", 1)[0]
            if ":" in host.split("@", 1)[0]:
                raise ValueError("has a password in it: put the token in DRKUBE_GIT_TOKEN instead")
        return value

    @field_validator("url")
    @classmethod
    def _known_form(cls, value: str | None) -> str | None:
        if value is None:
            return None
        scheme = value.partition("://")[0].lower() if "://" in value else ""
        scp_like = not scheme and "@" in value and ":" in value
        if scheme not in ("http", "https", "ssh", "git", "file") and not scp_like:
            raise ValueError("not a git URL (https://, ssh://, git@host:path, git:// or file://)")
        return value

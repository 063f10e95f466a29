"""The service's own clone of the GitOps repository (in a cluster): cloned at start into a writable
folder, then fetched before every fix by the worker (`GitRepo.refresh`, `commit_fix`).

Credentials never reach the URL, the clone's config as a value, `git remote -v` or a log line:
an https token is handed to git by a credential helper that reads it from the process environment
(`DRKUBE_GIT_TOKEN`, else `GITHUB_TOKEN`) each time git asks; an ssh deploy key is used through
`core.sshCommand` with a known_hosts file and strict host key checking.
"""

from __future__ import annotations

import os
import shlex
import shutil
import stat
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from dr_kube.errors import InputError

# Reads the token when git asks for it (`get`); prints nothing when none is set, so git fails
# with its own "Authentication failed" instead of prompting.
CREDENTIAL_HELPER = (
    '!f() { test "$1" = get || exit 0; t="${DRKUBE_GIT_TOKEN:-$GITHUB_TOKEN}"; '
    'test -n "$t" || exit 0; echo "username=${DRKUBE_GIT_USERNAME:-x-access-token}"; '
    'echo "password=$t"; }; f'
)
TIMEOUT = 600.0


class CloneError(InputError):
    """The configured origin cannot be cloned or fetched: exit 2 at start, one line."""


@dataclass(frozen=True)
class Checkout:
    url: str
    path: Path
    base: str | None = None
    ssh_key: Path | None = None
    known_hosts: Path | None = None
    secrets: tuple[str, ...] = ()  # values masked in every message (the token)


@dataclass(frozen=True)
class Prepared:
    path: Path
    base: str
    commit: str
    cloned: bool  # False: an existing clone of the same origin, fetched

    def describe(self, url: str) -> str:
        how = "cloned" if self.cloned else "fetched"
        return f"GitOps repository {display_url(url)} {how} into {self.path} ({self.base} at {self.commit[:12]})"


def display_url(url: str) -> str:
    """The URL without any user name or password."""
    if "://" not in url:
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return parts._replace(netloc=host).geturl()


def credential_scope(url: str) -> str | None:
    """`credential.<scheme>://<host>` for an http(s) URL: the helper answers for that host only."""
    if "://" not in url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname + (f":{parts.port}" if parts.port else "")
    return f"{parts.scheme}://{host}"


def ssh_command(key: Path, known_hosts: Path | None) -> str:
    if known_hosts is None:
        raise CloneError("DRKUBE_GIT_SSH_KEY needs DRKUBE_GIT_KNOWN_HOSTS: the host key is checked")
    for name, path in (("DRKUBE_GIT_SSH_KEY", key), ("DRKUBE_GIT_KNOWN_HOSTS", known_hosts)):
        if not path.is_file():
            raise CloneError(f"{name} {path}: no such file")
    return " ".join(
        [
            "ssh",
            "-i",
            shlex.quote(str(private_copy(key))),
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            f"UserKnownHostsFile={shlex.quote(str(known_hosts))}",
            "-o",
            "StrictHostKeyChecking=yes",
            "-o",
            "BatchMode=yes",
        ]
    )


def private_copy(key: Path) -> Path:
    """ssh refuses a key others can read; a mounted Secret is often group-readable (fsGroup)."""
    if not key.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        return key
    folder = Path(tempfile.gettempdir()) / f"dr-kube-ssh-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    copy = folder / "deploy-key"
    fd = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(key.read_bytes())
    return copy


def config_pairs(checkout: Checkout) -> list[tuple[str, str]]:
    """The clone's own git config: how it authenticates, without a secret in it."""
    pairs: list[tuple[str, str]] = []
    scope = credential_scope(checkout.url)
    if scope is not None:
        pairs.append((f"credential.{scope}.helper", CREDENTIAL_HELPER))
    if checkout.ssh_key is not None:
        pairs.append(("core.sshCommand", ssh_command(checkout.ssh_key, checkout.known_hosts)))
    return pairs


def prepare(checkout: Checkout) -> Prepared:
    """Clone `url` into `path`, or fetch an existing clone of the same origin; the checkout is
    left on the base branch at the origin's commit."""
    path = checkout.path
    pairs = config_pairs(checkout)
    if (path / ".git").exists():
        origin = _git(checkout, ["remote", "get-url", "origin"], cwd=path, quiet=True)
        if origin.strip() != checkout.url:
            raise CloneError(
                f"--gitops-repo {path} holds a clone of {display_url(origin.strip()) or 'nothing'}, "
                f"not {display_url(checkout.url)}: empty the folder or fix DRKUBE_GITOPS_URL"
            )
        for key, value in pairs:
            _git(checkout, ["config", key, value], cwd=path)
        _git(checkout, ["fetch", "--quiet", "--prune", "origin"], cwd=path)
        cloned = False
    else:
        if path.exists() and any(path.iterdir()):
            raise CloneError(
                f"--gitops-repo {path} is not empty and not a clone: DR-Kube clones "
                "DRKUBE_GITOPS_URL into an empty folder"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        args = ["clone", "--quiet", "--no-tags"]
        for key, value in pairs:
            args += ["--config", f"{key}={value}"]
        if checkout.base:
            args += ["--branch", checkout.base]
        _git(checkout, [*args, "--", checkout.url, str(path)], cwd=path.parent, cleanup=path)
        cloned = True
    base = checkout.base or _remote_head(checkout, path)
    _git(checkout, ["checkout", "--quiet", "-B", base, f"origin/{base}"], cwd=path)
    commit = _git(checkout, ["rev-parse", "HEAD"], cwd=path).strip()
    return Prepared(path=path, base=base, commit=commit, cloned=cloned)


def _remote_head(checkout: Checkout, path: Path) -> str:
    head = _git(
        checkout, ["symbolic-ref", "--short", "refs/remotes/origin/HEAD"], cwd=path, quiet=True
    ).strip()
    if head.startswith("origin/"):
        return head.removeprefix("origin/")
    return _git(checkout, ["symbolic-ref", "--short", "HEAD"], cwd=path).strip() or "main"


def _git(
    checkout: Checkout,
    args: list[str],
    *,
    cwd: Path,
    quiet: bool = False,
    cleanup: Path | None = None,
) -> str:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "GIT_ASKPASS": "/bin/false"}
    env.pop("SSH_ASKPASS", None)
    try:
        proc = subprocess.run(
            ["git", *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        raise CloneError(
            f"git {args[0]} of {display_url(checkout.url)} took over {TIMEOUT:g}s"
        ) from None
    if proc.returncode == 0:
        return proc.stdout
    if quiet:
        return ""
    if cleanup is not None:
        shutil.rmtree(cleanup, ignore_errors=True)
    reason = git_reason(proc.stderr or proc.stdout)
    for secret in checkout.secrets:
        if secret:
            reason = reason.replace(secret, "***")
    raise CloneError(f"cannot {args[0]} DRKUBE_GITOPS_URL {display_url(checkout.url)}: {reason}")


NOISE = ("Please make sure you have", "and the repository exists", "hint:")


def git_reason(output: str) -> str:
    """git's own reason in one line: its last two meaningful lines (e.g. ssh's "Host key
    verification failed." and git's "Could not read from remote repository.")."""
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    lines = [ln.removeprefix("fatal: ").removeprefix("error: ") for ln in lines]
    lines = [ln for ln in lines if not ln.startswith(NOISE)]
    return "; ".join(lines[-2:]) or "git failed"

"""The GitOps repository on disk: history look-ups and commits on a fresh base, through git."""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from dr_kube.errors import DrKubeError, InputError
from dr_kube.gitops.retry import NO_RETRY, RemoteError, RetryPolicy, retrying
from dr_kube.paths import plain_file
from dr_kube.redact import redact

AUTHOR_NAME = "DR-Kube"
AUTHOR_EMAIL = "dr-kube@users.noreply.github.com"


class GitError(DrKubeError):
    pass


class GitRemoteError(GitError, RemoteError):
    """A fetch or push to origin failed: refused, unreachable, or not allowed."""


AUTH_FAILURES = (
    "authentication failed",
    "permission denied",
    "could not read username",
    "could not read password",
    "invalid credentials",
    "the requested url returned error: 401",
    "the requested url returned error: 403",
)


def git_reason(stderr: str) -> str:
    """One line out of git's stderr: the refusal and the origin's own words, or the fatal line."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    refused = next((line for line in lines if line.startswith("! [")), None)
    remote = next(
        (m for line in lines if (m := line.removeprefix("remote:").strip()) and line != m), None
    )
    if refused is not None:
        why = refused[refused.rfind("(") + 1 : -1] if refused.endswith(")") else refused
        reason = f"refused by origin: {why}" + (f" ({remote})" if remote else "")
    else:
        fatal = next((line for line in lines if line.startswith(("fatal:", "error:"))), None)
        reason = (fatal or (lines[0] if lines else "no message")).split(":", 1)[-1].strip()
    reason = redact(re.sub(r"(\w+://)[^/@\s]+@", r"\1***@", reason))  # no credentials of a URL
    return reason if len(reason) <= 240 else reason[:239] + "…"


def remote_error(operation: str, stderr: str) -> GitRemoteError:
    """The failure of `git <operation>` against origin, classified for retries and metrics."""
    low = stderr.lower()
    reason = git_reason(stderr)
    if any(marker in low for marker in AUTH_FAILURES):
        code, transient = "git-auth", False
    elif operation == "push" and ("! [" in stderr or "hook declined" in low):
        code, transient = "push-rejected", True
    else:
        code, transient = "origin-unreachable", True
    return GitRemoteError(f"git {operation} origin: {reason}", code=code, transient=transient)


class BrokenRepositoryError(InputError):
    """The GitOps repository's `.git` is unreadable (corrupt HEAD, objects or config): exit 2."""


# What git says when the repository itself is damaged, not when an operation is refused.
BROKEN = re.compile(
    r"not a git repository|is corrupt|unable to unpack|bad object|object file .* is empty"
    r"|loose object .* corrupt|bad config|unable to read tree"
)


@dataclass
class CommitOutcome:
    branch: str
    base: str
    commit: str | None
    changed: bool
    pushed: bool
    remote: bool


BRANCH_PART_MAX = 200  # git stores a ref as a file: its parts stay short of NAME_MAX with `.lock`


def ref_component(part: str) -> str:
    """One part of a branch name that `git check-ref-format` accepts, the same for the same input.

    A Kubernetes name only breaks git's rules by ending in `.lock`; it gets a `_` (never in a
    Kubernetes name, so no other name maps to it). Anything else is cleaned: characters outside
    `[A-Za-z0-9._-]` become `-`, runs of dots one dot, no leading or trailing `.` or `-`; a long
    part is cut and ends with a hash of the whole."""
    clean = re.sub(r"\.{2,}", ".", re.sub(r"[^A-Za-z0-9._-]+", "-", part)).strip("-.") or "x"
    if len(clean) > BRANCH_PART_MAX:
        digest = hashlib.sha256(part.encode()).hexdigest()[:12]
        clean = f"{clean[: BRANCH_PART_MAX - 13].rstrip('-.')}-{digest}"
    return clean + "_" if clean.endswith(".lock") else clean


def branch_name(namespace: str, workload: str, category: str) -> str:
    """`dr-kube/<namespace>/<workload>/<category>`: one branch per incident key."""
    return "/".join(["dr-kube", *(ref_component(p) for p in (namespace, workload, category))])


class GitRepo:
    def __init__(self, path: Path) -> None:
        self.path = path
        if not (path / ".git").exists():
            top = self._git("rev-parse", "--show-toplevel", check=False, cwd=path)
            if not top:
                raise InputError(f"--gitops-repo {path}: not a git repository")
            self.path = Path(top)
        else:
            self._git("rev-parse", "--show-toplevel")  # a damaged .git: BrokenRepositoryError

    def _git(
        self,
        *args: str,
        cwd: Path | None = None,
        check: bool = True,
        env: dict[str, str] | None = None,
    ) -> str:
        full_env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **(env or {})}
        proc = subprocess.run(
            ["git", *args],
            cwd=cwd or self.path,
            capture_output=True,
            text=True,
            env=full_env,
            check=False,
        )
        if proc.returncode != 0:
            if check:
                said = proc.stderr.strip() or proc.stdout.strip()
                if BROKEN.search(said):
                    raise BrokenRepositoryError(
                        f"--gitops-repo {self.path}: broken git repository: {last_fatal(said)}"
                    )
                raise GitError(f"git {' '.join(args[:2])} failed: {said}")
            return ""
        return proc.stdout.strip()

    def _remote(self, operation: str, *args: str, cwd: Path | None = None) -> str:
        """`git <operation> <args>` against origin; a failure is a classified GitRemoteError."""
        proc = subprocess.run(
            ["git", operation, *args],
            cwd=cwd or self.path,
            capture_output=True,
            text=True,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"},
            check=False,
        )
        if proc.returncode != 0:
            raise remote_error(operation, proc.stderr or proc.stdout)
        return proc.stdout.strip()

    def has_remote(self, name: str = "origin") -> bool:
        return name in self._git("remote", check=False).split()

    def remote_url(self, name: str = "origin") -> str | None:
        return self._git("remote", "get-url", name, check=False) or None

    def current_branch(self) -> str:
        return self._git("symbolic-ref", "--quiet", "--short", "HEAD", check=False) or "main"

    def default_base(self) -> str:
        if self.has_remote():
            head = self._git(
                "symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD", check=False
            )
            if head.startswith("origin/"):
                return head.removeprefix("origin/")
            remote_heads = self._git("ls-remote", "--symref", "origin", "HEAD", check=False)
            match = re.search(r"ref: refs/heads/(\S+)\s+HEAD", remote_heads)
            if match:
                return match.group(1)
        return self.current_branch()

    def refresh(self, base: str) -> None:
        """Fetch the base from origin and fast-forward the checkout when it is on the base.

        Best effort: a diverged or dirty checkout stays as it is (fixes are always committed on a
        freshly fetched base in a worktree of their own, whatever the checkout holds)."""
        self._git("fetch", "--quiet", "origin", base, check=False)
        if self.current_branch() == base:
            self._git("merge", "--quiet", "--ff-only", f"origin/{base}", check=False)

    def file_history(self, file: str, limit: int = 20) -> list[tuple[str, str]]:
        """[(commit, file text)] for the file's last versions, newest first."""
        commits = self._git("log", f"-{limit}", "--format=%H", "--", file, check=False).split()
        history: list[tuple[str, str]] = []
        for commit in commits:
            text = self._git("show", f"{commit}:{file}", check=False)
            if text:
                history.append((commit, text))
        return history

    def commit_fix(
        self,
        *,
        branch: str,
        base: str,
        file: str,
        transform: Callable[[str], str],
        message: str,
        push: bool = True,
        retry: RetryPolicy = NO_RETRY,
    ) -> CommitOutcome:
        """Fetch, branch from the fresh base (or the existing fix branch), patch, commit, push.

        A fetch or push that fails for a passing reason is tried again from the fetch (a fresh
        base each time) as `retry` says; the last failure is a GitRemoteError, and no local branch
        is left behind by a push that did not land."""
        return retrying(
            retry,
            f"publishing {branch}",
            lambda: self._commit_fix_once(branch, base, file, transform, message, push),
        )

    def _commit_fix_once(
        self,
        branch: str,
        base: str,
        file: str,
        transform: Callable[[str], str],
        message: str,
        push: bool,
    ) -> CommitOutcome:
        remote = self.has_remote()
        if remote:
            self._remote("fetch", "--quiet", "origin", base)
            on_remote = bool(self._remote("ls-remote", "--heads", "origin", branch))
            if on_remote:
                self._remote(
                    "fetch",
                    "--quiet",
                    "origin",
                    f"+refs/heads/{branch}:refs/remotes/origin/{branch}",
                )
            start = f"origin/{branch}" if on_remote else f"origin/{base}"
        else:
            exists = bool(
                self._git("rev-parse", "--verify", "--quiet", f"refs/heads/{branch}", check=False)
            )
            start = branch if exists else base
        work = Path(tempfile.mkdtemp(prefix="dr-kube-wt-"))
        try:
            self._git("worktree", "add", "--quiet", "--detach", str(work), start)
            target = plain_file(work, file, what="values file")
            if not target.is_file():
                raise GitError(f"{file} does not exist on {start}")
            fresh = target.read_text(encoding="utf-8")
            updated = transform(fresh)
            if updated == fresh:
                head = self._git("rev-parse", "HEAD", cwd=work)
                if not remote:
                    self._git("branch", "--force", branch, head)
                return CommitOutcome(branch, base, head, changed=False, pushed=False, remote=remote)
            target.write_text(updated, encoding="utf-8")
            self._git("add", "--", file, cwd=work)
            env = {
                "GIT_AUTHOR_NAME": AUTHOR_NAME,
                "GIT_AUTHOR_EMAIL": AUTHOR_EMAIL,
                "GIT_COMMITTER_NAME": AUTHOR_NAME,
                "GIT_COMMITTER_EMAIL": AUTHOR_EMAIL,
            }
            self._git("commit", "--quiet", "--no-verify", "-m", message, cwd=work, env=env)
            head = self._git("rev-parse", "HEAD", cwd=work)
            pushed = False
            if remote and push:
                self._remote("push", "--quiet", "origin", f"{head}:refs/heads/{branch}")
                pushed = True
            self._git("branch", "--force", branch, head)  # only once the push (if any) landed
            return CommitOutcome(branch, base, head, changed=True, pushed=pushed, remote=remote)
        finally:
            self._git("worktree", "remove", "--force", str(work), check=False)
            shutil.rmtree(work, ignore_errors=True)
            self._git("worktree", "prune", check=False)

    def delete_remote_branch(self, branch: str, expect: str | None, base: str | None) -> str:
        """Delete a fix branch from origin unless it was merged into the base or moved since
        `expect` (someone else's commits stay); returns what happened, in a few words."""
        if not self.has_remote():
            return "kept: no origin"
        base = base or self.default_base()
        head = self._git("ls-remote", "--heads", "origin", f"refs/heads/{branch}").split("\t")[0]
        if not head:
            return "already gone from origin"
        if expect and head != expect:
            return f"kept: {branch} moved since DR-Kube pushed it"
        self._git(
            "fetch", "--quiet", "origin", base, f"+refs/heads/{branch}:refs/remotes/origin/{branch}"
        )
        if self._git("merge-base", head, f"origin/{base}", check=False) == head:
            return f"kept: merged into {base}"
        lease = f"--force-with-lease=refs/heads/{branch}:{head}"
        self._git("push", "--quiet", lease, "origin", f":refs/heads/{branch}")
        self._git("update-ref", "-d", f"refs/remotes/origin/{branch}", check=False)
        self._git("branch", "--quiet", "-D", branch, check=False)
        return "deleted from origin"


def last_fatal(said: str) -> str:
    """git's own verdict in one line: its last `fatal:` line, else its last line."""
    lines = [line.strip() for line in said.splitlines() if line.strip()]
    fatal = [line for line in lines if line.startswith("fatal:")]
    return (fatal or lines or ["git failed"])[-1].removeprefix("fatal: ")


def github_repo_from_url(url: str | None) -> str | None:
    """`owner/name` from an https or ssh GitHub remote URL."""
    if not url:
        return None
    match = re.search(r"github\.com[:/]+([^/]+)/([^/]+?)(?:\.git)?/?$", url)
    return f"{match.group(1)}/{match.group(2)}" if match else None


_locks: dict[Path, threading.Lock] = {}
_locks_guard = threading.Lock()


@contextmanager
def write_lock(repo: Path) -> Iterator[None]:
    """One git writer per working copy: across threads (a lock) and processes (flock)."""
    with _locks_guard:
        lock = _locks.setdefault(repo, threading.Lock())
    with lock:
        git_dir = repo / ".git"
        if not git_dir.is_dir():
            yield
            return
        with (git_dir / "dr-kube.lock").open("a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

"""A real `dr-kube` command run to its end with its peak memory measured (no timing asserts): the
tests of bounded work check the exit code, the message and the peak RSS."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from tests.support.paths import REPO_ROOT
from tests.support.service import DRKUBE

# A run that would run away hits this address-space cap (and fails) instead of the machine.
ADDRESS_SPACE = 3 * 1024**3


@dataclass(frozen=True)
class Finished:
    code: int
    stdout: str
    stderr: str
    peak_rss_mib: float


def _cap() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def run_drkube(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> Finished:
    """`dr-kube ARGS` in its own process group; a run still going after `timeout` is killed and
    the test fails."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            [DRKUBE, *args],
            stdout=out,
            stderr=err,
            env={**os.environ, "GITHUB_TOKEN": "", **(env or {})},
            cwd=REPO_ROOT,
            start_new_session=True,
            preexec_fn=_cap,  # one setrlimit call in the child
        )
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak, and its children's
        finally:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if killed.is_set():
            raise AssertionError(f"dr-kube {' '.join(args[:1])} still ran after {timeout} s")
        out.seek(0)
        err.seek(0)
        return Finished(
            proc.returncode,
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
            usage.ru_maxrss / 1024,
        )


def write_bytes_fast(path: Path, line: bytes, size: int) -> Path:
    """A file of about `size` bytes made of `line` repeated (written in big blocks)."""
    block = line * max(1, (1 << 20) // len(line))
    with path.open("ab") as handle:
        written = 0
        while written < size:
            handle.write(block)
            written += len(block)
    return path

"""Renders in a child process (gitops/render_worker.py), bounded in wall time and memory.

Helm's engine runs as native code through ctypes: a template that loops for ever or builds a huge
string cannot be stopped inside this process. The worker is started once and reused; when a render
does not answer within the timeout the worker is killed and the next render starts a new one. Its
address space is capped (RLIMIT_AS), so a render that eats memory dies alone.
"""

from __future__ import annotations

import contextlib
import os
import select
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any

from dr_kube.gitops import render_worker
from dr_kube.gitops.chart_archive import ChartError

WORKER = Path(render_worker.__file__)
START_TIMEOUT = 30.0
STDERR_TAIL = 4096


# What the worker inherits: enough to start Python and find helm-python-sdk; no tokens or keys.
WORKER_ENV = ("PATH", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "LANG", "LC_ALL", "TMPDIR", "HOME")


def worker_environment() -> dict[str, str]:
    """The parent's environment without its secrets (charts are code from elsewhere)."""
    env = {k: v for k, v in os.environ.items() if k in WORKER_ENV}
    env["GOTRACEBACK"] = "none"  # a worker killed by the Go runtime prints one line, not stacks
    return env


class HelmRenderError(ChartError):
    """The worker answered with Helm's error (kind, message)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class RenderProcess:
    """One worker process, used by one render at a time."""

    def __init__(self, timeout: float, memory_bytes: int) -> None:
        self.timeout = timeout
        self.memory_bytes = memory_bytes
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._lock = threading.Lock()
        self._ready = False
        self.starts = 0

    def start(self, wait: bool = False) -> None:
        """Start the worker; without `wait` it loads Helm while the caller goes on (the first
        render waits for it to be ready)."""
        with self._lock:
            if wait:
                self._ensure()
            elif self._proc is None or self._proc.poll() is not None:
                self._spawn()

    def render(
        self,
        chart: str,
        values: dict[str, Any],
        release: str,
        namespace: str,
        capabilities: tuple[str | None, tuple[str, ...]] = (None, ()),
    ) -> Any:
        """Helm's manifests as documents per template (see render_worker.documents);
        `capabilities` is (Kubernetes version, extra API versions)."""
        request = {
            "chart": chart,
            "values": values,
            "release": release,
            "namespace": namespace,
            "kube_version": capabilities[0],
            "api_versions": list(capabilities[1]),
        }
        with self._lock:
            proc = self._ensure()
            assert proc.stdin is not None
            try:
                render_worker.write_message(proc.stdin, request)  # type: ignore[arg-type]
            except (BrokenPipeError, OSError):
                raise self._died("the render worker") from None
            answer = self._answer(proc, self.timeout, "the render")
        if "error" in answer:
            raise HelmRenderError(str(answer["error"]), str(answer.get("message", "")))
        return answer["documents"]

    def close(self) -> None:
        with self._lock:
            self._stop()

    def _ensure(self) -> subprocess.Popen[bytes]:
        if self._proc is None or self._proc.poll() is not None:
            self._spawn()
        assert self._proc is not None
        if not self._ready:
            self._answer(self._proc, START_TIMEOUT, "the render worker's start")
            self._ready = True
        return self._proc

    def _spawn(self) -> None:
        self._stop()
        self._stderr = tempfile.TemporaryFile(prefix="dr-kube-render-")  # noqa: SIM115 (closed in _stop)
        self._proc = subprocess.Popen(
            [sys.executable, str(WORKER), str(self.memory_bytes)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=worker_environment(),
        )
        self._ready = False
        self.starts += 1

    def _answer(self, proc: subprocess.Popen[bytes], timeout: float, what: str) -> Any:
        assert proc.stdout is not None
        deadline = time.monotonic() + timeout
        ready, _, _ = select.select([proc.stdout], [], [], max(deadline - time.monotonic(), 0))
        if not ready:
            self._stop()
            raise ChartError(f"{what} did not finish within {timeout:g}s (stopped)")
        message = render_worker.read_message(proc.stdout)  # type: ignore[arg-type]
        if message is None:
            raise self._died(what)
        return message

    def _died(self, what: str) -> ChartError:
        """Why the worker is gone (out of memory, most often), as one line; it is restarted next."""
        tail = self._stderr_tail()
        self._stop()
        limit = self.memory_bytes // (1024 * 1024)
        if "out of memory" in tail or "cannot allocate" in tail:
            return ChartError(f"{what} ran out of memory (over the {limit} MiB limit; stopped)")
        last = next((ln for ln in reversed(tail.splitlines()) if ln.strip()), "no message")
        return ChartError(f"{what} stopped unexpectedly ({last.strip()[:200]})")

    def _stderr_tail(self) -> str:
        if self._proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(timeout=5)
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read(STDERR_TAIL).decode("utf-8", "replace")

    def _stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    stream.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

"""Real chart sources for tests: charts packaged by Helm's own code, a Helm repository (an
index.yaml made by Helm) served over HTTP on 127.0.0.1, and an OCI registry (Debian's
docker-registry, distribution 2.8) on 127.0.0.1 when installed."""

from __future__ import annotations

import functools
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from helm_python import chart as helm_chart
from helm_python import registry

from tests.support.net import free_port

REGISTRY_BIN = Path("/usr/bin/docker-registry")


class Served:
    """A folder served over HTTP on 127.0.0.1 (a Helm repository once it holds an index)."""

    def __init__(self, folder: Path) -> None:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        self.folder = folder
        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def index(self) -> None:
        registry.repo_index_generate(self.folder, base_url=self.url)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def write_chart(folder: Path, files: dict[str, str]) -> Path:
    """A chart folder from {relative path: text}."""
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return folder


def package(folder: Path, out: Path) -> Path:
    """The chart in `folder` as a .tgz in `out`, packaged by Helm."""
    out.mkdir(parents=True, exist_ok=True)
    return Path(helm_chart.package(folder, destination=out))


def start_registry(workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """docker-registry on 127.0.0.1 (host:port), answering /v2/; skips when not installed."""
    if not REGISTRY_BIN.exists():
        pytest.skip("docker-registry is not installed (scripts/test-deps.sh installs it)")
    port = free_port()
    config = workdir / "registry.yml"
    config.write_text(
        "version: 0.1\n"
        f"storage: {{filesystem: {{rootdirectory: {workdir / 'registry-data'}}}}}\n"
        f"http: {{addr: 127.0.0.1:{port}}}\n"
        "log: {level: error}\n"
    )
    proc = subprocess.Popen(
        [str(REGISTRY_BIN), "serve", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 15
    while True:
        try:
            if requests.get(f"http://127.0.0.1:{port}/v2/", timeout=1).ok:
                return proc, f"127.0.0.1:{port}"
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            proc.terminate()
            proc.wait(timeout=10)
            pytest.fail("docker-registry did not answer within 15s")
        time.sleep(0.1)


@pytest.fixture
def oci_registry(tmp_path: Path) -> Iterator[str]:
    proc, host = start_registry(tmp_path)
    try:
        yield host
    finally:
        proc.terminate()
        proc.wait(timeout=10)

"""The shared Prometheus client against small local servers: TLS checked, errors short and typed."""

from __future__ import annotations

import json
import logging
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import certifi
import pytest

from dr_kube.cluster.promql import Prometheus, PrometheusError, PrometheusUnreachableError
from dr_kube.errors import ConfigError
from tests.support.net import free_port
from tests.support.tools import require_binary

VECTOR = {
    "status": "success",
    "data": {
        "resultType": "vector",
        "result": [
            {"metric": {"pod": "a"}, "value": [0, "1.5"]},
            {"metric": {"pod": "b"}, "value": [0, "NaN"]},
            {"metric": {"pod": "c"}, "value": [0, "4"]},
        ],
    },
}


class Handler(BaseHTTPRequestHandler):
    """Answers by path: /ok a vector, /bad 400, /html a page, /slow after two seconds."""

    def do_GET(self) -> None:
        root = self.path.split("/api/")[0]
        status, body, ctype = 200, json.dumps(VECTOR).encode(), "application/json"
        if root == "/bad":
            status, body = 400, b'{"status":"error","error":"parse error"}'
        elif root == "/html":
            body, ctype = b"<html>not prometheus</html>", "text/html"
        elif root == "/slow":
            time.sleep(2)
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # /slow: the client has given up
            pass

    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(tls: ssl.SSLContext | None = None) -> Iterator[str]:
    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def http_url() -> Iterator[str]:
    yield from serve()


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    openssl = require_binary("openssl")
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(
        [
            *(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")),
            *("-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    return folder


@pytest.fixture(scope="module")
def https_url(self_signed: Path) -> Iterator[str]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(self_signed / "cert.pem", self_signed / "key.pem")
    yield from serve(context)


def test_an_instant_query_gives_its_values_without_nan(http_url: str) -> None:
    prometheus = Prometheus(http_url + "/ok/")
    assert prometheus.values("up", 1_700_000_000.5) == [1.5, 4.0]
    assert prometheus.value("up", 1_700_000_000.5) == 4.0


def test_a_refused_query_and_a_page_that_is_not_the_api_are_query_errors(http_url: str) -> None:
    with pytest.raises(PrometheusError, match="400") as refused:
        Prometheus(http_url + "/bad").value("up{", 0)
    assert not isinstance(refused.value, PrometheusUnreachableError)
    with pytest.raises(PrometheusError, match="not an API answer") as html:
        Prometheus(http_url + "/html").value("up", 0)
    assert not isinstance(html.value, PrometheusUnreachableError)


def test_an_unreachable_server_fails_at_once_with_one_short_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    caplog.set_level(logging.DEBUG)
    began = time.monotonic()
    with pytest.raises(PrometheusUnreachableError) as exc:
        Prometheus(url).value("up", 0)
    assert time.monotonic() - began < 1
    assert str(exc.value) == f"Prometheus at {url} unreachable (ConnectionError)"
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_a_server_slower_than_the_timeout_is_unreachable_and_not_asked_twice(
    http_url: str,
) -> None:
    began = time.monotonic()
    with pytest.raises(PrometheusUnreachableError, match="unreachable"):
        Prometheus(http_url + "/slow", timeout=0.5).value("up", 0)
    assert time.monotonic() - began < 1.5


def test_certificates_are_checked(
    https_url: str, self_signed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(PrometheusUnreachableError, match="SSLError"):
        Prometheus(https_url + "/ok").value("up", 0)
    # a private CA is trusted through requests' own setting
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(self_signed / "cert.pem"))
    assert Prometheus(https_url + "/ok").value("up", 0) == 4.0


def test_a_private_ca_is_trusted_through_drkube_prometheus_ca_bundle(
    https_url: str, self_signed: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    monkeypatch.setenv("DRKUBE_PROMETHEUS_CA_BUNDLE", str(self_signed / "cert.pem"))
    assert Prometheus(https_url + "/ok").value("up", 0) == 4.0
    # another CA file: the certificate is refused, never accepted unchecked
    other = tmp_path / "other.pem"
    other.write_text(Path(certifi.where()).read_text())
    monkeypatch.setenv("DRKUBE_PROMETHEUS_CA_BUNDLE", str(other))
    with pytest.raises(PrometheusUnreachableError, match="SSLError"):
        Prometheus(https_url + "/ok").value("up", 0)
    monkeypatch.setenv("DRKUBE_PROMETHEUS_CA_BUNDLE", str(tmp_path / "missing.pem"))
    with pytest.raises(
        ConfigError, match=r"DRKUBE_PROMETHEUS_CA_BUNDLE .*missing.pem: no such file"
    ):
        Prometheus(https_url + "/ok").value("up", 0)

"""A real `dr-kube serve` as an operator runs it: JSON start-up and access lines under
DRKUBE_LOG_FORMAT=json, request ids (taken or made, echoed, on every line of the request), and
/docs served from the bundled Swagger UI / ReDoc files (no CDN)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.service import Serve, alert, am_headers, payload


@pytest.fixture
def json_serve(gitops_repo: Path, tmp_path: Path) -> Iterator[Serve]:
    env = {"DRKUBE_LOG_FORMAT": "json", "DRKUBE_LOG_LEVEL": "INFO", "DRKUBE_INTAKE_ONLY": "1"}
    serve = Serve(gitops_repo, tmp_path / "db" / "dr-kube.db", env=env).start()
    try:
        yield serve
    finally:
        serve.stop()


def log_lines(serve: Serve) -> list[dict[str, Any]]:
    assert serve.log is not None
    text = serve.log.read_text()
    lines = [line for line in text.splitlines() if line.strip()]
    docs = []
    for line in lines:
        try:
            docs.append(json.loads(line))
        except json.JSONDecodeError:
            raise AssertionError(f"not a JSON log line: {line!r}") from None
    return docs


def test_start_up_and_access_lines_are_json_with_request_ids(json_serve: Serve) -> None:
    given = httpx.post(
        f"{json_serve.url}/webhooks/alertmanager",
        content=json.dumps(payload(alert())),
        headers={**am_headers(), "X-Request-ID": "req-from-the-proxy.1"},
    )
    assert given.status_code == 202
    assert given.headers["X-Request-ID"] == "req-from-the-proxy.1"
    made = httpx.get(f"{json_serve.url}/healthz")
    made_id = made.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made_id)
    hostile = httpx.get(f"{json_serve.url}/healthz", headers={"X-Request-ID": "a b\tc" + "x" * 300})
    assert re.fullmatch(r"[0-9a-f]{32}", hostile.headers["X-Request-ID"])  # replaced, not echoed
    json_serve.stop()

    lines = log_lines(json_serve)  # every line parses: the start-up lines too
    messages = [line["message"] for line in lines]
    assert any(m.startswith("serving on http://127.0.0.1:") for m in messages), messages
    assert any(m.startswith("Uvicorn running on") for m in messages), messages  # uvicorn's, as JSON
    assert all("color_message" not in line for line in lines)
    of_request = [line for line in lines if line.get("request_id") == "req-from-the-proxy.1"]
    loggers = {line["logger"] for line in of_request}
    assert {"uvicorn.access", "dr_kube.server.alertmanager"} <= loggers, of_request
    access = next(line for line in of_request if line["logger"] == "uvicorn.access")
    assert access["method"] == "POST" and access["path"] == "/webhooks/alertmanager"
    assert access["status"] == 202
    assert any(
        line["logger"] == "uvicorn.access" and line.get("request_id") == made_id for line in lines
    )
    # lines outside any request carry no id
    assert all("request_id" not in line for line in lines if line["logger"] == "dr_kube.serve")


def test_docs_are_served_from_bundled_files(json_serve: Serve) -> None:
    for page in ("/docs", "/redoc"):
        html = httpx.get(f"{json_serve.url}{page}").text
        sources = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert sources, html
        assert all(s.startswith("/") and not s.startswith("//") for s in sources), sources
        assert "cdn" not in html.lower()
        for source in sources:
            if source.endswith((".js", ".css")):
                asset = httpx.get(f"{json_serve.url}{source}")
                assert asset.status_code == 200 and len(asset.content) > 10_000, source

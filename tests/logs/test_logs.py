"""Log lines as the CLI and the service write them: JSON for collectors, text otherwise, masked."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from dr_kube.cli.main import configure_logging

SLACK_TOKEN = "xoxb-1234567890-abcdefghij"
PASSWORD = "hunter2hunter2"


@pytest.fixture
def root_logging() -> Iterator[None]:
    """configure_logging replaces the root logger's handlers: put pytest's back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.strip()]


def test_a_json_log_line_is_json_with_level_logger_and_message_and_masks_secrets(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], root_logging: None
) -> None:
    monkeypatch.setenv("DRKUBE_LOG_FORMAT", "json")
    monkeypatch.setenv("DRKUBE_LOG_LEVEL", "INFO")
    configure_logging(0)
    log = logging.getLogger("dr_kube.test")
    log.info(
        "posting with %s",
        SLACK_TOKEN,
        extra={"incident": "inc-1", "request": {"url": f"https://u:{PASSWORD}@example.com/"}},
    )
    try:
        raise RuntimeError(f"password={PASSWORD}")
    except RuntimeError:
        log.exception("it failed")
    err = capsys.readouterr().err
    assert SLACK_TOKEN not in err and PASSWORD not in err
    first, second = (json.loads(line) for line in lines(err))
    assert first["level"] == "info" and first["logger"] == "dr_kube.test"
    assert first["message"].startswith("posting with [REDACTED:slack-token:")
    assert first["incident"] == "inc-1"
    assert "[REDACTED:url-password:" in first["request"]["url"]
    assert first["time"].endswith("+00:00")
    assert second["level"] == "error" and second["message"] == "it failed"
    assert "RuntimeError: password=[REDACTED:secret-assignment:" in second["exception"]


def test_text_log_lines_mask_secrets_too(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], root_logging: None
) -> None:
    monkeypatch.delenv("DRKUBE_LOG_FORMAT", raising=False)
    monkeypatch.delenv("DRKUBE_LOG_LEVEL", raising=False)
    configure_logging(1)
    logging.getLogger("dr_kube.test").info("token %s", SLACK_TOKEN)
    logging.getLogger("dr_kube.test").debug("not at -v")
    [line] = lines(capsys.readouterr().err)
    assert line.startswith("INFO dr_kube.test: token [REDACTED:slack-token:")

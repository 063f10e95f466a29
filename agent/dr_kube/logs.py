"""Log formatters, secrets masked on the way out: plain text, or JSON lines for log collectors
(`DRKUBE_LOG_FORMAT=json`, python-json-logger's formatter); the HTTP request a line belongs to
(`request_id`); uvicorn's loggers (start-up, errors, the access log) through the same handler."""

from __future__ import annotations

import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from pythonjsonlogger.json import JsonFormatter as LibraryJsonFormatter

from dr_kube.redact import redact


class JsonFormatter(LibraryJsonFormatter):
    """One JSON object a line: time, level, logger, message, the record's extras, exception."""

    def __init__(self) -> None:
        super().__init__(
            ["levelname", "name", "message"],
            rename_fields={"levelname": "level", "name": "logger", "exc_info": "exception"},
        )

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        log_data["time"] = datetime.fromtimestamp(record.created, UTC).isoformat(
            timespec="milliseconds"
        )
        super().add_fields(log_data, record, message_dict)
        log_data["level"] = record.levelname.lower()

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        log_data.pop("color_message", None)  # uvicorn's message with terminal colours
        masked: dict[str, Any] = mask(log_data)
        return masked


def mask(value: Any) -> Any:
    """`value` as JSON-ready data, every string in it (keys aside) through `redact`."""
    if isinstance(value, dict):
        return {str(key): mask(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [mask(item) for item in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return redact(value if isinstance(value, str) else str(value))


class RedactingFormatter(logging.Formatter):
    """Plain text lines, secrets masked; ` request_id=...` at the end of a request's lines."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        request_id = getattr(record, "request_id", None)
        return redact(f"{line} request_id={request_id}" if request_id else line)


TEXT_FORMAT = "%(levelname)s %(name)s: %(message)s"

# The id of the HTTP request being served (X-Request-ID, or one made up): set by the server's
# middleware, copied into every log record made while the request is handled.
REQUEST_ID: ContextVar[str | None] = ContextVar("dr_kube_request_id", default=None)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        request_id = REQUEST_ID.get()
        if request_id is not None and not hasattr(record, "request_id"):
            record.request_id = request_id
        return True


class AccessFields(logging.Filter):
    """uvicorn's access line as fields too: client, method, path, http_version, status."""

    NAMES = ("client", "method", "path", "http_version", "status")

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == len(self.NAMES):
            for name, value in zip(self.NAMES, args, strict=True):
                setattr(record, name, value)
        return True


def log_handler(log_format: str) -> logging.Handler:
    """The one stderr handler of a process: JSON lines or text, masked, with request ids."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter() if log_format == "json" else RedactingFormatter(TEXT_FORMAT)
    )
    handler.addFilter(RequestIdFilter())
    return handler


UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


def route_uvicorn_logs(access_log: bool = True) -> None:
    """uvicorn's loggers write through the root logger's handler (ours), at INFO: its start-up
    and shutdown lines and, with ACCESS_LOG, one line per request. Call with uvicorn's own
    logging set-up turned off (`log_config=None`)."""
    for name in UVICORN_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
        logger.setLevel(logging.INFO)
    access = logging.getLogger("uvicorn.access")
    access.disabled = not access_log
    if not any(isinstance(f, AccessFields) for f in access.filters):
        access.addFilter(AccessFields())

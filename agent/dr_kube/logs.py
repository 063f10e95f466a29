"""Log formatters, secrets masked on the way out: plain text, or JSON lines for log collectors
(`DRKUBE_LOG_FORMAT=json`, python-json-logger's formatter)."""

from __future__ import annotations

import logging
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
    """Plain text lines, secrets masked."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))

"""JSON log lines for log collectors (`DRKUBE_LOG_FORMAT=json`); secrets masked on the way out."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from dr_kube.redact import redact

STANDARD_ATTRS = set(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in STANDARD_ATTRS and not key.startswith("_"):
                entry[key] = redact(value) if isinstance(value, str) else value
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, default=str)


class RedactingFormatter(logging.Formatter):
    """Plain text lines, secrets masked."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))

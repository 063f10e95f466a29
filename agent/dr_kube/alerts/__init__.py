"""Every input form behind one registry: Alertmanager webhook, single alert, legacy sample."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from dr_kube.alerts.alertmanager import SingleAlertSource, WebhookSource
from dr_kube.alerts.legacy import LegacySource
from dr_kube.alerts.source import AlertSource
from dr_kube.errors import InputError, read_input_file
from dr_kube.incidents.model import Incident


def load_incidents(path: Path) -> list[Incident]:
    """Read an alert file and return one Incident per alert it holds."""
    text = read_input_file(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON: {exc.msg} at line {exc.lineno}") from None
    try:
        return parse_incidents(data)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None


# The input forms in the order they are tried; a new source is one module and one entry here.
SOURCES: tuple[AlertSource, ...] = (WebhookSource(), SingleAlertSource(), LegacySource())


def parse_incidents(data: Any) -> list[Incident]:
    """Turn any accepted input form (already decoded JSON) into Incidents."""
    if not isinstance(data, dict):
        raise InputError(f"expected a JSON object, got {type(data).__name__}")
    for source in SOURCES:
        if source.accepts(data):
            try:
                return source.parse(data)
            except ValidationError as exc:
                raise InputError(describe_validation_error(exc)) from None
    forms = [source.describe for source in SOURCES]
    raise InputError(f"not an alert: expected {', '.join(forms[:-1])} or {forms[-1]}")


def describe_validation_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "document"
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {first['msg']}{more}"

"""Every input form behind one registry: Alertmanager webhook, single alert, legacy sample.

A delivery is read alert by alert: the good ones become Incidents, each bad one is named with its
place and reason (`Rejected`), and alerts beyond a limit are counted (`dropped`), not read. Only a
delivery with no good alert at all is refused whole (`InputError`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from dr_kube.alerts.alertmanager import SingleAlertSource, WebhookSource
from dr_kube.alerts.legacy import LegacySource
from dr_kube.alerts.source import AlertSource
from dr_kube.errors import InputError, read_input_file
from dr_kube.incidents.masking import masked
from dr_kube.incidents.model import Incident
from dr_kube.safejson import JsonInputError, loads, text_problem


@dataclass(frozen=True)
class Rejected:
    """One alert of a delivery that was not stored: where it sits (`alerts.3`) and why."""

    index: int
    reason: str


@dataclass(frozen=True)
class Parsed:
    incidents: list[Incident]
    rejected: list[Rejected] = field(default_factory=list)
    dropped: int = 0


def load_incidents(path: Path) -> list[Incident]:
    """Read an alert file and return one Incident per alert it holds (every alert must be good)."""
    text = read_input_file(path)
    try:
        data = loads(text, check_text=False)  # checked alert by alert
    except JsonInputError as exc:
        raise InputError(f"{path}: {exc}") from None
    try:
        return parse_incidents(data)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None


# The input forms in the order they are tried; a new source is one module and one entry here.
SOURCES: tuple[AlertSource, ...] = (WebhookSource(), SingleAlertSource(), LegacySource())


def parse_incidents(data: Any) -> list[Incident]:
    """Turn any accepted input form (already decoded JSON) into Incidents; one bad alert is an
    InputError naming it."""
    parsed = parse_delivery(data)
    if parsed.rejected:
        raise InputError(_summary(parsed.rejected))
    return parsed.incidents


def parse_delivery(data: Any, max_alerts: int | None = None) -> Parsed:
    """The good alerts of a delivery as Incidents (secrets masked), the bad ones named; at most
    `max_alerts` are read. An InputError when the envelope is bad or no alert is good."""
    if not isinstance(data, dict):
        raise InputError(f"expected a JSON object, got {type(data).__name__}")
    source = next((s for s in SOURCES if s.accepts(data)), None)
    if source is None:
        forms = [s.describe for s in SOURCES]
        raise InputError(f"not an alert: expected {', '.join(forms[:-1])} or {forms[-1]}")
    try:
        items = source.items(data)
    except ValidationError as exc:
        raise InputError(describe_validation_error(exc)) from None
    dropped = max(0, len(items) - max_alerts) if max_alerts is not None else 0
    incidents: list[Incident] = []
    rejected: list[Rejected] = []
    for index, item in enumerate(items[: len(items) - dropped]):
        where = f"{source.item_path}.{index}" if source.item_path else ""
        try:
            problem = text_problem(item)
            if problem is not None:
                raise InputError(f"a string {problem}")
            incidents.append(masked(source.parse_item(item)))  # secrets masked from here on
        except ValidationError as exc:
            rejected.append(Rejected(index, describe_validation_error(exc, where)))
        except (InputError, ValueError) as exc:  # a bad value costs its alert, never the delivery
            rejected.append(Rejected(index, f"{where}: {exc}" if where else str(exc)))
    if not incidents:
        raise InputError(_summary(rejected))
    return Parsed(incidents, rejected, dropped)


def _summary(rejected: list[Rejected]) -> str:
    more = f" (and {len(rejected) - 1} more bad alerts)" if len(rejected) > 1 else ""
    return f"{rejected[0].reason}{more}"


def describe_validation_error(exc: ValidationError, where: str = "") -> str:
    first = exc.errors()[0]
    loc = ".".join(str(p) for p in (*([where] if where else []), *first["loc"])) or "document"
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{loc}: {first['msg']}{more}"

"""The contract of an input form: does this decoded JSON look like me, its alerts, and each
alert's Incident."""

from __future__ import annotations

from typing import Any, Protocol

from dr_kube.incidents.model import Incident


class AlertSource(Protocol):
    """One input form. `describe` names it in the error a user sees when no form matches;
    `item_path` names where its alerts sit (`alerts` → `alerts.3`), empty for a one-alert form.

    `items` checks the envelope and returns the raw alerts; `parse_item` turns one into its
    Incident. A bad alert (pydantic's ValidationError or an InputError) costs only itself."""

    describe: str
    item_path: str

    def accepts(self, data: dict[str, Any]) -> bool: ...

    def items(self, data: dict[str, Any]) -> list[Any]: ...

    def parse_item(self, item: Any) -> Incident: ...

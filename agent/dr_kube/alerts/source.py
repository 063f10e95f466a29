"""The contract of an input form: does this decoded JSON look like me, and its Incidents."""

from __future__ import annotations

from typing import Any, Protocol

from dr_kube.incidents.model import Incident


class AlertSource(Protocol):
    """One input form. `describe` names it in the error a user sees when no form matches."""

    describe: str

    def accepts(self, data: dict[str, Any]) -> bool: ...

    def parse(self, data: dict[str, Any]) -> list[Incident]: ...

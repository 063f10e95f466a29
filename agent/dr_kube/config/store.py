"""Where the service's store lives, and how durable and talkative it is."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator

from dr_kube.config.env import EnvSection, OneMeansOn, env

Synchronous = Literal["FULL", "NORMAL", "EXTRA"]


def _synchronous(value: Any) -> Any:
    # An unknown level keeps the safe one, as it always has.
    if isinstance(value, str):
        level = value.strip().upper()
        return level if level in ("FULL", "NORMAL", "EXTRA") else "FULL"
    return value


class StoreSettings(EnvSection):
    db_path: Path = env(
        "DRKUBE_DB",
        "SQLite file of the store (WAL mode); checkpoints go next to it (`--db`)",
        default=Path(".dr-kube/dr-kube.db"),
    )
    database_url: str | None = env(
        "DRKUBE_DATABASE_URL",
        "`postgresql://...`: store and checkpoints in PostgreSQL, for several replicas (`--database-url`)",
        default=None,
    )
    sqlite_synchronous: Annotated[Synchronous, BeforeValidator(_synchronous)] = env(
        "DRKUBE_SQLITE_SYNCHRONOUS",
        "`FULL` (every 202 survives power loss), `NORMAL` or `EXTRA`",
        default="FULL",
    )
    audit_prompts: OneMeansOn = env(
        "DRKUBE_AUDIT_PROMPTS",
        "`1`: the audit trail's LLM records include the redacted prompt",
        default=False,
    )

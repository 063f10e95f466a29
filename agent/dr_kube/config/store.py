"""Where the service's store lives, and how durable and talkative it is."""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, SecretStr

from dr_kube.config.env import EnvSection, OneMeansOn, env
from dr_kube.errors import ConfigError

KEY_VAR = "DRKUBE_CHECKPOINT_KEY"
OLD_KEYS_VAR = "DRKUBE_CHECKPOINT_OLD_KEYS"

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
    checkpoint_key: SecretStr | None = env(
        KEY_VAR,
        "AES key of the LangGraph checkpoints: base64 of 16, 24 or 32 bytes "
        "(`openssl rand -base64 32`); `serve` refuses to start without it unless "
        "`--insecure-no-encryption`",
        default=None,
    )
    checkpoint_old_keys: SecretStr | None = env(
        OLD_KEYS_VAR,
        "comma-separated earlier checkpoint keys, only read: checkpoints written before a key "
        "rotation stay readable",
        default=None,
    )

    def checkpoint_keys(self) -> list[bytes]:
        """The current key first, then the old ones; empty when no key is set."""
        current = self.checkpoint_key.get_secret_value().strip() if self.checkpoint_key else ""
        old = self.checkpoint_old_keys.get_secret_value() if self.checkpoint_old_keys else ""
        olds = [k for k in old.split(",") if k.strip()]
        if not current:
            if olds:
                raise ConfigError(f"{OLD_KEYS_VAR} is set but {KEY_VAR} is not")
            return []
        return [decode_key(KEY_VAR, current), *(decode_key(OLD_KEYS_VAR, k) for k in olds)]


def decode_key(name: str, value: str) -> bytes:
    """A base64 AES key (16, 24 or 32 bytes); the error names the variable, never the value."""
    try:
        key = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError(f"{name}: not base64 (make one with `openssl rand -base64 32`)") from None
    if len(key) not in (16, 24, 32):
        raise ConfigError(
            f"{name}: an AES key is 16, 24 or 32 bytes, this one is {len(key)} "
            "(make one with `openssl rand -base64 32`)"
        )
    return key

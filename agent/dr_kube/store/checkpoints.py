"""The LangGraph checkpointer next to the store: SQLite file or the same PostgreSQL.

With keys (DRKUBE_CHECKPOINT_KEY, then DRKUBE_CHECKPOINT_OLD_KEYS) every checkpoint is written
encrypted by LangGraph's own `EncryptedSerializer` (AES, EAX mode, through pycryptodome) under the
first key, and read with whichever key opens it: a rotation puts the old key among the old keys
until the checkpoints written with it are gone. A checkpoint no key opens is a clear error,
found at start-up.
"""

from __future__ import annotations

import inspect
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from pydantic import BaseModel

from dr_kube.config.store import KEY_VAR, OLD_KEYS_VAR
from dr_kube.errors import ConfigError


class CheckpointKeyError(ConfigError):
    """A stored checkpoint cannot be read with the configured keys."""


def allowed_types(modules: Iterable[ModuleType]) -> list[tuple[str, str]]:
    """Every pydantic model of the given modules: deserialised by name, nothing else."""
    found: list[tuple[str, str]] = []
    for module in modules:
        for attr, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseModel)
                and value.__module__ == module.__name__
            ):
                found.append((module.__name__, attr))
    return found


class KeyRing:
    """A `CipherProtocol`: encrypts with the first key's cipher, decrypts with any key's."""

    def __init__(self, ciphers: Sequence[Any]) -> None:
        self.ciphers = list(ciphers)

    def encrypt(self, plaintext: bytes) -> tuple[str, bytes]:
        name, data = self.ciphers[0].encrypt(plaintext)
        return str(name), bytes(data)

    def decrypt(self, ciphername: str, ciphertext: bytes) -> bytes:
        for cipher in self.ciphers:
            try:
                return bytes(cipher.decrypt(ciphername, ciphertext))
            except (ValueError, AssertionError):  # wrong key (MAC check), another cipher
                continue
        raise CheckpointKeyError(
            f"a stored checkpoint ({ciphername}) cannot be decrypted with {KEY_VAR}"
            f" or {OLD_KEYS_VAR}: it was written with another key (put that key in"
            f" {OLD_KEYS_VAR}, or delete the checkpoints to drop the paused runs)"
        )


class Unencrypted:
    """The plain serializer, which says so when it meets an encrypted checkpoint."""

    def __init__(self, serde: Any) -> None:
        self.serde = serde

    def dumps_typed(self, obj: Any) -> tuple[str, bytes]:
        typ, data = self.serde.dumps_typed(obj)
        return str(typ), bytes(data)

    def loads_typed(self, data: tuple[str, bytes]) -> Any:
        if "+" in data[0]:
            raise CheckpointKeyError(
                f"the stored checkpoints are encrypted ({data[0]}) but {KEY_VAR} is not set"
            )
        return self.serde.loads_typed(data)


Primitive = str | int | float | bool | None


class Sealed(BaseModel):
    """A primitive channel value (the values file's text, a count), boxed: PostgresSaver keeps
    primitives inline in its JSONB column, where the serializer, and so the cipher, never sees
    them; boxed, they go to the blobs table encrypted like every other value."""

    value: Primitive


def seal(checkpoint: Any) -> Any:
    values = checkpoint["channel_values"]
    return {
        **checkpoint,
        "channel_values": {
            k: Sealed(value=v) if v is None or isinstance(v, str | int | float | bool) else v
            for k, v in values.items()
        },
    }


def unseal(found: Any) -> Any:
    if found is not None:
        values = found.checkpoint["channel_values"]
        for k, v in values.items():
            if isinstance(v, Sealed):
                values[k] = v.value
    return found


def sealed_postgres_saver() -> Any:
    """PostgresSaver that stores every channel value through the serializer (see Sealed)."""
    from langgraph.checkpoint.postgres import PostgresSaver

    class SealedPostgresSaver(PostgresSaver):
        def put(self, config: Any, checkpoint: Any, metadata: Any, new_versions: Any) -> Any:
            return super().put(config, seal(checkpoint), metadata, new_versions)

        def get_tuple(self, config: Any) -> Any:
            return unseal(super().get_tuple(config))

        def list(self, config: Any, **kwargs: Any) -> Any:
            for found in super().list(config, **kwargs):
                yield unseal(found)

    return SealedPostgresSaver


def serializer(state_modules: Iterable[ModuleType], keys: Sequence[bytes] = ()) -> Any:
    """The serializer of the checkpoints: JSON+msgpack of the state's own models only, encrypted
    when there are keys."""
    from langgraph.checkpoint.serde.encrypted import EncryptedSerializer
    from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

    allowed = [*allowed_types(state_modules), (__name__, Sealed.__name__)]
    plain = JsonPlusSerializer(allowed_msgpack_modules=allowed)
    if not keys:
        return Unencrypted(plain)
    ciphers = [EncryptedSerializer.from_pycryptodome_aes(plain, key=key).cipher for key in keys]
    return EncryptedSerializer(KeyRing(ciphers), plain)


def check_readable(saver: Any) -> None:
    """Read the newest checkpoint: a wrong or missing key fails at start-up, not at a resume."""
    next(iter(saver.list(None, limit=1)), None)


def make_checkpointer(
    url: str | None,
    db_path: Path,
    state_modules: Iterable[ModuleType],
    keys: Sequence[bytes] = (),
) -> Any:
    """The checkpointer; `state_modules` hold the models that travel in the graph's state, `keys`
    the AES keys (the current one first; none: unencrypted)."""
    modules = list(state_modules)
    if url and url.startswith(("postgresql://", "postgres://")):
        from langgraph.checkpoint.postgres import PostgresSaver
        from psycopg.rows import dict_row
        from psycopg_pool import ConnectionPool

        pool: Any = ConnectionPool(
            url,
            min_size=1,
            max_size=8,
            kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
            open=True,
        )
        saver_class = sealed_postgres_saver() if keys else PostgresSaver
        saver = saver_class(pool, serde=serializer(modules, keys))
        setup_once(saver, pool)
        check_readable(saver)
        return saver
    from langgraph.checkpoint.sqlite import SqliteSaver

    path = db_path.with_name(db_path.stem + "-checkpoints.db")
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA busy_timeout=10000")
    sqlite_saver = SqliteSaver(conn, serde=serializer(modules, keys))
    sqlite_saver.setup()
    check_readable(sqlite_saver)
    return sqlite_saver


def setup_once(saver: Any, pool: Any) -> None:
    """Create the checkpoint tables while holding an advisory lock (replicas start together)."""
    with pool.connection() as conn:
        conn.execute("SELECT pg_advisory_lock(71002)")
        try:
            saver.setup()
        finally:
            conn.execute("SELECT pg_advisory_unlock(71002)")

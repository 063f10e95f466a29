"""The tools for each transport: stdio opens the store itself, `serve` hands over its own."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr

from dr_kube.errors import DrKubeError, InputError
from dr_kube.graph.context import RunContext
from dr_kube.mcp.tools import Tools
from dr_kube.service.context import ContextArgs, build_context
from dr_kube.store import Store, open_store


def secret_values(model: BaseModel) -> Iterator[str]:
    """Every SecretStr a settings model holds, nested sections included."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, SecretStr):
            yield value.get_secret_value()
        elif isinstance(value, BaseModel):
            yield from secret_values(value)


def configured_secrets() -> tuple[str, ...]:
    """The secrets DR-Kube is configured with: masked wherever they show up in a tool result."""
    from dr_kube.config.github import GitHubSettings
    from dr_kube.config.llm import LLMSettings
    from dr_kube.config.service import Settings

    loaders: list[Callable[[], BaseModel]] = [
        Settings.from_env,
        GitHubSettings.load,
        LLMSettings.load,
    ]
    found: list[str] = []
    for load in loaders:
        try:
            found += secret_values(load())
        except DrKubeError:  # a section that does not load holds no secret we could know
            continue
    return tuple(s for s in dict.fromkeys(found) if s)


def dry_run_context(context_args: ContextArgs) -> Callable[[], RunContext]:
    """A fresh `dr-kube run` context per call: never publishing, whatever the caller passed."""
    args: dict[str, Any] = {**context_args, "publish": False, "push": False}

    def make() -> RunContext:
        return build_context(**args)

    return make


class StoreOpener:
    """The store of `dr-kube mcp`, opened at its first use (a missing SQLite file is an error
    naming it, not a new empty store) and kept for the process."""

    def __init__(self, db_path: Path, database_url: str | None) -> None:
        self.db_path, self.database_url = db_path, database_url
        self._store: Store | None = None
        self._lock = threading.Lock()

    def __call__(self) -> Store:
        with self._lock:
            if self._store is None:
                if not self.database_url and not self.db_path.is_file():
                    raise InputError(
                        f"no store at {self.db_path} (set DRKUBE_DB or DRKUBE_DATABASE_URL, "
                        "or pass --db / --database-url)"
                    )
                self._store = open_store(self.database_url, self.db_path)
            return self._store

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None


def stdio_tools(context_args: ContextArgs, store: StoreOpener) -> Tools:
    return Tools(store=store, context=dry_run_context(context_args), secrets=configured_secrets())


def service_tools(store: Store, context_args: ContextArgs) -> Tools:
    return Tools(
        store=lambda: store,
        context=dry_run_context(context_args),
        secrets=configured_secrets(),
    )

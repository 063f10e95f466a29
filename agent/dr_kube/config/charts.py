"""Where fetched Helm charts are cached, and how DR-Kube reaches the repositories they come from."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, SecretStr

from dr_kube.config.duration import Duration
from dr_kube.config.env import CommaSet, EnvSection, OneMeansOn, env


class HostCredentials(BaseModel):
    username: str
    password: SecretStr


def _json_map(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not JSON: {exc.msg}") from None
    return value


def default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "dr-kube" / "charts"


class ChartSettings(EnvSection):
    cache: Path = env(
        "DRKUBE_CHART_CACHE",
        "folder of fetched charts, one per repository, chart and version; a second run needs no "
        "network",
        default_factory=default_cache,
        shown="`$XDG_CACHE_HOME/dr-kube/charts` (`~/.cache/dr-kube/charts`)",
    )
    offline: OneMeansOn = env(
        "DRKUBE_CHART_OFFLINE",
        "`1`: never download a chart; only `--charts` and the cache are read",
        default=False,
    )
    username: str | None = env(
        "DRKUBE_HELM_USERNAME",
        "user name for private Helm repositories and OCI registries (every host)",
        default=None,
    )
    password: SecretStr | None = env(
        "DRKUBE_HELM_PASSWORD",
        "password or token that goes with `DRKUBE_HELM_USERNAME`",
        default=None,
    )
    credentials: Annotated[dict[str, HostCredentials], BeforeValidator(_json_map)] = env(
        "DRKUBE_HELM_CREDENTIALS",
        'per host, JSON: `{"charts.example.com": {"username": "u", "password": "p"}}`; wins over '
        "`DRKUBE_HELM_USERNAME`",
        default_factory=dict,
        shown="–",
    )
    plain_http: CommaSet = env(
        "DRKUBE_HELM_PLAIN_HTTP",
        "OCI registry hosts (`host:port`, comma-separated) spoken to over plain HTTP",
        default=frozenset(),
    )
    timeout: Duration = env(
        "DRKUBE_CHART_TIMEOUT",
        "longest wait for one repository index or chart download",
        default=60.0,
    )
    render_timeout: Duration = env(
        "DRKUBE_RENDER_TIMEOUT",
        "longest wait for one Helm render; a render still running then is stopped (its worker "
        "process is killed)",
        default=20.0,
    )
    render_memory: int = env(
        "DRKUBE_RENDER_MEMORY",
        "memory (MiB) one Helm render may use beyond an idle render worker; `0`: no limit",
        default=1024,
        ge=0,
    )

    def login_for(self, host: str) -> tuple[str, str] | None:
        """(username, password) for `host`: its own entry, else the global pair, else none."""
        own = self.credentials.get(host)
        if own is not None:
            return own.username, own.password.get_secret_value()
        if self.username and self.password is not None:
            return self.username, self.password.get_secret_value()
        return None

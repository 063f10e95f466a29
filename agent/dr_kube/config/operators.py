"""Settings of the operator features: Slack, modes, Argo CD notifications, verification."""

from __future__ import annotations

import os
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

Mode = Literal["auto", "copilot", "observe"]
MODES: tuple[Mode, ...] = ("auto", "copilot", "observe")


def parse_duration(text: str) -> float:
    """`10m`, `90s`, `1h`, `1h30m` or plain seconds → seconds."""
    raw = text.strip().lower()
    if re.fullmatch(r"\d+(\.\d+)?", raw):
        return float(raw)
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h)", raw)
    if not parts or "".join(n + u for n, u in parts) != raw:
        raise ValueError(f"{text!r} is not a duration (e.g. 10m, 90s, 1h)")
    scale = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
    return sum(float(n) * scale[u] for n, u in parts)


class OperatorSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    mode: Mode = "auto"
    slack_token: SecretStr | None = None
    slack_channel: str | None = None
    slack_signing_secret: SecretStr | None = None
    slack_approvers: frozenset[str] = frozenset()
    slack_api_url: str | None = None  # a Slack-compatible API base (tests)
    slack_timeout: float = 5.0
    slack_max_tries: int = Field(default=6, ge=1)
    slack_backoff: float = 1.0
    argocd_token: SecretStr | None = None
    verify_window: float = 600.0
    grafana_url: str | None = None
    prometheus_url: str | None = None
    verify_poll: float = 1.0

    @classmethod
    def from_env(cls) -> OperatorSettings:
        def secret(name: str) -> SecretStr | None:
            value = os.environ.get(name)
            return SecretStr(value) if value else None

        mode = os.environ.get("DRKUBE_MODE", "auto").strip().lower() or "auto"
        if mode not in MODES:
            raise ValueError(f"DRKUBE_MODE={mode!r}: expected one of {', '.join(MODES)}")
        approvers = os.environ.get("DRKUBE_SLACK_APPROVERS", "")
        return cls(
            mode=mode,
            slack_token=secret("DRKUBE_SLACK_BOT_TOKEN"),
            slack_channel=os.environ.get("DRKUBE_SLACK_CHANNEL") or None,
            slack_signing_secret=secret("DRKUBE_SLACK_SIGNING_SECRET"),
            slack_approvers=frozenset(a.strip() for a in approvers.split(",") if a.strip()),
            slack_api_url=os.environ.get("DRKUBE_SLACK_API_URL") or None,
            # The demo stack's notifications controller sends the Alertmanager token.
            argocd_token=secret("DRKUBE_ARGOCD_TOKEN") or secret("DRKUBE_ALERTMANAGER_TOKEN"),
            verify_window=parse_duration(os.environ.get("DRKUBE_VERIFY_WINDOW", "10m")),
            grafana_url=os.environ.get("DRKUBE_GRAFANA_URL") or None,
            prometheus_url=os.environ.get("DRKUBE_PROMETHEUS_URL") or None,
        )

    @property
    def slack_enabled(self) -> bool:
        return self.slack_token is not None and bool(self.slack_channel)

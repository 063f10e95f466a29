"""Settings of the operator features: Slack, modes, Argo CD notifications, verification."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, SecretStr

from dr_kube.config.duration import Duration
from dr_kube.config.env import CommaSet, EnvSection, env

Mode = Literal["auto", "copilot", "observe"]
MODES: tuple[Mode, ...] = ("auto", "copilot", "observe")


def _mode(value: Any) -> Any:
    return (value.strip().lower() or "auto") if isinstance(value, str) else value


class OperatorSettings(EnvSection):
    mode: Annotated[Mode, BeforeValidator(_mode)] = env(
        "DRKUBE_MODE",
        "`auto`, `copilot` or `observe`; per namespace in the policy file",
        default="auto",
    )
    slack_token: SecretStr | None = env(
        "DRKUBE_SLACK_BOT_TOKEN", "Slack bot token (`xoxb-…`)", default=None
    )
    slack_channel: str | None = env(
        "DRKUBE_SLACK_CHANNEL",
        "channel id (or name) for incident threads; per namespace in the policy file",
        default=None,
    )
    slack_signing_secret: SecretStr | None = env(
        "DRKUBE_SLACK_SIGNING_SECRET",
        "Slack app signing secret; verifies `POST /webhooks/slack`",
        default=None,
    )
    slack_approvers: CommaSet = env(
        "DRKUBE_SLACK_APPROVERS",
        "comma-separated Slack user ids (`U…`) and/or user group ids (`S…`) allowed to approve",
        default=frozenset(),
    )
    slack_api_url: str | None = env(
        "DRKUBE_SLACK_API_URL",
        "another Slack Web API base URL (a proxy, or a test server)",
        default=None,
        shown="Slack's",
    )
    slack_timeout: float = 5.0
    slack_max_tries: int = Field(default=6, ge=1)
    slack_backoff: float = 1.0
    # The demo stack's notifications controller sends the Alertmanager token.
    argocd_token: SecretStr | None = env(
        ("DRKUBE_ARGOCD_TOKEN", "DRKUBE_ALERTMANAGER_TOKEN"),
        "bearer token of `POST /webhooks/argocd` (falls back to `DRKUBE_ALERTMANAGER_TOKEN`)",
        default=None,
    )
    verify_window: Duration = env(
        "DRKUBE_VERIFY_WINDOW",
        "how long after a merge verification waits before asking Prometheus (a duration: "
        "`500ms`, `30s`, `5m`, `2h`, `1d`, `1w` or seconds)",
        default=600.0,
        shown="`10m`",
        ge=0,
    )
    grafana_url: str | None = env(
        "DRKUBE_GRAFANA_URL", "Grafana link in the Slack root message", default=None
    )
    prometheus_url: str | None = env(
        "DRKUBE_PROMETHEUS_URL",
        "Prometheus base URL: usage series, Slack links, verification (`--prometheus`)",
        default=None,
    )
    verify_poll: float = 1.0

    @classmethod
    def from_env(cls) -> OperatorSettings:
        return cls.load()

    @property
    def slack_enabled(self) -> bool:
        return self.slack_token is not None and bool(self.slack_channel)

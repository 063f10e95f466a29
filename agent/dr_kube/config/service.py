"""Service settings from the environment; secrets are held here and never logged."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from dr_kube.config.operators import OperatorSettings


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    try:
        return int(raw) if raw else default
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not an integer") from None


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    alertmanager_token: SecretStr | None = None
    basic_user: str | None = None
    basic_password: SecretStr | None = None
    github_secret: SecretStr | None = None
    reviewers: frozenset[str] = frozenset()
    bot_logins: frozenset[str] = frozenset()
    insecure_no_auth: bool = False
    max_body: int = 1_048_576
    db_path: Path = Path(".dr-kube/dr-kube.db")
    database_url: str | None = None
    workers: int = Field(default=2, ge=1)
    lease_seconds: float = 30.0
    poll_seconds: float = 0.5
    max_runs: int = 3
    max_failures: int = 3
    llm_calls_per_incident: int = 0
    llm_tokens_per_incident: int = 0
    llm_calls_per_hour: int = 0
    start_workers: bool = True
    operators: OperatorSettings = Field(default_factory=OperatorSettings)

    @classmethod
    def from_env(cls, insecure_no_auth: bool = False, workers: int | None = None) -> Settings:
        def secret(name: str) -> SecretStr | None:
            value = os.environ.get(name)
            return SecretStr(value) if value else None

        def names(name: str) -> frozenset[str]:
            return frozenset(
                n.strip().lower() for n in os.environ.get(name, "").split(",") if n.strip()
            )

        return cls(
            alertmanager_token=secret("DRKUBE_ALERTMANAGER_TOKEN"),
            basic_user=os.environ.get("DRKUBE_ALERTMANAGER_BASIC_USER") or None,
            basic_password=secret("DRKUBE_ALERTMANAGER_BASIC_PASSWORD"),
            github_secret=secret("DRKUBE_GITHUB_WEBHOOK_SECRET"),
            reviewers=names("DRKUBE_REVIEWERS"),
            bot_logins=names("DRKUBE_BOT_LOGINS"),
            insecure_no_auth=insecure_no_auth,
            max_body=env_int("DRKUBE_MAX_BODY", 1_048_576),
            db_path=Path(os.environ.get("DRKUBE_DB", ".dr-kube/dr-kube.db")),
            database_url=os.environ.get("DRKUBE_DATABASE_URL") or None,
            workers=workers or env_int("DRKUBE_WORKERS", 2),
            lease_seconds=float(os.environ.get("DRKUBE_LEASE_SECONDS", "30")),
            poll_seconds=float(os.environ.get("DRKUBE_POLL_SECONDS", "0.5")),
            max_runs=env_int("DRKUBE_MAX_RUNS", 3),
            llm_calls_per_incident=env_int("DRKUBE_LLM_BUDGET_CALLS_PER_INCIDENT", 0),
            llm_tokens_per_incident=env_int("DRKUBE_LLM_BUDGET_TOKENS_PER_INCIDENT", 0),
            llm_calls_per_hour=env_int("DRKUBE_LLM_BUDGET_CALLS_PER_HOUR", 0),
            operators=OperatorSettings.from_env(),
        )

    @property
    def alertmanager_auth(self) -> bool:
        return self.alertmanager_token is not None or (
            self.basic_user is not None and self.basic_password is not None
        )

    def missing_secrets(self, opens_prs: bool) -> list[str]:
        """Secrets the service cannot start without: the intake's, and GitHub's webhook secret
        whenever pull requests are opened (their reviews come back through that webhook)."""
        missing = []
        if not self.alertmanager_auth:
            missing.append("DRKUBE_ALERTMANAGER_TOKEN (or DRKUBE_ALERTMANAGER_BASIC_USER/PASSWORD)")
        if opens_prs and self.github_secret is None:
            missing.append("DRKUBE_GITHUB_WEBHOOK_SECRET")
        return missing

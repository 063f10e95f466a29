"""Service settings from the environment; secrets are held here and never logged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, SecretBytes, SecretStr

from dr_kube.config.console import ConsoleSettings
from dr_kube.config.env import EnvSection, LowerCommaSet, OneMeansOn, env
from dr_kube.config.limits import limits
from dr_kube.config.llm import LLMSettings
from dr_kube.config.operators import OperatorSettings
from dr_kube.config.store import StoreSettings

# The worker's budgets across an incident's runs apply only when the variable is set; the LLM
# provider's own per-run budgets default to the values in LLMSettings.
WORKER_BUDGETS = ("calls_per_incident", "tokens_per_incident", "calls_per_hour")


class Settings(EnvSection):
    alertmanager_token: SecretStr | None = env(
        "DRKUBE_ALERTMANAGER_TOKEN",
        "bearer token for Alertmanager and the incident API",
        default=None,
    )
    basic_user: str | None = env(
        "DRKUBE_ALERTMANAGER_BASIC_USER",
        "basic auth user instead of (or besides) the token",
        default=None,
    )
    basic_password: SecretStr | None = env(
        "DRKUBE_ALERTMANAGER_BASIC_PASSWORD", "basic auth password", default=None
    )
    github_secret: SecretStr | None = env(
        "DRKUBE_GITHUB_WEBHOOK_SECRET", "HMAC secret of the GitHub webhook", default=None
    )
    reviewers: LowerCommaSet = env(
        "DRKUBE_REVIEWERS",
        "comma-separated logins allowed to steer a PR besides repository writers",
        default=frozenset(),
    )
    bot_logins: LowerCommaSet = env(
        "DRKUBE_BOT_LOGINS", "extra logins whose comments are the bot's own", default=frozenset()
    )
    insecure_no_auth: bool = False
    max_body: int = env(
        "DRKUBE_MAX_BODY", "largest accepted request body in bytes", default=1_048_576
    )
    db_path: Path = Path(".dr-kube/dr-kube.db")
    database_url: str | None = None
    checkpoint_keys: tuple[SecretBytes, ...] = ()  # StoreSettings.checkpoint_keys(): current first
    insecure_no_encryption: bool = False
    workers: int = env(
        "DRKUBE_WORKERS", "concurrent runs per process (`serve --workers`)", default=2, ge=1
    )
    lease_seconds: float = env(
        "DRKUBE_LEASE_SECONDS",
        "seconds a claimed incident stays with a silent worker",
        default=30.0,
    )
    poll_seconds: float = env(
        "DRKUBE_POLL_SECONDS", "seconds between idle workers' looks for queued work", default=0.5
    )
    max_runs: int = env(
        "DRKUBE_MAX_RUNS",
        "runs per incident (first try plus re-tries after a merge that was not enough)",
        default=3,
    )
    max_failures: int = 3
    llm_calls_per_incident: int = 0
    llm_tokens_per_incident: int = 0
    llm_calls_per_hour: int = 0
    intake_only: OneMeansOn = env(
        "DRKUBE_INTAKE_ONLY",
        "`1`: accept and store alerts, run nothing (an intake-only replica)",
        default=False,
    )
    delete_branches: bool = env(
        "DRKUBE_DELETE_RESOLVED_BRANCHES",
        "`0`: keep the pushed branch of an incident that resolved without a merge and without "
        "a PR (pull requests off); by default it is deleted from the origin",
        default=True,
        shown="`1`",
    )
    start_workers: bool = True
    operators: OperatorSettings = Field(default_factory=OperatorSettings)
    console: ConsoleSettings = Field(default_factory=ConsoleSettings)

    @classmethod
    def from_env(
        cls,
        insecure_no_auth: bool = False,
        workers: int | None = None,
        insecure_no_encryption: bool = False,
    ) -> Settings:
        store = StoreSettings.load()
        llm = LLMSettings.load()
        limits()  # a bad limit stops the start, not every delivery later
        overrides: dict[str, Any] = {
            "insecure_no_auth": insecure_no_auth,
            "insecure_no_encryption": insecure_no_encryption,
            "db_path": store.db_path,
            "database_url": store.database_url,
            "checkpoint_keys": tuple(SecretBytes(k) for k in store.checkpoint_keys()),
            "operators": OperatorSettings.load(),
            "console": ConsoleSettings.load(),
        }
        overrides |= {
            f"llm_{b}": getattr(llm, b) for b in WORKER_BUDGETS if b in llm.model_fields_set
        }
        if workers:
            overrides["workers"] = workers
        return cls.load(**overrides)

    @property
    def alertmanager_auth(self) -> bool:
        return self.alertmanager_token is not None or (
            self.basic_user is not None and self.basic_password is not None
        )

    def aes_keys(self) -> list[bytes]:
        return [k.get_secret_value() for k in self.checkpoint_keys]

    def missing_secrets(self, opens_prs: bool) -> list[str]:
        """Secrets the service cannot start without: the intake's, and GitHub's webhook secret
        whenever pull requests are opened (their reviews come back through that webhook)."""
        missing = []
        if not self.alertmanager_auth:
            missing.append("DRKUBE_ALERTMANAGER_TOKEN (or DRKUBE_ALERTMANAGER_BASIC_USER/PASSWORD)")
        if opens_prs and self.github_secret is None:
            missing.append("DRKUBE_GITHUB_WEBHOOK_SECRET")
        return missing

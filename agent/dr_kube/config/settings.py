"""Every setting DR-Kube reads from the environment, in one model made of its sections.

Consumers load the section they need (`OperatorSettings.load()`, `Settings.from_env()`, ...), so a
bad value in one section does not stop a command that never reads it; `DrKubeSettings.from_env()`
loads them all, and `env_vars()` is the catalogue the README's table is generated from:

    python -m dr_kube.config.settings      # prints the README's environment table
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from dr_kube.config.charts import ChartSettings
from dr_kube.config.cli import CliSettings, ClusterSettings
from dr_kube.config.console import ConsoleSettings
from dr_kube.config.env import EnvSection, EnvVar
from dr_kube.config.github import GitHubSettings
from dr_kube.config.gitops import GitOpsSettings
from dr_kube.config.limits import LimitSettings
from dr_kube.config.llm import LLMSettings
from dr_kube.config.logs import LogSettings
from dr_kube.config.operators import OperatorSettings
from dr_kube.config.publish import PublishSettings
from dr_kube.config.service import Settings
from dr_kube.config.store import StoreSettings

SECTIONS: dict[str, type[EnvSection]] = {
    "cli": CliSettings,
    "cluster": ClusterSettings,
    "logs": LogSettings,
    "github": GitHubSettings,
    "publish": PublishSettings,
    "gitops": GitOpsSettings,
    "llm": LLMSettings,
    "service": Settings,
    "store": StoreSettings,
    "operators": OperatorSettings,
    "charts": ChartSettings,
    "console": ConsoleSettings,
    "limits": LimitSettings,
}


class DrKubeSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    cli: CliSettings
    cluster: ClusterSettings
    logs: LogSettings
    github: GitHubSettings
    publish: PublishSettings
    gitops: GitOpsSettings
    llm: LLMSettings
    service: Settings
    store: StoreSettings
    operators: OperatorSettings
    charts: ChartSettings
    console: ConsoleSettings
    limits: LimitSettings

    @classmethod
    def from_env(cls) -> DrKubeSettings:
        service = Settings.from_env()
        return cls(
            cli=CliSettings.load(),
            cluster=ClusterSettings.load(),
            logs=LogSettings.load(),
            github=GitHubSettings.load(),
            publish=PublishSettings.load(),
            gitops=GitOpsSettings.load(),
            llm=LLMSettings.load(),
            service=service,
            store=StoreSettings.load(),
            operators=service.operators,
            charts=ChartSettings.load(),
            console=service.console,
            limits=LimitSettings.load(),
        )


def env_vars() -> list[EnvVar]:
    """Every variable once, in section order (a fallback name is listed where it is primary)."""
    seen: dict[str, EnvVar] = {}
    for section, model in SECTIONS.items():
        for var in model.env_vars(section):
            seen.setdefault(var.name, var)
    return list(seen.values())


def markdown_table() -> str:
    rows = ["| Variable | Section | Default | Meaning |", "|---|---|---|---|"]
    rows += [f"| `{v.name}` | {v.section} | {v.default} | {v.description} |" for v in env_vars()]
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(markdown_table(), end="")

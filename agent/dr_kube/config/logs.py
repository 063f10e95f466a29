"""How the CLI and the service log, and whether internal errors show their traceback."""

from __future__ import annotations

from dr_kube.config.env import EnvSection, SetMeansOn, env


class LogSettings(EnvSection):
    level: str | None = env(
        "DRKUBE_LOG_LEVEL",
        "log level on stderr (secrets masked)",
        default=None,
        shown="`WARNING` (`-v` INFO, `-vv` DEBUG)",
    )
    format: str = env(
        "DRKUBE_LOG_FORMAT", "`json`: JSON log lines; anything else: text", default="text"
    )
    debug: SetMeansOn = env(
        "DRKUBE_DEBUG", "set (`1`): show tracebacks of internal errors", default=False
    )

"""Bounds on the work one input can cause: YAML files, chart archives, JSON bodies, deliveries.

Each limit turns an input that would run away (an alias bomb, a huge file, a deeply nested body)
into a one-line refusal naming the limit and its variable. `limits()` is read wherever a limit is
checked, from modules below the configuration too; it is cached for as long as its variables keep
their values.
"""

from __future__ import annotations

import os
from functools import lru_cache

from dr_kube.config.env import EnvSection, env

MIB = 1024 * 1024


class LimitSettings(EnvSection):
    yaml_bytes: int = env(
        "DRKUBE_MAX_YAML_BYTES",
        "largest YAML file read (values files, Applications, a chart's values.yaml), in bytes",
        default=5 * MIB,
        ge=1,
    )
    yaml_nodes: int = env(
        "DRKUBE_MAX_YAML_NODES",
        "most nodes a YAML document may hold once its aliases are expanded (an alias bomb is "
        "refused)",
        default=1_000_000,
        ge=1,
    )
    chart_files: int = env(
        "DRKUBE_CHART_MAX_FILES",
        "most files in a chart archive (.tgz)",
        default=10_000,
        ge=1,
    )
    chart_file_bytes: int = env(
        "DRKUBE_CHART_MAX_FILE_BYTES",
        "largest file in a chart archive, unpacked, in bytes (Helm's own limit)",
        default=5 * MIB,
        ge=1,
    )
    json_depth: int = env(
        "DRKUBE_MAX_JSON_DEPTH",
        "deepest nesting of objects and arrays in a JSON body or alert file (400 beyond)",
        default=64,
        ge=2,
    )
    json_number_chars: int = env(
        "DRKUBE_MAX_JSON_NUMBER_CHARS",
        "longest number in a JSON body or alert file, in characters (400 beyond)",
        default=100,
        ge=1,
    )
    alerts: int = env(
        "DRKUBE_MAX_ALERTS",
        "alerts read from one Alertmanager delivery; the rest are not stored and the reply "
        "counts them (`dropped`)",
        default=1000,
        ge=1,
    )


_NAMES = tuple(n for names in LimitSettings.env_fields().values() for n in names)


def limits() -> LimitSettings:
    """The limits as the environment sets them now (a bad value is a ConfigError naming it)."""
    return _load(tuple(os.environ.get(n) for n in _NAMES))


@lru_cache(maxsize=8)
def _load(values: tuple[str | None, ...]) -> LimitSettings:
    return LimitSettings.load()

"""Shared helpers for the GitOps-stack tests (tests/stack, with its schemas/ and rules/)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
STACK_TESTS = REPO / "tests" / "stack"
SCHEMAS = STACK_TESTS / "schemas"

# Folders that never hold the project's own YAML.
SKIP_DIRS = {
    ".git",
    ".venv",
    "node_modules",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    "build",
    "dist",
    ".dr-kube",
}


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def missing(what: str) -> None:
    """A needed tool is missing: fail in CI (never a silent skip), skip elsewhere."""
    msg = f"{what} is not available; run `bash scripts/test-deps.sh` (as root) to install it"
    if in_ci():
        pytest.fail(msg)
    pytest.skip(msg)


def require_tool(name: str, *fallbacks: str) -> str:
    for candidate in (name, *fallbacks):
        path = shutil.which(candidate)
        if path:
            return path
    missing(f"the `{name}` program")
    raise AssertionError("unreachable")


def load_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def load_all_yaml(path: Path) -> list[Any]:
    with path.open(encoding="utf-8") as fh:
        return [doc for doc in yaml.safe_load_all(fh) if doc is not None]


def repo_files(*suffixes: str) -> Iterator[Path]:
    for root, dirs, files in os.walk(REPO):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(files):
            if name.endswith(suffixes):
                yield Path(root) / name


def prometheus_values() -> dict[str, Any]:
    data = load_yaml(REPO / "values" / "prometheus.yaml")
    assert isinstance(data, dict)
    return data


def rule_groups() -> list[dict[str, Any]]:
    """The rule groups of every PrometheusRule the chart renders from additionalPrometheusRulesMap."""
    rules_map = prometheus_values()["additionalPrometheusRulesMap"]
    return [group for entry in rules_map.values() for group in entry["groups"]]


def alert_rules() -> dict[str, dict[str, Any]]:
    return {
        rule["alert"]: rule for group in rule_groups() for rule in group["rules"] if "alert" in rule
    }


def alertmanager_config() -> dict[str, Any]:
    config = prometheus_values()["alertmanager"]["config"]
    assert isinstance(config, dict)
    return config


def write_yaml(path: Path, data: Any) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


ALERT_NAMES = (
    "ContainerOOMKilled",
    "PodCrashLooping",
    "CPUThrottling",
    "HighMemoryUsage",
    "PodNotReady",
    "ContainerWaiting",
    "DeploymentReplicasMismatch",
    "NodeHighCPU",
)

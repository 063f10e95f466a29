"""The settings model: defaults, parsing, errors that name the variable, durations, flag names."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from dr_kube.cli.main import main
from dr_kube.config.duration import parse_duration
from dr_kube.config.llm import LLMSettings
from dr_kube.config.operators import OperatorSettings
from dr_kube.config.service import Settings
from dr_kube.config.settings import DrKubeSettings, env_vars
from dr_kube.config.store import StoreSettings
from dr_kube.errors import ConfigError


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for var in env_vars():
        monkeypatch.delenv(var.name, raising=False)
    return monkeypatch


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("500ms", 0.5),
        ("30s", 30),
        ("5m", 300),
        ("2h", 7200),
        ("1d", 86400),
        ("1w", 604800),
        ("1h30m", 5400),
        ("90", 90),
        ("2.5", 2.5),
        (" 24 h ", 86400),
    ],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["ten minutes", "5 x", "m5", "", "1y"])
def test_a_bad_duration_lists_the_accepted_forms(text: str) -> None:
    with pytest.raises(ValueError, match=r"ms, s, m, h, d or w"):
        parse_duration(text)


def test_defaults_without_any_variable(clean_env: pytest.MonkeyPatch) -> None:
    settings = DrKubeSettings.from_env()
    assert settings.service.workers == 2 and settings.service.max_body == 1_048_576
    assert settings.service.db_path == Path(".dr-kube/dr-kube.db")
    assert settings.service.llm_calls_per_incident == 0  # the worker's budget is opt-in
    assert settings.llm.calls_per_incident == 4 and settings.llm.timeout == 60
    assert settings.operators.verify_window == 600 and settings.operators.mode == "auto"
    assert settings.store.sqlite_synchronous == "FULL" and not settings.store.audit_prompts
    assert settings.github.token is None and settings.cli.port == 8080
    assert not settings.service.intake_only and not settings.logs.debug


def test_values_are_parsed_from_the_environment(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("DRKUBE_VERIFY_WINDOW", "1d")
    clean_env.setenv("DRKUBE_MODE", " Copilot ")
    clean_env.setenv("DRKUBE_REVIEWERS", "Alice, bob,,")
    clean_env.setenv("DRKUBE_SLACK_APPROVERS", "U1,S2")
    clean_env.setenv("DRKUBE_WORKERS", "5")
    clean_env.setenv("DRKUBE_LLM_BUDGET_CALLS_PER_HOUR", "7")
    clean_env.setenv("DRKUBE_DB", "/tmp/x.db")
    clean_env.setenv("DRKUBE_INTAKE_ONLY", "1")
    clean_env.setenv("DRKUBE_SQLITE_SYNCHRONOUS", "normal")
    clean_env.setenv("GOOGLE_API_KEY", "g-key")
    clean_env.setenv("GITHUB_TOKEN", "ghp_x")
    clean_env.setenv("DRKUBE_ALERTMANAGER_TOKEN", "am")
    clean_env.setenv("DRKUBE_GRAFANA_URL", "")  # empty is unset
    settings = DrKubeSettings.from_env()
    operators = settings.operators
    assert operators.verify_window == 86400 and operators.mode == "copilot"
    assert operators.slack_approvers == {"U1", "S2"} and operators.grafana_url is None
    assert operators.argocd_token is not None and operators.argocd_token.get_secret_value() == "am"
    service = settings.service
    assert service.reviewers == {"alice", "bob"} and service.workers == 5
    assert service.llm_calls_per_hour == 7 and service.llm_calls_per_incident == 0
    assert service.db_path == Path("/tmp/x.db") and service.intake_only
    assert settings.store.sqlite_synchronous == "NORMAL"
    key = settings.llm.gemini_api_key
    assert key is not None and key.get_secret_value() == "g-key"
    assert settings.github.token_value == "ghp_x"
    assert Settings.from_env(workers=9).workers == 9  # the flag wins over DRKUBE_WORKERS


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("DRKUBE_VERIFY_WINDOW", "soon", "ms, s, m, h, d or w"),
        ("DRKUBE_WORKERS", "many", "valid integer"),
        ("DRKUBE_WORKERS", "0", "greater than or equal to 1"),
        ("DRKUBE_MODE", "sometimes", "'auto', 'copilot' or 'observe'"),
        ("DRKUBE_LEASE_SECONDS", "long", "valid number"),
        ("DRKUBE_LLM_BUDGET_CALLS_PER_INCIDENT", "-1", "greater than or equal to 0"),
    ],
)
def test_an_invalid_value_names_the_variable_and_the_problem(
    clean_env: pytest.MonkeyPatch, name: str, value: str, problem: str
) -> None:
    clean_env.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        Settings.from_env()
    assert str(caught.value).startswith(f"{name}={value!r}: ")
    assert problem in str(caught.value)
    assert caught.value.exit_code == 2


def test_a_section_built_in_code_reads_no_environment(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("DRKUBE_MODE", "observe")
    clean_env.setenv("DRKUBE_LLM_TIMEOUT", "5")
    assert OperatorSettings().mode == "auto" and OperatorSettings.load().mode == "observe"
    assert LLMSettings(ollama_host="http://h").timeout == 60
    assert StoreSettings(db_path=Path("a.db")).db_path == Path("a.db")


def test_a_bad_value_in_another_section_does_not_stop_this_one(
    clean_env: pytest.MonkeyPatch,
) -> None:
    clean_env.setenv("DRKUBE_VERIFY_WINDOW", "soon")
    assert StoreSettings.load().db_path == Path(".dr-kube/dr-kube.db")


def test_every_variable_is_declared_once_with_a_description() -> None:
    names = [v.name for v in env_vars()]
    assert len(names) == len(set(names))
    assert all(v.description for v in env_vars())


def envvars_of(command: click.Command) -> set[str]:
    found: set[str] = set()
    for param in command.params:
        if isinstance(param.envvar, str):
            found.add(param.envvar)
        elif param.envvar:
            found.update(param.envvar)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            found |= envvars_of(sub)
    return found


def test_every_flag_reads_a_variable_the_settings_model_declares() -> None:
    used = envvars_of(main)
    assert {"DRKUBE_GITOPS_REPO", "DRKUBE_DB", "DRKUBE_PORT"} <= used, "the scan found the flags"
    assert sorted(used - {v.name for v in env_vars()}) == []


def test_audit_since_takes_the_same_durations_or_a_date() -> None:
    from dr_kube.cli.audit import parse_since
    from dr_kube.errors import InputError

    assert parse_since("1w", now=1_000_000) == 1_000_000 - 604800
    assert parse_since("500ms", now=10) == 9.5
    assert parse_since("2026-11-01") == 1793491200
    with pytest.raises(InputError, match=r"--since 'soon'.*ms, s, m, h, d or w"):
        parse_since("soon")

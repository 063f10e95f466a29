"""`--provider` defaults to auto once a Gemini key or an Ollama host is configured, else rules."""

from __future__ import annotations

import click
import pytest

from dr_kube.cli.main import main


def provider_default() -> object:
    command = main.commands["run"] if isinstance(main, click.Group) else main
    option = next(p for p in command.params if p.name == "provider")
    return option.get_default(click.Context(command), call=True)


def test_rules_without_llm_configuration(no_llm_env: None) -> None:
    assert provider_default() == "rules"


@pytest.mark.parametrize("name", ["GEMINI_API_KEY", "GOOGLE_API_KEY", "OLLAMA_HOST"])
def test_auto_when_a_key_or_host_is_set(
    no_llm_env: None, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setenv(name, "x")
    assert provider_default() == "auto"

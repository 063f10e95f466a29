"""Operator settings: durations, and the settings read from the environment."""

from __future__ import annotations

import pytest

from dr_kube.config.duration import parse_duration
from dr_kube.config.operators import OperatorSettings
from dr_kube.errors import ConfigError


def test_durations_and_env(monkeypatch: pytest.MonkeyPatch) -> None:
    assert parse_duration("10m") == 600 and parse_duration("1h30m") == 5400
    assert parse_duration("90") == 90 and parse_duration("500ms") == 0.5
    with pytest.raises(ValueError):
        parse_duration("ten minutes")
    monkeypatch.setenv("DRKUBE_ALERTMANAGER_TOKEN", "am")
    monkeypatch.delenv("DRKUBE_ARGOCD_TOKEN", raising=False)
    settings = OperatorSettings.from_env()
    assert settings.argocd_token is not None and settings.argocd_token.get_secret_value() == "am"
    assert settings.mode == "auto" and settings.verify_window == 600 and not settings.slack_enabled
    monkeypatch.setenv("DRKUBE_MODE", "sometimes")
    with pytest.raises(ConfigError, match="DRKUBE_MODE='sometimes'"):
        OperatorSettings.from_env()

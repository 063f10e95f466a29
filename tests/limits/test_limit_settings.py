"""The limits' settings: read from the environment, a bad value stops the service's start."""

from __future__ import annotations

import pytest

from dr_kube.config.limits import limits
from dr_kube.config.service import Settings
from dr_kube.errors import ConfigError


def test_limits_follow_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert limits().alerts == 1000 and limits().json_depth == 64
    monkeypatch.setenv("DRKUBE_MAX_ALERTS", "7")
    assert limits().alerts == 7


def test_a_bad_limit_stops_the_start_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRKUBE_MAX_ALERTS", "abc")
    with pytest.raises(ConfigError, match="DRKUBE_MAX_ALERTS='abc'"):
        Settings.from_env()
    monkeypatch.setenv("DRKUBE_MAX_ALERTS", "0")
    with pytest.raises(ConfigError, match="DRKUBE_MAX_ALERTS"):
        Settings.from_env()

"""Small parts of the operator features: policy overrides, durations, Slack signatures."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from dr_kube.config.duration import parse_duration
from dr_kube.config.operators import OperatorSettings
from dr_kube.errors import ConfigError
from dr_kube.policy import Policy
from dr_kube.slack.signature import check, sign


def test_policy_namespace_overrides_keep_the_defaults() -> None:
    assert Policy().mode_for("shop", "auto") == "auto"
    policy = Policy.model_validate(
        {
            "namespaces": {
                "pay": {"mode": "copilot", "slack_channel": "C0PAY"},
                "lab": {"mode": "observe"},
            }
        }
    )
    assert policy.mode_for("pay", "auto") == "copilot"
    assert policy.slack_channel_for("pay", "C0ALL") == "C0PAY"
    assert policy.slack_channel_for("lab", "C0ALL") == "C0ALL"
    with pytest.raises(ValidationError):
        Policy.model_validate({"namespaces": {"pay": {"mode": "yolo"}}})
    with pytest.raises(ValidationError):
        Policy.model_validate({"namespaces": {"pay": {"channel": "C0"}}})  # extra="forbid"


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


def test_slack_v0_signature() -> None:
    # The example from Slack's "Verifying requests from Slack" documentation.
    secret = "8f742231b10e8888abcd99yyyzzz85a5"
    body = (
        b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&"
        b"channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&"
        b"command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands"
        b"%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121"
        b".803a0bc887a14d10d2c447fce8b6703c"
    )
    expected = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    assert sign(secret, "1531420618", body) == expected
    assert check(secret, body, "1531420618", expected, now=1531420618 + 60) is None
    assert check(secret, body, "1531420618", expected, now=1531420618 + 301) is not None
    assert check(secret, body, None, None) is not None
    assert (
        check(secret, body + b"x", "1531420618", expected, now=1531420618)
        == "wrong X-Slack-Signature"
    )


@pytest.mark.parametrize(
    ("secret", "body", "timestamp", "signature", "reason"),
    [
        ("s3cret", b"a=1", "yesterday", "v0=00", "invalid X-Slack-Request-Timestamp"),
        ("s3cret", b"\xff\xfe", "1531420618", "v0=00", "wrong X-Slack-Signature"),
        ("   ", b"a=1", "1531420618", "v0=00", "the Slack signing secret is blank"),
        ("s3cret", b"a=1", "1531420618", "", "missing X-Slack-Request-Timestamp or"),
    ],
)
def test_slack_signature_refusals_name_their_reason(
    secret: str, body: bytes, timestamp: str, signature: str, reason: str
) -> None:
    refused = check(secret, body, timestamp, signature, now=1531420618)
    assert refused is not None and refused.startswith(reason)

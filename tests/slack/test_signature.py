"""Slack request signatures (v0): Slack's own documented example, and refusals that say why."""

from __future__ import annotations

import pytest

from dr_kube.slack.signature import check, sign


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

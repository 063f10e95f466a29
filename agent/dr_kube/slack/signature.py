"""Slack's request signing (v0), checked by slack_sdk's `SignatureVerifier`, five-minute window.

What stays ours: a reason for each refusal (the 401 names it), and tolerance of headers slack_sdk
would raise on (a non-integer timestamp, a body that is not UTF-8, a blank secret). Replay protection (each
signature used once) is the caller's: it needs the store.
"""

from __future__ import annotations

import time

from slack_sdk.signature import Clock, SignatureVerifier

MAX_AGE = 300.0  # slack_sdk's window; repeated here so the refusal can name it


class _FixedClock(Clock):
    def __init__(self, now: float) -> None:
        self._now = now

    def now(self) -> float:
        return self._now


def sign(secret: str, timestamp: str, body: bytes) -> str:
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    assert signature is not None  # only None when timestamp is None
    return signature


def check(
    secret: str,
    body: bytes,
    timestamp: str | None,
    signature: str | None,
    now: float | None = None,
) -> str | None:
    """None when the request is Slack's and fresh, else why it is refused."""
    if not timestamp or not signature:
        return "missing X-Slack-Request-Timestamp or X-Slack-Signature"
    try:
        ts = int(timestamp)
    except ValueError:
        return "invalid X-Slack-Request-Timestamp"
    clock = _FixedClock(now if now is not None else time.time())
    if abs(clock.now() - ts) > MAX_AGE:
        return "X-Slack-Request-Timestamp is older than 5 minutes"
    try:
        verifier = SignatureVerifier(secret, clock)
    except ValueError:  # a blank secret: slack_sdk refuses it, and nothing can match it
        return "the Slack signing secret is blank"
    try:
        valid = verifier.is_valid(body, timestamp, signature.strip())
    except UnicodeDecodeError:  # slack_sdk decodes the body; Slack only sends UTF-8
        valid = False
    return None if valid else "wrong X-Slack-Signature"

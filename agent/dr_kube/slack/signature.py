"""Slack's request signing (v0): HMAC-SHA256 over `v0:{timestamp}:{body}`, five-minute window."""

from __future__ import annotations

import hashlib
import hmac
import time

MAX_AGE = 300.0


def sign(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


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
    if abs((now if now is not None else time.time()) - ts) > MAX_AGE:
        return "X-Slack-Request-Timestamp is older than 5 minutes"
    if not hmac.compare_digest(sign(secret, timestamp, body).encode(), signature.strip().encode()):
        return "wrong X-Slack-Signature"
    return None

"""Mask secrets before text leaves DR-Kube (LLM prompt, PR body, log line, result).

Each secret becomes a stable placeholder such as `[REDACTED:jwt:1a2b3c]`: the same secret always
maps to the same placeholder, so a reader can still see that two lines carry the same value.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from functools import partial

SECRET_NAME = re.compile(
    r"(?i)(pass(word|wd)?|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|"
    r"credential|auth|session[_-]?key|client[_-]?secret|signing[_-]?key|dsn)"
)

# (kind, pattern, group holding the secret or 0 for the whole match)
PATTERNS: list[tuple[str, re.Pattern[str], int]] = [
    (
        "private-key",
        re.compile(
            r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----[\s\S]*?-----END (?:[A-Z]+ )*PRIVATE KEY-----"
        ),
        0,
    ),
    ("jwt", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"), 0),
    ("aws-key", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"), 0),
    ("gcp-key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"), 0),
    (
        "github-token",
        re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})"),
        0,
    ),
    ("slack-token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"), 0),
    ("bearer", re.compile(r"(?i)\b(bearer)\s+([A-Za-z0-9._~+/=-]{8,})"), 2),
    ("basic-auth", re.compile(r"(?i)\b(basic)\s+([A-Za-z0-9+/=]{8,})"), 2),
    ("url-password", re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^:/\s@]+):([^@\s/]+)@"), 2),
    (
        "secret-assignment",
        re.compile(
            r"(?i)\b([A-Za-z0-9_.-]*(?:pass(?:word|wd)?|secret|token|api[_-]?key|apikey|"
            r"access[_-]?key|private[_-]?key|credential|client[_-]?secret)[A-Za-z0-9_.-]*)"
            r"(\"?\s*[:=]\s*\"?)([^\s\"',;&]{4,})"
        ),
        3,
    ),
    (
        "azure-key",
        re.compile(r"(?i)\b(AccountKey|SharedAccessKey)=([A-Za-z0-9+/=]{20,})"),
        2,
    ),
]


def placeholder(kind: str, secret: str) -> str:
    digest = hashlib.sha256(secret.encode("utf-8", errors="replace")).hexdigest()[:6]
    return f"[REDACTED:{kind}:{digest}]"


def redact(text: str, known_secrets: Iterable[str] = ()) -> str:
    """Replace every recognised secret in `text` (and every known secret value) by a placeholder."""
    if not text:
        return text
    for secret in sorted({s for s in known_secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, placeholder("secret", secret))
    for kind, pattern, group in PATTERNS:
        text = pattern.sub(partial(_mask, kind=kind, group=group), text)
    return text


def _mask(match: re.Match[str], kind: str, group: int) -> str:
    secret = match.group(group)
    if secret.startswith("[REDACTED:"):
        return match.group(0)
    if group == 0:
        return placeholder(kind, secret)
    start, end = match.span(group)
    whole_start = match.start()
    text = match.group(0)
    return text[: start - whole_start] + placeholder(kind, secret) + text[end - whole_start :]


def looks_secret_name(name: str) -> bool:
    """Whether an env var or key name suggests its value is a secret."""
    return bool(SECRET_NAME.search(name))


def redact_lines(lines: Iterable[str], known_secrets: Iterable[str] = ()) -> list[str]:
    secrets = list(known_secrets)
    return [redact(line, secrets) for line in lines]

"""Mask secrets before text leaves DR-Kube (LLM prompt, PR body, log line, result).

Each secret becomes a stable placeholder such as `[REDACTED:jwt:1a2b3c]`: the same secret always
maps to the same placeholder, so a reader can still see that two lines carry the same value.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from functools import partial
from typing import Any

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
    ("url-password", re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^:/\s@]*):([^@\s/]+)@"), 2),
    (
        "secret-assignment",
        re.compile(
            r"(?i)\b([A-Za-z0-9_.-]*(?:pass(?:word|wd)?|pwd|secret|token|api[_-]?key|apikey|"
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


# A Kubernetes Secret printed as JSON (kubectl get secret -o json, a controller's error), maybe
# escaped inside a JSON log line: every value of its `data` / `stringData` map is a secret.
SECRET_OBJECT = re.compile(r'\\?"kind\\?"\s*:\s*\\?"Secret\\?"')
SECRET_DATA = re.compile(r'(\\?"(?:data|stringData)\\?"\s*:\s*\{)([^{}]*)(\})')
JSON_PAIR = re.compile(r'(\\?"[^"\\]*\\?"\s*:\s*\\?")([^"\\]*)(\\?")')
PLACEHOLDER = re.compile(r"(\[REDACTED:[a-z0-9-]+:[0-9a-f]{6}\])")


def placeholder(kind: str, secret: str) -> str:
    digest = hashlib.sha256(secret.encode("utf-8", errors="replace")).hexdigest()[:6]
    return f"[REDACTED:{kind}:{digest}]"


def redact(text: str, known_secrets: Iterable[str] = ()) -> str:
    """Replace every recognised secret in `text` (and every known secret value) by a placeholder."""
    if not text:
        return text
    for secret in sorted({s for s in known_secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, placeholder("secret", secret))
    if SECRET_OBJECT.search(text):
        text = SECRET_DATA.sub(_mask_secret_data, text)
    for kind, pattern, group in PATTERNS:
        # Placeholders already in the text are left alone: their kind names (`url-password`)
        # would otherwise look like `name: value` assignments to the later patterns.
        parts = PLACEHOLDER.split(text)
        for i in range(0, len(parts), 2):
            parts[i] = pattern.sub(partial(_mask, kind=kind, group=group), parts[i])
        text = "".join(parts)
    return text


def _mask_secret_data(match: re.Match[str]) -> str:
    body = JSON_PAIR.sub(
        lambda m: m.group(1) + placeholder("k8s-secret", m.group(2)) + m.group(3), match.group(2)
    )
    return match.group(1) + body + match.group(3)


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


def redact_data(data: Any, known_secrets: Iterable[str] = ()) -> Any:
    """A copy of plain YAML/JSON data with secrets masked: values under secret-looking keys,
    `{name: X, value: Y}` env entries whose name looks secret, the data of Secret objects, and
    every string through `redact`."""
    secrets = list(known_secrets)

    def walk(node: Any, secret: bool) -> Any:
        if isinstance(node, dict):
            is_secret_object = node.get("kind") == "Secret"
            env_secret = isinstance(node.get("name"), str) and looks_secret_name(node["name"])
            out: dict[Any, Any] = {}
            for key, value in node.items():
                name = str(key)
                masked = (
                    secret
                    or (looks_secret_name(name) and not isinstance(value, dict | list))
                    or (env_secret and name == "value")
                    or (is_secret_object and name in ("data", "stringData"))
                )
                out[key] = walk(value, masked)
            return out
        if isinstance(node, list):
            return [walk(item, secret) for item in node]
        if secret and node is not None and not isinstance(node, bool):
            return placeholder("secret", str(node))
        if isinstance(node, str):
            return redact(node, secrets)
        return node

    return walk(data, False)

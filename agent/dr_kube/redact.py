"""Mask secrets before text leaves DR-Kube (LLM prompt, PR body, log line, result).

Each secret becomes a stable placeholder such as `[REDACTED:jwt:1a2b3c]`: the same secret always
maps to the same placeholder, so a reader can still see that two lines carry the same value.
"""

from __future__ import annotations

import base64
import hashlib
import re
import string
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, partial
from typing import Any

from dr_kube.secret_plugins import plugin_patterns
from dr_kube.secret_values import env_value_is_secret

SECRET_NAME = re.compile(
    r"(?i)(pass(word|wd)?|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|"
    r"credential|auth|session[_-]?key|client[_-]?secret|signing[_-]?key|dsn)"
)


@dataclass(frozen=True)
class SecretPattern:
    """A kind of secret: its regex, the group holding the secret (0: the whole match), and what
    lets `redact` try the regex only where a match can start.

    `anchors` are lowercase strings every match contains; `lead` the characters that may come
    between a match's start and its anchor (none: a match starts at its anchor). Every match thus
    starts in the run of `lead` characters just before an anchor, and trying the regex at those
    places alone finds exactly what `regex.sub` over the whole text finds, at a fraction of the cost.
    """

    kind: str
    regex: re.Pattern[str]
    group: int
    anchors: tuple[str, ...]
    lead: frozenset[str] = frozenset()
    reach: int = 0  # besides `lead`: the most characters a match may start before its anchor
    trim: bool = False  # the match may hold the delimiters around the secret: keep them
    must: str = ""  # a literal every match holds: a text without it is skipped
    case_sensitive: bool = False  # anchors and `must` are searched in the text as it is


WORD = frozenset(string.ascii_letters + string.digits)
DELIMITERS = " \t\r\n=:\"'"
PATTERNS: list[SecretPattern] = [
    SecretPattern(
        "private-key",
        re.compile(
            r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----[\s\S]*?-----END (?:[A-Z]+ )*PRIVATE KEY-----"
        ),
        0,
        ("-----begin ",),
    ),
    SecretPattern(
        "jwt",
        re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
        0,
        ("eyj",),
    ),
    SecretPattern("aws-key", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"), 0, ("akia", "asia")),
    SecretPattern("gcp-key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"), 0, ("aiza",)),
    SecretPattern(
        "github-token",
        re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})"),
        0,
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    ),
    SecretPattern("slack-token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"), 0, ("xox",)),
    SecretPattern(
        "bearer", re.compile(r"(?i)\b(bearer)\s+([A-Za-z0-9._~+/=-]{8,})"), 2, ("bearer",)
    ),
    SecretPattern("basic-auth", re.compile(r"(?i)\b(basic)\s+([A-Za-z0-9+/=]{8,})"), 2, ("basic",)),
    SecretPattern(
        "url-password",
        re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^:/\s@]*):([^@\s/]+)@"),
        2,
        ("://",),
        WORD | frozenset("+.-"),
    ),
    SecretPattern(
        "secret-assignment",
        re.compile(
            r"(?i)\b([A-Za-z0-9_.-]*(?:pass(?:word|wd)?|pwd|secret|token|api[_-]?key|apikey|"
            r"access[_-]?key|private[_-]?key|credential|client[_-]?secret)[A-Za-z0-9_.-]*)"
            r"(\"?\s*[:=]\s*\"?)([^\s\"',;&]{4,})"
        ),
        3,
        ("pass", "pwd", "secret", "token", "key", "credential"),
        WORD | frozenset("_.-"),
    ),
    SecretPattern(
        "azure-key",
        re.compile(r"(?i)\b(AccountKey|SharedAccessKey)=([A-Za-z0-9+/=]{20,})"),
        2,
        ("accountkey", "sharedaccesskey"),
    ),
]


@cache
def all_patterns() -> tuple[SecretPattern, ...]:
    """DR-Kube's own patterns, then every regex plugin of detect-secrets (see
    dr_kube.secret_plugins): read at the first use, so that importing redact stays cheap."""
    plugins = [
        SecretPattern(
            p.kind,
            p.regex,
            p.group,
            p.anchors,
            reach=p.reach,
            trim=p.group == 0,
            must=p.must,
            case_sensitive=p.case_sensitive,
        )
        for p in plugin_patterns()
    ]
    return (*PATTERNS, *plugins)


# Non-ASCII characters a case-insensitive regex takes for ASCII letters (dotted and dotless i,
# long s, Kelvin sign);
# a text holding one goes the slow way, where the regex itself decides.
FOLDS_TO_ASCII = frozenset("\u0130\u0131\u017f\u212a")


# A Kubernetes Secret printed as JSON (kubectl get secret -o json, a controller's error), maybe
# escaped inside a JSON log line: every value of its `data` / `stringData` map is a secret.
SECRET_OBJECT = re.compile(r'\\?"kind\\?"\s*:\s*\\?"Secret\\?"')
SECRET_DATA = re.compile(r'(\\?"(?:data|stringData)\\?"\s*:\s*\{)([^{}]*)(\})')
JSON_PAIR = re.compile(r'(\\?"[^"\\]*\\?"\s*:\s*\\?")([^"\\]*)(\\?")')
PLACEHOLDER = re.compile(r"(\[REDACTED:[a-z0-9-]+:[0-9a-f]{6}\])")
# A run of base64 (standard or URL-safe) long enough to hide a secret; it is decoded and the text
# it holds checked too.
BASE64_RUN = re.compile(r"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{16,}={0,2}")
# A container env entry printed as YAML (a values file, a diff of one) or JSON (a pod spec in a
# log): its literal value is a secret unless clearly not (dr_kube.secret_values).
ENV_PAIRS = (
    re.compile(
        r"(?m)(^[ \t+-]*(?:-[ \t]+)?name:[ \t]*[\"']?[A-Za-z_][\w.-]*[\"']?[ \t]*\r?\n"
        r"[ \t+-]*value:[ \t]*)([\"']?)([^\"'\r\n]*?)(\2[ \t]*)$"
    ),
    re.compile(
        r'(\\?"name\\?"\s*:\s*\\?"[A-Za-z_][\w.-]*\\?"\s*,\s*\\?"value\\?"\s*:\s*)'
        r'(\\?")([^"\\]*)(\\?")'
    ),
)


def placeholder(kind: str, secret: str) -> str:
    digest = hashlib.sha256(secret.encode("utf-8", errors="replace")).hexdigest()[:6]
    return f"[REDACTED:{kind}:{digest}]"


def redact(text: str, known_secrets: Iterable[str] = ()) -> str:
    """Replace every recognised secret in `text` (and every known secret value) by a placeholder."""
    if not text:
        return text
    known = sorted({s for s in known_secrets if s and len(s) >= 4}, key=len, reverse=True)
    for secret in known:
        text = text.replace(secret, placeholder("secret", secret))
    if "Secret" in text and SECRET_OBJECT.search(text):
        text = SECRET_DATA.sub(_mask_secret_data, text)
    if "value" in text:
        for pairs in ENV_PAIRS:
            text = pairs.sub(_mask_env_value, text)
    text = _patterns(text)
    parts = PLACEHOLDER.split(text)
    for i in range(0, len(parts), 2):
        parts[i] = BASE64_RUN.sub(partial(_mask_base64, known=known), parts[i])
    return "".join(parts)


def _patterns(text: str) -> str:
    lowered: dict[str, str] = {}
    for pattern in all_patterns():
        # Placeholders already in the text are left alone: their kind names (`url-password`)
        # would otherwise look like `name: value` assignments to the later patterns.
        if "[REDACTED:" not in text:
            text = _sub(pattern, text, lowered)
            continue
        parts = PLACEHOLDER.split(text)
        for i in range(0, len(parts), 2):
            parts[i] = _sub(pattern, parts[i], lowered)
        text = "".join(parts)
    return text


def _sub(pattern: SecretPattern, text: str, lowered: dict[str, str]) -> str:
    """`pattern.regex.sub` masking each match, trying the regex only where a match can start."""
    mask = partial(_mask, kind=pattern.kind, group=pattern.group, trim=pattern.trim)
    if not text:
        return text
    if pattern.must and pattern.case_sensitive and pattern.must not in text:
        return text
    if not pattern.anchors:
        return pattern.regex.sub(mask, text)
    if text not in lowered:
        low = text.lower()
        fast = len(low) == len(text) and (
            text.isascii() or not any(c in text for c in FOLDS_TO_ASCII)
        )
        lowered[text] = low if fast else ""
    low = lowered[text]
    if not low:
        return pattern.regex.sub(mask, text)
    if pattern.must and not pattern.case_sensitive and pattern.must not in low:
        return text
    pieces: list[str] = []
    done = 0  # text[:done] is settled: copied or masked
    for match in _matches(pattern, text, text if pattern.case_sensitive else low):
        pieces += [text[done : match.start()], mask(match)]
        done = match.end()
    if not pieces:
        return text
    pieces.append(text[done:])
    return "".join(pieces)


def _anchors(pattern: SecretPattern, low: str) -> list[int]:
    found: set[int] = set()
    for anchor in pattern.anchors:
        at = low.find(anchor)
        while at >= 0:
            found.add(at)
            at = low.find(anchor, at + 1)
    return sorted(found)


def _matches(pattern: SecretPattern, text: str, low: str) -> Iterator[re.Match[str]]:
    """The matches `regex.finditer` would give, found from the anchors (see SecretPattern)."""
    tried = 0  # every start before this has been tried, or lies inside a match
    run_from, run_at = 0, -1  # where the lead run of the previous anchor started, and that anchor
    for anchor in _anchors(pattern, low):
        start = max(anchor - pattern.reach, 0)
        while start > 0 and text[start - 1] in pattern.lead:
            start -= 1
            if start == run_at:  # the previous anchor's run: it starts where that one did
                start = min(start, run_from)
                break
        run_from, run_at = start, anchor
        for at in range(max(start, tried), anchor + 1):
            match = pattern.regex.match(text, at)
            if match is not None:
                yield match
                tried = match.end()
                break
        else:
            tried = max(tried, anchor + 1)


def _mask_env_value(match: re.Match[str]) -> str:
    value = match.group(3)
    if not env_value_is_secret(value) or value.startswith("[REDACTED:"):
        return match.group(0)
    return match.group(1) + match.group(2) + placeholder("env-value", value) + match.group(4)


def _mask_base64(match: re.Match[str], known: list[str]) -> str:
    """A base64 run whose decoded text holds a secret becomes a placeholder."""
    run = match.group(0)
    if run.lower() == run or run.upper() == run:
        # text in base64 mixes cases; hex ids, lower-case names and paths do not: not decoded
        return run
    decoded = decode_base64(run)
    if decoded is None:
        return run
    if any(s in decoded for s in known) or _patterns(decoded) != decoded:
        return placeholder("base64", run)
    return run


def decode_base64(run: str) -> str | None:
    """The text a base64 run holds, or None when it holds no printable text."""
    body = run.rstrip("=")
    if len(body) % 4 == 1:
        return None
    padded = body + "=" * (-len(body) % 4)
    try:
        if "-" in body or "_" in body:
            raw = base64.urlsafe_b64decode(padded)
        else:
            raw = base64.b64decode(padded, validate=True)
        text = raw.decode("utf-8")
    except ValueError:
        return None
    if len(text) < 8 or not text.replace("\n", "").replace("\t", "").isprintable():
        return None
    return text


def _mask_secret_data(match: re.Match[str]) -> str:
    body = JSON_PAIR.sub(
        lambda m: m.group(1) + placeholder("k8s-secret", m.group(2)) + m.group(3), match.group(2)
    )
    return match.group(1) + body + match.group(3)


def _mask(match: re.Match[str], kind: str, group: int, trim: bool = False) -> str:
    secret = match.group(group)
    if secret.startswith("[REDACTED:"):
        return match.group(0)
    if group == 0 and not trim:
        return placeholder(kind, secret)
    start, end = match.span(group)
    if trim:  # without the delimiters a match may hold
        core = secret.strip(DELIMITERS)
        start += secret.find(core)
        end = start + len(core)
        secret = core
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
            # `{name: X, value: Y}`: a container env entry (or alike), secret by its name or
            # by its literal value (dr_kube.secret_values)
            env_secret = isinstance(node.get("name"), str) and (
                looks_secret_name(node["name"]) or env_value_is_secret(node.get("value"))
            )
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
            if isinstance(node, str) and PLACEHOLDER.fullmatch(node):
                return node  # masked already
            return placeholder("secret", str(node))
        if isinstance(node, str):
            return redact(node, secrets)
        return node

    return walk(data, False)

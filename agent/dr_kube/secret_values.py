"""Which literal values are clearly not secrets: a container's env values are secret otherwise.

A literal `env[].value` in a pod spec or a values file is treated as a secret whatever its name
(`STRIPE_KEY=sk_live_…`, `PAYMENTS_CONF=Zk3…`), unless it is clearly something else: a number or a
quantity, a boolean, a short enum word, a host name, a URL without user info or query, a path, or
a phrase with spaces (flags, sentences; those still go through `redact`'s patterns).
"""

from __future__ import annotations

import re

BOOLEANS = frozenset({"true", "false", "yes", "no", "on", "off", "y", "n", "enabled", "disabled"})
NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?[a-zA-Z%]{0,3}")  # 8080, 1.5, 512Mi, 30s
# Words of one case joined by `-`, `_` or `.`; each word letters only or digits only
# (`info`, `us-east-1`, `redis-master`, `PRODUCTION`), never letters and digits mixed (`s3cr3t`).
ENUM = re.compile(r"(?:[a-z]+|[A-Z]+)(?:[-_.](?:[a-z]+|[A-Z]+|\d+))*")
# Lower-case host names, dotted (`redis.default.svc.cluster.local`, `api.example.com:443`) or
# one label with a port (`cartservice:7070`), and IPv4 addresses.
HOST = re.compile(
    r"(?:(?:localhost|(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
    r"|\d{1,3}(?:\.\d{1,3}){3})(?::\d{1,5})?)"
    r"|[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?:\d{1,5}"
)
URL = re.compile(r"(?i)[a-z][a-z0-9+.-]*://[^\s/?#@:]+(?::\d{1,5})?(?:/[^\s?#@]*)?")
PATH = re.compile(r"(?:/[\w.-]+)+/?")
MAX_ENUM = 32


def clearly_not_secret(value: str) -> bool:
    """Whether a literal value is clearly not a secret (see the module's note)."""
    text = value.strip()
    if not text:
        return True
    if any(c.isspace() for c in text):
        return True
    if text.lower() in BOOLEANS:
        return True
    if NUMBER.fullmatch(text):
        return True
    if len(text) <= MAX_ENUM and ENUM.fullmatch(text):
        return True
    return bool(HOST.fullmatch(text) or URL.fullmatch(text) or PATH.fullmatch(text))


def env_value_is_secret(value: object) -> bool:
    """Whether a container's literal env value is to be masked."""
    return isinstance(value, str) and not clearly_not_secret(value)

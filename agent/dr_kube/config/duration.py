"""One duration syntax for every setting and flag: `500ms`, `30s`, `5m`, `2h`, `1d`, `1w`, `1h30m`
or plain seconds."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator

UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
ACCEPTED = "plain seconds or a number with ms, s, m, h, d or w (e.g. 500ms, 30s, 5m, 2h, 1d, 1h30m)"
PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")


def parse_duration(text: str) -> float:
    """Seconds in `text`; a ValueError that lists the accepted forms otherwise."""
    raw = re.sub(r"\s+", "", text).lower()
    if re.fullmatch(r"\d+(\.\d+)?", raw):
        return float(raw)
    parts = PART.findall(raw)
    if not parts or "".join(n + u for n, u in parts) != raw:
        raise ValueError(f"{text!r} is not a duration: use {ACCEPTED}")
    return sum(float(n) * UNITS[u] for n, u in parts)


def _seconds(value: Any) -> Any:
    return parse_duration(value) if isinstance(value, str) else value


Duration = Annotated[float, BeforeValidator(_seconds)]
"""Seconds, validated from any form `parse_duration` accepts (numbers pass through)."""

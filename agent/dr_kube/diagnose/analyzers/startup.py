"""What the logs say about a start-up: how long it took, whether it finished, what it waited for.

A probe timing change is only worth proposing when these show a slow start (or a slow answer);
the probe analyzer asks here before it raises a delay or a timeout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dr_kube.diagnose.context import AnalysisContext, quote

STARTING = re.compile(
    r"\b(starting|migrat\w*|initializ\w*|loading|warming|bootstrapp\w*|compiling|"
    r"waiting for|connecting to)\b",
    re.IGNORECASE,
)
READY = re.compile(
    r"\bStarted \S+ in [\d.]+ ?s|\blistening on\b|\blistening at\b|ready to accept|"
    r"server started|started server|application startup complete|\bserving on\b|"
    r"\bnow listening\b|\bstarted on port\b|\bserver is ready\b",
    re.IGNORECASE,
)
STARTED_IN = re.compile(
    r"(?:Started \S+|startup|start-up|ready|started)\D{0,20}? in (?P<n>[\d.]+) ?(?P<unit>ms|s\b|sec|seconds)",
    re.IGNORECASE,
)
STAMP = re.compile(r"(?P<ts>\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?)")
# A dependency the app cannot reach: `dial tcp 10.56.14.3:5432: connect: connection refused`,
# `could not connect to server`, `ECONNREFUSED 10.0.0.5:6379`, `getaddrinfo ENOTFOUND redis`
DEPENDENCY = re.compile(
    r"(?:connection refused|ECONNREFUSED|i/o timeout|no such host|ENOTFOUND|"
    r"could not connect to|Connection to \S+ refused|failed to connect to|unable to connect to|"
    r"Name or service not known|Temporary failure in name resolution)",
    re.IGNORECASE,
)
HOST_PORT = re.compile(
    r"(?<![\w.-])(?P<host>(?:\d{1,3}\.){3}\d{1,3}|[a-z][\w-]*(?:\.[\w-]+)*):(?P<port>\d{2,5})(?!\d)",
    re.IGNORECASE,
)
SERVING = re.compile(r'"(?:GET|POST|PUT|DELETE) [^"]+" \d{3}|\b\d{3,6}\s?ms\b', re.IGNORECASE)


@dataclass(frozen=True)
class Budget:
    """How long the kubelet lets a container start before a probe's failures kill it."""

    seconds: int
    words: str  # `initialDelaySeconds 15 + periodSeconds 10 x failureThreshold 1`


def probe_budget(probe: dict[str, Any] | None, startup: dict[str, Any] | None) -> Budget:
    def part(p: dict[str, Any]) -> tuple[int, str]:
        delay = int(p.get("initialDelaySeconds", 0))
        period = int(p.get("periodSeconds", 10))
        threshold = int(p.get("failureThreshold", 3))
        return (
            delay + period * threshold,
            f"initialDelaySeconds {delay} + periodSeconds {period} × failureThreshold {threshold}",
        )

    seconds, words = part(probe or {})
    if startup:
        extra, extra_words = part(startup)
        return Budget(seconds + extra, f"startupProbe {extra_words}, then {words}")
    return Budget(seconds, words)


def stamp(line: str) -> datetime | None:
    match = STAMP.search(line)
    if match is None:
        return None
    text = match["ts"].replace(" ", "T").replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class StartUp:
    """One instance's start as its log tells it."""

    lines: list[str]  # the start-up lines quoted
    finished: bool  # it logged that it is ready or listening
    seconds: float | None  # how long it took (or ran before it was killed), when the log tells


def read_start(text: str | None) -> StartUp | None:
    if not text:
        return None
    lines = [line for line in text.splitlines() if line.strip()]
    starting = [line for line in lines if STARTING.search(line)]
    ready = next((line for line in lines if READY.search(line)), None)
    seconds: float | None = None
    if ready is not None and (told := STARTED_IN.search(ready)):
        seconds = float(told["n"]) / (1000 if told["unit"].lower() == "ms" else 1)
    first, last = stamp(lines[0]) if lines else None, stamp(ready or lines[-1]) if lines else None
    if seconds is None and first is not None and last is not None:
        seconds = (last - first).total_seconds()
    if not starting and ready is None:
        return None
    return StartUp(
        lines=[quote(x) for x in starting[:2]], finished=ready is not None, seconds=seconds
    )


def dependency_failure(ctx: AnalysisContext, own_ports: list[int]) -> str | None:
    """`db:5432` (or the log line) when the logs say the app cannot reach something else."""
    for line in ctx.log_text():
        if not DEPENDENCY.search(line):
            continue
        for match in HOST_PORT.finditer(line):
            port = int(match["port"])
            if port not in own_ports:
                return f"{match['host']}:{port}"
        return quote(line)
    return None


def serving(ctx: AnalysisContext) -> bool:
    """The container is up and answering: ready now, or its log shows it ready or serving."""
    container = ctx.container
    if container is not None and container.ready:
        return True
    return any(READY.search(line) or SERVING.search(line) for line in ctx.log_text())

"""Token accounting and budgets: per incident, and per hour across the whole process."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from dr_kube.models import Usage


class BudgetExceededError(Exception):
    """An LLM call would pass a budget; the caller falls back to the analyzers."""


class HourlyCounter:
    """LLM calls in a sliding hour, shared by every provider of the process (thread-safe)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._calls: deque[float] = deque()
        self._lock = threading.Lock()

    def _trim(self, now: float) -> None:
        while self._calls and now - self._calls[0] >= 3600:
            self._calls.popleft()

    def count(self) -> int:
        with self._lock:
            self._trim(self._clock())
            return len(self._calls)

    def take(self, limit: int) -> None:
        """Record one call, or raise when `limit` (0: no limit) calls happened in the last hour."""
        with self._lock:
            now = self._clock()
            self._trim(now)
            if 0 < limit <= len(self._calls):
                raise BudgetExceededError(f"LLM budget: {limit} calls per hour reached")
            self._calls.append(now)


HOURLY = HourlyCounter()


class Budget:
    """One incident's spending, checked before each call and recorded after it; a limit of 0 means
    no limit (the service's settings use 0 for "not set")."""

    def __init__(
        self,
        calls_per_incident: int,
        tokens_per_incident: int,
        calls_per_hour: int,
        hourly: HourlyCounter = HOURLY,
    ) -> None:
        self.calls_per_incident = calls_per_incident
        self.tokens_per_incident = tokens_per_incident
        self.calls_per_hour = calls_per_hour
        self.hourly = hourly
        self.usage = Usage()

    def reset(self) -> None:
        self.usage = Usage()

    def reserve(self, expected_tokens: int) -> None:
        """Check the incident's budget for a call of about `expected_tokens`, then count it."""
        if 0 < self.calls_per_incident <= self.usage.llm_calls:
            raise BudgetExceededError(
                f"LLM budget: {self.calls_per_incident} calls per incident reached"
            )
        spent = self.usage.tokens_in + self.usage.tokens_out
        if 0 < self.tokens_per_incident < spent + expected_tokens:
            raise BudgetExceededError(
                f"LLM budget: {self.tokens_per_incident} tokens per incident "
                f"({spent} spent, about {expected_tokens} more needed)"
            )
        self.hourly.take(self.calls_per_hour)
        self.usage.llm_calls += 1

    def record(self, tokens_in: int, tokens_out: int) -> None:
        self.usage.tokens_in += tokens_in
        self.usage.tokens_out += tokens_out

"""Retries of the publication's remote calls (git push and fetch, the forge's API), with backoff.

A `RemoteError` says whether its failure may pass (`transient`: an unreachable origin, a push a
hook refused, a 5xx, a rate limit) and, when the server said so, how long to wait (`retry_after`).
`retrying` tries a call again while the error is transient, waiting exponentially longer (with
jitter) up to `max_wait`; a server that asks for more than `max_wait` ends the tries at once. The
error that ends them carries how many tries were made and a stable `code` for metrics.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import tenacity

from dr_kube.config.publish import PublishSettings
from dr_kube.errors import DrKubeError

log = logging.getLogger(__name__)

T = TypeVar("T")


class RemoteError(DrKubeError):
    """A remote call failed; `code` names the failure class (a metric label), `transient` whether
    another try may succeed."""

    def __init__(
        self,
        message: str,
        *,
        code: str,
        transient: bool,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.transient = transient
        self.retry_after = retry_after
        self.attempts = 1


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    wait: float = 1.0
    max_wait: float = 60.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False, repr=False)

    @classmethod
    def from_settings(cls, settings: PublishSettings) -> RetryPolicy:
        return cls(settings.attempts, settings.backoff_seconds, settings.backoff_max_seconds)


NO_RETRY = RetryPolicy(attempts=1)


def retrying(policy: RetryPolicy, what: str, call: Callable[[], T]) -> T:
    """`call()`, tried again on a transient RemoteError as `policy` says; the last error is
    raised with its `attempts` set."""
    backoff = tenacity.wait_exponential_jitter(
        initial=policy.wait, max=policy.max_wait, jitter=policy.wait
    )

    def error_of(state: tenacity.RetryCallState) -> RemoteError | None:
        exc = state.outcome.exception() if state.outcome is not None else None
        return exc if isinstance(exc, RemoteError) else None

    def wait(state: tenacity.RetryCallState) -> float:
        exc = error_of(state)
        if exc is not None and exc.retry_after is not None:
            return max(exc.retry_after, 0.0)
        return float(backoff(state))

    def stop(state: tenacity.RetryCallState) -> bool:
        exc = error_of(state)
        asks_too_long = exc is not None and (exc.retry_after or 0) > policy.max_wait
        return state.attempt_number >= policy.attempts or asks_too_long

    def before_sleep(state: tenacity.RetryCallState) -> None:
        exc = error_of(state)
        wait_s = state.next_action.sleep if state.next_action is not None else 0
        log.info(
            "%s failed (try %d of %d), trying again in %.1f s: %s",
            what,
            state.attempt_number,
            policy.attempts,
            wait_s,
            exc,
        )

    attempt = 0

    def counted() -> T:
        nonlocal attempt
        attempt += 1
        try:
            return call()
        except RemoteError as exc:
            exc.attempts = attempt
            raise

    retry = tenacity.Retrying(
        stop=stop,
        wait=wait,
        retry=tenacity.retry_if_exception(lambda e: isinstance(e, RemoteError) and e.transient),
        sleep=policy.sleep,
        before_sleep=before_sleep,
        reraise=True,
    )
    return retry(counted)

"""Publication: how often a push or a GitHub call that failed for a passing reason is tried again."""

from __future__ import annotations

from dr_kube.config.env import EnvSection, env


class PublishSettings(EnvSection):
    attempts: int = env(
        "DRKUBE_PUBLISH_ATTEMPTS",
        "tries of a push or a GitHub call that failed for a passing reason (origin unreachable, "
        "push refused by a hook, GitHub 5xx or rate limit) before the incident is `failed`",
        default=4,
        ge=1,
    )
    backoff_seconds: float = env(
        "DRKUBE_PUBLISH_BACKOFF_SECONDS",
        "first wait between two tries; doubles at each try, with as much jitter",
        default=1.0,
        ge=0,
    )
    backoff_max_seconds: float = env(
        "DRKUBE_PUBLISH_BACKOFF_MAX_SECONDS",
        "longest wait between two tries, a GitHub rate limit's `Retry-After` or "
        "`x-ratelimit-reset` included (a later reset gives up at once)",
        default=60.0,
        ge=0,
    )

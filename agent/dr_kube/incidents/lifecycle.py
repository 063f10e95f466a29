"""An incident's statuses; the store writes them (its SQL), this module says which exist.

queued → running → awaiting-review (PR open, or waiting for an approver in copilot mode)
        → merged → resolved (the alert resolved, or verification passed), or back to queued when
        the merged fix was not enough; needs-human at the attempt cap; failed when a run errored;
        closed when the PR was closed unmerged;
        observed in observe mode (a proposal posted, no PR). Resolved and closed incidents are history.
"""

from __future__ import annotations

from typing import Literal, get_args

Status = Literal[
    "queued",
    "running",
    "awaiting-review",
    "awaiting-approval",
    "observed",
    "merged",
    "needs-human",
    "failed",
    "resolved",
    "closed",
]
CLOSED_STATUSES: tuple[Status, ...] = ("resolved", "closed")
STATUSES: tuple[Status, ...] = get_args(Status)
OPEN_STATUSES: tuple[Status, ...] = tuple(s for s in STATUSES if s not in CLOSED_STATUSES)


def is_open(status: str) -> bool:
    return status in OPEN_STATUSES

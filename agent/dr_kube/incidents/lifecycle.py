"""An incident's statuses and the transitions between them; the store writes them (its SQL) and
asks this module first, so an illegal step (a resolved incident back to running, ...) is refused.

queued → running → awaiting-review (PR open, or waiting for an approver in copilot mode), or
        pushed when pull requests are off (no GitHub token: the fix ends as a pushed branch and
        nothing waits; its alerts still resolve it, and then the branch is deleted)
        → merged → resolved (all its alerts resolved, or verification passed), or back to queued
        when the merged fix was not enough; needs-human at the attempt cap; failed when a run
        errored or its publication failed after every retry (a later alert for it re-opens it:
        failed → queued, a new run on the same branch); closed when the PR was closed unmerged (or an operator ignored it); observed in
        observe mode (a proposal posted, no PR); joined when its diagnosis found it is the same
        workload and cause as an older open incident, which took its alerts.
Resolved, closed and joined incidents are history: nothing moves them again.
"""

from __future__ import annotations

from typing import Literal, get_args

Status = Literal[
    "queued",
    "running",
    "awaiting-review",
    "awaiting-approval",
    "pushed",
    "observed",
    "merged",
    "needs-human",
    "failed",
    "resolved",
    "closed",
    "joined",
]
CLOSED_STATUSES: tuple[Status, ...] = ("resolved", "closed", "joined")
STATUSES: tuple[Status, ...] = get_args(Status)
OPEN_STATUSES: tuple[Status, ...] = tuple(s for s in STATUSES if s not in CLOSED_STATUSES)
BUSY_STATUSES: tuple[Status, ...] = ("queued", "running")  # a run is due or under way

# Where a run can end, and what ends an open incident from outside (alerts, a human, the PR).
RUN_ENDS: frozenset[Status] = frozenset(
    {
        "queued",
        "awaiting-review",
        "awaiting-approval",
        "pushed",
        "observed",
        "needs-human",
        "failed",
    }
)
ENDINGS: frozenset[Status] = frozenset({"resolved", "closed", "joined"})
TRANSITIONS: dict[Status, frozenset[Status]] = {
    "queued": frozenset({"running", "needs-human", *ENDINGS}),
    "running": RUN_ENDS | {"running", *ENDINGS},
    "awaiting-review": frozenset({"queued", "running", "merged", "needs-human", *ENDINGS}),
    "awaiting-approval": frozenset({"queued", "running", "needs-human", *ENDINGS}),
    "pushed": frozenset({"queued", "running", "merged", "needs-human", *ENDINGS}),
    "observed": frozenset({"queued", "running", *ENDINGS}),
    "merged": frozenset({"queued", "needs-human", *ENDINGS}),
    "needs-human": frozenset({"queued", "running", "merged", *ENDINGS}),
    "failed": frozenset({"queued", "running", "needs-human", *ENDINGS}),
    "resolved": frozenset(),
    "closed": frozenset(),
    "joined": frozenset(),
}


class IllegalTransitionError(ValueError):
    """A status change the lifecycle does not allow."""


def is_open(status: str) -> bool:
    return status in OPEN_STATUSES


def allowed(old: str, new: str) -> bool:
    """Whether an incident in status `old` may move to `new` (staying put is always allowed)."""
    if old == new:
        return True
    return old in TRANSITIONS and new in TRANSITIONS[old]


def require(old: str, new: str) -> Status:
    """`new` when the step from `old` is allowed; raises IllegalTransitionError otherwise."""
    if new not in STATUSES:
        raise IllegalTransitionError(f"unknown incident status {new!r}")
    if not allowed(old, new):
        raise IllegalTransitionError(f"an incident cannot go from {old} to {new}")
    return new

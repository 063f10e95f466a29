"""What the analyzers learn from past incidents of the same workload.

- A change that was merged and came back `not-enough` is not proposed again.
- A memory limit raised (and merged) twice in 14 days for the same workload is a probable leak:
  a third raise would only delay the next kill, so the result asks a human to look at the code and
  shows how the limit grew.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

from dr_kube.incidents.history import PastIncident
from dr_kube.models import Change
from dr_kube.quantity import QuantityError, parse_quantity

LEAK_WINDOW = 14 * 86400.0
LEAK_RAISES = 2


def day(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")


def is_memory_limit(change: Change) -> bool:
    keys = [str(k) for k in change.path]
    return keys[-2:] == ["limits", "memory"]


def raised(change: Change) -> tuple[Decimal, Decimal] | None:
    try:
        old, new = parse_quantity(change.old), parse_quantity(change.new)
    except (QuantityError, TypeError, ValueError):
        return None
    return (old, new) if new > old else None


def memory_raises(
    history: Sequence[PastIncident], now: float
) -> list[tuple[PastIncident, Change, Decimal, Decimal]]:
    """Merged memory-limit raises of this workload in the leak window, oldest first."""
    found = []
    for past in history:
        when = past.merged_at or past.created_at
        if not (past.same_workload and past.merged) or now - when > LEAK_WINDOW:
            continue
        for change in past.changes:
            numbers = raised(change) if is_memory_limit(change) else None
            if numbers is not None:
                found.append((past, change, *numbers))
    return sorted(found, key=lambda f: f[0].merged_at or f[0].created_at)


def probable_leak(history: Sequence[PastIncident], now: float) -> tuple[str, list[str]] | None:
    """(reason, evidence lines) when the memory limit was raised twice within 14 days."""
    raises = memory_raises(history, now)
    if len(raises) < LEAK_RAISES:
        return None
    lines = [
        f"memory: incident {p.id} on {day(p.merged_at or p.created_at)} raised "
        f"{c.dotted()} {c.old} → {c.new} (×{new / old:.2g}), merged, outcome: "
        f"{p.outcome or 'none recorded'}"
        for p, c, old, new in raises
    ]
    first, last = raises[0], raises[-1]
    growth = last[3] / first[2] if first[2] else Decimal(0)
    reason = (
        f"probable memory leak: the memory limit was raised {len(raises)} times in 14 days "
        f"({first[1].old} → {last[1].new}, ×{growth:.2g}) and the container is killed again; "
        "a human should look at the code (profile the heap) instead of raising the limit again"
    )
    return reason, lines


def not_enough_changes(history: Sequence[PastIncident]) -> list[tuple[PastIncident, Change]]:
    return [
        (p, c)
        for p in history
        if p.same_workload and p.merged and p.outcome_kind == "not-enough"
        for c in p.changes
    ]


def same_change(a: Change, b: Change) -> bool:
    return (a.file, [str(k) for k in a.path], str(a.new)) == (
        b.file,
        [str(k) for k in b.path],
        str(b.new),
    )


def drop_not_enough(
    options: list[list[Change]], history: Sequence[PastIncident]
) -> tuple[list[list[Change]], str | None]:
    """Options without a change that was merged before and was not enough; why, when none is left."""
    failed = not_enough_changes(history)
    if not failed:
        return options, None
    kept = [o for o in options if not any(same_change(c, f) for c in o for _, f in failed)]
    if kept:
        return kept, None
    past, change = next(
        (p, f) for p, f in failed if any(same_change(c, f) for o in options for c in o)
    )
    return [], (
        f"the same change ({change.dotted()} {change.old} → {change.new}) was merged for incident "
        f"{past.id} on {day(past.merged_at or past.created_at)} and was not enough; "
        "a human should look at this workload"
    )

"""Every status the store's SQL and the service write is one the lifecycle module declares."""

from __future__ import annotations

import re
from pathlib import Path

from dr_kube.incidents.lifecycle import CLOSED_STATUSES, STATUSES, is_open

PACKAGE = Path(__file__).resolve().parents[2] / "agent" / "dr_kube"


def test_every_written_status_is_declared() -> None:
    written: set[str] = set()
    for path in [*PACKAGE.glob("store/*.py"), *PACKAGE.glob("service/*.py")]:
        text = path.read_text(encoding="utf-8")
        written |= set(re.findall(r"status = '([a-z-]+)'", text))
        written |= set(re.findall(r'"status": "([a-z-]+)"', text))
        written |= set(re.findall(r'fields\["status"\] = "([a-z-]+)"', text))
    assert written, "the patterns found no status writes: the test would check nothing"
    assert written <= set(STATUSES), sorted(written - set(STATUSES))


def test_closed_statuses_are_not_open() -> None:
    assert all(not is_open(s) for s in CLOSED_STATUSES)
    assert is_open("awaiting-approval")

"""The incident list the console shows: filtered by namespace, status and category, one page."""

from __future__ import annotations

from dataclasses import dataclass

from dr_kube.store.db import Row
from dr_kube.store.find import find_incidents
from dr_kube.store.store import Store

FACETS = ("namespace", "status", "category")


@dataclass(frozen=True)
class Filters:
    namespace: str | None = None
    status: str | None = None
    category: str | None = None


@dataclass
class Page:
    rows: list[Row]
    total: int  # incidents matching the filters
    offset: int
    limit: int

    @property
    def next_offset(self) -> int | None:
        return self.offset + self.limit if self.offset + self.limit < self.total else None

    @property
    def prev_offset(self) -> int | None:
        return max(0, self.offset - self.limit) if self.offset > 0 else None


def page(store: Store, filters: Filters, limit: int = 50, offset: int = 0) -> Page:
    """Newest first; `limit` rows from `offset`, and how many match in all."""
    rows, total = find_incidents(store, limit, offset, **vars(filters))
    return Page(rows, total, offset, limit)


def facets(store: Store) -> dict[str, list[str]]:
    """The values each filter can take, from the incidents held."""
    found: dict[str, list[str]] = {}
    with store.db.tx(write=False) as cur:
        for name in FACETS:
            rows = cur.all(f"SELECT DISTINCT {name} AS v FROM incidents ORDER BY {name}")
            found[name] = [str(r["v"]) for r in rows if r["v"]]
    return found

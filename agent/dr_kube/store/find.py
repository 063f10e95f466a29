"""Incidents by what an operator knows of them: namespace, workload, status, category."""

from __future__ import annotations

from typing import Any

from dr_kube.store import identity
from dr_kube.store.db import Row
from dr_kube.store.store import INCIDENT_COLUMNS, Store

FILTERS = ("namespace", "workload", "status", "category")


def find_incidents(
    store: Store, limit: int = 50, offset: int = 0, **filters: str | None
) -> tuple[list[Row], int]:
    """(newest first, at most `limit` from `offset`; how many match in all). Filters are exact
    matches; a filter left None matches everything."""
    unknown = set(filters) - set(FILTERS)
    if unknown:
        raise ValueError(f"unknown incident filter(s): {', '.join(sorted(unknown))}")
    terms = [(f"{name} = ?", value) for name in FILTERS if (value := filters.get(name))]
    where = ("WHERE " + " AND ".join(t for t, _ in terms)) if terms else ""
    params: tuple[Any, ...] = tuple(v for _, v in terms)
    with store.db.tx(write=False) as cur:
        rows = cur.all(
            f"SELECT {INCIDENT_COLUMNS} FROM incidents {where} "
            f"ORDER BY created_at DESC, id DESC LIMIT {int(limit)} OFFSET {int(offset)}",
            params,
        )
        counted = cur.one(f"SELECT COUNT(*) AS n FROM incidents {where}", params)
        held = identity.alert_summary(cur, [r["id"] for r in rows])
    for row in rows:
        row["alertnames"], row["firing"] = held.get(row["id"], ([], 0))
    return rows, int(counted["n"]) if counted else 0

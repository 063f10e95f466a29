"""Incident memory on the store: SQLite FTS5 or PostgreSQL full-text search over past diagnoses.

The text searched is each incident's root cause and evidence, taken from its stored result. SQLite
keeps an FTS5 table in step with the `incidents` table through triggers; PostgreSQL keeps a
generated `tsvector` column with a GIN index. No writer in the store has to know about either.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from dr_kube.incidents.history import MemoryQuery, PastIncident, query_terms, rank
from dr_kube.models import Change
from dr_kube.store.db import Cursor, Database, Row

WINDOW = 2_000  # text similarity is ranked among this many newest matching incidents
COLUMNS = (
    "id, namespace, workload, category, status, created_at, merged_at, outcome, pr_url, result"
)

SQLITE_TEXT = """CASE WHEN json_valid(new.result) THEN
    coalesce(json_extract(new.result, '$.diagnosis.root_cause'), '') || ' ' ||
    coalesce((SELECT group_concat(value, ' ') FROM json_each(new.result, '$.diagnosis.evidence')), '')
    ELSE '' END"""

SQLITE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS memory_fts USING fts5(body, tokenize = 'porter unicode61')",
    f"""CREATE TRIGGER IF NOT EXISTS memory_fts_insert AFTER INSERT ON incidents
        WHEN new.result IS NOT NULL BEGIN
        INSERT INTO memory_fts (rowid, body) VALUES (new.rowid, {SQLITE_TEXT});
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS memory_fts_update AFTER UPDATE OF result ON incidents BEGIN
        DELETE FROM memory_fts WHERE rowid = old.rowid;
        INSERT INTO memory_fts (rowid, body) SELECT new.rowid, {SQLITE_TEXT}
            WHERE new.result IS NOT NULL;
    END""",
    """CREATE TRIGGER IF NOT EXISTS memory_fts_delete AFTER DELETE ON incidents BEGIN
        DELETE FROM memory_fts WHERE rowid = old.rowid;
    END""",
    "CREATE INDEX IF NOT EXISTS incidents_memory ON incidents (namespace, workload, category, created_at)",
]

POSTGRES = [
    """ALTER TABLE incidents ADD COLUMN IF NOT EXISTS memory_text tsvector GENERATED ALWAYS AS (
        to_tsvector('english'::regconfig,
            coalesce(result::jsonb #>> '{diagnosis,root_cause}', '') || ' ' ||
            coalesce(result::jsonb #>> '{diagnosis,evidence}', ''))
    ) STORED""",
    "CREATE INDEX IF NOT EXISTS incidents_memory_text ON incidents USING GIN (memory_text)",
    # common words match most incidents: walking the newest ones beats sorting every match
    # (11 ms instead of 110 ms at 100,000 incidents, bench/memory_bench.py)
    "CREATE INDEX IF NOT EXISTS incidents_created ON incidents (created_at)",
    "CREATE INDEX IF NOT EXISTS incidents_memory ON incidents (namespace, workload, category, created_at)",
]


def statements(dialect: str) -> list[str]:
    return POSTGRES if dialect == "postgres" else SQLITE


def past(row: Row, *, same_workload: bool = False, score: float = 0.0) -> PastIncident:
    result: dict[str, Any] = {}
    try:
        result = json.loads(row.get("result") or "null") or {}
    except json.JSONDecodeError:
        result = {}
    diagnosis = result.get("diagnosis") or {}
    fix = result.get("fix") or {}
    changes = []
    for c in fix.get("changes") or []:
        try:
            changes.append(Change.model_validate(c))
        except ValueError:
            continue
    return PastIncident(
        id=row["id"],
        namespace=row["namespace"],
        workload=row["workload"],
        category=row["category"],
        status=row["status"],
        created_at=float(row["created_at"]),
        merged_at=float(row["merged_at"]) if row.get("merged_at") is not None else None,
        root_cause=str(diagnosis.get("root_cause") or ""),
        changes=changes,
        fix_status=fix.get("status"),
        outcome=row.get("outcome"),
        pr_url=row.get("pr_url"),
        same_workload=same_workload,
        score=score,
    )


class HasDatabase(Protocol):
    @property
    def db(self) -> Database: ...


class StoreMemory:
    """Similar past incidents from the store (the service's memory)."""

    def __init__(self, store: HasDatabase) -> None:
        self.store = store

    def similar(self, query: MemoryQuery) -> list[PastIncident]:
        with self.store.db.tx(write=False) as cur:
            earlier = self._earlier_generations(cur, query.exclude) if query.exclude else []
            same = [*earlier, *self._same(cur, query)]
            text = self._text(cur, query, exclude={p.id for p in same}) if query.text else []
        return rank(same, text, query.limit)

    def _earlier_generations(self, cur: Cursor, incident_id: str) -> list[PastIncident]:
        """The fixes this incident already had merged: a new generation starts only after a merged
        fix was not enough (the alert fired again, or verification said `not-enough`)."""
        row = cur.one(f"SELECT {COLUMNS}, generation FROM incidents WHERE id = ?", (incident_id,))
        if row is None or int(row["generation"]) <= 1:
            return []
        attempts = cur.all(
            "SELECT generation, changes, started_at, finished_at FROM attempts "
            "WHERE incident_id = ? AND generation < ? AND pr_action IN ('opened', 'updated') "
            "AND changes IS NOT NULL ORDER BY id",
            (incident_id, int(row["generation"])),
        )
        last = {int(a["generation"]): a for a in attempts}  # the change each generation merged
        out = []
        for generation, attempt in sorted(last.items()):
            item = past(row, same_workload=True)
            when = float(attempt["finished_at"] or attempt["started_at"])
            changes = [Change.model_validate(c) for c in json.loads(attempt["changes"] or "[]")]
            out.append(
                item.model_copy(
                    update={
                        "id": f"{incident_id}#{generation}",
                        "status": "merged",
                        "created_at": when,
                        "merged_at": when,
                        "changes": changes,
                        "pr_url": None,
                        "outcome": f"not enough: the alert came back after attempt {generation} "
                        "was merged",
                    }
                )
            )
        return out

    def _same(self, cur: Cursor, query: MemoryQuery) -> list[PastIncident]:
        where = "namespace = ? AND workload = ? AND id <> ?"
        params: list[Any] = [query.namespace, query.workload, query.exclude or ""]
        if query.category and query.category != "unknown":
            where += " AND category = ?"
            params.append(query.category)
        rows = cur.all(
            f"SELECT {COLUMNS} FROM incidents WHERE {where} "
            f"ORDER BY created_at DESC LIMIT {int(query.limit)}",
            params,
        )
        return [past(r, same_workload=True) for r in rows]

    def _text(self, cur: Cursor, query: MemoryQuery, exclude: set[str]) -> list[PastIncident]:
        terms = query_terms(query.text)
        if not terms:
            return []
        skip = {*exclude, query.exclude or ""}
        want = int(query.limit) + len(skip)
        if self.store.db.dialect == "postgres":
            rows = cur.all(
                f"SELECT {COLUMNS}, score FROM ("
                f"SELECT {COLUMNS}, ts_rank(memory_text, q) AS score "
                "FROM incidents, to_tsquery('english', ?) q WHERE memory_text @@ q "
                f"ORDER BY created_at DESC LIMIT {WINDOW}) recent "
                f"ORDER BY score DESC, created_at DESC LIMIT {want}",
                (" | ".join(terms),),
            )
        else:
            # bm25 for the newest matches only (FTS5 walks rowids backwards without sorting):
            # ranking every match of a common word would cost ~100 ms at 100,000 incidents.
            window = cur.all(
                "SELECT rowid, bm25(memory_fts) AS rank FROM memory_fts WHERE memory_fts MATCH ? "
                f"ORDER BY rowid DESC LIMIT {WINDOW}",
                (" OR ".join(f'"{t}"' for t in terms),),
            )
            hits = sorted(window, key=lambda h: (float(h["rank"]), -int(h["rowid"])))[:want]
            if not hits:
                return []
            scores = {int(h["rowid"]): -float(h["rank"]) for h in hits}
            marks = ", ".join("?" for _ in scores)
            found = cur.all(
                f"SELECT rowid AS rid, {COLUMNS} FROM incidents WHERE rowid IN ({marks})",
                list(scores),
            )
            rows = sorted(
                ({**r, "score": scores[int(r["rid"])]} for r in found),
                key=lambda r: (-r["score"], -float(r["created_at"])),
            )
        return [
            past(
                r,
                same_workload=(r["namespace"], r["workload"]) == (query.namespace, query.workload),
                score=float(r["score"]),
            )
            for r in rows
            if r["id"] not in skip
        ]

    def timeline(self, namespace: str, workload: str, limit: int = 200) -> list[PastIncident]:
        """Every incident of one workload, oldest first (for `dr-kube history`)."""
        with self.store.db.tx(write=False) as cur:
            rows = cur.all(
                f"SELECT {COLUMNS} FROM incidents WHERE namespace = ? AND workload = ? "
                f"ORDER BY created_at DESC LIMIT {int(limit)}",
                (namespace, workload),
            )
        return [past(r, same_workload=True) for r in reversed(rows)]


class BoundMemory:
    """The store's memory for one claimed incident: that incident is never its own history."""

    def __init__(self, memory: StoreMemory, incident_id: str) -> None:
        self.memory = memory
        self.incident_id = incident_id
        self._found: dict[tuple[str, str, str | None], list[PastIncident]] = {}

    def similar(self, query: MemoryQuery) -> list[PastIncident]:
        """Looked up once per run: the first query (with the evidence) answers the later ones."""
        key = (query.namespace, query.workload, query.category)
        if key not in self._found:
            self._found[key] = self.memory.similar(
                query.model_copy(update={"exclude": self.incident_id})
            )
        return self._found[key]

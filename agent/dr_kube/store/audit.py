"""The audit trail: append-only, hash-chained records of every action DR-Kube takes.

Each record holds a sequence number and the hash of the record before it; its own hash is
sha256(previous hash + canonical JSON of the record). A one-row head table holds the last sequence
number and hash, so deleting the newest record is found as surely as changing an old one.

Appends are deferred to the end of the writing transaction (`Cursor.defer`): the chain head is the
last lock a transaction takes, held only for the insert. On PostgreSQL the head row is locked with
`SELECT ... FOR UPDATE`, so two `serve` processes never fork the chain; on SQLite the write
transaction (BEGIN IMMEDIATE) already serialises writers.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from typing import Any, Protocol

from pydantic import BaseModel, Field

from dr_kube.config.store import StoreSettings
from dr_kube.redact import redact, redact_data
from dr_kube.store.db import Cursor, Row

GENESIS = "0" * 64
DEFAULT_ACTOR = "dr-kube"


def statements(dialect: str) -> list[str]:
    big = "BIGINT" if dialect == "postgres" else "INTEGER"
    return [
        f"""CREATE TABLE IF NOT EXISTS audit (
            seq {big} PRIMARY KEY,
            ts DOUBLE PRECISION NOT NULL,
            incident_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            actor TEXT NOT NULL,
            message TEXT NOT NULL,
            data TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS audit_incident ON audit (incident_id, seq)",
        "CREATE INDEX IF NOT EXISTS audit_ts ON audit (ts)",
        f"""CREATE TABLE IF NOT EXISTS audit_head (
            id INTEGER PRIMARY KEY,
            seq {big} NOT NULL,
            hash TEXT NOT NULL
        )""",
        f"INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '{GENESIS}') "
        "ON CONFLICT (id) DO NOTHING",
    ]


class AuditRecord(BaseModel):
    seq: int
    ts: float
    incident_id: str
    kind: str
    actor: str
    message: str
    data: dict[str, Any] = Field(default_factory=dict)
    prev_hash: str
    hash: str

    @classmethod
    def from_row(cls, row: Row) -> AuditRecord:
        return cls.model_validate({**row, "data": json.loads(row["data"] or "{}")})


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def record_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """sha256 over the previous hash and the canonical JSON of the record (without hashes)."""
    return hashlib.sha256((prev_hash + canonical(fields)).encode("utf-8")).hexdigest()


def hashed_fields(
    seq: int, ts: float, incident_id: str, kind: str, actor: str, message: str, data: str
) -> dict[str, Any]:
    return {
        "seq": seq,
        "ts": ts,
        "incident_id": incident_id,
        "kind": kind,
        "actor": actor,
        "message": message,
        "data": data,
    }


def append(
    cur: Cursor,
    dialect: str,
    incident_id: str | None,
    kind: str,
    message: str,
    *,
    actor: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Queue one record (secrets masked); it is chained and written when the transaction ends."""
    ts = time.time()
    message = redact(message)
    body = canonical(redact_data(data or {}))
    entry = (incident_id or "", kind, actor or DEFAULT_ACTOR, message, body, ts)

    def write(c: Cursor) -> None:
        lock = " FOR UPDATE" if dialect == "postgres" else ""
        head = c.one(f"SELECT seq, hash FROM audit_head WHERE id = 1{lock}")
        seq, prev = (int(head["seq"]), str(head["hash"])) if head else (0, GENESIS)
        inc, knd, who, msg, dat, when = entry
        seq += 1
        digest = record_hash(prev, hashed_fields(seq, when, inc, knd, who, msg, dat))
        c.run(
            "INSERT INTO audit (seq, ts, incident_id, kind, actor, message, data, prev_hash, hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (seq, when, inc, knd, who, msg, dat, prev, digest),
        )
        c.run("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", (seq, digest))

    cur.defer(write)


# ---- verification -------------------------------------------------------------------------------
class Verdict(BaseModel):
    ok: bool
    records: int
    first_bad: int | None = None
    problem: str | None = None


def verify(rows: Iterator[Row], head: Row | None) -> Verdict:
    """Walk the chain in sequence order; name the first changed or deleted record."""
    prev, expected, count = GENESIS, 1, 0
    for row in rows:
        seq = int(row["seq"])
        if seq != expected:
            missing = f"{expected}" if seq == expected + 1 else f"{expected}..{seq - 1}"
            return Verdict(
                ok=False,
                records=count,
                first_bad=expected,
                problem=f"record {missing} deleted (the chain jumps from {expected - 1} to {seq})",
            )
        fields = hashed_fields(
            seq,
            float(row["ts"]),
            row["incident_id"],
            row["kind"],
            row["actor"],
            row["message"],
            row["data"],
        )
        if (
            row["prev_hash"] != prev
            and seq > 1
            and record_hash(row["prev_hash"], fields) == row["hash"]
        ):
            return Verdict(
                ok=False,
                records=count,
                first_bad=seq - 1,
                problem=f"record {seq - 1} changed or replaced: record {seq} does not follow it",
            )
        if row["prev_hash"] != prev or record_hash(prev, fields) != row["hash"]:
            return Verdict(ok=False, records=count, first_bad=seq, problem=f"record {seq} changed")
        prev, expected, count = row["hash"], seq + 1, count + 1
    head_seq = int(head["seq"]) if head else 0
    if head_seq >= expected:
        missing = f"{expected}" if head_seq == expected else f"{expected}..{head_seq}"
        return Verdict(
            ok=False,
            records=count,
            first_bad=expected,
            problem=f"record {missing} deleted (the chain head is at {head_seq})",
        )
    if head is not None and head_seq == expected - 1 and head["hash"] != prev:
        return Verdict(
            ok=False,
            records=count,
            first_bad=head_seq,
            problem=f"record {head_seq} changed (it does not match the chain head)",
        )
    if head_seq < expected - 1:
        return Verdict(
            ok=False,
            records=count,
            first_bad=head_seq + 1,
            problem=f"record {head_seq + 1} added outside the chain head",
        )
    return Verdict(ok=True, records=count)


# ---- what the pipeline records ------------------------------------------------------------------
class AuditSink(Protocol):
    """Where a run's actions go: the store in service mode, nowhere in the CLI."""

    def record(
        self, kind: str, message: str, data: dict[str, Any] | None = None, actor: str | None = None
    ) -> None: ...


class NoAudit:
    def record(
        self, kind: str, message: str, data: dict[str, Any] | None = None, actor: str | None = None
    ) -> None:
        return None


def prompts_included() -> bool:
    return StoreSettings.load().audit_prompts


def llm_call_data(
    *,
    provider: str,
    model: str,
    prompt_text: str,
    prompt_version: str,
    calls: int,
    tokens_in: int,
    tokens_out: int,
) -> dict[str, Any]:
    """An LLM call as the audit keeps it: the prompt's hash, its text only when asked for."""
    data: dict[str, Any] = {
        "provider": provider,
        "model": model,
        "prompt_version": prompt_version,
        "prompt_sha256": hashlib.sha256(prompt_text.encode("utf-8")).hexdigest(),
        "calls": calls,
        "tokens_in": tokens_in,
        "tokens_out": tokens_out,
    }
    if prompts_included():
        data["prompt"] = redact(prompt_text)
    return data


# ---- reading the trail --------------------------------------------------------------------------
PAGE = 5_000


def records(
    db: Any,
    *,
    incident: str | None = None,
    since: float | None = None,
    after: int = 0,
    limit: int | None = None,
) -> Iterator[AuditRecord]:
    """Records in sequence order, read a page at a time (any number of them)."""
    left = limit
    while left is None or left > 0:
        page = PAGE if left is None else min(PAGE, left)
        where: list[str] = ["seq > ?"]
        params: list[Any] = [after]
        if incident is not None:
            where.append("incident_id = ?")
            params.append(incident)
        if since is not None:
            where.append("ts >= ?")
            params.append(since)
        with db.tx(write=False) as cur:
            rows = cur.all(
                f"SELECT * FROM audit WHERE {' AND '.join(where)} ORDER BY seq LIMIT {page}",
                params,
            )
        for row in rows:
            yield AuditRecord.from_row(row)
        if len(rows) < page:
            return
        after = int(rows[-1]["seq"])
        if left is not None:
            left -= len(rows)


def raw_rows(db: Any, upto: int) -> Iterator[Row]:
    after = 0
    while True:
        with db.tx(write=False) as cur:
            rows = cur.all(
                f"SELECT * FROM audit WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT {PAGE}",
                (after, upto),
            )
        yield from rows
        if len(rows) < PAGE:
            return
        after = int(rows[-1]["seq"])


def verify_db(db: Any) -> Verdict:
    """Check the chain up to the head as it is now (records appended meanwhile wait for next time)."""
    with db.tx(write=False) as cur:
        last = cur.one("SELECT MAX(seq) AS seq FROM audit")  # first: the head can only move on
        head = cur.one("SELECT seq, hash FROM audit_head WHERE id = 1")
    upto = max(int(head["seq"]) if head else 0, int(last["seq"] or 0) if last else 0)
    return verify(raw_rows(db, upto), head)

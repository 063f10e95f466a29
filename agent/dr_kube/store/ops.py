"""Operator state beside the incidents: mode, Slack thread and outbox, merge → sync → verify."""

from __future__ import annotations

import json
from typing import Any

from dr_kube.store.db import Row
from dr_kube.store.store import Store, now

TABLES = """
CREATE TABLE IF NOT EXISTS incident_ops (
    incident_id TEXT PRIMARY KEY,
    mode TEXT NOT NULL DEFAULT 'auto',
    slack_channel TEXT,
    slack_ts TEXT,
    app TEXT,
    revision TEXT,
    merged_at DOUBLE PRECISION,
    synced_at DOUBLE PRECISION,
    verify_from DOUBLE PRECISION,
    verify_at DOUBLE PRECISION,
    verify_lease DOUBLE PRECISION NOT NULL DEFAULT 0,
    verification TEXT
);
CREATE INDEX IF NOT EXISTS incident_ops_verify ON incident_ops (verify_at);
CREATE INDEX IF NOT EXISTS incident_ops_app ON incident_ops (app);
CREATE TABLE IF NOT EXISTS slack_outbox (
    id {serial},
    incident_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    not_before DOUBLE PRECISION NOT NULL DEFAULT 0,
    lease_until DOUBLE PRECISION NOT NULL DEFAULT 0,
    tries INTEGER NOT NULL DEFAULT 0,
    done INTEGER NOT NULL DEFAULT 0,
    note TEXT,
    posted_ts TEXT
);
CREATE INDEX IF NOT EXISTS slack_outbox_work ON slack_outbox (done, not_before);
CREATE TABLE IF NOT EXISTS slack_seen (
    signature TEXT PRIMARY KEY,
    ts DOUBLE PRECISION NOT NULL
)
"""
SERIAL = {"sqlite": "INTEGER PRIMARY KEY AUTOINCREMENT", "postgres": "BIGSERIAL PRIMARY KEY"}
OPS_COLUMNS = (
    "mode, slack_channel, slack_ts, app, revision, merged_at, synced_at, verify_from, verify_at, "
    "verification"
)


class OpsStore:
    """Tables of the operator features; incidents themselves stay in `Store`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.db = store.db

    def init(self) -> None:
        sql = TABLES.replace("{serial}", SERIAL[self.db.dialect])
        with self.db.tx() as cur:
            if self.db.dialect == "postgres":
                cur.run("SELECT pg_advisory_xact_lock(71002)")
            for statement in (s.strip() for s in sql.split(";")):
                if statement:
                    cur.run(statement)

    # ---- per-incident operator state ----------------------------------------------------------
    def ensure(self, incident_id: str, mode: str, channel: str | None) -> Row:
        """The incident's operator row; mode and channel are fixed when it is first seen."""
        with self.db.tx() as cur:
            row = cur.one(
                f"SELECT {OPS_COLUMNS} FROM incident_ops WHERE incident_id = ?", (incident_id,)
            )
            if row is not None:
                return row
            cur.run(
                "INSERT INTO incident_ops (incident_id, mode, slack_channel) VALUES (?, ?, ?) "
                "ON CONFLICT (incident_id) DO NOTHING",
                (incident_id, mode, channel),
            )
            row = cur.one(
                f"SELECT {OPS_COLUMNS} FROM incident_ops WHERE incident_id = ?", (incident_id,)
            )
        assert row is not None
        return row

    def get(self, incident_id: str) -> Row | None:
        with self.db.tx(write=False) as cur:
            return cur.one(
                f"SELECT {OPS_COLUMNS} FROM incident_ops WHERE incident_id = ?", (incident_id,)
            )

    def set(self, incident_id: str, **fields: Any) -> None:
        sets = ", ".join(f"{k} = ?" for k in fields)
        with self.db.tx() as cur:
            if cur.one("SELECT 1 AS x FROM incident_ops WHERE incident_id = ?", (incident_id,)):
                cur.run(
                    f"UPDATE incident_ops SET {sets} WHERE incident_id = ?",
                    (*fields.values(), incident_id),
                )
            else:
                cols = ", ".join(["incident_id", *fields])
                marks = ", ".join("?" for _ in range(len(fields) + 1))
                cur.run(
                    f"INSERT INTO incident_ops ({cols}) VALUES ({marks})",
                    (incident_id, *fields.values()),
                )

    def incident(self, incident_id: str) -> Row | None:
        with self.db.tx(write=False) as cur:
            return cur.one(
                "SELECT id, key, status, namespace, workload, category, runs, pr_number, pr_url, "
                "branch, outcome, result, merged_at, incident FROM incidents WHERE id = ?",
                (incident_id,),
            )

    # ---- Slack approvals ----------------------------------------------------------------------
    def seen_signature(self, signature: str, ttl: float = 600) -> bool:
        """Record a Slack request signature; True when it was already seen (a replay)."""
        ts = now()
        with self.db.tx() as cur:
            cur.run("DELETE FROM slack_seen WHERE ts < ?", (ts - ttl,))
            if cur.one("SELECT 1 AS x FROM slack_seen WHERE signature = ?", (signature,)):
                return True
            cur.run("INSERT INTO slack_seen (signature, ts) VALUES (?, ?)", (signature, ts))
        return False

    def queue_action(
        self, incident_id: str, author: str, action: str, text: str, source: str = "slack"
    ) -> int:
        """An approver's action (Slack, the console) becomes the paused run's next input, like a
        review; `source` names the channel in the review's event (`slack:open`, `console:open`)."""
        ts = now()
        with self.db.tx() as cur:
            review_id = cur.insert(
                "INSERT INTO reviews (incident_id, delivery, event, author, body, action, reason, "
                "created_at) VALUES (?, NULL, ?, ?, ?, 'queued', NULL, ?)",
                (incident_id, f"{source}:{action}", author, text, ts),
            )
            self.store._queue_input(
                cur,
                incident_id,
                {"review_id": review_id, "author": author, "action": action, "guidance": text},
            )
        return review_id

    def ignore(self, incident_id: str, author: str, reason: str, source: str = "slack") -> None:
        ts = now()
        with self.db.tx() as cur:
            cur.run(
                "INSERT INTO reviews (incident_id, delivery, event, author, body, action, reason, "
                "created_at) VALUES (?, NULL, ?, ?, ?, 'ignore', ?, ?)",
                (incident_id, f"{source}:ignore", author, reason, reason, ts),
            )
            self.store._move(
                cur,
                incident_id,
                "closed",
                needs_run=0,
                outcome=f"ignored by {author}: {reason}",
                updated_at=ts,
            )

    # ---- merge, sync and verification ---------------------------------------------------------
    def merged(self, incident_id: str, revision: str | None, window: float) -> None:
        ts = now()
        self.set(
            incident_id,
            revision=revision,
            merged_at=ts,
            synced_at=None,
            verify_from=ts,
            verify_at=ts + window,
            verification=None,
        )

    def waiting_for_sync(self, app: str) -> list[Row]:
        """Merged incidents whose fix lives in `app` and that have not been verified yet."""
        with self.db.tx(write=False) as cur:
            return cur.all(
                "SELECT o.incident_id, o.revision, o.synced_at, o.verify_at FROM incident_ops o "
                "JOIN incidents i ON i.id = o.incident_id "
                "WHERE o.app = ? AND i.status = 'merged' AND i.is_open = 1",
                (app,),
            )

    def app_known(self, app: str) -> bool:
        with self.db.tx(write=False) as cur:
            return (
                cur.one("SELECT 1 AS x FROM incident_ops WHERE app = ? LIMIT 1", (app,)) is not None
            )

    def synced(self, incident_id: str, window: float) -> float:
        ts = now()
        self.set(incident_id, synced_at=ts, verify_from=ts, verify_at=ts + window)
        return ts + window

    def claim_verification(self, lease: float = 60) -> Row | None:
        ts = now()
        skip = " FOR UPDATE OF o SKIP LOCKED" if self.db.dialect == "postgres" else ""
        with self.db.tx() as cur:
            row = cur.one(
                "SELECT o.incident_id, o.app, o.revision, o.merged_at, o.synced_at, o.verify_from, "
                "o.verify_at FROM incident_ops o JOIN incidents i ON i.id = o.incident_id "
                "WHERE o.verify_at IS NOT NULL AND o.verify_at <= ? AND o.verify_lease < ? "
                f"AND i.status = 'merged' AND i.is_open = 1 ORDER BY o.verify_at LIMIT 1{skip}",
                (ts, ts),
            )
            if row is not None:
                cur.run(
                    "UPDATE incident_ops SET verify_lease = ? WHERE incident_id = ?",
                    (ts + lease, row["incident_id"]),
                )
        return row

    def verified(
        self, incident_id: str, summary: str, report: dict[str, Any], pr: int | None
    ) -> None:
        ts = now()
        with self.db.tx() as cur:
            cur.run(
                "UPDATE incident_ops SET verification = ?, verify_at = NULL, verify_lease = 0 "
                "WHERE incident_id = ?",
                (json.dumps(report), incident_id),
            )
            self.store._move(
                cur,
                incident_id,
                "resolved",
                needs_run=0,
                outcome=f"verified: {summary}",
                updated_at=ts,
            )
            # one transaction: nobody sees the incident resolved without its record and comment
            self.store._event(cur, incident_id, "verify", f"verified: {summary}")
            if pr is not None:
                self.store._outbox(cur, incident_id, pr, "comment", f"✅ Verified: {summary}")

    def not_enough(
        self, incident_id: str, summary: str, report: dict[str, Any], pr: int | None
    ) -> bool:
        """Record `not-enough`; queue the next attempt from the merged state, or escalate.

        Returns True when a next attempt was queued, False when a human is needed."""
        ts = now()
        with self.db.tx() as cur:
            cur.run(
                "UPDATE incident_ops SET verification = ?, verify_at = NULL, verify_lease = 0 "
                "WHERE incident_id = ?",
                (json.dumps(report), incident_id),
            )
            row = cur.one("SELECT runs FROM incidents WHERE id = ?", (incident_id,))
            assert row is not None
            again = self.store._not_enough(cur, incident_id, int(row["runs"]), summary, ts)
            self.store._event(cur, incident_id, "verify", f"not-enough: {summary}")
            if pr is not None:
                follow = (
                    "A next attempt starts from the merged values."
                    if again
                    else "The attempt cap is reached: a human is needed."
                )
                self.store._outbox(
                    cur, incident_id, pr, "comment", f"⚠️ Not enough: {summary}\n\n{follow}"
                )
        return again

    # ---- Slack outbox -------------------------------------------------------------------------
    def slack_add(self, incident_id: str, kind: str, body: dict[str, Any]) -> None:
        with self.db.tx() as cur:
            cur.run(
                "INSERT INTO slack_outbox (incident_id, kind, body, created_at) VALUES (?, ?, ?, ?)",
                (incident_id, kind, json.dumps(body), now()),
            )

    def slack_claim(self, limit: int = 20, lease: float = 30) -> list[Row]:
        ts = now()
        skip = " FOR UPDATE SKIP LOCKED" if self.db.dialect == "postgres" else ""
        with self.db.tx() as cur:
            rows = cur.all(
                "SELECT id, incident_id, kind, body, tries FROM slack_outbox "
                "WHERE done = 0 AND not_before <= ? AND lease_until < ? "
                f"ORDER BY id LIMIT {int(limit)}{skip}",
                (ts, ts),
            )
            for row in rows:
                cur.run(
                    "UPDATE slack_outbox SET lease_until = ? WHERE id = ?", (ts + lease, row["id"])
                )
        return rows

    def slack_done(
        self, item_id: int, note: str, failed: bool = False, posted_ts: str | None = None
    ) -> None:
        with self.db.tx() as cur:
            cur.run(
                "UPDATE slack_outbox SET done = ?, note = ?, lease_until = 0, posted_ts = ? "
                "WHERE id = ?",
                (2 if failed else 1, note, posted_ts, item_id),
            )

    def slack_unsent_before(self, incident_id: str, item_id: int) -> bool:
        """Whether an earlier message of the incident is still waiting to be sent."""
        with self.db.tx(write=False) as cur:
            return (
                cur.one(
                    "SELECT 1 AS x FROM slack_outbox WHERE incident_id = ? AND id < ? AND done = 0",
                    (incident_id, item_id),
                )
                is not None
            )

    def slack_with_buttons(self, incident_id: str) -> list[Row]:
        """Posted messages of the incident that still show decision buttons."""
        with self.db.tx(write=False) as cur:
            rows = cur.all(
                "SELECT id, body, posted_ts FROM slack_outbox WHERE incident_id = ? AND done = 1 "
                "AND posted_ts IS NOT NULL AND kind IN ('root', 'reply') ORDER BY id",
                (incident_id,),
            )
        return [
            r
            for r in rows
            if any(b.get("type") == "actions" for b in json.loads(r["body"]).get("blocks") or [])
        ]

    def slack_replace_body(self, item_id: int, body: dict[str, Any]) -> None:
        with self.db.tx() as cur:
            cur.run("UPDATE slack_outbox SET body = ? WHERE id = ?", (json.dumps(body), item_id))

    def slack_retry(self, item_id: int, delay: float, note: str, count: bool = True) -> None:
        with self.db.tx() as cur:
            cur.run(
                "UPDATE slack_outbox SET not_before = ?, lease_until = 0, note = ?, "
                f"tries = tries + {1 if count else 0} WHERE id = ?",
                (now() + delay, note, item_id),
            )

    def slack_root_pending(self, incident_id: str) -> bool:
        with self.db.tx(write=False) as cur:
            return (
                cur.one(
                    "SELECT 1 AS x FROM slack_outbox WHERE incident_id = ? AND kind = 'root' "
                    "AND done = 0",
                    (incident_id,),
                )
                is not None
            )

    def slack_has_root(self, incident_id: str) -> bool:
        with self.db.tx(write=False) as cur:
            return (
                cur.one(
                    "SELECT 1 AS x FROM slack_outbox WHERE incident_id = ? AND kind = 'root'",
                    (incident_id,),
                )
                is not None
            )

    def slack_messages(self, incident_id: str) -> list[Row]:
        with self.db.tx(write=False) as cur:
            return cur.all(
                "SELECT id, kind, body, tries, done, note FROM slack_outbox WHERE incident_id = ? "
                "ORDER BY id",
                (incident_id,),
            )

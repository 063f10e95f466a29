"""The incident store: durable intake, work claiming with leases, runs, reviews and outcomes."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dr_kube.incidents import lifecycle
from dr_kube.incidents.identity import incident_key, incident_to_join
from dr_kube.incidents.lifecycle import CLOSED_STATUSES
from dr_kube.incidents.masking import masked
from dr_kube.incidents.model import AlertRef, Incident
from dr_kube.redact import redact
from dr_kube.store import audit, identity
from dr_kube.store.db import Cursor, PostgresDatabase, Row, SqliteDatabase
from dr_kube.store.schema import statements

# Incident and attempt fields a run writes that may quote what it saw: masked on the way in.
MASKED_FIELDS = frozenset({"result", "error", "outcome", "limit_hit", "validation_errors"})


def masked_fields(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        k: redact(v) if k in MASKED_FIELDS and isinstance(v, str) else v for k, v in fields.items()
    }


INCIDENT_COLUMNS = (
    "id, key, status, namespace, workload, category, created_at, updated_at, generation, runs, "
    "alert_count, pr_number, pr_url, branch, outcome, limit_hit, error, llm_calls, llm_tokens, "
    "reviews_applied, merged_at, needs_run"
)


@dataclass
class Ingested:
    incident_id: str | None
    key: str
    action: str  # created | joined | refired | resolved | alert-resolved | stored | repeated


@dataclass
class Claim:
    id: str
    incident: Incident
    generation: int
    runs: int
    pending: list[dict[str, Any]]
    reviews_applied: int
    status: str
    pr_number: int | None
    llm_calls: int
    llm_tokens: int


def now() -> float:
    return time.time()


def starts_ts(incident: Incident) -> float | None:
    return incident.starts_at.timestamp() if isinstance(incident.starts_at, datetime) else None


class Store:
    def __init__(self, db: SqliteDatabase | PostgresDatabase, max_runs: int = 3) -> None:
        self.db = db
        self.max_runs = max_runs

    # ---- schema -------------------------------------------------------------------------------
    def init(self) -> None:
        with self.db.tx() as cur:
            if self.db.dialect == "postgres":
                cur.run("SELECT pg_advisory_xact_lock(71001)")
            for statement in statements(self.db.dialect):
                cur.run(statement)

    def close(self) -> None:
        self.db.close()

    # ---- intake -------------------------------------------------------------------------------
    def ingest(self, incidents: Sequence[Incident]) -> list[Ingested]:
        """Store every alert and join it to its open incident, in one transaction."""
        for attempt in range(5):
            out: list[Ingested] = []
            ts = now()
            try:
                with self.db.tx() as cur:
                    for incident in incidents:
                        out.append(self._ingest_one(cur, incident, ts))
                return out
            except Exception as exc:  # another replica opened the same incident first: retry
                if attempt == 4 or "unique" not in str(exc).lower():
                    raise
        return []

    def _ingest_one(self, cur: Cursor, incident: Incident, ts: float) -> Ingested:
        incident = masked(incident)  # nothing unmasked is stored, whichever way it came
        subject = incident.subject()
        fingerprint = incident.fingerprint or incident.id
        identity.lock_subject(cur, self.db.dialect, subject)
        row = self._incident_for(cur, incident, subject, fingerprint)
        action = "stored"
        incident_id: str | None = row["id"] if row else None
        if row is None and incident.status == "firing":
            incident_id = self._open(cur, incident, subject, ts)
            action = "created"
        elif row is not None and incident.status == "resolved":
            news = identity.record_alert(cur, row["id"], incident, ts)
            if identity.firing_count(cur, row["id"]) == 0:
                action = "resolved"
                self._resolve(cur, row, ts)
            else:
                action = "alert-resolved"  # the incident still has firing alerts
                if news:
                    self._refresh_pr_alerts(cur, row["id"])
        elif row is not None and incident.status == "firing" and row["status"] == "failed":
            action = "reopened"  # its last run failed: this alert starts the work again
            self._reopen(cur, row, ts)
        elif row is not None and row["status"] == "merged":
            started = starts_ts(incident)
            if started is not None and row["merged_at"] is not None and started > row["merged_at"]:
                action = "refired"
                self._refire(cur, row, ts)
            else:
                action = "joined"
        elif row is not None:
            action = "joined"
        if incident_id is not None and incident.status == "firing":
            news = identity.record_alert(cur, incident_id, incident, ts)
            if news and action == "joined":
                self._refresh_pr_alerts(cur, incident_id)
        cur.run(
            "INSERT INTO alerts (incident_id, fingerprint, alertname, status, starts_at, "
            "received_at, labels) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                incident_id,
                fingerprint,
                incident.alertname,
                incident.status,
                incident.starts_at.isoformat() if incident.starts_at else None,
                ts,
                json.dumps(incident.labels, sort_keys=True),
            ),
        )
        if incident_id is not None:
            cur.run(
                "UPDATE incidents SET alert_count = alert_count + 1, updated_at = ? WHERE id = ?",
                (ts, incident_id),
            )
        self._event(
            cur,
            incident_id or "",
            "alert",
            f"alert {incident.alertname} ({incident.status}) received: {action}",
            actor="alertmanager",
            data={"key": incident.key(), "fingerprint": incident.fingerprint, "action": action},
        )
        return Ingested(incident_id, incident.key(), action)

    def _refresh_pr_alerts(self, cur: Cursor, incident_id: str) -> None:
        """The incident's alerts changed after it may have opened its PR: one pending refresh of
        the PR's alerts section (sent once the incident is not running; see `outbox_pending`)."""
        pending = cur.one(
            "SELECT id FROM outbox WHERE incident_id = ? AND kind = 'alerts' AND done = 0",
            (incident_id,),
        )
        if pending is None:
            self._outbox(cur, incident_id, None, "alerts", "")

    def _incident_for(
        self, cur: Cursor, incident: Incident, subject: str, fingerprint: str
    ) -> Row | None:
        """The open incident an alert belongs to: the one holding it, or the one it joins."""
        held = identity.holder_of(cur, fingerprint)
        if held is not None or incident.status == "resolved":
            return held or identity.by_key(cur, incident.key())
        rows = identity.open_incidents(cur, subject)
        chosen = incident_to_join(identity.as_candidates(rows), incident.category_hint)
        return next((r for r in rows if r["id"] == chosen), None)

    def _open(self, cur: Cursor, incident: Incident, subject: str, ts: float) -> str:
        incident_id = uuid.uuid4().hex[:16]
        workload = incident.workload.name if incident.workload else (incident.pod or "unknown")
        cur.run(
            "INSERT INTO incidents (id, key, status, namespace, workload, category, incident, "
            "created_at, updated_at, needs_run) VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?, 1)",
            (
                incident_id,
                incident.key(),
                incident.namespace,
                workload,
                incident.category_hint or "unknown",
                incident.model_dump_json(),
                ts,
                ts,
            ),
        )
        identity.add_subject(cur, incident_id, subject)
        self._event(cur, incident_id, "created", f"incident opened by {incident.alertname}")
        return incident_id

    def _resolve(self, cur: Cursor, row: Row, ts: float) -> None:
        merged = row["status"] == "merged"
        outcome = "fixed: the alert resolved after the merge" if merged else "resolved on its own"
        if not self._move(cur, row["id"], "resolved", needs_run=0, outcome=outcome, updated_at=ts):
            return
        self._event(cur, row["id"], "resolved", outcome, data={"outcome": outcome})
        pr = cur.one("SELECT pr_number, branch FROM incidents WHERE id = ?", (row["id"],))
        if pr and pr["branch"] and not pr["pr_number"] and not merged:
            # no PR holds the pushed branch (pull requests off): it goes with the incident
            self._outbox(cur, row["id"], None, "delete-branch", str(pr["branch"]))
        elif pr and pr["pr_number"] and not merged:
            self._outbox(
                cur,
                row["id"],
                pr["pr_number"],
                "comment",
                "The alert behind this PR has resolved. The change may no longer be needed; "
                "merge it if it still makes sense, or comment `/dr-kube close`.",
            )
        elif pr and pr["pr_number"]:
            self._outbox(
                cur,
                row["id"],
                pr["pr_number"],
                "comment",
                "The alert resolved after the merge: the fix worked. Outcome recorded.",
            )

    def _refire(self, cur: Cursor, row: Row, ts: float) -> None:
        self._event(cur, row["id"], "outcome", "not enough: the alert fired again after the merge")
        why = "fired again after the merge"
        if not self._not_enough(cur, row["id"], int(row["runs"]), why, ts):
            self._event(cur, row["id"], "limit", "attempt cap reached: a human is needed")

    def _reopen(self, cur: Cursor, row: Row, ts: float) -> None:
        """A failed incident gets a new run (a new generation: a fresh thread, the same id, key
        and branch) when another alert for it arrives."""
        if not self._move(cur, row["id"], "queued"):
            return
        last = cur.one("SELECT error FROM incidents WHERE id = ?", (row["id"],))
        why = (last["error"] if last else None) or "an earlier failure"
        cur.run(
            "UPDATE incidents SET needs_run = 1, not_before = 0, generation = generation + 1, "
            "failures = 0, error = NULL, outcome = ?, pending = '[]', reviews_applied = 0, "
            "updated_at = ? WHERE id = ?",
            (f"re-opened by a later alert after: {why}", ts, row["id"]),
        )
        self._event(cur, row["id"], "reopened", f"re-opened by a later alert after: {why}")

    def _not_enough(self, cur: Cursor, incident_id: str, runs: int, why: str, ts: float) -> bool:
        """A merged fix was not enough: queue the next attempt from the merged state (True), or,
        at the attempt cap, hand the incident to a human (False)."""
        if runs >= self.max_runs:
            self._move(
                cur,
                incident_id,
                "needs-human",
                needs_run=0,
                outcome=f"not enough: {why}",
                limit_hit=f"attempt cap reached ({runs} runs): a human is needed",
                updated_at=ts,
            )
            return False
        if not self._move(cur, incident_id, "queued"):
            return False
        cur.run(
            "UPDATE incidents SET needs_run = 1, not_before = 0, "
            "generation = generation + 1, outcome = ?, pr_number = NULL, pr_url = NULL, "
            "merged_at = NULL, reviews_applied = 0, pending = '[]', updated_at = ? WHERE id = ?",
            (f"not enough: {why}; trying again from the merged state", ts, incident_id),
        )
        return True

    # ---- identity after diagnosis -------------------------------------------------------------
    def settle_identity(self, incident_id: str, subject: str, category: str) -> str:
        """The diagnosis named the cause: the incident's key becomes `subject/category`.

        When another open incident already has that key (the same workload, or node, and cause)
        this one joins it: its alerts and subjects move there and it ends as `joined`. Returns the
        id of the incident that now holds the alerts."""
        key = incident_key(subject, category)
        with self.db.tx() as cur:
            identity.lock_subject(cur, self.db.dialect, subject)
            other = cur.one(
                "SELECT id, status FROM incidents WHERE key = ? AND is_open = 1 AND id <> ?",
                (key, incident_id),
            )
            if other is not None and other["status"] == "failed":
                self._fold_failed(cur, str(other["id"]), incident_id, key)
                other = None
            if other is None:
                cur.run(
                    "UPDATE incidents SET key = ?, category = ? WHERE id = ? AND is_open = 1",
                    (key, category, incident_id),
                )
                identity.add_subject(cur, incident_id, subject)
                return incident_id
            target = str(other["id"])
            if not self._move(
                cur,
                incident_id,
                "joined",
                needs_run=0,
                category=category,
                outcome=f"joined incident {target}: same subject and cause ({key})",
                updated_at=now(),
            ):
                return incident_id
            identity.move_holdings(cur, incident_id, target)
            self._refresh_pr_alerts(cur, target)
            self._event(cur, incident_id, "joined", f"joined incident {target} ({key})")
            self._event(cur, target, "joined", f"incident {incident_id} joined: same {key}")
        return target

    def count_alerts(self, counts: dict[str, int]) -> None:
        """Add alerts acknowledged without a write of their own (repeats) to `alert_count`."""
        with self.db.tx() as cur:
            for incident_id, n in sorted(counts.items()):
                cur.run(
                    "UPDATE incidents SET alert_count = alert_count + ? WHERE id = ?",
                    (n, incident_id),
                )

    def all_open(self, incident_ids: Sequence[str]) -> bool:
        """Whether every one of these incidents is still open and would only count another alert
        (a failed one is re-opened by its next alert); a read: no write lock."""
        wanted = set(incident_ids)
        if not wanted:
            return False
        marks = ", ".join("?" for _ in wanted)
        with self.db.tx(write=False) as cur:
            rows = cur.all(
                "SELECT id FROM incidents WHERE is_open = 1 AND status <> 'failed' "
                f"AND id IN ({marks})",
                tuple(wanted),
            )
        return len(rows) == len(wanted)

    def _fold_failed(self, cur: Cursor, failed: str, live: str, key: str) -> None:
        """A failed incident of the same key joins the live one (not the live one the dead)."""
        if self._move(
            cur,
            failed,
            "joined",
            needs_run=0,
            outcome=f"joined incident {live}: it took up the work of this failed one ({key})",
            updated_at=now(),
        ):
            identity.move_holdings(cur, failed, live)
            self._event(cur, failed, "joined", f"joined incident {live} ({key})")
            self._event(cur, live, "joined", f"failed incident {failed} joined: same {key}")

    def alerts_of(self, incident_id: str) -> list[AlertRef]:
        with self.db.tx(write=False) as cur:
            return identity.alerts_of(cur, incident_id)

    # ---- work claiming ------------------------------------------------------------------------
    def claim(self, worker: str, lease: float) -> Claim | None:
        ts = now()
        skip = " FOR UPDATE SKIP LOCKED" if self.db.dialect == "postgres" else ""
        with self.db.tx() as cur:
            row = cur.one(
                "SELECT id, incident, generation, runs, pending, reviews_applied, status, "
                "pr_number, llm_calls, llm_tokens FROM incidents "
                "WHERE needs_run = 1 AND not_before <= ? AND lease_until < ? "
                f"ORDER BY updated_at LIMIT 1{skip}",
                (ts, ts),
            )
            if row is None:
                return None
            if not self._move(cur, row["id"], "running"):
                cur.run("UPDATE incidents SET needs_run = 0 WHERE id = ?", (row["id"],))
                return None
            cur.run(
                "UPDATE incidents SET claimed_by = ?, lease_until = ?, updated_at = ? WHERE id = ?",
                (worker, ts + lease, ts, row["id"]),
            )
            incident = Incident.model_validate_json(row["incident"])
            incident.alerts = identity.alerts_of(cur, row["id"])
        return Claim(
            id=row["id"],
            incident=incident,
            generation=int(row["generation"]),
            runs=int(row["runs"]),
            pending=json.loads(row["pending"] or "[]"),
            reviews_applied=int(row["reviews_applied"]),
            status=row["status"],
            pr_number=row["pr_number"],
            llm_calls=int(row["llm_calls"]),
            llm_tokens=int(row["llm_tokens"]),
        )

    def heartbeat(self, incident_id: str, worker: str, lease: float) -> bool:
        with self.db.tx() as cur:
            return (
                cur.run(
                    "UPDATE incidents SET lease_until = ? WHERE id = ? AND claimed_by = ?",
                    (now() + lease, incident_id, worker),
                )
                > 0
            )

    def release(
        self, incident_id: str, worker: str, *, fields: dict[str, Any], event: str | None = None
    ) -> None:
        """End a claim: write the run's fields, drop the lease (only if it is still ours)."""
        values = {
            **masked_fields(fields),
            "claimed_by": None,
            "lease_until": 0,
            "updated_at": now(),
        }
        with self.db.tx() as cur:
            mine = cur.one(
                "SELECT 1 AS x FROM incidents WHERE id = ? AND claimed_by = ?",
                (incident_id, worker),
            )
            status = values.pop("status", None)
            if mine and status is not None:  # through the lifecycle: a refused step is recorded
                self._move(cur, incident_id, status)
            sets = ", ".join(f"{k} = ?" for k in values)
            cur.run(
                f"UPDATE incidents SET {sets} WHERE id = ? AND claimed_by = ?",
                (*values.values(), incident_id, worker),
            )
            if event:
                self._event(cur, incident_id, "run", event)

    def update(self, incident_id: str, **fields: Any) -> None:
        values = {**masked_fields(fields), "updated_at": now()}
        with self.db.tx() as cur:
            status = values.pop("status", None)
            if status is not None:
                self._move(cur, incident_id, status)
            sets = ", ".join(f"{k} = ?" for k in values)
            cur.run(f"UPDATE incidents SET {sets} WHERE id = ?", (*values.values(), incident_id))

    def _move(self, cur: Cursor, incident_id: str, new: str, **fields: Any) -> bool:
        """Change an incident's status as the lifecycle allows (with `fields`); a refused step
        changes nothing and is recorded in the audit trail. Returns whether it moved."""
        row = cur.one("SELECT status FROM incidents WHERE id = ?", (incident_id,))
        if row is None:
            return False
        try:
            lifecycle.require(row["status"], new)
        except lifecycle.IllegalTransitionError as exc:
            self._event(cur, incident_id, "lifecycle", f"refused: {exc}")
            return False
        values = {"status": new, "is_open": 1 if lifecycle.is_open(new) else 0, **fields}
        sets = ", ".join(f"{k} = ?" for k in values)
        cur.run(f"UPDATE incidents SET {sets} WHERE id = ?", (*values.values(), incident_id))
        return True

    def move(self, incident_id: str, new: str, **fields: Any) -> bool:
        """`_move` in a transaction of its own."""
        with self.db.tx() as cur:
            return self._move(cur, incident_id, new, **fields)

    def take_pending(self, incident_id: str, count: int) -> None:
        """Drop the first `count` queued reviews once they were applied."""
        with self.db.tx() as cur:
            row = cur.one("SELECT pending FROM incidents WHERE id = ?", (incident_id,))
            pending = json.loads(row["pending"]) if row else []
            cur.run(
                "UPDATE incidents SET pending = ?, reviews_applied = reviews_applied + ? "
                "WHERE id = ?",
                (json.dumps(pending[count:]), count, incident_id),
            )

    # ---- attempts -----------------------------------------------------------------------------
    def start_attempt(self, incident_id: str, generation: int, kind: str, worker: str) -> int:
        with self.db.tx() as cur:
            cur.run("UPDATE incidents SET runs = runs + 1 WHERE id = ?", (incident_id,))
            return cur.insert(
                "INSERT INTO attempts (incident_id, generation, kind, worker, started_at, status) "
                "VALUES (?, ?, ?, ?, ?, 'running')",
                (incident_id, generation, kind, worker, now()),
            )

    def finish_attempt(self, attempt_id: int, **fields: Any) -> None:
        values = {**masked_fields(fields), "finished_at": now()}
        sets = ", ".join(f"{k} = ?" for k in values)
        with self.db.tx() as cur:
            cur.run(f"UPDATE attempts SET {sets} WHERE id = ?", (*values.values(), attempt_id))

    def llm_calls_since(self, ts: float) -> int:
        with self.db.tx(write=False) as cur:
            row = cur.one(
                "SELECT COALESCE(SUM(llm_calls), 0) AS n FROM attempts WHERE started_at >= ?",
                (ts,),
            )
        return int(row["n"]) if row else 0

    # ---- reviews and pull requests ------------------------------------------------------------
    def find_by_pr(self, number: int | None, branch: str | None) -> Row | None:
        with self.db.tx(write=False) as cur:
            if number is not None:
                row = cur.one(
                    f"SELECT {INCIDENT_COLUMNS} FROM incidents WHERE pr_number = ? "
                    "ORDER BY is_open DESC, updated_at DESC LIMIT 1",
                    (number,),
                )
                if row:
                    return row
            if branch:
                return cur.one(
                    f"SELECT {INCIDENT_COLUMNS} FROM incidents WHERE branch = ? "
                    "ORDER BY is_open DESC, updated_at DESC LIMIT 1",
                    (branch,),
                )
        return None

    def add_review(
        self,
        incident_id: str,
        *,
        delivery: str | None,
        event: str,
        author: str,
        body: str,
        action: str,
        reason: str | None = None,
        comment: str | None = None,
    ) -> int | None:
        """Record a review (secrets masked); an accepted one is queued for the run to resume
        with. `comment` names the comment and its edit (`issue_comment:777:2026-...`): a comment
        already recorded is not recorded again, and None is returned."""
        body = redact(body)
        with self.db.tx() as cur:
            review_id = cur.insert(
                "INSERT INTO reviews (incident_id, delivery, event, author, body, action, reason, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (incident_id, delivery, event, author, body, action, reason, now()),
            )
            if comment is not None and not cur.run(
                "INSERT INTO review_comments (comment_key, review_id) VALUES (?, ?) "
                "ON CONFLICT (comment_key) DO NOTHING",
                (comment, review_id),
            ):
                cur.run("DELETE FROM reviews WHERE id = ?", (review_id,))
                return None
            self._event(
                cur,
                incident_id,
                "review",
                f"{event} from {author} on GitHub: {action}" + (f" ({reason})" if reason else ""),
                actor=author,
                data={"where": "github", "event": event, "action": action, "delivery": delivery},
            )
            if action == "queued":
                self._queue_input(
                    cur, incident_id, {"review_id": review_id, "author": author, "guidance": body}
                )
        return review_id

    def pr_closed(self, incident_id: str, merged: bool, by: str) -> None:
        ts = now()
        with self.db.tx() as cur:
            if merged:
                self._move(
                    cur,
                    incident_id,
                    "merged",
                    merged_at=ts,
                    needs_run=0,
                    outcome="merged: waiting for the alert to resolve",
                    updated_at=ts,
                )
                self._event(cur, incident_id, "pr", f"merged by {by}", actor=by)
            else:
                self._move(
                    cur,
                    incident_id,
                    "closed",
                    needs_run=0,
                    outcome=f"PR closed without merge by {by}",
                    updated_at=ts,
                )
                self._event(cur, incident_id, "pr", f"closed without merge by {by}", actor=by)

    def _queue_input(self, cur: Cursor, incident_id: str, item: dict[str, Any]) -> None:
        """A review or an approver's answer becomes the paused run's next input."""
        row = cur.one("SELECT pending, status FROM incidents WHERE id = ?", (incident_id,))
        if row is None:
            return
        pending = json.loads(row["pending"])
        pending.append(item)
        if row["status"] != "running" and not self._move(cur, incident_id, "queued"):
            return
        cur.run(
            "UPDATE incidents SET pending = ?, needs_run = 1, not_before = 0, updated_at = ? "
            "WHERE id = ?",
            (json.dumps(pending), now(), incident_id),
        )

    # ---- outbox (comments and closes to send to the forge) ------------------------------------
    def outbox_add(self, incident_id: str, pr_number: int | None, kind: str, body: str) -> None:
        with self.db.tx() as cur:
            self._outbox(cur, incident_id, pr_number, kind, body)

    def _outbox(
        self, cur: Cursor, incident_id: str, pr_number: int | None, kind: str, body: str
    ) -> None:
        cur.run(
            "INSERT INTO outbox (incident_id, pr_number, kind, body, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (incident_id, pr_number, kind, body, now()),
        )

    def outbox_pending(self, limit: int = 20) -> list[Row]:
        skip = " FOR UPDATE OF o SKIP LOCKED" if self.db.dialect == "postgres" else ""
        with self.db.tx() as cur:
            # an alerts refresh waits while its incident runs: the run writes the PR body itself
            busy = ", ".join(f"'{status}'" for status in lifecycle.BUSY_STATUSES)
            rows = cur.all(
                "SELECT o.id, o.incident_id, COALESCE(o.pr_number, i.pr_number) AS pr_number, "
                "o.kind, o.body FROM outbox o LEFT JOIN incidents i ON i.id = o.incident_id "
                f"WHERE o.done = 0 AND NOT (o.kind = 'alerts' AND i.status IN ({busy})) "
                f"ORDER BY o.id LIMIT {int(limit)}{skip}"
            )
            for row in rows:
                cur.run("UPDATE outbox SET done = 2 WHERE id = ?", (row["id"],))
        return rows

    def outbox_done(self, item_id: int, note: str, ok: bool = True) -> None:
        with self.db.tx() as cur:
            cur.run(
                "UPDATE outbox SET done = ?, note = ? WHERE id = ?", (1 if ok else 0, note, item_id)
            )

    # ---- audit and reads ----------------------------------------------------------------------
    def event(
        self,
        incident_id: str,
        kind: str,
        message: str,
        *,
        actor: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        """Append one audit record (hash-chained; see `dr_kube.store.audit`)."""
        with self.db.tx() as cur:
            self._event(cur, incident_id, kind, message, actor=actor, data=data)

    def _event(
        self,
        cur: Cursor,
        incident_id: str,
        kind: str,
        message: str,
        *,
        actor: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        audit.append(cur, self.db.dialect, incident_id, kind, message, actor=actor, data=data)

    def list_incidents(self, status: str | None = None, limit: int = 100) -> list[Row]:
        where, params = ("WHERE status = ?", (status,)) if status else ("", ())
        with self.db.tx(write=False) as cur:
            rows = cur.all(
                f"SELECT {INCIDENT_COLUMNS} FROM incidents {where} "
                f"ORDER BY created_at DESC LIMIT {int(limit)}",
                params,
            )
            held = identity.alert_summary(cur, [r["id"] for r in rows])
        for row in rows:
            row["alertnames"], row["firing"] = held.get(row["id"], ([], 0))
        return rows

    def get_incident(self, incident_id: str) -> dict[str, Any] | None:
        with self.db.tx(write=False) as cur:
            row = cur.one(
                f"SELECT {INCIDENT_COLUMNS}, result, pending FROM incidents WHERE id = ?",
                (incident_id,),
            )
            if row is None:
                return None
            row["alerts"] = cur.all(
                "SELECT fingerprint, alertname, status, starts_at, received_at, labels "
                "FROM alerts WHERE incident_id = ? ORDER BY id DESC LIMIT 50",
                (incident_id,),
            )
            row["held_alerts"] = [
                a.model_dump(mode="json") for a in identity.alerts_of(cur, incident_id)
            ]
            row["subjects"] = identity.subjects_of(cur, incident_id)
            row["attempts"] = cur.all(
                "SELECT id, generation, kind, worker, started_at, finished_at, status, fix_status, "
                "changes, validation_errors, pr_action, llm_calls, llm_tokens, error "
                "FROM attempts WHERE incident_id = ? ORDER BY id",
                (incident_id,),
            )
            row["reviews"] = cur.all(
                "SELECT id, event, author, body, action, reason, created_at FROM reviews "
                "WHERE incident_id = ? ORDER BY id",
                (incident_id,),
            )
            row["replies"] = cur.all(
                "SELECT kind, body, created_at, done, note FROM outbox WHERE incident_id = ? "
                "ORDER BY id",
                (incident_id,),
            )
            row["events"] = cur.all(
                "SELECT seq, ts, kind, actor, message FROM audit WHERE incident_id = ? "
                "ORDER BY seq",
                (incident_id,),
            )
        return row

    def counts_by_status(self) -> dict[str, int]:
        with self.db.tx(write=False) as cur:
            rows = cur.all("SELECT status, COUNT(*) AS n FROM incidents GROUP BY status")
        return {r["status"]: int(r["n"]) for r in rows}

    def count(self, table: str) -> int:
        assert table in ("alerts", "incidents", "attempts", "reviews", "outbox", "events", "audit")
        table = "audit" if table == "events" else table  # the audit trail holds the events
        with self.db.tx(write=False) as cur:
            row = cur.one(f"SELECT COUNT(*) AS n FROM {table}")
        return int(row["n"]) if row else 0

    def ping(self) -> None:
        with self.db.tx(write=False) as cur:
            cur.one("SELECT 1 AS ok")

    def seen_comment(self, comment: str) -> bool:
        """Whether a review comment, in this edit, was already recorded (any delivery of it)."""
        with self.db.tx(write=False) as cur:
            return (
                cur.one("SELECT 1 AS ok FROM review_comments WHERE comment_key = ?", (comment,))
                is not None
            )

    def seen_delivery(self, delivery: str) -> bool:
        """Whether a GitHub delivery (X-GitHub-Delivery) was already recorded: GitHub redelivers."""
        with self.db.tx(write=False) as cur:
            return (
                cur.one("SELECT 1 AS ok FROM reviews WHERE delivery = ?", (delivery,)) is not None
            )


CLOSED = CLOSED_STATUSES

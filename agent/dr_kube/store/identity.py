"""The SQL behind incident identity: subject locks, an incident's subjects and alerts, folding.

The rules (which open incident an alert joins) live in `dr_kube.incidents.identity`; these
statements run inside the caller's transaction.
"""

from __future__ import annotations

from dr_kube.incidents.identity import OpenIncident
from dr_kube.incidents.model import AlertRef, Incident
from dr_kube.store.db import Cursor, Row

CANDIDATE_COLUMNS = (
    "i.id, i.key, i.status, i.category, i.merged_at, i.runs, i.generation, "
    "CASE WHEN i.result IS NULL THEN 0 ELSE 1 END AS diagnosed"
)


def lock_subject(cur: Cursor, dialect: str, subject: str) -> None:
    """Serialise intake about one subject: across replicas on PostgreSQL (a row lock); SQLite's
    writers already take turns (BEGIN IMMEDIATE)."""
    cur.run(
        "INSERT INTO subject_locks (subject) VALUES (?) ON CONFLICT (subject) DO NOTHING",
        (subject,),
    )
    if dialect == "postgres":
        cur.one("SELECT subject FROM subject_locks WHERE subject = ? FOR UPDATE", (subject,))


def open_incidents(cur: Cursor, subject: str) -> list[Row]:
    """The subject's open incidents, oldest first."""
    return cur.all(
        f"SELECT {CANDIDATE_COLUMNS} FROM incident_subjects s "
        "JOIN incidents i ON i.id = s.incident_id "
        "WHERE s.subject = ? AND i.is_open = 1 ORDER BY i.created_at, i.id",
        (subject,),
    )


def as_candidates(rows: list[Row]) -> list[OpenIncident]:
    return [
        OpenIncident(id=r["id"], category=r["category"], diagnosed=bool(r["diagnosed"]))
        for r in rows
    ]


def holder_of(cur: Cursor, fingerprint: str) -> Row | None:
    """The open incident that holds an alert (by its fingerprint)."""
    return cur.one(
        f"SELECT {CANDIDATE_COLUMNS} FROM incident_alerts a JOIN incidents i "
        "ON i.id = a.incident_id WHERE a.fingerprint = ? AND i.is_open = 1 "
        "ORDER BY i.created_at LIMIT 1",
        (fingerprint,),
    )


def by_key(cur: Cursor, key: str) -> Row | None:
    return cur.one(
        f"SELECT {CANDIDATE_COLUMNS} FROM incidents i WHERE i.key = ? AND i.is_open = 1", (key,)
    )


def add_subject(cur: Cursor, incident_id: str, subject: str) -> None:
    cur.run(
        "INSERT INTO incident_subjects (incident_id, subject) VALUES (?, ?) "
        "ON CONFLICT (incident_id, subject) DO NOTHING",
        (incident_id, subject),
    )


def record_alert(cur: Cursor, incident_id: str, incident: Incident, ts: float) -> bool:
    """The incident holds this alert, in its latest status; whether that is news (an alert it
    did not hold, or a new status)."""
    ref = incident.alert_ref()
    held = cur.one(
        "SELECT status FROM incident_alerts WHERE incident_id = ? AND fingerprint = ?",
        (incident_id, ref.fingerprint),
    )
    cur.run(
        "INSERT INTO incident_alerts (incident_id, fingerprint, alertname, status, pod, container, "
        "workload, starts_at, first_at, last_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (incident_id, fingerprint) DO UPDATE SET status = excluded.status, "
        "last_at = excluded.last_at",
        (
            incident_id,
            ref.fingerprint,
            ref.alertname,
            ref.status,
            ref.pod,
            ref.container,
            ref.workload,
            ref.starts_at.isoformat() if ref.starts_at else None,
            ts,
            ts,
        ),
    )
    return held is None or held["status"] != ref.status


def firing_count(cur: Cursor, incident_id: str) -> int:
    row = cur.one(
        "SELECT COUNT(*) AS n FROM incident_alerts WHERE incident_id = ? AND status = 'firing'",
        (incident_id,),
    )
    return int(row["n"]) if row else 0


def alerts_of(cur: Cursor, incident_id: str) -> list[AlertRef]:
    rows = cur.all(
        "SELECT alertname, fingerprint, status, pod, container, workload, starts_at "
        "FROM incident_alerts WHERE incident_id = ? ORDER BY first_at, fingerprint",
        (incident_id,),
    )
    return [AlertRef.model_validate(r) for r in rows]


def subjects_of(cur: Cursor, incident_id: str) -> list[str]:
    rows = cur.all(
        "SELECT subject FROM incident_subjects WHERE incident_id = ? ORDER BY subject",
        (incident_id,),
    )
    return [r["subject"] for r in rows]


def move_holdings(cur: Cursor, source: str, target: str) -> None:
    """Give `target` every alert and subject `source` holds (folding `source` into it)."""
    cur.run(
        "INSERT INTO incident_alerts (incident_id, fingerprint, alertname, status, pod, container, "
        "workload, starts_at, first_at, last_at) SELECT ?, fingerprint, alertname, status, pod, "
        "container, workload, starts_at, first_at, last_at FROM incident_alerts "
        "WHERE incident_id = ? ON CONFLICT (incident_id, fingerprint) DO NOTHING",
        (target, source),
    )
    cur.run(
        "INSERT INTO incident_subjects (incident_id, subject) SELECT ?, subject "
        "FROM incident_subjects WHERE incident_id = ? ON CONFLICT (incident_id, subject) DO NOTHING",
        (target, source),
    )
    count = cur.one("SELECT COUNT(*) AS n FROM alerts WHERE incident_id = ?", (source,))
    cur.run(
        "UPDATE incidents SET alert_count = alert_count + ? WHERE id = ?",
        (int(count["n"]) if count else 0, target),
    )


def alert_summary(cur: Cursor, ids: list[str]) -> dict[str, tuple[list[str], int]]:
    """For each incident: its distinct alert names and how many of its alerts fire."""
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    rows = cur.all(
        "SELECT incident_id, alertname, status FROM incident_alerts "
        f"WHERE incident_id IN ({marks}) ORDER BY first_at",
        tuple(ids),
    )
    out: dict[str, tuple[list[str], int]] = {}
    for row in rows:
        names, firing = out.get(row["incident_id"], ([], 0))
        if row["alertname"] not in names:
            names.append(row["alertname"])
        out[row["incident_id"]] = (names, firing + (row["status"] == "firing"))
    return out

"""Tables: incidents, alerts (every delivery), incident_alerts (the alerts an incident holds,
with their current status), incident_subjects (the workloads or node an incident is about),
subject_locks (one row per subject: intake on several replicas serialises on it), attempts,
reviews, outbox (PR comments to post).

The audit trail, which records every action, has its own tables (`dr_kube.store.audit`)."""

from __future__ import annotations

from dr_kube.store import audit, history  # their tables live next to their code

TABLES = """
CREATE TABLE IF NOT EXISTS incidents (
    id TEXT PRIMARY KEY,
    key TEXT NOT NULL,
    status TEXT NOT NULL,
    is_open INTEGER NOT NULL DEFAULT 1,
    namespace TEXT NOT NULL,
    workload TEXT NOT NULL,
    category TEXT NOT NULL,
    incident TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL,
    needs_run INTEGER NOT NULL DEFAULT 1,
    not_before DOUBLE PRECISION NOT NULL DEFAULT 0,
    claimed_by TEXT,
    lease_until DOUBLE PRECISION NOT NULL DEFAULT 0,
    generation INTEGER NOT NULL DEFAULT 1,
    runs INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    pending TEXT NOT NULL DEFAULT '[]',
    reviews_applied INTEGER NOT NULL DEFAULT 0,
    alert_count INTEGER NOT NULL DEFAULT 0,
    merged_at DOUBLE PRECISION,
    result TEXT,
    pr_number INTEGER,
    pr_url TEXT,
    branch TEXT,
    outcome TEXT,
    limit_hit TEXT,
    error TEXT,
    llm_calls INTEGER NOT NULL DEFAULT 0,
    llm_tokens INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS incidents_open_key ON incidents (key) WHERE is_open = 1;
CREATE INDEX IF NOT EXISTS incidents_work ON incidents (needs_run, not_before);
CREATE INDEX IF NOT EXISTS incidents_pr ON incidents (pr_number);
CREATE INDEX IF NOT EXISTS incidents_created ON incidents (created_at);
CREATE TABLE IF NOT EXISTS alerts (
    id {serial},
    incident_id TEXT,
    fingerprint TEXT NOT NULL,
    alertname TEXT NOT NULL,
    status TEXT NOT NULL,
    starts_at TEXT,
    received_at DOUBLE PRECISION NOT NULL,
    labels TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS alerts_incident ON alerts (incident_id);
CREATE TABLE IF NOT EXISTS incident_alerts (
    incident_id TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    alertname TEXT NOT NULL,
    status TEXT NOT NULL,
    pod TEXT,
    container TEXT,
    workload TEXT,
    starts_at TEXT,
    first_at DOUBLE PRECISION NOT NULL,
    last_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (incident_id, fingerprint)
);
CREATE INDEX IF NOT EXISTS incident_alerts_fingerprint ON incident_alerts (fingerprint);
CREATE TABLE IF NOT EXISTS incident_subjects (
    incident_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    PRIMARY KEY (incident_id, subject)
);
CREATE INDEX IF NOT EXISTS incident_subjects_subject ON incident_subjects (subject);
CREATE TABLE IF NOT EXISTS subject_locks (
    subject TEXT PRIMARY KEY
);
CREATE TABLE IF NOT EXISTS attempts (
    id {serial},
    incident_id TEXT NOT NULL,
    generation INTEGER NOT NULL,
    kind TEXT NOT NULL,
    worker TEXT NOT NULL,
    started_at DOUBLE PRECISION NOT NULL,
    finished_at DOUBLE PRECISION,
    status TEXT NOT NULL,
    fix_status TEXT,
    changes TEXT,
    validation_errors TEXT,
    pr_action TEXT,
    llm_calls INTEGER NOT NULL DEFAULT 0,
    llm_tokens INTEGER NOT NULL DEFAULT 0,
    error TEXT
);
CREATE INDEX IF NOT EXISTS attempts_incident ON attempts (incident_id);
CREATE TABLE IF NOT EXISTS reviews (
    id {serial},
    incident_id TEXT NOT NULL,
    delivery TEXT,
    event TEXT NOT NULL,
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    action TEXT NOT NULL,
    reason TEXT,
    created_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX IF NOT EXISTS reviews_incident ON reviews (incident_id);
CREATE TABLE IF NOT EXISTS review_comments (
    comment_key TEXT PRIMARY KEY,
    review_id BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
    id {serial},
    incident_id TEXT NOT NULL,
    pr_number INTEGER,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    note TEXT
);
"""

SERIAL = {
    "sqlite": "INTEGER PRIMARY KEY AUTOINCREMENT",
    "postgres": "BIGSERIAL PRIMARY KEY",
}


def statements(dialect: str) -> list[str]:
    sql = TABLES.replace("{serial}", SERIAL[dialect])
    return [
        *(s.strip() for s in sql.split(";") if s.strip()),
        *audit.statements(dialect),
        *history.statements(dialect),
    ]

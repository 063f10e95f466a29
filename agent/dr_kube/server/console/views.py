"""What the console's pages show, built from the store's rows: plain data for the templates."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from dr_kube.cluster.evidence import Evidence
from dr_kube.store.audit import AuditRecord

LOG_HEAD = 100  # log lines shown on the incident page; the rest is paged
LOG_PAGE = 500


@dataclass
class Entry:
    ts: float
    kind: str
    text: str
    actor: str = ""
    detail: str = ""


@dataclass
class DiffLine:
    css: str
    text: str


def age(ts: float | None, now: float | None = None) -> str:
    if not ts:
        return ""
    seconds = max(0, int((now or time.time()) - ts))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def when(ts: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(ts)) if ts else ""


def diff_lines(diff: str) -> list[DiffLine]:
    lines = []
    for line in diff.splitlines():
        if line.startswith(("+++", "---")):
            css = "meta"
        elif line.startswith("@@"):
            css = "hunk"
        elif line.startswith("+"):
            css = "add"
        elif line.startswith("-"):
            css = "del"
        else:
            css = "ctx"
        lines.append(DiffLine(css, line))
    return lines


def timeline(
    row: dict[str, Any], audit: list[AuditRecord], ops: dict[str, Any] | None
) -> list[Entry]:
    """Attempts, reviews, PR replies, the merge, sync and verification, and every audit record
    (alerts received, diagnosis, Slack and console decisions, ...), oldest first."""
    entries: list[Entry] = []  # the alerts are in the audit trail, as received
    for a in row.get("attempts", []):
        text = f"attempt {a['generation']}.{a['id']} ({a['kind']}): {a['status']}"
        if a.get("fix_status"):
            text += f", fix {a['fix_status']}"
        if a.get("pr_action"):
            text += f", PR {a['pr_action']}"
        detail = a.get("error") or ""
        errors = json.loads(a["validation_errors"]) if a.get("validation_errors") else []
        if errors:
            detail = "; ".join(str(e) for e in errors)
        entries.append(Entry(float(a["started_at"] or 0), "attempt", text, a["worker"], detail))
    for r in row.get("reviews", []):
        entries.append(
            Entry(
                float(r["created_at"] or 0),
                "review",
                f"{r['event']}: {(r['body'] or '')[:300]}",
                r["author"] or "",
                f"{r['action']}" + (f" ({r['reason']})" if r.get("reason") else ""),
            )
        )
    for o in row.get("replies", []):
        state = "sent" if o["done"] else "pending"
        text = f"PR {o['kind']} ({state}): {(o['body'] or '')[:300]}"
        entries.append(Entry(float(o["created_at"] or 0), "pr", text, detail=o.get("note") or ""))
    if ops:
        if ops.get("merged_at"):
            entries.append(Entry(float(ops["merged_at"]), "merge", "PR merged"))
        if ops.get("synced_at"):
            rev = ops.get("revision") or ""
            entries.append(Entry(float(ops["synced_at"]), "sync", f"Argo CD synced {rev}".strip()))
        if ops.get("verification"):
            verdict = json.loads(ops["verification"])
            text = f"verification: {verdict.get('verdict') or verdict.get('status') or ''}"
            entries.append(
                Entry(
                    float(ops.get("verify_at") or ops.get("synced_at") or 0),
                    "verify",
                    text.strip(),
                    detail=json.dumps(verdict)[:500],
                )
            )
    for rec in audit:
        entries.append(
            Entry(
                rec.ts, rec.kind or "audit", rec.message, rec.actor, f"#{rec.seq} {rec.hash[:12]}"
            )
        )
    entries.sort(key=lambda e: e.ts)
    return entries


@dataclass
class LogSource:
    title: str
    lines: list[str]


def log_sources(stored: dict[str, Any], evidence: Evidence | None) -> list[LogSource]:
    """The logs an incident holds: the lines its alert carried, then each container's logs (the
    previous container's first: the one that crashed) as the run collected them."""
    sources = []
    if stored.get("logs"):
        sources.append(LogSource("log lines sent with the alert", [str(x) for x in stored["logs"]]))
    for log in evidence.logs if evidence else []:
        where = f"{log.pod} / {log.container}"
        if log.previous:
            sources.append(LogSource(f"{where} (previous container)", log.previous.splitlines()))
        if log.current:
            sources.append(LogSource(where, log.current.splitlines()))
    return sources


@dataclass
class LogView:
    lines: list[str]
    total: int
    offset: int
    more: bool


def log_page(lines: list[str], offset: int = 0, size: int = LOG_PAGE) -> LogView:
    offset = max(0, min(offset, max(0, len(lines) - 1)))
    chunk = lines[offset : offset + size]
    return LogView(chunk, len(lines), offset, offset + size < len(lines))

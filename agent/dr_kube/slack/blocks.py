"""Block Kit messages: the incident's root message, its buttons, and the two modals."""

from __future__ import annotations

from typing import Any

OPEN_PR, REQUEST_CHANGE, IGNORE = "drkube_open_pr", "drkube_request_change", "drkube_ignore"
CHANGE_VIEW, IGNORE_VIEW = "drkube_change", "drkube_ignore"
TEXT_BLOCK, TEXT_ACTION = "drkube_text", "drkube_text_input"
MAX_TEXT = 2900  # a section's text is limited to 3,000 characters


def _cut(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _path(path: list[Any]) -> str:
    out = ""
    for key in path:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out


def change_table(changes: list[dict[str, Any]]) -> str:
    """The proposed changes, old → new, as a monospace table."""
    if not changes:
        return "_no change proposed_"
    rows = [(_path(c.get("path", [])), str(c.get("old")), str(c.get("new"))) for c in changes]
    width = max(len(r[0]) for r in rows)
    lines = [f"{p.ljust(width)}  {old} → {new}" for p, old, new in rows]
    files = sorted({str(c.get("file")) for c in changes if c.get("file")})
    return _cut("```" + "\n".join(lines) + "```" + (f"\n{', '.join(files)}" if files else ""))


def links(
    result: dict[str, Any],
    namespace: str,
    workload: str,
    grafana: str | None,
    prometheus: str | None,
) -> list[str]:
    out: list[str] = []
    pr = result.get("pr") or {}
    if pr.get("url"):
        out.append(f"<{pr['url']}|PR #{pr.get('number')}>")
    if grafana:
        out.append(
            f"<{grafana.rstrip('/')}/explore?var-namespace={namespace}&var-workload={workload}|Grafana>"
        )
    if prometheus:
        query = f'kube_pod_container_status_restarts_total{{namespace="{namespace}",pod=~"{workload}-.*"}}'
        from urllib.parse import quote

        out.append(f"<{prometheus.rstrip('/')}/graph?g0.expr={quote(query)}|Prometheus>")
    return out


def proposal(
    incident: dict[str, Any],
    result: dict[str, Any],
    mode: str,
    *,
    buttons: bool,
    grafana: str | None = None,
    prometheus: str | None = None,
    title: str | None = None,
) -> tuple[str, list[dict[str, Any]]]:
    """(fallback text, blocks) of an incident's proposal: the thread's root message."""
    diagnosis = result.get("diagnosis") or {}
    fix = result.get("fix") or {}
    namespace, workload = str(incident.get("namespace")), str(incident.get("workload"))
    category = diagnosis.get("category") or incident.get("category") or "unknown"
    heading = title or f"DR-Kube: {namespace}/{workload} — {category}"
    text = f"{heading}: {diagnosis.get('root_cause') or fix.get('reason') or 'diagnosed'}"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _cut(heading, 150)}},
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": f"*Workload*\n`{namespace}/{workload}`"},
                {"type": "mrkdwn", "text": f"*Category*\n{category}"},
                {"type": "mrkdwn", "text": f"*Risk*\n{fix.get('risk') or 'n/a'}"},
                {"type": "mrkdwn", "text": f"*Mode*\n{mode}"},
            ],
        },
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": _cut(f"*Root cause*\n{diagnosis.get('root_cause') or 'unknown'}"),
            },
        },
    ]
    held = alerts_block(result.get("incident") or {})
    if held is not None:
        blocks.append(held)
    evidence = [str(e) for e in (diagnosis.get("evidence") or [])[:3]]
    if evidence:
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": _cut("*Evidence*\n" + "\n".join(f"• {_cut(e, 300)}" for e in evidence)),
                },
            }
        )
    if fix.get("status") == "proposed":
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": "*Proposed change*\n" + change_table(fix.get("changes") or []),
                },
            }
        )
    else:
        reason = fix.get("reason") or "no safe values change"
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": _cut(f"*No PR*: {reason}")},
            }
        )
    found = links(result, namespace, workload, grafana, prometheus)
    if found:
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": " · ".join(found)}]}
        )
    if buttons:
        blocks.append(actions(str(incident["id"])))
    return _cut(text), blocks


MAX_ALERTS = 10


def alerts_block(incident: dict[str, Any]) -> dict[str, Any] | None:
    """*Alerts (n)*: every alert this one incident holds, and the workloads a node one hit."""
    alerts = incident.get("alerts") or []
    workloads = incident.get("workloads") or []
    if len(alerts) <= 1 and not workloads:
        return None
    lines = [
        f"• `{a.get('alertname')}` {a.get('pod') or a.get('workload') or ''} ({a.get('status')})"
        for a in alerts[:MAX_ALERTS]
    ]
    if len(alerts) > MAX_ALERTS:
        lines.append(f"• … and {len(alerts) - MAX_ALERTS} more")
    if workloads:
        lines.append("*Workloads hit*: " + ", ".join(f"`{w}`" for w in workloads[:MAX_ALERTS]))
    text = f"*Alerts ({len(alerts)})*: one incident\n" + "\n".join(lines)
    return {"type": "section", "text": {"type": "mrkdwn", "text": _cut(text)}}


def actions(incident_id: str) -> dict[str, Any]:
    def button(label: str, action_id: str, style: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": "button",
            "text": {"type": "plain_text", "text": label},
            "action_id": action_id,
            "value": incident_id,
        }
        if style:
            out["style"] = style
        return out

    return {
        "type": "actions",
        "block_id": f"drkube_actions_{incident_id}",
        "elements": [
            button("Open PR", OPEN_PR, "primary"),
            button("Request change", REQUEST_CHANGE),
            button("Ignore", IGNORE, "danger"),
        ],
    }


def modal(kind: str, incident_id: str) -> dict[str, Any]:
    """The *Request change* or *Ignore* modal; its text comes back in a view_submission."""
    change = kind == CHANGE_VIEW
    return {
        "type": "modal",
        "callback_id": kind,
        "private_metadata": incident_id,
        "title": {"type": "plain_text", "text": "Request change" if change else "Ignore"},
        "submit": {"type": "plain_text", "text": "Send" if change else "Ignore incident"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "block_id": TEXT_BLOCK,
                "label": {
                    "type": "plain_text",
                    "text": "What should change?" if change else "Why ignore it?",
                },
                "element": {
                    "type": "plain_text_input",
                    "action_id": TEXT_ACTION,
                    "multiline": True,
                    "placeholder": {
                        "type": "plain_text",
                        "text": "e.g. use 384Mi, raise requests too"
                        if change
                        else "e.g. known batch job, expected",
                    },
                },
            }
        ],
    }


def note(text: str) -> list[dict[str, Any]]:
    return [{"type": "section", "text": {"type": "mrkdwn", "text": _cut(text)}}]


def settled(message: list[dict[str, Any]], decision: str) -> list[dict[str, Any]]:
    """A proposal once decided: its buttons replaced by who decided what."""
    kept = [b for b in message if b.get("type") != "actions"]
    return [*kept, {"type": "context", "elements": [{"type": "mrkdwn", "text": _cut(decision)}]}]

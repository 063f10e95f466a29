"""The pull request a reviewer reads: a title that says what changes, a body to act on."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from dr_kube.incidents.history import PastIncident
from dr_kube.incidents.model import AlertRef, Incident
from dr_kube.models import Change, Diagnosis, RenderedFix, Risk
from dr_kube.policy import field_kind
from dr_kube.redact import redact

MARKER = "<!-- dr-kube:incident={key} -->"
FIELD_NAMES = {
    "memory": "memory",
    "cpu": "CPU",
    "replicas": "replicas",
    "image": "image tag",
}


def describe_change(change: Change) -> str:
    """`raise memory limit 128Mi → 256Mi`, `raise livenessProbe initialDelaySeconds 30 → 60`."""
    kind = field_kind(change.path)
    keys = [str(k) for k in change.path]
    if kind in ("memory", "cpu"):
        what = f"{FIELD_NAMES[kind]} {'limit' if keys[-2] == 'limits' else 'request'}"
    elif kind == "probe":
        what = f"{keys[-2]} {keys[-1]}"
    elif kind == "image" and keys[-1] == "repository":
        what = "image repository"
    elif kind in FIELD_NAMES:
        what = FIELD_NAMES[kind]
    else:
        what = keys[-1]
    verb = "set"
    try:
        from dr_kube.policy import numeric

        old, new = numeric(kind, change.old), numeric(kind, change.new)
        if old is not None and new is not None:
            verb = "raise" if new > old else "lower"
    except (ValueError, TypeError):
        pass
    if kind == "image":
        verb = "set"
    return f"{verb} {what} {fmt(change.old)} → {fmt(change.new)}"


def fmt(value: Any) -> str:
    return "(unset)" if value is None else str(value)


def pr_title(workload: str, changes: list[Change]) -> str:
    if not changes:
        return f"fix({workload}): no change"
    more = f" (+{len(changes) - 1} more)" if len(changes) > 1 else ""
    return f"fix({workload}): {describe_change(changes[0])}{more}"


def change_table(changes: list[Change]) -> str:
    rows = ["| File | Key | Old | New |", "| --- | --- | --- | --- |"]
    rows += [f"| `{c.file}` | `{c.dotted()}` | `{fmt(c.old)}` | `{fmt(c.new)}` |" for c in changes]
    return "\n".join(rows)


def pr_body(
    *,
    incident: Incident,
    key: str,
    diagnosis: Diagnosis,
    changes: list[Change],
    diff: str,
    risk: Risk | None,
    validation_lines: list[str],
    unverified: bool,
    attempts: int,
    app: str | None,
    related: Sequence[PastIncident] = (),
    rendered: RenderedFix | None = None,
    alerts: Sequence[AlertRef] = (),
) -> str:
    workload = incident.workload.name if incident.workload else incident.pod or "?"
    evidence = "\n".join(f"- {line}" for line in diagnosis.evidence) or "- (none)"
    checks = "\n".join(f"- {line}" for line in validation_lines)
    since = f" since {incident.starts_at.isoformat()}" if incident.starts_at else ""
    unverified_note = (
        "\n> [!WARNING]\n> **Unverified:** the chart was not found or could not be rendered, so "
        "DR-Kube could not check that the changed key takes effect. Check the chart's values "
        "before merging.\n"
        if unverified
        else ""
    )
    sync = f"Argo CD application `{app}` syncs it" if app else "Argo CD syncs it"
    body = f"""## DR-Kube: {diagnosis.category} in `{incident.namespace}/{workload}`

**Root cause:** {diagnosis.root_cause}

**Alert:** `{incident.alertname}`{f" ({incident.severity})" if incident.severity else ""}{since} · confidence {diagnosis.confidence:.0%} · diagnosed by `{diagnosis.provider}`
{unverified_note}
{ALERTS_START}
{alerts_section(alerts)}{ALERTS_END}
### Evidence
{evidence}

### Change
{change_table(changes)}

<details><summary>Diff</summary>

```diff
{diff.rstrip()}
```
</details>
{rendered_section(rendered)}
### Validation
{checks}

**Risk:** {risk or "n/a"} · attempts: {attempts}

{related_section(related)}### After merge
{sync}; DR-Kube watches the alert and records whether the fix worked.

### Roll back
Revert this pull request (or `git revert` its commit); {sync.split(" syncs")[0]} puts the old value back.

{MARKER.format(key=key)}
"""
    return redact(body)


def rendered_section(rendered: RenderedFix | None) -> str:
    """A collapsed "Rendered change": the chart, what moved in the manifests, the blast radius."""
    if rendered is None:
        return ""
    chart = f"`{rendered.chart}` {rendered.version or ''}".rstrip()
    digest = f" · digest `{rendered.digest}`" if rendered.digest else ""
    files = ", ".join(f"`{f}`" for f in rendered.values_files) or "none"
    moved = "\n".join(f"- {e.line()}" for e in rendered.changed) or "- (nothing)"
    radius = "\n".join(f"- {e.line()}" for e in rendered.blast_radius)
    notes = "\n".join(f"- {n}" for n in rendered.notes)
    return f"""
<details><summary>Rendered change (chart {rendered.chart} {rendered.version or ""})</summary>

Chart {chart}{digest} · from `{rendered.source or "?"}` · values files {files}

{moved}
{f"{chr(10)}**Blast radius** (also changes):{chr(10)}{radius}{chr(10)}" if radius else ""}{f"{chr(10)}{notes}{chr(10)}" if notes else ""}
```diff
{rendered.diff.rstrip()}
```
</details>
"""


MAX_ALERT_LINES = 20
# The alerts section is fenced so that it can be brought up to date when alerts join later.
ALERTS_START = "<!-- dr-kube:alerts -->"
ALERTS_END = "<!-- /dr-kube:alerts -->"


def with_alerts(body: str, alerts: Sequence[AlertRef]) -> str:
    """The PR body with its alerts section replaced by these alerts (put before the evidence in
    a body written before the section was fenced)."""
    section = f"{ALERTS_START}\n{redact(alerts_section(alerts))}{ALERTS_END}\n"
    start, end = body.find(ALERTS_START), body.find(ALERTS_END)
    if start >= 0 and end > start:
        tail = body[end + len(ALERTS_END) :].removeprefix("\n")
        return body[:start] + section + tail
    evidence = body.find("### Evidence")
    if evidence < 0:
        return body
    old = body.find("### Alerts (")
    cut = old if 0 <= old < evidence else evidence
    return body[:cut] + section + body[evidence:]


def alerts_section(alerts: Sequence[AlertRef]) -> str:
    """`### Alerts (n)`: every alert this one incident holds; nothing for a single alert."""
    if len(alerts) <= 1:
        return ""
    lines = [f"- `{a.alertname}`" + a.line().removeprefix(a.alertname) for a in alerts]
    more = len(lines) - MAX_ALERT_LINES
    shown = lines[:MAX_ALERT_LINES] + ([f"- … and {more} more"] if more > 0 else [])
    firing = sum(a.status == "firing" for a in alerts)
    return (
        f"### Alerts ({len(alerts)}, {firing} firing): one incident, one pull request\n"
        + "\n".join(shown)
        + "\n\n"
    )


def related_line(past: PastIncident) -> str:
    when = datetime.fromtimestamp(past.created_at, UTC).strftime("%Y-%m-%d")
    fix = "; ".join(f"`{c.dotted()}` {fmt(c.old)} → {fmt(c.new)}" for c in past.changes)
    pr = f" ([PR]({past.pr_url}))" if past.pr_url else ""
    cause = past.root_cause if len(past.root_cause) <= 160 else past.root_cause[:159] + "…"
    return (
        f"- {when} · `{past.namespace}/{past.workload}` · {past.category} · {cause or 'no diagnosis'}"
        f" · fix: {fix or 'none'}{pr} · outcome: {past.outcome or 'none recorded'}"
    )


def related_section(related: Sequence[PastIncident]) -> str:
    """`### Related incidents` with each one's fix and outcome; nothing when there are none."""
    if not related:
        return ""
    lines = "\n".join(related_line(p) for p in related)
    return f"### Related incidents\n{lines}\n\n"


def update_comment(diagnosis: Diagnosis, changed: bool, changes: list[Change]) -> str:
    head = (
        "DR-Kube pushed a new commit:"
        if changed
        else "The alert fired again; the proposed change is unchanged."
    )
    lines = [head]
    if changed:
        lines += [f"- `{c.dotted()}`: {describe_change(c)}" for c in changes]
    lines += ["", "New evidence:"] + [f"- {line}" for line in diagnosis.evidence[:5]]
    return redact("\n".join(lines))

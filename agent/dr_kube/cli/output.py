"""Text output for a person at a terminal: root cause, evidence, the coloured diff, next steps."""

from __future__ import annotations

import click

from dr_kube.models import Result

STATUS_COLOURS = {"proposed": "green", "no-fix": "yellow", "rejected": "red"}


def colour_diff(diff: str) -> str:
    lines = []
    for line in diff.splitlines():
        if line.startswith(("+++", "---")):
            lines.append(click.style(line, bold=True))
        elif line.startswith("@@"):
            lines.append(click.style(line, fg="cyan"))
        elif line.startswith("+"):
            lines.append(click.style(line, fg="green"))
        elif line.startswith("-"):
            lines.append(click.style(line, fg="red"))
        else:
            lines.append(line)
    return "\n".join(lines)


def render_text(result: Result) -> str:
    out: list[str] = []
    inc = result.incident
    workload = f"{inc.workload.kind}/{inc.workload.name}" if inc.workload else "?"
    where = f"{inc.namespace}/{workload}" if inc.namespace else workload
    out.append(click.style(f"● {inc.alertname} — {where}", bold=True))
    if len(inc.alerts) > 1:
        names = ", ".join(dict.fromkeys(a.alertname for a in inc.alerts))
        out.append(f"  One incident, {len(inc.alerts)} alerts: {names}")
    if inc.workloads:
        out.append(f"  Workloads hit: {', '.join(inc.workloads)}")
    d = result.diagnosis
    if d is not None:
        out.append(
            f"  {click.style(d.category, fg='magenta', bold=True)} "
            f"(confidence {d.confidence:.0%}, {d.provider})"
        )
        out.append(f"  Root cause: {d.root_cause}")
        if d.evidence:
            out.append("  Evidence:")
            out += [f"    • {line}" for line in d.evidence]
    fix = result.fix
    status = click.style(fix.status.upper(), fg=STATUS_COLOURS[fix.status], bold=True)
    out.append("")
    out.append(
        f"  Fix: {status}"
        + (f" · risk {fix.risk}" if fix.risk else "")
        + f" · attempts {fix.attempts}"
    )
    if fix.status == "proposed":
        for change in fix.changes:
            out.append(
                f"    {change.file}: {change.dotted()}  {change.old} → {click.style(str(change.new), bold=True)}"
            )
        if fix.rendered is not None:
            for moved in fix.rendered.changed:
                out.append(f"    rendered: {moved.line()}")
            if fix.rendered.blast_radius:
                out.append(
                    click.style(
                        f"    blast radius: {len(fix.rendered.blast_radius)} other field(s) change",
                        fg="yellow",
                    )
                )
        if fix.unverified:
            out.append(
                click.style(
                    "    ⚠ unverified: the chart was not found or not rendered, key effect not checked",
                    fg="yellow",
                )
            )
        out.append("")
        out.append(colour_diff(fix.diff))
    else:
        if fix.reason:
            out.append(f"    {fix.reason}")
        for reason in fix.rejected_reasons:
            out.append(click.style(f"    ✗ {reason}", fg="red"))
        if d is not None and d.human_action and d.human_action != fix.reason:
            out.append(f"    What a human should do: {d.human_action}")
    out.append("")
    pr = result.pr
    failure = result.publish_failure
    if failure is not None:
        stage = "push" if failure.stage == "push" else "pull request"
        out.append(
            click.style(
                f"  Not published: the {stage} failed after {failure.attempts} tries", fg="red"
            )
        )
        out.append(f"    {failure.reason}")
        if failure.pushed:
            out.append(f"    branch {failure.branch} is on origin; no pull request opened")
        out.append("  Next: run `dr-kube fix` again once the origin or GitHub answers.")
    elif fix.status == "proposed" and pr is None:
        out.append("  Next: `dr-kube fix` commits this on a branch and opens the pull request.")
    elif pr is not None:
        where = pr.url or f"branch {pr.branch}" + (" (pushed)" if pr.pushed else " (local)")
        verb = {
            "opened": "Opened",
            "updated": "Updated",
            "unchanged": "Unchanged",
            "draft": "Prepared",
        }[pr.action]
        out.append(f"  {verb} pull request: {pr.title}")
        out.append(f"    {where}")
        if pr.action == "draft":
            out.append(f"    pr: disabled: {pr.disabled or 'no GitHub token'}")
            out.append("    The title and body are in the JSON output (--output json).")
        out.append("  Next: review and merge; Argo CD syncs the change.")
    elif fix.status != "proposed":
        out.append("  Next: a human takes it from here; DR-Kube opens no pull request.")
    return "\n".join(out)

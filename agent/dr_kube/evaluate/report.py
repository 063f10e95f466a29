"""Render an eval report (text table, Markdown), compare two reports, check a baseline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from dr_kube.errors import InputError
from dr_kube.evaluate.outcome import Report, ScenarioOutcome
from dr_kube.models import Change

HEADERS = ("scenario", "result", "category", "changes", "att", "llm", "tok in/out", "time")


def short_change(change: Change) -> str:
    tail = ".".join(str(p) for p in change.path[-3:])
    return f"{tail} {change.old}→{change.new}"


def row(outcome: ScenarioOutcome, width: int = 48) -> tuple[str, ...]:
    verdict = "PASS" if outcome.passed else "FAIL: " + "; ".join(outcome.failures)
    if len(verdict) > width:
        verdict = verdict[: width - 1] + "…"
    changes = "; ".join(short_change(c) for c in outcome.changes()) or "-"
    categories = ",".join(dict.fromkeys(outcome.categories)) or "-"
    return (
        outcome.name,
        verdict,
        categories,
        changes,
        str(outcome.attempts),
        str(outcome.llm_calls),
        f"{outcome.tokens_in}/{outcome.tokens_out}",
        f"{outcome.seconds:.2f}s",
    )


def table(rows: list[tuple[str, ...]], headers: tuple[str, ...]) -> str:
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    lines = ["  ".join(h.upper().ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(line.rstrip() for line in lines)


def totals_lines(report: Report) -> list[str]:
    t = report.totals
    lines = [
        f"provider {report.provider} · {t.passed}/{t.scenarios} passed ({t.pass_rate:.1%}) · "
        f"mean attempts {t.mean_attempts:.2f} · LLM calls {t.llm_calls} · tokens/incident "
        f"{t.tokens_in_per_incident:.0f} in / {t.tokens_out_per_incident:.0f} out",
        f"time p50 {t.p50_seconds:.2f}s · p95 {t.p95_seconds:.2f}s · total {t.total_seconds:.1f}s · "
        f"forbidden changes {t.forbidden_changes} · leaked secrets {t.leaked_secrets}",
        "by split: "
        + ", ".join(f"{k} {v.passed}/{v.total} ({v.rate:.0%})" for k, v in t.by_split.items()),
        "by category: " + ", ".join(f"{k} {v.passed}/{v.total}" for k, v in t.by_category.items()),
    ]
    return lines


def render_text(report: Report) -> str:
    out = [table([row(o) for o in report.scenarios], HEADERS), ""]
    failed = [o for o in report.scenarios if not o.passed]
    if failed:
        out.append("Failures:")
        for outcome in failed:
            out.append(f"  {outcome.name}")
            out += [f"    ✗ {f}" for f in outcome.failures]
        out.append("")
    out += totals_lines(report)
    return "\n".join(out)


def render_markdown(report: Report) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = [
        "| " + " | ".join(HEADERS) + " |",
        "|" + "---|" * len(HEADERS),
    ]
    lines += ["| " + " | ".join(cell(c) for c in row(o, width=90)) + " |" for o in report.scenarios]
    t = report.totals
    lines += [
        "",
        f"**{t.passed}/{t.scenarios} passed ({t.pass_rate:.1%})** with provider `{report.provider}`; "
        f"mean attempts {t.mean_attempts:.2f}; forbidden changes {t.forbidden_changes}; "
        f"leaked secrets {t.leaked_secrets}; time p50 {t.p50_seconds:.2f}s, p95 {t.p95_seconds:.2f}s, "
        f"total {t.total_seconds:.1f}s.",
        "",
        "| category | passed | total |",
        "|---|---|---|",
    ]
    lines += [f"| {k} | {v.passed} | {v.total} |" for k, v in t.by_category.items()]
    return "\n".join(lines)


def load_report(path: Path) -> Report:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not a JSON eval report: {exc}") from None
    try:
        return Report.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "document"
        raise InputError(f"{path}: not a dr-kube eval report: {where}: {first['msg']}") from None


class Difference(BaseModel):
    scenario: str
    what: list[str] = Field(default_factory=list)
    a_passed: bool | None = None
    b_passed: bool | None = None


def _changes(outcome: ScenarioOutcome) -> list[str]:
    return sorted(f"{c.file}:{c.dotted()}={c.new}" for c in outcome.changes())


def compare(a: Report, b: Report) -> list[Difference]:
    """Per-scenario differences between run A and run B (same names matched)."""
    by_a = {o.name: o for o in a.scenarios}
    by_b = {o.name: o for o in b.scenarios}
    diffs: list[Difference] = []
    for name in sorted(set(by_a) | set(by_b)):
        old, new = by_a.get(name), by_b.get(name)
        if old is None or new is None:
            diffs.append(
                Difference(
                    scenario=name,
                    what=["only in A" if new is None else "only in B"],
                    a_passed=old.passed if old else None,
                    b_passed=new.passed if new else None,
                )
            )
            continue
        what = []
        if old.passed != new.passed:
            what.append(
                ("fixed" if new.passed else "regressed")
                + (f": {new.failures[0]}" if new.failures else "")
            )
        if old.categories != new.categories:
            what.append(f"category {','.join(old.categories)} → {','.join(new.categories)}")
        if _changes(old) != _changes(new):
            what.append(
                f"changes {'; '.join(_changes(old)) or '-'} → {'; '.join(_changes(new)) or '-'}"
            )
        if old.exit_code != new.exit_code:
            what.append(f"exit {old.exit_code} → {new.exit_code}")
        if old.attempts != new.attempts:
            what.append(f"attempts {old.attempts} → {new.attempts}")
        if (old.tokens_in, old.tokens_out) != (new.tokens_in, new.tokens_out):
            what.append(
                f"tokens {old.tokens_in}/{old.tokens_out} → {new.tokens_in}/{new.tokens_out}"
            )
        if what:
            diffs.append(
                Difference(scenario=name, what=what, a_passed=old.passed, b_passed=new.passed)
            )
    return diffs


def compare_json(a: Report, b: Report) -> dict[str, Any]:
    return {
        "schema": "dr-kube/eval-compare@1",
        "a": {"provider": a.provider, "version": a.version, "totals": a.totals.model_dump()},
        "b": {"provider": b.provider, "version": b.version, "totals": b.totals.model_dump()},
        "differences": [d.model_dump() for d in compare(a, b)],
    }


def render_compare(a: Report, b: Report, a_name: str, b_name: str) -> str:
    diffs = compare(a, b)
    ta, tb = a.totals, b.totals
    out = [
        f"A: {a_name} (provider {a.provider}, {a.version}): {ta.passed}/{ta.scenarios} "
        f"({ta.pass_rate:.1%}), mean attempts {ta.mean_attempts:.2f}, "
        f"tokens/incident {ta.tokens_in_per_incident:.0f}/{ta.tokens_out_per_incident:.0f}",
        f"B: {b_name} (provider {b.provider}, {b.version}): {tb.passed}/{tb.scenarios} "
        f"({tb.pass_rate:.1%}), mean attempts {tb.mean_attempts:.2f}, "
        f"tokens/incident {tb.tokens_in_per_incident:.0f}/{tb.tokens_out_per_incident:.0f}",
        f"pass rate {ta.pass_rate:.1%} → {tb.pass_rate:.1%} ({(tb.pass_rate - ta.pass_rate) * 100:+.1f} points)",
        "",
    ]
    if not diffs:
        out.append("No per-scenario differences.")
    for diff in diffs:
        marks: dict[tuple[bool | None, bool | None], str] = {(False, True): "+", (True, False): "-"}
        mark = marks.get((diff.a_passed, diff.b_passed), "~")
        out.append(f"{mark} {diff.scenario}")
        out += [f"    {w}" for w in diff.what]
    return "\n".join(out)


class Baseline(BaseModel):
    provider: str
    pass_rate: float = Field(ge=0.0, le=1.0)
    passing: list[str] = Field(default_factory=list)


def load_baseline(path: Path) -> Baseline:
    try:
        return Baseline.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such baseline file") from None
    except (OSError, ValidationError) as exc:
        raise InputError(f"{path}: not a baseline: {str(exc).splitlines()[0]}") from None


def baseline_of(report: Report) -> Baseline:
    return Baseline(
        provider=report.provider,
        pass_rate=report.totals.pass_rate,
        passing=[o.name for o in report.scenarios if o.passed],
    )


def check_baseline(report: Report, baseline: Baseline) -> list[str]:
    """Why this run is worse than the baseline; [] when it is not."""
    problems = []
    if report.provider != baseline.provider:
        return [f"baseline is for provider {baseline.provider}, this run used {report.provider}"]
    if report.totals.pass_rate < baseline.pass_rate:
        problems.append(
            f"pass rate {report.totals.pass_rate:.1%} is below the baseline {baseline.pass_rate:.1%}"
        )
    ran = {o.name: o for o in report.scenarios}
    for name in baseline.passing:
        outcome = ran.get(name)
        if outcome is not None and not outcome.passed:
            problems.append(f"regression: {name} passed in the baseline and fails now")
    return problems

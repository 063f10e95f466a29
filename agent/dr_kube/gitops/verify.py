"""Verify by rendering: render the chart before and after the patch (all value layers, the later
file winning) and check that the change moves the intended field of the intended container of the
intended workload. Everything else that moves is the blast radius."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from dr_kube.gitops.operators import OPERATOR_KINDS, operator_kind
from dr_kube.gitops.render import (
    RENDERER,
    ObjectKey,
    Rendered,
    RenderError,
    chart_identity,
    values_digest,
)
from dr_kube.gitops.rendered_fields import WORKLOAD_KINDS, field_changes
from dr_kube.models import Change, RenderedChange, RenderedFix, ValidationIssue
from dr_kube.policy import Policy
from dr_kube.redact import redact
from dr_kube.values_model import Location
from dr_kube.yamlio import dump_block

WORKLOADS = WORKLOAD_KINDS | {o.kind for o in OPERATOR_KINDS}
DIFF_CACHE_SIZE = 64
_DIFFS: dict[tuple[str, ...], str] = {}


@dataclass
class Verified:
    rendered: RenderedFix | None = None
    issues: list[ValidationIssue] = field(default_factory=list)


def _as_workload_field(key: ObjectKey, container: str | None, name: str) -> tuple[str | None, str]:
    """A custom resource's `spec.resources...` as the made container's `resources...`."""
    operator = operator_kind(key.kind)
    if operator is not None and container is None and name.startswith("spec.resources."):
        return operator.container, name.removeprefix("spec.")
    if container is None and name == "spec.replicas":
        return None, "replicas"
    return container, name


def moved(before: Rendered, after: Rendered) -> dict[ObjectKey, list[RenderedChange]]:
    found: dict[ObjectKey, list[RenderedChange]] = {}
    for key in sorted(set(before.objects) | set(after.objects), key=str):
        old, new = before.objects.get(key), after.objects.get(key)
        if old is not None and new is not None and old.body == new.body:
            continue
        entries = []
        for container, name, was, now in field_changes(
            old.body if old else None, new.body if new else None
        ):
            owner, named = _as_workload_field(key, container, name)
            entries.append(
                RenderedChange(
                    kind=key.kind, name=key.name, container=owner, field=named, old=was, new=now
                )
            )
        found[key] = entries
    return found


def _shown(body: dict[str, Any]) -> str:
    """A rendered object as YAML for the diff; a Secret's values never leave the render."""
    if body.get("kind") == "Secret":
        body = {
            **body,
            **{
                key: {name: "(not shown)" for name in body[key]}
                for key in ("data", "stringData")
                if isinstance(body.get(key), dict)
            },
        }
    return dump_block(body)


def manifest_diff(before: Rendered, after: Rendered, keys: list[ObjectKey]) -> str:
    """Unified diff of the rendered manifests, changed objects only (secrets masked)."""
    chunks: list[str] = []
    for key in keys:
        old, new = before.objects.get(key), after.objects.get(key)
        old_text = _shown(old.body) if old else ""
        new_text = _shown(new.body) if new else ""
        where = f"{key.kind}/{key.namespace + '/' if key.namespace else ''}{key.name}"
        either = new or old
        template = either.template if either is not None else ""
        chunks += difflib.unified_diff(
            old_text.splitlines(keepends=True),
            new_text.splitlines(keepends=True),
            fromfile=f"a/{where} ({template})",
            tofile=f"b/{where} ({template})",
        )
    return redact("".join(chunks))


def _same(value: Any, expected: Any) -> bool:
    return str(value) == str(expected)


def _intended_issues(
    changes: list[Change], location: Location, intended: list[RenderedChange]
) -> list[ValidationIssue]:
    """Each change whose control is known must arrive in its field with its new value."""
    issues = []
    by_path = {tuple(c.path): c for c in location.controls}
    for change in changes:
        control = by_path.get(tuple(change.path))
        if control is None or control.field == "image":
            continue
        hit = [e for e in intended if e.field == control.field and e.container == control.container]
        if not hit or not any(_same(e.new, change.new) for e in hit):
            issues.append(
                ValidationIssue(
                    code="not-effective",
                    path=change.dotted(),
                    message=f"the render does not set container {control.container}'s "
                    f"{control.field} to {change.new}",
                )
            )
    return issues


def verify_render(
    changes: list[Change],
    patched_values: dict[str, Any],
    *,
    location: Location,
    container: str | None,
    policy: Policy,
) -> Verified:
    chart, target, inputs = location.chart, location.target, location.render
    if chart is None or target is None or inputs is None:
        return Verified()
    after_inputs = inputs.with_file(location.values_file, patched_values)
    try:
        before = RENDERER.render_for(chart, inputs)
        after = RENDERER.render_for(chart, after_inputs)
    except RenderError as exc:
        return Verified(issues=[ValidationIssue(code="render-failed", message=str(exc))])
    target_key = ObjectKey(target.kind, target.namespace, target.name)
    found = moved(before, after)
    diff_key = (
        chart_identity(chart),
        values_digest(inputs.merged()),
        values_digest(after_inputs.merged()),
        inputs.release,
        inputs.namespace,
    )
    if diff_key not in _DIFFS:  # dumping the manifests is the slow part of a warm run
        _DIFFS[diff_key] = manifest_diff(before, after, list(found))
        while len(_DIFFS) > DIFF_CACHE_SIZE:
            _DIFFS.pop(next(iter(_DIFFS)))
    entries = [e for key in found for e in found[key]]
    intended = [
        e
        for e in found.get(target_key, [])
        if container is None or e.container in (container, None)
    ]
    blast = [e for e in entries if e not in intended]
    rendered = RenderedFix(
        chart=chart.name,
        version=chart.version,
        digest=chart.digest,
        source=chart.source or chart.where,
        values_files=inputs.values_files,
        changed=intended,
        blast_radius=blast,
        diff=_DIFFS[diff_key],
        notes=[*location.drift, *inputs.notes],
    )
    return Verified(rendered=rendered, issues=_issues(changes, location, rendered, found, policy))


def _issues(
    changes: list[Change],
    location: Location,
    rendered: RenderedFix,
    found: dict[ObjectKey, list[RenderedChange]],
    policy: Policy,
) -> list[ValidationIssue]:
    target = location.target
    assert target is not None
    paths = ", ".join(c.dotted() for c in changes)
    if not found:
        return [
            ValidationIssue(
                code="not-effective",
                message=f"the rendered manifests do not change: chart {rendered.chart} does not "
                f"read {paths}",
            )
        ]
    if not rendered.changed:
        moved_what = "; ".join(e.line() for e in rendered.blast_radius[:3])
        return [
            ValidationIssue(
                code="not-effective",
                message=f"the change does not move {target.ref()}'s intended container; "
                f"it moves {moved_what}",
            )
        ]
    issues = _intended_issues(changes, location, rendered.changed)
    others = sorted(
        {f"{k.kind}/{k.name}" for k in found if k.kind in WORKLOADS and k.name != target.name}
    )
    if others and not policy.allow_blast_radius:
        issues.append(
            ValidationIssue(
                code="blast-radius",
                message=f"the change also moves {', '.join(others)}; set allow_blast_radius "
                "in the policy to accept that",
            )
        )
    return issues

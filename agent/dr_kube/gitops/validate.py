"""Validate a proposal: it must parse, take effect in the chart, and obey the policy."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from dr_kube.gitops.charts import takes_effect
from dr_kube.gitops.patch import PatchError, patch_text, to_plain
from dr_kube.gitops.verify import verify_render
from dr_kube.models import Change, PathKey, RenderedFix, Risk, ValidationIssue
from dr_kube.policy import Policy, assess_risk, check_change, check_namespace, field_kind
from dr_kube.quantity import QuantityError, parse_quantity
from dr_kube.values_model import Location, get_path
from dr_kube.yamlio import load_one


class Checked(BaseModel):
    ok: bool
    issues: list[ValidationIssue] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    changes: list[Change] = Field(default_factory=list)
    diff: str = ""
    patched: str | None = None
    risk: Risk | None = None
    unverified: bool = False
    rendered: RenderedFix | None = None


# Chart-wide image tags (`images.tag` in onlineboutique, `image.tag` in bitnami charts): a
# workload's image may be set there, though changing it moves every workload of the release.
SHARED_IMAGE_PATHS: tuple[list[PathKey], ...] = (["image", "tag"], ["images", "tag"])


def allowed_prefixes(location: Location, values: Any, containers: list[str]) -> list[list[PathKey]]:
    """The workload's own block, top-level blocks named after its containers (sidecars), and the
    chart-wide image tag."""
    prefixes: list[list[PathKey]] = [list(location.base_path), *map(list, SHARED_IMAGE_PATHS)]
    if isinstance(values, dict):
        names = {c.replace("-", "").lower() for c in containers}
        prefixes += [
            [k]
            for k in values
            if isinstance(k, str) and k.replace("-", "").replace("_", "").lower() in names
        ]
    return prefixes


def validate_changes(
    changes: list[Change],
    *,
    text: str,
    location: Location,
    policy: Policy,
    namespace: str,
    category: str,
    containers: list[str],
    container: str | None = None,
) -> Checked:
    issues = list(check_namespace(namespace, policy))
    warnings: list[str] = []
    if not changes:
        issues.append(ValidationIssue(code="empty", message="the proposal changes nothing"))
    values = to_plain(load_one(text)) if text.strip() else {}
    prefixes = allowed_prefixes(location, values, containers)
    defaults = location.chart.defaults if location.chart else None
    fixed: list[Change] = []
    for change in changes:
        dotted = change.dotted()
        if change.file != location.values_file:
            issues.append(
                ValidationIssue(
                    code="wrong-file",
                    path=dotted,
                    message=f"only {location.values_file} configures this workload, not {change.file}",
                )
            )
            continue
        if (
            not location.rendered
            and location.base_path
            and field_kind(change.path) in policy.fields_for(category)  # else: the policy says
            and not any(list(change.path[: len(p)]) == p for p in prefixes)
        ):
            issues.append(
                ValidationIssue(
                    code="wrong-workload",
                    path=dotted,
                    message=f"the workload's settings live under {'.'.join(map(str, location.base_path))}",
                )
            )
            continue
        found, current = get_path(values, list(change.path))
        if not found and defaults is not None:
            found, current = get_path(defaults, list(change.path))
        if found and change.old is not None and current != change.old:
            warnings.append(
                f"{dotted}: the file holds {current!r}, not {change.old!r}; using the file's value"
            )
        change = change.model_copy(update={"old": current if found else change.old})
        fixed.append(change)
        issues += check_change(change, policy, category)
        if location.chart is not None and not location.rendered:
            effective, why = takes_effect(location.chart, list(change.path))
            if not effective:
                issues.append(ValidationIssue(code="not-effective", path=dotted, message=why))
    unverified = not location.rendered
    if unverified and fixed:
        warnings.append(unverified_warning(location))
    diff, patched = "", None
    if fixed and not any(i.code in ("wrong-file", "protected-namespace") for i in issues):
        try:
            result = patch_text(text, fixed, location.values_file)
            diff, patched = result.diff, result.text
        except PatchError as exc:
            issues.append(ValidationIssue(code="patch-failed", message=str(exc)))
    rendered = None
    if patched is not None:
        issues += requests_within_limits(load_one(patched), fixed)
        plain = to_plain(load_one(patched))
        verified = verify_render(
            fixed,
            plain if isinstance(plain, dict) else {},
            location=location,
            container=container,
            policy=policy,
        )
        issues += verified.issues
        rendered = verified.rendered
        warnings += location.drift
    return Checked(
        ok=not issues,
        issues=issues,
        warnings=warnings,
        changes=fixed,
        diff=diff,
        patched=patched,
        risk=risk_of(fixed, policy, unverified, location),
        unverified=unverified,
        rendered=rendered,
    )


def unverified_warning(location: Location) -> str:
    if location.chart is None:
        why = f" ({location.chart_missing})" if location.chart_missing else ""
        return (
            f"chart not found{why}: could not check that the changed keys take effect (unverified)"
        )
    return (
        f"chart {location.chart.name} could not be rendered for this workload "
        "(no templates, or it does not render it): keys checked against its defaults only "
        "(unverified)"
    )


def requests_within_limits(data: Any, changes: list[Change]) -> list[ValidationIssue]:
    issues: list[ValidationIssue] = []
    seen: set[tuple[Any, ...]] = set()
    for change in changes:
        path = list(change.path)
        if len(path) < 3 or path[-3] != "resources":
            continue
        block = tuple(path[:-2])
        resource = path[-1]
        if (block, resource) in seen:
            continue
        seen.add((block, resource))
        _, request = get_path(data, [*block, "requests", resource])
        _, limit = get_path(data, [*block, "limits", resource])
        if request is None or limit is None:
            continue
        try:
            if parse_quantity(request) > parse_quantity(limit):
                issues.append(
                    ValidationIssue(
                        code="request-above-limit",
                        path=".".join(map(str, [*block, "requests", resource])),
                        message=f"request {request} would exceed limit {limit}",
                    )
                )
        except QuantityError:
            continue
    return issues


def risk_of(
    changes: list[Change], policy: Policy, unverified: bool, location: Location
) -> Risk | None:
    """The policy's risk, raised to high when a chart-wide setting moves every workload."""
    if not changes:
        return None
    shared = location.base_path and any(list(c.path) in SHARED_IMAGE_PATHS for c in changes)
    return "high" if shared else assess_risk(changes, policy, unverified)

"""What a change may touch and how far it may go: the user's rules, with safe defaults.

The rules live in `dr-kube-policy.yaml` at the root of the GitOps repository (or `--policy FILE`).
"""

from __future__ import annotations

import fnmatch
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from dr_kube.errors import ConfigError
from dr_kube.k8s_names import dns1123_label, is_dns1123_label
from dr_kube.models import Change, Risk, ValidationIssue
from dr_kube.paths import contained
from dr_kube.quantity import QuantityError, parse_quantity
from dr_kube.yamlio import load_file

POLICY_FILE = "dr-kube-policy.yaml"
DEFAULT_ALLOWED = [
    "resources.limits.cpu",
    "resources.limits.memory",
    "resources.requests.cpu",
    "resources.requests.memory",
    "replicaCount",
    "replicas",
    "autoscaling.minReplicas",
    "autoscaling.maxReplicas",
    "autoscaling.targetCPUUtilizationPercentage",
    "autoscaling.targetMemoryUtilizationPercentage",
    "*Probe.initialDelaySeconds",
    "*Probe.timeoutSeconds",
    "*Probe.periodSeconds",
    "*Probe.failureThreshold",
    # podinfo-style probe blocks: `probes.liveness.initialDelaySeconds`
    "probes.*.initialDelaySeconds",
    "probes.*.timeoutSeconds",
    "probes.*.periodSeconds",
    "probes.*.failureThreshold",
    "image.tag",
    "image.repository",
    "images.tag",
]
FieldKind = Literal["memory", "cpu", "replicas", "probe", "image", "other"]
# What each diagnosed cause may change (the field kinds of `field_kind`): an OOM moves memory and
# never an image, an image pull moves the image and nothing else. A category not listed may change
# nothing; the policy file's `category_fields` replaces an entry.
CATEGORY_FIELDS: dict[str, list[FieldKind]] = {
    "oom": ["memory"],
    "memory-pressure": ["memory"],
    "node-pressure": ["memory"],  # an evicted pod's memory request
    "cpu-throttling": ["cpu"],
    "image-pull": ["image"],
    "replicas-mismatch": ["replicas", "other"],  # replica counts, autoscaling targets
    "probe-failure": ["probe"],
    "unschedulable": ["memory", "cpu"],  # requests that fit the nodes
    "quota": ["memory", "cpu"],  # requests and limits that fit the quota or limit range
    "crashloop": ["memory", "cpu", "probe", "image"],
}
RISK_ORDER: dict[str, int] = {"low": 0, "medium": 1, "high": 2}
PROBE_FIELDS = ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "failureThreshold")
MEMORY_CATEGORIES = ("oom", "memory-pressure")


class Caps(BaseModel):
    model_config = ConfigDict(extra="forbid")

    memory: str = "8Gi"
    cpu: str = "4"
    replicas: int = 10
    probe_seconds: int = 600

    @field_validator("memory", "cpu")
    @classmethod
    def _quantity(cls, value: str) -> str:
        parse_quantity(value)
        return value


class NamespaceOverrides(BaseModel):
    """Per-namespace operator settings: the mode (auto | copilot | observe) and the Slack channel."""

    model_config = ConfigDict(extra="forbid")

    mode: Literal["auto", "copilot", "observe"] | None = None
    slack_channel: str | None = None


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    protected_namespaces: list[str] = Field(default_factory=lambda: ["kube-system"])
    max_step_factor: float = Field(default=2.0, gt=1.0)
    caps: Caps = Field(default_factory=Caps)
    allowed_paths: list[str] = Field(default_factory=lambda: list(DEFAULT_ALLOWED))
    denied_paths: list[str] = Field(default_factory=list)
    max_attempts: int = Field(default=3, ge=1, le=10)
    namespaces: dict[str, NamespaceOverrides] = Field(default_factory=dict)
    # A change whose render also moves another workload is refused unless this is set.
    allow_blast_radius: bool = False
    # Per category, the field kinds a fix may change (see CATEGORY_FIELDS); replaces an entry.
    category_fields: dict[str, list[FieldKind]] = Field(default_factory=dict)

    @field_validator("protected_namespaces")
    @classmethod
    def _namespaces(cls, names: list[str]) -> list[str]:
        return [dns1123_label(name, "protected namespace") for name in names]

    def mode_for(self, namespace: str, default: str) -> str:
        found = self.namespaces.get(namespace)
        return found.mode if found is not None and found.mode else default

    def slack_channel_for(self, namespace: str, default: str | None) -> str | None:
        found = self.namespaces.get(namespace)
        return found.slack_channel if found is not None and found.slack_channel else default

    def allows_path(self, dotted: str) -> bool:
        def matches(patterns: list[str]) -> bool:
            return any(
                fnmatch.fnmatchcase(dotted, p) or fnmatch.fnmatchcase(dotted, "*." + p)
                for p in patterns
            )

        return matches(self.allowed_paths) and not matches(self.denied_paths)

    def fields_for(self, category: str) -> list[FieldKind]:
        """The field kinds a fix for `category` may change."""
        if category in self.category_fields:
            return self.category_fields[category]
        return CATEGORY_FIELDS.get(category, [])


def load_policy(repo: Path, explicit: Path | None = None) -> Policy:
    path = explicit or contained(repo, POLICY_FILE, what="policy file")
    if explicit is None and not path.is_file():
        return Policy()
    if not path.is_file():
        raise ConfigError(f"policy file {path} not found")
    data = load_file(path) or {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the policy must be a mapping")
    try:
        return Policy.model_validate(data)
    except (ValidationError, QuantityError) as exc:
        raise ConfigError(
            f"{path}: invalid policy: {exc}".splitlines()[0] + " " + _first_error(exc)
        ) from None


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        return f"({'.'.join(map(str, err['loc']))}: {err['msg']})"
    return ""


def field_kind(path: list[Any]) -> str:
    """memory | cpu | replicas | probe | image | other, from the last keys of a path."""
    keys = [str(k) for k in path]
    last = keys[-1] if keys else ""
    if last == "memory" and len(keys) >= 2 and keys[-2] in ("limits", "requests"):
        return "memory"
    if last == "cpu" and len(keys) >= 2 and keys[-2] in ("limits", "requests"):
        return "cpu"
    if last in ("replicaCount", "replicas", "minReplicas", "maxReplicas"):
        return "replicas"
    if last in PROBE_FIELDS:
        return "probe"
    if last == "tag" or (
        last == "repository" and len(keys) >= 2 and keys[-2] in ("image", "images")
    ):
        return "image"
    return "other"


def numeric(kind: str, value: Any) -> Decimal | None:
    if kind in ("memory", "cpu"):
        return parse_quantity(value)
    if kind in ("replicas", "probe"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise QuantityError(f"{value!r} is not a whole number")
        return Decimal(value)
    return None


def check_change(change: Change, policy: Policy, category: str) -> list[ValidationIssue]:
    """The policy's rules for one change (its `old` must already be the file's current value)."""
    dotted = change.dotted()
    issues: list[ValidationIssue] = []
    if not policy.allows_path(dotted):
        issues.append(
            ValidationIssue(
                code="path-not-allowed",
                path=dotted,
                message="the policy does not allow changing this key",
            )
        )
        return issues
    kind = field_kind(change.path)
    allowed = policy.fields_for(category)
    if kind not in allowed:
        issues.append(
            ValidationIssue(
                code="wrong-field-for-category",
                path=dotted,
                message=f"a fix for {category} changes {', '.join(allowed) or 'nothing'}, not "
                f"{'this key' if kind == 'other' else kind}",
            )
        )
        return issues
    if change.new == change.old:
        issues.append(
            ValidationIssue(
                code="no-op",
                path=dotted,
                message=f"new value equals the current value {change.old!r}",
            )
        )
        return issues
    try:
        new = numeric(kind, change.new)
    except QuantityError as exc:
        issues.append(ValidationIssue(code="invalid-value", path=dotted, message=str(exc)))
        return issues
    if kind == "image":
        if (
            not isinstance(change.new, str)
            or not change.new
            or any(c.isspace() for c in change.new)
        ):
            issues.append(
                ValidationIssue(
                    code="invalid-value", path=dotted, message=f"{change.new!r} is not an image tag"
                )
            )
        return issues
    if new is None:
        return issues
    if new <= 0:
        issues.append(
            ValidationIssue(
                code="invalid-value", path=dotted, message=f"{change.new!r} must be positive"
            )
        )
        return issues
    old: Decimal | None = None
    if change.old is not None:
        try:
            old = numeric(kind, change.old)
        except QuantityError:
            old = None
    if old is not None and old > 0:
        factor = Decimal(str(policy.max_step_factor))
        if new > old * factor:
            issues.append(
                ValidationIssue(
                    code="step-too-large",
                    path=dotted,
                    message=f"{change.old} → {change.new} is more than ×{policy.max_step_factor} in one step (at most {_fmt_limit(kind, old * factor)})",
                )
            )
        if new * factor < old:
            issues.append(
                ValidationIssue(
                    code="step-too-large",
                    path=dotted,
                    message=f"{change.old} → {change.new} lowers by more than ×{policy.max_step_factor} in one step",
                )
            )
        if kind == "memory" and category in MEMORY_CATEGORIES and new < old:
            issues.append(
                ValidationIssue(
                    code="lowers-memory",
                    path=dotted,
                    message=f"a {category} fix must not lower memory ({change.old} → {change.new})",
                )
            )
    cap = {
        "memory": parse_quantity(policy.caps.memory),
        "cpu": parse_quantity(policy.caps.cpu),
        "replicas": Decimal(policy.caps.replicas),
        "probe": Decimal(policy.caps.probe_seconds),
    }.get(kind)
    if cap is not None and new > cap and (old is None or new > old):
        cap_text = {"memory": policy.caps.memory, "cpu": policy.caps.cpu}.get(kind, str(cap))
        issues.append(
            ValidationIssue(
                code="over-cap",
                path=dotted,
                message=f"{change.new} is above the policy cap {cap_text}",
            )
        )
    return issues


def _fmt_limit(kind: str, value: Decimal) -> str:
    from dr_kube.quantity import format_cpu, format_memory

    if kind == "memory":
        return format_memory(value)
    if kind == "cpu":
        return format_cpu(value)
    return str(int(value))


def check_namespace(namespace: str, policy: Policy) -> list[ValidationIssue]:
    """Protected namespaces compare valid names only: a name Kubernetes would refuse
    (`kube-system/`, `./kube-system`) is refused itself, never compared by its spelling."""
    if namespace and not is_dns1123_label(namespace):
        return [
            ValidationIssue(
                code="invalid-namespace",
                message=f"namespace {namespace!r} is not a valid Kubernetes name; DR-Kube never "
                "patches for it",
            )
        ]
    if namespace in policy.protected_namespaces:
        return [
            ValidationIssue(
                code="protected-namespace",
                message=f"namespace {namespace} is protected by the policy; DR-Kube never patches it",
            )
        ]
    return []


def assess_risk(changes: list[Change], policy: Policy, unverified: bool) -> Risk:
    level = 0
    for change in changes:
        kind = field_kind(change.path)
        if kind in ("replicas", "image"):
            level = max(level, 1)
        try:
            new, old = (
                numeric(kind, change.new),
                numeric(kind, change.old) if change.old is not None else None,
            )
        except QuantityError:
            continue
        if new is not None and old is not None and new < old:
            level = max(level, 1)
        cap = {
            "memory": parse_quantity(policy.caps.memory),
            "cpu": parse_quantity(policy.caps.cpu),
            "replicas": Decimal(policy.caps.replicas),
        }.get(kind)
        if cap is not None and new is not None and new >= cap * Decimal("0.75"):
            level = 2
    if len(changes) > 3:
        level = max(level, 1)
    if unverified:
        level = min(2, level + 1)
    risks: tuple[Risk, ...] = ("low", "medium", "high")
    return risks[level]

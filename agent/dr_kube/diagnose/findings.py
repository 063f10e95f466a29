"""What an analyzer concludes, and the fix it asks for in workload terms (not yet file paths)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

IntentKind = Literal[
    "raise-memory-limit",
    "raise-cpu-limit",
    "lower-memory-request",
    "raise-memory-request",
    "lower-cpu-request",
    "raise-replicas",
    "raise-probe-delay",
    "raise-probe-timeout",
    "set-image-tag",
]


class FixIntent(BaseModel):
    kind: IntentKind
    container: str | None = None
    factor: float = 2.0
    at_least: str | None = (
        None  # a quantity the new value must reach (e.g. observed peak + headroom)
    )
    at_most: str | None = None  # a quantity the new value must not pass (e.g. node allocatable)
    probe: str | None = None  # livenessProbe | readinessProbe | startupProbe
    value: str | None = None  # for set-image-tag


class Finding(BaseModel):
    category: str
    root_cause: str
    evidence: list[str] = Field(default_factory=list)
    confidence: float
    container: str | None = None
    fix: FixIntent | None = None
    human_action: str | None = None
    node: str | None = None  # a node-level cause: the incident is about this node

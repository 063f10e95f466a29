"""The graph's state: a narrow input for callers, the full state inside."""

from __future__ import annotations

from typing import Any, TypedDict

from dr_kube.cluster.evidence import Evidence
from dr_kube.gitops.validate import Checked
from dr_kube.incidents.model import Incident
from dr_kube.models import Change, Proposal, PullRequestInfo
from dr_kube.values_model import Location


class InputState(TypedDict, total=False):
    incident: Incident
    guidance: list[str]


class State(InputState, total=False):
    evidence: Evidence
    location: Location | None
    locate_error: str | None
    values_text: str | None
    values_history: list[tuple[str, str]]
    proposal: Proposal | None
    checked: Checked | None
    attempts: int
    feedback: list[str]
    tried: list[list[Change]]
    rejected_reasons: list[str]
    pr: PullRequestInfo | None
    result: dict[str, Any]
    # Service mode (review loop): what the open PR carries, and how many reviews were applied.
    published_changes: list[Change]
    review_round: int
    # Copilot mode: an approver pressed *Open PR*.
    approved: bool

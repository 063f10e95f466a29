"""The graph's state: a narrow input for callers, the full state inside."""

from __future__ import annotations

from types import ModuleType
from typing import Any, TypedDict

from dr_kube import models, policy, values_model
from dr_kube.cluster import evidence
from dr_kube.cluster.evidence import Evidence
from dr_kube.gitops import validate
from dr_kube.gitops.validate import Checked
from dr_kube.incidents import history, model
from dr_kube.incidents.model import Incident
from dr_kube.models import Change, Proposal, PublishFailure, PullRequestInfo
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
    publish_failure: PublishFailure | None  # the push or the PR failed after its retries
    result: dict[str, Any]
    # Service mode (review loop): what the open PR carries, and how many reviews were applied.
    published_changes: list[Change]
    review_round: int
    # Copilot mode: an approver pressed *Open PR*.
    approved: bool


# The modules whose models travel through the state: the checkpointer deserialises only these.
STATE_MODULES: tuple[ModuleType, ...] = (
    models,
    model,
    evidence,
    values_model,
    validate,
    policy,
    history,
)

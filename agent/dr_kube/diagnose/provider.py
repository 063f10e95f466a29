"""The provider contract: what a proposer is asked (ProposalRequest) and what it answers (a Proposal)."""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from dr_kube.cluster.evidence import Evidence
from dr_kube.incidents.history import PastIncident
from dr_kube.incidents.model import Incident
from dr_kube.models import Change, Proposal, Usage
from dr_kube.policy import Policy
from dr_kube.values_model import Location

PROVIDERS = ("rules", "gemini", "ollama", "auto")


class ProposalRequest(BaseModel):
    """Everything a provider may use; the same for analyzers and LLMs."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    incident: Incident
    evidence: Evidence
    location: Location | None
    locate_error: str | None = None
    values: Any = None
    policy: Policy
    attempt: int = 1
    feedback: list[str] = Field(default_factory=list)
    guidance: list[str] = Field(default_factory=list)
    tried: list[list[Change]] = Field(default_factory=list)
    values_history: list[tuple[str, str]] = Field(default_factory=list)
    history: list[PastIncident] = Field(default_factory=list)  # similar past incidents


class Provider(Protocol):
    name: str
    usage: Usage

    def propose(self, request: ProposalRequest) -> Proposal: ...

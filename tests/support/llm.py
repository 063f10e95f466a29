"""Shared data of the LLM tests (in data/llm): the frontend OOM with planted secrets, and a run context."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dr_kube.alerts import load_incidents
from dr_kube.cluster.dump import DumpSource
from dr_kube.diagnose.provider import ProposalRequest, Provider
from dr_kube.graph.context import RunContext
from dr_kube.graph.steps import find_values, gather, proposal_request
from dr_kube.incidents.model import Incident
from dr_kube.policy import Policy
from tests.support.paths import DATA as SUPPORT_DATA

DATA = SUPPORT_DATA / "llm"

# Every secret planted in the test data (pod env, logs, alert, values file), exactly as planted.
PLANTED = [
    "planted-env-secret-7c1f9a2b",
    "planted-db-pass-4e8d",
    "planted-url-pw-31d",
    "plantedBearerToken0123456789",
    "cGxhbnRlZDpiYXNpY3Bhc3M=",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwbGFudGVkIn0.cGxhbnRlZHNpZ25hdHVyZQ",
    "AKIAPLANTED000000001",
    "AIzaPLANTEDplantedPLANTEDplanted0123456",
    "planted-conn-pw-88",
    "cGxhbnRlZC1rOHMtc2VjcmV0",
    "MIIBplantedPRIVATEKEYmaterial",
    "planted-alert-key-55aa",
    "planted-values-token-d41d8c",
    "planted-cart-redis-pw",
]


def leaked(text: str) -> list[str]:
    return [s for s in PLANTED if s in text or s.lower() in text.lower()]


def oom_incident() -> Incident:
    return load_incidents(DATA / "incident_oom.json")[0]


def run_context(provider: Provider, **overrides: Any) -> RunContext:
    ctx = RunContext(
        repo=DATA / "gitops",
        policy=Policy(),
        provider=provider,
        source=DumpSource(DATA / "cluster"),
        chart_dirs=[DATA / "charts"],
    )
    for key, value in overrides.items():
        setattr(ctx, key, value)
    return ctx


def oom_request(provider: Provider, **state: Any) -> ProposalRequest:
    """The request the graph's first analyze step builds for the OOM incident."""
    ctx = run_context(provider)
    incident = oom_incident()
    evidence = gather(ctx, incident)
    location, text, error = find_values(ctx, incident, evidence)
    full = {
        "incident": incident,
        "evidence": evidence,
        "location": location,
        "values_text": text,
        "locate_error": error,
        **state,
    }
    return proposal_request(full, ctx)


def answer(**overrides: Any) -> dict[str, Any]:
    """A schema-valid model answer: the frontend memory limit 128Mi → 256Mi."""
    data: dict[str, Any] = {
        "category": "oom",
        "root_cause": "The server container needs more than its 128Mi memory limit.",
        "evidence": ["last terminated OOMKilled (exit code 137)"],
        "changes": [{"path": ["frontend", "resources", "limits", "memory"], "new": "256Mi"}],
        "confidence": 0.9,
        "no_fix_reason": "",
    }
    data.update(overrides)
    return data


def answer_text(**overrides: Any) -> str:
    return json.dumps(answer(**overrides))


@pytest.fixture
def no_llm_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "GEMINI_API_KEY",
        "GOOGLE_API_KEY",
        "OLLAMA_HOST",
        "DRKUBE_PROVIDER",
        "DRKUBE_OLLAMA_MODEL",
        "DRKUBE_GEMINI_MODEL",
    ):
        monkeypatch.delenv(name, raising=False)

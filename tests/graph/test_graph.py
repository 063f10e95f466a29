"""The LangGraph state machine end to end: retries carry errors back, and a pass after a failure publishes."""

from __future__ import annotations

from pathlib import Path

from dr_kube.alerts import load_incidents
from dr_kube.cluster.dump import DumpSource
from dr_kube.diagnose.provider import ProposalRequest
from dr_kube.diagnose.rules import RulesProvider
from dr_kube.graph.context import RunContext
from dr_kube.graph.runner import run_incident
from dr_kube.models import Change, Proposal, Usage
from dr_kube.policy import Policy
from tests.support.paths import SAMPLE_CHARTS, SAMPLE_CLUSTER, SAMPLES
from tests.support.repos import git

PATH = ["frontend", "resources", "limits", "memory"]


class ScriptedProvider:
    """Proposes the given values in turn and records what each attempt was told."""

    name = "scripted"

    def __init__(self, values: list[str]) -> None:
        self.values = values
        self.requests: list[ProposalRequest] = []
        self.usage = Usage()
        self.rules = RulesProvider()

    def propose(self, request: ProposalRequest) -> Proposal:
        self.requests.append(request)
        diagnosis = self.rules.propose(request).diagnosis
        new = self.values[min(len(self.requests), len(self.values)) - 1]
        return Proposal(
            diagnosis=diagnosis,
            changes=[Change(file="values/online-boutique.yaml", path=PATH, old="128Mi", new=new)],
        )


def context(repo: Path, provider: object, publish: bool) -> RunContext:
    return RunContext(
        repo=repo,
        policy=Policy(),
        provider=provider,  # type: ignore[arg-type]
        source=DumpSource(SAMPLE_CLUSTER),
        chart_dirs=[SAMPLE_CHARTS],
        publish=publish,
    )


def oom_incident():  # type: ignore[no-untyped-def]
    return load_incidents(SAMPLES / "sample_oom.json")[0]


def test_a_pass_after_a_failure_opens_the_pr(gitops_repo: Path) -> None:
    provider = ScriptedProvider(
        ["1Gi", "256Mi"]
    )  # 8 times the limit is over the 2x step; then fine
    result = run_incident(oom_incident(), context(gitops_repo, provider, publish=True))
    assert result.fix.status == "proposed"
    assert result.fix.attempts == 2
    assert result.fix.validation.ok and result.fix.validation.errors == []
    assert result.pr is not None and result.pr.branch == "dr-kube/online-boutique/frontend/oom"
    assert "memory: 256Mi" in git(
        gitops_repo, "show", f"{result.pr.branch}:values/online-boutique.yaml"
    )
    first, second = provider.requests
    assert first.feedback == [] and first.attempt == 1
    assert second.attempt == 2
    assert any("step-too-large" in f for f in second.feedback), second.feedback
    assert [c.new for c in second.tried[0]] == ["1Gi"]


def test_attempts_are_bounded_and_every_reason_is_reported(gitops_repo: Path) -> None:
    provider = ScriptedProvider(["1Gi", "2Gi", "64Mi", "4Gi"])
    ctx = context(gitops_repo, provider, publish=True)
    ctx.max_attempts = 3
    result = run_incident(oom_incident(), ctx)
    assert result.fix.status == "rejected"
    assert result.fix.attempts == 3
    assert len(provider.requests) == 3
    assert result.pr is None
    reasons = result.fix.rejected_reasons
    assert any(r.startswith("attempt 1: step-too-large") for r in reasons)
    assert any(r.startswith("attempt 3: lowers-memory") for r in reasons)
    assert git(gitops_repo, "branch", "--list", "dr-kube/*") == ""


def test_rules_provider_passes_first_time(gitops_repo: Path) -> None:
    result = run_incident(oom_incident(), context(gitops_repo, RulesProvider(), publish=False))
    assert result.fix.status == "proposed" and result.fix.attempts == 1
    assert result.fix.unverified is False and result.fix.risk == "low"
    assert [(c.path, c.old, c.new) for c in result.fix.changes] == [(PATH, "128Mi", "256Mi")]
    assert result.pr is None

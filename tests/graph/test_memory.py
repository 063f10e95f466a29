"""What a run does with incident memory: the rules provider, the LLM prompt and the PR body with
related incidents, and an incident's own earlier fixes (its generations) counted as history."""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path

from dr_kube.alerts import load_incidents
from dr_kube.cluster.dump import DumpSource
from dr_kube.cluster.evidence import Evidence, WorkloadEvidence
from dr_kube.diagnose.llm.prompt import build_prompt
from dr_kube.diagnose.provider import ProposalRequest
from dr_kube.diagnose.rules import RulesProvider
from dr_kube.graph.context import RunContext
from dr_kube.graph.runner import run_incident
from dr_kube.incidents.history import MemoryQuery, PastIncident
from dr_kube.incidents.model import Incident, WorkloadRef
from dr_kube.models import Change
from dr_kube.policy import Policy
from dr_kube.store import Store
from dr_kube.store.history import BoundMemory, StoreMemory
from tests.support.history import add_incident
from tests.support.paths import SAMPLE_CHARTS, SAMPLE_CLUSTER, SAMPLES

VALUES = "values/online-boutique.yaml"
LIMIT = ["frontend", "resources", "limits", "memory"]


class ListMemory:
    def __init__(self, items: list[PastIncident]) -> None:
        self.items = items
        self.queries: list[MemoryQuery] = []

    def similar(self, query: MemoryQuery) -> list[PastIncident]:
        self.queries.append(query)
        return self.items


def oom_incident() -> Incident:
    return load_incidents(SAMPLES / "sample_oom.json")[0]


# The leak window ends now, or at the sample alert's start when the clock is earlier.
STARTS = max(datetime.fromisoformat("2026-11-24T21:04:12+00:00").timestamp(), time.time())


def past_raise(
    id: str, days_before: float, old: str, new: str, outcome: str | None, merged: bool = True
) -> PastIncident:
    when = STARTS - days_before * 86400
    return PastIncident(
        id=id,
        namespace="online-boutique",
        workload="frontend",
        category="oom",
        status="resolved",
        created_at=when - 3600,
        merged_at=when if merged else None,
        root_cause="Container server is killed for using more memory than its limit (OOMKilled).",
        changes=[Change(file=VALUES, path=list(LIMIT), old=old, new=new)],
        outcome=outcome,
        same_workload=True,
    )


def run(repo: Path, memory: object | None, publish: bool = False):  # type: ignore[no-untyped-def]
    ctx = RunContext(
        repo=repo,
        policy=Policy(),
        provider=RulesProvider(),
        source=DumpSource(SAMPLE_CLUSTER),
        chart_dirs=[SAMPLE_CHARTS],
        publish=publish,
        push=False,
    )
    if memory is not None:
        ctx.memory = memory  # type: ignore[assignment]
    return run_incident(oom_incident(), ctx)


def test_a_merged_fix_that_was_not_enough_is_not_proposed_again(gitops_repo: Path) -> None:
    baseline = run(gitops_repo, None)
    assert baseline.fix.status == "proposed"
    assert [(c.old, c.new) for c in baseline.fix.changes] == [("128Mi", "256Mi")]
    memory = ListMemory(
        [past_raise("earlier", 30, "128Mi", "256Mi", "not-enough: still OOMKilled")]
    )
    result = run(gitops_repo, memory)
    assert result.fix.status == "no-fix"
    assert result.fix.reason is not None
    assert "was merged for incident earlier" in result.fix.reason
    assert "not enough" in result.fix.reason
    assert memory.queries[0].workload == "frontend" and "OOMKilled" in memory.queries[0].text
    worked = run(gitops_repo, ListMemory([past_raise("earlier", 30, "128Mi", "256Mi", "verified")]))
    assert worked.fix.status == "proposed"


def test_two_raises_in_fourteen_days_are_a_probable_leak(gitops_repo: Path) -> None:
    history = [
        past_raise("first", 10, "64Mi", "96Mi", "fixed: the alert resolved after the merge"),
        past_raise("second", 3, "96Mi", "128Mi", "fixed: the alert resolved after the merge"),
    ]
    result = run(gitops_repo, ListMemory(history))
    assert result.fix.status == "no-fix"
    assert result.fix.reason is not None and "probable memory leak" in result.fix.reason
    assert "a human should look at the code" in result.fix.reason
    assert "64Mi → 128Mi, ×2" in result.fix.reason
    assert result.diagnosis is not None
    assert any("first" in e and "64Mi → 96Mi" in e for e in result.diagnosis.evidence)
    assert "probably leaks memory" in result.diagnosis.root_cause
    spread = [history[0].model_copy(update={"merged_at": STARTS - 20 * 86400}), history[1]]
    assert run(gitops_repo, ListMemory(spread)).fix.status == "proposed"
    unmerged = [h.model_copy(update={"merged_at": None, "outcome": None}) for h in history]
    assert run(gitops_repo, ListMemory(unmerged)).fix.status == "proposed"


def test_related_incidents_in_the_pr_body_only_when_there_are_any(gitops_repo: Path) -> None:
    plain = run(gitops_repo, None, publish=True)
    assert plain.pr is not None and "Related incidents" not in plain.pr.body
    related = past_raise("older-one", 60, "64Mi", "128Mi", "fixed: the alert resolved")
    related = related.model_copy(update={"pr_url": "https://github.com/o/r/pull/3"})
    result = run(gitops_repo, ListMemory([related]), publish=True)
    assert result.pr is not None
    body = result.pr.body
    assert "### Related incidents" in body
    assert "`frontend.resources.limits.memory` 64Mi → 128Mi" in body
    assert "outcome: fixed: the alert resolved" in body and "pull/3" in body


def test_related_incidents_in_the_prompt_within_budget() -> None:
    incident = Incident(
        id="x", alertname="KubePodOOMKilled", namespace="shop", workload=WorkloadRef(name="cart")
    )
    evidence = Evidence(
        source="alert", workload=WorkloadEvidence(kind="Deployment", namespace="shop", name="cart")
    )
    base = ProposalRequest(incident=incident, evidence=evidence, location=None, policy=Policy())
    assert "Similar past incidents" not in build_prompt(base).user
    many = [
        past_raise(f"p{n}", n, "128Mi", "256Mi", "not-enough: still killed").model_copy(
            update={"root_cause": "x" * 400}
        )
        for n in range(5)
    ]
    prompt = build_prompt(base.model_copy(update={"history": many})).user
    assert "Similar past incidents" in prompt and "outcome: not-enough" in prompt
    section = prompt.split('<data source="past incidents">')[1].split("</data>")[0]
    assert len(section) <= 1_300  # the section's character budget (RELATED_CHARS) holds
    assert prompt.count("outcome: not-enough") == 4  # the fifth does not fit


def earlier_generations(store: Store, raises: list[tuple[str, str]]) -> str:
    """An incident whose merged fixes were not enough: one generation per raise, then the next."""
    add_incident(
        store,
        "current",
        namespace="online-boutique",
        workload="frontend",
        days_ago=0.5,
        root_cause="Container server is killed for using more memory than its limit (OOMKilled).",
        status="running",
    )
    for generation, (old, new) in enumerate(raises, start=1):
        attempt = store.start_attempt("current", generation, "run", "w")
        change = {"file": VALUES, "path": LIMIT, "old": old, "new": new}
        store.finish_attempt(
            attempt, status="done", changes=json.dumps([change]), pr_action="opened"
        )
    store.update("current", generation=len(raises) + 1)
    return "current"


def test_the_incidents_own_earlier_fixes_count(sqlite_store: Store, gitops_repo: Path) -> None:
    """Verification's `not-enough` (or a refire) starts a new generation of the same incident: the
    fix it merged is history too."""
    incident_id = earlier_generations(sqlite_store, [("128Mi", "256Mi")])
    memory = BoundMemory(StoreMemory(sqlite_store), incident_id)
    found = memory.similar(MemoryQuery(namespace="online-boutique", workload="frontend"))
    assert [p.id for p in found] == ["current#1"]
    assert found[0].merged and found[0].outcome_kind == "not-enough"
    result = run(gitops_repo, BoundMemory(StoreMemory(sqlite_store), incident_id))
    assert result.fix.status == "no-fix" and "current#1" in (result.fix.reason or "")


def test_two_raises_of_the_same_incident_are_a_probable_leak(
    sqlite_store: Store, gitops_repo: Path
) -> None:
    incident_id = earlier_generations(sqlite_store, [("64Mi", "128Mi"), ("128Mi", "256Mi")])
    result = run(gitops_repo, BoundMemory(StoreMemory(sqlite_store), incident_id))
    assert result.fix.status == "no-fix"
    assert "probable memory leak" in (result.fix.reason or "") and "64Mi → 256Mi, ×4" in (
        result.fix.reason or ""
    )

"""Run scenarios in process through the graph: a throw-away Git repo per scenario, then checks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from dr_kube import __version__
from dr_kube.diagnose.factory import make_provider
from dr_kube.diagnose.provider import ProposalRequest, Provider
from dr_kube.errors import DrKubeError, InputError
from dr_kube.evaluate.checks import check_scenario
from dr_kube.evaluate.outcome import IncidentOutcome, Report, ScenarioOutcome, totals
from dr_kube.evaluate.scenario import Scenario
from dr_kube.incidents.model import Incident
from dr_kube.models import Proposal, Result, Usage

GIT_ENV = {
    "GIT_AUTHOR_NAME": "DR-Kube eval",
    "GIT_AUTHOR_EMAIL": "eval@dr-kube.invalid",
    "GIT_COMMITTER_NAME": "DR-Kube eval",
    "GIT_COMMITTER_EMAIL": "eval@dr-kube.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


class RecordingProvider:
    """Wraps a provider and keeps the evidence it was shown, to look for leaked secrets."""

    def __init__(self, inner: Provider) -> None:
        self.inner = inner
        self.name = inner.name
        self.usage = inner.usage
        self.seen: list[str] = []

    def propose(self, request: ProposalRequest) -> Proposal:
        self.seen.append(request.evidence.model_dump_json())
        try:
            return self.inner.propose(request)
        finally:
            self.usage = self.inner.usage


def git(repo: Path, *args: str) -> None:
    proc = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_ENV},
        check=False,
    )
    if proc.returncode != 0:
        raise InputError(f"git {args[0]} in {repo} failed: {proc.stderr.strip()}")


def copy_tree(source: Path, target: Path) -> None:
    shutil.copytree(source, target, dirs_exist_ok=True, copy_function=shutil.copy)


def commit_all(repo: Path, message: str) -> None:
    """Stage the whole tree by content: a file rewritten with the same size and mtime counts."""
    git(repo, "rm", "-r", "-q", "--cached", "--ignore-unmatch", ".")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--allow-empty", "-m", message)


@contextmanager
def gitops_repo(scenario: Scenario) -> Iterator[Path]:
    """The scenario's GitOps snapshot as a fresh Git repository: history commits, then the snapshot."""
    with tempfile.TemporaryDirectory(prefix="dr-kube-eval-") as tmp:
        repo = Path(tmp) / "gitops"
        repo.mkdir()
        git(repo, "init", "--quiet")
        for step in scenario.history:
            copy_tree(step, repo)
            commit_all(repo, f"history: {step.name}")
        for entry in repo.iterdir():
            if entry.name != ".git":
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        copy_tree(scenario.gitops, repo)
        commit_all(repo, "snapshot")
        yield repo


def usage_delta(now: Usage, before: Usage) -> Usage:
    return Usage(
        llm_calls=now.llm_calls - before.llm_calls,
        tokens_in=now.tokens_in - before.tokens_in,
        tokens_out=now.tokens_out - before.tokens_out,
    )


def incident_label(incident: Incident) -> tuple[str | None, str | None]:
    return (incident.workload.name if incident.workload else None), incident.pod


# The CLI's text form of a result: scanned for secrets like the JSON (the CLI passes its own).
TextRenderer = Callable[[Result], str]


def run_one(
    incident: Incident, ctx: object, provider: RecordingProvider, render_text: TextRenderer
) -> tuple[IncidentOutcome, list[str]]:
    """Run one incident; returns its outcome and the texts a user would see."""
    from dr_kube.graph.context import RunContext
    from dr_kube.graph.runner import exit_code, run_incident

    assert isinstance(ctx, RunContext)
    workload, pod = incident_label(incident)
    before = provider.usage.model_copy()
    started = time.perf_counter()
    try:
        result: Result = run_incident(incident, ctx)
    except DrKubeError as exc:
        seconds = time.perf_counter() - started
        return IncidentOutcome(
            key=incident.key(),
            workload=workload,
            pod=pod,
            exit_code=exc.exit_code,
            error=str(exc),
            seconds=round(seconds, 4),
        ), [str(exc)]
    except Exception as exc:  # an internal error is a failed scenario, not a crashed eval
        seconds = time.perf_counter() - started
        return IncidentOutcome(
            key=incident.key(),
            workload=workload,
            pod=pod,
            exit_code=1,
            error=f"internal error: {type(exc).__name__}: {exc}",
            seconds=round(seconds, 4),
        ), [str(exc)]
    seconds = time.perf_counter() - started
    used = usage_delta(provider.usage, before)
    texts = [json.dumps(result.to_json_dict(), ensure_ascii=False), render_text(result)]
    return IncidentOutcome(
        key=result.incident.key,
        workload=result.incident.workload.name if result.incident.workload else workload,
        pod=pod,
        category=result.diagnosis.category if result.diagnosis else None,
        status=result.fix.status,
        exit_code=exit_code(result),
        changes=result.fix.changes,
        attempts=result.fix.attempts,
        llm_calls=used.llm_calls,
        tokens_in=used.tokens_in,
        tokens_out=used.tokens_out,
        seconds=round(seconds, 4),
    ), texts


def one_per_incident(outcomes: list[IncidentOutcome]) -> list[IncidentOutcome]:
    """Runs whose diagnoses found the same key (a node-level cause through several workloads)
    are one incident, as the CLI prints them: their costs add up."""
    merged: dict[str, IncidentOutcome] = {}
    for outcome in outcomes:
        first = merged.get(outcome.key)
        if first is None or outcome.error is not None or first.error is not None:
            merged.setdefault(
                outcome.key if first is None else f"{outcome.key}#{len(merged)}", outcome
            )
            continue
        first.attempts += outcome.attempts
        first.llm_calls += outcome.llm_calls
        first.tokens_in += outcome.tokens_in
        first.tokens_out += outcome.tokens_out
        first.seconds = round(first.seconds + outcome.seconds, 4)
    return list(merged.values())


def run_scenario(
    scenario: Scenario, provider_name: str, render_text: TextRenderer
) -> ScenarioOutcome:
    from dr_kube.alerts import load_incidents
    from dr_kube.cluster.dump import DumpSource
    from dr_kube.cluster.owners import OwnerResolver
    from dr_kube.graph.context import RunContext
    from dr_kube.graph.runner import worst
    from dr_kube.incidents.grouping import group_incidents
    from dr_kube.policy import load_policy

    expect = scenario.expect
    outcomes: list[IncidentOutcome] = []
    texts: list[str] = []
    seen: list[str] = []
    started = time.perf_counter()
    loaded: list[Incident] = []
    try:
        loaded = load_incidents(scenario.alert)
        firing = group_incidents(loaded)
    except DrKubeError as exc:
        firing, texts, code = [], [str(exc)], exc.exit_code
    else:
        code = 0
    if firing:
        with gitops_repo(scenario) as repo:
            provider = RecordingProvider(make_provider(provider_name))
            try:
                policy = load_policy(repo)
                ctx = RunContext(
                    repo=repo,
                    policy=policy,
                    provider=provider,
                    source=DumpSource(scenario.cluster) if scenario.cluster else None,
                    chart_dirs=[scenario.charts] if scenario.charts else [],
                    max_attempts=policy.max_attempts,
                )
            except DrKubeError as exc:
                code, texts = exc.exit_code, [str(exc)]
            else:
                owners = OwnerResolver(ctx.source)  # as the CLI: a pod's alert is its workload's
                firing = group_incidents([owners.resolve(i) for i in loaded])
                started = time.perf_counter()  # the agent's time, not the repository set-up
                for incident in firing:
                    outcome, shown = run_one(incident, ctx, provider, render_text)
                    outcomes.append(outcome)
                    texts += shown
                outcomes = one_per_incident(outcomes)
                code = worst([o.exit_code for o in outcomes])
            seen = provider.seen
    seconds = time.perf_counter() - started
    failures = check_scenario(expect, outcomes, code, texts, seen)
    return ScenarioOutcome(
        name=scenario.name,
        split=scenario.split,
        category=expect.primary_category,
        description=expect.description,
        passed=not failures,
        failures=failures,
        exit_code=code,
        incidents=outcomes,
        seconds=round(seconds, 4),
    )


def run_corpus(
    scenarios: list[Scenario],
    provider_name: str,
    corpus: str,
    render_text: TextRenderer,
    on_done: Callable[[ScenarioOutcome], None] | None = None,
) -> Report:
    make_provider(provider_name)  # fail fast (exit 2/1) on an unknown or unavailable provider
    started = time.perf_counter()
    outcomes = []
    for scenario in scenarios:
        outcome = run_scenario(scenario, provider_name, render_text)
        outcomes.append(outcome)
        if on_done is not None:
            on_done(outcome)
    elapsed = time.perf_counter() - started
    return Report(
        provider=provider_name,
        version=__version__,
        corpus=corpus,
        scenarios=outcomes,
        totals=totals(outcomes, elapsed),
    )

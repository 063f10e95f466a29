"""What an eval run records: per incident, per scenario, totals. The JSON report (`dr-kube/eval@1`)."""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from dr_kube.models import Change

EVAL_SCHEMA = "dr-kube/eval@1"


class IncidentOutcome(BaseModel):
    key: str
    workload: str | None = None
    pod: str | None = None
    category: str | None = None
    status: str | None = None  # proposed | no-fix | rejected; None when the run failed
    exit_code: int
    changes: list[Change] = Field(default_factory=list)
    attempts: int = 0
    llm_calls: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    seconds: float = 0.0
    error: str | None = None

    def proposed_changes(self) -> list[Change]:
        return self.changes if self.status == "proposed" else []


class ScenarioOutcome(BaseModel):
    name: str
    split: str
    category: str  # the scenario's expected (primary) category
    description: str = ""
    passed: bool
    failures: list[str] = Field(default_factory=list)
    exit_code: int
    incidents: list[IncidentOutcome] = Field(default_factory=list)
    seconds: float = 0.0

    @property
    def categories(self) -> list[str]:
        return [i.category or "none" for i in self.incidents]

    @property
    def attempts(self) -> int:
        return sum(i.attempts for i in self.incidents)

    @property
    def llm_calls(self) -> int:
        return sum(i.llm_calls for i in self.incidents)

    @property
    def tokens_in(self) -> int:
        return sum(i.tokens_in for i in self.incidents)

    @property
    def tokens_out(self) -> int:
        return sum(i.tokens_out for i in self.incidents)

    def changes(self) -> list[Change]:
        return [c for i in self.incidents for c in i.proposed_changes()]


class Rate(BaseModel):
    passed: int
    total: int
    rate: float


class Totals(BaseModel):
    scenarios: int
    passed: int
    pass_rate: float
    by_split: dict[str, Rate] = Field(default_factory=dict)
    by_category: dict[str, Rate] = Field(default_factory=dict)
    incidents: int = 0
    mean_attempts: float = 0.0
    llm_calls: int = 0
    tokens_in_per_incident: float = 0.0
    tokens_out_per_incident: float = 0.0
    p50_seconds: float = 0.0
    p95_seconds: float = 0.0
    total_seconds: float = 0.0
    forbidden_changes: int = 0
    leaked_secrets: int = 0


class Report(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    schema_: str = Field(default=EVAL_SCHEMA, alias="schema")
    provider: str
    version: str
    corpus: str
    scenarios: list[ScenarioOutcome]
    totals: Totals

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def rate(passed: int, total: int) -> Rate:
    return Rate(passed=passed, total=total, rate=round(passed / total, 4) if total else 0.0)


def group_rates(outcomes: list[ScenarioOutcome], attr: str) -> dict[str, Rate]:
    groups: dict[str, list[bool]] = {}
    for outcome in outcomes:
        groups.setdefault(str(getattr(outcome, attr)), []).append(outcome.passed)
    return {k: rate(sum(v), len(v)) for k, v in sorted(groups.items())}


def totals(outcomes: list[ScenarioOutcome], total_seconds: float) -> Totals:
    incidents = [i for o in outcomes for i in o.incidents]
    attempted = [i.attempts for i in incidents if i.attempts > 0]
    times = [o.seconds for o in outcomes]
    passed = sum(o.passed for o in outcomes)
    count = len(incidents) or 1
    return Totals(
        scenarios=len(outcomes),
        passed=passed,
        pass_rate=round(passed / len(outcomes), 4) if outcomes else 0.0,
        by_split=group_rates(outcomes, "split"),
        by_category=group_rates(outcomes, "category"),
        incidents=len(incidents),
        mean_attempts=round(sum(attempted) / len(attempted), 3) if attempted else 0.0,
        llm_calls=sum(i.llm_calls for i in incidents),
        tokens_in_per_incident=round(sum(i.tokens_in for i in incidents) / count, 1),
        tokens_out_per_incident=round(sum(i.tokens_out for i in incidents) / count, 1),
        p50_seconds=round(percentile(times, 50), 3),
        p95_seconds=round(percentile(times, 95), 3),
        total_seconds=round(total_seconds, 3),
        forbidden_changes=sum(1 for o in outcomes for f in o.failures if "forbidden change" in f),
        leaked_secrets=sum(
            1 for o in outcomes for f in o.failures if f.startswith("leaked secret")
        ),
    )

"""Pydantic models at the boundaries: diagnoses, changes and the result contract."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from dr_kube.incidents.model import AlertRef, Frozen, WorkloadRef

RESULT_SCHEMA = "dr-kube/result@1"


Category = Literal[
    "oom",
    "memory-pressure",
    "cpu-throttling",
    "crashloop",
    "image-pull",
    "probe-failure",
    "unschedulable",
    "replicas-mismatch",
    "node-not-ready",
    "node-pressure",  # node Memory/Disk/PIDPressure, and evictions
    "quota",  # a ResourceQuota or LimitRange refuses the workload's pods
    "volume",  # a PersistentVolumeClaim that does not bind, attach or mount
    "unknown",
]


CATEGORIES: tuple[str, ...] = Category.__args__  # type: ignore[attr-defined]


PathKey = str | int


FixStatus = Literal["proposed", "no-fix", "rejected"]


Risk = Literal["low", "medium", "high"]


class Change(BaseModel):
    """One path-level change to one values file."""

    model_config = ConfigDict(extra="forbid")

    file: str
    path: list[PathKey]
    old: Any = None
    new: Any

    def dotted(self) -> str:
        """`initContainers[0].resources.limits.memory`"""
        text = ""
        for key in self.path:
            text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else key)
        return text


class Diagnosis(BaseModel):
    category: str
    root_cause: str
    evidence: list[str] = Field(default_factory=list)
    confidence: float = Field(ge=0.0, le=1.0)
    provider: str = "rules"
    container: str | None = None
    human_action: str | None = None
    # A node-level cause (not ready, pressure, evictions): the incident is about this node.
    node: str | None = None


class Proposal(BaseModel):
    """What a provider (analyzers or an LLM) proposes: a diagnosis plus path-level changes."""

    diagnosis: Diagnosis
    changes: list[Change] = Field(default_factory=list)
    no_fix_reason: str | None = None


class ValidationIssue(Frozen):
    code: str
    message: str
    path: str | None = None

    def __str__(self) -> str:
        where = f" ({self.path})" if self.path else ""
        return f"{self.code}{where}: {self.message}"


class Validation(BaseModel):
    ok: bool
    errors: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    verified: bool = True


class RenderedChange(BaseModel):
    """One field of one rendered object that a change moves."""

    kind: str
    name: str
    container: str | None = None
    field: str
    old: Any = None
    new: Any = None

    def line(self) -> str:
        """`Deployment/frontend container server limits.memory 128Mi → 256Mi`"""
        where = f" container {self.container}" if self.container else ""
        field = self.field.removeprefix("resources.")
        old = "(unset)" if self.old is None else self.old
        new = "(unset)" if self.new is None else self.new
        return f"{self.kind}/{self.name}{where} {field} {old} → {new}"


class RenderedFix(BaseModel):
    """The change as Helm renders it: the chart, the value layers, what moved and what else did."""

    chart: str
    version: str | None = None
    digest: str | None = None
    source: str | None = None
    values_files: list[str] = Field(default_factory=list)
    changed: list[RenderedChange] = Field(default_factory=list)
    blast_radius: list[RenderedChange] = Field(default_factory=list)
    diff: str = ""  # unified diff of the rendered manifests, changed objects only
    notes: list[str] = Field(default_factory=list)  # drift, what the render cannot reproduce


class FixResult(BaseModel):
    status: FixStatus
    changes: list[Change] = Field(default_factory=list)
    diff: str = ""
    risk: Risk | None = None
    attempts: int = 0
    validation: Validation = Field(default_factory=lambda: Validation(ok=False))
    unverified: bool = False
    reason: str | None = None
    rejected_reasons: list[str] = Field(default_factory=list)
    rendered: RenderedFix | None = None  # set when the chart was rendered before and after


class PullRequestInfo(BaseModel):
    action: Literal["opened", "updated", "unchanged", "draft"]
    branch: str
    base: str
    commit: str | None = None
    pushed: bool = False
    number: int | None = None
    url: str | None = None
    title: str
    body: str
    # Pull requests are off (no GITHUB_TOKEN, or no repository): what to set to open them.
    disabled: str | None = None


class PublishFailure(BaseModel):
    """The fix was made and validated, but its publication failed after every try: the push
    (`stage: push`; nothing of it stays on origin or in local branches) or the pull request
    (`stage: pull-request`; the branch is on origin)."""

    stage: Literal["push", "pull-request"]
    code: str  # stable class of the failure: push-rejected, origin-unreachable, github-5xx, ...
    reason: str  # one line
    attempts: int
    transient: bool  # whether a later try may succeed (a later alert re-opens the work)
    branch: str
    pushed: bool = False


class ResultIncident(BaseModel):
    id: str
    key: str
    alertname: str
    namespace: str
    workload: WorkloadRef | None
    # Every alert the incident holds (the same workload, or node, and cause), first one first.
    alerts: list[AlertRef] = Field(default_factory=list)
    # A node incident: the workloads it hit (`Kind/name`).
    workloads: list[str] = Field(default_factory=list)


class Usage(BaseModel):
    llm_calls: int = 0
    tokens_in: int = 0
    tokens_out: int = 0


class Result(BaseModel):
    """The `dr-kube/result@1` contract printed by `run` and `fix` with `--output json`."""

    model_config = ConfigDict(populate_by_name=True)

    schema_: str = Field(default=RESULT_SCHEMA, alias="schema")
    incident: ResultIncident
    diagnosis: Diagnosis | None
    fix: FixResult
    pr: PullRequestInfo | None = None
    usage: Usage = Field(default_factory=Usage)
    publish_failure: PublishFailure | None = None

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)

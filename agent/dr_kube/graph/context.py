"""What a run needs besides its state: sources, repository, policy, provider, forge."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from dr_kube.cluster.source import ClusterSource
from dr_kube.diagnose.provider import Provider
from dr_kube.gitops.forges.base import Forge
from dr_kube.gitops.forges.local import LocalForge
from dr_kube.gitops.retry import NO_RETRY, RetryPolicy
from dr_kube.incidents.grouping import AlertBook, OwnAlerts
from dr_kube.incidents.history import Memory, NoMemory
from dr_kube.policy import Policy
from dr_kube.store.audit import AuditSink, NoAudit


@dataclass
class RunContext:
    """What a run needs besides its state: sources, repository, policy, provider, forge."""

    repo: Path
    policy: Policy
    provider: Provider
    source: ClusterSource | None = None
    chart_dirs: list[Path] = field(default_factory=list)
    prometheus_url: str | None = None
    max_attempts: int = 3
    publish: bool = False
    push: bool = True
    base_branch: str | None = None
    forge: Forge = field(default_factory=LocalForge)
    publish_retry: RetryPolicy = NO_RETRY  # pushes (the forge has its own, the same by default)
    audit: AuditSink = field(default_factory=NoAudit)  # the service binds the store's trail
    memory: Memory = field(default_factory=NoMemory)  # the service binds the store's memory
    alerts: AlertBook = field(default_factory=OwnAlerts)  # the service: the incident's, now
    # Service mode: after a PR the run pauses for review; `copilot` pauses before publishing
    # until an approver answers, `observe` never publishes. The CLI keeps the defaults.
    await_review: bool = False
    mode: Literal["auto", "copilot", "observe"] = "auto"

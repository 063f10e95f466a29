"""The service's composition root: store, checkpointer, graph, workers and the follow-up, wired.

The HTTP layer (`server/`) builds its app from the `Service` this returns; nothing here knows it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

from dr_kube.cluster import listfile
from dr_kube.cluster.dump import DumpSource
from dr_kube.cluster.owners import OwnerResolver
from dr_kube.config.service import Settings
from dr_kube.diagnose.factory import make_provider
from dr_kube.gitops.forges.base import Forge
from dr_kube.graph.context import RunContext
from dr_kube.graph.graph import build_graph
from dr_kube.graph.state import STATE_MODULES
from dr_kube.service.branches import BranchJanitor
from dr_kube.service.context import ContextArgs, build_context
from dr_kube.service.followup import FollowUp
from dr_kube.service.github_events import GitHubHandler
from dr_kube.service.intake import GroupCommit
from dr_kube.service.telemetry import Metrics
from dr_kube.service.worker import ServiceContext, Worker
from dr_kube.store import Store, open_store
from dr_kube.store.checkpoints import make_checkpointer


@dataclass
class Service:
    """Everything the webhooks and the API act on, and the background loops behind them."""

    store: Store
    settings: Settings
    metrics: Metrics
    github: GitHubHandler
    worker: Worker
    followup: FollowUp
    run_workers: bool = True
    # why no pull request is opened, with what to set; None when a forge opens them
    prs_off: str | None = None
    owners: OwnerResolver = field(default_factory=lambda: OwnerResolver(None))
    intake: GroupCommit = field(init=False)  # concurrent deliveries share one durable commit

    def __post_init__(self) -> None:
        self.intake = GroupCommit(self.store, resolve=self.owners.resolve)

    def on_intake(self) -> None:
        """New work is stored: wake an idle worker."""
        self.worker.wake.set()

    def ready(self) -> bool:
        return not self.run_workers or any(t.is_alive() for t in self.worker.threads)

    def start(self) -> None:
        if self.run_workers:
            self.worker.start()
            self.followup.start()

    def stop(self) -> None:
        self.followup.shutdown()
        self.worker.shutdown()
        self.store.close()


def context_factory(base: RunContext, provider_name: str) -> Callable[[], ServiceContext]:
    """A fresh service-mode context per run: the base's fields and a provider of its own."""

    def make() -> ServiceContext:
        fields = {f.name: getattr(base, f.name) for f in dataclasses.fields(RunContext)}
        fields["provider"] = make_provider(provider_name)
        # a PR's review resumes the run; without a forge that takes reviews nothing would
        fields["await_review"] = base.forge.takes_reviews
        return ServiceContext(**fields)

    return make


def build_service(
    settings: Settings, context_args: ContextArgs, start_workers: bool = True
) -> Service:
    """The service from its settings and the CLI's source and pull-request options
    (`build_context`'s keyword arguments); `start_workers=False` serves intake only."""
    base = build_context(**context_args, publish=True)
    if start_workers and isinstance(base.source, DumpSource):
        listfile.read_in_a_process()  # dump files searched off the GIL the intake shares
    provider_name = context_args["provider"]
    make_provider(provider_name)  # fail at start, not at the first alert

    store = open_store(settings.database_url, settings.db_path, settings.max_runs)
    graph = build_graph(
        make_checkpointer(
            settings.database_url, settings.db_path, STATE_MODULES, settings.aes_keys()
        )
    )
    metrics = Metrics()
    metrics.watch_store(store.counts_by_status)
    reviews: Forge | None = base.forge if base.forge.takes_reviews else None
    followup = FollowUp(
        store, settings.operators, base.repo, base.prometheus_url, poll=settings.poll_seconds
    )
    worker = Worker(
        store,
        graph,
        context_factory(base, provider_name),
        settings,
        metrics,
        reviews,
        followup.hooks,
        BranchJanitor(base.repo, base.base_branch, settings.delete_branches),
    )
    followup.wake = worker.wake.set
    github = GitHubHandler(store, settings, metrics, reviews, on_closed=followup.hooks.pr_closed)
    return Service(
        store,
        settings,
        metrics,
        github,
        worker,
        followup,
        run_workers=start_workers,
        prs_off=base.forge.disabled,
        owners=OwnerResolver(base.source),
    )

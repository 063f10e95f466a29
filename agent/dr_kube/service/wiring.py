"""Wiring of the service: store, checkpointer, graph, workers and the FastAPI app."""

from __future__ import annotations

import dataclasses
from contextlib import asynccontextmanager
from typing import Any


def build_services(settings: Any, context_args: dict[str, Any], start_workers: bool = True) -> Any:
    """Store, checkpointer, graph, workers and the app, wired together."""
    from dr_kube.diagnose.factory import make_provider
    from dr_kube.gitops.forges.base import Forge
    from dr_kube.gitops.forges.github import GitHubForge
    from dr_kube.graph.context import RunContext
    from dr_kube.graph.graph import build_graph
    from dr_kube.graph.state import STATE_MODULES
    from dr_kube.server.app import Services, create_app
    from dr_kube.service.context import build_context
    from dr_kube.service.followup import Operators
    from dr_kube.service.github_events import GitHubHandler
    from dr_kube.service.telemetry import Metrics
    from dr_kube.service.worker import ServiceContext, Worker
    from dr_kube.store import open_store
    from dr_kube.store.checkpoints import make_checkpointer

    base = build_context(**context_args, publish=True)
    provider_name = context_args.get("provider", "rules")
    make_provider(provider_name)  # fail at start, not at the first alert

    def make_context() -> RunContext:
        fields = {f.name: getattr(base, f.name) for f in dataclasses.fields(RunContext)}
        fields["provider"] = make_provider(provider_name)
        fields["await_review"] = True
        return ServiceContext(**fields)

    store = open_store(settings.database_url, settings.db_path, settings.max_runs)
    graph = build_graph(make_checkpointer(settings.database_url, settings.db_path, STATE_MODULES))
    metrics = Metrics()
    metrics.watch_store(store.counts_by_status)
    # reviews come back only through a forge that opens real PRs
    reviews: Forge | None = base.forge if isinstance(base.forge, GitHubForge) else None
    operators = Operators(
        store, settings.operators, base.repo, base.prometheus_url, poll=settings.poll_seconds
    )
    worker = Worker(store, graph, make_context, settings, metrics, reviews, operators.hooks)
    operators.wake = worker.wake.set
    services = Services(
        store,
        settings,
        metrics,
        GitHubHandler(store, settings, metrics, reviews, on_closed=operators.hooks.pr_closed),
        on_intake=worker.wake.set,
        ready=lambda: not start_workers or any(t.is_alive() for t in worker.threads),
        operators=operators,
    )

    @asynccontextmanager
    async def lifespan(app: Any) -> Any:
        if start_workers:
            worker.start()
            operators.start()
        try:
            yield
        finally:
            operators.shutdown()
            worker.shutdown()
            store.close()

    return create_app(services, lifespan=lifespan), worker, store

"""Prometheus metrics of the service; incidents by status are read from the store at scrape."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector


class IncidentCollector(Collector):
    def __init__(self, counts: Callable[[], dict[str, int]]) -> None:
        self.counts = counts

    def collect(self) -> Iterator[Any]:
        family = GaugeMetricFamily(
            "drkube_incidents", "Incidents in the store by status", labels=["status"]
        )
        try:
            for status, n in sorted(self.counts().items()):
                family.add_metric([status], n)
        except Exception:  # a scrape must not fail because the store is briefly busy
            pass
        yield family


class Metrics:
    def __init__(self) -> None:
        disable_created_metrics()  # type: ignore[no-untyped-call]
        self.registry = CollectorRegistry()
        r = self.registry
        self.deliveries = Counter(
            "drkube_webhook_deliveries",
            "Webhook deliveries by source and HTTP code",
            ["source", "code"],
            registry=r,
        )
        self.alerts = Counter(
            "drkube_alerts_received", "Alerts received by status", ["status"], registry=r
        )
        self.intake = Counter(
            "drkube_alerts_stored",
            "Alerts at intake by what became of them (created, joined, repeated, ...)",
            ["action"],
            registry=r,
        )
        self.prs = Counter("drkube_prs", "Pull requests by action", ["action"], registry=r)
        self.validation_failures = Counter(
            "drkube_validation_failures", "Rejected proposals by reason", ["reason"], registry=r
        )
        self.runs = Counter("drkube_runs", "Graph runs by outcome", ["outcome"], registry=r)
        self.publish_failures = Counter(
            "drkube_publish_failures",
            "Publications (push or pull request) that failed after their retries, by reason",
            ["stage", "reason"],
            registry=r,
        )
        self.run_duration = Histogram(
            "drkube_run_duration_seconds",
            "Duration of one graph run",
            buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
            registry=r,
        )
        self.llm_calls = Counter("drkube_llm_calls", "LLM calls", registry=r)
        self.llm_tokens = Counter("drkube_llm_tokens", "LLM tokens", ["direction"], registry=r)
        self.limits = Counter(
            "drkube_limit_hits",
            "Budgets and limits that stopped or delayed work",
            ["limit"],
            registry=r,
        )
        self.reviews = Counter(
            "drkube_reviews", "PR review events by action", ["action"], registry=r
        )

    def watch_store(self, counts: Callable[[], dict[str, int]]) -> None:
        self.registry.register(IncidentCollector(counts))

    def render(self) -> bytes:
        return generate_latest(self.registry)

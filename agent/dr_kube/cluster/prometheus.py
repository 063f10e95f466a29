"""Prometheus evidence around the alert time: usage against limits, throttling, restarts."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from dr_kube.cluster.evidence import Evidence, MetricSample
from dr_kube.cluster.promql import Prometheus, PrometheusError, PrometheusUnreachableError

log = logging.getLogger(__name__)
WINDOW = "30m"
QUERY_TIMEOUT = 10.0

QUERIES: dict[str, tuple[str, str]] = {
    "memory_working_set_peak_bytes": (
        "max(max_over_time(container_memory_working_set_bytes{{{sel}}}[{w}]))",
        "bytes",
    ),
    "cpu_usage_cores": ("max(rate(container_cpu_usage_seconds_total{{{sel}}}[5m]))", "cores"),
    "cpu_throttled_ratio": (
        "sum(increase(container_cpu_cfs_throttled_periods_total{{{sel}}}[{w}]))"
        " / sum(increase(container_cpu_cfs_periods_total{{{sel}}}[{w}]))",
        "ratio",
    ),
    "restarts": ("max(kube_pod_container_status_restarts_total{{{sel}}})", "count"),
    "oom_kills": (
        "sum(increase(container_oom_events_total{{{sel}}}[{w}]))",
        "count",
    ),
}


def selector(namespace: str, pods: list[str], container: str | None) -> str:
    parts = [f'namespace="{namespace}"']
    if pods:
        parts.append('pod=~"' + "|".join(sorted(pods)) + '"')
    if container:
        parts.append(f'container="{container}"')
    return ",".join(parts)


def query_metrics(url: str, evidence: Evidence, at: datetime | None = None) -> list[MetricSample]:
    """Ask Prometheus for the incident's series; an unreachable server is a note, not a failure."""
    prometheus = Prometheus(url, timeout=QUERY_TIMEOUT)
    sel = selector(
        evidence.workload.namespace, [p.name for p in evidence.pods], evidence.focus_container
    )
    when = (at or datetime.now(UTC)).timestamp()
    samples: list[MetricSample] = []
    for name, (template, unit) in QUERIES.items():
        query = template.format(sel=sel, w=WINDOW)
        try:
            value = prometheus.value(query, when)
        except PrometheusUnreachableError as exc:
            log.warning("%s", exc)
            evidence.notes.append(f"Prometheus at {url} unreachable; diagnosed without metrics")
            break
        except PrometheusError as exc:
            log.warning("prometheus query %s failed: %s", name, exc)
            evidence.notes.append(f"Prometheus query {name} failed: {exc}")
            continue
        if value is not None:
            samples.append(MetricSample(name=name, value=value, unit=unit, query=query))
    return samples

"""Evidence read only when the first pass points at it: claims, quotas, node capacity."""

from __future__ import annotations

import re

from dr_kube.cluster.capacity import with_requests
from dr_kube.cluster.claims import collect_claims
from dr_kube.cluster.evidence import Evidence
from dr_kube.cluster.quotas import collect_limit_ranges, collect_quotas
from dr_kube.cluster.source import ClusterSource, K8sObject

INSUFFICIENT = re.compile(r"Insufficient (cpu|memory)", re.IGNORECASE)


def enrich(source: ClusterSource, evidence: Evidence, pods: list[K8sObject]) -> Evidence:
    """Claims the pods mount; quotas and limit ranges after a FailedCreate; what nodes hold
    after a FailedScheduling for lack of room (that one reads pods of every namespace)."""
    namespace = evidence.workload.namespace
    updates: dict[str, object] = {"claims": collect_claims(source, namespace, pods)}
    if any(e.reason == "FailedCreate" for e in evidence.events):
        updates["quotas"] = collect_quotas(source, namespace)
        updates["limit_ranges"] = collect_limit_ranges(source, namespace)
    if any(
        e.reason == "FailedScheduling" and INSUFFICIENT.search(e.message) for e in evidence.events
    ):
        updates["nodes"] = with_requests(source, evidence.nodes)
    return evidence.model_copy(update=updates)

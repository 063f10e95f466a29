"""A namespace's ResourceQuotas and LimitRanges: read when a controller fails to create pods."""

from __future__ import annotations

from dr_kube.cluster.evidence import LimitRangeEvidence, QuotaEvidence
from dr_kube.cluster.source import ClusterSource, K8sObject
from dr_kube.errors import InputError


def strings(data: object) -> dict[str, str]:
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def name_of(obj: K8sObject) -> str:
    return str((obj.get("metadata") or {}).get("name", ""))


def collect_quotas(source: ClusterSource, namespace: str) -> list[QuotaEvidence]:
    try:
        items = source.list_objects("ResourceQuota", namespace)
    except InputError:
        return []
    return [
        QuotaEvidence(
            name=name_of(q),
            hard=strings((q.get("status") or {}).get("hard") or (q.get("spec") or {}).get("hard")),
            used=strings((q.get("status") or {}).get("used")),
        )
        for q in items
    ]


def collect_limit_ranges(source: ClusterSource, namespace: str) -> list[LimitRangeEvidence]:
    try:
        items = source.list_objects("LimitRange", namespace)
    except InputError:
        return []
    return [
        LimitRangeEvidence(
            name=name_of(lr),
            type=str(limit.get("type", "Container")),
            max=strings(limit.get("max")),
            min=strings(limit.get("min")),
            default=strings(limit.get("default")),
        )
        for lr in items
        for limit in (lr.get("spec") or {}).get("limits") or []
        if isinstance(limit, dict)
    ]

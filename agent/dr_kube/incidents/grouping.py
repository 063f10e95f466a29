"""Which alerts are one incident: the same workload and the same failure class."""

from __future__ import annotations

from dr_kube.incidents.model import Incident


def group_incidents(incidents: list[Incident]) -> list[Incident]:
    """One incident per key: alerts of one payload about the same workload and class join."""
    seen: dict[str, Incident] = {}
    for incident in incidents:
        if incident.status != "firing":
            continue
        seen.setdefault(incident.key(), incident)
    return list(seen.values())

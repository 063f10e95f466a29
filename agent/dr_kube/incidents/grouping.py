"""Which alerts of one payload are one incident, and which results are one incident after
diagnosis (the CLI's side of `dr_kube.incidents.identity`; the service applies the same rules in
its store).

Before diagnosis nothing is diagnosed, so every alert about a subject joins the subject's first
incident: one run per workload. After diagnosis, results with the same key (a node-level cause
found through several workloads) are one incident.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from dr_kube.incidents.identity import OpenIncident, incident_to_join, is_symptom
from dr_kube.incidents.model import AlertRef, Incident


class AlertBook(Protocol):
    """Where a run reads the alerts its incident holds right now (the PR body lists them)."""

    def alerts(self, incident: Incident) -> list[AlertRef]: ...


class OwnAlerts:
    """The CLI's book: the alerts grouped into the incident before the run."""

    def alerts(self, incident: Incident) -> list[AlertRef]:
        return incident.all_alerts()


def group_incidents(incidents: Sequence[Incident]) -> list[Incident]:
    """One incident per subject and cause among the firing alerts, each listing its alerts.

    The lead alert (the incident the run starts from) is the first that names a cause, so a
    ContainerOOMKilled leads a KubeDeploymentReplicasMismatch about the same Deployment."""
    groups: dict[str, list[Incident]] = {}
    by_subject: dict[str, list[str]] = {}
    for incident in incidents:
        if incident.status != "firing":
            continue
        subject = incident.subject()
        ids = by_subject.setdefault(subject, [])
        candidates = [
            OpenIncident(
                id=gid, category=groups[gid][0].category_hint or "unknown", diagnosed=False
            )
            for gid in ids
        ]
        chosen = incident_to_join(candidates, incident.category_hint)
        if chosen is None:
            chosen = f"{subject}#{len(ids)}"
            ids.append(chosen)
            groups[chosen] = []
        groups[chosen].append(incident)
    return [lead_of(members) for members in groups.values()]


def lead_of(members: list[Incident]) -> Incident:
    lead = next((m for m in members if not is_symptom(m.category_hint)), members[0])
    refs = list({m.alert_ref().fingerprint: m.alert_ref() for m in [lead, *members]}.values())
    return lead.model_copy(update={"alerts": refs})

"""An incident with its secrets masked: what every input form hands on, and all the store keeps.

Labels and annotations are masked as data (a value under a secret-looking name is a secret
whatever it looks like), the free texts as text. Masking twice changes nothing, so the store masks
again whatever reaches it, whichever way it came.
"""

from __future__ import annotations

from dr_kube.incidents.model import Incident
from dr_kube.redact import redact, redact_data


def masked(incident: Incident) -> Incident:
    labels = redact_data(incident.labels)
    annotations = redact_data(incident.annotations)
    texts = {
        "summary": redact(incident.summary),
        "description": redact(incident.description),
        "logs": [redact(line) for line in incident.logs],
    }
    if (
        labels == incident.labels
        and annotations == incident.annotations
        and texts["summary"] == incident.summary
        and texts["description"] == incident.description
        and texts["logs"] == incident.logs
    ):
        return incident
    return incident.model_copy(update={"labels": labels, "annotations": annotations, **texts})

"""Alertmanager's re-sends, acknowledged without a write.

Alertmanager sends every alert of a group again at each `group_interval` and `repeat_interval`,
so in a storm most deliveries repeat what the store already holds. An alert whose fingerprint,
status and `startsAt` were committed by this process into an incident that is still open carries
nothing new: the same incident would only count it again. Such a delivery is answered from a
bounded memory plus one read (is the incident still open?), so it never queues behind the write
lock the runs and the new alerts need; the incident's `alert_count` takes the repeats at the next
flush (about a second later). A new firing episode has a new `startsAt`, a resolution a
new status: both take the full path.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Sequence

from dr_kube.incidents.model import Incident
from dr_kube.store.store import Ingested

MEMORY = 50_000  # alerts remembered; about 10 MB at most

RepeatKey = tuple[str, str, str]


def repeat_key(incident: Incident) -> RepeatKey | None:
    """Only alerts that name themselves (Alertmanager's fingerprint) can be recognised again."""
    if not incident.fingerprint:
        return None
    started = incident.starts_at.isoformat() if incident.starts_at else ""
    return (incident.fingerprint, incident.status, started)


class RepeatMemory:
    def __init__(self, size: int = MEMORY) -> None:
        self.size = size
        self._seen: OrderedDict[RepeatKey, Ingested] = OrderedDict()
        self._lock = threading.Lock()
        self._uncounted: Counter[str] = Counter()  # repeats per incident not yet in alert_count

    def recall(self, incidents: Sequence[Incident]) -> list[Ingested] | None:
        """What every alert of the delivery was stored as, or None unless all are repeats."""
        found: list[Ingested] = []
        with self._lock:
            for incident in incidents:
                key = repeat_key(incident)
                stored = None if key is None else self._seen.get(key)
                if key is None or stored is None:
                    return None
                self._seen.move_to_end(key)
                found.append(Ingested(stored.incident_id, stored.key, "repeated"))
        return found or None

    def counted(self, known: Sequence[Ingested]) -> None:
        """These repeats were acknowledged: count them at the next flush."""
        with self._lock:
            self._uncounted.update(k.incident_id for k in known if k.incident_id)

    def take_counts(self) -> dict[str, int]:
        with self._lock:
            counts, self._uncounted = dict(self._uncounted), Counter()
        return counts

    def remember(self, incidents: Sequence[Incident], stored: Sequence[Ingested]) -> None:
        with self._lock:
            for incident, ingested in zip(incidents, stored, strict=True):
                key = repeat_key(incident)
                if key is None or ingested.incident_id is None:
                    continue
                self._seen[key] = ingested
                self._seen.move_to_end(key)
            while len(self._seen) > self.size:
                self._seen.popitem(last=False)

    def forget(self, incidents: Sequence[Incident]) -> None:
        with self._lock:
            for incident in incidents:
                key = repeat_key(incident)
                if key is not None:
                    self._seen.pop(key, None)

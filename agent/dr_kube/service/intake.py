"""Group commit for webhook intake: concurrent deliveries share one durable transaction.

Every delivery still gets its 202 only after its alerts are committed; under load one fsync covers
many deliveries instead of one each, which is what keeps the latency tail short on slow disks.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future

from dr_kube.incidents.model import Incident
from dr_kube.store import Store
from dr_kube.store.store import Ingested

log = logging.getLogger(__name__)
MAX_BATCH = 256

Pending = tuple[Sequence[Incident], "Future[list[Ingested]]"]


def as_is(incident: Incident) -> Incident:
    return incident


class GroupCommit:
    """`resolve` gives each alert its subject before it is stored (a pod → the workload that
    owns it), in the delivering thread so that cluster look-ups never hold the commit up."""

    def __init__(
        self,
        store: Store,
        max_batch: int = MAX_BATCH,
        resolve: Callable[[Incident], Incident] = as_is,
    ) -> None:
        self.store = store
        self.max_batch = max_batch
        self.resolve = resolve
        self._queue: queue.Queue[Pending | None] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="intake-commit", daemon=True)
        self._thread.start()

    def ingest(self, incidents: Sequence[Incident]) -> list[Ingested]:
        """Store the alerts of one delivery; returns once they are committed."""
        done: Future[list[Ingested]] = Future()
        self._queue.put(([self.resolve(i) for i in incidents], done))
        return done.result()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(10)

    def _loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._commit(batch)
                    return
                batch.append(item)
            self._commit(batch)

    def _commit(self, batch: list[Pending]) -> None:
        try:
            stored = self.store.ingest([i for incidents, _ in batch for i in incidents])
        except Exception:
            if len(batch) == 1:
                _, done = batch[0]
                log.exception("intake commit failed")
                done.set_exception(RuntimeError("the alert could not be stored"))
                return
            for item in batch:  # one bad delivery must not fail the others: one by one
                self._commit([item])
            return
        start = 0
        for incidents, done in batch:
            done.set_result(stored[start : start + len(incidents)])
            start += len(incidents)

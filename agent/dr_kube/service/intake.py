"""Group commit for webhook intake: concurrent deliveries share one durable transaction.

Every delivery still gets its 202 only after its alerts are committed; under load one fsync covers
many deliveries instead of one each, which is what keeps the latency tail short on slow disks.
A big delivery is committed a chunk at a time (`CHUNK` alerts, each chunk waiting for the one
before), and a transaction holds at most `MAX_BATCH` alerts, so a small delivery that arrives
meanwhile waits for one chunk, never for the whole big one. The big delivery's 202 still comes
only once all its chunks are committed.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future

from dr_kube.incidents.model import Incident
from dr_kube.service.repeats import RepeatMemory
from dr_kube.store import Store
from dr_kube.store.store import Ingested

log = logging.getLogger(__name__)
MAX_BATCH = 256  # alerts per transaction
CHUNK = 64  # alerts of one delivery queued at a time
COUNT_EVERY = 1.0  # seconds between writes of the repeats' counts

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
        chunk: int = CHUNK,
    ) -> None:
        self.store = store
        self.max_batch = max_batch
        self.chunk = max(1, min(chunk, max_batch))
        self.resolve = resolve
        self.repeats = RepeatMemory()
        self._queue: queue.Queue[Pending | None] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="intake-commit", daemon=True)
        self._thread.start()

    def ingest(self, incidents: Sequence[Incident]) -> list[Ingested]:
        """Store the alerts of one delivery; returns once they are committed (or were already:
        see `dr_kube.service.repeats`)."""
        known = self.repeats.recall(incidents)
        if known is not None:
            if self.store.all_open([k.incident_id for k in known if k.incident_id]):
                self.repeats.counted(known)
                return known
            self.repeats.forget(incidents)
        resolved = [self.resolve(i) for i in incidents]
        stored: list[Ingested] = []
        for start in range(0, max(len(resolved), 1), self.chunk):  # a big delivery in chunks
            done: Future[list[Ingested]] = Future()
            self._queue.put((resolved[start : start + self.chunk], done))
            stored += done.result()
        self.repeats.remember(incidents, stored)
        return stored

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(10)

    def _loop(self) -> None:
        counted = time.monotonic()
        while True:
            if time.monotonic() - counted >= COUNT_EVERY:
                self._count_repeats()
                counted = time.monotonic()
            try:
                first = self._queue.get(timeout=COUNT_EVERY)
            except queue.Empty:
                continue
            if first is None:
                self._count_repeats()
                return
            batch = [first]
            size = len(first[0])
            while size < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._commit(batch)
                    self._count_repeats()
                    return
                batch.append(item)
                size += len(item[0])
            self._commit(batch)

    def _count_repeats(self) -> None:
        counts = self.repeats.take_counts()
        if not counts:
            return
        try:
            self.store.count_alerts(counts)
        except Exception:
            log.exception("counting repeated alerts failed")

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

"""Which workload an alert is about: a pod resolves to its owner (ReplicaSet → Deployment,
StatefulSet, DaemonSet, Job → CronJob), a ReplicaSet or Job to theirs.

Used at intake, before diagnosis, so that alerts about ten replicas of one Deployment share one
subject. Found owners are cached (a pod's owner never changes); a pod the source does not know
falls back to its name: `<deployment>-<template hash>-<suffix>` can only be a Deployment's pod.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict

from dr_kube.cluster.collect import owner_chain
from dr_kube.cluster.source import ClusterSource
from dr_kube.errors import DrKubeError
from dr_kube.incidents.model import Incident, WorkloadRef
from dr_kube.k8s_names import is_dns1123_subdomain

# The kinds that own pods and that a values file configures, outermost last in a chain.
OWNER_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "CronJob", "Job")
# kube's pod-template-hash and pod suffix use this alphabet (no vowels, no 0/1/3).
SAFE = "[bcdfghjklmnpqrstvwxz2456789]"
DEPLOYMENT_POD = re.compile(rf"^(?P<name>[a-z0-9][a-z0-9.-]*?)-{SAFE}{{6,10}}-{SAFE}{{5}}$")
CACHE_SIZE = 10_000


def owner_from_name(pod: str) -> WorkloadRef | None:
    """The Deployment a pod's name says it belongs to, or None when the name does not tell."""
    match = DEPLOYMENT_POD.match(pod)
    return WorkloadRef(kind="Deployment", name=match.group("name")) if match else None


class OwnerResolver:
    """Resolves an incident's subject through a cluster source (live or dump), with a cache."""

    def __init__(self, source: ClusterSource | None, cache_size: int = CACHE_SIZE) -> None:
        self.source = source
        self.cache_size = cache_size
        self._cache: OrderedDict[tuple[str, str, str], WorkloadRef] = OrderedDict()
        self._lock = threading.Lock()

    def resolve(self, incident: Incident) -> Incident:
        """The incident with `workload` set to the outermost owner its pod or workload has."""
        workload = incident.workload
        owner: WorkloadRef | None = None
        if workload is not None and workload.kind in ("ReplicaSet", "Job"):
            owner = self.owner(incident.namespace, workload.kind, workload.name) or workload
        elif workload is None and incident.pod:
            owner = self.owner(incident.namespace, "Pod", incident.pod)
            owner = owner or owner_from_name(incident.pod)
        if owner is None or owner == workload:
            return incident
        return incident.model_copy(update={"workload": owner})

    def owner(self, namespace: str, kind: str, name: str) -> WorkloadRef | None:
        key = (namespace, kind, name)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        found = self._lookup(namespace, kind, name)
        if found is not None:
            with self._lock:
                self._cache[key] = found
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return found

    def _lookup(self, namespace: str, kind: str, name: str) -> WorkloadRef | None:
        if self.source is None:
            return None
        try:
            obj = self.source.get(kind, namespace, name)
            if obj is None:
                return None
            chain = owner_chain(self.source, namespace, obj, kind)
        except DrKubeError:
            return None  # an unreachable API: the name fallback decides
        owners = [(k, n) for k, n, _ in chain if k in OWNER_KINDS]
        if not owners:
            return None
        outer_kind, outer_name = owners[-1]
        if not is_dns1123_subdomain(outer_name):
            return None  # a name Kubernetes would refuse: the dump is not to be trusted with it
        return WorkloadRef(kind=outer_kind, name=outer_name)
